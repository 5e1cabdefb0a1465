"""Team mode through the annotator when things go wrong: each a clear message, nothing lost."""

import socket
import time
import warnings

import numpy as np
import pytest

import seg_widget as sw
from seg_widget.io.storage import (
    ConditionalWritesError,
    StoreAccessError,
    StoreUnreachableError,
)
from seg_widget.io.team import ClaimTakenError, ClockSkewWarning, Versions
from seg_widget.io.team import claims as claims_module
from seg_widget.testing import find_control
from seg_widget.widget.dataset_controls import NavigationBar
from tests.io.conftest import TEST_CREDENTIALS
from tests.widget.team_helpers import (
    CLASSES,
    SHAPE,
    VIEW,
    annotator,
    png_bytes,
    put_images,
    store_of,
)

pytestmark = pytest.mark.filterwarnings(
    "ignore:__array__ implementation doesn't accept a copy keyword:DeprecationWarning"
)


@pytest.fixture
def local_images(tmp_path):
    folder = tmp_path / "images"
    folder.mkdir()
    for number in range(3):
        (folder / f"img{number}.png").write_bytes(png_bytes(number))
    return folder


def _closed_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_an_unreachable_store_is_named_with_what_to_check(local_images, isolated_aws_env):
    endpoint = f"http://127.0.0.1:{_closed_port()}"
    options = {
        "endpoint_url": endpoint,
        "config_kwargs": {"retries": {"max_attempts": 1}},
        **TEST_CREDENTIALS,
    }
    with pytest.raises(
        StoreUnreachableError, match=f"cannot reach .*{endpoint}.*check endpoint_url"
    ):
        sw.DatasetAnnotator(
            local_images, "s3://team/masks", CLASSES, annotator="alice", storage_options=options
        )


def test_missing_credentials_say_how_to_give_them(local_images, s3_server, isolated_aws_env):
    bucket = s3_server.new_bucket()
    with pytest.raises(StoreAccessError, match=r"no credentials .* pass key= and secret="):
        sw.DatasetAnnotator(
            local_images,
            f"s3://{bucket}/masks",
            CLASSES,
            annotator="alice",
            storage_options={"endpoint_url": s3_server.endpoint},
        )
    with pytest.raises(ValueError, match=r"images: cannot list .*no credentials were found"):
        sw.DatasetAnnotator(
            f"s3://{bucket}/images/*.png",
            local_images.parent / "masks",
            CLASSES,
            storage_options={"endpoint_url": s3_server.endpoint},
        )


def test_a_bucket_without_conditional_writes_refuses_team_mode(
    local_images, careless_server, isolated_aws_env
):
    options = {"endpoint_url": careless_server.endpoint, **TEST_CREDENTIALS}
    url = f"s3://{careless_server.new_bucket()}/masks"
    with pytest.raises(ConditionalWritesError, match="accepted a second exclusive create"):
        sw.DatasetAnnotator(local_images, url, CLASSES, annotator="alice", storage_options=options)


def test_a_store_without_conditional_writes_refuses_team_mode_but_one_annotator_works(
    local_images,
):
    url = f"memory://team-{time.monotonic_ns()}/masks"
    with pytest.raises(ConditionalWritesError, match=r"memory:// stores; use an S3 bucket"):
        sw.DatasetAnnotator(local_images, url, CLASSES, annotator="alice", **VIEW)
    solo = sw.DatasetAnnotator(local_images, url, CLASSES, **VIEW)
    solo.widget.paint_stroke([(2, 2)], label=1)
    assert solo.next() is True and solo.labelled_count == 1


def test_a_corrupt_lease_is_named_skipped_and_repaired_without_losing_it(location):
    images = put_images(location, count=2)
    store = store_of(location)
    store.put("leases/img0.json", b"{not json")
    with pytest.warns(UserWarning, match=r"cannot open img0\.png: .*'leases/img0\.json' is unread"):
        alice = annotator(location, images, "alice")
    assert alice.index == 1
    assert "annotator.repair('img0.png')" in alice.messages[-1]
    assert alice.next() is False  # a known problem is skipped
    with pytest.warns(UserWarning, match="copied to"):
        (copy,) = alice.repair("img0.png")
    assert store.read(copy).data == b"{not json"  # set aside, not lost
    alice.go_to(0)
    assert alice.index == 0


def test_a_corrupt_review_and_pointer_are_named_and_repaired(location):
    images = put_images(location, count=2)
    store = store_of(location)
    mask = np.zeros(SHAPE, np.uint8)
    mask[3, 3] = 2
    Versions(store, "bob", CLASSES).save("img0", mask, base=None)
    store.put("reviews/img0.json", b"[1, 2]")
    store.put("current/img0.json", b'{"format": "seg-widget-current", "version": 99}')
    with pytest.warns(UserWarning) as caught:
        alice = annotator(location, images, "alice")
    text = " ".join(str(w.message) for w in caught)
    assert "'reviews/img0.json' is unreadable" in text and "'current/img0.json'" in text
    assert alice.index == 1
    with pytest.warns(UserWarning, match="copied to"):
        copies = alice.repair(0)
    assert sorted(key.split("/")[1] for key in copies) == ["current", "reviews"]
    alice.go_to(0)
    np.testing.assert_array_equal(alice.widget.mask, mask)  # rebuilt from bob's version
    assert alice.review is None


def test_clock_skew_warns_but_claims_stay_judged_by_the_store(location, monkeypatch):
    images = put_images(location, count=2)
    alice = annotator(location, images, "alice")
    real = time.time
    monkeypatch.setattr(claims_module.time, "time", lambda: real() + 3600)  # an hour ahead
    with pytest.warns(ClockSkewWarning, match=r"36\d\d s ahead of the store.s"):
        bob = annotator(location, images, "bob")
    assert (alice.index, bob.index) == (0, 1)  # bob's clock thinks alice's lease long expired
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ClockSkewWarning)
        with pytest.raises(ClaimTakenError, match="taken by alice"):
            bob.go_to(0)
    assert "taken by alice" in find_control(bob, NavigationBar).status.value
