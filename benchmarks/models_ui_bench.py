"""Models in the widget and the folder: prepare counts, click latency, pre-annotation speed.

    python benchmarks/models_ui_bench.py            # full run (~1-2 min)
    python benchmarks/models_ui_bench.py --quick    # smaller images, fewer of them

With `WatershedPromptModel` (weight-free; its ``prepare`` is the costly half, like a
Segment-Anything encoder) wrapped to count its ``prepare`` calls:

1. **One widget**, ``w.use_model(model)``: the latency of ``w.prompt(...)`` (the wait until
   the proposal is set) for the first click, which waits for the encoder, and for later
   clicks, which use the cached state; against a plain ``w.on_prompt`` function that runs
   both halves per click. Prepare calls counted.
2. **A folder**: a user who spends ``think`` seconds per image (the session's pause before
   work ahead, plus two encodings) and clicks as soon as the next image opens: the first
   click's latency with the next two images prepared ahead (the default) vs none
   (``ahead=0``).
3. **Pre-annotation** of a folder: images per second with the watershed model (a box
   around the middle of each image as the prompt) and with a function costing nothing,
   which leaves the reading of images and the writing of predictions.

Timings are wall-clock on a shared machine: compare the ratios, measured in one run.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np
from PIL import Image
from skimage import data

import seg_widget as sw
from seg_widget.core.model_session import DEFAULT_AHEAD_IDLE
from seg_widget.core.model_watershed import WatershedPromptModel
from seg_widget.core.prompt_model import Prompt

CLASSES = ["unlabelled", "object"]


class Counting:
    """A prompt model that counts its ``prepare`` calls."""

    def __init__(self, model) -> None:
        self.model = model
        self.prepared = 0

    def prepare(self, image):
        self.prepared += 1
        return self.model.prepare(image)

    def predict(self, state, prompt):
        return self.model.predict(state, prompt)


def photo(size: int, seed: int = 0) -> np.ndarray:
    """A natural RGB image of ``size`` x ``size`` (tiles of the astronaut, rolled by ``seed``)."""
    tiles = -(-size // 512)
    image = np.tile(data.astronaut(), (tiles, tiles, 1))[:size, :size]
    return np.ascontiguousarray(np.roll(image, 37 * seed, axis=(0, 1)))


def clicks(size: int, count: int) -> list[tuple[float, float]]:
    return [(size * (0.3 + 0.4 * i / count), size * 0.5) for i in range(count)]


def _latency_ms(w: sw.SegmentationWidget, point: tuple[float, float]) -> float:
    w.reject_proposal()
    start = time.perf_counter()
    w.prompt([point])
    assert w.proposal is not None, w.status
    return (time.perf_counter() - start) * 1000


def one_widget(size: int) -> None:
    image = photo(size)
    points = clicks(size, 11)
    model = Counting(WatershedPromptModel())
    w = sw.SegmentationWidget(image, CLASSES)
    w.use_model(model)  # the encoder starts now, in the background
    first = _latency_ms(w, points[0])
    cached = [_latency_ms(w, point) for point in points[1:]]
    plain_model = WatershedPromptModel()
    plain = sw.SegmentationWidget(image, CLASSES)
    plain.on_prompt(lambda im, prompt: plain_model.predict(plain_model.prepare(im), prompt))
    per_click = [_latency_ms(plain, point) for point in points[:3]]
    w.close()
    plain.close()
    print(f"1. one widget, {size}x{size} RGB, {len(points)} clicks: {model.prepared} prepare")
    print(f"   first click (waits for the encoder)  {first:8.0f} ms")
    print(f"   later clicks, cached state (median)   {statistics.median(cached):8.0f} ms"
          f"   ({first / statistics.median(cached):.0f}x faster)")  # fmt: skip
    ratio = statistics.median(per_click) / statistics.median(cached)
    print(f"   plain on_prompt function (median)     {statistics.median(per_click):8.0f} ms"
          f"   ({ratio:.0f}x the cached click)")  # fmt: skip


def folder_first_clicks(root: Path, size: int, count: int) -> None:
    images = root / "images"
    images.mkdir()
    for number in range(count):
        Image.fromarray(photo(size, seed=number)).save(images / f"photo{number:02d}.png")
    think = DEFAULT_AHEAD_IDLE + 2 * _encode_seconds(photo(size))
    results = {}
    for ahead in (2, 0):
        model = Counting(WatershedPromptModel())
        annotator = sw.DatasetAnnotator(images, root / f"masks{ahead}", CLASSES)
        annotator.use_model(model, ahead=ahead)
        latencies = []
        for _ in range(count - 1):
            time.sleep(think)  # the user works on this image
            annotator.next()
            latencies.append(_latency_ms(annotator.widget, (size / 2, size / 2)))
        annotator.close()
        results[ahead] = (statistics.median(latencies), model.prepared)
    (with_ahead, prepared), (without, _) = results[2], results[0]
    print(f"2. a folder of {count} images {size}x{size}, {think:.1f} s per image, then a click")
    print(f"   first click on each new image (median): ahead=2 {with_ahead:.0f} ms, "
          f"ahead=0 {without:.0f} ms ({without / with_ahead:.0f}x); "
          f"{prepared} prepare calls for {count} images with ahead=2")  # fmt: skip


def pre_annotation(root: Path, size: int, count: int) -> None:
    images = root / "pre"
    images.mkdir()
    for number in range(count):
        Image.fromarray(photo(size, seed=number)).save(images / f"photo{number:02d}.png")
    box = Prompt.of(box_xyxy=(size * 0.3, size * 0.3, size * 0.7, size * 0.7))
    rates = {}
    for name, model, options in (
        ("watershed model", WatershedPromptModel(), {"prompt": box}),
        ("no-cost function", lambda image: image[..., 0] > 128, {}),
    ):
        annotator = sw.DatasetAnnotator(images, root / f"pre-{len(rates)}", CLASSES)
        start = time.perf_counter()
        plan = annotator.pre_annotate(model, label=1, **options)
        seconds = time.perf_counter() - start
        assert len(plan.predicted) == count and not plan.failed
        annotator.close()
        rates[name] = count / seconds
    share = rates["watershed model"] / rates["no-cost function"]
    print(f"3. pre-annotating {count} images {size}x{size}: " + ", ".join(
        f"{name} {rate:.1f} images/s" for name, rate in rates.items())
        + f" (reading and writing: {share:.0%} of the model's run)")  # fmt: skip


def _encode_seconds(image: np.ndarray) -> float:
    start = time.perf_counter()
    WatershedPromptModel().prepare(image)
    return time.perf_counter() - start


def main(quick: bool = False) -> None:
    warnings.simplefilter("ignore")  # notebook-only widget warnings outside a kernel
    warm = WatershedPromptModel()  # first calls import and set up scikit-image / scipy parts
    warm.predict(warm.prepare(photo(256)), Prompt.of([(128.5, 128.5)]))
    size = 1024 if quick else 2048
    one_widget(size)
    with tempfile.TemporaryDirectory() as folder:
        folder_first_clicks(Path(folder), 512 if quick else 1024, 4 if quick else 6)
        pre_annotation(Path(folder), 256 if quick else 512, 20 if quick else 50)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    main(parser.parse_args().quick)
