"""Trait types that accept what users naturally pass (numpy scalars included)."""

from __future__ import annotations

import numbers
import os

import numpy as np
from traitlets import Bool, Float, Int, TraitError, Tuple, Unicode


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


class Text(Unicode):
    """A ``Unicode`` trait whose wrong-type error is a `TypeError` naming the trait."""

    def validate(self, obj, value):  # noqa: D102 - traitlets hook
        if not isinstance(value, str):
            raise TraitTypeError(f"{self.name}: expected a str; got {type(value).__name__}")
        return super().validate(obj, value)


class Flag(Bool):
    """A ``Bool`` trait that accepts numpy bools and refuses anything else with a TypeError."""

    def validate(self, obj, value):  # noqa: D102 - traitlets hook
        if not isinstance(value, (bool, np.bool_)):
            raise TraitTypeError(
                f"{self.name}: expected True or False; got {type(value).__name__} {value!r}"
            )
        return bool(value)


class Values(Tuple):
    """A ``Tuple`` trait that takes any list, tuple or 1-D array (checked by the owner)."""

    def validate(self, obj, value):  # noqa: D102 - traitlets hook
        if isinstance(value, (list, np.ndarray)):
            value = tuple(value.tolist() if isinstance(value, np.ndarray) else value)
        if not isinstance(value, tuple):
            raise TraitTypeError(
                f"{self.name}: expected a tuple or list; got {type(value).__name__}"
            )
        return value


def in_range(value: float, name: str, low: float, high: float) -> float:
    """Return ``value`` if ``low <= value <= high``, else raise naming ``name``.

    >>> in_range(0.5, "opacity", 0.0, 1.0)
    0.5
    """
    if not low <= value <= high:
        raise ValueError(f"{name}: expected a number in [{low:g}, {high:g}]; got {value:g}")
    return value
