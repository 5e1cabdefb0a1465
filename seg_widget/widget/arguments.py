"""Checks of the widget's public arguments: one wording, the argument named, nothing changed.

Every public method checks all its arguments with these before it changes anything, so a
call that raises leaves the widget as it was. Wrong types raise `TypeError`, wrong values
`ValueError`; the message says the argument, what was expected and what was given.
"""

from __future__ import annotations

import math
import numbers
import os
from collections.abc import Iterable

import numpy as np

from ..core.assist import SCRIBBLE_METHODS, classifier_available
from ..core.checks import one_of


def class_id(value: object, n_classes: int, argument: str = "label") -> int:
    """Return ``value`` as a class id in ``[0, n_classes)``.

    >>> class_id(2, 3)
    2
    """
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{argument}: expected a class id (int); got {type(value).__name__}")
    if not 0 <= value < n_classes:
        raise ValueError(
            f"{argument}: expected a class id in [0, {n_classes}) ({n_classes} classes); "
            f"got {value}"
        )
    return int(value)


def diameter(value: object, maximum: int, argument: str = "brush_size") -> int:
    """Return ``value`` as a brush diameter in ``[1, maximum]`` image pixels.

    >>> diameter(12, 512)
    12
    """
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{argument}: expected an integer diameter; got {type(value).__name__}")
    if not 1 <= value <= maximum:
        raise ValueError(
            f"{argument}: expected a diameter in [1, {maximum}] image pixels; got {value}"
        )
    return int(value)


def flag(value: object, argument: str) -> bool:
    """Return ``value`` if it is a bool (numpy's included).

    >>> flag(True, "erase")
    True
    """
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{argument}: expected True or False; got {type(value).__name__}")
    return bool(value)


def number(value: object, argument: str, low: float, high: float) -> float:
    """Return ``value`` as a float in ``[low, high]``.

    >>> number(0.2, "tolerance", 0.0, 1.0)
    0.2
    """
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise TypeError(f"{argument}: expected a number; got {type(value).__name__}")
    value = float(value)
    if not (math.isfinite(value) and low <= value <= high):
        bounds = f" in [{low:g}, {high:g}]" if math.isfinite(high - low) else ""
        raise ValueError(f"{argument}: expected a finite number{bounds}; got {value}")
    return value


def whole_number(value: object, argument: str, low: int, high: int | None = None) -> int:
    """Return ``value`` as an int in ``[low, high]`` (no upper bound when ``high`` is None).

    >>> whole_number(64, "max_size", 1)
    64
    """
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{argument}: expected an integer; got {type(value).__name__}")
    if value < low or (high is not None and value > high):
        bound = f">= {low}" if high is None else f"in [{low}, {high}]"
        raise ValueError(f"{argument}: expected an integer {bound}; got {value}")
    return int(value)


def points(value: object, argument: str = "points", *, at_least: int = 1) -> np.ndarray:
    """Return ``value`` as an ``(N, 2)`` float array of finite pairs, ``N >= at_least``.

    >>> points([(1, 2), (3.5, 4)]).tolist()
    [[1.0, 2.0], [3.5, 4.0]]
    """
    expected = f"{argument}: expected a sequence of finite (row, col) pairs"
    if isinstance(value, (str, bytes)) or not isinstance(value, Iterable | np.ndarray):
        raise TypeError(f"{expected}; got {type(value).__name__}")
    try:
        # An array (or a list) converts at once; other iterables (generators) are listed first.
        listed = value if isinstance(value, np.ndarray | list | tuple) else list(value)
        array = np.array(listed, dtype=float)
    except (TypeError, ValueError):
        raise TypeError(f"{expected}; got {value!r:.200}") from None
    if array.size == 0:
        array = array.reshape(0, 2)
    if array.ndim != 2 or array.shape[1] != 2:
        raise ValueError(f"{expected}; got an array of shape {array.shape}")
    if not np.isfinite(array).all():
        raise ValueError(f"{expected}; got a value that is not finite")
    if len(array) < at_least:
        raise ValueError(f"{expected}, at least {at_least}; got {len(array)}")
    return array


def box(value: object, argument: str = "box_xyxy") -> tuple[float, float, float, float]:
    """Return ``value`` as four finite floats ``(x0, y0, x1, y1)``.

    >>> box((1, 2, 30, 40))
    (1.0, 2.0, 30.0, 40.0)
    """
    expected = f"{argument}: expected (x0, y0, x1, y1), four finite numbers"
    if isinstance(value, (str, bytes)) or not isinstance(value, Iterable | np.ndarray):
        raise TypeError(f"{expected}; got {type(value).__name__}")
    items = list(np.asarray(value).ravel()) if isinstance(value, np.ndarray) else list(value)
    if len(items) != 4:
        raise ValueError(f"{expected}; got {len(items)} values")
    for item in items:
        if isinstance(item, (bool, np.bool_)) or not isinstance(item, numbers.Real):
            raise TypeError(f"{expected}; got {type(item).__name__} {item!r}")
    corners = tuple(float(item) for item in items)
    if not all(math.isfinite(v) for v in corners):
        raise ValueError(f"{expected}; got {value!r}")
    return corners  # type: ignore[return-value]


def pixel(value: object, shape: tuple[int, int], argument: str = "seed") -> tuple[int, int]:
    """Return ``value`` as ``(row, col)`` ints of a pixel inside an image of ``shape``.

    >>> pixel((1, 2), (3, 3))
    (1, 2)
    """
    try:
        row, col = value  # type: ignore[misc]
    except (TypeError, ValueError):
        raise TypeError(f"{argument}: expected (row, col) ints; got {value!r}") from None
    for item in (row, col):
        if isinstance(item, (bool, np.bool_)) or not isinstance(item, numbers.Integral):
            raise TypeError(
                f"{argument}: expected (row, col) ints; got {type(item).__name__} in {value!r}"
            )
    height, width = shape
    if not (0 <= row < height and 0 <= col < width):
        raise ValueError(
            f"{argument}: expected a pixel inside the image of shape {(height, width)}; "
            f"got ({row}, {col})"
        )
    return int(row), int(col)


def path_like(value: object, argument: str) -> str:
    """Return ``value`` (a str or os.PathLike) as a str.

    >>> path_like(os.path.join("exports", "voc"), "folder") == os.path.join("exports", "voc")
    True
    """
    if not isinstance(value, (str, os.PathLike)):
        raise TypeError(f"{argument}: expected a str or os.PathLike; got {type(value).__name__}")
    return os.fsdecode(os.fspath(value))


def file_path(
    value: object, argument: str, extensions: tuple[str, ...], *, empty: bool = False
) -> str:
    """Return ``value`` as a path ending in one of ``extensions`` (or "" when ``empty``).

    >>> file_path("masks/cat.PNG", "save_path", (".png", ".npy"))
    'masks/cat.PNG'
    """
    name = path_like(value, argument)
    if empty and name == "":
        return name
    if os.path.splitext(name)[1].lower() not in extensions:
        raise ValueError(
            f"{argument}: expected a file name ending in one of {', '.join(extensions)}; "
            f"got {name!r}"
        )
    return name


def point_xy(x: object, y: object) -> tuple[float, float]:
    """Return a point's ``x`` and ``y`` as finite floats.

    >>> point_xy(1, 2.5)
    (1.0, 2.5)
    """
    return number(x, "x", -math.inf, math.inf), number(y, "y", -math.inf, math.inf)


def callback(value: object, registered: list, remove: bool) -> None:
    """Check a callback to register (a callable) or to remove (a registered one)."""
    if not callable(value):
        raise TypeError(f"callback: expected a callable; got {type(value).__name__}")
    if remove and value not in registered:
        raise ValueError(f"callback: expected a registered callback to remove; got {value!r}")


def scribble_method(value: object, argument: str) -> str:
    """Return ``value`` if it is a scribble method usable here (scikit-learn for "classifier").

    >>> scribble_method("watershed", "method")
    'watershed'
    """
    method = one_of(value, SCRIBBLE_METHODS, argument)
    if method == "classifier" and not classifier_available():
        raise ValueError(f"{argument}: 'classifier' needs scikit-learn: pip install scikit-learn")
    return method


__all__ = [
    "box",
    "callback",
    "class_id",
    "diameter",
    "file_path",
    "flag",
    "number",
    "pixel",
    "point_xy",
    "points",
    "scribble_method",
    "whole_number",
]
