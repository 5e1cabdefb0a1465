"""The lasso and the polygon: an outline in progress, its preview, and the fill on closing.

Vertices are kept in image coordinates (``(row, col)``, continuous), so zooming or panning
while a polygon is half drawn keeps it anchored to the image. Both tools fill with one rule,
``core.outline.polygon_footprint`` (pixel centres inside, even-odd), through
`fill_outline`, which ``w.fill_polygon`` uses too.
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from ...core.outline import polygon_footprint
from .base import ImagePoint, Tool

if TYPE_CHECKING:
    from ..editor import Editor, PenWrite
    from ..pointer import PointerEvent

#: A polygon click this close (canvas px, per pixel ratio) to the first vertex closes it.
CLOSE_DISTANCE = 8.0
#: Two clicks this close in space (canvas px) and time (s) are a double click.
DOUBLE_CLICK_DISTANCE = 4.0
DOUBLE_CLICK_SECONDS = 0.45
#: A lasso records a new point once the pointer moved this far (canvas px).
LASSO_MIN_STEP = 1.0
#: Outline preview colour while erasing.
ERASE_PREVIEW_COLOR = "#ffffff"


def fill_outline(
    editor: Editor, pen: PenWrite, points_rc: Sequence[tuple[float, float]], *, erase: bool
) -> None:
    """Fill the closed outline through image points ``(row, col)`` as one undo step."""
    footprint = polygon_footprint(np.asarray(points_rc, dtype=float), editor.mask.shape)
    if footprint is not None:
        editor.apply_footprint(*footprint, pen, "erase outline" if erase else "outline")


class _OutlineTool(Tool):
    """What the lasso and the polygon share: the vertices, the preview and the commit."""

    def __init__(self, host) -> None:
        super().__init__(host)
        self.points_rc: list[tuple[float, float]] = []

    @property
    def active(self) -> bool:
        """Whether an outline is being drawn."""
        return bool(self.points_rc)

    def commit(self) -> None:
        """Close the outline and fill it (one undo step), then start afresh."""
        points, self.points_rc = self.points_rc, []
        host = self.host
        host.view.clear_cursor()
        if not points:
            return
        if len(set(points)) < 3:
            host.status.error("an outline needs three or more distinct points: nothing filled")
            return
        widget = host.widget
        pen = host.editor.pen_write(
            erase=widget.erase,
            label=widget.label,
            paint_mode=widget.paint_mode,
            active_instance=widget.instance,
        )
        if pen.refusal:
            host.status.error(pen.refusal)
        fill_outline(host.editor, pen, points, erase=widget.erase)

    def cancel(self) -> None:
        """Forget the outline (Escape, another tool)."""
        self.points_rc = []
        self.host.view.clear_cursor()

    def handle(self, action: str) -> bool:
        """Enter closes the outline, Escape cancels it."""
        if not self.active:
            return False
        if action == "close":
            self.commit()
        elif action == "cancel":
            self.cancel()
        else:
            return False
        return True

    def leave(self) -> None:
        """Keep the outline, without its rubber band."""
        self.redraw(None)  # an outline survives leaving the canvas, minus its rubber band

    def hover(self, event: PointerEvent, image_xy: ImagePoint) -> None:
        """Clear the cursor unless an outline is shown."""
        if not self.active:
            self.host.view.clear_cursor()

    def redraw(self, pointer_xy: tuple[float, float] | None) -> None:
        """Draw the outline again (after a view change or a new vertex)."""
        if not self.points_rc:
            self.host.view.clear_cursor()
        else:
            color, dashed = self._style()
            self.host.view.draw_outline(
                self.points_rc,
                color=color,
                dashed=dashed,
                rubber_band_xy=pointer_xy if self.name == "polygon" else None,
                show_vertices=self.name == "polygon",
            )

    def _style(self) -> tuple[str, bool]:
        widget = self.host.widget
        if widget.erase:
            return ERASE_PREVIEW_COLOR, True
        red, green, blue = widget.classes[widget.label].color
        return f"#{red:02x}{green:02x}{blue:02x}", widget.label == 0


class LassoTool(_OutlineTool):
    """Drag a freehand outline; releasing (or leaving the canvas) fills it."""

    name = "lasso"

    def press(self, event: PointerEvent, image_xy: ImagePoint) -> bool:
        """Start a freehand outline."""
        self.points_rc = [(image_xy[1], image_xy[0])]
        self.redraw(None)
        return True

    def drag(self, event: PointerEvent, image_xy: ImagePoint) -> None:
        """Add the pointer position (one segment of preview)."""
        if not self.points_rc:
            return
        view = self.host.view
        previous_xy = view.image_to_canvas(self.points_rc[-1][1], self.points_rc[-1][0])
        if math.dist(previous_xy, event.xy) < LASSO_MIN_STEP * view.pixel_ratio:
            return
        self.points_rc.append((image_xy[1], image_xy[0]))
        color, dashed = self._style()
        view.extend_outline(self.points_rc[-2], self.points_rc[-1], color=color, dashed=dashed)

    def release(self, event: PointerEvent, image_xy: ImagePoint) -> None:
        """Add the release point and fill the outline."""
        self.drag(event, image_xy)
        self.commit()

    def abandon(self) -> None:
        """Leaving the canvas closes (fills) the lasso."""
        self.commit()  # leaving the canvas closes the lasso


class PolygonTool(_OutlineTool):
    """Click vertices; click the first one, double-click or press Enter to fill."""

    name = "polygon"

    def __init__(self, host) -> None:
        super().__init__(host)
        self._last_click: tuple[float, float, float] | None = None  # x, y, seconds

    def press(self, event: PointerEvent, image_xy: ImagePoint) -> bool:
        # The browser's timestamp when there is one: a busy kernel must not turn two slow
        # clicks into a double click.
        """Add a vertex; a click on the first vertex or a double click closes."""
        now = event.time_ms / 1000 if event.time_ms is not None else time.monotonic()
        last, self._last_click = self._last_click, (event.x, event.y, now)
        ratio = self.host.view.pixel_ratio
        if event.clicks:  # the browser counted the clicks: its double click is the one
            last = None
            if event.clicks >= 2 and self.points_rc:
                self.commit()  # the first click of the pair already added the vertex
                return False
        if self.points_rc:
            first_xy = self.host.view.image_to_canvas(self.points_rc[0][1], self.points_rc[0][0])
            if len(self.points_rc) >= 3 and math.dist(first_xy, event.xy) <= CLOSE_DISTANCE * ratio:
                self.commit()
                return False
            if (
                last is not None
                and 0 <= now - last[2] <= DOUBLE_CLICK_SECONDS
                and math.dist(last[:2], event.xy) <= DOUBLE_CLICK_DISTANCE * ratio
            ):
                self.commit()  # the first click of the pair already added the vertex
                return False
        self.points_rc.append((image_xy[1], image_xy[0]))
        self.redraw(event.xy)
        return False

    def hover(self, event: PointerEvent, image_xy: ImagePoint) -> None:
        """Let the rubber band follow the pointer."""
        if self.active:
            self.redraw(event.xy)  # the rubber band follows the pointer
        else:
            self.host.view.clear_cursor()

    def handle(self, action: str) -> bool:
        """Backspace or Ctrl+Z removes the last vertex; Enter and Escape as ever."""
        if action in ("remove_vertex", "undo") and self.active:
            self.points_rc.pop()  # the router redraws the preview after every key
            return True
        return super().handle(action)

    def commit(self) -> None:
        """Fill the polygon and start afresh."""
        self._last_click = None
        super().commit()

    def cancel(self) -> None:
        """Forget the polygon."""
        self._last_click = None
        super().cancel()


__all__ = ["LassoTool", "PolygonTool", "fill_outline"]
