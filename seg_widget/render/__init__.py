"""Pure rendering helpers: display mapping, colours, PNG, the viewport, and big-image tiles.

Tiles: pyramid levels, label tiles, the browser's tile cache model and message packing.

Nothing here imports ipywidgets or ipycanvas; the widget layer sends what these functions
compute.
"""

from .browser_cache import BrowserTileCache, Placement
from .display import band_rows, contrast_limits, to_display
from .image_pyramid import ImagePyramid, reduce_2x2
from .label_tiles import LabelTiles
from .lru import ByteLRU
from .messages import MAX_MESSAGE_BYTES, Message, pack_messages
from .overlay import LabelRuns, color_lut, colorize, label_runs, run_count
from .png import encode_png
from .tiles import DirtyTile, TileGrid, TileKey, sample_indices
from .viewport import Viewport

__all__ = [
    "MAX_MESSAGE_BYTES",
    "BrowserTileCache",
    "ByteLRU",
    "DirtyTile",
    "ImagePyramid",
    "LabelRuns",
    "LabelTiles",
    "Message",
    "Placement",
    "TileGrid",
    "TileKey",
    "Viewport",
    "band_rows",
    "color_lut",
    "colorize",
    "contrast_limits",
    "encode_png",
    "label_runs",
    "pack_messages",
    "reduce_2x2",
    "run_count",
    "sample_indices",
    "to_display",
]
