"""COCO polygons of binary masks, and back to pixels with the pixel-centre rule.

COCO coordinates put the top-left corner of pixel ``[row, col]`` at ``(x, y) = (col, row)``
and its centre at ``(col + 0.5, row + 0.5)``. `mask_to_polygons` traces each region at level
0.5 between pixel centres (`skimage.measure.find_contours`), so every vertex lies halfway
between a set pixel's centre and an unset one's; `polygon_pixels` keeps the pixels whose
centres lie inside (the rule of `skimage.draw.polygon`). No pixel centre lies on such an
outline, so a mask without holes comes back exactly. COCO polygons cannot describe holes:
a COCO reader fills each polygon, so a region's holes are lost (use RLE to keep them).
"""

from __future__ import annotations

import numpy as np
from skimage.measure import find_contours

from seg_widget.core.outline import polygon_footprint

__all__ = ["mask_to_polygons", "polygon_pixels", "polygons_of_crop"]

# skimage's point-in-polygon test counts a point within this distance of a vertex as on it.
_VERTEX_TOLERANCE = 1e-12


def mask_to_polygons(binary_mask: np.ndarray) -> list[list[float]]:
    """Return the outlines of a 2-D mask as COCO polygons ``[x0, y0, x1, y1, ...]``.

    One polygon per outline (outer boundaries and hole boundaries alike; see the module
    note on holes), without repeating the first vertex and without collinear vertices.
    Regions touching only at a corner get separate polygons.

    Examples
    --------
    >>> mask_to_polygons(np.array([[0, 0, 0], [0, 1, 1]], dtype=bool))
    [[2.5, 2.0, 1.5, 2.0, 1.0, 1.5, 1.5, 1.0, 2.5, 1.0, 3.0, 1.5]]

    """
    mask = np.asarray(binary_mask)
    if mask.ndim != 2 or mask.dtype.kind not in "biuf":
        shape = tuple(int(n) for n in mask.shape)
        raise ValueError(
            f"binary_mask: expected a 2-D bool or numeric array; got {mask.dtype} {shape}"
        )
    return polygons_of_crop(mask.astype(bool, copy=False), (0, 0))


def polygons_of_crop(crop: np.ndarray, top_left_rc: tuple[int, int]) -> list[list[float]]:
    """Return the COCO polygons of a bool ``crop`` whose pixel ``[0, 0]`` is at ``top_left_rc``.

    Cost O(crop size). Examples: see `mask_to_polygons`.
    """
    row0, col0 = top_left_rc
    # Padding closes the outlines of regions that touch the crop's border.
    padded = np.pad(crop.astype(np.float32), 1)
    polygons = []
    for contour in find_contours(padded, 0.5):
        corners = _without_collinear(contour[:-1])
        x = corners[:, 1] + (col0 - 1 + 0.5)
        y = corners[:, 0] + (row0 - 1 + 0.5)
        polygons.append(np.column_stack([x, y]).ravel().tolist())
    return polygons


def polygon_pixels(
    polygon: list[float], shape: tuple[int, int], *, argument: str = "polygon"
) -> tuple[np.ndarray, np.ndarray]:
    """Return ``(rows, cols)`` of the pixels whose centres are inside a COCO polygon.

    The rule of `skimage.draw.polygon` after moving COCO coordinates to pixel-centre
    coordinates (``row = y - 0.5``, ``col = x - 0.5``): a pixel is kept if its centre is
    inside (even-odd rule), on an edge, or on a vertex. Pixels outside ``shape`` are
    clipped; the result is in row-major order. This is the rule of the lasso and polygon
    tools (``core.outline.polygon_footprint``, a scanline: `skimage.draw.polygon` itself
    takes seconds for a few hundred large outlines); an outline with all its points on one
    line has no pixels, and one crossing the pixel rows of its box more often than once per
    pixel (and 2**22 times) is refused, naming ``argument``.

    Examples
    --------
    >>> rows, cols = polygon_pixels([1.0, 1.5, 1.5, 1.0, 3.0, 1.5, 1.5, 2.0], (2, 3))
    >>> rows.tolist(), cols.tolist()
    ([1, 1], [1, 2])

    """
    coordinates = np.asarray(polygon, dtype=np.float64) if _is_flat(polygon) else None
    if coordinates is None or len(coordinates) < 6 or len(coordinates) % 2:
        raise ValueError(
            f"{argument}: expected a flat list [x0, y0, x1, y1, ...] of at least 3 points; "
            f"got {polygon!r:.80}"
        )
    if not np.isfinite(coordinates).all():
        raise ValueError(f"{argument}: expected finite coordinates; got {polygon!r:.80}")
    # COCO (x, y) are continuous image coordinates: exactly core's convention (pixel (r, c)
    # covers [c, c + 1) x [r, r + 1)), so the outline tools' rasteriser applies as is.
    try:
        footprint = polygon_footprint(
            np.column_stack([coordinates[1::2], coordinates[0::2]]), shape
        )
    except ValueError as error:  # e.g. an outline finer than the pixel grid: name the field
        raise ValueError(f"{argument}: {str(error).removeprefix('vertices_rc: ')}") from None
    if footprint is None:
        empty = np.zeros(0, dtype=np.intp)
        return empty, empty
    bbox, inside = footprint
    rows, cols = np.nonzero(inside)
    return rows + bbox.row0, cols + bbox.col0


def _is_flat(polygon: object) -> bool:
    return isinstance(polygon, (list, tuple)) and all(
        isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool)
        for value in polygon
    )


def _without_collinear(points: np.ndarray) -> np.ndarray:
    """Drop the vertices of a closed polygon that lie on the line through their neighbours.

    Contour vertices are multiples of 0.5, so the cross products are exact.
    """
    before = points - np.roll(points, 1, axis=0)
    after = np.roll(points, -1, axis=0) - points
    cross = before[:, 0] * after[:, 1] - before[:, 1] * after[:, 0]
    return points[cross != 0]
