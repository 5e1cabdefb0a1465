"""seg-widget I/O benchmarks: a 4096² mask in every format; a whole-dataset COCO export.

    python benchmarks/io_bench.py            # full run (~1 min)
    python benchmarks/io_bench.py --quick    # fewer repeats

Files go to a temporary folder (deleted afterwards); every write is the real atomic write
(temporary file + fsync + rename), so disk speed is part of the figures. Compare the ratios,
measured back to back in one run.
"""

from __future__ import annotations

import argparse
import math
import os
import sys
import tempfile
import time
from collections.abc import Callable

import numpy as np
from PIL import Image
from skimage.measure import label

import seg_widget as sw
from seg_widget.core.classes import normalize_classes
from seg_widget.core.instances import table_from_maps
from seg_widget.io import (
    coco_annotations,
    coco_document,
    coco_image,
    load_coco,
    load_mask,
    mask_from_coco,
    save_coco,
    save_mask,
)
from seg_widget.io.dataset_export import export_coco
from seg_widget.io.dataset_index import DatasetIndex

CLASSES = ["unlabelled", "a", "b", "c", "d", "e"]


def scene_with_objects(size: int, n_objects: int, seed: int = 0) -> np.ndarray:
    """A uint8 mask of ``n_objects`` random ellipses of classes 1-5 (overlaps allowed)."""
    rng = np.random.default_rng(seed)
    mask = np.zeros((size, size), np.uint8)
    rows, cols = np.ogrid[:size, :size]
    margin = max(4, size // 40)
    for _ in range(n_objects):
        r, c = rng.integers(margin, size - margin, 2)
        a, b = rng.integers(max(2, margin // 5), margin, 2)
        window = (slice(max(r - a, 0), r + a + 1), slice(max(c - b, 0), c + b + 1))
        inside = ((rows[window[0]] - r) / a) ** 2 + ((cols[:, window[1]] - c) / b) ** 2 <= 1
        mask[window][inside] = rng.integers(1, len(CLASSES))
    return mask


def grid_of_instances(size: int, per_side: tuple[int, int], seed: int) -> np.ndarray:
    """A mask with one ellipse per grid cell: exactly ``rows x cols`` separate objects."""
    rng = np.random.default_rng(seed)
    mask = np.zeros((size, size), np.uint8)
    cell_h, cell_w = size // per_side[0], size // per_side[1]
    rows, cols = np.ogrid[:cell_h, :cell_w]
    for i in range(per_side[0]):
        for j in range(per_side[1]):
            a, b = rng.uniform(0.2, 0.45) * cell_h, rng.uniform(0.2, 0.45) * cell_w
            inside = ((rows - cell_h / 2) / a) ** 2 + ((cols - cell_w / 2) / b) ** 2 <= 1
            cell = mask[i * cell_h : (i + 1) * cell_h, j * cell_w : (j + 1) * cell_w]
            cell[inside] = rng.integers(1, len(CLASSES))
    return mask


def _best_ms(action: Callable[[], object], repeats: int) -> float:
    """Best of ``repeats`` timed runs, after one untimed warm-up run (lazy imports, caches)."""
    action()
    best = math.inf
    for _ in range(repeats):
        start = time.perf_counter()
        action()
        best = min(best, time.perf_counter() - start)
    return best * 1e3


def _save_coco_mask(path: str, mask: np.ndarray) -> None:
    # What w.save("x.json") does: one annotation per connected region of a class, RLE.
    annotations = coco_annotations(mask, CLASSES, image_id=1)
    save_coco(path, coco_document([coco_image(1, "x.png", mask.shape)], annotations, CLASSES))


def _load_coco_mask(path: str, shape: tuple[int, int]) -> np.ndarray:
    return mask_from_coco(load_coco(path), 1, shape)[0]


def mask_format_costs(size: int, n_objects: int, repeats: int) -> dict[str, tuple]:
    """Best save ms, load ms and file bytes of one mask per format; loads are checked exact."""
    mask = scene_with_objects(size, n_objects)
    wide = mask.astype(np.uint16)  # what a mask with more than 256 classes looks like
    formats = {
        "png, 8-bit palette": ("m.png", mask, lambda p, m: save_mask(p, m, CLASSES), load_mask),
        "png, 16-bit grey": ("w.png", wide, save_mask, load_mask),
        "npy": ("m.npy", mask, save_mask, load_mask),
        "npz (compressed)": ("m.npz", mask, save_mask, load_mask),
        "COCO json (RLE)": (
            "m.json",
            mask,
            _save_coco_mask,
            lambda p: _load_coco_mask(p, mask.shape),
        ),
    }
    results = {}
    with tempfile.TemporaryDirectory() as folder:
        for name, (file_name, array, save, load) in formats.items():
            path = os.path.join(folder, file_name)
            save_ms = _best_ms(lambda: save(path, array), repeats)  # noqa: B023
            load_ms = _best_ms(lambda: load(path), repeats)  # noqa: B023
            loaded = load(path)
            if not np.array_equal(loaded, array):
                raise AssertionError(f"{name}: the loaded mask differs from the saved one")
            results[name] = (save_ms, load_ms, os.path.getsize(path))
    return results


def dataset_save_costs(size: int, n_objects: int, repeats: int) -> dict[str, float]:
    """Best ms of a dataset save of one image: mask alone, mask + objects as one unit, reopen.

    The unit writes the objects file (named by the mask's digest) before the mask; the
    figures show what the digest and the second file cost beside a plain mask save.
    """
    mask = grid_of_instances(size, (10, n_objects // 10), seed=1)
    ids, table = table_from_maps(mask, label(mask > 0), normalize_classes(CLASSES))
    with tempfile.TemporaryDirectory() as folder:
        images, masks = os.path.join(folder, "images"), os.path.join(folder, "masks")
        os.makedirs(images)
        Image.fromarray(np.zeros(mask.shape, np.uint8)).save(os.path.join(images, "a.png"))
        index = DatasetIndex(images, masks)
        variants = {
            "mask only (save_mask)": lambda: save_mask(os.path.join(masks, "a.png"), mask, CLASSES),
            "mask + objects, one unit (write)": lambda: index.write(0, mask, CLASSES, ids, table),
            "reopen: mask + objects (read)": lambda: index.read(0, CLASSES),
        }
        times: dict[str, list[float]] = {name: [] for name in variants}
        for _ in range(repeats + 1):
            for name, action in variants.items():
                start = time.perf_counter()
                action()
                times[name].append((time.perf_counter() - start) * 1e3)
        stored = index.read(0, CLASSES)
        if len(stored.instances) != len(table) or not np.array_equal(stored.mask, mask):
            raise AssertionError("the dataset unit did not read back whole")
    return {name: min(values[1:]) for name, values in times.items()}


def text_progress(label: str) -> Callable[[int, int], None]:
    """A terminal stand-in for the notebook's progress bar: ``label  37/100`` in place."""
    shown: list[int] = []

    def progress(done: int, total: int) -> None:
        if done == total or not shown or done - shown[0] >= max(1, total // 10):
            shown[:] = [done]
            end = "\n" if done == total else ""
            print(f"\r    {label} {done:>4}/{total}", end=end, flush=True, file=sys.stderr)

    return progress


def coco_export_costs(n_images: int, size: int, repeats: int) -> dict[str, float]:
    """Best ms of a COCO export of ``n_images`` with 20 objects each, three ways."""
    with tempfile.TemporaryDirectory() as folder:
        images, masks = os.path.join(folder, "images"), os.path.join(folder, "masks")
        os.makedirs(images)
        os.makedirs(masks)
        grey = np.full((size, size), 128, np.uint8)
        for number in range(n_images):
            Image.fromarray(grey).save(os.path.join(images, f"img{number:03d}.png"))
            mask = grid_of_instances(size, (5, 4), seed=number)
            save_mask(os.path.join(masks, f"img{number:03d}.png"), mask, CLASSES)
        index = DatasetIndex(images, masks)
        annotator = sw.DatasetAnnotator(images, masks, CLASSES)
        target = os.path.join(folder, "coco.json")
        variants = {
            "no progress report": lambda: export_coco(index, target, CLASSES),
            "text progress (terminal)": lambda: export_coco(
                index, target, CLASSES, progress=text_progress("exported")
            ),
            "DatasetAnnotator, ipywidgets bar": lambda: annotator.export_coco(target),
        }
        # Interleaved, so machine noise hits every variant alike.
        times: dict[str, list[float]] = {name: [] for name in variants}
        for _ in range(repeats + 1):
            for name, action in variants.items():
                start = time.perf_counter()
                action()
                times[name].append((time.perf_counter() - start) * 1e3)
        results = {name: min(values[1:]) for name, values in times.items()}
        counts = export_coco(index, target, CLASSES)
        if counts != {"images": n_images, "annotations": 20 * n_images}:
            raise AssertionError(f"expected 20 annotations per image; got {counts}")
        results["file size (bytes)"] = os.path.getsize(target)
        annotator.close()
    return results


def main(quick: bool | None = None) -> None:
    """Print the I/O figures (``quick``: fewer repeats; by default from ``--quick``)."""
    if quick is None:
        parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
        parser.add_argument("--quick", action="store_true", help="fewer repeats")
        quick = parser.parse_args().quick
    repeats = 1 if quick else 3

    print("== Mask files: 4096² mask, 200 objects, save (atomic) and load, best of", repeats, "==")
    formats = mask_format_costs(4096, 200, repeats)
    base_save, base_load, _ = formats["npy"]
    for name, (save_ms, load_ms, nbytes) in formats.items():
        print(
            f"  {name:<20} save {save_ms:7.1f} ms ({save_ms / base_save:5.1f}x npy)   "
            f"load {load_ms:7.1f} ms ({load_ms / base_load:5.1f}x npy)   {nbytes / 1e6:7.2f} MB"
        )

    print("== Dataset save of one 4096² image with", 200, "objects, best of", repeats, "==")
    unit = dataset_save_costs(4096, 200, repeats)
    base = unit["mask only (save_mask)"]
    for name, value in unit.items():
        print(f"  {name:<34} {value:7.1f} ms  ({value / base:4.2f}x mask only)")

    print("== COCO export: 100 images of 256², 20 objects each (2000 annotations) ==")
    export = coco_export_costs(100, 256, 2 * repeats + 1)
    base = export["no progress report"]
    for name, value in export.items():
        if name.endswith("(bytes)"):
            print(f"  {'file size':<34} {value / 1e6:7.2f} MB")
        else:
            print(
                f"  {name:<34} {value:7.1f} ms  ({value / 100:5.2f} ms/image, "
                f"{value / base:4.2f}x no progress)"
            )


if __name__ == "__main__":
    main()
