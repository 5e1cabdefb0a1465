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
    with pytest.raises(ValueError, match=re.escape("id 5 has no row")):
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
