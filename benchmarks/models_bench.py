"""Models in the loop and YOLO-seg: what caching the encoder saves, what polygons lose.

    python benchmarks/models_bench.py            # full run (~30 s)
    python benchmarks/models_bench.py --quick    # smaller image

1. Ten clicks on one image with `WatershedPromptModel`: through a `ModelSession` (the
   gradient is computed once, then cached) vs a plain ``f(image, prompt)`` that recomputes
   it per click, measured back to back.
2. YOLO-seg loss: per-object IoU of the re-rasterised polygons against the original
   objects (the 24 coins of ``skimage.data.coins``, the horse scene of ``assist_bench``,
   and random blobs with holes) — read back by seg-widget (pixel-centre rule), and with every
   vertex truncated to whole pixels as Ultralytics' ``polygon2mask`` does before filling
   (filled with the pixel-centre rule; and, if OpenCV is installed, exactly as
   ``polygon2mask`` does: ``cv2.fillPoly`` of the int32 vertices, outline painted too).
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time

import numpy as np
from assist_bench import coins_scene, horse_scene
from PIL import Image
from scipy import ndimage
from skimage import data
from skimage.measure import label

from seg_widget.core.instances import export_ids
from seg_widget.core.model_session import ModelSession
from seg_widget.core.model_watershed import WatershedPromptModel
from seg_widget.core.outline import polygon_footprint
from seg_widget.core.prompt_model import Prompt
from seg_widget.io.yolo import export_yolo, read_yolo_dataset
from seg_widget.io.yolo_labels import read_yolo_labels

try:  # optional: measures what Ultralytics' own rasteriser makes of the polygons
    import cv2
except ImportError:
    cv2 = None

CLASSES = ["unlabelled", "coin", "horse", "a", "b", "c"]


def session_vs_function(size: int) -> None:
    tiles = size // 512
    image = np.tile(data.astronaut(), (tiles, tiles, 1))  # a natural image of size x size
    model = WatershedPromptModel()
    clicks = [Prompt.of([(size * (0.2 + 0.06 * i), size * 0.5)]) for i in range(10)]

    def plain(picture, prompt):
        return model.predict(model.prepare(picture), prompt)

    start = time.perf_counter()
    for prompt in clicks:
        plain(image, prompt)
    function_seconds = time.perf_counter() - start
    with ModelSession(model) as session:
        start = time.perf_counter()
        for prompt in clicks:
            session.predict(image, prompt, key="image").result()
        session_seconds = time.perf_counter() - start
    start = time.perf_counter()
    model.prepare(image)
    prepare_seconds = time.perf_counter() - start
    print(f"{size}x{size} RGB, 10 clicks: plain function {function_seconds:.2f} s, session "
          f"{session_seconds:.2f} s (ratio {function_seconds / session_seconds:.1f}x; "
          f"one prepare {prepare_seconds * 1000:.0f} ms)")  # fmt: skip


def blobs_scene() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(3)
    noise = ndimage.gaussian_filter(rng.normal(size=(512, 640)), 6)
    mask = np.digitize(noise, np.quantile(noise, [0.3, 0.55, 0.8])).astype(np.uint8) + 2
    mask[mask == 2] = 0
    instances = label(mask, background=0, connectivity=1).astype(np.uint32)
    return mask, instances


def yolo_loss(folder: str) -> None:
    coins_image, coins = coins_scene()
    horse_image, horse = horse_scene()
    blobs_mask, blobs_instances = blobs_scene()
    scenes = [
        ("coins", coins_image, coins.astype(np.uint8), label(coins).astype(np.uint32)),
        ("horse", horse_image, horse.astype(np.uint8) * 2, None),
        ("blobs", np.zeros((*blobs_mask.shape, 3), np.uint8), blobs_mask, blobs_instances),
    ]
    items = []
    for name, image, mask, instances in scenes:
        path = os.path.join(folder, f"{name}.png")
        Image.fromarray(image).save(path)
        items.append((path, mask, instances))
    start = time.perf_counter()
    export_yolo(items, os.path.join(folder, "yolo"), CLASSES)
    export_seconds = time.perf_counter() - start
    dataset = read_yolo_dataset(os.path.join(folder, "yolo"))
    print(f"export of {len(items)} images: {export_seconds * 1000:.0f} ms")
    for name, _, mask, instances in scenes:
        path = os.path.join(dataset.folder, "images", f"{name}.png")
        start = time.perf_counter()
        annotation = dataset.annotation(path)
        import_seconds = time.perf_counter() - start
        ids = export_ids(mask, instances) if instances is not None else label(mask)
        labels = dataset.label_path(path)
        objects = read_yolo_labels(labels, mask.shape, len(CLASSES) - 1)
        exact, truncated, opencv = [], [], []
        for item, object_id in zip(objects, np.unique(ids[ids > 0]), strict=True):
            original = ids == object_id
            exact.append(_iou(original, annotation.instance_map == item.line))
            vertices_rc = np.trunc(item.polygon_xy[:, ::-1] * mask.shape)
            truncated.append(_iou(original, _filled(vertices_rc, mask.shape)))
            if cv2 is not None:
                filled = np.zeros(mask.shape, np.uint8)
                vertices_xy = (item.polygon_xy * mask.shape[::-1]).astype(np.int32)
                cv2.fillPoly(filled, [vertices_xy], color=1)
                opencv.append(_iou(original, filled > 0))
        print(f"{name}: {len(objects)} objects, {os.path.getsize(labels) / 1024:.0f} KiB, "
              f"import {import_seconds * 1000:.0f} ms; IoU read back min {min(exact):.4f} "
              f"mean {statistics.mean(exact):.4f}; vertices truncated to pixels: min "
              f"{min(truncated):.3f} median {statistics.median(truncated):.3f}")  # fmt: skip
        if opencv:
            print(f"  as Ultralytics' polygon2mask (OpenCV fillPoly): min {min(opencv):.3f} "
                  f"median {statistics.median(opencv):.3f}")  # fmt: skip


def _filled(vertices_rc: np.ndarray, shape: tuple[int, int]) -> np.ndarray:
    full = np.zeros(shape, bool)
    footprint = polygon_footprint(vertices_rc, shape)
    if footprint is not None:
        full[footprint[0].slices] = footprint[1]
    return full


def _iou(a: np.ndarray, b: np.ndarray) -> float:
    return np.count_nonzero(a & b) / np.count_nonzero(a | b)


def main(quick: bool = False) -> None:
    session_vs_function(1024 if quick else 2048)
    with tempfile.TemporaryDirectory() as folder:
        yolo_loss(folder)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    main(parser.parse_args().quick)
