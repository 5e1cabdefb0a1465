"""Filled regions join the one object of their class around them."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from skimage.measure import label

from seg_widget.core import quality
from seg_widget.core.bbox import BBox
from seg_widget.core.document import LabelDocument
from seg_widget.core.instance_fill import enclosing_instance_ids
from seg_widget.core.instances import Instance
from tests.core.test_instances import assert_instance_invariant


def _scene():
    # Two cats (ids 1, 2; class 1) side by side, a dog (id 3; class 2) below, holes inside.
    mask = np.array(
        [
            [1, 1, 1, 1, 1, 1],
            [1, 0, 1, 1, 0, 1],
            [1, 1, 1, 1, 1, 1],
            [2, 2, 2, 0, 0, 0],
            [2, 0, 2, 0, 0, 0],
            [2, 2, 2, 0, 0, 0],
        ],
        np.uint8,
    )
    ids = np.zeros(mask.shape, np.uint32)
    ids[:3, :3] = 1
    ids[:3, 3:] = 2
    ids[3:, :3] = 3
    ids[mask == 0] = 0
    return mask, ids


def test_a_hole_inside_one_object_joins_it():
    mask, ids = _scene()
    box = BBox.full(mask.shape)
    values = np.where(mask == 0, 1, mask)
    values[4, 1] = 2
    footprint = np.zeros(mask.shape, bool)
    footprint[1, 1] = footprint[1, 4] = footprint[4, 1] = True
    joined = enclosing_instance_ids(mask, ids, box, values, footprint)
    assert joined[1, 1] == 1 and joined[1, 4] == 2 and joined[4, 1] == 3
    assert joined[~footprint].sum() == 0


def test_a_region_between_two_objects_of_its_class_joins_none():
    mask = np.array([[1, 0, 1]], np.uint8)
    ids = np.array([[1, 0, 2]], np.uint32)
    joined = enclosing_instance_ids(
        mask, ids, BBox(0, 1, 1, 2), np.array([[1]]), np.array([[True]])
    )
    assert joined.tolist() == [[0]]


def test_only_neighbours_of_the_new_class_count():
    # The hole touches a cat (id 1) and a dog (id 5): becoming cat, it joins the cat.
    mask = np.array([[1, 0, 2]], np.uint8)
    ids = np.array([[1, 0, 5]], np.uint32)
    joined = enclosing_instance_ids(
        mask, ids, BBox(0, 1, 1, 2), np.array([[1]]), np.array([[True]])
    )
    assert joined.tolist() == [[1]]


def test_a_neighbour_of_the_class_without_an_object_blocks_the_join():
    mask = np.array([[1, 0, 1]], np.uint8)
    ids = np.array([[1, 0, 0]], np.uint32)  # the right cat pixel belongs to no object
    joined = enclosing_instance_ids(
        mask, ids, BBox(0, 1, 1, 2), np.array([[1]]), np.array([[True]])
    )
    assert joined.tolist() == [[0]]


def test_assign_with_join_writes_ids_and_is_one_undo_step():
    mask, ids = _scene()
    table = [Instance(1, 1, "a"), Instance(2, 1, "b"), Instance(3, 2, "c")]
    document = LabelDocument(mask.copy(), 3)
    document.enable_instances(ids.copy(), table)
    box = BBox(1, 2, 1, 2)
    document.assign(box, np.array([[1]]), np.array([[True]]), join=np.array([[1]], np.uint32))
    assert document.mask[1, 1] == 1 and document.instances.map[1, 1] == 1
    assert document.instances.count(1) == int((ids == 1).sum()) + 1
    document.undo()
    np.testing.assert_array_equal(document.instances.map, ids)
    np.testing.assert_array_equal(document.mask, mask)


def test_assign_refuses_a_join_to_an_object_of_another_class():
    mask, ids = _scene()
    table = [Instance(1, 1, "a"), Instance(2, 1, "b"), Instance(3, 2, "c")]
    document = LabelDocument(mask.copy(), 3)
    document.enable_instances(ids.copy(), table)
    with pytest.raises(
        ValueError, match="join: expected pixels joining instance 3 to get its class 2"
    ):
        document.assign(
            BBox(1, 2, 1, 2), np.array([[1]]), np.array([[True]]), join=np.array([[3]], np.uint32)
        )


def test_a_locked_object_does_not_grow_by_a_join():
    mask, ids = _scene()
    table = [Instance(1, 1, "a", locked=True), Instance(2, 1, "b"), Instance(3, 2, "c")]
    document = LabelDocument(mask.copy(), 3)
    document.enable_instances(ids.copy(), table)
    document.assign(
        BBox(1, 2, 1, 2), np.array([[1]]), np.array([[True]]), join=np.array([[1]], np.uint32)
    )
    assert document.mask[1, 1] == 1 and document.instances.map[1, 1] == 0


def test_a_region_of_two_new_classes_joins_an_object_of_each_class():
    # One connected edit (row 1) turns cat on the left and dog on the right; a cat object
    # (id 1) sits above the left half, a dog object (id 2) below the right half.
    mask = np.array([[1, 1, 0, 0], [0, 0, 0, 0], [0, 0, 2, 2]], np.uint8)
    ids = np.array([[1, 1, 0, 0], [0, 0, 0, 0], [0, 0, 2, 2]], np.uint32)
    values = np.array([[1, 1, 2, 2]])
    joined = enclosing_instance_ids(mask, ids, BBox(1, 2, 0, 4), values, np.ones((1, 4), bool))
    assert joined.tolist() == [[1, 1, 2, 2]]


def test_a_region_joins_no_object_of_a_class_it_does_not_get():
    # The edit's dog part touches only the cat object: it joins nothing.
    mask = np.array([[1, 1, 1, 1], [0, 0, 0, 0]], np.uint8)
    ids = np.array([[1, 1, 1, 1], [0, 0, 0, 0]], np.uint32)
    values = np.array([[1, 1, 2, 2]])
    joined = enclosing_instance_ids(mask, ids, BBox(1, 2, 0, 4), values, np.ones((1, 4), bool))
    assert joined.tolist() == [[1, 1, 0, 0]]


@settings(max_examples=60, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    fix=st.sampled_from(["smooth 3", "smooth 5", "specks", "specks 8", "holes"]),
)
def test_fixes_on_noisy_masks_whose_every_region_is_an_object_keep_the_objects(seed, fix):
    rng = np.random.default_rng(seed)
    mask = rng.integers(0, 3, (16, 16)).astype(np.uint8)
    ids = label(mask, background=0, connectivity=1).astype(np.uint32)
    table = [Instance(int(i), int(mask[ids == i][0]), f"o{i}") for i in range(1, ids.max() + 1)]
    document = LabelDocument(mask.copy(), 3)
    document.enable_instances(ids.copy(), table)
    edit = {
        "smooth 3": lambda: quality.smooth_borders(mask, 3),
        "smooth 5": lambda: quality.smooth_borders(mask, 5),
        "specks": lambda: quality.remove_specks(mask, 3),
        "specks 8": lambda: quality.remove_specks(mask, 3, connectivity=8),
        "holes": lambda: quality.fill_holes(mask, 3),
    }[fix]()
    if edit is None:
        return
    box, values, footprint = edit
    join = enclosing_instance_ids(mask, ids, box, values, footprint)
    classes = np.array([0] + [instance.class_id for instance in table])
    assert (classes[join[join > 0]] == values[join > 0]).all(), "a join to another class"
    document.assign(box, values, footprint, join=join)
    expected = mask.copy()
    expected[box.slices][footprint] = values[footprint]
    np.testing.assert_array_equal(document.mask, expected)
    assert_instance_invariant(document)
    document.undo()
    np.testing.assert_array_equal(document.mask, mask)
    np.testing.assert_array_equal(document.instances.map, ids)
