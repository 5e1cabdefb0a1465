"""Store wrappers for team tests: pause between a read and the write, count reads."""

from __future__ import annotations

import threading
from collections import Counter

from seg_widget.io.storage import Store


class WrappedStore(Store):
    """A store that forwards everything to ``inner``."""

    def __init__(self, inner: Store) -> None:
        self.inner = inner
        self.url = inner.url

    @property
    def conditional_writes(self):
        return self.inner.conditional_writes

    def require_conditional_writes(self):
        self.inner.require_conditional_writes()

    def read(self, key):
        return self.inner.read(key)

    def read_many(self, keys):
        return self.inner.read_many(keys)

    def stat(self, key):
        return self.inner.stat(key)

    def list(self, prefix=""):
        return self.inner.list(prefix)

    def put(self, key, data):
        return self.inner.put(key, data)

    def create(self, key, data):
        return self.inner.create(key, data)

    def replace(self, key, data, *, etag):
        return self.inner.replace(key, data, etag=etag)

    def delete(self, key):
        self.inner.delete(key)

    def now(self):
        return self.inner.now()


class PausingStore(WrappedStore):
    """Waits at ``barrier`` after reading ``key`` once, so racers all read before any writes."""

    def __init__(self, inner: Store, key: str, barrier: threading.Barrier) -> None:
        super().__init__(inner)
        self._key = key
        self._barrier = barrier
        self._paused = False

    def read(self, key):
        try:
            return self.inner.read(key)
        finally:
            if key == self._key and not self._paused:
                self._paused = True
                self._barrier.wait(timeout=30)


class CountingStore(WrappedStore):
    """Counts the objects read, by their first key segment (``"versions"``, ``"current"``)."""

    def __init__(self, inner: Store) -> None:
        super().__init__(inner)
        self.reads: Counter[str] = Counter()

    def read(self, key):
        self.reads[key.split("/")[0]] += 1
        return self.inner.read(key)

    def read_many(self, keys):
        for key in keys:
            self.reads[key.split("/")[0]] += 1
        return self.inner.read_many(keys)


class Worker:
    """A `tests.io.team.worker` process; read its JSON lines with `next`."""

    def __init__(self, location, command: str, annotator: str, stems: str, **options) -> None:
        import json
        import os
        import subprocess
        import sys

        from tests.io.conftest import ISOLATED_ENV, ROOT

        arguments = [
            sys.executable, "-m", "tests.io.team.worker", command,
            "--url", location.url, "--options", json.dumps(location.options),
            "--annotator", annotator, "--stems", stems,
        ]  # fmt: skip
        for name, value in options.items():
            arguments += [f"--{name}", str(value)]
        env = {**os.environ, **ISOLATED_ENV, "PYTHONPATH": str(ROOT)}
        self.process = subprocess.Popen(
            arguments, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
        )
        self._buffer = b""

    def next(self, timeout: float = 60.0) -> dict:
        import json
        import os
        import select
        import time

        deadline = time.monotonic() + timeout
        while b"\n" not in self._buffer:
            remaining = deadline - time.monotonic()
            ready, _, _ = select.select([self.process.stdout], [], [], max(remaining, 0))
            chunk = os.read(self.process.stdout.fileno(), 4096) if ready else b""
            if not chunk:
                self.process.kill()
                _, errors = self.process.communicate()
                raise RuntimeError(f"the worker said nothing more: {errors.decode()[-3000:]}")
            self._buffer += chunk
        line, self._buffer = self._buffer.split(b"\n", 1)
        return json.loads(line)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
        self.process.communicate()
