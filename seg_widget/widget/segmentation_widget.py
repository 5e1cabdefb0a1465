"""The public :class:`SegmentationWidget`: traits, validation, and delegation.

The widget *owns* its collaborators and delegates to them; it inherits no command mixins:

- `Editor` owns the label document and performs every undoable change, emitting an
  `EditEvent` (dirty box, whether the object table changed);
- `View` is the only caller of the drawing code: it repaints itself on edit events;
- `Proposals` keeps the assisted tools' state; `StatusLine` the status text; `Selection`
  keeps the active object and the selected class consistent;
- `PointerRouter` sends input events to the tool objects of the one tool table;
- `Panels` builds the controls, which refresh themselves from events and traits.

See ``docs/architecture.md`` for the path of a pen event, a redraw and a save.
"""

from __future__ import annotations

import logging
import math
import os
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import ipywidgets as widgets
import numpy as np
from traitlets import Bool, Int, Unicode, observe, validate

from ..core import quality
from ..core.bbox import BBox
from ..core.checks import one_of
from ..core.classes import LabelClass, mask_dtype, normalize_classes
from ..core.hierarchy import class_mask as hierarchy_class_mask
from ..core.hierarchy import is_descendant
from ..core.image import image_view
from ..core.instances import Instance, check_instance_id
from ..core.labels import validate_mask
from ..core.model_session import DEFAULT_MAX_BYTES, ModelSession
from ..core.policy import PAINT_MODES, validate_paint_mode
from ..core.quality import Region
from ..render.display import auto_limits, check_limits
from ..render.instance_view import COLOR_BY, SHOW_ONLY
from . import arguments
from .closing import close_tree
from .display_image import DisplayImage
from .editor import EditEvent, Editor
from .keymap import browser_keys
from .page_size import device_size
from .panels import Panels
from .proposals import PromptCallback, Proposals
from .router import STEP_ZOOM, PointerRouter, connect_canvas, connect_layer
from .save_commands import SAVE_EXTENSIONS, load_file, save_file
from .selection import Selection
from .status import StatusLine
from .tools import TOOLS, ToolHost, make_tools
from .tools.brush import BrushStroke
from .tools.fill import fill_at
from .tools.outline import fill_outline
from .traits import Flag, Integral, PathText, Real, Text, Values, in_range
from .view import View

logger = logging.getLogger("seg_widget")

#: ``fill_mode`` values: the connected region under the click, or that label everywhere.
FILL_MODES = ("connected", "global")
#: ``right_button`` values.
RIGHT_BUTTON_ACTIONS = ("erase", "none")
#: Largest ``pixel_ratio`` accepted (phones reach 4).
MAX_PIXEL_RATIO = 8.0
DEFAULT_HISTORY_BYTES = 256 * 2**20
#: Default size limit (pixels) of a hole or speck.
DEFAULT_MAX_SIZE = 64

EditCallback = Callable[[BBox], Any]


class SegmentationWidget(widgets.VBox):
    """Label an image pixel by pixel in a notebook; the mask lives in ``w.mask``.

    Parameters
    ----------
    image : ndarray, str, os.PathLike or PIL.Image.Image
        ``(H, W)`` grey, ``(H, W, 3)`` RGB or ``(H, W, 4)`` RGBA; uint8, uint16,
        other integers or float (contrast limits come from the finite values;
        NaN and inf show as the lowest value); or a path to an image file. A
        C-contiguous array is shown without a copy, as napari's layers do (a big
        image opens at once): the widget holds a read-only view of it, so do not
        change the array while the widget shows it (pass a copy if you will).
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
        Size of the view in CSS pixels. By default the canvas takes the width the notebook
        offers (the side panel beside it when there is room, below it otherwise), at most
        three quarters of the window's height, and follows the page when it changes;
        before the browser reports its size it is the image fitted into 800 x 600.
    pixel_ratio : float, optional
        Canvas pixels per CSS pixel; by default the screen's (``devicePixelRatio``), so the
        canvas is crisp on high-DPI screens.
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
    tool = Text("brush")
    #: Selected class id (painted by the brush, and erased in preserve mode).
    label = Integral(1)
    #: Brush and eraser diameter in image pixels.
    brush_size = Integral(12)
    #: ``"overwrite"`` or ``"preserve"`` (shared borders: never change labelled pixels).
    paint_mode = Text("overwrite")
    #: When True, the lasso, polygon and fill tools erase instead of painting ``label``.
    erase = Flag(False)
    #: Fill tool: ``"connected"`` region under the click, or ``"global"``: that label everywhere.
    fill_mode = Text("connected")
    #: Fill tool connectivity: 4 (edge neighbours) or 8 (edge and corner neighbours).
    fill_connectivity = Integral(4)
    #: Overlay opacity in [0, 1].
    opacity = Real(0.5)
    #: Dim the image and tint every unlabelled pixel bright magenta, to see what is missing.
    show_missing = Flag(False)
    #: Magic wand: colour distance (fraction of the largest, in CIE Lab) still in the region.
    wand_tolerance = Real(0.1)
    #: Superpixel brush: about how many superpixels the image is cut into, and their compactness.
    superpixel_segments = Integral(1500)
    superpixel_compactness = Real(10.0)
    #: Scribbles -> proposal: "watershed", "random_walker" or "classifier" (scikit-learn).
    scribble_method = Text("watershed")
    #: Prompt tool: new points are negative ("not the object") instead of positive.
    prompt_negative = Flag(False)
    #: Image brightness factor; 1.0 is unchanged. Never affects the overlay.
    brightness = Real(1.0)
    #: Image contrast factor; 1.0 is unchanged. Never affects the overlay.
    contrast = Real(1.0)
    #: Canvas pixels per image pixel; changing it zooms about the view centre.
    zoom = Real(1.0)
    #: Incremented after every edit (stroke event, undo, redo, mask assignment, object command).
    edit_count = Int(0, read_only=True)
    #: Whether :meth:`undo` / :meth:`redo` would do something.
    can_undo = Bool(False, read_only=True)
    can_redo = Bool(False, read_only=True)
    #: Text of the status line: pointer, image value(s) and class there, object, coverage, zoom.
    status = Unicode("")
    #: The message line: what was refused, failed or done (``"⚠ ..."`` for a problem). It is
    #: cleared by the next action (a press on the canvas, a key, a control, an edit).
    message = Unicode("", read_only=True)
    #: Whether a proposal waits to be accepted (Enter) or rejected (Escape).
    proposal_pending = Bool(False, read_only=True)
    #: Accepting a whole-image proposal (from scribbles) changes only unlabelled pixels; set
    #: False to let it replace labels too (the message line says how many either way).
    keep_labelled = Flag(True)
    #: The magic wand fills the holes of the region it proposes (pixels it encloses).
    wand_fill_holes = Flag(True)
    #: Image values shown as black and white: ``(low, high)``; see `auto_contrast`.
    contrast_limits = Values()
    #: Where :meth:`save` (the Save button, Ctrl+S) writes when given no path ("" = not set).
    save_path = PathText("")
    #: Active object (instance id, 0 = none): painting adds to it, erasing removes from it.
    instance = Integral(0)
    #: Objects ticked in the object list: what merge and delete act on.
    selected_instances = Values()
    #: Overlay colours: "class" or "instance" (each object in its own colour).
    color_by = Text("class")
    #: Draw only the outline of each object.
    contours = Flag(False)
    #: "all", "object" (only the active object) or "class" (only the selected class).
    show_only = Text("all")
    #: What the right mouse button does with the brush or eraser: "erase" (drag to erase,
    #: as in many paint tools) or "none". It never opens a context menu on the canvas.
    right_button = Text("erase")

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
        pixel_ratio: float | None = None,
        history_bytes: int = DEFAULT_HISTORY_BYTES,
        **kwargs: Any,
    ) -> None:
        # Everything that can reject the input runs before any widget exists, so bad input
        # gives only the error (no half-built widget left registered).
        loaded = image_view(image)  # no O(image) copy of a ready array: see `image`
        normalized = normalize_classes(classes)
        history_bytes = arguments.whole_number(history_bytes, "history_bytes", 1)
        shape = loaded.shape[:2]
        if mask is None:
            live = np.zeros(shape, dtype=mask_dtype(len(normalized)))
        else:
            live = validate_mask(mask, shape=shape, n_classes=len(normalized))
        editor = Editor(
            live,
            normalized,
            history_bytes=history_bytes,
            instances=instances,
            instance_table=instance_table,
        )
        css_size = _view_css_size(shape, width, height)
        ratio = None if pixel_ratio is None else _pixel_ratio(pixel_ratio)
        if css_size is not None:
            device_size(css_size, 1.0 if ratio is None else ratio)  # refuses huge canvases
        brush_size = arguments.diameter(brush_size, self.max_brush_size)
        opacity = arguments.number(opacity, "opacity", 0.0, 1.0)
        settings, box_kwargs = _split_kwargs(kwargs)

        self._editor = editor
        super().__init__(**box_kwargs)
        try:
            self._assemble(DisplayImage(loaded), css_size, ratio, brush_size, opacity)
            for name, value in settings.items():  # e.g. tool="fill": set once all listen
                setattr(self, name, value)
        except BaseException:
            self.close()
            raise

    def _assemble(
        self,
        display: DisplayImage,
        css_size: tuple[int, int] | None,
        pixel_ratio: float | None,
        brush_size: int,
        opacity: float,
    ) -> None:
        editor = self._editor
        self._edit_callbacks: list[EditCallback] = []
        self._status = StatusLine(self, editor)
        self._proposals = Proposals(
            editor, display, report_progress=self._status.progress, report_error=self._status.error
        )
        self._view = view = View(
            self,
            editor,
            self._proposals,
            display,
            css_size=css_size,
            pixel_ratio=pixel_ratio,
            shortcut_keys=browser_keys(),
            report_error=self._status.error,
            report_progress=self._status.progress,
        )
        self._status.follow(view)
        self._selection = Selection(self, editor)
        host = ToolHost(self, editor, view, self._proposals, self._status)
        commands = {
            "undo": self.undo,
            "redo": self.redo,
            "new_instance": self.new_instance,
            "accept_proposal": self.accept_proposal,
            "reject_proposal": self.reject_proposal,
            "propose_from_scribbles": self.propose_from_scribbles,
            "save": self.save,
        }
        self._router = PointerRouter(host, make_tools(host), commands)
        connect_canvas(view.canvas, self._router)
        connect_layer(view.layer, self._router)
        editor.edited.connect(self._on_edit)
        view.navigated.connect(lambda _: setattr(self, "zoom", view.zoom))
        self._proposals.changed.connect(
            lambda _: self.set_trait("proposal_pending", self._proposals.pending)
        )

        self.set_trait("label", 1 if len(editor.classes) > 1 else 0)
        self.set_trait("contrast_limits", display.limits)
        self.brush_size = brush_size
        self.opacity = opacity
        self.zoom = view.zoom
        self._panels = Panels(self, editor.edited, self._status)
        self.children = self._panels.children(view.widget)
        self.add_class("seg-widget")
        self._status.update()

    # -- read-only views of the document ------------------------------------------------

    @property
    def image(self) -> np.ndarray:
        """The image as loaded (not display-mapped): read-only, a view of an array given ready."""
        return self._view.display.image

    def auto_contrast(self) -> tuple[float, float]:
        """Set `contrast_limits` from the image's robust percentiles; return them.

        The limits become the 0.5th and 99.5th percentiles of the finite values of the
        colour channels (see ``render.display.auto_limits``), so a few saturated or dead
        pixels do not decide them. New 16-bit, other integer and float images start
        with these limits; 8-bit images start with ``(0, 255)``. Setting
        `contrast_limits` maps the image again in the kernel and resends it once; the
        brightness and contrast sliders act on top of it in the browser at no cost.
        """
        self.contrast_limits = auto_limits(self.image)
        return self.contrast_limits

    @property
    def classes(self) -> tuple[LabelClass, ...]:
        """The label classes, colours resolved; the index is the class id."""
        return self._editor.classes

    @property
    def canvas(self):
        """The ipycanvas ``MultiCanvas`` that receives mouse and keyboard events."""
        return self._view.canvas

    @property
    def mask(self) -> np.ndarray:
        """The live ``(H, W)`` class-id array: edits change it in place.

        Assigning validates, copies the values in, redraws and is undoable. After
        changing it in place from Python, call :meth:`refresh` to show the change.
        """
        return self._editor.mask

    @mask.setter
    def mask(self, value: Any) -> None:
        new = validate_mask(value, shape=self.mask.shape, n_classes=len(self.classes))
        self._editor.replace(new)

    @property
    def class_counts(self) -> np.ndarray:
        """Pixels per class id (a new array), kept up to date incrementally as edits happen."""
        return self._editor.document.class_counts

    @property
    def labelled_fraction(self) -> float:
        """Share of pixels with a class other than 0, in [0, 1]."""
        return self._editor.labelled_fraction

    # -- coordinates ---------------------------------------------------------------------

    def canvas_to_image(self, x: float, y: float) -> tuple[float, float]:
        """Map a canvas pixel position to image coordinates ``(x=col, y=row)``, floats."""
        return self._view.canvas_to_image(*arguments.point_xy(x, y))

    def image_to_canvas(self, x: float, y: float) -> tuple[float, float]:
        """Map image coordinates ``(x=col, y=row)`` to a canvas pixel position."""
        return self._view.image_to_canvas(*arguments.point_xy(x, y))

    # -- painting from Python ----------------------------------------------------------------

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
        ``paint_mode``. ``label`` and ``brush_size`` apply to this call only (default: the
        widget's ``label`` and ``brush_size``, which stay as they are). With an active
        object of another class than ``label``, the stroke paints without it.
        """
        points = arguments.points(points)
        label = self._call_label(label)
        if brush_size is None:
            brush_size = self.brush_size
        brush_size = arguments.diameter(brush_size, self.max_brush_size)
        pen = self._pen(arguments.flag(erase, "erase"), label)
        # One frame: the stroke's dabs are repainted and sent once, as its merged boxes;
        # its moves are written a run at a time (`BrushStroke.through`).
        with self._view.frame(), self._editor.stroke("erase" if erase else "paint"):
            stroke = BrushStroke(self._editor, pen, brush_size)
            stroke.through((col, row) for row, col in points.tolist())

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
        those of ``label``). ``label`` applies to this call only.
        """
        points = arguments.points(points, at_least=0)
        label = self._call_label(label)
        erase = arguments.flag(erase, "erase")
        fill_outline(self._editor, self._pen(erase, label), points, erase=erase)

    def flood_fill(
        self, seed: tuple[int, int], *, label: int | None = None, erase: bool = False
    ) -> None:
        """Fill like the fill tool clicked at pixel ``seed = (row, col)``: one undo step.

        Fills the region of pixels equal to ``mask[seed]`` connected to the seed
        (``fill_connectivity``), or every such pixel when ``fill_mode == "global"``.
        ``erase`` sets them to 0 instead (in ``"preserve"`` mode only if they are
        of class ``label``). ``label`` applies to this call only.
        """
        seed = arguments.pixel(seed, self.mask.shape)
        label = self._call_label(label)
        erase = arguments.flag(erase, "erase")
        fill_at(
            self._editor,
            self._pen(erase, label),
            seed,
            fill_mode=self.fill_mode,
            connectivity=self.fill_connectivity,
            erase=erase,
        )

    def undo(self) -> None:
        """Undo the last stroke or command (no-op when there is nothing to undo)."""
        self._router.end_drag()
        self._editor.undo()

    def redo(self) -> None:
        """Redo the last undone step (no-op when there is nothing to redo)."""
        self._router.end_drag()
        self._editor.redo()

    def refresh(self, bbox: BBox | None = None) -> None:
        """Redraw the overlay after ``w.mask`` was changed in place (not undoable).

        Pixels whose class changed leave their object.

        Parameters
        ----------
        bbox : BBox, optional
            Only this region changed; by default the whole mask is redrawn.

        """
        if bbox is not None and not isinstance(bbox, BBox):
            raise TypeError(f"bbox: expected a BBox or None; got {type(bbox).__name__}")
        self._editor.adopt_external_edit(bbox)

    def on_edit(self, callback: EditCallback, remove: bool = False) -> EditCallback:
        """Call ``callback(bbox)`` after every edit with the changed region (a :class:`BBox`).

        Called per mouse event during a stroke, so keep it cheap; the mask is
        never copied for it. An exception in a callback is logged and shown on the
        message line; the widget keeps working. Usable as a decorator.
        """
        arguments.callback(callback, self._edit_callbacks, remove)
        if remove:
            self._edit_callbacks.remove(callback)
        else:
            self._edit_callbacks.append(callback)
        return callback

    # -- view ------------------------------------------------------------------------------

    def zoom_in(self) -> None:
        """Magnify 1.5x about the view centre."""
        self._view.zoom_by(STEP_ZOOM)

    def zoom_out(self) -> None:
        """Shrink 1.5x about the view centre."""
        self._view.zoom_by(1 / STEP_ZOOM)

    def fit(self) -> None:
        """Show the whole image, centred."""
        self._view.fit()

    def actual_size(self) -> None:
        """Show one image pixel per canvas pixel (1:1), keeping the view centre."""
        self._view.set_zoom(1.0)

    def pan(self, dx: float, dy: float) -> None:
        """Move the view by ``(dx, dy)`` canvas pixels (the image follows)."""
        self._view.pan_by(dx, dy)

    def zoom_to(self, bbox: BBox) -> None:
        """Centre the view on an image region and magnify it to fill about 40 % of the view.

        Parameters
        ----------
        bbox : BBox
            Image pixels to show, e.g. a ``Region.bbox`` from :meth:`find_holes`.

        """
        if not isinstance(bbox, BBox) or bbox.is_empty:
            raise ValueError(f"bbox: expected a non-empty BBox; got {bbox!r}")
        self._view.zoom_to(bbox)

    # -- find what is missing --------------------------------------------------------------

    def find_holes(
        self, max_size: int = DEFAULT_MAX_SIZE, *, connectivity: int = 4
    ) -> list[Region]:
        """Unlabelled regions of at most ``max_size`` pixels that do not touch the image border.

        Returns ``core.quality.Region`` records (size, bbox, centroid, surrounding label),
        smallest first; pass one's ``bbox`` to :meth:`zoom_to` to look at it.
        """
        return quality.find_holes(self.mask, max_size, connectivity=connectivity)

    def find_specks(
        self, max_size: int = DEFAULT_MAX_SIZE, *, connectivity: int = 4
    ) -> list[Region]:
        """Isolated regions of one class of at most ``max_size`` pixels (stray brush specks)."""
        return quality.find_specks(self.mask, max_size, connectivity=connectivity)

    def fill_holes(self, max_size: int = DEFAULT_MAX_SIZE, *, connectivity: int = 4) -> int:
        """Fill every hole (see :meth:`find_holes`) with its surrounding class: one undo step.

        Returns the number of pixels changed.
        """
        edit = quality.fill_holes(self.mask, max_size, connectivity=connectivity)
        return self._fix(edit, "fill holes")

    def remove_specks(self, max_size: int = DEFAULT_MAX_SIZE, *, connectivity: int = 4) -> int:
        """Give every speck (see :meth:`find_specks`) its surrounding class: one undo step.

        In ``"preserve"`` mode this changes nothing (specks are labelled pixels).
        Returns the number of pixels changed.
        """
        edit = quality.remove_specks(self.mask, max_size, connectivity=connectivity)
        return self._fix(edit, "remove specks")

    def smooth_borders(self, size: int = 3) -> int:
        """Smooth jagged borders with a ``size`` x ``size`` majority filter: one undo step.

        A pixel takes the label that is strictly most frequent in its window (ties keep
        it), so straight borders stay and one-pixel notches go. Returns pixels changed.
        """
        return self._fix(quality.smooth_borders(self.mask, size), "smooth borders")

    def fill_unlabelled(self, bbox: BBox | None = None, *, label: int | None = None) -> int:
        """Give every unlabelled pixel of a region class ``label``: one undo step.

        Parameters
        ----------
        bbox : BBox, optional
            The region; by default the part of the image visible in the view.
        label : int, optional
            The class, for this call only; by default the selected one (``w.label``).

        """
        if bbox is not None and not isinstance(bbox, BBox):
            raise TypeError(f"bbox: expected a BBox or None; got {type(bbox).__name__}")
        label = self._call_label(label)
        if label == 0:
            raise ValueError("label: expected a class to fill with; got 0 (unlabelled)")
        region = self._view.visible_bbox() if bbox is None else bbox.clip(self.mask.shape)
        if region.is_empty:
            return 0
        edit = quality.fill_unlabelled(self.mask, region, label)
        # With an active object of that class, the filled pixels join it, as painting would.
        return self._fix(edit, "fill unlabelled", instance=self._object_of_class(label) or None)

    # -- assisted labelling -----------------------------------------------------------------

    @property
    def proposal(self) -> tuple[BBox, np.ndarray, np.ndarray] | None:
        """The pending proposal as ``(bbox, values, footprint)`` (copies), or None."""
        return self._proposals.proposal()

    def accept_proposal(self) -> int:
        """Commit the proposal to ``w.mask`` as one undo step; return the pixels changed.

        In ``"preserve"`` mode only unlabelled pixels take the proposal (an erasing
        proposal erases only the selected class), so neighbours keep their borders. A
        whole-image proposal (from scribbles) also changes only unlabelled pixels while
        `keep_labelled` is True (the default). The message line says what was changed and
        how many labelled pixels were kept or replaced.
        """
        self._router.end_drag()
        outcome = self._proposals.accept(
            paint_mode=self.paint_mode,
            label=self.label,
            instance=self.instance,
            keep_labelled=self.keep_labelled,
        )
        if outcome.summary:
            self._status.inform(outcome.summary)
        return outcome.changed

    def reject_proposal(self) -> None:
        """Drop the proposal (and the scribbles and prompts that made it)."""
        self._proposals.reject()

    def propose_wand(self, seed: tuple[int, int], *, tolerance: float | None = None) -> None:
        """Propose the connected region of similar colour around pixel ``seed = (row, col)``.

        Colours are compared as displayed (after ``contrast_limits``), in CIE Lab;
        ``tolerance`` (for this call only; default ``w.wand_tolerance``) is a fraction of
        the largest distance. With `wand_fill_holes` (the default) the pixels the region
        encloses are proposed too.
        """
        seed = arguments.pixel(seed, self.mask.shape)
        if tolerance is None:
            tolerance = self.wand_tolerance
        tolerance = arguments.number(tolerance, "tolerance", 0.0, 1.0)
        self._proposals.propose_wand(
            seed, tolerance=tolerance, value=self._pen_value(), fill_holes=self.wand_fill_holes
        )

    def propose_superpixels(self, points: Iterable[tuple[float, float]]) -> None:
        """Add to the proposal every superpixel a brush stroke through ``(row, col)`` touches."""
        points = [tuple(p) for p in arguments.points(points).tolist()]
        previous = points[0]
        for point in points:
            self._proposals.add_superpixel_segment(
                previous,
                point,
                diameter=self.brush_size,
                segments=self.superpixel_segments,
                compactness=self.superpixel_compactness,
                value=self._pen_value(),
            )
            previous = point

    def scribble(self, points: Iterable[tuple[float, float]], *, label: int | None = None) -> None:
        """Scribble class ``label`` along ``(row, col)`` points, with the brush's diameter.

        ``label`` (for this call only; default ``w.label``) must not be 0.
        """
        points = [tuple(p) for p in arguments.points(points).tolist()]
        label = self._call_label(label)
        if label == 0:
            raise ValueError("label: expected a class to scribble (not 0, unlabelled); got 0")
        previous = points[0]
        for point in points:
            self._proposals.scribble_segment(previous, point, diameter=self.brush_size, label=label)
            previous = point

    def propose_from_scribbles(self, method: str | None = None) -> None:
        """Turn the scribbles (two or more classes) into a whole-image proposal.

        ``method`` (default ``w.scribble_method``): ``"watershed"``, ``"random_walker"`` or
        ``"classifier"`` (needs scikit-learn). Can take a few seconds on big images; the
        status line says so meanwhile. ``method`` applies to this call only.
        """
        if method is None:
            method = self.scribble_method
        method = arguments.scribble_method(method, "method")
        self._proposals.propose_from_scribbles(method)

    def clear_scribbles(self) -> None:
        """Forget every scribble."""
        self._proposals.clear_scribbles()

    def on_prompt(self, callback: PromptCallback, remove: bool = False) -> PromptCallback:
        """Plug in a model: ``callback(image, prompt)`` returns a mask or probability map.

        It is called whenever the prompt tool's points or box change, with ``w.image``
        (read-only) and a :class:`Prompt`; it must return an ``(H, W)`` bool mask or float
        map in [0, 1] (thresholded at 0.5). The result becomes a proposal of ``w.label``. A
        callback that raises or returns something else shows a message and changes
        nothing. The newest callback (or model of :meth:`use_model`) answers. It runs in a
        thread of its own: in a Jupyter kernel painting goes on while it works. Usable as
        a decorator. For a model with a costly per-image half, see :meth:`use_model`.
        """
        arguments.callback(callback, self._proposals.prompt_callbacks, remove)
        self._proposals.on_prompt(callback, remove)
        return callback

    def use_model(
        self,
        model: Any,
        *,
        key: Any = None,
        max_bytes: int = DEFAULT_MAX_BYTES,
        threshold: float = 0.5,
    ) -> ModelSession | None:
        """Answer the prompt tool with a two-stage model; return its :class:`ModelSession`.

        The image is prepared (``model.prepare(image)``, the encoder) once, in a background
        thread, starting now; every click or box then only runs ``model.predict(state,
        prompt)``. The status line says "preparing model…" while the encoder runs, the
        message line what went wrong if the model fails; painting never waits for the model. The
        answer becomes a proposal of ``w.label`` (Enter accepts, Escape rejects).

        Parameters
        ----------
        model : object, callable, ModelSession or None
            An object with ``prepare(image)`` and ``predict(state, prompt)`` (see
            ``seg_widget.core.PromptModel``), a function ``f(image, prompt)``, a
            :class:`ModelSession` shared with other widgets (its cache and worker are
            shared; the widget never closes it), or None to stop using a model.
        key : hashable, optional
            This image's key in a shared session (default: a digest of its pixels).
        max_bytes, threshold
            For a session of the widget's own: the byte budget of its state cache, and
            the probability from which a pixel is in.

        Raises
        ------
        TypeError
            If ``model`` is none of these.

        """
        return self._proposals.use_model(model, key=key, max_bytes=max_bytes, threshold=threshold)

    @property
    def model_session(self) -> ModelSession | None:
        """The :class:`ModelSession` answering the prompt tool (see :meth:`use_model`), or None."""
        return self._proposals.model_session

    def propose_mask(self, mask: Any, *, where: Any = None) -> None:
        """Propose class ids for the whole image (e.g. a model's prediction).

        The proposal shows on top of the labels until accepted (Enter, one undo step under
        the paint mode) or rejected (Escape).

        Parameters
        ----------
        mask : array_like of int, shape (H, W)
            The proposed class ids (0 proposes *unlabelled*).
        where : array_like of bool, shape (H, W), optional
            The pixels the proposal covers; by default those where ``mask`` is not 0.

        Raises
        ------
        ValueError
            For a mask of another size or with ids that are not classes, or ``where`` of
            another size or not bool.

        """
        values = validate_mask(mask, shape=self.mask.shape, n_classes=len(self.classes))
        if where is None:
            footprint = values != 0
        else:
            footprint = np.asarray(where)
            if footprint.dtype != bool or footprint.shape != self.mask.shape:
                raise ValueError(
                    f"where: expected a bool array of shape {self.mask.shape}; "
                    f"got {footprint.dtype} of shape {footprint.shape}"
                )
        self._router.end_drag()
        self._proposals.propose_labels(values.astype(self.mask.dtype), footprint)

    def prompt(
        self,
        points_xy: Iterable[tuple[float, float]] = (),
        point_labels: Iterable[int] | None = None,
        box_xyxy: tuple[float, float, float, float] | None = None,
    ) -> None:
        """Run the model on these prompts, as the prompt tool would; wait for its proposal.

        ``points_xy`` are ``(x=col, y=row)`` image points; ``point_labels`` one per point,
        1 (positive) or 0 (negative), all 1 by default; ``box_xyxy`` ``(x0, y0, x1, y1)``.
        Everything is checked before any prompt is stored.
        """
        points = [tuple(p) for p in arguments.points(points_xy, "points_xy", at_least=0).tolist()]
        if point_labels is None:
            labels = [1] * len(points)
        else:
            if isinstance(point_labels, (str, bytes)) or not isinstance(point_labels, Iterable):
                raise TypeError(
                    f"point_labels: expected a sequence of 0/1; got {type(point_labels).__name__}"
                )
            labels = [arguments.whole_number(v, "point_labels", 0, 1) for v in point_labels]
        if len(labels) != len(points):
            raise ValueError(
                f"point_labels: expected one label per point ({len(points)}); got {len(labels)}"
            )
        box = None if box_xyxy is None else arguments.box(box_xyxy)
        self._proposals.prompt(points, labels, box, value=self._pen_value(), wait=True)

    # -- objects (instances) and parts ----------------------------------------------------

    @property
    def instance_mask(self) -> np.ndarray:
        """The live ``(H, W)`` uint32 instance-id map (0 = no instance); edits change it.

        Reading it starts instance bookkeeping (an all-zero map) if there was none.
        """
        return self._editor.enable_instances().map

    @property
    def instances(self) -> tuple[Instance, ...]:
        """The objects, oldest first: ``Instance(id, class_id, name, visible, locked, parent)``."""
        layer = self._editor.objects
        return () if layer is None else layer.instances

    def instance_pixels(self, instance_id: int) -> int:
        """Return the number of pixels of an instance (kept current by every edit)."""
        return self._objects().count(self._known(instance_id))

    def class_mask(self, level: int = 0) -> np.ndarray:
        """Return the class mask with each class replaced by its ancestor at ``level`` (a copy).

        A pixel holds exactly one, innermost class (``face``, not ``person``); at
        level 0 every class becomes its top-level ancestor, so the ``person`` mask
        includes the face pixels. Classes at or above ``level`` are unchanged.

        Examples
        --------
        >>> import numpy as np, seg_widget as sw
        >>> w = sw.SegmentationWidget(
        ...     np.zeros((4, 4)), ["bg", "person", sw.LabelClass("face", parent="person")]
        ... )
        >>> w.paint_stroke([(1, 1)], label=2, brush_size=1)
        >>> int(w.mask[1, 1]), int(w.class_mask(level=0)[1, 1])
        (2, 1)

        """
        return hierarchy_class_mask(self.mask, self.classes, level)

    def object_mask(self, instance_id: int, *, parts: bool = True) -> np.ndarray:
        """Boolean ``(H, W)`` mask of an instance, with its parts (and theirs) by default."""
        layer = self._objects()
        instance_id = self._known(instance_id)
        parts = arguments.flag(parts, "parts")
        members = [instance_id, *(layer.descendants(instance_id) if parts else ())]
        return np.isin(layer.map, np.asarray(members, layer.map.dtype))

    def new_instance(
        self, label: int | None = None, *, name: str | None = None, parent: int | None = None
    ) -> int:
        """Start a new, empty object of class ``label`` (default: the selected class); select it.

        Painting then adds pixels to it. ``parent`` is the object it is a part of
        (its class must be an ancestor of ``label``); by default the object
        selected last, when its class is an ancestor (select the person, pick the
        class face, press M). One undo step; returns the new id.
        """
        class_id = self._call_label(label)
        if class_id == 0:
            raise ValueError("label: expected a class to make an instance of; got 0 (unlabelled)")
        if name is not None and not isinstance(name, str):
            raise TypeError(f"name: expected a str; got {type(name).__name__}")
        layer = self._editor.enable_instances()
        if parent is None:
            parent = self._default_parent(class_id)
        if name is None:
            name = f"{self.classes[class_id].name} {layer.next_id()}"
        created = self._editor.add_instance(class_id, name=name, parent=parent)
        self.instance = created.id
        return created.id

    def make_object(
        self,
        seed: tuple[int, int],
        *,
        whole_class: bool = False,
        name: str | None = None,
        parent: int | None = None,
    ) -> int:
        """Make an object of the labelled region under pixel ``seed = (row, col)``; select it.

        The pixels of the seed's class that belong to no object and are connected to the
        seed (``fill_connectivity``) become one new object of that class; with
        ``whole_class`` every such pixel of the class does. Classes do not change, so this
        works in any paint mode. One undo step; returns the new id. ``parent`` as for
        :meth:`new_instance` (by default the object selected last, when its class is an
        ancestor: make the person an object, then click its face).

        Raises
        ------
        ValueError
            If the pixel is unlabelled or already belongs to an object (naming it).

        """
        row, col = arguments.pixel(seed, self.mask.shape)
        whole_class = arguments.flag(whole_class, "whole_class")
        if name is not None and not isinstance(name, str):
            raise TypeError(f"name: expected a str; got {type(name).__name__}")
        class_id = int(self.mask[row, col])
        if class_id == 0:
            raise ValueError(f"seed: pixel ({row}, {col}) is unlabelled: click a labelled region")
        owner = self._editor.object_at(row, col)
        if owner is not None:
            raise ValueError(f"seed: pixel ({row}, {col}) already belongs to {owner.name!r}")
        if parent is None:
            parent = self._default_parent(class_id)
        if name is None:
            name = f"{self.classes[class_id].name} {self._editor.enable_instances().next_id()}"
        created = self._editor.make_object(
            (row, col),
            whole_class=whole_class,
            connectivity=self.fill_connectivity,
            name=name,
            parent=parent,
        )
        self.instance = created.id
        return created.id

    def select_instance(self, instance_id: int, *, add: bool = False) -> None:
        """Make an object the active one (painting adds to it); ``add`` keeps the others selected.

        ``0`` selects none. The selected class follows the object's class.
        """
        add = arguments.flag(add, "add")
        instance_id = 0 if instance_id == 0 else self._known(instance_id)
        selected = list(self.selected_instances) if add else []
        if instance_id and instance_id not in selected:
            selected.append(instance_id)
        self.selected_instances = tuple(selected)
        self.instance = instance_id

    def rename_instance(self, instance_id: int, name: str) -> None:
        """Rename an object (one undo step)."""
        self._editor.update_instance(self._known(instance_id), name=name)

    def set_instance_class(self, instance_id: int, label: int) -> None:
        """Change an object's class, and so the class of all its pixels (one undo step)."""
        n_classes = len(self.classes)
        if isinstance(label, (bool, np.bool_)) or not isinstance(label, (int, np.integer)):
            raise TypeError(f"label: expected a class id (int); got {type(label).__name__}")
        if not 1 <= label < n_classes:
            raise ValueError(f"label: expected a class id in [1, {n_classes}); got {label}")
        self._editor.update_instance(self._known(instance_id), class_id=label)

    def set_instance_visible(self, instance_id: int, visible: bool = True) -> None:
        """Show or hide an object. Hidden objects are not drawn and no tool edits them."""
        self._editor.update_instance(self._known(instance_id), visible=visible)

    def set_instance_locked(self, instance_id: int, locked: bool = True) -> None:
        """Lock or unlock an object: no tool or command changes a locked object's pixels."""
        self._editor.update_instance(self._known(instance_id), locked=locked)

    def set_instance_parent(self, instance_id: int, parent: int | None) -> None:
        """Make an object a part of another (``None``: a top-level object). One undo step."""
        self._editor.update_instance(self._known(instance_id), parent=parent)

    def delete_instances(self, instance_ids: Iterable[int] | None = None) -> None:
        """Delete objects (default: the selected ones) and their parts: pixels become unlabelled."""
        self._editor.delete_instances(self._given_or_selected(instance_ids))

    def merge_instances(self, instance_ids: Iterable[int] | None = None) -> int:
        """Merge objects (default: the selected ones) into the first; one undo step; return it."""
        ids = self._given_or_selected(instance_ids)
        self._editor.merge_instances(ids)
        self.select_instance(ids[0])
        return ids[0]

    def split_instance(
        self, instance_id: int | None = None, *, connectivity: int = 8
    ) -> tuple[int, ...]:
        """Split an object (default: the active one) into its connected pieces: one undo step.

        The largest piece keeps the id; returns the ids of all pieces.
        """
        instance_id = self._known(self.instance if instance_id is None else instance_id)
        return self._editor.split_instance(instance_id, connectivity=connectivity)

    # -- files -----------------------------------------------------------------------------

    def save(
        self,
        path: str | os.PathLike | None = None,
        *,
        instances: Any = None,
        polygons: bool = False,
        file_name: str | None = None,
        image_id: int | str = 1,
    ) -> None:
        """Save the mask to ``path`` atomically, in the format its extension names.

        Parameters
        ----------
        path : str or os.PathLike, optional
            Ends in ``.png``, ``.npy`` (class ids), ``.npz`` (class ids, and the objects
            with their names, locks and parts when there are any) or ``.json`` (COCO). By
            default `save_path` (what the Save button and Ctrl+S use); the message line
            says where it was saved.
        instances : array_like of int, shape (H, W), optional
            COCO only: instance id per pixel (0 = none) to export instead of the widget's
            own objects; labelled pixels outside them are not exported. By default the
            widget's objects are exported, one annotation each (their innermost pixels:
            a person's annotation leaves out its face part), and every connected region
            of a class outside all objects is one more annotation, so nothing is lost.
        polygons : bool
            COCO only: polygon segmentations instead of RLE.
        file_name : str, optional
            COCO only: the image's ``file_name``; by default the JSON file's stem.
        image_id : int or str
            COCO only: the image's ``id``.

        Raises
        ------
        ValueError
            For an unknown extension, a missing folder, COCO options with a mask format,
            or no ``path`` while `save_path` is not set.

        Examples
        --------
        >>> import os, tempfile, numpy as np, seg_widget as sw
        >>> w = sw.SegmentationWidget(np.zeros((4, 4)), classes=["unlabelled", "cell"])
        >>> w.mask[1:3, 1:3] = 1
        >>> path = os.path.join(tempfile.mkdtemp(), "cells.png")
        >>> w.save(path)
        >>> int(sw.load_mask(path).sum())
        4

        """
        if path is None:
            if not self.save_path:
                raise ValueError(
                    "path: expected a file to save to; got none and w.save_path is not set "
                    "(set it once, e.g. w.save_path = 'mask.png')"
                )
            path = self.save_path
        save_file(
            path,
            self.mask,
            self.classes,
            self._editor.objects,
            instances=instances,
            polygons=polygons,
            file_name=file_name,
            image_id=image_id,
        )
        self._status.inform(f"✓ saved {os.fspath(path)}")

    def load(self, path: str | os.PathLike, *, image_id: int | str | None = None) -> None:
        """Replace the mask by the one in ``path`` (validated, redrawn, one undo step).

        A ``.json`` file is read as COCO: the annotations of ``image_id`` (by default the
        document's only image) are painted in order, each one an object, polygons decoded
        as pycocotools decodes them; categories map to classes by name (every category an
        annotation uses must be named like a class), or by id, with a warning, when the
        document has no categories. An ``.npz`` written with objects brings them back with
        names, visibility, locks and parts. The whole file is validated (declared sizes
        before decoding) before anything changes.

        Raises
        ------
        ValueError
            Naming the file: unknown extension, unreadable file, ids that are not classes,
            inconsistent objects, categories that match no class, more than the bounds of
            `seg_widget.io.limits`, or a size other than the image's (naming both sizes).

        """
        mask, instance_map, table = load_file(
            path, tuple(self.mask.shape), self.classes, image_id=image_id
        )
        self._router.end_drag()
        # The loaded objects are other objects, whatever their ids: nothing stays selected.
        self.selected_instances = ()
        self.instance = 0
        if instance_map is None:
            self.mask = mask
        else:
            self._editor.load(mask, instance_map, table)

    def _repr_mimebundle_(self, **kwargs: Any):
        # Being displayed: the front-end layer should start soon; if not, say so once.
        self._view.expect_browser()
        return super()._repr_mimebundle_(**kwargs)

    def close(self) -> None:
        """Close the widget with its canvases and controls (frees them in the browser)."""
        view = getattr(self, "_view", None)  # None when the constructor failed early
        if view is not None:
            view.close()
            self._proposals.close()
        close_tree(self, close_root=super().close)

    # -- trait validation and reactions --------------------------------------------------

    @validate("tool")
    def _validate_tool(self, proposal):
        return one_of(proposal.value, TOOLS, "tool")

    @validate("label")
    def _validate_label(self, proposal):
        return arguments.class_id(proposal.value, len(self.classes))

    @validate("brush_size")
    def _validate_brush_size(self, proposal):
        return arguments.diameter(proposal.value, self.max_brush_size)

    @validate("contrast_limits")
    def _validate_contrast_limits(self, proposal):
        return check_limits(proposal.value, "contrast_limits")

    @observe("contrast_limits")
    def _on_contrast_limits(self, change):
        if change.new != self._view.display.limits:
            self._view.set_contrast_limits(change.new)

    @validate("save_path")
    def _validate_save_path(self, proposal):
        return arguments.file_path(proposal.value, "save_path", SAVE_EXTENSIONS, empty=True)

    @validate("fill_mode", "paint_mode", "color_by", "show_only", "right_button")
    def _validate_choice(self, proposal):
        name = proposal.trait.name
        if name == "paint_mode":
            return validate_paint_mode(proposal.value)
        choices = {
            "fill_mode": FILL_MODES,
            "color_by": COLOR_BY,
            "show_only": SHOW_ONLY,
            "right_button": RIGHT_BUTTON_ACTIONS,
        }
        return one_of(proposal.value, choices[name], name)

    @validate("fill_connectivity")
    def _validate_fill_connectivity(self, proposal):
        if proposal.value not in (4, 8):
            raise ValueError(f"fill_connectivity: expected 4 or 8; got {proposal.value}")
        return proposal.value

    @validate("opacity", "wand_tolerance", "brightness", "contrast")
    def _validate_range(self, proposal):
        name = proposal.trait.name
        high = 10.0 if name in ("brightness", "contrast") else 1.0
        return in_range(proposal.value, name, 0.0, high)

    @validate("superpixel_segments", "superpixel_compactness", "zoom")
    def _validate_positive(self, proposal):
        name, value = proposal.trait.name, proposal.value
        if name == "superpixel_segments" and value < 2:
            raise ValueError(f"superpixel_segments: expected at least 2; got {value}")
        if value <= 0:
            what = "a positive scale" if name == "zoom" else "a positive number"
            raise ValueError(f"{name}: expected {what}; got {value}")
        return value

    @validate("scribble_method")
    def _validate_scribble_method(self, proposal):
        return arguments.scribble_method(proposal.value, "scribble_method")

    @validate("instance", "selected_instances")
    def _validate_instances(self, proposal):
        name = proposal.trait.name
        if name == "instance":
            return 0 if proposal.value == 0 else self._known(proposal.value, "instance")
        return tuple(self._known(i, name) for i in proposal.value)

    @observe("zoom")
    def _on_zoom(self, change):
        self._view.set_zoom(change.new)

    def _on_edit(self, event: EditEvent) -> None:
        """Count edits, follow the history, and call the user's callbacks (guarded)."""
        document = self._editor.document
        can_undo, can_redo = document.can_undo, document.can_redo
        if can_undo is not self.can_undo or can_redo is not self.can_redo:
            self.set_trait("can_undo", can_undo)
            self.set_trait("can_redo", can_redo)
        if event.bbox is None and not event.table_changed:
            return
        try:
            self.set_trait("edit_count", self.edit_count + 1)
        except Exception as error:  # a user's traitlet observer raised
            logger.exception("seg-widget: an edit_count observer failed")
            self._status.error(f"edit_count observer failed: {error!r}")
        if event.bbox is None or not self._edit_callbacks:
            return
        for callback in list(self._edit_callbacks):
            try:
                callback(event.bbox)
            except Exception as error:
                logger.exception("seg-widget: on_edit callback %r failed", callback)
                self._status.error(f"on_edit callback failed: {error!r}")

    # -- helpers -----------------------------------------------------------------------------

    def _pen(self, erase: bool, label: int):
        """Return the pen of one call: ``label``, joining the active object of that class."""
        pen = self._editor.pen_write(
            erase=erase,
            label=label,
            paint_mode=self.paint_mode,
            active_instance=self._object_of_class(label),
        )
        if pen.refusal:
            self._status.error(pen.refusal)
        return pen

    def _call_label(self, label: object) -> int:
        """Check a per-call ``label`` argument (default: the selected class)."""
        return self.label if label is None else arguments.class_id(label, len(self.classes))

    def _object_of_class(self, label: int) -> int:
        """Return the active object if it is of class ``label`` (else 0)."""
        layer = self._editor.objects
        if self.instance and layer is not None and layer.get(self.instance).class_id == label:
            return self.instance
        return 0

    def _default_parent(self, class_id: int) -> int | None:
        """Return the object selected last, if its class is an ancestor of ``class_id``."""
        layer = self._editor.objects
        recent = self.instance or self._selection.recent_instance
        if layer is not None and recent in layer:
            if is_descendant(self.classes, class_id, layer.get(recent).class_id):
                return recent
        return None

    def _pen_value(self) -> int:
        return 0 if self.erase else self.label

    def _fix(self, edit, name: str, instance: int | None = None) -> int:
        only_where = 0 if self.paint_mode == "preserve" else None
        return self._editor.assign_edit(edit, name, only_where=only_where, instance=instance)

    def _objects(self, argument: str = "instance_id"):
        layer = self._editor.objects
        if layer is None:
            raise ValueError(f"{argument}: there are no instances yet (press M to make one)")
        return layer

    def _known(self, instance_id: object, argument: str = "instance_id") -> int:
        layer = self._objects(argument)
        return layer.get(check_instance_id(instance_id, argument), argument).id

    def _given_or_selected(self, instance_ids: Iterable[int] | None) -> list[int]:
        if instance_ids is None:
            instance_ids = self.selected_instances or ((self.instance,) if self.instance else ())
        if isinstance(instance_ids, (int, np.integer)):
            instance_ids = [instance_ids]
        return [self._known(i, "instance_ids") for i in instance_ids]


def _view_css_size(
    shape: tuple[int, int], width: int | None, height: int | None
) -> tuple[int, int] | None:
    """Return the fixed CSS size the user asked for, or None (fit the page)."""
    for value, name in ((width, "width"), (height, "height")):
        if value is not None and (
            isinstance(value, bool) or not isinstance(value, int | np.integer) or value < 16
        ):
            raise ValueError(
                f"{name}: expected an integer number of CSS pixels >= 16; got {value!r}"
            )
    if width is None and height is None:
        return None
    image_h, image_w = shape
    if width is not None and height is not None:
        return int(width), int(height)
    if width is not None:
        return int(width), max(16, round(int(width) * image_h / image_w))
    return max(16, round(int(height) * image_w / image_h)), int(height)


def _split_kwargs(kwargs: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Split extra keyword arguments into widget settings and ``VBox`` ones; refuse others."""
    own = set(SegmentationWidget.class_trait_names()) - set(widgets.VBox.class_trait_names())
    box = set(widgets.VBox.class_trait_names())
    unknown = sorted(name for name in kwargs if name not in own | box or name.startswith("_"))
    fixed = sorted(
        name for name in kwargs if name in own and SegmentationWidget.class_traits()[name].read_only
    )
    if unknown or fixed:
        names = ", ".join(unknown + fixed)
        raise TypeError(
            f"SegmentationWidget(): unexpected keyword argument(s) {names} (read-only or "
            "unknown; see help(seg_widget.SegmentationWidget))"
        )
    settings = {name: value for name, value in kwargs.items() if name in own}
    return settings, {name: value for name, value in kwargs.items() if name not in own}


def _pixel_ratio(value: Any) -> float:
    """``pixel_ratio`` checked: a finite number in (0, MAX_PIXEL_RATIO]."""
    if isinstance(value, bool) or not isinstance(value, int | float | np.number):
        raise TypeError(f"pixel_ratio: expected a positive number; got {type(value).__name__}")
    if not (math.isfinite(value) and 0 < value <= MAX_PIXEL_RATIO):
        raise ValueError(f"pixel_ratio: expected a number in (0, {MAX_PIXEL_RATIO:g}]; got {value}")
    return float(value)


__all__ = ["FILL_MODES", "PAINT_MODES", "TOOLS", "SegmentationWidget"]
