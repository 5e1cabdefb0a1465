"""The brush and the eraser: a round pen swept from one snapped point to the next.

The pen path of one pointer event, all O(stroke): the image point is snapped to its pixel
centre, ``core.raster.brush_pieces`` sweeps the brush from the previous point (in pieces of
small boxes, so a long fast move costs its length times the brush), and the
editor writes it under the paint mode (the undo diff and the dirty box come back from the
document). `BrushStroke` is shared with ``w.paint_stroke`` so Python paints exactly as the
mouse does.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ...core.raster import brush_pieces, pixel_center
from .base import ImagePoint, Tool

if TYPE_CHECKING:
    from ..editor import Editor, PenWrite
    from ..pointer import PointerEvent


class BrushStroke:
    """One stroke in progress: the pen, its diameter and the last snapped point."""

    def __init__(self, editor: Editor, pen: PenWrite, diameter: float) -> None:
        self.editor = editor
        self.pen = pen
        self.diameter = float(diameter)
        self.last_rc: tuple[float, float] | None = None

    def to(self, image_xy: ImagePoint) -> None:
        """Sweep the brush from the last point to ``image_xy`` (a dab on the first call)."""
        col, row = pixel_center(*image_xy)
        start = self.last_rc if self.last_rc is not None else (row, col)
        self.last_rc = (row, col)
        self.editor.paint(
            brush_pieces(start, (row, col), self.diameter, self.editor.mask.shape), self.pen
        )


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
        if self._stroke is not None and not self.host.editor.stroking:
            self._stroke = None  # a command (undo, delete, load...) closed the stroke: stop
        if self._stroke is not None:
            self._stroke.to(image_xy)
        self._show_cursor(image_xy)

    def _show_cursor(self, image_xy: ImagePoint) -> None:
        self.host.view.draw_brush_cursor(image_xy, self.host.widget.brush_size)


__all__ = ["BrushStroke", "BrushTool"]
