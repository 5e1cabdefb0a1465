"""Route canvas mouse and keyboard events to widget actions.

ipycanvas reports only positions in canvas pixels: no buttons, no modifiers on
mouse events, no key-up. A drag is therefore "mouse_down, then mouse_moves until
mouse_up or mouse_out" (a release outside the canvas is never reported, so
leaving the canvas ends the drag). Wheel events carry only deltas, so zooming at
the cursor uses the last hover position.

Nothing raised in here may reach ipycanvas: every handler is wrapped so an error
is shown in the widget's status line and logged, and the widget keeps working.
"""

from __future__ import annotations

import functools
import logging
import math
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from .outline_tools import OutlineEditor
from .shortcuts import action_for_key
from .transport import batched

if TYPE_CHECKING:
    from .segmentation_widget import SegmentationWidget

logger = logging.getLogger("seg_widget")

#: Zoom factor per 100 units of wheel delta (one notch of a mouse wheel in Chromium).
WHEEL_ZOOM_PER_100 = 1.25
#: Zoom factor of the +/- buttons and keys.
STEP_ZOOM = 1.5
#: Fraction of the view moved by one arrow key press.
ARROW_PAN_FRACTION = 0.1

PAINT_TOOLS = ("brush", "eraser")
#: Assisted tools dragged like a brush.
ASSIST_BRUSHES = ("superpixel", "scribble")
#: A prompt-tool drag longer than this (canvas px) is a box, shorter is a click.
PROMPT_BOX_MIN = 4.0


def _guarded(handler: Callable[..., None]) -> Callable[..., None]:
    @functools.wraps(handler)
    def wrapper(self: Interaction, *args: Any) -> None:
        try:
            handler(self, *args)
        except Exception as error:
            logger.exception("seg-widget: %s failed", handler.__name__)
            self.widget._report_error(f"{handler.__name__} failed: {error}")

    return wrapper


class Interaction:
    """Pointer and keyboard state machine of one widget."""

    def __init__(self, widget: SegmentationWidget) -> None:
        self.widget = widget
        self.outline = OutlineEditor(widget)
        self.dragging = False
        self.drag_start: tuple[float, float] | None = None
        self.last_xy: tuple[float, float] | None = None
        canvas = widget.canvas
        canvas.on_mouse_down(self.on_mouse_down)
        canvas.on_mouse_move(self.on_mouse_move)
        canvas.on_mouse_up(self.on_mouse_up)
        canvas.on_mouse_out(self.on_mouse_out)
        canvas.on_mouse_wheel(self.on_mouse_wheel)
        canvas.on_key_down(self.on_key_down)

    # -- mouse -----------------------------------------------------------------------

    @_guarded
    def on_mouse_down(self, x: float, y: float) -> None:
        """Start a stroke or a pan drag, or pick, by tool."""
        widget = self.widget
        self.last_xy = (x, y)
        if self.dragging:  # a release we never heard of (e.g. outside the window)
            self._end_drag()
        tool = widget.tool
        if tool in PAINT_TOOLS:
            self.dragging = True
            widget._begin_stroke(widget.canvas_to_image(x, y), erase=tool == "eraser")
        elif tool == "lasso":
            self.dragging = True
            self.outline.lasso_start((x, y))
        elif tool == "polygon":
            self.outline.polygon_click((x, y))
        elif tool == "fill":
            widget._fill_at(widget.canvas_to_image(x, y))
        elif tool == "wand":
            col, row = widget.canvas_to_image(x, y)
            if 0 <= row < widget.mask.shape[0] and 0 <= col < widget.mask.shape[1]:
                widget.propose_wand((int(row), int(col)))
        elif tool in ASSIST_BRUSHES:
            self.dragging = True
            self._assist_brush(None, (x, y))
        elif tool == "prompt":
            self.dragging = True
            self.drag_start = (x, y)
        elif tool == "pick":
            widget._pick_at(widget.canvas_to_image(x, y))
        elif tool == "pan":
            self.dragging = True
        widget._pointer_moved((x, y))

    @_guarded
    def on_mouse_move(self, x: float, y: float) -> None:
        """Continue a drag; otherwise only move the cursor."""
        widget = self.widget
        previous = self.last_xy
        self.last_xy = (x, y)
        if self.dragging:
            if widget.tool in PAINT_TOOLS:
                widget._continue_stroke(widget.canvas_to_image(x, y))
            elif widget.tool == "lasso":
                self.outline.lasso_extend((x, y))
            elif widget.tool in ASSIST_BRUSHES:
                self._assist_brush(previous, (x, y))
            elif widget.tool == "pan" and previous is not None:
                widget._pan_view(x - previous[0], y - previous[1])
        elif widget.tool == "polygon" and self.outline.active:
            self.outline.redraw((x, y))  # the rubber band follows the cursor
        widget._pointer_moved((x, y))

    @_guarded
    def on_mouse_up(self, x: float, y: float) -> None:
        """Finish the drag at the release point."""
        self.last_xy = (x, y)
        if self.dragging and self.widget.tool in PAINT_TOOLS:
            self.widget._continue_stroke(self.widget.canvas_to_image(x, y))
        elif self.dragging and self.widget.tool == "lasso":
            self.outline.lasso_extend((x, y))
        elif self.dragging and self.widget.tool == "prompt" and self.drag_start is not None:
            start = self.drag_start
            widget = self.widget
            if math.dist(start, (x, y)) > PROMPT_BOX_MIN * widget._scene.pixel_ratio:
                widget._prompt_drag(widget.canvas_to_image(*start), widget.canvas_to_image(x, y))
            else:
                widget._prompt_click(widget.canvas_to_image(x, y))
        self._end_drag()

    @_guarded
    def on_mouse_out(self, x: float, y: float) -> None:
        """End any drag: a release outside the canvas is never reported."""
        self._end_drag()
        self.last_xy = None
        self.widget._pointer_left()
        if self.outline.active:  # a polygon survives leaving the canvas, minus its rubber band
            self.outline.redraw()

    @_guarded
    def on_mouse_wheel(self, dx: float, dy: float) -> None:
        """Zoom about the last known cursor position."""
        if not dy:
            return
        factor = WHEEL_ZOOM_PER_100 ** (-max(-500.0, min(500.0, dy)) / 100)
        with batched():  # view and cursor in one message
            self.widget._zoom_view(factor, self.last_xy)
            if self.last_xy is not None:
                self.widget._pointer_moved(self.last_xy)

    def _assist_brush(self, previous_xy, xy) -> None:
        """One event of the superpixel brush or the scribble tool, from the previous point."""
        widget = self.widget
        col, row = widget.canvas_to_image(*xy)
        start = None if previous_xy is None else widget.canvas_to_image(*previous_xy)[::-1]
        if widget.tool == "superpixel":
            widget._superpixel_segment(start or (row, col), (row, col))
        else:
            widget._scribble_segment(start, (row, col))

    def _end_drag(self) -> None:
        self.widget._end_stroke()
        if self.dragging and self.outline.active and self.outline.kind == "lasso":
            self.outline.commit()  # releasing (or leaving the canvas) closes the lasso
        self.dragging = False
        self.drag_start = None

    def reset(self) -> None:
        """Forget any outline in progress and finish any drag (e.g. on a tool change)."""
        self.outline.cancel()
        self._end_drag()

    # -- keyboard ------------------------------------------------------------------

    @_guarded
    def on_key_down(self, key: str, shift: bool, ctrl: bool, meta: bool) -> None:
        """Run the action bound to the key (see ``shortcuts.SHORTCUTS``)."""
        action = action_for_key(key, shift, ctrl, meta)
        if action is None:
            return
        widget = self.widget
        kind, _, argument = action.partition(":")
        if kind == "tool":
            widget.tool = argument
        elif kind == "erase":
            widget.erase = not widget.erase
        elif kind == "instance":
            widget.new_instance()
        elif kind == "outline":
            # Enter / Escape finish what is in progress: an outline, else a proposal
            # (accept / reject), else scribbles (propose / clear).
            if argument == "close":
                if self.outline.active:
                    self.outline.commit()
                elif widget._proposal_bbox is not None:
                    widget.accept_proposal()
                elif widget._scribbles is not None:
                    widget.propose_from_scribbles()
            elif argument == "cancel":
                if self.outline.active:
                    self.outline.cancel()
                elif widget._has_assist_state():
                    widget.reject_proposal()
            else:
                self.outline.remove_last_vertex()
        elif kind == "prompt":
            widget.prompt_negative = not widget.prompt_negative
        elif kind == "label":
            if int(argument) < len(widget.classes):
                widget.label = int(argument)
        elif kind == "brush":
            step = max(1, round(widget.brush_size * 0.2))
            size = widget.brush_size + (step if argument == "larger" else -step)
            widget.brush_size = max(1, min(widget.max_brush_size, size))
        elif kind == "zoom":
            if argument == "fit":
                widget.fit()
            else:
                widget._zoom_view(STEP_ZOOM if argument == "in" else 1 / STEP_ZOOM, None)
        elif kind == "pan":
            width, height = widget._viewport.canvas_size
            step = ARROW_PAN_FRACTION * math.hypot(width, height) / math.sqrt(2)
            dx, dy = {"left": (step, 0), "right": (-step, 0), "up": (0, step), "down": (0, -step)}[
                argument
            ]
            widget._pan_view(dx, dy)
        elif action == "undo" and self.outline.active and self.outline.kind == "polygon":
            self.outline.remove_last_vertex()
        elif action == "undo":
            self._end_drag()
            widget.undo()
        elif action == "redo":
            self._end_drag()
            widget.redo()
        if self.last_xy is not None:
            widget._pointer_moved(self.last_xy)
