import asyncio
import itertools
import math

import pytest

from seg_widget.widget import autosave as autosave_module
from seg_widget.widget.autosave import Autosave


@pytest.fixture
def clock(monkeypatch):
    now = [100.0]
    monkeypatch.setattr(autosave_module, "_now", lambda: now[0])
    return now


def test_throttle_saves_once_the_interval_has_passed_since_the_last_save(clock):
    saves = []
    autosave = Autosave(lambda: saves.append(clock[0]) or autosave.saved(), 10.0, on_error=print)
    autosave.edited()
    clock[0] += 9.9
    autosave.edited()
    assert saves == []
    clock[0] += 0.1
    autosave.edited()
    assert saves == [110.0]
    clock[0] += 5
    autosave.edited()
    assert saves == [110.0]


def test_none_never_autosaves(clock):
    saves = []
    autosave = Autosave(lambda: saves.append(1), None, on_error=print)
    assert autosave.interval == math.inf
    clock[0] += 1e9
    autosave.edited()
    assert saves == [] and not autosave.scheduled


def test_a_failing_save_goes_to_on_error():
    errors = []

    def broken():
        raise OSError("disk full")

    Autosave(broken, 0.0, on_error=errors.append).edited()
    assert [str(e) for e in errors] == ["disk full"]


def test_debounced_save_waits_for_a_pause_in_editing(monkeypatch):
    monkeypatch.setattr(autosave_module, "IDLE_SAVE_SECONDS", 0.2)
    saves = []
    autosave = Autosave(lambda: saves.append(1), 30.0, on_error=print)

    async def keep_editing_then_pause():
        for _ in range(20):  # an edit every 20 ms for 0.4 s: never a pause of 0.2 s
            autosave.edited()
            await asyncio.sleep(0.02)
        assert saves == [] and autosave.scheduled
        await asyncio.sleep(0.5)

    asyncio.run(keep_editing_then_pause())
    assert saves == [1] and not autosave.scheduled


def test_after_a_failure_edits_do_not_retry_until_the_back_off_has_passed(clock):
    attempts = []

    def full_disk():
        attempts.append(clock[0])
        raise OSError("No space left on device")

    autosave = Autosave(full_disk, 0.0, on_error=lambda error: None)
    for _ in range(100):  # a burst of pen events
        autosave.edited()
        clock[0] += 0.001
    assert attempts == [100.0] and autosave.failures == 1
    for _ in range(9):
        clock[0] += autosave.retry_in - 0.001
        autosave.edited()  # just before the retry time: still waiting
        clock[0] += 0.001
        autosave.edited()
    gaps = [round(b - a, 1) for a, b in itertools.pairwise(attempts)]
    assert gaps == [1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 60.0, 60.0, 60.0]
    assert autosave.failures == 10


def test_a_successful_save_ends_the_back_off(clock):
    outcomes = [OSError("read-only file system"), None]

    def save():
        outcome = outcomes.pop(0)
        if outcome is not None:
            raise outcome
        autosave.saved()

    autosave = Autosave(save, 0.0, on_error=lambda error: None)
    autosave.edited()
    assert autosave.failures == 1 and autosave.retry_in == 1.0
    clock[0] += 1.0
    autosave.edited()
    assert autosave.failures == 0 and autosave.retry_in == 0.0 and outcomes == []


def test_backing_off_on_an_event_loop_schedules_one_attempt(monkeypatch):
    monkeypatch.setattr(autosave_module, "FIRST_RETRY_SECONDS", 0.1)
    attempts = []

    def save():
        attempts.append(1)
        if len(attempts) == 1:
            raise OSError("disk full")
        autosave.saved()

    autosave = Autosave(save, 0.0, on_error=lambda error: None)

    async def edit_then_stop():
        autosave.edited()  # fails at once
        for _ in range(5):
            autosave.edited()  # within the back-off: only schedules the retry
        assert len(attempts) == 1 and autosave.scheduled
        await asyncio.sleep(2.5)  # the idle save (0.1 s back-off, 2 s pause) retries once

    monkeypatch.setattr(autosave_module, "IDLE_SAVE_SECONDS", 0.2)
    asyncio.run(edit_then_stop())
    assert len(attempts) == 2 and autosave.failures == 0
