"""A local S3 API for tests and benchmarks: moto's S3 on loopback, one request at a time.

`S3Server` starts one in a child process and stops it. By hand: ``python -m tests.s3_server
[--ignore-conditions]``: the server binds 127.0.0.1 on a free port chosen by the operating
system, prints ``port <n>`` on its first line of output, then serves until it receives
SIGTERM or SIGINT (or its standard input closes).

Why one request at a time: moto's ``put_object`` checks ``If-None-Match``/``If-Match`` and
then stores the object without holding a lock, so on its threaded server only thread
scheduling keeps two racing conditional writes from both succeeding. AWS S3 applies a
conditional write atomically (one of two racers gets 412 Precondition Failed or 409
ConditionalRequestConflict). Serialising the requests gives the test server that guarantee;
connections are still served by threads, so keep-alive clients never block each other.

``--ignore-conditions`` drops the conditional headers before moto sees them: an
S3-compatible service that silently ignores them, for testing that team mode refuses it.
`S3Server.seed` fills a bucket in one request, for tests that need thousands of objects.
"""

from __future__ import annotations

import argparse
import http.client
import io
import logging
import os
import secrets
import select
import signal
import socket
import subprocess
import sys
import threading
import time
import zipfile
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

_CONDITIONAL_HEADERS = ("HTTP_IF_NONE_MATCH", "HTTP_IF_MATCH")
#: `S3Server.seed` posts here: not part of the S3 API.
SEED_PATH = "/_test_seed/"

#: The repository (the server runs from here, as ``python -m tests.s3_server``).
ROOT = Path(__file__).resolve().parents[1]
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

    def seed(self, bucket: str, objects: dict[str, bytes]) -> None:
        """Put ``objects`` (key: bytes) into ``bucket`` at once, straight into moto's backend.

        For preparing big test buckets: thousands of PUTs through the S3 API would cost
        seconds of moto's time. Everything under test still goes through the S3 API.
        """
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
            for key, data in objects.items():
                archive.writestr(key, data)
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
        try:
            connection.request("POST", SEED_PATH + bucket, body=buffer.getvalue())
            response = connection.getresponse()
            response.read()
        finally:
            connection.close()
        if response.status != 204:
            raise RuntimeError(f"seeding {bucket!r} failed: HTTP {response.status}")

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


def serialised(app: Callable, *, ignore_conditions: bool) -> Callable:
    """Wrap a WSGI ``app`` so that its requests run one after the other."""
    lock = threading.Lock()

    def serve(environ: dict[str, Any], start_response: Callable) -> Iterable[bytes]:
        if environ.get("PATH_INFO", "").startswith(SEED_PATH):
            with lock:
                return _seed(environ, start_response)
        if ignore_conditions:
            for name in _CONDITIONAL_HEADERS:
                environ.pop(name, None)
        with lock:
            # Read the whole body inside the lock: the response is complete when we return.
            return list(app(environ, start_response))

    return serve


def _seed(environ: dict[str, Any], start_response: Callable) -> list[bytes]:
    """Store the objects of a zip archive straight into moto's S3 backend (see `S3Server.seed`)."""
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.s3.models import s3_backends

    bucket = environ["PATH_INFO"][len(SEED_PATH) :]
    length = int(environ.get("CONTENT_LENGTH") or 0)
    backend = s3_backends[DEFAULT_ACCOUNT_ID]["aws"]
    with zipfile.ZipFile(io.BytesIO(environ["wsgi.input"].read(length))) as archive:
        for name in archive.namelist():
            backend.put_object(bucket, name, archive.read(name))
    start_response("204 No Content", [("Content-Length", "0")])
    return []


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ignore-conditions", action="store_true")
    args = parser.parse_args(argv)

    from moto.moto_server.werkzeug_app import (
        DomainDispatcherApplication,
        MotoRequestHandler,
        create_backend_app,
    )
    from werkzeug.serving import make_server

    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # no line per request
    app = serialised(
        DomainDispatcherApplication(create_backend_app), ignore_conditions=args.ignore_conditions
    )

    class KeepAliveHandler(MotoRequestHandler):
        protocol_version = "HTTP/1.1"

    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=KeepAliveHandler)

    def stop(*_: object) -> None:
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    # The parent holds our stdin: if it dies without killing us, stdin closes and we stop.
    threading.Thread(target=lambda: (sys.stdin.read(), stop()), daemon=True).start()
    print(f"port {server.server_address[1]}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
