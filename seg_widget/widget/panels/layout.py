"""The widget's controls and their arrangement: toolbar, canvas, status line, side panel.

The side panel holds the class list, the pen and look sliders and an accordion of the
object list, "Find what is missing", "Assisted labelling" and the keyboard shortcuts.
Every control is linked to a widget trait or calls a public widget method; the panels
refresh themselves from edit events and trait changes.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from typing import Any

import ipywidgets as widgets

from ..editor import EditEvent
from ..signals import Signal
from .assist import AssistPanel
from .classes import ClassList
from .guard import Guard
from .help import help_html
from .objects import ObjectPanel
from .quality import QualityPanel
from .toolbar import Toolbar

# Crisp pixels when the browser scales the canvas (high-DPI screens), and a cursor that
# does not hide the brush outline.
STYLE = """<style>
.seg-widget-canvas { image-rendering: pixelated; cursor: crosshair; outline: none; }
.seg-widget .seg-class-list { max-height: 320px; overflow-y: auto; }
.seg-widget .seg-status { font-family: monospace; font-size: 12px; }
.seg-widget .seg-help table { font-size: 12px; border-collapse: collapse; }
.seg-widget .seg-help td { padding: 1px 8px 1px 0; }
</style>"""


class Panels:
    """Build every control of ``widget`` and lay them out around the canvas.

    Parameters
    ----------
    widget : SegmentationWidget
        Read and changed through its public API only.
    edited : Signal
        The editor's edit events (panels refresh from them).
    report_error : callable
        Where a failed button action is said (the status line).

    """

    def __init__(
        self, widget: Any, edited: Signal[EditEvent], report_error: Callable[[str], None]
    ) -> None:
        guard = Guard(report_error)
        layout = widgets.Layout(width="auto")
        self.toolbar = Toolbar(widget, guard)
        self.classes = ClassList(widget, edited)

        self.brush_size = widgets.IntSlider(
            min=1, max=min(widget.max_brush_size, 128), description="Brush", layout=layout
        )
        widgets.link((widget, "brush_size"), (self.brush_size, "value"))
        self.opacity = widgets.FloatSlider(
            min=0, max=1, step=0.05, description="Opacity", layout=layout
        )
        widgets.link((widget, "opacity"), (self.opacity, "value"))
        self.brightness = widgets.FloatSlider(
            min=0, max=3, step=0.05, description="Brightness", layout=layout
        )
        widgets.link((widget, "brightness"), (self.brightness, "value"))
        self.contrast = widgets.FloatSlider(
            min=0, max=3, step=0.05, description="Contrast", layout=layout
        )
        widgets.link((widget, "contrast"), (self.contrast, "value"))
        self.fill_mode = widgets.ToggleButtons(
            options=[("Region", "connected"), ("Everywhere", "global")],
            tooltips=["Fill the connected region under the click", "Replace that label everywhere"],
            description="Fill",
            style=widgets.ToggleButtonsStyle(button_width="auto", description_width="initial"),
        )
        widgets.link((widget, "fill_mode"), (self.fill_mode, "value"))
        self.fill_connectivity = widgets.ToggleButtons(
            options=[("4-connected", 4), ("8-connected", 8)],
            tooltips=["Edge neighbours only", "Edge and corner neighbours"],
            style=widgets.ToggleButtonsStyle(button_width="auto"),
        )
        widgets.link((widget, "fill_connectivity"), (self.fill_connectivity, "value"))

        self.objects = ObjectPanel(widget, edited)
        self.quality = QualityPanel(widget, guard)
        self.assist = AssistPanel(widget, guard)
        self.sections = widgets.Accordion(
            [self.objects, self.quality, self.assist, widgets.HTML(help_html())],
            selected_index=None,
        )
        self.sections.set_title(1, "Find what is missing")
        self.sections.set_title(2, "Assisted labelling")
        self.sections.set_title(3, "Keyboard shortcuts")
        # The object list is section 0: titled with the count, opened by the first object.
        self.objects.show_in(self.sections, 0)
        self.sections.add_class("seg-help")

        self.status = widgets.HTML()
        self.status.add_class("seg-status")
        widgets.dlink((widget, "status"), (self.status, "value"), html.escape)

        self.side_panel = widgets.VBox(
            [
                widgets.HTML("<b>Classes</b>"),
                self.classes,
                self.brush_size,
                self.opacity,
                self.brightness,
                self.contrast,
                self.fill_mode,
                self.fill_connectivity,
                self.sections,
            ],
            layout=widgets.Layout(width="280px", flex="0 0 280px", margin="0 0 0 8px"),
        )

    def children(self, canvas: widgets.DOMWidget) -> list[widgets.Widget]:
        """Return the widget's children: style, toolbar, canvas and status beside the panel."""
        # The panel keeps its width and wraps below the canvas when the notebook is narrow;
        # the status line stays right under the canvas.
        view = widgets.VBox([canvas, self.status], layout=widgets.Layout(flex="0 0 auto"))
        return [
            widgets.HTML(STYLE),
            self.toolbar,
            widgets.HBox(
                [view, self.side_panel],
                layout=widgets.Layout(flex_flow="row wrap", align_items="flex-start"),
            ),
        ]


__all__ = ["Panels"]
