"""Save from the widget: the Save button and Ctrl+S write to ``w.save_path``, atomically."""

import os

import numpy as np
import pytest

import seg_widget as sw
from seg_widget.testing import find_control, input_layer, press_key, send_layer_message
from seg_widget.widget.keymap import SHORTCUTS
from seg_widget.widget.panels import Toolbar


def make(**kwargs):
    w = sw.SegmentationWidget(np.zeros((40, 40)), ["u", "cat"], **kwargs)
    w.paint_stroke([(10, 10), (10, 30)], brush_size=3)
    return w


def test_ctrl_s_saves_to_the_save_path_and_says_so(tmp_path):
    w = make()
    w.save_path = str(tmp_path / "cat.png")
    press_key(w.canvas, "s", ctrl=True)
    np.testing.assert_array_equal(sw.load_mask(tmp_path / "cat.png"), w.mask)
    assert w.message == f"✓ saved {tmp_path / 'cat.png'}"
    assert sorted(os.listdir(tmp_path)) == ["cat.png"]  # no temporary file left
    assert w.tool == "brush"  # plain S (superpixel) was not chosen


def test_ctrl_s_from_the_page_says_saved_after_the_keys_are_released(tmp_path):
    """As the front-end layer sends it: Ctrl+S pressed, then S and Ctrl released."""
    w = make()
    w.save_path = str(tmp_path / "cat.png")
    layer = input_layer(w)
    for down in (True, False):
        send_layer_message(layer, {"type": "key", "key": "s", "down": down, "modifiers": 2})
    np.testing.assert_array_equal(sw.load_mask(tmp_path / "cat.png"), w.mask)
    assert w.message == f"✓ saved {tmp_path / 'cat.png'}"


def test_the_save_button_saves_objects_too(tmp_path):
    w = make()
    w.new_instance()
    w.paint_stroke([(30, 5), (30, 20)], brush_size=3)
    w.save_path = tmp_path / "cat.npz"  # an os.PathLike is fine
    find_control(w, Toolbar).save_button.click()
    again = sw.SegmentationWidget(np.zeros((40, 40)), ["u", "cat"])
    again.load(tmp_path / "cat.npz")
    np.testing.assert_array_equal(again.mask, w.mask)
    assert again.instances == w.instances


def test_saving_without_a_save_path_says_how_to_set_one():
    w = make()
    press_key(w.canvas, "s", ctrl=True)
    assert w.message == (
        "⚠ path: expected a file to save to; got none and w.save_path is not set "
        "(set it once, e.g. w.save_path = 'mask.png')"
    )
    with pytest.raises(ValueError, match="path: expected a file to save to"):
        w.save()


def test_a_failed_save_is_said_and_keeps_the_edits(tmp_path):
    w = make()
    w.save_path = str(tmp_path / "missing folder" / "cat.png")
    find_control(w, Toolbar).save_button.click()
    assert w.message.startswith("⚠ ") and "missing folder" in w.message
    assert w.mask.any()


def test_the_save_path_is_checked_when_it_is_set():
    w = make()
    with pytest.raises(ValueError, match="save_path: expected a file name ending in one of"):
        w.save_path = "cat.jpg"
    with pytest.raises(TypeError, match=r"save_path: expected a str or os\.PathLike; got int"):
        w.save_path = 3
    assert w.save_path == ""


def test_ctrl_s_is_in_the_keymap_so_the_help_and_readme_list_it():
    assert ("Ctrl+S", "save", "Save the mask to w.save_path (the Save button)") in SHORTCUTS
