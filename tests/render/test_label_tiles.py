import math

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from seg_widget.core.bbox import BBox
from seg_widget.render.label_tiles import LabelTiles
from seg_widget.render.overlay import color_lut, colorize
from seg_widget.render.tiles import TileKey


def _level(labels, level):
    grid = labels.grid
    out = np.zeros(grid.level_shape(level), dtype=labels.mask.dtype)
    rows, cols = grid.tiles_shape(level)
    for row in range(rows):
        for col in range(cols):
            key = TileKey(level, row, col)
            out[grid.tile_box(key).slices] = labels.tile(key)
    return out


def _nearest_level(mask, level):
    """Brute force: each level pixel takes the image pixel containing its block's centre."""
    scale = 2**level
    height, width = mask.shape
    centre_rows = (np.arange(math.ceil(height / scale)) + 0.5) * scale
    centre_cols = (np.arange(math.ceil(width / scale)) + 0.5) * scale
    rows = np.minimum(np.floor(centre_rows).astype(int), height - 1)
    cols = np.minimum(np.floor(centre_cols).astype(int), width - 1)
    return mask[rows[:, None], cols[None, :]]


@settings(max_examples=25)
@given(st.tuples(st.integers(1, 80), st.integers(1, 80)), st.integers(0, 2**32 - 1))
def test_every_level_is_the_nearest_sample_of_the_mask(shape, seed):
    mask = np.random.default_rng(seed).integers(0, 6, shape, dtype=np.uint8)
    labels = LabelTiles(mask, tile_size=16)
    for level in range(labels.grid.level_count):
        np.testing.assert_array_equal(_level(labels, level), _nearest_level(mask, level))


def test_every_level_shows_only_exact_class_colours():
    mask = np.random.default_rng(1).integers(0, 4, (300, 300), dtype=np.uint8)
    lut = color_lut([(0, 0, 0), (255, 0, 0), (0, 255, 0), (10, 20, 30)])
    labels = LabelTiles(mask, tile_size=64)
    for level in range(labels.grid.level_count):
        colours = colorize(_level(labels, level), lut).reshape(-1, 4)
        assert {tuple(c) for c in np.unique(colours, axis=0)} <= {tuple(c) for c in lut}


def test_sixteen_bit_masks_keep_their_ids():
    mask = np.full((40, 40), 300, dtype=np.uint16)
    tile = LabelTiles(mask, tile_size=16).tile(TileKey(3, 0, 0))
    assert tile.dtype == np.uint16 and (tile == 300).all()


def test_an_edit_in_place_shows_in_the_next_tile():
    mask = np.zeros((64, 64), dtype=np.uint8)
    labels = LabelTiles(mask, tile_size=16)
    assert labels.tile(TileKey(2, 0, 0)).max() == 0
    mask[:8, :8] = 5
    assert labels.tile(TileKey(2, 0, 0))[:2, :2].tolist() == [[5, 5], [5, 5]]


@settings(max_examples=40)
@given(
    st.tuples(st.integers(20, 120), st.integers(20, 120)),
    st.tuples(st.integers(0, 119), st.integers(1, 30), st.integers(0, 119), st.integers(1, 30)),
    st.integers(0, 2**32 - 1),
)
def test_patching_the_dirty_tiles_reproduces_the_levels_after_an_edit(shape, edit, seed):
    rng = np.random.default_rng(seed)
    mask = rng.integers(0, 4, shape, dtype=np.uint8)
    labels = LabelTiles(mask, tile_size=16)
    levels = list(range(labels.grid.level_count))
    shown = [_level(labels, level) for level in levels]  # what the browser holds
    box = BBox(edit[0], edit[0] + edit[1], edit[2], edit[2] + edit[3]).clip(shape)
    assume(not box.is_empty)
    mask[box.slices] = rng.integers(0, 4, (box.height, box.width), dtype=np.uint8)
    for dirty in labels.grid.dirty_tiles(box, levels):
        shown[dirty.key.level][dirty.level_box.slices] = labels.region(
            dirty.key.level, dirty.level_box
        )
    for level in levels:
        np.testing.assert_array_equal(shown[level], _level(labels, level), f"level {level}")


def test_a_pen_patch_at_a_coarse_level_is_as_small_as_the_stroke():
    mask = np.zeros((8192, 8192), dtype=np.uint8)
    labels = LabelTiles(mask)
    stroke = BBox(4000, 4012, 4000, 4012)
    mask[stroke.slices] = 1
    (dirty,) = labels.grid.dirty_tiles(stroke, [2])
    assert dirty.level_box == BBox(1000, 1003, 1000, 1003)
    assert (labels.region(2, dirty.level_box) == 1).all()


def test_region_rejects_a_box_outside_the_level():
    labels = LabelTiles(np.zeros((10, 10), np.uint8), tile_size=16)
    with pytest.raises(ValueError, match="level_box"):
        labels.region(1, BBox(0, 6, 0, 5))


def test_replacing_the_mask_keeps_the_shape():
    labels = LabelTiles(np.zeros((10, 10), np.uint8), tile_size=16)
    with pytest.raises(ValueError, match=r"mask: expected shape \(10, 10\)"):
        labels.mask = np.zeros((10, 11), np.uint8)
    labels.mask = np.ones((10, 10), np.uint8)
    assert labels.tile(TileKey(0, 0, 0)).min() == 1


@pytest.mark.parametrize(
    ("mask", "error"),
    [
        (np.zeros((4, 4), np.float32), TypeError),
        (np.zeros((4, 4), np.uint32), TypeError),
        (np.zeros((4, 4, 1), np.uint8), ValueError),
        ([[0]], TypeError),
    ],
)
def test_masks_must_be_2d_small_integer_arrays(mask, error):
    with pytest.raises(error, match="mask"):
        LabelTiles(mask)
