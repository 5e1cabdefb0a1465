"""The widget layer keeps its shape: a facade owning collaborators, one tool table, one keymap.

These tests fail when the shape erodes: a mixin comes back, the facade grows private
state, the pen path starts bouncing through the facade, a tool is defined outside the
table, or drawing and panel refreshes are pushed from outside their owners.
"""

import ast
import sys
from pathlib import Path

import ipywidgets
import numpy as np

import seg_widget as sw
import seg_widget.widget.segmentation_widget as facade_module
from seg_widget.testing import find_control, send_canvas_event
from seg_widget.widget.keymap import SHORTCUTS, action_for_key
from seg_widget.widget.panels import Toolbar
from seg_widget.widget.tools import TOOL_TABLE, TOOLS

WIDGET = Path(facade_module.__file__).parent


def test_the_facade_inherits_only_from_ipywidgets():
    mro = sw.SegmentationWidget.__mro__
    assert mro[0] is sw.SegmentationWidget
    assert set(mro[1:]) <= set(ipywidgets.VBox.__mro__), mro


def test_the_facade_keeps_at_most_eight_private_attributes():
    w = sw.SegmentationWidget(np.zeros((32, 32)), ["u", "a"])
    own = set(vars(w)) - set(vars(ipywidgets.VBox()))
    private = sorted(name for name in own if name.startswith("_"))
    assert len(private) <= 8, private


def test_a_brush_move_enters_the_facade_module_at_most_once():
    w = sw.SegmentationWidget(np.zeros((256, 256)), ["u", "a"], width=256, height=256)
    canvas = w.canvas
    send_canvas_event(canvas, "mouse_down", x=100, y=100)
    entries = []

    def profile(frame, event, arg):
        if event == "call" and frame.f_code.co_filename == facade_module.__file__:
            entries.append(frame.f_code.co_name)

    sys.setprofile(profile)
    try:
        send_canvas_event(canvas, "mouse_move", x=110, y=104)
    finally:
        sys.setprofile(None)
    send_canvas_event(w.canvas, "mouse_up", x=110, y=104)
    assert w.mask.any()  # the move painted
    assert len(entries) <= 1, entries


def test_every_tool_comes_from_the_one_table():
    assert TOOLS == tuple(spec.name for spec in TOOL_TABLE) == sw.TOOLS
    w = sw.SegmentationWidget(np.zeros((8, 8)), ["u", "a"])
    buttons = find_control(w, Toolbar).tools
    assert [value for _, value in buttons.options] == list(TOOLS)
    assert list(buttons.tooltips) == [spec.tooltip for spec in TOOL_TABLE]
    for spec in TOOL_TABLE:
        assert (spec.key_text, f"tool:{spec.name}", spec.help) in SHORTCUTS
        for key in spec.keys:
            assert action_for_key(key, False, False, False) == f"tool:{spec.name}"
            w.tool = "pan" if spec.name != "pan" else "brush"
            send_canvas_event(
                w.canvas, "key_down", key=key, shift_key=False, ctrl_key=False, meta_key=False
            )
            assert w.tool == spec.name


def _modules_naming(name: str) -> set[str]:
    found = set()
    for path in WIDGET.rglob("*.py"):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and any(a.name == name for a in node.names):
                found.add(path.relative_to(WIDGET).as_posix())
    return found


def test_only_the_view_draws():
    assert _modules_naming("Scene") == {"view.py"}


def test_panels_refresh_themselves():
    """Nothing outside the panels calls a panel's refresh (they listen to events)."""
    for path in WIDGET.rglob("*.py"):
        if path.parent.name == "panels":
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
                assert node.func.attr != "refresh" or path.name == "segmentation_widget.py", (
                    f"{path.name} calls .refresh()"
                )
