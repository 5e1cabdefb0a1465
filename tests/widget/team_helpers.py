"""Team-mode annotator tests: images at a test location, annotators, processes."""

from __future__ import annotations

import io
import json
import os
import select
import subprocess
import sys
import time

import fsspec
import numpy as np
from PIL import Image

import seg_widget as sw
from seg_widget.io.storage import open_store

CLASSES = ["unlabelled", "cell", "debris"]
SHAPE = (24, 32)
# width/height give exactly 4 canvas pixels per image pixel.
VIEW = {"width": 128, "height": 96}


def png_bytes(seed: int, shape=SHAPE) -> bytes:
    rng = np.random.default_rng(seed)
    buffer = io.BytesIO()
    Image.fromarray(rng.integers(0, 256, (*shape, 3), dtype=np.uint8)).save(buffer, "PNG")
    return buffer.getvalue()


def put_images(location, count: int = 4, folder: str = "images") -> str:
    """Write ``count`` images beside the location's store; return their glob URL."""
    base = f"{location.url.rsplit('/', 1)[0]}/{folder}"
    fs, root = fsspec.core.url_to_fs(base, **(location.options or {"auto_mkdir": True}))
    fs.pipe({f"{root}/img{number}.png": png_bytes(number) for number in range(count)})
    return f"{base}/*.png"


def annotator(location, images, name, **kwargs):
    """A team-mode annotator of ``name`` on the location's store."""
    return sw.DatasetAnnotator(
        images,
        location.url,
        CLASSES,
        annotator=name,
        storage_options=location.options or None,
        **{**VIEW, **kwargs},
    )


def store_of(location):
    return open_store(location.url, **location.options)


def wait_until(action, *, seconds: float = 30.0, pause: float = 0.2):
    """Call ``action`` until it returns without raising (re-raise after ``seconds``)."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            return action()
        except Exception:
            if time.monotonic() > deadline:
                raise
            time.sleep(pause)


class Process:
    """A `tests.widget.team_worker` process; read its JSON lines with `next`."""

    def __init__(self, command: str, **arguments) -> None:
        from tests.s3_server import ISOLATED_ENV, ROOT

        argv = [sys.executable, "-m", "tests.widget.team_worker", command, json.dumps(arguments)]
        env = {**os.environ, **ISOLATED_ENV, "PYTHONPATH": str(ROOT)}
        self.process = subprocess.Popen(
            argv, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
        )
        self._buffer = b""

    def next(self, timeout: float = 120.0) -> dict:
        deadline = time.monotonic() + timeout
        while b"\n" not in self._buffer:
            remaining = deadline - time.monotonic()
            ready, _, _ = select.select([self.process.stdout], [], [], max(remaining, 0))
            chunk = os.read(self.process.stdout.fileno(), 4096) if ready else b""
            if not chunk:
                self.process.kill()
                _, errors = self.process.communicate()
                raise RuntimeError(f"the process said nothing more: {errors.decode()[-3000:]}")
            self._buffer += chunk
        line, self._buffer = self._buffer.split(b"\n", 1)
        return json.loads(line)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
        self.process.communicate()
