"""Rasterising brush strokes into boolean footprints on the pixel grid.

Coordinates are continuous image coordinates ``(row, col)``: pixel ``(r, c)`` covers
``[r, r + 1) x [c, c + 1)`` and its centre is ``(r + 0.5, c + 0.5)``.
"""

from __future__ import annotations

import functools
import itertools
import math
from collections.abc import Iterable
from numbers import Real

import numpy as np

from seg_widget.core.bbox import BBox, _true_bbox
from seg_widget.core.checks import image_shape

#: Added to the brush radius so that pixel centres lying exactly on the brush edge (the usual
#: case for pixel-centred brushes: diameter 2 reaches the 4 neighbours at distance 1.0) are
#: inside whatever rounding the segment arithmetic does.
_TOLERANCE = 1e-9

#: A segment whose box holds at most this many pixels is rasterised in one piece.
_MAX_PIECE_AREA = 1 << 14

#: Thinnest band (pixels along the segment) a long segment is cut into.
_MIN_BAND = 32


def pixel_center(col: float, row: float) -> tuple[float, float]:
    """Return the centre ``(col, row)`` of the pixel containing the point ``(col, row)``.

    Snapping a brush to pixel centres makes odd diameters paint symmetric squares/disks
    (diameter 1 paints exactly the pixel under the cursor).

    Examples
    --------
    >>> pixel_center(3.9, 0.2)
    (3.5, 0.5)
    >>> pixel_center(-0.5, 2.0)
    (-0.5, 2.5)

    """
    col = _finite(col, "col")
    row = _finite(row, "row")
    return (math.floor(col) + 0.5, math.floor(row) + 0.5)


def brush_footprint(
    start_rc: tuple[float, float],
    end_rc: tuple[float, float],
    diameter: float,
    shape: tuple[int, int],
) -> tuple[BBox, np.ndarray] | None:
    """Return the pixels of a round brush of ``diameter`` swept from ``start_rc`` to ``end_rc``.

    Rule: pixel ``(r, c)`` is in the footprint if and only if the Euclidean distance from its
    centre ``(r + 0.5, c + 0.5)`` to the closed segment ``start_rc -> end_rc`` is
    ``<= diameter / 2 + 1e-9`` (the tolerance makes centres exactly on the edge count as
    inside, whatever the rounding). ``start_rc == end_rc`` gives a disk. Consecutive mouse
    positions joined this way leave no gaps however fast the mouse moves; for
    ``diameter >= sqrt(2)`` every pixel the segment passes through is painted. At a pixel
    centre, diameter 1 is that pixel, 2 a plus of 5 pixels, 3 a 3x3 square.

    The float work is O(length × diameter) (see `brush_pieces`, which long strokes should
    use: this function returns one box, so a long diagonal segment still costs one byte per
    pixel of its bounding box).

    Parameters
    ----------
    start_rc, end_rc : tuple of float
        Segment end points ``(row, col)`` in continuous image coordinates; may lie outside
        the image.
    diameter : float
        Brush diameter in image pixels, ``>= 1``.
    shape : tuple of int
        Image shape ``(H, W)``: the footprint is clipped to it.

    Returns
    -------
    (BBox, ndarray) or None
        The tight bounding box of the footprint inside the image and a bool array of that
        box's shape (True = painted); None if no pixel of the footprint is inside the image.

    Raises
    ------
    TypeError
        If a point is not two numbers or ``diameter`` is not a number.
    ValueError
        If a point is not finite, ``diameter`` is not finite or < 1, or ``shape`` is invalid.

    Examples
    --------
    >>> bbox, footprint = brush_footprint((2.5, 2.5), (2.5, 2.5), 2, (10, 10))
    >>> bbox
    BBox(row0=1, row1=4, col0=1, col1=4)
    >>> footprint.astype(int)
    array([[0, 1, 0],
           [1, 1, 1],
           [0, 1, 0]])

    """
    pieces = brush_pieces(start_rc, end_rc, diameter, shape)
    if len(pieces) <= 1:
        return pieces[0] if pieces else None
    # A long segment: assemble its pieces (1 byte per pixel of the box, no float arrays).
    bbox = pieces[0][0]
    for piece_box, _ in pieces[1:]:
        bbox = bbox.union(piece_box)
    footprint = np.zeros((bbox.height, bbox.width), dtype=bool)
    for piece_box, piece in pieces:
        footprint[piece_box.slices_in(bbox)] = piece
    return bbox, footprint


def brush_pieces(
    start_rc: tuple[float, float],
    end_rc: tuple[float, float],
    diameter: float,
    shape: tuple[int, int],
    *,
    copy: bool = True,
) -> list[tuple[BBox, np.ndarray]]:
    """Return the footprint of `brush_footprint` as pieces of small boxes: O(length × diameter).

    The same pixels by the same arithmetic, cut into bands across the segment's longer axis
    (rows for a steep segment, columns for a flat one) about a brush diameter thick, so each
    piece's box holds O(diameter²) pixels: a diagonal flick across a huge image costs its
    length times the brush, not the area of its bounding box. Pieces do not overlap. A
    short segment is one piece.

    ``copy=False`` may return read-only footprints shared with later calls (a short
    segment between pixel centres comes from a cached stamp): for callers that only read.

    Returns
    -------
    list of (BBox, ndarray)
        Tight boxes inside the image and bool footprints of their shapes, in order along
        the segment; empty if no pixel of the footprint is inside the image.

    Raises
    ------
    TypeError, ValueError
        As `brush_footprint`.

    Examples
    --------
    >>> pieces = brush_pieces((0.5, 0.5), (999.5, 999.5), 1, (1000, 1000))
    >>> len(pieces), max(box.area for box, _ in pieces), sum(int(p.sum()) for _, p in pieces)
    (32, 1024, 1000)

    """
    row_a, col_a = _point(start_rc, "start_rc")
    row_b, col_b = _point(end_rc, "end_rc")
    radius = _diameter(diameter) / 2 + _TOLERANCE
    return _segment_pieces(row_a, col_a, row_b, col_b, radius, image_shape(shape), copy=copy)


def _segment_pieces(
    row_a: float,
    col_a: float,
    row_b: float,
    col_b: float,
    radius: float,
    shape: tuple[int, int],
    *,
    copy: bool,
) -> list[tuple[BBox, np.ndarray]]:
    """`brush_pieces` of checked arguments (``radius`` with the tolerance added)."""
    height, width = shape
    centred = _centred_piece(row_a, col_a, row_b, col_b, radius, (height, width))
    if centred is None:
        return []
    if centred is not False:
        box, footprint = centred
        return [(box, footprint.copy() if copy else footprint)]
    reach = _reach(row_a, col_a, row_b, col_b, radius, height, width)
    if reach is None:
        return []
    row0, row1, col0, col1 = reach
    segment = (row_a, col_a, row_b, col_b, radius)
    thickness = max(_MIN_BAND, math.ceil(2 * radius))
    if (row1 - row0) * (col1 - col0) <= _MAX_PIECE_AREA:
        found = _pixels_within(segment, row0, row1, col0, col1)
        return [] if found is None else [found]

    pieces = []
    steep = abs(row_b - row_a) >= abs(col_b - col_a)
    low, high = (row0, row1) if steep else (col0, col1)
    for band0 in range(low, high, thickness):
        band1 = min(band0 + thickness, high)
        if steep:
            c0, c1 = _across(segment, band0, band1, transpose=False)
            box = (band0, band1, max(c0, col0), min(c1, col1))
        else:
            r0, r1 = _across(segment, band0, band1, transpose=True)
            box = (max(r0, row0), min(r1, row1), band0, band1)
        if box[0] < box[1] and box[2] < box[3]:
            found = _pixels_within(segment, *box)
            if found is not None:
                pieces.append(found)
    return pieces


def polyline_pieces(
    points_rc: Iterable[tuple[float, float]], diameter: float, shape: tuple[int, int]
) -> list[tuple[BBox, np.ndarray]]:
    """Return the footprint of a brush swept through ``points_rc`` in turn, as pieces.

    The pixels are exactly those of `brush_pieces` for each pair of consecutive points
    (one point: a dab). Consecutive pieces, which overlap heavily in a run of pen moves,
    are joined (logical or) while the box around them holds no more pixels than their
    boxes apart (and at most a short segment's box): one write for the caller instead of
    one per move, never more pixels to process. A long segment stays in bands, as
    `brush_pieces` cuts it. O(length × diameter) time and memory.

    Raises
    ------
    TypeError, ValueError
        As `brush_footprint`.

    Examples
    --------
    >>> pieces = polyline_pieces([(5.5, 5.5), (5.5, 7.5), (5.5, 9.5)], 5, (20, 20))
    >>> [(box, int(footprint.sum())) for box, footprint in pieces]
    [(BBox(row0=3, row1=8, col0=3, col1=12), 41)]

    """
    points = [_point(point, "points_rc") for point in points_rc]
    radius = _diameter(diameter) / 2 + _TOLERANCE
    shape = image_shape(shape)
    if 1 <= len(points) <= 2:  # one move or a dab (a pen event): one stamp, nothing to join
        (row_a, col_a), (row_b, col_b) = points[0], points[-1]
        centred = _centred_piece(row_a, col_a, row_b, col_b, radius, shape)
        if centred is None:
            return []
        if centred is not False:
            return [(centred[0], centred[1].copy())]
    segments = list(itertools.pairwise(points)) or [(p, p) for p in points]
    merged: list[tuple[BBox, np.ndarray]] = []
    run: list[tuple[BBox, np.ndarray]] = []
    run_box: BBox | None = None
    run_area = 0
    for (row_a, col_a), (row_b, col_b) in segments:
        for box, footprint in _segment_pieces(
            row_a, col_a, row_b, col_b, radius, shape, copy=False
        ):
            if run_box is not None:
                joint = run_box.union(box)
                joint_area = joint.height * joint.width
                if joint_area <= min(run_area + box.height * box.width, _MAX_PIECE_AREA):
                    run.append((box, footprint))
                    run_box, run_area = joint, run_area + box.height * box.width
                    continue
                merged.append(_union_of(run, run_box))
            run, run_box, run_area = [(box, footprint)], box, box.height * box.width
    if run_box is not None:
        merged.append(_union_of(run, run_box))
    return merged


def _union_of(run: list[tuple[BBox, np.ndarray]], box: BBox) -> tuple[BBox, np.ndarray]:
    """One piece covering ``box``: the pieces of ``run`` or-ed together (a copy)."""
    if len(run) == 1:
        return run[0][0], run[0][1].copy()
    footprint = np.zeros((box.height, box.width), dtype=bool)
    for piece_box, piece in run:
        footprint[piece_box.slices_in(box)] |= piece
    return box, footprint


def _reach(
    row_a: float, col_a: float, row_b: float, col_b: float, radius: float, height: int, width: int
) -> tuple[int, int, int, int] | None:
    """Return the rows and columns ``(row0, row1, col0, col1)`` a segment's brush can reach."""
    # Pixel r can be in iff its centre r + 0.5 is within radius of the segment's row range.
    row0 = max(math.ceil(min(row_a, row_b) - radius - 0.5), 0)
    row1 = min(math.floor(max(row_a, row_b) + radius - 0.5) + 1, height)
    col0 = max(math.ceil(min(col_a, col_b) - radius - 0.5), 0)
    col1 = min(math.floor(max(col_a, col_b) + radius - 0.5) + 1, width)
    if row0 >= row1 or col0 >= col1:
        return None
    return row0, row1, col0, col1


def _centred_piece(
    row_a: float, col_a: float, row_b: float, col_b: float, radius: float, shape: tuple[int, int]
) -> tuple[BBox, np.ndarray] | bool | None:
    """Return the one piece of a short segment between pixel centres, from a cached stamp.

    Returns False when the segment is not between pixel centres or is long (the caller
    computes it); None when nothing of it is inside the image. The pen snaps every point
    to a pixel centre, so a stroke's moves repeat a few offsets: each offset's footprint
    is computed once (`_stamp`) and moved.
    """
    start_row, start_col = row_a - 0.5, col_a - 0.5
    delta_row, delta_col = row_b - row_a, col_b - col_a
    if not (
        start_row.is_integer()
        and start_col.is_integer()
        and delta_row.is_integer()
        and delta_col.is_integer()
        and abs(start_row) < _EXACT
        and abs(start_col) < _EXACT
        and (abs(delta_row) + 2 * radius + 2) * (abs(delta_col) + 2 * radius + 2) <= _MAX_PIECE_AREA
    ):
        return False
    stamp_box, stamp = _stamp(int(delta_row), int(delta_col), radius)
    if stamp_box is None:
        return None
    row, col = int(start_row), int(start_col)
    height, width = shape
    box = BBox(
        stamp_box.row0 + row, stamp_box.row1 + row, stamp_box.col0 + col, stamp_box.col1 + col
    )
    inside = BBox(max(box.row0, 0), min(box.row1, height), max(box.col0, 0), min(box.col1, width))
    if inside == box:
        return box, stamp
    if inside.is_empty:
        return None
    clipped = stamp[inside.slices_in(box)]
    tight = _true_bbox(clipped, (inside.row0, inside.col0))
    return None if tight is None else (tight, clipped[tight.slices_in(inside)])


#: Coordinates below this are exact in float64 with room for the offsets added to them.
_EXACT = 2.0**40


@functools.lru_cache(maxsize=256)
def _stamp(delta_row: int, delta_col: int, radius: float) -> tuple[BBox | None, np.ndarray]:
    """Return the footprint of the segment from pixel centre (0.5, 0.5) to ``delta`` further.

    The arithmetic of `_pixels_within` relative to the start point: at any pixel-centred
    start the same offsets give the same numbers, so the stamp moved is that footprint.
    The footprint is read-only (shared). At most 256 stamps of at most `_MAX_PIECE_AREA`
    pixels are kept (4 MiB).
    """
    row_b, col_b = 0.5 + delta_row, 0.5 + delta_col
    row0 = math.ceil(min(0.5, row_b) - radius - 0.5)
    row1 = math.floor(max(0.5, row_b) + radius - 0.5) + 1
    col0 = math.ceil(min(0.5, col_b) - radius - 0.5)
    col1 = math.floor(max(0.5, col_b) + radius - 0.5) + 1
    found = _pixels_within((0.5, 0.5, row_b, col_b, radius), row0, row1, col0, col1)
    if found is None:
        return None, np.zeros((0, 0), bool)
    box, footprint = found
    footprint = footprint.copy()
    footprint.flags.writeable = False
    return box, footprint


def _across(
    segment: tuple[float, float, float, float, float], band0: int, band1: int, *, transpose: bool
) -> tuple[int, int]:
    """Conservative range of pixels across a band of rows (or columns) the brush can reach."""
    row_a, col_a, row_b, col_b, radius = segment
    if transpose:
        row_a, col_a, row_b, col_b = col_a, row_a, col_b, row_b
    # The part of the segment within radius of the band's pixel centres, by its row range.
    lo = max(band0 + 0.5 - radius, min(row_a, row_b))
    hi = min(band1 - 0.5 + radius, max(row_a, row_b))
    if row_a == row_b:
        ends = (col_a, col_b)
    else:
        lo, hi = min(lo, hi), max(lo, hi)
        slope = (col_b - col_a) / (row_b - row_a)
        ends = (col_a + (lo - row_a) * slope, col_a + (hi - row_a) * slope)
    # One pixel of margin each side: rounding must never cut the footprint; the exact
    # distance test decides.
    return (
        math.ceil(min(ends) - radius - 0.5) - 1,
        math.floor(max(ends) + radius - 0.5) + 2,
    )


def _pixels_within(
    segment: tuple[float, float, float, float, float], row0: int, row1: int, col0: int, col1: int
) -> tuple[BBox, np.ndarray] | None:
    """Pixels of the box whose centres are within the radius of the segment; tight box."""
    row_a, col_a, row_b, col_b, radius = segment
    # Pixel centres relative to the start point: small numbers keep the rounding small.
    rows = (np.arange(row0, row1, dtype=np.float64) + (0.5 - row_a))[:, np.newaxis]
    cols = np.arange(col0, col1, dtype=np.float64) + (0.5 - col_a)
    delta_row = row_b - row_a
    delta_col = col_b - col_a
    length_squared = delta_row * delta_row + delta_col * delta_col
    if length_squared == 0.0:
        distance_squared = rows * rows + cols * cols
    else:
        # Parameter of the closest point on the segment, clamped to its end points.
        t = rows * (delta_row / length_squared) + cols * (delta_col / length_squared)
        np.clip(t, 0.0, 1.0, out=t)
        off_row = rows - t * delta_row
        off_col = cols - t * delta_col
        distance_squared = off_row * off_row + off_col * off_col
    inside = distance_squared <= radius * radius

    # The box is conservative at the rounded ends; shrink it to the painted pixels so
    # callers colour and store no more than needed.
    bbox = _true_bbox(inside, (row0, col0))
    if bbox is None:
        return None
    return bbox, inside[bbox.row0 - row0 : bbox.row1 - row0, bbox.col0 - col0 : bbox.col1 - col0]


def _finite(value: object, argument: str) -> float:
    if type(value) is float:  # the pen's case: no abstract-class check
        if not math.isfinite(value):
            raise ValueError(f"{argument}: expected a finite number; got {value}")
        return value
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, Real):
        raise TypeError(f"{argument}: expected a number; got {type(value).__name__}")
    value = float(value)
    if not math.isfinite(value):
        raise ValueError(f"{argument}: expected a finite number; got {value}")
    return value


def _point(point: object, argument: str) -> tuple[float, float]:
    if type(point) is tuple and len(point) == 2:  # the pen's snapped points, per event
        row, col = point
        if type(row) is float and type(col) is float and math.isfinite(row + col):
            return point
    if isinstance(point, (str, bytes)):
        raise TypeError(f"{argument}: expected (row, col) numbers; got {type(point).__name__}")
    try:
        row, col = point  # type: ignore[misc]
        row, col = float(row), float(col)
    except (TypeError, ValueError):
        raise TypeError(f"{argument}: expected (row, col) numbers; got {point!r}") from None
    if not (math.isfinite(row) and math.isfinite(col)):
        raise ValueError(f"{argument}: expected finite (row, col); got ({row}, {col})")
    return row, col


def _diameter(diameter: object) -> float:
    value = _finite(diameter, "diameter")
    if value < 1:
        raise ValueError(f"diameter: expected a brush diameter >= 1 pixel; got {value}")
    return value
