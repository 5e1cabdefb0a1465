"""Coded tile layers: proposal, overlay-style and show-missing codes at every level."""

import numpy as np

from seg_widget.core.bbox import BBox
from seg_widget.render import BrowserTileCache, TileGrid, TileKey, color_lut
from seg_widget.render.code_tiles import (
    CodeLayer,
    missing_source,
    proposal_codes,
    proposal_lut,
    proposal_source,
    style_source,
)
from seg_widget.render.instance_view import OverlayStyle

LUT = color_lut([(0, 0, 0), (200, 10, 10), (10, 200, 10)])


def test_proposal_codes_are_the_class_inside_and_1_on_the_edge():
    footprint = np.zeros((5, 6), bool)
    footprint[1:4, 1:5] = True
    codes = proposal_codes(np.full((5, 6), 1), footprint)
    assert codes.tolist() == [
        [0, 0, 0, 0, 0, 0],
        [0, 1, 1, 1, 1, 0],
        [0, 1, 3, 3, 1, 0],
        [0, 1, 1, 1, 1, 0],
        [0, 0, 0, 0, 0, 0],
    ]


def test_the_proposal_table_is_white_for_the_edge_and_an_erasing_proposal():
    lut = proposal_lut(LUT)
    white = [255, 255, 255, 255]
    assert lut[1].tolist() == white and lut[2].tolist() == white
    assert lut[3].tolist() == [200, 10, 10, 255] and lut[4].tolist() == [10, 200, 10, 255]


def test_a_proposal_tile_at_a_coarse_level_has_a_one_level_pixel_edge_inside_the_image():
    grid = TileGrid((64, 64), 16)
    values = np.full((64, 64), 2)
    footprint = np.zeros((64, 64), bool)
    footprint[:, 32:] = True  # touches the image border at the right
    source = proposal_source(grid, lambda r, c: (values[np.ix_(r, c)], footprint[np.ix_(r, c)]), 3)
    codes = source(2, BBox(0, 16, 0, 16))  # level 2: the whole image, 16 x 16
    assert (codes[:, :8] == 0).all()
    assert (codes[:, 8] == 1).all() and (codes[:, 15] == 1).all()  # the image border is outside
    assert (codes[1:-1, 9:15] == 4).all()
    # A tile box inside the level sees its neighbours outside the box.
    assert source(2, BBox(4, 8, 9, 12)).tolist() == [[4, 4, 4]] * 4


def test_contours_at_a_level_are_edges_between_level_pixels():
    grid = TileGrid((32, 32), 16)
    mask = np.zeros((32, 32), np.uint8)
    mask[8:24, 8:24] = 1
    source, lut = style_source(
        grid, lambda: mask, lambda: None, lambda: OverlayStyle(contours=True), LUT
    )
    codes = source(1, BBox(0, 16, 0, 16))  # level 1: 16 x 16, the square is [4, 12)
    expected = np.zeros((16, 16), np.uint8)
    expected[4:12, 4:12] = 1
    expected[5:11, 5:11] = 0
    np.testing.assert_array_equal(codes, expected)
    np.testing.assert_array_equal(lut, LUT)


def test_show_missing_codes_are_the_unlabelled_samples():
    grid = TileGrid((8, 8), 16)
    mask = np.zeros((8, 8), np.uint8)
    mask[:4] = 2
    codes = missing_source(grid, lambda: mask)(1, BBox(0, 4, 0, 4))
    assert codes.tolist() == [[0] * 4, [0] * 4, [1] * 4, [1] * 4]


def test_a_changed_box_forgets_only_the_held_tiles_it_touches():
    grid = TileGrid((1024, 1024), 256)
    layer = CodeLayer(
        "proposal",
        grid,
        lambda level, box: np.zeros((box.height, box.width), np.uint8),
        BrowserTileCache(16 * 4 * 256**2, 4 * 256**2),
        follows_mask=False,
        margin=1,
    )
    keys = [TileKey(0, r, c) for r in range(2) for c in range(2)]
    assert len(layer.missing_tiles(keys)) == 4
    layer.changed(BBox(10, 20, 10, 20))
    assert [tile.key for tile in layer.missing_tiles(keys)] == [TileKey(0, 0, 0)]
    layer.changed(BBox(250, 260, 250, 260))  # the corner of four tiles
    assert len(layer.missing_tiles(keys)) == 4
