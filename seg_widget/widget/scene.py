"""The canvases a widget draws on, and every drawing command it sends.

Two hidden, full-resolution source canvases hold the image (sent once,
losslessly) and the opaque class-colour overlay (updated by dirty patches). The
visible :class:`ipycanvas.MultiCanvas` has a *scene* layer, redrawn from the
sources with the view transform, and an *interaction* layer for the brush cursor,
so a hover only redraws a circle. A zoom, pan or contrast change sends a handful
of commands, never pixels.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import numpy as np
from ipycanvas import Canvas, MultiCanvas

from ..core.bbox import BBox
from ..render.code_tiles import proposal_codes
from ..render.display import band_rows
from ..render.overlay import colorize, label_runs, run_count
from ..render.png import encode_png
from ..render.viewport import Viewport
from .transport import batched, send_png_alone, set_style

#: A dirty patch goes as per-class ``fill_rects`` of row runs (12 bytes a run, no
#: browser-side image decode) while it has at most a quarter as many runs as
#: pixels (or MIN_RUNS_LIMIT), up to MAX_RUNS_PER_PATCH; beyond, as RGBA PNG bands
#: (4 bytes a pixel plus ~10 ms of decoding in the browser).
MIN_RUNS_LIMIT = 4096
MAX_RUNS_PER_PATCH = 250_000

#: Largest raw band of pixels sent in one message (bigger ones have crashed the
#: browser-automation driver and are replayed whole on page reload).
MAX_BAND_BYTES = 16 * 2**20

BACKGROUND_COLOR = "#3a3a3a"
#: "Show missing": unlabelled pixels in bright magenta over an image dimmed to 45 %.
MISSING_COLOR = "#ff00ff"
MISSING_ALPHA = 0.85
MISSING_DIM = 0.45
#: Proposals (not yet in the mask) are drawn stronger than labels, with a white edge.
PROPOSAL_ALPHA = 0.8
PROPOSAL_EDGE = "#ffffff"
CURSOR_COLOR = "#ffffff"
CURSOR_SHADOW = "#000000"


class Scene:
    """Own the source canvases and the visible canvas of one widget.

    Parameters
    ----------
    image_shape : tuple of int
        ``(H, W)`` of the image, which is also the size of both source canvases.
    canvas_size : tuple of int
        ``(width, height)`` of the visible canvas in canvas (device) pixels.
    pixel_ratio : float
        Canvas pixels per CSS pixel; the visible canvas is laid out at
        ``canvas_size / pixel_ratio`` CSS pixels so it stays crisp on high-DPI screens.

    """

    def __init__(
        self, image_shape: tuple[int, int], canvas_size: tuple[int, int], pixel_ratio: float
    ) -> None:
        height, width = image_shape
        # The sources are created before the visible canvas so that the visible
        # canvas' client_ready (the last to be created) means all of them exist.
        self.image_source = Canvas(width=width, height=height)
        self.overlay_source = Canvas(width=width, height=height)
        #: Opaque MISSING_COLOR where the mask is 0, kept up to date only while shown.
        self.missing_source = Canvas(width=width, height=height)
        #: Assisted-tool proposals and scribbles: class colours with a white outline.
        self.proposal_source = Canvas(width=width, height=height)
        self.view = MultiCanvas(2, width=canvas_size[0], height=canvas_size[1])
        self.view.add_class("seg-widget-canvas")
        self.pixel_ratio = pixel_ratio
        self.set_canvas_size(canvas_size)

    @property
    def scene_layer(self) -> Canvas:
        """The layer showing image and overlay with the view transform."""
        return self.view[0]

    @property
    def interaction_layer(self) -> Canvas:
        """The top layer: brush cursor and previews; it receives the events."""
        return self.view[1]

    def set_canvas_size(
        self, canvas_size: tuple[int, int], pixel_ratio: float | None = None
    ) -> None:
        """Resize the visible canvas (which resets its drawing state), laid out at CSS size."""
        if pixel_ratio is not None:
            self.pixel_ratio = pixel_ratio
        width, height = canvas_size
        self.view.width, self.view.height = width, height
        self.view.layout.width = f"{width / self.pixel_ratio:g}px"
        self.view.layout.height = f"{height / self.pixel_ratio:g}px"

    def close(self) -> None:
        """Close the three canvases (the visible one closes its layers)."""
        for layer in (self.scene_layer, self.interaction_layer):
            layer.close()
        sources = (
            self.image_source,
            self.overlay_source,
            self.missing_source,
            self.proposal_source,
        )
        for canvas in (self.view, *sources):
            canvas.close()
        for canvas in (self.scene_layer, self.interaction_layer, self.view, *sources):
            canvas.layout.close()  # ipywidgets leaves a closed widget's layout open

    # -- sources -------------------------------------------------------------------

    def send_image(self, display: np.ndarray) -> None:
        """Send the display-mapped uint8 image to the image source, losslessly, in bands."""
        self.image_source.clear()
        self._send_bands(self.image_source, display)

    def paint_overlay(self, labels: np.ndarray, bbox: BBox, lut: np.ndarray) -> None:
        """Repaint the overlay source inside ``bbox`` from the label map ``labels``.

        Exact: the box is cleared, then every class' row runs are filled with its
        opaque colour (cheap to send, no browser-side decode), or, when the patch
        has too many runs for that, its colours go as lossless PNG bands.
        """
        self.paint_overlay_patch(labels[bbox.slices], bbox, lut)

    def paint_overlay_patch(self, patch: np.ndarray, bbox: BBox, lut: np.ndarray) -> None:
        """Repaint the overlay source inside ``bbox`` from colour codes (``lut`` rows)."""
        overlay = self.overlay_source
        with batched():
            overlay.clear_rect(bbox.col0, bbox.row0, bbox.width, bbox.height)
            # A patch of at most MIN_RUNS_LIMIT pixels (every pen dab) always goes as runs:
            # no need to count them first.
            runs = 0 if bbox.area <= MIN_RUNS_LIMIT else run_count(patch)
            if runs == 0 and bbox.area > MIN_RUNS_LIMIT:
                return  # nothing labelled (an undone fill): the cleared box says it all
            if runs <= max(MIN_RUNS_LIMIT, bbox.area // 4) and runs <= MAX_RUNS_PER_PATCH:
                for label_runs_ in label_runs(patch, (bbox.row0, bbox.col0)):
                    set_style(overlay, fill_style=_css_color(lut[label_runs_.label]))
                    overlay.fill_rects(label_runs_.xs, label_runs_.ys, label_runs_.widths, 1)
            else:
                self._send_bands(overlay, patch, origin_rc=(bbox.row0, bbox.col0), lut=lut)

    def paint_missing(self, labels: np.ndarray, bbox: BBox) -> None:
        """Repaint the "show missing" source inside ``bbox``: MISSING_COLOR where labels are 0."""
        unlabelled = (labels[bbox.slices] == 0).view(np.uint8)
        missing = self.missing_source
        with batched():
            missing.clear_rect(bbox.col0, bbox.row0, bbox.width, bbox.height)
            set_style(missing, fill_style=MISSING_COLOR)
            for runs in label_runs(unlabelled, (bbox.row0, bbox.col0)):
                missing.fill_rects(runs.xs, runs.ys, runs.widths, 1)

    def paint_proposal(
        self, values: np.ndarray, footprint: np.ndarray, bbox: BBox, lut: np.ndarray
    ) -> None:
        """Repaint the proposal source inside ``bbox`` from the bbox-shaped patches given.

        Proposal pixels take their class colour (class 0, an erasing proposal, shows
        white); pixels on the proposal's edge are white, so a proposal never looks
        like committed labels.
        """
        # Edge = inside pixels with a 4-neighbour outside (the border of bbox counts as outside).
        codes = proposal_codes(values, footprint)
        proposal = self.proposal_source
        with batched():
            proposal.clear_rect(bbox.col0, bbox.row0, bbox.width, bbox.height)
            for runs in label_runs(codes, (bbox.row0, bbox.col0)):
                class_id = runs.label - 2
                color = PROPOSAL_EDGE if class_id <= 0 else _css_color(lut[class_id])
                set_style(proposal, fill_style=color)
                proposal.fill_rects(runs.xs, runs.ys, runs.widths, 1)

    def clear_proposal(self) -> None:
        """Remove every proposal pixel."""
        self.proposal_source.clear()

    def _send_bands(
        self,
        canvas: Canvas,
        array: np.ndarray,
        *,
        origin_rc: tuple[int, int] = (0, 0),
        lut: np.ndarray | None = None,
    ) -> None:
        channels = 4 if lut is not None else (1 if array.ndim == 2 else array.shape[2])
        bands = band_rows(array.shape[0], array.shape[1] * channels, MAX_BAND_BYTES)

        def encode(rows: tuple[int, int]) -> bytes:
            band = array[rows[0] : rows[1]]
            return encode_png(colorize(band, lut) if lut is not None else band)

        # zlib releases the GIL: encoding bands on two threads halves the open time.
        with ThreadPoolExecutor(max_workers=2) as pool:
            for (row0, _), png in zip(bands, pool.map(encode, bands), strict=True):
                send_png_alone(canvas, png, origin_rc[1], origin_rc[0] + row0)

    # -- visible canvas ------------------------------------------------------------

    def draw_view(
        self,
        viewport: Viewport,
        *,
        opacity: float,
        brightness: float,
        contrast: float,
        show_missing: bool = False,
        show_proposal: bool = False,
        clip: tuple[int, int, int, int] | None = None,
    ) -> None:
        """Redraw the scene layer (optionally only the canvas rectangle ``clip``).

        With ``show_missing`` the image is dimmed and unlabelled pixels are tinted
        with MISSING_COLOR over everything, so gaps between objects stand out.
        """
        layer = self.scene_layer
        width, height = viewport.canvas_size
        x, y, w, h = clip if clip is not None else (0, 0, width, height)
        with batched():
            layer.save()
            if clip is not None:
                layer.begin_path()
                layer.rect(x, y, w, h)
                layer.clip()
            set_style(layer, fill_style=BACKGROUND_COLOR)
            layer.fill_rect(x, y, w, h)
            layer.set_transform(*viewport.transform())
            # Smooth only when minifying the photo; labels are never smoothed.
            set_style(layer, image_smoothing_enabled=viewport.zoom < 1)
            if show_missing:
                brightness *= MISSING_DIM
            if brightness != 1 or contrast != 1:
                set_style(layer, filter=f"brightness({brightness:.4g}) contrast({contrast:.4g})")
            layer.draw_image(self.image_source, 0, 0)
            if brightness != 1 or contrast != 1:
                set_style(layer, filter="none")
            set_style(layer, image_smoothing_enabled=False)
            set_style(layer, global_alpha=opacity)
            layer.draw_image(self.overlay_source, 0, 0)
            if show_missing:
                set_style(layer, global_alpha=MISSING_ALPHA)
                layer.draw_image(self.missing_source, 0, 0)
            if show_proposal:
                set_style(layer, global_alpha=PROPOSAL_ALPHA)
                layer.draw_image(self.proposal_source, 0, 0)
            layer.restore()

    def draw_brush_cursor(self, center_xy: tuple[float, float], radius: float) -> None:
        """Show the true brush outline (radius in canvas pixels) on the interaction layer."""
        layer = self.interaction_layer
        x, y = center_xy
        with batched():
            layer.clear()
            set_style(layer, line_width=3 * self.pixel_ratio)
            set_style(layer, stroke_style=CURSOR_SHADOW)
            layer.stroke_circle(x, y, max(radius, 1.0))
            set_style(layer, line_width=1.5 * self.pixel_ratio)
            set_style(layer, stroke_style=CURSOR_COLOR)
            layer.stroke_circle(x, y, max(radius, 1.0))

    def draw_outline(
        self,
        points_xy: np.ndarray,
        *,
        color: str,
        dashed: bool = False,
        rubber_band_xy: tuple[float, float] | None = None,
        show_vertices: bool = False,
    ) -> None:
        """Preview an outline in progress (canvas points) on the interaction layer.

        ``rubber_band_xy`` adds the edge from the last vertex to the cursor and the
        closing edge back to the first, as the polygon would be if closed there.
        """
        layer = self.interaction_layer
        with batched():
            layer.clear()
            if len(points_xy) == 0:
                return
            path = points_xy
            if rubber_band_xy is not None:
                path = np.vstack([points_xy, [rubber_band_xy]])
            self._stroke_path(path, color, dashed)
            if rubber_band_xy is not None and len(path) >= 3:
                set_style(layer, global_alpha=0.5)
                self._stroke_path(np.vstack([path[-1:], path[:1]]), color, True)
                set_style(layer, global_alpha=1.0)
            if show_vertices:
                radius = 3 * self.pixel_ratio
                set_style(layer, fill_style=CURSOR_SHADOW)
                layer.fill_circles(points_xy[:, 0], points_xy[:, 1], radius + self.pixel_ratio)
                set_style(layer, fill_style=color)
                layer.fill_circles(points_xy[:, 0], points_xy[:, 1], radius)

    def extend_outline(
        self, from_xy: tuple[float, float], to_xy: tuple[float, float], *, color: str, dashed=False
    ) -> None:
        """Add one segment to the outline preview without redrawing it (O(1) per event)."""
        self._stroke_path(np.array([from_xy, to_xy]), color, dashed)

    def _stroke_path(self, points_xy: np.ndarray, color: str, dashed: bool) -> None:
        layer = self.interaction_layer
        with batched():
            layer.set_line_dash([6 * self.pixel_ratio, 4 * self.pixel_ratio] if dashed else [])
            set_style(layer, line_width=3.5 * self.pixel_ratio)
            set_style(layer, stroke_style=CURSOR_SHADOW)
            layer.stroke_lines(np.asarray(points_xy, dtype=np.float32))
            set_style(layer, line_width=2 * self.pixel_ratio)
            set_style(layer, stroke_style=color)
            layer.stroke_lines(np.asarray(points_xy, dtype=np.float32))

    def clear_cursor(self) -> None:
        """Remove the cursor and any preview from the interaction layer."""
        self.interaction_layer.clear()


def _css_color(rgba: np.ndarray) -> str:
    return f"#{int(rgba[0]):02x}{int(rgba[1]):02x}{int(rgba[2]):02x}"
