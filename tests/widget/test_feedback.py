"""Feedback that is always current: counts, status line, message line and the proposal hint.

Every kind of edit (brush drags, a drag released away from its last move, Python strokes,
fills, polygons, lassos, proposals, fixes, object commands, undo and redo) is followed by
the object list's pixel counts, the class list's shares and the status line's labelled
share, each compared with a recount of the mask.
"""

import numpy as np
import pytest

import seg_widget as sw
from seg_widget.testing import (
    click,
    find_control,
    input_layer,
    mouse_drag,
    press_key,
    send_canvas_event,
    send_layer_message,
)
from seg_widget.widget.panels import ClassList, MessageLine, ObjectPanel, ProposalHint

CLASSES = ["unlabelled", "person", "dog"]


def make(**kwargs):
    """A flat 100x100 image at 4 canvas px per image px, brush 5."""
    image = kwargs.pop("image", np.zeros((100, 100)))
    return sw.SegmentationWidget(image, CLASSES, width=400, height=400, brush_size=5, **kwargs)


def xy(row, col):
    """Canvas point at the centre of image pixel (row, col)."""
    return (4 * col + 2, 4 * row + 2)


def shown_counts(w):
    """What the panels and the status line say, and what a recount of the mask says."""
    panel = find_control(w, ObjectPanel)
    rows = {row.instance.id: row.info.value for row in panel.rows if row.instance is not None}
    classes = find_control(w, ClassList)
    descriptions = [row.description for row in classes.rows]
    shares = dict(zip(classes.shown_ids, descriptions, strict=False))
    return rows, shares, w.status


def assert_counts_current(w):
    rows, shares, status = shown_counts(w)
    for instance in w.instances:
        pixels = int((w.instance_mask == instance.id).sum())
        assert w.instance_pixels(instance.id) == pixels
        shown = f"{pixels} px" if pixels < 10_000 else f"{pixels / 1000:.0f}k px"
        assert f"<br>{shown}</div>" in rows[instance.id], (instance, rows[instance.id])
    total = w.mask.size
    for class_id, description in shares.items():
        share = 100 * int((w.mask == class_id).sum()) / total
        assert description.endswith(f"· {share:.1f}%"), (class_id, description)
    assert f"labelled {100 * np.count_nonzero(w.mask) / total:.1f}%" in status


def brush_drag(w):
    w.tool = "brush"
    mouse_drag(w.canvas, [xy(20, 10), xy(20, 40)])


def drag_released_away(w):
    """The release lands far from the last move (a fast flick): the stroke ends there."""
    w.tool = "brush"
    for kind, (row, col) in (("down", (30, 10)), ("move", (30, 12)), ("up", (70, 80))):
        x, y = xy(row, col)
        send_canvas_event(w.canvas, f"mouse_{kind}", x=x, y=y)


def python_stroke(w):
    w.paint_stroke([(40, 10), (40, 60)])


def fill_click(w):
    w.tool = "fill"
    click(w.canvas, *xy(90, 90))


def polygon_clicks(w):
    w.tool = "polygon"
    for point in [(50, 50), (50, 80), (80, 80), (50, 50)]:
        click(w.canvas, *xy(*point))


def lasso_drag(w):
    w.tool = "lasso"
    mouse_drag(w.canvas, [xy(5, 60), xy(5, 95), xy(15, 95), xy(15, 60)])


def python_polygon(w):
    w.fill_polygon([(60, 5), (60, 30), (90, 30)])


def python_flood_fill(w):
    w.flood_fill((99, 0))


def accepted_wand(w):
    w.propose_wand((10, 10))
    press_key(w.canvas, "Enter")


def fill_unlabelled(w):
    w.fill_unlabelled(sw.BBox(0, 10, 0, 10))


EDITS = [
    brush_drag,
    drag_released_away,
    python_stroke,
    fill_click,
    polygon_clicks,
    lasso_drag,
    python_polygon,
    python_flood_fill,
    accepted_wand,
    fill_unlabelled,
]


@pytest.mark.parametrize("edit", EDITS, ids=[e.__name__ for e in EDITS])
def test_counts_are_current_after_every_kind_of_edit_its_undo_and_redo(edit):
    w = make()
    press_key(w.canvas, "m")  # person 1, active: every edit adds to it
    edit(w)
    assert w.instance_pixels(1) > 0
    assert_counts_current(w)
    w.undo()
    assert_counts_current(w)
    w.redo()
    assert_counts_current(w)


def test_counts_are_current_after_object_commands_and_their_undo():
    w = make()
    press_key(w.canvas, "m")
    w.paint_stroke([(20, 10), (20, 40)])
    w.paint_stroke([(60, 10), (60, 40)])
    assert_counts_current(w)
    w.new_instance()
    w.paint_stroke([(80, 10), (80, 40)])
    w.merge_instances([1, 2])
    assert_counts_current(w)
    pieces = w.split_instance(1)
    assert len(pieces) == 3
    assert_counts_current(w)
    w.delete_instances([pieces[1]])
    assert_counts_current(w)
    for _ in range(3):
        w.undo()
        assert_counts_current(w)


def test_the_labelled_share_is_current_after_a_drag_released_away_from_its_last_move():
    w = make()
    drag_released_away(w)
    painted = np.count_nonzero(w.mask)
    assert painted > 0 and w.mask[70, 80] == 1  # the stroke reached the release point
    assert f"labelled {100 * painted / w.mask.size:.1f}%" in w.status


def test_what_is_under_the_pointer_is_read_again_after_an_undo():
    w = make()
    w.tool = "fill"
    click(w.canvas, *xy(50, 50))
    assert "x 50, y 50 · value 0 · 1: person" in w.status
    w.undo()
    assert "x 50, y 50 · value 0 · 0: unlabelled" in w.status


# -- the status line shows the image value(s) under the pointer ------------------------------


@pytest.mark.parametrize(
    ("image", "expected"),
    [
        (np.full((100, 100), 40000, np.uint16), "value 40000"),
        (np.full((100, 100, 3), (12, 34, 56), np.uint8), "RGB 12 34 56"),
        (np.full((100, 100), 0.123456, np.float32), "value 0.1235"),
    ],
    ids=["uint16", "rgb", "float"],
)
def test_the_status_line_shows_the_image_value_under_the_pointer(image, expected):
    w = make(image=image)
    w.paint_stroke([(50, 50)], brush_size=1)
    send_canvas_event(w.canvas, "mouse_move", x=202, y=202)
    assert w.status.startswith(f"x 50, y 50 · {expected} · 1: person")


# -- the message line ----------------------------------------------------------------------


def test_messages_are_on_their_own_line_and_the_next_action_clears_them():
    w = make()
    press_key(w.canvas, "m")
    w.set_instance_locked(1)
    mouse_drag(w.canvas, [xy(20, 10), xy(20, 40)])
    assert w.message == "⚠ person 1 is locked: unlock or show it to change it"
    assert "locked" not in w.status
    # Unlocking through the object list is the next action: the warning goes.
    find_control(w, ObjectPanel).rows[0].locked.value = False
    assert w.message == ""
    mouse_drag(w.canvas, [xy(20, 10), xy(20, 40)])
    assert w.message == "" and w.instance_pixels(1) > 0


def test_a_message_stays_through_the_drag_that_caused_it_and_goes_with_the_next_key():
    w = make()
    w.label = 0
    press_key(w.canvas, "m")
    assert w.message == "⚠ label: expected a class to make an instance of; got 0 (unlabelled)"
    mouse_drag(w.canvas, [xy(20, 10), xy(20, 40)])  # a new action
    assert w.message == ""
    press_key(w.canvas, "m")
    assert w.message.startswith("⚠ label:")
    press_key(w.canvas, "1")
    assert w.message == ""


def test_a_message_stays_when_the_key_that_caused_it_is_released():
    """The front-end layer sends a key's press and its release: only a press is an action."""
    w = make()
    w.label = 0
    layer = input_layer(w)
    for down in (True, False):
        send_layer_message(layer, {"type": "key", "key": "m", "down": down, "modifiers": 0})
    assert w.message.startswith("⚠ label:")
    send_layer_message(layer, {"type": "key", "key": "1", "down": True, "modifiers": 0})
    assert w.message == ""


def test_an_edit_from_python_clears_the_message_but_a_refused_one_keeps_it():
    w = make()
    press_key(w.canvas, "m")
    w.set_instance_locked(1)
    w.paint_stroke([(10, 10)])  # refused: the object is locked
    assert "locked" in w.message
    w.set_instance_locked(1, False)
    assert w.message == ""


def test_the_message_line_wraps_in_the_page_and_escapes_its_text():
    w = make()
    line = find_control(w, MessageLine)
    press_key(w.canvas, "m")
    w.rename_instance(1, "<b>" + "x" * 300)
    w.set_instance_locked(1)
    w.paint_stroke([(10, 10)])
    assert line.value.startswith("⚠ &lt;b&gt;" + "x" * 300)
    assert line.is_warning
    assert (line.layout.min_width, line.layout.width, line.layout.margin) == ("100%", "0", "0")
    w.set_instance_locked(1, False)
    assert line.value == "" and not line.is_warning


# -- the proposal hint ---------------------------------------------------------------------


def hint(w):
    return find_control(w, ProposalHint)


def test_the_proposal_hint_shows_while_a_proposal_is_pending():
    w = make()
    assert not hint(w).shown and not w.proposal_pending
    w.tool = "wand"
    click(w.canvas, *xy(50, 50))
    assert w.proposal_pending and hint(w).shown
    assert hint(w).text.value == "<b>Proposal:</b> Enter accept · Esc reject"
    press_key(w.canvas, "Escape")
    assert not w.proposal_pending and not hint(w).shown
    assert not w.mask.any()


@pytest.mark.parametrize("button", ["Accept", "Reject"])
def test_the_hint_buttons_accept_or_reject(button):
    w = make()
    w.tool = "wand"
    click(w.canvas, *xy(50, 50))
    accept, reject = hint(w).accept, hint(w).reject
    assert (accept.description, reject.description) == ("Accept", "Reject")
    (accept if button == "Accept" else reject).click()
    assert not hint(w).shown
    assert w.mask.all() == (button == "Accept")
    if button == "Accept":
        assert w.message == "accepted the proposal: 10,000 px changed"


def test_a_failed_proposal_leaves_no_progress_in_the_status_line():
    w = make()
    w.tool = "scribble"
    mouse_drag(w.canvas, [xy(10, 10), xy(10, 40)])  # one class only
    press_key(w.canvas, "Enter")
    assert w.message.startswith("⚠ ") and "two" in w.message
    assert "⏳" not in w.status
    assert not w.proposal_pending


def test_a_proposal_that_breaks_says_so_and_leaves_no_progress(monkeypatch):
    import seg_widget.core.assist as assist

    def broken(*args, **kwargs):
        raise RuntimeError("out of memory")

    monkeypatch.setattr(assist, "scribble_proposal", broken)
    w = make()
    w.tool = "scribble"
    mouse_drag(w.canvas, [xy(10, 10), xy(10, 40)])
    press_key(w.canvas, "2")
    mouse_drag(w.canvas, [xy(60, 10), xy(60, 40)])
    press_key(w.canvas, "Enter")
    assert "out of memory" in w.message
    assert "⏳" not in w.status
    assert not w.proposal_pending
