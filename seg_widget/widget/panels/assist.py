"""The "Assisted labelling" panel: wand, superpixel and scribble settings, accept / reject."""

from __future__ import annotations

from typing import Any

import ipywidgets as widgets

from ...core.assist import SCRIBBLE_METHODS, classifier_available
from .guard import Guard


class AssistPanel(widgets.VBox):
    """Controls of the assisted tools."""

    def __init__(self, widget: Any, guard: Guard) -> None:
        wide = widgets.Layout(width="auto")
        label_width = {"description_width": "90px"}

        self.tolerance = widgets.FloatSlider(
            min=0,
            max=0.5,
            step=0.01,
            description="Wand tolerance",
            tooltip="Magic wand: colour distance still in the region",
            layout=wide,
            style=label_width,
        )
        widgets.link((widget, "wand_tolerance"), (self.tolerance, "value"))
        self.fill_holes = widgets.Checkbox(
            description="Wand fills holes",
            indent=False,
            tooltip="The magic wand also proposes the pixels its region encloses",
            layout=wide,
        )
        widgets.link((widget, "wand_fill_holes"), (self.fill_holes, "value"))
        self.keep_labelled = widgets.Checkbox(
            description="Scribble proposals keep labelled pixels",
            indent=False,
            tooltip="Accepting a whole-image proposal changes only unlabelled pixels",
            layout=wide,
        )
        widgets.link((widget, "keep_labelled"), (self.keep_labelled, "value"))
        self.segments = widgets.BoundedIntText(
            min=2, max=10**6, description="Superpixels", layout=wide, style=label_width
        )
        widgets.link((widget, "superpixel_segments"), (self.segments, "value"))
        self.compactness = widgets.BoundedFloatText(
            min=0.01, max=1000, description="Compactness", layout=wide, style=label_width
        )
        widgets.link((widget, "superpixel_compactness"), (self.compactness, "value"))

        methods = [m for m in SCRIBBLE_METHODS if m != "classifier" or classifier_available()]
        self.method = widgets.Dropdown(
            options=methods, description="Scribbles →", layout=wide, style=label_width
        )
        widgets.link((widget, "scribble_method"), (self.method, "value"))
        note = (
            ""
            if classifier_available()
            else (
                "<small>The trainable classifier needs scikit-learn: "
                "<code>pip install scikit-learn</code></small>"
            )
        )
        self.negative = widgets.ToggleButton(
            description="Negative points", icon="minus-circle", tooltip="Prompt tool (N)"
        )
        widgets.link((widget, "prompt_negative"), (self.negative, "value"))

        buttons = []
        for text, tooltip, action in (
            (
                "Propose",
                "A whole-image proposal from the scribbles (Enter)",
                widget.propose_from_scribbles,
            ),
            ("Accept", "Commit the proposal: one undo step (Enter)", widget.accept_proposal),
            ("Reject", "Drop the proposal and scribbles (Escape)", widget.reject_proposal),
        ):
            button = widgets.Button(
                description=text, tooltip=tooltip, layout=widgets.Layout(flex="0 0 auto")
            )
            button.on_click(guard.on_click(action))
            buttons.append(button)

        super().__init__(
            [
                self.tolerance,
                self.fill_holes,
                self.segments,
                self.compactness,
                self.method,
                self.keep_labelled,
                widgets.HTML(note),
                self.negative,
                widgets.HBox(buttons, layout=widgets.Layout(flex_flow="row wrap")),
            ]
        )


__all__ = ["AssistPanel"]
