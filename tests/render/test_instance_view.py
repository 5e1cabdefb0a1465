"""The overlay views as pure functions: colour by instance, contours, show-only, hidden ids."""

import numpy as np
import pytest

from seg_widget.core.bbox import BBox
from seg_widget.core.classes import DEFAULT_PALETTE
from seg_widget.render.instance_view import (
    COLOR_BY,
    SHOW_ONLY,
    OverlayStyle,
    instance_color,
    overlay_codes,
)
from seg_widget.render.overlay import color_lut

LUT = color_lut([(0, 0, 0), (255, 0, 0), (0, 0, 255)])


def full(mask):
    return BBox.full(mask.shape)


def colours(codes, lut):
    """RGBA per pixel, as the browser would draw the codes."""
    return lut[codes]


def scene():
    """Class 1: instances 1 (left) and 2 (right) side by side, loose class-1 pixels, class 2."""
    mask = np.array(
        [
            [0, 0, 0, 0, 0, 0, 0],
            [0, 1, 1, 1, 1, 0, 0],
            [0, 1, 1, 1, 1, 0, 2],
            [0, 0, 0, 0, 0, 0, 2],
            [1, 1, 0, 0, 0, 0, 0],
        ],
        np.uint8,
    )
    ids = np.array(
        [
            [0, 0, 0, 0, 0, 0, 0],
            [0, 1, 1, 2, 2, 0, 0],
            [0, 1, 1, 2, 2, 0, 0],
            [0, 0, 0, 0, 0, 0, 0],
            [0, 0, 0, 0, 0, 0, 0],
        ],
        np.uint32,
    )
    return mask, ids


# -- the plain view ------------------------------------------------------------------------------


def test_plain_style_gives_the_class_ids_and_the_class_lut():
    mask, ids = scene()
    for instance_map in (ids, None):
        codes, lut = overlay_codes(mask, instance_map, full(mask), OverlayStyle(), LUT)
        np.testing.assert_array_equal(codes, mask)
        assert codes.dtype == np.int64
        np.testing.assert_array_equal(lut, LUT)


def test_codes_cover_only_the_bbox_and_leave_the_inputs_alone():
    mask, ids = scene()
    before = mask.copy(), ids.copy()
    style = OverlayStyle(color_by="instance", contours=True, hidden=(1,))
    codes, _ = overlay_codes(mask, ids, BBox(1, 3, 2, 6), style, LUT)
    assert codes.shape == (2, 4)
    np.testing.assert_array_equal(mask, before[0])
    np.testing.assert_array_equal(ids, before[1])


# -- hidden instances ---------------------------------------------------------------------------


def test_hidden_ids_get_code_0_and_nothing_else_does():
    mask, ids = scene()
    codes, lut = overlay_codes(mask, ids, full(mask), OverlayStyle(hidden=(2,)), LUT)
    expected = mask.astype(np.int64)
    expected[ids == 2] = 0
    np.testing.assert_array_equal(codes, expected)
    assert (lut[codes][ids == 2] == 0).all()  # transparent


def test_hiding_ids_absent_from_the_patch_changes_nothing():
    mask, ids = scene()
    codes, _ = overlay_codes(mask, ids, full(mask), OverlayStyle(hidden=(7, 99)), LUT)
    np.testing.assert_array_equal(codes, mask)


def test_hidden_ids_without_an_instance_map_hide_nothing():
    mask, _ = scene()
    codes, _ = overlay_codes(mask, None, full(mask), OverlayStyle(hidden=(1,)), LUT)
    np.testing.assert_array_equal(codes, mask)


# -- colour by instance -------------------------------------------------------------------------


def test_color_by_instance_gives_each_instance_its_colour_and_loose_pixels_their_class():
    mask, ids = scene()
    codes, lut = overlay_codes(mask, ids, full(mask), OverlayStyle(color_by="instance"), LUT)
    rgba = colours(codes, lut)
    assert lut.dtype == np.uint8
    np.testing.assert_array_equal(lut[: len(LUT)], LUT)  # class colours first, unchanged
    assert {tuple(p) for p in rgba[ids == 1]} == {(*instance_color(1), 255)}
    assert {tuple(p) for p in rgba[ids == 2]} == {(*instance_color(2), 255)}
    assert instance_color(1) != instance_color(2)  # one class, two colours
    loose = (ids == 0) & (mask != 0)
    np.testing.assert_array_equal(rgba[loose], LUT[mask[loose]])
    assert (rgba[mask == 0] == 0).all()


def test_color_by_instance_handles_large_ids_by_cycling_the_palette():
    mask = np.ones((1, 3), np.uint8)
    ids = np.array([[1, 1000, 1 + len(DEFAULT_PALETTE)]], np.uint32)
    codes, lut = overlay_codes(mask, ids, full(mask), OverlayStyle(color_by="instance"), LUT)
    rgba = colours(codes, lut)
    assert tuple(rgba[0, 0]) == (*instance_color(1), 255) == tuple(rgba[0, 2])
    assert tuple(rgba[0, 1]) == (*instance_color(1000), 255)
    assert codes[0, 0] != codes[0, 1]


def test_color_by_instance_without_instances_is_by_class():
    mask, ids = scene()
    style = OverlayStyle(color_by="instance")
    codes, lut = overlay_codes(mask, None, full(mask), style, LUT)
    np.testing.assert_array_equal(colours(codes, lut), LUT[mask])
    codes, lut = overlay_codes(mask, ids, BBox(3, 5, 0, 7), style, LUT)  # no instance there
    np.testing.assert_array_equal(colours(codes, lut), LUT[mask[3:5]])


def test_instance_color_is_the_palette_cycled_by_id():
    n = len(DEFAULT_PALETTE)
    assert instance_color(1) == DEFAULT_PALETTE[0]
    assert instance_color(n) == DEFAULT_PALETTE[n - 1]
    assert instance_color(n + 1) == instance_color(1)
    assert all(instance_color(i) != instance_color(i + 1) for i in range(1, 3 * n))


# -- show only ------------------------------------------------------------------------------------


def test_show_only_object_keeps_the_selected_instance():
    mask, ids = scene()
    style = OverlayStyle(show_only="object", selected_instance=2)
    codes, _ = overlay_codes(mask, ids, full(mask), style, LUT)
    np.testing.assert_array_equal(codes, np.where(ids == 2, mask, 0))


def test_show_only_object_without_instances_shows_nothing():
    mask, _ = scene()
    style = OverlayStyle(show_only="object", selected_instance=1)
    codes, _ = overlay_codes(mask, None, full(mask), style, LUT)
    assert not codes.any()


def test_show_only_object_of_a_hidden_instance_shows_nothing():
    mask, ids = scene()
    style = OverlayStyle(show_only="object", selected_instance=2, hidden=(2,))
    codes, _ = overlay_codes(mask, ids, full(mask), style, LUT)
    assert not codes.any()


def test_show_only_class_keeps_the_selected_class_with_or_without_instances():
    mask, ids = scene()
    style = OverlayStyle(show_only="class", selected_class=2)
    for instance_map in (ids, None):
        codes, _ = overlay_codes(mask, instance_map, full(mask), style, LUT)
        np.testing.assert_array_equal(codes, np.where(mask == 2, 2, 0))
    style = OverlayStyle(show_only="class", selected_class=1, color_by="instance")
    codes, lut = overlay_codes(mask, ids, full(mask), style, LUT)
    rgba = colours(codes, lut)
    assert {tuple(p) for p in rgba[ids == 2]} == {(*instance_color(2), 255)}
    assert (codes[mask == 2] == 0).all()


# -- contours -------------------------------------------------------------------------------------


def edges_expected(keys, outside=-999):
    """Brute force: a pixel is an edge if a 4-neighbour (or the image edge) has another key."""
    height, width = keys.shape
    out = np.zeros(keys.shape, bool)
    for r in range(height):
        for c in range(width):
            for dr, dc in ((-1, 0), (1, 0), (0, -1), (0, 1)):
                rr, cc = r + dr, c + dc
                other = keys[rr, cc] if 0 <= rr < height and 0 <= cc < width else outside
                out[r, c] |= other != keys[r, c]
    return out


def test_contours_keep_only_pixels_next_to_another_object():
    mask = np.zeros((7, 7), np.uint8)
    mask[1:6, 1:6] = 1
    codes, _ = overlay_codes(mask, None, full(mask), OverlayStyle(contours=True), LUT)
    ring = np.zeros((7, 7), bool)
    ring[1:6, 1:6] = True
    ring[2:5, 2:5] = False
    np.testing.assert_array_equal(codes != 0, ring)
    assert (codes[ring] == 1).all()


def test_contours_close_objects_at_the_image_border():
    mask = np.ones((4, 5), np.uint8)
    codes, _ = overlay_codes(mask, None, full(mask), OverlayStyle(contours=True), LUT)
    expected = np.ones((4, 5), bool)
    expected[1:3, 1:4] = False
    np.testing.assert_array_equal(codes != 0, expected)


def test_contours_separate_instances_and_classes_but_not_loose_pixels_of_one_class():
    mask = np.array([[1, 1, 1, 1, 1, 1, 2, 2]] * 3, np.uint8)
    ids = np.array([[0, 0, 3, 3, 4, 4, 0, 0]] * 3, np.uint32)
    ids[:, 0:2] = 0  # loose class 1, then instances 3 and 4 of class 1, then loose class 2
    codes, _ = overlay_codes(mask, ids, full(mask), OverlayStyle(contours=True), LUT)
    keys = np.where(ids != 0, -ids.astype(np.int64), mask)
    np.testing.assert_array_equal(codes != 0, edges_expected(keys))
    assert (codes[1] != 0).tolist() == [True, True, True, True, True, True, True, True]
    # Two loose regions of one class that touch are one object: no edge between them.
    loose = np.ones((3, 6), np.uint8)
    codes, _ = overlay_codes(
        loose, np.zeros((3, 6), np.uint32), full(loose), OverlayStyle(contours=True), LUT
    )
    assert not codes[1, 1:5].any()


def test_contours_of_a_sub_box_look_at_neighbours_outside_it():
    mask = np.zeros((8, 8), np.uint8)
    mask[1:7, 1:7] = 1
    style = OverlayStyle(contours=True)
    inner, _ = overlay_codes(mask, None, BBox(2, 6, 2, 6), style, LUT)
    assert not inner.any()  # every pixel of the box has class-1 neighbours all round
    top, _ = overlay_codes(mask, None, BBox(1, 2, 0, 8), style, LUT)
    assert (top != 0).tolist() == [[False, True, True, True, True, True, True, False]]
    whole, _ = overlay_codes(mask, None, full(mask), style, LUT)
    np.testing.assert_array_equal(whole[2:6, 2:6], inner)
    np.testing.assert_array_equal(whole[1:2], top)


def test_contours_match_brute_force_on_random_scenes():
    rng = np.random.default_rng(3)
    for _ in range(20):
        mask = rng.integers(0, 3, (9, 11)).astype(np.uint8)
        ids = np.where(mask == 1, rng.integers(0, 3, mask.shape), 0).astype(np.uint32)
        r0, c0 = rng.integers(0, 5, 2)
        bbox = BBox(int(r0), int(r0) + 4, int(c0), int(c0) + 6)
        codes, _ = overlay_codes(mask, ids, bbox, OverlayStyle(contours=True), LUT)
        keys = np.where(ids != 0, -ids.astype(np.int64), mask)
        expected = edges_expected(keys) & (mask != 0)
        np.testing.assert_array_equal(codes != 0, expected[bbox.slices])


# -- the style ------------------------------------------------------------------------------------


def test_style_flags():
    assert OverlayStyle().is_plain and not OverlayStyle().needs_neighbours
    for style in (
        OverlayStyle(color_by="instance"),
        OverlayStyle(contours=True),
        OverlayStyle(show_only="object"),
        OverlayStyle(show_only="class"),
        OverlayStyle(hidden=(1,)),
    ):
        assert not style.is_plain
    assert OverlayStyle(contours=True).needs_neighbours
    assert not OverlayStyle(color_by="instance", show_only="class").needs_neighbours
    assert COLOR_BY == ("class", "instance") and SHOW_ONLY == ("all", "object", "class")


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"color_by": "object"}, r"color_by: expected one of 'class', 'instance'; got 'object'"),
        ({"color_by": None}, r"color_by: expected one of 'class', 'instance'; got None"),
        (
            {"show_only": "objects"},
            r"show_only: expected one of 'all', 'object', 'class'; got 'objects'",
        ),
        ({"show_only": 1}, r"show_only: expected one of .*; got 1"),
    ],
)
def test_style_rejects_unknown_views(kwargs, message):
    with pytest.raises(ValueError, match=message):
        OverlayStyle(**kwargs)
