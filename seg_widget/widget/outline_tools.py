"""The outline in progress of the lasso and polygon tools, and its preview.

Vertices are kept in image coordinates (``(row, col)``, continuous), so zooming or
panning while a polygon is half drawn keeps it anchored to the image. Filling is
``SegmentationWidget.fill_polygon``: one rule, in ``core.outline``, for both tools.
"""

from __future__ import annotations

import math
import time
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from .segmentation_widget import SegmentationWidget

#: A polygon click this close (canvas px, per pixel_ratio) to the first vertex closes it.
CLOSE_DISTANCE = 8.0
#: Two clicks this close in space (canvas px) and time (s) are a double click.
DOUBLE_CLICK_DISTANCE = 4.0
DOUBLE_CLICK_SECONDS = 0.45
#: A lasso records a new point once the mouse moved this far (canvas px).
LASSO_MIN_STEP = 1.0

ERASE_PREVIEW_COLOR = "#ffffff"


class OutlineEditor:
    """Collect the vertices of a lasso or polygon outline and draw its preview."""

    def __init__(self, widget: SegmentationWidget) -> None:
        self.widget = widget
        self.points_rc: list[tuple[float, float]] = []
        #: "lasso" or "polygon": which tool started the outline in progress.
        self.kind = ""
        self._last_click: tuple[float, float, float] | None = None  # x, y, time

    @property
    def active(self) -> bool:
        """Whether an outline is being drawn."""
        return bool(self.points_rc)

    # -- lasso ----------------------------------------------------------------------

    def lasso_start(self, canvas_xy: tuple[float, float]) -> None:
        """Start a freehand outline at the pointer."""
        self.kind = "lasso"
        self.points_rc = [self._image_rc(canvas_xy)]
        self.redraw()

    def lasso_extend(self, canvas_xy: tuple[float, float]) -> None:
        """Add the pointer position to the freehand outline (draws one segment)."""
        if not self.points_rc:
            return
        previous_xy = self._canvas_xy(self.points_rc[-1])
        if math.dist(previous_xy, canvas_xy) < LASSO_MIN_STEP * self.widget._scene.pixel_ratio:
            return
        self.points_rc.append(self._image_rc(canvas_xy))
        color, dashed = self._style()
        self.widget._scene.extend_outline(previous_xy, canvas_xy, color=color, dashed=dashed)

    # -- polygon --------------------------------------------------------------------

    def polygon_click(self, canvas_xy: tuple[float, float]) -> None:
        """Add a vertex; a click on the first vertex or a double click closes the polygon."""
        now = time.monotonic()
        last, self._last_click = self._last_click, (canvas_xy[0], canvas_xy[1], now)
        ratio = self.widget._scene.pixel_ratio
        if self.points_rc:
            first_xy = self._canvas_xy(self.points_rc[0])
            if (
                len(self.points_rc) >= 3
                and math.dist(first_xy, canvas_xy) <= CLOSE_DISTANCE * ratio
            ):
                self.commit()
                return
            if (
                last is not None
                and now - last[2] <= DOUBLE_CLICK_SECONDS
                and math.dist(last[:2], canvas_xy) <= DOUBLE_CLICK_DISTANCE * ratio
            ):
                self.commit()  # the first click of the pair already added the vertex
                return
        self.kind = "polygon"
        self.points_rc.append(self._image_rc(canvas_xy))
        self.redraw(canvas_xy)

    def remove_last_vertex(self) -> None:
        """Drop the newest vertex (Backspace)."""
        if self.points_rc:
            self.points_rc.pop()
            self.redraw(self.widget._interaction.last_xy)

    # -- both -----------------------------------------------------------------------

    def commit(self) -> None:
        """Close the outline and fill it (as one undo step), then start afresh."""
        points, self.points_rc = self.points_rc, []
        self._last_click = None
        self.widget._scene.clear_cursor()
        if points:
            self.widget._fill_outline(points)

    def cancel(self) -> None:
        """Forget the outline in progress (Escape)."""
        self.points_rc = []
        self._last_click = None
        self.widget._scene.clear_cursor()

    def redraw(self, pointer_xy: tuple[float, float] | None = None) -> None:
        """Draw the whole preview again (after a view change or a new vertex)."""
        if not self.points_rc:
            return
        points_xy = np.array([self._canvas_xy(p) for p in self.points_rc], dtype=np.float64)
        color, dashed = self._style()
        polygon = self.kind == "polygon"
        self.widget._scene.draw_outline(
            points_xy,
            color=color,
            dashed=dashed,
            rubber_band_xy=pointer_xy if polygon else None,
            show_vertices=polygon,
        )

    def _style(self) -> tuple[str, bool]:
        widget = self.widget
        if widget.erase:
            return ERASE_PREVIEW_COLOR, True
        red, green, blue = widget.classes[widget.label].color
        return f"#{red:02x}{green:02x}{blue:02x}", widget.label == 0

    def _image_rc(self, canvas_xy: tuple[float, float]) -> tuple[float, float]:
        col, row = self.widget.canvas_to_image(*canvas_xy)
        return (row, col)

    def _canvas_xy(self, image_rc: tuple[float, float]) -> tuple[float, float]:
        return self.widget.image_to_canvas(image_rc[1], image_rc[0])
