"""The pan tool: drag to move the view (the router also pans with middle- or Space-drag)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .base import ImagePoint, Tool

if TYPE_CHECKING:
    from ..pointer import PointerEvent


class PanTool(Tool):
    """Drag: the image follows the pointer."""

    name = "pan"

    def __init__(self, host) -> None:
        super().__init__(host)
        self._last_xy: tuple[float, float] | None = None

    def press(self, event: PointerEvent, image_xy: ImagePoint) -> bool:
        """Start moving the view."""
        self._last_xy = event.xy
        return True

    def drag(self, event: PointerEvent, image_xy: ImagePoint) -> None:
        """Move the view with the pointer."""
        if self._last_xy is not None:
            self.host.view.pan_by(event.x - self._last_xy[0], event.y - self._last_xy[1])
        self._last_xy = event.xy

    def release(self, event: PointerEvent, image_xy: ImagePoint) -> None:
        """Move to the release point and stop."""
        self.drag(event, image_xy)
        self.abandon()

    def abandon(self) -> None:
        """Stop moving."""
        self._last_xy = None


__all__ = ["PanTool"]
