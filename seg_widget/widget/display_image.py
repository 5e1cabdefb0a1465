"""The image as loaded and as shown: window/level (contrast limits) and the uint8 display.

The view sends the display image to the browser; the assisted tools compare colours as
displayed. Both read it from here, so it is mapped once per change of the limits.
"""

from __future__ import annotations

import numpy as np

from ..render.display import auto_limits, contrast_limits, to_display


class DisplayImage:
    """Hold an image, its contrast limits and its uint8 display mapping (computed lazily).

    Parameters
    ----------
    image : ndarray
        The loaded image (``core.image.load_image``): grey, RGB or RGBA, any dtype.

    """

    def __init__(self, image: np.ndarray) -> None:
        self.image = image
        # 8-bit images show as they are; others start from robust percentiles.
        plain = image.dtype in (np.uint8, np.bool_)
        self._limits = contrast_limits(image) if plain else auto_limits(image)
        self._pixels: np.ndarray | None = None

    @property
    def limits(self) -> tuple[float, float]:
        """Image values shown as black and white: ``(low, high)``."""
        return self._limits

    def set_limits(self, value: tuple[float, float]) -> None:
        """Use new limits (validated by ``to_display``); the image is mapped when next read."""
        to_display(self.image[:1, :1], value)  # validates; O(1), not O(image)
        self._limits = (float(value[0]), float(value[1]))
        self._pixels = None

    @property
    def pixels(self) -> np.ndarray:
        """The image as shown: uint8, after the contrast limits (computed once)."""
        if self._pixels is None:
            self._pixels = to_display(self.image, self._limits)
        return self._pixels


__all__ = ["DisplayImage"]
