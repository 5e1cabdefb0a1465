import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from seg_widget.core import BBox, History, LabelDocument, brush_footprint
from seg_widget.core.instances import Instance
from tests.core.test_instances import assert_instance_invariant


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
    assert document.history.nbytes == 2 * 2  # the 1x3 box: one uint16 value per side


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
    assert document.history.nbytes == 2  # the 2x1 box: one uint8 value per side
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


# --- assign: per-pixel values -------------------------------------------------------------


def test_assign_sets_each_footprint_pixel_to_its_value_and_returns_the_tight_box():
    document = _document()
    values = np.array([[1, 2, 0], [2, 2, 2]])
    footprint = np.array([[1, 1, 1], [0, 0, 1]], bool)
    assert document.assign(BBox(2, 4, 3, 6), values, footprint) == BBox(2, 4, 3, 6)
    np.testing.assert_array_equal(document.mask[2:4, 3:6], [[1, 2, 0], [0, 0, 2]])


def test_assign_records_only_the_changed_sub_patch():
    document = _document()
    values = np.zeros((4, 4), np.uint8)
    values[1, 2] = 2
    assert document.assign(BBox(0, 4, 0, 4), values, np.ones((4, 4), bool)) == BBox(1, 2, 2, 3)
    assert document.history.nbytes == 2


def test_assign_that_changes_nothing_returns_none_and_records_nothing():
    document = _document(fill=1)
    assert document.assign(BBox(0, 2, 0, 2), np.ones((2, 2), int), np.ones((2, 2), bool)) is None
    assert not document.can_undo


def test_assign_with_only_where_changes_only_that_class():
    document = _document()
    document.mask[0, :4] = [0, 1, 2, 0]
    values = np.array([[1, 2, 1, 2]])
    document.assign(BBox(0, 1, 0, 4), values, np.ones((1, 4), bool), only_where=0)
    np.testing.assert_array_equal(document.mask[0, :4], [1, 1, 2, 2])


def test_assign_ignores_values_outside_the_footprint():
    document = _document()
    values = np.array([[1, 99]])
    document.assign(BBox(0, 1, 0, 2), values, np.array([[True, False]]))
    np.testing.assert_array_equal(document.mask[0, :2], [1, 0])


def test_assign_undo_and_redo_are_exact():
    document = _document()
    values = np.arange(12).reshape(3, 4) % 3
    document.assign(BBox(1, 4, 2, 6), values, np.ones((3, 4), bool))
    painted = document.mask.copy()
    document.undo()
    np.testing.assert_array_equal(document.mask, 0)
    document.redo()
    np.testing.assert_array_equal(document.mask, painted)


def test_assign_rejects_a_value_outside_the_classes_on_the_footprint():
    with pytest.raises(
        ValueError, match=r"^values: expected class ids in \[0, 3\) on the footprint; got 3$"
    ):
        _document().assign(BBox(0, 1, 0, 2), np.array([[1, 3]]), np.ones((1, 2), bool))


def test_assign_rejects_values_of_another_shape():
    with pytest.raises(
        ValueError, match=r"^values: expected the shape of bbox \(1, 2\); got \(2, 1\)$"
    ):
        _document().assign(BBox(0, 1, 0, 2), np.ones((2, 1), int), np.ones((1, 2), bool))


def test_assign_rejects_non_integer_values():
    with pytest.raises(TypeError, match=r"^values: expected an integer array; got float64$"):
        _document().assign(BBox(0, 1, 0, 1), np.ones((1, 1)), np.ones((1, 1), bool))


def test_assign_rejects_an_only_where_outside_the_classes():
    with pytest.raises(ValueError, match=r"^only_where: expected a class id in \[0, 3\)"):
        _document().assign(BBox(0, 1, 0, 1), np.ones((1, 1), int), np.ones((1, 1), bool), 5)


# --- class counts --------------------------------------------------------------------------


def test_class_counts_count_the_pixels_of_each_class():
    document = _document(shape=(2, 3), n_classes=4)
    document.mask[0] = [1, 1, 3]
    assert document.class_counts.dtype == np.int64
    assert document.class_counts.tolist() == [3, 2, 0, 1]


def test_class_counts_are_a_copy_the_caller_cannot_corrupt():
    document = _document()
    document.class_counts[0] = -5
    assert document.class_counts[0] == 48


def test_class_counts_are_updated_incrementally_not_recounted():
    document = _document()
    assert document.class_counts.tolist() == [48, 0, 0]
    document.mask[0, 0] = 2  # an in-place write the document does not see
    document.apply(BBox(5, 6, 0, 2), np.ones((1, 2), bool), 1)
    assert document.class_counts.tolist() == [46, 2, 0]


def test_recount_picks_up_in_place_writes():
    document = _document()
    assert document.class_counts[2] == 0
    document.mask[0, :3] = 2
    assert document.recount().tolist() == [45, 0, 3]
    assert document.class_counts.tolist() == [45, 0, 3]


def test_recount_rejects_a_class_id_beyond_n_classes():
    document = _document()
    document.mask[1, 1] = 7
    with pytest.raises(ValueError, match=r"^mask: expected class ids in \[0, 3\); got 7$"):
        document.recount()


def test_class_counts_follow_a_step_undone_and_redone():
    document = _document()
    document.recount()  # start counting before the edits
    with document.step("overlapping dabs"):
        document.apply(BBox(0, 3, 0, 3), np.ones((3, 3), bool), 1)
        document.apply(BBox(1, 4, 1, 4), np.ones((3, 3), bool), 2)
    assert document.class_counts.tolist() == [48 - 14, 5, 9]
    document.undo()
    assert document.class_counts.tolist() == [48, 0, 0]
    document.redo()
    assert document.class_counts.tolist() == [48 - 14, 5, 9]


N_CLASSES = 4
SHAPE = (7, 9)
boxes = st.tuples(
    st.integers(0, SHAPE[0]),
    st.integers(0, SHAPE[0]),
    st.integers(0, SHAPE[1]),
    st.integers(0, SHAPE[1]),
).map(lambda b: BBox(min(b[0], b[1]), max(b[0], b[1]), min(b[2], b[3]), max(b[2], b[3])))
class_ids = st.integers(0, N_CLASSES - 1)
operations = st.one_of(
    st.tuples(st.just("apply"), boxes, st.integers(0, 2**32), class_ids, st.none() | class_ids),
    st.tuples(st.just("assign"), boxes, st.integers(0, 2**32), st.none() | class_ids),
    st.tuples(st.just("replace"), st.integers(0, 2**32)),
    st.tuples(st.just("undo")),
    st.tuples(st.just("redo")),
    st.tuples(st.just("step"), boxes, boxes, class_ids),
)


def _operate(document: LabelDocument, operation: tuple) -> None:
    kind, *arguments = operation
    if kind == "apply":
        bbox, seed, value, only_where = arguments
        footprint = np.random.default_rng(seed).random((bbox.height, bbox.width)) < 0.6
        document.apply(bbox, footprint, value, only_where)
    elif kind == "assign":
        bbox, seed, only_where = arguments
        rng = np.random.default_rng(seed)
        values = rng.integers(0, N_CLASSES, (bbox.height, bbox.width))
        document.assign(bbox, values, rng.random(values.shape) < 0.6, only_where)
    elif kind == "replace":
        (seed,) = arguments
        rng = np.random.default_rng(seed)
        new = document.mask.copy()
        new[rng.random(SHAPE) < 0.3] = rng.integers(0, N_CLASSES)
        document.replace(new)
    elif kind == "undo":
        document.undo()
    elif kind == "redo":
        document.redo()
    else:
        first, second, value = arguments
        with document.step("two boxes"):
            document.apply(first, np.ones((first.height, first.width), bool), value)
            document.apply(second, np.ones((second.height, second.width), bool), 0)


@settings(max_examples=150, deadline=None)
@given(
    initial=arrays(np.uint8, SHAPE, elements=class_ids),
    sequence=st.lists(operations, max_size=12),
    first_read=st.integers(0, 12),
)
def test_class_counts_equal_a_full_recount_after_any_sequence_of_edits(
    initial, sequence, first_read
):
    document = LabelDocument(initial.copy(), N_CLASSES)
    for done, operation in enumerate(sequence, start=1):
        _operate(document, operation)
        if done >= first_read:  # counting starts at the first read, then follows the edits
            expected = np.bincount(document.mask.ravel(), minlength=N_CLASSES)
            np.testing.assert_array_equal(document.class_counts, expected)


# -- in-place writes taken in -------------------------------------------------------------------


def _document_with_objects():
    """Row 0: object 1 (class 1, cols 0-2) and locked object 2 (class 2, cols 4-6)."""
    mask = np.zeros((3, 8), np.uint8)
    mask[0, :3], mask[0, 4:7] = 1, 2
    ids = np.zeros(mask.shape, np.uint32)
    ids[0, :3], ids[0, 4:7] = 1, 2
    document = LabelDocument(mask, 3)
    document.enable_instances(ids, [Instance(1, 1, "a"), Instance(2, 2, "b", locked=True)])
    return document


def test_adopt_external_edit_recounts_and_returns_the_region_written():
    document = _document()
    document.class_counts  # noqa: B018 (counting starts)
    document.mask[1, 2:5] = 2
    assert document.adopt_external_edit(BBox(1, 2, 2, 5)) == BBox(1, 2, 2, 5)
    assert document.class_counts.tolist() == [45, 0, 3]
    assert document.adopt_external_edit(BBox(-3, 2, 5, 99)) == BBox(0, 2, 5, 8)
    assert document.adopt_external_edit() == BBox(0, 6, 0, 8)


def test_adopt_external_edit_closes_the_history():
    document = _document()
    document.apply(BBox(0, 1, 0, 2), np.ones((1, 2), bool), 1)
    document.apply(BBox(2, 3, 0, 2), np.ones((1, 2), bool), 1)
    document.undo()
    assert document.can_undo and document.can_redo
    document.mask[5, 5] = 2
    document.adopt_external_edit()
    assert not document.can_undo and not document.can_redo
    assert document.undo() is None and document.redo() is None
    assert document.mask[5, 5] == 2 and document.mask[0, :2].tolist() == [1, 1]


def test_adopt_external_edit_takes_pixels_of_another_class_out_of_their_objects():
    document = _document_with_objects()
    document.mask[0, 0] = 2  # object 1's pixel is now of class 2
    document.mask[0, 6] = 0  # the locked object's pixel is unlabelled now
    document.adopt_external_edit()
    layer = document.instances
    assert layer.map[0].tolist() == [0, 1, 1, 0, 2, 2, 0, 0]
    assert (layer.count(1), layer.count(2)) == (2, 2)
    assert_instance_invariant(document)


def test_adopt_external_edit_clears_ids_written_in_place_that_name_no_object():
    document = _document_with_objects()
    document.instances.map[2, :2] = 9  # no object 9
    document.instances.map[2, 4] = 1  # object 1 is of class 1; the pixel is unlabelled
    document.adopt_external_edit(BBox(2, 3, 0, 5))
    assert not document.instances.map[2].any()
    assert_instance_invariant(document)


def test_adopt_external_edit_rejects_ids_that_are_no_class_and_changes_nothing():
    document = _document_with_objects()
    document.update_instance(1, name="renamed")
    document.mask[0, 0] = 3
    with pytest.raises(ValueError, match=r"^mask: expected class ids in \[0, 3\); got 3$"):
        document.adopt_external_edit()
    assert document.can_undo and document.instances.map[0, 0] == 1
    signed = LabelDocument(np.zeros((2, 2), np.int16), 3)
    signed.mask[0, 0] = -1
    with pytest.raises(ValueError, match=r"^mask: expected class ids in \[0, 3\); got -1$"):
        signed.adopt_external_edit()
    with pytest.raises(TypeError, match=r"^bbox: expected a BBox or None; got tuple$"):
        document.adopt_external_edit((0, 1, 0, 1))


def test_no_undo_gives_an_object_pixels_of_a_class_written_in_place():
    # Issue 19, case 2: split, change the class of some pixels in place, then undo.
    document = _document_with_objects()
    document.update_instance(2, locked=False)
    document.assign(BBox(2, 3, 0, 3), np.ones((1, 3), np.int64), np.ones((1, 3), bool), instance=1)
    pieces = document.split_instance(1)
    document.update_instance(2, locked=True)
    assert len(pieces) == 2
    document.mask[:, 0] = 2  # both pieces and the locked object's neighbour, in place
    document.mask[0, 4] = 1
    document.adopt_external_edit()
    assert_instance_invariant(document)
    for _ in range(3):
        document.undo()
        assert_instance_invariant(document)
        document.redo()
        assert_instance_invariant(document)
    assert document.instances.map[:, 0].tolist() == [0, 0, 0]
    assert document.instances.map[0, 4] == 0
