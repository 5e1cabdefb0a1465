"""The tools, and the one table that says what each is.

Everything about a tool's identity comes from `TOOL_TABLE`: the name users set in
``w.tool``, its keys, toolbar icon and label, help text (the shortcuts panel and the
README's table list it) and the class that implements it. Adding a tool is one row here
and one module.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

from .assist import PromptTool, ScribbleTool, SuperpixelTool, WandTool
from .base import Tool, ToolHost
from .brush import BrushTool
from .fill import FillTool
from .objects import ObjectTool
from .outline import LassoTool, PolygonTool
from .pan import PanTool
from .pick import PickTool


@dataclass(frozen=True)
class ToolSpec:
    """One tool: name, keys, toolbar icon and label, help text, and how to make it."""

    #: The value of ``w.tool``.
    name: str
    #: Keys that select it (lower case, as ``KeyboardEvent.key`` names them).
    keys: tuple[str, ...]
    #: Font Awesome 4.7 icon of its toolbar button.
    icon: str
    #: What it does, as the shortcuts panel and the README say it.
    help: str
    #: Makes the tool for a widget.
    factory: Callable[[ToolHost], Tool]
    #: Whether ``w.erase`` (the Erase toggle, X) turns it into an eraser; the toggle is
    #: disabled while a tool that ignores it is chosen.
    uses_erase: bool = True

    @property
    def label(self) -> str:
        """The toolbar button's text."""
        return self.name.capitalize()

    @property
    def key_text(self) -> str:
        """The keys as shown to users: ``"L or I"``."""
        return " or ".join(key.upper() for key in self.keys)

    @property
    def tooltip(self) -> str:
        """The toolbar button's tooltip: help text and keys."""
        return f"{self.help} ({self.key_text})"


#: Every tool, in toolbar order.
TOOL_TABLE: tuple[ToolSpec, ...] = (
    ToolSpec("brush", ("b",), "paint-brush", "Brush: paint the selected class (erase with X)",
             partial(BrushTool, erase=False)),
    ToolSpec("eraser", ("e",), "eraser", "Eraser", partial(BrushTool, erase=True),
             uses_erase=False),
    ToolSpec("lasso", ("o",), "pencil", "Lasso: drag a freehand outline; release fills it",
             LassoTool),
    ToolSpec("polygon", ("p",), "share-alt",
             "Polygon: click vertices; click the first, double-click or Enter", PolygonTool),
    ToolSpec("fill", ("f",), "tint", "Fill the connected region under the click", FillTool),
    ToolSpec("wand", ("w",), "magic",
             "Magic wand: propose the similar-colour region under the click", WandTool),
    ToolSpec("superpixel", ("s",), "th", "Superpixel brush: propose whole superpixels",
             SuperpixelTool),
    ToolSpec("scribble", ("c",), "pencil-square-o",
             "Scribble classes; Enter proposes a labelling from them", ScribbleTool,
             uses_erase=False),
    ToolSpec("prompt", ("a",), "hand-pointer-o", "Prompt a model: click points, drag a box",
             PromptTool),
    ToolSpec("object", ("g",), "object-group",
             "Object: click a labelled region to make it an object (a part of the one "
             "selected last)", ObjectTool, uses_erase=False),
    ToolSpec("pick", ("l", "i"), "eyedropper",
             "Pick the class and object under the cursor, then go back", PickTool,
             uses_erase=False),
    ToolSpec("pan", ("h", "z"), "arrows", "Pan: drag to move the view", PanTool,
             uses_erase=False),
)  # fmt: skip

#: Tool names, in toolbar order (the values ``w.tool`` accepts).
TOOLS: tuple[str, ...] = tuple(spec.name for spec in TOOL_TABLE)
#: Tools that ``w.erase`` turns into erasers.
ERASING_TOOLS: frozenset[str] = frozenset(spec.name for spec in TOOL_TABLE if spec.uses_erase)


def make_tools(host: ToolHost) -> dict[str, Tool]:
    """One tool object of each kind for a widget, by name."""
    return {spec.name: spec.factory(host) for spec in TOOL_TABLE}


__all__ = ["ERASING_TOOLS", "TOOLS", "TOOL_TABLE", "Tool", "ToolHost", "ToolSpec", "make_tools"]
