"""The public :class:`SegmentationWidget`: state, validation, drawing and notifications.

The commands live in mixins, one concern each: ``EditCommands`` (brush, outlines,
fills, undo), ``ViewCommands`` (zoom, pan), ``QualityCommands`` (coverage, holes,
specks, fixes). Every edit ends in :meth:`SegmentationWidget._after_edit`, which
repaints only the dirty box and notifies observers without copying the mask.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable, Sequence
from typing import Any

import ipywidgets as widgets
import numpy as np
from traitlets import Bool, Int, Unicode, observe, validate

from ..core.assist import SCRIBBLE_METHODS, classifier_available
from ..core.bbox import BBox
from ..core.checks import one_of
from ..core.classes import LabelClass, mask_dtype, normalize_classes
from ..core.document import LabelDocument
from ..core.hierarchy import parent_ids
from ..core.history import History
from ..core.image import load_image
from ..core.instances import Instance, check_consistent, table_from_maps
from ..core.labels import validate_mask
from ..core.policy import PAINT_MODES, validate_paint_mode
from ..core.raster import pixel_center
from ..render.display import contrast_limits, to_display
from ..render.overlay import color_lut
from ..render.viewport import Viewport
from .assist_commands import AssistCommands
from .controls import Controls
from .edit_commands import EditCommands
from .instance_commands import InstanceCommands
from .interaction import Interaction
from .quality_commands import QualityCommands
from .save_commands import SaveCommands
from .scene import Scene
from .traits import Integral, Real
from .transport import batched, forget_current_canvas
from .view_commands import ViewCommands

logger = logging.getLogger("seg_widget")

#: Tools of the toolbar, in toolbar order.
TOOLS = (
    "brush",
    "eraser",
    "lasso",
    "polygon",
    "fill",
    "wand",
    "superpixel",
    "scribble",
    "prompt",
    "pick",
    "pan",
)
#: ``fill_mode`` values: the connected region under the click, or that label everywhere.
FILL_MODES = ("connected", "global")
#: Largest side of the visible canvas chosen by default, in CSS pixels.
DEFAULT_VIEW_SIZE = (800, 600)
DEFAULT_HISTORY_BYTES = 256 * 2**20

EditCallback = Callable[[BBox], Any]


class SegmentationWidget(
    EditCommands,
    InstanceCommands,
    ViewCommands,
    QualityCommands,
    AssistCommands,
    SaveCommands,
    widgets.VBox,
):
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
    instances : array_like, optional
        ``(H, W)`` integer instance ids (0 = none) to start from; every instance's
        pixels must share one class of ``mask``. The live array is ``w.instance_mask``.
    instance_table : sequence of Instance, optional
        The objects of ``instances`` with their names, visibility, locks and parents
        (as ``w.instances`` returns them); by default one per id, named after its class.
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
    #: Dim the image and tint every unlabelled pixel bright magenta, to see what is missing.
    show_missing = Bool(False)
    #: Magic wand: colour distance (fraction of the largest, in CIE Lab) still in the region.
    wand_tolerance = Real(0.1)
    #: Superpixel brush: about how many superpixels the image is cut into, and their compactness.
    superpixel_segments = Integral(1500)
    superpixel_compactness = Real(10.0)
    #: Scribbles -> proposal: "watershed", "random_walker" or "classifier" (scikit-learn).
    scribble_method = Unicode("watershed")
    #: Prompt tool: new points are negative ("not the object") instead of positive.
    prompt_negative = Bool(False)
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
        instances: Any = None,
        instance_table: Sequence[Instance] | None = None,
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
        self._document = LabelDocument(
            live,
            len(self._classes),
            history=History(history_bytes),
            class_parents=parent_ids(self._classes),
        )
        if instances is not None:
            instance_map, table = table_from_maps(live, instances, self._classes)
            if instance_table is not None:
                table = list(instance_table)
                check_consistent(live, instance_map, table)
            self._document.enable_instances(instance_map, table)
        elif instance_table is not None:
            raise ValueError("instance_table: expected it only with instances=; got no instances")
        self._lut = color_lut([c.color for c in self._classes])
        self._contrast_limits = contrast_limits(self._image)
        self._display: np.ndarray | None = None
        self._edit_callbacks: list[EditCallback] = []
        self._stroke = None  # a stroke in progress: edit_commands._Stroke
        self._recent_instance = 0  # the last active object: the default parent of a new part
        # Assisted tools: proposal (full-size arrays, allocated on first use), scribbles,
        # prompts, the cached over-segmentation.
        self._proposal_values: np.ndarray | None = None
        self._proposal_mask: np.ndarray | None = None
        self._proposal_bbox: BBox | None = None
        self._scribbles: np.ndarray | None = None
        self._prompt_callbacks: list = []
        self._prompt_points: list[tuple[float, float]] = []
        self._prompt_labels: list[int] = []
        self._prompt_box: tuple[float, float, float, float] | None = None
        self._superpixels = None
        self._progress = ""
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
        self._object_panel = self._controls.objects
        self._controls.show_class_counts(self._document.class_counts)
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
    def contrast_limits(self) -> tuple[float, float]:
        """Image values shown as black and white: ``(low, high)``.

        Auto-chosen from the finite values (``(0, 255)`` for uint8). Setting it maps
        the image again in the kernel and resends it once (window/level for 12- and
        16-bit or float images); the brightness and contrast sliders act on top of it
        in the browser at no cost.
        """
        return self._contrast_limits

    @contrast_limits.setter
    def contrast_limits(self, value: tuple[float, float]) -> None:
        display = to_display(self._image, value)  # validates `limits`
        self._contrast_limits = (float(value[0]), float(value[1]))
        self._display = display
        self._scene.send_image(display)
        self._draw_view()

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

    def refresh(self, bbox: BBox | None = None) -> None:
        """Redraw the overlay after ``w.mask`` was changed in place (not undoable).

        Pixels whose class changed leave their object.

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
        if self._document.instances is not None:
            # A pixel whose class was changed in place leaves its object (keeps the invariant).
            self._document.instances.detach_mismatched(mask)
        self._document.recount()
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
        return one_of(proposal.value, TOOLS, "tool")

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
        return one_of(proposal.value, FILL_MODES, "fill_mode")

    @validate("fill_connectivity")
    def _validate_fill_connectivity(self, proposal):
        if proposal.value not in (4, 8):
            raise ValueError(f"fill_connectivity: expected 4 or 8; got {proposal.value}")
        return proposal.value

    @validate("wand_tolerance")
    def _validate_wand_tolerance(self, proposal):
        return _in_range(proposal.value, "wand_tolerance", 0.0, 1.0)

    @validate("superpixel_segments")
    def _validate_superpixel_segments(self, proposal):
        if proposal.value < 2:
            raise ValueError(f"superpixel_segments: expected at least 2; got {proposal.value}")
        return proposal.value

    @validate("superpixel_compactness")
    def _validate_superpixel_compactness(self, proposal):
        if proposal.value <= 0:
            raise ValueError(
                f"superpixel_compactness: expected a positive number; got {proposal.value}"
            )
        return proposal.value

    @validate("scribble_method")
    def _validate_scribble_method(self, proposal):
        method = one_of(proposal.value, SCRIBBLE_METHODS, "scribble_method")
        if method == "classifier" and not classifier_available():
            raise ValueError(
                "scribble_method: 'classifier' needs scikit-learn: pip install scikit-learn"
            )
        return method

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

    @observe("show_missing")
    def _on_show_missing(self, change):
        with batched():
            if change.new:
                self._scene.paint_missing(self.mask, BBox.full(self.mask.shape))
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

    # -- drawing --------------------------------------------------------------------------

    def _after_edit(self, bbox: BBox, *, full: bool = False) -> None:
        with batched():
            if full:
                bbox = BBox.full(self.mask.shape)
            # Contours depend on neighbours: the repainted region may be a pixel larger.
            painted = self._paint_labels(bbox)
            if self.show_missing:
                self._scene.paint_missing(self.mask, bbox)
            clip = None if full else self._viewport.canvas_rect(painted)
            if full or clip is not None:
                self._draw_view(clip)
        self._update_history_state()
        if self._stroke is None:  # during a stroke: at its end, and the pointer updates status
            self._controls.show_class_counts(self._document.class_counts)
            self._update_status()
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
            show_missing=self.show_missing,
            show_proposal=self._proposal_bbox is not None or self._scribbles is not None,
            clip=clip,
        )

    def _on_client_ready(self) -> None:
        try:
            forget_current_canvas()
            self._scene.send_image(self._display_image())
            self._paint_labels(BBox.full(self.mask.shape))
            if self.show_missing:
                self._scene.paint_missing(self.mask, BBox.full(self.mask.shape))
            if self._proposal_bbox is not None:
                self._paint_assist_region(
                    self._proposal_bbox, self._proposal_values, self._proposal_mask
                )
            elif self._scribbles is not None:
                self._paint_assist_region(BBox.full(self.mask.shape), self._scribbles, None)
            self._draw_view()
        except Exception as error:
            logger.exception("seg-widget: drawing the widget failed")
            self._report_error(f"drawing failed: {error}")

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
            layer = self._document.instances
            instance_id = 0 if layer is None else int(layer.map[r, c])
            if instance_id:
                self._pointer_text += f" · {layer.get(instance_id).name}"
        else:
            self._pointer_text = "outside the image"
        self._update_status()

    def _pointer_left(self) -> None:
        self._scene.clear_cursor()
        self._pointer_text = ""
        self._update_status()

    def _display_image(self) -> np.ndarray:
        """Return the image as shown (uint8, after contrast_limits), computed once."""
        if self._display is None:
            self._display = to_display(self._image, self._contrast_limits)
        return self._display

    def _report_progress(self, message: str) -> None:
        """Say what long work is running (sent at once, while the kernel keeps working)."""
        self._progress = f"⏳ {message}" if message else ""
        self._update_status()

    def _report_error(self, message: str) -> None:
        self._message = f"⚠ {message}"
        self._update_status()

    def _update_status(self) -> None:
        coverage = f"labelled {100 * self.labelled_fraction:.1f}%"
        zoom = f"zoom {self._viewport.zoom * 100:.0f}%"
        layer = self._document.instances
        active = f"object: {layer.get(self.instance).name}" if self.instance else ""
        parts = [p for p in (self._pointer_text, active, coverage, zoom) if p]
        parts += [m for m in (self._progress, self._message) if m]
        self.status = " · ".join(parts)

    def _update_history_state(self) -> None:
        self.set_trait("can_undo", self._document.can_undo)
        self.set_trait("can_redo", self._document.can_redo)


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
