"""The widget's controls and their arrangement around the canvas.

Under the canvas: the proposal hint ("Proposal: Enter accept · Esc reject" with Accept and
Reject, shown only while a proposal is pending), the status line and the message line
(wrapping, never clipped; empty when there is nothing to say). The side panel holds the
class list, the pen and look sliders, the contrast limits and an accordion of the object
list, "Find what is missing", "Assisted labelling" and the keyboard shortcuts. Every
control is linked to a widget trait or calls a public widget method; the panels refresh
themselves from edit events and trait changes.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import ipywidgets as widgets

from ..editor import EditEvent
from ..signals import Signal
from .assist import AssistPanel
from .classes import ClassList
from .contrast import ContrastControl
from .guard import Guard, Messages
from .help import help_html
from .lines import MessageLine, ProposalHint, StatusText
from .objects import ObjectPanel
from .quality import QualityPanel
from .toolbar import Toolbar

# Crisp pixels when the browser scales the canvas (high-DPI screens), and a cursor that
# does not hide the brush outline.
STYLE = """<style>
.seg-widget-canvas { image-rendering: pixelated; cursor: crosshair; outline: none; }
.seg-widget .seg-class-row { justify-content: flex-start; text-align: left; margin-bottom: 2px; }
.seg-widget .seg-status .widget-html-content,
.seg-widget .seg-message .widget-html-content {
  font-size: 12px; line-height: 1.35; white-space: normal; overflow-wrap: anywhere; }
.seg-widget .seg-status .widget-html-content { font-family: monospace; }
.seg-widget .seg-message .widget-html-content:not(:empty) {
  padding: 2px 6px; border-radius: 3px; background: #eef6ee; color: #1d4d1d; }
.seg-widget .seg-message.seg-warning .widget-html-content:not(:empty) {
  background: #fff4e0; color: #7a3b00; }
.seg-widget .seg-proposal-hint { background: #e8f0fe; border-radius: 3px; padding: 0 4px; }
.seg-widget .seg-help .seg-shortcut { font-size: 12px; margin: 2px 0; }
.seg-widget .seg-object-name { text-align: left; }
</style>"""


class Panels:
    """Build every control of ``widget`` and lay them out around the canvas.

    Parameters
    ----------
    widget : SegmentationWidget
        Read and changed through its public API only.
    edited : Signal
        The editor's edit events (panels refresh from them).
    messages : Messages
        The message line: where the controls say what they did or why they could not.

    """

    def __init__(self, widget: Any, edited: Signal[EditEvent], messages: Messages) -> None:
        guard = Guard(messages)
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
        self.contrast_limits = ContrastControl(widget, guard)
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

        self.objects = ObjectPanel(widget, edited, guard)
        # The closed sections are built when first opened: a widget that nobody opens them
        # on (each image of a dataset) costs fewer controls.
        self.sections = widgets.Accordion(
            [
                self.objects,
                LazySection(lambda: QualityPanel(widget, guard)),
                LazySection(lambda: AssistPanel(widget, guard)),
                LazySection(lambda: widgets.HTML(help_html())),
            ],
            selected_index=None,
        )
        self.sections.observe(self._on_section, "selected_index")
        self.sections.set_title(1, "Find what is missing")
        self.sections.set_title(2, "Assisted labelling")
        self.sections.set_title(3, "Keyboard shortcuts")
        # The object list is section 0: titled with the count, opened by the first object.
        self.objects.show_in(self.sections, 0)
        self.sections.add_class("seg-help")

        self.proposal_hint = ProposalHint(widget, guard)
        self.status = StatusText(widget)
        self.message = MessageLine(widget)

        self.side_panel = widgets.VBox(
            [
                widgets.HTML("<b>Classes</b>"),
                self.classes,
                self.brush_size,
                self.opacity,
                self.brightness,
                self.contrast,
                self.contrast_limits,
                self.fill_mode,
                self.fill_connectivity,
                self.sections,
            ],
            layout=widgets.Layout(width="280px", flex="0 0 280px", margin="0 0 0 8px"),
        )

    def _on_section(self, change) -> None:
        section = None if change.new is None else self.sections.children[change.new]
        if isinstance(section, LazySection):
            section.populate()

    def children(self, canvas: widgets.DOMWidget) -> list[widgets.Widget]:
        """Return the widget's children: style, toolbar, canvas and status beside the panel."""
        # The panel keeps its width and wraps below the canvas when the notebook is narrow;
        # the status line stays right under the canvas.
        view = widgets.VBox(
            [canvas, self.proposal_hint, self.status, self.message],
            layout=widgets.Layout(flex="0 0 auto"),
        )
        return [
            widgets.HTML(STYLE),
            self.toolbar,
            widgets.HBox(
                [view, self.side_panel],
                layout=widgets.Layout(flex_flow="row wrap", align_items="flex-start"),
            ),
        ]


class LazySection(widgets.VBox):
    """An accordion section whose content is built the first time it is opened."""

    def __init__(self, build: Callable[[], widgets.Widget]) -> None:
        super().__init__()
        self._build = build

    def populate(self) -> widgets.Widget:
        """Build the content if it is not built yet; return it."""
        if not self.children:
            self.children = [self._build()]
        return self.children[0]


__all__ = ["LazySection", "Panels"]
