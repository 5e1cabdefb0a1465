"""The assisted tools: each turns clicks or strokes into a proposal (never into labels).

The proposal is shown until the user accepts it (Enter) or rejects it (Escape); see
`seg_widget.widget.proposals`.
"""

from __future__ import annotations

import math
from abc import ABC, abstractmethod
from typing import TYPE_CHECKING

from .base import ImagePoint, Tool

if TYPE_CHECKING:
    from ..pointer import PointerEvent

#: A prompt-tool drag longer than this (canvas px per pixel ratio) is a box, shorter a click.
PROMPT_BOX_MIN = 4.0


class WandTool(Tool):
    """Click: propose the connected region of similar colour."""

    name = "wand"

    def press(self, event: PointerEvent, image_xy: ImagePoint) -> bool:
        """Propose the region around the clicked pixel."""
        host = self.host
        col, row = image_xy
        height, width = host.editor.mask.shape
        if 0 <= row < height and 0 <= col < width:
            widget = host.widget
            host.proposals.propose_wand(
                (int(row), int(col)),
                tolerance=widget.wand_tolerance,
                value=0 if widget.erase else widget.label,
                fill_holes=widget.wand_fill_holes,
            )
        return False


class _AssistBrush(Tool, ABC):
    """A tool dragged like a brush: each segment of the drag does `_segment`."""

    def __init__(self, host) -> None:
        super().__init__(host)
        self._last_rc: tuple[float, float] | None = None

    def press(self, event: PointerEvent, image_xy: ImagePoint) -> bool:
        """Start a stroke at the pressed point."""
        self._last_rc = None
        self.drag(event, image_xy)
        return True

    def drag(self, event: PointerEvent, image_xy: ImagePoint) -> None:
        """Apply the segment from the last point to this one."""
        point_rc = (image_xy[1], image_xy[0])
        self._segment(self._last_rc, point_rc)
        self._last_rc = point_rc

    def abandon(self) -> None:
        """End the stroke."""
        self._last_rc = None

    @abstractmethod
    def _segment(self, start_rc, end_rc) -> None:
        """Apply one segment of the drag (``start_rc`` is None on the first)."""


class SuperpixelTool(_AssistBrush):
    """Drag: every superpixel the brush touches joins the proposal."""

    name = "superpixel"

    def _segment(self, start_rc, end_rc) -> None:
        widget = self.host.widget
        self.host.proposals.add_superpixel_segment(
            start_rc or end_rc,
            end_rc,
            diameter=widget.brush_size,
            segments=widget.superpixel_segments,
            compactness=widget.superpixel_compactness,
            value=0 if widget.erase else widget.label,
        )


class ScribbleTool(_AssistBrush):
    """Drag: scribble the selected class; Enter turns the scribbles into a proposal."""

    name = "scribble"

    def _segment(self, start_rc, end_rc) -> None:
        widget = self.host.widget
        self.host.proposals.scribble_segment(
            start_rc, end_rc, diameter=widget.brush_size, label=widget.label
        )


class PromptTool(Tool):
    """Click points (positive, or negative with N) or drag a box for the model hook."""

    name = "prompt"

    def __init__(self, host) -> None:
        super().__init__(host)
        self._start: tuple[PointerEvent, ImagePoint] | None = None

    def press(self, event: PointerEvent, image_xy: ImagePoint) -> bool:
        """Remember where a click or a box starts."""
        self._start = (event, image_xy)
        return True

    def release(self, event: PointerEvent, image_xy: ImagePoint) -> None:
        """Ask the model: a short drag is a point, a longer one a box."""
        if self._start is None:
            return
        (start_event, start_xy), self._start = self._start, None
        host = self.host
        widget = host.widget
        value = 0 if widget.erase else widget.label
        if math.dist(start_event.xy, event.xy) > PROMPT_BOX_MIN * host.view.pixel_ratio:
            host.proposals.prompt_box(start_xy, image_xy, value=value)
        else:
            host.proposals.prompt_point(image_xy, negative=widget.prompt_negative, value=value)

    def abandon(self) -> None:
        """Forget the press."""
        self._start = None


__all__ = ["PromptTool", "ScribbleTool", "SuperpixelTool", "WandTool"]
