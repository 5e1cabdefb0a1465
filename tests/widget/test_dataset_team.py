"""Team mode through the annotator, on a local folder (file:// URLs) and on moto's S3 server.

Images live beside the store (``file:///.../images/*.png`` or ``s3://bucket/images/*.png``), so
image lists from URLs are exercised too.
"""

import signal
import time

import numpy as np
import pytest

import seg_widget as sw
from seg_widget.io.team import (
    Catalog,
    Claims,
    ClaimTakenError,
    Reviews,
    TeamConflictError,
    Versions,
)
from seg_widget.testing import find_control
from seg_widget.widget.dataset_controls import NavigationBar
from seg_widget.widget.team_controls import TeamBar
from tests.widget.team_helpers import (
    CLASSES,
    SHAPE,
    Process,
    annotator,
    put_images,
    store_of,
    wait_until,
)

pytestmark = pytest.mark.filterwarnings(
    "ignore:__array__ implementation doesn't accept a copy keyword:DeprecationWarning"
)


def nav(owner):
    return find_control(owner, NavigationBar)


def bar(owner):
    return find_control(owner, TeamBar)


def _paint(owner, row, label=1):
    owner.widget.paint_stroke([(row, 4), (row, 20)], label=label, brush_size=3)


def test_two_annotators_never_open_one_image_and_taken_images_say_who_until_when(location):
    images = put_images(location)
    alice = annotator(location, images, "alice")
    bob = annotator(location, images, "bob")
    assert (alice.index, bob.index) == (0, 1)
    assert "skipped img0.png: taken by alice until" in nav(bob).status.value
    assert "claimed by you until" in bar(alice).claim.value
    assert alice.next() is True and alice.index == 2
    assert "skipped img1.png: taken by bob until" in nav(alice).status.value
    assert "UTC" in nav(alice).status.value
    with pytest.raises(ClaimTakenError, match=r"img2' is taken by alice until .* UTC"):
        bob.go_to("img2.png")
    assert bob.index == 1
    bob.close()  # releases img1
    alice.go_to(1)
    assert alice.index == 1
    assert Claims(store_of(location), "carol").status("img2").holder is None  # released


def test_every_save_is_a_new_version_and_the_catalog_counts_labelled_images(location):
    images = put_images(location)
    alice = annotator(location, images, "alice")
    _paint(alice, 3)
    assert alice.save() is True and alice.save() is False
    _paint(alice, 9, label=2)
    painted = alice.widget.mask.copy()
    assert alice.next() is True
    history = Versions(store_of(location), "x", CLASSES).history("img0")
    assert [version.annotator for version in history] == ["alice", "alice"]
    assert alice.labelled_count == 1 and "1 of 4 labelled" in nav(alice).labelled.value
    bob = annotator(location, images, "bob")
    bob.go_to(0)
    np.testing.assert_array_equal(bob.widget.mask, painted)
    assert bob.labelled_count == 1
    assert alice.mask_path.endswith("/current/img1.json")


def test_autosave_overwrites_a_draft_instead_of_piling_up_versions(location):
    images = put_images(location)
    alice = annotator(location, images, "alice", autosave_seconds=0)
    for row in (3, 6, 9):
        _paint(alice, row)
    store = store_of(location)
    assert Versions(store, "x", CLASSES).history("img0") == []
    assert store.stat("drafts/img0/alice.npz") is not None
    alice.next()  # moving on makes the version and drops the draft
    assert len(Versions(store, "x", CLASSES).history("img0")) == 1
    assert store.stat("drafts/img0/alice.npz") is None


@pytest.mark.parametrize("choice", ["keep_mine", "load_theirs"])
def test_a_conflicting_save_keeps_both_versions_until_the_user_picks(location, choice):
    images = put_images(location)
    alice = annotator(location, images, "alice")
    store = store_of(location)
    _paint(alice, 3)
    alice.save()
    # Meanwhile another tool (a script, an administrator) saves the image too.
    bob = Versions(store, "bob", CLASSES)
    theirs = np.zeros(SHAPE, np.uint8)
    theirs[20, 20] = 2
    bob.save("img0", theirs, base=bob.current("img0"))
    _paint(alice, 9, label=2)
    mine = alice.widget.mask.copy()
    with pytest.raises(TeamConflictError, match=r"conflict on img0\.png: bob saved it at .* UTC"):
        alice.save()
    assert "keep_mine()" in alice.conflict and "load_theirs()" in alice.conflict
    assert bar(alice).conflict_box.layout.display is None  # the two buttons are shown
    history = Versions(store, "x", CLASSES).history("img0")
    assert [version.annotator for version in history] == ["alice", "bob", "alice"]
    with pytest.raises(TeamConflictError):
        alice.next()  # never moves on with a conflict open
    assert alice.index == 0
    current = Versions(store, "x", CLASSES)
    if choice == "keep_mine":
        alice.keep_mine()
        np.testing.assert_array_equal(current.load("img0").mask, mine)
    else:
        alice.load_theirs()
        np.testing.assert_array_equal(alice.widget.mask, theirs)
        np.testing.assert_array_equal(current.load("img0").mask, theirs)
    assert alice.conflict is None and bar(alice).conflict_box.layout.display == "none"
    assert len(current.history("img0")) == 3  # nothing lost either way
    assert alice.next() is True


def test_an_expired_claim_is_taken_over_and_its_holder_keeps_the_edits(location):
    images = put_images(location, count=2)
    alice = annotator(location, images, "alice", lease_seconds=1)
    bob = annotator(location, images, "bob")
    assert bob.index == 1
    wait_until(lambda: bob.go_to(0))  # alice went quiet: her claim expires
    _paint(bob, 3, label=2)
    bob.save()
    with pytest.warns(UserWarning, match="the claim was lost"):
        _paint(alice, 9)  # her next edit tries to renew
    assert "claim lost" in bar(alice).claim.value
    assert alice.widget.mask[9, 10] == 1
    with pytest.raises(TeamConflictError, match="bob saved it"):
        alice.save()
    history = Versions(store_of(location), "x", CLASSES).history("img0")
    assert sorted(version.annotator for version in history) == ["alice", "bob"]


def test_a_claim_is_renewed_while_its_annotator_edits(location):
    images = put_images(location, count=2)
    alice = annotator(location, images, "alice", lease_seconds=2)
    bob = annotator(location, images, "bob")
    for step in range(8):  # 4 s of edits: twice the lease, plus the takeover tolerance
        _paint(alice, 2 + step)
        time.sleep(0.5)
    with pytest.raises(ClaimTakenError, match="taken by alice"):
        bob.go_to(0)


def test_review_done_reject_with_a_note_fix_done_accept(location):
    images = put_images(location, count=3)
    alice = annotator(location, images, "alice")
    _paint(alice, 3)
    alice.mark_done()  # and moves on
    assert alice.index == 1 and "img0.png marked done" in nav(alice).status.value
    rita = annotator(location, images, "rita", reviewer=True)
    rita.filter = "awaiting review"
    assert rita.index == 0 and "marked done by alice, awaiting review" in bar(rita).review.value
    bar(rita).note.value = "the tail is missing"
    bar(rita).reject.click()  # nothing else awaits review: rita stays, img0 is released
    assert "img0.png rejected" in nav(rita).status.value
    assert "released" in bar(rita).claim.value
    assert Reviews(store_of(location), "x").status("img0").note == "the tail is missing"

    alice.filter = "rejected for me"
    assert alice.previous() is True and alice.index == 0
    assert "rejected by rita: “the tail is missing”" in nav(alice).status.value
    assert "rejected by rita: “the tail is missing”" in bar(alice).review.value
    _paint(alice, 12)
    with pytest.raises(ValueError, match="expected a reviewer's session"):
        alice.accept()
    alice.mark_done()
    assert alice.index == 0 and alice.review.state == "done"
    rita.close()
    rita = annotator(location, images, "rita", reviewer=True)
    assert rita.index == 0  # alice released img0 after marking it done
    np.testing.assert_array_equal(rita.widget.mask, alice.widget.mask)  # the fixed version
    rita.accept()
    status = Reviews(store_of(location), "x").status("img0")
    assert (status.state, status.annotator, status.reviewer) == ("accepted", "alice", "rita")
    assert [event.state for event in status.history] == ["done", "rejected", "done", "accepted"]
    _paint(alice, 15)  # an edit claims the image again, now that rita has gone
    rita.close()
    alice.widget.paint_stroke([(16, 4)], label=1)
    assert "claimed by you until" in bar(alice).claim.value


def test_compare_shows_where_two_versions_disagree_and_the_report_escapes_names(location):
    images = put_images(location, count=2)
    store = store_of(location)
    mask = np.zeros(SHAPE, np.uint8)
    mask[2:6, 2:6] = 1
    saved = Versions(store, "bob", CLASSES).save("img0", mask, base=None)
    alice = annotator(location, images, "alice")
    assert bar(alice).compare_with.options == ("bob",)
    alice.widget.mask = np.where(np.arange(SHAPE[1]) < 4, mask, 0).astype(np.uint8)
    alice.widget.paint_stroke([(20, 20)], label=2, brush_size=1)
    view = alice.compare("bob")
    assert view.counts == {
        "pixels": SHAPE[0] * SHAPE[1],
        "differ": 9,  # columns 4-5 of bob's square, and alice's debris pixel
        "only alice (open)": 1,
        "only bob": 8,
        "different classes": 0,
    }
    assert bar(alice).panel.children == (view,)
    np.testing.assert_array_equal(view.differ, alice.widget.mask != mask)
    with pytest.raises(ValueError, match=r"other: expected an annotator with a version.*\['bob'\]"):
        alice.compare("nobody")
    alice.save()
    report = alice.agreement_report()
    (row,) = report.rows
    assert (row.image, row.annotator_a, row.annotator_b) == ("img0", "alice", "bob")
    assert row.iou[1] == pytest.approx(8 / 16)
    assert "<table" in bar(alice).panel.children[0].value
    assert saved.current.annotator == "bob"


def test_two_annotator_processes_racing_for_one_image_exactly_one_opens_it(location, tmp_path):
    """Bob's kernel is another process; alice's is this one. Both go for img3 at once."""
    images = put_images(location)
    go = tmp_path / "go"
    alice = annotator(location, images, "alice")
    bob = Process(
        "race",
        images=images,
        url=location.url,
        options=location.options,
        annotator="bob",
        go=str(go),
        target="img3.png",
    )
    try:
        assert bob.next(timeout=180) == {"ready": True, "index": 1}
        go.write_text("go")  # bob polls for this every millisecond
        try:
            alice.go_to("img3.png")
            mine = {"opened": True}
        except ClaimTakenError as error:
            mine = {"opened": False, "holder": error.status.holder, "message": str(error)}
        theirs = bob.next()
    finally:
        bob.stop()
    assert sorted([mine["opened"], theirs["opened"]]) == [False, True]
    winner, loser = ("alice", theirs) if mine["opened"] else ("bob", mine)
    assert loser["holder"] == winner and f"taken by {winner} until" in loser["message"]
    assert alice.index == (3 if winner == "alice" else 0)


def test_a_killed_kernel_s_edits_come_back_in_the_annotator_s_next_session(location, tmp_path):
    images = put_images(location, count=2)
    expected = tmp_path / "expected.npy"
    worker = Process(
        "edit-and-hang",
        images=images,
        url=location.url,
        options=location.options,
        annotator="alice",
        lease_seconds=1,
        expected=str(expected),
    )
    try:
        assert worker.next(timeout=180) == {"saved": True}
        assert worker.next() == {"drafted": True}
        worker.process.send_signal(signal.SIGKILL)
        worker.process.wait(30)
    finally:
        worker.stop()
    assert worker.process.returncode == -signal.SIGKILL
    # Alice's new kernel: img0 is still held by the dead one ("you, in another session")
    # until that claim expires; then it opens with the draft.
    alice = annotator(location, images, "alice")
    assert alice.index == 1
    assert "taken by you (alice) in another session" in nav(alice).status.value
    wait_until(lambda: alice.go_to(0))
    np.testing.assert_array_equal(alice.widget.mask, np.load(expected))
    assert "restored your unsaved edits" in nav(alice).status.value
    assert len(Versions(store_of(location), "x", CLASSES).history("img0")) == 1
    alice.next()  # the draft becomes a version
    assert len(Versions(store_of(location), "x", CLASSES).history("img0")) == 2


def test_the_listing_reads_no_mask(location, monkeypatch):
    """Opening an annotator reads the catalog's records and no version (no mask)."""
    from seg_widget.io.team import dataset as team_dataset
    from tests.io.team.helpers import CountingStore

    images = put_images(location, count=3)
    store = store_of(location)
    for stem in ("img0", "img1"):
        Versions(store, "bob", CLASSES).save(stem, np.ones(SHAPE, np.uint8), base=None)
    counting = []
    real_open_store = team_dataset.open_store

    def counting_store(*args, **kwargs):
        counting.append(CountingStore(real_open_store(*args, **kwargs)))
        return counting[-1]

    monkeypatch.setattr(team_dataset, "open_store", counting_store)
    alice = annotator(location, images, "alice")
    assert alice.labelled_count == 2 and alice.index == 0
    reads = counting[0].reads
    assert reads["versions"] == 1  # the mask of the image it opened, nothing else
    assert reads["current"] == 3  # two pointers for the catalog, one to open img0
    assert Catalog(store, "x").scan()["img1"].labelled


def test_without_annotator_there_is_no_team_mode(tmp_path):
    from tests.widget.team_helpers import png_bytes

    folder = tmp_path / "images"
    folder.mkdir()
    (folder / "a.png").write_bytes(png_bytes(1))
    plain = sw.DatasetAnnotator(folder, tmp_path / "masks", CLASSES)
    assert plain.annotator is None and plain.conflict is None and plain.review is None
    with pytest.raises(ValueError, match="expected team mode"):
        plain.mark_done()
    with pytest.raises(ValueError, match=r"filter: expected one of \('all', 'unlabelled'\)"):
        plain.filter = "awaiting review"
    with pytest.raises(ValueError, match="reviewer: expected annotator="):
        sw.DatasetAnnotator(folder, tmp_path / "masks", CLASSES, reviewer=True)


def test_a_glob_over_the_store_never_lists_its_versions_or_drafts_as_images(tmp_path):
    from tests.widget.team_helpers import png_bytes

    (tmp_path / "images").mkdir()
    for number in range(2):
        (tmp_path / "images" / f"img{number}.png").write_bytes(png_bytes(number))
    pattern = str(tmp_path / "**" / "*.png")
    first = sw.DatasetAnnotator(pattern, tmp_path / "team", CLASSES, annotator="alice")
    first.widget.paint_stroke([(2, 2)], label=1)
    first.close()  # a version (a .png) now lies under team/versions/
    assert list((tmp_path / "team" / "versions").rglob("*.png"))
    again = sw.DatasetAnnotator(pattern, tmp_path / "team", CLASSES, annotator="alice")
    assert [path.rsplit("/", 1)[-1] for path in again.images] == ["img0.png", "img1.png"]
