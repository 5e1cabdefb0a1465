"""Undo records store only the footprint, and counts follow them exactly.

Unit tests of the record shape (`write_diff`, masked `RegionDiff`), and a state machine
that applies, assigns, replaces, undoes and redoes on a document with class counts (and,
in a second machine, instances), sometimes writing to the mask behind the document's back
and recounting: after every step the class counts equal a recount, and without in-place
writes undoing everything gives back the starting mask.
"""

import numpy as np
import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from seg_widget.core import BBox, LabelDocument, RegionDiff
from seg_widget.core.changes import write_diff
from seg_widget.core.instances import Instance
from seg_widget.core.outline import polygon_footprint
from tests.core.test_instances import assert_instance_invariant

SHAPE = (7, 9)
N_CLASSES = 4


def _disc(shape: tuple[int, int], radius: float) -> np.ndarray:
    rows, cols = np.ogrid[: shape[0], : shape[1]]
    centre_row, centre_col = (shape[0] - 1) / 2, (shape[1] - 1) / 2
    return (rows - centre_row) ** 2 + (cols - centre_col) ** 2 <= radius**2


def test_write_diff_of_part_of_a_box_keeps_the_footprint_and_one_value_per_side():
    mask = np.zeros((9, 9), np.uint8)
    where = _disc((9, 9), 3.5)
    diff = write_diff(mask, BBox(0, 9, 0, 9), where, 3)
    np.testing.assert_array_equal(mask, np.where(where, 3, 0))
    np.testing.assert_array_equal(diff.where, where)
    assert (diff.before.shape, int(diff.before), diff.after.shape, int(diff.after)) == (
        (),
        0,
        (),
        3,
    )
    assert diff.nbytes == where.size + 2
    assert diff.n_changed == np.count_nonzero(where)


def test_write_diff_keeps_the_old_values_when_they_differ():
    mask = np.array([[1, 2, 3, 4]], np.uint8)
    where = np.array([[True, False, True, True]])
    diff = write_diff(mask, BBox(0, 1, 0, 4), where, 0)
    assert diff.before.tolist() == [1, 3, 4]
    assert int(diff.after) == 0


@pytest.mark.parametrize(
    ("other_at", "inside"),
    [
        (None, True),  # every old value under the footprint equal: one value kept
        ((390, 5), False),  # another class in the last band, outside the footprint: still one
        ((390, 300), True),  # another class in the last band, under the footprint: all kept
        ((0, 0), False),  # outside the footprint in the first band: still one
    ],
)
def test_write_diff_of_a_big_footprint_keeps_one_value_only_when_its_pixels_share_it(
    other_at, inside
):
    # 400 x 400 is read in several bands; the footprint starts in the second band.
    mask = np.full((400, 400), 2, np.uint8)
    where = np.zeros((400, 400), bool)
    where[200:, 100:] = True
    if other_at is not None:
        assert where[other_at] == inside
        mask[other_at] = 1
    before = mask[where]
    diff = write_diff(mask, BBox(0, 400, 0, 400), where, 3)
    if other_at is None or not inside:
        assert diff.before.shape == () and int(diff.before) == 2
    else:
        np.testing.assert_array_equal(diff.before, before)
    assert diff.n_changed == 200 * 300 and (mask[where] == 3).all()


def test_write_diff_of_a_whole_box_is_a_dense_record():
    mask = np.array([[1, 2], [3, 4]], np.uint8)
    diff = write_diff(mask, BBox(0, 2, 0, 2), np.ones((2, 2), bool), 5)
    assert diff.where is None
    assert diff.before.tolist() == [[1, 2], [3, 4]]
    assert diff.after.shape == () and int(diff.after) == 5  # one value: no copy of the box
    diff.revert({"mask": mask})
    assert mask.tolist() == [[1, 2], [3, 4]]
    diff.reapply({"mask": mask})
    assert mask.tolist() == [[5, 5], [5, 5]]


def test_filling_a_uniform_box_keeps_no_copy_of_either_side():
    mask = np.zeros((300, 400), np.uint8)
    diff = write_diff(mask, BBox(0, 300, 0, 400), np.ones((300, 400), bool), 2)
    assert diff.nbytes == 2 and diff.n_changed == 300 * 400
    diff.revert({"mask": mask})
    assert not mask.any()


def test_write_diff_owns_its_footprint():
    mask = np.zeros((4, 4), np.uint8)
    changed = np.zeros((4, 4), bool)
    changed[1, 1:3] = True
    diff = write_diff(mask[1:3], BBox(1, 3, 0, 4), changed[1:3], 2)
    changed[:] = True
    assert np.count_nonzero(diff.where) == 2


def test_masked_diff_undo_and_redo_write_only_the_footprint():
    mask = np.full((3, 3), 7, np.uint8)
    where = np.zeros((2, 2), bool)
    where[0, 1] = where[1, 0] = True
    diff = RegionDiff(BBox(1, 3, 1, 3), np.array([1, 2], np.uint8), np.uint8(9), where=where)
    diff.revert({"mask": mask})
    assert mask.tolist() == [[7, 7, 7], [7, 7, 1], [7, 2, 7]]
    diff.reapply({"mask": mask})
    assert mask.tolist() == [[7, 7, 7], [7, 7, 9], [7, 9, 7]]


def test_masked_diff_rejects_values_that_are_not_one_per_pixel_or_one():
    with pytest.raises(
        ValueError,
        match=r"^before: expected one value \(0-d\) or the 2 changed pixels' values \(1-D\); "
        r"got \(1, 2\)$",
    ):
        RegionDiff(BBox(0, 1, 0, 2), np.zeros((1, 2)), np.uint8(1), where=np.ones((1, 2), bool))


def test_masked_diff_rejects_a_value_count_other_than_its_footprints():
    where = np.array([[True, False, True]])
    with pytest.raises(
        ValueError,
        match=r"^after: expected one value \(0-d\) or the 2 changed pixels'.*got \(3,\)$",
    ):
        RegionDiff(BBox(0, 1, 0, 3), np.uint8(0), np.array([1, 2, 3], np.uint8), where=where)


def test_a_footprint_of_the_wrong_shape_is_refused():
    with pytest.raises(ValueError, match=r"^where: expected a bool array of shape \(1, 2\)"):
        RegionDiff(BBox(0, 1, 0, 2), np.uint8(0), np.uint8(1), where=np.ones((2, 2), bool))


def test_an_outline_over_one_class_is_undone_from_its_footprint_alone():
    document = LabelDocument(np.zeros((400, 400), np.uint8), 3)
    document.class_counts  # noqa: B018  (counts on)
    angles = np.linspace(0, 2 * np.pi, 300, endpoint=False)
    lasso = np.column_stack([200 + 150 * np.sin(angles), 200 + 150 * np.cos(angles)])
    bbox, footprint = polygon_footprint(lasso, document.mask.shape)
    with document.step("outline"):
        document.apply(bbox, footprint, 2)
    # The footprint (1 byte per pixel of its box) and one old and one new value.
    assert document.history.nbytes == bbox.area + 2
    document.undo()
    assert not document.mask.any()
    assert document.class_counts.tolist() == [160_000, 0, 0]
    document.redo()
    assert document.class_counts[2] == np.count_nonzero(footprint)


def test_undo_after_writes_behind_the_documents_back_keeps_counts_exact():
    document = LabelDocument(np.zeros((6, 6), np.uint8), 3)
    document.class_counts  # noqa: B018
    document.apply(BBox(0, 3, 0, 3), _disc((3, 3), 1.0), 1)
    document.mask[1, 1] = 2  # in place, then recounted (what refresh() does)
    document.recount()
    document.undo()
    assert (
        document.class_counts.tolist() == np.bincount(document.mask.ravel(), minlength=3).tolist()
    )


def test_redo_past_an_undone_write_behind_the_documents_back_keeps_counts_exact():
    # Found by CountedDocument: undoing a step older than an in-place write also undoes that
    # write, so the newer record's remembered values are wrong when it is redone.
    document = LabelDocument(np.zeros((7, 9), np.uint8), 3)
    document.class_counts  # noqa: B018
    with document.step("ones"):
        document.replace(np.ones((7, 9), np.uint8))
    document.mask[0, 0] = 2
    document.recount()
    with document.step("zeros"):
        document.replace(np.zeros((7, 9), np.uint8))
    document.undo()
    document.undo()
    document.redo()
    document.redo()
    assert document.class_counts.tolist() == [63, 0, 0]
    document.undo()
    assert (
        document.class_counts.tolist() == np.bincount(document.mask.ravel(), minlength=3).tolist()
    )


footprints = arrays(np.bool_, SHAPE)
row_edges = st.integers(0, SHAPE[0])
col_edges = st.integers(0, SHAPE[1])
boxes = st.tuples(row_edges, row_edges, col_edges, col_edges).map(
    lambda t: BBox(min(t[0], t[1]), max(t[0], t[1]), min(t[2], t[3]), max(t[2], t[3]))
)
masks = arrays(np.uint8, SHAPE, elements=st.integers(0, N_CLASSES - 1))
classes = st.integers(0, N_CLASSES - 1)


class CountedDocument(RuleBasedStateMachine):
    """Random edits, undo, redo and in-place writes; counts must always equal a recount."""

    @initialize(initial=masks)
    def start(self, initial):
        self.initial = initial.copy()
        self.document = LabelDocument(initial.copy(), N_CLASSES)
        self.document.class_counts  # noqa: B018  (counts on from the start)
        self.written_in_place = False

    @rule(box=boxes, footprint=footprints, value=classes, only_where=st.none() | classes)
    def apply(self, box, footprint, value, only_where):
        self.document.apply(box, footprint[: box.height, : box.width].copy(), value, only_where)

    @rule(box=boxes, footprint=footprints, values=masks)
    def assign(self, box, footprint, values):
        part = (slice(0, box.height), slice(0, box.width))
        self.document.assign(box, values[part].copy(), footprint[part].copy())

    @rule(new=masks)
    def replace(self, new):
        with self.document.step("replace"):
            self.document.replace(new)

    @rule()
    def undo(self):
        self.document.undo()

    @rule()
    def redo(self):
        self.document.redo()

    @rule(row=st.integers(0, SHAPE[0] - 1), col=st.integers(0, SHAPE[1] - 1), value=classes)
    def write_in_place_and_recount(self, row, col, value):
        self.document.mask[row, col] = value
        self.document.recount()
        self.written_in_place = True

    @invariant()
    def counts_equal_a_recount(self):
        expected = np.bincount(self.document.mask.ravel(), minlength=N_CLASSES)
        np.testing.assert_array_equal(self.document.class_counts, expected)

    def teardown(self):
        if not self.written_in_place:
            while self.document.can_undo:
                self.document.undo()
            np.testing.assert_array_equal(self.document.mask, self.initial)


CountedDocument.TestCase.settings = settings(
    max_examples=150, stateful_step_count=30, deadline=None
)
test_counts_follow_every_edit_undo_and_redo = CountedDocument.TestCase


class CountedInstances(CountedDocument):
    """The same with instances: class and instance counts follow masked id records too."""

    @initialize(initial=masks, ids=arrays(np.uint32, SHAPE, elements=st.integers(0, 2)))
    def start(self, initial, ids):
        initial = initial.copy()
        initial[ids == 1] = 1
        initial[ids == 2] = 2
        self.initial = initial.copy()
        self.document = LabelDocument(initial, N_CLASSES)
        self.document.class_counts  # noqa: B018
        self.document.enable_instances(ids.copy(), [Instance(1, 1, "a"), Instance(2, 2, "b")])
        self.written_in_place = False

    @rule(box=boxes, footprint=footprints, instance=st.sampled_from([1, 2]))
    def paint_into_an_instance(self, box, footprint, instance):
        value = self.document.instances.get(instance).class_id
        part = footprint[: box.height, : box.width].copy()
        self.document.apply(box, part, value, instance=instance)

    @rule(row=st.integers(0, SHAPE[0] - 1), col=st.integers(0, SHAPE[1] - 1), value=classes)
    def write_in_place_and_recount(self, row, col, value):
        self.document.mask[row, col] = value
        self.document.instances.detach_mismatched(self.document.mask)
        self.document.recount()
        self.written_in_place = True

    @invariant()
    def instances_stay_consistent(self):
        assert_instance_invariant(self.document)


CountedInstances.TestCase.settings = settings(
    max_examples=100, stateful_step_count=30, deadline=None
)
test_counts_follow_instance_edits_undo_and_redo = CountedInstances.TestCase
