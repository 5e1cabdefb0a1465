"""The front-end input layer: a transparent canvas over the ipycanvas view, and its kernel side.

The layer (``frontend/*.js``, an anywidget ES module) draws what the hand needs at once — the
brush cursor at its true size, the exact stroke preview, lasso and polygon outlines — and
sends every pointer event to the kernel, one message per animation frame. The kernel stays the
only truth: it applies the events, redraws, then *acknowledges* the batch, and only then does
the layer drop the preview of that batch's points.

Messages from the browser (``content["type"]``), each validated here; a malformed one is
dropped with a log line and never raises into ipywidgets:

``ready`` / ``resize``
    ``css_width``, ``css_height`` (the width the page offers the widget's root element and the
    window's height, CSS px), ``device_pixel_ratio``; ``ready`` once per view (also after a
    page reload), ``resize`` when one of them changes.
``pointer``
    ``batch`` (increasing int) and ``events``: ``[kind, x, y, button, buttons, modifiers,
    time_ms, clicks]`` arrays, in order (see `PointerEvent`; modifiers bits 1 shift, 2 ctrl,
    4 alt, 8 meta). Hover moves are coalesced to the last of a frame; drags keep every point.
``key``
    ``key`` (``KeyboardEvent.key``), ``down``, ``modifiers``: only keys listed in
    `InputLayer.shortcut_keys`, and only while no text field has the focus and the focus is
    inside the widget's root or the pointer is over it (a control the kernel re-renders keeps
    it: the focus it drops on ``<body>`` stays the widget's until a focus or a press goes
    elsewhere). Pending pointer events are sent first.
``wheel``
    ``x``, ``y`` (canvas px), ``dx``, ``dy`` (px, summed over a frame), ``modifiers``.
``error``
    ``message``: the layer failed and stepped aside (events then reach ipycanvas).

Messages to the browser: ``{"type": "ack", "batch": n}`` (`InputLayer.acknowledge`),
``{"type": "clear"}`` (`InputLayer.clear_preview`) and ``{"type": "editable", "view": [...]}``
with four buffers (`InputLayer.send_editable`); with a tiled display (``tile_size > 0``) also
``tiles``, ``tile_patch``, ``tile_lut`` and ``tile_drop`` (see ``tile_view.py``).
"""

from __future__ import annotations

import asyncio
import logging
import math
import re
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import anywidget
import ipywidgets as widgets
import numpy as np
from traitlets import Bool, CaselessStrEnum, Float, Int, List, Unicode, validate

from .input_messages import decode_key, decode_pointer_batch, decode_size, decode_wheel
from .pointer import KeyEvent, PointerEvent, WheelEvent

logger = logging.getLogger("seg_widget")

_FRONTEND = Path(__file__).with_name("frontend")
#: An ``import {...} from './name.js';`` statement of the layer's modules.
_RELATIVE_IMPORT = re.compile(r"^import\s*\{[^}]*\}\s*from\s*'\./([\w]+\.js)';\n", re.MULTILINE)


def esm_source(entry: str = "layer.js") -> str:
    """Return the layer's ES module as one source text.

    anywidget imports ``_esm`` from a ``blob:`` URL, where relative imports cannot resolve, so
    each ``import {...} from './x.js'`` is replaced by x.js itself (its own imports first),
    with its ``export`` keywords removed; each module is inlined once, where it is first
    imported. The modules share one scope, so their top-level names must differ. The files
    stay plain modules for node's test runner.

    Examples
    --------
    >>> source = esm_source()
    >>> "from './" in source, source.count("export default")
    (False, 1)

    """
    inlined: set[str] = set()

    def expand(text: str) -> str:
        return _RELATIVE_IMPORT.sub(lambda match: inline(match.group(1)), text)

    def inline(name: str) -> str:
        if name in inlined:
            return ""
        inlined.add(name)
        text = expand((_FRONTEND / name).read_text(encoding="utf-8"))
        if "export default" in text:
            raise ValueError(f"{name}: an inlined module may not have a default export")
        return re.sub(r"^export (?=(?:function|const|class|let) )", "", text, flags=re.M)

    inlined.add(entry)
    return expand((_FRONTEND / entry).read_text(encoding="utf-8"))


class InputLayer(anywidget.AnyWidget):
    """The browser-side input layer of one view, and what the kernel tells it.

    Put it over the canvas with `stacked`. Set the view traits whenever the kernel's view
    changes (`set_view` sends them in one message), and `acknowledge` every applied batch
    after the drawing commands for it were sent. The layer then shows what the hand does
    before the kernel answers, and exactly what the kernel will paint.

    Examples
    --------
    >>> layer = InputLayer(image_shape=(90, 130))
    >>> layer.set_view(zoom=4.0, offset_x=0.0, offset_y=10.0, canvas_size=(520, 380))
    >>> [int(v) for v in layer.shown_indices()[0][[0, -1]]]
    [0, 89]

    """

    _esm = esm_source()

    #: Canvas px per image px (``canvas = image * zoom + offset``).
    zoom = Float(1.0).tag(sync=True)
    #: Canvas x of the left edge of image column 0.
    offset_x = Float(0.0).tag(sync=True)
    #: Canvas y of the top edge of image row 0.
    offset_y = Float(0.0).tag(sync=True)
    #: Size of the visible canvas in canvas (device) pixels.
    canvas_width = Int(1).tag(sync=True)
    canvas_height = Int(1).tag(sync=True)
    #: Canvas pixels per CSS pixel: the layer is laid out at canvas size / pixel_ratio.
    pixel_ratio = Float(1.0).tag(sync=True)
    #: (H, W) of the image: previews are clipped to it, as the kernel's footprints are.
    image_shape = List(Int(), default_value=[1, 1], minlen=2, maxlen=2).tag(sync=True)
    #: The active tool; "brush" and "eraser" preview strokes, "lasso" and "polygon" outlines.
    tool = Unicode("brush").tag(sync=True)
    #: Brush diameter in image pixels (>= 1).
    brush_size = Float(12.0).tag(sync=True)
    #: CSS colour of the selected class (``#rrggbb``): strokes and outlines are previewed in it.
    color = Unicode("#ff0000").tag(sync=True)
    #: Overlay opacity in [0, 1]: the stroke preview blends like the kernel's overlay.
    opacity = Float(0.5).tag(sync=True)
    #: "overwrite" or "preserve": in "preserve" only pixels `send_editable` marks are previewed.
    paint_mode = CaselessStrEnum(["overwrite", "preserve"], "overwrite").tag(sync=True)
    #: Lasso and polygon erase (their outline is drawn dashed).
    erase = Bool(False).tag(sync=True)
    #: What a right-drag with the brush or eraser previews: "erase" or "none".
    right_button = CaselessStrEnum(["erase", "none"], "erase").tag(sync=True)
    #: The polygon's vertices so far, image (col, row) pairs; [] when none is being drawn.
    outline = List(List(Float(), minlen=2, maxlen=2), default_value=[]).tag(sync=True)
    #: Key names the layer takes (see `key_name`); other keys stay with JupyterLab.
    shortcut_keys = List(Unicode(), default_value=[" "]).tag(sync=True)
    #: Unacknowledged batches in flight before the layer holds events back (>= 1).
    max_in_flight = Int(2).tag(sync=True)
    #: Tile edge of a tiled display (a big image drawn by the layer from tiles), 0: none.
    tile_size = Int(0).tag(sync=True)
    #: Brightness and contrast factors of the tiled display's image (CSS filter values).
    brightness = Float(1.0).tag(sync=True)
    contrast = Float(1.0).tag(sync=True)
    #: CSS selector of the widget's root element: keys count while the focus is inside it or
    #: the pointer is over it, and its width is the width reported by `on_resize`.
    root_selector = Unicode(".seg-widget").tag(sync=True)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._pointer_callbacks: list[Callable[[list[PointerEvent]], Any]] = []
        self._key_callbacks: list[Callable[[KeyEvent], Any]] = []
        self._wheel_callbacks: list[Callable[[WheelEvent], Any]] = []
        self._resize_callbacks: list[Callable[[float, float, float], Any]] = []
        self._ready_callbacks: list[Callable[[float, float, float], Any]] = []
        self._error_callbacks: list[Callable[[str], Any]] = []
        #: True once a view of the layer has started in a browser.
        self.ready = False
        #: The last (css_width, css_height, device_pixel_ratio) a view reported, or None.
        self.client_size: tuple[float, float, float] | None = None
        #: Acknowledge each batch once the pointer callbacks returned (off: call `acknowledge`).
        self.auto_acknowledge = True
        self._defer_ack = False  # the batch being handled waits for `release_acknowledgement`
        self._held_ack: int | None = None  # the newest batch whose acknowledgement waits
        self.on_msg(self._receive)

    # -- validation of the kernel's own settings ------------------------------------------

    @validate("zoom", "pixel_ratio")
    def _check_positive(self, proposal: dict) -> float:
        value = proposal["value"]
        if not (math.isfinite(value) and value > 0):
            raise ValueError(f"{proposal['trait'].name}: expected a positive number, got {value}")
        return value

    @validate("brush_size")
    def _check_brush(self, proposal: dict) -> float:
        value = proposal["value"]
        if not (math.isfinite(value) and value >= 1):
            raise ValueError(f"brush_size: expected a diameter >= 1, got {value}")
        return value

    @validate("opacity")
    def _check_opacity(self, proposal: dict) -> float:
        value = proposal["value"]
        if not 0 <= value <= 1:
            raise ValueError(f"opacity: expected a number in [0, 1], got {value}")
        return value

    @validate("color")
    def _check_color(self, proposal: dict) -> str:
        value = proposal["value"]
        if not re.fullmatch(r"#[0-9a-fA-F]{6}", value):
            raise ValueError(f"color: expected '#rrggbb', got {value!r}")
        return value

    @validate("canvas_width", "canvas_height", "max_in_flight")
    def _check_count(self, proposal: dict) -> int:
        value = proposal["value"]
        if value < 1:
            raise ValueError(f"{proposal['trait'].name}: expected an int >= 1, got {value}")
        return value

    # -- the kernel talks to the layer ------------------------------------------------------

    def set_view(
        self,
        *,
        zoom: float,
        offset_x: float,
        offset_y: float,
        canvas_size: tuple[int, int] | None = None,
        pixel_ratio: float | None = None,
    ) -> None:
        """Set the view transform (and canvas size, pixel ratio) in one message."""
        with self.hold_sync():
            self.zoom, self.offset_x, self.offset_y = zoom, offset_x, offset_y
            if canvas_size is not None:
                self.canvas_width, self.canvas_height = canvas_size
            if pixel_ratio is not None:
                self.pixel_ratio = pixel_ratio

    def acknowledge(self, batch: int) -> None:
        """Tell the layer every batch up to ``batch`` is applied and drawn: drop its preview.

        Call it after the drawing commands for the batch were sent (the browser receives
        messages in order, so the preview goes when the kernel's pixels are there).
        """
        if isinstance(batch, bool) or not isinstance(batch, (int, np.integer)):
            raise TypeError(f"batch: expected an int, got {type(batch).__name__}")
        self.send({"type": "ack", "batch": int(batch)})

    def defer_acknowledgement(self) -> None:
        """Hold back the automatic acknowledgement of the batch being handled.

        For a kernel that leaves the batch's pixels for later (a repaint paced to the
        display's frames): the layer keeps showing the batch's preview until
        `release_acknowledgement` sends the acknowledgement, after those pixels. Batches
        handled meanwhile wait too; only the newest is acknowledged, which covers all.
        """
        self._defer_ack = True

    def release_acknowledgement(self) -> None:
        """Send the acknowledgement held back by `defer_acknowledgement`, if any."""
        batch, self._held_ack = self._held_ack, None
        if batch is not None:
            self.acknowledge(batch)

    def clear_preview(self) -> None:
        """Drop every preview the layer shows (e.g. after a cancelled stroke or an undo)."""
        self.send({"type": "clear"})

    def shown_indices(self) -> tuple[np.ndarray, np.ndarray]:
        """Image rows and columns the canvas shows in the current view, ascending.

        Canvas pixel ``i`` shows image index ``floor((i + 0.5 - offset) / zoom)`` (labels
        are drawn without smoothing); these are those indices without repeats, clipped to
        the image. There are at most as many as canvas pixels: O(screen), never O(image).
        """
        height, width = self.image_shape
        rows = _shown(self.canvas_height, self.zoom, self.offset_y, height)
        cols = _shown(self.canvas_width, self.zoom, self.offset_x, width)
        return rows, cols

    def send_editable(self, paint: np.ndarray, erase: np.ndarray) -> None:
        """Send which shown pixels a stroke may change, for ``"preserve"`` previews.

        Parameters
        ----------
        paint, erase : ndarray of bool
            ``(len(rows), len(cols))`` for the indices of `shown_indices`: True where the
            brush (``paint``) or the eraser (``erase``) would change the pixel. The layer
            uses them only while the view stays the one they were made for; without them a
            ``"preserve"`` stroke shows its cursor but no fill until the kernel draws it.

        """
        rows, cols = self.shown_indices()
        expected = (len(rows), len(cols))
        for name, mask in (("paint", paint), ("erase", erase)):
            if not isinstance(mask, np.ndarray) or mask.shape != expected:
                got = getattr(mask, "shape", type(mask).__name__)
                raise ValueError(f"{name}: expected a bool array of shape {expected}, got {got}")
        self.send(
            {
                "type": "editable",
                "view": [
                    self.zoom,
                    self.offset_x,
                    self.offset_y,
                    self.canvas_width,
                    self.canvas_height,
                ],
            },
            [
                rows.astype("<i4").tobytes(),
                cols.astype("<i4").tobytes(),
                np.packbits(paint.astype(bool), axis=None).tobytes(),
                np.packbits(erase.astype(bool), axis=None).tobytes(),
            ],
        )

    def send_editable_labels(self, labels: np.ndarray, label: int) -> None:
        """`send_editable` for the plain preserve rule over the class map ``labels``.

        The brush changes unlabelled pixels (and its own class shows no change), the eraser
        only pixels of ``label``. Reads only the shown pixels of ``labels``.
        """
        rows, cols = self.shown_indices()
        shown = np.asarray(labels)[np.ix_(rows, cols)]
        own = shown == label
        self.send_editable((shown == 0) | own, own)

    # -- the layer talks to the kernel ------------------------------------------------------

    def on_pointer_batch(self, callback: Callable[[list[PointerEvent]], Any]) -> Callable:
        """Call ``callback(events)`` with each batch of pointer events, in order."""
        self._pointer_callbacks.append(callback)
        return callback

    def on_key(self, callback: Callable[[KeyEvent], Any]) -> Callable:
        """Call ``callback(event)`` for each key press and release the layer takes."""
        self._key_callbacks.append(callback)
        return callback

    def on_wheel(self, callback: Callable[[WheelEvent], Any]) -> Callable:
        """Call ``callback(event)`` for the wheel turns of each animation frame."""
        self._wheel_callbacks.append(callback)
        return callback

    def on_resize(self, callback: Callable[[float, float, float], Any]) -> Callable:
        """Call ``callback(css_width, css_height, device_pixel_ratio)`` when the page changes."""
        self._resize_callbacks.append(callback)
        return callback

    def on_ready(self, callback: Callable[[float, float, float], Any]) -> Callable:
        """Call ``callback(css_width, css_height, device_pixel_ratio)`` when a view starts."""
        self._ready_callbacks.append(callback)
        return callback

    def on_error(self, callback: Callable[[str], Any]) -> Callable:
        """Call ``callback(message)`` when the layer failed in the browser and stepped aside."""
        self._error_callbacks.append(callback)
        return callback

    def watch_ready(self, timeout_s: float, on_missing: Callable[[], Any]) -> None:
        """Call ``on_missing()`` once if no view has started ``timeout_s`` seconds from now.

        Call it when the widget is displayed: a front-end without anywidget (or with
        JavaScript off) never starts the layer, and ipycanvas' own events keep working.
        """

        def check() -> None:
            if not self.ready:
                _call(on_missing, "on_missing")

        try:
            asyncio.get_running_loop().call_later(timeout_s, check)
        except RuntimeError:  # no event loop running here (plain Python): a thread then
            timer = threading.Timer(timeout_s, check)
            timer.daemon = True
            timer.start()

    def _acknowledge_handled(self, batch: int) -> None:
        if self._defer_ack:
            self._held_ack = max(batch, self._held_ack or 0)
        else:
            self._held_ack = None  # this acknowledgement covers a held one
            self.acknowledge(batch)

    # -- decoding ---------------------------------------------------------------------------

    def _receive(self, _widget: object, content: object, buffers: object) -> None:
        try:
            kind = content.get("type") if isinstance(content, dict) else None
            if kind == "pointer":
                batch, events = decode_pointer_batch(content)
                self._defer_ack = False
                for callback in self._pointer_callbacks:
                    _call(callback, "on_pointer_batch", events)
                if self.auto_acknowledge:
                    self._acknowledge_handled(batch)
            elif kind == "key":
                event = decode_key(content)
                for callback in self._key_callbacks:
                    _call(callback, "on_key", event)
            elif kind == "wheel":
                event = decode_wheel(content)
                for callback in self._wheel_callbacks:
                    _call(callback, "on_wheel", event)
            elif kind in ("ready", "resize"):
                size = decode_size(content)
                self.client_size = size
                if kind == "ready":
                    self.ready = True
                callbacks = self._ready_callbacks if kind == "ready" else self._resize_callbacks
                for callback in callbacks:
                    _call(callback, f"on_{kind}", *size)
            elif kind == "error":
                message = str(content.get("message", ""))[:500]
                logger.warning("seg-widget: the input layer failed in the browser: %s", message)
                for callback in self._error_callbacks:
                    _call(callback, "on_error", message)
            else:
                raise ValueError(f"unknown message type {kind!r}")
        except (TypeError, ValueError) as error:
            logger.warning("seg-widget: dropped a malformed input-layer message: %s", error)


def stacked(base: widgets.DOMWidget, layer: InputLayer) -> widgets.GridBox:
    """Return a GridBox showing ``layer`` exactly over ``base`` (both in one grid cell).

    The later child is drawn on top, so the layer receives every pointer event; if the
    layer never starts in the browser its element is empty and ``base`` gets them.
    """
    for child in (base, layer):
        child.layout.grid_area = "1 / 1 / 2 / 2"
    return widgets.GridBox(
        [base, layer],
        layout=widgets.Layout(
            grid_template_columns="max-content",
            grid_template_rows="max-content",
            justify_items="flex-start",
            align_items="flex-start",
        ),
    )


def _shown(canvas_extent: int, zoom: float, offset: float, image_extent: int) -> np.ndarray:
    index = np.floor((np.arange(canvas_extent, dtype=np.float64) + 0.5 - offset) / zoom)
    index = index[(index >= 0) & (index < image_extent)]
    return np.unique(index.astype(np.int64))


def _call(callback: Callable, what: str, *args: object) -> None:
    """Run a user or router callback; an error is logged, never raised into ipywidgets."""
    try:
        callback(*args)
    except Exception:
        logger.exception("seg-widget: an input-layer %s callback failed", what)


__all__ = ["InputLayer", "esm_source", "stacked"]
