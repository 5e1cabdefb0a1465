"""Toolbar, class list, sliders, help and status line around the canvas.

Every control is linked to a widget trait, so the toolbar and Python are two
views of one state: setting ``w.tool = "eraser"`` presses the eraser button and
pressing it sets ``w.tool``.
"""

from __future__ import annotations

import html
from typing import TYPE_CHECKING

import ipywidgets as widgets

from .assist_panel import AssistPanel
from .object_panel import ObjectPanel
from .quality_panel import QualityPanel
from .shortcuts import SHORTCUTS

if TYPE_CHECKING:
    from .segmentation_widget import SegmentationWidget

_TOOL_BUTTONS = (
    # (tool, Font Awesome 4.7 icon, tooltip)
    ("brush", "paint-brush", "Brush (B)"),
    ("eraser", "eraser", "Eraser (E)"),
    ("lasso", "pencil", "Lasso: drag a freehand outline, release to fill (O)"),
    (
        "polygon",
        "share-alt",
        "Polygon: click vertices; click the first one, double-click or Enter (P)",
    ),
    ("fill", "tint", "Fill the connected region under the click (F)"),
    ("wand", "magic", "Magic wand: propose the similar-colour region under the click (W)"),
    ("superpixel", "th", "Superpixel brush: propose whole superpixels, snapping to edges (S)"),
    ("scribble", "pencil-square-o", "Scribble classes, then Enter proposes a labelling (C)"),
    ("prompt", "hand-pointer-o", "Prompt your model: click points, drag a box (A)"),
    ("pick", "eyedropper", "Pick a class from the image, then return to the tool (L)"),
    ("pan", "arrows", "Pan: drag to move the view (H)"),
)

# Crisp pixels when the browser scales the canvas (high-DPI screens), and a
# cursor that does not hide the brush outline.
_STYLE = """<style>
.seg-widget-canvas { image-rendering: pixelated; cursor: crosshair; outline: none; }
.seg-widget .seg-class-list { max-height: 320px; overflow-y: auto; }
.seg-widget .seg-status { font-family: monospace; font-size: 12px; }
.seg-widget .seg-help table { font-size: 12px; border-collapse: collapse; }
.seg-widget .seg-help td { padding: 1px 8px 1px 0; }
</style>"""


class Controls:
    """Build the controls of ``widget`` and keep them in step with its traits."""

    def __init__(self, widget: SegmentationWidget) -> None:
        self.widget = widget
        layout = widgets.Layout(width="auto")

        self.tools = widgets.ToggleButtons(
            # ipywidgets draws the icon right after the text: a no-break space keeps them apart.
            options=[(f"{tool.capitalize()}\u00a0", tool) for tool, _, _ in _TOOL_BUTTONS],
            icons=[icon for _, icon, _ in _TOOL_BUTTONS],
            tooltips=[tip for _, _, tip in _TOOL_BUTTONS],
            style=widgets.ToggleButtonsStyle(button_width="auto"),
        )
        widgets.link((widget, "tool"), (self.tools, "value"))

        self.undo_button = widgets.Button(icon="undo", tooltip="Undo (Ctrl+Z)", layout=_narrow())
        self.redo_button = widgets.Button(icon="repeat", tooltip="Redo (Ctrl+Y)", layout=_narrow())
        self.undo_button.on_click(lambda _: widget.undo())
        self.redo_button.on_click(lambda _: widget.redo())
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
            button.on_click(lambda _, action=action: action())
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

        self.erase = widgets.ToggleButton(
            description="Erase",
            icon="minus-square",
            tooltip="Lasso, polygon and fill erase instead of paint (X)",
            layout=_narrow("80px"),
        )
        widgets.link((widget, "erase"), (self.erase, "value"))

        self.toolbar = widgets.HBox(
            [
                self.tools,
                self.erase,
                _gap(),
                self.undo_button,
                self.redo_button,
                _gap(),
                *zoom_buttons,
                _gap(),
                self.paint_mode,
            ],
            layout=widgets.Layout(flex_flow="row wrap", align_items="center"),
        )

        self.class_buttons = [self._class_button(i) for i in range(len(widget.classes))]
        self.class_list = widgets.VBox(self.class_buttons)
        self.class_list.add_class("seg-class-list")
        widget.observe(self._show_selected_class, "label")
        self._show_selected_class()

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

        self.objects = ObjectPanel(widget)
        self.quality = QualityPanel(widget)
        self.assist = AssistPanel(widget)
        self.help = widgets.Accordion(
            [self.objects.box, self.quality.box, self.assist.box, widgets.HTML(_help_html())],
            selected_index=None,
        )
        self.help.set_title(1, "Find what is missing")
        self.help.set_title(2, "Assisted labelling")
        self.help.set_title(3, "Keyboard shortcuts")
        # The object list is section 0: titled with the count, opened by the first object.
        self.objects.show_in(self.help, 0)
        self.help.add_class("seg-help")

        self.status = widgets.HTML()
        self.status.add_class("seg-status")
        widgets.dlink((widget, "status"), (self.status, "value"), html.escape)

        self.side_panel = widgets.VBox(
            [
                widgets.HTML("<b>Classes</b>"),
                self.class_list,
                self.brush_size,
                self.opacity,
                self.brightness,
                self.contrast,
                self.fill_mode,
                self.fill_connectivity,
                self.help,
            ],
            layout=widgets.Layout(width="280px", flex="0 0 280px", margin="0 0 0 8px"),
        )

    def layout_children(self, canvas: widgets.DOMWidget) -> list[widgets.Widget]:
        """Return the widget's children: style, toolbar, canvas and status beside the panel."""
        # The panel keeps its width and wraps below the canvas when the notebook is narrow;
        # the status line stays right under the canvas.
        view = widgets.VBox([canvas, self.status], layout=widgets.Layout(flex="0 0 auto"))
        return [
            widgets.HTML(_STYLE),
            self.toolbar,
            widgets.HBox(
                [view, self.side_panel],
                layout=widgets.Layout(flex_flow="row wrap", align_items="flex-start"),
            ),
        ]

    def _class_button(self, class_id: int) -> widgets.Button:
        label_class = self.widget.classes[class_id]
        red, green, blue = label_class.color
        button = widgets.Button(
            description=f"{class_id}: {label_class.name}",
            tooltip=f"Select class {class_id} ({label_class.name})",
            layout=widgets.Layout(width="auto", justify_content="flex-start"),
        )
        if class_id == 0:
            button.style.button_color = "#f4f4f4"
            button.style.text_color = "#222222"
        else:
            button.style.button_color = f"#{red:02x}{green:02x}{blue:02x}"
            # Dark text on light colours, light text on dark ones.
            luminance = 0.299 * red + 0.587 * green + 0.114 * blue
            button.style.text_color = "#111111" if luminance > 150 else "#ffffff"
        button.on_click(lambda _: setattr(self.widget, "label", class_id))
        return button

    def show_class_counts(self, counts) -> None:
        """Show each class' share of the image on its button."""
        total = max(int(counts.sum()), 1)
        for class_id, button in enumerate(self.class_buttons):
            name = self.widget.classes[class_id].name
            share = 100 * int(counts[class_id]) / total
            button.description = f"{class_id}: {name} · {share:.1f}%"

    def _show_selected_class(self, change=None) -> None:
        for class_id, button in enumerate(self.class_buttons):
            selected = class_id == self.widget.label
            button.icon = "check" if selected else ""
            button.style.font_weight = "bold" if selected else "normal"


def _narrow(width: str = "36px") -> widgets.Layout:
    return widgets.Layout(width=width, padding="0")


def _gap() -> widgets.Box:
    return widgets.Box(layout=widgets.Layout(width="12px"))


def _help_html() -> str:
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
