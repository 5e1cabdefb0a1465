"""How big the canvas is: fitted to the width the page offers, or as the user asked.

The front-end layer reports the width the notebook gives the widget and the window's height
(CSS pixels) and the device pixel ratio; the view sizes the canvas from them on first display
and whenever they change (a sidebar opened, the window narrowed). Pure arithmetic, tested alone.
"""

from __future__ import annotations

import math

#: Width of the side panel beside the canvas, margin included (CSS px).
SIDE_PANEL_WIDTH = 288
#: The side panel stays beside the canvas while the canvas keeps at least this width.
MIN_CANVAS_BESIDE_PANEL = 420
#: Share of the window's height the canvas may take (the toolbar and status line need room).
MAX_HEIGHT_SHARE = 0.75
#: The canvas is never smaller than this on either side (CSS px).
MIN_SIDE = 160
#: Before the browser reports its size: the image fitted into this (CSS px).
DEFAULT_VIEW_SIZE = (800, 600)
#: Largest canvas accepted, in device pixels (Chrome's limit is ~268 M; a view never needs it).
MAX_CANVAS_PIXELS = 8192 * 8192


def fit_image(shape: tuple[int, int], box: tuple[float, float]) -> tuple[int, int]:
    """Return the CSS size of ``shape`` scaled to fit ``box`` (sides >= 16).

    >>> fit_image((100, 200), (800, 600))
    (800, 400)
    """
    height, width = shape
    scale = min(box[0] / width, box[1] / height)
    return max(16, round(width * scale)), max(16, round(height * scale))


def canvas_css_size(
    shape: tuple[int, int], page_width: float, window_height: float
) -> tuple[int, int]:
    """Size the canvas for the page: the offered width, the panel beside it if there is room.

    The canvas takes the width left by the side panel (or the whole width when that would
    leave it narrower than `MIN_CANVAS_BESIDE_PANEL`, and the panel wraps below), at most
    `MAX_HEIGHT_SHARE` of the window's height, hugging the image's aspect ratio.

    >>> canvas_css_size((1000, 1000), 1400, 900)
    (675, 675)
    >>> canvas_css_size((500, 1000), 1400, 900)
    (1108, 554)
    >>> canvas_css_size((500, 1000), 600, 900)   # narrow: the panel goes below
    (596, 298)
    """
    page_width = max(float(page_width), MIN_SIDE)
    beside = page_width - SIDE_PANEL_WIDTH
    available = beside if beside >= MIN_CANVAS_BESIDE_PANEL else page_width
    available = max(MIN_SIDE, math.floor(available) - 4)  # a little slack against rounding
    max_height = max(MIN_SIDE, MAX_HEIGHT_SHARE * float(window_height))
    return fit_image(shape, (available, max_height))


def device_size(css_size: tuple[int, int], pixel_ratio: float) -> tuple[int, int]:
    """Canvas (device) pixels of a CSS size at ``pixel_ratio``, refused beyond the limit.

    >>> device_size((400, 300), 2.0)
    (800, 600)
    """
    width, height = round(css_size[0] * pixel_ratio), round(css_size[1] * pixel_ratio)
    if width * height > MAX_CANVAS_PIXELS:
        raise ValueError(
            f"canvas: expected at most {MAX_CANVAS_PIXELS:,} device pixels "
            f"(width x height x pixel_ratio²); got {width} x {height} = {width * height:,}"
        )
    return width, height


__all__ = [
    "DEFAULT_VIEW_SIZE",
    "MAX_CANVAS_PIXELS",
    "canvas_css_size",
    "device_size",
    "fit_image",
]
