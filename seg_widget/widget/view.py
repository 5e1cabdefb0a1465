"""The view: what the browser shows, and the only caller of `Scene`.

It owns the viewport (zoom and pan), the colour table, the overlay style and the canvases
(through `Scene`). It repaints by itself: it listens to the editor's `EditEvent` (repaint
the dirty box of the overlay, redraw that part of the visible canvas), to the proposals
(repaint their layer) and to the widget's look traits (opacity, brightness, contrast, show
missing, colour by, contours, show only). Inside `View.frame` every redraw request is
merged, so a batch of pointer events costs one redraw of the visible canvas.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING

import numpy as np

from ..core.bbox import BBox
from ..core.raster import pixel_center
from ..render.code_tiles import missing_source, proposal_lut, proposal_source, style_source
from ..render.instance_view import OverlayStyle, overlay_codes
from ..render.overlay import color_lut
from ..render.viewport import Viewport
from .frame_pacer import FramePacer
from .input_layer import InputLayer, stacked
from .page_size import DEFAULT_VIEW_SIZE, canvas_css_size, device_size, fit_image
from .scene import MISSING_ALPHA, MISSING_COLOR, MISSING_DIM, PROPOSAL_ALPHA, Scene
from .scope import Scope
from .signals import Signal
from .tile_view import TileView, is_tiled
from .transport import batched, forget_current_canvas

if TYPE_CHECKING:
    from traitlets import HasTraits

    from .display_image import DisplayImage
    from .editor import EditEvent, Editor
    from .proposals import ProposalChange, Proposals

logger = logging.getLogger("seg_widget")

#: zoom_to() makes the box fill about this share of the view's smaller side.
ZOOM_TO_FILL = 0.4

Rect = tuple[int, int, int, int]  # canvas x, y, width, height

_LOOK_TRAITS = ("opacity", "brightness", "contrast")
_STYLE_TRAITS = ("color_by", "contours", "show_only")
#: Widget traits the front-end layer mirrors for its previews.
_PEN_TRAITS = ("tool", "brush_size", "label", "opacity", "paint_mode", "erase", "right_button")
#: Seconds after display without the front-end layer starting before the status line says so.
LAYER_START_SECONDS = 10.0


class View:
    """Show the image, the labels and the proposals, and move the view.

    Parameters
    ----------
    settings : HasTraits
        The widget: its look traits are read and observed.
    editor : Editor
        The document shown; its edits are repainted.
    proposals : Proposals
        The proposal layer shown on top.
    display : DisplayImage
        The image as shown.
    css_size : tuple of int, optional
        ``(width, height)`` of the canvas in CSS pixels; None: fitted to the page, re-fitted
        when the page changes.
    pixel_ratio : float, optional
        Canvas pixels per CSS pixel; None: the browser's ``devicePixelRatio``.
    shortcut_keys : list of str
        Keys the front-end layer takes for the widget (``keymap.browser_keys``).
    report_error : callable
        Says what failed (drawing after a page reload, a front-end that did not start).
    report_progress : callable, optional
        Says what long work runs (a big image's first view), "" when it is done.

    """

    def __init__(
        self,
        settings: HasTraits,
        editor: Editor,
        proposals: Proposals,
        display: DisplayImage,
        *,
        css_size: tuple[int, int] | None,
        pixel_ratio: float | None,
        shortcut_keys: list[str],
        report_error: Callable[[str], None],
        report_progress: Callable[[str], None] | None = None,
    ) -> None:
        self._settings = settings
        self._editor = editor
        self._proposals = proposals
        self._display = display
        self._report_error = report_error
        shape = editor.mask.shape
        self._fixed_css_size = css_size
        self._fixed_ratio = pixel_ratio
        ratio = 1.0 if pixel_ratio is None else pixel_ratio
        start_size = css_size if css_size is not None else fit_image(shape, DEFAULT_VIEW_SIZE)
        canvas_size = device_size(start_size, ratio)
        tiled = is_tiled(shape)
        # A tiled view draws in the front-end layer: the ipycanvas sources stay one pixel.
        self._scene = Scene((1, 1) if tiled else shape, canvas_size, ratio)
        self._viewport = Viewport(shape, canvas_size)
        self._fitted = True  # re-fit on resize until the user zooms or pans
        # The colours are resolved already: one array, not a parse per class (65,536 of them).
        self._lut = color_lut(np.array([c.color for c in editor.classes], np.uint8))
        self._frame_depth = 0
        self._frame_batch: AbstractContextManager[None] | None = None
        self._frame_scope = Scope(self._enter_frame, self._leave_frame)
        self._pending: Rect | bool | None = False  # False: nothing; None: everything
        self._dirty: list[BBox] = []  # label boxes to repaint when the frame closes
        # Boxes of a stroke in progress may wait for the next display frame; anything
        # else (a stroke's end, a command) repaints them at once.
        self._dirty_may_wait = True
        self._pacer = FramePacer(self._flush_held_repaint)
        # Without the front-end layer the kernel draws the brush cursor: at most once per
        # display frame too, the latest position (centre and radius, canvas px).
        self._cursor: tuple[tuple[float, float], float] | None = None
        self._cursor_pacer = FramePacer(self._draw_held_cursor)
        self._layer = InputLayer(image_shape=list(shape), shortcut_keys=shortcut_keys)
        #: The tiled display of a big image (None: the whole image is in the browser).
        self.tiles: TileView | None = None
        self._tile_style: tuple[bool, str] | None = None  # the kind of overlay codes sent
        if tiled:
            self.tiles = TileView(
                self._layer,
                display.image,
                display.limits,
                lambda: editor.mask,
                self._viewport,
                self._lut,
                report_progress=report_progress,
            )
            self._layer.tile_size = self.tiles.plan.grid.tile_size
            self._set_tile_overlay(resend=False)
            if settings.show_missing:
                self._tile_missing(True)
            self._layer.on_ready(lambda *_: self.tiles.forget_browser())
        self._layer.on_ready(self._on_page_size)
        self._layer.on_resize(self._on_page_size)
        self._layer.on_error(lambda message: report_error(f"front-end layer: {message}"))
        self._watching_layer = False
        #: What the notebook shows: the ipycanvas view with the input layer over it.
        self.widget = stacked(self._scene.view, self._layer)
        #: Emitted (with None) after every zoom, pan or resize.
        self.navigated: Signal[None] = Signal()
        editor.edited.connect(self._on_edit)
        proposals.changed.connect(self._on_proposal)
        settings.observe(lambda _: self.request_draw(None), _LOOK_TRAITS)
        settings.observe(self._on_show_missing, "show_missing")
        settings.observe(lambda _: self.repaint_labels(), _STYLE_TRAITS)
        settings.observe(self._on_selection, ("instance", "label"))
        settings.observe(lambda _: self._publish_pen(), _PEN_TRAITS)
        self._publish_pen()
        self._publish_view()
        # client_ready fires when the browser (re)creates the canvases: at first display and
        # after every page reload, since canvases keep no state.
        self._scene.view.on_client_ready(self._on_client_ready)

    # -- what other parts read ---------------------------------------------------------------

    @property
    def canvas(self):
        """The visible ipycanvas ``MultiCanvas`` (it receives ipycanvas' events)."""
        return self._scene.view

    @property
    def layer(self) -> InputLayer:
        """The front-end input layer over the canvas (its events go to the router)."""
        return self._layer

    @property
    def display(self) -> DisplayImage:
        """The image as loaded and as shown."""
        return self._display

    @property
    def pixel_ratio(self) -> float:
        """Canvas pixels per CSS pixel."""
        return self._scene.pixel_ratio

    @property
    def zoom(self) -> float:
        """Canvas pixels per image pixel."""
        return self._viewport.zoom

    @property
    def canvas_size(self) -> tuple[int, int]:
        """``(width, height)`` of the visible canvas in canvas pixels."""
        return self._viewport.canvas_size

    def canvas_to_image(self, x: float, y: float) -> tuple[float, float]:
        """Canvas pixel position -> image ``(x=col, y=row)``."""
        return self._viewport.canvas_to_image(x, y)

    def image_to_canvas(self, x: float, y: float) -> tuple[float, float]:
        """Image ``(x=col, y=row)`` -> canvas pixel position."""
        return self._viewport.image_to_canvas(x, y)

    def visible_bbox(self) -> BBox:
        """Return the image pixels at least partly visible."""
        return self._viewport.visible_bbox()

    def close(self) -> None:
        """Close the canvases and the input layer."""
        self._pacer.cancel()
        self._cursor_pacer.cancel()
        self._scene.close()
        self._layer.close()
        self.widget.close()

    def expect_browser(self) -> None:
        """Note that the widget is being displayed: say once if the layer does not start."""
        if not self._watching_layer:
            self._watching_layer = True
            self._layer.watch_ready(
                LAYER_START_SECONDS,
                lambda: self._report_error(
                    "the front-end layer did not start: the pen waits for the kernel "
                    "(is anywidget installed in this Jupyter server?)"
                ),
            )

    # -- redrawing -------------------------------------------------------------------------

    def frame(self) -> AbstractContextManager[None]:
        """Merge every redraw requested inside into one, sent with the other commands at the end."""
        return self._frame_scope

    def _enter_frame(self) -> None:
        if self._frame_depth == 0:
            self._frame_batch = batched()
            self._frame_batch.__enter__()
        self._frame_depth += 1

    def _leave_frame(self) -> None:
        """Leave one `frame`: the outermost repaints what was edited inside, then draws."""
        try:
            try:
                if self._frame_depth == 1 and self._dirty:
                    if not self._dirty_may_wait or self._pacer.due():
                        self._repaint_dirty()  # still inside: its redraw requests merge
            finally:
                self._frame_depth -= 1
            if self._frame_depth == 0 and self._pending is not False:
                clip, self._pending = self._pending, False
                self._draw(clip)
        finally:
            if self._frame_depth == 0:
                batch, self._frame_batch = self._frame_batch, None
                batch.__exit__(None, None, None)  # sends the frame's commands
        if self._frame_depth == 0:
            self._acknowledge_when_drawn()

    def _acknowledge_when_drawn(self) -> None:
        """Let the layer drop a pen batch's preview only once the batch's pixels were sent.

        While a stroke's repaint waits for the display's next frame, the acknowledgement
        waits with it: the preview stays on screen until the kernel's pixels replace it.
        """
        if self._dirty and self._pacer.holding:
            self._layer.defer_acknowledgement()
        else:
            self._layer.release_acknowledgement()

    def request_draw(self, clip: Rect | None) -> None:
        """Redraw the visible canvas (only the canvas rectangle ``clip``, if given)."""
        if self._frame_depth == 0:
            self._draw(clip)
        elif self._pending is False:
            self._pending = clip
        elif self._pending is None or clip is None:
            self._pending = None
        else:
            self._pending = _union_rect(self._pending, clip)

    def repaint_labels(self, bbox: BBox | None = None) -> None:
        """Repaint the overlay (in ``bbox``, else all of it: O(image), on a click) and show it."""
        full = BBox.full(self._editor.mask.shape)
        if self.tiles is not None:
            if bbox is None:
                self._set_tile_overlay(resend=False)
                self.tiles.all_labels_changed()
            else:
                self._tile_labels_changed([bbox])
            return
        with self.frame():
            painted = self._paint_labels(full if bbox is None else bbox)
            if self._settings.show_missing:
                self._scene.paint_missing(self._editor.mask, painted)
            self.request_draw(None if bbox is None else self._viewport.canvas_rect(painted))

    def _draw(self, clip: Rect | None) -> None:
        settings = self._settings
        if self.tiles is not None:  # the layer draws: it needs the look, never pixels
            dim = MISSING_DIM if settings.show_missing else 1.0
            with self._layer.hold_sync():
                self._layer.brightness = float(settings.brightness) * dim
                self._layer.contrast = float(settings.contrast)
            return
        self._scene.draw_view(
            self._viewport,
            opacity=settings.opacity,
            brightness=settings.brightness,
            contrast=settings.contrast,
            show_missing=settings.show_missing,
            show_proposal=self._proposals.shown,
            clip=clip,
        )

    def _on_edit(self, event: EditEvent) -> None:
        if event.settled:
            self.send_editable()
            self._dirty_may_wait = False
        # The boxes are repainted when the outermost frame closes (a pen batch opens one;
        # inside it, this frame only counts a level).
        with self.frame():
            for box in event.boxes:
                _add_box(self._dirty, box)

    def _repaint_dirty(self) -> None:
        """Repaint the overlay in the boxes edited during the frame, and redraw them."""
        dirty, self._dirty = self._dirty, []
        self._dirty_may_wait = True
        self._pacer.painted()
        if self.tiles is not None:
            self._tile_labels_changed(dirty)
            return
        shape = self._editor.mask.shape
        for box in dirty:
            painted = self._paint_labels(box)
            if self._settings.show_missing:
                self._scene.paint_missing(self._editor.mask, painted)
            whole = painted.area == shape[0] * shape[1]
            clip = None if whole else self._viewport.canvas_rect(painted)
            if whole or clip is not None:
                self.request_draw(clip)

    def _flush_held_repaint(self) -> None:
        """Repaint the boxes a stroke left waiting for the frame (called on the event loop)."""
        try:
            with self.frame():
                self._dirty_may_wait = False
        except Exception as error:  # on the event loop: nobody else would see it
            logger.exception("repainting the stroke failed")
            self._report_error(f"drawing failed: {error}")

    def _on_proposal(self, change: ProposalChange) -> None:
        if self.tiles is not None:
            self._tile_proposal(change)
            return
        with self.frame():
            if change.bbox is None:
                self._scene.clear_proposal()
                self.request_draw(None)
                return
            # One pixel more on each side: the white edge of the neighbours may change.
            bbox = change.bbox
            box = BBox(bbox.row0 - 1, bbox.row1 + 1, bbox.col0 - 1, bbox.col1 + 1).clip(
                self._editor.mask.shape
            )
            values, footprint = self._proposals.patch(box)
            self._scene.paint_proposal(values, footprint, box, self._lut)
            clip = self._viewport.canvas_rect(box)
            if clip is not None:
                self.request_draw(clip)

    def _on_show_missing(self, change) -> None:
        if self.tiles is not None:
            self._tile_missing(change.new)
            self.request_draw(None)  # the image is dimmed
            return
        with self.frame():
            if change.new:
                self._scene.paint_missing(self._editor.mask, BBox.full(self._editor.mask.shape))
            self.request_draw(None)

    # -- the coded layers of a tiled view ----------------------------------------------------

    def _set_tile_overlay(self, *, resend: bool) -> None:
        """Give the tiled view's overlay the codes and colours of the overlay style now."""
        style = self._overlay_style()
        objects = self._editor.objects
        self._tile_style = (style.is_plain, style.color_by if objects is not None else "class")
        grid = self.tiles.plan.grid
        if style.is_plain:
            source, lut = None, self._lut
        else:
            source, lut = style_source(
                grid,
                lambda: self._editor.mask,
                lambda: None if self._editor.objects is None else self._editor.objects.map,
                self._overlay_style,
                self._lut,
            )
        margin = 1 if style.needs_neighbours else 0
        self.tiles.set_layer(
            "overlay", source, lut, follows_mask=True, margin=margin, resend=resend
        )

    def _tile_labels_changed(self, boxes: list[BBox]) -> None:
        style = self._overlay_style()
        objects = self._editor.objects
        kind = (style.is_plain, style.color_by if objects is not None else "class")
        if kind != self._tile_style:  # e.g. the first object hidden: other codes, colours
            self._set_tile_overlay(resend=True)
        self.tiles.labels_changed(boxes)

    def _tile_missing(self, shown: bool) -> None:
        if not shown:
            self.tiles.remove_layer("missing")
            return
        red, green, blue = (int(MISSING_COLOR[i : i + 2], 16) for i in (1, 3, 5))
        lut = np.array([[0, 0, 0, 0], [red, green, blue, 255]], np.uint8)
        source = missing_source(self.tiles.plan.grid, lambda: self._editor.mask)
        self.tiles.set_layer("missing", source, lut, alpha=MISSING_ALPHA, follows_mask=True)

    def _tile_proposal(self, change: ProposalChange) -> None:
        tiles = self.tiles
        if change.bbox is None or not self._proposals.shown:
            tiles.remove_layer("proposal")
        elif "proposal" not in tiles.plan.layers:
            source = proposal_source(tiles.plan.grid, self._proposals.sample, len(self._lut))
            lut = proposal_lut(self._lut)
            tiles.set_layer("proposal", source, lut, alpha=PROPOSAL_ALPHA, margin=1)
        else:
            tiles.layer_changed("proposal", change.bbox)

    def _on_selection(self, change) -> None:
        show_only = self._settings.show_only
        if (change.name, show_only) in (("instance", "object"), ("label", "class")):
            self.repaint_labels()

    def _overlay_style(self) -> OverlayStyle:
        settings = self._settings
        layer = self._editor.objects
        return OverlayStyle(
            color_by=settings.color_by,
            contours=settings.contours,
            show_only=settings.show_only,
            selected_instance=settings.instance,
            selected_class=settings.label,
            hidden=() if layer is None else layer.hidden_ids,
        )

    def _paint_labels(self, bbox: BBox) -> BBox:
        """Repaint the overlay source in ``bbox`` (a pixel larger with contours); return it."""
        style = self._overlay_style()
        mask = self._editor.mask
        if style.is_plain:
            self._scene.paint_overlay(mask, bbox, self._lut)
            return bbox
        if style.needs_neighbours:
            bbox = BBox(bbox.row0 - 1, bbox.row1 + 1, bbox.col0 - 1, bbox.col1 + 1).clip(mask.shape)
        layer = self._editor.objects
        codes, lut = overlay_codes(
            mask, None if layer is None else layer.map, bbox, style, self._lut
        )
        self._scene.paint_overlay_patch(codes, bbox, lut)
        return bbox

    def set_contrast_limits(self, value: tuple[float, float]) -> None:
        """Map the image with new contrast limits and send it again."""
        self._display.set_limits(value)
        if self.tiles is not None:
            self.tiles.set_limits(self._display.limits)
            return
        with self.frame():
            self._scene.send_image(self._display.pixels)
            self.request_draw(None)

    def _on_client_ready(self) -> None:
        try:
            forget_current_canvas()
            if self.tiles is not None:  # the layer draws; its own "ready" brings the tiles
                return
            full = BBox.full(self._editor.mask.shape)
            with self.frame():
                self._scene.send_image(self._display.pixels)
                self._paint_labels(full)
                if self._settings.show_missing:
                    self._scene.paint_missing(self._editor.mask, full)
                if self._proposals.shown:
                    values, footprint = self._proposals.patch(full)
                    self._scene.paint_proposal(values, footprint, full, self._lut)
                self.request_draw(None)
        except Exception as error:
            logger.exception("seg-widget: drawing the widget failed")
            self._report_error(f"drawing failed: {error}")

    # -- cursor and previews -----------------------------------------------------------------

    def draw_brush_cursor(self, image_xy: tuple[float, float], diameter: float) -> None:
        """Show the brush outline at its true size, centred on the pixel under ``image_xy``.

        With the front-end layer running, the layer draws it (at once, in the browser).
        """
        if self._layer.ready:
            return
        center = self._viewport.image_to_canvas(*pixel_center(*image_xy))
        self._cursor = (center, diameter / 2 * self._viewport.zoom)
        if self._cursor_pacer.due():
            self._draw_held_cursor()

    def _draw_held_cursor(self) -> None:
        """Draw the brush cursor last asked for (now, or on the loop when its frame is due)."""
        cursor, self._cursor = self._cursor, None
        self._cursor_pacer.painted()
        if cursor is None:
            return
        try:
            self._scene.draw_brush_cursor(*cursor)
        except Exception as error:  # on the event loop: nobody else would see it
            logger.exception("drawing the brush cursor failed")
            self._report_error(f"drawing failed: {error}")

    def draw_outline(
        self,
        points_rc: list[tuple[float, float]],
        *,
        color: str,
        dashed: bool,
        rubber_band_xy: tuple[float, float] | None,
        show_vertices: bool,
    ) -> None:
        """Preview an outline in progress (image points), with an optional rubber band.

        With the front-end layer running, a polygon's vertices go to the layer, which draws
        them and the rubber band; a lasso is drawn there as it is dragged.
        """
        if self._layer.ready:
            if show_vertices:
                self._layer.outline = [[col, row] for row, col in points_rc]
            return
        self._drop_held_cursor()  # the outline replaces it on the interaction layer
        points_xy = np.array(
            [self._viewport.image_to_canvas(col, row) for row, col in points_rc], dtype=np.float64
        )
        self._scene.draw_outline(
            points_xy,
            color=color,
            dashed=dashed,
            rubber_band_xy=rubber_band_xy,
            show_vertices=show_vertices,
        )

    def extend_outline(
        self,
        from_rc: tuple[float, float],
        to_rc: tuple[float, float],
        *,
        color: str,
        dashed: bool,
    ) -> None:
        """Add one segment to the outline preview (O(1) per event)."""
        if self._layer.ready:
            return
        self._scene.extend_outline(
            self._viewport.image_to_canvas(from_rc[1], from_rc[0]),
            self._viewport.image_to_canvas(to_rc[1], to_rc[0]),
            color=color,
            dashed=dashed,
        )

    def clear_cursor(self) -> None:
        """Remove the cursor and any preview."""
        if self._layer.ready:
            if self._layer.outline:
                self._layer.outline = []
            return
        self._drop_held_cursor()
        self._scene.clear_cursor()

    def _drop_held_cursor(self) -> None:
        """Forget a cursor waiting for its frame: it must not come back once cleared."""
        self._cursor = None
        self._cursor_pacer.cancel()

    # -- moving the view ---------------------------------------------------------------------

    def zoom_by(self, factor: float, anchor_xy: tuple[float, float] | None = None) -> None:
        """Zoom by ``factor`` about canvas point ``anchor_xy`` (default: the view centre)."""
        self._viewport.zoom_by(factor, anchor_xy)
        self._fitted = False
        self._navigated()

    def set_zoom(self, zoom: float) -> None:
        """Set the zoom about the view centre (nothing happens if it is already that)."""
        if zoom != self._viewport.zoom:
            self._viewport.set_zoom(zoom)
            self._fitted = False
            self._navigated()

    def pan_by(self, dx: float, dy: float) -> None:
        """Move the view by ``(dx, dy)`` canvas pixels."""
        self._viewport.pan_by(dx, dy)
        self._fitted = False
        self._navigated()

    def fit(self) -> None:
        """Show the whole image, centred."""
        self._viewport.fit()
        self._fitted = True
        self._navigated()

    def zoom_to(self, bbox: BBox) -> None:
        """Centre the view on an image region, magnified to fill about 40 % of the view."""
        viewport = self._viewport
        width, height = viewport.canvas_size
        viewport.set_zoom(ZOOM_TO_FILL * min(width / bbox.width, height / bbox.height))
        centre_x, centre_y = viewport.image_to_canvas(
            (bbox.col0 + bbox.col1) / 2, (bbox.row0 + bbox.row1) / 2
        )
        viewport.pan_by(width / 2 - centre_x, height / 2 - centre_y)
        self._fitted = False
        self._navigated()

    def _navigated(self) -> None:
        with self.frame():
            self.request_draw(None)
            self._publish_view()
            if self.tiles is not None:
                self.tiles.show()
            self.navigated.emit(None)

    # -- the page and the front-end layer ------------------------------------------------------

    def _on_page_size(self, css_width: float, css_height: float, device_ratio: float) -> None:
        """Size the canvas for the page (unless fixed), at the device's pixel ratio."""
        try:
            shape = self._editor.mask.shape
            css_size = self._fixed_css_size or canvas_css_size(shape, css_width, css_height)
            ratio = self._fixed_ratio if self._fixed_ratio is not None else device_ratio
            self.resize(css_size, ratio)
        except Exception as error:  # a browser's report must never break the widget
            logger.exception("seg-widget: sizing the canvas failed")
            self._report_error(f"sizing the canvas failed: {error}")

    def resize(self, css_size: tuple[int, int], pixel_ratio: float) -> None:
        """Make the canvas ``css_size`` CSS px at ``pixel_ratio``; re-fit if it was fitted."""
        canvas_size = device_size(css_size, pixel_ratio)
        with self.frame():
            if canvas_size != self._viewport.canvas_size or pixel_ratio != self.pixel_ratio:
                self._scene.set_canvas_size(canvas_size, pixel_ratio)
                self._viewport.resize(canvas_size)
                if self._fitted:
                    self._viewport.fit()
            # Also for an unchanged size: a new browser view (a reload) needs the view again.
            self._navigated()

    def _publish_view(self) -> None:
        viewport = self._viewport
        self._layer.set_view(
            zoom=viewport.zoom,
            offset_x=viewport.offset_x,
            offset_y=viewport.offset_y,
            canvas_size=viewport.canvas_size,
            pixel_ratio=self._scene.pixel_ratio,
        )
        self.send_editable()

    def _publish_pen(self) -> None:
        settings = self._settings
        red, green, blue = self._editor.classes[settings.label].color
        layer = self._layer
        with layer.hold_sync():
            layer.tool = settings.tool
            layer.brush_size = float(settings.brush_size)
            layer.color = f"#{red:02x}{green:02x}{blue:02x}"
            layer.opacity = settings.opacity
            layer.paint_mode = settings.paint_mode
            layer.erase = settings.erase
            layer.right_button = settings.right_button
        self.send_editable()

    def send_editable(self) -> None:
        """In "preserve" mode, tell the layer which shown pixels a stroke may change.

        O(screen): only the image pixels the canvas shows are read. Protected objects
        (locked or hidden) are never editable; with an active object the eraser only
        erases its pixels.
        """
        settings = self._settings
        if not self._layer.ready or settings.paint_mode != "preserve":
            return
        rows, cols = self._layer.shown_indices()
        shown = self._editor.mask[np.ix_(rows, cols)]
        paint = shown == 0
        erase = shown == settings.label
        layer = self._editor.objects
        if layer is not None:
            ids = layer.map[np.ix_(rows, cols)]
            protected = layer.protected_footprint(ids)
            if protected is not None:
                paint &= ~protected
                erase &= ~protected
            if settings.instance:
                erase &= ids == settings.instance
        self._layer.send_editable(paint, erase)


def _add_box(boxes: list[BBox], box: BBox) -> None:
    """Add ``box`` to the boxes to repaint, merged with the last one when that costs no more.

    Consecutive dabs of a stroke overlap: merged, their pixels are painted once. Far-apart
    pieces (a long diagonal segment) stay apart, so a repaint stays O(stroke), not O(box).
    """
    if boxes:
        merged = boxes[-1].union(box)
        if merged.area <= boxes[-1].area + box.area:
            boxes[-1] = merged
            return
    boxes.append(box)


def _union_rect(a: Rect, b: Rect) -> Rect:
    x0, y0 = min(a[0], b[0]), min(a[1], b[1])
    x1, y1 = max(a[0] + a[2], b[0] + b[2]), max(a[1] + a[3], b[1] + b[3])
    return (x0, y0, x1 - x0, y1 - y0)


__all__ = ["ZOOM_TO_FILL", "View"]
