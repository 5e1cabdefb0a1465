"""Names from files never become markup: every HTML the widget shows escapes them.

Class names, object names and messages quoting them reach ipywidgets ``HTML`` values (the
object list, the status and message lines), button descriptions, tooltips and option
lists. ipywidgets shows descriptions, tooltips and options as text; ``HTML`` values are
markup, so there every name must arrive escaped, and no control may allow HTML in its
description.
"""

import ipywidgets
import numpy as np
import pytest

import seg_widget as sw
from seg_widget.testing import find_control, mouse_drag, press_key
from seg_widget.widget.panels import QualityPanel

EVIL = "<img src=x onerror=alert(1)>"
ESCAPED = "&lt;img src=x onerror=alert(1)&gt;"


def descendants(root):
    pending = [root]
    while pending:
        widget = pending.pop()
        yield widget
        pending.extend(getattr(widget, "children", ()))


def html_values(root):
    return [w.value for w in descendants(root) if isinstance(w, ipywidgets.HTML)]


def assert_no_markup_from_names(root):
    values = html_values(root)
    for value in values:
        assert "<img" not in value, value
    for widget in descendants(root):
        assert not getattr(widget, "description_allow_html", False), widget
    return values


def test_class_and_object_names_reach_html_only_escaped():
    classes = ["unlabelled", EVIL, sw.LabelClass(f"part {EVIL}", parent=EVIL)]
    w = sw.SegmentationWidget(np.zeros((60, 60)), classes, width=240, height=240, brush_size=3)
    press_key(w.canvas, "m")
    w.rename_instance(1, f"{EVIL} 1")
    mouse_drag(w.canvas, [(20, 20), (120, 20)])
    w.set_instance_locked(1)
    mouse_drag(w.canvas, [(20, 60), (120, 60)])  # refused: the message quotes the name
    find_control(w, ipywidgets.Accordion).selected_index = 1  # Find what is missing
    find_control(w, QualityPanel).show_regions(w.find_specks(10_000))
    values = assert_no_markup_from_names(w)
    joined = "\n".join(values)
    assert f"⚠ {ESCAPED} 1 is locked" in joined  # the message line
    assert f"{ESCAPED} 1" in joined  # the status line names the object under the pointer
    assert f"title='{ESCAPED}'>{ESCAPED[:6]}" in joined  # the object row's class, shortened


def test_messages_with_markup_are_escaped():
    w = sw.SegmentationWidget(np.zeros((20, 20)), ["u", "a"])
    w.on_edit(lambda bbox: (_ for _ in ()).throw(RuntimeError(EVIL)))
    w.paint_stroke([(5, 5)])
    assert EVIL in w.message
    values = assert_no_markup_from_names(w)
    assert any(ESCAPED in value for value in values)


def test_file_names_in_the_dataset_header_and_warnings_are_escaped(tmp_path):
    from PIL import Image

    folder = tmp_path / "images"
    folder.mkdir()
    Image.fromarray(np.zeros((8, 8, 3), np.uint8)).save(folder / f"{EVIL}.png")
    (folder / f"{EVIL} broken.png").write_bytes(b"not an image")
    with pytest.warns(UserWarning):
        annotator = sw.DatasetAnnotator(folder, tmp_path / "masks", ["u", EVIL])
    values = assert_no_markup_from_names(annotator)
    joined = "\n".join(values)
    assert f"<code>{ESCAPED}.png</code>" in joined  # the header
    assert f"{ESCAPED} broken.png" in joined  # the warnings area
    annotator.close()


def test_team_mode_shows_file_names_notes_and_reports_escaped(tmp_path):
    """A peer's review note and a file name reach the team bar, the status, the compare
    view and the agreement report only as text."""
    from PIL import Image

    folder = tmp_path / "images"
    folder.mkdir()
    for number in range(2):
        image = np.full((8, 8, 3), 50 * number, np.uint8)
        Image.fromarray(image).save(folder / f"{EVIL}{number}.png")
    classes, masks = ["u", EVIL], tmp_path / "masks"
    alice = sw.DatasetAnnotator(folder, masks, classes, annotator="alice")
    alice.widget.paint_stroke([(3, 3)], label=1, brush_size=1)
    alice.mark_done(EVIL)
    rita = sw.DatasetAnnotator(folder, masks, classes, annotator="rita", reviewer=True)
    rita.go_to(f"{EVIL}0.png")
    rita.compare("alice")  # shown under the team bar, titled by the file name
    assert f"<b>{ESCAPED}0.png</b>" in "\n".join(assert_no_markup_from_names(rita))
    rita.agreement_report()  # replaces the compare view
    assert f"<th>IoU {ESCAPED}</th>" in "\n".join(assert_no_markup_from_names(rita))
    rita.reject(f"fix {EVIL}")
    alice.go_to(f"{EVIL}0.png")
    joined = "\n".join(assert_no_markup_from_names(alice))
    assert f"rejected by rita: “fix {ESCAPED}”" in joined  # the team bar and the status
    assert f"<code>{ESCAPED}0.png</code>" in joined
    alice.close()
    rita.close()
