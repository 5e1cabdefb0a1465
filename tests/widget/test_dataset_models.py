"""A folder with models: prepared ahead as the user moves, pre-annotation, predicted vs human."""

from __future__ import annotations

import asyncio
import os
import threading

import ipywidgets
import numpy as np
import pytest
from PIL import Image

import seg_widget as sw
from seg_widget.core.model_session import PREPARING, ModelSession
from seg_widget.io import read_yolo_dataset
from seg_widget.testing import click, find_control, press_key
from seg_widget.widget.dataset_controls import NavigationBar

from ..core.model_helpers import (
    SHAPE,
    STATE_BYTES,
    FakeModel,
    expected_mask,
    fake_image,
    wait_until,
)

CLASSES = ["unlabelled", "cell", "debris"]

pytestmark = pytest.mark.filterwarnings(
    "ignore:__array__ implementation doesn't accept a copy keyword:DeprecationWarning"
)


def _folder(tmp_path, count: int):
    images = tmp_path / "images"
    images.mkdir()
    for number in range(count):
        Image.fromarray(fake_image(number)).save(images / f"img{number:02d}.png")
    return images


def segment(image: np.ndarray) -> np.ndarray:
    """A deterministic 'model': a cell and a speck of debris placed by the image's number."""
    number = int(image[0, 0])
    mask = np.zeros(SHAPE, np.uint8)
    mask[2:6, number % 10 : number % 10 + 4] = 1
    mask[9, 1 + number % 12] = 2
    return mask


class Counting:
    """``segment`` that counts its calls and raises ``error`` on call number ``fail_at``."""

    def __init__(self, fail_at=None, error=KeyboardInterrupt):
        self.calls = 0
        self.fail_at = fail_at
        self.error = error

    def __call__(self, image):
        self.calls += 1
        if self.calls == self.fail_at:
            raise self.error("stop")
        return segment(image)


@pytest.fixture
def opened():
    """Make annotators and close them after the test (their model threads stop)."""
    made = []

    def make(images, masks, **options):
        annotator = sw.DatasetAnnotator(images, masks, CLASSES, autosave_seconds=None, **options)
        made.append(annotator)
        return annotator

    yield make
    for annotator in made:
        annotator.close()


def _proposed_values(widget) -> np.ndarray:
    """The pending proposal as class ids, full size (0 outside it)."""
    full = np.zeros(widget.mask.shape, widget.mask.dtype)
    bbox, values, footprint = widget.proposal
    full[bbox.slices][footprint] = values[footprint]
    return full


# -- the prompt model across images ---------------------------------------------------------


def test_each_image_is_prepared_once_and_the_next_ones_ahead_as_the_user_moves(tmp_path, opened):
    model = FakeModel()
    annotator = opened(_folder(tmp_path, 6), tmp_path / "masks", prompt_model=model)
    session = annotator.model_session
    assert annotator.widget.model_session is session
    wait_until(lambda: session.is_prepared(_key(annotator, 2)), "images 1 and 2 prepared ahead", 30)
    assert model.prepared == {0: 1, 1: 1, 2: 1}
    for number in range(1, 4):
        annotator.next()
        annotator.widget.tool = "prompt"
        annotator.widget.prompt([(4.5, 4.5)])
        annotator.widget.prompt([(4.5, 4.5), (8.5, 6.5)])
        assert annotator.widget.proposal is not None
        later = min(number + 2, 5)
        wait_until(lambda later=later: session.is_prepared(_key(annotator, later)), "ahead", 30)
    assert model.prepared == {n: 1 for n in range(6)}  # however many prompts
    assert model.predictions == 6


def test_moving_back_prepares_the_images_before(tmp_path, opened):
    model = FakeModel()
    images = _folder(tmp_path, 6)
    annotator = opened(images, tmp_path / "masks", prompt_model=model)
    annotator.go_to(5)
    wait_until(lambda: annotator.model_session.activity == "" and 5 in model.prepared, "idle", 30)
    annotator.previous()  # at 4: 3 and 2 are next in this direction
    session = annotator.model_session
    wait_until(lambda: session.is_prepared(_key(annotator, 2)), "images 3 and 2 prepared ahead", 30)
    assert {3, 2} <= set(model.prepared)


def test_the_cache_stays_within_its_byte_budget_while_moving(tmp_path, opened):
    model = FakeModel()
    annotator = opened(_folder(tmp_path, 8), tmp_path / "masks")
    session = ModelSession(model, max_bytes=3 * STATE_BYTES, ahead_idle=0)
    annotator.use_model(session, ahead=2)
    for _ in range(7):
        annotator.next()
        index = annotator.index
        wanted = [_key(annotator, n) for n in range(index, min(index + 3, 8))]
        wait_until(lambda wanted=wanted: all(map(session.is_prepared, wanted)), "ahead", 30)
        assert session.cache.nbytes <= 3 * STATE_BYTES
        assert set(wanted) <= set(session.cache.keys())  # older images made room for these
    assert model.prepared == {n: 1 for n in range(8)}
    session.close()


def test_the_annotator_stops_its_model_thread_on_close(tmp_path):
    annotator = sw.DatasetAnnotator(
        _folder(tmp_path, 2), tmp_path / "masks", CLASSES, prompt_model=FakeModel()
    )
    session = annotator.model_session
    annotator.close()
    assert session.close(timeout=10)


def test_a_shared_session_given_to_the_annotator_stays_open(tmp_path, opened):
    with ModelSession(FakeModel()) as session:
        annotator = opened(_folder(tmp_path, 2), tmp_path / "masks")
        assert annotator.use_model(session) is session
        annotator.close()
        assert session.predict(fake_image(1), sw_prompt(), key=1).result(10).ok


def sw_prompt():
    from seg_widget.core.prompt_model import Prompt

    return Prompt.of([(3.5, 3.5)])


def _key(annotator, position):
    from seg_widget.core.image_keys import file_key

    return file_key(annotator.images[position])


# -- pre-annotation -------------------------------------------------------------------------


def test_pre_annotate_predicts_every_image_without_labels_with_a_progress_bar(tmp_path, opened):
    images = _folder(tmp_path, 50)
    annotator = opened(images, tmp_path / "masks")
    bar = find_control(find_control(annotator, NavigationBar), ipywidgets.IntProgress)
    shown = []
    bar.layout.observe(lambda change: shown.append(change.new), "display")
    model = Counting()
    plan = annotator.pre_annotate(model)
    assert model.calls == 50 and len(plan.predicted) == 50 and not plan.failed
    assert (bar.value, bar.max) == (50, 50) and shown == [None, "none"]
    assert annotator.predicted_count == 50 and annotator.labelled_count == 0
    for number in (0, 17, 49):
        stored = sw.load_mask(tmp_path / "masks" / "predicted" / f"img{number:02d}.png")
        assert np.array_equal(stored, segment(fake_image(number)))
    assert not (tmp_path / "masks" / "img00.png").exists()  # no human mask was written
    assert "50 predicted" in find_control(annotator, NavigationBar).labelled.value


def test_an_interrupted_pre_annotation_keeps_its_work_and_resumes(tmp_path, opened):
    images = _folder(tmp_path, 50)
    annotator = opened(images, tmp_path / "masks")
    with pytest.raises(KeyboardInterrupt):
        annotator.pre_annotate(Counting(fail_at=20))
    assert annotator.predicted_count == 19
    bar = find_control(annotator, NavigationBar)
    assert "interrupted: pre-annotated 19 of 50 images" in bar.status.value
    assert "31 left" in bar.status.value
    assert bar.progress.layout.display == "none"

    resumed = Counting()
    plan = annotator.pre_annotate(resumed)
    assert resumed.calls == 31 and plan.skipped == 19  # only what was left
    assert annotator.predicted_count == 50


def test_pre_annotate_never_predicts_over_human_labels_even_with_overwrite(tmp_path, opened):
    annotator = opened(_folder(tmp_path, 4), tmp_path / "masks")
    annotator.widget.paint_stroke([(5, 5)], label=2, brush_size=3)
    annotator.save()
    first = Counting()
    annotator.pre_annotate(first)
    assert first.calls == 3
    again = Counting()
    assert annotator.pre_annotate(again).predicted == [] and again.calls == 0
    overwrite = Counting()
    plan = annotator.pre_annotate(overwrite, overwrite=True)
    assert overwrite.calls == 3 and "img00.png" not in plan.predicted
    assert not (tmp_path / "masks" / "predicted" / "img00.png").exists()
    assert sw.load_mask(tmp_path / "masks" / "img00.png")[5, 5] == 2


def test_a_failing_image_is_named_and_the_run_goes_on(tmp_path, opened):
    annotator = opened(_folder(tmp_path, 5), tmp_path / "masks")
    with pytest.warns(UserWarning, match=r"pre-annotation failed on 1 image\(s\): img02.png"):
        plan = annotator.pre_annotate(Counting(fail_at=3, error=RuntimeError))
    assert plan.failed == {"img02.png": "RuntimeError: stop"}
    assert annotator.predicted_count == 4


def test_pre_annotate_with_a_prompt_model_and_a_prompt_per_image(tmp_path, opened):
    from seg_widget.core.prompt_model import Prompt

    model = FakeModel()
    annotator = opened(_folder(tmp_path, 3), tmp_path / "masks")
    annotator.pre_annotate(model, prompt=lambda image: Prompt.of([(5.5, 4.5)]), label=2)
    expected = np.zeros(SHAPE, np.uint8)
    expected[3:6, 4:7] = 2  # the fake model's 3 x 3 square around the point
    for number in range(3):
        stored = sw.load_mask(tmp_path / "masks" / "predicted" / f"img{number:02d}.png")
        assert np.array_equal(stored, expected)
    assert model.prepared == {0: 1, 1: 1, 2: 1}


def test_a_prompt_model_without_a_prompt_is_refused_before_anything_runs(tmp_path, opened):
    model = FakeModel()
    annotator = opened(_folder(tmp_path, 2), tmp_path / "masks")
    with pytest.raises(ValueError, match="prompt: a prompt model needs a prompt"):
        annotator.pre_annotate(model)
    assert not model.prepared and annotator.predicted_count == 0


# -- predicted vs human ---------------------------------------------------------------------


def test_a_predicted_image_opens_with_its_prediction_as_a_proposal(tmp_path, opened):
    annotator = opened(_folder(tmp_path, 3), tmp_path / "masks")
    annotator.pre_annotate(segment)
    widget = annotator.widget  # the current image was predicted too: shown at once
    assert np.array_equal(_proposed_values(widget), segment(fake_image(0)))
    assert not widget.mask.any()
    bar = find_control(annotator, NavigationBar)
    assert "Enter accepts" in bar.status.value and "◇ predicted" in bar.name.value
    annotator.next()
    assert np.array_equal(_proposed_values(annotator.widget), segment(fake_image(1)))
    press_key(annotator.widget.canvas, "Escape")  # rejected: nothing saved, still predicted
    annotator.next()
    assert annotator.labelled_count == 0 and annotator.predicted_count == 3


def test_accepted_predictions_become_human_labels_and_both_states_survive_a_restart(
    tmp_path, opened
):
    images, masks = _folder(tmp_path, 4), tmp_path / "masks"
    annotator = opened(images, masks)
    annotator.pre_annotate(segment)
    press_key(annotator.widget.canvas, "Enter")  # accept image 0's prediction
    annotator.widget.paint_stroke([(10, 10)], label=1, brush_size=1)  # and fix it
    annotator.next()
    assert (annotator.labelled_count, annotator.predicted_count) == (1, 3)
    header = find_control(annotator, NavigationBar).labelled.value
    assert "1 of 4 labelled</b> · 3 predicted" in header
    annotator.close()

    again = opened(images, masks)
    assert (again.labelled_count, again.predicted_count) == (1, 3)
    assert again.index == 1 and again.widget.proposal is not None
    again.go_to(0)
    assert again.widget.proposal is None  # a human checked it: no proposal
    expected = segment(fake_image(0))
    expected[10, 10] = 1
    assert np.array_equal(again.widget.mask, expected)


def test_prediction_disagreement_proposes_the_prediction_where_the_mask_differs(tmp_path, opened):
    annotator = opened(_folder(tmp_path, 2), tmp_path / "masks")
    annotator.pre_annotate(segment)
    widget = annotator.widget
    widget.accept_proposal()
    predicted = widget.mask.copy()
    widget.paint_stroke([(3, 1)], label=2, brush_size=1)  # a cell pixel made debris
    widget.paint_stroke([(9, 1)], erase=True, brush_size=1)  # the debris speck removed
    differs = predicted != widget.mask
    assert annotator.show_prediction_disagreement() == int(differs.sum()) == 2
    bbox, _, footprint = widget.proposal
    full = np.zeros(SHAPE, bool)
    full[bbox.slices] = footprint
    assert np.array_equal(full, differs)
    widget.accept_proposal()  # take the model's labels where they differed
    assert np.array_equal(widget.mask, predicted)


def test_prediction_disagreement_without_a_prediction_says_how_to_make_one(tmp_path, opened):
    annotator = opened(_folder(tmp_path, 2), tmp_path / "masks")
    with pytest.raises(ValueError, match=r"img00.png has none \(annotator.pre_annotate"):
        annotator.show_prediction_disagreement()


def test_prediction_agreement_compares_predictions_with_the_human_masks(tmp_path, opened):
    annotator = opened(_folder(tmp_path, 3), tmp_path / "masks")
    annotator.pre_annotate(segment)
    annotator.widget.accept_proposal()  # image 0: the human takes the prediction as is
    annotator.next()
    annotator.widget.accept_proposal()
    cell = annotator.widget.mask == 1
    annotator.widget.mask = np.where(cell, 0, annotator.widget.mask)  # image 1: no cell
    report = annotator.prediction_agreement()
    assert [row.image for row in report.rows] == ["img00.png", "img01.png"]
    assert [(row.annotator_a, row.annotator_b) for row in report.rows] == [("model", "human")] * 2
    assert report.rows[0].iou[1:] == (1.0, 1.0) and report.rows[0].kappa == 1.0
    assert report.rows[1].iou[1] == 0.0 and report.rows[1].iou[2] == 1.0


# -- YOLO ------------------------------------------------------------------------------------


def test_export_yolo_writes_the_human_masks_exactly_and_never_predictions(tmp_path, opened):
    annotator = opened(_folder(tmp_path, 4), tmp_path / "masks")
    annotator.pre_annotate(segment)
    human = {}
    for position in (0, 2):
        annotator.go_to(position)
        annotator.widget.accept_proposal()
        annotator.widget.paint_stroke([(8, 12), (8, 14)], label=2, brush_size=1)
        human[f"img{position:02d}.png"] = annotator.widget.mask.copy()
    assert not (tmp_path / "masks" / "img02.png").exists()  # accepted in the open image only
    stems = annotator.export_yolo(tmp_path / "yolo")  # saves it first
    assert sorted(stems) == ["img00", "img02"]  # predicted-only images 1 and 3 are left out
    dataset = read_yolo_dataset(tmp_path / "yolo")
    assert [c.name for c in dataset.classes] == CLASSES
    for name, mask in human.items():
        read_mask, _, _ = dataset.annotation(name)
        assert np.array_equal(read_mask, mask)  # polygons re-rasterise exactly here
    assert sorted(os.listdir(tmp_path / "yolo" / "labels")) == ["img00.txt", "img02.txt"]


def test_a_user_faster_than_the_model_sees_preparing_and_paints_meanwhile(tmp_path, opened):
    gate = threading.Event()
    model = FakeModel(gate=gate)  # every encoding held until the gate opens
    annotator = opened(_folder(tmp_path, 4), tmp_path / "masks", prompt_model=model)
    assert model.started.wait(10)  # image 0 is being encoded
    annotator.next()  # faster than the model: image 1 not prepared yet
    widget = annotator.widget

    async def scenario():
        widget.tool = "prompt"
        click(widget.canvas, *widget.image_to_canvas(4.5, 4.5))  # returns at once
        assert PREPARING in widget.status and widget.proposal is None
        widget.paint_stroke([(8, 10), (8, 12)], label=2, brush_size=1)
        assert widget.mask[8, 10:13].tolist() == [2, 2, 2]  # painted while the model works
        gate.set()
        deadline = asyncio.get_running_loop().time() + 30
        while widget.proposal is None:
            assert asyncio.get_running_loop().time() < deadline, "the proposal never came"
            await asyncio.sleep(0.01)
        assert PREPARING not in widget.status

    asyncio.run(scenario())
    assert np.array_equal(_proposed_values(widget) == 1, expected_mask(sw_prompt_at(4.5, 4.5)))
    assert model.prepared[1] == 1


def sw_prompt_at(x: float, y: float):
    from seg_widget.core.prompt_model import Prompt

    return Prompt.of([(x, y)])
