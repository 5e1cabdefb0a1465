"""The object tool: click a labelled region to make it an object (or select the one it is).

The direct way to objects after painting classes: paint the person, click it (one object),
pick the class face, click the face (a part of that person). Classes never change, so it
works in any paint mode; see ``w.make_object``.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from .base import ImagePoint, Tool

if TYPE_CHECKING:
    from ..pointer import PointerEvent


class ObjectTool(Tool):
    """Click: the loose region under the pointer becomes an object (or is selected).

    With ``fill_mode`` "global" every loose pixel of that class becomes the object; an
    object already under the pointer is selected instead.
    """

    name = "object"

    def press(self, event: PointerEvent, image_xy: ImagePoint) -> bool:
        """Make (or select) the object under the click."""
        host = self.host
        widget = host.widget
        col, row = (math.floor(v) for v in image_xy)
        height, width = host.editor.mask.shape
        if not (0 <= row < height and 0 <= col < width):
            return False
        owner = host.editor.object_at(row, col)
        if owner is not None:
            widget.instance = owner.id
            host.status.inform(f"{owner.name} is an object already: selected it")
            return False
        created = widget.make_object((row, col), whole_class=widget.fill_mode == "global")
        host.status.inform(f"made the object {host.editor.objects.get(created).name}")
        return False


__all__ = ["ObjectTool"]
