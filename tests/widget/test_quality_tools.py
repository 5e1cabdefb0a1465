"""Find what is missing: coverage, show missing, holes and specks, fixes, from Python and UI."""

import ipywidgets
import numpy as np
import pytest

from seg_widget.core.bbox import BBox
from seg_widget.testing import find_control, mouse_drag, record_messages, visible_bbox
from seg_widget.widget.panels import ClassList, QualityPanel

from .test_rendering import command_text


def scene_with_hole_and_speck():
    mask = np.zeros((100, 100), np.uint8)
    mask[10:40, 10:40] = 1
    mask[25, 25] = 0  # a one-pixel hole in the square
    mask[70:72, 70] = 2
    mask[70, 71] = 2  # a 3-pixel speck of class 2
    return mask


def test_coverage_is_updated_as_the_user_paints(widget):
    assert widget.labelled_fraction == 0
    mouse_drag(widget.canvas, [(42, 42), (202, 42)])
    painted = int((widget.mask != 0).sum())
    assert widget.class_counts.tolist() == [10000 - painted, painted, 0]
    assert f"labelled {100 * painted / 10000:.1f}%" in widget.status
    button = find_control(widget, ClassList).rows[1]
    assert button.description == f"1: cat · {100 * painted / 10000:.1f}%"


def test_coverage_follows_undo_and_in_place_edits(widget):
    widget.paint_stroke([(50, 50)], label=2, brush_size=10)
    widget.undo()
    assert widget.class_counts.tolist() == [10000, 0, 0]
    widget.mask[:10, :10] = 1
    widget.refresh()
    assert widget.class_counts.tolist() == [9900, 100, 0]


def test_holes_and_specks_are_found_with_size_and_position(widget):
    widget.mask = scene_with_hole_and_speck()
    holes = widget.find_holes(max_size=10)
    assert [(h.size, h.bbox, h.surrounding_label) for h in holes] == [(1, BBox(25, 26, 25, 26), 1)]
    specks = widget.find_specks(max_size=5)
    assert [(s.size, s.label, s.bbox) for s in specks] == [(3, 2, BBox(70, 72, 70, 72))]


def test_fixes_are_one_undo_step_each(widget):
    mask = scene_with_hole_and_speck()
    widget.mask = mask
    assert widget.fill_holes(max_size=10) == 1
    assert widget.mask[25, 25] == 1
    assert widget.remove_specks(max_size=5) == 3
    assert not (widget.mask == 2).any()
    widget.undo()
    widget.undo()
    np.testing.assert_array_equal(widget.mask, mask)


def test_preserve_mode_fixes_never_change_labelled_pixels(widget):
    widget.mask = scene_with_hole_and_speck()
    widget.paint_mode = "preserve"
    assert widget.remove_specks(max_size=5) == 0
    assert widget.fill_holes(max_size=10) == 1


def test_smooth_borders_removes_a_notch_and_keeps_a_straight_border(widget):
    mask = np.zeros((100, 100), np.uint8)
    mask[:, :50] = 1
    mask[30, 50] = 1  # a one-pixel notch into the right half
    widget.mask = mask
    assert widget.smooth_borders() == 1
    assert (widget.mask[:, :50] == 1).all() and (widget.mask[:, 50:] == 0).all()


def test_fill_unlabelled_in_view_uses_the_selected_class(widget):
    widget.mask = scene_with_hole_and_speck()
    widget.label = 2
    widget.zoom_to(BBox(0, 20, 0, 20))
    visible = visible_bbox(widget)
    changed = widget.fill_unlabelled()
    assert changed == int((scene_with_hole_and_speck()[visible.slices] == 0).sum())
    assert (widget.mask[visible.slices] != 0).all()
    assert widget.mask[99, 99] == 0


def test_zoom_to_centres_the_region(widget):
    widget.zoom_to(BBox(60, 62, 80, 84))
    x, y = widget.image_to_canvas(82, 61)
    assert (round(x), round(y)) == (200, 200)
    assert widget.zoom > 4


def test_show_missing_draws_unlabelled_pixels_in_magenta_over_a_dimmed_image(widget):
    widget.mask = scene_with_hole_and_speck()
    with record_messages() as sent:
        widget.show_missing = True
    text = command_text(sent)
    assert "#ff00ff" in text and "brightness(0.45)" in text
    with record_messages() as sent:
        widget.paint_stroke([(80, 80)], label=1, brush_size=3)
    assert "#ff00ff" in command_text(sent)  # the missing layer follows edits


def quality_panel(widget):
    """The "Find what is missing" section, opened (which builds it)."""
    find_control(widget, ipywidgets.Accordion).selected_index = 1
    return find_control(widget, QualityPanel)


def test_the_closed_sections_are_built_when_first_opened(widget):
    with pytest.raises(LookupError):
        find_control(widget, QualityPanel)
    assert quality_panel(widget).fix_buttons


def test_panel_lists_regions_and_clicking_one_zooms_onto_it(widget):
    widget.mask = scene_with_hole_and_speck()
    panel = quality_panel(widget)
    panel.max_size.value = 10
    panel.show_regions(widget.find_holes(panel.max_size.value))
    assert panel.found.options == ("hole · 1 px · x 25, y 25 · in cat",)
    panel.found.index = 0
    x, y = widget.image_to_canvas(25.5, 25.5)
    assert (round(x), round(y)) == (200, 200)


def test_panel_summaries_count_in_words_and_show_zooms_back(widget):
    widget.mask = scene_with_hole_and_speck()
    panel = quality_panel(widget)
    panel.show_regions(widget.find_specks(5))
    assert panel.summary.value == "1 speck found"
    panel.found.index = 0
    widget.fit()
    panel.zoom_to_selected()
    assert widget.zoom > 4
    panel.fix_buttons[0].click()  # Fill holes
    assert panel.summary.value == "1 pixel changed"
    assert panel.found.options == ()
