"""seg-widget beside napari's Labels layer: the same edits, interleaved rep by rep.

    pip install ".[bench]"                       # napari (headless: no Qt needed)
    python benchmarks/napari_bench.py            # 1024², 4096², 8192², 16384² (~4 min)
    python benchmarks/napari_bench.py --quick    # 1024², 4096², fewer repeats
    python benchmarks/napari_bench.py --sizes 4096 --profile   # + where the widget's time goes

Per edit and size it prints CPU-time medians (``time.process_time``) of seg-widget at three
levels, each divided by napari's, and the peak memory each edit allocated (tracemalloc):

- ``doc``: the core alone (`seg_widget.core`: rasterise, `LabelDocument.apply`/`undo`);
- ``api``: the public API (``w.paint_stroke``, ``w.fill_polygon``, ``w.flood_fill``,
  ``w.undo``, ``w.mask = ...``), overlay patch and redraw included;
- ``ui``: the real event handlers, fed as the browser's front-end layer feeds them: the
  pen events of one display frame per ``pointer`` message (``EVENTS_PER_FRAME`` = 2: a
  120 Hz pen on a 60 Hz display), Ctrl+Z as a ``key`` message; a stroke's messages are
  handled on a running asyncio loop as in a kernel, back to back, so the view repaints at
  most once per display frame. The lasso is 2,000 pointer moves (one vertex each) where
  napari gets one polygon call. The brush is also timed with one event per message, the
  per-message worst case: through the layer (a pen no faster than the display), and
  through ipycanvas' own mouse callbacks (the fallback without the layer). While a
  repaint waits for the display's frame, so does the batch's acknowledgement.

napari runs headless: a ``napari.layers.Labels`` without a viewer, edited through its own
API (``paint`` per mouse event inside ``block_history``, as its drag binding does;
``paint_polygon``, ``fill``, ``undo``, ``layer.data = ...``). Edits are chosen so that both
rules paint the same pixels, and every rep checks the painted pixel counts are equal:

- brush: 200 mouse events 2 px apart along a row; napari's ``brush_size`` 20 stamps discs
  of radius 10.5 (``floor(20 / 2) + 0.5``), seg-widget's brush of diameter 21 sweeps the same
  radius, so the strokes cover the same pixels;
- lasso: a staircase circle (axis-aligned edges, vertices on pixel centres, ~2,000
  vertices) covering 25 % of the image, where napari's Pillow fill and seg-widget's
  centre rule agree;
- fill: the unlabelled 25 % of the image walled in by a one-pixel ring;
- mask assignment: a new mask whose centre quarter differs;
- constructor: from a zero mask (napari's ``Labels`` keeps the array; the widget copies
  it, see ``SegmentationWidget``).

Peak memory: tracemalloc's peak during the edit, above what was allocated before it (it
includes what the edit keeps, such as its undo record), measured in a separate pass so
tracing does not slow the timed reps. Pen events are also shown as one event's mean cost.
The brush is timed in 4 more interleaved rounds per rep (one stroke each), so its
per-event medians are over 5 strokes per rep. Timed edits run with the cyclic garbage
collector paused, for every contender (as ``timeit`` does): a full collection here costs
~0.1 s and would land on a random edit.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import math
import statistics
import time
import tracemalloc
from collections.abc import Callable

# harness installs the serialising comm: it must come before anything imports ipycanvas.
from harness import SerialisingComm

# isort: split
import numpy as np

import seg_widget as sw
from seg_widget.core.document import LabelDocument
from seg_widget.core.fill import flood_footprint
from seg_widget.core.labels import validate_mask
from seg_widget.core.outline import polygon_footprint
from seg_widget.core.raster import brush_footprint, brush_pieces, pixel_center
from seg_widget.testing import input_layer, send_canvas_event, send_layer_message

CLASSES = ["unlabelled", "brush", "lasso", "fill", "wall", "assigned"]
BRUSH, LASSO, FILL, WALL, ASSIGNED = 1, 2, 3, 4, 5
N_EVENTS = 200
STEP = 2  # pixels between pen events
NAPARI_BRUSH = 20  # napari's brush_size: discs of radius 10.5
OUR_BRUSH = 21  # the same radius as a swept brush
VIEW = 512  # canvas side (CSS px)
EVENTS_PER_FRAME = 2  # pen events per front-end message: a 120 Hz pen, a 60 Hz display
EXTRA_BRUSH_ROUNDS = 4  # brush-only rounds per rep, on top of the full reps


# -- the edits, in pixel indices (row, col); seg-widget gets them at pixel centres (+0.5) ---


def brush_path(size: int) -> list[tuple[int, int]]:
    """200 event positions 2 px apart along one row, well inside the image."""
    row = min(size // 3, 300)
    return [(row, 64 + STEP * i) for i in range(N_EVENTS)]


def staircase_circle(size: int, n_points: int = 1000) -> np.ndarray:
    """Vertices of a staircase polygon around a circle of 25 % of the image (axis-aligned)."""
    radius = size * math.sqrt(0.25 / math.pi)
    centre = size / 2
    angles = np.linspace(0, 2 * math.pi, n_points, endpoint=False)
    rows = np.round(centre + radius * np.sin(angles)).astype(np.int64)
    cols = np.round(centre + radius * np.cos(angles)).astype(np.int64)
    corners = np.stack([rows, np.roll(cols, -1)], axis=1)  # (r_i, c_i+1): axis-aligned steps
    points = np.empty((2 * n_points, 2), np.int64)
    points[0::2] = np.stack([rows, cols], axis=1)
    points[1::2] = corners
    return np.clip(points, 0, size - 1)


def walled_mask(size: int) -> tuple[np.ndarray, tuple[int, int]]:
    """A zero mask with a one-pixel ring of class WALL enclosing 25 % of it; the seed inside."""
    mask = np.zeros((size, size), np.uint8)
    half = size // 4
    top, bottom = size // 2 - half - 1, size // 2 + half
    mask[top, top : bottom + 1] = WALL
    mask[bottom, top : bottom + 1] = WALL
    mask[top : bottom + 1, top] = WALL
    mask[top : bottom + 1, bottom] = WALL
    return mask, (size // 2, size // 2)


def assigned_mask(size: int) -> np.ndarray:
    """A mask whose centre quarter is class ASSIGNED."""
    other = np.zeros((size, size), np.uint8)
    other[size // 4 : 3 * size // 4, size // 4 : 3 * size // 4] = ASSIGNED
    return other


# -- contenders: one object per level, the same methods ------------------------------------


class Napari:
    """napari's Labels layer, headless."""

    name = "napari"

    def __init__(self, size: int) -> None:
        from napari.layers import Labels

        self.layer = Labels(np.zeros((size, size), np.uint8))
        self.layer.brush_size = NAPARI_BRUSH
        self._last = None

    def count(self, label: int) -> int:
        return int(np.count_nonzero(self.layer.data == label))

    def brush_begin(self, rc: tuple[int, int]) -> None:
        self._stroke = self.layer.block_history()
        self._stroke.__enter__()
        self.layer.paint(rc, BRUSH)

    def brush_event(self, rc: tuple[int, int]) -> None:
        self.layer.paint(rc, BRUSH)

    def brush_end(self) -> None:
        self._stroke.__exit__(None, None, None)

    def lasso(self, points: np.ndarray) -> None:
        self.layer.paint_polygon(points, LASSO)

    def fill(self, seed: tuple[int, int]) -> None:
        self.layer.fill(seed, FILL)

    def undo(self) -> None:
        self.layer.undo()

    def set_mask(self, other: np.ndarray) -> None:
        self.layer.data = other

    def prepare_fill(self, walled: np.ndarray) -> None:
        self.layer.data = walled.copy()


class Document:
    """seg-widget's core: rasterising functions and a `LabelDocument` (with class counts)."""

    name = "doc"

    def __init__(self, size: int) -> None:
        self.doc = LabelDocument(np.zeros((size, size), np.uint8), len(CLASSES))
        self.doc.class_counts  # noqa: B018  (counts on: the widget always keeps them)
        self._last = None

    def count(self, label: int) -> int:
        return int(self.doc.class_counts[label])

    def brush_begin(self, rc: tuple[int, int]) -> None:
        self.doc.history.begin_step("paint")
        self._last = None
        self.brush_event(rc)

    def brush_event(self, rc: tuple[int, int]) -> None:
        col, row = pixel_center(rc[1] + 0.5, rc[0] + 0.5)
        start = self._last if self._last is not None else (row, col)
        self._last = (row, col)
        found = brush_footprint(start, (row, col), OUR_BRUSH, self.doc.mask.shape)
        if found is not None:
            self.doc.apply(*found, BRUSH)

    def brush_end(self) -> None:
        self.doc.history.end_step()

    def lasso(self, points: np.ndarray) -> None:
        found = polygon_footprint(points + 0.5, self.doc.mask.shape)
        with self.doc.step("outline"):
            self.doc.apply(*found, LASSO)

    def fill(self, seed: tuple[int, int]) -> None:
        found = flood_footprint(self.doc.mask, seed)
        with self.doc.step("fill"):
            self.doc.apply(*found, FILL)

    def undo(self) -> None:
        self.doc.undo()

    def set_mask(self, other: np.ndarray) -> None:
        new = validate_mask(other, shape=self.doc.mask.shape, n_classes=len(CLASSES))
        with self.doc.step("set mask"):
            self.doc.replace(new)

    def prepare_fill(self, walled: np.ndarray) -> None:
        self.doc.mask[:] = walled
        self.doc.recount()


class Api:
    """seg-widget's public API, on a widget shown in a (simulated) browser.

    The canvas and the front-end layer both report ready, so every edit pays for what the
    screen needs: overlay patches, or on a tiled view the changed tiles on screen.
    """

    name = "api"

    #: Whether the browser's front-end layer starts (it does in JupyterLab, Notebook 7, Voilà).
    layer_starts = True
    #: Timed on the brush alone (a per-message variant of a level).
    brush_only = False

    def __init__(self, size: int) -> None:
        self.w = sw.SegmentationWidget(
            np.zeros((size, size), np.uint8), classes=CLASSES, width=VIEW, height=VIEW
        )
        send_canvas_event(self.w.canvas, "client_ready")
        if self.layer_starts:
            ready = {"css_width": VIEW, "css_height": VIEW, "device_pixel_ratio": 1}
            send_layer_message(input_layer(self.w), {"type": "ready", **ready})
        self._points: list[tuple[float, float]] = []

    def count(self, label: int) -> int:
        return int(self.w.class_counts[label])

    def brush_begin(self, rc: tuple[int, int]) -> None:
        self._points = [(rc[0] + 0.5, rc[1] + 0.5)]

    def brush_event(self, rc: tuple[int, int]) -> None:
        self._points.append((rc[0] + 0.5, rc[1] + 0.5))

    def brush_end(self) -> None:
        self.w.paint_stroke(self._points, label=BRUSH, brush_size=OUR_BRUSH)

    def lasso(self, points: np.ndarray) -> None:
        self.w.fill_polygon(points + 0.5, label=LASSO)

    def fill(self, seed: tuple[int, int]) -> None:
        self.w.flood_fill(seed, label=FILL)

    def undo(self) -> None:
        self.w.undo()

    def set_mask(self, other: np.ndarray) -> None:
        self.w.mask = other

    def prepare_fill(self, walled: np.ndarray) -> None:
        self.w.mask[:] = walled
        self.w.refresh()


class Handlers(Api):
    """seg-widget through the real event handlers, fed as the browser's front-end layer feeds them.

    The layer sends the pointer events of each display frame as one ``pointer`` message
    (`seg_widget.widget.input_layer`); a pen at 120 Hz under a 60 Hz display gives
    ``events_per_message`` events per message (``EVENTS_PER_FRAME`` here, 1 in
    `LayerHandlersOneEvent`). Keys go as ``key`` messages.
    """

    name = "ui"
    #: Pen events per ``pointer`` message.
    events_per_message = EVENTS_PER_FRAME

    def __init__(self, size: int) -> None:
        super().__init__(size)
        self.w.brush_size = OUR_BRUSH
        self.layer = input_layer(self.w)
        self._batch = 0
        self._xy = (0.0, 0.0)

    def _at(self, rc: tuple[float, float]) -> tuple[float, float]:
        return self.w.image_to_canvas(rc[1] + 0.5, rc[0] + 0.5)

    def _record(self, kind: str, xy: tuple[float, float]) -> list:
        button, held = {"down": (0, 1), "move": (-1, 1), "up": (0, 0)}[kind]
        return [kind, *xy, button, held, 0, float(self._batch), int(kind != "move")]

    def _send(self, records: list[list]) -> None:
        self._batch += 1
        send_layer_message(self.layer, {"type": "pointer", "batch": self._batch, "events": records})

    def _frames(self, records: list[list]) -> list[list[list]]:
        step = self.events_per_message
        return [records[k : k + step] for k in range(0, len(records), step)]

    def show_brush_path(self, rc: tuple[int, int]) -> None:
        # 1:1 zoom, the stroke's start near the left edge of the view.
        self.w.actual_size()
        x, y = self._at(rc)
        self.w.pan(40 - x, VIEW / 2 - y)

    def brush_begin(self, rc: tuple[int, int]) -> None:
        self.w.tool = "brush"
        self.w.label = BRUSH
        self._xy = self._at(rc)
        self._send([self._record("down", self._xy)])

    def brush_event(self, rc: tuple[int, int]) -> None:
        self._xy = self._at(rc)
        self._send([self._record("move", self._xy)])

    def brush_end(self) -> None:
        self._send([self._record("up", self._xy)])

    def timed_stroke(self, path: list[tuple[int, int]]) -> float:
        """CPU ms of the whole stroke, sent a frame's events per message on a running loop.

        As in a kernel, where comm messages are handled on its asyncio loop: the view paints
        a stroke in progress at most once per display frame, the late repaint on that loop.
        """
        self.w.tool = "brush"
        self.w.label = BRUSH
        points = [self._at(rc) for rc in path]
        records = [self._record("down", points[0])]
        records += [self._record("move", xy) for xy in points[1:]]
        records.append(self._record("up", points[-1]))

        async def stroke() -> None:
            for frame in self._frames(records):
                self._send(frame)
                await asyncio.sleep(0)  # the loop runs between two messages

        return _cpu_ms(lambda: asyncio.run(stroke()))

    def lasso(self, points: np.ndarray) -> None:
        self.w.tool = "lasso"
        self.w.label = LASSO
        canvas_points = [self._at(p) for p in points.tolist()]
        records = [self._record("down", canvas_points[0])]
        records += [self._record("move", xy) for xy in canvas_points[1:]]
        records.append(self._record("up", canvas_points[-1]))
        for frame in self._frames(records):
            self._send(frame)

    def fill(self, seed: tuple[int, int]) -> None:
        self.w.tool = "fill"
        self.w.label = FILL
        xy = self._at(seed)
        self._send([self._record("down", xy), self._record("up", xy)])

    def undo(self) -> None:
        key = {"type": "key", "key": "z", "down": True, "modifiers": 2}  # Ctrl+Z
        send_layer_message(self.layer, key)


class LayerHandlersOneEvent(Handlers):
    """The brush through the front-end layer with one pen event per message.

    A pen no faster than the display (60 Hz), each frame's one event in its own message,
    sent back to back: the per-message worst case of the layer path.
    """

    name = "ui, layer, 1 per message"
    events_per_message = 1
    brush_only = True


class CanvasHandlers(Api):
    """The brush through ipycanvas' own mouse callbacks: one event per message.

    The fallback when the front-end layer does not start (the kernel then draws the
    cursor), and the worst case for per-message overhead.
    """

    name = "ui, ipycanvas, 1 per message"
    layer_starts = False
    brush_only = True

    def __init__(self, size: int) -> None:
        super().__init__(size)
        self.w.brush_size = OUR_BRUSH

    def _at(self, rc: tuple[float, float]) -> dict[str, float]:
        x, y = self.w.image_to_canvas(rc[1] + 0.5, rc[0] + 0.5)
        return {"x": x, "y": y}

    def show_brush_path(self, rc: tuple[int, int]) -> None:
        self.w.actual_size()
        x, y = self.w.image_to_canvas(rc[1] + 0.5, rc[0] + 0.5)
        self.w.pan(40 - x, VIEW / 2 - y)

    def brush_begin(self, rc: tuple[int, int]) -> None:
        self.w.tool = "brush"
        self.w.label = BRUSH
        self._xy = self._at(rc)
        send_canvas_event(self.w.canvas, "mouse_down", **self._xy)

    def brush_event(self, rc: tuple[int, int]) -> None:
        self._xy = self._at(rc)
        send_canvas_event(self.w.canvas, "mouse_move", **self._xy)

    def brush_end(self) -> None:
        send_canvas_event(self.w.canvas, "mouse_up", **self._xy)

    def timed_stroke(self, path: list[tuple[int, int]]) -> float:
        """CPU ms of the whole stroke, one message per event, on a running event loop."""
        self.w.tool = "brush"
        self.w.label = BRUSH

        points = [self._at(rc) for rc in path]

        async def stroke() -> None:
            send_canvas_event(self.w.canvas, "mouse_down", **points[0])
            for xy in points[1:]:
                await asyncio.sleep(0)
                send_canvas_event(self.w.canvas, "mouse_move", **xy)
            await asyncio.sleep(0)
            send_canvas_event(self.w.canvas, "mouse_up", **points[-1])

        return _cpu_ms(lambda: asyncio.run(stroke()))


# -- measuring -----------------------------------------------------------------------------


def _cpu_ms(action: Callable[[], object]) -> float:
    """CPU ms of ``action``, with the cyclic garbage collector paused (as ``timeit`` does).

    A full collection in this process (napari loaded: ~200,000 objects) takes ~0.1 s and
    lands on whichever edit happens to trigger it; paused for every contender alike.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        start = time.process_time()
        action()
        return (time.process_time() - start) * 1e3
    finally:
        if enabled:
            gc.enable()


def _peak_mib(action: Callable[[], object]) -> float:
    """MiB allocated at the peak of ``action`` above what was allocated before it."""
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        tracemalloc.reset_peak()
        action()
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    return (peak - before) / 2**20


class Results:
    """Per (edit, level): CPU ms of each rep, and the traced peak MiB."""

    def __init__(self) -> None:
        self.ms: dict[tuple[str, str], list[float]] = {}
        self.mib: dict[tuple[str, str], float] = {}

    def add(self, edit: str, level: str, ms: float) -> None:
        self.ms.setdefault((edit, level), []).append(ms)

    def median(self, edit: str, level: str) -> float:
        return statistics.median(self.ms[(edit, level)])


def _check(edit: str, contenders: list, label: int) -> None:
    counts = {c.name: c.count(label) for c in contenders}
    if len(set(counts.values())) != 1:
        raise AssertionError(f"{edit}: painted pixel counts differ: {counts}")


def run_size(size: int, repeats: int, memory: bool) -> Results:
    """Every edit at one size: ``repeats`` interleaved reps, then one traced pass."""
    results = Results()
    contenders = [
        Napari(size),
        Document(size),
        Api(size),
        Handlers(size),
        LayerHandlersOneEvent(size),
        CanvasHandlers(size),
    ]
    path = brush_path(size)
    for ui in contenders[-3:]:
        ui.show_brush_path(path[0])
    lasso = staircase_circle(size)
    walled, seed = walled_mask(size)
    other = assigned_mask(size)

    def brush(c) -> float:
        if isinstance(c, Handlers | CanvasHandlers):
            return c.timed_stroke(path)
        total = _cpu_ms(lambda: c.brush_begin(path[0]))
        for rc in path[1:]:
            total += _cpu_ms(lambda rc=rc: c.brush_event(rc))
        return total + _cpu_ms(c.brush_end)

    def one_rep(c, trace: bool) -> None:
        measure = _peak_mib if trace else _cpu_ms

        def record(edit: str, value: float, label: int | None = None) -> None:
            if trace:
                results.mib[(edit, c.name)] = value
            else:
                results.add(edit, c.name, value)

        if trace:
            gc.collect()
            tracemalloc.start()
            tracemalloc.reset_peak()
            base = tracemalloc.get_traced_memory()[0]
            brush(c)
            results.mib[("brush, per event", c.name)] = (
                tracemalloc.get_traced_memory()[1] - base
            ) / 2**20
            tracemalloc.stop()
        else:
            record("brush, per event", brush(c) / N_EVENTS)
        if getattr(c, "brush_only", False):  # a per-message worst case: the brush only
            c.undo()
            return
        record("undo of the brush stroke", measure(c.undo))
        record("lasso 25 %", measure(lambda: c.lasso(lasso)))
        record("undo of the lasso", measure(c.undo))
        c.prepare_fill(walled)
        record("flood fill 25 %", measure(lambda: c.fill(seed)))
        record("undo of the fill", measure(c.undo))
        if not isinstance(c, Handlers):
            record("mask assignment", measure(lambda: c.set_mask(other)))
        c.set_mask(np.zeros_like(other))

    for rep in range(repeats):
        order = contenders[rep % len(contenders) :] + contenders[: rep % len(contenders)]
        for c in order:
            one_rep(c, trace=False)
        # Counts after each edit were equal in the first rep (checked below); the stroke
        # and the fills are re-checked every rep.
        if rep == 0:
            _check_edits(contenders, path, lasso, walled, seed)
    # A stroke costs ~20 ms: more strokes, interleaved stroke by stroke, steady the per-event
    # medians on a shared machine for little time.
    for rep in range(EXTRA_BRUSH_ROUNDS * repeats):
        order = contenders[rep % len(contenders) :] + contenders[: rep % len(contenders)]
        for c in order:
            results.add("brush, per event", c.name, brush(c) / N_EVENTS)
            c.undo()
    if memory:
        for c in contenders:
            one_rep(c, trace=True)
    _constructor(size, repeats, results, memory)
    return results


def _check_edits(contenders: list, path, lasso, walled, seed) -> None:
    """Run each edit once more and compare the painted pixel counts across contenders."""
    for c in contenders:
        c.brush_begin(path[0])
        for rc in path[1:]:
            c.brush_event(rc)
        c.brush_end()
    _check("brush", contenders, BRUSH)
    for c in contenders:
        if getattr(c, "brush_only", False):
            c.undo()
    contenders = [c for c in contenders if not getattr(c, "brush_only", False)]
    for c in contenders:
        c.undo()
        c.lasso(lasso)
    _check("lasso", contenders, LASSO)
    for c in contenders:
        c.undo()
    _check("undo of the lasso", contenders, LASSO)
    for c in contenders:
        c.prepare_fill(walled)
        c.fill(seed)
    _check("fill", contenders, FILL)
    for c in contenders:
        c.undo()
    _check("undo of the fill", contenders, FILL)
    for c in contenders:
        c.set_mask(np.zeros_like(walled))
    _check("reset", contenders, WALL)


def _constructor(size: int, repeats: int, results: Results, memory: bool) -> None:
    from napari.layers import Labels

    image = np.zeros((size, size), np.uint8)
    mask = np.zeros((size, size), np.uint8)

    def document() -> None:
        live = validate_mask(mask, shape=mask.shape, n_classes=len(CLASSES))
        LabelDocument(live, len(CLASSES)).class_counts  # noqa: B018

    makers = {
        "napari": lambda: Labels(mask),
        "doc": document,
        "api": lambda: sw.SegmentationWidget(image, classes=CLASSES, mask=mask).close(),
    }
    for _ in range(max(1, repeats // 2)):
        for name, make in makers.items():
            results.add("constructor", name, _cpu_ms(make))
            gc.collect()
    if memory:
        for name, make in makers.items():
            results.mib[("constructor", name)] = _peak_mib(make)


EDITS = (
    "brush, per event",
    "undo of the brush stroke",
    "lasso 25 %",
    "undo of the lasso",
    "flood fill 25 %",
    "undo of the fill",
    "mask assignment",
    "constructor",
)


def report(size: int, results: Results) -> None:
    print(f"== {size}² ==  CPU ms (median); ratio = seg-widget / napari; peak MiB (tracemalloc)")
    print(
        f"  {'edit':<26}{'napari':>9}{'doc':>9}{'api':>9}{'ui':>9}"
        f"{'doc/n':>8}{'api/n':>8}{'ui/n':>8}   MiB napari/doc/api/ui"
    )
    for edit in EDITS:
        napari = results.median(edit, "napari")
        cells, ratios, mibs = [], [], []
        for level in ("doc", "api", "ui"):
            if (edit, level) in results.ms:
                ms = results.median(edit, level)
                cells.append(f"{ms:9.3f}" if ms < 10 else f"{ms:9.1f}")
                ratios.append(f"{ms / napari:8.2f}")
            else:
                cells.append(f"{'—':>9}")
                ratios.append(f"{'—':>8}")
        for level in ("napari", "doc", "api", "ui"):
            mib = results.mib.get((edit, level))
            mibs.append("—" if mib is None else f"{mib:.0f}" if mib >= 10 else f"{mib:.1f}")
        napari_cell = f"{napari:9.3f}" if napari < 10 else f"{napari:9.1f}"
        print(f"  {edit:<26}{napari_cell}{''.join(cells)}{''.join(ratios)}   {'/'.join(mibs)}")
    print(
        f"  ui above: {EVENTS_PER_FRAME} pen events per message, as the front-end layer sends "
        "a frame's events (a 120 Hz pen, a 60 Hz display); one event per message:"
    )
    napari = results.median("brush, per event", "napari")
    for one in (LayerHandlersOneEvent.name, CanvasHandlers.name):
        if ("brush, per event", one) in results.ms:
            ms = results.median("brush, per event", one)
            print(f"    brush, {one}: {ms:.3f} ms per event, {ms / napari:.2f}× napari")


def profile_widget(size: int) -> None:
    """Where the widget's time goes beyond the document: cProfile of handler-level edits."""
    import cProfile
    import pstats

    ui = Handlers(size)
    path = brush_path(size)
    ui.show_brush_path(path[0])
    lasso = staircase_circle(size)
    for title, action in (
        ("200 pen events through the handlers", lambda: _stroke(ui, path)),
        ("lasso 25 % through the handlers", lambda: ui.lasso(lasso)),
        ("undo (Ctrl+Z) of the lasso", ui.undo),
    ):
        profiler = cProfile.Profile()
        profiler.enable()
        action()
        profiler.disable()
        print(f"-- profile: {title}, {size}² (top 12 by own time) --")
        stats = pstats.Stats(profiler)
        stats.sort_stats("tottime").print_stats(12)


def _spread_ms(action: Callable[[], object], repeats: int) -> tuple[float, float, float]:
    times = sorted(_cpu_ms(action) for _ in range(repeats))
    return times[0], statistics.median(times), times[-1]


def references(sizes: tuple[int, ...], repeats: int) -> None:
    """Core pieces beside their own references: RLE, flood fill, bombs of issue 18."""
    from pycocotools import mask as coco_mask
    from skimage.segmentation import flood

    from seg_widget.io.rle import rle_encode

    print("== Core beside its references (CPU ms: min / median / max; peak MiB) ==")
    rng = np.random.default_rng(0)
    for size in (s for s in sizes if s <= 8192):
        mask = np.zeros((size, size), bool)
        for _ in range(200):  # 200 discs of radius size/400 .. size/20
            row, col = rng.integers(0, size, 2)
            radius = int(rng.integers(size // 400, size // 20))
            box = (
                slice(max(row - radius, 0), min(row + radius, size)),
                slice(max(col - radius, 0), min(col + radius, size)),
            )
            rows, cols = np.ogrid[box]
            mask[box] |= (rows - row) ** 2 + (cols - col) ** 2 < radius**2
        fortran = np.asfortranarray(mask.astype(np.uint8))
        assert rle_encode(mask)["counts"] == coco_mask.encode(fortran)["counts"].decode()
        ours = _spread_ms(lambda m=mask: rle_encode(m), repeats)
        alone = _spread_ms(lambda f=fortran: coco_mask.encode(f), repeats)
        whole = _spread_ms(
            lambda m=mask: coco_mask.encode(np.asfortranarray(m.astype(np.uint8))), repeats
        )
        print(
            f"  full-mask RLE {size}², 200 discs: ours {ours[1]:.1f} ms, pycocotools "
            f"{alone[1]:.1f} ms (encode of a Fortran array) / {whole[1]:.1f} ms (from the C-order "
            f"mask); ours / encode {ours[1] / alone[1]:.2f}; peak "
            f"{_peak_mib(lambda m=mask: rle_encode(m)):.1f} MiB"
        )
    for size in sizes:
        walled, seed = walled_mask(size)
        ours = _spread_ms(lambda w=walled, s=seed: flood_footprint(w, s), repeats)
        reference = _spread_ms(lambda w=walled, s=seed: flood(w, s, connectivity=1), repeats)
        print(
            f"  flood of the 25 % region, {size}²: flood_footprint "
            f"{ours[0]:.0f} / {ours[1]:.0f} / {ours[2]:.0f} ms, skimage flood "
            f"{reference[0]:.0f} / {reference[1]:.0f} / {reference[2]:.0f}; ratio of medians "
            f"{ours[1] / reference[1]:.2f}; peak "
            f"{_peak_mib(lambda w=walled, s=seed: flood_footprint(w, s)):.0f} vs "
            f"{_peak_mib(lambda w=walled, s=seed: flood(w, s, connectivity=1)):.0f} MiB"
        )
    size = 8192
    flick = _spread_ms(
        lambda: brush_pieces((0.5, 0.5), (size - 0.5, size - 0.5), 1, (size, size)), 3
    )
    print(
        f"  brush flick corner to corner of {size}², d = 1: {flick[1]:.1f} ms, peak "
        f"{_peak_mib(lambda: brush_pieces((0.5, 0.5), (size - 0.5,) * 2, 1, (size,) * 2)):.1f} MiB"
    )
    w = sw.SegmentationWidget(np.zeros((size, size), np.uint8), classes=CLASSES)
    corner = [(0.5, 0.5), (size - 0.5, size - 0.5)]
    stroke_ms = _cpu_ms(lambda: w.paint_stroke(corner, label=1, brush_size=1))
    w.undo()
    stroke_mib = _peak_mib(lambda: w.paint_stroke(corner, label=1, brush_size=1))
    print(
        f"  w.paint_stroke corner to corner of {size}², d = 1: {stroke_ms:.0f} ms, peak "
        f"{stroke_mib:.1f} MiB"
    )
    zigzag = np.column_stack(
        [np.where(np.arange(100_000) % 2 == 0, 0.5, 4095.5), np.linspace(0.5, 4095.5, 100_000)]
    )
    random_points = rng.uniform(0, 1024, (1_000_000, 2))
    small = sw.SegmentationWidget(np.zeros((1024, 1024), np.uint8), classes=CLASSES)
    for title, action in (
        (
            "polygon of 1e5 zig-zag vertices on 4096²",
            lambda: polygon_footprint(zigzag, (4096,) * 2),
        ),
        ("w.fill_polygon of 1e6 random points on 1024²", lambda: small.fill_polygon(random_points)),
    ):

        def refused(action=action) -> None:
            try:
                action()
            except ValueError:
                pass
            else:
                raise AssertionError("expected a refusal")

        print(f"  {title}: refused in {_cpu_ms(refused):.0f} ms, peak {_peak_mib(refused):.0f} MiB")


def _stroke(c, path) -> None:
    c.brush_begin(path[0])
    for rc in path[1:]:
        c.brush_event(rc)
    c.brush_end()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="1024² and 4096², 3 reps")
    parser.add_argument("--sizes", type=int, nargs="+", help="image sides to run")
    parser.add_argument("--repeats", type=int, help="interleaved reps per size")
    parser.add_argument("--no-memory", action="store_true", help="skip the tracemalloc pass")
    parser.add_argument("--profile", action="store_true", help="profile the widget's handlers")
    args = parser.parse_args()
    sizes = args.sizes or ((1024, 4096) if args.quick else (1024, 4096, 8192, 16384))
    repeats = args.repeats or (3 if args.quick else 5)
    try:
        import napari  # noqa: F401
    except ImportError:
        raise SystemExit("napari is not installed: pip install '.[bench]'") from None

    per_event: dict[int, float] = {}
    for size in sizes:
        results = run_size(size, repeats, memory=not args.no_memory)
        report(size, results)
        per_event[size] = results.median("brush, per event", "doc")
        gc.collect()
    if len(sizes) > 1:
        ratio = per_event[max(sizes)] / per_event[min(sizes)]
        print(
            f"brush event cost, core, {max(sizes)}² / {min(sizes)}²: {ratio:.2f}  (target <= 1.5)"
        )
    references(tuple(sizes), repeats)
    if args.profile:
        profile_widget(max(sizes))
    print(f"(bytes serialised for the browser during the run: {SerialisingComm.sent_bytes:,})")


if __name__ == "__main__":
    main()
