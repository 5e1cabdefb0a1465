"""Labels readable at the default width; selecting an object apart from ticking it."""

import ipywidgets
import numpy as np

import seg_widget as sw
from seg_widget.testing import find_control, press_key
from seg_widget.widget.panels import ObjectPanel, QualityPanel
from seg_widget.widget.panels.help import help_html
from seg_widget.widget.panels.objects import shorten


def make():
    return sw.SegmentationWidget(
        np.zeros((100, 100)), ["u", "cat", "dog"], width=400, height=400, brush_size=3
    )


def rows(w):
    return [row for row in find_control(w, ObjectPanel).rows if row.instance is not None]


def test_clicking_a_row_selects_the_object_without_ticking_it():
    w = make()
    press_key(w.canvas, "m")
    press_key(w.canvas, "m")
    first, second = rows(w)
    first.name.click()
    assert w.instance == 1 and w.selected_instances == ()
    assert [r.tick.value for r in rows(w)] == [False, False]
    assert [r.name.button_style for r in rows(w)] == ["info", ""]
    second.tick.value = True
    assert w.selected_instances == (2,) and w.instance == 1
    first.name.click()
    assert w.selected_instances == (2,)  # ticks stay as they were


def test_long_object_names_keep_their_distinct_ends_and_show_whole_on_hover():
    w = make()
    press_key(w.canvas, "m")
    w.rename_instance(1, "as ambiguous as it gets (piece 1)")
    press_key(w.canvas, "m")
    w.rename_instance(2, "as ambiguous as it gets (piece 2)")
    first, second = rows(w)
    assert first.name.description != second.name.description
    assert first.name.description == shorten("as ambiguous as it gets (piece 1)")
    assert first.name.description.endswith("piece 1)") and "…" in first.name.description
    assert first.name.tooltip.startswith("#1: as ambiguous as it gets (piece 1)")
    assert first.name.layout.flex == "1 1 auto" and first.name.layout.min_width == "0"


def test_the_colour_by_toggle_and_the_view_controls_are_labelled():
    panel = find_control(make(), ObjectPanel)
    assert panel.color_by.description == "Colour by"
    assert [label for label, _ in panel.color_by.options] == ["Class", "Object"]
    assert panel.contours.description == "Contours only"
    assert panel.show_only.description == "Show"


def test_the_fix_buttons_never_shrink_below_their_labels_and_wrap_instead():
    w = make()
    find_control(w, ipywidgets.Accordion).selected_index = 1  # opening the section builds it
    panel = find_control(w, QualityPanel)
    labels = [b.description for b in panel.fix_buttons]
    assert labels == ["Fill holes", "Remove specks", "Smooth borders", "Fill unlabelled in view"]
    for button in panel.fix_buttons:
        assert button.layout.flex == "0 0 auto" and button.layout.width == "auto"
        assert button.tooltip.startswith(f"{button.description}: ")
    boxes = [c for c in panel.children if panel.fix_buttons[0] in getattr(c, "children", ())]
    assert boxes[0].layout.flex_flow == "row wrap"


def test_the_shortcuts_help_gives_each_binding_a_line_of_its_own():
    text = help_html()
    assert "<table>" not in text
    assert "<div class='seg-shortcut'><kbd>Ctrl+Shift+Z or Ctrl+Y</kbd> Redo</div>" in text


def test_an_image_without_objects_builds_no_object_rows():
    w = make()
    panel = find_control(w, ObjectPanel)
    assert panel.rows == [] and panel.row_box.children == ()
    press_key(w.canvas, "m")
    assert len(panel.rows) == 1 and rows(w)[0].name.description == "cat 1"
