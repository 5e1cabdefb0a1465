import re

import pytest

from seg_widget.core import PAINT_MODES, brush_rule, validate_paint_mode


def test_paint_modes_are_overwrite_and_preserve():
    assert PAINT_MODES == ("overwrite", "preserve")


@pytest.mark.parametrize("mode", PAINT_MODES)
def test_validate_paint_mode_returns_a_valid_mode(mode):
    assert validate_paint_mode(mode) == mode


@pytest.mark.parametrize("mode", ["blend", "", None, 1])
def test_validate_paint_mode_error_lists_the_valid_modes(mode):
    expected = f"paint_mode: expected one of 'overwrite', 'preserve'; got {mode!r}"
    with pytest.raises(ValueError, match=f"^{re.escape(expected)}$"):
        validate_paint_mode(mode)


def test_paint_overwrite_sets_every_pixel_to_the_label():
    assert brush_rule(erase=False, label=3, paint_mode="overwrite") == (3, None)


def test_paint_preserve_changes_only_unlabelled_pixels():
    assert brush_rule(erase=False, label=3, paint_mode="preserve") == (3, 0)


def test_erase_overwrite_unlabels_every_pixel():
    assert brush_rule(erase=True, label=3, paint_mode="overwrite") == (0, None)


def test_erase_preserve_unlabels_only_the_selected_class():
    assert brush_rule(erase=True, label=3, paint_mode="preserve") == (0, 3)


def test_brush_rule_rejects_an_unknown_paint_mode():
    with pytest.raises(ValueError, match="paint_mode: expected one of"):
        brush_rule(erase=False, label=1, paint_mode="over")


def test_brush_rule_rejects_a_negative_label():
    with pytest.raises(ValueError, match=r"label: expected a class id >= 0; got -1"):
        brush_rule(erase=False, label=-1, paint_mode="overwrite")


def test_brush_rule_rejects_a_non_integer_label():
    with pytest.raises(TypeError, match=r"label: expected a class id \(int\); got float"):
        brush_rule(erase=False, label=1.0, paint_mode="overwrite")
