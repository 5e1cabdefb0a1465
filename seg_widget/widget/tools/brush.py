"""The brush and the eraser: a round pen swept from one snapped point to the next.

The pen path, all O(stroke): each image point is snapped to its pixel centre,
``core.raster.polyline_pieces`` sweeps the brush from the previous point through the moves
that came together (a display frame's batch; a long fast move in pieces of small boxes, so it
costs its length times the brush), joining what overlaps, and the editor writes it under the
paint mode (the undo diff and the dirty box come back from the document). `BrushStroke` is
shared with ``w.paint_stroke`` so Python paints exactly as the mouse does.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from ...core.raster import pixel_center, polyline_pieces
from .base import ImagePoint, Tool

if TYPE_CHECKING:
    from ..editor import Editor, PenWrite
    from ..pointer import PointerEvent

#: Pen points swept per write: long enough to join a frame's moves, short enough that a
#: long stroke from code never holds all its pieces at once.
CHUNK_POINTS = 64


class BrushStroke:
    """One stroke in progress: the pen, its diameter and the last snapped point."""

    def __init__(self, editor: Editor, pen: PenWrite, diameter: float) -> None:
        self.editor = editor
        self.pen = pen
        self.diameter = float(diameter)
        self.last_rc: tuple[float, float] | None = None

    def through(self, points_xy: Iterable[ImagePoint]) -> None:
        """Sweep the brush from the last point through each of ``points_xy`` (a dab first).

        A run of moves is rasterised and written together (`polyline_pieces`): one write,
        one undo record and one repaint for what overlaps, with the pixels of the moves
        one by one. Points go ``CHUNK_POINTS`` at a time, so a long stroke from code never
        holds all its pieces at once.
        """
        shape = self.editor.mask.shape
        points: list[tuple[float, float]] = []
        for image_xy in points_xy:
            col, row = pixel_center(*image_xy)
            if not points:
                points.append(self.last_rc if self.last_rc is not None else (row, col))
            points.append((row, col))
            if len(points) > CHUNK_POINTS:
                self.editor.paint(polyline_pieces(points, self.diameter, shape), self.pen)
                points = [points[-1]]
        if len(points) > 1:
            self.editor.paint(polyline_pieces(points, self.diameter, shape), self.pen)
        if points:
            self.last_rc = points[-1]


class BrushTool(Tool):
    """Drag to paint the selected class (or, as the eraser or with Erase on, to erase)."""

    def __init__(self, host, *, erase: bool) -> None:
        super().__init__(host)
        self.erase = erase
        self.name = "eraser" if erase else "brush"
        self._stroke: BrushStroke | None = None
        #: Where the last stroke ended (snapped): Shift+press draws a line from there.
        self._last_end_rc: tuple[float, float] | None = None

    def press(self, event: PointerEvent, image_xy: ImagePoint) -> bool:
        """Open a stroke (one undo step) and paint a dab."""
        host = self.host
        widget = host.widget
        erase = self.erase or widget.erase  # the Erase toggle turns the brush into an eraser
        pen = host.editor.pen_write(
            erase=erase,
            label=widget.label,
            paint_mode=widget.paint_mode,
            active_instance=widget.instance,
        )
        if pen.refusal:
            host.status.error(pen.refusal)
        host.editor.begin_stroke("erase" if erase else "paint")
        self._stroke = BrushStroke(host.editor, pen, widget.brush_size)
        if event.shift and self._last_end_rc is not None:
            self._stroke.last_rc = self._last_end_rc  # a straight line from the last stroke
        self._paint_to(image_xy)
        return True

    def drag(self, event: PointerEvent, image_xy: ImagePoint) -> None:
        """Paint from the last point to this one."""
        self._paint_to(image_xy)

    def drag_path(self, events: list[PointerEvent], image_points: list[ImagePoint]) -> None:
        """Paint through a run of moves at once (one write for what overlaps)."""
        self._paint_through(image_points)

    def release(self, event: PointerEvent, image_xy: ImagePoint) -> None:
        """Paint to the release point and close the stroke."""
        self._paint_to(image_xy)
        self.abandon()

    def abandon(self) -> None:
        """Close the stroke where it is."""
        if self._stroke is not None and self._stroke.last_rc is not None:
            self._last_end_rc = self._stroke.last_rc
        self._stroke = None
        self.host.editor.end_stroke()

    def hover(self, event: PointerEvent, image_xy: ImagePoint) -> None:
        """Show the brush outline."""
        self._show_cursor(image_xy)

    def redraw(self, pointer_xy: tuple[float, float] | None) -> None:
        """Show the brush outline at the last pointer position."""
        if pointer_xy is not None:
            self._show_cursor(self.host.view.canvas_to_image(*pointer_xy))

    def _paint_to(self, image_xy: ImagePoint) -> None:
        self._paint_through((image_xy,))

    def _paint_through(self, image_points: Sequence[ImagePoint]) -> None:
        if self._stroke is not None and not self.host.editor.stroking:
            self._stroke = None  # a command (undo, delete, load...) closed the stroke: stop
        if self._stroke is not None:
            self._stroke.through(image_points)
        self._show_cursor(image_points[-1])

    def _show_cursor(self, image_xy: ImagePoint) -> None:
        self.host.view.draw_brush_cursor(image_xy, self.host.widget.brush_size)


__all__ = ["BrushStroke", "BrushTool"]
