"""Input events as the pointer router sees them, whatever delivered them.

Two sources feed the router: the front-end layer (buttons, modifiers, browser timestamps,
batched once per animation frame) and, when that layer is missing, ipycanvas' own mouse
callbacks (a position only). Both become these records, so tools never know which one
spoke. Positions are in *canvas pixels* of the visible canvas (device pixels: CSS pixels
times the pixel ratio), the space of `seg_widget.render.viewport.Viewport`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

#: Pointer event kinds: a button pressed, the pointer moved (with or without buttons held),
#: a button released, the browser cancelled the gesture, the pointer left the canvas.
POINTER_KINDS = ("down", "move", "up", "cancel", "leave")

#: ``PointerEvent.button`` values (as the DOM numbers them).
LEFT_BUTTON = 0
MIDDLE_BUTTON = 1
RIGHT_BUTTON = 2

#: ``PointerEvent.buttons`` bits (as the DOM numbers them).
LEFT_BIT = 1
RIGHT_BIT = 2
MIDDLE_BIT = 4


class PointerEvent(NamedTuple):
    """One pointer event in canvas pixels (an immutable record: a tuple, built per pen event).

    Attributes
    ----------
    kind : str
        One of `POINTER_KINDS`.
    x, y : float
        Position in canvas (device) pixels.
    button : int
        The button that changed for ``down``/``up`` (0 left, 1 middle, 2 right); -1 for moves.
    buttons : int
        Buttons held after the event, as a bit set (1 left, 2 right, 4 middle).
    shift, ctrl, alt, meta : bool
        Modifier keys held.
    time_ms : float or None
        The browser's event timestamp in milliseconds (None when the source has none).
    batch : int
        Sequence number of the batch that carried the event (0 when the source has none):
        the router acknowledges it once the batch is applied.
    clicks : int
        For ``down``/``up``: 1 for a single click, 2 for the second press of a double click
        (same button within 500 ms and 4 CSS px, decided by browser timestamps), 3...; 0 for
        other kinds and when the source cannot tell.

    """

    kind: str
    x: float
    y: float
    button: int = LEFT_BUTTON
    buttons: int = 0
    shift: bool = False
    ctrl: bool = False
    alt: bool = False
    meta: bool = False
    time_ms: float | None = None
    batch: int = 0
    clicks: int = 0

    @property
    def xy(self) -> tuple[float, float]:
        """The position ``(x, y)`` in canvas pixels."""
        return (self.x, self.y)


@dataclass(frozen=True)
class KeyEvent:
    """One key press (``down=True``) or release, as ``KeyboardEvent.key`` names the key."""

    key: str
    down: bool = True
    shift: bool = False
    ctrl: bool = False
    alt: bool = False
    meta: bool = False


@dataclass(frozen=True)
class WheelEvent:
    """A wheel turn at canvas position ``(x, y)``; ``dy`` > 0 scrolls down (zooms out)."""

    x: float | None
    y: float | None
    dx: float
    dy: float
    ctrl: bool = False


__all__ = [
    "LEFT_BIT",
    "LEFT_BUTTON",
    "MIDDLE_BIT",
    "MIDDLE_BUTTON",
    "POINTER_KINDS",
    "RIGHT_BIT",
    "RIGHT_BUTTON",
    "KeyEvent",
    "PointerEvent",
    "WheelEvent",
]
