"""Versions on a local folder and on S3: exact round trips, conflicts keep both, rebuilds."""

import numpy as np
import pytest

from seg_widget.core.instances import Instance
from seg_widget.io.team import CorruptRecordError, Versions
from seg_widget.io.team.layout import OBJECTS_SUFFIX, parse_version_key, pointer_key

CLASSES = ["background", "cat", "dog"]


def _mask(value, shape=(6, 7)):
    mask = np.zeros(shape, np.uint8)
    mask[1:4, 2:6] = value
    return mask


def test_a_saved_mask_loads_back_pixel_for_pixel(location):
    alice = Versions(location.open(), "alice", CLASSES)
    mask = np.arange(42, dtype=np.uint8).reshape(6, 7) % 3
    result = alice.save("cat 1", mask, base=None)
    assert not result.conflict
    assert result.describe() == f"saved 'cat 1' as version {result.version.key!r}"
    loaded = Versions(location.open(), "bob", CLASSES).load("cat 1")
    np.testing.assert_array_equal(loaded.mask, mask)
    assert loaded.mask.dtype == np.uint8
    assert loaded.current == result.current
    assert (loaded.current.annotator, loaded.current.labelled) == ("alice", True)
    name = parse_version_key(result.version.key)
    assert (name.stem, name.annotator, name.extension) == ("cat 1", "alice", ".png")


def test_every_save_is_a_new_version_and_the_pointer_follows(location):
    alice = Versions(location.open(), "alice", CLASSES, mask_format=".npz")
    first = alice.save("cat", _mask(1), base=None)
    second = alice.save("cat", _mask(2), base=first.current)
    assert second.current.previous == first.version.key
    assert [v.key for v in alice.history("cat")] == [first.version.key, second.version.key]
    np.testing.assert_array_equal(alice.load("cat").mask, _mask(2))
    np.testing.assert_array_equal(alice.load("cat", version=first.version.key).mask, _mask(1))


def test_objects_are_saved_and_loaded_with_their_mask(location):
    alice = Versions(location.open(), "alice", CLASSES)
    mask = _mask(1)
    instance_map = np.zeros(mask.shape, np.uint32)
    instance_map[1:4, 2:4] = 7
    instances = [Instance(7, 1, "cat <7>")]
    result = alice.save("cat", mask, base=None, objects=(instance_map, instances))
    assert result.current.objects == result.version.key[: -len(".png")] + OBJECTS_SUFFIX
    loaded = alice.load("cat")
    np.testing.assert_array_equal(loaded.objects.instance_map, instance_map)
    assert loaded.objects.instances == (Instance(7, 1, "cat <7>"),)
    np.testing.assert_array_equal(loaded.objects.mask, mask)


def test_a_conflicting_save_keeps_both_versions_and_says_so(location):
    alice = Versions(location.open(), "alice", CLASSES)
    bob = Versions(location.open(), "bob", CLASSES)
    start = alice.save("cat", _mask(1), base=None)
    # Both opened the image at `start`; bob saves first.
    bobs = bob.save("cat", _mask(2), base=start.current)
    alices = alice.save("cat", _mask(1) * 0 + 1, base=start.current)
    assert not bobs.conflict
    assert alices.conflict
    assert alices.current == bobs.current
    message = alices.describe()
    assert message.startswith("conflict on 'cat': bob saved it at ")
    assert f"yours as {alices.version.key!r}" in message
    keys = {v.key for v in alice.history("cat")}
    assert {start.version.key, bobs.version.key, alices.version.key} <= keys
    np.testing.assert_array_equal(alice.load("cat").mask, _mask(2))
    np.testing.assert_array_equal(
        alice.load("cat", version=alices.version.key).mask, _mask(1) * 0 + 1
    )


def test_a_first_save_racing_another_first_save_is_a_conflict(location):
    alice = Versions(location.open(), "alice", CLASSES)
    bob = Versions(location.open(), "bob", CLASSES)
    bob.save("cat", _mask(2), base=None)
    result = alice.save("cat", _mask(1), base=None)
    assert result.conflict and result.current.annotator == "bob"


def test_adopt_makes_the_kept_version_current_on_purpose(location):
    alice = Versions(location.open(), "alice", CLASSES)
    bob = Versions(location.open(), "bob", CLASSES)
    start = alice.save("cat", _mask(1), base=None)
    bob.save("cat", _mask(2), base=start.current)
    mine = alice.save("cat", _mask(1), base=start.current)
    adopted = alice.adopt("cat", mine.version.key, base=mine.current)
    assert not adopted.conflict
    assert adopted.current.version == mine.version.key
    np.testing.assert_array_equal(bob.load("cat").mask, _mask(1))


def test_the_current_mask_is_rebuilt_from_the_versions_when_the_pointer_is_lost(location):
    store = location.open()
    alice = Versions(store, "alice", CLASSES)
    first = alice.save("cat", _mask(1), base=None)
    second = alice.save("cat", _mask(2), base=first.current)
    store.delete(pointer_key("cat"))
    assert alice.load("cat") is None
    rebuilt = alice.rebuild("cat")
    assert rebuilt.version == second.version.key
    np.testing.assert_array_equal(alice.load("cat").mask, _mask(2))
    assert alice.rebuild("dog") is None


def test_a_corrupt_pointer_is_a_clear_error_and_rebuild_sets_it_aside(location):
    store = location.open()
    alice = Versions(store, "alice", CLASSES)
    saved = alice.save("cat", _mask(1), base=None)
    bad = b'{"format": "seg-widget-current", "version": 1, "mask": "leases/cat.json"}'
    store.put(pointer_key("cat"), bad)
    with pytest.raises(CorruptRecordError, match=r"field 'mask': expected a version key of 'cat'"):
        alice.load("cat")
    assert store.read(pointer_key("cat")).data == bad
    assert alice.rebuild("cat").version == saved.version.key
    kept = [s.key for s in store.list("corrupt/")]
    assert len(kept) == 1 and kept[0].startswith("corrupt/current/cat.json.")
    assert store.read(kept[0]).data == bad


def test_a_save_that_meets_a_corrupt_pointer_keeps_the_version_and_says_so(location):
    store = location.open()
    alice = Versions(store, "alice", CLASSES)
    first = alice.save("cat", _mask(1), base=None)
    store.put(pointer_key("cat"), b"garbage")
    with pytest.raises(CorruptRecordError, match="Your save is kept as version 'versions/cat/"):
        alice.save("cat", _mask(2), base=first.current)
    assert len(alice.history("cat")) == 2


@pytest.mark.parametrize(
    ("mask", "error", "message"),
    [
        (np.full((3, 3), 3, np.uint8), ValueError, "mask"),
        (np.zeros((3, 3), np.float32), TypeError, "mask: expected an integer"),
        (np.zeros(9, np.uint8), ValueError, "mask: expected a non-empty 2-D"),
    ],
)
def test_bad_masks_are_refused_before_anything_is_stored(local_location, mask, error, message):
    store = local_location.open()
    with pytest.raises(error, match=message):
        Versions(store, "alice", CLASSES).save("cat", mask, base=None)
    assert store.list() == []


def test_a_version_of_another_image_is_refused(local_location):
    alice = Versions(local_location.open(), "alice", CLASSES)
    other = alice.save("dog", _mask(1), base=None)
    with pytest.raises(ValueError, match="version: expected a mask version key of 'cat'"):
        alice.load("cat", version=other.version.key)
