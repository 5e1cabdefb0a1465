"""Whole annotations (class mask + instance map + table) in one .npz."""

import re

import numpy as np
import pytest

from seg_widget.core.instances import Instance
from seg_widget.io.instance_files import load_annotation, save_annotation
from seg_widget.io.masks import load_mask, save_mask

TABLE = [
    Instance(2, 1, "person 2", visible=False),
    Instance(5, 2, "face 5", locked=True, parent=2),
]


def _scene():
    mask = np.array([[0, 1, 1], [2, 2, 0]], np.uint8)
    ids = np.array([[0, 2, 2], [5, 5, 0]], np.uint32)
    return mask, ids


def test_round_trip_keeps_every_field(tmp_path):
    mask, ids = _scene()
    path = tmp_path / "a.npz"
    save_annotation(path, mask, ids, TABLE)
    loaded = load_annotation(path)
    np.testing.assert_array_equal(loaded.mask, mask)
    np.testing.assert_array_equal(loaded.instance_map, ids)
    assert loaded.instance_map.dtype == np.uint32
    assert loaded.instances == tuple(TABLE)


def test_the_file_is_a_plain_mask_npz_for_other_tools(tmp_path):
    mask, ids = _scene()
    path = tmp_path / "a.npz"
    save_annotation(path, mask, ids, TABLE)
    np.testing.assert_array_equal(load_mask(path), mask)
    with np.load(path, allow_pickle=False) as archive:
        assert archive["instance_name"].tolist() == ["person 2", "face 5"]
        assert archive["instance_parent"].tolist() == [-1, 2]


def test_a_semantic_mask_file_has_no_instances(tmp_path):
    path = tmp_path / "m.npz"
    save_mask(path, np.ones((2, 2), np.uint8), ["bg", "a"])
    loaded = load_annotation(path)
    assert loaded.instance_map is None and loaded.instances == ()


def test_only_npz_is_accepted(tmp_path):
    mask, ids = _scene()
    with pytest.raises(ValueError, match=r"path: expected a file name ending in \.npz"):
        save_annotation(tmp_path / "a.png", mask, ids, TABLE)


def test_a_map_id_without_a_table_row_is_refused(tmp_path):
    mask, ids = _scene()
    path = tmp_path / "a.npz"
    save_annotation(path, mask, ids, TABLE[:1])
    with pytest.raises(ValueError, match=re.escape("instance id 5 of the map has no table row")):
        load_annotation(path)


def test_a_parent_missing_from_the_table_is_refused(tmp_path):
    mask, ids = _scene()
    path = tmp_path / "a.npz"
    save_annotation(path, mask, np.where(ids == 2, 0, ids).astype(np.uint32), TABLE[1:])
    with pytest.raises(ValueError, match=re.escape("instances [5] have a parent not in the table")):
        load_annotation(path)


def test_a_broken_file_is_named(tmp_path):
    path = tmp_path / "broken.npz"
    path.write_bytes(b"not a zip")
    with pytest.raises(ValueError, match=r"cannot read an \.npz archive from .*broken\.npz"):
        load_annotation(path)


def _write_table(path, mask, ids, **columns):
    """An .npz as save_annotation writes it, with some columns replaced."""
    table = {
        "instance_id": np.array([2, 5], np.int64),
        "instance_class": np.array([1, 2], np.int64),
        "instance_name": np.array(["person 2", "face 5"]),
        "instance_visible": np.array([True, True]),
        "instance_locked": np.array([False, False]),
        "instance_parent": np.array([-1, 2], np.int64),
    }
    table.update(columns)
    np.savez_compressed(path, mask=mask, instances=ids, **table)


def test_ids_beyond_uint32_are_refused_instead_of_wrapping(tmp_path):
    mask, _ = _scene()
    big = 2**32 + 2  # would wrap to 2 in a uint32 map: two objects merged
    ids = np.array([[0, 2, 2], [big, big, 0]], np.int64)
    path = tmp_path / "a.npz"
    _write_table(path, mask, ids, instance_id=np.array([2, big]), instance_parent=np.array([-1, 2]))
    with pytest.raises(
        ValueError, match=r"expected instance ids in 1\.\.4294967295; got \[4294967298\]"
    ):
        load_annotation(path)


def test_a_map_id_beyond_uint32_is_refused(tmp_path):
    mask, ids = _scene()
    path = tmp_path / "a.npz"
    _write_table(path, mask, ids.astype(np.int64) * 2**31)
    with pytest.raises(
        ValueError, match=r"expected instance ids in 0\.\.4294967295 in 'instances'"
    ):
        load_annotation(path)


def test_parent_cycles_are_refused(tmp_path):
    mask, ids = _scene()
    path = tmp_path / "a.npz"
    _write_table(path, mask, ids, instance_parent=np.array([5, 2]))
    with pytest.raises(ValueError, match="expected parents without cycles; instance 2 is its own"):
        load_annotation(path)


def test_an_object_that_is_its_own_parent_is_refused(tmp_path):
    mask, ids = _scene()
    path = tmp_path / "a.npz"
    _write_table(path, mask, ids, instance_parent=np.array([-1, 5]))
    with pytest.raises(ValueError, match="instance 5 is its own ancestor"):
        load_annotation(path)


def test_an_empty_object_of_class_0_is_refused(tmp_path):
    mask, ids = _scene()
    path = tmp_path / "a.npz"
    _write_table(
        path,
        mask,
        ids,
        instance_id=np.array([2, 5, 9]),
        instance_class=np.array([1, 2, 0]),
        instance_name=np.array(["a", "b", "empty"]),
        instance_visible=np.ones(3, bool),
        instance_locked=np.zeros(3, bool),
        instance_parent=np.array([-1, -1, -1]),
    )
    with pytest.raises(
        ValueError, match="an object is never unlabelled\\); got instance 9 of class 0"
    ):
        load_annotation(path)


def test_an_object_of_a_class_the_schema_lacks_is_refused(tmp_path):
    mask, ids = _scene()
    path = tmp_path / "a.npz"
    save_annotation(path, mask, ids, TABLE)
    with pytest.raises(ValueError, match=r"'mask' in .*expected class ids < 2"):
        load_annotation(path, n_classes=2)
    empty = tmp_path / "empty.npz"
    _write_table(
        empty,
        np.zeros_like(mask),
        np.zeros_like(ids),
        instance_class=np.array([1, 7]),
        instance_parent=np.array([-1, -1]),
    )
    with pytest.raises(ValueError, match=r"expected every object's class in 1\.\.2 .* class 7"):
        load_annotation(empty, n_classes=3)


def test_a_file_is_validated_whole_before_the_widget_changes(tmp_path):
    import seg_widget as sw

    mask, ids = _scene()
    path = tmp_path / "a.npz"
    _write_table(path, mask, ids, instance_parent=np.array([5, 2]))
    w = sw.SegmentationWidget(np.zeros((2, 3)), classes=["bg", "person", "face"])
    w.paint_stroke([(0, 0)], label=2, brush_size=1)
    before = w.mask.copy()
    with pytest.raises(ValueError, match="cycles"):
        w.load(path)
    np.testing.assert_array_equal(w.mask, before)
    assert w.instances == ()


def test_the_table_columns_must_have_one_length_and_their_kinds(tmp_path):
    mask, ids = _scene()
    path = tmp_path / "a.npz"
    _write_table(path, mask, ids, instance_locked=np.array([False]))
    with pytest.raises(ValueError, match="the instance table columns differ in length"):
        load_annotation(path)
    _write_table(path, mask, ids, instance_name=np.array([1.5, 2.5]))
    with pytest.raises(ValueError, match=r"'instance_name' in .*expected a 1-D column of kind 'U'"):
        load_annotation(path)


def test_an_object_pixel_of_another_class_is_refused_naming_it(tmp_path):
    mask, ids = _scene()
    mask[1, 0] = 1  # a pixel of instance 5 (class 2) painted class 1 by another tool
    path = tmp_path / "a.npz"
    save_annotation(path, mask, ids, TABLE)
    with pytest.raises(ValueError, match="instance 5 to have its class 2; got class 1 at row 1"):
        load_annotation(path)


def test_huge_ids_are_checked_against_the_table_too(tmp_path):
    mask, ids = _scene()
    big = ids.astype(np.uint32)
    big[big == 5] = 4_000_000_000
    table = [TABLE[0], Instance(4_000_000_000, 2, "face", parent=2)]
    path = tmp_path / "a.npz"
    save_annotation(path, mask, big, table)
    assert load_annotation(path).instances[1].id == 4_000_000_000
    mask[1, 0] = 1
    save_annotation(path, mask, big, table)
    with pytest.raises(ValueError, match="instance 4000000000 to have its class 2; got class 1"):
        load_annotation(path)
