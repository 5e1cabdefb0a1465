"""seg-widget team mode: open / next / save latency, S3 vs a local folder.

    python benchmarks/teams_bench.py            # full run (~4 min)
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

Then the same through ``DatasetAnnotator`` (1024² images beside the store, a widget per
image): **open** (a new session: listing, image sizes, catalog, claim, load, a widget; cold
is the first session on the store, warm a later one that finds the caches; median of 3),
**next** (a stroke,
then Next: a new version, release, claim, load, a new widget) and **save** (a stroke, then
`save`), for one annotator on a local folder (no team mode, as before), a team on a
folder, and a team on S3.

Medians of repeated runs, the S3/folder ratio measured in the same run. moto is a Python
server (~4 ms of its own CPU a request here): the S3 figures are an upper bound for a
nearby real bucket's request cost, not its network latency.
"""

from __future__ import annotations

import argparse
import io
import os
import statistics
import sys
import tempfile
import time
import warnings
from collections.abc import Callable
from pathlib import Path

import fsspec
import numpy as np
from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import seg_widget as sw
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


def _put_images(folder_url: str, options: dict, count: int) -> None:
    ramp = np.linspace(0, 255, SIZE, dtype=np.uint8)
    buffer = io.BytesIO()
    Image.fromarray(np.add.outer(ramp, ramp) // 2).save(buffer, "PNG")
    fs, root = fsspec.core.url_to_fs(folder_url, **(options or {"auto_mkdir": True}))
    fs.pipe({f"{root}/img{i:03d}.png": buffer.getvalue() for i in range(count)})


def annotator_costs(base: str, options: dict, repeats: int, team: bool) -> dict[str, float]:
    """Ms of open (cold, warm), and median ms of next and save, through DatasetAnnotator."""
    _put_images(f"{base}/images", options, repeats + 3)
    images = f"{base}/images/*.png"
    masks = f"{base}/masks" if options or team else base.removeprefix("file://") + "/masks"

    def session(name: str) -> sw.DatasetAnnotator:
        return sw.DatasetAnnotator(
            images,
            masks,
            CLASSES,
            autosave_seconds=None,
            storage_options=options or None,
            annotator=name if team else None,
            width=512,
            height=512,
        )

    figures = {}
    start = time.perf_counter()
    first = session("alice")
    figures["annotator open, cold"] = (time.perf_counter() - start) * 1e3
    first.close()
    figures["annotator open, warm"] = _median_ms(lambda _: session("alice").close(), 3)
    annotator = session("alice")

    def stroke(number: int) -> None:
        row = 100 + 7 * (number % 100)
        annotator.widget.paint_stroke([(row, 100), (row, 900)], label=1, brush_size=9)

    def next_image(number: int) -> None:
        stroke(number)
        assert annotator.next()

    figures["annotator next (stroke + Next)"] = _median_ms(next_image, repeats)

    def save(number: int) -> None:
        stroke(number + 1)
        assert annotator.save()

    figures["annotator save (stroke + save)"] = _median_ms(save, repeats)
    annotator.close()
    return figures


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
            print(f"== DatasetAnnotator, {SIZE}² images: ms (next, save: median of {repeats}) ==")
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                solo = annotator_costs(Path(folder, "solo").as_uri(), {}, repeats, team=False)
                figures["folder"].update(
                    annotator_costs(Path(folder, "team").as_uri(), {}, repeats, team=True)
                )
                figures["S3"].update(
                    annotator_costs(f"s3://{bucket}/annotator", options, repeats, team=True)
                )
        finally:
            server.stop()
    print(f"  {'operation':<34} {'folder':>9} {'S3':>9} {'S3/folder':>10} {'no team':>9}")
    for operation in figures["folder"]:
        local, remote = figures["folder"][operation], figures["S3"][operation]
        alone = f"{solo[operation]:9.1f}" if operation in solo else ""
        print(f"  {operation:<34} {local:9.1f} {remote:9.1f} {remote / local:9.1f}x {alone}")


if __name__ == "__main__":
    main()
