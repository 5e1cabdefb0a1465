"""A two-stage model behind the prompt tool: one prepare per image, answers off the pen path."""

from __future__ import annotations

import asyncio
import threading

import numpy as np
import pytest

import seg_widget as sw
from seg_widget.core.model_session import PREPARING, ModelSession
from seg_widget.core.prompt_model import Prompt
from seg_widget.testing import click, mouse_drag, press_key
from seg_widget.widget.prompt_runner import SLOW_NOTICE, WAITING

from ..core.model_helpers import SHAPE, FakeModel, expected_mask, fake_image

CLASSES = ["unlabelled", "cell", "nucleus"]


def _widget(number: int = 1) -> sw.SegmentationWidget:
    w = sw.SegmentationWidget(fake_image(number), CLASSES)
    w.tool = "prompt"
    return w


def _click_pixel(w, col: int, row: int) -> None:
    """Click the centre of image pixel (col, row) on the canvas."""
    click(w.canvas, *w.image_to_canvas(col + 0.5, row + 0.5))


def _proposed(w) -> np.ndarray:
    """The pending proposal's footprint, full size (all False without one)."""
    full = np.zeros(SHAPE, bool)
    if w.proposal is not None:
        bbox, _, footprint = w.proposal
        full[bbox.slices] = footprint
    return full


def _clicked(*points_xy):
    """What the fake model answers for positive clicks at these (x, y) points."""
    return expected_mask(Prompt.of(points_xy))


async def _until(condition, what: str, timeout: float = 10.0) -> None:
    """Let the event loop run until ``condition()`` holds."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not condition():
        if loop.time() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.005)


@pytest.fixture
def closing():
    """Close the widgets a test made (their model threads stop)."""
    made = []
    yield made.append
    for w in made:
        w.close()


def test_one_prepare_per_image_however_many_clicks(closing):
    model = FakeModel()
    w = _widget(7)
    closing(w)
    w.use_model(model)
    for col, row in [(3, 4), (8, 6), (12, 2), (5, 9)]:
        _click_pixel(w, col, row)
    assert model.prepared == {7: 1}
    assert model.predictions == 4
    # The clicks add up, as with any prompt model: four positive points.
    expected = _clicked((3.5, 4.5), (8.5, 6.5), (12.5, 2.5), (5.5, 9.5))
    assert np.array_equal(_proposed(w), expected)
    press_key(w.canvas, "Enter")
    assert np.array_equal(w.mask == 1, expected)


def test_the_image_is_prepared_in_the_background_before_the_first_click(closing):
    model = FakeModel()
    w = _widget(3)
    closing(w)
    session = w.use_model(model)
    assert session is w.model_session
    assert session.prepare(w.image, key="image").result(10).status == "ready"
    assert model.prepared == {3: 1}
    w.prompt([(4.5, 4.5)])
    assert model.prepared == {3: 1}
    assert np.array_equal(_proposed(w), _clicked((4.5, 4.5)))


def test_a_shared_session_prepares_each_image_once_across_widgets(closing):
    model = FakeModel()
    with ModelSession(model) as session:
        for _ in range(3):  # the same pixels in three widgets: one digest, one state
            w = _widget(5)
            closing(w)
            w.use_model(session)
            w.prompt([(6.5, 6.5)])
            assert np.array_equal(_proposed(w), _clicked((6.5, 6.5)))
        other = _widget(6)
        closing(other)
        other.use_model(session)
        other.prompt([(2.5, 2.5)])
        assert model.prepared == {5: 1, 6: 1}
        assert len(session.cache) == 2


def test_painting_goes_on_while_the_model_prepares_and_the_answer_arrives_on_the_loop(closing):
    gate = threading.Event()
    model = FakeModel(gate=gate)
    w = _widget(2)
    closing(w)
    w.use_model(model)

    async def scenario():
        _click_pixel(w, 4, 4)  # returns at once: the encoder is held at the gate
        assert model.started.wait(10)
        assert PREPARING in w.status
        assert w.proposal is None
        w.tool = "brush"
        w.label = 2
        w.brush_size = 1
        mouse_drag(w.canvas, [w.image_to_canvas(10.5, 8.5), w.image_to_canvas(12.5, 8.5)])
        assert w.mask[8, 10:13].tolist() == [2, 2, 2]  # painted while the model works
        gate.set()
        await _until(lambda: w.proposal is not None, "the proposal")
        assert PREPARING not in w.status

    asyncio.run(scenario())
    assert np.array_equal(_proposed(w), _clicked((4.5, 4.5)))
    assert model.prepared == {2: 1}


def test_a_slow_answer_is_announced_and_cleared_when_it_comes(closing):
    gate = threading.Event()
    model = FakeModel(predict_gate=gate)
    w = _widget(4)
    closing(w)
    w.use_model(model)

    async def scenario():
        await asyncio.get_running_loop().run_in_executor(
            None, lambda: w.model_session.prepare(w.image, key="image").result(10)
        )
        _click_pixel(w, 6, 6)
        assert model.predicting.wait(10)
        assert WAITING not in w.status  # not yet: quick answers flash no message
        await asyncio.sleep(SLOW_NOTICE * 2)
        assert WAITING in w.status
        gate.set()
        await _until(lambda: w.proposal is not None, "the proposal")
        assert WAITING not in w.status

    asyncio.run(scenario())


def test_a_failing_encoder_says_so_changes_nothing_and_the_next_click_retries(closing):
    gate = threading.Event()
    model = FakeModel(gate=gate, failures=1)  # the first encoding fails, once let through
    w = _widget(8)
    closing(w)
    w.use_model(model)
    failure = "model failed to prepare the image: RuntimeError: encoder ran out of memory"

    async def scenario():
        assert model.started.wait(10)  # the failing encoding runs: the click waits for it
        _click_pixel(w, 5, 5)
        gate.set()
        await _until(lambda: failure in w.message, "the failure on the message line")
        assert w.proposal is None and not w.mask.any()
        _click_pixel(w, 9, 9)
        await _until(lambda: w.proposal is not None, "the proposal of the retried encoding")

    asyncio.run(scenario())
    assert model.prepared == {8: 2}
    assert np.array_equal(_proposed(w), _clicked((5.5, 5.5), (9.5, 9.5)))


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"predict_error": RuntimeError("decoder crashed")}, "RuntimeError: decoder crashed"),
        ({"wrong_result": True}, "unusable result"),
    ],
)
def test_a_failing_decoder_says_so_and_painting_still_works(closing, options, message):
    w = _widget(1)
    closing(w)
    w.use_model(FakeModel(**options))
    _click_pixel(w, 5, 5)
    assert "model failed" in w.message and message in w.message
    assert w.proposal is None
    w.tool = "brush"
    _click_pixel(w, 5, 5)
    assert w.mask[5, 5] == 1


def test_rejecting_drops_an_answer_still_on_its_way(closing):
    gate = threading.Event()
    model = FakeModel(predict_gate=gate)
    w = _widget(9)
    closing(w)
    w.use_model(model)

    async def scenario():
        _click_pixel(w, 3, 3)
        assert model.predicting.wait(10)
        press_key(w.canvas, "Escape")
        gate.set()
        await _until(lambda: model.predictions == 1, "the answer")
        await asyncio.sleep(0.05)  # the answer reaches the loop, which drops it

    asyncio.run(scenario())
    assert w.proposal is None and not w.mask.any()


def test_only_the_newest_click_is_shown(closing):
    gate = threading.Event()
    model = FakeModel(gate=gate)
    w = _widget(3)
    closing(w)
    w.use_model(model)

    async def scenario():
        for col in (2, 6, 10):  # three clicks while the encoder runs
            _click_pixel(w, col, 5)
        gate.set()
        await _until(lambda: w.proposal is not None, "the proposal")
        await asyncio.sleep(0.05)

    asyncio.run(scenario())
    assert np.array_equal(_proposed(w), _clicked((2.5, 5.5), (6.5, 5.5), (10.5, 5.5)))
    assert model.predictions == 1  # the older prompts were superseded, never decoded


def test_on_prompt_callbacks_run_off_the_kernel_thread_when_a_loop_runs(closing):
    threads = []
    w = _widget(1)
    closing(w)

    @w.on_prompt
    def model(image, prompt):
        threads.append(threading.current_thread())
        return expected_mask(prompt)

    async def scenario():
        _click_pixel(w, 7, 7)
        await _until(lambda: w.proposal is not None, "the proposal")

    asyncio.run(scenario())
    assert threads and threads[0] is not threading.main_thread()
    assert np.array_equal(_proposed(w), _clicked((7.5, 7.5)))


def test_the_newest_of_a_callback_and_a_model_answers(closing):
    w = _widget(1)
    closing(w)
    model = FakeModel()
    w.use_model(model)
    calls = []
    w.on_prompt(lambda image, prompt: calls.append(1) or np.ones(SHAPE, bool))
    w.prompt([(3.5, 3.5)])
    assert calls == [1] and _proposed(w).all()
    w.use_model(model)  # given again: newest
    w.prompt([(3.5, 3.5)])
    assert np.array_equal(_proposed(w), _clicked((3.5, 3.5)))
    w.use_model(None)
    w.prompt([(3.5, 3.5)])
    assert calls == [1, 1] and w.model_session is None


def test_closing_the_widget_stops_the_sessions_it_owns_but_not_a_shared_one():
    w = _widget(1)
    own = w.use_model(FakeModel())
    with ModelSession(FakeModel()) as shared:
        other = _widget(2)
        other.use_model(shared)
        w.close()
        other.close()
        assert own.close(timeout=10)  # already closed by the widget: its thread ends
        assert own.predict(fake_image(1), Prompt.of([(1, 1)]), key=1).result(1).status == ("closed")
        assert shared.predict(fake_image(2), Prompt.of([(1, 1)]), key=2).result(10).ok


def test_use_model_refuses_what_is_not_a_model(closing):
    w = _widget(1)
    closing(w)
    with pytest.raises(TypeError, match=r"prepare.*predict"):
        w.use_model(42)
    assert w.model_session is None


@pytest.mark.parametrize(
    ("max_bytes", "error"), [("x", TypeError), (2.5, TypeError), (-1, ValueError)]
)
def test_use_model_names_a_bad_budget_with_the_right_error(closing, max_bytes, error):
    w = _widget(1)
    closing(w)
    with pytest.raises(error, match=r"max_bytes: expected an int >= 0; got"):
        w.use_model(lambda image, prompt: None, max_bytes=max_bytes)
    assert w.model_session is None


def test_without_a_model_the_prompt_tool_says_how_to_give_one(closing):
    w = _widget(1)
    closing(w)
    _click_pixel(w, 3, 3)
    assert "w.use_model(model)" in w.message and w.proposal is None


def test_propose_mask_proposes_class_ids_for_acceptance(closing):
    w = _widget(1)
    closing(w)
    prediction = np.zeros(SHAPE, np.uint8)
    prediction[2:5, 3:9] = 1
    prediction[7:10, 1:4] = 2
    w.propose_mask(prediction)
    assert not w.mask.any()
    _, values, footprint = w.proposal
    assert np.array_equal(footprint, prediction != 0)
    assert np.array_equal(values[footprint], prediction[prediction != 0])
    assert w.accept_proposal() == int((prediction != 0).sum())
    assert np.array_equal(w.mask, prediction)


def test_propose_mask_with_where_can_propose_unlabelled(closing):
    w = _widget(1)
    closing(w)
    w.mask = np.ones(SHAPE, np.uint8)
    where = np.zeros(SHAPE, bool)
    where[0, :4] = True
    w.propose_mask(np.zeros(SHAPE, np.uint8), where=where)
    w.accept_proposal()
    assert w.mask[0, :4].tolist() == [0, 0, 0, 0] and w.mask.sum() == w.mask.size - 4


@pytest.mark.parametrize(
    ("mask", "where", "message"),
    [
        (np.zeros((3, 3), np.uint8), None, "mask"),
        (np.full(SHAPE, 3, np.uint8), None, "mask"),
        (np.zeros(SHAPE, np.uint8), np.zeros(SHAPE, np.uint8), "where: expected a bool array"),
    ],
)
def test_propose_mask_refuses_bad_input(closing, mask, where, message):
    w = _widget(1)
    closing(w)
    with pytest.raises(ValueError, match=message):
        w.propose_mask(mask, where=where)
    assert w.proposal is None


def test_answers_reach_the_widget_on_the_event_loop_thread():
    from seg_widget.widget.prompt_runner import PromptRunner

    delivered, errors = [], []
    runner = PromptRunner(fake_image(1), report_progress=lambda _: None, report_error=errors.append)
    runner.use_model(FakeModel())

    async def scenario():
        runner.request(
            Prompt.of([(3, 3)]), lambda _: delivered.append(threading.current_thread()), wait=False
        )
        assert delivered == []  # not delivered inside the call: it comes back through the loop
        await _until(lambda: delivered, "the answer")

    try:
        asyncio.run(scenario())
    finally:
        runner.close()
    assert delivered == [threading.main_thread()] and errors == []
