"""The fill tool: the connected region of equal label under the click (or that label everywhere)."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from ...core.fill import flood_footprint, same_label_footprint
from .base import ImagePoint, Tool

if TYPE_CHECKING:
    from ..editor import Editor, PenWrite
    from ..pointer import PointerEvent


def fill_at(
    editor: Editor,
    pen: PenWrite,
    seed_rc: tuple[int, int],
    *,
    fill_mode: str,
    connectivity: int,
    erase: bool,
) -> None:
    """Fill from pixel ``seed_rc`` as one undo step (``w.flood_fill`` and the tool share it)."""
    mask = editor.mask
    row, col = seed_rc
    if fill_mode == "global":
        footprint = same_label_footprint(mask, int(mask[row, col]))
    else:
        footprint = flood_footprint(mask, (row, col), connectivity=connectivity)
    if footprint is not None:
        editor.apply_footprint(*footprint, pen, "erase fill" if erase else "fill")


class FillTool(Tool):
    """Click to fill the region under the pointer with the selected class (or erase it)."""

    name = "fill"

    def press(self, event: PointerEvent, image_xy: ImagePoint) -> bool:
        """Fill the region under the click."""
        host = self.host
        widget = host.widget
        col, row = (math.floor(v) for v in image_xy)
        height, width = host.editor.mask.shape
        if 0 <= row < height and 0 <= col < width:
            pen = host.editor.pen_write(
                erase=widget.erase,
                label=widget.label,
                paint_mode=widget.paint_mode,
                active_instance=widget.instance,
            )
            if pen.refusal:
                host.status.error(pen.refusal)
            fill_at(
                host.editor,
                pen,
                (row, col),
                fill_mode=widget.fill_mode,
                connectivity=widget.fill_connectivity,
                erase=widget.erase,
            )
        return False


__all__ = ["FillTool", "fill_at"]
