"""Lasso, polygon and fill tools driven through the real canvas event handlers."""

import numpy as np
import pytest

from seg_widget.testing import click, current_tool, mouse_drag, press_key, send_canvas_event

# The `widget` fixture shows a 100x100 image at 4 canvas px per image px, so canvas
# (4c, 4r) is the top-left corner of image pixel (r, c).
SQUARE_XY = [(40, 40), (120, 40), (120, 120), (40, 120)]  # image corners (10,10)-(30,30)


def square_mask(r0=10, r1=30, c0=10, c1=30):
    expected = np.zeros((100, 100), bool)
    expected[r0:r1, c0:c1] = True
    return expected


def polygon_clicks(canvas, points_xy, close="first"):
    for x, y in points_xy:
        click(canvas, x, y)
    if close == "first":
        click(canvas, *points_xy[0])
    elif close == "enter":
        press_key(canvas, "Enter")


@pytest.mark.parametrize("close", ["first", "enter", "double"])
def test_polygon_clicks_fill_exactly_the_pixels_whose_centres_are_inside(widget, close):
    widget.tool = "polygon"
    widget.label = 2
    points = SQUARE_XY
    if close == "double":
        polygon_clicks(widget.canvas, points, close=None)
        click(widget.canvas, *points[-1])  # second click of a double click on the last vertex
    else:
        polygon_clicks(widget.canvas, points, close=close)
    np.testing.assert_array_equal(widget.mask == 2, square_mask())
    assert widget.mask.max() == 2


def test_polygon_preview_does_not_touch_the_mask_until_closed(widget):
    widget.tool = "polygon"
    polygon_clicks(widget.canvas, SQUARE_XY, close=None)
    send_canvas_event(widget.canvas, "mouse_move", x=300, y=300)
    assert not widget.mask.any()
    assert current_tool(widget).active


def test_backspace_removes_the_last_vertex_and_escape_cancels(widget):
    widget.tool = "polygon"
    polygon_clicks(widget.canvas, [*SQUARE_XY, (300, 300)], close=None)
    press_key(widget.canvas, "Backspace")
    press_key(widget.canvas, "Enter")
    np.testing.assert_array_equal(widget.mask == 1, square_mask())
    polygon_clicks(widget.canvas, [(200, 200), (300, 200), (300, 300)], close=None)
    press_key(widget.canvas, "Escape")
    press_key(widget.canvas, "Enter")  # nothing left to close
    np.testing.assert_array_equal(widget.mask == 1, square_mask())


def test_ctrl_z_while_drawing_a_polygon_removes_its_last_vertex(widget):
    widget.tool = "polygon"
    polygon_clicks(widget.canvas, [*SQUARE_XY, (300, 300)], close=None)
    press_key(widget.canvas, "z", ctrl=True)
    press_key(widget.canvas, "Enter")
    np.testing.assert_array_equal(widget.mask == 1, square_mask())


def test_lasso_drag_fills_on_release_with_the_same_rule_as_the_polygon(widget):
    widget.tool = "lasso"
    path = [(40, 40), (80, 40), (120, 40), (120, 80), (120, 120), (80, 120), (40, 120), (40, 80)]
    mouse_drag(widget.canvas, path)
    np.testing.assert_array_equal(widget.mask == 1, square_mask())


def test_lasso_closes_when_the_mouse_leaves_the_canvas(widget):
    widget.tool = "lasso"
    send_canvas_event(widget.canvas, "mouse_down", x=40, y=40)
    for x, y in [(120, 40), (120, 120), (40, 120)]:
        send_canvas_event(widget.canvas, "mouse_move", x=x, y=y)
    send_canvas_event(widget.canvas, "mouse_out", x=40, y=120)
    np.testing.assert_array_equal(widget.mask == 1, square_mask())


def test_outline_is_one_undo_step(widget):
    widget.tool = "lasso"
    mouse_drag(widget.canvas, [(40, 40), (120, 40), (120, 120), (40, 120)])
    widget.undo()
    assert not widget.mask.any()
    widget.redo()
    np.testing.assert_array_equal(widget.mask == 1, square_mask())


def test_degenerate_outlines_fill_nothing_and_never_raise(widget):
    widget.tool = "lasso"
    mouse_drag(widget.canvas, [(40, 40), (41, 40)])  # two points
    assert "three or more distinct points" in widget.message
    mouse_drag(widget.canvas, [(40, 40), (80, 80), (120, 120), (80, 80)])  # zero area
    assert not widget.mask.any()
    assert not widget.can_undo


def test_self_intersecting_outline_uses_the_even_odd_rule(widget):
    widget.fill_polygon([(10, 10), (10, 30), (30, 10), (30, 30)], label=1)  # a bow tie
    assert widget.mask[12, 20] == 1 and widget.mask[27, 20] == 1  # the two lobes
    assert widget.mask[20, 12] == 0 and widget.mask[20, 27] == 0  # left and right gaps


def test_erase_toggle_makes_outlines_subtract(widget):
    widget.mask = np.ones((100, 100), np.uint8)
    press_key(widget.canvas, "x")
    assert widget.erase
    widget.tool = "polygon"
    polygon_clicks(widget.canvas, SQUARE_XY)
    np.testing.assert_array_equal(widget.mask == 0, square_mask())


def test_preserve_mode_outline_shares_the_border_with_its_neighbour(widget):
    widget.fill_polygon([(10, 10), (10, 50), (50, 50), (50, 10)], label=1)  # neighbour A
    widget.paint_mode = "preserve"
    widget.tool = "polygon"
    widget.label = 2
    polygon_clicks(widget.canvas, [(160, 80), (320, 80), (320, 160), (160, 160)])  # overlaps A
    a = square_mask(10, 50, 10, 50)
    b_outline = square_mask(20, 40, 40, 80)
    np.testing.assert_array_equal(widget.mask == 1, a)  # A untouched
    assert ((widget.mask == 1) | (widget.mask == 2))[b_outline].all()  # no gap pixels


def test_fill_fills_the_4_connected_region_under_the_click(widget):
    widget.fill_polygon([(10, 10), (10, 50), (50, 50), (50, 10)], label=1)
    widget.fill_polygon([(20, 20), (20, 40), (40, 40), (40, 20)], erase=True)  # a hole
    widget.tool = "fill"
    widget.label = 2
    click(widget.canvas, 30 * 4 + 2, 30 * 4 + 2)  # inside the hole
    np.testing.assert_array_equal(widget.mask == 2, square_mask(20, 40, 20, 40))
    click(widget.canvas, 2, 2)  # the unlabelled outside
    assert (widget.mask[:10] == 2).all() and (widget.mask[15, 15] == 1)


def test_fill_connectivity_8_crosses_diagonal_gaps(widget):
    mask = np.zeros((100, 100), np.uint8)
    mask[np.arange(100), np.arange(100)] = 1  # a diagonal of class 1
    widget.mask = mask
    widget.label = 2
    widget.flood_fill((0, 0), label=2)
    assert (widget.mask == 2).sum() == 1  # 4-connected: only the clicked diagonal pixel
    widget.undo()
    widget.fill_connectivity = 8
    widget.tool = "fill"
    click(widget.canvas, 2, 2)  # on pixel (0, 0) of the diagonal
    assert (widget.mask == 2).sum() == 100


def test_global_fill_replaces_the_label_everywhere(widget):
    mask = np.zeros((100, 100), np.uint8)
    mask[5:10, 5:10] = 1
    mask[50:60, 50:60] = 1
    widget.mask = mask
    widget.fill_mode = "global"
    widget.tool = "fill"
    widget.label = 2
    click(widget.canvas, 7 * 4, 7 * 4)
    np.testing.assert_array_equal(widget.mask == 2, mask == 1)


def test_fill_erase_in_preserve_mode_erases_only_the_selected_class(widget):
    mask = np.zeros((100, 100), np.uint8)
    mask[:, :50] = 1
    mask[:, 50:] = 2
    widget.mask = mask
    widget.paint_mode = "preserve"
    widget.erase = True
    widget.label = 1
    widget.tool = "fill"
    click(widget.canvas, 300, 200)  # on class 2: not the selected class, untouched
    np.testing.assert_array_equal(widget.mask, mask)
    click(widget.canvas, 100, 200)  # on class 1: erased
    assert (widget.mask[:, :50] == 0).all() and (widget.mask[:, 50:] == 2).all()


def test_pick_then_continue_with_every_tool(widget):
    widget.mask = np.full((100, 100), 2, np.uint8)
    for tool in ("brush", "eraser", "lasso", "polygon", "fill", "pan"):
        widget.tool = tool
        widget.label = 1
        press_key(widget.canvas, "l")
        click(widget.canvas, 200, 200)
        assert (widget.tool, widget.label) == (tool, 2)


def test_tool_shortcuts(widget):
    for key, tool in [("o", "lasso"), ("p", "polygon"), ("f", "fill"), ("i", "pick"), ("h", "pan")]:
        press_key(widget.canvas, key)
        assert widget.tool == tool


def test_switching_tool_cancels_the_outline_in_progress(widget):
    widget.tool = "polygon"
    polygon_clicks(widget.canvas, SQUARE_XY, close=None)
    polygon = current_tool(widget)
    assert polygon.active
    widget.tool = "brush"
    assert not polygon.active
    assert not widget.mask.any()


def test_zooming_while_drawing_keeps_vertices_on_the_image(widget):
    widget.tool = "polygon"
    click(widget.canvas, 40, 40)
    click(widget.canvas, 120, 40)
    send_canvas_event(widget.canvas, "mouse_move", x=120, y=120)
    send_canvas_event(widget.canvas, "mouse_wheel", x=0, y=-100)
    x, y = widget.image_to_canvas(30, 30)
    click(widget.canvas, x, y)
    x, y = widget.image_to_canvas(10, 30)
    click(widget.canvas, x, y)
    press_key(widget.canvas, "Enter")
    np.testing.assert_array_equal(widget.mask == 1, square_mask())


def test_bad_fill_settings_raise_value_errors(widget):
    with pytest.raises(ValueError, match="fill_mode: expected one of 'connected', 'global'"):
        widget.fill_mode = "everywhere"
    with pytest.raises(ValueError, match="fill_connectivity: expected 4 or 8; got 6"):
        widget.fill_connectivity = 6
