"""Assisted labelling: the algorithms of the wand, superpixel brush, scribbles and model hook.

Every function takes the *displayed* uint8 image (grey, RGB or RGBA) and returns a proposal
for the caller to show and, if accepted, commit: a tight `BBox` and a bool footprint
(`wand_region`, `SuperpixelIndex.footprint`, `probability_proposal`) or a whole-image label
map (`scribble_proposal`). Nothing here changes a mask.
"""

from __future__ import annotations

from numbers import Real

import numpy as np

from seg_widget.core.assist_colour import MAX_LAB_DISTANCE
from seg_widget.core.assist_scribbles import (
    SCRIBBLE_METHODS,
    classifier_available,
    scribble_proposal,
)
from seg_widget.core.assist_superpixels import SuperpixelIndex, superpixel_labels
from seg_widget.core.assist_wand import wand_region
from seg_widget.core.bbox import BBox, _true_bbox
from seg_widget.core.checks import image_shape

__all__ = [
    "MAX_LAB_DISTANCE",
    "SCRIBBLE_METHODS",
    "SuperpixelIndex",
    "classifier_available",
    "probability_proposal",
    "scribble_proposal",
    "superpixel_labels",
    "wand_region",
]

_EXPECTED = "a bool mask, a float probability map in [0, 1] or an integer 0/1 mask"


def probability_proposal(
    result: np.ndarray, shape: tuple[int, int], *, threshold: float = 0.5
) -> tuple[BBox, np.ndarray] | None:
    """Check what a model callback returned and turn it into a proposal footprint.

    Accepted: a bool mask; a float probability map with values in ``[0, 1]`` (pixels
    ``>= threshold`` are in); an integer mask of 0 and 1. It must have exactly ``shape``.
    Anything else raises a ValueError whose message, meant for the user who wrote the
    callback, names ``result``, what was expected and what came.

    Parameters
    ----------
    result : ndarray
        The callback's result (anything `numpy.asarray` accepts).
    shape : tuple of int
        The image's ``(H, W)``.
    threshold : float
        In ``(0, 1]``: the probability from which a pixel is in.

    Returns
    -------
    (BBox, ndarray) or None
        The tight box of the pixels that are in and a bool array of that box's shape; None
        if no pixel is in.

    Raises
    ------
    ValueError
        If ``result`` has another shape, a dtype other than bool, float or integer, NaN or
        values outside ``[0, 1]`` (float) or other than 0 and 1 (integer); if ``shape`` or
        ``threshold`` is invalid.
    TypeError
        If ``threshold`` is not a number.

    Examples
    --------
    >>> import numpy as np
    >>> probability = np.array([[0.1, 0.7, 0.9],
    ...                         [0.2, 0.4, 0.6]])
    >>> bbox, footprint = probability_proposal(probability, (2, 3))
    >>> bbox
    BBox(row0=0, row1=2, col0=1, col1=3)
    >>> footprint
    array([[ True,  True],
           [False,  True]])
    >>> probability_proposal(np.zeros((2, 3), bool), (2, 3)) is None
    True
    >>> probability_proposal(np.ones((3, 2)), (2, 3))
    Traceback (most recent call last):
    ...
    ValueError: result: expected an array of the image's shape (2, 3); got shape (3, 2)

    """
    shape = image_shape(shape)
    if isinstance(threshold, (bool, np.bool_)) or not isinstance(threshold, Real):
        raise TypeError(f"threshold: expected a number in (0, 1]; got {type(threshold).__name__}")
    if not 0.0 < float(threshold) <= 1.0:
        raise ValueError(f"threshold: expected a number in (0, 1]; got {threshold!r}")
    mask = _mask_of(result, shape, float(threshold))
    bbox = _true_bbox(mask)
    if bbox is None:
        return None
    return bbox, np.ascontiguousarray(mask[bbox.slices])


def _mask_of(result: object, shape: tuple[int, int], threshold: float) -> np.ndarray:
    if result is None:
        raise ValueError(f"result: expected {_EXPECTED}; got None")
    try:
        array = np.asarray(result)
    except Exception as error:  # an object numpy cannot read (a GPU tensor, say)
        raise ValueError(
            f"result: expected {_EXPECTED}; got {type(result).__name__} ({error})"
        ) from None
    if array.dtype.kind not in "biuf":
        raise ValueError(f"result: expected {_EXPECTED}; got a {array.dtype} array")
    if array.shape != shape:
        hint = ""
        if array.size == shape[0] * shape[1] and array.ndim > 2:
            hint = " (squeeze the extra axes)"
        raise ValueError(
            f"result: expected an array of the image's shape {shape}; got shape {array.shape}"
            + hint
        )
    if array.dtype.kind == "b":
        return array
    if array.dtype.kind == "f":
        if np.isnan(array).any():
            raise ValueError("result: expected a probability map in [0, 1]; got NaN values")
        low, high = float(array.min()), float(array.max())
        if low < 0.0 or high > 1.0:
            raise ValueError(
                f"result: expected a probability map in [0, 1]; got values from {low:g} to "
                f"{high:g} (apply a sigmoid to logits)"
            )
        return array >= threshold
    low, high = int(array.min()), int(array.max())
    if low < 0 or high > 1:
        raise ValueError(
            f"result: expected an integer mask of 0 and 1; got values from {low} to {high}"
            + (" (use result > 0 for a 0/255 mask)" if high == 255 and low >= 0 else "")
        )
    return array == 1
