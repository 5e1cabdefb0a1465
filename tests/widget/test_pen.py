"""The brush, eraser, pick and pan tools driven through the real canvas event handlers."""

import numpy as np

from seg_widget.testing import click, mouse_drag, press_key, send_canvas_event

from .conftest import capsule


def test_drag_paints_exactly_the_capsule_under_the_path(widget):
    widget.label = 2
    # Canvas (42, 42) is image (10.5, 10.5); canvas (202, 42) is image (50.5, 10.5).
    mouse_drag(widget.canvas, [(42, 42), (122, 42), (202, 42)])
    expected = capsule((100, 100), (10.5, 10.5), (10.5, 50.5), 5)
    np.testing.assert_array_equal(widget.mask == 2, expected)
    assert widget.mask.max() == 2


def test_fast_diagonal_move_leaves_no_gaps(widget):
    widget.brush_size = 1
    widget.label = 1
    mouse_drag(widget.canvas, [(2, 2), (398, 398)])  # one event for the whole diagonal
    assert all(widget.mask[i, i] == 1 for i in range(100))


def test_eraser_removes_only_under_its_path(widget):
    widget.mask = np.ones((100, 100), np.uint8)
    widget.tool = "eraser"
    mouse_drag(widget.canvas, [(42, 202), (42, 202)])
    expected = ~capsule((100, 100), (50.5, 10.5), (50.5, 10.5), 5)
    np.testing.assert_array_equal(widget.mask == 1, expected)


def test_painting_after_zoom_and_pan_lands_under_the_cursor(widget):
    widget.zoom = 8.0
    widget.pan(-37, 23)
    x, y = widget.image_to_canvas(70.5, 30.5)  # (col, row)
    widget.brush_size = 1
    click(widget.canvas, x, y)
    assert np.argwhere(widget.mask).tolist() == [[30, 70]]


def test_wheel_zooms_about_the_cursor(widget):
    send_canvas_event(widget.canvas, "mouse_move", x=100, y=300)
    before = widget.canvas_to_image(100, 300)
    send_canvas_event(widget.canvas, "mouse_wheel", x=0, y=-100)
    assert widget.zoom > 4.0
    np.testing.assert_allclose(widget.canvas_to_image(100, 300), before)


def test_pan_tool_drag_moves_the_image_with_the_mouse(widget):
    widget.zoom = 8.0
    widget.tool = "pan"
    before = widget.image_to_canvas(50, 50)
    mouse_drag(widget.canvas, [(200, 200), (210, 195), (230, 180)])
    after = widget.image_to_canvas(50, 50)
    np.testing.assert_allclose(np.subtract(after, before), (30, -20))
    assert not widget.mask.any()


def test_pick_selects_the_class_under_the_cursor_then_returns_to_the_tool(widget):
    widget.mask = np.full((100, 100), 2, np.uint8)
    widget.label = 1
    widget.tool = "eraser"
    widget.tool = "pick"
    click(widget.canvas, 200, 200)
    assert widget.label == 2
    assert widget.tool == "eraser"


def test_events_outside_the_image_are_clipped_and_never_raise(widget):
    widget.zoom = widget.zoom / 2  # the image now covers only the middle of the canvas
    mouse_drag(widget.canvas, [(-50, -50), (1000, 5), (3, 399)])
    assert widget.message == ""
    click(widget.canvas, -1e9, 1e9)
    assert widget.message == ""


def test_release_outside_the_canvas_ends_the_stroke(widget):
    send_canvas_event(widget.canvas, "mouse_down", x=42, y=42)
    send_canvas_event(widget.canvas, "mouse_out", x=-1, y=42)
    painted = widget.mask.copy()
    send_canvas_event(widget.canvas, "mouse_move", x=300, y=300)  # hover, no button
    np.testing.assert_array_equal(widget.mask, painted)
    widget.undo()
    assert not widget.mask.any()


def test_one_stroke_is_one_undo_step_and_redo_restores_it(widget):
    mouse_drag(widget.canvas, [(42, 42), (80, 60), (120, 90), (160, 120)])
    after = widget.mask.copy()
    assert widget.can_undo and not widget.can_redo
    press_key(widget.canvas, "z", ctrl=True)
    assert not widget.mask.any()
    assert widget.can_redo
    press_key(widget.canvas, "Z", shift=True, ctrl=True)
    np.testing.assert_array_equal(widget.mask, after)
    press_key(widget.canvas, "z", meta=True)
    press_key(widget.canvas, "y", ctrl=True)
    np.testing.assert_array_equal(widget.mask, after)


def test_preserve_mode_paints_only_unlabelled_pixels(widget):
    base = np.zeros((100, 100), np.uint8)
    base[:, :50] = 1
    widget.mask = base
    widget.paint_mode = "preserve"
    widget.label = 2
    mouse_drag(widget.canvas, [(42, 200), (358, 200)])
    assert (widget.mask[:, :50] == 1).all()
    assert (widget.mask[50, 50:90] == 2).all()


def test_keyboard_shortcuts_switch_tools_classes_and_brush_size(widget):
    press_key(widget.canvas, "e")
    assert widget.tool == "eraser"
    press_key(widget.canvas, "b")
    assert widget.tool == "brush"
    press_key(widget.canvas, "2")
    assert widget.label == 2
    press_key(widget.canvas, "9")  # no class 9: ignored
    assert widget.label == 2
    press_key(widget.canvas, "]")
    assert widget.brush_size == 6
    press_key(widget.canvas, "[")
    assert widget.brush_size == 5
    press_key(widget.canvas, "+")
    assert widget.zoom == 6.0
    press_key(widget.canvas, "r")
    assert widget.zoom == 4.0
