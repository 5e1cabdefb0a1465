"""ipycanvas + ipywidgets glue: the widget facade, its collaborators, tools and panels."""

from .keymap import SHORTCUTS
from .segmentation_widget import SegmentationWidget
from .tools import TOOLS

__all__ = ["SHORTCUTS", "TOOLS", "SegmentationWidget"]
