"""The shortcuts help: the keymap as a table, and what to know about keyboard focus."""

from __future__ import annotations

import html

from ..keymap import GESTURES, SHORTCUTS


def help_html() -> str:
    """Return the mouse gestures and keyboard shortcuts as HTML (every text escaped).

    One entry per line: the gesture or keys, then what they do, wrapping under them when the
    panel is narrow (a two-column table squeezed the descriptions to a word per line).
    """
    gestures = "".join(
        f"<div class='seg-shortcut'><b>{html.escape(gesture)}</b> {html.escape(action)}</div>"
        for gesture, action in GESTURES
    )
    rows = "".join(
        f"<div class='seg-shortcut'><kbd>{html.escape(s.keys)}</kbd> "
        f"{html.escape(s.description)}</div>"
        for s in SHORTCUTS
    )
    return (
        f"<div class='seg-shortcuts'>{gestures}</div><div class='seg-shortcuts'>{rows}</div>"
        f"<p>{html.escape(KEYBOARD_NOTE)}</p>"
    )


#: Where keys go (shown under the tables, and in the README).
KEYBOARD_NOTE = (
    "Shortcuts work while the pointer is over the widget, or after a click on any of its "
    "controls: no click on the canvas is needed. Keys typed into a text field stay there, "
    "and JupyterLab's own shortcuts work everywhere else. If the front-end layer could not "
    "start (the message line says so), click the canvas first; it then keeps every key until "
    "you click outside it."
)


__all__ = ["KEYBOARD_NOTE", "help_html"]
