"""A local S3 API for tests and benchmarks: moto's S3 on loopback, one request at a time.

Run as ``python -m tests.s3_server [--ignore-conditions]``: the server binds 127.0.0.1 on a
free port chosen by the operating system, prints ``port <n>`` on its first line of output,
then serves until it receives SIGTERM or SIGINT (or its standard input closes).

Why one request at a time: moto's ``put_object`` checks ``If-None-Match``/``If-Match`` and
then stores the object without holding a lock, so two racing conditional writes can both
succeed on its threaded server. AWS S3 applies a conditional write atomically (one of two
racers gets 412 Precondition Failed or 409 ConditionalRequestConflict). Serialising the
requests gives the test server S3's guarantee; connections are still served by threads, so
keep-alive clients never block each other.

``--ignore-conditions`` drops the conditional headers before moto sees them: an
S3-compatible service that silently ignores them, for testing that team mode refuses it.
"""

from __future__ import annotations

import argparse
import logging
import signal
import sys
import threading
from collections.abc import Callable, Iterable
from typing import Any

_CONDITIONAL_HEADERS = ("HTTP_IF_NONE_MATCH", "HTTP_IF_MATCH")


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
    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=MotoRequestHandler)

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
