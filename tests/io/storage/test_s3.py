"""The S3 store against a real S3 API on loopback: clear errors for every way it can fail."""

import socket

import pytest

from seg_widget.io.storage import (
    ConditionalWritesError,
    StoreAccessError,
    StoreError,
    StoreUnreachableError,
    open_store,
)
from seg_widget.io.team import Claims
from tests.io.conftest import TEST_CREDENTIALS


def _closed_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_an_unreachable_endpoint_is_named_with_what_to_check(isolated_aws_env):
    endpoint = f"http://127.0.0.1:{_closed_port()}"
    with pytest.raises(StoreUnreachableError, match="check endpoint_url") as caught:
        open_store(
            "s3://bucket/masks",
            endpoint_url=endpoint,
            config_kwargs={"retries": {"max_attempts": 1}},
            **TEST_CREDENTIALS,
        )
    assert endpoint in str(caught.value)


def test_missing_credentials_say_how_to_give_them(s3_server, isolated_aws_env):
    bucket = s3_server.new_bucket()
    with pytest.raises(StoreAccessError, match=r"no credentials .* pass key= and secret="):
        open_store(f"s3://{bucket}/masks", endpoint_url=s3_server.endpoint)


def test_a_missing_bucket_is_named(s3_server, isolated_aws_env):
    with pytest.raises(StoreError, match="the bucket 'no-such-bucket' does not exist"):
        open_store("s3://no-such-bucket/masks", endpoint_url=s3_server.endpoint, **TEST_CREDENTIALS)


def test_a_service_ignoring_conditional_writes_refuses_team_mode(careless_server, isolated_aws_env):
    options = {"endpoint_url": careless_server.endpoint, **TEST_CREDENTIALS}
    store = open_store(f"s3://{careless_server.new_bucket()}/masks", **options)
    store.put("notes.txt", b"plain writes still work")
    with pytest.raises(ConditionalWritesError, match="accepted a second exclusive create"):
        store.require_conditional_writes()
    with pytest.raises(ConditionalWritesError, match="overwrite each other's work"):
        Claims(store, "alice")
    assert [stat.key for stat in store.list()] == ["notes.txt"]
