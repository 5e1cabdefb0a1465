"""The contrast-limits control: a range slider over the image's values, *Auto* and *Min–max*.

It shows and sets ``w.contrast_limits`` (the image values drawn black and white), for
8-bit, 16-bit, other integer and float images alike: an integer slider for integer images,
a float one otherwise, spanning the image's finite values. *Auto* sets robust percentile
limits (``w.auto_contrast()``), *Min–max* the whole range. Each change maps the image again
in the kernel, so the slider reports only when released.
"""

from __future__ import annotations

import math
from typing import Any

import ipywidgets as widgets

from ...render.display import contrast_limits
from .guard import Guard


class ContrastControl(widgets.VBox):
    """A range slider linked to ``w.contrast_limits``, with Auto and Min–max buttons."""

    def __init__(self, widget: Any, guard: Guard) -> None:
        self._widget = widget
        self._guard = guard
        self._syncing = False
        image = widget.image
        self.integer = image.dtype.kind in "biu"
        #: The image's own range (min..max of the finite values; 0..255 for 8-bit).
        self.data_range = contrast_limits(image)
        common = {
            "description": "Limits",
            "tooltip": "Image values shown as black and white (contrast limits)",
            "continuous_update": False,
            "layout": widgets.Layout(width="auto"),
        }
        if self.integer:
            self.slider = widgets.IntRangeSlider(**common)
        else:
            low, high = self.data_range
            self.slider = widgets.FloatRangeSlider(
                step=(high - low) / 1000, readout_format=".4g", **common
            )
        self.slider.add_class("seg-contrast-limits")
        self._show(widget.contrast_limits)
        self.slider.observe(self._on_slider, "value")
        widget.observe(lambda change: self._show(change.new), "contrast_limits")

        auto = widgets.Button(
            description="Auto",
            tooltip="Limits from the 0.5th and 99.5th percentiles of the image values",
            layout=widgets.Layout(width="auto", flex="0 0 auto"),
        )
        auto.on_click(guard.on_click(widget.auto_contrast))
        full = widgets.Button(
            description="Min–max",
            tooltip="Limits from the smallest and largest image values",
            layout=widgets.Layout(width="auto", flex="0 0 auto"),
        )
        full.on_click(guard.on_click(self.show_full_range))
        self.auto, self.full = auto, full
        super().__init__([self.slider, widgets.HBox([auto, full])])
        self.add_class("seg-contrast")

    def show_full_range(self) -> None:
        """Set the limits to the image's smallest and largest values."""
        self._widget.contrast_limits = self.data_range

    def _on_slider(self, change) -> None:
        if self._syncing:
            return
        low, high = change.new
        if not self._guard.run(setattr, self._widget, "contrast_limits", (low, high)):
            self._show(self._widget.contrast_limits)  # show the limits in force again

    def _show(self, limits: tuple[float, float]) -> None:
        """Show ``limits``, widening the slider's range to hold them."""
        low, high = limits
        data_low, data_high = self.data_range
        if self.integer:
            low, high = math.floor(low), math.ceil(high)
            bounds = (min(math.floor(data_low), low), max(math.ceil(data_high), high))
        else:
            bounds = (min(data_low, low), max(data_high, high))
        self._syncing = True
        try:
            slider = self.slider
            # Widen first so the new value always fits.
            slider.max = max(slider.max, bounds[1])
            slider.min = min(slider.min, bounds[0])
            slider.value = (low, high)
            slider.min, slider.max = bounds
        finally:
            self._syncing = False


__all__ = ["ContrastControl"]
