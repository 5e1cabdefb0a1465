"""The widget driven through its front-end layer: buttons, modifiers, keys, page size.

Messages enter through the layer's real comm handler (`seg_widget.testing.send_layer_message`),
exactly as the browser's layer sends them; what the kernel does and sends back is checked.
"""

import json
import logging
import time

import numpy as np
import pytest
from ipycanvas.canvas import COMMANDS

import seg_widget as sw
from seg_widget.testing import (
    input_layer,
    layer_drag,
    mouse_drag,
    record_messages,
    record_redraws,
    send_layer_message,
)

SHAPE = (100, 100)


@pytest.fixture
def w():
    """A flat 100x100 image at exactly 4 canvas px per image px, brush diameter 3."""
    widget = sw.SegmentationWidget(
        np.zeros(SHAPE), ["unlabelled", "cat", "dog"], width=400, height=400, brush_size=3
    )
    assert widget.zoom == 4.0
    return widget


def xy(row, col):
    return (4 * col + 2, 4 * row + 2)


def ready(w, css_width=1200, css_height=900, ratio=1.0):
    send_layer_message(
        input_layer(w),
        {"type": "ready", "css_width": css_width, "css_height": css_height,
         "device_pixel_ratio": ratio},
    )  # fmt: skip


def canvas_commands(messages) -> list[str]:
    """Names of the ipycanvas drawing commands in ``messages``, in order."""
    names = {code: name for name, code in COMMANDS.items()}
    found = []
    for message in messages:
        content = message.message.get("content")
        if not isinstance(content, dict) or "dtype" not in content:
            continue
        batch = json.loads(message.buffers[0])
        for command in batch if isinstance(batch[0], list) else [batch]:
            found.append(names.get(command[0], "?"))
    return found


def pointer(w, batch, *events):
    send_layer_message(input_layer(w), {"type": "pointer", "batch": batch, "events": list(events)})


def key(w, name, down=True, modifiers=0):
    send_layer_message(
        input_layer(w), {"type": "key", "key": name, "down": down, "modifiers": modifiers}
    )


def test_a_layer_drag_paints_like_the_mouse(w):
    layer_drag(input_layer(w), [xy(10, 10), xy(10, 30)])
    painted = w.mask.copy()
    w.undo()
    mouse_drag(w.canvas, [xy(10, 10), xy(10, 30)])
    np.testing.assert_array_equal(w.mask, painted)
    assert painted[10, 10:31].all() and w.can_undo


def test_a_batch_of_moves_is_written_once_with_the_pixels_of_each_move(w):
    """A frame's moves arrive as one batch: one write (one edit) for what overlaps."""
    path = [xy(30 + (k % 3), 10 + 2 * k) for k in range(12)]  # a wobbly stroke
    edits = []
    w.on_edit(edits.append)
    layer_drag(input_layer(w), path)  # down, 10 moves and up in one batch
    batched, batched_edits = w.mask.copy(), len(edits)
    w.undo()
    edits.clear()
    for batch, (x, y) in enumerate(path, 2):  # the same moves, one per batch
        kind = "down" if batch == 2 else "up" if batch == len(path) + 1 else "move"
        held = 0 if kind == "up" else 1
        pointer(w, batch, [kind, x, y, 0 if kind != "move" else -1, held, 0, float(batch), 1])
    np.testing.assert_array_equal(batched, w.mask)
    # Batched: the press, then the run (the release, at the last move, adds nothing);
    # one per batch: an edit per event.
    assert batched_edits == 2 and len(edits) == len(path)
    assert batched[31, 10:33].all() and batched.sum() > 3 * 20 and w.can_undo


def _objects_after(w, path, *, batched):
    """Paint ``path`` with a new object active over a locked one; return what it left."""
    w.paint_stroke([(30, 10), (30, 40)], label=2, brush_size=5)
    locked = w.make_object((30, 20))
    w.set_instance_locked(locked)
    painted = w.new_instance(1)
    if batched:
        layer_drag(input_layer(w), path, batch=100)
    else:
        for batch, (x, y) in enumerate(path, 100):
            kind = "down" if batch == 100 else "up" if batch == 99 + len(path) else "move"
            held = 0 if kind == "up" else 1
            button = -1 if kind == "move" else 0
            pointer(w, batch, [kind, x, y, button, held, 0, float(batch), 1])
    return w.mask.copy(), w.object_mask(painted), w.object_mask(locked), w.instance_pixels(painted)


@pytest.mark.parametrize("paint_mode", ["overwrite", "preserve"])
def test_a_batch_paints_objects_as_its_moves_one_by_one_would(paint_mode):
    """Joined moves keep the rules: the active object grows, a locked one keeps its pixels."""
    path = [xy(24 + (k % 4) * 2, 8 + 3 * k) for k in range(12)]  # crosses the locked object
    results = []
    for batched in (True, False):
        widget = sw.SegmentationWidget(
            np.zeros(SHAPE), ["unlabelled", "cat", "dog"], width=400, height=400, brush_size=5
        )
        widget.paint_mode = paint_mode
        results.append(_objects_after(widget, path, batched=batched))
    (mask, painted, locked, count), (mask_1, painted_1, locked_1, count_1) = results
    np.testing.assert_array_equal(mask, mask_1)
    np.testing.assert_array_equal(painted, painted_1)
    np.testing.assert_array_equal(locked, locked_1)
    assert count == count_1 == int(painted.sum()) > 0
    assert (mask[locked] == 2).all()  # the locked object was not painted over


def test_right_drag_with_the_brush_erases_and_never_paints(w):
    w.paint_stroke([(20, 5), (20, 60)], brush_size=5)
    before = w.mask.copy()
    layer_drag(input_layer(w), [xy(20, 20), xy(20, 30)], button=2)
    erased = (before == 1) & (w.mask == 0)
    assert erased[20, 20:31].all()
    assert not ((w.mask != before) & ~erased).any()  # nothing else changed, nothing painted
    w.right_button = "none"
    layer_drag(input_layer(w), [xy(20, 40), xy(20, 50)], button=2, batch=2)
    assert (w.mask[20, 40:51] == 1).all()  # the right button does nothing now
    w.tool = "fill"
    layer_drag(input_layer(w), [xy(50, 50)], button=2, batch=3)
    assert not (w.mask[50:60, 50:60]).any()  # and never fills


def test_right_button_is_a_checked_setting(w):
    with pytest.raises(ValueError, match="right_button: expected one of"):
        w.right_button = "paint"


def test_middle_drag_pans_and_paints_nothing(w):
    w.zoom = 8.0
    before = w.canvas_to_image(200, 200)
    layer_drag(input_layer(w), [(200, 200), (240, 220)], button=1)
    after = w.canvas_to_image(200, 200)
    assert not w.mask.any()
    assert after == pytest.approx((before[0] - 40 / 8, before[1] - 20 / 8))


def test_space_held_turns_a_left_drag_into_panning(w):
    w.zoom = 8.0
    before = w.canvas_to_image(200, 200)
    key(w, " ", down=True)
    layer_drag(input_layer(w), [(200, 200), (160, 200)])
    key(w, " ", down=False)
    assert not w.mask.any()
    assert w.canvas_to_image(200, 200)[0] == pytest.approx(before[0] + 40 / 8)
    start, end = w.image_to_canvas(20.5, 20.5), w.image_to_canvas(24.5, 20.5)
    layer_drag(input_layer(w), [start, end], batch=2)
    assert w.mask[20, 20:25].all()  # Space released: the brush paints again


def test_shift_click_draws_a_straight_line_from_the_last_stroke(w):
    layer_drag(input_layer(w), [xy(10, 10)])
    pointer(
        w, 2,
        ["down", *xy(10, 50), 0, 1, 1, 100.0, 1],  # modifiers 1: Shift
        ["up", *xy(10, 50), 0, 0, 1, 101.0, 1],
    )  # fmt: skip
    assert w.mask[10, 10:51].all()
    assert not w.mask[20:, :].any()
    w.undo()
    assert w.mask[10, 10] and not w.mask[10, 30]  # the line is one undo step


def test_the_browser_double_click_closes_the_polygon(w):
    w.tool = "polygon"
    corners = [xy(10, 10), xy(10, 40), xy(40, 40)]
    events = []
    for k, (x, y) in enumerate(corners):
        events += [["down", x, y, 0, 1, 0, 1000.0 * k, 1], ["up", x, y, 0, 0, 0, 1000.0 * k, 1]]
    x, y = xy(40, 10)
    # A double click on the last vertex: clicks 1 then 2 (however long the kernel took).
    events += [["down", x, y, 0, 1, 0, 5000.0, 1], ["up", x, y, 0, 0, 0, 5001.0, 1]]
    events += [["down", x, y, 0, 1, 0, 5200.0, 2], ["up", x, y, 0, 0, 0, 5201.0, 2]]
    pointer(w, 1, *events)
    assert w.mask[15:35, 15:35].all() and w.mask.sum() > 800


def test_slow_separate_clicks_with_counts_of_one_never_close_the_polygon(w):
    w.tool = "polygon"
    x, y = xy(10, 10)
    for batch, time_ms in ((1, 0.0), (2, 100.0)):  # close in time, but the browser says 1
        pointer(w, batch, ["down", x, y, 0, 1, 0, time_ms, 1], ["up", x, y, 0, 0, 0, time_ms, 1])
    assert not w.mask.any() and "object" not in w.status


def test_each_batch_is_drawn_once_then_acknowledged(w):
    with record_messages() as sent, record_redraws(w) as redraws:
        layer_drag(input_layer(w), [xy(10, 10), xy(10, 20), xy(10, 30), xy(12, 30)], batch=7)
    assert len(redraws) == 1  # one redraw of the visible canvas for the whole batch
    acks = [i for i, m in enumerate(sent) if m.message.get("content", {}).get("type") == "ack"]
    assert len(acks) == 1 and sent[acks[0]].message["content"]["batch"] == 7
    draws = [i for i, m in enumerate(sent) if "drawImage" in canvas_commands([m])]
    assert draws and max(draws) < acks[0]  # the pixels go before the acknowledgement


def test_keys_from_the_layer_run_shortcuts_and_ctrl_z_undoes(w):
    key(w, "e")
    assert w.tool == "eraser"
    key(w, "b")
    layer_drag(input_layer(w), [xy(10, 10), xy(10, 20)])
    key(w, "z", modifiers=2)
    assert not w.mask.any()
    key(w, "Z", modifiers=3)
    assert w.mask.any()


def test_the_layer_takes_the_keymap_keys_and_space():
    w = sw.SegmentationWidget(np.zeros((8, 8)), ["u", "a"])
    keys = set(input_layer(w).shortcut_keys)
    assert {"b", "e", "enter", "escape", "ctrl+z", "ctrl+shift+z", "ctrl+y", " ", "3"} <= keys
    assert "ctrl+c" not in keys and "shift+enter" not in keys  # JupyterLab keeps those


def test_the_canvas_fits_the_width_the_page_offers(w):
    u = sw.SegmentationWidget(np.zeros((100, 200)), ["u", "a"])
    assert (u.canvas.width, u.canvas.height) == (800, 400)  # before the browser speaks
    ready(u, css_width=1000, css_height=1000)
    width = 1000 - 288 - 4
    assert (u.canvas.width, u.canvas.height) == (width, width // 2)
    assert u.canvas.layout.width == f"{width}px"
    assert u.zoom == pytest.approx(width / 200)  # still fitted
    send_layer_message(
        input_layer(u),
        {"type": "resize", "css_width": 500, "css_height": 1000, "device_pixel_ratio": 1.0},
    )
    assert u.canvas.width == 496  # narrow: the panel goes below, the canvas takes the width
    assert u.zoom == pytest.approx(496 / 200)


def test_a_zoomed_view_keeps_its_zoom_when_the_page_changes():
    u = sw.SegmentationWidget(np.zeros((100, 200)), ["u", "a"])
    ready(u, css_width=1000, css_height=1000)
    u.zoom = 10.0
    send_layer_message(
        input_layer(u),
        {"type": "resize", "css_width": 700, "css_height": 1000, "device_pixel_ratio": 1.0},
    )
    assert u.zoom == 10.0


def test_high_dpi_screens_get_device_pixels_without_a_parameter():
    u = sw.SegmentationWidget(np.zeros((100, 200)), ["u", "a"])
    ready(u, css_width=1000, css_height=1000, ratio=2.0)
    css = 1000 - 288 - 4
    assert (u.canvas.width, u.canvas.layout.width) == (2 * css, f"{css}px")
    layer = input_layer(u)
    assert layer.pixel_ratio == 2.0 and layer.canvas_width == 2 * css


def test_explicit_size_and_pixel_ratio_stay_as_given(w):
    v = sw.SegmentationWidget(np.zeros(SHAPE), ["u", "a"], width=300, height=200, pixel_ratio=1.5)
    ready(v, css_width=1500, css_height=900, ratio=3.0)
    assert (v.canvas.width, v.canvas.height) == (450, 300)
    assert v.canvas.layout.width == "300px"


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"pixel_ratio": 9}, r"pixel_ratio: expected a number in \(0, 8\]; got 9"),
        ({"pixel_ratio": 0}, r"pixel_ratio: expected a number in \(0, 8\]; got 0"),
        ({"width": 30000, "height": 20000}, "canvas: expected at most"),
        ({"width": 15.5}, "width: expected an integer number of CSS pixels"),
    ],
)
def test_canvas_sizes_are_bounded(kwargs, match):
    with pytest.raises(ValueError, match=match):
        sw.SegmentationWidget(np.zeros(SHAPE), ["u", "a"], **kwargs)


def test_with_the_layer_running_the_kernel_draws_no_cursor(w):
    with record_messages() as sent:
        pointer(w, 1, ["move", 50.0, 50.0, -1, 0, 0, 1.0, 0])
    assert "strokeCircle" in canvas_commands(sent)  # without the layer, the kernel draws it
    ready(w)
    with record_messages() as sent:
        pointer(w, 2, ["move", 60.0, 60.0, -1, 0, 0, 2.0, 0])
    assert "strokeCircle" not in canvas_commands(sent)
    assert "x 15, y 15" in w.status  # the status still follows the pointer


def test_the_layer_mirrors_the_pen_settings(w):
    layer = input_layer(w)
    w.label = 2
    w.brush_size = 17
    w.tool = "lasso"
    w.opacity = 0.25
    red, green, blue = w.classes[2].color
    assert (layer.color, layer.brush_size, layer.tool, layer.opacity) == (
        f"#{red:02x}{green:02x}{blue:02x}", 17.0, "lasso", 0.25
    )  # fmt: skip
    w.zoom = 8.0
    assert layer.zoom == 8.0
    col, row = w.canvas_to_image(0, 0)
    assert (layer.offset_x, layer.offset_y) == pytest.approx((-col * 8, -row * 8))


def editable_masks(message):
    rows, cols, paint, erase = message.buffers
    shape = (len(rows) // 4, len(cols) // 4)
    size = shape[0] * shape[1]
    return tuple(
        np.unpackbits(np.frombuffer(bits, np.uint8))[:size].reshape(shape).astype(bool)
        for bits in (paint, erase)
    )


def editable_messages(sent):
    return [m for m in sent if m.message.get("content", {}).get("type") == "editable"]


def test_preserve_mode_sends_what_a_stroke_may_change_for_the_view(w):
    w.paint_stroke([(10, 10), (10, 30)], label=2, brush_size=5)
    w.label = 1
    ready(w)
    with record_messages() as sent:
        w.paint_mode = "preserve"
    (message,) = editable_messages(sent)
    paint, erase = editable_masks(message)  # the view shows the whole image at zoom 4
    np.testing.assert_array_equal(paint, w.mask == 0)  # the brush changes unlabelled pixels
    assert not erase.any()  # the eraser erases only class 1: there is none
    with record_messages() as sent:
        w.label = 2
    paint, erase = editable_masks(editable_messages(sent)[-1])
    np.testing.assert_array_equal(erase, w.mask == 2)
    with record_messages() as sent:
        w.paint_mode = "overwrite"
    assert not editable_messages(sent)  # only preserve mode needs them


def test_a_layer_that_never_starts_is_said_once_on_the_message_line(w, monkeypatch):
    import seg_widget.widget.view as view_module

    monkeypatch.setattr(view_module, "LAYER_START_SECONDS", 0.01)
    w._repr_mimebundle_()  # what displaying the widget calls

    deadline = time.monotonic() + 5
    while "front-end layer did not start" not in w.message and time.monotonic() < deadline:
        time.sleep(0.01)
    assert "front-end layer did not start" in w.message
    mouse_drag(w.canvas, [xy(5, 5), xy(5, 9)])  # ipycanvas' own events still paint
    assert w.mask[5, 5:10].all()


def test_a_malformed_layer_message_is_dropped_with_a_log_line(w, caplog):
    with caplog.at_level(logging.WARNING, logger="seg_widget"):
        send_layer_message(input_layer(w), {"type": "pointer", "batch": 1, "events": [["x"]]})
    assert "dropped a malformed input-layer message" in caplog.text
    assert not w.mask.any()
