"""TilePlan: what a tiled view sends for a viewport and for an edit."""

import numpy as np
import pytest

from seg_widget.core.bbox import BBox
from seg_widget.render import ImagePyramid, Viewport
from seg_widget.render.tile_plan import TilePlan
from seg_widget.render.tiles import TileKey

CANVAS = (800, 600)


def _plan(shape=(8192, 8192), tile_size=256):
    image = np.zeros(shape, np.uint8)
    image[::3] = 90
    mask = np.zeros(shape, np.uint8)
    viewport = Viewport(shape, CANVAS)
    plan = TilePlan(image, lambda: mask, viewport, limits=(0, 255), tile_size=tile_size)
    return plan, image, mask, viewport


def test_a_fitted_view_needs_only_the_tiles_of_its_level():
    plan, _, _, viewport = _plan()
    tiles = plan.missing_tiles()
    level = plan.grid.level_for_zoom(viewport.zoom)
    assert {tile.key.level for tile in tiles} == {level}
    image_tiles = [tile for tile in tiles if tile.layer == "image"]
    assert len(image_tiles) <= plan.grid.max_view_tiles(CANVAS)
    # Bytes are about one screen: at most twice the canvas per layer.
    assert sum(tile.pixels.nbytes for tile in image_tiles) <= 2 * CANVAS[0] * CANVAS[1] * 2


def test_tiles_already_held_are_not_sent_again_and_a_pan_sends_only_new_ones():
    plan, _, _, viewport = _plan()
    viewport.set_zoom(1.0)
    first = {tile.key for tile in plan.missing_tiles()}
    assert plan.missing_tiles() == []
    viewport.pan_by(-CANVAS[0], 0)
    second = [tile for tile in plan.missing_tiles() if tile.layer == "image"]
    assert second and all(tile.key not in first for tile in second)
    assert len(second) <= plan.grid.max_view_tiles(CANVAS) // 2 + 4


def test_a_huge_first_view_gets_previews_then_refine_makes_them_exact():
    plan, image, _, _ = _plan(shape=(16384, 16384))
    previews = [tile for tile in plan.missing_tiles() if tile.layer == "image"]
    assert previews and not any(tile.exact for tile in previews)
    finished = []
    while plan.pending_refinements:
        finished += plan.refine(0.05)
    assert sorted(tile.key for tile in finished) == sorted(tile.key for tile in previews)
    fresh = ImagePyramid(image, limits=(0, 255))  # exact tiles, computed at once
    for tile in finished[:2]:
        np.testing.assert_array_equal(tile.pixels, fresh.tile(tile.key))


def test_a_pen_edit_patches_only_held_tiles_of_the_level_shown_with_exact_ids():
    plan, _, mask, viewport = _plan()
    viewport.set_zoom(1.0)
    plan.missing_tiles()
    box = viewport.visible_bbox()
    edge = (box.col0 // 256 + 1) * 256  # a tile edge in view
    dab = BBox(box.row0 + 10, box.row0 + 16, edge - 6, edge + 6)
    mask[dab.slices] = 2
    patches = plan.pen_patches(dab)
    assert len(patches) == 2  # the dab crosses a tile edge at column 256 of the level
    assert sum(patch.labels.size for patch in patches) == dab.area
    for patch in patches:
        assert (patch.labels == 2).all()
        assert patch.slot == plan.overlay_held.slot_of(patch.key)


def test_an_edit_off_screen_sends_nothing_and_is_owed_when_its_level_shows_again():
    plan, _, mask, viewport = _plan()
    viewport.set_zoom(1.0)
    plan.missing_tiles()
    shown = viewport.visible_bbox()
    viewport.fit()
    plan.missing_tiles()  # now the fitted level is shown; level-0 tiles stay held
    dab = BBox(shown.row0 + 1, shown.row0 + 3, shown.col0 + 1, shown.col0 + 3)
    mask[dab.slices] = 1
    assert all(patch.key.level == plan.level for patch in plan.pen_patches(dab))
    viewport.set_zoom(1.0)
    plan.missing_tiles()
    owed = plan.stale_patches()
    assert [patch.key.level for patch in owed] == [0]
    assert (owed[0].labels == 1).sum() == dab.area


def test_new_limits_make_every_image_tile_stale():
    shape = (4096, 4096)
    viewport = Viewport(shape, CANVAS)
    mask = np.zeros(shape, np.uint8)
    image = np.full(shape, 90, np.uint8)
    plan = TilePlan(image, lambda: mask, viewport, limits=(0, 255))
    plan.missing_tiles(previews=False)
    plan.set_limits((0, 100))
    again = [tile for tile in plan.missing_tiles(previews=False) if tile.layer == "image"]
    assert again and all((tile.pixels == 230).all() for tile in again)  # 90 of 0..100
    assert plan.image_held.held() and plan.overlay_held.missing(plan.view_keys()) == []


def test_a_swapped_mask_array_is_read_live():
    shape = (4096, 4096)
    masks = [np.zeros(shape, np.uint8)]
    viewport = Viewport(shape, CANVAS)
    plan = TilePlan(np.zeros(shape, np.uint8), lambda: masks[0], viewport, limits=(0, 255))
    masks[0] = np.full(shape, 3, np.uint8)
    overlay = [tile for tile in plan.missing_tiles() if tile.layer == "overlay"]
    assert all((tile.pixels == 3).all() for tile in overlay)


def test_tile_keys_are_tile_keys():
    plan, _, _, _ = _plan(shape=(2048, 4096))
    assert all(isinstance(key, TileKey) for key in plan.view_keys())
    with pytest.raises(ValueError, match="limits"):
        plan.set_limits((5, 5))
