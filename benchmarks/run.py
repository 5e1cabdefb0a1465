"""seg-widget benchmarks: one command, figures and ratios measured in one run.

    python benchmarks/run.py            # full run (~1 min)
    python benchmarks/run.py --quick    # fewer repeats

Kernel-side costs only: every widget message is serialised as ipykernel would
(JSON + binary buffers) by a stand-in comm, so "send" is included and bytes are
counted, but no browser is involved. Machines are shared and noisy: compare the
ratios, which are measured back to back in the same run.
"""

from __future__ import annotations

import argparse
import itertools
import math
import statistics
import time

# Must come first: it installs the byte-counting comm before ipycanvas is imported
# (the other benchmarks import seg_widget, which imports ipycanvas).
from harness import SerialisingComm, sent_during, stroke_path, timed

# isort: split
import assist_bench
import dataset_bench
import instance_bench
import io_bench
import numpy as np

import seg_widget as sw
from seg_widget.testing import send_canvas_event, undo_bytes


def pen_event_costs(sizes: tuple[int, ...], n_events: int) -> dict[int, tuple[float, float]]:
    """Median kernel ms and mean bytes per mouse_move during a 12 px brush stroke, per size.

    The widgets of every size receive the same events in turn, so machine noise hits
    them alike and the ratios stay meaningful on a shared machine.
    """
    widgets = {}
    for size in sizes:
        w = sw.SegmentationWidget(
            np.zeros((size, size), np.uint8), classes=["u", "a", "b"], width=512, height=512
        )
        w.actual_size()  # 1:1, so a canvas step is an image step at every image size
        w.brush_size = 12
        widgets[size] = w
    path = stroke_path(n_events, 256, 120)
    times: dict[int, list[float]] = {size: [] for size in sizes}
    sent: dict[int, list[int]] = {size: [] for size in sizes}
    for w in widgets.values():
        send_canvas_event(w.canvas, "mouse_down", x=path[0][0], y=path[0][1])
    for x, y in path[1:]:
        for size, w in widgets.items():
            before = SerialisingComm.sent_bytes
            start = time.perf_counter()
            send_canvas_event(w.canvas, "mouse_move", x=x, y=y)
            times[size].append(time.perf_counter() - start)
            sent[size].append(SerialisingComm.sent_bytes - before)
    for w in widgets.values():
        send_canvas_event(w.canvas, "mouse_up", x=path[-1][0], y=path[-1][1])
    return {
        size: (statistics.median(times[size]) * 1e3, statistics.mean(sent[size])) for size in sizes
    }


def view_change_bytes() -> dict[str, int]:
    w = sw.SegmentationWidget(np.zeros((2048, 2048, 3), np.uint8), classes=["u", "a"])
    send_canvas_event(w.canvas, "client_ready")
    send_canvas_event(w.canvas, "mouse_move", x=300, y=300)
    return {
        "zoom step (wheel)": sent_during(
            lambda: send_canvas_event(w.canvas, "mouse_wheel", x=0, y=-100)
        ),
        "pan step": sent_during(lambda: w.pan(12, -7)),
        "brightness change": sent_during(lambda: setattr(w, "brightness", 1.3)),
        "contrast change": sent_during(lambda: setattr(w, "contrast", 1.2)),
    }


def open_time(size: int, repeats: int) -> tuple[float, int]:
    """Seconds from constructor to the first frame's commands sent, for an RGB image."""
    rng = np.random.default_rng(0)
    image = rng.integers(0, 256, (size, size, 3), dtype=np.uint8)
    best = math.inf
    for _ in range(repeats):
        before = SerialisingComm.sent_bytes
        start = time.perf_counter()
        w = sw.SegmentationWidget(image, classes=["u", "a"])
        send_canvas_event(w.canvas, "client_ready")
        best = min(best, time.perf_counter() - start)
        sent = SerialisingComm.sent_bytes - before
    return best, sent


def outline_and_fill_costs(repeats: int) -> dict[str, float]:
    """Best kernel ms of big outline fills, a 4 MP flood fill, and the undo of each."""
    size = 4096
    w = sw.SegmentationWidget(np.zeros((size, size), np.uint8), classes=["u", "a", "b"])
    send_canvas_event(w.canvas, "client_ready")
    w.flood_fill((0, 0), label=1)  # warm-up: scikit-image imports its labelling lazily
    w.undo()
    quarter = size / 2  # a square of side size/2 covers 25 % of the image
    square = [
        (1000, 1000),
        (1000, 1000 + quarter),
        (1000 + quarter, 1000 + quarter),
        (1000 + quarter, 1000),
    ]
    angles = np.linspace(0, 2 * math.pi, 2000, endpoint=False)
    radius = quarter / math.sqrt(math.pi)  # same area as the square
    lasso = [(2048 + radius * math.sin(t), 2048 + radius * math.cos(t)) for t in angles]
    results: dict[str, list[float]] = {}

    def record(name: str, action) -> None:
        results.setdefault(name, []).append(timed(action))

    for _ in range(repeats):
        record("polygon fill, 4 vertices, 25 % of 4096²", lambda: w.fill_polygon(square, label=1))
        record("undo of that", w.undo)
        record("lasso fill, 2000 points, 25 % of 4096²", lambda: w.fill_polygon(lasso, label=1))
        record("undo of that ", w.undo)
        # A 2048² (4.2 MP) unlabelled region walled in by class 2.
        w.mask[1022:3074, 1022:3074] = 2
        w.mask[1024:3072, 1024:3072] = 0
        w.refresh()
        record("flood fill of a 4.2 MP region", lambda: w.flood_fill((2000, 2000), label=1))
        record("undo of that  ", w.undo)
        w.mask[:] = 0
        w.refresh()
    return {name: min(times) for name, times in results.items()}


def history_bytes_per_stroke() -> dict[int, int]:
    """Undo-history bytes of one 50-pixel brush stroke, by image size."""
    sizes = {}
    for size in (512, 8192):
        w = sw.SegmentationWidget(np.zeros((size, size), np.uint8), classes=["u", "a"])
        w.paint_stroke([(100, 100), (100, 150)], label=1, brush_size=5)
        sizes[size] = undo_bytes(w)
    return sizes


def _scene_with_objects(size: int, n_objects: int, seed: int = 0) -> np.ndarray:
    """A mask of ``n_objects`` ellipses of 5 classes, each with a small hole and a speck."""
    rng = np.random.default_rng(seed)
    mask = np.zeros((size, size), np.uint8)
    rows, cols = np.ogrid[:size, :size]
    for _ in range(n_objects):
        r, c = rng.integers(100, size - 100, 2)
        a, b = rng.integers(20, 90, 2)
        window = (slice(r - a, r + a + 1), slice(c - b, c + b + 1))
        inside = ((rows[window[0]] - r) / a) ** 2 + ((cols[:, window[1]] - c) / b) ** 2 <= 1
        mask[window][inside] = rng.integers(1, 6)
        mask[r, c] = 0  # a one-pixel hole
        mask[r + a + 3, c] = rng.integers(1, 6)  # a speck just outside
    return mask


def quality_costs(repeats: int) -> dict[str, float]:
    """Best kernel ms of each search and fix on a 4096² mask with 200 objects."""
    mask = _scene_with_objects(4096, 200)
    w = sw.SegmentationWidget(np.zeros(mask.shape, np.uint8), classes=list("u12345"), mask=mask)
    w.find_holes()  # warm-up: lazy imports
    results: dict[str, list[float]] = {}
    actions = {
        "find holes": w.find_holes,
        "find specks": w.find_specks,
        "fill holes (incl. redraw)": w.fill_holes,
        "remove specks (incl. redraw)": w.remove_specks,
        "smooth borders 3x3 (incl. redraw)": w.smooth_borders,
    }
    for _ in range(repeats):
        for name, action in actions.items():
            results.setdefault(name, []).append(timed(action))
            if w.can_undo and "incl." in name:
                w.undo()
    return {name: min(times) for name, times in results.items()}


def coverage_cost_per_event(n_events: int) -> tuple[float, float]:
    """Median ms of the document's share of a pen event, without and with class counts.

    The widget always keeps counts (the status line shows coverage), so the cost is
    measured where it arises, in ``LabelDocument.apply``: two documents receive the
    same 12 px brush footprints alternately, so machine noise hits both alike.
    """
    from seg_widget.core.document import LabelDocument
    from seg_widget.core.raster import brush_footprint

    plain, counted = (LabelDocument(np.zeros((2048, 2048), np.uint8), 2) for _ in range(2))
    counted.recount()  # from now on kept up to date incrementally
    path = stroke_path(n_events, 1024, 400)
    times: dict[int, list[float]] = {id(plain): [], id(counted): []}
    for (x0, y0), (x1, y1) in itertools.pairwise(path):
        footprint = brush_footprint((y0, x0), (y1, x1), 12, (2048, 2048))
        for document in (plain, counted):
            start = time.perf_counter()
            document.apply(*footprint, 1)
            times[id(document)].append(time.perf_counter() - start)
    assert counted.class_counts[1] == np.count_nonzero(counted.mask)
    return tuple(statistics.median(times[id(d)]) * 1e3 for d in (plain, counted))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer events and repeats")
    args = parser.parse_args()
    n_events = 100 if args.quick else 300

    print("== Pen path: kernel time per mouse_move (rasterise + apply + patch + send) ==")
    results = pen_event_costs((512, 2048, 8192), n_events)
    for size, (ms, nbytes) in results.items():
        print(f"  {size:>5}²: median {ms:6.3f} ms/event   {nbytes:7.0f} bytes/event")
    ratio = results[8192][0] / results[512][0]
    print(f"  ratio 8192²/512²: {ratio:.2f}  (target <= 1.5; budget <= 1 ms/event)")

    print("== Bytes sent per view change (target <= 1024 each, no pixels) ==")
    for name, nbytes in view_change_bytes().items():
        print(f"  {name:<20} {nbytes:6d} bytes")

    print("== Outline and fill tools: kernel ms incl. overlay patch (targets 100/150/50 ms) ==")
    for name, ms in outline_and_fill_costs(1 if args.quick else 3).items():
        print(f"  {name:<42} {ms:7.1f} ms")

    print("== Undo history per step: one 50-pixel-long 5 px brush stroke ==")
    sizes = history_bytes_per_stroke()
    for size, nbytes in sizes.items():
        print(f"  {size:>5}² image: {nbytes:6d} bytes")
    print(f"  ratio 8192²/512²: {sizes[8192] / sizes[512]:.2f}  (proportional to the stroke: 1.0)")

    print("== Find what is missing: 4096² mask, 200 objects (target <= 300 ms each) ==")
    for name, ms in quality_costs(1 if args.quick else 3).items():
        print(f"  {name:<36} {ms:7.1f} ms")
    plain, counted = coverage_cost_per_event(n_events)
    print(
        f"  document share of a pen event, without / with counts: {plain:.3f} / {counted:.3f} ms"
        f"  (+{counted - plain:.3f} ms; target <= 0.1 ms)"
    )

    io_bench.main(quick=args.quick)
    assist_bench.main(quick=args.quick)
    instance_bench.main(quick=args.quick)
    dataset_bench.main([])

    print("== Opening a 4096² RGB image: constructor to first frame sent (lossless PNG) ==")
    seconds, nbytes = open_time(4096, 1 if args.quick else 3)
    print(f"  {seconds:.3f} s (best of runs), {nbytes / 2**20:.1f} MiB sent  (target <= 1.5 s)")


if __name__ == "__main__":
    main()
