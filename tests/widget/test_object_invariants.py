"""Objects stay consistent with classes under fixes, proposals, in-place edits, undo, interrupts.

Regression tests for the defects a state fuzzer found (the fuzzer itself is
``test_state_machine.py``): every pixel of an object has the object's class, whatever
the user did; the active object always is of the selected class; no proposal is lost
without being applied; an interrupted stroke leaves no undo step open.
"""

import numpy as np
import pytest
from skimage.measure import label as connected_regions

import seg_widget as sw
from seg_widget.core import quality
from seg_widget.testing import mouse_drag, press_key, send_canvas_event

CLASSES = ["unlabelled", "cat", "dog"]


def xy(row, col):
    """Canvas point at the centre of image pixel (row, col), at 4 canvas px per image px."""
    return (4 * col + 2, 4 * row + 2)


def make(image=None, **kwargs):
    image = np.zeros((20, 20)) if image is None else image
    kwargs.setdefault("brush_size", 3)
    w = sw.SegmentationWidget(image, CLASSES, width=80, height=80, **kwargs)
    assert w.zoom == 4.0
    return w


def assert_objects_consistent(w):
    """Every pixel of an object has the object's class; every id in the map is an object."""
    ids, mask = w.instance_mask, w.mask
    classes = {instance.id: instance.class_id for instance in w.instances}
    for instance_id in np.unique(ids[ids > 0]).tolist():
        assert instance_id in classes, f"id {instance_id} is in the map but no object"
        pixels = ids == instance_id
        assert (mask[pixels] == classes[instance_id]).all(), (
            f"object {instance_id} of class {classes[instance_id]} holds pixels of classes "
            f"{np.unique(mask[pixels]).tolist()}"
        )
        assert w.instance_pixels(instance_id) == np.count_nonzero(pixels)


def assert_selection_valid(w):
    """The active object, if any, is an object of the selected class."""
    if w.instance:
        active = {i.id: i for i in w.instances}[w.instance]
        assert active.class_id == w.label, f"active {active}, selected class {w.label}"


# -- 1. fixes and mixed proposals next to objects ----------------------------------------------


def _two_colours_over_green():
    """Red (left) and blue (right) above a green band: superpixels follow the colours."""
    image = np.zeros((20, 20, 3), np.uint8)
    image[:14, :10] = (200, 40, 40)
    image[:14, 10:] = (40, 60, 200)
    image[14:] = (40, 200, 60)
    return image


def test_accepting_a_two_class_proposal_next_to_an_object_applies_each_class():
    w = make(_two_colours_over_green())
    w.superpixel_segments = 6
    cat = w.new_instance(1)
    w.fill_polygon([(14, 0), (14, 10), (16, 10), (16, 0)])  # a cat object in the green band
    w.instance = 0
    w.tool = "superpixel"
    press_key(w.canvas, "1")
    mouse_drag(w.canvas, [xy(4, 4)])  # the red superpixels, as cat
    press_key(w.canvas, "2")
    mouse_drag(w.canvas, [xy(4, 14)])  # the blue ones, as dog: one region of two classes
    bbox, values, footprint = w.proposal
    expected = w.mask.copy()
    expected[bbox.slices][footprint] = values[footprint]
    assert set(values[footprint].tolist()) == {1, 2}
    press_key(w.canvas, "Enter")
    np.testing.assert_array_equal(w.mask, expected)
    assert w.proposal is None
    assert "⚠" not in w.status
    # The cat part touches only the cat object: it joins it; the dog part joins nothing.
    np.testing.assert_array_equal(w.instance_mask == cat, expected == 1)
    assert_objects_consistent(w)
    w.undo()
    assert w.instance_pixels(cat) == 20 and w.mask.sum() == 20


FIXES = (
    ("smooth_borders", (), lambda mask: quality.smooth_borders(mask)),
    ("smooth_borders", (5,), lambda mask: quality.smooth_borders(mask, 5)),
    ("remove_specks", (3,), lambda mask: quality.remove_specks(mask, 3)),
    ("fill_holes", (3,), lambda mask: quality.fill_holes(mask, 3)),
)


def test_fixes_on_noisy_masks_whose_every_region_is_an_object_never_fail():
    # Issue 19: smooth_borders() and remove_specks() raised in 90 of 400 such calls.
    for seed in range(20):
        rng = np.random.default_rng(seed)
        mask = rng.integers(0, 3, (16, 16)).astype(np.uint8)
        w = sw.SegmentationWidget(
            np.zeros((16, 16)),
            CLASSES,
            mask=mask,
            instances=connected_regions(mask, background=0, connectivity=1),
        )
        start = w.instance_mask.copy()
        for method, args, edit in FIXES:
            changed = getattr(w, method)(*args)
            expected = mask.copy()
            if (found := edit(mask)) is not None:
                box, values, footprint = found
                expected[box.slices][footprint] = values[footprint]
            np.testing.assert_array_equal(w.mask, expected, err_msg=f"{method}, seed {seed}")
            assert changed == np.count_nonzero(expected != mask)
            assert_objects_consistent(w)
            if changed:
                w.undo()
            np.testing.assert_array_equal(w.instance_mask, start)
        w.close()


def test_a_proposal_that_could_not_be_applied_is_still_pending():
    # Issue 19: "discard a proposal only after it was applied". With the active object
    # locked nothing can be added to it: accepting must not throw the proposal away.
    image = _two_colours_over_green()
    w = make(image)
    cat = w.new_instance(1)
    w.paint_stroke([(17, 2)])
    w.set_instance_locked(cat, True)
    w.propose_wand((4, 4), tolerance=0.05)
    proposal = w.proposal
    before = w.mask.copy()
    press_key(w.canvas, "Enter")
    applied = (w.mask[proposal[0].slices][proposal[2]] == 1).all()
    if not applied:
        np.testing.assert_array_equal(w.mask, before)
        assert w.proposal is not None, "the proposal was dropped without being applied"
        bbox, _, footprint = w.proposal
        assert bbox == proposal[0] and np.array_equal(footprint, proposal[2])
    assert_objects_consistent(w)


# -- 2. in-place edits, refresh and undo -------------------------------------------------------


def _split_cat(w):
    """A cat object painted as two strokes, then split: returns the two pieces."""
    cat = w.new_instance(1)
    w.paint_stroke([(2, 2), (2, 8)])
    w.paint_stroke([(12, 2), (12, 8)])
    pieces = w.split_instance(cat)
    assert len(pieces) == 2
    return pieces


def test_undo_after_an_in_place_edit_never_gives_an_object_pixels_of_another_class():
    w = make()
    _, second = _split_cat(w)
    w.set_instance_locked(second, True)
    w.mask[12, 2:9] = 2  # in place: part of each ...
    w.mask[2, 2:5] = 2  # ... piece becomes dog
    w.refresh()
    assert_objects_consistent(w)
    for _ in range(4):
        w.undo()
        assert_objects_consistent(w)
    for _ in range(4):
        w.redo()
        assert_objects_consistent(w)
    assert (w.mask[12, 2:9] == 2).all() and not w.instance_mask[12, 2:9].any()


def test_refresh_closes_the_undo_history():
    # What the README says refresh does: the in-place write is kept, and no undo or redo
    # reaches across it.
    w = make()
    _split_cat(w)
    w.paint_stroke([(17, 17)], label=2)
    w.undo()
    assert w.can_undo and w.can_redo
    w.mask[5:7, 5:7] = 2
    w.refresh()
    assert not w.can_undo and not w.can_redo
    kept = w.mask.copy(), w.instance_mask.copy()
    w.undo()
    w.redo()
    np.testing.assert_array_equal(w.mask, kept[0])
    np.testing.assert_array_equal(w.instance_mask, kept[1])


# -- 3. the active object follows the classes --------------------------------------------------


def test_undo_and_redo_of_a_class_change_keep_the_active_object_and_the_selected_class_in_step():
    w = make()
    cat = w.new_instance(1)
    mouse_drag(w.canvas, [xy(5, 5)])
    w.set_instance_class(cat, 2)
    assert (w.instance, w.label) == (cat, 2)
    press_key(w.canvas, "z", ctrl=True)
    assert (w.instance, w.label) == (cat, 1)
    press_key(w.canvas, "y", ctrl=True)
    assert (w.instance, w.label) == (cat, 2)
    w.undo()
    assert (w.instance, w.label) == (cat, 1)
    pixels = w.instance_pixels(cat)
    mouse_drag(w.canvas, [xy(10, 10)])  # painting adds to the active object again
    assert w.instance_pixels(cat) > pixels and "⚠" not in w.status
    assert_objects_consistent(w)


def test_loading_a_file_whose_ids_name_objects_of_another_class_keeps_the_selection_valid(
    tmp_path,
):
    other = make()
    other.new_instance(2)  # object 1 is a dog there
    other.paint_stroke([(15, 15)])
    other.save(tmp_path / "dogs.npz")
    w = make()
    w.new_instance(1)  # object 1 is a cat here, and active
    w.paint_stroke([(3, 3)])
    w.load(tmp_path / "dogs.npz")
    assert_selection_valid(w)
    before = w.mask.copy()
    mouse_drag(w.canvas, [xy(8, 3), xy(8, 9)])
    assert (w.mask != before).any(), "the brush paints nothing after the load"
    assert "⚠" not in w.status
    assert_objects_consistent(w)


# -- an interrupted on_edit callback -----------------------------------------------------------


def _interrupt_once(w):
    """An on_edit callback interrupted (Ctrl+C in the kernel) at its first call."""
    calls = []

    @w.on_edit
    def interrupted(bbox):
        calls.append(bbox)
        if len(calls) == 1:
            raise KeyboardInterrupt

    return calls


def test_an_interrupted_callback_during_a_mouse_stroke_leaves_no_undo_step_open():
    w = make()
    _interrupt_once(w)
    try:
        send_canvas_event(w.canvas, "mouse_down", x=22, y=22)
    except KeyboardInterrupt:
        pass
    after_stroke = w.mask.copy()
    assert after_stroke.any()
    new = np.zeros((20, 20), np.uint8)
    new[10:15, 10:15] = 2
    w.mask = new  # its own undo step, not merged into the interrupted stroke
    w.undo()
    np.testing.assert_array_equal(w.mask, after_stroke)


def test_an_interrupted_callback_during_paint_stroke_leaves_no_undo_step_open():
    w = make()
    _interrupt_once(w)
    with pytest.raises(KeyboardInterrupt):
        w.paint_stroke([(5, 5), (5, 12)])
    after_stroke = w.mask.copy()
    assert after_stroke.any()
    w.mask = np.full((20, 20), 2, np.uint8)
    w.undo()
    np.testing.assert_array_equal(w.mask, after_stroke)


# -- a command while a stroke is held down -----------------------------------------------------


def test_deleting_the_active_object_while_its_stroke_is_held_down_fails_nothing():
    # Found by the state machine: the held stroke went on painting into the deleted object.
    w = make()
    cat = w.new_instance(1)
    send_canvas_event(w.canvas, "mouse_down", x=14, y=68)
    w.delete_instances([cat])
    send_canvas_event(w.canvas, "mouse_move", x=30, y=68)
    send_canvas_event(w.canvas, "mouse_up", x=30, y=68)
    assert "⚠" not in w.status, w.status
    assert w.instances == () and not w.instance_mask.any()
    assert_objects_consistent(w)
