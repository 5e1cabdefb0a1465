"""Pure numpy core of seg-widget: classes, images, masks, brush rasterising, edits and undo.

Also the prompt-model protocol and its session (`prompt_model`, `model_session`).

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
from seg_widget.core.image_keys import array_key, file_key
from seg_widget.core.instances import Instance, InstanceLayer
from seg_widget.core.labels import validate_mask
from seg_widget.core.model_session import ModelSession, Prediction, Preparation
from seg_widget.core.model_watershed import WatershedPromptModel
from seg_widget.core.policy import PAINT_MODES, brush_rule, validate_paint_mode
from seg_widget.core.prompt_model import FunctionModel, Prompt, PromptModel, as_prompt_model
from seg_widget.core.raster import brush_footprint, brush_pieces, pixel_center
from seg_widget.core.state_cache import StateCache

__all__ = [
    "DEFAULT_PALETTE",
    "PAINT_MODES",
    "BBox",
    "FunctionModel",
    "History",
    "Instance",
    "InstanceLayer",
    "LabelClass",
    "LabelDocument",
    "ModelSession",
    "Prediction",
    "Preparation",
    "Prompt",
    "PromptModel",
    "RegionDiff",
    "StateCache",
    "WatershedPromptModel",
    "array_key",
    "as_prompt_model",
    "brush_footprint",
    "brush_pieces",
    "brush_rule",
    "class_mask",
    "file_key",
    "load_image",
    "mask_dtype",
    "normalize_classes",
    "parse_color",
    "pixel_center",
    "validate_mask",
    "validate_paint_mode",
]
