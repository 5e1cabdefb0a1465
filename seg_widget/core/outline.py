"""Filling closed outlines (polygons, freehand lassos) on the pixel grid.

Coordinates are continuous image coordinates ``(row, col)``: pixel ``(r, c)`` covers
``[r, r + 1) x [c, c + 1)`` and its centre is ``(r + 0.5, c + 0.5)``.

The rule, exactly: pixel ``(r, c)`` is painted if and only if its centre is inside the
outline under the even–odd rule (where the outline crosses itself, overlapping loops
toggle), or the centre lies *on* the outline. Precisely, with ``+`` and ``-`` meaning "an
infinitesimal step towards larger / smaller column, and an even smaller step towards larger
/ smaller row", a centre ``p`` is painted iff

* ``p +`` or ``p -`` is strictly inside (even–odd), or
* ``p`` is within ``1e-12`` of a vertex (in both row and column).

For a centre not on the outline both nudged points agree with ``p``: it is painted iff it is
inside. A centre on an odd number of edges away from vertices (in particular on one edge of
a simple, non-self-intersecting outline) has one nudged point inside, so it is painted: the
polygon is closed. A centre on an even number of edges (where the outline crosses or
retraces itself) is painted iff the region just to its right (``p +``) is inside.

This is exactly what ``skimage.draw.polygon(rows - 0.5, cols - 0.5, shape)`` paints
(scikit-image works in pixel-index coordinates, where the centre of pixel ``(r, c)`` is
``(r, c)``): the crossing tests below repeat its floating-point expressions bit for bit, but
as a scanline over runs: the crossings of each pixel row give the row's inside runs, and the
footprint is written run by run (cost proportional to the box area plus the edge/row
crossings, not to the box area times the number of vertices). The one difference is on
purpose: an outline with fewer than three distinct points, or whose points all lie on one
line, has no interior and paints nothing (scikit-image would paint the pixels whose
centres are its vertices). An outline that encloses no area otherwise, because it only
retraces itself, does paint just those.

Unlike half-open ("top-left") rasterisers such as GPUs use, a centre on the shared edge of
two abutting polygons is painted by both; in ``"preserve"`` mode the first one keeps it.
(Pillow's ``ImageDraw.polygon`` rounds vertices to whole pixels and strokes the outline
too, so it is no reference for fractional vertices.)

Bounds: rows are processed in bands of at most ~10⁶ crossings (see
`seg_widget.core.outline_runs`), so temporaries stay bounded whatever the vertex count; and
an outline that crosses the pixel rows of its box more often than there are pixels in the
box (and more than `_MIN_CROSSINGS` times) is refused with a ValueError: such an outline is
finer than the pixel grid everywhere (say, 10⁵ random or zig-zag vertices), and rasterising
it would cost far more than its output.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from seg_widget.core.bbox import BBox, _true_bbox
from seg_widget.core.checks import image_shape
from seg_widget.core.outline_runs import (
    crossings_per_row,
    parity_runs,
    row_bands,
    runs_to_pixels,
    union_of_runs,
)

#: scikit-image's tolerance for "the centre is a vertex" (pixel units, per coordinate).
_VERTEX_TOLERANCE = 1e-12

#: Coordinates beyond this (pixels) are rejected: products of coordinates must stay far from
#: float64 overflow and rounding must stay well below a pixel.
_MAX_COORDINATE = 2.0**31

#: An outline may always cross its box's rows this often, and otherwise at most once per
#: pixel of the box.
_MIN_CROSSINGS = 1 << 22

# Kinds of (edge, row) pairs, see `_edge_rows`.
_STRICT, _LOW_END, _HIGH_END = 0, 1, 2


def polygon_footprint(
    vertices_rc: Sequence[tuple[float, float]] | np.ndarray,
    shape: tuple[int, int],
) -> tuple[BBox, np.ndarray] | None:
    """Return the pixels inside the closed outline through ``vertices_rc``.

    Rule: pixel ``(r, c)`` is painted iff its centre ``(r + 0.5, c + 0.5)`` is inside the
    outline under the even–odd rule, or on the outline. Exactly (see the module docstring):
    iff the point an infinitesimal step to the right of the centre (and an even smaller step
    down), or the one to its left (and slightly up), is inside, or the centre is within
    ``1e-12`` of a vertex. This equals ``skimage.draw.polygon(rows - 0.5, cols - 0.5,
    shape)`` for every outline that is not on one line. An outline with fewer than three
    distinct points, or with all its points on one line, has no interior and paints nothing
    (returns None). (An outline that encloses no area without lying on one line, because it
    only retraces itself, paints just the pixels whose centres are its vertices.)

    The cost is proportional to the area of the outline's bounding box (inside the image)
    plus the number of (edge, row) crossings; it does not grow with the vertex count times
    the area. Temporaries beyond the result are bounded (rows go in bands of about 10⁶
    crossings). An outline crossing the rows of its box more often than once per pixel of
    the box (and more than 2**22 times) is refused: that is an outline finer than the pixel
    grid (10⁵ zig-zag vertices, 10⁶ random points), whose rasterising would cost far more
    than its output.

    Parameters
    ----------
    vertices_rc : sequence of (float, float) or (N, 2) ndarray
        Vertices ``(row, col)`` in continuous image coordinates, in drawing order. The
        outline is closed implicitly (the last vertex joins the first); vertices may lie
        outside the image.
    shape : tuple of int
        Image shape ``(H, W)``: the footprint is clipped to it.

    Returns
    -------
    (BBox, ndarray) or None
        The tight bounding box of the painted pixels inside the image and a bool array of
        that box's shape (True = painted); None if no pixel is painted.

    Raises
    ------
    TypeError
        If ``vertices_rc`` is not numeric.
    ValueError
        If ``vertices_rc`` is not ``(N, 2)``, has a non-finite coordinate or one beyond
        ``±2**31``, crosses its box's rows more often than the bound above, or ``shape``
        is invalid.

    Examples
    --------
    A 2 x 3 rectangle with its corners on pixel corners paints those 6 pixels:

    >>> bbox, footprint = polygon_footprint([(1, 1), (1, 4), (3, 4), (3, 1)], (5, 5))
    >>> bbox
    BBox(row0=1, row1=3, col0=1, col1=4)
    >>> footprint.astype(int)
    array([[1, 1, 1],
           [1, 1, 1]])

    A triangle through pixel centres paints the centres on its edges too:

    >>> polygon_footprint([(0.5, 0.5), (0.5, 4.5), (4.5, 0.5)], (5, 5))[1].astype(int)
    array([[1, 1, 1, 1, 1],
           [1, 1, 1, 1, 0],
           [1, 1, 1, 0, 0],
           [1, 1, 0, 0, 0],
           [1, 0, 0, 0, 0]])

    """
    points = _vertices(vertices_rc)
    height, width = image_shape(shape)
    if _has_no_interior(points):
        return None
    # Pixel-index coordinates, as scikit-image uses them: the centre of pixel (r, c) is (r, c).
    vertices = points - 0.5

    rows = vertices[:, 0]
    cols = vertices[:, 1]
    row0 = max(math.floor(rows.min()), 0)
    row1 = min(math.ceil(rows.max()) + 1, height)
    col0 = max(math.floor(cols.min()), 0)
    col1 = min(math.ceil(cols.max()) + 1, width)
    if row0 >= row1 or col0 >= col1:
        return None
    n_rows = row1 - row0
    n_cols = col1 - col0

    # Edge i runs from vertex i - 1 ("previous") to vertex i ("current"), as in skimage.
    previous = np.roll(vertices, 1, axis=0)
    low = np.minimum(vertices[:, 0], previous[:, 0])
    high = np.maximum(vertices[:, 0], previous[:, 0])
    per_row = crossings_per_row(low, high, row0, row1)
    total = int(per_row.sum())
    if total > max(_MIN_CROSSINGS, n_rows * n_cols):
        raise ValueError(
            f"vertices_rc: expected an outline crossing the pixel rows of its box at most once "
            f"per pixel of the box ({n_rows * n_cols}); got {total} crossings from "
            f"{len(vertices)} vertices (simplify the outline)"
        )

    bands = row_bands(per_row, row0)
    if len(bands) == 1:  # the usual outline: the runs of every row at once, no copy
        runs = _inside_runs(vertices, previous, row0, row1, col0, n_cols)
        inside = runs_to_pixels(runs, n_rows * n_cols).reshape(n_rows, n_cols)
    else:
        inside = np.empty((n_rows, n_cols), dtype=bool)
        for band0, band1 in bands:
            meets = (high >= band0) & (low <= band1 - 1)  # the edges meeting the band's rows
            runs = _inside_runs(vertices[meets], previous[meets], band0, band1, col0, n_cols)
            band = inside[band0 - row0 : band1 - row0]
            band.reshape(-1)[...] = runs_to_pixels(runs, band.size)
    _mark_vertices(inside, vertices, row0, col0)

    bbox = _true_bbox(inside, (row0, col0))
    if bbox is None:
        return None
    # A contiguous array (a copy only if the box above was larger than the painted pixels).
    return bbox, np.ascontiguousarray(
        inside[bbox.row0 - row0 : bbox.row1 - row0, bbox.col0 - col0 : bbox.col1 - col0]
    )


def _inside_runs(
    current: np.ndarray, previous: np.ndarray, row0: int, row1: int, col0: int, n_cols: int
) -> tuple[np.ndarray, np.ndarray]:
    """Return the flat ``(starts, ends)`` of the painted runs of rows ``[row0, row1)``.

    Runs are sorted and disjoint.

    Flat positions count ``n_cols`` pixels per row from column ``col0`` of row ``row0``.
    """
    edges, ys, kind = _edge_rows(current, previous, row0, row1)
    cut_right, cut_left = _cuts(current[edges], previous[edges], ys)
    local = ys - row0
    # skimage's right-crossing test (y_prev > y) != (y_cur > y) takes an edge in row y iff
    # low <= y < high; its left-crossing test iff low < y <= high.
    counts_right = kind != _HIGH_END
    starts, ends = parity_runs(
        local[counts_right], cut_right[counts_right] - col0, n_cols, row1 - row0
    )
    # The left parity (crossings strictly left of x) is the same except in rows where the
    # outline touches a centre exactly: rows through a vertex, or where the two cuts of an
    # edge differ. Only those rows are recomputed; a centre is in if either parity is odd.
    tie = (kind != _STRICT) | (cut_right != cut_left)
    if not tie.any():
        return starts, ends
    is_tie_row = np.zeros(row1 - row0, dtype=bool)
    is_tie_row[local[tie]] = True
    use = (kind != _LOW_END) & is_tie_row[local]
    left_starts, left_ends = parity_runs(local[use], cut_left[use] - col0, n_cols, row1 - row0)
    return union_of_runs(starts, ends, left_starts, left_ends)


def _edge_rows(
    current: np.ndarray, previous: np.ndarray, row0: int, row1: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Every (edge index, integer row y in [row0, row1)) pair where the edge meets row y.

    Returns the edge indices, the rows and each pair's kind: `_STRICT` if ``low < y < high``
    (low/high: the edge's end rows), `_LOW_END` if ``y == low``, `_HIGH_END` if ``y == high``.
    Horizontal edges meet no row. All comparisons are exact in floating point.
    """
    low = np.minimum(current[:, 0], previous[:, 0])
    high = np.maximum(current[:, 0], previous[:, 0])
    first = np.maximum(np.floor(low) + 1, row0).astype(np.int64)
    last = np.minimum(np.ceil(high) - 1, row1 - 1).astype(np.int64)
    counts = np.maximum(last - first + 1, 0)
    strict_edges = np.repeat(np.arange(len(current)), counts)
    # Row of each pair: its edge's first row plus its position within that edge's run.
    starts = np.cumsum(counts) - counts
    strict_ys = np.repeat(first - starts, counts) + np.arange(int(counts.sum()))

    sloped = low < high
    low_edges = np.flatnonzero(sloped & (low == np.floor(low)) & (low >= row0) & (low < row1))
    high_edges = np.flatnonzero(sloped & (high == np.floor(high)) & (high >= row0) & (high < row1))
    edges = np.concatenate([strict_edges, low_edges, high_edges])
    ys = np.concatenate(
        [strict_ys, low[low_edges].astype(np.int64), high[high_edges].astype(np.int64)]
    )
    kind = np.repeat(
        np.array([_STRICT, _LOW_END, _HIGH_END], dtype=np.int8),
        [strict_edges.size, low_edges.size, high_edges.size],
    )
    return edges, ys, kind


def _cuts(
    current: np.ndarray, previous: np.ndarray, ys: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Per (edge, row) pair, where skimage's crossing tests switch along the row.

    ``current`` and ``previous`` are the pairs' edge end points. Returns ``(right, left)``:
    the smallest integer column x at which the edge no longer crosses strictly right of x,
    and the smallest at which it crosses strictly left of x.
    """
    y = ys.astype(np.float64)
    row_a, col_a = current[:, 0], current[:, 1]
    row_b, col_b = previous[:, 0], previous[:, 1]
    # The pairs meet their row and are not horizontal, so row_b != row_a and t is in [0, 1].
    crossing = col_a + (y - row_a) / (row_b - row_a) * (col_b - col_a)

    def quotient(x: np.ndarray) -> np.ndarray:
        # skimage's (x0 * y1 - x1 * y0) / (y1 - y0): the same operations in the same order,
        # so the same rounding; its sign says on which side of (y, x) the edge crosses.
        x0 = col_a - x
        y0 = row_a - y
        x1 = col_b - x
        y1 = row_b - y
        return (x0 * y1 - x1 * y0) / (y1 - y0)

    # The estimate is off by far less than a pixel, and skimage's sign is monotonic in x
    # except within rounding of the crossing: one step each way settles both cuts.
    right = np.ceil(crossing)
    right += quotient(right) > 0
    right -= quotient(right - 1) <= 0
    left = np.floor(crossing) + 1
    left += quotient(left) >= 0
    left -= quotient(left - 1) < 0
    return right.astype(np.int64), left.astype(np.int64)


def _mark_vertices(inside: np.ndarray, vertices: np.ndarray, row0: int, col0: int) -> None:
    """Paint the centres within skimage's tolerance of a vertex (its VERTEX case)."""
    nearest = np.rint(vertices)
    offset = vertices - nearest
    near = np.all((-_VERTEX_TOLERANCE < offset) & (offset < _VERTEX_TOLERANCE), axis=1)
    rows = nearest[near, 0].astype(np.int64) - row0
    cols = nearest[near, 1].astype(np.int64) - col0
    height, width = inside.shape
    keep = (rows >= 0) & (rows < height) & (cols >= 0) & (cols < width)
    inside[rows[keep], cols[keep]] = True


def _has_no_interior(vertices: np.ndarray) -> bool:
    """Return True for fewer than three distinct vertices or all vertices on one line."""
    if len(vertices) < 3:
        return True
    relative = vertices - vertices[0]
    others = np.flatnonzero(np.any(relative != 0, axis=1))  # exact: v != v0
    if others.size == 0:
        return True
    direction = relative[others[0]]
    cross = relative[:, 0] * direction[1] - relative[:, 1] * direction[0]
    # Rounding makes the float cross products err by < 32 * 2**-53 * scale**2, so beyond this
    # bound some vertex is certainly off the line; below it, decide exactly (rarely needed).
    scale = float(np.max(np.abs(vertices)))
    if float(np.max(np.abs(cross))) > max(1e-12 * scale * scale, 1e-300):
        return False
    # Floats are dyadic rationals: scaled by the largest denominator they are exact integers.
    ratios = [value.as_integer_ratio() for value in vertices.ravel().tolist()]
    common = max(denominator for _, denominator in ratios)
    exact = [numerator * (common // denominator) for numerator, denominator in ratios]
    rows, cols = exact[0::2], exact[1::2]
    other = int(others[0])
    row_step, col_step = rows[other] - rows[0], cols[other] - cols[0]
    return all(
        (row - rows[0]) * col_step == (col - cols[0]) * row_step
        for row, col in zip(rows, cols, strict=True)
    )


def _vertices(vertices_rc: object) -> np.ndarray:
    if isinstance(vertices_rc, (str, bytes)):
        raise TypeError(
            f"vertices_rc: expected (row, col) numbers; got {type(vertices_rc).__name__}"
        )
    try:
        array = np.asarray(vertices_rc)
    except (TypeError, ValueError):
        # Ragged nested sequences end up here in numpy >= 1.24.
        raise ValueError(
            f"vertices_rc: expected an (N, 2) array of (row, col) points; got {vertices_rc!r}"
        ) from None
    if array.shape in ((0,), (0, 2)):
        return np.zeros((0, 2), dtype=np.float64)  # no points: no interior
    if array.dtype.kind not in "iuf":
        raise TypeError(f"vertices_rc: expected (row, col) numbers; got dtype {array.dtype}")
    if array.ndim != 2 or array.shape[1] != 2:
        raise ValueError(
            f"vertices_rc: expected an (N, 2) array of (row, col) points; got shape {array.shape}"
        )
    array = array.astype(np.float64)
    if not np.all(np.isfinite(array)):
        bad = array[~np.all(np.isfinite(array), axis=1)][0]
        raise ValueError(f"vertices_rc: expected finite coordinates; got ({bad[0]}, {bad[1]})")
    if np.any(np.abs(array) > _MAX_COORDINATE):
        bad = array[np.any(np.abs(array) > _MAX_COORDINATE, axis=1)][0]
        raise ValueError(
            f"vertices_rc: expected coordinates within ±2**31 pixels; got ({bad[0]}, {bad[1]})"
        )
    return array
