"""Test-wide settings and fixtures.

Property tests are deterministic in CI and random on a developer machine. Stores for the
storage, team and annotator tests: a local folder, and a real S3 API on loopback (moto's
server, `tests.s3_server.S3Server`, started once per test session on a free port; each test
gets a fresh bucket). The fixtures never let boto look for credentials anywhere but in the
options they pass (no credential files, no instance metadata).
"""

import os
from dataclasses import dataclass, field

import pytest
from hypothesis import HealthCheck, settings

from seg_widget.io.storage import Store, open_store
from tests.s3_server import ISOLATED_ENV, TEST_CREDENTIALS, S3Server

# CI must not turn red on a new random example it happened to draw today; developers'
# runs keep exploring. Timing-based health checks are off: the machines are shared.
settings.register_profile(
    "ci",
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    print_blob=True,
)
settings.register_profile("dev", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("ci" if os.environ.get("CI") else "dev")


@dataclass
class Location:
    """Where a test's store lives: open it as many times as there are annotators."""

    kind: str
    url: str
    options: dict = field(default_factory=dict)

    def open(self) -> Store:
        return open_store(self.url, **self.options)


@pytest.fixture(scope="session")
def s3_server(tmp_path_factory):
    server = S3Server(log=tmp_path_factory.mktemp("s3") / "server.log")
    yield server
    server.stop()


@pytest.fixture(scope="session")
def careless_server(tmp_path_factory):
    """An S3-compatible service that ignores If-None-Match and If-Match."""
    server = S3Server("--ignore-conditions", log=tmp_path_factory.mktemp("s3") / "log")
    yield server
    server.stop()


@pytest.fixture
def isolated_aws_env(monkeypatch):
    for name in list(os.environ):
        if name.startswith("AWS_"):
            monkeypatch.delenv(name)
    for name, value in ISOLATED_ENV.items():
        monkeypatch.setenv(name, value)


@pytest.fixture
def s3_location(s3_server, isolated_aws_env):
    options = {"endpoint_url": s3_server.endpoint, **TEST_CREDENTIALS}
    return Location("s3", f"s3://{s3_server.new_bucket()}/masks", options)


@pytest.fixture
def local_location(tmp_path):
    return Location("local", (tmp_path / "masks").as_uri())


@pytest.fixture(params=["local", "s3"])
def location(request):
    """The same behaviour on a local folder (a file:// URL, through fsspec) and on S3."""
    return request.getfixturevalue(f"{request.param}_location")
