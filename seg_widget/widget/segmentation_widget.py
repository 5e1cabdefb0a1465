"""The public :class:`SegmentationWidget`: state, validation and the edit pipeline.

The pen path of one mouse event, all O(stroke): canvas point -> viewport inverse
-> ``core.brush_footprint`` from the previous point -> ``LabelDocument.apply``
under the paint policy (records the undo diff, returns the dirty box) ->
``Scene.paint_overlay`` of that box only -> the scene layer is redrawn clipped
to the box -> observers hear of the box. The mask is never copied.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import ipywidgets as widgets
import numpy as np
from traitlets import Bool, Int, Unicode, observe, validate

from ..core.bbox import BBox
from ..core.classes import LabelClass, mask_dtype, normalize_classes
from ..core.document import LabelDocument
from ..core.fill import flood_footprint, same_label_footprint
from ..core.history import History
from ..core.image import load_image
from ..core.labels import validate_mask
from ..core.outline import polygon_footprint
from ..core.policy import PAINT_MODES, brush_rule, validate_paint_mode
from ..core.raster import brush_footprint, pixel_center
from ..render.display import contrast_limits, to_display
from ..render.overlay import color_lut
from ..render.viewport import Viewport
from .controls import Controls
from .interaction import STEP_ZOOM, Interaction
from .scene import Scene
from .traits import Integral, Real
from .transport import batched, forget_current_canvas

logger = logging.getLogger("seg_widget")

#: Tools of the toolbar, in toolbar order.
TOOLS = ("brush", "eraser", "lasso", "polygon", "fill", "pick", "pan")
#: ``fill_mode`` values: the connected region under the click, or that label everywhere.
FILL_MODES = ("connected", "global")
#: Largest side of the visible canvas chosen by default, in CSS pixels.
DEFAULT_VIEW_SIZE = (800, 600)
DEFAULT_HISTORY_BYTES = 256 * 2**20

EditCallback = Callable[[BBox], Any]


class SegmentationWidget(widgets.VBox):
    """Label an image pixel by pixel in a notebook; the mask lives in ``w.mask``.

    Parameters
    ----------
    image : ndarray, str, os.PathLike or PIL.Image.Image
        ``(H, W)`` grey, ``(H, W, 3)`` RGB or ``(H, W, 4)`` RGBA; uint8, uint16,
        other integers or float (contrast limits come from the finite values;
        NaN and inf show as the lowest value); or a path to an image file.
    classes : sequence of str or LabelClass
        Class names (or :class:`LabelClass` with a colour); the index is the class
        id. Class 0 means *unlabelled* and is never drawn.
    mask : array_like, optional
        ``(H, W)`` integer class ids to start from (fixing an existing mask). It
        is copied; the live array is ``w.mask``.
    brush_size : int
        Brush diameter in image pixels.
    opacity : float
        Overlay opacity in [0, 1].
    width, height : int, optional
        Size of the view in CSS pixels; by default the image's aspect ratio fitted
        into 800 x 600.
    pixel_ratio : float
        Canvas pixels per CSS pixel; use 2 on a high-DPI screen for a sharper
        cursor (labels are crisp either way).
    history_bytes : int
        Memory bound of the undo history; the oldest steps are dropped first.

    Examples
    --------
    >>> import numpy as np, seg_widget as sw
    >>> w = sw.SegmentationWidget(np.zeros((64, 64)), classes=["unlabelled", "cell"])
    >>> w.paint_stroke([(10, 10), (10, 30)], label=1)
    >>> int(w.mask[10, 20])
    1

    """

    #: Active tool: one of ``TOOLS``.
    tool = Unicode("brush")
    #: Selected class id (painted by the brush, and erased in preserve mode).
    label = Integral(1)
    #: Brush and eraser diameter in image pixels.
    brush_size = Integral(12)
    #: ``"overwrite"`` or ``"preserve"`` (shared borders: never change labelled pixels).
    paint_mode = Unicode("overwrite")
    #: When True, the lasso, polygon and fill tools erase instead of painting ``label``.
    erase = Bool(False)
    #: Fill tool: ``"connected"`` region under the click, or ``"global"``: that label everywhere.
    fill_mode = Unicode("connected")
    #: Fill tool connectivity: 4 (edge neighbours) or 8 (edge and corner neighbours).
    fill_connectivity = Integral(4)
    #: Overlay opacity in [0, 1].
    opacity = Real(0.5)
    #: Image brightness factor; 1.0 is unchanged. Never affects the overlay.
    brightness = Real(1.0)
    #: Image contrast factor; 1.0 is unchanged. Never affects the overlay.
    contrast = Real(1.0)
    #: Canvas pixels per image pixel; changing it zooms about the view centre.
    zoom = Real(1.0)
    #: Incremented after every edit (stroke event, undo, redo, mask assignment).
    edit_count = Int(0, read_only=True)
    #: Whether :meth:`undo` / :meth:`redo` would do something.
    can_undo = Bool(False, read_only=True)
    can_redo = Bool(False, read_only=True)
    #: Text of the status line.
    status = Unicode("")

    max_brush_size = 512

    def __init__(
        self,
        image: Any,
        classes: Sequence[str | LabelClass] = ("unlabelled", "foreground"),
        mask: Any = None,
        *,
        brush_size: int = 12,
        opacity: float = 0.5,
        width: int | None = None,
        height: int | None = None,
        pixel_ratio: float = 1.0,
        history_bytes: int = DEFAULT_HISTORY_BYTES,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self._image = load_image(image)
        self._classes = normalize_classes(classes)
        shape = self._image.shape[:2]
        if mask is None:
            live = np.zeros(shape, dtype=mask_dtype(len(self._classes)))
        else:
            live = validate_mask(mask, shape=shape, n_classes=len(self._classes))
        self._document = LabelDocument(live, len(self._classes), history=History(history_bytes))
        self._lut = color_lut([c.color for c in self._classes])
        self._contrast_limits = contrast_limits(self._image)
        self._display: np.ndarray | None = None
        self._edit_callbacks: list[EditCallback] = []
        self._stroke: _Stroke | None = None
        self._syncing_zoom = False
        self._pointer_text = ""
        self._message = ""

        css_size = _view_css_size(shape, width, height)
        pixel_ratio = _positive_number(pixel_ratio, "pixel_ratio")
        canvas_size = (round(css_size[0] * pixel_ratio), round(css_size[1] * pixel_ratio))
        self._viewport = Viewport(shape, canvas_size)
        self._scene = Scene(shape, canvas_size, pixel_ratio)
        self._interaction = Interaction(self)

        self.set_trait("label", 1 if len(self._classes) > 1 else 0)
        self.brush_size = brush_size
        self.opacity = opacity
        self._set_zoom_trait(self._viewport.zoom)

        self._controls = Controls(self)
        self.children = self._controls.layout_children(self._scene.view)
        self.add_class("seg-widget")
        # client_ready fires when the browser (re)creates the canvases: at first
        # display and after every page reload, since canvases keep no state.
        self._scene.view.on_client_ready(self._on_client_ready)
        self._update_status()

    # -- read-only views of the document ------------------------------------------------

    @property
    def image(self) -> np.ndarray:
        """The image as loaded (not display-mapped)."""
        return self._image

    @property
    def classes(self) -> tuple[LabelClass, ...]:
        """The label classes, colours resolved; the index is the class id."""
        return self._classes

    @property
    def canvas(self):
        """The ipycanvas ``MultiCanvas`` that receives mouse and keyboard events."""
        return self._scene.view

    @property
    def mask(self) -> np.ndarray:
        """The live ``(H, W)`` class-id array: edits change it in place.

        Assigning validates, copies the values in, redraws and is undoable. After
        changing it in place from Python, call :meth:`refresh` to show the change.
        """
        return self._document.mask

    @mask.setter
    def mask(self, value: Any) -> None:
        new = validate_mask(value, shape=self.mask.shape, n_classes=len(self._classes))
        with self._document.step("set mask"):
            bbox = self._document.replace(new)
        self._after_edit(bbox, full=True)

    # -- coordinates ---------------------------------------------------------------------

    def canvas_to_image(self, x: float, y: float) -> tuple[float, float]:
        """Map a canvas pixel position to image coordinates ``(x=col, y=row)``, floats."""
        return self._viewport.canvas_to_image(x, y)

    def image_to_canvas(self, x: float, y: float) -> tuple[float, float]:
        """Map image coordinates ``(x=col, y=row)`` to a canvas pixel position."""
        return self._viewport.image_to_canvas(x, y)

    # -- editing ---------------------------------------------------------------------------

    def paint_stroke(
        self,
        points: Iterable[tuple[float, float]],
        *,
        label: int | None = None,
        erase: bool = False,
        brush_size: int | None = None,
    ) -> None:
        """Paint (or erase) a brush stroke through image points ``(row, col)``: one undo step.

        It follows exactly the path of a mouse stroke, under the current
        ``paint_mode``; ``label`` and ``brush_size`` default to the widget's.
        """
        points = [tuple(map(float, p)) for p in points]
        if not points or any(len(p) != 2 or not all(map(math.isfinite, p)) for p in points):
            raise ValueError(
                f"points: expected a non-empty sequence of finite (row, col) pairs; got {points!r}"
            )
        if label is not None:
            self.label = label
        if brush_size is not None:
            self.brush_size = brush_size
        self._begin_stroke((points[0][1], points[0][0]), erase=erase)
        try:
            for row, col in points[1:]:
                self._continue_stroke((col, row))
        finally:
            self._end_stroke()

    def fill_polygon(
        self,
        points: Iterable[tuple[float, float]],
        *,
        label: int | None = None,
        erase: bool = False,
    ) -> None:
        """Fill the closed outline through image points ``(row, col)``: one undo step.

        The rule of the lasso and polygon tools: a pixel is filled when its centre
        lies inside the outline (even–odd rule, so overlapping loops of a
        self-intersecting outline cancel); see ``core.outline.polygon_footprint``.
        An outline with fewer than three distinct points or no interior fills
        nothing. ``erase`` sets the pixels to 0 instead (in ``"preserve"`` mode only
        those of ``label``).
        """
        points = np.asarray(list(points), dtype=float)
        if points.ndim != 2 or points.shape[1:] != (2,) or not np.isfinite(points).all():
            raise ValueError(
                f"points: expected a sequence of finite (row, col) pairs; got shape {points.shape}"
            )
        if label is not None:
            self.label = label
        footprint = polygon_footprint(points, self.mask.shape)
        if footprint is not None:
            self._apply_footprint(
                *footprint, erase=erase, name="erase outline" if erase else "outline"
            )

    def flood_fill(
        self, seed: tuple[int, int], *, label: int | None = None, erase: bool = False
    ) -> None:
        """Fill like the fill tool clicked at pixel ``seed = (row, col)``: one undo step.

        Fills the region of pixels equal to ``mask[seed]`` connected to the seed
        (``fill_connectivity``), or every such pixel when ``fill_mode == "global"``.
        ``erase`` sets them to 0 instead (in ``"preserve"`` mode only if they are
        of class ``label``).
        """
        if label is not None:
            self.label = label
        row, col = seed
        if self.fill_mode == "global":
            footprint = same_label_footprint(self.mask, int(self.mask[row, col]))
        else:
            footprint = flood_footprint(self.mask, (row, col), connectivity=self.fill_connectivity)
        if footprint is not None:
            self._apply_footprint(*footprint, erase=erase, name="erase fill" if erase else "fill")

    def undo(self) -> None:
        """Undo the last stroke or command (no-op when there is nothing to undo)."""
        self._end_stroke()
        bbox = self._document.undo()
        if bbox is not None:
            self._after_edit(bbox, full=bbox.area == self.mask.size)

    def redo(self) -> None:
        """Redo the last undone step (no-op when there is nothing to redo)."""
        self._end_stroke()
        bbox = self._document.redo()
        if bbox is not None:
            self._after_edit(bbox, full=bbox.area == self.mask.size)

    def refresh(self, bbox: BBox | None = None) -> None:
        """Redraw the overlay after ``w.mask`` was changed in place (not undoable).

        Parameters
        ----------
        bbox : BBox, optional
            Only this region changed; by default the whole mask is redrawn.

        """
        mask = self.mask
        if mask.min(initial=0) < 0 or mask.max(initial=0) >= len(self._classes):
            raise ValueError(
                f"mask: expected class ids in [0, {len(self._classes)}) after the in-place "
                f"edit; got values in [{mask.min()}, {mask.max()}]"
            )
        full = BBox.full(mask.shape)
        self._after_edit(full if bbox is None else bbox.clip(mask.shape), full=bbox is None)

    def on_edit(self, callback: EditCallback, remove: bool = False) -> EditCallback:
        """Call ``callback(bbox)`` after every edit with the changed region (a :class:`BBox`).

        Called per mouse event during a stroke, so keep it cheap; the mask is
        never copied for it. An exception in a callback is logged and shown in the
        status line; the widget keeps working. Usable as a decorator.
        """
        if remove:
            self._edit_callbacks.remove(callback)
        else:
            self._edit_callbacks.append(callback)
        return callback

    # -- view ------------------------------------------------------------------------------

    def zoom_in(self) -> None:
        """Magnify 1.5x about the view centre."""
        self._zoom_view(STEP_ZOOM, None)

    def zoom_out(self) -> None:
        """Shrink 1.5x about the view centre."""
        self._zoom_view(1 / STEP_ZOOM, None)

    def fit(self) -> None:
        """Show the whole image, centred."""
        self._viewport.fit()
        self._view_changed()

    def actual_size(self) -> None:
        """Show one image pixel per canvas pixel (1:1), keeping the view centre."""
        self._viewport.set_zoom(1.0)
        self._view_changed()

    def pan(self, dx: float, dy: float) -> None:
        """Move the view by ``(dx, dy)`` canvas pixels (the image follows)."""
        self._pan_view(dx, dy)

    def close(self) -> None:
        """Close the widget with its canvases and controls (frees them in the browser)."""
        self._scene.close()
        pending = list(self.children)
        while pending:
            child = pending.pop()
            pending.extend(getattr(child, "children", ()))
            child.close()
        super().close()

    # -- trait validation and reactions --------------------------------------------------

    @validate("tool")
    def _validate_tool(self, proposal):
        if proposal.value not in TOOLS:
            valid = ", ".join(repr(name) for name in TOOLS)
            raise ValueError(f"tool: expected one of {valid}; got {proposal.value!r}")
        return proposal.value

    @validate("label")
    def _validate_label(self, proposal):
        n = len(self._classes)
        if not 0 <= proposal.value < n:
            raise ValueError(
                f"label: expected a class id in [0, {n}) ({n} classes); got {proposal.value}"
            )
        return proposal.value

    @validate("brush_size")
    def _validate_brush_size(self, proposal):
        if not 1 <= proposal.value <= self.max_brush_size:
            raise ValueError(
                f"brush_size: expected a diameter in [1, {self.max_brush_size}] image pixels; "
                f"got {proposal.value}"
            )
        return proposal.value

    @validate("fill_mode")
    def _validate_fill_mode(self, proposal):
        if proposal.value not in FILL_MODES:
            valid = ", ".join(repr(name) for name in FILL_MODES)
            raise ValueError(f"fill_mode: expected one of {valid}; got {proposal.value!r}")
        return proposal.value

    @validate("fill_connectivity")
    def _validate_fill_connectivity(self, proposal):
        if proposal.value not in (4, 8):
            raise ValueError(f"fill_connectivity: expected 4 or 8; got {proposal.value}")
        return proposal.value

    @validate("paint_mode")
    def _validate_paint_mode(self, proposal):
        return validate_paint_mode(proposal.value)

    @validate("opacity")
    def _validate_opacity(self, proposal):
        return _in_range(proposal.value, "opacity", 0.0, 1.0)

    @validate("brightness", "contrast")
    def _validate_filter(self, proposal):
        return _in_range(proposal.value, proposal.trait.name, 0.0, 10.0)

    @validate("zoom")
    def _validate_zoom(self, proposal):
        if proposal.value <= 0:
            raise ValueError(f"zoom: expected a positive scale; got {proposal.value}")
        return proposal.value

    @observe("zoom")
    def _on_zoom(self, change):
        if self._syncing_zoom:
            return
        self._viewport.set_zoom(change.new)
        self._view_changed()

    @observe("opacity", "brightness", "contrast")
    def _on_look(self, change):
        self._draw_view()

    @observe("tool")
    def _on_tool(self, change):
        self._interaction.reset()
        if change.new == "pick" and change.old != "pick":
            self._tool_before_pick = change.old
        self._update_status()

    @observe("label", "brush_size", "paint_mode", "erase")
    def _on_pen_settings(self, change):
        self._update_status()
        if self._interaction.outline.active:
            self._interaction.outline.redraw(self._interaction.last_xy)  # recolour the preview
        elif self._interaction.last_xy is not None:
            self._pointer_moved(self._interaction.last_xy)

    # -- the pen path (called by Interaction) -------------------------------------------

    def _begin_stroke(self, image_xy: tuple[float, float], *, erase: bool) -> None:
        self._end_stroke()
        value, only_where = brush_rule(erase=erase, label=self.label, paint_mode=self.paint_mode)
        self._document.history.begin_step("erase" if erase else "paint")
        self._stroke = _Stroke(value, only_where, float(self.brush_size), None)
        self._continue_stroke(image_xy)

    def _continue_stroke(self, image_xy: tuple[float, float]) -> None:
        stroke = self._stroke
        if stroke is None:
            return
        col, row = pixel_center(*image_xy)
        start = stroke.last_rc if stroke.last_rc is not None else (row, col)
        stroke.last_rc = (row, col)
        footprint = brush_footprint(start, (row, col), stroke.diameter, self.mask.shape)
        if footprint is None:
            return
        bbox = self._document.apply(footprint[0], footprint[1], stroke.value, stroke.only_where)
        if bbox is not None:
            self._after_edit(bbox)

    def _end_stroke(self) -> None:
        if self._stroke is None:
            return
        self._stroke = None
        self._document.history.end_step()
        self._update_history_state()

    def _pick_at(self, image_xy: tuple[float, float]) -> None:
        col, row = (math.floor(v) for v in image_xy)
        height, width = self.mask.shape
        if 0 <= row < height and 0 <= col < width:
            self.label = int(self.mask[row, col])
            self.tool = getattr(self, "_tool_before_pick", "brush")

    def _fill_at(self, image_xy: tuple[float, float]) -> None:
        col, row = (math.floor(v) for v in image_xy)
        height, width = self.mask.shape
        if 0 <= row < height and 0 <= col < width:
            self.flood_fill((row, col), erase=self.erase)

    def _fill_outline(self, points_rc: list[tuple[float, float]]) -> None:
        if len(set(points_rc)) < 3:
            self._report_error("an outline needs three or more distinct points: nothing filled")
            return
        self.fill_polygon(points_rc, erase=self.erase)

    def _apply_footprint(
        self, bbox: BBox, footprint: np.ndarray, *, erase: bool, name: str
    ) -> None:
        self._end_stroke()
        value, only_where = brush_rule(erase=erase, label=self.label, paint_mode=self.paint_mode)
        with self._document.step(name):
            changed = self._document.apply(bbox, footprint, value, only_where)
        if changed is not None:
            self._after_edit(changed)
        self._update_history_state()

    # -- drawing --------------------------------------------------------------------------

    def _after_edit(self, bbox: BBox, *, full: bool = False) -> None:
        with batched():
            if full:
                self._scene.send_overlay(self.mask, self._lut)
                self._draw_view()
            else:
                self._scene.paint_overlay(self.mask, bbox, self._lut)
                clip = self._viewport.canvas_rect(bbox)
                if clip is not None:
                    self._draw_view(clip)
        self._update_history_state()
        try:
            self.set_trait("edit_count", self.edit_count + 1)
        except Exception as error:  # a user's traitlet observer raised
            logger.exception("seg-widget: an edit_count observer failed")
            self._report_error(f"edit_count observer failed: {error!r}")
        for callback in list(self._edit_callbacks):
            try:
                callback(bbox)
            except Exception as error:
                logger.exception("seg-widget: on_edit callback %r failed", callback)
                self._report_error(f"on_edit callback failed: {error!r}")

    def _draw_view(self, clip: tuple[int, int, int, int] | None = None) -> None:
        self._scene.draw_view(
            self._viewport,
            opacity=self.opacity,
            brightness=self.brightness,
            contrast=self.contrast,
            clip=clip,
        )

    def _on_client_ready(self) -> None:
        try:
            forget_current_canvas()
            if self._display is None:
                self._display = to_display(self._image, self._contrast_limits)
            self._scene.send_image(self._display)
            self._scene.send_overlay(self.mask, self._lut)
            self._draw_view()
        except Exception as error:
            logger.exception("seg-widget: drawing the widget failed")
            self._report_error(f"drawing failed: {error}")

    # -- view changes ---------------------------------------------------------------------

    def _zoom_view(self, factor: float, anchor_xy: tuple[float, float] | None) -> None:
        self._viewport.zoom_by(factor, anchor_xy)
        self._view_changed()

    def _pan_view(self, dx: float, dy: float) -> None:
        self._viewport.pan_by(dx, dy)
        self._view_changed()

    def _view_changed(self) -> None:
        self._set_zoom_trait(self._viewport.zoom)
        with batched():
            self._draw_view()
            self._interaction.outline.redraw(self._interaction.last_xy)
        self._update_status()

    def _set_zoom_trait(self, zoom: float) -> None:
        self._syncing_zoom = True
        try:
            self.zoom = zoom
        finally:
            self._syncing_zoom = False

    # -- cursor and status line -------------------------------------------------------------

    def _pointer_moved(self, canvas_xy: tuple[float, float]) -> None:
        col, row = self.canvas_to_image(*canvas_xy)
        if self.tool in ("brush", "eraser"):
            center = self.image_to_canvas(*pixel_center(col, row))
            self._scene.draw_brush_cursor(center, self.brush_size / 2 * self._viewport.zoom)
        elif not self._interaction.outline.active:
            self._scene.clear_cursor()
        height, width = self.mask.shape
        r, c = math.floor(row), math.floor(col)
        if 0 <= r < height and 0 <= c < width:
            class_id = int(self.mask[r, c])
            self._pointer_text = f"x {c}, y {r} · {class_id}: {self._classes[class_id].name}"
        else:
            self._pointer_text = "outside the image"
        self._update_status()

    def _pointer_left(self) -> None:
        self._scene.clear_cursor()
        self._pointer_text = ""
        self._update_status()

    def _report_error(self, message: str) -> None:
        self._message = f"⚠ {message}"
        self._update_status()

    def _update_status(self) -> None:
        parts = [p for p in (self._pointer_text, f"zoom {self._viewport.zoom * 100:.0f}%") if p]
        if self._message:
            parts.append(self._message)
        self.status = " · ".join(parts)

    def _update_history_state(self) -> None:
        self.set_trait("can_undo", self._document.can_undo)
        self.set_trait("can_redo", self._document.can_redo)


class _Stroke:
    """What a brush stroke in progress needs between mouse events."""

    __slots__ = ("diameter", "last_rc", "only_where", "value")

    def __init__(
        self,
        value: int,
        only_where: int | None,
        diameter: float,
        last_rc: tuple[float, float] | None,
    ) -> None:
        self.value = value
        self.only_where = only_where
        self.diameter = diameter
        self.last_rc = last_rc


def _view_css_size(
    shape: tuple[int, int], width: int | None, height: int | None
) -> tuple[int, int]:
    for value, name in ((width, "width"), (height, "height")):
        if value is not None and (not isinstance(value, int | np.integer) or value < 16):
            raise ValueError(
                f"{name}: expected an integer number of CSS pixels >= 16; got {value!r}"
            )
    image_h, image_w = shape
    if width is not None and height is not None:
        return int(width), int(height)
    max_w, max_h = DEFAULT_VIEW_SIZE
    if width is not None:
        max_w, max_h = int(width), 10**6
    if height is not None:
        max_w, max_h = 10**6, int(height)
    scale = min(max_w / image_w, max_h / image_h)
    return max(16, round(image_w * scale)), max(16, round(image_h * scale))


def _positive_number(value: Any, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float | np.number):
        raise TypeError(f"{name}: expected a positive number; got {type(value).__name__}")
    if not (math.isfinite(value) and value > 0):
        raise ValueError(f"{name}: expected a positive finite number; got {value}")
    return float(value)


def _in_range(value: float, name: str, low: float, high: float) -> float:
    if not low <= value <= high:
        raise ValueError(f"{name}: expected a number in [{low:g}, {high:g}]; got {value:g}")
    return value


__all__ = ["FILL_MODES", "PAINT_MODES", "TOOLS", "SegmentationWidget"]
