"""ipycanvas + ipywidgets glue: canvases, event routing, toolbar, shortcuts."""

from .segmentation_widget import TOOLS, SegmentationWidget
from .shortcuts import SHORTCUTS

__all__ = ["SHORTCUTS", "TOOLS", "SegmentationWidget"]
