import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from seg_widget.core.bbox import BBox
from seg_widget.render.viewport import Viewport

sizes = st.integers(1, 5000)
zoom_factors = st.floats(0.05, 20.0)
pans = st.floats(-5000.0, 5000.0)


def _visible_extent(start: float, extent: float, canvas: float) -> float:
    """Length of [start, start + extent] inside [0, canvas]."""
    return max(0.0, min(start + extent, canvas) - max(start, 0.0))


def _moved(viewport: Viewport, factor: float, anchor_xy, dx: float, dy: float) -> Viewport:
    viewport.zoom_by(factor, anchor_xy)
    viewport.pan_by(dx, dy)
    return viewport


# ------------------------------------------------------------------------------- fit and zoom


def test_starts_fitted_and_centred():
    viewport = Viewport((100, 200), (300, 400))
    assert viewport.zoom == viewport.fit_zoom == 1.5
    assert (viewport.offset_x, viewport.offset_y) == (0.0, 125.0)
    assert viewport.image_to_canvas(100.0, 50.0) == (150.0, 200.0)


def test_zoom_limits():
    viewport = Viewport((100, 200), (400, 400), max_zoom=32.0)
    assert viewport.fit_zoom == 2.0
    assert viewport.min_zoom == 0.5
    assert viewport.max_zoom == 32.0


def test_min_zoom_is_never_above_one():
    assert Viewport((10, 10), (1000, 1000)).min_zoom == 1.0


def test_max_zoom_is_raised_to_fit_a_tiny_image():
    viewport = Viewport((2, 2), (800, 800), max_zoom=64.0)
    assert viewport.zoom == viewport.max_zoom == 400.0


@given(
    image_shape=st.tuples(sizes, sizes),
    canvas_size=st.tuples(sizes, sizes),
    factor=zoom_factors,
    dx=pans,
    dy=pans,
)
def test_fit_restores_a_centred_fitted_view(image_shape, canvas_size, factor, dx, dy):
    viewport = _moved(Viewport(image_shape, canvas_size), factor, None, dx, dy)
    viewport.fit()
    height, width = image_shape
    assert viewport.zoom == min(canvas_size[0] / width, canvas_size[1] / height)
    centre = viewport.image_to_canvas(width / 2, height / 2)
    assert centre == pytest.approx((canvas_size[0] / 2, canvas_size[1] / 2), abs=1e-9)


def test_set_zoom_clamps_to_the_zoom_range():
    viewport = Viewport((100, 100), (100, 100), max_zoom=8.0)
    viewport.set_zoom(1000.0)
    assert viewport.zoom == 8.0
    viewport.set_zoom(1e-6)
    assert viewport.zoom == 0.25


@given(
    zoom=st.floats(0.5, 64.0),
    anchor_xy=st.tuples(st.floats(0.0, 800.0), st.floats(100.0, 500.0)),
)
def test_zoom_keeps_the_image_point_under_the_anchor(zoom, anchor_xy):
    # The fitted 300x800 image covers the canvas rows 100..500 where every anchor lies, so
    # the image stays inside the clamping margin and the offset is not adjusted.
    viewport = Viewport((300, 600), (800, 600))
    before = viewport.canvas_to_image(*anchor_xy)
    viewport.set_zoom(zoom, anchor_xy)
    assert viewport.zoom == zoom
    assert viewport.canvas_to_image(*anchor_xy) == pytest.approx(before, rel=1e-9, abs=1e-9)


def test_zoom_defaults_to_the_canvas_centre():
    viewport = Viewport((300, 600), (800, 600))
    before = viewport.canvas_to_image(400.0, 300.0)
    viewport.zoom_by(3.0)
    assert viewport.zoom == pytest.approx(4.0)
    assert viewport.canvas_to_image(400.0, 300.0) == pytest.approx(before)


def test_zoom_by_multiplies_the_zoom():
    viewport = Viewport((100, 100), (100, 100))
    viewport.zoom_by(2.5, (10.0, 10.0))
    assert viewport.zoom == 2.5


# ------------------------------------------------------------------------------- coordinates


@given(
    image_shape=st.tuples(sizes, sizes),
    canvas_size=st.tuples(sizes, sizes),
    factor=zoom_factors,
    dx=pans,
    dy=pans,
    point=st.tuples(st.floats(-1e4, 1e4), st.floats(-1e4, 1e4)),
)
def test_canvas_image_round_trip(image_shape, canvas_size, factor, dx, dy, point):
    viewport = _moved(Viewport(image_shape, canvas_size), factor, (3.0, 7.0), dx, dy)
    image_point = viewport.canvas_to_image(*point)
    assert viewport.image_to_canvas(*image_point) == pytest.approx(point, rel=1e-9, abs=1e-6)
    canvas_point = viewport.image_to_canvas(*point)
    assert viewport.canvas_to_image(*canvas_point) == pytest.approx(point, rel=1e-9, abs=1e-6)


def test_pixel_corners_map_to_zoom_and_offset():
    viewport = Viewport((10, 10), (100, 100))  # zoom 10, offset 0
    viewport.pan_by(5.0, -3.0)
    assert viewport.image_to_canvas(2.0, 1.0) == (25.0, 7.0)
    assert viewport.canvas_to_image(25.0, 7.0) == (2.0, 1.0)


@given(factor=zoom_factors, dx=pans, dy=pans, col=st.floats(-100, 100), row=st.floats(-100, 100))
def test_transform_matches_image_to_canvas(factor, dx, dy, col, row):
    viewport = _moved(Viewport((50, 70), (300, 200)), factor, None, dx, dy)
    a, b, c, d, e, f = viewport.transform()
    assert (b, c) == (0.0, 0.0) and a == d == viewport.zoom
    assert viewport.image_to_canvas(col, row) == pytest.approx((a * col + e, d * row + f))


# ----------------------------------------------------------------------------------- clamping


@given(
    image_shape=st.tuples(sizes, sizes),
    canvas_size=st.tuples(sizes, sizes),
    moves=st.lists(st.tuples(zoom_factors, pans, pans), min_size=1, max_size=5),
)
def test_the_image_never_leaves_the_canvas(image_shape, canvas_size, moves):
    viewport = Viewport(image_shape, canvas_size)
    for factor, dx, dy in moves:
        _moved(viewport, factor, (dx % canvas_size[0], dy % canvas_size[1]), dx * 100, dy * 100)
        for offset, image_px, canvas_px in (
            (viewport.offset_x, image_shape[1], canvas_size[0]),
            (viewport.offset_y, image_shape[0], canvas_size[1]),
        ):
            extent = image_px * viewport.zoom
            needed = min(64.0, canvas_px / 2, extent)
            assert _visible_extent(offset, extent, canvas_px) >= needed - 1e-6


def test_panning_far_right_leaves_64_pixels_visible():
    viewport = Viewport((1000, 1000), (500, 500))
    viewport.pan_by(1e6, 0.0)
    assert viewport.offset_x == 500 - 64
    assert viewport.offset_y == 0.0


def test_panning_far_up_leaves_64_pixels_visible():
    viewport = Viewport((1000, 1000), (500, 500))
    viewport.pan_by(0.0, -1e6)
    assert viewport.offset_y == 64 - 500


def test_small_canvas_keeps_half_of_it_covered():
    viewport = Viewport((1000, 1000), (100, 100))
    viewport.pan_by(1e6, 1e6)
    assert (viewport.offset_x, viewport.offset_y) == (50.0, 50.0)


def test_zooming_out_about_a_corner_keeps_the_image_visible():
    viewport = Viewport((1000, 1000), (500, 500))
    viewport.set_zoom(viewport.min_zoom, anchor_xy=(500.0, 500.0))
    extent = 1000 * viewport.zoom
    assert _visible_extent(viewport.offset_x, extent, 500) >= 64


# ---------------------------------------------------------------------------------- resize


def test_resize_keeps_the_centre_image_point():
    viewport = Viewport((1000, 1000), (500, 500))
    viewport.zoom_by(4.0, (100.0, 100.0))
    before = viewport.canvas_to_image(250.0, 250.0)
    viewport.resize((800, 300))
    assert viewport.canvas_size == (800, 300)
    assert viewport.canvas_to_image(400.0, 150.0) == pytest.approx(before)


def test_resize_raises_zoom_to_the_new_minimum():
    viewport = Viewport((1000, 1000), (100, 100))
    viewport.set_zoom(viewport.min_zoom)  # 0.025
    viewport.resize((2000, 2000))  # min_zoom becomes 0.5
    assert viewport.zoom == 0.5


# -------------------------------------------------------------------------------- canvas_rect


@given(
    factor=zoom_factors,
    dx=pans,
    dy=pans,
    rows=st.tuples(st.integers(0, 100), st.integers(1, 100)),
    cols=st.tuples(st.integers(0, 150), st.integers(1, 150)),
)
def test_canvas_rect_contains_the_exact_pixel_rectangle(factor, dx, dy, rows, cols):
    viewport = _moved(Viewport((100, 150), (320, 240)), factor, (10.0, 20.0), dx, dy)
    bbox = BBox(rows[0], rows[0] + rows[1], cols[0], cols[0] + cols[1])
    left, top = viewport.image_to_canvas(bbox.col0, bbox.row0)
    right, bottom = viewport.image_to_canvas(bbox.col1, bbox.row1)
    # The exact rectangle clipped to the canvas, and whether anything of it is visible.
    exact = (max(left, 0), max(top, 0), min(right, 320), min(bottom, 240))
    rect = viewport.canvas_rect(bbox)
    if exact[2] <= exact[0] or exact[3] <= exact[1]:
        # Off-screen; only the 1-px safety margin may still touch the canvas edge.
        assert rect is None or rect[2] <= 2 or rect[3] <= 2
        return
    assert rect is not None
    x, y, w, h = rect
    assert all(isinstance(v, int) for v in rect)
    assert 0 <= x <= exact[0] and 0 <= y <= exact[1]
    assert exact[2] <= x + w <= 320 and exact[3] <= y + h <= 240
    # Outward rounding plus the 1-px margin: never more than 2 px beyond the exact edges.
    assert x >= left - 2 and y >= top - 2 and x + w <= right + 2 and y + h <= bottom + 2


def test_canvas_rect_of_a_pixel_at_integer_zoom():
    viewport = Viewport((10, 10), (100, 100))  # zoom 10, offset 0
    assert viewport.canvas_rect(BBox(2, 3, 4, 6)) == (39, 19, 22, 12)


def test_canvas_rect_is_clipped_to_the_canvas():
    viewport = Viewport((10, 10), (100, 100))
    assert viewport.canvas_rect(BBox(0, 10, 0, 10)) == (0, 0, 100, 100)


def test_canvas_rect_of_an_empty_bbox_is_none():
    viewport = Viewport((10, 10), (100, 100))
    assert viewport.canvas_rect(BBox(3, 3, 0, 5)) is None
    assert viewport.canvas_rect(BBox(0, 5, 4, 2)) is None


def test_canvas_rect_off_screen_is_none():
    viewport = Viewport((1000, 1000), (100, 100))
    viewport.set_zoom(10.0, (0.0, 0.0))  # canvas shows image pixels [0, 10)
    assert viewport.canvas_rect(BBox(500, 510, 500, 510)) is None


# ------------------------------------------------------------------------------- visible_bbox


def test_fitted_view_shows_the_whole_image():
    assert Viewport((100, 200), (400, 400)).visible_bbox() == BBox(0, 100, 0, 200)


def test_zoomed_view_shows_the_pixels_in_the_canvas():
    viewport = Viewport((100, 200), (400, 400))
    viewport.set_zoom(8.0)
    assert viewport.visible_bbox() == BBox(25, 75, 75, 125)


def test_partly_visible_pixels_are_included():
    viewport = Viewport((100, 100), (100, 100))
    viewport.set_zoom(10.0, (0.0, 0.0))
    viewport.pan_by(-5.0, -5.0)  # pixel 0 is half visible, pixel 10 half visible
    assert viewport.visible_bbox() == BBox(0, 11, 0, 11)


@given(factor=zoom_factors, dx=pans, dy=pans)
def test_visible_bbox_holds_exactly_the_pixels_overlapping_the_canvas(factor, dx, dy):
    viewport = _moved(Viewport((40, 60), (200, 150)), factor, (30.0, 40.0), dx, dy)
    box = viewport.visible_bbox()
    zoom, ox, oy = viewport.zoom, viewport.offset_x, viewport.offset_y

    def col_visible(col):
        return 0 <= col < 60 and col * zoom + ox < 200 and (col + 1) * zoom + ox > 0

    def row_visible(row):
        return 0 <= row < 40 and row * zoom + oy < 150 and (row + 1) * zoom + oy > 0

    assert [c for c in range(-1, 62) if col_visible(c)] == list(range(box.col0, box.col1))
    assert [r for r in range(-1, 42) if row_visible(r)] == list(range(box.row0, box.row1))


# --------------------------------------------------------------------------------- validation


@pytest.mark.parametrize(
    ("args", "error", "message"),
    [
        (((0, 10), (10, 10)), ValueError, "image_shape: expected"),
        (((10, 10), (10, -1)), ValueError, "canvas_size: expected"),
        (((10, 10.5), (10, 10)), ValueError, "image_shape: expected"),
        (((10,), (10, 10)), TypeError, "image_shape: expected"),
        (((10, 10), "ab"), TypeError, "canvas_size: expected"),
    ],
)
def test_invalid_sizes_are_rejected(args, error, message):
    with pytest.raises(error, match=message):
        Viewport(*args)


@pytest.mark.parametrize("max_zoom", [0.0, -2.0, math.inf, math.nan])
def test_invalid_max_zoom_is_rejected(max_zoom):
    with pytest.raises(ValueError, match="max_zoom: expected a finite positive number"):
        Viewport((10, 10), (10, 10), max_zoom=max_zoom)


@pytest.mark.parametrize("zoom", [0.0, -1.0, math.inf, math.nan])
def test_invalid_zoom_is_rejected(zoom):
    with pytest.raises(ValueError, match="zoom: expected a finite positive number"):
        Viewport((10, 10), (10, 10)).set_zoom(zoom)


@pytest.mark.parametrize("factor", [0.0, math.inf, math.nan])
def test_invalid_zoom_factor_is_rejected(factor):
    with pytest.raises(ValueError, match="factor: expected a finite positive number"):
        Viewport((10, 10), (10, 10)).zoom_by(factor)


def test_non_numeric_zoom_is_a_type_error():
    with pytest.raises(TypeError, match="zoom: expected a finite positive number, got str"):
        Viewport((10, 10), (10, 10)).set_zoom("2")


def test_invalid_anchor_is_rejected():
    with pytest.raises(ValueError, match="anchor_xy: expected an"):
        Viewport((10, 10), (10, 10)).set_zoom(2.0, (math.nan, 0.0))


def test_non_finite_pan_is_rejected():
    viewport = Viewport((10, 10), (10, 10))
    with pytest.raises(ValueError, match="expected an"):
        viewport.pan_by(math.inf, 0.0)
    assert (viewport.offset_x, viewport.offset_y) == (0.0, 0.0)


def test_invalid_resize_is_rejected():
    viewport = Viewport((10, 10), (10, 10))
    with pytest.raises(ValueError, match="canvas_size: expected"):
        viewport.resize((0, 10))
    assert viewport.canvas_size == (10, 10)
