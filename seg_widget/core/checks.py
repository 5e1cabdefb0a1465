"""Argument checks shared across layers: one wording for every error message."""

from __future__ import annotations

from numbers import Integral

import numpy as np


def image_shape(shape: object, argument: str = "shape") -> tuple[int, int]:
    """Return ``shape`` as ``(height, width)`` ints, or raise a ValueError naming ``argument``."""
    try:
        height, width = shape  # type: ignore[misc]
        height, width = int(height), int(width)
    except (TypeError, ValueError):
        raise ValueError(f"{argument}: expected (height, width); got {shape!r}") from None
    if height < 0 or width < 0:
        raise ValueError(f"{argument}: expected non-negative (height, width); got {shape!r}")
    return height, width


def one_of(value: object, valid: tuple[str, ...], argument: str) -> str:
    """Return ``value`` if it is one of the names ``valid``, else raise a ValueError listing them.

    >>> one_of("fill", ("brush", "fill"), "tool")
    'fill'
    """
    if not isinstance(value, str) or value not in valid:
        names = ", ".join(repr(name) for name in valid)
        raise ValueError(f"{argument}: expected one of {names}; got {value!r}")
    return value


def seed_pixel(seed_rc: object, shape: tuple[int, int], within: str = "image") -> tuple[int, int]:
    """Return ``seed_rc`` as two ints inside an array of ``shape``, or raise naming it.

    >>> seed_pixel((1, 2), (3, 3))
    (1, 2)
    """
    try:
        row, col = seed_rc  # type: ignore[misc]
    except (TypeError, ValueError):
        raise TypeError(f"seed_rc: expected (row, col) ints; got {seed_rc!r}") from None
    for value in (row, col):
        if isinstance(value, (bool, np.bool_)) or not isinstance(value, Integral):
            raise TypeError(
                f"seed_rc: expected (row, col) ints; got {type(value).__name__} in {seed_rc!r}"
            )
    height, width = shape
    if not (0 <= row < height and 0 <= col < width):
        raise ValueError(
            f"seed_rc: expected a pixel inside the {within} of shape {(height, width)}; "
            f"got ({row}, {col})"
        )
    return int(row), int(col)
