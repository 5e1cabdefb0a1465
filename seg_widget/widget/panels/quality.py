"""The "Find what is missing" panel: show-missing toggle, hole/speck list, one-click fixes."""

from __future__ import annotations

from typing import Any

import ipywidgets as widgets

from ...core.quality import Region
from .guard import Guard

#: Default size limit (pixels) of a hole or speck.
DEFAULT_MAX_SIZE = 64


class QualityPanel(widgets.VBox):
    """Controls of the quality-control tools."""

    def __init__(self, widget: Any, guard: Guard) -> None:
        self.widget = widget
        self.regions: list[Region] = []
        self._guard = guard

        self.show_missing = widgets.ToggleButton(
            description="Show missing\u00a0",
            icon="search",
            tooltip="Dim the image and tint every unlabelled pixel magenta",
        )
        widgets.link((widget, "show_missing"), (self.show_missing, "value"))
        self.max_size = widgets.BoundedIntText(
            value=DEFAULT_MAX_SIZE,
            min=1,
            max=10**7,
            description="Max px",
            tooltip="Largest hole or speck, in pixels",
            layout=widgets.Layout(width="150px"),
            style={"description_width": "52px"},
        )
        find_holes = _button("Find holes", "Unlabelled regions inside or between objects")
        find_specks = _button("Find specks", "Small isolated regions of one class")
        find_holes.on_click(
            guard.on_click(lambda: self.show_regions(widget.find_holes(self.max_size.value)))
        )
        find_specks.on_click(
            guard.on_click(lambda: self.show_regions(widget.find_specks(self.max_size.value)))
        )

        self.found = widgets.Select(options=[], rows=5, layout=widgets.Layout(width="auto"))
        self.found.observe(lambda _: self.zoom_to_selected(), "index")
        # Selecting the listed region again fires no change: "Show" zooms back to it.
        show = _button("Show", "Zoom to the selected region again")
        show.on_click(guard.on_click(self.zoom_to_selected))
        self.summary = widgets.HTML()

        fixes = [
            (
                "Fill holes",
                "Fill each hole with its surrounding class",
                lambda: widget.fill_holes(self.max_size.value),
            ),
            (
                "Remove specks",
                "Give each speck its surrounding class",
                lambda: widget.remove_specks(self.max_size.value),
            ),
            (
                "Smooth borders",
                "3x3 majority filter: removes one-pixel notches",
                widget.smooth_borders,
            ),
            (
                "Fill unlabelled in view",
                "Selected class into every unlabelled pixel in view",
                widget.fill_unlabelled,
            ),
        ]
        self.fix_buttons = []
        for text, tooltip, fix in fixes:
            button = _button(text, tooltip)
            button.on_click(guard.on_click(lambda fix=fix: self._report(fix())))
            self.fix_buttons.append(button)

        super().__init__(
            [
                self.show_missing,
                widgets.HBox([self.max_size]),
                widgets.HBox([find_holes, find_specks, show], layout=_wrap()),
                self.found,
                self.summary,
                widgets.HBox(self.fix_buttons, layout=_wrap()),
            ]
        )

    def show_regions(self, regions: list[Region]) -> None:
        """List found holes or specks; selecting one zooms to it."""
        self.regions = regions
        classes = self.widget.classes
        self.found.options = [
            f"{r.kind} · {r.size} px · x {r.bbox.col0}, y {r.bbox.row0}"
            f" · in {classes[r.surrounding_label].name}"
            for r in regions
        ]
        self.found.index = None
        self.summary.value = (
            _count(len(regions), regions[0].kind) + " found" if regions else "none found"
        )

    def zoom_to_selected(self) -> None:
        """Zoom the view to the selected region of the list."""
        index = self.found.index
        if index is not None and index < len(self.regions):
            self.widget.zoom_to(self.regions[index].bbox)

    def _report(self, pixels: int) -> None:
        self.summary.value = _count(pixels, "pixel") + " changed"
        # Listed regions are stale after a fix: clear the list rather than show wrong ones.
        self.regions = []
        self.found.options = []


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"


def _button(text: str, tooltip: str) -> widgets.Button:
    # Never narrower than the label: a row that is too narrow wraps instead (see `_wrap`).
    return widgets.Button(
        description=text,
        tooltip=f"{text}: {tooltip}",
        layout=widgets.Layout(width="auto", flex="0 0 auto"),
    )


def _wrap() -> widgets.Layout:
    return widgets.Layout(flex_flow="row wrap")


__all__ = ["DEFAULT_MAX_SIZE", "QualityPanel"]
