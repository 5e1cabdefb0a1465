"""The disagreement view: which pixels differ, in which colour, and the figures above them."""

import numpy as np
import pytest

from seg_widget.widget.disagreement import DISAGREEMENT_COLORS, DisagreementView

CLASSES = ["unlabelled", "cat", "dog"]


def _masks():
    a = np.zeros((6, 8), np.uint8)
    b = np.zeros((6, 8), np.uint8)
    a[1:3, 1:3] = 1  # both say cat here ...
    b[1:3, 1:3] = 1
    a[4, 0:3] = 2  # ... only a labels these three pixels
    b[0, 6:8] = 1  # only b these two
    a[5, 7], b[5, 7] = 1, 2  # different classes on one pixel
    return a, b


def test_the_view_colours_each_kind_of_disagreement():
    a, b = _masks()
    view = DisagreementView(np.zeros((6, 8)), a, b, CLASSES, names=("alice", "bob"))
    codes = view.widget.mask
    assert set(np.unique(codes)) == {0, 3, 4, 5}
    assert (codes[4, 0:3] == 3).all() and (codes[0, 6:8] == 4).all() and codes[5, 7] == 5
    assert codes[1:3, 1:3].sum() == 0  # agreement is not coloured
    extra = view.widget.classes[3:]
    assert [c.name for c in extra] == ["only alice", "only bob", "alice ≠ bob"]
    assert [tuple(c.color) for c in extra] == list(DISAGREEMENT_COLORS)
    assert view.counts == {
        "pixels": 48,
        "differ": 6,
        "only alice": 3,
        "only bob": 2,
        "different classes": 1,
    }


def test_the_buttons_show_either_version_and_back():
    a, b = _masks()
    view = DisagreementView(np.zeros((6, 8)), a, b, CLASSES, names=("alice", "bob"))
    view.mode = "a"
    np.testing.assert_array_equal(view.widget.mask, a)
    view.show.value = "b"
    np.testing.assert_array_equal(view.widget.mask, b)
    view.mode = "differences"
    assert view.widget.mask[5, 7] == 5
    with pytest.raises(ValueError, match=r"mode: expected one of \('differences', 'a', 'b'\)"):
        view.mode = "c"


def test_the_figures_escape_names_and_class_names_never_collide():
    a, b = _masks()
    classes = ["unlabelled", "only x", "<b>dog</b>"]
    view = DisagreementView(np.zeros((6, 8)), a, b, classes, names=("x", "y"), title="<i>img</i>")
    assert "<i>img</i>" not in view.summary.value and "&lt;i&gt;img&lt;/i&gt;" in view.summary.value
    assert "6 pixels differ (12.5%)" in view.summary.value
    assert [c.name for c in view.widget.classes[3:]] == ["only x (view)", "only y", "x ≠ y"]
