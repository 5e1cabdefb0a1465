"""Everything that talks to ipycanvas' private machinery, in one place.

ipycanvas 0.14 routes every drawing command of every canvas through one global
``_CanvasManager`` widget. Three of its habits need care (see DESIGN.md):

* ``hold_canvas()`` is not exception-safe and a nested use flushes the outer
  batch early, so :func:`batched` replaces it.
* ``put_image_data`` encodes RGB arrays as lossy JPEG and RGBA with Pillow's slow
  PNG encoder, so :func:`send_png` sends PNG bytes we encoded ourselves.
* After a page reload the browser's manager forgets which canvas is current
  (ipycanvas issue #322), so :func:`forget_current_canvas` forces the next
  command to name its canvas again.
* Setting a drawing attribute (``canvas.fill_style = ...``) runs traitlets' validation
  and notification machinery before the command goes out; on the pen path that costs
  more than the command, so :func:`set_style` sends the command alone.
"""

from __future__ import annotations

from contextlib import AbstractContextManager

from ipycanvas.canvas import _CANVAS_MANAGER, COMMANDS, Canvas

_PUT_IMAGE_DATA = COMMANDS["putImageData"]
_SET = COMMANDS["set"]


class _Batch:
    """The context manager `batched` returns: a plain object, cheap enough per pen message."""

    __slots__ = ("_outermost",)

    def __enter__(self) -> None:
        self._outermost = not _CANVAS_MANAGER._caching
        _CANVAS_MANAGER._caching = True

    def __exit__(self, *_exc: object) -> None:
        if not self._outermost:
            return
        try:
            _CANVAS_MANAGER.flush()
        finally:
            _CANVAS_MANAGER._caching = False
            _CANVAS_MANAGER._commands_cache = []
            _CANVAS_MANAGER._buffers_cache = []


def batched() -> AbstractContextManager[None]:
    """Collect every canvas command issued inside into one comm message.

    Re-entrant: an inner ``batched()`` joins the outer batch instead of flushing
    it, and the batch is flushed (and caching restored) even when the body raises.
    """
    return _Batch()


def send_png(canvas: Canvas, png: bytes, x: int, y: int) -> None:
    """Draw already-encoded PNG bytes onto ``canvas`` with their top-left at ``(x, y)``.

    The browser decodes the bytes asynchronously and draws them with ``drawImage``,
    so the canvas' transform, filter and alpha apply: only send to untransformed
    source canvases.
    """
    _CANVAS_MANAGER.send_draw_command(canvas, _PUT_IMAGE_DATA, [int(x), int(y)], [png])


def send_png_alone(canvas: Canvas, png: bytes, x: int, y: int) -> None:
    """Like :func:`send_png`, but always as a message of its own.

    Inside :func:`batched` the commands collected so far are flushed first and the
    PNG is flushed right after, so big pixel bands never pile up in one message.
    """
    if not _CANVAS_MANAGER._caching:
        send_png(canvas, png, x, y)
        return
    _CANVAS_MANAGER.flush()
    send_png(canvas, png, x, y)
    _CANVAS_MANAGER.flush()


def set_style(canvas: Canvas, **attributes: object) -> None:
    """Set drawing attributes (``fill_style="#fff"``, ``global_alpha=0.5``...) of ``canvas``.

    Only the commands are sent: the Python-side traits of the canvas are not updated (we
    never read them back), which skips traitlets' per-assignment work.
    """
    for name, value in attributes.items():
        _CANVAS_MANAGER.send_command(canvas, [_SET, [Canvas.ATTRS[name], value]])


def forget_current_canvas() -> None:
    """Make the next command re-announce its canvas (the browser side may be new)."""
    _CANVAS_MANAGER._current_canvas = None
