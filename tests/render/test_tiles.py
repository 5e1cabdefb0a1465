import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from seg_widget.core.bbox import BBox
from seg_widget.render.tiles import TileGrid, TileKey, sample_indices
from seg_widget.render.viewport import Viewport

shapes = st.tuples(st.integers(1, 700), st.integers(1, 700))


def _boxes(shape):
    height, width = shape
    return st.tuples(
        st.integers(-5, height + 5),
        st.integers(-5, height + 5),
        st.integers(-5, width + 5),
        st.integers(-5, width + 5),
    ).map(lambda b: BBox(min(b[0], b[1]), max(b[0], b[1]), min(b[2], b[3]), max(b[2], b[3])))


# ---------------------------------------------------------------------------- levels


@given(shapes)
def test_each_level_halves_the_previous_rounding_up_down_to_one_pixel(shape):
    grid = TileGrid(shape, tile_size=16)
    assert grid.level_shape(0) == shape
    for level in range(1, grid.level_count):
        previous = grid.level_shape(level - 1)
        assert grid.level_shape(level) == (math.ceil(previous[0] / 2), math.ceil(previous[1] / 2))
    assert grid.level_shape(grid.level_count - 1) == (1, 1)
    assert grid.level_count == 1 or grid.level_shape(grid.level_count - 2) != (1, 1)


def test_level_count_of_a_32768_square_image():
    grid = TileGrid((32768, 32768))
    assert grid.level_count == 16
    assert grid.level_shape(5) == (1024, 1024)
    assert grid.tiles_shape(5) == (4, 4)


@given(st.floats(1 / 40000, 64.0))
def test_level_for_zoom_shows_level_pixels_between_half_and_one_canvas_pixel(zoom):
    grid = TileGrid((40000, 40000))
    level = grid.level_for_zoom(zoom)
    if zoom >= 1:
        assert level == 0
    else:
        assert 0.5 < zoom * 2**level <= 1.0


def test_level_for_zoom_never_passes_the_last_level():
    grid = TileGrid((300, 200))
    assert grid.level_for_zoom(1e-12) == grid.level_count - 1


@pytest.mark.parametrize("zoom", [0, -1.0, math.inf, math.nan])
def test_level_for_zoom_rejects_non_positive_or_non_finite_zoom(zoom):
    with pytest.raises(ValueError, match="zoom"):
        TileGrid((10, 10)).level_for_zoom(zoom)


def test_level_for_zoom_rejects_a_string():
    with pytest.raises(TypeError, match="zoom"):
        TileGrid((10, 10)).level_for_zoom("1")


# ---------------------------------------------------------------------------- tiles


@given(shapes, st.sampled_from([16, 32, 64]))
def test_tiles_of_a_level_cover_it_exactly_once(shape, tile_size):
    grid = TileGrid(shape, tile_size)
    for level in range(grid.level_count):
        cover = np.zeros(grid.level_shape(level), dtype=np.int32)
        rows, cols = grid.tiles_shape(level)
        for row in range(rows):
            for col in range(cols):
                box = grid.tile_box(TileKey(level, row, col))
                assert 0 < box.height <= tile_size and 0 < box.width <= tile_size
                cover[box.slices] += 1
        assert (cover == 1).all()


@given(shapes.flatmap(lambda s: st.tuples(st.just(s), _boxes(s))), st.integers(0, 10))
def test_view_tiles_are_exactly_the_tiles_showing_a_visible_pixel(shape_box, level):
    shape, visible = shape_box
    grid = TileGrid(shape, tile_size=16)
    level = min(level, grid.level_count - 1)
    # Brute force: mark visible image pixels; a tile is needed if its image box has one.
    seen = np.zeros(shape, dtype=bool)
    if not visible.clip(shape).is_empty:  # (an empty box's slices may wrap around)
        seen[visible.clip(shape).slices] = True
    rows, cols = grid.tiles_shape(level)
    expected = {
        TileKey(level, r, c)
        for r in range(rows)
        for c in range(cols)
        if seen[grid.image_box(TileKey(level, r, c)).slices].any()
    }
    got = grid.view_tiles(level, visible)
    assert len(got) == len(set(got))
    assert set(got) == expected


def test_view_tiles_of_a_fitted_view_of_a_big_image_are_one_screen_sized_level():
    grid = TileGrid((32768, 32768))
    view = Viewport((32768, 32768), (1000, 700))
    level = grid.level_for_zoom(view.zoom)
    keys = grid.view_tiles(level, view.visible_bbox())
    assert level == 5
    assert len(keys) == 16  # level 5 is 1024², in 4x4 tiles


@given(
    st.floats(0.001, 8.0),
    st.floats(-3000, 3000),
    st.floats(-3000, 3000),
    st.tuples(st.integers(50, 1200), st.integers(50, 900)),
)
def test_a_view_never_needs_more_than_max_view_tiles(zoom, dx, dy, canvas_size):
    grid = TileGrid((20000, 13000))
    view = Viewport((20000, 13000), canvas_size)
    view.set_zoom(zoom)
    view.pan_by(dx, dy)
    keys = grid.view_tiles(grid.level_for_zoom(view.zoom), view.visible_bbox())
    assert len(keys) <= grid.max_view_tiles(canvas_size)


def test_tiles_covering_ignores_the_part_outside_the_level():
    grid = TileGrid((100, 100), tile_size=32)
    assert grid.tiles_covering(0, BBox(90, 200, -50, 10)) == [TileKey(0, 2, 0), TileKey(0, 3, 0)]
    assert grid.tiles_covering(0, BBox(200, 300, 0, 10)) == []


def test_tile_box_rejects_a_tile_outside_the_level():
    grid = TileGrid((100, 100), tile_size=32)
    with pytest.raises(ValueError, match=r"row in \[0, 4\)"):
        grid.tile_box(TileKey(0, 4, 0))
    with pytest.raises(ValueError, match="level"):
        grid.tile_box(TileKey(grid.level_count, 0, 0))


def test_image_box_of_a_coarse_tile_is_clipped_to_the_image():
    grid = TileGrid((100, 70), tile_size=16)
    assert grid.image_box(TileKey(2, 1, 1)) == BBox(64, 100, 64, 70)


@pytest.mark.parametrize("tile_size", [8, 100, 8192])
def test_tile_size_must_be_a_power_of_two_in_range(tile_size):
    with pytest.raises(ValueError, match="tile_size"):
        TileGrid((10, 10), tile_size)


@pytest.mark.parametrize("shape", [(0, 5), (5, -1)])
def test_image_shape_must_be_positive(shape):
    with pytest.raises(ValueError, match="image_shape"):
        TileGrid(shape)


def test_image_shape_must_be_a_pair():
    with pytest.raises(TypeError, match="image_shape"):
        TileGrid(5)


# ---------------------------------------------------------------------------- sampling


@given(st.integers(0, 12), st.integers(1, 5000))
def test_a_level_pixel_samples_the_image_pixel_at_the_centre_of_its_block(level, extent):
    size = math.ceil(extent / 2**level)
    got = sample_indices(level, 0, size, extent)
    for i, index in enumerate(got.tolist()):
        centre = (i + 0.5) * 2**level  # continuous coordinate; pixel j covers [j, j + 1)
        assert index == min(math.floor(centre), extent - 1)


@given(shapes.flatmap(lambda s: st.tuples(st.just(s), _boxes(s))), st.integers(0, 10))
def test_sampled_box_holds_exactly_the_level_pixels_sampling_inside_the_box(shape_box, level):
    shape, image_box = shape_box
    grid = TileGrid(shape, tile_size=16)
    level = min(level, grid.level_count - 1)
    rows, cols = grid.level_shape(level)
    clipped = image_box.clip(shape)
    row_samples = sample_indices(level, 0, rows, shape[0])
    col_samples = sample_indices(level, 0, cols, shape[1])
    inside = ((row_samples >= clipped.row0) & (row_samples < clipped.row1))[:, None] & (
        (col_samples >= clipped.col0) & (col_samples < clipped.col1)
    )[None, :]
    got = np.zeros((rows, cols), dtype=bool)
    box = grid.sampled_box(level, image_box)
    if not box.is_empty:
        got[box.slices] = True
    np.testing.assert_array_equal(got, inside)


# ---------------------------------------------------------------------------- dirty tiles


@given(
    shapes.flatmap(lambda s: st.tuples(st.just(s), _boxes(s))),
    st.lists(st.integers(0, 10), min_size=1, max_size=3, unique=True),
)
def test_dirty_tiles_cover_exactly_the_level_pixels_an_edit_can_change(shape_box, levels):
    shape, edit = shape_box
    grid = TileGrid(shape, tile_size=16)
    levels = sorted({min(level, grid.level_count - 1) for level in levels})
    dirty = grid.dirty_tiles(edit, levels)
    for level in levels:
        rows, cols = grid.level_shape(level)
        got = np.zeros((rows, cols), dtype=np.int32)
        for entry in dirty:
            if entry.key.level == level:
                tile = grid.tile_box(entry.key)
                # The local box is the level box relative to the tile, and inside the tile.
                assert entry.local_box.clip((tile.height, tile.width)) == entry.local_box
                assert entry.local_box.row0 + tile.row0 == entry.level_box.row0
                assert entry.local_box.col1 + tile.col0 == entry.level_box.col1
                got[entry.level_box.slices] += 1
        expected = np.zeros((rows, cols), dtype=np.int32)
        expected[grid.sampled_box(level, edit).slices] = 1
        np.testing.assert_array_equal(got, expected)


def test_dirty_tiles_of_a_stroke_cost_the_same_on_a_small_and_a_huge_image():
    stroke = BBox(200, 212, 300, 340)
    small = TileGrid((512, 512)).dirty_tiles(stroke, [0, 1])
    huge = TileGrid((65536, 65536)).dirty_tiles(stroke, [0, 1])
    assert small == huge
    assert sum(d.level_box.area for d in huge) == 12 * 40 + 6 * 20


def test_an_edit_between_samples_dirties_nothing_at_a_coarse_level():
    grid = TileGrid((1024, 1024))
    # Level 3 samples rows and columns 4, 12, 20, ...: rows 5..11 hold no sample.
    assert grid.dirty_tiles(BBox(5, 12, 5, 12), [3]) == []


def test_max_view_tiles_rejects_a_bad_canvas_size():
    with pytest.raises(ValueError, match=r"canvas_size\[0\]"):
        TileGrid((10, 10)).max_view_tiles((0, 10))


@given(
    box=st.tuples(st.integers(0, 3000), st.integers(0, 3000), st.integers(0, 3000)).map(
        lambda t: BBox(t[0], t[0] + t[2] // 2 + 1, t[1], t[1] + t[2] + 1)
    ),
    held=st.sets(st.tuples(st.integers(0, 2), st.integers(0, 13), st.integers(0, 13)), max_size=40),
)
def test_dirty_tiles_among_held_ones_are_the_held_part_of_all_dirty_tiles(box, held):
    """Walking the held tiles (a big edit) or the covered ones (a small one): same parts."""
    grid = TileGrid((3000, 3500), tile_size=256)
    keys = {
        TileKey(level, row, col)
        for level, row, col in held
        if row < grid.tiles_shape(level)[0] and col < grid.tiles_shape(level)[1]
    }
    everything = grid.dirty_tiles(box, [0, 1, 2])
    assert grid.dirty_tiles(box, [0, 1, 2], among=keys) == [
        part for part in everything if part.key in keys
    ]
