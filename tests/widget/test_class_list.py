"""The class list: readable rows that scroll, nesting, a name filter, O(visible rows) widgets."""

import numpy as np
import pytest
from ipywidgets.widgets.widget import _instances as live_widgets

import seg_widget as sw
from seg_widget.testing import find_control, press_key, record_messages
from seg_widget.widget.panels import ClassList
from seg_widget.widget.panels.classes import INDENT_PX, VISIBLE_ROWS


def make(classes):
    return sw.SegmentationWidget(np.zeros((64, 64), np.uint8), classes)


def class_list(w):
    return find_control(w, ClassList)


def names(n):
    return ["unlabelled", *(f"class number {i}" for i in range(1, n))]


def visible(w):
    """The descriptions of the rows on screen, top to bottom."""
    return [row.description for row in class_list(w).rows if row.layout.display != "none"]


@pytest.mark.parametrize("n", [25, 100, 300])
def test_many_classes_keep_readable_rows_that_scroll(n):
    w = make(names(n))
    panel = class_list(w)
    assert len(panel.rows) == VISIBLE_ROWS
    assert visible(w) == [
        f"{i}: {names(n)[i]} · {100.0 if i == 0 else 0.0:.1f}%" for i in range(12)
    ]
    for row in panel.rows:  # rows never shrink below a readable height
        assert row.layout.min_height == "26px" and row.layout.flex == "0 0 auto"
    assert panel.scroll.layout.display is None
    assert panel.scroll.max == n - VISIBLE_ROWS and panel.scroll.value == panel.scroll.max
    panel.scroll.value = 0  # the slider's bottom: the end of the list
    assert visible(w)[-1] == f"{n - 1}: class number {n - 1} · 0.0%"
    panel.rows[-1].click()
    assert w.label == n - 1


def test_a_few_classes_show_all_rows_without_scroll_bar_or_filter():
    w = make(["unlabelled", "cat", "dog"])
    panel = class_list(w)
    assert len(panel.rows) == 3
    assert panel.scroll.layout.display == "none"
    assert panel.filter.layout.display == "none"
    assert visible(w) == ["0: unlabelled · 100.0%", "1: cat · 0.0%", "2: dog · 0.0%"]
    assert panel.rows[1].icon == "check" and panel.rows[1].style.font_weight == "bold"


def test_the_name_filter_shows_only_matching_classes():
    w = make([*names(40), "Dodo", "hedgehog"])
    panel = class_list(w)
    assert panel.filter.layout.display is None
    panel.filter.value = "DO"
    assert visible(w) == ["40: Dodo · 0.0%"]
    panel.filter.value = "hog"
    panel.rows[0].click()
    assert w.label == 41
    panel.filter.value = "no such class"
    assert visible(w) == [] and panel.empty.layout.display is None
    panel.filter.value = ""
    assert len(visible(w)) == VISIBLE_ROWS


def test_parts_are_listed_indented_under_their_parent():
    classes = [
        "bg",
        sw.LabelClass("face", parent="person"),
        "person",
        sw.LabelClass("eye", parent="face"),
        "car",
    ]
    w = make(classes)
    panel = class_list(w)
    assert panel.shown_ids == [0, 2, 1, 3, 4]
    margins = [row.layout.margin for row in panel.rows]
    assert margins == [f"0 0 0 {INDENT_PX * d}px" for d in (0, 0, 1, 2, 0)]
    assert panel.rows[2].tooltip == "Select class 1: face, part of person (0.00% of the image)"


def test_choosing_a_class_by_key_brings_its_row_into_view():
    w = make(names(40))
    panel = class_list(w)
    w.label = 30
    assert 30 in panel.shown_ids
    press_key(w.canvas, "3")
    assert 3 in panel.shown_ids and panel.rows[panel.shown_ids.index(3)].icon == "check"


def test_shares_update_after_an_edit_on_the_visible_rows():
    w = make(names(25))
    w.paint_stroke([(10, 10), (10, 40)], label=2, brush_size=3)
    share = 100 * int((w.mask == 2).sum()) / w.mask.size
    assert visible(w)[2] == f"2: class number 2 · {share:.1f}%"


def _widget_count():
    return len(live_widgets)


def test_65536_classes_build_and_edit_in_o_of_visible_rows():
    small = _widget_count()
    w300 = make(names(300))
    per_widget_300 = _widget_count() - small
    before = _widget_count()
    w = make(names(65536))
    assert _widget_count() - before == per_widget_300  # not one widget per class
    assert w.mask.dtype == np.uint16
    rows = {row.model_id for row in class_list(w).rows}
    with record_messages() as sent:
        w.paint_stroke([(5, 5), (5, 50)], label=65535, brush_size=3)
    to_rows = [m for m in sent if m.widget.model_id in rows]
    assert len(to_rows) <= VISIBLE_ROWS
    assert sum(m.nbytes for m in sent) < 20_000
    w300.close()
    w.close()
