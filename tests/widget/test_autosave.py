import asyncio
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
