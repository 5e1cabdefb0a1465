"""A stroke's repaints are paced to display frames when pen events come faster than that.

Driven through the real comm handlers inside a running asyncio loop, as in a kernel; what
the overlay source canvas is told is replayed to check the screen catches up by itself.
"""

import asyncio
import json

import numpy as np
import pytest

import seg_widget as sw
from seg_widget.testing import (
    failing_repaint,
    input_layer,
    record_messages,
    record_redraws,
    send_canvas_event,
    send_layer_message,
)
from seg_widget.widget.frame_pacer import FRAME_SECONDS, FramePacer

from .test_instances import shown

SHAPE = (100, 100)
MOVES = [(10 + 2 * k, 20) for k in range(30)]  # canvas x, y: 1:1 on a 100 x 100 view


def _widget():
    w = sw.SegmentationWidget(
        np.zeros(SHAPE, np.uint8), classes=["u", "a"], width=100, height=100, pixel_ratio=1
    )
    w.brush_size = 3
    w.label = 1
    return w


def _press_and_move(w):
    send_canvas_event(w.canvas, "mouse_down", x=MOVES[0][0], y=MOVES[0][1])
    for x, y in MOVES[1:]:
        send_canvas_event(w.canvas, "mouse_move", x=x, y=y)


def _painted(replay):
    return replay.rgba[..., 3] > 0


def test_fast_moves_repaint_once_per_frame_and_the_last_dab_shows_without_another_event():
    w = _widget()
    replay = shown(w)

    async def stroke_then_wait():
        with replay.watching(), record_redraws(w) as clips:
            _press_and_move(w)  # all moves within one frame: the kernel's backlog
            held = len(clips)
            await asyncio.sleep(3 * FRAME_SECONDS)  # the mouse is still down, nothing comes
        return held, len(clips)

    held, after_wait = asyncio.run(stroke_then_wait())
    assert held < len(MOVES) // 3  # not one repaint per move
    assert after_wait == held + 1  # the held boxes, repainted once when the frame was due
    np.testing.assert_array_equal(_painted(replay), w.mask == 1)  # screen == kernel mask
    send_canvas_event(w.canvas, "mouse_up", x=MOVES[-1][0], y=MOVES[-1][1])


def test_the_stroke_end_repaints_at_once_even_inside_the_frame():
    w = _widget()
    replay = shown(w)

    async def stroke():
        with replay.watching():
            _press_and_move(w)
            send_canvas_event(w.canvas, "mouse_up", x=MOVES[-1][0], y=MOVES[-1][1])
        np.testing.assert_array_equal(_painted(replay), w.mask == 1)

    asyncio.run(stroke())
    assert (w.mask == 1).sum() > 0


def test_without_an_event_loop_every_move_repaints():
    w = _widget()
    shown(w)
    with record_redraws(w) as clips:
        _press_and_move(w)
    assert len(clips) == len(MOVES)  # the press and each move
    send_canvas_event(w.canvas, "mouse_up", x=MOVES[-1][0], y=MOVES[-1][1])


def test_closing_the_widget_drops_a_held_repaint():
    w = _widget()
    shown(w)

    async def stroke_then_close():
        with record_redraws(w) as clips:
            _press_and_move(w)
            held = len(clips)
            w.close()
            await asyncio.sleep(3 * FRAME_SECONDS)
        return held, len(clips)

    held, after = asyncio.run(stroke_then_close())
    assert after == held


class _Clock:
    def __init__(self):
        self.now = 100.0

    def __call__(self):
        return self.now


def test_pacer_lets_a_repaint_go_a_frame_after_the_last_and_schedules_one_before():
    clock = _Clock()
    flushed = []

    async def scenario():
        pacer = FramePacer(lambda: flushed.append(clock.now), interval=0.01, clock=clock)
        assert pacer.due()  # nothing painted yet
        pacer.painted()
        clock.now += 0.004
        assert not pacer.due()
        assert pacer.holding
        assert not pacer.due()  # still one late repaint, not two
        await asyncio.sleep(0.02)
        assert flushed == [clock.now]
        assert not pacer.holding
        clock.now += 0.01
        assert pacer.due()

    asyncio.run(scenario())
    assert len(flushed) == 1


def test_pacer_without_a_running_loop_always_lets_a_repaint_go():
    clock = _Clock()
    pacer = FramePacer(lambda: None, interval=10.0, clock=clock)
    pacer.painted()
    assert pacer.due()
    assert not pacer.holding


def test_a_repaint_cancels_the_late_one():
    clock = _Clock()
    flushed = []

    async def scenario():
        pacer = FramePacer(lambda: flushed.append(1), interval=0.01, clock=clock)
        pacer.painted()
        assert not pacer.due()
        pacer.painted()  # e.g. the stroke ended and repainted everything
        await asyncio.sleep(0.02)

    asyncio.run(scenario())
    assert flushed == []


def _cursor_centres(sent) -> list[tuple[float, float]]:
    """Centres of the brush circles in the canvas commands sent (ipycanvas' JSON buffers)."""
    centres = []
    for message in sent:
        for buffer in message.buffers:
            try:
                commands = json.loads(buffer)
            except ValueError:
                continue  # image data
            for command in commands if isinstance(commands, list) else ():
                args = command[1] if isinstance(command, list) and len(command) > 1 else None
                if isinstance(args, list) and len(args) == 3:
                    centres.append((args[0], args[1]))
    return centres


def _hover(w, leave: bool) -> tuple[list, list]:
    """Hover through MOVES within one frame (then leave, if asked); wait three frames."""

    async def hover_then_wait():
        with record_messages() as sent:
            for x, y in MOVES:  # no button held: the cursor follows
                send_canvas_event(w.canvas, "mouse_move", x=x, y=y)
            if leave:
                send_canvas_event(w.canvas, "mouse_out", x=MOVES[-1][0], y=MOVES[-1][1])
            held = _cursor_centres(sent)
            await asyncio.sleep(3 * FRAME_SECONDS)
            return held, _cursor_centres(sent)

    return asyncio.run(hover_then_wait())


def test_the_kernel_drawn_cursor_follows_fast_moves_once_per_frame_and_ends_at_the_last():
    """Without the front-end layer the kernel draws the brush cursor: paced like repaints."""
    w = _widget()
    shown(w)
    held, after = _hover(w, leave=False)
    assert 1 <= len(held) // 2 < len(MOVES) // 3  # two circles per cursor; not one per move
    assert len(after) == len(held) + 2  # the held cursor came by itself...
    x, y = MOVES[-1]
    assert after[-1] == (x + 0.5, y + 0.5)  # ...where the pointer is (its pixel's centre)


def test_a_cursor_cleared_while_held_does_not_come_back():
    w = _widget()
    shown(w)
    held, after = _hover(w, leave=True)
    assert after == held  # nothing drawn after the pointer left


def test_a_held_repaint_holds_back_the_acknowledgement_of_its_batches():
    """The layer keeps a batch's preview until the kernel's pixels for it were sent."""
    w = _widget()
    layer = input_layer(w)
    replay = shown(w)

    def send(batch, kind, x, y):
        button, clicks = (-1, 0) if kind == "move" else (0, 1)
        record = [kind, x, y, button, 1, 0, float(batch), clicks]
        send_layer_message(layer, {"type": "pointer", "batch": batch, "events": [record]})

    def acks(sent):
        return [
            (i, m.message["content"]["batch"])
            for i, m in enumerate(sent)
            if m.message.get("content", {}).get("type") == "ack"
        ]

    async def stroke():
        with replay.watching(), record_messages() as sent:
            send(1, "down", *MOVES[0])
            for batch, (x, y) in enumerate(MOVES[1:4], start=2):  # within one display frame
                send(batch, "move", x, y)
            acked_at_once = [batch for _, batch in acks(sent)]
            held_mask = w.mask.copy()
            await asyncio.sleep(3 * FRAME_SECONDS)  # the held repaint goes, then its ack
        return acked_at_once, held_mask, sent

    acked_at_once, held_mask, sent = asyncio.run(stroke())
    assert acked_at_once == [1]  # the press repainted at once; the moves' repaint waited
    (ack_index, batch), *rest = acks(sent)[1:]
    assert batch == 4 and rest == []  # one acknowledgement covers the three moves
    drawn = [i for i, m in enumerate(sent) if m.widget is not layer]
    assert drawn and max(drawn) < ack_index  # the pixels went first
    np.testing.assert_array_equal(_painted(replay), held_mask == 1)
    send(5, "up", *MOVES[3])


def test_a_repaint_that_fails_leaves_no_frame_open():
    """After a failed repaint the next edits, and the failed one, still reach the screen."""
    w = _widget()
    replay = shown(w)
    with replay.watching():
        with failing_repaint(w, MemoryError("no room for the overlay patch")):
            with pytest.raises(MemoryError):
                w.paint_stroke([(20.5, 20.5), (20.5, 40.5)], label=1)
        w.paint_stroke([(60.5, 20.5), (60.5, 40.5)], label=1)
    assert (w.mask[20, 20:41] == 1).all() and (w.mask[60, 20:41] == 1).all()
    np.testing.assert_array_equal(_painted(replay), w.mask == 1)
