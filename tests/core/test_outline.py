import tracemalloc
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from skimage.draw import polygon as skimage_polygon

import seg_widget.core.outline_runs as outline_runs
from seg_widget.core.bbox import BBox
from seg_widget.core.outline import polygon_footprint

SHAPE = (12, 14)


def _painted(vertices_rc, shape=SHAPE) -> np.ndarray:
    """The footprint pasted into a full-size bool image (all False if None)."""
    image = np.zeros(shape, dtype=bool)
    result = polygon_footprint(vertices_rc, shape)
    if result is not None:
        bbox, footprint = result
        image[bbox.slices] = footprint
    return image


def _skimage_painted(vertices_rc, shape) -> np.ndarray:
    """The reference: skimage's pixel-index convention puts pixel (r, c)'s centre at (r, c)."""
    vertices = np.asarray(vertices_rc, dtype=np.float64) - 0.5
    image = np.zeros(shape, dtype=bool)
    rows, cols = skimage_polygon(vertices[:, 0], vertices[:, 1], shape)
    image[rows, cols] = True
    return image


def _on_one_line(vertices_rc) -> bool:
    """Exactly (in rational arithmetic): all vertices on one line, or fewer than 3 distinct."""
    points = [(Fraction(row), Fraction(col)) for row, col in np.asarray(vertices_rc).tolist()]
    first = points[0]
    other = next((p for p in points if p != first), None)
    if other is None:
        return True
    d_row, d_col = other[0] - first[0], other[1] - first[1]
    return all((p[0] - first[0]) * d_col == (p[1] - first[1]) * d_row for p in points)


def _grid(rows: str) -> np.ndarray:
    return np.array([[char == "#" for char in row] for row in rows.split()], dtype=bool)


# --- hand-checked polygons -------------------------------------------------------------


def test_square_with_corners_on_pixel_corners_paints_exactly_its_16_pixels():
    bbox, footprint = polygon_footprint([(2, 3), (2, 7), (6, 7), (6, 3)], SHAPE)
    assert bbox == BBox(2, 6, 3, 7)
    assert footprint.dtype == np.bool_
    assert footprint.all()


def test_vertex_order_and_starting_vertex_do_not_change_the_footprint():
    square = [(2, 3), (2, 7), (6, 7.5), (6.5, 3)]
    expected = _painted(square)
    assert np.array_equal(_painted(square[::-1]), expected)
    assert np.array_equal(_painted(square[2:] + square[:2]), expected)


def test_closing_vertex_repeated_changes_nothing():
    square = [(2, 3), (2, 7), (6, 7.5), (6.5, 3)]
    assert np.array_equal(_painted([*square, square[0]]), _painted(square))


def test_triangle_paints_centres_inside_and_on_its_hypotenuse():
    # Centre (r + .5, c + .5) is inside iff r + c < 3, on the hypotenuse iff r + c == 3.
    bbox, footprint = polygon_footprint([(0, 0), (0, 4), (4, 0)], SHAPE)
    assert bbox == BBox(0, 4, 0, 4)
    expected = _grid(
        """
        ####
        ###.
        ##..
        #...
        """
    )
    np.testing.assert_array_equal(footprint, expected)


def test_triangle_between_centres_paints_only_centres_strictly_inside():
    # Edges on row 0.8, col 1.2 and col = 7.2 - 2 (row - 0.8): no centre lies on them.
    bbox, footprint = polygon_footprint([(0.8, 1.2), (0.8, 7.2), (3.8, 1.2)], SHAPE)
    assert bbox == BBox(1, 4, 1, 6)
    expected = _grid(
        """
        #####
        ###..
        #....
        """
    )
    np.testing.assert_array_equal(footprint, expected)


def test_polygon_through_pixel_centres_paints_its_edge_pixels():
    # A square whose corners are pixel centres: the closed rule paints the 4 x 4 pixels.
    bbox, footprint = polygon_footprint([(1.5, 1.5), (1.5, 4.5), (4.5, 4.5), (4.5, 1.5)], SHAPE)
    assert bbox == BBox(1, 5, 1, 5)
    assert footprint.all()


def test_bow_tie_paints_both_lobes_but_not_the_wedges_between_them():
    # Diagonals col = 1.5 row and col = 6 - 1.5 row cross at (2, 3); no centre lies on them.
    bbox, footprint = polygon_footprint([(0, 0), (4, 6), (0, 6), (4, 0)], SHAPE)
    assert bbox == BBox(0, 4, 0, 6)
    expected = _grid(
        """
        #....#
        ##..##
        ##..##
        #....#
        """
    )
    np.testing.assert_array_equal(footprint, expected)


def test_region_wound_twice_is_a_hole_under_the_even_odd_rule():
    # Outer square, a bridge in, the inner square in the same direction, the bridge back out:
    # the inner square is enclosed twice (winding number 2), so even-odd leaves it empty.
    outer = [(0, 0), (0, 8), (8, 8), (8, 0), (0, 0)]
    inner = [(2, 2), (2, 6), (6, 6), (6, 2), (2, 2)]
    bbox, footprint = polygon_footprint(outer + inner, SHAPE)
    assert bbox == BBox(0, 8, 0, 8)
    expected = np.ones((8, 8), dtype=bool)
    expected[2:6, 2:6] = False
    np.testing.assert_array_equal(footprint, expected)


def test_outline_traced_twice_paints_nothing():
    square = [(2, 3), (2, 7), (6, 7), (6, 3)]
    assert polygon_footprint(square + square, SHAPE) is None


def test_concave_u_shape_leaves_its_notch_empty():
    u_shape = [(0, 0), (6, 0), (6, 6), (0, 6), (0, 4), (4, 4), (4, 2), (0, 2)]
    bbox, footprint = polygon_footprint(u_shape, SHAPE)
    assert bbox == BBox(0, 6, 0, 6)
    expected = _grid(
        """
        ##..##
        ##..##
        ##..##
        ##..##
        ######
        ######
        """
    )
    np.testing.assert_array_equal(footprint, expected)


# --- clipping --------------------------------------------------------------------------


def test_outline_across_the_top_left_corner_is_clipped_to_the_image():
    assert _painted([(-3, -3), (-3, 4), (4, 4), (4, -3)]).sum() == 16
    bbox, footprint = polygon_footprint([(-3, -3), (-3, 4), (4, 4), (4, -3)], SHAPE)
    assert bbox == BBox(0, 4, 0, 4)
    assert footprint.all()


def test_outline_across_the_bottom_right_corner_is_clipped_to_the_image():
    bbox, footprint = polygon_footprint([(9, 11), (9, 20), (20, 20), (20, 11)], SHAPE)
    assert bbox == BBox(9, 12, 11, 14)
    assert footprint.all()


def test_huge_triangle_around_the_image_paints_every_pixel():
    bbox, footprint = polygon_footprint([(-1e6, -1e6), (-1e6, 3e6), (3e6, -1e6)], SHAPE)
    assert bbox == BBox.full(SHAPE)
    assert footprint.all()


def test_outline_entirely_outside_the_image_paints_nothing():
    assert polygon_footprint([(-10, -10), (-10, -2), (-2, -2)], SHAPE) is None
    assert polygon_footprint([(20, 0), (20, 14), (30, 7)], SHAPE) is None


def test_long_edge_from_far_outside_crosses_the_image_where_the_line_does():
    # Edge from (-1000, 0) to (1000, 2000): col = row + 1000, far right of the image, so
    # with the third vertex far left, every row is painted across the whole width.
    bbox, footprint = polygon_footprint([(-1000, 0), (1000, 2000), (1000, -3000)], SHAPE)
    assert bbox == BBox.full(SHAPE)
    assert footprint.all()


def test_empty_image_paints_nothing():
    assert polygon_footprint([(0, 0), (0, 4), (4, 0)], (0, 0)) is None


# --- degenerate outlines ---------------------------------------------------------------


@pytest.mark.parametrize(
    "vertices_rc",
    [
        [],
        [(1.5, 1.5)],
        [(1.5, 1.5), (3.5, 6.5)],
        [(1.5, 1.5), (3.5, 6.5), (1.5, 1.5)],
        [(1.5, 1.5), (1.5, 1.5), (1.5, 1.5), (1.5, 1.5)],
    ],
)
def test_outline_with_fewer_than_three_distinct_points_paints_nothing(vertices_rc):
    assert polygon_footprint(vertices_rc, SHAPE) is None


def test_outline_on_one_line_paints_nothing_even_through_pixel_centres():
    diagonal = [(0.5, 0.5), (4.5, 4.5), (2.5, 2.5)]
    assert _skimage_painted(diagonal, SHAPE).sum() == 3  # the reference paints the vertices
    assert polygon_footprint(diagonal, SHAPE) is None


def test_nearly_collinear_outline_is_not_degenerate():
    # The middle vertex is 1e-9 off the line: a sliver with an interior whose closing edge
    # passes through the 9 centres of the diagonal, so the closed rule paints all of them.
    sliver = [(0.5, 0.5), (4.5, 4.5 + 1e-9), (8.5, 8.5)]
    np.testing.assert_array_equal(
        _painted(sliver), np.eye(*SHAPE, dtype=bool) & (np.arange(14) < 9)
    )


# --- equality with skimage.draw.polygon --------------------------------------------------

coordinates = st.one_of(
    st.floats(-4, 18, allow_nan=False, allow_infinity=False),
    st.integers(-8, 36).map(lambda k: k / 2),  # pixel corners and centres: exact ties
    st.integers(-16, 72).map(lambda k: k / 4),
    # Non-dyadic rationals: crossings computed with rounding land on or next to centres.
    st.sampled_from([3, 5, 7, 10]).flatmap(
        lambda d: st.integers(-4 * d, 18 * d).map(lambda k: k / d)
    ),
)
shapes = st.tuples(st.integers(1, 16), st.integers(1, 16))


@settings(max_examples=300, deadline=None)
@given(
    vertices=st.lists(st.tuples(coordinates, coordinates), min_size=3, max_size=10), shape=shapes
)
def test_polygon_equals_skimage_polygon_shifted_to_pixel_centres(vertices, shape):
    if _on_one_line(vertices):
        assert polygon_footprint(vertices, shape) is None
    else:
        np.testing.assert_array_equal(_painted(vertices, shape), _skimage_painted(vertices, shape))


@st.composite
def freehand_lassos(draw):
    """A random walk of mouse positions, like a freehand lasso (it may cross itself)."""
    start = draw(st.tuples(st.floats(0, 30), st.floats(0, 30)))
    steps = draw(st.lists(st.tuples(st.floats(-2, 2), st.floats(-2, 2)), min_size=20, max_size=200))
    return np.cumsum(np.array([start, *steps]), axis=0)


@settings(max_examples=60, deadline=None)
@given(lasso=freehand_lassos())
def test_freehand_lasso_equals_skimage_polygon(lasso):
    if _on_one_line(lasso):
        assert polygon_footprint(lasso, (30, 30)) is None
    else:
        np.testing.assert_array_equal(_painted(lasso, (30, 30)), _skimage_painted(lasso, (30, 30)))


@pytest.mark.parametrize(
    "vertices_rc",
    [
        # Each found by disabling one of the exact corrections of the rounded crossings.
        [(7.5, -9.5), (25.5, 25.3), (0.3, -11.7)],
        [(9.5, -7.699999999999999), (42.5, 9.1), (15.3, -3.5)],
        [(-8.5, -40.5), (87.5, 67.5), (17.5, -25.5)],
        [(-2.0, 5.1), (13.0, 21.9), (2.0, 3.3)],
    ],
)
def test_rounding_sensitive_crossings_equal_skimage_polygon(vertices_rc):
    np.testing.assert_array_equal(
        _painted(vertices_rc, (40, 40)), _skimage_painted(vertices_rc, (40, 40))
    )


def test_2000_vertex_lasso_equals_skimage_polygon():
    rng = np.random.default_rng(0)
    angles = np.linspace(0, 2 * np.pi, 2000, endpoint=False)
    radii = 70 * (1 + 0.05 * rng.standard_normal(2000))
    lasso = np.c_[80 + radii * np.sin(angles), 75 + radii * np.cos(angles)]
    painted = _painted(lasso, (160, 150))
    np.testing.assert_array_equal(painted, _skimage_painted(lasso, (160, 150)))
    assert 0.5 * np.pi * 70**2 < painted.sum() < 1.5 * np.pi * 70**2


def test_footprint_is_tight_and_contiguous():
    bbox, footprint = polygon_footprint([(1.2, 2.7), (1.4, 9.1), (7.6, 5.3)], SHAPE)
    assert footprint.shape == (bbox.height, bbox.width)
    assert footprint[0].any() and footprint[-1].any()
    assert footprint[:, 0].any() and footprint[:, -1].any()
    assert footprint.flags.c_contiguous


def test_numpy_vertices_are_accepted_like_a_list():
    vertices = [(1.2, 2.7), (1.4, 9.1), (7.6, 5.3)]
    first = polygon_footprint(vertices, SHAPE)
    second = polygon_footprint(np.array(vertices, dtype=np.float32).astype(np.float64), SHAPE)
    assert first[0] == second[0]
    np.testing.assert_array_equal(first[1], second[1])


# --- errors ------------------------------------------------------------------------------


def test_nan_vertex_is_rejected():
    with pytest.raises(
        ValueError, match=r"^vertices_rc: expected finite coordinates; got \(1\.0, nan\)$"
    ):
        polygon_footprint([(0, 0), (1, float("nan")), (2, 2)], SHAPE)


def test_infinite_vertex_is_rejected():
    with pytest.raises(ValueError, match=r"^vertices_rc: expected finite coordinates"):
        polygon_footprint([(0, 0), (float("inf"), 1), (2, 2)], SHAPE)


def test_astronomically_distant_vertex_is_rejected():
    with pytest.raises(ValueError, match=r"^vertices_rc: expected coordinates within ±2\*\*31"):
        polygon_footprint([(0, 0), (1e12, 1), (2, 2)], SHAPE)


@pytest.mark.parametrize(
    ("vertices_rc", "got"),
    [
        ([(0, 0, 0), (1, 1, 1), (2, 0, 1)], r"shape \(3, 3\)"),
        ([0.0, 1.0, 2.0], r"shape \(3,\)"),
        ([(0, 0), (1, 1), (2,)], r"\[\(0, 0\), \(1, 1\), \(2,\)\]"),
    ],
)
def test_vertices_of_the_wrong_shape_are_rejected(vertices_rc, got):
    with pytest.raises(
        ValueError,
        match=rf"^vertices_rc: expected an \(N, 2\) array of \(row, col\) points; got {got}$",
    ):
        polygon_footprint(vertices_rc, SHAPE)


def test_non_numeric_vertices_are_rejected():
    with pytest.raises(
        TypeError, match=r"^vertices_rc: expected \(row, col\) numbers; got dtype <U1$"
    ):
        polygon_footprint([("a", "b"), ("c", "d"), ("e", "f")], SHAPE)


def test_invalid_shape_is_rejected():
    with pytest.raises(ValueError, match=r"^shape: expected \(height, width\); got 5$"):
        polygon_footprint([(0, 0), (0, 4), (4, 0)], 5)


# --- bounds: bands of rows, outlines finer than the pixel grid ------------------------------


@settings(max_examples=60, deadline=None)
@given(lasso=freehand_lassos())
def test_rows_in_bands_paint_exactly_what_one_band_paints(lasso):
    whole = _painted(lasso, (32, 32))
    patch = pytest.MonkeyPatch()
    with patch.context() as patch:
        patch.setattr(outline_runs, "BAND_CROSSINGS", 3)  # a band of a row or two
        banded = _painted(lasso, (32, 32))
    np.testing.assert_array_equal(banded, whole)


def _zigzag(n_vertices: int, size: int) -> np.ndarray:
    """Vertices alternating between the top and bottom rows, across the columns."""
    cols = np.linspace(0.5, size - 0.5, n_vertices)
    rows = np.where(np.arange(n_vertices) % 2 == 0, 0.5, size - 0.5)
    return np.column_stack([rows, cols])


def _peak_bytes(action) -> int:
    tracemalloc.start()
    try:
        action()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_an_outline_of_a_hundred_thousand_zigzag_vertices_is_refused_cheaply():
    vertices = _zigzag(100_000, 4096)

    def refused():
        with pytest.raises(
            ValueError,
            match=r"^vertices_rc: expected an outline crossing the pixel rows of its box at "
            r"most once per pixel of the box \(16777216\); got 409600000 crossings from 100000 "
            r"vertices \(simplify the outline\)$",
        ):
            polygon_footprint(vertices, (4096, 4096))

    assert _peak_bytes(refused) < 64 * 2**20  # O(vertices + rows), not O(crossings)


def test_a_million_random_points_are_refused_without_gigabytes():
    points = np.random.default_rng(0).uniform(0, 1024, (1_000_000, 2))

    def refused():
        with pytest.raises(ValueError, match=r"^vertices_rc: expected an outline crossing"):
            polygon_footprint(points, (1024, 1024))

    assert _peak_bytes(refused) < 256 * 2**20


def test_a_zigzag_within_the_bound_is_rasterised_in_bounded_memory():
    vertices = _zigzag(2_000, 1024)  # ~2e6 crossings over a 1024² box: in bands
    painted = _painted(vertices, (1024, 1024))
    np.testing.assert_array_equal(painted, _skimage_painted(vertices, (1024, 1024)))
    assert _peak_bytes(lambda: polygon_footprint(vertices, (1024, 1024))) < 400 * 2**20
