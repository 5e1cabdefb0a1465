"""COCO polygons to pixels exactly as ``pycocotools`` decodes them (what training code sees).

``pycocotools`` (``maskApi.c``, ``rleFrPoly``) does not keep the pixels whose centres are
inside a polygon (the rule of our lasso and polygon tools, `seg_widget.io.polygons`). It
multiplies the coordinates by 5 and rounds them to integers, draws every edge as a digital
line on that finer grid, and keeps, per image column, the points where the line crosses the
column's centre; each crossing toggles the column's pixels from the first row whose centre
lies at or below it. On random polygons the two rules differ in about 2 % of the pixels.

`polygon_runs` gives the same pixels as ``pycocotools.mask.frPyObjects`` + ``decode``: it
uses ``pycocotools`` when it is installed (for polygons of up to `PYCOCOTOOLS_MAX_POINTS`
points on the fine grid, so its buffers stay small) and otherwise this module's own
vectorised implementation of the same steps, which is tested against ``pycocotools`` on
random polygons (self-intersecting ones, repeated vertices, vertices outside the image).

Input bounds (checked before any work): a flat list of at least 3 points (an even number of
finite numbers), every vertex within one image size of the image (``-W <= x <= 2W``,
``-H <= y <= 2H``). The work is proportional to the outline's length (`outline_length`),
which `seg_widget.io.coco_import` bounds per image.
"""

from __future__ import annotations

import numpy as np

from seg_widget.io.rle import rle_counts

__all__ = ["PYCOCOTOOLS_MAX_POINTS", "checked_polygon", "outline_length", "polygon_runs"]

#: Largest fine-grid outline (points) handed to pycocotools, which allocates 8 bytes per point.
PYCOCOTOOLS_MAX_POINTS = 1 << 22

# pycocotools' upsampling factor.
_SCALE = 5
# Points of the fine-grid outline computed at once by the pure implementation.
_CHUNK_POINTS = 1 << 20


def checked_polygon(polygon: object, shape: tuple[int, int], *, argument: str) -> np.ndarray:
    """Return a COCO polygon ``[x0, y0, x1, y1, ...]`` as a ``(k, 2)`` float array, checked.

    Examples
    --------
    >>> checked_polygon([0, 0, 2, 0, 2, 1], (4, 4), argument="polygon").tolist()
    [[0.0, 0.0], [2.0, 0.0], [2.0, 1.0]]
    >>> checked_polygon([0, 0, 2, 0], (4, 4), argument="polygon")
    Traceback (most recent call last):
    ...
    ValueError: polygon: expected a flat list [x0, y0, x1, y1, ...] of at least 3 points; got \
[0, 0, 2, 0]

    """
    values = polygon if isinstance(polygon, (list, tuple)) else None
    if values is None or len(values) < 6 or len(values) % 2:
        raise ValueError(
            f"{argument}: expected a flat list [x0, y0, x1, y1, ...] of at least 3 points; "
            f"got {polygon!r:.80}"
        )
    for index, value in enumerate(values):
        if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
            raise ValueError(
                f"{argument}[{index}]: expected a number; got {type(value).__name__} {value!r:.40}"
            )
    xy = np.asarray(values, dtype=np.float64).reshape(-1, 2)
    if not np.isfinite(xy).all():
        raise ValueError(f"{argument}: expected finite coordinates; got {polygon!r:.80}")
    height, width = shape
    outside = (xy[:, 0] < -width) | (xy[:, 0] > 2 * width)
    outside |= (xy[:, 1] < -height) | (xy[:, 1] > 2 * height)
    if outside.any():
        x, y = xy[int(np.argmax(outside))]
        raise ValueError(
            f"{argument}: expected vertices within one image size of the {width} x {height} "
            f"image (-{width} <= x <= {2 * width}, -{height} <= y <= {2 * height}); "
            f"got ({x}, {y})"
        )
    return xy


def outline_length(xy: np.ndarray) -> float:
    """Return the length of a closed outline in pixels, each edge counted as max(|dx|, |dy|).

    Examples
    --------
    >>> outline_length(np.array([[0, 0], [3, 0], [3, 1]], float))
    7.0

    """
    steps = np.abs(np.roll(xy, -1, axis=0) - xy)
    return float(steps.max(axis=1).sum())


def polygon_runs(xy: np.ndarray, shape: tuple[int, int]) -> np.ndarray:
    """Return the COCO RLE counts of a checked polygon's pixels, as pycocotools decodes them.

    The counts are run lengths over the column-major image, starting with a run of 0s.

    Examples
    --------
    >>> counts = polygon_runs(np.array([[0.2, 0.2], [1.8, 0.2], [1.8, 1.8], [0.2, 1.8]]), (3, 4))
    >>> counts.tolist()  # column 0: rows 0-1; column 1: rows 0-1
    [0, 2, 1, 2, 7]

    """
    height, width = (int(n) for n in shape)
    if _fine_points(xy) <= PYCOCOTOOLS_MAX_POINTS:
        try:
            from pycocotools import mask as coco_mask
        except ImportError:
            pass
        else:
            rle = coco_mask.frPyObjects([xy.ravel().tolist()], height, width)[0]
            return rle_counts(rle)[1]
    return _runs_from_toggles(pure_toggles(xy, height, width), height * width)


def pure_toggles(xy: np.ndarray, height: int, width: int) -> np.ndarray:
    """Return the column-major pixel positions where pycocotools' decoding of ``xy`` toggles.

    The result of ``rleFrPoly``, computed per edge: pycocotools keeps a pair of consecutive
    fine-grid points when their ``u`` (fine x) changes from ``5k + 2`` to ``5k + 3`` (the
    centre of image column ``k``), and toggles column ``k`` from the first row at or below
    the pair's smaller ``v``. Pairs across a vertex never qualify (both points are the
    vertex, or, left of the image, fall outside it), so each edge is independent, and only
    its crossings of the image's column centres are computed: O(columns crossed) per edge,
    in chunks so memory stays bounded. A pixel is set when an odd number of toggles lie at
    or before it.
    """
    grid_x = np.trunc(_SCALE * xy[:, 0] + 0.5).astype(np.int64)
    grid_y = np.trunc(_SCALE * xy[:, 1] + 0.5).astype(np.int64)
    xs, xe, ys, ye = grid_x, np.roll(grid_x, -1), grid_y, np.roll(grid_y, -1)
    dx, dy = np.abs(xe - xs), np.abs(ye - ys)
    x_major = dx >= dy
    flip = (x_major & (xs > xe)) | (~x_major & (ys > ye))
    # Each edge drawn as pycocotools draws it: from its start (the end with the smaller
    # coordinate on its longer axis), one point per step t along that axis, the other
    # coordinate (int)(start + slope * t + 0.5).
    start_x, start_y = np.where(flip, xe, xs), np.where(flip, ye, ys)
    steps = np.maximum(dx, dy)
    rise = np.where(x_major, np.where(flip, ys, ye) - start_y, np.where(flip, xs, xe) - start_x)
    slope = rise / np.maximum(steps, 1)
    toggles = [np.zeros(0, np.int64)]
    groups = ((True, x_major & (steps > 0)), (False, ~x_major & (rise != 0)))
    for is_x_major, selected in groups:
        edges = np.flatnonzero(selected)
        first_k, count = _crossed_columns(is_x_major, start_x[edges], slope[edges], steps[edges])
        last_k = np.minimum(first_k + count - 1, width - 1)
        first_k = np.maximum(first_k, 0)
        count = np.maximum(last_k - first_k + 1, 0)
        for chunk in _chunks(count):
            edge = np.repeat(edges[chunk], count[chunk])
            column = np.repeat(first_k[chunk], count[chunk]) + _ranges(count[chunk])
            if is_x_major:
                t = 5 * column + 2 - start_x[edge]  # the pair (t, t + 1)
                v = np.minimum(
                    _rounded(start_y[edge], slope[edge], t),
                    _rounded(start_y[edge], slope[edge], t + 1),
                )
            else:
                t = _crossing_step(start_x[edge], slope[edge], steps[edge], 5 * column + 3)
                v = start_y[edge] + t - 1  # the pair (t - 1, t); v grows with t
            row = np.ceil(np.clip((v + 0.5) / _SCALE - 0.5, 0, height)).astype(np.int64)
            toggles.append(column * height + row)
    return np.concatenate(toggles)


def _crossed_columns(
    is_x_major: bool, start_x: np.ndarray, slope: np.ndarray, steps: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Return, per edge, the first column whose centre it crosses and how many it crosses.

    Column k's centre lies between ``u = 5k + 2`` and ``5k + 3``; the image's own bounds
    are applied by the caller.
    """
    if is_x_major:  # u = start_x + t for t in 0..steps: the pairs (t, t + 1)
        low, high = start_x, start_x + steps - 1
        first, last = -((2 - low) // 5), (high - 2) // 5  # 5k + 2 within [low, high]
    else:
        ends = (_rounded(start_x, slope, np.zeros_like(steps)), _rounded(start_x, slope, steps))
        low, high = np.minimum(*ends), np.maximum(*ends)
        first, last = -((2 - low) // 5), (high - 3) // 5  # 5k + 2 and 5k + 3 within
    return first, np.maximum(last - first + 1, 0)


def _crossing_step(start: np.ndarray, slope: np.ndarray, steps: np.ndarray, target: np.ndarray):
    """Return the step t where a steep edge's u = (int)(start + slope t + 0.5) crosses ``target``.

    Rising: the first t with u >= target; falling: the first t with u < target. The
    algebraic estimate is off by at most one step (rounding), so a window around it is
    checked with pycocotools' own arithmetic.
    """
    rising = slope > 0
    threshold = np.where(rising, target, target - 1)
    estimate = np.ceil((threshold - 0.5 - start + np.where(rising, 0, 1)) / slope)
    window = np.clip(estimate[:, None].astype(np.int64) + np.arange(-2, 3), 1, steps[:, None])
    now = _rounded(start[:, None], slope[:, None], window)
    before = _rounded(start[:, None], slope[:, None], window - 1)
    crossed = np.where(
        rising[:, None],
        (now >= target[:, None]) & (before < target[:, None]),
        (now < target[:, None]) & (before >= target[:, None]),
    )
    if not crossed.any(axis=1).all():  # pragma: no cover - the estimate is never that far off
        raise AssertionError("polygon rasteriser: a column crossing was not found")
    return window[np.arange(len(window)), np.argmax(crossed, axis=1)]


def _fine_points(xy: np.ndarray) -> int:
    """Points of the fine-grid outline pycocotools allocates for ``xy``."""
    return round(_SCALE * outline_length(xy) + 2 * len(xy))


def _rounded(start: np.ndarray, slope: np.ndarray, t: np.ndarray) -> np.ndarray:
    """Pycocotools' (int)(start + slope * t + 0.5): double arithmetic, truncated to zero."""
    return np.trunc(start + slope * t.astype(np.float64) + 0.5).astype(np.int64)


def _ranges(counts: np.ndarray) -> np.ndarray:
    """``[0..counts[0]), [0..counts[1]), ...`` concatenated."""
    return np.arange(int(counts.sum())) - np.repeat(np.cumsum(counts) - counts, counts)


def _chunks(counts: np.ndarray):
    """Slices of consecutive edges with at most _CHUNK_POINTS crossings (at least one edge)."""
    ends = np.cumsum(counts)
    first = 0
    while first < len(counts):
        limit = (ends[first - 1] if first else 0) + _CHUNK_POINTS
        last = max(first + 1, int(np.searchsorted(ends, limit, side="right")))
        yield slice(first, last)
        first = last


def _runs_from_toggles(toggles: np.ndarray, n_pixels: int) -> np.ndarray:
    positions, multiplicity = np.unique(toggles, return_counts=True)
    positions = positions[(multiplicity % 2 == 1) & (positions < n_pixels)]
    return np.diff(np.concatenate(([0], positions, [n_pixels])))
