"""Argument checks shared across layers: one wording for every error message."""

from __future__ import annotations


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
