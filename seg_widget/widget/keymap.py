"""Keyboard shortcuts: one table of key bindings; the tool keys come from the tool table.

`SHORTCUTS` (what the help panel and the README list) and `action_for_key` (what the router
runs) are both derived from `KEY_BINDINGS` and `TOOL_TABLE`, so they cannot disagree.
Actions are strings ``"kind:argument"``; the router runs them.
"""

from __future__ import annotations

from typing import NamedTuple

from .tools import TOOL_TABLE


class Shortcut(NamedTuple):
    """One key binding as users see it: the keys, the action name and what it does."""

    keys: str
    action: str
    description: str


class KeyBinding(NamedTuple):
    """Keys (lower case ``KeyboardEvent.key`` names) bound to an action."""

    keys: str
    match: tuple[str, ...]
    action: str
    description: str


#: Bindings other than the tool keys, in the order the help panel lists them. Keys are
#: matched case-insensitively; "Ctrl" also means Cmd on macOS. Bindings with no ``match``
#: are handled elsewhere (digits, the wheel, Ctrl combinations) and only documented here.
KEY_BINDINGS: tuple[KeyBinding, ...] = (
    KeyBinding("N", ("n",), "prompt:toggle", "Prompt tool: next points are negative / positive"),
    KeyBinding(
        "X",
        ("x",),
        "erase:toggle",
        "Erase on / off: brush, lasso, polygon, fill and the proposal tools erase instead",
    ),
    KeyBinding(
        "M", ("m",), "instance:new", "New object of the selected class (painting adds to it)"
    ),
    KeyBinding("Enter", ("enter",), "outline:close", "Close the polygon; else accept the proposal"),
    KeyBinding(
        "Backspace", ("backspace",), "outline:remove_vertex", "Remove the last polygon vertex"
    ),
    KeyBinding(
        "Escape", ("escape",), "outline:cancel", "Cancel the outline; else reject the proposal"
    ),
    KeyBinding("[ / ]", ("[", "]"), "brush:smaller / brush:larger", "Brush size down / up"),
    KeyBinding("0 – 9", (), "label:<digit>", "Select class 0–9"),
    KeyBinding(
        "+ / -", ("+", "=", "-"), "zoom:in / zoom:out", "Zoom in / out about the view centre"
    ),
    KeyBinding("Wheel", (), "-", "Zoom about the mouse cursor"),
    KeyBinding("R or Home", ("r", "home"), "zoom:fit", "Fit the image in the view"),
    KeyBinding(
        "Arrows", ("arrowleft", "arrowright", "arrowup", "arrowdown"), "pan:<arrow>", "Pan the view"
    ),
    KeyBinding("Ctrl+Z", (), "undo", "Undo (while drawing a polygon: remove its last vertex)"),
    KeyBinding("Ctrl+Shift+Z or Ctrl+Y", (), "redo", "Redo"),
    KeyBinding("Ctrl+S", (), "save", "Save the mask to w.save_path (the Save button)"),
)

#: Mouse gestures, as the help panel and the README's controls table list them.
GESTURES: tuple[tuple[str, str], ...] = (
    ("Drag", "Paint / erase / pan, by tool"),
    (
        "Right-drag (brush, eraser)",
        'Erase; never opens a menu (w.right_button = "none" turns it off)',
    ),
    ("Middle-drag, or Space + drag", "Pan, whatever the tool"),
    ("Shift+click (brush, eraser)", "A straight line from where the last stroke ended"),
    ("Double-click (polygon)", "Close the polygon"),
    ("Click (pick tool)", "Select the class and object under the cursor, then return"),
    ("Click a row of the object list", "Make that object active; 👁 hides/shows it, 🔒 locks it"),
    ("Wheel", "Zoom about the cursor"),
)

#: Every shortcut, tools first (toolbar order), as the help panel and the README list them.
SHORTCUTS: tuple[Shortcut, ...] = (
    *(Shortcut(spec.key_text, f"tool:{spec.name}", spec.help) for spec in TOOL_TABLE),
    *(Shortcut(b.keys, b.action, b.description) for b in KEY_BINDINGS),
)

# Keys whose binding names two actions ("[ / ]") map each key to its own action.
_SPLIT_ACTIONS = {
    "[": "brush:smaller",
    "]": "brush:larger",
    "+": "zoom:in",
    "=": "zoom:in",
    "-": "zoom:out",
    "arrowleft": "pan:left",
    "arrowright": "pan:right",
    "arrowup": "pan:up",
    "arrowdown": "pan:down",
}

_PLAIN_KEYS: dict[str, str] = {
    **{key: f"tool:{spec.name}" for spec in TOOL_TABLE for key in spec.keys},
    **{key: _SPLIT_ACTIONS.get(key, b.action) for b in KEY_BINDINGS for key in b.match},
}


#: Ctrl (or Cmd) combinations: the key (``shift+`` for Shift held too) -> action.
_CTRL_KEYS: dict[str, str] = {"z": "undo", "shift+z": "redo", "y": "redo", "s": "save"}


def browser_keys() -> list[str]:
    """Key names the front-end layer takes for the widget (all others stay with JupyterLab).

    Lower-case ``KeyboardEvent.key`` names, ``ctrl+`` (and ``ctrl+shift+``) for combinations,
    ``" "`` for Space (held, it pans).

    >>> keys = browser_keys()
    >>> "b" in keys and "ctrl+z" in keys and "ctrl+shift+z" in keys and " " in keys
    True
    """
    return sorted(
        {*_PLAIN_KEYS, *(str(digit) for digit in range(10)), " "}
        | {f"ctrl+{key}" for key in _CTRL_KEYS}
    )


def action_for_key(key: str, shift: bool, ctrl: bool, meta: bool) -> str | None:
    """Return the action bound to a key press, or None when the key is unbound.

    >>> action_for_key("z", False, True, False)
    'undo'
    >>> action_for_key("Z", True, True, False)
    'redo'
    >>> action_for_key("3", False, False, False)
    'label:3'
    >>> action_for_key("I", False, False, False)
    'tool:pick'
    >>> action_for_key("s", False, True, False)
    'save'
    """
    name = key.lower()
    if ctrl or meta:
        return _CTRL_KEYS.get(f"shift+{name}" if shift else name, _CTRL_KEYS.get(name))
    if len(name) == 1 and name.isdigit():
        return f"label:{name}"
    return _PLAIN_KEYS.get(name)


__all__ = [
    "GESTURES",
    "KEY_BINDINGS",
    "SHORTCUTS",
    "KeyBinding",
    "Shortcut",
    "action_for_key",
    "browser_keys",
]
