"""The team-mode controls of a dataset annotator: claim, review, conflict, compare.

`TeamBar` only shows what `~seg_widget.widget.team_session.TeamSession` tells it; the
annotator connects its buttons. Every name and note it shows is escaped.
"""

from __future__ import annotations

import html
from collections.abc import Sequence

import ipywidgets as widgets

from ..io.team import ImageState
from .closing import close_tree

_REVIEW_STYLE = {
    "done": ("#2b5d9a", "marked done by {annotator}, awaiting review"),
    "accepted": ("#1d7a35", "accepted by {reviewer}"),
    "rejected": ("#a32a2a", "rejected by {reviewer}"),
}


class TeamBar(widgets.VBox):
    """Claim status, filter, Done / Accept / Reject, conflict choices, compare and report."""

    def __init__(self, *, annotator: str, reviewer: bool, filters: Sequence[str]) -> None:
        self.claim = widgets.HTML()
        self.filter = widgets.Dropdown(
            options=list(filters),
            value="all",
            description="show",
            tooltip="Which images Previous / Next open",
            layout=widgets.Layout(width="240px"),
        )
        self.done = widgets.Button(
            description="Done",
            icon="check",
            tooltip="Save, then mark this image done (ready for review)",
        )
        self.accept = widgets.Button(
            description="Accept", icon="thumbs-up", tooltip="Accept this image's current version"
        )
        self.reject = widgets.Button(
            description="Reject",
            icon="thumbs-down",
            tooltip="Reject this image: the note says what to fix",
        )
        self.note = widgets.Text(
            placeholder="note (what to fix)", layout=widgets.Layout(width="260px")
        )
        for control in (self.accept, self.reject, self.note):
            control.layout.display = None if reviewer else "none"
        self.review = widgets.HTML()
        self.conflict = widgets.HTML()
        self.keep_mine = widgets.Button(
            description="Keep mine",
            icon="user",
            tooltip="Make your version current (theirs stays in the history)",
        )
        self.load_theirs = widgets.Button(
            description="Load theirs",
            icon="users",
            tooltip="Open the current version (yours stays in the history)",
        )
        self.conflict_box = widgets.HBox(
            [self.conflict, self.keep_mine, self.load_theirs],
            layout=widgets.Layout(display="none", align_items="center"),
        )
        self.compare_with = widgets.Dropdown(
            options=[], description="compare with", layout=widgets.Layout(width="260px")
        )
        self.compare = widgets.Button(
            description="Compare", icon="columns", tooltip="Show where the two versions differ"
        )
        self.report = widgets.Button(
            description="Agreement report",
            icon="table",
            tooltip="Agreement of every pair of annotators, image by image",
        )
        self.hide_panel = widgets.Button(
            description="Hide", icon="times", layout=widgets.Layout(display="none")
        )
        self.panel = widgets.VBox()
        self.who = widgets.HTML(f"<b>{html.escape(annotator)}</b>")
        self.box = widgets.HBox(
            [self.who, self.claim, self.filter, self.done, self.note, self.accept, self.reject],
            layout=widgets.Layout(align_items="center", flex_flow="row wrap"),
        )
        self.tools = widgets.HBox(
            [self.review, self.compare_with, self.compare, self.report, self.hide_panel],
            layout=widgets.Layout(align_items="center", flex_flow="row wrap"),
        )
        super().__init__([self.box, self.conflict_box, self.tools, self.panel])
        self.hide_panel.on_click(lambda _: self.show_panel(None))

    def show_claim(self, text: str) -> None:
        """Show whose the open image is, until when."""
        self.claim.value = f"<i>{html.escape(text)}</i>" if text else ""

    def show_review(self, status: ImageState | None) -> None:
        """Show the open image's review state and its latest note."""
        if status is None or status.review not in _REVIEW_STYLE:
            self.review.value = ""
            return
        colour, template = _REVIEW_STYLE[status.review]
        text = template.format(
            annotator=status.review_annotator or "?", reviewer=status.reviewer or "?"
        )
        note = f": “{status.note}”" if status.note else ""
        self.review.value = f'<span style="color:{colour}">{html.escape(text + note)}</span>'

    def show_conflict(self, text: str | None) -> None:
        """Show a conflict and the two ways out (None hides them)."""
        self.conflict.value = (
            f'<span style="color:#a32a2a">⚠ {html.escape(text)}</span>' if text else ""
        )
        self.conflict_box.layout.display = None if text else "none"

    def set_others(self, names: Sequence[str]) -> None:
        """Offer ``names`` (annotators with a version of the open image) to compare with."""
        self.compare_with.options = list(names)
        self.compare_with.disabled = self.compare.disabled = not names

    def show_panel(self, child: widgets.Widget | None) -> None:
        """Show a compare view or a report under the bar (None closes the one shown)."""
        for old in self.panel.children:
            old.close()
        self.panel.children = [child] if child is not None else []
        self.hide_panel.layout.display = None if child is not None else "none"

    def close(self) -> None:
        """Close every control."""
        self.show_panel(None)
        close_tree(self, close_root=super().close)
