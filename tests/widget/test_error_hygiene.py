"""Ordinary mistakes are messages, not tracebacks; bugs keep their traceback.

Inside event handlers and controls, a refusal of the public API (a ``ValueError``: M with
class 0 selected, Enter with scribbles of one class, merging a locked object) is said on
the message line and logged at debug level only, so a fresh notebook prints nothing. Any
other exception is said too and logged as an error with its traceback.
"""

import logging
import subprocess
import sys
import textwrap

import numpy as np
import pytest

import seg_widget as sw
from seg_widget.testing import current_tool, find_control, mouse_drag, press_key
from seg_widget.widget.panels import ObjectPanel


def make():
    return sw.SegmentationWidget(
        np.zeros((50, 50)), ["u", "a", "b"], width=200, height=200, brush_size=3
    )


def loud(records):
    return [r for r in records if r.levelno >= logging.WARNING]


def test_m_with_class_0_is_a_message_logged_at_debug_only(caplog):
    w = make()
    w.label = 0
    with caplog.at_level(logging.DEBUG, logger="seg_widget"):
        press_key(w.canvas, "m")
    assert w.message == "⚠ label: expected a class to make an instance of; got 0 (unlabelled)"
    assert not loud(caplog.records)
    debug = [r for r in caplog.records if r.levelno == logging.DEBUG]
    assert debug and debug[-1].exc_info is not None  # the traceback is there for who asks


def test_enter_with_scribbles_of_one_class_is_a_message_logged_at_debug_only(caplog):
    w = make()
    w.tool = "scribble"
    mouse_drag(w.canvas, [(20, 20), (100, 20)])
    with caplog.at_level(logging.DEBUG, logger="seg_widget"):
        press_key(w.canvas, "Enter")
    assert w.message.startswith("⚠ ") and "two" in w.message
    assert not loud(caplog.records)
    assert "⏳" not in w.status


def test_a_refused_panel_action_is_a_message_logged_at_debug_only(caplog):
    w = make()
    press_key(w.canvas, "m")
    press_key(w.canvas, "m")
    w.set_instance_locked(1)
    w.selected_instances = (1, 2)
    merge = next(
        b for b in find_control(w, ObjectPanel).children[0].children if b.description == "Merge"
    )
    with caplog.at_level(logging.DEBUG, logger="seg_widget"):
        merge.click()
    assert "cannot merge locked instances" in w.message
    assert not loud(caplog.records)


def test_an_unexpected_error_in_a_handler_keeps_its_traceback(caplog, monkeypatch):
    w = make()

    def broken(event, image_xy):
        raise RuntimeError("a bug")

    monkeypatch.setattr(current_tool(w), "press", broken)
    with caplog.at_level(logging.DEBUG, logger="seg_widget"):
        mouse_drag(w.canvas, [(20, 20), (40, 20)])
    assert w.message == "⚠ on_mouse_down failed: RuntimeError('a bug')"
    errors = loud(caplog.records)
    assert errors and errors[0].levelno == logging.ERROR and errors[0].exc_info is not None


@pytest.mark.parametrize("key", ["m", "Enter"])
def test_a_fresh_python_prints_nothing_for_ordinary_mistakes(key):
    script = textwrap.dedent(
        f"""
        import numpy as np, seg_widget as sw
        from seg_widget.testing import mouse_drag, press_key
        w = sw.SegmentationWidget(np.zeros((50, 50)), ["u", "a", "b"], width=200, height=200)
        w.label = 0 if {key!r} == "m" else 1
        w.tool = "scribble"
        mouse_drag(w.canvas, [(20, 20), (100, 20)])
        press_key(w.canvas, {key!r})
        print(w.message)
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120
    )
    assert result.stderr == ""
    assert result.stdout.startswith("⚠ ")
