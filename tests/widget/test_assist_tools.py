"""Assisted tools through the real event handlers: proposals, accept, reject, undo, hooks."""

import numpy as np
import pytest

import seg_widget as sw
from seg_widget.core.assist import superpixel_labels
from seg_widget.render.display import to_display
from seg_widget.testing import click, mouse_drag, press_key


@pytest.fixture
def scene():
    """A 100x100 RGB image: a flat red square (rows/cols 20..59) on a noisy grey background."""
    rng = np.random.default_rng(0)
    image = rng.integers(90, 140, (100, 100, 3)).astype(np.uint8)
    image[20:60, 20:60] = (200, 30, 30)
    w = sw.SegmentationWidget(image, classes=["unlabelled", "cat", "dog"], width=400, height=400)
    assert w.zoom == 4.0
    return w


def square():
    expected = np.zeros((100, 100), bool)
    expected[20:60, 20:60] = True
    return expected


def test_wand_click_proposes_the_flat_square_without_touching_the_mask(scene):
    scene.tool = "wand"
    scene.wand_tolerance = 0.05
    click(scene.canvas, 40 * 4 + 2, 40 * 4 + 2)
    bbox, values, footprint = scene.proposal
    full = np.zeros((100, 100), bool)
    full[bbox.slices] = footprint
    np.testing.assert_array_equal(full, square())
    assert (values[footprint] == 1).all()
    assert not scene.mask.any()


def test_enter_accepts_the_proposal_as_one_undo_step(scene):
    scene.tool = "wand"
    click(scene.canvas, 162, 162)
    press_key(scene.canvas, "Enter")
    np.testing.assert_array_equal(scene.mask == 1, square())
    assert scene.proposal is None
    scene.undo()
    assert not scene.mask.any()


def test_escape_rejects_the_proposal(scene):
    scene.tool = "wand"
    click(scene.canvas, 162, 162)
    press_key(scene.canvas, "Escape")
    assert scene.proposal is None and not scene.mask.any()
    press_key(scene.canvas, "Enter")
    assert not scene.mask.any()


def test_accepting_in_preserve_mode_keeps_neighbours(scene):
    scene.mask[20:60, 20:30] = 2  # a neighbour inside the square
    scene.refresh()
    scene.paint_mode = "preserve"
    scene.propose_wand((40, 40), tolerance=0.05)
    scene.accept_proposal()
    assert (scene.mask[20:60, 20:30] == 2).all()
    assert (scene.mask[20:60, 30:60] == 1).all()


def test_superpixel_brush_proposes_whole_superpixels(scene):
    scene.tool = "superpixel"
    scene.superpixel_segments = 50
    scene.brush_size = 3
    mouse_drag(scene.canvas, [(160, 160), (170, 165)])
    bbox, _, footprint = scene.proposal
    # The same over-segmentation the widget computed (SLIC is deterministic).
    labels = superpixel_labels(
        to_display(scene.image, scene.contrast_limits),
        n_segments=50,
        compactness=scene.superpixel_compactness,
    )
    touched = np.unique(labels[bbox.slices][footprint])
    full = np.zeros((100, 100), bool)
    full[bbox.slices] = footprint
    np.testing.assert_array_equal(full, np.isin(labels, touched))
    assert full[40, 40] and full[41, 42]
    assert not scene.mask.any()


def test_scribbles_of_two_classes_propose_a_whole_image_labelling(scene):
    scene.tool = "scribble"
    scene.brush_size = 3
    scene.label = 1
    mouse_drag(scene.canvas, [(120, 120), (200, 200)])  # inside the square
    scene.label = 2
    mouse_drag(scene.canvas, [(20, 20), (380, 20)])  # background, top rows
    assert not scene.mask.any()
    press_key(scene.canvas, "Enter")  # propose
    bbox, values, footprint = scene.proposal
    assert footprint.all() and bbox.area == 100 * 100
    inside = values[square()]
    assert (inside == 1).mean() > 0.95 and (values[~square()] == 2).mean() > 0.95
    press_key(scene.canvas, "Enter")  # accept
    assert (scene.mask[square()] == 1).mean() > 0.95


def test_scribbling_needs_two_classes(scene):
    scene.scribble([(50, 50), (50, 60)], label=1)
    with pytest.raises(ValueError, match="two classes"):
        scene.propose_from_scribbles()


def test_prompt_hook_gets_image_and_prompts_and_its_mask_becomes_a_proposal(scene):
    calls = []

    @scene.on_prompt
    def model(image, prompt):
        calls.append((image.shape, prompt.points_xy.tolist(), prompt.point_labels.tolist()))
        result = np.zeros(image.shape[:2], float)
        x, y = prompt.points_xy[-1]
        result[int(y) - 5 : int(y) + 5, int(x) - 5 : int(x) + 5] = 0.9
        return result

    scene.tool = "prompt"
    click(scene.canvas, 162, 162)
    assert calls == [((100, 100, 3), [[40.5, 40.5]], [1])]
    press_key(scene.canvas, "n")
    click(scene.canvas, 82, 82)
    assert calls[-1][2] == [1, 0]
    bbox, _, footprint = scene.proposal
    assert footprint.sum() == 100 and (bbox.row0, bbox.col0) == (15, 15)
    press_key(scene.canvas, "Enter")
    assert scene.mask.sum() == 100


def test_prompt_drag_sends_a_box(scene):
    boxes = []
    scene.on_prompt(lambda image, prompt: boxes.append(prompt.box_xyxy) or np.ones((100, 100)))
    scene.tool = "prompt"
    mouse_drag(scene.canvas, [(40, 40), (100, 80), (160, 120)])
    assert boxes[-1].tolist() == [10.0, 10.0, 40.0, 30.0]


@pytest.mark.parametrize(
    ("result", "message"),
    [
        (np.zeros((5, 5)), "result"),
        (np.full((100, 100), np.nan), "result"),
        ("not an array", "result"),
    ],
)
def test_bad_hook_results_show_a_message_and_change_nothing(scene, result, message):
    scene.on_prompt(lambda image, prompt: result)
    scene.prompt([(50, 50)])
    assert scene.proposal is None and not scene.mask.any()
    assert "prompt callback failed" in scene.message and message in scene.message


def test_a_raising_hook_never_breaks_the_widget(scene):
    def broken(image, prompt):
        raise RuntimeError("model crashed")

    scene.on_prompt(broken)
    scene.tool = "prompt"
    click(scene.canvas, 162, 162)
    assert "model crashed" in scene.message
    scene.tool = "brush"
    click(scene.canvas, 162, 162)
    assert scene.mask.any()


def test_classifier_method_without_scikit_learn_says_what_to_install(scene, monkeypatch):
    import seg_widget.widget.arguments as module

    monkeypatch.setattr(module, "classifier_available", lambda: False)
    with pytest.raises(ValueError, match="pip install scikit-learn"):
        scene.scribble_method = "classifier"
