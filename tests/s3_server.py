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
"""

from __future__ import annotations

import argparse
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
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

_CONDITIONAL_HEADERS = ("HTTP_IF_NONE_MATCH", "HTTP_IF_MATCH")

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
        if ignore_conditions:
            for name in _CONDITIONAL_HEADERS:
                environ.pop(name, None)
        with lock:
            # Read the whole body inside the lock: the response is complete when we return.
            return list(app(environ, start_response))

    return serve


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
