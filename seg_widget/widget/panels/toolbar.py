"""The toolbar: tools (from the tool table), erase, undo/redo, save, zoom and the paint mode.

Every control is linked to a widget trait or calls a public widget method, so the toolbar
and Python are two views of one state: ``w.tool = "eraser"`` presses the eraser button and
pressing it sets ``w.tool``.
"""

from __future__ import annotations

from typing import Any

import ipywidgets as widgets

from ..tools import ERASING_TOOLS, TOOL_TABLE
from .guard import Guard


class Toolbar(widgets.HBox):
    """The row of controls above the canvas."""

    def __init__(self, widget: Any, guard: Guard) -> None:
        self.tools = widgets.ToggleButtons(
            # ipywidgets draws the icon right after the text: a no-break space keeps them apart.
            options=[(f"{spec.label}\u00a0", spec.name) for spec in TOOL_TABLE],
            icons=[spec.icon for spec in TOOL_TABLE],
            tooltips=[spec.tooltip for spec in TOOL_TABLE],
            style=widgets.ToggleButtonsStyle(button_width="auto"),
        )
        widgets.link((widget, "tool"), (self.tools, "value"))
        self.erase = widgets.ToggleButton(
            description="Erase",
            icon="minus-square",
            tooltip=(
                "Erase instead of paint: brush, lasso, polygon, fill and the proposal tools (X); "
                "disabled for tools it does not change"
            ),
            layout=_narrow("80px"),
        )
        widgets.link((widget, "erase"), (self.erase, "value"))
        # One concept: the toggle is usable exactly when the current tool honours it.
        widgets.dlink((widget, "tool"), (self.erase, "disabled"), lambda t: t not in ERASING_TOOLS)

        self.save_button = widgets.Button(
            description="Save",
            icon="save",
            tooltip="Save the mask to w.save_path (Ctrl+S)",
            layout=_narrow("72px"),
        )
        self.save_button.on_click(guard.on_click(widget.save))

        self.undo_button = widgets.Button(icon="undo", tooltip="Undo (Ctrl+Z)", layout=_narrow())
        self.redo_button = widgets.Button(icon="repeat", tooltip="Redo (Ctrl+Y)", layout=_narrow())
        self.undo_button.on_click(guard.on_click(widget.undo))
        self.redo_button.on_click(guard.on_click(widget.redo))
        widgets.dlink((widget, "can_undo"), (self.undo_button, "disabled"), lambda v: not v)
        widgets.dlink((widget, "can_redo"), (self.redo_button, "disabled"), lambda v: not v)

        zoom_buttons = []
        for text, tooltip, action in (
            ("−", "Zoom out (-)", widget.zoom_out),
            ("+", "Zoom in (+)", widget.zoom_in),
            ("Fit", "Fit the image (R)", widget.fit),
            ("1:1", "One image pixel per screen pixel", widget.actual_size),
        ):
            button = widgets.Button(description=text, tooltip=tooltip, layout=_narrow("44px"))
            button.on_click(guard.on_click(action))
            zoom_buttons.append(button)

        self.paint_mode = widgets.ToggleButtons(
            options=[("Overwrite", "overwrite"), ("Keep labels", "preserve")],
            tooltips=[
                "Paint over everything",
                "Shared borders: paint only unlabelled pixels, erase only the selected class",
            ],
            style=widgets.ToggleButtonsStyle(button_width="auto"),
        )
        widgets.link((widget, "paint_mode"), (self.paint_mode, "value"))
        super().__init__(
            [
                self.tools,
                self.erase,
                _gap(),
                self.undo_button,
                self.redo_button,
                self.save_button,
                _gap(),
                *zoom_buttons,
                _gap(),
                self.paint_mode,
            ],
            layout=widgets.Layout(flex_flow="row wrap", align_items="center"),
        )


def _narrow(width: str = "36px") -> widgets.Layout:
    return widgets.Layout(width=width, padding="0")


def _gap() -> widgets.Box:
    return widgets.Box(layout=widgets.Layout(width="12px"))


__all__ = ["Toolbar"]
