"""seg-widget: pixel-accurate segmentation labelling inside Jupyter notebooks.

>>> import seg_widget as sw
>>> w = sw.SegmentationWidget(image, classes=["unlabelled", "cat", "dog"])  # doctest: +SKIP
>>> w  # doctest: +SKIP
"""

from .core.bbox import BBox
from .core.classes import DEFAULT_PALETTE, LabelClass
from .core.instances import Instance
from .core.policy import PAINT_MODES
from .io.masks import load_mask
from .io.schema import load_schema, save_schema
from .widget import SHORTCUTS, TOOLS, SegmentationWidget
from .widget.dataset import DatasetAnnotator

__version__ = "0.1.0"

__all__ = [
    "DEFAULT_PALETTE",
    "PAINT_MODES",
    "SHORTCUTS",
    "TOOLS",
    "BBox",
    "DatasetAnnotator",
    "Instance",
    "LabelClass",
    "SegmentationWidget",
    "__version__",
    "load_mask",
    "load_schema",
    "save_schema",
]
