"""The class list: one button per class, its share of the image, the selected one ticked."""

from __future__ import annotations

from typing import Any

import ipywidgets as widgets

from ..editor import EditEvent
from ..signals import Signal


class ClassList(widgets.VBox):
    """Buttons selecting ``w.label``; each shows its class' share, updated after every edit."""

    def __init__(self, widget: Any, edited: Signal[EditEvent]) -> None:
        self._widget = widget
        self.buttons = [self._button(i) for i in range(len(widget.classes))]
        super().__init__(self.buttons)
        self.add_class("seg-class-list")
        widget.observe(self._show_selected, "label")
        edited.connect(self._on_edit)
        self._show_selected()
        self.show_counts()

    def show_counts(self) -> None:
        """Show each class' share of the image on its button."""
        counts = self._widget.class_counts
        total = max(int(counts.sum()), 1)
        for class_id, button in enumerate(self.buttons):
            name = self._widget.classes[class_id].name
            share = 100 * int(counts[class_id]) / total
            button.description = f"{class_id}: {name} · {share:.1f}%"

    def _on_edit(self, event: EditEvent) -> None:
        if event.settled:
            self.show_counts()

    def _button(self, class_id: int) -> widgets.Button:
        label_class = self._widget.classes[class_id]
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
        button.on_click(lambda _: setattr(self._widget, "label", class_id))
        return button

    def _show_selected(self, change=None) -> None:
        for class_id, button in enumerate(self.buttons):
            selected = class_id == self._widget.label
            button.icon = "check" if selected else ""
            button.style.font_weight = "bold" if selected else "normal"


__all__ = ["ClassList"]
