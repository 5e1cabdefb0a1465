"""Stores for the storage and team tests: a local folder, and a real S3 API on loopback.

The S3 API is moto's server (`tests.s3_server`), started once per test session on a free
port, each test getting a fresh bucket. The fixtures never let boto look for credentials
anywhere but in the options they pass (no credential files, no instance metadata).
"""

from __future__ import annotations

import os
import secrets
import select
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from seg_widget.io.storage import Store, open_store

ROOT = Path(__file__).resolve().parents[2]
#: Credentials the test server accepts (moto checks none).
TEST_CREDENTIALS = {"key": "testing-key", "secret": "testing-secret"}
#: No credential file, no instance metadata: boto sees only what the options say.
ISOLATED_ENV = {
    "AWS_EC2_METADATA_DISABLED": "true",
    "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
    "AWS_CONFIG_FILE": os.devnull,
    "AWS_DEFAULT_REGION": "us-east-1",
}
_START_SECONDS = 60.0


class S3Server:
    """A `tests.s3_server` process; `stop` ends it (and is idempotent)."""

    def __init__(self, *arguments: str, log: Path) -> None:
        self._log = open(log, "wb")  # closed in stop()
        env = {**os.environ, **ISOLATED_ENV, "PYTHONPATH": str(ROOT)}
        self.process = subprocess.Popen(
            [sys.executable, "-m", "tests.s3_server", *arguments],
            cwd=ROOT,
            env=env,
            stdin=subprocess.PIPE,  # closes if we die: the server then stops by itself
            stdout=subprocess.PIPE,
            stderr=self._log,
        )
        try:
            self.port = self._read_port(log)
            self.endpoint = f"http://127.0.0.1:{self.port}"
            self._wait_until_ready(log)
        except BaseException:
            self.stop()
            raise

    def _read_port(self, log: Path) -> int:
        deadline = time.monotonic() + _START_SECONDS
        line = b""
        while not line.endswith(b"\n"):
            remaining = deadline - time.monotonic()
            ready, _, _ = select.select([self.process.stdout], [], [], max(remaining, 0))
            if not ready or self.process.poll() is not None:
                raise RuntimeError(f"the S3 test server did not start: {log.read_text()[-2000:]}")
            line += os.read(self.process.stdout.fileno(), 100)
        return int(line.split()[1])

    def _wait_until_ready(self, log: Path) -> None:
        deadline = time.monotonic() + _START_SECONDS
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1) as sock:
                    sock.sendall(b"GET / HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n")
                    if sock.recv(12).startswith(b"HTTP/"):
                        return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError(f"the S3 test server never answered: {log.read_text()[-2000:]}")

    def new_bucket(self) -> str:
        import s3fs

        bucket = f"test-{secrets.token_hex(6)}"
        s3fs.S3FileSystem(endpoint_url=self.endpoint, **TEST_CREDENTIALS).mkdir(bucket)
        return bucket

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)
        for stream in (self.process.stdin, self.process.stdout):
            if stream is not None:
                stream.close()
        self._log.close()


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
