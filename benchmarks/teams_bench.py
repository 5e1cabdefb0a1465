"""seg-widget team mode: open / next / save latency through the store, S3 vs a local folder.

    python benchmarks/teams_bench.py            # full run (~2 min)
    python benchmarks/teams_bench.py --quick    # fewer repeats, a 200-image catalog

S3 is moto's S3 server on loopback (the tests' server, `tests.s3_server`: installed by
``pip install -e '.[test]'``), reached through s3fs exactly as a bucket would be; the folder
is a temporary folder on this machine's disk. Each operation is what
``DatasetAnnotator(..., annotator=...)`` will do through `seg_widget.io.team`:

- **open**: claim the image (lease: exclusive create or compare-and-swap), read its pointer
  and its current mask;
- **next**: release the current image, claim the next one and load it;
- **save**: upload a new immutable version, move the pointer by compare-and-swap;
- **scan**: the catalog of N images (labelled, by whom, review), cold (first session:
  reads every pointer) and warm (a new session starting from the stored cache).

Medians of repeated runs, the S3/folder ratio measured in the same run. moto is a Python
server (~4 ms of its own CPU a request here): the S3 figures are an upper bound for a
nearby real bucket's request cost, not its network latency.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from seg_widget.io.storage import Store, open_store
from seg_widget.io.team import Catalog, Claims, Versions
from seg_widget.io.team.codec import encode_mask
from seg_widget.io.team.layout import pointer_key
from seg_widget.io.team.records import encode_record
from tests.s3_server import ISOLATED_ENV, TEST_CREDENTIALS, S3Server

CLASSES = ["unlabelled", "a", "b", "c"]
SIZE = 1024


def scene(seed: int) -> np.ndarray:
    """A SIZE² mask with 30 random rectangles of classes 1-3."""
    rng = np.random.default_rng(seed)
    mask = np.zeros((SIZE, SIZE), np.uint8)
    for _ in range(30):
        r, c = rng.integers(0, SIZE - 100, 2)
        h, w = rng.integers(20, 100, 2)
        mask[r : r + h, c : c + w] = rng.integers(1, len(CLASSES))
    return mask


def _median_ms(action: Callable[[int], object], repeats: int) -> float:
    action(-1)  # warm-up: connections, lazy imports
    times = []
    for number in range(repeats):
        start = time.perf_counter()
        action(number)
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1e3


def session_costs(store_of: Callable[[], Store], repeats: int) -> dict[str, float]:
    """Median ms of open, next and save on ``repeats + 1`` saved images."""
    store = store_of()
    claims = Claims(store, "alice")
    versions = Versions(store, "alice", CLASSES)
    stems = [f"img{i:03d}" for i in range(repeats + 2)]
    seed_version = Versions(store, "seeder", CLASSES)
    for number, stem in enumerate(stems):
        seed_version.save(stem, scene(number), base=None)
    results = {}

    def open_image(number: int) -> None:
        stem = stems[number + 1]
        claims.claim(stem)
        versions.load(stem)
        claims.release(stem)

    results["open (claim + load)"] = _median_ms(open_image, repeats)
    claims.claim(stems[0])

    def next_image(number: int) -> None:
        here, there = stems[number + 1], stems[number + 2]
        claims.release(here)
        claims.claim(there)
        versions.load(there)

    claims.release_all()
    claims.claim(stems[0])
    results["next (release + claim + load)"] = _median_ms(
        lambda n: next_image(n if n >= 0 else -1), repeats
    )
    loaded = versions.load(stems[-1])
    base = [loaded.current]
    masks = [scene(1000 + n) for n in range(repeats + 1)]

    def save(number: int) -> None:
        result = versions.save(stems[-1], masks[number], base=base[0])
        assert not result.conflict
        base[0] = result.current

    results["save (version + pointer CAS)"] = _median_ms(save, repeats)
    return results


def catalog_costs(store_of: Callable[[], Store], images: int) -> dict[str, float]:
    """Ms of a cold and a warm catalog scan of ``images`` saved images."""
    store = store_of()
    mask = encode_mask(np.ones((2, 2), np.uint8), CLASSES, ".png")
    for i in range(images):
        stem = f"cat{i:05d}"
        version = f"versions/{stem}/20260101T000000.000000Z-alice-{i:06x}.png"
        store.put(version, mask)
        record = {"mask": version, "objects": None, "annotator": "alice", "labelled": True}
        store.put(pointer_key(stem), encode_record("current", {**record, "previous": None}))
    start = time.perf_counter()
    Catalog(store_of(), "bob").scan()
    cold = time.perf_counter() - start
    start = time.perf_counter()
    Catalog(store_of(), "bob").scan()
    warm = time.perf_counter() - start
    return {f"scan {images} images, cold": cold * 1e3, f"scan {images} images, warm": warm * 1e3}


def main(quick: bool | None = None) -> None:
    if quick is None:
        parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
        parser.add_argument("--quick", action="store_true", help="fewer repeats")
        quick = parser.parse_args().quick
    repeats, images = (5, 200) if quick else (15, 1000)
    os.environ.update(ISOLATED_ENV)
    with tempfile.TemporaryDirectory() as folder:
        server = S3Server(log=Path(folder) / "s3.log")
        try:
            bucket = server.new_bucket()
            options = {"endpoint_url": server.endpoint, **TEST_CREDENTIALS}
            stores = {
                "folder": lambda: open_store(os.path.join(folder, "masks")),
                "S3": lambda: open_store(f"s3://{bucket}/masks", **options),
            }
            print(f"== Team mode, {SIZE}² masks: median ms of {repeats} runs ==")
            figures = {name: session_costs(store_of, repeats) for name, store_of in stores.items()}
            print(f"== Catalog of {images} images (ms, one run each) ==")
            stores["folder"] = lambda: open_store(os.path.join(folder, "catalog"))
            stores["S3"] = lambda: open_store(f"s3://{bucket}/catalog", **options)
            for name, store_of in stores.items():
                figures[name].update(catalog_costs(store_of, images))
        finally:
            server.stop()
    print(f"  {'operation':<34} {'folder':>9} {'S3':>9} {'S3/folder':>10}")
    for operation in figures["folder"]:
        local, remote = figures["folder"][operation], figures["S3"][operation]
        print(f"  {operation:<34} {local:9.1f} {remote:9.1f} {remote / local:9.1f}x")


if __name__ == "__main__":
    main()
