"""Zoom and pan: the view commands of :class:`SegmentationWidget`, as a mixin.

A view change redraws the scene layer from the hidden sources with a new
transform: a few hundred bytes of commands, never pixels.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..core.bbox import BBox
from .interaction import STEP_ZOOM
from .transport import batched

if TYPE_CHECKING:
    from ..render.viewport import Viewport
    from .interaction import Interaction

#: zoom_to() makes the box fill about this share of the view's smaller side.
ZOOM_TO_FILL = 0.4


class ViewCommands:
    """Zoom in/out, fit, 1:1, pan and zoom-to-region for the widget."""

    _viewport: Viewport
    _interaction: Interaction

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

    def zoom_to(self, bbox: BBox) -> None:
        """Centre the view on an image region and magnify it to fill about 40 % of the view.

        Parameters
        ----------
        bbox : BBox
            Image pixels to show, e.g. a ``Region.bbox`` from :meth:`find_holes`.

        """
        if not isinstance(bbox, BBox) or bbox.is_empty:
            raise ValueError(f"bbox: expected a non-empty BBox; got {bbox!r}")
        viewport = self._viewport
        width, height = viewport.canvas_size
        zoom = ZOOM_TO_FILL * min(width / bbox.width, height / bbox.height)
        viewport.set_zoom(zoom)
        centre_x, centre_y = viewport.image_to_canvas(
            (bbox.col0 + bbox.col1) / 2, (bbox.row0 + bbox.row1) / 2
        )
        viewport.pan_by(width / 2 - centre_x, height / 2 - centre_y)
        self._view_changed()

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
