import itertools
import math
import tracemalloc
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from skimage.measure import label as connected_components

import seg_widget.core.raster as raster_module
from seg_widget.core import BBox, brush_footprint, brush_pieces, pixel_center

SHAPE = (20, 30)


def _painted(start_rc, end_rc, diameter, shape=SHAPE) -> np.ndarray:
    """The footprint pasted into a full-size bool image (all False if None)."""
    image = np.zeros(shape, dtype=bool)
    result = brush_footprint(start_rc, end_rc, diameter, shape)
    if result is not None:
        bbox, footprint = result
        image[bbox.slices] = footprint
    return image


def _pixels(image: np.ndarray) -> set[tuple[int, int]]:
    return {(int(r), int(c)) for r, c in zip(*np.nonzero(image), strict=True)}


def test_pixel_center_is_the_centre_of_the_containing_pixel():
    assert pixel_center(3.0, 7.99) == (3.5, 7.5)
    assert pixel_center(-0.25, 0.0) == (-0.5, 0.5)


def test_pixel_center_rejects_nan():
    with pytest.raises(ValueError, match=r"^col: expected a finite number; got nan$"):
        pixel_center(float("nan"), 1.0)


def test_diameter_1_at_a_pixel_centre_is_that_pixel():
    assert brush_footprint((5.5, 7.5), (5.5, 7.5), 1, SHAPE) == (
        BBox(5, 6, 7, 8),
        np.ones((1, 1), bool),
    )


def test_diameter_2_at_a_pixel_centre_is_a_plus_of_5_pixels():
    bbox, footprint = brush_footprint((5.5, 7.5), (5.5, 7.5), 2, SHAPE)
    assert bbox == BBox(4, 7, 6, 9)
    np.testing.assert_array_equal(footprint, [[0, 1, 0], [1, 1, 1], [0, 1, 0]])


def test_diameter_3_at_a_pixel_centre_is_a_3x3_square():
    bbox, footprint = brush_footprint((5.5, 7.5), (5.5, 7.5), 3, SHAPE)
    assert bbox == BBox(4, 7, 6, 9)
    np.testing.assert_array_equal(footprint, np.ones((3, 3), bool))


def test_horizontal_segment_of_diameter_3_is_a_3_by_10_rectangle():
    # The end disks are 3x3 squares (corner centres are sqrt(2) < 1.5 from the end point), so
    # sweeping them from column 2 to column 9 paints rows 4..6 x columns 1..10 entirely.
    bbox, footprint = brush_footprint((5.5, 2.5), (5.5, 9.5), 3, SHAPE)
    assert bbox == BBox(4, 7, 1, 11)
    np.testing.assert_array_equal(footprint, np.ones((3, 10), bool))


def test_horizontal_segment_of_diameter_2_misses_the_four_corners():
    # Corner centres are sqrt(2) > 1 from the end points.
    bbox, footprint = brush_footprint((5.5, 2.5), (5.5, 9.5), 2, SHAPE)
    assert bbox == BBox(4, 7, 1, 11)
    expected = np.ones((3, 10), bool)
    expected[[0, 0, 2, 2], [0, 9, 0, 9]] = False
    np.testing.assert_array_equal(footprint, expected)


def test_footprint_is_clipped_at_the_top_left_corner():
    bbox, footprint = brush_footprint((0.5, 0.5), (0.5, 0.5), 5, SHAPE)
    assert bbox == BBox(0, 3, 0, 3)
    # Disk of radius 2.5 centred on pixel (0, 0): (2, 2) is sqrt(8) > 2.5 away.
    np.testing.assert_array_equal(footprint, [[1, 1, 1], [1, 1, 1], [1, 1, 0]])


def test_footprint_is_clipped_at_the_bottom_right_corner():
    bbox, footprint = brush_footprint((19.5, 29.5), (25.0, 40.0), 3, SHAPE)
    assert bbox == BBox(18, 20, 28, 30)
    np.testing.assert_array_equal(footprint, np.ones((2, 2), bool))


def test_footprint_entirely_outside_the_image_is_none():
    assert brush_footprint((-10.0, 5.0), (-3.0, 25.0), 4, SHAPE) is None
    assert brush_footprint((5.5, 31.6), (5.5, 31.6), 3, SHAPE) is None


def test_segment_crossing_the_image_from_outside_paints_inside():
    painted = _painted((-5.0, 10.5), (30.0, 10.5), 1)
    assert _pixels(painted) == {(r, 10) for r in range(20)}


def test_footprint_array_is_bool_and_matches_the_bbox_shape():
    bbox, footprint = brush_footprint((3.2, 4.7), (9.9, 12.1), 4.5, SHAPE)
    assert footprint.dtype == np.bool_
    assert footprint.shape == (bbox.height, bbox.width)


def test_bbox_is_tight_around_the_footprint():
    _, footprint = brush_footprint((3.2, 4.7), (9.9, 12.1), 4.5, SHAPE)
    assert footprint[0].any() and footprint[-1].any()
    assert footprint[:, 0].any() and footprint[:, -1].any()


@pytest.mark.parametrize("diameter", [1.5, 2, 3, 12])
def test_fast_diagonal_move_paints_every_pixel_the_centre_line_crosses(diameter):
    start, end = np.array([1.5, 2.5]), np.array([18.5, 27.5])
    samples = start + np.linspace(0, 1, 20001)[:, np.newaxis] * (end - start)
    crossed = {(int(r), int(c)) for r, c in np.floor(samples)}
    assert crossed <= _pixels(_painted(tuple(start), tuple(end), diameter))


def test_fast_diagonal_move_of_diameter_1_is_8_connected():
    painted = _painted((1.5, 2.5), (18.5, 27.5), 1)
    assert connected_components(painted, connectivity=2).max() == 1


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        (
            {"diameter": 0.5},
            ValueError,
            r"^diameter: expected a brush diameter >= 1 pixel; got 0.5$",
        ),
        ({"diameter": float("inf")}, ValueError, r"^diameter: expected a finite number; got inf$"),
        ({"diameter": "3"}, TypeError, r"^diameter: expected a number; got str$"),
        (
            {"start_rc": (float("nan"), 1.0)},
            ValueError,
            r"^start_rc: expected finite \(row, col\); got \(nan, 1.0\)$",
        ),
        ({"end_rc": (1.0, float("inf"))}, ValueError, r"^end_rc: expected finite \(row, col\)"),
        ({"end_rc": (1.0,)}, TypeError, r"^end_rc: expected \(row, col\) numbers; got \(1.0,\)$"),
        ({"start_rc": "12"}, TypeError, r"^start_rc: expected \(row, col\) numbers; got str$"),
        ({"shape": (10,)}, ValueError, r"^shape: expected \(height, width\); got \(10,\)$"),
    ],
)
def test_invalid_arguments_are_reported_by_name(kwargs, error, message):
    arguments = {"start_rc": (1.5, 1.5), "end_rc": (2.5, 2.5), "diameter": 3, "shape": SHAPE}
    with pytest.raises(error, match=message):
        brush_footprint(**{**arguments, **kwargs})


def _reference_distance(pixel_rc, start_rc, end_rc) -> float:
    """Distance from the pixel's centre to the segment, one pixel at a time, in floats."""
    py, px = pixel_rc[0] + 0.5, pixel_rc[1] + 0.5
    (ay, ax), (by, bx) = start_rc, end_rc
    dy, dx = by - ay, bx - ax
    length_squared = dy * dy + dx * dx
    t = 0.0 if length_squared == 0 else ((py - ay) * dy + (px - ax) * dx) / length_squared
    t = min(max(t, 0.0), 1.0)
    return math.hypot(py - (ay + t * dy), px - (ax + t * dx))


def _exact_distance_squared(pixel_rc, start_rc, end_rc) -> Fraction:
    """Squared distance from the pixel's centre to the segment, in exact rational arithmetic."""
    py, px = (Fraction(v) + Fraction(1, 2) for v in pixel_rc)
    ay, ax = (Fraction(v) for v in start_rc)
    by, bx = (Fraction(v) for v in end_rc)
    dy, dx = by - ay, bx - ax
    length_squared = dy * dy + dx * dx
    t = Fraction(0) if length_squared == 0 else ((py - ay) * dy + (px - ax) * dx) / length_squared
    t = min(max(t, Fraction(0)), Fraction(1))
    return (py - ay - t * dy) ** 2 + (px - ax - t * dx) ** 2


coordinates = st.floats(-6, 36, allow_nan=False).map(lambda v: round(v * 4) / 4) | st.floats(-6, 36)
points = st.tuples(coordinates, coordinates)


@settings(max_examples=150, deadline=None)
@given(start=points, end=points, diameter=st.floats(1, 9) | st.sampled_from([1, 2, 3, 4, 5]))
def test_footprint_matches_a_per_pixel_distance_reference(start, end, diameter):
    painted = _painted(start, end, diameter)
    for r in range(SHAPE[0]):
        for c in range(SHAPE[1]):
            distance = _reference_distance((r, c), start, end)
            if abs(distance - diameter / 2) < 1e-6:
                continue  # within rounding of the edge: the 1e-9 tolerance decides
            assert painted[r, c] == (distance <= diameter / 2), (r, c)


@settings(max_examples=60, deadline=None)
@given(start=points, end=points, diameter=st.sampled_from([1, 2, 3, 4, 5, 7]))
def test_pixel_centred_footprints_include_centres_exactly_on_the_edge(start, end, diameter):
    start, end = pixel_center(start[1], start[0])[::-1], pixel_center(end[1], end[0])[::-1]
    painted = _painted(start, end, diameter)
    radius_squared = Fraction(diameter) ** 2 / 4
    for r in range(SHAPE[0]):
        for c in range(SHAPE[1]):
            distance = _reference_distance((r, c), start, end)
            if abs(distance - diameter / 2) < 1e-6:
                # On (or within rounding of) the edge: decide exactly; "on" means inside.
                inside = _exact_distance_squared((r, c), start, end) <= radius_squared
            else:
                inside = distance <= diameter / 2
            assert painted[r, c] == inside, (r, c)


@pytest.mark.parametrize(
    ("start", "end", "diameter"),
    [
        ((13.5, 21.5), (19.5, 13.5), 2),
        ((18.5, 25.5), (30.5, 34.5), 2),
        ((5.5, 23.5), (25.5, 2.5), 6),
    ],
)
def test_centres_exactly_on_the_edge_of_a_slanted_stroke_are_inside(start, end, diameter):
    # 3-4-5 directions put some centres exactly diameter / 2 from the segment, where the
    # float arithmetic rounds either way; the tolerance must include them.
    shape = (40, 40)
    painted = _painted(start, end, diameter, shape)
    radius_squared = Fraction(diameter) ** 2 / 4
    distances = {
        (r, c): _exact_distance_squared((r, c), start, end) for r in range(40) for c in range(40)
    }
    assert any(d == radius_squared for d in distances.values())
    assert _pixels(painted) == {p for p, d in distances.items() if d <= radius_squared}


# --- long segments: pieces of small boxes -------------------------------------------------


def _pasted(pieces, shape) -> np.ndarray:
    """Paste pieces into a count image: 1 where exactly one piece paints, 2+ on overlaps."""
    image = np.zeros(shape, dtype=np.int64)
    for bbox, footprint in pieces:
        assert footprint.shape == (bbox.height, bbox.width)
        assert footprint[0].any() and footprint[-1].any()  # tight boxes
        assert footprint[:, 0].any() and footprint[:, -1].any()
        image[bbox.slices] += footprint
    return image


@settings(max_examples=150, deadline=None)
@given(start=points, end=points, diameter=st.floats(1, 9) | st.sampled_from([1, 2, 3]))
def test_pieces_paint_the_same_pixels_as_one_box_and_never_overlap(start, end, diameter):
    patch = pytest.MonkeyPatch()
    with patch.context() as patch:
        # Force pieces even on this small image: every band is 2 pixels thick.
        patch.setattr(raster_module, "_MAX_PIECE_AREA", 0)
        patch.setattr(raster_module, "_MIN_BAND", 2)
        pieces = brush_pieces(start, end, diameter, SHAPE)
    counts = _pasted(pieces, SHAPE)
    assert counts.max(initial=0) <= 1
    np.testing.assert_array_equal(counts.astype(bool), _painted(start, end, diameter))


def test_a_diagonal_flick_across_a_huge_image_costs_its_length_not_its_box():
    shape = (8192, 8192)
    tracemalloc.start()
    try:
        pieces = brush_pieces((0.5, 0.5), (8191.5, 8191.5), 1, shape)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert sum(int(footprint.sum()) for _, footprint in pieces) == 8192
    assert max(bbox.area for bbox, _ in pieces) <= 64 * 64
    assert peak < 2 * 2**20  # the bounding box alone would be 64 MiB of bool, 1.5 GiB of float


def test_brush_footprint_of_a_long_segment_allocates_no_float_box():
    tracemalloc.start()
    try:
        bbox, footprint = brush_footprint((0.5, 0.5), (2999.5, 1999.5), 3, (3000, 2000))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert bbox == BBox(0, 3000, 0, 2000)
    assert footprint[0, 0] and footprint[-1, -1] and not footprint[0, -1]
    assert peak < 2 * bbox.area  # the bool box and the pieces: no float64 arrays of the box


# --- polylines: a run of pen moves rasterised together ------------------------------------

# Pixel-centred points as the pen snaps them, and arbitrary ones (off-centre, outside).
polyline_points = st.lists(
    st.tuples(st.integers(-3, 22), st.integers(-3, 32)).map(lambda p: (p[0] + 0.5, p[1] + 0.5))
    | points,
    min_size=1,
    max_size=12,
)


@settings(max_examples=200, deadline=None)
@given(path=polyline_points, diameter=st.floats(1, 9) | st.sampled_from([1, 2, 3, 21]))
def test_a_polyline_paints_exactly_the_union_of_its_segments(path, diameter):
    expected = np.zeros(SHAPE, dtype=bool)
    for start, end in itertools.pairwise(path) if len(path) > 1 else [path * 2]:
        expected |= _painted(start, end, diameter)
    pieces = raster_module.polyline_pieces(path, diameter, SHAPE)
    painted = _pasted(pieces, SHAPE).astype(bool)
    np.testing.assert_array_equal(painted, expected)


def test_a_run_of_short_moves_is_one_piece_and_a_long_move_stays_in_bands():
    short = [(100.5, 100.5 + 2 * i) for i in range(16)]
    ((box, footprint),) = raster_module.polyline_pieces(short, 21, (1000, 1000))
    assert box == BBox(90, 111, 90, 141)
    assert int(footprint.sum()) == int(
        _pasted(brush_pieces(short[0], short[-1], 21, (1000,) * 2), (1000, 1000)).sum()
    )
    flick = [(0.5, 0.5), (999.5, 999.5)]
    pieces = raster_module.polyline_pieces(flick, 1, (1000, 1000))
    assert len(pieces) == len(brush_pieces(*flick, 1, (1000, 1000))) > 1
    assert max(bbox.area for bbox, _ in pieces) <= 64 * 64


def test_polyline_arguments_are_reported_by_name():
    with pytest.raises(TypeError, match="points_rc"):
        raster_module.polyline_pieces([(1.0, "a")], 3, SHAPE)
    with pytest.raises(ValueError, match="diameter"):
        raster_module.polyline_pieces([(1.0, 1.0)], 0.5, SHAPE)
    assert raster_module.polyline_pieces([], 3, SHAPE) == []


centred = st.tuples(st.integers(-25, 45), st.integers(-25, 55)).map(
    lambda p: (p[0] + 0.5, p[1] + 0.5)
)


@settings(max_examples=300, deadline=None)
@given(start=centred, end=centred, diameter=st.floats(1, 30) | st.sampled_from([1, 2, 3, 21]))
def test_a_cached_stamp_paints_what_the_distance_test_paints(start, end, diameter):
    """Pen moves between pixel centres come from cached stamps: the same pieces, exactly."""
    stamped = brush_pieces(start, end, diameter, SHAPE)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(raster_module, "_centred_piece", lambda *args: False)
        computed = brush_pieces(start, end, diameter, SHAPE)
    assert [box for box, _ in stamped] == [box for box, _ in computed]
    for (_, ours), (_, theirs) in zip(stamped, computed, strict=True):
        np.testing.assert_array_equal(ours, theirs)
        assert ours.flags.writeable  # a copy: the caller may change it


def test_stamps_are_shared_read_only_only_when_asked():
    ((_, shared),) = brush_pieces((10.5, 10.5), (10.5, 12.5), 5, SHAPE, copy=False)
    ((_, again),) = brush_pieces((3.5, 20.5), (3.5, 22.5), 5, SHAPE, copy=False)
    assert not shared.flags.writeable and again is shared  # the same offset: one stamp
    ((_, own),) = brush_pieces((10.5, 10.5), (10.5, 12.5), 5, SHAPE)
    own[...] = False  # the caller's copy; the stamp is untouched
    assert shared.any()
