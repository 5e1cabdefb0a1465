"""The Python API: mask assignment, refresh, observers, traits and bad input."""

import numpy as np
import pytest

import seg_widget as sw
from seg_widget.core import brush_pieces
from seg_widget.testing import mouse_drag


def test_mask_assignment_is_validated_copied_and_undoable(widget):
    new = np.zeros((100, 100), np.int64)
    new[5:10, 5:10] = 2
    widget.mask = new
    assert widget.mask.dtype == np.uint8
    new[0, 0] = 1
    assert widget.mask[0, 0] == 0  # a copy, not the caller's array
    assert widget.mask[7, 7] == 2
    widget.undo()
    assert not widget.mask.any()


def test_mask_keeps_its_identity_across_assignment(widget):
    live = widget.mask
    widget.mask = np.ones((100, 100), np.uint8)
    assert widget.mask is live and live.all()


@pytest.mark.parametrize(
    ("value", "error", "match"),
    [
        (np.zeros((100, 99), np.uint8), ValueError, r"mask: expected shape \(100, 100\)"),
        (np.zeros((100, 100)), TypeError, "mask: expected an integer array; got float64"),
        (np.full((100, 100), -1), ValueError, "mask: expected class ids >= 0|mask: .*-1"),
        (np.full((100, 100), 3), ValueError, "mask: .*< 3.*got maximum 3"),
    ],
)
def test_bad_mask_assignment_raises_and_changes_nothing(widget, value, error, match):
    with pytest.raises(error, match=match):
        widget.mask = value
    assert not widget.mask.any()
    assert not widget.can_undo


def test_refresh_shows_in_place_edits_and_rejects_invalid_ids(widget):
    widget.mask[3:5, 3:5] = 1
    count = widget.edit_count
    widget.refresh()
    assert widget.edit_count == count + 1
    widget.mask[0, 0] = 7
    with pytest.raises(ValueError, match=r"mask: expected class ids in \[0, 3\)"):
        widget.refresh()


def test_on_edit_reports_dirty_boxes_without_copying(widget):
    boxes = []
    widget.on_edit(boxes.append)
    mouse_drag(widget.canvas, [(42, 42), (50, 42)])
    assert boxes, "no edit reported"
    for box in boxes:
        assert isinstance(box, sw.BBox)
        # The stroke runs from image (10.5, 10.5) to (10.5, 12.5) with a 5 px brush.
        assert 8 <= box.row0 < box.row1 <= 13 and 8 <= box.col0 < box.col1 <= 15
    union = boxes[0]
    for box in boxes[1:]:
        union = union.union(box)
    assert (widget.mask[union.slices] != 0).sum() == (widget.mask != 0).sum()


def test_failing_observer_does_not_break_the_widget(widget):
    def broken(bbox):
        raise RuntimeError("user bug")

    widget.on_edit(broken)
    mouse_drag(widget.canvas, [(42, 42), (100, 42)])
    assert widget.mask[10, 10:25].all()
    assert "user bug" in widget.message
    widget.on_edit(broken, remove=True)


def test_edit_count_counts_edits_for_traitlet_observers(widget):
    seen = []
    widget.observe(lambda change: seen.append(change.new), "edit_count")
    widget.paint_stroke([(10, 10), (10, 20)], label=1)
    widget.undo()
    assert seen and seen == sorted(seen)


def test_paint_stroke_follows_the_mouse_path_rules(widget):
    widget.paint_stroke([(10.2, 10.9), (10.7, 50.1)], label=2, brush_size=3)
    assert (widget.mask[10, 10:51] == 2).all()
    assert (widget.mask[9:12, 10:51] == 2).all() and not widget.mask[12, 12:49].any()
    assert widget.brush_size == 5 and widget.label == 1  # per-call arguments, this call only


def test_a_long_paint_stroke_paints_the_union_of_its_segments_across_its_chunks(widget):
    """Written in chunks of joined pieces: the pixels of the segments, one by one."""
    rng = np.random.default_rng(3)
    points = np.cumsum(rng.uniform(-3, 3, (300, 2)), axis=0) + 100  # a wandering hand
    expected = np.zeros(widget.mask.shape, bool)
    snapped = [(np.floor(r) + 0.5, np.floor(c) + 0.5) for r, c in points]
    for start, end in zip([snapped[0], *snapped[:-1]], snapped, strict=True):
        for bbox, footprint in brush_pieces(start, end, 7, widget.mask.shape):
            expected[bbox.slices] |= footprint
    widget.paint_stroke(points, label=2, brush_size=7)
    np.testing.assert_array_equal(widget.mask == 2, expected)
    widget.undo()  # one undo step for the whole stroke
    assert not widget.mask.any()


@pytest.mark.parametrize(
    ("name", "value", "match"),
    [
        (
            "tool",
            "lasso-ish",
            "tool: expected one of 'brush', 'eraser', 'lasso', 'polygon', 'fill', 'wand', "
            "'superpixel', 'scribble', 'prompt', 'object', 'pick', 'pan'; got 'lasso-ish'",
        ),
        ("paint_mode", "keep", "paint_mode: expected one of 'overwrite', 'preserve'; got 'keep'"),
        ("label", 3, r"label: expected a class id in \[0, 3\)"),
        ("brush_size", 0, r"brush_size: expected a diameter in \[1, 512\]"),
        ("opacity", 1.5, r"opacity: expected a number in \[0, 1\]"),
        ("zoom", -1.0, "zoom: expected a positive scale"),
    ],
)
def test_bad_trait_values_raise_value_errors_naming_the_trait(widget, name, value, match):
    with pytest.raises(ValueError, match=match):
        setattr(widget, name, value)


def test_numpy_integers_are_accepted_for_label_and_brush_size(widget):
    widget.label = np.int64(2)
    widget.brush_size = np.uint8(9)
    assert (widget.label, widget.brush_size) == (2, 9)


def test_zoom_trait_magnifies_about_the_view_centre(widget):
    centre = widget.canvas_to_image(200, 200)
    widget.zoom = 8.0
    np.testing.assert_allclose(widget.canvas_to_image(200, 200), centre)
    np.testing.assert_allclose(widget.image_to_canvas(*centre), (200, 200))


def test_fit_and_actual_size_buttons(widget):
    widget.actual_size()
    assert widget.zoom == 1.0
    widget.fit()
    assert widget.zoom == 4.0
    assert widget.image_to_canvas(0, 0) == (0, 0)


def test_classes_accept_names_and_label_classes_with_colours():
    w = sw.SegmentationWidget(
        np.zeros((8, 8, 3), np.uint8),
        classes=[
            "none",
            sw.LabelClass("sky", color="#00f"),
            sw.LabelClass("sea", color=(0, 128, 0)),
        ],
    )
    assert [c.name for c in w.classes] == ["none", "sky", "sea"]
    assert w.classes[1].color == (0, 0, 255)
    assert w.classes[2].color == (0, 128, 0)


def test_unknown_colour_name_is_a_clear_error():
    with pytest.raises(ValueError, match="blurple"):
        sw.SegmentationWidget(np.zeros((8, 8)), classes=["x", sw.LabelClass("a", color="blurple")])


@pytest.mark.parametrize(
    ("image", "error", "match"),
    [
        (np.zeros((0, 5)), ValueError, "image"),
        (np.zeros((2, 3, 4, 5, 6)), ValueError, r"image: .*\(2, 3, 4, 5, 6\)"),
        ("/no/such/file.png", ValueError, "image: file not found"),
        ([[1, 2], [3, 4]], TypeError, "image: expected"),
    ],
)
def test_bad_images_raise_errors_naming_the_argument(image, error, match):
    with pytest.raises(error, match=match):
        sw.SegmentationWidget(image)


def test_nan_and_inf_in_float_images_display_as_lowest_value():
    image = np.array([[np.nan, 0.0], [1.0, np.inf]])
    w = sw.SegmentationWidget(image, classes=["a", "b"])
    from seg_widget.render.display import to_display

    display = to_display(w.image, (0.0, 1.0))
    assert display.tolist() == [[0, 0], [255, 0]]


def test_initial_mask_is_validated_and_used():
    mask = np.zeros((8, 8), np.int32)
    mask[2, 3] = 1
    w = sw.SegmentationWidget(np.zeros((8, 8)), classes=["a", "b"], mask=mask)
    assert w.mask[2, 3] == 1 and w.mask.dtype == np.uint8
    with pytest.raises(ValueError, match="mask"):
        sw.SegmentationWidget(np.zeros((8, 8)), classes=["a", "b"], mask=mask + 5)


def test_many_classes_use_a_uint16_mask():
    w = sw.SegmentationWidget(np.zeros((4, 4)), classes=[f"c{i}" for i in range(300)])
    assert w.mask.dtype == np.uint16
    w.paint_stroke([(1, 1)], label=299, brush_size=1)
    assert w.mask[1, 1] == 299


def test_close_closes_the_canvases_and_controls(widget):
    canvas = widget.canvas
    widget.close()
    assert canvas.comm is None
    assert widget.comm is None


def test_failing_traitlet_observer_does_not_break_painting(widget):
    def broken(change):
        raise RuntimeError("observer bug")

    widget.observe(broken, "edit_count")
    mouse_drag(widget.canvas, [(42, 42), (100, 42)])
    assert widget.mask[10, 10:25].all()
    assert "observer bug" in widget.message


def test_a_ready_image_array_is_shown_without_a_copy_and_read_only():
    source = np.zeros((40, 60, 3), np.uint8)
    w = sw.SegmentationWidget(source, classes=["u", "a"])
    assert np.shares_memory(w.image, source)
    with pytest.raises(ValueError, match="read-only"):
        w.image[0, 0] = 1
    strided = np.zeros((40, 120), np.uint16)[:, ::2]
    assert not np.shares_memory(sw.SegmentationWidget(strided, classes=["u", "a"]).image, strided)
