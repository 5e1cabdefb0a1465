"""Validating class-id masks supplied by the user."""

from __future__ import annotations

import numpy as np

from seg_widget.core.classes import mask_dtype


def validate_mask(
    mask: object, *, shape: tuple[int, int], n_classes: int, argument: str = "mask"
) -> np.ndarray:
    """Return ``mask`` as a new C-contiguous class-id array of dtype ``mask_dtype(n_classes)``.

    The array is always copied: the label document edits its mask in place, so keeping the
    caller's array would let every edit change it behind the caller's back (and let the
    caller's later writes bypass the undo history and the class counts). The copy is the
    only full-size allocation: the range check reads the input in place (one pass for the
    maximum, and one for the minimum of signed input), so peak memory is the input plus
    the result.

    Parameters
    ----------
    mask : array_like of int or bool
        Class id per pixel, ``0 <= id < n_classes``.
    shape : tuple of int
        Expected ``(H, W)``: the image's shape.
    n_classes : int
        Number of classes, including class 0 (unlabelled).
    argument : str
        Name used in error messages.

    Returns
    -------
    ndarray
        A new array the caller owns; the input is never modified or aliased.

    Raises
    ------
    TypeError
        If ``mask`` is not an integer or bool array.
    ValueError
        If its shape differs from ``shape`` or an id is negative or ``>= n_classes``.

    Examples
    --------
    >>> m = validate_mask([[0, 1], [2, 0]], shape=(2, 2), n_classes=3)
    >>> m.dtype, m.tolist()
    (dtype('uint8'), [[0, 1], [2, 0]])

    """
    dtype = mask_dtype(n_classes)
    try:
        array = np.asarray(mask)
    except (ValueError, TypeError) as error:
        # Ragged nested lists end up here in numpy >= 1.24.
        raise TypeError(f"{argument}: expected an integer array; got {error}") from error
    if array.dtype.kind not in "biu":
        raise TypeError(f"{argument}: expected an integer array; got {array.dtype}")
    expected = tuple(int(n) for n in shape)
    if array.shape != expected:
        got = tuple(int(n) for n in array.shape)
        raise ValueError(f"{argument}: expected shape {expected} to match the image; got {got}")
    if array.size:
        # min/max before the cast: a cast would wrap out-of-range ids into valid-looking ones.
        low = 0 if array.dtype.kind in "bu" else int(array.min())
        if low < 0:
            raise ValueError(f"{argument}: expected class ids >= 0; got minimum {low}")
        high = int(array.max())
        if high >= n_classes:
            raise ValueError(
                f"{argument}: expected class ids < {n_classes} (the number of classes); "
                f"got maximum {high}"
            )
    return array.astype(dtype, order="C", copy=True)
