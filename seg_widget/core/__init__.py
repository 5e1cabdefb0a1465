"""Pure numpy core of seg-widget: classes, images, masks, brush rasterising, edits and undo.

Nothing here imports ipywidgets or ipycanvas; every edit costs O(its footprint) and returns
the dirty region as a `BBox`.
"""

from seg_widget.core.bbox import BBox
from seg_widget.core.classes import (
    DEFAULT_PALETTE,
    LabelClass,
    mask_dtype,
    normalize_classes,
    parse_color,
)
from seg_widget.core.document import LabelDocument
from seg_widget.core.hierarchy import class_mask
from seg_widget.core.history import History, RegionDiff
from seg_widget.core.image import load_image
from seg_widget.core.instances import Instance, InstanceLayer
from seg_widget.core.labels import validate_mask
from seg_widget.core.policy import PAINT_MODES, brush_rule, validate_paint_mode
from seg_widget.core.raster import brush_footprint, pixel_center

__all__ = [
    "DEFAULT_PALETTE",
    "PAINT_MODES",
    "BBox",
    "History",
    "Instance",
    "InstanceLayer",
    "LabelClass",
    "LabelDocument",
    "RegionDiff",
    "brush_footprint",
    "brush_rule",
    "class_mask",
    "load_image",
    "mask_dtype",
    "normalize_classes",
    "parse_color",
    "pixel_center",
    "validate_mask",
    "validate_paint_mode",
]
