"""Every public method refuses bad arguments with a ValueError or TypeError naming the argument,
and a call that raises changes nothing (no setting, no label, no pixel, no prompt)."""

import contextlib
import subprocess
import sys
import textwrap

import numpy as np
import pytest
from ipywidgets.widgets.widget import _instances as live_widgets

import seg_widget as sw
from seg_widget.testing import undo_steps


def make():
    w = sw.SegmentationWidget(np.zeros((50, 50)), ["u", "a", "b"], brush_size=4)
    w.new_instance(1)
    w.paint_stroke([(5, 5)])
    w.new_instance(1)
    w.paint_stroke([(20, 20)])
    w.scribble([(30, 30)], label=1)
    return w


def snapshot(w):
    return (
        w.mask.copy(),
        w.instance_mask.copy(),
        w.instances,
        undo_steps(w),
        {
            name: getattr(w, name)
            for name in (
                "label",
                "brush_size",
                "tool",
                "instance",
                "selected_instances",
                "wand_tolerance",
                "scribble_method",
                "contrast_limits",
                "save_path",
                "erase",
            )
        },
        w.proposal,
    )


def assert_unchanged(w, before):
    mask, ids, table, steps, settings, proposal = before
    np.testing.assert_array_equal(w.mask, mask)
    np.testing.assert_array_equal(w.instance_mask, ids)
    assert w.instances == table and undo_steps(w) == steps
    assert {name: getattr(w, name) for name in settings} == settings
    assert (w.proposal is None) == (proposal is None)


BAD_CALLS = [
    ("paint_stroke", lambda w: w.paint_stroke([]), ValueError, "points"),
    ("paint_stroke", lambda w: w.paint_stroke("ab"), TypeError, "points"),
    (
        "paint_stroke",
        lambda w: w.paint_stroke([(1, 2)], label=2, brush_size=0),
        ValueError,
        "brush_size",
    ),
    ("paint_stroke", lambda w: w.paint_stroke([(1, 2)], label="x"), TypeError, "label"),
    ("paint_stroke", lambda w: w.paint_stroke([(1, 2)], erase="yes"), TypeError, "erase"),
    ("paint_stroke", lambda w: w.paint_stroke([(1, float("nan"))]), ValueError, "points"),
    ("fill_polygon", lambda w: w.fill_polygon([(1, 2, 3)]), ValueError, "points"),
    (
        "fill_polygon",
        lambda w: w.fill_polygon([(1, 2), (3, 4), (5, 1)], label=9),
        ValueError,
        "label",
    ),
    ("flood_fill", lambda w: w.flood_fill((100, 0)), ValueError, "seed"),
    ("flood_fill", lambda w: w.flood_fill((-1, 0)), ValueError, "seed"),
    ("flood_fill", lambda w: w.flood_fill((1.5, 0)), TypeError, "seed"),
    ("flood_fill", lambda w: w.flood_fill((1, 0), label=7), ValueError, "label"),
    ("fill_unlabelled", lambda w: w.fill_unlabelled("x"), TypeError, "bbox"),
    ("fill_unlabelled", lambda w: w.fill_unlabelled(label=0), ValueError, "label"),
    ("find_holes", lambda w: w.find_holes(-1), ValueError, "max_size"),
    ("find_specks", lambda w: w.find_specks("x"), TypeError, "max_size"),
    ("fill_holes", lambda w: w.fill_holes(connectivity=5), ValueError, "connectivity"),
    ("remove_specks", lambda w: w.remove_specks(-1), ValueError, "max_size"),
    ("smooth_borders", lambda w: w.smooth_borders(2), ValueError, "size"),
    ("zoom_to", lambda w: w.zoom_to("x"), ValueError, "bbox"),
    ("pan", lambda w: w.pan("a", 1), TypeError, "(dx, dy)"),
    ("canvas_to_image", lambda w: w.canvas_to_image("a", 1), TypeError, "x"),
    ("image_to_canvas", lambda w: w.image_to_canvas(1, float("nan")), ValueError, "y"),
    ("propose_wand", lambda w: w.propose_wand((200, 0)), ValueError, "seed"),
    ("propose_wand", lambda w: w.propose_wand((2, 0), tolerance=2), ValueError, "tolerance"),
    ("propose_superpixels", lambda w: w.propose_superpixels([]), ValueError, "points"),
    ("scribble", lambda w: w.scribble([]), ValueError, "points"),
    ("scribble", lambda w: w.scribble([(1, 1)], label=0), ValueError, "label"),
    ("propose_from_scribbles", lambda w: w.propose_from_scribbles("nope"), ValueError, "method"),
    ("prompt", lambda w: w.prompt([(1, 2)], [2]), ValueError, "point_labels"),
    ("prompt", lambda w: w.prompt([(1, 2)], [1, 1]), ValueError, "point_labels"),
    ("prompt", lambda w: w.prompt(box_xyxy=(1, 2, 3)), ValueError, "box_xyxy"),
    ("prompt", lambda w: w.prompt(box_xyxy="abcd"), TypeError, "box_xyxy"),
    ("on_edit", lambda w: w.on_edit(3), TypeError, "callback"),
    ("on_edit", lambda w: w.on_edit(print, remove=True), ValueError, "callback"),
    ("on_prompt", lambda w: w.on_prompt(3), TypeError, "callback"),
    ("on_prompt", lambda w: w.on_prompt(print, remove=True), ValueError, "callback"),
    ("new_instance", lambda w: w.new_instance(0), ValueError, "label"),
    ("new_instance", lambda w: w.new_instance(2, name=3), TypeError, "name"),
    ("new_instance", lambda w: w.new_instance(2, parent=99), ValueError, "parent"),
    ("make_object", lambda w: w.make_object((200, 0)), ValueError, "seed"),
    ("make_object", lambda w: w.make_object((40, 40)), ValueError, "seed"),
    ("make_object", lambda w: w.make_object((5, 5), whole_class=1), TypeError, "whole_class"),
    ("select_instance", lambda w: w.select_instance(99), ValueError, "instance_id"),
    ("select_instance", lambda w: w.select_instance(1, add="x"), TypeError, "add"),
    ("rename_instance", lambda w: w.rename_instance(1, 3), TypeError, "name"),
    ("set_instance_class", lambda w: w.set_instance_class(1, 9), ValueError, "label"),
    ("set_instance_visible", lambda w: w.set_instance_visible(1, "no"), TypeError, "visible"),
    ("set_instance_locked", lambda w: w.set_instance_locked(1, "no"), TypeError, "locked"),
    ("set_instance_parent", lambda w: w.set_instance_parent(1, 99), ValueError, "parent"),
    ("delete_instances", lambda w: w.delete_instances([99]), ValueError, "instance_ids"),
    ("merge_instances", lambda w: w.merge_instances([1]), ValueError, "instance_ids"),
    ("split_instance", lambda w: w.split_instance(1, connectivity=5), ValueError, "connectivity"),
    ("instance_pixels", lambda w: w.instance_pixels(99), ValueError, "instance_id"),
    ("object_mask", lambda w: w.object_mask(1, parts="x"), TypeError, "parts"),
    ("class_mask", lambda w: w.class_mask(-1), ValueError, "level"),
    ("refresh", lambda w: w.refresh("x"), TypeError, "bbox"),
    ("save", lambda w: w.save("x.jpg"), ValueError, "path"),
    ("save", lambda w: w.save(3), TypeError, "path"),
    ("save", lambda w: w.save(), ValueError, "path"),
    ("load", lambda w: w.load("/nonexistent/x.png"), ValueError, "path"),
    ("load", lambda w: w.load(3), TypeError, "path"),
    ("tool", lambda w: setattr(w, "tool", 3), TypeError, "tool"),
    ("erase", lambda w: setattr(w, "erase", "x"), TypeError, "erase"),
    ("label", lambda w: setattr(w, "label", "x"), TypeError, "label"),
    ("opacity", lambda w: setattr(w, "opacity", "x"), TypeError, "opacity"),
    (
        "selected_instances",
        lambda w: setattr(w, "selected_instances", (99,)),
        ValueError,
        "selected_instances",
    ),
    (
        "selected_instances",
        lambda w: setattr(w, "selected_instances", 3),
        TypeError,
        "selected_instances",
    ),
    (
        "contrast_limits",
        lambda w: setattr(w, "contrast_limits", (2, 1)),
        ValueError,
        "contrast_limits",
    ),
    ("save_path", lambda w: setattr(w, "save_path", "x.tiff"), ValueError, "save_path"),
    ("mask", lambda w: setattr(w, "mask", "x"), TypeError, "mask"),
]


@pytest.mark.parametrize(
    ("call", "error", "argument"),
    [case[1:] for case in BAD_CALLS],
    ids=[f"{case[0]}-{case[3]}-{k}" for k, case in enumerate(BAD_CALLS)],
)
def test_a_bad_argument_raises_naming_it_and_changes_nothing(call, error, argument):
    w = make()
    before = snapshot(w)
    with pytest.raises(error) as raised:
        call(w)
    assert str(raised.value).startswith(f"{argument}: ") or str(raised.value).startswith(
        f"{argument} "
    ), str(raised.value)
    assert_unchanged(w, before)


def test_prompt_validates_labels_before_storing_points():
    w = make()
    calls = []
    w.on_prompt(lambda image, prompt: calls.append(prompt) or np.zeros((50, 50), bool))
    with pytest.raises(ValueError, match="point_labels"):
        w.prompt([(1, 2), (3, 4)], [1, 5])
    w.tool = "prompt"
    w.prompt_negative = False
    from seg_widget.testing import click

    click(w.canvas, 10, 10)  # a click adds to the stored prompts: none from the failed call
    assert len(calls) == 1 and len(calls[0].points_xy) == 1


# -- the constructor -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"pixel_ratio": 9}, ValueError, r"pixel_ratio: expected a number in \(0, 8\]"),
        ({"width": 20000}, ValueError, "canvas: expected at most 67,108,864 device pixels"),
        ({"height": 1.5}, ValueError, "height: expected an integer number of CSS pixels"),
        (
            {"width": 16384, "height": 16384, "pixel_ratio": 1.5},  # 6·10⁸ canvas pixels
            ValueError,
            "canvas: expected at most 67,108,864 device pixels",
        ),
        ({"brush_size": 0}, ValueError, "brush_size"),
        ({"opacity": 2}, ValueError, "opacity"),
        ({"history_bytes": 0}, ValueError, "history_bytes"),
        ({"clases": ["a"]}, TypeError, "unexpected keyword argument"),
        ({"tool": "nope"}, ValueError, "tool: expected one of"),
        ({"mask": np.ones((3, 3), np.uint8)}, ValueError, "mask: expected shape"),
    ],
)
def test_a_constructor_that_raises_leaves_no_widget_behind(kwargs, error, match):
    before = len(live_widgets)
    with pytest.raises(error, match=match):
        sw.SegmentationWidget(np.zeros((40, 40)), ["u", "a"], **kwargs)
    assert len(live_widgets) == before


def test_the_largest_view_is_accepted():
    w = sw.SegmentationWidget(
        np.zeros((64, 64)), ["u", "a"], width=2048, height=2048, pixel_ratio=4
    )
    assert (w.canvas.width, w.canvas.height) == (8192, 8192)
    w.close()


def test_constructors_that_raise_print_nothing_at_shutdown(tmp_path):
    """A failed constructor leaves nothing whose clean-up complains when Python exits."""
    (tmp_path / "images").mkdir()
    (tmp_path / "images" / "a.png").write_bytes(b"not a png")
    images, masks, missing = tmp_path / "images", tmp_path / "masks", tmp_path / "missing.png"
    twins = _twin_stems(tmp_path / "twins")
    script = textwrap.dedent(
        f"""
        import numpy as np, seg_widget as sw
        for bad in (
            lambda: sw.SegmentationWidget("{missing}"),
            lambda: sw.SegmentationWidget(np.zeros((4, 4)), pixel_ratio=1e9),
            lambda: sw.SegmentationWidget(np.zeros((4, 4)), tool="nope"),
            lambda: sw.DatasetAnnotator("{images}", "{masks}", ["u", "a"]),
            lambda: sw.DatasetAnnotator("{twins}", "{masks}", ["u", "a"]),
        ):
            try:
                bad()
            except (ValueError, TypeError):
                pass
            else:
                raise SystemExit("no error")
        print("done")
        """
    )
    result = subprocess.run(
        [sys.executable, "-W", "ignore", "-c", script], capture_output=True, text=True, timeout=120
    )
    assert result.stdout == "done\n"
    assert result.stderr == ""


def _twin_stems(folder):
    """A folder of two images sharing a stem (a.png, a.jpg): a dataset refuses it."""
    from PIL import Image

    folder.mkdir()
    for name in ("a.png", "a.jpg"):
        Image.fromarray(np.zeros((8, 8, 3), np.uint8)).save(folder / name)
    return folder


def _truncated_png(folder):
    """A folder of one PNG whose header reads but whose pixels do not: it fails to open."""
    import io

    from PIL import Image

    folder.mkdir()
    buffer = io.BytesIO()
    noise = np.random.default_rng(0).integers(0, 256, (40, 40, 3), dtype=np.uint8)
    Image.fromarray(noise).save(buffer, "PNG")
    (folder / "a.png").write_bytes(buffer.getvalue()[:120])
    return folder


@pytest.mark.parametrize(
    "case",
    [
        "unreadable images",
        "twin stems",
        "bad classes",
        "no image opens",
        "no image opens in team mode",
        "reviewer without team mode",
    ],
)
def test_a_dataset_annotator_that_raises_leaves_no_widget_behind(tmp_path, case):
    images = tmp_path / "images"
    kwargs = {}
    if case == "twin stems":
        _twin_stems(images)
    elif case.startswith("no image opens"):
        _truncated_png(images)
        kwargs = {"annotator": "alice"} if case.endswith("team mode") else {}
    else:
        images.mkdir()
        if case == "unreadable images":
            (images / "a.png").write_bytes(b"not a png")
        else:
            _twin_stems(tmp_path / "one")
            images = tmp_path / "one" / "a.png"
            kwargs = {"reviewer": True} if case == "reviewer without team mode" else {}
    before = len(live_widgets)
    classes = [] if case == "bad classes" else ["u", "a"]
    warns = case == "unreadable images" or case.startswith("no image opens")
    with pytest.warns() if warns else contextlib.nullcontext():
        with pytest.raises(ValueError, match=r"images|classes|reviewer"):
            sw.DatasetAnnotator(images, tmp_path / "masks", classes, **kwargs)
    assert len(live_widgets) == before


# -- the dataset annotator ----------------------------------------------------------------


@pytest.fixture
def folder(tmp_path):
    from PIL import Image

    images = tmp_path / "images"
    images.mkdir()
    for number in range(3):
        Image.fromarray(np.full((8, 8, 3), 50 * number, np.uint8)).save(images / f"i{number}.png")
    return images


def _all_in(image):
    """A pre-annotation model: every pixel is in."""
    return np.ones(image.shape[:2], bool)


ANNOTATOR_CALLS = [
    ("save", lambda a: a.save(beside="yes"), TypeError, "beside"),
    ("save", lambda a: a.save(overwrite=1), TypeError, "overwrite"),
    ("save", lambda a: a.save(beside=True, overwrite=True), ValueError, "beside, overwrite"),
    ("go_to", lambda a: a.go_to(1.5), TypeError, "index_or_path"),
    ("go_to", lambda a: a.go_to(9), ValueError, "index"),
    ("export_coco", lambda a: a.export_coco("c.json", polygons="x"), TypeError, "polygons"),
    (
        "export_coco",
        lambda a: a.export_coco("c.json", include_unlabelled=None),
        TypeError,
        "include_unlabelled",
    ),
    ("export_voc", lambda a: a.export_voc(3), TypeError, "folder"),
    ("export_yolo", lambda a: a.export_yolo(None), TypeError, "folder"),
    ("export_coco", lambda a: a.export_coco(3), TypeError, "path"),
    ("filter", lambda a: setattr(a, "filter", "done"), ValueError, "filter"),
    ("only_unlabelled", lambda a: setattr(a, "only_unlabelled", "x"), TypeError, "only_unlabelled"),
    ("mark_done", lambda a: a.mark_done(), ValueError, "annotator"),
    ("pre_annotate", lambda a: a.pre_annotate(_all_in, overwrite="x"), TypeError, "overwrite"),
    ("pre_annotate", lambda a: a.pre_annotate(_all_in, threshold="x"), TypeError, "threshold"),
    ("pre_annotate", lambda a: a.pre_annotate(_all_in, threshold=0), ValueError, "threshold"),
]


@pytest.mark.parametrize(
    ("call", "error", "argument"),
    [case[1:] for case in ANNOTATOR_CALLS],
    ids=[f"{case[0]}-{case[3]}" for case in ANNOTATOR_CALLS],
)
def test_a_bad_annotator_argument_raises_naming_it_and_changes_nothing(
    tmp_path, folder, monkeypatch, call, error, argument
):
    monkeypatch.chdir(tmp_path)
    annotator = sw.DatasetAnnotator(folder, tmp_path / "masks", ["u", "a"])
    annotator.widget.paint_stroke([(3, 3)], label=1, brush_size=1)
    before = (annotator.index, annotator.filter, annotator.widget.mask.copy())
    with pytest.raises(error, match=f"^{argument}: expected"):
        call(annotator)
    assert (annotator.index, annotator.filter) == before[:2]
    np.testing.assert_array_equal(annotator.widget.mask, before[2])
    assert sorted(p.name for p in tmp_path.iterdir()) == ["images", "masks"]  # nothing written
    assert not any((tmp_path / "masks").glob("i*"))
    annotator.close()


def test_team_compare_names_its_bad_argument(tmp_path, folder):
    annotator = sw.DatasetAnnotator(folder, tmp_path / "masks", ["u", "a"], annotator="al")
    with pytest.raises(TypeError, match=r"^other: expected an annotator's name; got int"):
        annotator.compare(3)
    with pytest.raises(TypeError, match=r"^against: expected an annotator's name or None"):
        annotator.compare("bo", against=3)
    with pytest.raises(ValueError, match=r"^other: expected an annotator with a version"):
        annotator.compare("bo")
    annotator.close()


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"brush_size": 0}, ValueError, "^brush_size: expected a diameter"),
        ({"tool": "nope"}, ValueError, "^tool: expected one of"),
        ({"mask": np.zeros((8, 8), np.uint8)}, TypeError, "^mask: expected widget settings"),
        ({"lease_seconds": "x"}, TypeError, "^lease_seconds: expected a number"),
        ({"lease_seconds": 0.5}, ValueError, r"^lease_seconds: expected a finite number in \[1,"),
    ],
)
def test_bad_annotator_settings_name_themselves_before_any_image_is_read(
    tmp_path, folder, kwargs, error, match
):
    before = len(live_widgets)
    with pytest.raises(error, match=match):
        sw.DatasetAnnotator(folder, tmp_path / "masks", ["u", "a"], annotator="al", **kwargs)
    assert len(live_widgets) == before
    assert not (tmp_path / "masks").exists()  # nothing was read or written
