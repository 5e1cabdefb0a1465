"""The pointer router: input events in, tool calls out, one redraw per batch.

Events arrive as `PointerEvent` / `KeyEvent` / `WheelEvent` records, in batches: from the
front-end layer (one batch per animation frame) or, one at a time, from ipycanvas' own
callbacks (`connect_canvas`). The router owns the drag bookkeeping (which tool received the
press, the last pointer position), maps keys to actions through the keymap, and guards
every handler: nothing raised here reaches ipycanvas or ipywidgets; the error is logged and
shown on the message line (see `seg_widget.widget.failures`), and the widget keeps working.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING

from .failures import report_failure
from .keymap import action_for_key
from .pointer import MIDDLE_BUTTON, RIGHT_BUTTON, KeyEvent, PointerEvent, WheelEvent

if TYPE_CHECKING:
    from .input_layer import InputLayer
    from .tools.base import Tool, ToolHost

#: Zoom factor per 100 units of wheel delta (one notch of a mouse wheel in Chromium).
WHEEL_ZOOM_PER_100 = 1.25
#: Zoom factor of the +/- buttons and keys.
STEP_ZOOM = 1.5
#: Fraction of the view moved by one arrow key press.
ARROW_PAN_FRACTION = 0.1

InputEvent = PointerEvent | KeyEvent | WheelEvent
#: Tools whose strokes the right button turns into erasing (with ``right_button="erase"``).
RIGHT_ERASE_TOOLS = ("brush", "eraser")


class PointerRouter:
    """Deliver input events to the active tool and run key actions.

    Parameters
    ----------
    host : ToolHost
        The widget's collaborators (the router uses the view, status and widget settings).
    tools : dict of str to Tool
        One tool per name of the tool table.
    commands : dict of str to callable
        The widget commands keys run: ``undo``, ``redo``, ``new_instance``,
        ``accept_proposal``, ``reject_proposal``, ``propose_from_scribbles``, ``save``.

    """

    def __init__(
        self, host: ToolHost, tools: dict[str, Tool], commands: dict[str, Callable[[], object]]
    ) -> None:
        self._host = host
        self._tools = tools
        self._commands = commands
        self._tool = tools[host.widget.tool]
        self._drag_tool: Tool | None = None
        self._space_held = False
        #: The last pointer position in canvas pixels (None: outside the canvas).
        self.last_xy: tuple[float, float] | None = None
        self._actions: dict[str, Callable[[str], None]] = {
            "tool": self._choose_tool,
            "erase": lambda _: self._toggle("erase"),
            "prompt": lambda _: self._toggle("prompt_negative"),
            "instance": lambda _: self._commands["new_instance"](),
            "outline": self._outline_action,
            "label": self._select_label,
            "brush": self._resize_brush,
            "zoom": self._zoom_action,
            "pan": self._pan_action,
            "undo": lambda _: self._history("undo"),
            "redo": lambda _: self._history("redo"),
            "save": lambda _: self._commands["save"](),
        }
        host.widget.observe(self._on_tool, "tool")
        host.widget.observe(
            lambda _: self._redraw_tool(), ("label", "brush_size", "paint_mode", "erase")
        )
        host.view.navigated.connect(lambda _: self._redraw_tool())

    @property
    def dragging(self) -> bool:
        """Whether a tool is receiving a drag."""
        return self._drag_tool is not None

    def dispatch(self, events: Iterable[InputEvent]) -> None:
        """Handle a batch of events in order; the visible canvas is redrawn once at the end.

        Consecutive moves of a drag go to the tool together (`Tool.drag_path`): the brush
        writes a frame's moves once.
        """
        host = self._host
        with host.view.frame():
            handled = False
            for event in self._runs_of_moves(events):
                handled = True
                # A press of a button or a key is a new action (it clears the message line);
                # the moves and release of a drag belong to its press, a key's release to
                # the key (the message of Ctrl+S stays after the keys are let go).
                new = (
                    event.down
                    if isinstance(event, KeyEvent)
                    else getattr(event, "kind", "") == "down"
                )
                with host.status.action(new=new):
                    try:
                        if isinstance(event, list):
                            self._drag_moves(event)
                        elif isinstance(event, PointerEvent):
                            self._pointer(event)
                        elif isinstance(event, KeyEvent):
                            self._key(event)
                        else:
                            self._wheel(event)
                    except Exception as error:
                        report_failure(error, _describe(event), host.status.error)
            if handled:
                self._show_pointer()

    def end_drag(self) -> None:
        """End a drag in progress without a release point (a command interrupts it)."""
        tool, self._drag_tool = self._drag_tool, None
        if tool is not None:
            tool.abandon()

    def _runs_of_moves(self, events: Iterable[InputEvent]) -> Iterator[InputEvent | list]:
        """Yield the events, with each run of two or more drag moves as one list.

        A run only forms while a drag is on (the press that starts one is handled before
        the moves that follow it are grouped).
        """
        run: list[PointerEvent] = []
        for event in events:
            if (
                self._drag_tool is not None
                and isinstance(event, PointerEvent)
                and event.kind == "move"
            ):
                run.append(event)
                continue
            if run:
                yield run if len(run) > 1 else run[0]
                run = []
            yield event
        if run:
            yield run if len(run) > 1 else run[0]

    # -- pointer -------------------------------------------------------------------------------

    def _drag_moves(self, moves: list[PointerEvent]) -> None:
        if self._drag_tool is None:  # the drag ended (a failure abandons it): plain moves
            for event in moves:
                self._pointer(event)
            return
        to_image = self._host.view.canvas_to_image
        self.last_xy = moves[-1].xy
        self._drag_tool.drag_path(moves, [to_image(event.x, event.y) for event in moves])

    def _pointer(self, event: PointerEvent) -> None:
        image_xy = self._host.view.canvas_to_image(event.x, event.y)
        kind = event.kind
        if kind in ("leave", "cancel"):
            self.end_drag()
            self.last_xy = None
            self._tool.leave()
            return
        self.last_xy = event.xy
        if kind == "down":
            self.end_drag()  # a release we never heard of (e.g. outside the window)
            tool = self._tool_for_press(event)
            if tool is not None and tool.press(event, image_xy):
                self._drag_tool = tool
        elif kind == "move":
            if self._drag_tool is not None:
                self._drag_tool.drag(event, image_xy)
            else:
                self._tool.hover(event, image_xy)
        elif kind == "up":
            tool, self._drag_tool = self._drag_tool, None
            if tool is not None:
                tool.release(event, image_xy)

    def _tool_for_press(self, event: PointerEvent) -> Tool | None:
        """Pick the tool a press goes to.

        The middle button, or Space held, pans; the right button erases with the brush and
        the eraser (``right_button``) and does nothing with the other tools.
        """
        if event.button == MIDDLE_BUTTON or self._space_held:
            return self._tools["pan"]
        if event.button == RIGHT_BUTTON:
            widget = self._host.widget
            if widget.right_button == "erase" and widget.tool in RIGHT_ERASE_TOOLS:
                return self._tools["eraser"]
            return None
        return self._tool

    def _show_pointer(self) -> None:
        if self._drag_tool is not None:
            return  # while dragging the status waits for the release (one message less)
        xy = self.last_xy
        self._host.status.pointer_at(None if xy is None else self._host.view.canvas_to_image(*xy))

    # -- wheel -----------------------------------------------------------------------------------

    def _wheel(self, event: WheelEvent) -> None:
        if not event.dy:
            return
        anchor = self.last_xy if event.x is None or event.y is None else (event.x, event.y)
        factor = WHEEL_ZOOM_PER_100 ** (-max(-500.0, min(500.0, event.dy)) / 100)
        self._host.view.zoom_by(factor, anchor)

    # -- keys ----------------------------------------------------------------------------------

    def _key(self, event: KeyEvent) -> None:
        if event.key == " ":
            self._space_held = event.down  # held, it turns any drag into panning
            return
        if not event.down:
            return
        action = action_for_key(event.key, event.shift, event.ctrl, event.meta)
        if action is None:
            return
        kind, _, argument = action.partition(":")
        self._actions[kind](argument)
        self._redraw_tool()

    def _choose_tool(self, name: str) -> None:
        self._host.widget.tool = name

    def _toggle(self, trait: str) -> None:
        widget = self._host.widget
        setattr(widget, trait, not getattr(widget, trait))

    def _outline_action(self, argument: str) -> None:
        """Enter / Escape / Backspace: the tool's outline first, else the proposal."""
        if self._tool.handle(argument):
            return
        proposals = self._host.proposals
        if argument == "close":
            if proposals.pending:
                self._commands["accept_proposal"]()
            elif proposals.has_scribbles:
                self._commands["propose_from_scribbles"]()
        elif argument == "cancel" and proposals.has_state:
            self._commands["reject_proposal"]()

    def _select_label(self, digit: str) -> None:
        widget = self._host.widget
        if int(digit) < len(widget.classes):
            widget.label = int(digit)

    def _resize_brush(self, argument: str) -> None:
        widget = self._host.widget
        step = max(1, round(widget.brush_size * 0.2))
        size = widget.brush_size + (step if argument == "larger" else -step)
        widget.brush_size = max(1, min(widget.max_brush_size, size))

    def _zoom_action(self, argument: str) -> None:
        view = self._host.view
        if argument == "fit":
            view.fit()
        else:
            view.zoom_by(STEP_ZOOM if argument == "in" else 1 / STEP_ZOOM)

    def _pan_action(self, direction: str) -> None:
        width, height = self._host.view.canvas_size
        step = ARROW_PAN_FRACTION * math.hypot(width, height) / math.sqrt(2)
        dx, dy = {"left": (step, 0), "right": (-step, 0), "up": (0, step), "down": (0, -step)}[
            direction
        ]
        self._host.view.pan_by(dx, dy)

    def _history(self, command: str) -> None:
        if command == "undo" and self._tool.handle("undo"):
            return  # the polygon removed its last vertex
        self.end_drag()
        self._commands[command]()

    # -- tools ---------------------------------------------------------------------------------

    def _on_tool(self, change) -> None:
        self.end_drag()
        self._tool.cancel()
        self._tool = self._tools[change.new]
        if change.new == "pick" and change.old != "pick":
            self._tools["pick"].return_to = change.old
        self._redraw_tool()

    def _redraw_tool(self) -> None:
        self._tool.redraw(self.last_xy)


def connect_canvas(canvas, router: PointerRouter) -> None:
    """Feed ipycanvas' mouse, wheel and key callbacks of ``canvas`` to ``router``.

    ipycanvas reports positions only: no buttons, no modifiers on mouse events, no key-up,
    and a release outside the canvas is never reported (leaving the canvas ends the drag).
    Wheel events carry only deltas: the router zooms about the last pointer position.
    """

    def pointer(kind: str) -> Callable[[float, float], None]:
        def handler(x: float, y: float) -> None:
            held = kind == "down" or (kind == "move" and router.dragging)
            router.dispatch([PointerEvent(kind, float(x), float(y), buttons=1 if held else 0)])

        return handler

    canvas.on_mouse_down(pointer("down"))
    canvas.on_mouse_move(pointer("move"))
    canvas.on_mouse_up(pointer("up"))
    canvas.on_mouse_out(pointer("leave"))
    canvas.on_mouse_wheel(lambda dx, dy: router.dispatch([WheelEvent(None, None, dx, dy)]))
    canvas.on_key_down(
        lambda key, shift, ctrl, meta: router.dispatch(
            [KeyEvent(str(key), shift=bool(shift), ctrl=bool(ctrl), meta=bool(meta))]
        )
    )


def connect_layer(layer: InputLayer, router: PointerRouter) -> None:
    """Feed the front-end layer's batches, keys and wheel turns to ``router``.

    The layer acknowledges each batch once ``router.dispatch`` returned, after the drawing
    commands it caused were sent, so its preview goes when the kernel's pixels are there.
    """
    layer.on_pointer_batch(router.dispatch)
    layer.on_key(lambda event: router.dispatch([event]))
    layer.on_wheel(lambda event: router.dispatch([event]))


def _describe(event: InputEvent | list[PointerEvent]) -> str:
    if isinstance(event, list):  # a run of drag moves
        return "on_mouse_move"
    if isinstance(event, PointerEvent):
        return {"down": "on_mouse_down", "move": "on_mouse_move", "up": "on_mouse_up"}.get(
            event.kind, "on_mouse_out"
        )
    return "on_key_down" if isinstance(event, KeyEvent) else "on_mouse_wheel"


__all__ = ["PointerRouter", "connect_canvas", "connect_layer"]
