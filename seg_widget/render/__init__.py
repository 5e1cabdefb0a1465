"""Pure rendering helpers: display mapping, colour overlays, PNG encoding and the viewport.

Nothing here imports ipywidgets or ipycanvas; the widget layer sends what these functions
compute.
"""

from .display import band_rows, contrast_limits, to_display
from .overlay import LabelRuns, color_lut, colorize, label_runs, run_count
from .png import encode_png
from .viewport import Viewport

__all__ = [
    "LabelRuns",
    "Viewport",
    "band_rows",
    "color_lut",
    "colorize",
    "contrast_limits",
    "encode_png",
    "label_runs",
    "run_count",
    "to_display",
]
