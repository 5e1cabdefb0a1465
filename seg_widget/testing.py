"""Helpers to drive a widget without a browser, for tests, benchmarks and demos.

Events enter through the same comm-message handler the browser's messages reach,
so everything after it (ipycanvas' dispatch, our handlers) is the real code.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import ipywidgets


@dataclass(frozen=True)
class SentMessage:
    """One kernel-to-browser widget message: which widget, the JSON part and the buffers."""

    widget: ipywidgets.Widget
    message: dict
    buffers: tuple[bytes, ...]

    @property
    def nbytes(self) -> int:
        """Size on the wire, roughly: JSON text plus binary buffers."""
        text = json.dumps(self.message, default=_json_default, separators=(",", ":"))
        return len(text) + sum(len(b) for b in self.buffers)


@contextmanager
def record_messages() -> Iterator[list[SentMessage]]:
    """Record every message any widget sends while the block runs."""
    sent: list[SentMessage] = []
    original = ipywidgets.Widget._send

    def recording_send(widget: ipywidgets.Widget, msg: dict, buffers: Any = None) -> None:
        sent.append(SentMessage(widget, msg, tuple(bytes(b) for b in buffers or ())))
        original(widget, msg, buffers)

    ipywidgets.Widget._send = recording_send
    try:
        yield sent
    finally:
        ipywidgets.Widget._send = original


def send_canvas_event(canvas: ipywidgets.Widget, event: str, **fields: Any) -> None:
    """Deliver a browser event (``mouse_down``, ``key_down``, ...) to an ipycanvas canvas."""
    content = {"event": event, **fields}
    canvas._handle_msg(
        {"content": {"data": {"method": "custom", "content": content}}, "buffers": []}
    )


def mouse_drag(canvas: ipywidgets.Widget, points_xy: Iterable[tuple[float, float]]) -> None:
    """Press at the first canvas point, move through the others, release at the last."""
    points = list(points_xy)
    send_canvas_event(canvas, "mouse_down", x=points[0][0], y=points[0][1])
    for x, y in points[1:]:
        send_canvas_event(canvas, "mouse_move", x=x, y=y)
    send_canvas_event(canvas, "mouse_up", x=points[-1][0], y=points[-1][1])


def click(canvas: ipywidgets.Widget, x: float, y: float) -> None:
    """Press and release at one canvas point."""
    mouse_drag(canvas, [(x, y)])


def press_key(
    canvas: ipywidgets.Widget,
    key: str,
    *,
    shift: bool = False,
    ctrl: bool = False,
    meta: bool = False,
) -> None:
    """Deliver one key press to a focused canvas."""
    send_canvas_event(canvas, "key_down", key=key, shift_key=shift, ctrl_key=ctrl, meta_key=meta)


def _json_default(value: Any) -> Any:
    if isinstance(value, bytes | memoryview):
        return None
    if hasattr(value, "tolist"):
        return value.tolist()
    return str(value)
