import dataclasses

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from seg_widget.core import BBox, LabelDocument
from seg_widget.core.quality import (
    Region,
    fill_holes,
    fill_unlabelled,
    find_holes,
    find_specks,
    remove_specks,
    smooth_borders,
)


def _square_with_hole() -> np.ndarray:
    """A 5x5 square of class 2 on a 9x9 background, unlabelled at its centre (4, 4)."""
    mask = np.zeros((9, 9), np.uint8)
    mask[2:7, 2:7] = 2
    mask[4, 4] = 0
    return mask


def _field_with_speck() -> np.ndarray:
    """Class 1 everywhere but an L-shaped 3-pixel speck of class 3."""
    mask = np.ones((8, 8), np.uint8)
    mask[3, 3:5] = 3
    mask[4, 3] = 3
    return mask


def _applied(mask: np.ndarray, edit) -> np.ndarray:
    result = mask.copy()
    bbox, values, footprint = edit
    result[bbox.slices][footprint] = values[footprint]
    return result


# --- holes ---------------------------------------------------------------------------------


def test_one_pixel_hole_inside_a_square_is_found_with_the_square_class():
    assert find_holes(_square_with_hole(), 4) == [
        Region("hole", 0, 1, BBox(4, 5, 4, 5), (4.0, 4.0), surrounding_label=2)
    ]


def test_fill_holes_fills_a_one_pixel_hole_with_the_square_class():
    bbox, values, footprint = fill_holes(_square_with_hole(), 4)
    assert bbox == BBox(4, 5, 4, 5)
    assert values.tolist() == [[2]]
    assert footprint.tolist() == [[True]]


def test_unlabelled_region_touching_the_border_is_not_a_hole():
    mask = np.ones((5, 5), np.uint8)
    mask[0, 2] = 0
    mask[2:4, 4] = 0
    assert find_holes(mask, 10) == []
    assert fill_holes(mask, 10) is None


def test_holes_larger_than_max_size_are_not_reported():
    mask = np.ones((6, 6), np.uint8)
    mask[2:4, 2:4] = 0
    assert find_holes(mask, 3) == []
    assert [region.size for region in find_holes(mask, 4)] == [4]


def test_hole_between_two_objects_takes_the_class_of_most_of_its_neighbour_pixels():
    mask = np.ones((5, 8), np.uint8)
    mask[:, 4:] = 2
    mask[2, 4:6] = 0  # neighbours: one pixel of class 1, five of class 2
    (hole,) = find_holes(mask, 5)
    assert hole.surrounding_label == 2
    assert fill_holes(mask, 5)[1].tolist() == [[2, 2]]


def test_each_neighbour_pixel_counts_once_however_many_hole_pixels_it_touches():
    mask = np.full((6, 6), 2, np.uint8)
    mask[2, 2:4] = mask[3, 2] = 0  # an L-shaped hole
    mask[3, 3] = mask[4, 2] = mask[2, 4] = 1  # (3, 3) touches two hole pixels
    assert find_holes(mask, 3)[0].surrounding_label == 2  # 4 pixels of 2 beat 3 pixels of 1


def test_surrounding_label_tie_goes_to_the_lowest_label():
    mask = np.ones((3, 4), np.uint8)
    mask[:, 2:] = 2
    mask[1, 1:3] = 0  # neighbours: 3 pixels of class 1, 3 of class 2
    assert find_holes(mask, 2)[0].surrounding_label == 1


def test_holes_are_connected_by_edges_or_by_corners_as_asked():
    mask = np.ones((6, 6), np.uint8)
    mask[2, 2] = mask[3, 3] = 0
    assert [region.size for region in find_holes(mask, 5)] == [1, 1]
    assert [region.size for region in find_holes(mask, 5, connectivity=8)] == [2]


def test_regions_are_sorted_by_size_then_position():
    mask = np.ones((8, 10), np.uint8)
    mask[1, 6:8] = 0
    mask[5, 1] = 0
    mask[2, 2] = 0
    assert [(r.size, r.bbox.row0, r.bbox.col0) for r in find_holes(mask, 5)] == [
        (1, 2, 2),
        (1, 5, 1),
        (2, 1, 6),
    ]


# --- specks --------------------------------------------------------------------------------


def test_three_pixel_speck_is_found_with_its_surrounding_class():
    (speck,) = find_specks(_field_with_speck(), 3)
    assert (speck.kind, speck.label, speck.size, speck.bbox) == ("speck", 3, 3, BBox(3, 5, 3, 5))
    assert speck.centroid_rc == pytest.approx((10 / 3, 10 / 3))
    assert speck.surrounding_label == 1


def test_remove_specks_gives_a_three_pixel_speck_its_surrounding_class():
    mask = _field_with_speck()
    assert (_applied(mask, remove_specks(mask, 3)) == 1).all()


def test_speck_on_the_background_is_reassigned_to_unlabelled():
    mask = np.zeros((5, 5), np.uint8)
    mask[2, 2] = 4
    assert remove_specks(mask, 1)[1].tolist() == [[0]]


def test_unlabelled_pixels_are_never_specks():
    mask = np.ones((5, 5), np.uint8)
    mask[2, 2] = 0
    assert find_specks(mask, 3) == []


def test_specks_larger_than_max_size_are_not_reported():
    assert find_specks(_field_with_speck(), 2) == []
    assert remove_specks(_field_with_speck(), 2) is None


# --- majority filter -----------------------------------------------------------------------


@pytest.mark.parametrize("size", [3, 5])
def test_majority_filter_leaves_a_straight_horizontal_border_unchanged(size):
    mask = np.zeros((10, 12), np.uint8)
    mask[4:] = 3
    assert smooth_borders(mask, size) is None


@pytest.mark.parametrize("size", [3, 5])
def test_majority_filter_leaves_a_straight_vertical_border_unchanged(size):
    mask = np.full((10, 12), 1, np.uint8)
    mask[:, 7:] = 2
    assert smooth_borders(mask, size) is None


def test_majority_filter_removes_a_one_pixel_notch():
    mask = np.zeros((8, 8), np.uint8)
    mask[4:] = 1
    mask[4, 3] = 0  # class 0 cuts one pixel into class 1
    bbox, values, footprint = smooth_borders(mask)
    assert (bbox, values.tolist(), footprint.tolist()) == (BBox(4, 5, 3, 4), [[1]], [[True]])


def test_majority_filter_tie_keeps_the_current_label():
    assert smooth_borders(np.array([[1, 3, 2]], np.uint8)) is None
    assert smooth_borders(np.array([[1, 2], [1, 2]], np.uint8)) is None


def test_majority_filter_counts_only_pixels_inside_the_image():
    mask = np.zeros((4, 4), np.uint8)
    mask[0, 0] = 5  # corner window: 1 pixel of 5, 3 of 0 (the 5 off-image pixels do not count)
    assert smooth_borders(mask)[1].tolist() == [[0]]


# --- fill unlabelled -----------------------------------------------------------------------


def test_fill_unlabelled_fills_only_zeros_inside_the_box():
    mask = np.zeros((5, 6), np.uint8)
    mask[2, 2] = 1
    bbox, values, footprint = fill_unlabelled(mask, BBox(1, 4, 1, 4), 3)
    expected = np.zeros((5, 6), np.uint8)
    expected[1:4, 1:4] = 3
    expected[2, 2] = 1
    assert bbox == BBox(1, 4, 1, 4)
    np.testing.assert_array_equal(_applied(mask, (bbox, values, footprint)), expected)
    assert footprint.sum() == 8


def test_fill_unlabelled_of_a_fully_labelled_box_is_none():
    mask = np.zeros((4, 4), np.uint8)
    mask[1:3, 1:3] = 2
    assert fill_unlabelled(mask, BBox(1, 3, 1, 3), 1) is None


# --- edits through the document ------------------------------------------------------------


def _notched() -> np.ndarray:
    mask = np.zeros((8, 8), np.uint8)
    mask[4:] = 1
    mask[4, 3] = 0
    return mask


def _square_filled(label: int) -> np.ndarray:
    mask = _square_with_hole()
    mask[4, 4] = label
    return mask


def _straight() -> np.ndarray:
    mask = np.zeros((8, 8), np.uint8)
    mask[4:] = 1
    return mask


#: name -> (input mask, the fix, the mask expected after applying it)
FIXES = {
    "fill_holes": (_square_with_hole, lambda mask: fill_holes(mask, 4), lambda: _square_filled(2)),
    "remove_specks": (
        _field_with_speck,
        lambda mask: remove_specks(mask, 3),
        lambda: np.ones((8, 8), np.uint8),
    ),
    "smooth_borders": (_notched, smooth_borders, _straight),
    "fill_unlabelled": (
        _square_with_hole,
        lambda mask: fill_unlabelled(mask, BBox(3, 6, 3, 6), 1),
        lambda: _square_filled(1),
    ),
}


@pytest.mark.parametrize("name", FIXES)
def test_fix_applied_with_assign_gives_the_expected_mask_and_one_undo_restores_it(name):
    make, fix, expected = FIXES[name]
    original = make()
    document = LabelDocument(original.copy(), n_classes=4)
    assert document.assign(*fix(original)) is not None
    np.testing.assert_array_equal(document.mask, expected())
    document.undo()
    np.testing.assert_array_equal(document.mask, original)
    assert not document.can_undo


def test_preserve_mode_fill_holes_still_fills():
    document = LabelDocument(_square_with_hole(), n_classes=3)
    document.assign(*fill_holes(document.mask, 4), only_where=0)
    assert document.mask[4, 4] == 2


def test_preserve_mode_remove_specks_changes_nothing():
    document = LabelDocument(_field_with_speck(), n_classes=4)
    assert document.assign(*remove_specks(document.mask, 3), only_where=0) is None
    np.testing.assert_array_equal(document.mask, _field_with_speck())
    assert not document.can_undo


masks = arrays(
    np.uint8, st.tuples(st.integers(1, 9), st.integers(1, 9)), elements=st.integers(0, 3)
)
fixes = st.sampled_from(
    [
        lambda mask: fill_holes(mask, 3),
        lambda mask: remove_specks(mask, 3, connectivity=8),
        lambda mask: smooth_borders(mask),
        lambda mask: fill_unlabelled(mask, BBox.full(mask.shape), 2),
    ]
)


@settings(max_examples=150, deadline=None)
@given(mask=masks, fix=fixes)
def test_preserve_mode_never_changes_labelled_pixels(mask, fix):
    document = LabelDocument(mask.copy(), n_classes=4)
    edit = fix(mask)
    if edit is not None:
        document.assign(*edit, only_where=0)
    labelled = mask != 0
    np.testing.assert_array_equal(document.mask[labelled], mask[labelled])


@settings(max_examples=150, deadline=None)
@given(mask=masks, fix=fixes)
def test_fix_footprint_is_exactly_where_values_differ_and_the_input_is_untouched(mask, fix):
    copy = mask.copy()
    edit = fix(mask)
    np.testing.assert_array_equal(mask, copy)
    if edit is not None:
        bbox, values, footprint = edit
        assert values.dtype == mask.dtype
        np.testing.assert_array_equal(footprint, values != mask[bbox.slices])
        assert footprint.any(axis=1)[[0, -1]].all() and footprint.any(axis=0)[[0, -1]].all()


@settings(max_examples=150, deadline=None)
@given(mask=masks, connectivity=st.sampled_from([4, 8]))
def test_fill_holes_leaves_no_hole_behind(mask, connectivity):
    edit = fill_holes(mask, 1000, connectivity=connectivity)
    filled = mask if edit is None else _applied(mask, edit)
    assert find_holes(filled, 1000, connectivity=connectivity) == []


# --- validation ----------------------------------------------------------------------------


def test_region_is_immutable():
    (hole,) = find_holes(_square_with_hole(), 4)
    with pytest.raises(dataclasses.FrozenInstanceError):
        hole.size = 2


@pytest.mark.parametrize("function", [find_holes, find_specks, fill_holes, remove_specks])
def test_max_size_below_one_is_rejected(function):
    with pytest.raises(ValueError, match=r"^max_size: expected an int >= 1; got 0$"):
        function(_square_with_hole(), 0)


@pytest.mark.parametrize("function", [find_holes, find_specks, fill_holes, remove_specks])
def test_non_integer_max_size_is_rejected(function):
    with pytest.raises(TypeError, match=r"^max_size: expected an int >= 1; got float$"):
        function(_square_with_hole(), 2.5)


@pytest.mark.parametrize("function", [find_holes, find_specks, fill_holes, remove_specks])
def test_connectivity_other_than_4_or_8_is_rejected(function):
    with pytest.raises(ValueError, match=r"^connectivity: expected 4 or 8; got 6$"):
        function(_square_with_hole(), 2, connectivity=6)


def test_non_integer_mask_is_rejected():
    with pytest.raises(TypeError, match=r"^mask: expected an integer numpy array; got float64$"):
        find_holes(np.zeros((3, 3)), 1)


def test_mask_that_is_not_2d_is_rejected():
    with pytest.raises(ValueError, match=r"^mask: expected a 2-D array; got 3 dimensions$"):
        smooth_borders(np.zeros((3, 3, 3), np.uint8))


@pytest.mark.parametrize("size", [1, 2, 4])
def test_majority_filter_rejects_a_size_that_is_not_odd_and_at_least_3(size):
    with pytest.raises(ValueError, match=rf"^size: expected an odd int >= 3; got {size}$"):
        smooth_borders(_notched(), size)


def test_fill_unlabelled_rejects_label_zero():
    with pytest.raises(ValueError, match=r"^label: expected a class id in \[1, 255\]; got 0$"):
        fill_unlabelled(_notched(), BBox(0, 2, 0, 2), 0)


def test_fill_unlabelled_rejects_a_label_too_large_for_the_mask_dtype():
    with pytest.raises(ValueError, match=r"^label: expected a class id in \[1, 255\]; got 256$"):
        fill_unlabelled(_notched(), BBox(0, 2, 0, 2), 256)


def test_fill_unlabelled_rejects_a_box_outside_the_mask():
    with pytest.raises(ValueError, match=r"^bbox: expected a box inside the mask \(8, 8\)"):
        fill_unlabelled(_notched(), BBox(6, 9, 0, 2), 1)


def test_fill_unlabelled_rejects_a_bbox_that_is_not_a_bbox():
    with pytest.raises(TypeError, match=r"^bbox: expected a BBox; got tuple$"):
        fill_unlabelled(_notched(), (0, 2, 0, 2), 1)
