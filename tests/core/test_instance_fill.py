"""Filled regions join the one object of their class around them."""

import numpy as np
import pytest

from seg_widget.core.bbox import BBox
from seg_widget.core.document import LabelDocument
from seg_widget.core.instance_fill import enclosing_instance_ids
from seg_widget.core.instances import Instance


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
