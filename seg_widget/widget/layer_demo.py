"""A minimal kernel behind the input layer: one ipycanvas canvas, a brush, nothing else.

It is what the browser tests and the latency benchmark drive until the real widget's pointer
router takes the layer over, and a small example of the contract: decode nothing yourself,
apply each batch in order (the same snapping and footprint as the widget's brush), draw once
per batch, then acknowledge. It keeps every event it received, for tests to read.
"""

from __future__ import annotations

import math
import time

import ipywidgets as widgets
import numpy as np
from ipycanvas import Canvas

from ..core.raster import brush_footprint, pixel_center
from ..render.overlay import label_runs
from .input_layer import InputLayer, stacked
from .pointer import KeyEvent, PointerEvent, WheelEvent
from .transport import batched

BACKGROUND = "#3a3a3a"
IMAGE_COLOR = "#808080"


class LayerDemo:
    """An image-sized mask painted by the layer's pointer batches on a plain ipycanvas.

    Parameters
    ----------
    image_shape : tuple of int
        ``(H, W)`` of the (flat grey) image.
    canvas_size : tuple of int
        ``(width, height)`` of the canvas in CSS px; the canvas has ``pixel_ratio`` times as
        many device pixels.
    zoom, offset : float, tuple of float
        The view in CSS px: ``css = image * zoom + offset`` (device px: times the pixel ratio).
    pixel_ratio : float, optional
        Device px per CSS px; by default the browser's ``devicePixelRatio``.
    brush_size : float
        Brush diameter in image pixels.
    fit_width : bool
        Re-fit the canvas to the width the page reports (keeping the aspect ratio).

    """

    def __init__(
        self,
        image_shape: tuple[int, int] = (90, 130),
        canvas_size: tuple[int, int] = (520, 360),
        *,
        zoom: float = 4.0,
        offset: tuple[float, float] = (0.0, 0.0),
        pixel_ratio: float | None = None,
        brush_size: float = 9.0,
        color: str = "#ff3030",
        opacity: float = 1.0,
        fit_width: bool = False,
    ) -> None:
        self.mask = np.zeros(image_shape, dtype=np.uint8)
        self.auto_ratio = pixel_ratio is None
        self.pixel_ratio = 1.0 if pixel_ratio is None else pixel_ratio
        self.fit_width = fit_width
        self.css_zoom = zoom
        self.css_offset = offset
        self.css_size = canvas_size
        self.canvas = Canvas(width=1, height=1)
        self.layer = InputLayer(
            image_shape=list(image_shape),
            brush_size=brush_size,
            color=color,
            opacity=opacity,
            shortcut_keys=[" ", "b", "e", "escape", "ctrl+z"],
        )
        #: Every pointer event, key, wheel and size report received, in order.
        self.events: list[PointerEvent] = []
        self.keys: list[KeyEvent] = []
        self.wheels: list[WheelEvent] = []
        self.sizes: list[tuple[float, float, float]] = []
        self.batches: list[int] = []
        #: Seconds of sleep before each batch is applied (a busy kernel, for tests).
        self.delay_s = 0.0
        self._last_rc: tuple[float, float] | None = None
        self._erasing = False
        self._space = False
        self._pan_from: tuple[float, float] | None = None
        self.button = widgets.Button(description="Brush")
        self.button.add_class("seg-demo-button")
        self.status = widgets.Label("")
        #: A text field inside the widget: typing in it is never taken as shortcuts.
        self.name = widgets.Text(placeholder="name")
        self.name.add_class("seg-demo-name")
        controls = widgets.HBox([self.button, self.name, self.status])
        self.root = widgets.VBox([controls, self._stack()])
        self.root.add_class("seg-widget")
        self.layer.on_pointer_batch(self.apply)
        self.layer.on_key(self._key)
        self.layer.on_wheel(self.wheels.append)
        self.layer.on_ready(self._resized)
        self.layer.on_resize(self._resized)
        self.resize(canvas_size)

    def _stack(self) -> widgets.GridBox:
        return stacked(self.canvas, self.layer)

    def _ipython_display_(self) -> None:
        from IPython.display import display

        display(self.root)

    # -- view -------------------------------------------------------------------------------

    @property
    def zoom(self) -> float:
        """Device px per image px."""
        return self.css_zoom * self.pixel_ratio

    @property
    def offset(self) -> tuple[float, float]:
        """Device px position of image point (0, 0)."""
        return (self.css_offset[0] * self.pixel_ratio, self.css_offset[1] * self.pixel_ratio)

    def resize(self, css_size: tuple[int, int]) -> None:
        """Make the canvas ``css_size`` CSS px (times the pixel ratio in device px), redrawn."""
        self.css_size = css_size
        width = round(css_size[0] * self.pixel_ratio)
        height = round(css_size[1] * self.pixel_ratio)
        self.canvas.width, self.canvas.height = width, height
        self.canvas.layout.width = f"{css_size[0]}px"
        self.canvas.layout.height = f"{css_size[1]}px"
        self.layer.set_view(
            zoom=self.zoom,
            offset_x=self.offset[0],
            offset_y=self.offset[1],
            canvas_size=(width, height),
            pixel_ratio=self.pixel_ratio,
        )
        self.redraw()

    def _resized(self, css_width: float, css_height: float, ratio: float) -> None:
        self.sizes.append((css_width, css_height, ratio))
        size = self.css_size
        if self.fit_width and css_width > 0:
            width = max(64, math.floor(css_width))
            self.css_zoom *= width / size[0]
            size = (width, round(size[1] * width / size[0]))
        if self.auto_ratio:
            self.pixel_ratio = ratio
        self.resize(size)

    def redraw(self) -> None:
        """Draw the whole view: background, image, every painted pixel."""
        height, width = self.mask.shape
        with batched():
            self.canvas.fill_style = BACKGROUND
            self.canvas.fill_rect(0, 0, self.canvas.width, self.canvas.height)
            x0, y0 = self.to_canvas(0, 0)
            x1, y1 = self.to_canvas(width, height)
            self.canvas.fill_style = IMAGE_COLOR
            self.canvas.fill_rect(x0, y0, x1 - x0, y1 - y0)
            self._draw_labels(0, height, 0, width)

    def to_canvas(self, col: float, row: float) -> tuple[int, int]:
        """Return the first canvas pixel showing image point (col, row) (no smoothing)."""
        return (
            math.ceil(col * self.zoom + self.offset[0] - 0.5),
            math.ceil(row * self.zoom + self.offset[1] - 0.5),
        )

    def _draw_labels(self, row0: int, row1: int, col0: int, col1: int) -> None:
        patch = self.mask[row0:row1, col0:col1]
        self.canvas.fill_style = IMAGE_COLOR
        x0, y0 = self.to_canvas(col0, row0)
        x1, y1 = self.to_canvas(col1, row1)
        self.canvas.fill_rect(x0, y0, x1 - x0, y1 - y0)
        self.canvas.fill_style = self.layer.color
        self.canvas.global_alpha = self.layer.opacity
        for runs in label_runs(patch, (row0, col0)):
            if runs.label == 0:
                continue
            xs, ys = self.to_canvas_arrays(runs.xs, runs.ys)
            ends, bottoms = self.to_canvas_arrays(runs.xs + runs.widths, runs.ys + 1)
            self.canvas.fill_rects(xs, ys, ends - xs, bottoms - ys)
        self.canvas.global_alpha = 1.0

    def to_canvas_arrays(self, cols: np.ndarray, rows: np.ndarray) -> tuple[np.ndarray, ...]:
        """Return `to_canvas` of arrays of image columns and rows."""
        xs = np.ceil(np.asarray(cols) * self.zoom + self.offset[0] - 0.5).astype(np.int64)
        ys = np.ceil(np.asarray(rows) * self.zoom + self.offset[1] - 0.5).astype(np.int64)
        return xs, ys

    # -- events -----------------------------------------------------------------------------

    def apply(self, events: list[PointerEvent]) -> None:
        """Apply one batch: brush strokes (right button erases) or a pan, then one redraw."""
        if self.delay_s:
            time.sleep(self.delay_s)
        self.events.extend(events)
        self.batches.append(events[0].batch)
        dirty: list[int] | None = None
        panned = False
        for event in events:
            if self._pan_event(event):
                panned = True
                continue
            box = self._stroke_event(event)
            if box is not None:
                dirty = box if dirty is None else _union(dirty, box)
        if panned:
            self.resize(self.css_size)
        elif dirty is not None:
            with batched():
                self._draw_labels(*dirty)

    def _key(self, event: KeyEvent) -> None:
        self.keys.append(event)
        if event.key == " ":
            self._space = event.down

    def _pan_event(self, event: PointerEvent) -> bool:
        """Space-drag and middle-drag move the view; True if the event was part of a pan."""
        if event.kind == "down" and (event.button == 1 or self._space):
            self._pan_from = event.xy
            self._last_rc = None
            return True
        if self._pan_from is None:
            return False
        dx, dy = event.x - self._pan_from[0], event.y - self._pan_from[1]
        ratio = self.pixel_ratio
        self.css_offset = (self.css_offset[0] + dx / ratio, self.css_offset[1] + dy / ratio)
        self._pan_from = None if event.kind in ("up", "cancel") else event.xy
        return True

    def _stroke_event(self, event: PointerEvent) -> list[int] | None:
        if event.kind == "down":
            if event.button not in (0, 2):  # the middle button pans; nothing to paint
                self._last_rc = None
                return None
            self._erasing = event.button == 2
        elif self._last_rc is None:
            return None  # hovering
        elif event.kind in ("cancel", "leave"):
            self._last_rc = None
            return None
        col = (event.x - self.offset[0]) / self.zoom
        row = (event.y - self.offset[1]) / self.zoom
        c, r = pixel_center(col, row)
        start = (r, c) if event.kind == "down" or self._last_rc is None else self._last_rc
        self._last_rc = None if event.kind == "up" else (r, c)
        footprint = brush_footprint(start, (r, c), self.layer.brush_size, self.mask.shape)
        if footprint is None:
            return None
        bbox, inside = footprint
        self.mask[bbox.slices][inside] = 0 if self._erasing else 1
        return [bbox.row0, bbox.row1, bbox.col0, bbox.col1]


def _union(a: list[int], b: list[int]) -> list[int]:
    return [min(a[0], b[0]), max(a[1], b[1]), min(a[2], b[2]), max(a[3], b[3])]


__all__ = ["LayerDemo"]
