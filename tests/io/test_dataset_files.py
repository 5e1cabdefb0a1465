"""A dataset image's mask and objects: one unit, never colliding, conflicts refused."""

import os

import numpy as np
import pytest
from PIL import Image

from seg_widget.core.instances import Instance
from seg_widget.io import ConflictError, atomic, load_mask, save_mask
from seg_widget.io.annotation_files import save_annotation_file
from seg_widget.io.dataset_index import DatasetIndex

CLASSES = ["unlabelled", "cell", "debris"]
SHAPE = (6, 8)


def _scene(name="cell 1", debris_at=(5, 7)):
    mask = np.zeros(SHAPE, np.uint8)
    mask[1:3, 1:3] = 1
    mask[debris_at] = 2
    ids = np.zeros(SHAPE, np.uint32)
    ids[1:3, 1:3] = 1
    return mask, ids, (Instance(1, 1, name),)


def _write(index, scene, **kwargs):
    mask, ids, table = scene
    return index.write(0, mask, CLASSES, ids, table, **kwargs)


@pytest.fixture
def images(tmp_path):
    folder = tmp_path / "images"
    folder.mkdir()
    for stem in ("a", "b"):
        Image.fromarray(np.zeros(SHAPE, np.uint8)).save(folder / f"{stem}.png")
    return folder


def test_a_save_with_objects_reads_back_whole(images, tmp_path):
    index = DatasetIndex(images, tmp_path / "masks")
    mask, ids, table = _scene()
    index.write(0, mask, CLASSES, ids, table)
    stored = DatasetIndex(images, tmp_path / "masks").read(0, CLASSES)
    np.testing.assert_array_equal(stored.mask, mask)
    np.testing.assert_array_equal(stored.instance_map, ids)
    assert stored.instances == table and stored.problem is None


def test_objects_files_never_collide_with_another_images_mask(tmp_path):
    images = tmp_path / "images"
    images.mkdir()
    for stem in ("a", "a.objects"):  # a.objects.npz would be both a's old objects file
        Image.fromarray(np.zeros(SHAPE, np.uint8)).save(images / f"{stem}.png")  # and a mask
    masks = tmp_path / "masks"
    index = DatasetIndex(images, masks, mask_format=".npz")
    other = np.full(SHAPE, 2, np.uint8)
    index.write(index.position_of("a.objects.png"), other, CLASSES)
    mask, ids, table = _scene()
    position = index.position_of("a.png")
    index.write(position, mask, CLASSES, ids, table)
    index.write(position, mask, CLASSES, ids, (Instance(1, 1, "renamed"),))
    index.write(position, mask, CLASSES)  # without objects: removes a's objects files
    np.testing.assert_array_equal(load_mask(masks / "a.objects.npz"), other)
    assert list((masks / "objects").iterdir()) == []


def test_generated_paths_are_outside_the_flat_mask_namespace(images, tmp_path):
    index = DatasetIndex(images, tmp_path / "masks")
    mask, ids, table = _scene()
    index.write(0, mask, CLASSES, ids, table)
    beside = index.write_beside(0, mask, CLASSES, ids, table)
    written = sorted(p.relative_to(tmp_path / "masks") for p in (tmp_path / "masks").rglob("*"))
    flat = [p for p in written if len(p.parts) == 1 and not p.name.startswith(".")]
    assert [str(p) for p in flat] == ["a.png", "conflicts", "objects"]
    assert os.path.dirname(beside).endswith("conflicts")


def test_a_second_annotator_cannot_overwrite_a_save_it_did_not_see(images, tmp_path):
    first, second = (
        DatasetIndex(images, tmp_path / "masks"),
        DatasetIndex(images, tmp_path / "masks"),
    )
    seen_by_first, seen_by_second = first.read(0, CLASSES), second.read(0, CLASSES)
    mask, ids, table = _scene("first's")
    first.write(0, mask, CLASSES, ids, table, expected=seen_by_first.version)
    theirs = _scene("second's", debris_at=(0, 7))
    with pytest.raises(ConflictError, match=r"a\.png' appeared on disk since") as caught:
        _write(second, theirs, expected=seen_by_second.version)
    assert caught.value.path.endswith("a.png")
    assert first.read(0, CLASSES).instances[0].name == "first's"  # nothing was written
    _write(second, theirs, expected=None)  # overwriting on purpose
    assert first.read(0, CLASSES).instances[0].name == "second's"


def test_an_objects_only_change_on_disk_is_a_conflict_too(images, tmp_path):
    first, second = (
        DatasetIndex(images, tmp_path / "masks"),
        DatasetIndex(images, tmp_path / "masks"),
    )
    mask, ids, table = _scene()
    version = first.write(0, mask, CLASSES, ids, table)
    seen = second.read(0, CLASSES).version
    second.write(0, mask, CLASSES, ids, (Instance(1, 1, "renamed by second"),), expected=seen)
    with pytest.raises(ConflictError, match=r"objects/a\.[0-9a-f]{16}\.npz' changed on disk"):
        first.write(0, mask, CLASSES, ids, (Instance(1, 1, "renamed by first"),), expected=version)


def test_the_same_pixels_rewritten_by_another_tool_are_no_conflict(images, tmp_path):
    index = DatasetIndex(images, tmp_path / "masks")
    mask, ids, table = _scene()
    version = index.write(0, mask, CLASSES, ids, table)
    save_mask(tmp_path / "masks" / "a.png", mask, CLASSES)  # same bytes, a new file
    version = index.write(0, mask, CLASSES, ids, (Instance(1, 1, "again"),), expected=version)
    assert index.read(0, CLASSES).instances[0].name == "again"


def test_a_mask_edited_elsewhere_drops_its_stale_objects_with_a_problem(images, tmp_path):
    index = DatasetIndex(images, tmp_path / "masks")
    mask, ids, table = _scene()
    index.write(0, mask, CLASSES, ids, table)
    save_mask(tmp_path / "masks" / "a.png", np.zeros(SHAPE, np.uint8), CLASSES)
    stored = index.read(0, CLASSES)
    assert stored.instance_map is None and not stored.mask.any()
    assert "objects were saved with another version of the mask" in stored.problem


def test_a_crash_after_the_objects_before_the_mask_keeps_the_last_save(
    images, tmp_path, monkeypatch
):
    index = DatasetIndex(images, tmp_path / "masks")
    old = _scene("old")
    _write(index, old)
    new = _scene("new", debris_at=(0, 0))
    real_replace = os.replace

    def crash_on_the_mask(source, target):
        if target.endswith("a.png"):
            raise OSError("killed before the mask")
        real_replace(source, target)

    monkeypatch.setattr(atomic.os, "replace", crash_on_the_mask)
    with pytest.raises(OSError, match="killed before the mask"):
        _write(index, new)
    monkeypatch.undo()
    stored = DatasetIndex(images, tmp_path / "masks").read(0, CLASSES)
    np.testing.assert_array_equal(stored.mask, old[0])
    assert stored.instances == old[2] and stored.problem is None


def test_opening_removes_dead_temporaries_of_our_pattern_only(images, tmp_path):
    masks = tmp_path / "masks"
    (masks / "objects").mkdir(parents=True)
    dead = [masks / ".a.png.0badc0de.tmp", masks / "objects" / ".a.0123.npz.deadbeef.tmp"]
    kept = [masks / "notes.tmp", masks / ".a.png.tmp", masks / ".a.png.XYZ12345.tmp"]
    for path in dead + kept:
        path.write_bytes(b"x")
    index = DatasetIndex(images, masks)
    assert sorted(index.removed_temporaries) == [
        ".a.png.0badc0de.tmp",
        "objects/.a.0123.npz.deadbeef.tmp",
    ]
    assert [p.exists() for p in dead] == [False, False]
    assert all(p.exists() for p in kept)


def test_a_live_writers_temporary_survives_an_open(images, tmp_path):
    masks = tmp_path / "masks"
    masks.mkdir()
    with atomic.atomic_writer(masks / "a.png", "wb") as file:
        file.write(b"in progress")
        (live,) = masks.glob(".a.png.*.tmp")
        assert DatasetIndex(images, masks).removed_temporaries == []
        assert live.exists()
    assert (masks / "a.png").read_bytes() == b"in progress"


def test_objects_of_the_previous_layout_are_still_read(images, tmp_path):
    masks = tmp_path / "masks"
    masks.mkdir()
    mask, ids, table = _scene()
    save_mask(masks / "a.png", mask, CLASSES)
    save_annotation_file(masks / "a.objects.npz", mask, CLASSES, instance_map=ids, instances=table)
    index = DatasetIndex(images, masks)
    assert index.read(0, CLASSES).instances == table
    version = index.read(0, CLASSES).version
    index.write(0, mask, CLASSES, ids, table, expected=version)
    assert not (masks / "a.objects.npz").exists()
    assert index.read(0, CLASSES).instances == table
