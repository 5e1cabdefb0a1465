"""What sits under the canvas: the proposal hint, the status line and the message line.

- `ProposalHint`: "Proposal: Enter accept · Esc reject" with Accept and Reject, shown only
  while a proposal is pending (``w.proposal_pending``).
- `StatusText`: ``w.status`` (pointer, value, class, object, coverage, zoom).
- `MessageLine`: ``w.message`` (a refusal, an error, a save), coloured as a warning when it
  is one, empty otherwise.

The two lines take the canvas column's width and wrap: a zero width with a minimum of
100 % adds nothing to the column's width, so a long message never widens or overflows it.
Their text is always escaped: names from files are never markup.
"""

from __future__ import annotations

import html
from typing import Any

import ipywidgets as widgets

from ..status import WARNING
from .guard import Guard


def _line_layout() -> widgets.Layout:
    return widgets.Layout(width="0", min_width="100%", margin="0")


class ProposalHint(widgets.HBox):
    """The pending proposal's keys and buttons, visible only while one is pending."""

    TEXT = "<b>Proposal:</b> Enter accept · Esc reject"

    def __init__(self, widget: Any, guard: Guard) -> None:
        self.accept = _button("Accept", "check", "Accept (Enter)")
        self.reject = _button("Reject", "times", "Reject (Escape)")
        self.accept.on_click(guard.on_click(widget.accept_proposal))
        self.reject.on_click(guard.on_click(widget.reject_proposal))
        self.text = widgets.HTML(self.TEXT)
        super().__init__(
            [self.text, self.accept, self.reject],
            layout=widgets.Layout(align_items="center", flex_flow="row wrap", display="none"),
        )
        self.add_class("seg-proposal-hint")
        widgets.dlink(
            (widget, "proposal_pending"),
            (self.layout, "display"),
            lambda pending: "flex" if pending else "none",
        )

    @property
    def shown(self) -> bool:
        """Whether the hint is displayed."""
        return self.layout.display != "none"


def _button(text: str, icon: str, tooltip: str) -> widgets.Button:
    return widgets.Button(
        description=text,
        icon=icon,
        tooltip=tooltip,
        layout=widgets.Layout(width="auto", flex="0 0 auto"),
    )


class StatusText(widgets.HTML):
    """The status line (``w.status``), escaped."""

    def __init__(self, widget: Any) -> None:
        super().__init__(layout=_line_layout())
        self.add_class("seg-status")
        widgets.dlink((widget, "status"), (self, "value"), html.escape)


class MessageLine(widgets.HTML):
    """The message line (``w.message``), escaped; styled as a warning when it is one."""

    def __init__(self, widget: Any) -> None:
        super().__init__(layout=_line_layout())
        self.add_class("seg-message")
        widget.observe(lambda change: self.show(change.new), "message")

    @property
    def is_warning(self) -> bool:
        """Whether the message shown is a warning."""
        return "seg-warning" in self._dom_classes

    def show(self, text: str) -> None:
        """Show ``text`` (escaped)."""
        self.value = html.escape(text)
        if text.startswith(WARNING):
            self.add_class("seg-warning")
        else:
            self.remove_class("seg-warning")


__all__ = ["MessageLine", "ProposalHint", "StatusText"]
