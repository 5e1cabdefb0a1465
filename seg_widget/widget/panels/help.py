"""The shortcuts help: the keymap as a table, and what to know about keyboard focus."""

from __future__ import annotations

import html

from ..keymap import SHORTCUTS


def help_html() -> str:
    """Return the keyboard shortcuts as an HTML table (every text escaped)."""
    rows = "".join(
        f"<tr><td><kbd>{html.escape(s.keys)}</kbd></td><td>{html.escape(s.description)}</td></tr>"
        for s in SHORTCUTS
    )
    return (
        f"<table>{rows}</table>"
        "<p>Shortcuts work while the canvas has focus (click it first). The canvas "
        "keeps every key while focused, so JupyterLab's own shortcuts (Esc, Shift+Enter) "
        "work again once you click outside it.</p>"
    )


__all__ = ["help_html"]
