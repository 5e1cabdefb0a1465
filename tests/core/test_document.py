import itertools

import numpy as np
import pytest

from seg_widget.core import BBox, History, LabelDocument, brush_footprint


def _document(shape=(6, 8), n_classes=3, fill=0) -> LabelDocument:
    return LabelDocument(np.full(shape, fill, np.uint8), n_classes)


def test_document_owns_the_given_array_without_copying():
    mask = np.zeros((3, 3), np.uint8)
    assert LabelDocument(mask, 2).mask is mask


def test_document_uses_the_given_history():
    history = History(max_bytes=1000)
    assert LabelDocument(np.zeros((1, 1), np.uint8), 2, history=history).history is history


def test_apply_sets_footprint_pixels_and_returns_the_tight_changed_box():
    document = _document()
    document.mask[1, 1] = 2  # already the new value: not a change
    footprint = np.array([[1, 0, 0], [0, 0, 0], [0, 1, 1]], bool)
    assert document.apply(BBox(1, 4, 1, 4), footprint, 2) == BBox(3, 4, 2, 4)
    assert set(zip(*np.nonzero(document.mask), strict=True)) == {(1, 1), (3, 2), (3, 3)}


def test_apply_that_changes_nothing_returns_none_and_records_nothing():
    document = _document(fill=1)
    assert document.apply(BBox(0, 2, 0, 2), np.ones((2, 2), bool), 1) is None
    assert not document.can_undo


def test_apply_with_only_where_changes_only_that_class():
    document = _document()
    document.mask[0, :4] = [0, 1, 2, 0]
    document.apply(BBox(0, 1, 0, 4), np.ones((1, 4), bool), 2, only_where=0)
    np.testing.assert_array_equal(document.mask[0, :4], [2, 1, 2, 2])


def test_apply_records_only_the_changed_sub_patch():
    document = LabelDocument(np.zeros((100, 100), np.uint16), 300)
    footprint = np.zeros((50, 50), bool)
    footprint[10, 20:23] = True
    document.apply(BBox(0, 50, 0, 50), footprint, 299)
    assert document.history.nbytes == 2 * 3 * 2  # before + after, 1x3 uint16


def test_apply_rejects_a_value_outside_the_classes():
    with pytest.raises(ValueError, match=r"^value: expected a class id in \[0, 3\); got 3$"):
        _document().apply(BBox(0, 1, 0, 1), np.ones((1, 1), bool), 3)


def test_apply_rejects_a_footprint_of_another_shape():
    with pytest.raises(
        ValueError, match=r"^footprint: expected the shape of bbox \(1, 1\); got \(2, 2\)$"
    ):
        _document().apply(BBox(0, 1, 0, 1), np.ones((2, 2), bool), 1)


def test_apply_rejects_a_non_bool_footprint():
    with pytest.raises(TypeError, match=r"^footprint: expected a bool array; got int64$"):
        _document().apply(BBox(0, 1, 0, 1), np.ones((1, 1), np.int64), 1)


def test_apply_rejects_a_box_outside_the_mask():
    with pytest.raises(ValueError, match=r"^bbox: expected a box inside the mask \(6, 8\)"):
        _document().apply(BBox(5, 7, 0, 1), np.ones((2, 1), bool), 1)


def test_undo_and_redo_of_an_apply_are_exact():
    document = _document()
    document.mask[2, 2] = 1
    original = document.mask.copy()
    bbox, footprint = brush_footprint((2.5, 3.5), (4.5, 6.5), 3, document.mask.shape)
    document.apply(bbox, footprint, 2)
    painted = document.mask.copy()
    document.undo()
    np.testing.assert_array_equal(document.mask, original)
    document.redo()
    np.testing.assert_array_equal(document.mask, painted)


def test_step_groups_several_applies_into_one_undo():
    document = _document()
    with document.step("two dots"):
        document.apply(BBox(0, 1, 0, 1), np.ones((1, 1), bool), 1)
        document.apply(BBox(5, 6, 7, 8), np.ones((1, 1), bool), 2)
    assert document.undo() == BBox(0, 6, 0, 8)
    np.testing.assert_array_equal(document.mask, 0)
    assert not document.can_undo


def test_step_is_closed_when_its_block_raises():
    document = _document()
    with pytest.raises(KeyError), document.step("failing"):
        document.apply(BBox(0, 1, 0, 1), np.ones((1, 1), bool), 1)
        raise KeyError("boom")
    assert document.history.undo_name == "failing"
    document.undo()
    np.testing.assert_array_equal(document.mask, 0)


def test_replace_copies_into_the_live_array_and_returns_the_full_box():
    document = _document()
    live = document.mask
    new = np.zeros((6, 8), np.uint8)
    new[2:4, 3] = 2
    assert document.replace(new) == BBox(0, 6, 0, 8)
    assert document.mask is live
    np.testing.assert_array_equal(live, new)
    new[0, 0] = 1
    assert live[0, 0] == 0


def test_replace_is_one_undo_step_storing_only_the_changed_box():
    document = _document()
    new = np.zeros((6, 8), np.uint8)
    new[2:4, 3] = 2
    document.replace(new)
    assert document.history.nbytes == 2 * 2
    document.undo()
    np.testing.assert_array_equal(document.mask, 0)
    assert not document.can_undo


def test_replace_with_identical_values_records_nothing():
    document = _document(fill=1)
    document.replace(np.ones((6, 8), np.uint8))
    assert not document.can_undo


def test_replace_rejects_another_shape():
    with pytest.raises(
        ValueError, match=r"^new_mask: expected an array of shape \(6, 8\); got \(8, 6\)$"
    ):
        _document().replace(np.zeros((8, 6), np.uint8))


def test_a_new_edit_after_undo_clears_redo():
    document = _document()
    document.apply(BBox(0, 1, 0, 1), np.ones((1, 1), bool), 1)
    document.undo()
    document.apply(BBox(1, 2, 1, 2), np.ones((1, 1), bool), 2)
    assert not document.can_redo


def test_short_stroke_on_a_huge_mask_costs_bytes_of_the_stroke_not_the_image():
    document = LabelDocument(np.zeros((8192, 8192), np.uint8), 3)
    points = [(4000.5, 4000.5 + 3 * i) for i in range(10)]
    with document.step("paint"):
        for start, end in itertools.pairwise(points):
            bbox, footprint = brush_footprint(start, end, 12, document.mask.shape)
            document.apply(bbox, footprint, 1)
    assert 0 < document.history.nbytes < 10_000
