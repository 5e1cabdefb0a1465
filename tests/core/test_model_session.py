"""The model session: one prepare per image, prepared ahead, bounded cache, errors reported."""

from __future__ import annotations

import threading

import numpy as np
import pytest

from seg_widget.core.model_session import PREPARING, ModelSession
from seg_widget.core.prompt_model import Prompt

from .model_helpers import (
    SHAPE,
    STATE_BYTES,
    FakeModel,
    expected_mask,
    fake_image,
    wait_until,
)


@pytest.fixture
def sessions():
    """Make sessions and close them all (their worker threads stop) after the test."""
    made = []

    def make(model, **options):
        session = ModelSession(model, **options)
        made.append(session)
        return session

    yield make
    for session in made:
        assert session.close(timeout=10), "the worker thread did not stop"


def _click(x, y, label=1):
    return Prompt.of([(x, y)], [label])


def test_one_prepare_per_image_however_many_prompts(sessions):
    model = FakeModel()
    session = sessions(model)
    for number in (1, 2):
        for step in range(10):
            prompt = _click(2 + step, 3 + step % 5)
            prediction = session.predict(fake_image(number), prompt, key=number).result(10)
            assert prediction.status == "done"
            assert np.array_equal(prediction.mask(), expected_mask(prompt))
    assert model.prepared == {1: 1, 2: 1}
    assert model.predictions == 20


def test_images_queued_ahead_are_prepared_before_the_user_opens_them(sessions):
    model = FakeModel()
    statuses = []
    session = sessions(model, on_status=statuses.append)
    session.predict(fake_image(1), _click(4, 4), key=1).result(10)
    session.prepare_ahead([fake_image(2), fake_image(3)], keys=[2, 3])
    wait_until(lambda: session.is_prepared(3), "image 3 to be prepared ahead")
    assert model.prepared == {1: 1, 2: 1, 3: 1}

    statuses.clear()
    for number in (2, 3):
        prediction = session.predict(fake_image(number), _click(5, 5), key=number).result(10)
        assert prediction.ok
    assert PREPARING not in statuses  # the user never waited for the encoder
    assert model.prepared == {1: 1, 2: 1, 3: 1}


def test_images_given_as_functions_are_loaded_in_the_worker_thread(sessions):
    loaded_in = []

    def load():
        loaded_in.append(threading.current_thread().name)
        return fake_image(7)

    session = sessions(FakeModel())
    assert session.predict(load, _click(3, 3), key="seven").result(10).ok
    assert loaded_in == ["seg-widget-model"]


def test_cache_holds_at_most_its_byte_budget_and_drops_the_least_recent(sessions):
    model = FakeModel()
    session = sessions(model, max_bytes=3 * STATE_BYTES)
    for number in range(1, 7):
        session.predict(fake_image(number), _click(2, 2), key=number).result(10)
        assert session.cache.nbytes <= 3 * STATE_BYTES
    assert session.cache.keys() == [4, 5, 6]
    session.predict(fake_image(1), _click(2, 2), key=1).result(10)  # evicted: prepared again
    session.predict(fake_image(6), _click(2, 2), key=6).result(10)  # still cached
    assert model.prepared[1] == 2 and model.prepared[6] == 1


def test_preparing_ahead_never_evicts_the_open_image_and_stops_when_full(sessions):
    model = FakeModel()
    session = sessions(model, max_bytes=2 * STATE_BYTES)
    session.predict(fake_image(1), _click(2, 2), key=1).result(10)
    session.prepare_ahead([fake_image(n) for n in (2, 3, 4)], keys=[2, 3, 4])
    wait_until(lambda: session.activity == "" and model.prepared[3] == 1, "ahead work to end")
    assert sorted(session.cache.keys()) == [1, 2]
    assert model.prepared[4] == 0  # the queue was dropped once a state did not fit
    session.predict(fake_image(1), _click(2, 2), key=1).result(10)
    assert model.prepared[1] == 1


def test_a_state_larger_than_the_budget_is_kept_alone_while_in_use(sessions):
    model = FakeModel()
    session = sessions(model, max_bytes=STATE_BYTES // 2)
    for _ in range(3):
        assert session.predict(fake_image(1), _click(2, 2), key=1).result(10).ok
    assert model.prepared[1] == 1
    assert session.cache.keys() == [1]


def test_a_slow_model_never_blocks_the_caller_and_says_it_is_preparing(sessions):
    gate = threading.Event()
    model = FakeModel(gate=gate)
    statuses = []
    session = sessions(model, on_status=statuses.append)
    future = session.predict(fake_image(1), _click(3, 3), key=1)  # returns at once
    assert model.started.wait(10)
    assert not future.done()
    assert statuses == [PREPARING]
    assert session.activity.startswith("preparing 1 for ")
    gate.set()
    assert future.result(10).ok
    wait_until(lambda: statuses == [PREPARING, ""], "the status line to clear")


def test_a_slow_decoder_never_blocks_the_caller_either(sessions):
    gate = threading.Event()
    model = FakeModel(predict_gate=gate)
    session = sessions(model)
    session.prepare(fake_image(1), key=1).result(10)
    future = session.predict(fake_image(1), _click(3, 3), key=1)
    assert model.predicting.wait(10)
    assert not future.done() and session.activity.startswith("predicting 1 for ")
    gate.set()
    assert future.result(10).ok


def test_cancelled_ahead_work_is_not_done(sessions):
    gate = threading.Event()
    model = FakeModel(gate=gate)
    session = sessions(model)
    session.prepare_ahead([fake_image(n) for n in (1, 2, 3)], keys=[1, 2, 3])
    assert model.started.wait(10)  # image 1 is being prepared: it finishes
    session.cancel_ahead()
    gate.set()
    wait_until(lambda: session.is_prepared(1), "image 1 to finish")
    wait_until(lambda: session.activity == "", "the worker to go idle")
    assert model.prepared == {1: 1}


def test_closing_from_a_result_callback_neither_deadlocks_nor_raises(sessions):
    session = sessions(FakeModel())
    closed = []
    future = session.predict(fake_image(1), _click(3, 3), key=1)
    future.add_done_callback(lambda done: closed.append(session.close(timeout=None)))
    assert future.result(10).ok
    wait_until(lambda: closed, "the callback to run")


def test_a_failing_model_reports_the_error_and_the_next_request_retries(sessions):
    model = FakeModel(failures=1)
    statuses = []
    session = sessions(model, on_status=statuses.append)
    failed = session.predict(fake_image(1), _click(3, 3), key=1).result(10)
    assert failed.status == "failed"
    expected = "model failed to prepare the image: RuntimeError: encoder ran out of memory"
    assert failed.message == expected
    wait_until(lambda: expected in statuses, "the failure to be reported")
    assert not session.is_prepared(1)

    retried = session.predict(fake_image(1), _click(3, 3), key=1).result(10)
    assert retried.ok
    assert model.prepared[1] == 2


def test_a_model_failing_on_a_prompt_reports_it(sessions):
    statuses = []
    session = sessions(FakeModel(predict_error=KeyError("decoder")), on_status=statuses.append)
    prediction = session.predict(fake_image(1), _click(3, 3), key=1).result(10)
    assert prediction.status == "failed"
    assert prediction.message == "model failed to predict: KeyError: 'decoder'"
    wait_until(lambda: prediction.message in statuses, "the failure to be reported")


def test_a_wrong_result_is_reported_with_what_was_expected(sessions):
    session = sessions(FakeModel(wrong_result=True))
    prediction = session.predict(fake_image(1), _click(3, 3), key=1).result(10)
    assert prediction.status == "failed"
    assert prediction.message.startswith("model failed: it returned an unusable result: result:")
    assert f"shape {SHAPE}" in prediction.message


def test_a_newer_prompt_supersedes_one_still_waiting(sessions):
    gate = threading.Event()
    model = FakeModel(gate=gate)
    session = sessions(model)
    first = session.predict(fake_image(1), _click(3, 3), key=1)
    second = session.predict(fake_image(1), _click(9, 9), key=1)
    assert first.result(10).status == "superseded"
    gate.set()
    assert np.array_equal(second.result(10).mask(), expected_mask(_click(9, 9)))
    assert model.predictions == 1


def test_prepare_before_the_first_prompt_makes_the_prompt_wait_for_nothing(sessions):
    model = FakeModel()
    statuses = []
    session = sessions(model, on_status=statuses.append)
    assert session.prepare(fake_image(5), key=5).result(10).status == "ready"
    assert session.predict(fake_image(5), _click(2, 2), key=5).result(10).ok
    assert statuses == [] and model.prepared[5] == 1


def test_a_status_callback_that_raises_changes_nothing(sessions):
    def broken(message):
        raise RuntimeError("status line gone")

    session = sessions(FakeModel(), on_status=broken)
    assert session.predict(fake_image(1), _click(3, 3), key=1).result(10).ok


def test_plain_functions_keep_working_as_models(sessions):
    calls = []

    def callback(image, prompt):
        calls.append(prompt.points_xy.tolist())
        return image > 0

    session = sessions(callback)
    image = np.zeros(SHAPE, np.uint8)
    image[2:5, 3:7] = 9
    prediction = session.predict(image, _click(4, 3)).result(10)
    assert np.array_equal(prediction.mask(), image > 0)
    assert calls == [[[4.0, 3.0]]]


def test_closing_resolves_waiting_prompts_as_closed(sessions):
    gate = threading.Event()
    model = FakeModel(gate=gate)
    session = sessions(model)
    session.predict(fake_image(1), _click(3, 3), key=1)
    assert model.started.wait(10)
    waiting = session.predict(fake_image(2), _click(3, 3), key=2)
    session.close(timeout=0)
    assert waiting.result(10).status == "closed"
    gate.set()
    assert session.close(timeout=10)
    assert session.predict(fake_image(1), _click(3, 3), key=1).result(10).status == "closed"


def test_file_images_are_keyed_by_path_and_modification(sessions, tmp_path):
    from PIL import Image

    path = tmp_path / "a.png"
    Image.fromarray(fake_image(3)).save(path)
    model = FakeModel()
    session = sessions(model)
    for _ in range(2):
        assert session.predict(path, _click(2, 2)).result(10).ok
    image = fake_image(3)
    image[5:, 5:] = 1  # a new file content, size and time: a new key
    Image.fromarray(image).save(path)
    assert session.predict(path, _click(2, 2)).result(10).ok
    assert model.prepared[3] == 2


def test_bad_arguments_raise_at_once_naming_them(sessions):
    session = sessions(FakeModel())
    with pytest.raises(ValueError, match="key: expected a key for an image given as a function"):
        session.predict(lambda: fake_image(1), _click(1, 1))
    with pytest.raises(TypeError, match="image: expected an array, a file path or a function"):
        session.predict(42, _click(1, 1), key=1)
    with pytest.raises(TypeError, match="prompt: expected a Prompt"):
        session.predict(fake_image(1), "click", key=1)
    with pytest.raises(ValueError, match=r"keys: expected one key per image \(2\); got 1"):
        session.prepare_ahead([fake_image(1), fake_image(2)], keys=[1])
    with pytest.raises(TypeError, match="on_status: expected a callable"):
        ModelSession(FakeModel(), on_status="status")
    with pytest.raises(ValueError, match=r"threshold: expected a number in \(0, 1\]"):
        ModelSession(FakeModel(), threshold=0)


def test_work_ahead_waits_until_the_user_pauses(sessions):
    import time

    model = FakeModel()
    session = sessions(model, ahead_idle=2.0)
    session.predict(fake_image(1), _click(3, 3), key=1).result(10)
    start = time.monotonic()
    session.prepare_ahead([fake_image(2)], keys=[2])
    time.sleep(0.5)
    assert session.predict(fake_image(1), _click(4, 4), key=1).result(10).ok  # a click
    clicked = time.monotonic()
    assert clicked - start < 2.0 and 2 not in model.prepared  # not while the user clicks
    wait_until(lambda: session.is_prepared(2), "image 2 to be prepared ahead")
    assert time.monotonic() - clicked >= 1.9  # two seconds after the last click
    assert model.prepared == {1: 1, 2: 1}


def test_ahead_idle_must_be_a_finite_number_of_seconds():
    with pytest.raises(ValueError, match="ahead_idle: expected a finite number >= 0; got -1"):
        ModelSession(FakeModel(), ahead_idle=-1)
    with pytest.raises(TypeError, match="ahead_idle: expected a number; got str"):
        ModelSession(FakeModel(), ahead_idle="1")
