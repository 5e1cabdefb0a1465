"""Trait types that accept what users naturally pass (numpy scalars included)."""

from __future__ import annotations

import numbers
import os

from traitlets import Float, Int, TraitError, Unicode


class TraitTypeError(TraitError, TypeError):
    """A trait given a value of the wrong type: both a `TraitError` and a `TypeError`."""


class Integral(Int):
    """An ``Int`` trait that also accepts numpy integers, but never bools or floats."""

    def validate(self, obj, value):  # noqa: D102 - traitlets hook
        if isinstance(value, numbers.Integral) and not isinstance(value, bool):
            return super().validate(obj, int(value))
        raise TraitTypeError(
            f"{self.name}: expected an integer; got {type(value).__name__} {value!r}"
        )


class Real(Float):
    """A ``Float`` trait that accepts any finite real number (numpy ones included)."""

    def validate(self, obj, value):  # noqa: D102 - traitlets hook
        if isinstance(value, numbers.Real) and not isinstance(value, bool):
            value = float(value)
            if value == value and abs(value) != float("inf"):
                return super().validate(obj, value)
        raise TraitTypeError(
            f"{self.name}: expected a finite number; got {type(value).__name__} {value!r}"
        )


class PathText(Unicode):
    """A ``Unicode`` trait holding a file path; ``os.PathLike`` values are accepted."""

    def validate(self, obj, value):  # noqa: D102 - traitlets hook
        if isinstance(value, os.PathLike):
            value = os.fsdecode(os.fspath(value))
        if not isinstance(value, str):
            raise TraitTypeError(
                f"{self.name}: expected a str or os.PathLike; got {type(value).__name__}"
            )
        return super().validate(obj, value)


def in_range(value: float, name: str, low: float, high: float) -> float:
    """Return ``value`` if ``low <= value <= high``, else raise naming ``name``.

    >>> in_range(0.5, "opacity", 0.0, 1.0)
    0.5
    """
    if not low <= value <= high:
        raise ValueError(f"{name}: expected a number in [{low:g}, {high:g}]; got {value:g}")
    return value
