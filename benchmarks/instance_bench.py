"""seg-widget instance benchmarks: merge/split of a 1 MP object on 4096², pen cost with instances.

    python benchmarks/instance_bench.py            # full run (~40 s)
    python benchmarks/instance_bench.py --quick    # fewer repeats and events

Also run by ``benchmarks/run.py``. Kernel-side costs only, with the stand-in comm of
``harness.py`` (every message serialised, bytes counted, no browser). The scene is a 4096²
class mask and instance map: three ~1 MP objects (two touching halves to merge, one
object cut in pieces to split, one solid) above ~200 small objects. Machines are shared
and noisy: commands are repeated (undo in between restores the state) and medians are
shown; the pen figures are interleaved event by event across the three widgets, so the
ratios are measured under the same noise.
"""

from __future__ import annotations

import argparse
import math
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass

# Must come first: it installs the byte-counting comm before ipycanvas is imported.
import numpy as np
from harness import SerialisingComm, stroke_path, timed

import seg_widget as sw
from seg_widget.core.classes import normalize_classes
from seg_widget.core.document import LabelDocument
from seg_widget.core.instances import table_from_maps
from seg_widget.testing import send_canvas_event

SIZE = 4096
CLASSES = ["unlabelled", "person", "car", "tree", "road", "sign"]
#: Target of the issue: merge and split of a 1 MP instance, each.
TARGET_MS = 100.0
#: Target of the pen with instances, relative to the semantic-only pen.
TARGET_PEN_RATIO = 1.2
#: The pen stroke: the circle of run.py's pen benchmark, centred in the view.
VIEW = 512


@dataclass(frozen=True)
class InstanceScene:
    """A 4096² scene: class mask, instance map and the ids the benchmarks act on."""

    mask: np.ndarray
    ids: np.ndarray
    #: Two touching halves of a 1 MP disk, same class: merged into one 1 MP object.
    halves: tuple[int, int]
    #: A 1 MP disk cut by a 16 px pole into two pieces, plus a small fragment.
    pieces: int
    #: A solid 1 MP disk, and a small object of another class beside it.
    solid: int
    neighbour: int
    #: Image (row, col) of the centre of the pen stroke, among the small objects.
    pen_centre: tuple[int, int]


def _disk(centre: tuple[int, int], radius: float) -> tuple[tuple[slice, slice], np.ndarray]:
    r, c = centre
    reach = math.ceil(radius)
    window = (slice(r - reach, r + reach + 1), slice(c - reach, c + reach + 1))
    rows, cols = np.ogrid[-reach : reach + 1, -reach : reach + 1]
    return window, rows**2 + cols**2 <= radius**2


def build_scene(size: int = SIZE, n_small: int = 200, seed: int = 0) -> InstanceScene:
    """Three ~1 MP objects in a band at the top, ``n_small`` small ellipses below."""
    rng = np.random.default_rng(seed)
    mask = np.zeros((size, size), np.uint8)
    ids = np.zeros((size, size), np.uint32)
    radius = math.sqrt(1e6 / math.pi)  # 564 px: 1 MP
    row = 700

    def put(window, inside, instance_id, class_id):
        mask[window][inside] = class_id
        ids[window][inside] = instance_id

    # 1, 2: the left and right halves of one disk (an over-segmented car).
    window, inside = _disk((row, 640), radius)
    left = np.zeros_like(inside)
    left[:, : inside.shape[1] // 2] = True
    put(window, inside & left, 1, 2)
    put(window, inside & ~left, 2, 2)
    # 3: a disk cut by a pole 100 px left of its centre, and a fragment below it.
    window, inside = _disk((row, 2048), radius)
    pole = np.zeros_like(inside)
    pole[:, inside.shape[1] // 2 - 108 : inside.shape[1] // 2 - 92] = True
    put(window, inside & ~pole, 3, 1)
    put((slice(row + 600, row + 630), slice(2048, 2078)), np.ones((30, 30), bool), 3, 1)
    # 4: a solid disk; 5: a small object of another class just below it.
    window, inside = _disk((row, 3456), radius)
    put(window, inside, 4, 3)
    window, inside = _disk((row + round(radius) + 45, 3456), 40)
    put(window, inside, 5, 4)
    # 6...: small ellipses, one per grid cell (some cells empty), of random classes.
    cell, top = 205, 1450
    cells = [
        (top + i * cell, j * cell) for i in range((size - top) // cell) for j in range(size // cell)
    ]
    chosen = sorted(rng.choice(len(cells), n_small, replace=False).tolist())
    rows, cols = np.ogrid[:cell, :cell]
    for k, index in enumerate(chosen, start=6):
        r0, c0 = cells[index]
        a, b = rng.uniform(30, 95, 2)
        inside = ((rows - cell / 2) / a) ** 2 + ((cols - cell / 2) / b) ** 2 <= 1
        put((slice(r0, r0 + cell), slice(c0, c0 + cell)), inside, k, int(rng.integers(1, 6)))
    # The stroke circles a grid corner in the middle of the small objects.
    pen_centre = (top + 6 * cell, 10 * cell)
    return InstanceScene(mask, ids, (1, 2), 3, 4, 5, pen_centre)


def _widget(scene: InstanceScene, *, instances: bool, **kwargs) -> sw.SegmentationWidget:
    return sw.SegmentationWidget(
        np.zeros(scene.mask.shape, np.uint8),
        classes=CLASSES,
        mask=scene.mask,
        instances=scene.ids if instances else None,
        **kwargs,
    )


def _document(scene: InstanceScene) -> LabelDocument:
    document = LabelDocument(scene.mask.copy(), len(CLASSES))
    document.enable_instances(*table_from_maps(scene.mask, scene.ids, normalize_classes(CLASSES)))
    return document


def _median_ms(
    commands: dict[str, tuple[Callable[[], object], Callable[[], object]]], repeats: int
) -> dict[str, tuple[float, float, float, float]]:
    """Median ms of each command and of its undo, and mean KiB each of them sent.

    Each ``(command, undo)`` pair runs once untimed (lazy imports), then ``repeats``
    times in turn with the others, so machine noise hits all of them alike.
    """
    for command, undo in commands.values():
        command()
        undo()
    times: dict[str, list[tuple[float, float, int, int]]] = {name: [] for name in commands}

    def timed_and_sent(action: Callable[[], object]) -> tuple[float, int]:
        before = SerialisingComm.sent_bytes
        ms = timed(action)
        return ms, SerialisingComm.sent_bytes - before

    for _ in range(repeats):
        for name, (command, undo) in commands.items():
            ms, nbytes = timed_and_sent(command)
            undo_ms, undo_bytes = timed_and_sent(undo)
            times[name].append((ms, undo_ms, nbytes, undo_bytes))
    return {
        name: (
            statistics.median(t[0] for t in runs),
            statistics.median(t[1] for t in runs),
            statistics.mean(t[2] for t in runs) / 1024,
            statistics.mean(t[3] for t in runs) / 1024,
        )
        for name, runs in times.items()
    }


def command_costs(scene: InstanceScene, repeats: int) -> dict[str, tuple[float, ...]]:
    """Merge and split of 1 MP objects: the document alone, then the widget command."""
    document = _document(scene)
    layer = document.instances
    w = _widget(scene, instances=True)
    send_canvas_event(w.canvas, "client_ready")
    a, b = scene.halves
    merged = layer.count(a) + layer.count(b)

    def check_merge(instance_layer, target, pixels):
        def check():
            if instance_layer.count(target) != pixels:
                raise AssertionError(f"merge: expected {pixels} pixels in {target}")

        return check

    def doc_split():
        if len(document.split_instance(scene.pieces)) != 3:
            raise AssertionError("split: expected 3 pieces")

    def widget_split():
        if len(w.split_instance(scene.pieces)) != 3:
            raise AssertionError("split: expected 3 pieces")

    def then(first, second):
        return lambda: (first(), second())

    big = layer.count(scene.solid) + layer.count(scene.neighbour)
    wl = _PixelCounts(w)
    commands = {
        f"merge 2 halves -> 1 object of {merged / 1e6:.2f} MP": (
            then(lambda: document.merge_instances(scene.halves), check_merge(layer, a, merged)),
            document.undo,
        ),
        f"split {layer.count(scene.pieces) / 1e6:.2f} MP object in 3 pieces": (
            doc_split,
            document.undo,
        ),
        "merge 1 MP object into a small one of another class": (
            then(
                lambda: document.merge_instances([scene.neighbour, scene.solid]),
                check_merge(layer, scene.neighbour, big),
            ),
            document.undo,
        ),
        "widget: merge 2 halves (w.merge_instances)": (
            then(lambda: w.merge_instances(list(scene.halves)), check_merge(wl, a, merged)),
            w.undo,
        ),
        "widget: split in 3 pieces (w.split_instance)": (widget_split, w.undo),
        "widget: merge 1 MP into small, other class": (
            then(
                lambda: w.merge_instances([scene.neighbour, scene.solid]),
                check_merge(wl, scene.neighbour, big),
            ),
            w.undo,
        ),
    }
    results = _median_ms(commands, repeats)
    if layer.count(a) + layer.count(b) != merged or layer.count(b) == 0:
        raise AssertionError("undo: expected the two halves back")
    w.close()
    return results


class _PixelCounts:
    """A widget's object pixel counts, read through its public API."""

    def __init__(self, widget: sw.SegmentationWidget) -> None:
        self.widget = widget

    def count(self, instance_id: int) -> int:
        return self.widget.instance_pixels(instance_id)


def _box(inside: np.ndarray) -> sw.BBox:
    rows, cols = np.nonzero(inside.any(axis=1))[0], np.nonzero(inside.any(axis=0))[0]
    return sw.BBox(int(rows[0]), int(rows[-1]) + 1, int(cols[0]), int(cols[-1]) + 1)


def view_costs(scene: InstanceScene, repeats: int) -> dict[str, tuple[float, ...]]:
    """Hide/show of one object (repaints its box) and the full colour-by-instance repaint."""
    w = _widget(scene, instances=True)
    send_canvas_event(w.canvas, "client_ready")
    small = next(i.id for i in w.instances if i.id > scene.neighbour)
    box = _box(w.object_mask(scene.solid))
    small_box = _box(w.object_mask(small))

    def toggle(instance_id, visible):
        return lambda: w.set_instance_visible(instance_id, visible)

    def color_by(value):
        return lambda: setattr(w, "color_by", value)

    commands = {
        f"hide / show a 1 MP object (box {box.height}x{box.width})": (
            toggle(scene.solid, False),
            toggle(scene.solid, True),
        ),
        f"hide / show a small object (box {small_box.height}x{small_box.width})": (
            toggle(small, False),
            toggle(small, True),
        ),
        f"colour by instance / back to class, full {SIZE}² repaint": (
            color_by("instance"),
            color_by("class"),
        ),
    }
    results = _median_ms(commands, repeats)
    w.close()
    return results


def pen_costs(scene: InstanceScene, n_events: int) -> tuple[dict[str, tuple[float, float]], str]:
    """Median kernel ms and mean bytes per mouse_move of one 12 px stroke, per widget.

    The stroke of run.py's pen benchmark (a circle walked in small steps, 1:1 zoom)
    crosses a few small objects. (a) never uses instances; (b) has the instance map
    and paints with one of those objects active; (c) is (b) with the other objects
    near the stroke locked. The three widgets receive each event in turn.
    """
    widgets = {
        "(a) semantic only, no instances": _widget(scene, instances=False, width=VIEW, height=VIEW),
        f"(b) {len(np.unique(scene.ids)) - 1} instances, one active": _widget(
            scene, instances=True, width=VIEW, height=VIEW
        ),
        "(c) as (b), objects nearby locked": _widget(
            scene, instances=True, width=VIEW, height=VIEW
        ),
    }
    path = stroke_path(n_events, VIEW / 2, 120)
    row, col = scene.pen_centre
    for w in widgets.values():
        w.actual_size()
        x, y = w.image_to_canvas(col, row)
        w.pan(VIEW / 2 - x, VIEW / 2 - y)  # the stroke's centre in the view's centre
        w.brush_size = 12
    semantic, active, locked = widgets.values()
    # The active object: the one the stroke touches most; lock the others near it in (c).
    on_path = [
        int(scene.ids[math.floor(r), math.floor(c)])
        for c, r in (semantic.canvas_to_image(x, y) for x, y in path)
    ]
    touched = [i for i in dict.fromkeys(on_path) if i]
    target = max(touched, key=on_path.count)
    nearby = np.unique(scene.ids[row - 300 : row + 300, col - 300 : col + 300])
    to_lock = [int(i) for i in nearby if i and i != target]
    for w in (active, locked):
        w.select_instance(target)
    for instance_id in to_lock:
        locked.set_instance_locked(instance_id)
    semantic.label = active.label
    before_lock = {i: locked.instance_pixels(i) for i in to_lock}

    times: dict[str, list[float]] = {name: [] for name in widgets}
    sent: dict[str, list[int]] = {name: [] for name in widgets}
    for w in widgets.values():
        send_canvas_event(w.canvas, "mouse_down", x=path[0][0], y=path[0][1])
    for x, y in path[1:]:
        for name, w in widgets.items():
            before = SerialisingComm.sent_bytes
            start = time.perf_counter()
            send_canvas_event(w.canvas, "mouse_move", x=x, y=y)
            times[name].append(time.perf_counter() - start)
            sent[name].append(SerialisingComm.sent_bytes - before)
    for w in widgets.values():
        send_canvas_event(w.canvas, "mouse_up", x=path[-1][0], y=path[-1][1])

    grown = active.instance_pixels(target) - int(np.count_nonzero(scene.ids == target))
    if grown <= 0 or not np.array_equal(semantic.mask, active.mask):
        raise AssertionError("pen: expected (b) to paint what (a) paints, into the object")
    if any(locked.instance_pixels(i) != n for i, n in before_lock.items()):
        raise AssertionError("pen: a locked object lost pixels")
    results = {
        name: (statistics.median(times[name]) * 1e3, statistics.mean(sent[name]))
        for name in widgets
    }
    for w in widgets.values():
        w.close()
    crossed = len(set(touched) & set(to_lock))
    return results, (
        f"the stroke crosses {len(touched)} objects; object {target} grew by {grown} px; "
        f"(c) locks {len(to_lock)} objects, {crossed} of them on the stroke"
    )


def _verdict(ms: float) -> str:
    return "PASS" if ms <= TARGET_MS else "FAIL"


def _print_rows(header: str, rows: dict[str, tuple[float, ...]], verdicts: bool) -> None:
    print(f"  {header:<56} {'ms':>7} {'undo ms':>8} {'KiB':>7} {'undo KiB':>9}")
    for name, (ms, undo_ms, kib, undo_kib) in rows.items():
        verdict = f"  {_verdict(ms)}/{_verdict(undo_ms)}" if verdicts else ""
        print(f"  {name:<56} {ms:7.1f} {undo_ms:8.1f} {kib:7.1f} {undo_kib:9.1f}{verdict}")


def main(quick: bool | None = None) -> None:
    """Print the instance figures (``quick``: fewer repeats; by default from ``--quick``)."""
    if quick is None:
        parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
        parser.add_argument("--quick", action="store_true", help="fewer repeats and events")
        quick = parser.parse_args().quick
    repeats = 3 if quick else 7
    scene = build_scene()
    n_instances = len(np.unique(scene.ids)) - 1

    print(
        f"== Instances: merge / split of 1 MP objects, {SIZE}², {n_instances} instances, "
        f"median of {repeats}, undo in between (target <= {TARGET_MS:.0f} ms each) =="
    )
    _print_rows(
        "command (document alone, then widget incl. repaint)", command_costs(scene, repeats), True
    )

    print(f"== Instance views: kernel ms incl. repaint, {SIZE}², median of {repeats} (info) ==")
    _print_rows("change / back ('undo' columns)", view_costs(scene, repeats), False)

    n_events = 100 if quick else 300
    print(
        f"== Pen with instances: kernel ms per mouse_move, 12 px brush, {SIZE}², "
        f"{n_events} events interleaved a,b,c (target ratio <= {TARGET_PEN_RATIO}) =="
    )
    results, note = pen_costs(scene, n_events)
    base = next(iter(results.values()))[0]
    for k, (name, (ms, nbytes)) in enumerate(results.items()):
        line = f"  {name:<36} median {ms:6.3f} ms/event {nbytes:7.0f} bytes/event"
        if k:
            ratio = ms / base
            line += f"  ratio {ratio:5.3f} {'PASS' if ratio <= TARGET_PEN_RATIO else 'FAIL'}"
        print(line)
    print(f"  ({note})")


if __name__ == "__main__":
    main()
