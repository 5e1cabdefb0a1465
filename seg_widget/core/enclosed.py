"""Fill what a region encloses: the holes of a wand proposal."""

from __future__ import annotations

import numpy as np
from scipy import ndimage


def fill_enclosed(footprint: np.ndarray) -> np.ndarray:
    """Return ``footprint`` with every pixel it encloses set (its holes filled).

    A False pixel is enclosed when it cannot reach the array's border through
    edge-connected False pixels. Cost O(footprint).

    Examples
    --------
    >>> ring = np.ones((3, 3), bool)
    >>> ring[1, 1] = False
    >>> bool(fill_enclosed(ring).all())
    True

    """
    if not isinstance(footprint, np.ndarray) or footprint.dtype != np.bool_ or footprint.ndim != 2:
        got = getattr(footprint, "dtype", type(footprint).__name__)
        raise TypeError(f"footprint: expected a 2-D bool array; got {got}")
    return ndimage.binary_fill_holes(footprint)


__all__ = ["fill_enclosed"]
