"""Closing a tree of widgets completely.

ipywidgets' ``Widget.close`` closes one widget: its children, and the ``layout`` and
``style`` widgets every control owns, stay registered in the kernel (and in the page's
widget state) for good. `close_tree` closes them all, so a closed widget leaves nothing.
"""

from __future__ import annotations

from collections.abc import Callable

import ipywidgets as widgets


def close_parts(widget: widgets.Widget, close: Callable[[], None] | None = None) -> None:
    """Close ``widget`` (with ``close`` if given) and its layout and style."""
    for part in (getattr(widget, "layout", None), getattr(widget, "style", None)):
        if isinstance(part, widgets.Widget):
            part.close()
    (close or widget.close)()


def close_tree(root: widgets.Widget, close_root: Callable[[], None] | None = None) -> None:
    """Close ``root``, every widget under it, and all their layouts and styles.

    ``close_root`` closes the root itself (a subclass passes its ``super().close``).
    """
    pending = list(getattr(root, "children", ()))
    while pending:
        child = pending.pop()
        pending.extend(getattr(child, "children", ()))
        close_parts(child)
    close_parts(root, close_root)


__all__ = ["close_parts", "close_tree"]
