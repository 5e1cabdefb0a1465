"""One error guard for every button and control of the panels.

A control's action runs through `Guard.run`: it is one user action (the message line is
cleared first), and nothing it raises reaches ipywidgets. An expected refusal (a
``ValueError`` or ``TypeError``: a locked object, nothing selected) is said on the message
line; anything else is said too and logged with its traceback (see
`seg_widget.widget.failures`).
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any, Protocol

from ..failures import report_failure


class Messages(Protocol):
    """Where the panels say things: the widget's message line."""

    def error(self, message: str) -> None:
        """Say what went wrong or was refused."""

    def inform(self, message: str) -> None:
        """Say what was done."""

    def action(self, *, new: bool = True) -> AbstractContextManager[None]:
        """Run one user action (the message line is cleared first)."""


class Guard:
    """Run control actions as user actions; report what fails on the message line."""

    def __init__(self, messages: Messages) -> None:
        self.messages = messages

    def run(self, action: Callable[..., Any], *args: Any) -> bool:
        """Run ``action(*args)``; return whether it succeeded."""
        with self.messages.action():
            try:
                action(*args)
            except Exception as error:
                what = getattr(action, "__name__", "the action")
                report_failure(error, what, self.messages.error)
                return False
        return True

    def on_click(self, action: Callable[[], Any]) -> Callable[[Any], None]:
        """Return a ``Button.on_click`` callback running ``action()`` guarded."""
        return lambda _button: self.run(action)


__all__ = ["Guard", "Messages"]
