"""Drafts: an annotator's unsaved edits, overwritten by each autosave, found after a kill."""

import numpy as np
import pytest

from seg_widget.core.instances import Instance
from seg_widget.io.team import CorruptRecordError, Versions
from seg_widget.io.team.drafts import Drafts

CLASSES = ["background", "cat", "dog"]


def _objects():
    mask = np.zeros((4, 5), np.uint8)
    mask[1:3, 1:3] = 2
    instance_map = np.where(mask > 0, 4, 0).astype(np.uint32)
    return mask, instance_map, (Instance(4, 2, "rex"),)


def test_a_draft_keeps_mask_objects_and_the_version_it_started_from(location):
    store = location.open()
    base = Versions(store, "alice", CLASSES).save("img", np.ones((4, 5), np.uint8), base=None)
    drafts = Drafts(store, "alice", CLASSES)
    mask, instance_map, instances = _objects()
    drafts.write("img", np.ones((4, 5), np.uint8), None, (), base=None)  # overwritten next
    drafts.write("img", mask, instance_map, instances, base=base.version.key)
    draft = drafts.read("img", (4, 5))
    np.testing.assert_array_equal(draft.mask, mask)
    np.testing.assert_array_equal(draft.instance_map, instance_map)
    assert draft.instances == instances
    assert (draft.base, draft.base_known) == (base.version.key, True)
    assert Drafts(store, "bob", CLASSES).read("img", (4, 5)) is None  # drafts are per annotator
    drafts.delete("img")
    assert drafts.read("img", (4, 5)) is None


def test_a_kill_between_data_and_record_leaves_a_draft_of_unknown_base(location):
    store = location.open()
    drafts = Drafts(store, "alice", CLASSES)
    drafts.write("img", np.ones((4, 5), np.uint8), None, (), base=None)
    first_record = store.read("drafts/img/alice.json").data
    drafts.write("img", np.full((4, 5), 2, np.uint8), None, (), base=None)
    store.put("drafts/img/alice.json", first_record)  # the second record never landed
    draft = drafts.read("img", (4, 5))
    assert draft.base_known is False
    np.testing.assert_array_equal(draft.mask, 2)  # the newest edits, not lost


def test_an_unreadable_draft_is_an_error_naming_it_and_left_alone(location):
    store = location.open()
    drafts = Drafts(store, "alice", CLASSES)
    drafts.write("img", np.ones((4, 5), np.uint8), None, (), base=None)
    store.put("drafts/img/alice.json", b"garbage")
    with pytest.raises(CorruptRecordError, match=r"'drafts/img/alice\.json' is unreadable"):
        drafts.read("img", (4, 5))
    assert store.read("drafts/img/alice.json").data == b"garbage"
    with pytest.raises(ValueError, match=r"drafts/img/alice\.npz"):
        drafts.read("img", (3, 3))  # of another size than the image
