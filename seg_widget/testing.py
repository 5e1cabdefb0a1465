"""Helpers to drive a widget without a browser, for tests, benchmarks and demos.

Events enter through the same comm-message handler the browser's messages reach,
so everything after it (ipycanvas' dispatch, our handlers) is the real code. A few
helpers look inside a widget where a test truly needs it (is there an instance layer?
how many undo steps? which redraws were sent?); they are the only place outside the
widget package that does.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, TypeVar

import ipywidgets

from .core.bbox import BBox

_Control = TypeVar("_Control")


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


def find_control(root: ipywidgets.Widget, kind: type[_Control]) -> _Control:
    """Return the first widget of type ``kind`` among the descendants of ``root``.

    Walks ``children`` (and Accordion sections) depth first, e.g.
    ``find_control(w, ObjectPanel)`` or ``find_control(w, ipywidgets.Accordion)``.

    Raises
    ------
    LookupError
        If there is none.

    """
    pending = list(getattr(root, "children", ()))
    while pending:
        child = pending.pop(0)
        if isinstance(child, kind):
            return child
        pending[:0] = list(getattr(child, "children", ()))
    raise LookupError(f"kind: expected a {kind.__name__} inside {type(root).__name__}; found none")


def has_object_layer(widget: Any) -> bool:
    """Whether the widget keeps an instance map (allocated only once objects are used)."""
    return widget._editor.objects is not None


def undo_steps(widget: Any) -> int:
    """How many steps the widget's undo history holds."""
    return len(widget._editor.document.history._undo)


def undo_bytes(widget: Any) -> int:
    """Bytes the widget's undo history holds."""
    return widget._editor.document.history.nbytes


def overlay_source(widget: Any) -> ipywidgets.Widget:
    """Return the hidden canvas holding the label overlay (its commands can be replayed)."""
    return widget._view._scene.overlay_source


def visible_bbox(widget: Any) -> BBox:
    """Return the image pixels at least partly visible in the widget's view."""
    return widget._view.visible_bbox()


def current_tool(widget: Any) -> Any:
    """Return the tool object handling the pointer events now (``w.tool`` names it)."""
    return widget._router._tool


@contextmanager
def record_redraws(widget: Any) -> Iterator[list[tuple[int, int, int, int] | None]]:
    """Record each redraw of the visible canvas: its clip rectangle (None: the whole view)."""
    view = widget._view
    clips: list[tuple[int, int, int, int] | None] = []
    original = view._draw

    def recording_draw(clip):
        clips.append(clip)
        original(clip)

    view._draw = recording_draw
    try:
        yield clips
    finally:
        del view._draw


@contextmanager
def failing_repaint(widget: Any, error: BaseException) -> Iterator[None]:
    """Make the widget's next overlay repaint raise ``error`` (inside the block only)."""
    view = widget._view

    def fail() -> None:
        del view._repaint_dirty  # once: the next repaint is the real one
        raise error

    view._repaint_dirty = fail
    try:
        yield
    finally:
        view.__dict__.pop("_repaint_dirty", None)


def record_pointer_events(
    widget: Any, events: list, kinds: Iterable[str] = ("down", "move", "up", "out")
) -> None:
    """Append ``(kind, x, y)`` to ``events`` for each pointer event the widget's kernel gets.

    Events from the front-end layer and from ipycanvas' own callbacks alike (``"out"`` is
    the pointer leaving the canvas); recorded after the widget handled them. ``"wheel"`` in
    ``kinds`` also records ``("wheel", dx, dy)``.
    """
    kinds = tuple(kinds)
    for kind in kinds:
        if kind == "wheel":
            widget.canvas.on_mouse_wheel(
                lambda dx, dy: events.append(("wheel", float(dx), float(dy)))
            )
        else:
            getattr(widget.canvas, f"on_mouse_{kind}")(
                lambda x, y, kind=kind: events.append((kind, float(x), float(y)))
            )

    def from_layer(batch: list) -> None:
        for event in batch:
            kind = "out" if event.kind in ("leave", "cancel") else event.kind
            if kind in kinds:
                events.append((kind, float(event.x), float(event.y)))

    layer = input_layer(widget)
    layer.on_pointer_batch(from_layer)
    if "wheel" in kinds:
        layer.on_wheel(lambda event: events.append(("wheel", float(event.dx), float(event.dy))))


def input_layer(widget: Any) -> ipywidgets.Widget:
    """Return the widget's front-end input layer (what `send_layer_message` talks to)."""
    return widget._view.layer


def tile_view(widget: Any) -> Any:
    """Return the widget's tiled display (`seg_widget.widget.tile_view.TileView`), or None.

    A big image is shown as tiles; its exact tiles replace the first view's previews from
    idle time, which a test without an event loop drives with ``tile_view(w).refine()``.
    """
    return widget._view.tiles


def send_layer_message(
    layer: ipywidgets.Widget, content: dict, buffers: Iterable[bytes] = ()
) -> None:
    """Deliver a message from the input layer's browser side (``pointer``, ``key``, ...)."""
    layer._handle_msg(
        {"content": {"data": {"method": "custom", "content": content}}, "buffers": list(buffers)}
    )


def layer_drag(
    layer: ipywidgets.Widget,
    points_xy: Iterable[tuple[float, float]],
    *,
    batch: int = 1,
    button: int = 0,
) -> None:
    """Deliver a drag as the input layer sends it: one batch of down, moves and up.

    ``button`` 0 is the left button, 1 the middle, 2 the right (held bits as the DOM's).
    """
    points = list(points_xy)
    held = {0: 1, 1: 4, 2: 2}[button]
    events = [["down", *points[0], button, held, 0, 0.0, 1]]
    events += [["move", x, y, -1, held, 0, float(i), 0] for i, (x, y) in enumerate(points[1:])]
    events.append(["up", *points[-1], button, 0, 0, float(len(points)), 1])
    send_layer_message(layer, {"type": "pointer", "batch": batch, "events": events})


def _json_default(value: Any) -> Any:
    if isinstance(value, bytes | memoryview):
        return None
    if hasattr(value, "tolist"):
        return value.tolist()
    return str(value)
