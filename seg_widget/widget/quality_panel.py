"""The "Find what is missing" panel: show-missing toggle, hole/speck list, one-click fixes."""

from __future__ import annotations

from typing import TYPE_CHECKING

import ipywidgets as widgets

from ..core.quality import Region
from .quality_commands import DEFAULT_MAX_SIZE

if TYPE_CHECKING:
    from .segmentation_widget import SegmentationWidget


class QualityPanel:
    """Controls of the quality-control tools; ``box`` is the panel to show."""

    def __init__(self, widget: SegmentationWidget) -> None:
        self.widget = widget
        self.regions: list[Region] = []

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
        find_holes.on_click(lambda _: self._list(widget.find_holes(self.max_size.value)))
        find_specks.on_click(lambda _: self._list(widget.find_specks(self.max_size.value)))

        self.found = widgets.Select(options=[], rows=5, layout=widgets.Layout(width="auto"))
        self.found.observe(self._zoom_to_selected, "index")
        # Selecting the listed region again fires no change: "Show" zooms back to it.
        show = _button("Show", "Zoom to the selected region again")
        show.on_click(lambda _: self._zoom_to_selected())
        self.summary = widgets.HTML()

        fixes = [
            ("Fill holes", "Fill each hole with its surrounding class", self._fill_holes),
            ("Remove specks", "Give each speck its surrounding class", self._remove_specks),
            ("Smooth borders", "3x3 majority filter: removes one-pixel notches", self._smooth),
            (
                "Fill unlabelled in view",
                "Selected class into every unlabelled pixel in view",
                self._fill_unlabelled,
            ),
        ]
        fix_buttons = []
        for text, tooltip, action in fixes:
            button = _button(text, tooltip)
            button.on_click(lambda _, action=action: action())
            fix_buttons.append(button)

        self.box = widgets.VBox(
            [
                self.show_missing,
                widgets.HBox([self.max_size]),
                widgets.HBox([find_holes, find_specks, show]),
                self.found,
                self.summary,
                widgets.HBox(fix_buttons[:2]),
                widgets.HBox(fix_buttons[2:]),
            ]
        )

    def _list(self, regions: list[Region]) -> None:
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

    def _zoom_to_selected(self, change=None) -> None:
        index = self.found.index
        if index is not None and index < len(self.regions):
            self.widget.zoom_to(self.regions[index].bbox)

    def _report(self, pixels: int) -> None:
        self.summary.value = _count(pixels, "pixel") + " changed"
        self._forget_list()

    def _forget_list(self) -> None:
        # Listed regions are stale after a fix: clear the list rather than show wrong ones.
        self.regions = []
        self.found.options = []

    def _fill_holes(self) -> None:
        self._report(self.widget.fill_holes(self.max_size.value))

    def _remove_specks(self) -> None:
        self._report(self.widget.remove_specks(self.max_size.value))

    def _smooth(self) -> None:
        self._report(self.widget.smooth_borders())

    def _fill_unlabelled(self) -> None:
        self._report(self.widget.fill_unlabelled())


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"


def _button(text: str, tooltip: str) -> widgets.Button:
    return widgets.Button(description=text, tooltip=tooltip, layout=widgets.Layout(width="auto"))
