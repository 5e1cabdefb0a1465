"""Kernel side of big images with tiles: first view and pen events, one command.

    python benchmarks/pyramid_bench.py            # sizes 1024² .. 32768² (~2-3 min, ~6 GB RAM)
    python benchmarks/pyramid_bench.py --quick    # up to 8192²

Built from seg_widget.render only (ImagePyramid, LabelTiles, TileGrid, BrowserTileCache,
pack_messages) through the same plan the browser spike uses (browser_tiles/tile_plan.py),
for a 1000x700 view and a random-noise RGB image (grey uint8 at 32768² when memory is short).

- first view: constructor time (no pixel is read), then the fitted view's tiles: exact area
  means (what a first view costs when nothing is cached), or nearest-neighbour previews
  (O(view)), plus the overlay's label tiles, packed into <= 8 MiB messages; time and bytes.
  Then a pan by one view width at 1:1 (new level-0 tiles only).
- pen event: a 12 px brush stroke in small steps at 1:1 (level 0 shown, the fitted level held
  too): footprint, document edit, patches of the held overlay tiles, packed. The two image
  sizes get the same events in turn, so the ratio 8192²/512² is measured under the same noise.
"""

from __future__ import annotations

import argparse
import gc
import math
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent / "browser_tiles"))

from tile_plan import TilePlan

from seg_widget.core.document import LabelDocument
from seg_widget.core.raster import brush_footprint
from seg_widget.render import pack_messages

COLORS = [(0, 0, 0), (255, 40, 40), (40, 200, 255)]


def _noise(size: int, channels: int) -> np.ndarray:
    shape = (size, size) if channels == 1 else (size, size, channels)
    data = np.random.default_rng(0).bytes(math.prod(shape))
    return np.frombuffer(data, dtype=np.uint8).reshape(shape)


def _available_bytes() -> int:
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemAvailable:"):
            return int(line.split()[1]) * 1024
    return 0


def _payload(tiles) -> tuple[int, int]:
    """Bytes and messages of the tiles as the anywidget design sends them (raw bytes)."""
    parts = []
    for tile in tiles:
        meta = {"layer": tile.layer, "key": list(tile.key), "slot": tile.slot}
        empty = tile.layer == "overlay" and not tile.pixels.any()
        parts.append((meta, b"" if empty else tile.pixels))
    messages = pack_messages(parts)
    return sum(m.nbytes for m in messages), len(messages)


def first_view(size: int, channels: int) -> dict:
    image = _noise(size, channels)
    mask = np.zeros((size, size), dtype=np.uint8)
    mask[size // 4 : size // 2, size // 4 : size // 2] = 1
    figures = {"size": size, "channels": channels}

    start = time.perf_counter()
    plan = TilePlan(image, mask, COLORS)
    figures["constructor_ms"] = (time.perf_counter() - start) * 1e3

    keys = plan.view_keys()
    figures["level"], figures["tiles"] = plan.level, len(keys)
    figures["pixels_to_read"] = plan.pyramid.pixels_to_read(keys, limit=size * size)

    start = time.perf_counter()
    previews = plan.missing_tiles(previews=True)  # forced, to show their cost at every size
    figures["preview_bytes"], figures["preview_messages"] = _payload(previews)
    figures["preview_ms"] = (time.perf_counter() - start) * 1e3

    exact = TilePlan(image, mask, COLORS)
    start = time.perf_counter()
    tiles = exact.missing_tiles(previews=False)
    figures["exact_bytes"], figures["exact_messages"] = _payload(tiles)
    figures["exact_ms"] = (time.perf_counter() - start) * 1e3
    figures["cache_mb"] = exact.pyramid.cached_bytes / 1e6

    # Zoom to 1:1 at the centre, then pan by one view width: level-0 tiles only.
    exact.viewport.set_zoom(1.0)
    exact.missing_tiles()
    start = time.perf_counter()
    exact.viewport.pan_by(-exact.viewport.canvas_size[0], 0)
    figures["pan_bytes"], _ = _payload(exact.missing_tiles())
    figures["pan_ms"] = (time.perf_counter() - start) * 1e3
    return figures


def pen_events(sizes: tuple[int, ...], n_events: int) -> dict[int, tuple[float, float]]:
    plans, documents = {}, {}
    for size in sizes:
        mask = np.zeros((size, size), dtype=np.uint8)
        plan = TilePlan(_noise(size, 3), mask, COLORS)
        plan.missing_tiles()  # the fitted view is held
        plan.viewport.set_zoom(1.0)
        plan.missing_tiles()  # and the 1:1 view at the centre
        plans[size], documents[size] = plan, LabelDocument(mask, n_classes=len(COLORS))
    times = {size: [] for size in sizes}
    sent = {size: [] for size in sizes}
    previous = None
    for step in range(n_events):
        angle = 2 * math.pi * step / n_events
        for size in sizes:
            centre = size / 2
            point = (centre + 120 * math.sin(angle), centre + 120 * math.cos(angle))
            start_rc = previous[size] if previous else point
            begin = time.perf_counter()
            footprint = brush_footprint(start_rc, point, 12, (size, size))
            if footprint is None:
                continue
            dirty = documents[size].apply(footprint[0], footprint[1], 1)
            # An event that changes nothing (the stroke goes over itself) has no dirty box.
            patches = plans[size].pen_patches(dirty) if dirty is not None else []
            parts = [({"slot": p.slot, "box": list(p.local_box)}, p.labels) for p in patches]
            nbytes = sum(m.nbytes for m in pack_messages(parts))
            times[size].append(time.perf_counter() - begin)
            sent[size].append(nbytes)
        previous = {
            size: (size / 2 + 120 * math.sin(angle), size / 2 + 120 * math.cos(angle))
            for size in sizes
        }
    return {
        size: (statistics.median(times[size]) * 1e3, statistics.mean(sent[size])) for size in sizes
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    sizes = (1024, 4096, 8192) if args.quick else (1024, 4096, 8192, 16384, 32768)

    print("First view of a 1000x700 canvas, fitted (random-noise image, one labelled square)")
    print(
        f"{'image':>8} {'ctor':>8} {'level':>5} {'tiles':>5} {'exact':>9} {'bytes':>8} "
        f"{'preview':>9} {'bytes':>8} {'msgs':>4} {'read Mpx':>9} {'cache':>8} "
        f"{'pan 1:1':>8} {'bytes':>7}"
    )
    for size in sizes:
        channels = 3 if _available_bytes() > 3 * size * size * 3 + 2 * size * size else 1
        f = first_view(size, channels)
        print(
            f"{size:>7}{'g' if channels == 1 else ' '} {f['constructor_ms']:6.2f}ms "
            f"{f['level']:5d} "
            f"{f['tiles']:5d} {f['exact_ms']:7.0f}ms {f['exact_bytes'] / 1e6:6.2f}MB "
            f"{f['preview_ms']:7.0f}ms {f['preview_bytes'] / 1e6:6.2f}MB "
            f"{max(f['exact_messages'], f['preview_messages']):4d} "
            f"{f['pixels_to_read'] / 1e6:9.1f} {f['cache_mb']:6.1f}MB "
            f"{f['pan_ms']:6.0f}ms {f['pan_bytes'] / 1e6:5.2f}MB",
            flush=True,
        )
        gc.collect()
    print("(g: grey uint8, memory was short for RGB; exact = area-mean tiles computed from")
    print(" nothing cached; preview = nearest-neighbour stand-ins, refined later when idle)")

    events = 150 if args.quick else 400
    costs = pen_events((512, 8192), events)
    print(f"\nPen event (12 px brush, {events} steps at 1:1; level 0 and the fitted level held)")
    for size, (ms, nbytes) in costs.items():
        print(f"{size:>7}²  {ms:6.3f} ms  {nbytes:8.0f} bytes")
    ratio_t = costs[8192][0] / costs[512][0]
    ratio_b = costs[8192][1] / costs[512][1]
    print(f"ratio 8192²/512²: time {ratio_t:.2f}, bytes {ratio_b:.2f} (target <= 1.5)")


if __name__ == "__main__":
    main()
