"""Keyboard shortcuts: one table, read by the key handler and by the help panel."""

from __future__ import annotations

from typing import NamedTuple


class Shortcut(NamedTuple):
    """One key binding: the keys as shown to users, the action name and what it does."""

    keys: str
    action: str
    description: str


#: Every shortcut, in the order the help panel lists them. Keys are matched
#: case-insensitively; "Ctrl" also means Cmd on macOS.
SHORTCUTS: tuple[Shortcut, ...] = (
    Shortcut("B", "tool:brush", "Brush: paint the selected class"),
    Shortcut("E", "tool:eraser", "Eraser"),
    Shortcut("O", "tool:lasso", "Lasso: drag a freehand outline; release fills it"),
    Shortcut(
        "P", "tool:polygon", "Polygon: click vertices; click the first, double-click or Enter"
    ),
    Shortcut("F", "tool:fill", "Fill the connected region under the click"),
    Shortcut("W", "tool:wand", "Magic wand: propose the similar-colour region under the click"),
    Shortcut("S", "tool:superpixel", "Superpixel brush: propose whole superpixels"),
    Shortcut("C", "tool:scribble", "Scribble classes; Enter proposes a labelling from them"),
    Shortcut("A", "tool:prompt", "Prompt a model: click points, drag a box"),
    Shortcut("N", "prompt:toggle", "Prompt tool: next points are negative / positive"),
    Shortcut("L or I", "tool:pick", "Pick the class and object under the cursor, then go back"),
    Shortcut("H or Z", "tool:pan", "Pan: drag to move the view"),
    Shortcut("X", "erase:toggle", "Lasso, polygon and fill erase instead of paint"),
    Shortcut("M", "instance:new", "New object of the selected class (painting adds to it)"),
    Shortcut("Enter", "outline:close", "Close the polygon; else accept the proposal"),
    Shortcut("Backspace", "outline:remove_vertex", "Remove the last polygon vertex"),
    Shortcut("Escape", "outline:cancel", "Cancel the outline; else reject the proposal"),
    Shortcut("[ / ]", "brush:smaller / brush:larger", "Brush size down / up"),
    Shortcut("0 – 9", "label:<digit>", "Select class 0–9"),
    Shortcut("+ / -", "zoom:in / zoom:out", "Zoom in / out about the view centre"),
    Shortcut("Wheel", "-", "Zoom about the mouse cursor"),
    Shortcut("R or Home", "zoom:fit", "Fit the image in the view"),
    Shortcut("Arrows", "pan:<arrow>", "Pan the view"),
    Shortcut("Ctrl+Z", "undo", "Undo (while drawing a polygon: remove its last vertex)"),
    Shortcut("Ctrl+Shift+Z or Ctrl+Y", "redo", "Redo"),
)

_PLAIN_KEYS = {
    "b": "tool:brush",
    "e": "tool:eraser",
    "o": "tool:lasso",
    "p": "tool:polygon",
    "f": "tool:fill",
    "w": "tool:wand",
    "s": "tool:superpixel",
    "c": "tool:scribble",
    "a": "tool:prompt",
    "n": "prompt:toggle",
    "l": "tool:pick",
    "i": "tool:pick",
    "h": "tool:pan",
    "z": "tool:pan",
    "x": "erase:toggle",
    "m": "instance:new",
    "enter": "outline:close",
    "backspace": "outline:remove_vertex",
    "escape": "outline:cancel",
    "[": "brush:smaller",
    "]": "brush:larger",
    "+": "zoom:in",
    "=": "zoom:in",
    "-": "zoom:out",
    "r": "zoom:fit",
    "home": "zoom:fit",
    "arrowleft": "pan:left",
    "arrowright": "pan:right",
    "arrowup": "pan:up",
    "arrowdown": "pan:down",
}


def action_for_key(key: str, shift: bool, ctrl: bool, meta: bool) -> str | None:
    """Return the action bound to a key press, or None when the key is unbound.

    >>> action_for_key("z", False, True, False)
    'undo'
    >>> action_for_key("Z", True, True, False)
    'redo'
    >>> action_for_key("3", False, False, False)
    'label:3'
    """
    name = key.lower()
    if ctrl or meta:
        if name == "z":
            return "redo" if shift else "undo"
        if name == "y":
            return "redo"
        return None
    if len(name) == 1 and name.isdigit():
        return f"label:{name}"
    return _PLAIN_KEYS.get(name)
