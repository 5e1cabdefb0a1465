"""What every team store guarantees, on a local folder and on a real S3 API alike."""

import threading
import time

import pytest

from seg_widget.io.storage import (
    ObjectChangedError,
    ObjectExistsError,
    ObjectMissingError,
)


def test_create_is_exclusive_and_keeps_the_first_content(location):
    store = location.open()
    store.create("leases/a.json", b"first")
    with pytest.raises(ObjectExistsError, match="exists already"):
        location.open().create("leases/a.json", b"second")
    assert store.read("leases/a.json").data == b"first"


def test_replace_succeeds_only_against_the_etag_that_was_read(location):
    alice, bob = location.open(), location.open()
    created = alice.create("current/a.json", b"v1")
    seen_by_bob = bob.read("current/a.json")
    written = alice.replace("current/a.json", b"v2", etag=created.etag)
    with pytest.raises(ObjectChangedError, match="changed"):
        bob.replace("current/a.json", b"bob's", etag=seen_by_bob.etag)
    current = alice.read("current/a.json")
    assert current.data == b"v2"
    assert current.etag == written.etag


def test_replace_of_a_removed_object_is_a_conflict_not_a_create(location):
    store = location.open()
    created = store.create("current/a.json", b"v1")
    store.delete("current/a.json")
    with pytest.raises(ObjectChangedError, match="removed"):
        store.replace("current/a.json", b"v2", etag=created.etag)
    assert store.stat("current/a.json") is None


def test_exactly_one_of_many_racing_replaces_wins(location):
    stores = [location.open() for _ in range(6)]
    etag = stores[0].create("leases/a.json", b"free").etag
    barrier = threading.Barrier(len(stores))
    winners = []

    def race(number, store):
        barrier.wait()
        try:
            store.replace("leases/a.json", f"taken by {number}".encode(), etag=etag)
            winners.append(number)
        except ObjectChangedError:
            pass

    threads = [threading.Thread(target=race, args=item) for item in enumerate(stores)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(winners) == 1
    assert stores[0].read("leases/a.json").data == f"taken by {winners[0]}".encode()


def test_read_of_a_missing_object_names_it(location):
    with pytest.raises(ObjectMissingError, match=r"no object 'current/none\.json'"):
        location.open().read("current/none.json")


def test_read_many_returns_none_for_missing_objects(location):
    store = location.open()
    store.put("a/1", b"one")
    blobs = store.read_many(["a/1", "a/2"])
    assert blobs["a/1"].data == b"one"
    assert blobs["a/2"] is None


def test_listing_a_prefix_gives_keys_sizes_and_tags_without_reading(location):
    store = location.open()
    store.put("current/b.json", b"bb")
    store.put("current/a.json", b"a")
    store.put("currently.json", b"not under current/")
    store.put("reviews/a.json", b"r")
    stats = store.list("current/")
    assert [(s.key, s.size) for s in stats] == [("current/a.json", 1), ("current/b.json", 2)]
    before = stats[0].tag
    store.put("current/a.json", b"changed")
    assert store.list("current/")[0].tag != before


def test_store_time_dates_writes_and_reads(location):
    store = location.open()
    written = store.put("a/clock", b"x")
    blob = store.read("a/clock")
    # One clock: the object's date and the answer's date (S3 has 1 s resolution).
    assert abs(blob.modified - written.modified) <= 1.0
    assert blob.modified - 1.0 <= blob.store_time <= blob.modified + 5.0
    assert abs(store.now() - time.time()) < 5.0


@pytest.mark.parametrize("key", ["../escape", "a/../b", "/absolute", "a//b", ".hidden", "a\\b"])
def test_keys_outside_the_store_or_hidden_are_refused(location, key):
    with pytest.raises(ValueError, match="key: expected"):
        location.open().put(key, b"x")


def test_conditional_writes_are_available_on_local_folders_and_s3(location):
    store = location.open()
    store.require_conditional_writes()
    assert store.conditional_writes
    assert store.list() == []  # the probe left nothing visible behind
