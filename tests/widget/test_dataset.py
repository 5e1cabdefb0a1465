import asyncio
import json
import os
import select
import signal
import subprocess
import sys
import textwrap

import numpy as np
import pytest
from PIL import Image

import seg_widget as sw
from seg_widget.io import atomic as atomic_module
from seg_widget.io import load_mask, save_mask
from seg_widget.io.dataset_index import STATE_FILE_NAME
from seg_widget.testing import find_control, mouse_drag
from seg_widget.widget import autosave as autosave_module
from seg_widget.widget.dataset_controls import NavigationBar
from tests.bounded import run_bounded

CLASSES = ["unlabelled", "cell", "debris"]
SHAPE = (24, 32)
# width/height give exactly 4 canvas pixels per image pixel.
VIEW = {"width": 128, "height": 96}

pytestmark = pytest.mark.filterwarnings(
    "ignore:__array__ implementation doesn't accept a copy keyword:DeprecationWarning"
)


def nav(annotator):
    """The annotator's navigation bar (buttons, jump box, warnings)."""
    return find_control(annotator, NavigationBar)


def _write_image(path, seed, shape=SHAPE):
    rng = np.random.default_rng(seed)
    Image.fromarray(rng.integers(0, 256, (*shape, 3), dtype=np.uint8)).save(path)


@pytest.fixture
def folder(tmp_path):
    images = tmp_path / "images"
    images.mkdir()
    for number in range(4):
        _write_image(images / f"img{number}.png", seed=number)
    return images


@pytest.fixture
def masks(tmp_path):
    return tmp_path / "masks"


def _annotator(folder, masks, **kwargs):
    return sw.DatasetAnnotator(folder, masks, CLASSES, **{**VIEW, **kwargs})


def _mask(value_at=None):
    mask = np.zeros(SHAPE, np.uint8)
    for (row, col), value in (value_at or {}).items():
        mask[row, col] = value
    return mask


def test_opens_the_first_image_under_a_navigation_bar(folder, masks):
    annotator = _annotator(folder, masks)
    assert len(annotator) == 4
    assert annotator.index == 0
    assert annotator.current_path == str(folder / "img0.png")
    assert annotator.mask_path == str(masks / "img0.png")
    assert isinstance(annotator.widget, sw.SegmentationWidget)
    assert annotator.widget.mask.shape == SHAPE and not annotator.widget.mask.any()
    assert annotator.children[-1] is annotator.widget
    bar = nav(annotator)
    assert bar.labelled.value == "<b>0 of 4 labelled</b>"
    assert (bar.jump.value, bar.jump.max, bar.total.value) == (1, 4, "of 4")
    assert bar.previous.disabled and not bar.next.disabled
    assert "img0.png" in bar.name.value
    assert annotator.messages == []


def test_next_previous_and_go_to_move_and_close_the_previous_widget(folder, masks):
    annotator = _annotator(folder, masks)
    first = annotator.widget
    assert annotator.next() is True
    assert annotator.index == 1 and first.comm is None  # closed
    assert annotator.previous() is True and annotator.index == 0
    annotator.go_to(folder / "img3.png")
    assert annotator.index == 3 and nav(annotator).next.disabled
    assert annotator.next() is False and annotator.index == 3
    assert "no image after this one" in nav(annotator).status.value
    annotator.go_to("img2.png")
    assert annotator.index == 2
    annotator.go_to(-4)
    assert annotator.index == 0


def test_moving_saves_the_edited_mask_and_counts_it_as_labelled(folder, masks):
    annotator = _annotator(folder, masks)
    annotator.widget.paint_stroke([(5, 5), (5, 20)], label=1, brush_size=3)
    painted = annotator.widget.mask.copy()
    annotator.next()
    np.testing.assert_array_equal(load_mask(masks / "img0.png"), painted)
    assert annotator.labelled_count == 1
    assert nav(annotator).labelled.value == "<b>1 of 4 labelled</b>"


def test_an_image_left_untouched_writes_no_mask(folder, masks):
    annotator = _annotator(folder, masks)
    annotator.next()
    annotator.next()
    assert sorted(os.listdir(masks)) == [STATE_FILE_NAME]


def test_save_writes_only_when_the_mask_changed(folder, masks):
    annotator = _annotator(folder, masks)
    assert annotator.save() is False
    assert not os.path.exists(annotator.mask_path)
    annotator.widget.paint_stroke([(3, 3)], label=2)
    assert annotator.save() is True
    written = os.stat(annotator.mask_path)
    assert annotator.save() is False
    again = os.stat(annotator.mask_path)  # an atomic write would be a new file
    assert (again.st_ino, again.st_mtime_ns) == (written.st_ino, written.st_mtime_ns)


def test_erasing_everything_makes_an_image_unlabelled_again(folder, masks):
    masks.mkdir()
    save_mask(masks / "img0.png", _mask({(1, 1): 1}), CLASSES)
    annotator = _annotator(folder, masks)
    assert annotator.labelled_count == 1
    annotator.widget.mask = np.zeros(SHAPE, np.uint8)
    annotator.save()
    assert annotator.labelled_count == 0


def test_existing_masks_are_loaded_for_fixing(folder, masks):
    masks.mkdir()
    existing = _mask({(2, 3): 1, (10, 30): 2})
    save_mask(masks / "img1.png", existing, CLASSES)
    annotator = _annotator(folder, masks)
    assert annotator.labelled_count == 1
    annotator.next()
    np.testing.assert_array_equal(annotator.widget.mask, existing)
    assert "✓" in nav(annotator).name.value


def test_only_unlabelled_makes_next_and_previous_skip_labelled_images(folder, masks):
    masks.mkdir()
    for number in (1, 2):
        save_mask(masks / f"img{number}.png", _mask({(0, 0): 1}), CLASSES)
    annotator = _annotator(folder, masks)
    annotator.only_unlabelled = True
    assert nav(annotator).only_unlabelled.value is True
    annotator.next()
    assert annotator.index == 3
    annotator.previous()
    assert annotator.index == 0
    annotator.go_to(2)  # jumping is never filtered
    assert annotator.index == 2
    annotator.go_to(3)
    annotator.widget.paint_stroke([(4, 4)], label=1)
    assert annotator.previous() is True and annotator.index == 0  # img3 was saved on the way
    assert annotator.next() is False
    assert "no unlabelled image after this one" in nav(annotator).status.value


def test_a_mask_of_another_size_is_an_error_naming_both_sizes(folder, masks):
    masks.mkdir()
    save_mask(masks / "img2.png", np.zeros((5, 7), np.uint8), CLASSES)
    annotator = _annotator(folder, masks)
    with pytest.warns(UserWarning, match="cannot open img2.png"):
        with pytest.raises(ValueError) as caught:
            annotator.go_to(2)
    message = str(caught.value)
    assert "32 x 24 (width x height)" in message and "7 x 5 (width x height)" in message
    assert annotator.index == 0
    assert "32 x 24 (width x height)" in nav(annotator).warnings.value
    assert "7 x 5 (width x height)" in nav(annotator).warnings.value
    annotator.go_to(1)
    assert annotator.next() is True and annotator.index == 3  # a known problem is skipped


def test_next_skips_a_mask_of_another_size_with_a_warning(folder, masks):
    masks.mkdir()
    save_mask(masks / "img1.png", np.zeros((5, 7), np.uint8), CLASSES)
    annotator = _annotator(folder, masks)
    with pytest.warns(UserWarning, match=r"7 x 5 \(width x height\)"):
        assert annotator.next() is True
    assert annotator.index == 2
    assert "img1.png" in annotator.messages[-1]


def test_a_corrupt_image_is_skipped_with_a_visible_warning(folder, masks):
    (folder / "img1b.png").write_bytes(b"this is not a PNG")
    with pytest.warns(UserWarning, match=r"skipping an unreadable image.*img1b\.png"):
        annotator = _annotator(folder, masks)
    assert len(annotator) == 4 and str(folder / "img1b.png") in annotator.skipped
    assert "img1b.png" in nav(annotator).warnings.value
    assert "cannot read" in annotator.messages[0]


def test_an_image_that_fails_to_decode_is_skipped_when_moving(folder, masks):
    data = (folder / "img1.png").read_bytes()
    (folder / "img1.png").write_bytes(data[: len(data) // 2])  # header fine, pixels truncated
    annotator = _annotator(folder, masks)
    assert len(annotator) == 4
    with pytest.warns(UserWarning, match="cannot open img1.png"):
        assert annotator.next() is True
    assert annotator.index == 2
    assert "img1.png" in nav(annotator).warnings.value
    assert annotator.previous() is True and annotator.index == 0  # skipped without retrying


def test_the_start_image_failing_opens_the_next_one(folder, masks):
    masks.mkdir()
    save_mask(masks / "img0.png", np.zeros((5, 7), np.uint8), CLASSES)
    with pytest.warns(UserWarning, match="cannot open img0.png"):
        annotator = _annotator(folder, masks)
    assert annotator.index == 1


def test_paths_outside_the_dataset_are_refused(folder, masks, tmp_path):
    annotator = _annotator(folder, masks)
    outside = tmp_path / "outside.png"
    _write_image(outside, seed=9)
    for target in (outside, "/etc/passwd", folder / ".." / "outside.png", "../outside.png"):
        with pytest.raises(ValueError, match="not in the dataset"):
            annotator.go_to(target)
    with pytest.raises(ValueError, match=r"index: expected an index in \[0, 4\); got 4"):
        annotator.go_to(4)
    assert annotator.index == 0


def test_a_mask_symlink_escaping_masks_dir_is_refused(folder, masks, tmp_path):
    masks.mkdir()
    victim = tmp_path / "victim.png"
    save_mask(victim, _mask(), CLASSES)
    before = victim.read_bytes()
    (masks / "img3.png").symlink_to(victim)
    with pytest.raises(ValueError, match=r"inside masks_dir.*img3\.png"):
        _annotator(folder, masks)
    assert victim.read_bytes() == before


def test_edits_autosave_once_autosave_seconds_have_passed(folder, masks, monkeypatch):
    clock = [1000.0]
    monkeypatch.setattr(autosave_module, "_now", lambda: clock[0])
    annotator = _annotator(folder, masks, autosave_seconds=30.0)
    path = masks / "img0.png"
    annotator.widget.paint_stroke([(2, 2)], label=1, brush_size=1)
    clock[0] += 29.0
    annotator.widget.paint_stroke([(4, 4)], label=1, brush_size=1)
    assert not path.exists()  # 29 s: not yet
    clock[0] += 1.0
    annotator.widget.paint_stroke([(6, 6)], label=2, brush_size=1)
    np.testing.assert_array_equal(load_mask(path), _mask({(2, 2): 1, (4, 4): 1, (6, 6): 2}))
    clock[0] += 10.0
    annotator.widget.paint_stroke([(8, 8)], label=2, brush_size=1)
    assert load_mask(path)[8, 8] == 0  # 10 s after that save: not yet
    clock[0] += 20.0
    annotator.widget.paint_stroke([(9, 9)], label=2, brush_size=1)
    assert load_mask(path)[8, 8] == 2 and load_mask(path)[9, 9] == 2


def test_a_drag_autosaves_when_the_interval_is_zero(folder, masks):
    annotator = _annotator(folder, masks, autosave_seconds=0)
    mouse_drag(annotator.widget.canvas, [(10, 10), (60, 10)])
    np.testing.assert_array_equal(load_mask(masks / "img0.png"), annotator.widget.mask)
    assert annotator.widget.mask.any() and annotator.labelled_count == 1


def test_a_pause_in_editing_saves_when_an_event_loop_runs(folder, masks, monkeypatch):
    monkeypatch.setattr(autosave_module, "IDLE_SAVE_SECONDS", 0.05)
    annotator = _annotator(folder, masks, autosave_seconds=30.0)
    path = masks / "img0.png"

    async def edit_then_pause():
        annotator.widget.paint_stroke([(2, 2)], label=1, brush_size=1)
        await asyncio.sleep(0.02)
        annotator.widget.paint_stroke([(3, 3)], label=1, brush_size=1)
        assert not path.exists()
        await asyncio.sleep(0.3)

    asyncio.run(edit_then_pause())
    np.testing.assert_array_equal(load_mask(path), _mask({(2, 2): 1, (3, 3): 1}))
    assert not annotator._autosave.scheduled  # noqa: SLF001 - the timer is what is tested


def test_without_an_event_loop_only_the_throttle_saves(folder, masks):
    annotator = _annotator(folder, masks, autosave_seconds=30.0)
    annotator.widget.paint_stroke([(2, 2)], label=1)
    assert not annotator._autosave.scheduled  # noqa: SLF001 - the timer is what is tested
    assert not (masks / "img0.png").exists()


def test_a_failed_autosave_is_a_warning_and_the_edits_stay(folder, masks, monkeypatch):
    annotator = _annotator(folder, masks, autosave_seconds=0)

    def full_disk(source, destination):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(atomic_module.os, "replace", full_disk)
    with pytest.warns(UserWarning, match="autosave of img0.png failed.*No space left"):
        annotator.widget.paint_stroke([(2, 2)], label=1)
    assert annotator.widget.mask[2, 2] == 1
    assert "No space left" in nav(annotator).warnings.value
    with pytest.raises(OSError, match="No space left"):
        annotator.next()  # never moves away from unsaved work
    assert annotator.index == 0
    monkeypatch.undo()
    assert annotator.next() is True
    assert load_mask(masks / "img0.png")[2, 2] == 1


def test_crash_between_write_and_rename_keeps_the_previous_mask(folder, masks, monkeypatch):
    masks.mkdir()
    previous = _mask({(1, 1): 1, (2, 2): 2})
    save_mask(masks / "img0.png", previous, CLASSES)
    before = (masks / "img0.png").read_bytes()
    annotator = _annotator(folder, masks)
    annotator.widget.mask = np.ones(SHAPE, np.uint8)

    def crash(source, destination):
        raise OSError("simulated crash between write and rename")

    monkeypatch.setattr(atomic_module.os, "replace", crash)
    with pytest.raises(OSError, match="simulated crash"):
        annotator.save()
    monkeypatch.undo()
    assert (masks / "img0.png").read_bytes() == before
    np.testing.assert_array_equal(load_mask(masks / "img0.png"), previous)
    reopened = _annotator(folder, masks)
    np.testing.assert_array_equal(reopened.widget.mask, previous)
    assert not list(masks.glob(".*.tmp"))


def test_temporary_files_of_a_killed_write_are_removed_on_opening_and_never_images(folder, masks):
    masks.mkdir()
    save_mask(masks / "img0.png", _mask({(1, 1): 1}), CLASSES)
    (masks / ".img0.png.0badc0de.tmp").write_bytes(b"half a png")
    (folder / ".img9.png.0badc0de.tmp").write_bytes(b"half an image")
    annotator = _annotator(folder, masks)
    assert len(annotator) == 4 and annotator.messages == []
    assert annotator.widget.mask[1, 1] == 1
    assert not (masks / ".img0.png.0badc0de.tmp").exists()  # ours, in our folder: removed
    assert (folder / ".img9.png.0badc0de.tmp").exists()  # the images folder is not ours


def test_a_new_annotator_resumes_at_the_image_that_was_open(folder, masks):
    annotator = _annotator(folder, masks)
    annotator.go_to(2)
    state = json.loads((masks / STATE_FILE_NAME).read_text())
    assert state["current"] == "img2.png"
    assert _annotator(folder, masks).index == 2


def test_process_killed_after_an_autosave_resumes_with_every_saved_edit(folder, masks, tmp_path):
    expected_path = tmp_path / "expected.npy"
    script = textwrap.dedent(
        f"""
        import time
        import numpy as np
        import seg_widget as sw
        from seg_widget.testing import find_control, mouse_drag

        annotator = sw.DatasetAnnotator(
            {str(folder)!r}, {str(masks)!r}, {CLASSES!r}, autosave_seconds=0.0,
            width=128, height=96,
        )
        annotator.go_to(2)
        w = annotator.widget
        mouse_drag(w.canvas, [(10, 10), (60, 30), (100, 30)])
        w.paint_stroke([(20, 2), (20, 25)], label=2, brush_size=3)
        np.save({str(expected_path)!r}, w.mask)
        print("saved", flush=True)
        time.sleep(120)
        """
    )
    child = subprocess.Popen(
        [sys.executable, "-c", script], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        ready, _, _ = select.select([child.stdout], [], [], 120)
        assert ready, "the child process printed nothing within 120 s"
        line = child.stdout.readline()
        assert line.strip() == "saved", child.stderr.read() if child.poll() is not None else line
    finally:
        os.kill(child.pid, signal.SIGKILL)
        child.wait(timeout=30)
        child.stdout.close()
        child.stderr.close()
    assert child.returncode == -signal.SIGKILL
    expected = np.load(expected_path)
    assert (expected == 1).any() and (expected == 2).any()
    resumed = _annotator(folder, masks)
    assert resumed.index == 2
    np.testing.assert_array_equal(resumed.widget.mask, expected)
    assert resumed.labelled_count == 1


def test_buttons_and_the_jump_box_navigate_and_show_errors_instead_of_raising(folder, masks):
    masks.mkdir()
    save_mask(masks / "img3.png", np.zeros((5, 7), np.uint8), CLASSES)
    annotator = _annotator(folder, masks)
    nav(annotator).next.click()
    assert annotator.index == 1
    nav(annotator).previous.click()
    assert annotator.index == 0
    nav(annotator).jump.value = 3
    assert annotator.index == 2
    with pytest.warns(UserWarning, match="cannot open img3.png"):
        nav(annotator).jump.value = 4
    assert annotator.index == 2 and nav(annotator).jump.value == 3
    assert "7 x 5 (width x height)" in nav(annotator).warnings.value
    assert nav(annotator).next.disabled  # the only later image is a known problem


def test_the_only_unlabelled_checkbox_updates_the_buttons(folder, masks):
    masks.mkdir()
    for number in (1, 2, 3):
        save_mask(masks / f"img{number}.png", _mask({(0, 0): 1}), CLASSES)
    annotator = _annotator(folder, masks)
    assert not nav(annotator).next.disabled
    nav(annotator).only_unlabelled.value = True
    assert nav(annotator).next.disabled


def test_tool_settings_carry_over_to_the_next_image(folder, masks):
    annotator = _annotator(folder, masks, brush_size=4)
    annotator.widget.tool = "fill"
    annotator.widget.label = 2
    annotator.widget.opacity = 0.8
    annotator.widget.color_by, annotator.widget.contours = "instance", True
    annotator.next()
    assert (annotator.widget.tool, annotator.widget.label) == ("fill", 2)
    assert annotator.widget.opacity == 0.8 and annotator.widget.brush_size == 4
    assert (annotator.widget.color_by, annotator.widget.contours) == ("instance", True)


def test_close_saves_and_closes_the_widgets(folder, masks):
    annotator = _annotator(folder, masks)
    widget = annotator.widget
    widget.paint_stroke([(1, 1)], label=1)
    annotator.close()
    assert load_mask(masks / "img0.png")[1, 1] == 1
    assert widget.comm is None and annotator.comm is None


def test_exports_include_unsaved_edits_and_hide_the_progress_bar(folder, masks, tmp_path):
    annotator = _annotator(folder, masks, mask_format=".npz")
    annotator.widget.paint_stroke([(5, 5), (5, 9)], label=1, brush_size=3)
    counts = annotator.export_coco(tmp_path / "all.json")
    assert counts == {"images": 4, "annotations": 1}
    assert (masks / "img0.npz").exists()
    stems = annotator.export_voc(tmp_path / "voc")
    assert stems == ["img0"]
    exported = load_mask(tmp_path / "voc" / "SegmentationClass" / "img0.png")
    np.testing.assert_array_equal(exported, annotator.widget.mask)
    assert nav(annotator).progress.layout.display == "none"
    assert nav(annotator).progress.value == nav(annotator).progress.max == 4


def test_bad_arguments_are_refused(folder, masks):
    with pytest.raises(ValueError, match="autosave_seconds: expected a number >= 0; got -1"):
        _annotator(folder, masks, autosave_seconds=-1)
    with pytest.raises(TypeError, match="autosave_seconds: expected a number of seconds or None"):
        _annotator(folder, masks, autosave_seconds="30")
    with pytest.raises(ValueError, match="mask_format: expected one of"):
        _annotator(folder, masks, mask_format=".jpg")


def test_objects_are_saved_in_the_objects_folder_and_come_back_with_the_image(folder, masks):
    annotator = _annotator(folder, masks)
    w = annotator.widget
    first = w.new_instance(1, name="left cell")
    w.paint_stroke([(5, 5)], brush_size=3)
    w.new_instance(1)
    w.paint_stroke([(5, 20)], brush_size=3)
    w.set_instance_locked(first)
    expected_ids = w.instance_mask.copy()
    annotator.next()
    assert [p.name.split(".")[0] for p in (masks / "objects").glob("*.npz")] == ["img0"]
    annotator.previous()
    w = annotator.widget
    np.testing.assert_array_equal(w.instance_mask, expected_ids)
    assert [(i.name, i.locked) for i in w.instances] == [("left cell", True), ("cell 2", False)]


def test_objects_not_matching_an_edited_mask_are_not_loaded_and_a_warning_says_so(folder, masks):
    annotator = _annotator(folder, masks)
    annotator.widget.new_instance(1)
    annotator.widget.paint_stroke([(5, 5)], brush_size=3)
    annotator.next()
    save_mask(masks / "img0.png", _mask({(0, 0): 2}), CLASSES)  # edited by another tool
    with pytest.warns(UserWarning, match="objects were saved with another version of the mask"):
        annotator.previous()
    assert annotator.widget.instances == ()
    assert annotator.widget.mask[0, 0] == 2


def test_coco_export_of_a_dataset_has_one_annotation_per_saved_object(folder, masks, tmp_path):
    annotator = _annotator(folder, masks)
    w = annotator.widget
    w.new_instance(1)
    w.paint_stroke([(5, 5), (5, 20)], brush_size=3)  # one object made of one stroke ...
    w.paint_stroke([(18, 5)], brush_size=3)  # ... and a separate piece of it
    w.instance = 0
    w.paint_stroke([(18, 25)], label=2, brush_size=3)  # a loose debris region
    counts = annotator.export_coco(tmp_path / "all.json")
    assert counts["annotations"] == 2
    document = json.loads((tmp_path / "all.json").read_text())
    assert sorted(a["category_id"] for a in document["annotations"]) == [1, 2]


def _with_object(annotator):
    w = annotator.widget
    first = w.new_instance(1, name="left cell")
    w.paint_stroke([(5, 5)], brush_size=3)
    second = w.new_instance(1, name="right cell")
    w.paint_stroke([(5, 20)], brush_size=3)
    annotator.save()
    return first, second


@pytest.mark.parametrize(
    ("command", "check"),
    [
        (lambda w, a, b: w.rename_instance(a, "tabby"), lambda i: i[0].name == "tabby"),
        (lambda w, a, b: w.set_instance_locked(a), lambda i: i[0].locked),
        (lambda w, a, b: w.set_instance_visible(b, False), lambda i: not i[1].visible),
    ],
    ids=["rename", "lock", "hide"],
)
def test_any_change_of_an_object_is_saved(folder, masks, command, check):
    annotator = _annotator(folder, masks)
    first, second = _with_object(annotator)
    command(annotator.widget, first, second)
    assert annotator.save() is True
    annotator.close()
    assert check(_annotator(folder, masks).widget.instances)


def test_re_parenting_an_object_is_saved(folder, masks):
    classes = ["unlabelled", "cell", sw.LabelClass("nucleus", parent="cell")]
    annotator = sw.DatasetAnnotator(folder, masks, classes, **VIEW)
    w = annotator.widget
    cell = w.new_instance(1)
    w.paint_stroke([(5, 5)], brush_size=5)
    nucleus = w.new_instance(2)
    w.paint_stroke([(5, 5)], brush_size=1)
    w.set_instance_parent(nucleus, None)
    annotator.save()
    w.set_instance_parent(nucleus, cell)
    assert annotator.save() is True
    annotator.close()
    reopened = sw.DatasetAnnotator(folder, masks, classes, **VIEW)
    assert reopened.widget.instances[1].parent == cell


def test_renaming_an_object_autosaves(folder, masks):
    annotator = _annotator(folder, masks, autosave_seconds=0)
    first, _ = _with_object(annotator)
    annotator.widget.rename_instance(first, "tabby")  # no other edit, no explicit save
    assert annotator.save() is False  # the autosave wrote it already
    assert _annotator(folder, masks).widget.instances[0].name == "tabby"


def test_an_object_change_is_saved_when_moving_to_the_next_image(folder, masks):
    annotator = _annotator(folder, masks)
    first, _ = _with_object(annotator)
    annotator.widget.rename_instance(first, "tabby")
    annotator.next()
    annotator.previous()
    assert annotator.widget.instances[0].name == "tabby"


def test_a_second_annotator_on_the_folder_cannot_overwrite_silently(folder, masks):
    mine, theirs = _annotator(folder, masks), _annotator(folder, masks)
    theirs.widget.paint_stroke([(2, 2)], label=2)
    theirs.save()
    mine.widget.paint_stroke([(8, 8)], label=1)
    with pytest.raises(sw.io.ConflictError, match=r"img0\.png' appeared on disk since") as caught:
        mine.save()
    assert caught.value.path == mine.mask_path
    assert "save(beside=True)" in str(caught.value)
    assert mine.widget.mask[8, 8] == 1  # the edits stay
    assert load_mask(masks / "img0.png")[2, 2] == 2  # their work stays
    with pytest.raises(sw.io.ConflictError):
        mine.next()  # never moves away from unsaved work
    assert mine.index == 0


def test_after_a_conflict_save_beside_keeps_both_versions(folder, masks):
    mine, theirs = _annotator(folder, masks), _annotator(folder, masks)
    theirs.widget.paint_stroke([(2, 2)], label=2)
    theirs.save()
    mine.widget.paint_stroke([(8, 8)], label=1)
    assert mine.save(beside=True) is True
    (beside,) = (masks / "conflicts").glob("img0.*.png")
    assert load_mask(beside)[8, 8] == 1 and load_mask(masks / "img0.png")[2, 2] == 2
    mine.widget.paint_stroke([(9, 9)], label=1)
    assert mine.save() is True  # the later saves of this image go beside too
    assert load_mask(beside)[9, 9] == 1 and load_mask(masks / "img0.png")[9, 9] == 0
    assert mine.next() is True


def test_after_a_conflict_overwrite_replaces_the_other_version(folder, masks):
    mine, theirs = _annotator(folder, masks), _annotator(folder, masks)
    theirs.widget.paint_stroke([(2, 2)], label=2)
    theirs.save()
    mine.widget.paint_stroke([(8, 8)], label=1)
    with pytest.raises(ValueError, match="beside, overwrite: expected at most one"):
        mine.save(beside=True, overwrite=True)
    assert mine.save(overwrite=True) is True
    on_disk = load_mask(masks / "img0.png")
    assert on_disk[8, 8] == 1 and on_disk[2, 2] == 0
    theirs.widget.paint_stroke([(3, 3)], label=2)
    with pytest.raises(sw.io.ConflictError, match="changed on disk"):
        theirs.save()  # now the other one is told


def test_the_warnings_list_keeps_the_newest_hundred(folder, masks):
    masks.mkdir()
    save_mask(masks / "img3.png", np.zeros((5, 7), np.uint8), CLASSES)
    annotator = _annotator(folder, masks)
    for _ in range(120):
        with pytest.warns(UserWarning):
            with pytest.raises(ValueError):
                annotator.go_to(3)
    assert len(annotator.messages) == 100


def test_a_full_disk_backs_off_keeps_one_warning_and_saves_once_space_frees(
    folder, masks, monkeypatch
):
    """The disk is made full with RLIMIT_FSIZE in a forked child (works as root too)."""
    clock = [1000.0]
    monkeypatch.setattr(autosave_module, "_now", lambda: clock[0])  # the child's copy ticks

    def scenario():
        import resource
        import warnings

        annotator = _annotator(folder, masks, autosave_seconds=0)
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # writes fail with EFBIG instead
        soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
        resource.setrlimit(resource.RLIMIT_FSIZE, (16, hard))
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            for step in range(60):  # 60 pen events within 0.6 s
                annotator.widget.paint_stroke([(2 + step % 20, 3)], label=1)
                clock[0] += 0.01
        after_burst = (list(annotator.messages), len(caught))
        clock[0] += 1.0  # the first back-off (1 s) has passed: one more attempt
        annotator.widget.paint_stroke([(2, 9)], label=1)
        second = list(annotator.messages)
        resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))  # space frees
        clock[0] += 2.5
        annotator.widget.paint_stroke([(2, 10)], label=1)
        return after_burst, second, list(annotator.messages), annotator.widget.mask.copy()

    (burst_messages, python_warnings), second, final, edited = run_bounded(scenario)
    assert len(burst_messages) == 1 and python_warnings == 1
    assert burst_messages[0].startswith("autosave of img0.png failed (1 time; your edits are kept")
    assert "File too large" in burst_messages[0]
    assert len(second) == 1 and "failed (2 times" in second[0]
    assert final == ["autosave of img0.png failed earlier; saved now"]
    np.testing.assert_array_equal(load_mask(masks / "img0.png"), edited)
    assert edited[2:22, 3].all() and edited[2, 10] == 1
