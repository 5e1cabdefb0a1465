"""The catalog of a 1,000-image bucket: a few listings, no mask read, a cache for next time."""

import time

import fsspec
import numpy as np
import pytest

from seg_widget.io.team import Catalog, Versions
from seg_widget.io.team.codec import encode_mask
from seg_widget.io.team.layout import cache_key, pointer_key, review_key
from seg_widget.io.team.records import encode_record
from tests.io.team.helpers import CountingStore

CLASSES = ["background", "cat"]
IMAGES = 1000
#: Seconds a cold and a warm scan of the 1,000-image store may take (listing the images
#: included). Measured on the shared 2-core machine under a load average of 8-13 (cold /
#: warm): S3 on moto 11.3-12.1 s / 1.65-1.76 s (cold = 1,100 record GETs at ~10 ms of
#: moto's time each), folder 0.12-0.41 s / 0.1-0.14 s. The bounds leave room for a slower
#: machine; reading every mask as well would add a GET per image to both scans.
COLD_SECONDS = {"s3": 40.0, "local": 4.0}
WARM_SECONDS = {"s3": 5.0, "local": 1.5}


def _populate(location, s3_server):
    """1,000 images with a version and a pointer each (2 in 3 labelled), every 10th reviewed."""
    mask = encode_mask(np.ones((2, 2), np.uint8), CLASSES, ".png")
    objects = {}
    for i in range(IMAGES):
        stem = f"img{i:04d}"
        version = f"versions/{stem}/20260101T000000.000000Z-alice-{i:06x}.png"
        objects[f"images/{stem}.jpg"] = b"jpeg"
        objects[version] = mask
        objects[pointer_key(stem)] = encode_record(
            "current",
            {"mask": version, "objects": None, "annotator": "alice",
             "labelled": i % 3 != 0, "previous": None},
        )  # fmt: skip
        if i % 10 == 0:
            objects[review_key(stem)] = encode_record(
                "review",
                {"state": "rejected", "annotator": "alice", "reviewer": "rita",
                 "note": f"fix {i}", "mask": version, "history": []},
            )  # fmt: skip
    if location.kind == "s3":  # 3,100 PUTs would cost ~15 s of moto's time: seed at once
        bucket, _, prefix = location.url[len("s3://") :].partition("/")
        s3_server.seed(bucket, {f"{prefix}/{key}": data for key, data in objects.items()})
    else:
        fs, root = fsspec.core.url_to_fs(location.url, auto_mkdir=True)
        fs.pipe({f"{root}/{key}": data for key, data in objects.items()})
    return [f"img{i:04d}" for i in range(IMAGES)]


def _timed(action):
    start = time.perf_counter()
    result = action()
    return result, time.perf_counter() - start


def test_a_thousand_image_store_is_listed_without_reading_a_mask(location, request):
    server = request.getfixturevalue("s3_server") if location.kind == "s3" else None
    stems = _populate(location, server)
    store = CountingStore(location.open())
    catalog = Catalog(store, "bob")

    def open_dataset(catalog):
        images = store.list("images/")
        return images, catalog.scan(stems)

    (images, states), cold = _timed(lambda: open_dataset(catalog))
    assert len(images) == IMAGES
    assert sum(state.labelled for state in states.values()) == 666
    assert states["img0010"].review == "rejected" and states["img0010"].note == "fix 10"
    assert store.reads["versions"] == 0
    assert store.reads["current"] == IMAGES and store.reads["reviews"] == IMAGES // 10
    assert catalog.last_scan.listed == IMAGES + IMAGES // 10
    assert store.stat(cache_key("bob")) is not None

    # A new session (another kernel): starts from the cache, reads no record at all.
    store.reads.clear()
    (_, again), warm = _timed(lambda: open_dataset(Catalog(store, "bob")))
    assert again == states
    assert store.reads == {"cache": 1}
    print(f"\n{location.kind}: cold scan {cold:.2f} s, warm scan {warm:.2f} s")
    assert cold < COLD_SECONDS[location.kind]
    assert warm < WARM_SECONDS[location.kind]


def test_a_new_save_costs_the_next_scan_one_record(location):
    store = CountingStore(location.open())
    alice = Versions(store, "alice", CLASSES)
    first = alice.save("a", np.zeros((2, 2), np.uint8), base=None)
    alice.save("b", np.ones((2, 2), np.uint8), base=None)
    catalog = Catalog(store, "bob")
    assert not catalog.scan()["a"].labelled
    store.reads.clear()
    Versions(location.open(), "carol", CLASSES).save("a", np.ones((2, 2), int), base=first.current)
    states = catalog.scan()
    assert store.reads == {"current": 1}
    assert (states["a"].labelled, states["a"].annotator) == (True, "carol")


def test_other_annotators_caches_serve_a_new_annotator(location):
    store = location.open()
    alice = Versions(store, "alice", CLASSES)
    for stem in ("a", "b", "c"):
        alice.save(stem, np.ones((2, 2), np.uint8), base=None)
    Catalog(store, "alice").scan()
    counting = CountingStore(location.open())
    assert set(Catalog(counting, "newcomer").scan()) == {"a", "b", "c"}
    assert counting.reads == {"cache": 1}


def test_a_corrupt_record_marks_its_image_and_spares_the_others(location):
    store = location.open()
    alice = Versions(store, "alice", CLASSES)
    for stem in ("a", "b"):
        alice.save(stem, np.ones((2, 2), np.uint8), base=None)
    store.put(pointer_key("b"), b"\xff\xfe not json")
    states = Catalog(store, "bob").scan()
    assert states["a"].labelled and states["a"].problem is None
    assert "'current/b.json' is unreadable (not JSON" in states["b"].problem
    assert not states["b"].labelled


def test_a_corrupt_cache_is_ignored_with_a_warning_and_rewritten(location):
    store = location.open()
    Versions(store, "alice", CLASSES).save("a", np.ones((2, 2), np.uint8), base=None)
    store.put(cache_key("bob"), b'{"format": "seg-widget-cache", "version": 1, "entries": 3}')
    with pytest.warns(UserWarning, match=r"cache record 'cache/bob\.json' is unreadable"):
        states = Catalog(store, "bob").scan()
    assert states["a"].labelled
    counting = CountingStore(location.open())
    Catalog(counting, "bob").scan()
    assert counting.reads == {"cache": 1}


def test_forged_cache_entries_are_dropped(local_location):
    store = local_location.open()
    Versions(store, "alice", CLASSES).save("a", np.ones((2, 2), np.uint8), base=None)
    tag = store.list("current/")[0].tag
    forged = {
        "current/a.json": [tag, {"labelled": False, "annotator": "<img src=x>", "version": "v"}]
    }
    store.put(cache_key("mallory"), encode_record("cache", {"entries": forged}))
    state = Catalog(store, "bob").scan()["a"]
    assert (state.labelled, state.annotator) == (True, "alice")
