"""Instances and nested classes through the widget: keys, pen, locks, object panel, views.

Everything is driven through the real comm handlers (``seg_widget.testing``) or the public
methods, and what the browser is told is checked by replaying the drawing commands sent to
the hidden overlay source canvas.
"""

import json
import math
from contextlib import contextmanager

import ipywidgets
import numpy as np
import pytest
from ipycanvas.canvas import COMMANDS, _CanvasManager
from PIL import Image
from traitlets import TraitError

import seg_widget as sw
from seg_widget.core.instances import Instance
from seg_widget.render.instance_view import instance_color
from seg_widget.testing import (
    click,
    find_control,
    has_object_layer,
    mouse_drag,
    overlay_source,
    press_key,
    record_messages,
    record_redraws,
    send_canvas_event,
    undo_steps,
)
from seg_widget.widget.panels import PAGE_SIZE, ObjectPanel
from seg_widget.widget.transport import forget_current_canvas

from .conftest import capsule

SHAPE = (100, 100)
CLASSES = ["unlabelled", "cat", "dog"]
NESTED = ["bg", "person", sw.LabelClass("face", parent="person")]


def make(classes=CLASSES, **kwargs):
    """A flat 100x100 image at exactly 4 canvas px per image px, brush diameter 3."""
    kwargs.setdefault("brush_size", 3)
    w = sw.SegmentationWidget(np.zeros(SHAPE), classes, width=400, height=400, **kwargs)
    assert w.zoom == 4.0
    return w


@pytest.fixture
def w():
    return make()


def object_panel(w):
    return find_control(w, ObjectPanel)


def xy(row, col):
    """Canvas point at the centre of image pixel (row, col)."""
    return (4 * col + 2, 4 * row + 2)


def drag(w, *points_rc):
    mouse_drag(w.canvas, [xy(r, c) for r, c in points_rc])


def stroke(start_rc, end_rc, diameter=3):
    """Pixels a brush drag between two pixel centres paints."""
    return capsule(SHAPE, np.add(start_rc, 0.5), np.add(end_rc, 0.5), diameter)


def box(r0, r1, c0, c1):
    out = np.zeros(SHAPE, bool)
    out[r0:r1, c0:c1] = True
    return out


def state(w):
    """Everything an undo must restore: mask, instance map, table."""
    return w.mask.copy(), w.instance_mask.copy(), w.instances


def assert_state(w, expected):
    mask, ids, table = expected
    np.testing.assert_array_equal(w.mask, mask)
    np.testing.assert_array_equal(w.instance_mask, ids)
    assert w.instances == table


def two_cats(w):
    """Cat 1: a horizontal stroke on row 20; cat 2: a horizontal stroke on row 60."""
    w.label = 1
    press_key(w.canvas, "m")
    drag(w, (20, 10), (20, 30))
    press_key(w.canvas, "m")
    drag(w, (60, 10), (60, 30))
    return stroke((20, 10), (20, 30)), stroke((60, 10), (60, 30))


# -- replaying what the overlay source canvas is told ------------------------------------------

_SWITCH = COMMANDS["switchCanvas"]
_SET = COMMANDS["set"]
_FILL_STYLE = 0  # index of fill_style among the canvas attributes set by "set"


class OverlayReplay:
    """A raster of the hidden overlay source canvas, rebuilt from the recorded commands."""

    def __init__(self, widget):
        self.rgba = np.zeros((*widget.mask.shape, 4), np.uint8)
        self.model = "IPY_MODEL_" + overlay_source(widget).model_id
        self.current = None
        self.fill = None

    @contextmanager
    def watching(self):
        forget_current_canvas()  # the next command names its canvas
        with record_messages() as sent:
            yield
        self.play(sent)

    def play(self, messages):
        for message in messages:
            if not isinstance(message.widget, _CanvasManager):
                continue
            commands = json.loads(message.buffers[0])
            buffers = list(message.buffers[1:])
            if commands and not isinstance(commands[0], list):
                commands = [commands]  # a single command sent on its own
            for command in commands:
                count = command[2] if len(command) > 2 else 0
                own, buffers = buffers[:count], buffers[count:]
                self._run(command[0], command[1], own)

    def _run(self, name, args, buffers):
        if name == _SWITCH:
            self.current = args[0]
            return
        if self.current != self.model:
            return
        values = [self._value(a, buffers) for a in args]
        if name == _SET and args[0] == _FILL_STYLE:
            text = args[1]
            self.fill = [int(text[k : k + 2], 16) for k in (1, 3, 5)] + [255]
        elif name == COMMANDS["clearRect"]:
            x, y, width, height = (int(v) for v in values)
            self.rgba[y : y + height, x : x + width] = 0
        elif name == COMMANDS["clear"]:
            self.rgba[:] = 0
        elif name in (COMMANDS["fillRect"], COMMANDS["fillRects"]):
            xs, ys, widths, heights = np.broadcast_arrays(*values)
            for x, y, width, height in zip(
                xs.ravel(), ys.ravel(), widths.ravel(), heights.ravel(), strict=True
            ):
                self.rgba[int(y) : int(y + height), int(x) : int(x + width)] = self.fill
        elif name == COMMANDS["putImageData"]:
            x, y = int(values[0]), int(values[1])
            band = np.asarray(Image.open(__import__("io").BytesIO(buffers[0])).convert("RGBA"))
            target = self.rgba[y : y + band.shape[0], x : x + band.shape[1]]
            opaque = band[..., 3] > 0
            target[opaque] = band[opaque]
        else:
            raise AssertionError(f"unexpected command {name} on the overlay source")

    @staticmethod
    def _value(arg, buffers):
        if isinstance(arg, dict) and "idx" in arg:
            return np.frombuffer(buffers[arg["idx"]], arg["dtype"]).reshape(arg["shape"])
        return np.asarray(arg)

    def color_of(self, where):
        """The set of RGBA colours drawn on the pixels ``where``."""
        return {tuple(int(v) for v in p) for p in self.rgba[where]}


def shown(w):
    """Open the widget as the browser does and return the replayed overlay."""
    replay = OverlayReplay(w)
    with replay.watching():
        send_canvas_event(w.canvas, "client_ready")
    return replay


def rgba(color):
    return (*color, 255)


TRANSPARENT = {(0, 0, 0, 0)}


# -- a semantic-only user never meets instances -------------------------------------------------


def test_semantic_only_painting_keeps_no_instance_bookkeeping(w):
    w.label = 2
    drag(w, (10, 10), (10, 50))
    w.tool = "fill"
    w.label = 1
    click(w.canvas, *xy(90, 90))
    np.testing.assert_array_equal(w.mask == 2, stroke((10, 10), (10, 50)))
    assert (w.mask == 1).sum() == 100 * 100 - stroke((10, 10), (10, 50)).sum()
    w.undo()
    np.testing.assert_array_equal(w.mask == 2, stroke((10, 10), (10, 50)))
    assert w.instances == ()
    assert w.instance == 0 and w.selected_instances == ()
    assert not has_object_layer(w)
    assert "object" not in w.status
    assert object_panel(w).page_text.value == "no objects"


def test_reading_instance_mask_starts_an_empty_instance_map(w):
    w.paint_stroke([(5, 5)], label=1)
    ids = w.instance_mask
    assert ids.shape == SHAPE and ids.dtype == np.uint32 and not ids.any()
    assert w.instances == ()
    assert has_object_layer(w)


# -- key M: a new object -------------------------------------------------------------------------


def test_key_m_makes_a_named_selected_instance_as_one_undo_step(w):
    w.label = 2
    press_key(w.canvas, "m")
    assert w.instances == (Instance(1, 2, "dog 1"),)
    assert w.instance == 1 and w.label == 2
    assert "object: dog 1" in w.status
    assert w.can_undo
    assert object_panel(w).rows[0].name.description == "dog 1"
    press_key(w.canvas, "m")
    assert [i.name for i in w.instances] == ["dog 1", "dog 2"] and w.instance == 2
    w.undo()
    assert w.instances == (Instance(1, 2, "dog 1"),)
    assert w.instance == 0  # the undone object is no longer active
    w.undo()
    assert w.instances == () and not w.can_undo
    w.redo()
    assert w.instances == (Instance(1, 2, "dog 1"),)


def test_key_m_with_unlabelled_selected_refuses_and_says_why(w):
    w.label = 0
    press_key(w.canvas, "m")
    assert "label: expected a class to make an instance of; got 0 (unlabelled)" in w.message
    assert w.instances == ()
    assert not has_object_layer(w)
    assert w.instance == 0 and not w.can_undo


def test_new_button_of_the_panel_makes_an_instance(w):
    button_of(w, "New").click()
    assert w.instances == (Instance(1, 1, "cat 1"),) and w.instance == 1


# -- painting into objects -------------------------------------------------------------------------


def test_painting_with_an_active_instance_adds_exactly_the_painted_pixels(w):
    press_key(w.canvas, "m")
    drag(w, (20, 10), (20, 30), (25, 40))
    painted = stroke((20, 10), (20, 30)) | stroke((20, 30), (25, 40))
    np.testing.assert_array_equal(w.instance_mask == 1, painted)
    np.testing.assert_array_equal(w.mask == 1, painted)
    assert w.instance_mask.max() == 1 and w.mask.max() == 1
    assert w.instance_pixels(1) == painted.sum()
    assert "cat<br>" in object_panel(w).rows[0].info.value
    assert f"{painted.sum()} px" in object_panel(w).rows[0].info.value
    w.undo()  # the whole drag is one step
    assert not w.mask.any() and not w.instance_mask.any()
    assert w.instance_pixels(1) == 0 and w.instances == (Instance(1, 1, "cat 1"),)


def test_a_second_instance_painted_elsewhere_is_separate(w):
    first, second = two_cats(w)
    np.testing.assert_array_equal(w.instance_mask == 1, first)
    np.testing.assert_array_equal(w.instance_mask == 2, second)
    np.testing.assert_array_equal(w.mask == 1, first | second)
    assert (w.instance_pixels(1), w.instance_pixels(2)) == (first.sum(), second.sum())


@pytest.mark.parametrize("mode", ["overwrite", "preserve"])
def test_painting_the_second_instance_over_the_first(w, mode):
    w.paint_mode = mode
    press_key(w.canvas, "m")
    drag(w, (20, 10), (20, 40))
    press_key(w.canvas, "m")
    drag(w, (10, 25), (30, 25))
    first, second = stroke((20, 10), (20, 40)), stroke((10, 25), (30, 25))
    if mode == "overwrite":  # the crossing moves to the second
        first, second = first & ~second, second
    else:  # labelled pixels never change
        first, second = first, second & ~first
    np.testing.assert_array_equal(w.instance_mask == 1, first)
    np.testing.assert_array_equal(w.instance_mask == 2, second)
    np.testing.assert_array_equal(w.mask == 1, first | second)
    assert (w.instance_pixels(1), w.instance_pixels(2)) == (first.sum(), second.sum())


def test_painting_another_class_without_an_object_takes_pixels_out_of_instances(w):
    first, _ = two_cats(w)
    w.label = 2  # leaves the object
    assert w.instance == 0
    drag(w, (10, 20), (70, 20))
    across = stroke((10, 20), (70, 20))
    np.testing.assert_array_equal(w.instance_mask == 1, first & ~across)
    np.testing.assert_array_equal(w.mask == 2, across)
    assert not (w.instance_mask[across]).any()


def test_eraser_with_an_active_instance_erases_only_its_pixels(w):
    w.mask = np.where(box(40, 50, 0, 100), 1, 0)  # loose cat pixels, no instance
    first, second = two_cats(w)
    w.select_instance(1)
    w.tool = "eraser"
    w.brush_size = 9
    drag(w, (0, 20), (99, 20))
    path = capsule(SHAPE, (0.5, 20.5), (99.5, 20.5), 9)
    np.testing.assert_array_equal(w.instance_mask == 1, first & ~path)
    np.testing.assert_array_equal(w.instance_mask == 2, second)
    np.testing.assert_array_equal(w.mask == 1, (first & ~path) | second | box(40, 50, 0, 100))
    assert w.instance_pixels(1) == (first & ~path).sum()


def test_eraser_without_an_object_erases_everything_under_it(w):
    first, second = two_cats(w)
    w.instance = 0
    w.tool = "eraser"
    w.brush_size = 9
    drag(w, (0, 20), (99, 20))
    path = capsule(SHAPE, (0.5, 20.5), (99.5, 20.5), 9)
    np.testing.assert_array_equal(w.instance_mask == 1, first & ~path)
    np.testing.assert_array_equal(w.instance_mask == 2, second & ~path)
    assert w.instance_pixels(2) == (second & ~path).sum()


def test_lasso_and_fill_with_an_active_instance_add_to_it(w):
    press_key(w.canvas, "m")
    w.tool = "lasso"
    mouse_drag(w.canvas, [(40, 40), (120, 40), (120, 120), (40, 120)])  # image (10,10)-(30,30)
    np.testing.assert_array_equal(w.instance_mask == 1, box(10, 30, 10, 30))
    w.fill_polygon([(50, 50), (50, 60), (60, 60), (60, 50)])
    np.testing.assert_array_equal(w.instance_mask == 1, box(10, 30, 10, 30) | box(50, 60, 50, 60))
    w.label = 2
    w.new_instance()
    w.flood_fill((90, 90))
    np.testing.assert_array_equal(w.instance_mask == 2, w.mask == 2)
    assert w.instance_pixels(2) == 100 * 100 - 400 - 100


# -- locks and hidden objects ----------------------------------------------------------------------

#: The locked object: a 3x3 ring of class cat (a speck with a one-pixel hole).
RING = box(20, 23, 20, 23)
RING[21, 21] = False


def lock_scene(protect):
    """Ring = cat 1 (locked or hidden), a square = cat 2, loose dog pixels."""
    mask = np.zeros(SHAPE, np.uint8)
    mask[RING] = 1
    mask[60:70, 60:70] = 1
    mask[80:85, 10:20] = 2
    ids = np.zeros(SHAPE, np.int32)
    ids[RING] = 1
    ids[60:70, 60:70] = 2
    w = make(mask=mask, instances=ids, brush_size=5)
    if protect == "locked":
        w.set_instance_locked(1)
    elif protect == "hidden":
        w.set_instance_visible(1, False)
    return w


def set_pen(w, mode, active):
    """The pen settings of one case; ``active``: cat 2 is the active object."""
    w.tool, w.fill_mode, w.erase, w.paint_mode = "brush", "connected", False, mode
    if active:
        w.select_instance(2)  # a cat object: painting cat joins it
        assert w.label == 1
    else:
        w.instance = 0
        w.label = 2  # painting dog, no object


def undo_to(w, baseline):
    while not _same_state(w, baseline):
        assert w.can_undo
        w.undo()


def _same_state(w, expected):
    mask, ids, table = expected
    return (w.mask == mask).all() and (w.instance_mask == ids).all() and w.instances == table


CASES = [(mode, active) for mode in ("overwrite", "preserve") for active in (False, True)]


def case_name(mode, active):
    return f"{mode} mode, {'another object active' if active else 'no active object'}"


def _brush(w):
    w.tool = "brush"
    drag(w, (21, 10), (21, 40))


def _eraser(w):
    w.tool = "eraser"
    drag(w, (21, 10), (21, 40))


def _lasso(w):
    w.tool = "lasso"
    mouse_drag(w.canvas, [xy(15, 15), xy(15, 28), xy(28, 28), xy(28, 15)])


def _polygon(w):
    w.fill_polygon([(10, 10), (10, 30), (30, 30), (30, 10)])


def _fill(w):
    w.tool = "fill"
    click(w.canvas, *xy(20, 20))


def _fill_global(w):
    w.fill_mode = "global"
    _fill(w)


def _fill_erase(w):
    w.erase = True
    _fill(w)


def _wand(w):
    w.tool = "wand"
    click(w.canvas, *xy(20, 20))  # the flat image: the whole image is proposed
    assert w.proposal is not None
    press_key(w.canvas, "Enter")


LOCK_OPS = {
    "brush": _brush,
    "eraser": _eraser,
    "lasso": _lasso,
    "fill_polygon": _polygon,
    "flood_fill": _fill,
    "flood_fill_global": _fill_global,
    "flood_fill_erase": _fill_erase,
    "wand_accept": _wand,
    "fill_holes": lambda w: w.fill_holes(max_size=10),
    "remove_specks": lambda w: w.remove_specks(max_size=10),
    "smooth_borders": lambda w: w.smooth_borders(),
    "fill_unlabelled": lambda w: w.fill_unlabelled(label=w.label),
}


def ring_changes(w):
    """What differs from the untouched ring (empty when it is untouched)."""
    problems = []
    if not (w.mask[RING] == 1).all():
        problems.append(f"mask there became {np.unique(w.mask[RING]).tolist()}")
    if not ((w.instance_mask == 1) == RING).all():
        problems.append(f"instance 1 now has {int((w.instance_mask == 1).sum())} pixels")
    if w.instance_pixels(1) != RING.sum():
        problems.append(f"instance_pixels(1) == {w.instance_pixels(1)}")
    if "failed" in w.message:
        problems.append(w.message)
    return problems


def run_protected_cases(op, protect):
    w = lock_scene(protect)
    baseline = state(w)
    failures = {}
    for mode, active in CASES:
        set_pen(w, mode, active)
        LOCK_OPS[op](w)
        problems = ring_changes(w)
        if problems:
            failures[case_name(mode, active)] = problems
        undo_to(w, baseline)
    return w, failures


@pytest.mark.parametrize("op", list(LOCK_OPS))
def test_no_tool_changes_a_locked_instance(op):
    """Every case: both paint modes, with and without another object active."""
    _, failures = run_protected_cases(op, "locked")
    assert failures == {}


@pytest.mark.parametrize("op", list(LOCK_OPS))
def test_hidden_instance_is_not_edited_by_any_tool_but_keeps_its_pixels(op):
    """Hidden objects are protected like locked ones (``Instance.protected``)."""
    w, failures = run_protected_cases(op, "hidden")
    assert failures == {}
    assert not w.instances[0].visible


#: The cases where the tools do reach an unprotected ring (overwrite mode).
REACHES_RING = [
    *((op, False) for op in LOCK_OPS if op not in ("fill_holes", "fill_unlabelled")),
    ("brush", True),  # the ring's pixels join the active cat
    ("lasso", True),
    ("fill_polygon", True),
    ("flood_fill", True),
    ("flood_fill_global", True),
    ("wand_accept", True),
]


def test_the_same_tools_do_change_an_unprotected_instance():
    """Control for the lock tests: without the lock these cases change the ring."""
    w = lock_scene(None)
    baseline = state(w)
    untouched = []
    for op, active in REACHES_RING:
        set_pen(w, "overwrite", active)
        LOCK_OPS[op](w)
        if not ring_changes(w):
            untouched.append((op, active))
        undo_to(w, baseline)
    assert untouched == []


def test_panel_lock_then_unlock_lets_tools_edit_again():
    w = lock_scene(None)
    set_pen(w, "overwrite", False)
    row = object_panel(w).rows[0]
    row.locked.value = True
    assert w.instances[0].locked and row.locked.icon == "lock"
    _fill(w)
    assert ring_changes(w) == []
    row.locked.value = False
    assert not w.instances[0].locked and row.locked.icon == "unlock"
    _fill(w)
    assert (w.mask[RING] == 2).all() and not (w.instance_mask == 1).any()


@pytest.mark.parametrize("protect", ["locked", "hidden"])
def test_a_protected_active_object_neither_grows_nor_shrinks(w, protect):
    press_key(w.canvas, "m")
    drag(w, (10, 10), (10, 20))
    before = state(w)
    if protect == "locked":
        object_panel(w).rows[0].locked.value = True
    else:
        object_panel(w).rows[0].visible.value = False
    assert w.instance == 1
    drag(w, (30, 10), (30, 20))  # painting would add to it
    w.tool = "eraser"
    drag(w, (10, 10), (10, 20))  # erasing would remove from it
    mask, ids, _ = state(w)
    np.testing.assert_array_equal(mask, before[0])
    np.testing.assert_array_equal(ids, before[1])


LOCKED_COMMANDS = {
    "delete": (lambda w: w.delete_instances([1]), r"cannot delete locked instances 1 \('cat 1'\)"),
    "merge": (lambda w: w.merge_instances([2, 1]), r"cannot merge locked instances 1 \('cat 1'\)"),
    "merge-into": (lambda w: w.merge_instances([1, 2]), r"cannot merge locked instances 1"),
    "split": (lambda w: w.split_instance(1), r"cannot split locked instances 1 \('cat 1'\)"),
    "set_class": (
        lambda w: w.set_instance_class(1, 2),
        r"instance 1 \('cat 1'\) is locked; unlock it to change its class",
    ),
}


@pytest.mark.parametrize("command", list(LOCKED_COMMANDS))
def test_commands_on_a_locked_instance_raise_and_change_nothing(command):
    w = lock_scene("locked")
    before = state(w)
    steps = undo_steps(w)
    action, message = LOCKED_COMMANDS[command]
    with pytest.raises(ValueError, match=message):
        action(w)
    assert_state(w, before)
    assert undo_steps(w) == steps


@pytest.mark.parametrize("button", ["Delete", "Merge", "Split"])
def test_panel_buttons_on_a_locked_instance_show_the_error_instead_of_raising(button):
    w = lock_scene("locked")
    w.select_instance(1)
    w.selected_instances = (1, 2)
    before = state(w)
    button_of(w, button).click()
    assert_state(w, before)
    action = button.lower()
    assert f"cannot {action} locked instances 1 ('cat 1')" in w.message
    assert w.message.startswith("⚠")


def test_panel_class_choice_on_a_locked_instance_shows_the_error():
    w = lock_scene("locked")
    w.select_instance(1)
    before = state(w)
    object_panel(w).class_choice.value = 2
    assert_state(w, before)
    assert "is locked; unlock it to change its class" in w.message
    assert object_panel(w).class_choice.value == 1  # the panel shows the real class again


# -- picking -------------------------------------------------------------------------------


def test_pick_selects_the_instance_under_the_cursor_and_its_class(w):
    press_key(w.canvas, "m")
    drag(w, (20, 10), (20, 30))
    w.label = 2
    press_key(w.canvas, "m")
    drag(w, (60, 10), (60, 30))
    w.tool = "eraser"
    press_key(w.canvas, "l")
    assert w.tool == "pick"
    click(w.canvas, *xy(20, 20))
    assert (w.instance, w.label) == (1, 1)
    assert w.tool == "eraser"  # back to the tool before picking
    assert object_panel(w).rows[0].name.button_style == "info"
    w.tool = "pick"
    click(w.canvas, *xy(60, 20))
    assert (w.instance, w.label) == (2, 2)


def test_pick_on_a_pixel_without_instance_deselects(w):
    w.mask = np.where(box(80, 90, 80, 90), 2, 0)
    press_key(w.canvas, "m")
    drag(w, (20, 10), (20, 30))
    w.tool = "pick"
    click(w.canvas, *xy(85, 85))  # dog, no object
    assert (w.instance, w.label) == (0, 2)
    w.select_instance(1)
    w.tool = "pick"
    click(w.canvas, *xy(50, 50))  # unlabelled
    assert (w.instance, w.label) == (0, 0)


def test_changing_the_class_leaves_the_active_instance(w):
    press_key(w.canvas, "m")
    w.label = 1  # the same class keeps it
    assert w.instance == 1
    w.label = 2
    assert w.instance == 0
    assert "object:" not in w.status
    drag(w, (20, 10), (20, 30))
    assert not w.instance_mask.any() and (w.mask == 2).sum() == stroke((20, 10), (20, 30)).sum()


# -- the object panel ----------------------------------------------------------------------


def button_of(w, text):
    (bar,) = [c for c in object_panel(w).children[:1]]
    (button,) = [b for b in bar.children if b.description.startswith(text)]
    return button


def shown_rows(w):
    return [row for row in object_panel(w).rows if row.box.layout.display != "none"]


def test_rows_list_objects_in_tree_order_with_parts_under_their_parent():
    w = make(NESTED)
    w.label = 1
    press_key(w.canvas, "m")  # person 1
    press_key(w.canvas, "m")  # person 2 (a person is no part of a person)
    w.select_instance(1)
    w.label = 2
    press_key(w.canvas, "m")  # face 3, part of person 1
    w.label = 1
    press_key(w.canvas, "m")  # person 4
    w.select_instance(2)
    w.label = 2
    press_key(w.canvas, "m")  # face 5, part of person 2
    assert [i.parent for i in w.instances] == [None, None, 1, None, 2]
    names = [row.name.description for row in shown_rows(w)]
    assert names == ["person 1", "└ face 3", "person 2", "└ face 5", "person 4"]
    assert [row.instance.id for row in shown_rows(w)] == [1, 3, 2, 5, 4]
    assert object_panel(w).page_text.value == "1–5 of 5"
    assert object_panel(w).pager.layout.display == "none"


def test_ticks_follow_the_selection_both_ways(w):
    two_cats(w)
    w.select_instance(1)
    w.select_instance(2, add=True)
    assert w.selected_instances == (1, 2) and w.instance == 2
    assert [r.tick.value for r in shown_rows(w)] == [True, True]
    object_panel(w).rows[0].tick.value = False
    assert w.selected_instances == (2,)
    w.select_instance(0)
    assert w.selected_instances == () and w.instance == 0
    assert [r.tick.value for r in shown_rows(w)] == [False, False]


def test_clicking_a_row_name_selects_that_object(w):
    two_cats(w)
    w.label = 2
    w.new_instance()  # dog 3, active
    rows = object_panel(w).rows
    rows[0].name.click()
    assert (w.instance, w.label) == (1, 1)
    assert [row.name.button_style for row in shown_rows(w)] == ["info", "", ""]
    assert object_panel(w).name.value == "cat 1" and object_panel(w).class_choice.value == 1
    rows[2].name.click()
    assert (w.instance, w.label) == (3, 2)
    assert object_panel(w).name.value == "dog 3"


def test_hiding_a_row_keeps_its_pixels_but_draws_nothing_there(w):
    first, second = two_cats(w)
    replay = shown(w)
    cat = rgba(w.classes[1].color)
    assert replay.color_of(first) == {cat} and replay.color_of(second) == {cat}
    row = object_panel(w).rows[0]
    with replay.watching():
        row.visible.value = False
    assert not w.instances[0].visible and row.visible.icon == "eye-slash"
    np.testing.assert_array_equal(w.instance_mask == 1, first)
    np.testing.assert_array_equal(w.mask == 1, first | second)
    assert replay.color_of(first) == TRANSPARENT
    assert replay.color_of(second) == {cat}
    assert replay.color_of(~(first | second)) == TRANSPARENT
    with replay.watching():  # a stroke next to it repaints without revealing it
        drag(w, (22, 5), (22, 35))
    assert replay.color_of(w.instance_mask == 1) == TRANSPARENT
    assert replay.color_of((w.mask == 1) & (w.instance_mask != 1)) == {cat}
    with replay.watching():
        w.undo()  # the stroke
        w.undo()  # the hiding
    assert w.instances[0].visible and row.visible.value
    assert replay.color_of(first) == {cat}


def test_panel_pages_through_more_objects_than_a_page(w):
    for k in range(PAGE_SIZE + 2):
        w.new_instance(name=f"cat {k + 1}")
        w.paint_stroke([(5 * k + 2, 2)], brush_size=1)
    panel = object_panel(w)
    assert panel.page_text.value == f"1–{PAGE_SIZE} of {PAGE_SIZE + 2}"
    assert panel.pager.layout.display == "flex"
    assert [r.name.description for r in shown_rows(w)] == [f"cat {k}" for k in range(1, 9)]
    previous, _, following = panel.pager.children
    following.click()
    assert panel.page_text.value == f"9–10 of {PAGE_SIZE + 2}"
    assert [r.name.description for r in shown_rows(w)] == ["cat 9", "cat 10"]
    following.click()  # no page after the last
    assert [r.name.description for r in shown_rows(w)] == ["cat 9", "cat 10"]
    previous.click()
    assert shown_rows(w)[0].name.description == "cat 1"
    w.tool = "pick"
    click(w.canvas, *xy(5 * 9 + 2, 2))  # picking object 10 turns to its page
    assert w.instance == 10
    assert panel.page_text.value == f"9–10 of {PAGE_SIZE + 2}"
    assert shown_rows(w)[1].name.button_style == "info"


def test_panel_follows_undo_and_redo(w):
    two_cats(w)
    panel = object_panel(w)
    assert [r.name.description for r in shown_rows(w)] == ["cat 1", "cat 2"]
    w.undo()  # the stroke of cat 2
    assert "0 px" in shown_rows(w)[1].info.value
    w.undo()  # cat 2 itself
    assert [r.name.description for r in shown_rows(w)] == ["cat 1"]
    assert panel.page_text.value == "1–1 of 1"
    w.undo()
    w.undo()
    assert shown_rows(w) == [] and panel.page_text.value == "no objects"
    assert panel.active.layout.display == "none"
    w.redo()
    w.redo()
    w.redo()
    assert [r.name.description for r in shown_rows(w)] == ["cat 1", "cat 2"]
    assert "0 px" in shown_rows(w)[1].info.value


def test_active_name_and_class_fields_rename_and_reclass_the_object(w):
    first, _ = two_cats(w)
    w.select_instance(1)
    panel = object_panel(w)
    panel.name.value = "Tom"
    assert w.instances[0].name == "Tom" and shown_rows(w)[0].name.description == "Tom"
    panel.class_choice.value = 2
    assert w.instances[0].class_id == 2 and w.label == 2 and w.instance == 1
    np.testing.assert_array_equal(w.mask == 2, first)
    w.undo()
    assert w.instances[0].class_id == 1 and (w.mask[first] == 1).all()
    w.undo()
    assert w.instances[0].name == "cat 1"


def test_rename_instance_from_python_updates_the_row(w):
    two_cats(w)
    w.rename_instance(2, "Felix")
    assert shown_rows(w)[1].name.description == "Felix"
    assert w.instances[1] == Instance(2, 1, "Felix")


# -- merge, split, delete ------------------------------------------------------------------


def test_ticked_rows_and_merge_keep_the_first_id_as_one_undo_step(w):
    first, second = two_cats(w)
    w.select_instance(1)
    rows = object_panel(w).rows
    rows[0].tick.value = True
    rows[1].tick.value = True
    assert w.selected_instances == (1, 2)
    before = state(w)
    button_of(w, "Merge").click()
    assert w.message == ""
    after = state(w)
    assert w.instances == (Instance(1, 1, "cat 1"),)
    np.testing.assert_array_equal(w.instance_mask == 1, first | second)
    assert w.instance_pixels(1) == (first | second).sum()
    assert w.instance == 1 and w.selected_instances == (1,)
    assert [r.name.description for r in shown_rows(w)] == ["cat 1"]
    w.undo()
    assert_state(w, before)
    assert w.instance_pixels(2) == second.sum()
    w.redo()
    assert_state(w, after)


def test_merging_away_the_active_instance_selects_the_kept_one(w):
    """Bug: the active object (the last made) merged into another leaves a dangling id."""
    first, second = two_cats(w)
    assert w.instance == 2
    assert w.merge_instances([1, 2]) == 1
    assert w.instances == (Instance(1, 1, "cat 1"),)
    assert w.instance == 1
    np.testing.assert_array_equal(w.instance_mask == 1, first | second)


def test_merge_button_with_the_last_made_object_active(w):
    """Bug (through the panel): tick both, Merge — the natural flow after painting two."""
    first, second = two_cats(w)
    object_panel(w).rows[0].tick.value = True
    object_panel(w).rows[1].tick.value = True
    button_of(w, "Merge").click()
    assert w.message == ""
    assert w.instances == (Instance(1, 1, "cat 1"),) and w.instance == 1
    np.testing.assert_array_equal(w.instance_mask == 1, first | second)
    drag(w, (80, 10), (80, 30))  # and the widget keeps working: painting joins cat 1
    assert w.instance_pixels(1) == (first | second | stroke((80, 10), (80, 30))).sum()


def test_merge_of_two_classes_takes_the_class_of_the_first(w):
    first, _ = two_cats(w)
    w.label = 2
    w.new_instance()
    w.paint_stroke([(80, 10), (80, 30)])
    third = stroke((80, 10), (80, 30))
    w.select_instance(1)
    w.merge_instances([1, 3])
    np.testing.assert_array_equal(w.instance_mask == 1, first | third)
    assert (w.mask[third] == 1).all()
    w.undo()
    assert (w.mask[third] == 2).all() and w.instances[2] == Instance(3, 2, "dog 3")


def test_split_gives_one_instance_per_piece_as_one_undo_step(w):
    press_key(w.canvas, "m")
    drag(w, (20, 10), (20, 30))  # the bigger piece
    drag(w, (60, 10), (60, 15))
    drag(w, (80, 80))
    big, middle, small = (
        stroke((20, 10), (20, 30)),
        stroke((60, 10), (60, 15)),
        stroke((80, 80), (80, 80)),
    )
    before = state(w)
    button_of(w, "Split").click()
    assert w.instances == (
        Instance(1, 1, "cat 1"),
        Instance(2, 1, "cat 1 #2"),
        Instance(3, 1, "cat 1 #3"),
    )
    np.testing.assert_array_equal(w.instance_mask == 1, big)
    np.testing.assert_array_equal(w.instance_mask == 2, middle)
    np.testing.assert_array_equal(w.instance_mask == 3, small)
    np.testing.assert_array_equal(w.mask == 1, big | middle | small)
    assert [w.instance_pixels(i) for i in (1, 2, 3)] == [big.sum(), middle.sum(), small.sum()]
    after = state(w)
    assert len(shown_rows(w)) == 3
    w.undo()
    assert_state(w, before)
    assert len(shown_rows(w)) == 1
    w.redo()
    assert_state(w, after)


def test_split_of_one_piece_changes_nothing(w):
    press_key(w.canvas, "m")
    drag(w, (20, 10), (20, 30))
    steps = undo_steps(w)
    assert w.split_instance() == (1,)
    assert undo_steps(w) == steps


def test_delete_removes_the_objects_pixels_as_one_undo_step(w):
    first, second = two_cats(w)
    w.instance = 0
    before = state(w)
    w.delete_instances([1])
    after = state(w)
    assert w.instances == (Instance(2, 1, "cat 2"),)
    assert not w.mask[first].any() and not w.instance_mask[first].any()
    np.testing.assert_array_equal(w.instance_mask == 2, second)
    w.undo()
    assert_state(w, before)
    assert w.instance_pixels(1) == first.sum()
    w.redo()
    assert_state(w, after)


def test_deleting_the_active_instance_deselects_it(w):
    """Bug: the active object deleted from Python raises KeyError from the status line."""
    first, _ = two_cats(w)
    w.select_instance(1)
    w.delete_instances()
    assert w.instances == (Instance(2, 1, "cat 2"),)
    assert w.instance == 0
    assert not w.mask[first].any()


def test_delete_button_deletes_the_active_object(w):
    """Bug (through the panel): Delete on the active object shows a KeyError."""
    first, _ = two_cats(w)
    object_panel(w).rows[0].name.click()
    button_of(w, "Delete").click()
    assert w.message == ""
    assert w.instances == (Instance(2, 1, "cat 2"),) and w.instance == 0
    assert [r.name.description for r in shown_rows(w)] == ["cat 2"]
    assert not w.mask[first].any()
    drag(w, (80, 10), (80, 30))  # and the widget keeps working
    np.testing.assert_array_equal(w.mask == 1, (w.instance_mask == 2) | stroke((80, 10), (80, 30)))


# -- nested classes ---------------------------------------------------------------------------


def person_with_face():
    """Person 1 (a 20x20 square), its face 2 (a 6x6 square inside), painted by the user."""
    w = make(NESTED)
    w.label = 1
    press_key(w.canvas, "m")
    w.fill_polygon([(10, 10), (10, 30), (30, 30), (30, 10)])
    w.label = 2  # face: leaves the person, who stays the recent object
    assert w.instance == 0
    press_key(w.canvas, "m")
    w.fill_polygon([(12, 12), (12, 18), (18, 18), (18, 12)])
    return w


def test_a_new_part_of_the_selected_object_gets_it_as_parent():
    w = person_with_face()
    assert w.instances == (Instance(1, 1, "person 1"), Instance(2, 2, "face 2", parent=1))
    assert w.instance == 2
    np.testing.assert_array_equal(w.instance_mask == 2, box(12, 18, 12, 18))
    np.testing.assert_array_equal(w.instance_mask == 1, box(10, 30, 10, 30) & ~box(12, 18, 12, 18))
    assert (w.mask[12:18, 12:18] == 2).all()


def test_class_mask_level_0_sees_parts_as_their_parent():
    w = person_with_face()
    np.testing.assert_array_equal(w.class_mask(level=0) == 1, box(10, 30, 10, 30))
    np.testing.assert_array_equal(w.class_mask(level=1), w.mask)
    assert w.class_mask().dtype == w.mask.dtype
    np.testing.assert_array_equal(w.class_mask(), w.class_mask(level=0))


def test_object_mask_includes_parts_unless_asked_not_to():
    w = person_with_face()
    np.testing.assert_array_equal(w.object_mask(1), box(10, 30, 10, 30))
    np.testing.assert_array_equal(
        w.object_mask(1, parts=False), box(10, 30, 10, 30) & ~box(12, 18, 12, 18)
    )
    np.testing.assert_array_equal(w.object_mask(2), box(12, 18, 12, 18))
    assert w.object_mask(1).dtype == bool


def test_deleting_the_person_deletes_the_face_too():
    w = person_with_face()
    w.instance = 0
    before = state(w)
    w.delete_instances([1])
    assert w.instances == ()
    assert not w.mask.any() and not w.instance_mask.any()
    assert shown_rows(w) == []
    w.undo()
    assert_state(w, before)
    assert [r.name.description for r in shown_rows(w)] == ["person 1", "└ face 2"]


def test_a_part_cannot_get_a_parent_of_a_non_ancestor_class():
    w = person_with_face()
    w.label = 1
    w.new_instance()  # person 3: top level, a person is no part of a person
    assert w.instances[-1].parent is None
    with pytest.raises(ValueError, match="parent: expected an instance of an ancestor class"):
        w.set_instance_parent(3, 1)
    w.set_instance_parent(2, 3)
    assert w.instances[1].parent == 3
    w.undo()
    assert w.instances[1].parent == 1


def test_split_pieces_of_a_part_stay_parts_of_its_parent():
    """A face split in two: both pieces stay parts of the person (fixed in 6c9a91d)."""
    w = person_with_face()
    w.fill_polygon([(22, 22), (22, 26), (26, 26), (26, 22)])  # a second piece of the face
    assert w.split_instance(2) == (2, 3)
    assert w.instances[2].name == "face 2 #2"
    assert w.instances[2].parent == 1
    np.testing.assert_array_equal(w.object_mask(1), box(10, 30, 10, 30))


# -- overlay views -----------------------------------------------------------------------------


def test_color_by_instance_draws_each_object_in_its_colour():
    w = make()
    w.mask = np.where(box(40, 50, 0, 100), 2, 0)  # loose dog pixels, no object
    w.label = 2
    press_key(w.canvas, "m")
    drag(w, (20, 10), (20, 30))
    press_key(w.canvas, "m")
    drag(w, (60, 10), (60, 30))
    first, second = w.instance_mask == 1, w.instance_mask == 2
    replay = shown(w)
    dog = rgba(w.classes[2].color)
    assert replay.color_of(first | second | box(40, 50, 0, 100)) == {dog}
    with replay.watching():
        w.color_by = "instance"
    assert replay.color_of(first) == {rgba(instance_color(1))}
    assert replay.color_of(second) == {rgba(instance_color(2))}
    assert instance_color(1) != instance_color(2)
    assert replay.color_of(box(40, 50, 0, 100)) == {dog}  # no object: its class colour
    with replay.watching():  # strokes keep the view
        drag(w, (62, 10), (62, 30))
    assert replay.color_of(w.instance_mask == 2) == {rgba(instance_color(2))}
    with replay.watching():
        object_panel(w).color_by.value = "class"
    assert w.color_by == "class"
    assert replay.color_of(w.mask == 2) == {dog}


def test_contours_draw_only_the_edge_pixels():
    w = make()
    w.mask = np.where(box(10, 20, 10, 20) | box(0, 5, 90, 100), 1, 0)
    replay = shown(w)
    with replay.watching():
        w.contours = True
    ring = box(10, 20, 10, 20) & ~box(11, 19, 11, 19)
    corner = box(0, 5, 90, 100) & ~box(1, 4, 91, 99)  # the image border closes it
    cat = rgba(w.classes[1].color)
    assert replay.color_of(ring | corner) == {cat}
    assert replay.color_of(~(ring | corner)) == TRANSPARENT
    with replay.watching():  # growing the square moves its edge; the old edge is cleared
        w.paint_stroke([(15, 20), (15, 25)], label=1, brush_size=1)
    grown = box(10, 20, 10, 20) | box(15, 16, 20, 26)
    padded = np.pad(grown, 1)
    inner = padded[:-2, 1:-1] & padded[2:, 1:-1] & padded[1:-1, :-2] & padded[1:-1, 2:] & grown
    assert replay.color_of(grown & ~inner) == {cat}
    assert replay.color_of(inner) == TRANSPARENT


def test_contours_separate_touching_objects_of_one_class():
    w = make()
    w.new_instance()
    w.fill_polygon([(10, 10), (10, 20), (20, 20), (20, 10)])
    w.new_instance()
    w.fill_polygon([(10, 20), (10, 30), (20, 30), (20, 20)])
    w.contours = True
    replay = shown(w)
    cat = rgba(w.classes[1].color)
    assert replay.color_of(box(11, 19, 19, 21)) == {cat}  # the shared border, both sides
    assert replay.color_of(box(11, 19, 11, 19)) == TRANSPARENT


def test_show_only_object_and_class():
    w = make()
    first, second = two_cats(w)
    w.mask[80:90, 80:90] = 2
    w.refresh()
    replay = shown(w)
    cat, dog = rgba(w.classes[1].color), rgba(w.classes[2].color)
    with replay.watching():
        object_panel(w).show_only.value = "object"
    assert w.show_only == "object"
    assert replay.color_of(second) == {cat}
    assert replay.color_of(~second) == TRANSPARENT
    with replay.watching():
        w.select_instance(1)
    assert replay.color_of(first) == {cat} and replay.color_of(~first) == TRANSPARENT
    with replay.watching():
        w.show_only = "class"
        w.label = 2
    assert replay.color_of(box(80, 90, 80, 90)) == {dog}
    assert replay.color_of(~box(80, 90, 80, 90)) == TRANSPARENT
    with replay.watching():
        w.show_only = "all"
    assert replay.color_of(first | second) == {cat}
    assert replay.color_of(box(80, 90, 80, 90)) == {dog}


def fresh_overlay(w):
    """The overlay as a page reload would draw it from scratch."""
    replay = OverlayReplay(w)
    with replay.watching():
        send_canvas_event(w.canvas, "client_ready")
    return replay.rgba


VIEW_STEPS = {
    "paint 1": lambda w: (w.new_instance(), drag(w, (20, 10), (20, 30))),
    "paint 2 across": lambda w: (w.new_instance(), drag(w, (10, 20), (30, 20))),
    "loose dog": lambda w: w.paint_stroke([(50, 5), (50, 40)], label=2),
    "merge": lambda w: (w.select_instance(1), w.merge_instances([1, 2])),
    "split": lambda w: (w.paint_stroke([(70, 70)], label=1), w.split_instance(1)),
    "reclass": lambda w: w.set_instance_class(2, 2),
    "hide": lambda w: w.set_instance_visible(1, False),
    "erase": lambda w: (
        setattr(w, "instance", 0),
        setattr(w, "tool", "eraser"),
        drag(w, (0, 20), (99, 20)),
    ),
    "delete": lambda w: (setattr(w, "instance", 0), w.delete_instances([2])),
    "undo": lambda w: (w.undo(), w.undo(), w.undo()),
    "redo": lambda w: (w.redo(), w.redo()),
}


@pytest.mark.parametrize(
    ("color_by", "contours", "show_only"),
    [
        ("class", False, "all"),
        ("instance", False, "all"),
        ("class", True, "all"),
        ("instance", True, "class"),
    ],
)
def test_incremental_repaints_match_a_full_repaint(color_by, contours, show_only):
    """After every command the overlay the browser holds equals a from-scratch drawing."""
    w = make(brush_size=5)
    w.color_by, w.contours, w.show_only = color_by, contours, show_only
    replay = shown(w)
    differ = []
    for name, step in VIEW_STEPS.items():
        with replay.watching():
            step(w)
        if not (replay.rgba == fresh_overlay(w)).all():
            differ.append(name)
    assert differ == []


def test_view_traits_reject_unknown_values(w):
    with pytest.raises(ValueError, match="color_by: expected one of 'class', 'instance'; got 'x'"):
        w.color_by = "x"
    with pytest.raises(ValueError, match="show_only: expected one of 'all', 'object', 'class'"):
        w.show_only = "objects"
    assert (w.color_by, w.show_only) == ("class", "all")


# -- the constructor's instances= ---------------------------------------------------------------


def test_constructor_instances_builds_the_table_from_the_id_map():
    mask = np.zeros(SHAPE, np.uint8)
    mask[0:10, 0:10] = 1
    mask[20:30, 20:30] = 2
    mask[50:60, 50:60] = 1  # loose cat pixels
    ids = np.zeros(SHAPE, np.uint16)
    ids[0:10, 0:5] = 7
    ids[0:10, 5:10] = 3
    ids[20:30, 20:30] = 4
    w = make(mask=mask, instances=ids)
    assert w.instances == (
        Instance(3, 1, "cat 3"),
        Instance(4, 2, "dog 4"),
        Instance(7, 1, "cat 7"),
    )
    assert w.instance_mask.dtype == np.uint32
    np.testing.assert_array_equal(w.instance_mask, ids)
    assert [w.instance_pixels(i) for i in (3, 4, 7)] == [50, 100, 50]
    assert w.instance == 0 and not w.can_undo
    ids[:] = 0  # the widget keeps its own copy
    assert w.instance_pixels(7) == 50
    assert [r.name.description for r in shown_rows(w)] == ["cat 3", "dog 4", "cat 7"]
    w.new_instance()
    assert w.instances[-1] == Instance(8, 1, "cat 8")


def test_constructor_instances_all_zero_is_an_empty_table():
    w = make(instances=np.zeros(SHAPE, int))
    assert w.instances == () and has_object_layer(w)


@pytest.mark.parametrize(
    ("ids", "error", "message"),
    [
        (
            lambda ids: ids.__setitem__((50, 50), 1),
            ValueError,
            r"instances: expected every instance pixel to have a class in mask; "
            r"instance 1 has unlabelled pixels",
        ),
        (
            lambda ids: ids.__setitem__((slice(0, 10), slice(0, 30)), 5),
            ValueError,
            r"instances: expected the pixels of each instance to share one class; "
            r"instance 5 has classes \[1, 2\]",
        ),
        (
            lambda ids: ids.__setitem__((0, 0), -1),
            ValueError,
            r"instances: expected ids in \[0, 2\*\*32\)",
        ),
    ],
    ids=["over-unlabelled", "two-classes", "negative"],
)
def test_constructor_rejects_inconsistent_instances(ids, error, message):
    mask = np.zeros(SHAPE, np.uint8)
    mask[0:10, 0:20] = 1
    mask[0:10, 20:30] = 2
    array = np.zeros(SHAPE, np.int64)
    ids(array)
    with pytest.raises(error, match=message):
        make(mask=mask, instances=array)


@pytest.mark.parametrize(
    ("array", "message"),
    [
        (
            np.zeros((99, 100), np.int32),
            r"instances: expected an integer array of shape \(100, 100\); "
            r"got int32 array of shape \(99, 100\)",
        ),
        (
            np.zeros(SHAPE, np.float64),
            r"instances: expected an integer array of shape .*got float64",
        ),
        (np.zeros(SHAPE, bool), r"instances: expected an integer array .*got bool"),
        (np.zeros((100, 100, 1), np.int32), r"instances: expected an integer array of shape"),
        ("ids", r"instances: expected an integer array"),
    ],
    ids=["shape", "float", "bool", "3d", "str"],
)
def test_constructor_rejects_instances_of_the_wrong_shape_or_dtype(array, message):
    with pytest.raises(TypeError, match=message):
        make(instances=array)


# -- bad input ----------------------------------------------------------------------------------


def test_instance_methods_before_any_instance_say_so(w):
    for call in (
        lambda: w.select_instance(1),
        lambda: w.rename_instance(1, "x"),
        lambda: w.delete_instances([1]),
        lambda: w.split_instance(1),
        lambda: w.instance_pixels(1),
        lambda: w.object_mask(1),
    ):
        with pytest.raises(ValueError, match=r"instance_ids?: there are no instances yet"):
            call()
    with pytest.raises(ValueError, match="there are no instances yet"):
        w.instance = 1
    assert not has_object_layer(w)


@pytest.fixture(scope="module")
def one_cat():
    """Shared by the bad-input tests, which must each leave it unchanged: cat 1, painted."""
    w = make()
    press_key(w.canvas, "m")
    drag(w, (20, 10), (20, 30))
    return w


BAD_ARGUMENTS = [
    (
        lambda w: w.select_instance(True),
        TypeError,
        r"instance_id: expected an instance id \(int\); got bool",
    ),
    (
        lambda w: w.select_instance(1.0),
        TypeError,
        r"instance_id: expected an instance id \(int\); got float",
    ),
    (
        lambda w: w.select_instance(-1),
        ValueError,
        r"instance_id: expected an instance id >= 1; got -1",
    ),
    (
        lambda w: w.rename_instance(0, "x"),
        ValueError,
        r"instance_id: expected an instance id >= 1; got 0",
    ),
    (lambda w: w.rename_instance(1, 3), TypeError, r"name: expected a str; got int"),
    (lambda w: w.rename_instance(1, "  "), ValueError, r"name: expected a non-empty name"),
    (lambda w: w.set_instance_visible(1, 1), TypeError, r"visible: expected True or False; got 1"),
    (lambda w: w.set_instance_locked(1, "yes"), TypeError, r"locked: expected True or False"),
    (lambda w: w.instance_pixels(np.bool_(True)), TypeError, r"instance_id: .*got bool"),
    (
        lambda w: w.split_instance(1, connectivity=6),
        ValueError,
        r"connectivity: expected 4 or 8; got 6",
    ),
    (
        lambda w: w.merge_instances([1]),
        ValueError,
        r"instance_ids: expected at least 2 distinct instance ids; got \[1\]",
    ),
    (
        lambda w: w.merge_instances([1, 1]),
        ValueError,
        r"instance_ids: expected at least 2 distinct",
    ),
    (lambda w: w.delete_instances([]), ValueError, r"instance_ids: expected at least 1 distinct"),
    (lambda w: w.class_mask(level=-1), ValueError, r"level: expected a non-negative int; got -1"),
    (
        lambda w: w.class_mask(level=True),
        TypeError,
        r"level: expected a non-negative int; got bool",
    ),
    (lambda w: w.new_instance(name=3), TypeError, r"name: expected a str; got int"),
    (
        lambda w: w.new_instance(parent=1),
        ValueError,
        r"parent: expected an instance of an ancestor class of class 1; got instance 1 of class 1",
    ),
    (lambda w: w.new_instance(parent=9), KeyError, r"got 9"),
    (
        lambda w: w.set_instance_parent(1, 1),
        ValueError,
        r"parent: instance 1 is instance 1 or one of its parts",
    ),
    (
        lambda w: w.set_instance_class(1, 0),
        ValueError,
        r"label: expected a class id in \[1, 3\); got 0",
    ),
    (
        lambda w: setattr(w, "instance", True),
        TraitError,
        r"instance: expected an integer; got bool",
    ),
    (
        lambda w: setattr(w, "instance", 9),
        KeyError,
        r"instance: expected the id of an instance \(known: 1\); got 9",
    ),
    (
        lambda w: setattr(w, "selected_instances", (True,)),
        TypeError,
        r"selected_instances: .*got bool",
    ),
]


@pytest.mark.parametrize(("call", "error", "message"), BAD_ARGUMENTS)
def test_bad_arguments_raise_errors_naming_them(one_cat, call, error, message):
    before = state(one_cat)
    with pytest.raises(error, match=message):
        call(one_cat)
    assert_state(one_cat, before)
    assert one_cat.instance == 1 and one_cat.label == 1


def _message(call, w):
    try:
        call(w)
    except (KeyError, ValueError, TypeError) as error:
        return error.args[0]
    return "no error"


def test_an_unknown_id_error_names_the_argument_given(one_cat):
    """Bug: every unknown id is reported as ``instance:``, whatever the argument's name."""
    calls = {
        "select_instance(9)": (lambda w: w.select_instance(9), "instance_id"),
        "rename_instance(9, 'x')": (lambda w: w.rename_instance(9, "x"), "instance_id"),
        "set_instance_visible(9, False)": (
            lambda w: w.set_instance_visible(9, False),
            "instance_id",
        ),
        "instance_pixels(9)": (lambda w: w.instance_pixels(9), "instance_id"),
        "object_mask(9)": (lambda w: w.object_mask(9), "instance_id"),
        "split_instance(9)": (lambda w: w.split_instance(9), "instance_id"),
        "delete_instances([9])": (lambda w: w.delete_instances([9]), "instance_ids"),
        "merge_instances([1, 9])": (lambda w: w.merge_instances([1, 9]), "instance_ids"),
    }
    before = state(one_cat)
    wrong = {}
    for name, (call, argument) in calls.items():
        text = _message(call, one_cat)
        if not text.startswith(f"{argument}: ") or "got 9" not in text:
            wrong[name] = text
    assert_state(one_cat, before)
    assert wrong == {}


def test_a_bad_id_in_a_list_names_instance_ids(one_cat):
    """Bug: the ids of ``delete_instances`` / ``merge_instances`` are called ``instance_id``."""
    assert _message(lambda w: w.delete_instances(["1"]), one_cat) == (
        "instance_ids: expected an instance id (int); got str"
    )


def test_set_instance_class_error_names_its_label_argument(one_cat):
    """Bug: ``set_instance_class(instance_id, label)`` reports a bad label as ``class_id``."""
    text = _message(lambda w: w.set_instance_class(1, 7), one_cat)
    assert text.startswith("label: expected a class id"), text


def test_new_instance_refusing_label_0_leaves_the_selected_class(w):
    """Bug: the refused call has already switched the selected class to 0."""
    w.label = 2
    with pytest.raises(ValueError, match=r"label: expected a class to make an instance of; got 0"):
        w.new_instance(0)
    label, instances = w.label, w.instances
    assert instances == ()
    assert label == 2


# -- robustness ---------------------------------------------------------------------------------


def test_a_failing_on_edit_callback_does_not_break_instance_commands(w):
    calls = []

    @w.on_edit
    def broken(bbox):
        calls.append(bbox)
        raise RuntimeError("observer bug")

    first, second = two_cats(w)
    assert calls and "on_edit callback failed" in w.message
    np.testing.assert_array_equal(w.instance_mask == 1, first)
    w.instance = 0
    w.merge_instances([1, 2])
    np.testing.assert_array_equal(w.instance_mask == 1, first | second)
    assert w.split_instance(1) == (1, 2)
    w.set_instance_visible(2, False)
    w.set_instance_class(1, 2)
    w.delete_instances([2])
    assert w.instances == (Instance(1, 2, "cat 1"),)
    np.testing.assert_array_equal(w.mask == 2, first)
    assert [r.name.description for r in shown_rows(w)] == ["cat 1"]
    w.undo()
    assert len(w.instances) == 2


def test_painting_with_a_locked_active_object_says_why_nothing_happens():
    w = sw.SegmentationWidget(np.zeros((20, 20)), ["bg", "cat"])
    cat = w.new_instance(1)
    w.set_instance_locked(cat)
    w.paint_stroke([(5, 5)], brush_size=3)
    assert not w.mask.any()
    assert "cat 1 is locked: unlock or show it to change it" in w.message


def test_the_object_list_is_a_closed_section_until_the_first_object_opens_it():
    w = sw.SegmentationWidget(np.zeros((20, 20)), ["bg", "cat"])
    sections = find_control(w, ipywidgets.Accordion)
    assert sections.selected_index is None and sections.titles[0] == "Objects (0)"
    press_key(w.canvas, "m")
    assert sections.selected_index == 0 and sections.titles[0] == "Objects (1)"
    sections.selected_index = None  # the user closes it: a second object leaves it closed
    w.new_instance()
    assert sections.selected_index is None and sections.titles[0] == "Objects (2)"


def test_row_swatches_show_the_colour_the_object_is_drawn_in():
    w = sw.SegmentationWidget(np.zeros((20, 20)), ["bg", sw.LabelClass("cat", color="#102030")])
    first = w.new_instance(1)
    swatch = object_panel(w).rows[0].swatch
    assert "rgb(16,32,48)" in swatch.value  # colour by class: the class colour
    w.color_by = "instance"
    r, g, b = instance_color(first)
    assert f"rgb({r},{g},{b})" in swatch.value


def test_with_contours_the_view_redraw_covers_the_neighbours_whose_outline_changed():
    w = sw.SegmentationWidget(np.zeros((40, 40)), ["bg", "cat"], width=160, height=160)
    w.paint_stroke([(20, 10), (20, 30)], label=1, brush_size=7)
    w.contours = True
    changed = []
    w.on_edit(changed.append)
    with record_redraws(w) as clips:  # what the scene redraw is clipped to
        w.paint_stroke([(20, 20)], label=0, brush_size=1)  # a one-pixel hole: its ring changes
    assert changed == [sw.BBox(20, 21, 20, 21)]  # observers hear the pixels that changed
    # The redraw covers the box grown by one image pixel on each side (rounded outward and
    # one canvas pixel more, as every clipped redraw).
    left, top = w.image_to_canvas(19, 19)
    right, bottom = w.image_to_canvas(22, 22)
    x0, y0 = math.floor(left) - 1, math.floor(top) - 1
    assert clips == [(x0, y0, math.ceil(right) + 1 - x0, math.ceil(bottom) + 1 - y0)]
