"""Decoding and validating the input layer's messages from the browser.

Everything here distrusts its input: a message is a dict from a web page. A field of the wrong
type or out of range raises TypeError/ValueError naming it; `InputLayer` logs the error and
drops the message, so nothing raises into ipywidgets.
"""

from __future__ import annotations

import math
from numbers import Real

import numpy as np

from .pointer import POINTER_KINDS, KeyEvent, PointerEvent, WheelEvent

#: Largest number of pointer events accepted in one batch.
MAX_BATCH_EVENTS = 10_000
#: Largest |coordinate| accepted, in canvas px (a release far outside the canvas is fine).
MAX_COORDINATE = 1e7
#: The fields of one pointer event on the wire.
_FIELDS = ("kind", "x", "y", "button", "buttons", "modifiers", "time_ms", "clicks")


def decode_pointer_batch(content: dict) -> tuple[int, list[PointerEvent]]:
    """Return ``(batch, events)`` of a ``pointer`` message, or raise ValueError/TypeError."""
    batch = _int(content.get("batch"), "batch", 0, 2**53)
    records = content.get("events")
    if not isinstance(records, list) or not 0 < len(records) <= MAX_BATCH_EVENTS:
        raise ValueError(f"events: expected a list of 1 to {MAX_BATCH_EVENTS} events")
    events = []
    for record in records:
        if not isinstance(record, list) or len(record) != len(_FIELDS):
            raise ValueError(f"events: expected {len(_FIELDS)} fields, got {record!r:.80}")
        kind, x, y, button, buttons, modifiers, time_ms, clicks = record
        if kind not in POINTER_KINDS:
            raise ValueError(f"kind: expected one of {POINTER_KINDS}, got {kind!r:.40}")
        modifiers = _int(modifiers, "modifiers", 0, 15)
        events.append(
            PointerEvent(  # every field, in order: positional is cheaper per event
                kind,
                _number(x, "x", MAX_COORDINATE),
                _number(y, "y", MAX_COORDINATE),
                _int(button, "button", -1, 4),
                _int(buttons, "buttons", 0, 31),
                modifiers & 1 != 0,
                modifiers & 2 != 0,
                modifiers & 4 != 0,
                modifiers & 8 != 0,
                _number(time_ms, "time_ms", 1e15),
                batch,
                _int(clicks, "clicks", 0, 1000),
            )
        )
    return batch, events


def decode_key(content: dict) -> KeyEvent:
    """Return the `KeyEvent` of a ``key`` message, or raise ValueError/TypeError."""
    key = content.get("key")
    if not isinstance(key, str) or not 0 < len(key) <= 40:
        raise ValueError(f"key: expected a KeyboardEvent.key name, got {key!r:.60}")
    down = content.get("down")
    if not isinstance(down, bool):
        raise TypeError(f"down: expected a bool, got {type(down).__name__}")
    modifiers = _int(content.get("modifiers"), "modifiers", 0, 15)
    shift, ctrl, alt, meta = (bool(modifiers & bit) for bit in (1, 2, 4, 8))
    return KeyEvent(key, down, shift, ctrl, alt, meta)


def decode_wheel(content: dict) -> WheelEvent:
    """Return the `WheelEvent` of a ``wheel`` message, or raise ValueError/TypeError."""
    modifiers = _int(content.get("modifiers"), "modifiers", 0, 15)
    return WheelEvent(
        _number(content.get("x"), "x", MAX_COORDINATE),
        _number(content.get("y"), "y", MAX_COORDINATE),
        _number(content.get("dx"), "dx", 1e6),
        _number(content.get("dy"), "dy", 1e6),
        ctrl=bool(modifiers & 2) or bool(modifiers & 8),
    )


def decode_size(content: dict) -> tuple[float, float, float]:
    """Return ``(css_width, css_height, device_pixel_ratio)`` of a ``ready``/``resize``."""
    return (
        _number(content.get("css_width"), "css_width", 1e6, minimum=0),
        _number(content.get("css_height"), "css_height", 1e6, minimum=0),
        _number(content.get("device_pixel_ratio"), "device_pixel_ratio", 16, minimum=1e-3),
    )


def _number(value: object, name: str, limit: float, *, minimum: float | None = None) -> float:
    # JSON numbers arrive as float or int: checked by type first (no abstract-class check).
    if type(value) is not float and type(value) is not int:
        if isinstance(value, bool) or not isinstance(value, Real):
            raise TypeError(f"{name}: expected a number, got {type(value).__name__}")
    value = float(value)
    low = -limit if minimum is None else minimum
    if not (math.isfinite(value) and low <= value <= limit):
        raise ValueError(f"{name}: expected a finite number in [{low:g}, {limit:g}], got {value}")
    return value


def _int(value: object, name: str, low: int, high: int) -> int:
    if type(value) is int and low <= value <= high:  # JSON's case: no abstract-class check
        return value
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{name}: expected an int, got {type(value).__name__}")
    if not low <= value <= high:
        raise ValueError(f"{name}: expected an int in [{low}, {high}], got {value}")
    return int(value)


__all__ = ["decode_key", "decode_pointer_batch", "decode_size", "decode_wheel"]
