"""Instances: the instance map and table kept by `LabelDocument`, and their commands."""

import itertools
import re

import numpy as np
import pytest

from seg_widget.core import BBox, LabelDocument
from seg_widget.core.instances import Instance, InstanceLayer

#: Class 2 is a part-class of class 1 (a face of a person); class 0 is unlabelled.
PARENTS = [-1, -1, 1]
#: person (1) > face (2) > eye (3): a chain of three part levels.
CHAIN = [-1, -1, 1, 2]


# -- helpers ---------------------------------------------------------------------------------


def assert_instance_invariant(document: LabelDocument) -> None:
    """The invariant every edit, undo and redo must keep (see `seg_widget.core.instances`)."""
    layer = document.instances
    assert layer is not None
    mask, ids, table = document.mask, layer.map, layer.table
    assert ids.shape == mask.shape
    assert ids.dtype == np.uint32
    assert not ((ids > 0) & (mask == 0)).any(), "a pixel has an instance and class 0"
    in_map = set(np.unique(ids[ids > 0]).tolist())
    assert in_map <= set(table), f"ids {in_map - set(table)} are in the map, not the table"
    for instance_id, instance in table.items():
        assert instance.id == instance_id
        pixels = ids == instance_id
        assert (mask[pixels] == instance.class_id).all(), f"instance {instance_id}: class"
        assert layer.count(instance_id) == np.count_nonzero(pixels), f"count of {instance_id}"
        box = layer.box(instance_id)
        if pixels.any():
            assert box is not None
            outside = pixels.copy()
            outside[box.slices] = False
            assert not outside.any(), f"box {box} of {instance_id} misses pixels"
        else:
            assert box is None
        if instance.parent is not None:
            assert instance.parent in table, f"parent of {instance_id} is gone"
            assert instance.parent != instance_id
    expected_counts = np.bincount(mask.ravel(), minlength=document.n_classes)
    np.testing.assert_array_equal(document.class_counts, expected_counts)


def _document(ids, classes, *, semantic=None, names=None, parents=None, class_parents=PARENTS):
    """A document whose instance ``k`` (1-based) has class ``classes[k - 1]`` and pixels
    ``ids == k``; ``semantic`` gives the classes of the other pixels. History is cleared."""
    ids = np.array(ids, np.uint32)
    mask = np.zeros(ids.shape, np.uint8) if semantic is None else np.array(semantic, np.uint8)
    mask[ids > 0] = 0
    document = LabelDocument(mask, len(class_parents), class_parents=np.array(class_parents))
    document.enable_instances()
    for k, class_id in enumerate(classes, start=1):
        added = document.add_instance(class_id, name=None if names is None else names[k - 1])
        assert added.id == k
        document.apply(BBox.full(ids.shape), ids == k, class_id, instance=k)
    for child, parent in (parents or {}).items():
        document.update_instance(child, parent=parent)
    document.history.clear()
    np.testing.assert_array_equal(document.instances.map, ids)
    assert_instance_invariant(document)
    return document


def _everywhere(document):
    return BBox.full(document.mask.shape), np.ones(document.mask.shape, bool)


def _state(document):
    layer = document.instances
    ids = None if layer is None else layer.map.copy()
    table = None if layer is None else layer.table
    return document.mask.copy(), ids, table


def _assert_state(document, state):
    mask, ids, table = state
    now = _state(document)
    np.testing.assert_array_equal(now[0], mask)
    if ids is None:
        assert now[1] is None
    else:
        np.testing.assert_array_equal(now[1], ids)
    assert now[2] == table


def _assert_arrays(document, mask, ids):
    np.testing.assert_array_equal(document.mask, np.array(mask))
    np.testing.assert_array_equal(document.instances.map, np.array(ids))


# -- Instance and InstanceLayer --------------------------------------------------------------


def test_instance_defaults_and_protection():
    instance = Instance(3, 1, "cat")
    assert (instance.visible, instance.locked, instance.parent) == (True, False, None)
    assert not instance.protected
    assert Instance(3, 1, "cat", locked=True).protected
    assert Instance(3, 1, "cat", visible=False).protected


def test_layer_counts_and_boxes_its_map():
    ids = np.array([[0, 1, 1], [0, 0, 2]], np.uint32)
    layer = InstanceLayer(ids, [Instance(1, 1, "a"), Instance(2, 1, "b")])
    assert layer.map is ids
    assert (layer.count(1), layer.count(2), layer.count(7)) == (2, 1, 0)
    assert layer.box(1) == BBox(0, 1, 1, 3)
    assert layer.box(2) == BBox(1, 2, 2, 3)
    assert layer.box(7) is None
    box, footprint = layer.region(1)
    assert box == BBox(0, 1, 1, 3)
    np.testing.assert_array_equal(footprint, [[True, True]])
    assert layer.next_id() == 3
    assert layer.instances == (Instance(1, 1, "a"), Instance(2, 1, "b"))


def test_layer_refuses_a_map_that_is_not_uint32():
    with pytest.raises(TypeError, match=r"^instance_map: expected a uint32 array; got int64$"):
        InstanceLayer(np.zeros((2, 2), np.int64))


def test_layer_table_is_a_copy():
    layer = InstanceLayer(np.zeros((1, 1), np.uint32), [Instance(1, 1, "a")])
    layer.table.clear()
    assert layer.table == {1: Instance(1, 1, "a")}


def test_layer_get_names_the_known_ids():
    layer = InstanceLayer(np.zeros((1, 1), np.uint32), [Instance(1, 1, "a"), Instance(4, 1, "b")])
    assert layer.get(4) == Instance(4, 1, "b")
    message = "instance: expected the id of an instance (known: 1, 4); got 5"
    with pytest.raises(KeyError, match=re.escape(message)):
        layer.get(5)
    empty = InstanceLayer(np.zeros((1, 1), np.uint32))
    with pytest.raises(KeyError, match=re.escape("(known: none); got 1")):
        empty.get(1)


def test_layer_children_descendants_and_protected_ids():
    table = [
        Instance(1, 1, "person"),
        Instance(2, 2, "face", parent=1),
        Instance(3, 3, "eye", parent=2, visible=False),
        Instance(4, 1, "other", locked=True),
    ]
    layer = InstanceLayer(np.zeros((1, 1), np.uint32), table)
    assert layer.children(1) == (2,)
    assert layer.descendants(1) == (2, 3)
    assert layer.descendants(3) == ()
    np.testing.assert_array_equal(layer.protected_ids, [3, 4])
    assert layer.protected_ids.dtype == np.uint32


def test_box_may_stay_large_after_erasing_but_region_is_tight():
    document = _document([[1, 1, 1, 1]], [1])
    document.apply(BBox(0, 1, 0, 3), np.ones((1, 3), bool), 0)
    layer = document.instances
    assert layer.count(1) == 1
    assert layer.box(1) is not None and layer.box(1).col1 == 4
    box, footprint = layer.region(1)
    assert box == BBox(0, 1, 3, 4)
    np.testing.assert_array_equal(footprint, [[True]])
    assert layer.box(1) == BBox(0, 1, 3, 4)


# -- without instances -------------------------------------------------------------------------


def test_a_document_has_no_instances_until_asked():
    document = LabelDocument(np.zeros((2, 3), np.uint8), 3)
    assert document.instances is None
    assert document.apply(BBox(0, 1, 0, 3), np.ones((1, 3), bool), 2) == BBox(0, 1, 0, 3)
    assert document.history.nbytes == 2  # the mask diff alone: one uint8 value per side
    document.assign(BBox(1, 2, 0, 3), np.array([[1, 0, 1]]), np.ones((1, 3), bool))
    document.replace(np.ones((2, 3), np.uint8))
    document.undo()
    document.undo()
    np.testing.assert_array_equal(document.mask, [[2, 2, 2], [0, 0, 0]])
    document.redo()
    np.testing.assert_array_equal(document.mask, [[2, 2, 2], [1, 0, 1]])
    assert document.instances is None


def test_enable_instances_starts_an_empty_layer_once_and_is_not_undoable():
    document = LabelDocument(np.zeros((2, 3), np.uint8), 3)
    layer = document.enable_instances()
    assert document.instances is layer
    np.testing.assert_array_equal(layer.map, np.zeros((2, 3), np.uint32))
    assert layer.map.dtype == np.uint32
    assert layer.table == {}
    assert document.enable_instances() is layer
    assert not document.can_undo


def test_enable_instances_owns_the_given_map_and_table():
    mask = np.array([[1, 1, 0]], np.uint8)
    document = LabelDocument(mask, 3)
    ids = np.array([[1, 2, 0]], np.uint32)
    layer = document.enable_instances(ids, [Instance(1, 1, "a"), Instance(2, 1, "b")])
    assert layer.map is ids
    assert (layer.count(1), layer.count(2)) == (1, 1)
    assert_instance_invariant(document)


@pytest.mark.parametrize(
    ("ids", "table", "message"),
    [
        (
            [[1, 0, 0]],
            [Instance(1, 2, "class 2 on class-1 pixels")],
            "instances: expected every pixel of instance 1 to have its class 2; got class 1",
        ),
        (
            [[0, 0, 1]],
            [Instance(1, 1, "on an unlabelled pixel")],
            "instances: expected every pixel of instance 1 to have its class 1; got class 0",
        ),
        (
            [[1, 0, 0]],
            [],
            "instances: expected every id of the map in the table; id 1 has no row",
        ),
    ],
    ids=["wrong class", "class 0", "id not in the table"],
)
def test_enable_instances_refuses_a_map_that_disagrees_with_the_mask(ids, table, message):
    # Its docstring: "It must agree with the class mask: see ... check_consistent".
    document = LabelDocument(np.array([[1, 1, 0]], np.uint8), 3)
    with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
        document.enable_instances(np.array(ids, np.uint32), table)
    assert document.instances is None


def test_add_instance_turns_instances_on_and_is_one_undo_step():
    document = LabelDocument(np.zeros((2, 2), np.uint8), 3)
    assert document.add_instance(1) == Instance(1, 1, "instance 1")
    assert document.add_instance(2, name="cat") == Instance(2, 2, "cat")
    assert document.instances.table == {1: Instance(1, 1, "instance 1"), 2: Instance(2, 2, "cat")}
    assert document.undo() is None  # only the list changed
    assert document.instances.table == {1: Instance(1, 1, "instance 1")}
    document.undo()
    assert document.instances.table == {}
    assert not document.can_undo
    document.redo()
    document.redo()
    assert document.instances.table == {1: Instance(1, 1, "instance 1"), 2: Instance(2, 2, "cat")}
    assert document.history.undo_name == "new instance"


def test_new_ids_follow_the_largest_id_in_use():
    document = _document([[1, 2, 0]], [1, 1])
    document.delete_instances([1])
    assert document.add_instance(1).id == 3
    document.delete_instances([2, 3])
    assert document.add_instance(1).id == 1


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        (
            {"class_id": 0},
            ValueError,
            "class_id: expected a class id >= 1 (0 is unlabelled); got 0",
        ),
        ({"class_id": 3}, ValueError, "class_id: expected a class id in [0, 3); got 3"),
        ({"class_id": True}, TypeError, "class_id: expected a class id (int); got bool"),
        ({"class_id": 1.0}, TypeError, "class_id: expected a class id (int); got float"),
        ({"class_id": 1, "name": "  "}, ValueError, "name: expected a non-empty name; got '  '"),
        ({"class_id": 1, "name": 3}, TypeError, "name: expected a str; got int"),
        # The message of the (unreachable) branch of _check_parent for a document without any.
        (
            {"class_id": 2, "parent": 1},
            ValueError,
            "parent: expected an instance id; there are none; got 1",
        ),
    ],
    ids=["class 0", "class 3", "bool class", "float class", "blank name", "int name", "parent"],
)
def test_a_refused_add_instance_changes_nothing(kwargs, error, message):
    document = LabelDocument(np.zeros((2, 2), np.uint8), 3)
    with pytest.raises(error, match=f"^{re.escape(message)}$"):
        document.add_instance(**kwargs)
    assert document.instances is None
    assert not document.can_undo


# -- apply and assign with instances -------------------------------------------------------------


def test_apply_with_an_instance_gives_its_class_and_id():
    document = _document([[0, 0, 0], [0, 0, 0]], [1])
    footprint = np.array([[1, 1, 0], [0, 1, 0]], bool)
    assert document.apply(BBox(0, 2, 0, 3), footprint, 1, instance=1) == BBox(0, 2, 0, 2)
    _assert_arrays(document, [[1, 1, 0], [0, 1, 0]], [[1, 1, 0], [0, 1, 0]])
    assert document.instances.count(1) == 3
    assert document.instances.box(1) == BBox(0, 2, 0, 2)
    assert_instance_invariant(document)


def test_apply_with_an_instance_over_its_class_only_changes_ids():
    document = _document([[0, 0]], [1], semantic=[[1, 1]])
    assert document.apply(BBox(0, 1, 1, 2), np.ones((1, 1), bool), 1, instance=1) == BBox(
        0, 1, 1, 2
    )
    _assert_arrays(document, [[1, 1]], [[0, 1]])
    document.undo()
    _assert_arrays(document, [[1, 1]], [[0, 0]])
    assert_instance_invariant(document)


def test_apply_without_an_instance_keeps_ids_only_where_the_class_stays():
    document = _document([[1, 1, 0, 0], [1, 1, 0, 0]], [1], semantic=[[0, 0, 2, 0], [0, 0, 2, 0]])
    bbox, everywhere = _everywhere(document)
    assert document.apply(bbox, everywhere, 1) == BBox(0, 2, 2, 4)
    _assert_arrays(document, [[1, 1, 1, 1], [1, 1, 1, 1]], [[1, 1, 0, 0], [1, 1, 0, 0]])
    assert document.apply(BBox(0, 1, 0, 4), np.ones((1, 4), bool), 2) == BBox(0, 1, 0, 4)
    _assert_arrays(document, [[2, 2, 2, 2], [1, 1, 1, 1]], [[0, 0, 0, 0], [1, 1, 0, 0]])
    assert document.instances.count(1) == 2
    assert_instance_invariant(document)


def test_painting_with_an_instance_takes_pixels_from_another_of_its_class():
    document = _document([[1, 2, 2]], [1, 1])
    document.apply(BBox(0, 1, 1, 2), np.ones((1, 1), bool), 1, instance=1)
    _assert_arrays(document, [[1, 1, 1]], [[1, 1, 2]])
    assert (document.instances.count(1), document.instances.count(2)) == (2, 1)
    document.apply(BBox(0, 1, 2, 3), np.ones((1, 1), bool), 1, instance=1)
    assert document.instances.count(2) == 0
    assert document.instances.box(2) is None
    assert 2 in document.instances  # an empty instance stays in the table
    assert_instance_invariant(document)


def test_erasing_clears_classes_and_ids():
    document = _document([[1, 1, 2], [1, 0, 2]], [1, 2], semantic=[[0, 0, 0], [0, 1, 0]])
    assert document.apply(BBox(0, 2, 1, 3), np.ones((2, 2), bool), 0) == BBox(0, 2, 1, 3)
    _assert_arrays(document, [[1, 0, 0], [1, 0, 0]], [[1, 0, 0], [1, 0, 0]])
    assert document.instances.count(2) == 0
    assert_instance_invariant(document)


def test_erasing_with_an_instance_given_clears_them_too():
    document = _document([[1, 1]], [1])
    document.apply(BBox(0, 1, 0, 1), np.ones((1, 1), bool), 0, instance=1)
    _assert_arrays(document, [[0, 1]], [[0, 1]])


def test_only_instance_restricts_the_edit_to_its_pixels():
    document = _document([[1, 1, 2, 2, 0]], [1, 1], semantic=[[0, 0, 0, 0, 1]])
    bbox, everywhere = _everywhere(document)
    assert document.apply(bbox, everywhere, 0, only_instance=2) == BBox(0, 1, 2, 4)
    _assert_arrays(document, [[1, 1, 0, 0, 1]], [[1, 1, 0, 0, 0]])
    assert document.apply(bbox, everywhere, 2, only_instance=1) == BBox(0, 1, 0, 2)
    _assert_arrays(document, [[2, 2, 0, 0, 1]], [[0, 0, 0, 0, 0]])
    assert_instance_invariant(document)


def test_preserve_mode_paints_only_unlabelled_pixels_into_the_instance():
    document = _document([[1, 0, 0, 0]], [1], semantic=[[0, 2, 0, 1]])
    bbox, everywhere = _everywhere(document)
    assert document.apply(bbox, everywhere, 1, only_where=0, instance=1) == BBox(0, 1, 2, 3)
    _assert_arrays(document, [[1, 2, 1, 1]], [[1, 0, 1, 0]])
    assert_instance_invariant(document)


def test_erase_with_only_where_clears_only_that_class():
    document = _document([[1, 2, 0]], [1, 2], semantic=[[0, 0, 1]])
    bbox, everywhere = _everywhere(document)
    assert document.apply(bbox, everywhere, 0, only_where=1) == BBox(0, 1, 0, 3)
    _assert_arrays(document, [[0, 2, 0]], [[0, 2, 0]])


def test_apply_refuses_an_instance_of_another_class_and_changes_nothing():
    document = _document([[1, 0]], [1])
    before = _state(document)
    message = (
        "instance: expected an instance of class 2 (the value painted); got instance 1 of class 1"
    )
    with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
        document.apply(BBox(0, 1, 0, 2), np.ones((1, 2), bool), 2, instance=1)
    _assert_state(document, before)
    assert not document.can_undo


def test_apply_with_instances_is_one_undo_step_for_mask_and_map():
    document = _document([[1, 2, 0, 0]], [1, 2])
    before = _state(document)
    bbox, everywhere = _everywhere(document)
    assert document.apply(bbox, everywhere, 1, instance=1) == BBox(0, 1, 1, 4)
    after = _state(document)
    _assert_arrays(document, [[1, 1, 1, 1]], [[1, 1, 1, 1]])
    assert document.undo() == BBox(0, 1, 1, 4)
    _assert_state(document, before)
    assert not document.can_undo
    assert document.redo() == BBox(0, 1, 1, 4)
    _assert_state(document, after)
    assert_instance_invariant(document)


def test_apply_that_changes_nothing_records_nothing():
    document = _document([[1, 1]], [1])
    bbox, everywhere = _everywhere(document)
    assert document.apply(bbox, everywhere, 1, instance=1) is None
    assert document.apply(bbox, everywhere, 1) is None
    assert not document.can_undo


def test_assign_with_an_instance_joins_the_pixels_of_its_class():
    document = _document([[0, 0, 0, 2]], [2, 1])
    bbox, everywhere = _everywhere(document)
    values = np.array([[2, 1, 2, 0]])
    assert document.assign(bbox, values, everywhere, instance=1) == BBox(0, 1, 0, 4)
    _assert_arrays(document, [[2, 1, 2, 0]], [[1, 0, 1, 0]])
    assert_instance_invariant(document)


def test_assign_without_an_instance_keeps_ids_only_where_the_class_stays():
    document = _document([[1, 1, 2]], [1, 2])
    bbox, everywhere = _everywhere(document)
    document.assign(bbox, np.array([[1, 2, 2]]), everywhere)
    _assert_arrays(document, [[1, 2, 2]], [[1, 0, 2]])
    assert_instance_invariant(document)


def test_replace_drops_ids_of_pixels_whose_class_changes_even_when_locked():
    document = _document([[1, 1, 0]], [1])
    document.update_instance(1, locked=True)
    assert document.replace(np.array([[2, 1, 2]], np.uint8)) == BBox(0, 1, 0, 3)
    _assert_arrays(document, [[2, 1, 2]], [[0, 1, 0]])
    assert_instance_invariant(document)
    document.undo()
    _assert_arrays(document, [[1, 1, 0]], [[1, 1, 0]])
    assert_instance_invariant(document)


# -- locked and hidden instances ---------------------------------------------------------------

# Instance 1 (class 1) in columns 0-1, instance 2 (class 1) in columns 2-3 (the one
# protected), column 4 unlabelled; each edit reaches every pixel.
PROTECTED_IDS = [[1, 1, 2, 2, 0], [1, 1, 2, 2, 0]]
SHAPE = (2, 5)
ALL = (BBox.full(SHAPE), np.ones(SHAPE, bool))

EDITS = {
    # name: (edit, whether it changes instance 2's pixels when unprotected)
    "overwrite": (lambda d: d.apply(*ALL, 2), True),
    "overwrite into instance 1": (lambda d: d.apply(*ALL, 1, instance=1), True),
    "overwrite, only instance 2": (lambda d: d.apply(*ALL, 2, only_instance=2), True),
    "preserve into instance 1": (lambda d: d.apply(*ALL, 1, only_where=0, instance=1), False),
    "preserve, only instance 2": (
        lambda d: d.apply(*ALL, 1, only_where=0, only_instance=2),
        False,
    ),
    "erase": (lambda d: d.apply(*ALL, 0), True),
    "erase the class": (lambda d: d.apply(*ALL, 0, only_where=1), True),
    "erase with an instance": (lambda d: d.apply(*ALL, 0, instance=1), True),
    "erase, only instance 2": (lambda d: d.apply(*ALL, 0, only_instance=2), True),
    "erase the class, only instance 2": (
        lambda d: d.apply(*ALL, 0, only_where=1, only_instance=2),
        True,
    ),
    "assign": (lambda d: d.assign(ALL[0], np.full(SHAPE, 2), ALL[1]), True),
    "assign into instance 1": (
        lambda d: d.assign(ALL[0], np.full(SHAPE, 1), ALL[1], instance=1),
        True,
    ),
    "assign, erase the class": (
        lambda d: d.assign(ALL[0], np.zeros(SHAPE, np.int64), ALL[1], only_where=1),
        True,
    ),
    "assign mixed": (
        lambda d: d.assign(ALL[0], np.array([[0, 1, 2, 0, 1], [2, 1, 0, 1, 1]]), ALL[1]),
        True,
    ),
}


@pytest.mark.parametrize("protection", [{"locked": True}, {"visible": False}], ids=str)
@pytest.mark.parametrize("edit", EDITS, ids=str)
def test_edits_never_change_pixels_of_a_locked_or_hidden_instance(edit, protection):
    run, touches_instance_2 = EDITS[edit]
    open_document = _document(PROTECTED_IDS, [1, 1])
    start = _state(open_document)
    run(open_document)
    expected_mask, expected_ids = open_document.mask.copy(), open_document.instances.map.copy()
    changed_2 = (expected_mask != start[0]) | (expected_ids != start[1])
    assert changed_2[:, 2:4].any() == touches_instance_2  # the edit is a real threat
    expected_mask[:, 2:4] = start[0][:, 2:4]
    expected_ids[:, 2:4] = start[1][:, 2:4]

    document = _document(PROTECTED_IDS, [1, 1])
    document.update_instance(2, **protection)
    protected_start = _state(document)
    returned = run(document)
    _assert_arrays(document, expected_mask, expected_ids)
    assert_instance_invariant(document)
    changed = (document.mask != protected_start[0]) | (document.instances.map != start[1])
    rows, cols = np.nonzero(changed)
    tight = BBox(rows.min(), rows.max() + 1, cols.min(), cols.max() + 1) if rows.size else None
    assert returned == tight


@pytest.mark.parametrize("protection", [{"locked": True}, {"visible": False}], ids=str)
def test_painting_over_a_protected_instance_changes_nothing(protection):
    document = _document([[1, 1, 2]], [1, 2])
    document.update_instance(1, **protection)
    document.apply(BBox(0, 1, 0, 3), np.ones((1, 3), bool), 2)
    _assert_arrays(document, [[1, 1, 2]], [[1, 1, 2]])


def test_unlocking_lets_edits_through_again():
    document = _document([[1, 1]], [1])
    document.update_instance(1, locked=True)
    bbox, everywhere = _everywhere(document)
    assert document.apply(bbox, everywhere, 0) is None
    document.undo()  # the lock
    assert not document.instances.get(1).locked
    assert document.apply(bbox, everywhere, 0) == BBox(0, 1, 0, 2)
    _assert_arrays(document, [[0, 0]], [[0, 0]])


def _locked_family():
    """Instances a (1), b (1, locked) and c (2, a part of a); one pixel each."""
    document = _document([[1, 2, 3]], [1, 1, 2], names=["a", "b", "c"], parents={3: 1})
    document.update_instance(2, locked=True)
    document.history.clear()
    return document


@pytest.mark.parametrize(
    ("command", "message"),
    [
        (
            lambda d: d.delete_instances([2]),
            "instance_ids: cannot delete locked instances 2 ('b'); unlock first",
        ),
        (
            lambda d: d.delete_instances([1, 2]),
            "instance_ids: cannot delete locked instances 2 ('b'); unlock first",
        ),
        (
            lambda d: d.merge_instances([1, 2]),
            "instance_ids: cannot merge locked instances 2 ('b'); unlock first",
        ),
        (
            lambda d: d.merge_instances([2, 1]),
            "instance_ids: cannot merge locked instances 2 ('b'); unlock first",
        ),
        # The prefix is not asserted: it names instance_ids, the argument is instance_id.
        (lambda d: d.split_instance(2), "cannot split locked instances 2 ('b'); unlock first"),
        (
            lambda d: d.update_instance(2, class_id=2),
            "instance_id: instance 2 ('b') is locked; unlock it to change its class",
        ),
        (
            lambda d: d.update_instance(2, class_id=2, locked=True),
            "instance_id: instance 2 ('b') is locked; unlock it to change its class",
        ),
    ],
    ids=[
        "delete",
        "delete with others",
        "merge into",
        "merge from",
        "split",
        "class",
        "class, still locked",
    ],
)
def test_commands_refuse_to_change_a_locked_instance(command, message):
    document = _locked_family()
    before = _state(document)
    with pytest.raises(ValueError, match=re.escape(message) + "$"):
        command(document)
    _assert_state(document, before)
    assert not document.can_undo


def test_deleting_an_instance_with_a_locked_part_is_refused():
    document = _locked_family()
    document.update_instance(2, locked=False)
    document.update_instance(3, locked=True)
    before = _state(document)
    with pytest.raises(
        ValueError, match=r"^instance_ids: cannot delete locked instances 3 \('c'\); unlock first$"
    ):
        document.delete_instances([1])
    _assert_state(document, before)


def test_split_of_a_locked_instance_in_pieces_is_refused():
    document = _document([[1, 0, 1]], [1], names=["a"])
    document.update_instance(1, locked=True)
    before = _state(document)
    with pytest.raises(ValueError, match=r"cannot split locked instances 1 \('a'\); unlock first$"):
        document.split_instance(1)
    _assert_state(document, before)


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"name": "bee"}, Instance(2, 1, "bee", locked=True)),
        ({"visible": False}, Instance(2, 1, "b", visible=False, locked=True)),
        ({"locked": False}, Instance(2, 1, "b")),
    ],
    ids=str,
)
def test_a_locked_instance_can_be_renamed_hidden_and_unlocked(changes, expected):
    document = _locked_family()
    before = _state(document)
    document.update_instance(2, **changes)
    assert document.instances.get(2) == expected
    np.testing.assert_array_equal(document.mask, before[0])
    np.testing.assert_array_equal(document.instances.map, before[1])
    document.undo()
    _assert_state(document, before)
    assert not document.can_undo


def test_unlocking_and_changing_the_class_at_once_is_allowed():
    document = _locked_family()
    document.update_instance(2, class_id=2, locked=False)
    assert document.instances.get(2) == Instance(2, 2, "b")
    _assert_arrays(document, [[1, 2, 2]], [[1, 2, 3]])
    assert_instance_invariant(document)


# -- update_instance ---------------------------------------------------------------------------


def test_changing_the_class_rewrites_its_pixels_in_one_step():
    document = _document([[1, 1, 2, 0]], [1, 1], semantic=[[0, 0, 0, 2]])
    before = _state(document)
    assert document.update_instance(1, class_id=2) == BBox(0, 1, 0, 2)
    _assert_arrays(document, [[2, 2, 1, 2]], [[1, 1, 2, 0]])
    assert document.instances.get(1) == Instance(1, 2, "instance 1")
    assert_instance_invariant(document)
    after = _state(document)
    assert document.undo() == BBox(0, 1, 0, 2)
    _assert_state(document, before)
    assert_instance_invariant(document)
    assert not document.can_undo
    document.redo()
    _assert_state(document, after)


def test_changing_the_class_of_a_hidden_instance_rewrites_its_pixels():
    document = _document([[1, 0]], [1])
    document.update_instance(1, visible=False)
    document.update_instance(1, class_id=2)
    _assert_arrays(document, [[2, 0]], [[1, 0]])
    assert_instance_invariant(document)


def test_renaming_returns_no_region():
    document = _document([[1]], [1])
    assert document.update_instance(1, name="cat") is None
    assert document.instances.get(1).name == "cat"
    assert document.history.undo_name == "edit instance"


def test_hiding_returns_the_instance_box_and_undo_shows_it_again():
    document = _document([[0, 1, 1], [0, 0, 1]], [1])
    assert document.update_instance(1, visible=False) == BBox(0, 2, 1, 3)
    assert document.instances.get(1).visible is False
    np.testing.assert_array_equal(document.instances.protected_ids, [1])
    assert document.undo() == BBox(0, 2, 1, 3)
    assert document.instances.get(1).visible is True
    assert document.instances.protected_ids.size == 0
    assert document.redo() == BBox(0, 2, 1, 3)
    assert document.instances.get(1).visible is False
    assert document.update_instance(1, visible=True) == BBox(0, 2, 1, 3)


def test_hiding_an_empty_instance_returns_none():
    document = _document([[0]], [1])
    assert document.update_instance(1, visible=False) is None
    assert document.undo() is None
    assert document.instances.get(1).visible is True


def test_locking_changes_no_region():
    document = _document([[1]], [1])
    assert document.update_instance(1, locked=True) is None
    assert document.instances.get(1).locked is True


# -- merge ---------------------------------------------------------------------------------------


def test_merge_keeps_the_first_id_class_and_name():
    document = _document([[1, 1, 2, 3]], [1, 1, 2], names=["a", "b", "c"])
    before = _state(document)
    assert document.merge_instances([2, 3, 1]) == BBox(0, 1, 0, 4)
    _assert_arrays(document, [[1, 1, 1, 1]], [[2, 2, 2, 2]])
    assert document.instances.table == {2: Instance(2, 1, "b")}
    assert document.instances.count(2) == 4
    assert_instance_invariant(document)
    after = _state(document)
    document.undo()
    _assert_state(document, before)
    assert_instance_invariant(document)
    assert not document.can_undo
    document.redo()
    _assert_state(document, after)
    assert_instance_invariant(document)


def test_merge_gives_parts_of_the_merged_to_the_first_when_their_class_allows():
    # a (1), b (1), p (2, part of b), q (2, part of a)
    document = _document(
        [[1, 2, 3, 4]], [1, 1, 2, 2], names=["a", "b", "p", "q"], parents={3: 2, 4: 1}
    )
    document.merge_instances([1, 2])
    assert document.instances.table == {
        1: Instance(1, 1, "a"),
        3: Instance(3, 2, "p", parent=1),
        4: Instance(4, 2, "q", parent=1),
    }
    _assert_arrays(document, [[1, 1, 2, 2]], [[1, 1, 3, 4]])


def test_merge_makes_parts_top_level_when_their_class_does_not_allow():
    document = _document(
        [[1, 2, 3, 4]], [1, 1, 2, 2], names=["a", "b", "p", "q"], parents={3: 2, 4: 1}
    )
    document.merge_instances([3, 1])  # a becomes a part-class pixel of p; q loses its parent
    assert document.instances.table == {
        2: Instance(2, 1, "b"),
        3: Instance(3, 2, "p", parent=2),
        4: Instance(4, 2, "q"),
    }
    _assert_arrays(document, [[2, 1, 2, 2]], [[3, 2, 3, 4]])
    assert_instance_invariant(document)


def test_merging_a_part_with_its_parent_leaves_it_top_level():
    document = _document([[1, 2]], [1, 2], names=["a", "p"], parents={2: 1})
    document.merge_instances([2, 1])
    assert document.instances.table == {2: Instance(2, 2, "p")}
    _assert_arrays(document, [[2, 2]], [[2, 2]])
    assert_instance_invariant(document)


def test_merge_with_an_empty_instance_still_merges_the_table():
    document = _document([[1, 0]], [1, 1])
    assert document.merge_instances([1, 2]) is None  # 2 has no pixels
    assert document.instances.table == {1: Instance(1, 1, "instance 1")}
    document.undo()
    assert set(document.instances.table) == {1, 2}


@pytest.mark.parametrize("ids", [[1], [1, 1], []])
def test_merge_needs_two_distinct_instances(ids):
    document = _document([[1, 2]], [1, 1])
    message = f"instance_ids: expected at least 2 distinct instance ids; got {sorted(set(ids))}"
    with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
        document.merge_instances(ids)
    assert not document.can_undo


# -- split ---------------------------------------------------------------------------------------


def test_split_keeps_the_id_for_the_largest_piece_and_names_the_others():
    document = _document([[1, 1, 0, 1], [0, 2, 0, 1], [1, 0, 0, 1]], [1, 2], names=["a", "z"])
    before = _state(document)
    assert document.split_instance(1) == (1, 3, 4)
    _assert_arrays(
        document,
        [[1, 1, 0, 1], [0, 2, 0, 1], [1, 0, 0, 1]],
        [[3, 3, 0, 1], [0, 2, 0, 1], [4, 0, 0, 1]],
    )
    assert document.instances.table == {
        1: Instance(1, 1, "a"),
        2: Instance(2, 2, "z"),
        3: Instance(3, 1, "a #2"),
        4: Instance(4, 1, "a #3"),
    }
    assert_instance_invariant(document)
    assert document.history.undo_name == "split instance"
    after = _state(document)
    document.undo()
    _assert_state(document, before)
    assert_instance_invariant(document)
    assert not document.can_undo
    document.redo()
    _assert_state(document, after)


@pytest.mark.parametrize(
    ("connectivity", "pieces", "ids"),
    [(8, (1,), [[1, 0], [0, 1]]), (4, (1, 2), [[1, 0], [0, 2]])],
)
def test_split_connectivity_decides_whether_diagonal_pixels_touch(connectivity, pieces, ids):
    document = _document([[1, 0], [0, 1]], [1])
    assert document.split_instance(1, connectivity=connectivity) == pieces
    np.testing.assert_array_equal(document.instances.map, ids)
    assert document.can_undo == (len(pieces) > 1)
    if len(pieces) > 1:
        assert document.instances.get(2) == Instance(2, 1, "instance 1 #2")
    assert_instance_invariant(document)


def test_split_default_connectivity_is_8():
    document = _document([[1, 0], [0, 1]], [1])
    assert document.split_instance(1) == (1,)


def test_split_of_an_empty_or_whole_instance_records_nothing():
    document = _document([[2, 2]], [1, 1])
    assert document.split_instance(1) == (1,)
    assert document.split_instance(2) == (2,)
    assert not document.can_undo


def test_split_pieces_of_a_hidden_instance_stay_hidden():
    document = _document([[1, 0, 1, 1]], [1])
    document.update_instance(1, visible=False)
    assert document.split_instance(1) == (1, 2)
    assert document.instances.get(2) == Instance(2, 1, "instance 1 #2", visible=False)
    np.testing.assert_array_equal(document.instances.map, [[2, 0, 1, 1]])


def test_split_keeps_the_parts_on_the_kept_piece():
    document = _document([[1, 0, 1, 1, 2]], [1, 2], parents={2: 1})
    document.split_instance(1)
    assert document.instances.get(2).parent == 1
    assert_instance_invariant(document)


def test_split_pieces_keep_the_parent_and_visibility_but_not_the_lock():
    document = _document([[1, 2, 0, 2, 2]], [1, 2], names=["person", "face"], parents={2: 1})
    document.update_instance(2, visible=False)
    assert document.split_instance(2) == (2, 3)
    assert document.instances.get(3) == Instance(3, 2, "face #2", visible=False, parent=1)
    np.testing.assert_array_equal(document.instances.map, [[1, 3, 0, 2, 2]])
    assert_instance_invariant(document)


@pytest.mark.parametrize("connectivity", [0, 6, True, "8"])
def test_split_refuses_other_connectivities(connectivity):
    document = _document([[1]], [1])
    with pytest.raises(
        ValueError, match=rf"^connectivity: expected 4 or 8; got {re.escape(repr(connectivity))}$"
    ):
        document.split_instance(1, connectivity=connectivity)


# -- delete --------------------------------------------------------------------------------------


def test_delete_removes_the_instance_with_its_parts_and_unlabels_their_pixels():
    # person 1 > face 2 > eye 3; person 4 alone.
    document = _document(
        [[1, 2, 3, 4], [1, 0, 0, 4]],
        [1, 2, 3, 1],
        semantic=[[0, 0, 0, 0], [0, 3, 1, 0]],
        parents={2: 1, 3: 2},
        class_parents=CHAIN,
    )
    before = _state(document)
    assert document.delete_instances([1]) == BBox(0, 2, 0, 3)
    _assert_arrays(document, [[0, 0, 0, 1], [0, 3, 1, 1]], [[0, 0, 0, 4], [0, 0, 0, 4]])
    assert document.instances.table == {4: Instance(4, 1, "instance 4")}
    assert_instance_invariant(document)
    after = _state(document)
    document.undo()
    _assert_state(document, before)
    assert_instance_invariant(document)
    assert not document.can_undo
    document.redo()
    _assert_state(document, after)


def test_delete_of_a_part_keeps_its_parent():
    document = _document([[1, 2, 3]], [1, 2, 3], parents={2: 1, 3: 2}, class_parents=CHAIN)
    assert document.delete_instances(2) == BBox(0, 1, 1, 3)  # a single id is accepted
    assert set(document.instances.table) == {1}
    _assert_arrays(document, [[1, 0, 0]], [[1, 0, 0]])


def test_delete_of_several_instances_is_one_step():
    document = _document([[1, 2, 3]], [1, 1, 2])
    before = _state(document)
    assert document.delete_instances([3, 1]) == BBox(0, 1, 0, 3)
    _assert_arrays(document, [[0, 1, 0]], [[0, 2, 0]])
    document.undo()
    _assert_state(document, before)
    assert not document.can_undo


def test_delete_of_a_hidden_instance_is_allowed():
    document = _document([[1, 1]], [1])
    document.update_instance(1, visible=False)
    assert document.delete_instances([1]) == BBox(0, 1, 0, 2)
    _assert_arrays(document, [[0, 0]], [[0, 0]])


# -- parents -------------------------------------------------------------------------------------


def test_a_part_is_added_under_an_instance_of_an_ancestor_class():
    document = _document([[1, 0]], [1])
    assert document.add_instance(2, parent=1) == Instance(2, 2, "instance 2", parent=1)
    document.undo()
    assert set(document.instances.table) == {1}


def test_a_part_can_be_added_under_a_grandparent_class():
    document = _document([[1, 0]], [1], class_parents=CHAIN)
    assert document.add_instance(3, parent=1).parent == 1


@pytest.mark.parametrize(
    ("class_parents", "class_id", "parent_classes", "message"),
    [
        (
            PARENTS,
            1,
            [1],
            "parent: expected an instance of an ancestor class of class 1; "
            "got instance 1 of class 1",
        ),
        (
            PARENTS,
            2,
            [2],
            "parent: expected an instance of an ancestor class of class 2; "
            "got instance 1 of class 2",
        ),
        (
            PARENTS,
            1,
            [2],
            "parent: expected an instance of an ancestor class of class 1; "
            "got instance 1 of class 2",
        ),
        (
            [-1, -1, -1],
            2,
            [1],
            "parent: expected an instance of an ancestor class of class 2; "
            "got instance 1 of class 1",
        ),
    ],
    ids=["same class", "same part class", "child class", "no hierarchy"],
)
def test_add_instance_refuses_a_parent_of_a_class_that_is_not_a_strict_ancestor(
    class_parents, class_id, parent_classes, message
):
    document = _document([[1]], parent_classes, class_parents=class_parents)
    before = _state(document)
    with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
        document.add_instance(class_id, parent=1)
    _assert_state(document, before)
    assert not document.can_undo


def test_an_instance_cannot_be_its_own_parent():
    document = _document([[1]], [1])
    message = (
        "parent: instance 1 is instance 1 or one of its parts; an object cannot be a part of itself"
    )
    with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
        document.update_instance(1, parent=1)
    assert document.instances.get(1).parent is None


def test_an_instance_cannot_be_a_part_of_its_own_part():
    document = _document([[1, 2, 3]], [1, 2, 3], parents={2: 1, 3: 2}, class_parents=CHAIN)
    before = _state(document)
    message = (
        "parent: instance 3 is instance 1 or one of its parts; an object cannot be a part of itself"
    )
    with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
        document.update_instance(1, parent=3)
    _assert_state(document, before)
    assert not document.can_undo


def test_reparenting_is_one_step():
    document = _document([[1, 2, 3]], [1, 1, 2], parents={3: 1})
    document.update_instance(3, parent=2)
    assert document.instances.get(3).parent == 2
    document.update_instance(3, parent=None)
    assert document.instances.get(3).parent is None
    document.undo()
    assert document.instances.get(3).parent == 2
    document.undo()
    assert document.instances.get(3).parent == 1
    assert not document.can_undo


@pytest.mark.parametrize(
    ("instance_id", "class_id", "message"),
    [
        (2, 1, "class_id: class 1 is not under class 1 of the parent instance 1"),
        (1, 2, "class_id: part 2 ('face') of class 2 would not be under class 2"),
    ],
    ids=["part out of its parent", "parent under its part"],
)
def test_a_class_change_that_breaks_the_nesting_is_refused(instance_id, class_id, message):
    document = _document([[1, 2]], [1, 2], names=["person", "face"], parents={2: 1})
    before = _state(document)
    with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
        document.update_instance(instance_id, class_id=class_id)
    _assert_state(document, before)
    assert not document.can_undo


def test_a_detached_part_can_change_class():
    document = _document([[1, 2]], [1, 2], parents={2: 1})
    document.update_instance(2, parent=None, class_id=1)
    assert document.instances.get(2) == Instance(2, 1, "instance 2")
    _assert_arrays(document, [[1, 1]], [[1, 2]])
    document.undo()
    assert document.instances.get(2) == Instance(2, 2, "instance 2", parent=1)
    _assert_arrays(document, [[1, 2]], [[1, 2]])


# -- every command is one undo step --------------------------------------------------------------


def test_a_bare_assign_with_instances_is_one_undo_step():
    document = _document([[1, 2, 0]], [1, 2])
    before = _state(document)
    bbox, everywhere = _everywhere(document)
    assert document.assign(bbox, np.array([[2, 1, 1]]), everywhere) == BBox(0, 1, 0, 3)
    after = _state(document)
    _assert_arrays(document, [[2, 1, 1]], [[0, 0, 0]])
    document.undo()
    _assert_state(document, before)
    assert not document.can_undo
    document.redo()
    _assert_state(document, after)


def test_every_command_is_one_undo_step_and_undo_redo_are_exact():
    document = LabelDocument(np.zeros((3, 4), np.uint8), 3, class_parents=np.array(PARENTS))
    document.enable_instances()
    states = [_state(document)]

    def record():
        assert_instance_invariant(document)
        states.append(_state(document))

    a = document.add_instance(1, name="a").id
    record()
    footprint = np.array([[1, 1, 0, 0], [0, 0, 0, 0], [0, 0, 0, 1]], bool)
    with document.step("paint"):
        document.apply(BBox(0, 3, 0, 4), footprint, 1, instance=a)
    record()
    b = document.add_instance(1, name="b").id
    record()
    with document.step("paint"):
        document.apply(BBox(1, 2, 0, 2), np.ones((1, 2), bool), 1, instance=b)
    record()
    document.update_instance(b, name="bee", class_id=2)
    record()
    document.merge_instances([a, b])
    record()
    assert document.split_instance(a) == (a, 2)
    record()
    c = document.add_instance(2, name="c", parent=a).id
    record()
    with document.step("paint"):
        document.apply(BBox(2, 3, 3, 4), np.ones((1, 1), bool), 2, instance=c)
    record()
    document.update_instance(a, visible=False)
    record()
    document.delete_instances([a])
    record()
    assert document.instances.table == {2: Instance(2, 1, "a #2")}

    for expected in reversed(states[:-1]):
        document.undo()
        _assert_state(document, expected)
        assert_instance_invariant(document)
    assert not document.can_undo
    for expected in states[1:]:
        document.redo()
        _assert_state(document, expected)
        assert_instance_invariant(document)
    assert not document.can_redo


# -- bad arguments -------------------------------------------------------------------------------


_CASES = itertools.count(1)


def _bad(call, error, message):
    return pytest.param(call, error, message, id=f"{next(_CASES)}: {message}")


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        # unknown ids
        _bad(
            lambda d: d.update_instance(9, name="x"),
            KeyError,
            "instance_id: expected the id of an instance (known: 1, 2); got 9",
        ),
        _bad(
            lambda d: d.split_instance(9),
            KeyError,
            "instance_id: expected the id of an instance (known: 1, 2); got 9",
        ),
        _bad(
            lambda d: d.delete_instances([1, 9]),
            KeyError,
            "instance_ids: expected the id of an instance (known: 1, 2); got 9",
        ),
        _bad(
            lambda d: d.merge_instances([1, 9]),
            KeyError,
            "instance_ids: expected the id of an instance (known: 1, 2); got 9",
        ),
        _bad(
            lambda d: d.add_instance(2, parent=9),
            KeyError,
            "parent: expected the id of an instance (known: 1, 2); got 9",
        ),
        _bad(
            lambda d: d.update_instance(2, parent=9),
            KeyError,
            "parent: expected the id of an instance (known: 1, 2); got 9",
        ),
        _bad(
            lambda d: d.apply(BBox(0, 1, 0, 1), np.ones((1, 1), bool), 1, instance=9),
            KeyError,
            "instance: expected the id of an instance (known: 1, 2); got 9",
        ),
        _bad(
            lambda d: d.apply(BBox(0, 1, 0, 1), np.ones((1, 1), bool), 0, only_instance=9),
            KeyError,
            "only_instance: expected the id of an instance (known: 1, 2); got 9",
        ),
        _bad(
            lambda d: d.assign(
                BBox(0, 1, 0, 1), np.ones((1, 1), np.int64), np.ones((1, 1), bool), instance=9
            ),
            KeyError,
            "instance: expected the id of an instance (known: 1, 2); got 9",
        ),
        # id 0
        _bad(
            lambda d: d.update_instance(0, name="x"),
            ValueError,
            "instance_id: expected an instance id >= 1; got 0",
        ),
        _bad(
            lambda d: d.split_instance(0),
            ValueError,
            "instance_id: expected an instance id >= 1; got 0",
        ),
        _bad(
            lambda d: d.delete_instances([0]),
            ValueError,
            "instance_ids: expected an instance id >= 1; got 0",
        ),
        _bad(
            lambda d: d.merge_instances([1, 0]),
            ValueError,
            "instance_ids: expected an instance id >= 1; got 0",
        ),
        _bad(
            lambda d: d.add_instance(2, parent=0),
            ValueError,
            "parent: expected an instance id >= 1; got 0",
        ),
        _bad(
            lambda d: d.apply(BBox(0, 1, 0, 1), np.ones((1, 1), bool), 1, instance=0),
            ValueError,
            "instance: expected an instance id >= 1; got 0",
        ),
        _bad(
            lambda d: d.apply(BBox(0, 1, 0, 1), np.ones((1, 1), bool), 0, only_instance=-1),
            ValueError,
            "only_instance: expected an instance id >= 1; got -1",
        ),
        # bool ids
        _bad(
            lambda d: d.update_instance(True, name="x"),
            TypeError,
            "instance_id: expected an instance id (int); got bool",
        ),
        _bad(
            lambda d: d.split_instance(True),
            TypeError,
            "instance_id: expected an instance id (int); got bool",
        ),
        _bad(
            lambda d: d.delete_instances([True]),
            TypeError,
            "instance_ids: expected an instance id (int); got bool",
        ),
        _bad(
            lambda d: d.merge_instances([1, True]),
            TypeError,
            "instance_ids: expected an instance id (int); got bool",
        ),
        _bad(
            lambda d: d.add_instance(2, parent=True),
            TypeError,
            "parent: expected an instance id (int); got bool",
        ),
        _bad(
            lambda d: d.apply(BBox(0, 1, 0, 1), np.ones((1, 1), bool), 1, instance=True),
            TypeError,
            "instance: expected an instance id (int); got bool",
        ),
        _bad(
            lambda d: d.apply(BBox(0, 1, 0, 1), np.ones((1, 1), bool), 0, only_instance=False),
            TypeError,
            "only_instance: expected an instance id (int); got bool",
        ),
        # wrong types
        _bad(
            lambda d: d.update_instance(1.0, name="x"),
            TypeError,
            "instance_id: expected an instance id (int); got float",
        ),
        _bad(
            lambda d: d.delete_instances(["1"]),
            TypeError,
            "instance_ids: expected an instance id (int); got str",
        ),
        _bad(
            lambda d: d.delete_instances(None),
            TypeError,
            "instance_ids: expected",
        ),
        _bad(
            lambda d: d.apply(BBox(0, 1, 0, 1), np.ones((1, 1), bool), 1, instance="1"),
            TypeError,
            "instance: expected an instance id (int); got str",
        ),
        _bad(
            lambda d: d.update_instance(1, visible=1),
            TypeError,
            "visible: expected True or False; got 1",
        ),
        _bad(
            lambda d: d.update_instance(1, locked="no"),
            TypeError,
            "locked: expected True or False; got 'no'",
        ),
        _bad(
            lambda d: d.update_instance(1, name=None),
            TypeError,
            "name: expected a str; got NoneType",
        ),
        _bad(
            lambda d: d.update_instance(1, name=""),
            ValueError,
            "name: expected a non-empty name; got ''",
        ),
        _bad(
            lambda d: d.update_instance(1, class_id=0),
            ValueError,
            "class_id: expected a class id >= 1 (0 is unlabelled); got 0",
        ),
        _bad(
            lambda d: d.update_instance(1, class_id=5),
            ValueError,
            "class_id: expected a class id in [0, 3); got 5",
        ),
        _bad(
            lambda d: d.update_instance(1, class_id=True),
            TypeError,
            "class_id: expected a class id (int); got bool",
        ),
    ],
)
def test_bad_arguments_are_refused_naming_the_argument(call, error, message):
    document = _document([[1, 2]], [1, 1])
    before = _state(document)
    with pytest.raises(error, match=f"^'?{re.escape(message)}"):
        call(document)
    _assert_state(document, before)
    assert not document.can_undo


@pytest.mark.parametrize(
    ("call", "message"),
    [
        pytest.param(lambda d: d.update_instance(1, name="x"), "instance_id: ", id="update"),
        pytest.param(lambda d: d.split_instance(1), "instance_id: ", id="split"),
        pytest.param(lambda d: d.delete_instances([1]), "instance_ids: ", id="delete"),
        pytest.param(lambda d: d.merge_instances([1, 2]), "instance_ids: ", id="merge"),
        pytest.param(
            lambda d: d.apply(BBox(0, 1, 0, 1), np.ones((1, 1), bool), 1, instance=1),
            "instance: ",
            id="apply instance",
        ),
        pytest.param(
            lambda d: d.apply(BBox(0, 1, 0, 1), np.ones((1, 1), bool), 0, only_instance=1),
            "only_instance: ",
            id="apply only_instance",
        ),
        pytest.param(
            lambda d: d.assign(
                BBox(0, 1, 0, 1), np.ones((1, 1), np.int64), np.ones((1, 1), bool), instance=1
            ),
            "instance: ",
            id="assign instance",
        ),
    ],
)
def test_instance_arguments_without_instances_are_refused_naming_the_argument(call, message):
    document = LabelDocument(np.zeros((1, 2), np.uint8), 3)
    with pytest.raises(
        ValueError, match=f"^{re.escape(message)}there are no instances yet \\(add one first\\)$"
    ):
        call(document)
    assert document.instances is None
    assert not document.can_undo
    np.testing.assert_array_equal(document.mask, [[0, 0]])


@pytest.mark.parametrize("big_id", [5, 2**21], ids=["compact ids", "an id past the lookup table"])
def test_counts_and_boxes_of_a_loaded_map_match_a_brute_force_count(big_id):
    rng = np.random.default_rng(3)
    ids = rng.integers(0, 6, (40, 50)).astype(np.uint32)
    ids[ids == 5] = big_id
    layer = InstanceLayer(ids, [Instance(int(i), 1, str(i)) for i in np.unique(ids) if i])
    for instance_id in np.unique(ids[ids > 0]).tolist():
        rows, cols = np.nonzero(ids == instance_id)
        assert layer.count(instance_id) == rows.size
        expected = BBox(rows.min(), rows.max() + 1, cols.min(), cols.max() + 1)
        assert layer.box(instance_id) == expected
