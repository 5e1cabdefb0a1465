"""DatasetAnnotator: how long Next and Previous take on a folder of 1.9 MP JPEG photos.

    python benchmarks/dataset_bench.py                         # also run by run.py
    python benchmarks/dataset_bench.py --baseline ../old-checkout   # against another version

A step is what a user waits for: save the edited mask, open the next (or previous) image
with its widget, and draw it (the browser's ``client_ready``: the image and the overlay are
sent). Each image gets a brush stroke first, so every step saves. Ten photos of 1600 x 1200,
forwards through all of them and back; median and worst step, wall clock and the main
thread's CPU time (what the kernel spends; the wall clock also counts other processes on a
shared machine). Target: ≤ 1 s.

With ``--baseline PATH`` (a checkout of another version of seg-widget), the same steps run
alternately in fresh processes against that version and this one, three rounds each, and
the ratio of the medians is printed.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

# Must come first: it installs the byte-counting comm before ipycanvas is imported.
import harness  # noqa: F401
import numpy as np
import skimage.data
from PIL import Image

import seg_widget as sw
from seg_widget.testing import send_canvas_event

#: Photos in the folder and their size (width, height): 1.9 MP each.
N_IMAGES = 10
SIZE = (1600, 1200)


def photo_folder(root: str, n_images: int = N_IMAGES, size: tuple[int, int] = SIZE) -> str:
    """Write ``n_images`` JPEG photos (the astronaut, enlarged, with noise) into root/images."""
    folder = os.path.join(root, "images")
    os.makedirs(folder, exist_ok=True)
    base = Image.fromarray(skimage.data.astronaut()).resize(size)
    rng = np.random.default_rng(0)
    for k in range(n_images):
        noisy = np.asarray(base, np.int16) + rng.integers(-12, 12, (size[1], size[0], 3))
        Image.fromarray(np.clip(noisy, 0, 255).astype(np.uint8)).save(
            os.path.join(folder, f"photo_{k:02d}.jpg"), quality=90
        )
    return folder


def step_seconds(annotator, move) -> tuple[float, float]:
    """Wall and main-thread CPU seconds of one step: paint, then move and draw."""
    annotator.widget.paint_stroke([(200, 200), (600, 900)], label=1, brush_size=40)
    start, start_cpu = time.perf_counter(), time.thread_time()
    moved = move()
    send_canvas_event(annotator.widget.canvas, "client_ready")
    elapsed = (time.perf_counter() - start, time.thread_time() - start_cpu)
    assert moved, "the annotator did not move"
    return elapsed


def navigation_costs(n_images: int = N_IMAGES) -> dict[str, list[tuple[float, float]]]:
    """(wall, CPU) seconds of every Next (forwards through the folder) and Previous (back)."""
    with tempfile.TemporaryDirectory() as root:
        folder = photo_folder(root, n_images)
        annotator = sw.DatasetAnnotator(
            folder, os.path.join(root, "masks"), ["unlabelled", "person", "rocket"],
            autosave_seconds=None,
        )  # fmt: skip
        send_canvas_event(annotator.widget.canvas, "client_ready")
        forwards = [step_seconds(annotator, annotator.next) for _ in range(n_images - 1)]
        backwards = [step_seconds(annotator, annotator.previous) for _ in range(n_images - 1)]
        annotator.close()
    return {"next": forwards, "previous": backwards}


def summary(costs: dict[str, list[tuple[float, float]]]) -> dict[str, dict[str, float]]:
    """Median and worst wall seconds, median main-thread CPU seconds, per direction."""
    return {
        name: {
            "median": statistics.median(wall for wall, _ in steps),
            "worst": max(wall for wall, _ in steps),
            "cpu": statistics.median(cpu for _, cpu in steps),
        }
        for name, steps in costs.items()
    }


def _measure_in(checkout: str) -> dict[str, dict[str, float]]:
    """Run the measurement in a fresh process importing seg_widget from ``checkout``."""
    here = os.path.dirname(os.path.abspath(__file__))
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([os.path.abspath(checkout), here])}
    output = subprocess.run(
        [sys.executable, os.path.abspath(__file__), "--json"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return json.loads(output.splitlines()[-1])


def compare(baseline: str, rounds: int = 3) -> None:
    """Alternate the baseline and this checkout, ``rounds`` fresh processes each."""
    this = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    runs: dict[str, list[dict]] = {"baseline": [], "this": []}
    for _ in range(rounds):
        runs["baseline"].append(_measure_in(baseline))
        runs["this"].append(_measure_in(this))
    print(f"Next / Previous, {rounds} alternating runs each (median of the runs' medians):")
    for direction in ("next", "previous"):
        figures = {
            who: {key: statistics.median(r[direction][key] for r in results) for key in r0}
            for who, results in runs.items()
            for r0 in [results[0][direction]]
        }
        base, now = figures["baseline"], figures["this"]
        print(
            f"  {direction:<8} baseline {base['median']:.2f} s (worst {base['worst']:.2f}, "
            f"CPU {base['cpu']:.2f}) -> this {now['median']:.2f} s (worst {now['worst']:.2f}, "
            f"CPU {now['cpu']:.2f}); ratio {now['median'] / base['median']:.2f}, "
            f"CPU ratio {now['cpu'] / base['cpu']:.2f}"
        )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--baseline", help="a checkout of another seg-widget version")
    parser.add_argument("--json", action="store_true", help="print the summary as JSON")
    args = parser.parse_args(argv)
    if args.baseline:
        compare(args.baseline)
        return
    figures = summary(navigation_costs())
    if args.json:
        print(json.dumps(figures))
        return
    print(f"DatasetAnnotator, {N_IMAGES} JPEG photos of {SIZE[0]} x {SIZE[1]} (1.9 MP):")
    for name, f in figures.items():
        print(
            f"  {name:<8} median {f['median']:.2f} s, worst {f['worst']:.2f} s, main-thread "
            f"CPU {f['cpu']:.2f} s  (save, open, draw; target <= 1 s)"
        )


if __name__ == "__main__":
    main()
