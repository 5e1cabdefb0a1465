"""The pick tool: take the class and object under the click, then go back to the last tool."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from .base import ImagePoint, Tool

if TYPE_CHECKING:
    from ..pointer import PointerEvent


class PickTool(Tool):
    """Click: select the class (and object) under the pointer, then return to `return_to`."""

    name = "pick"

    def __init__(self, host) -> None:
        super().__init__(host)
        #: The tool chosen before this one, restored after a pick.
        self.return_to = "brush"

    def press(self, event: PointerEvent, image_xy: ImagePoint) -> bool:
        """Pick the class and object under the click, then go back."""
        host = self.host
        widget = host.widget
        col, row = (math.floor(v) for v in image_xy)
        height, width = host.editor.mask.shape
        if 0 <= row < height and 0 <= col < width:
            picked = host.editor.object_at(row, col)
            widget.label = int(host.editor.mask[row, col])
            if host.editor.objects is not None:
                widget.select_instance(0 if picked is None else picked.id)
            widget.tool = self.return_to
        return False


__all__ = ["PickTool"]
