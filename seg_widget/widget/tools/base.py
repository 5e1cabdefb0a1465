"""What every tool is and what it may use.

A tool is a small object with press / drag / release / hover / leave / cancel methods,
picked by name from the one tool table (`seg_widget.widget.tools.TOOL_TABLE`). The pointer
router owns drag bookkeeping and the error guard and calls these methods with events in
canvas pixels and the matching image point. Tools change labels only through the editor,
draw only through the view, and read settings from the widget's traits; they never import
the widget module (the widget is seen through the `WidgetSettings` protocol).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from ...core.classes import LabelClass
    from ..editor import Editor
    from ..pointer import PointerEvent
    from ..proposals import Proposals
    from ..status import StatusLine
    from ..view import View


class WidgetSettings(Protocol):
    """The widget's traits and public commands that tools and the router use."""

    tool: str
    label: int
    brush_size: int
    max_brush_size: int
    paint_mode: str
    erase: bool
    instance: int
    fill_mode: str
    fill_connectivity: int
    wand_tolerance: float
    wand_fill_holes: bool
    superpixel_segments: int
    superpixel_compactness: float
    prompt_negative: bool

    @property
    def classes(self) -> tuple[LabelClass, ...]: ...  # noqa: D102

    def select_instance(self, instance_id: int, *, add: bool = False) -> None: ...  # noqa: D102

    def make_object(self, seed: tuple[int, int], *, whole_class: bool = False) -> int: ...  # noqa: D102


@dataclass(frozen=True)
class ToolHost:
    """The collaborators a tool works with."""

    widget: WidgetSettings
    editor: Editor
    view: View
    proposals: Proposals
    status: StatusLine


ImagePoint = tuple[float, float]  # (x=col, y=row), continuous image coordinates


class Tool:
    """Base of every tool: each method does nothing unless the tool needs it.

    Parameters
    ----------
    host : ToolHost
        The widget's collaborators.

    """

    #: The name the tool table gives this tool (``w.tool``).
    name = ""

    def __init__(self, host: ToolHost) -> None:
        self.host = host

    def press(self, event: PointerEvent, image_xy: ImagePoint) -> bool:
        """Handle a button press; return True to receive the drag that follows."""
        return False

    def drag(self, event: PointerEvent, image_xy: ImagePoint) -> None:
        """Handle a move with the button held, after `press` returned True."""

    def drag_path(self, events: list[PointerEvent], image_points: list[ImagePoint]) -> None:
        """Handle a run of moves that came together (one batch): `drag` each, by default.

        A tool that can do a run at once (the brush writes it once) overrides this.
        """
        for event, image_xy in zip(events, image_points, strict=True):
            self.drag(event, image_xy)

    def release(self, event: PointerEvent, image_xy: ImagePoint) -> None:
        """Handle the release at ``image_xy``: the drag ends there."""

    def abandon(self) -> None:
        """End the drag without a release point (the pointer left, the tool changed)."""

    def hover(self, event: PointerEvent, image_xy: ImagePoint) -> None:
        """Handle a move with no drag: show the tool's cursor."""
        self.host.view.clear_cursor()

    def leave(self) -> None:
        """Handle the pointer leaving the canvas (no drag)."""
        self.host.view.clear_cursor()

    def cancel(self) -> None:
        """Forget anything in progress (another tool was chosen)."""
        self.abandon()

    def handle(self, action: str) -> bool:
        """Run a key action that belongs to this tool (``close``, ``cancel``, ``undo``...).

        Return True if it was handled; False lets the router do the default.
        """
        return False

    def redraw(self, pointer_xy: tuple[float, float] | None) -> None:
        """Draw the tool's cursor or preview again (after a view or settings change)."""


__all__ = ["ImagePoint", "Tool", "ToolHost", "WidgetSettings"]
