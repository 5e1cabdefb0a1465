"""Saving and loading the widget's objects: .npz keeps them whole, COCO exports them."""

import json

import numpy as np
import pytest

import seg_widget as sw
from seg_widget.io.coco_import import load_coco, mask_from_coco

CLASSES = ["bg", "person", sw.LabelClass("face", parent="person"), "cat"]


def _widget_with_objects():
    w = sw.SegmentationWidget(np.zeros((40, 40)), CLASSES)
    person = w.new_instance(1)
    w.paint_stroke([(10, 5), (10, 20)], brush_size=5)
    w.label = 2
    face = w.new_instance(parent=person)
    w.paint_stroke([(10, 12)], brush_size=3)
    w.set_instance_locked(face)
    w.instance = 0
    w.paint_stroke([(30, 30)], label=3, brush_size=4)  # a cat without an object
    return w, person, face


def test_npz_round_trip_restores_mask_objects_and_their_settings(tmp_path):
    w, person, _ = _widget_with_objects()
    w.set_instance_visible(person, False)
    path = tmp_path / "work.npz"
    w.save(path)
    other = sw.SegmentationWidget(np.zeros((40, 40)), CLASSES)
    other.load(path)
    np.testing.assert_array_equal(other.mask, w.mask)
    np.testing.assert_array_equal(other.instance_mask, w.instance_mask)
    assert other.instances == w.instances
    assert other.instances[1].parent == person and other.instances[1].locked
    other.undo()  # loading is one undo step
    assert other.instances == () and not other.mask.any() and not other.instance_mask.any()


def test_loading_a_semantic_npz_keeps_working_without_objects(tmp_path):
    w = sw.SegmentationWidget(np.zeros((8, 8)), CLASSES)
    w.paint_stroke([(3, 3)], label=3, brush_size=3)
    w.save(tmp_path / "m.npz")
    other = sw.SegmentationWidget(np.zeros((8, 8)), CLASSES)
    other.load(tmp_path / "m.npz")
    np.testing.assert_array_equal(other.mask, w.mask)
    assert other.instances == ()


def test_coco_export_has_one_annotation_per_object_and_per_loose_region(tmp_path):
    w, person, face = _widget_with_objects()
    path = tmp_path / "coco.json"
    w.save(path)
    annotations = json.loads(path.read_text())["annotations"]
    assert sorted(a["category_id"] for a in annotations) == [1, 2, 3]
    areas = {a["category_id"]: a["area"] for a in annotations}
    assert areas[1] == w.instance_pixels(person)
    assert areas[2] == w.instance_pixels(face)
    assert areas[3] == int((w.mask == 3).sum())


def test_coco_round_trip_brings_the_objects_back(tmp_path):
    w, person, face = _widget_with_objects()
    path = tmp_path / "coco.json"
    w.save(path)
    other = sw.SegmentationWidget(np.zeros((40, 40)), CLASSES)
    other.load(path)
    np.testing.assert_array_equal(other.mask, w.mask)
    assert [(i.class_id, other.instance_pixels(i.id)) for i in other.instances] == [
        (1, w.instance_pixels(person)),
        (2, w.instance_pixels(face)),
        (3, int((w.mask == 3).sum())),
    ]
    _, instance_map = mask_from_coco(load_coco(path), 1, (40, 40))
    np.testing.assert_array_equal(other.instance_mask, instance_map)


def test_an_npz_whose_objects_disagree_with_the_mask_is_refused_and_nothing_changes(tmp_path):
    w, person, _ = _widget_with_objects()
    path = tmp_path / "bad.npz"
    from seg_widget.io.instance_files import save_annotation

    bad = w.mask.copy()
    bad[w.instance_mask == person] = 3
    save_annotation(path, bad, w.instance_mask, w.instances)
    other = sw.SegmentationWidget(np.zeros((40, 40)), CLASSES)
    with pytest.raises(ValueError, match="instances: expected every pixel of instance 1"):
        other.load(path)
    assert not other.mask.any() and other.instances == ()


def test_refresh_after_an_in_place_class_edit_takes_the_pixel_out_of_its_object():
    w = sw.SegmentationWidget(np.zeros((10, 10)), CLASSES)
    first = w.new_instance(3)
    w.paint_stroke([(5, 5)], brush_size=3)
    w.mask[5, 5] = 1
    w.instance_mask[0, 0] = 99  # an id no object has, written in place
    w.refresh()
    assert w.instance_mask[5, 5] == 0 and w.instance_mask[0, 0] == 0
    assert w.instance_pixels(first) == 8


def test_fixes_put_a_hole_or_speck_inside_an_object_into_that_object():
    w = sw.SegmentationWidget(np.zeros((30, 30)), ["bg", "cat", "dog"])
    first = w.new_instance(1)
    w.paint_stroke([(10, 5), (10, 20)], brush_size=7)
    second = w.new_instance(1)
    w.paint_stroke([(22, 5), (22, 20)], brush_size=7)
    w.instance = 0
    w.flood_fill((10, 10), erase=True)  # would erase all of cat 1: undo, make a 1-px hole
    w.undo()
    w.mask[10, 10] = 0
    w.mask[22, 12] = 2  # a dog speck inside cat 2
    w.refresh()
    pixels = (w.instance_pixels(first), w.instance_pixels(second))
    assert w.fill_holes() == 1 and w.remove_specks() == 1
    assert (w.instance_mask[10, 10], w.instance_mask[22, 12]) == (first, second)
    assert (w.instance_pixels(first), w.instance_pixels(second)) == (pixels[0] + 1, pixels[1] + 1)


def test_fill_unlabelled_with_an_active_object_adds_to_it():
    w = sw.SegmentationWidget(np.zeros((10, 10)), ["bg", "cat"])
    cat = w.new_instance(1)
    w.fill_unlabelled(sw.BBox(0, 3, 0, 3))
    assert (w.instance_mask[:3, :3] == cat).all() and w.instance_pixels(cat) == 9


@pytest.mark.parametrize("suffix", [".npz", ".png"])
def test_after_loading_nothing_stays_selected_and_the_pen_works(tmp_path, suffix):
    """Bug: after w.load the active id named another object of another class."""
    source = sw.SegmentationWidget(np.zeros((40, 40)), CLASSES)
    source.new_instance(3)  # object 1 is a cat in the file
    source.paint_stroke([(5, 5), (5, 20)], brush_size=3)
    source.save(tmp_path / f"cats{suffix}")
    w, person, face = _widget_with_objects()
    w.select_instance(person)
    w.selected_instances = (person, face)
    w.load(tmp_path / f"cats{suffix}")
    assert w.instance == 0 and w.selected_instances == ()
    w.paint_stroke([(35, 35)], label=1, brush_size=1)  # the pen works, with no object
    assert w.mask[35, 35] == 1 and w.message == ""
    assert all(
        int(w.mask[tuple(np.argwhere(w.instance_mask == i.id)[0])]) == i.class_id
        for i in w.instances
        if w.instance_pixels(i.id)
    )
