"""The team agreement report: each annotator's latest version, compared pair by pair."""

import numpy as np

from seg_widget.core.instances import Instance
from seg_widget.io.team import Versions, agreement_report

CLASSES = ["background", "cat", "dog"]


def test_the_report_compares_each_pairs_latest_versions(local_location):
    store = local_location.open()
    alice, bob, carol = (Versions(store, name, CLASSES) for name in ("alice", "bob", "carol"))
    first = np.array([[1, 1, 0, 0]], np.uint8)
    saved = alice.save("img", np.zeros((1, 4), np.uint8), base=None)
    saved = alice.save("img", first, base=saved.current)  # alice's latest
    saved = bob.save("img", np.array([[1, 0, 0, 0]], np.uint8), base=saved.current)
    carol.save("img", first, base=saved.current)
    bob.save("solo", first, base=None)  # one annotator: nothing to compare

    report = agreement_report(bob, ["img", "solo"])
    pairs = [(row.annotator_a, row.annotator_b) for row in report.rows]
    assert pairs == [("alice", "bob"), ("alice", "carol"), ("bob", "carol")]
    alice_carol = report.rows[1]
    assert alice_carol.kappa == 1.0 and alice_carol.iou[1] == 1.0
    assert report.rows[0].iou[1] == 0.5
    assert report.class_names == ("background", "cat", "dog")


def test_instances_are_matched_when_both_saved_objects(local_location):
    store = local_location.open()
    alice, bob = Versions(store, "alice", CLASSES), Versions(store, "bob", CLASSES)
    mask = np.array([[1, 1, 0, 2]], np.uint8)
    instances_a = np.array([[1, 1, 0, 2]], np.uint32)
    instances_b = np.array([[5, 5, 0, 0]], np.uint32)
    table_a = [Instance(1, 1, "cat"), Instance(2, 2, "dog")]
    saved = alice.save("img", mask, base=None, objects=(instances_a, table_a))
    bob.save("img", mask, base=saved.current, objects=(instances_b, [Instance(5, 1, "cat")]))
    (row,) = agreement_report(alice, ["img"]).rows
    assert row.instances.pairs == ((1, 5, 1.0),)
    assert row.instances.unmatched_a == (2,)
