"""Objects from painted regions, and parts that give their pixels back when erased.

- The object tool (G) and ``w.make_object``: the loose pixels of the class under a click
  become one object, in any paint mode, as one undo step; a part of the object selected
  last when its class is an ancestor.
- Erasing with a part active (brush eraser, the brush with Erase on, erasing outlines and
  fills, Python) returns the part's pixels to its parent object and the parent's class.
"""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import seg_widget as sw
from seg_widget.testing import click, mouse_drag, press_key, undo_steps

from .conftest import capsule

CLASSES = ["bg", "person", sw.LabelClass("face", parent="person"), "flag"]


def make(mask=None, **kwargs):
    kwargs.setdefault("brush_size", 3)
    return sw.SegmentationWidget(
        np.zeros((100, 100)), CLASSES, mask=mask, width=400, height=400, **kwargs
    )


def xy(row, col):
    return (4 * col + 2, 4 * row + 2)


def painted_person():
    """A person (rows 20-79, cols 20-59) with a face (rows 25-34, cols 30-44) painted as
    classes only, and a separate flag."""
    mask = np.zeros((100, 100), np.uint8)
    mask[20:80, 20:60] = 1
    mask[25:35, 30:45] = 2
    mask[5:10, 80:95] = 3
    return mask


@pytest.mark.parametrize("paint_mode", ["overwrite", "preserve"])
def test_clicking_a_painted_region_makes_it_an_object_in_any_paint_mode(paint_mode):
    w = make(painted_person())
    w.paint_mode = paint_mode
    steps = undo_steps(w)
    before = w.mask.copy()
    press_key(w.canvas, "g")
    assert w.tool == "object"
    click(w.canvas, *xy(50, 50))
    person = w.instances[0]
    assert (person.id, person.class_id, person.name, person.parent) == (1, 1, "person 1", None)
    np.testing.assert_array_equal(w.instance_mask == 1, before == 1)
    np.testing.assert_array_equal(w.mask, before)  # classes never change
    assert w.instance == 1 and undo_steps(w) == steps + 1
    assert w.message == "made the object person 1"


def test_clicking_the_face_then_makes_a_part_of_that_person():
    w = make(painted_person())
    w.tool = "object"
    click(w.canvas, *xy(50, 50))  # person 1
    click(w.canvas, *xy(30, 35))  # face 2, part of person 1
    face = w.instances[1]
    assert (face.id, face.class_id, face.parent) == (2, 2, 1)
    np.testing.assert_array_equal(w.instance_mask == 2, painted_person() == 2)
    w.undo()
    assert [i.id for i in w.instances] == [1] and not (w.instance_mask == 2).any()


def test_an_object_already_there_is_selected_and_unlabelled_pixels_are_refused():
    w = make(painted_person())
    w.tool = "object"
    click(w.canvas, *xy(50, 50))
    w.instance = 0
    click(w.canvas, *xy(60, 25))
    assert w.instance == 1 and len(w.instances) == 1
    assert w.message == "person 1 is an object already: selected it"
    steps = undo_steps(w)
    click(w.canvas, *xy(95, 5))
    assert w.message == "⚠ seed: pixel (95, 5) is unlabelled: click a labelled region"
    assert undo_steps(w) == steps
    with pytest.raises(ValueError, match=r"seed: pixel \(50, 50\) already belongs to 'person 1'"):
        w.make_object((50, 50))


def test_connected_region_or_the_whole_class():
    mask = np.zeros((100, 100), np.uint8)
    mask[10:20, 10:20] = 3
    mask[50:60, 50:60] = 3
    w = make(mask)
    first = w.make_object((15, 15))
    np.testing.assert_array_equal(
        w.instance_mask == first, (mask == 3) & (np.arange(100) < 30)[:, None]
    )
    w.undo()
    whole = w.make_object((15, 15), whole_class=True)
    np.testing.assert_array_equal(w.instance_mask == whole, mask == 3)


def test_the_region_stops_at_pixels_of_other_objects():
    mask = np.zeros((100, 100), np.uint8)
    mask[10:20, 10:40] = 1
    w = make(mask)
    w.new_instance(1)
    w.paint_stroke([(r, 25) for r in range(10, 20)])  # person 1 cuts the band in two
    w.instance = 0
    left = w.make_object((15, 12))
    # The band left of the cut (the 3-pixel stroke covers cols 24-26), not beyond.
    assert np.argwhere(w.instance_mask == left)[:, 1].max() == 23
    assert (w.instance_mask[10:20, 28:40] == 0).all()


# -- erasing a part ------------------------------------------------------------------------


def person_with_face():
    """Person 1 (object) with face 2 as its part, made with the object tool."""
    w = make(painted_person())
    w.make_object((50, 50))
    w.make_object((30, 35))
    assert w.instance == 2 and w.instances[1].parent == 1
    return w


def assert_returned_to_parent(w, before_mask, before_ids, erased):
    """Erased face pixels are person 1 again; nothing else changed."""
    returned = erased & (before_ids == 2)
    assert returned.any()
    np.testing.assert_array_equal(w.mask[returned], 1)
    np.testing.assert_array_equal(w.instance_mask[returned], 1)
    np.testing.assert_array_equal(w.mask[~returned], before_mask[~returned])
    np.testing.assert_array_equal(w.instance_mask[~returned], before_ids[~returned])


def test_the_eraser_with_a_part_active_gives_its_pixels_back_to_the_person():
    w = person_with_face()
    mask, ids = w.mask.copy(), w.instance_mask.copy()
    w.tool = "eraser"
    mouse_drag(w.canvas, [xy(30, 25), xy(30, 50)])
    erased = capsule((100, 100), (30.5, 25.5), (30.5, 50.5), 3)
    assert_returned_to_parent(w, mask, ids, erased)
    assert w.instance_pixels(2) == int(((ids == 2) & ~erased).sum())
    assert (w.mask != 0).sum() == (mask != 0).sum()  # no hole in the person
    w.undo()
    np.testing.assert_array_equal(w.mask, mask)
    np.testing.assert_array_equal(w.instance_mask, ids)


@pytest.mark.parametrize("how", ["polygon erase", "fill erase", "brush with Erase on"])
def test_every_erasing_tool_gives_a_part_back(how):
    w = person_with_face()
    mask, ids = w.mask.copy(), w.instance_mask.copy()
    if how == "polygon erase":
        w.fill_polygon([(20, 20), (20, 60), (40, 60), (40, 20)], erase=True)
    elif how == "fill erase":
        w.flood_fill((30, 35), erase=True)
    else:
        w.erase = True
        w.tool = "brush"
        mouse_drag(w.canvas, [xy(30, 25), xy(30, 50)])
    everywhere = np.ones_like(ids, bool)
    brushed = capsule((100, 100), (30.5, 25.5), (30.5, 50.5), 3)
    assert_returned_to_parent(w, mask, ids, brushed if how.startswith("brush") else everywhere)
    assert (w.mask != 0).sum() == (mask != 0).sum()


def test_a_locked_parent_refuses_to_take_its_part_back():
    w = person_with_face()
    w.set_instance_locked(1)
    w.instance = 2
    before = w.mask.copy()
    w.paint_stroke([(30, 30), (30, 40)], erase=True)
    np.testing.assert_array_equal(w.mask, before)
    assert "person 1 is locked: erasing its part face 2 would give it pixels" in w.message


@settings(max_examples=40, deadline=None)
@given(
    strokes=st.lists(
        st.tuples(
            st.integers(15, 85), st.integers(15, 65), st.integers(15, 85), st.integers(15, 65)
        ),
        min_size=1,
        max_size=4,
    ),
    diameter=st.integers(1, 9),
    paint_mode=st.sampled_from(["overwrite", "preserve"]),
)
def test_property_erasing_a_part_changes_only_its_pixels_and_returns_them_to_the_parent(
    strokes, diameter, paint_mode
):
    w = person_with_face()
    w.paint_mode = paint_mode
    mask, ids = w.mask.copy(), w.instance_mask.copy()
    steps = undo_steps(w)
    for r0, c0, r1, c1 in strokes:
        w.paint_stroke([(r0, c0), (r1, c1)], erase=True, brush_size=diameter)
    changed = (w.mask != mask) | (w.instance_mask != ids)
    # Only face pixels change, each to the person: class 1 and object 1.
    assert (ids[changed] == 2).all()
    assert (w.mask[changed] == 1).all() and (w.instance_mask[changed] == 1).all()
    # The person keeps every pixel it had and the face's lost ones: no holes appear.
    assert ((w.instance_mask == 1) | (w.instance_mask == 2)).sum() == (
        (ids == 1) | (ids == 2)
    ).sum()
    assert w.instance_pixels(1) == int((w.instance_mask == 1).sum())
    assert w.instance_pixels(2) == int((w.instance_mask == 2).sum())
    while undo_steps(w) > steps:
        w.undo()
    np.testing.assert_array_equal(w.mask, mask)
    np.testing.assert_array_equal(w.instance_mask, ids)


# -- the Erase toggle is one concept -------------------------------------------------------


def test_erase_turns_the_brush_into_an_eraser():
    w = make(painted_person())
    w.label = 3
    w.erase = True
    w.tool = "brush"
    mouse_drag(w.canvas, [xy(50, 30), xy(50, 50)])
    assert (w.mask[49:52, 30:51] == 0).all()


def test_the_erase_toggle_is_disabled_for_tools_it_does_not_change():
    from seg_widget.testing import find_control
    from seg_widget.widget.panels import Toolbar

    w = make()
    toggle = find_control(w, Toolbar).erase
    for tool, disabled in [
        ("brush", False),
        ("lasso", False),
        ("fill", False),
        ("wand", False),
        ("eraser", True),
        ("scribble", True),
        ("object", True),
        ("pick", True),
        ("pan", True),
    ]:
        w.tool = tool
        assert toggle.disabled == disabled, tool
