"""Claims on a local folder and on S3: taken by whom until when, expiry, races, bad records."""

import threading
import time
import warnings

import pytest

from seg_widget.io.team import (
    Claims,
    ClaimTakenError,
    ClockSkewWarning,
    CorruptRecordError,
    LeaseLostError,
)
from seg_widget.io.team.layout import lease_key
from tests.io.team.helpers import PausingStore, Worker


def _until(condition, seconds=20.0):
    """Call ``condition`` until it returns a true value (or fail after ``seconds``)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError("the condition never held")


def _claim_or_none(claims, stem):
    try:
        return claims.claim(stem)
    except ClaimTakenError:
        return None


def test_a_claimed_image_is_reported_taken_by_whom_until_when(location):
    alice = Claims(location.open(), "alice")
    bob = Claims(location.open(), "bob")
    lease = alice.claim("cat 1")
    with pytest.raises(ClaimTakenError) as caught:
        bob.claim("cat 1")
    until = time.strftime("%H:%M:%S UTC", time.gmtime(lease.expires))
    assert str(caught.value) == f"image 'cat 1' is taken by alice until {until} (5 min left)"
    status = bob.status("cat 1")
    assert (status.holder, status.taken, status.mine) == ("alice", True, False)
    assert status.lease.expires == pytest.approx(status.lease.written + 300)
    assert alice.status("cat 1").describe() == f"claimed by you until {until} (5 min left)"


def test_release_frees_the_image_for_the_next_annotator(location):
    alice = Claims(location.open(), "alice")
    bob = Claims(location.open(), "bob")
    alice.claim("cat")
    assert alice.release("cat") is True
    assert bob.status("cat").describe() == "free"
    assert bob.claim("cat").owner == "bob"
    assert alice.held() == ()
    assert bob.held() == ("cat",)


def test_another_session_of_the_same_annotator_is_kept_out_too(location):
    first = Claims(location.open(), "alice")
    second = Claims(location.open(), "alice")
    first.claim("cat")
    with pytest.raises(ClaimTakenError, match=r"taken by you \(alice\) in another session"):
        second.claim("cat")


def test_renewing_moves_the_expiry_forward(location):
    alice = Claims(location.open(), "alice", seconds=60)
    bob = Claims(location.open(), "bob")
    first = alice.claim("cat")
    time.sleep(1.1)  # S3 dates objects to the second
    second = alice.renew("cat")
    assert second.expires >= first.expires + 1
    assert bob.status("cat").lease.expires == pytest.approx(second.expires, abs=1)
    assert not alice.renew_due("cat")
    assert 55 < alice.time_left("cat") <= 59


def test_an_expired_lease_is_taken_over_and_its_holder_learns_it(location):
    alice = Claims(location.open(), "alice", seconds=2, tolerance=1)
    bob = Claims(location.open(), "bob", seconds=60)
    alice.claim("cat")
    with pytest.raises(ClaimTakenError, match="taken by alice"):
        bob.claim("cat")
    taken = _until(lambda: _claim_or_none(bob, "cat"))
    assert taken.owner == "bob"
    status = bob.status("cat")
    assert status.store_time - taken.written < 1.5
    with pytest.raises(LeaseLostError, match=r"taken over\); it is now taken by bob"):
        alice.renew("cat")
    assert alice.release("cat") is False
    assert bob.status("cat").holder == "bob"


def test_steal_takes_a_running_lease(location):
    alice = Claims(location.open(), "alice")
    admin = Claims(location.open(), "admin")
    alice.claim("cat")
    assert admin.claim("cat", steal=True).owner == "admin"
    with pytest.raises(LeaseLostError):
        alice.renew("cat")


def _race(location, stem, names, claims_of):
    barrier = threading.Barrier(len(names))
    results = {}

    def go(name):
        store = PausingStore(location.open(), lease_key(stem), barrier)
        try:
            results[name] = claims_of(store, name).claim(stem).owner
        except ClaimTakenError as error:
            results[name] = error

    threads = [threading.Thread(target=go, args=(name,)) for name in names]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def test_racing_claims_of_a_free_image_have_exactly_one_winner(location):
    # Every racer reads "no lease" before anyone writes: the exclusive create decides.
    names = ["alice", "bob", "carol"]
    results = _race(location, "cat", names, lambda store, name: Claims(store, name))
    winners = [name for name, result in results.items() if result == name]
    assert len(winners) == 1
    for name in set(names) - set(winners):
        assert f"taken by {winners[0]} until" in str(results[name])
    assert Claims(location.open(), "dave").status("cat").holder == winners[0]


def test_racing_takeovers_of_an_expired_lease_have_exactly_one_winner(location):
    Claims(location.open(), "carol", seconds=2, tolerance=1).claim("cat")
    observer = Claims(location.open(), "observer", seconds=2, tolerance=1)
    _until(lambda: not observer.status("cat").taken)
    # Both read carol's expired lease, then both compare-and-swap against it.
    names = ["alice", "bob"]
    results = _race(location, "cat", names, lambda store, name: Claims(store, name, tolerance=1))
    winners = [name for name, result in results.items() if result == name]
    assert len(winners) == 1
    loser = (set(names) - set(winners)).pop()
    assert isinstance(results[loser], ClaimTakenError)
    assert observer.status("cat").holder == winners[0]


def test_two_annotator_processes_racing_for_images_have_one_winner_each(location, tmp_path):
    stems = [f"img{i}" for i in range(3)]
    workers = [
        Worker(location, "race", name, ",".join(stems), go=tmp_path) for name in ("alice", "bob")
    ]
    try:
        for worker in workers:
            assert worker.next() == {"ready": True}
        for stem in stems:
            (tmp_path / stem).touch()
            results = [worker.next() for worker in workers]
            winners = [name for name, r in zip(("alice", "bob"), results, strict=True) if r["won"]]
            assert len(winners) == 1, results
            loser = next(r for r in results if not r["won"])
            assert loser["holder"] == winners[0]
            assert Claims(location.open(), "carol").status(stem).holder == winners[0]
    finally:
        for worker in workers:
            worker.stop()


def test_a_corrupt_lease_is_a_clear_error_and_repair_keeps_its_bytes(location):
    store = location.open()
    store.put(lease_key("cat"), b'{"owner": "alice", trailing garbage')
    bob = Claims(location.open(), "bob")
    message = r"the lease record 'leases/cat\.json' is unreadable \(not JSON.*left as it is"
    for action in (bob.status, bob.claim):
        with pytest.raises(CorruptRecordError, match=message):
            action("cat")
    assert store.read(lease_key("cat")).data == b'{"owner": "alice", trailing garbage'
    with pytest.warns(UserWarning, match="copied to 'corrupt/leases/cat.json"):
        copy = bob.repair("cat")
    assert store.read(copy).data == b'{"owner": "alice", trailing garbage'
    assert bob.claim("cat").owner == "bob"


@pytest.mark.parametrize(
    ("record", "problem"),
    [
        (b"[1, 2]", "expected a JSON object"),
        (b'{"format": "seg-widget-review", "version": 1}', "expected format 'seg-widget-lease'"),
        (b'{"format": "seg-widget-lease", "version": 9}', "written by a newer seg-widget"),
        (
            b'{"format": "seg-widget-lease", "version": 1, "owner": "<script>", "session": "a",'
            b' "seconds": 60, "state": "held"}',
            "field 'owner'",
        ),
        (
            b'{"format": "seg-widget-lease", "version": 1, "owner": "al", "session": "a",'
            b' "seconds": 1e300, "state": "held"}',
            "field 'seconds'",
        ),
    ],
)
def test_lease_records_are_validated_on_read(local_location, record, problem):
    store = local_location.open()
    store.put(lease_key("cat"), record)
    with pytest.raises(CorruptRecordError, match=problem):
        Claims(store, "bob").claim("cat")
    assert store.read(lease_key("cat")).data == record


def test_a_skewed_clock_is_reported_and_does_not_change_who_holds_what(location, monkeypatch):
    alice = Claims(location.open(), "alice", seconds=60)
    alice.claim("cat")
    real_time = time.time
    monkeypatch.setattr(time, "time", lambda: real_time() + 3600)  # bob's clock: 1 h ahead
    bob = Claims(location.open(), "bob")
    with pytest.warns(ClockSkewWarning, match=r"clock is 360[01] s ahead of the store.s"):
        status = bob.status("cat")
    assert status.taken and status.holder == "alice"
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # warned once per session, not on every call
        with pytest.raises(ClaimTakenError, match="taken by alice"):
            bob.claim("cat")


@pytest.mark.parametrize(
    ("arguments", "error", "message"),
    [
        ({"annotator": "bob smith"}, ValueError, "annotator: expected 1-64 ASCII"),
        ({"annotator": 7}, TypeError, "annotator: expected a str"),
        ({"seconds": 0}, ValueError, "seconds: expected 1 to"),
        ({"seconds": 10, "tolerance": 10}, ValueError, "tolerance: expected"),
    ],
)
def test_bad_claim_settings_are_refused(local_location, arguments, error, message):
    settings = {"annotator": "bob", **arguments}
    with pytest.raises(error, match=message):
        Claims(local_location.open(), settings.pop("annotator"), **settings)


def test_a_store_must_be_a_store():
    with pytest.raises(TypeError, match=r"store: expected a Store \(open_store\(url\)\)"):
        Claims("masks/", "bob")
