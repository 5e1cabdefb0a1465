"""Review statuses on a local folder and on S3: done, accepted, rejected, notes kept."""

import threading

import pytest

from seg_widget.io.team import Catalog, CorruptRecordError, Reviews
from seg_widget.io.team.layout import review_key


def test_done_then_rejected_with_a_note_then_done_again_then_accepted(location):
    alice = Reviews(location.open(), "alice")
    rita = Reviews(location.open(), "rita")
    assert alice.status("cat") is None
    alice.mark_done("cat", version="versions/cat/20260101T000000.000000Z-alice-abcdef.png")
    rejected = rita.reject("cat", "the tail is missing")
    assert (rejected.state, rejected.annotator, rejected.reviewer) == ("rejected", "alice", "rita")
    assert rejected.note == "the tail is missing"
    alice.mark_done("cat", note="tail added")
    accepted = rita.accept("cat")
    status = Reviews(location.open(), "someone").status("cat")
    assert status == accepted
    assert [(e.state, e.by, e.note) for e in status.history] == [
        ("done", "alice", ""),
        ("rejected", "rita", "the tail is missing"),
        ("done", "alice", "tail added"),
        ("accepted", "rita", ""),
    ]


def test_rejected_for_me_lists_only_my_rejected_images(location):
    store = location.open()
    alice, bob, rita = Reviews(store, "alice"), Reviews(store, "bob"), Reviews(store, "rita")
    for stem in ("a1", "a2", "a3"):
        alice.mark_done(stem)
    bob.mark_done("b1")
    rita.reject("a1", "fix the border")
    rita.accept("a2")
    rita.reject("b1", "wrong class")
    states = Catalog(location.open(), "alice").scan()
    assert Catalog.rejected_for("alice", states) == ["a1"]
    assert Catalog.rejected_for("bob", states) == ["b1"]
    assert states["a1"].note == "fix the border"


def test_a_review_needs_something_marked_done_and_a_rejection_needs_a_note(location):
    rita = Reviews(location.open(), "rita")
    with pytest.raises(ValueError, match="cannot be accepted: it was not marked done yet"):
        rita.accept("cat")
    Reviews(location.open(), "alice").mark_done("cat")
    with pytest.raises(ValueError, match="note: expected a note saying what to fix"):
        rita.reject("cat", "   ")
    assert rita.status("cat").state == "done"


def test_simultaneous_changes_are_applied_one_after_the_other(location):
    Reviews(location.open(), "alice").mark_done("cat")
    reviewers = [Reviews(location.open(), name) for name in ("rita", "ruth", "rosa")]
    barrier = threading.Barrier(len(reviewers))

    def review(reviewer):
        barrier.wait()
        reviewer.reject("cat", f"note by {reviewer.user}")

    threads = [threading.Thread(target=review, args=(r,)) for r in reviewers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    history = Reviews(location.open(), "alice").status("cat").history
    assert sorted(e.note for e in history[1:]) == ["note by rita", "note by rosa", "note by ruth"]


def test_a_corrupt_review_record_is_a_clear_error_and_repair_keeps_it(location):
    store = location.open()
    bad = b'{"format": "seg-widget-review", "version": 1, "state": "maybe"}'
    store.put(review_key("cat"), bad)
    rita = Reviews(location.open(), "rita")
    with pytest.raises(CorruptRecordError, match=r"field 'state': expected one of \('done'"):
        rita.accept("cat")
    assert store.read(review_key("cat")).data == bad
    with pytest.warns(UserWarning, match="copied to 'corrupt/reviews/cat.json"):
        copy = rita.repair("cat")
    assert store.read(copy).data == bad
    assert rita.status("cat") is None


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (lambda r: r.reject("cat", 5), TypeError, "note: expected a str"),
        (lambda r: r.mark_done("cat", note="x" * 5001), ValueError, "at most 5000 characters"),
        (lambda r: r.mark_done("../cat"), ValueError, "stem: expected an image name"),
        (lambda r: r.mark_done(".cat"), ValueError, "stem: expected an image name"),
    ],
)
def test_bad_review_input_is_refused(local_location, call, error, message):
    with pytest.raises(error, match=message):
        call(Reviews(local_location.open(), "rita"))
