"""The state cache: least recently used out first, never above its byte budget."""

from __future__ import annotations

import pytest

from seg_widget.core.state_cache import StateCache


def test_reading_an_entry_makes_it_the_most_recent():
    cache = StateCache(max_bytes=30)
    for key in "abc":
        cache.put(key, key.upper(), nbytes=10)
    assert cache.get("a") == "A"
    cache.put("d", "D", nbytes=10)
    assert cache.keys() == ["c", "a", "d"]
    assert cache.nbytes == 30
    assert cache.get("b", "gone") == "gone"


def test_replacing_an_entry_counts_its_new_size_only():
    cache = StateCache(max_bytes=100)
    cache.put("a", 1, nbytes=60)
    cache.put("a", 2, nbytes=30)
    assert cache.nbytes == 30 and cache.get("a") == 2


def test_an_optional_entry_that_does_not_fit_is_not_stored_and_evicts_nothing_protected():
    cache = StateCache(max_bytes=100)
    cache.put("open", 1, nbytes=50)
    cache.put("old", 2, nbytes=40)
    assert cache.put("next", 3, nbytes=50, optional=True, protect={"open"})
    assert cache.keys() == ["open", "next"]
    assert not cache.put("later", 4, nbytes=60, optional=True, protect={"open", "next"})
    assert cache.keys() == ["open", "next"] and cache.nbytes == 100


def test_a_required_entry_larger_than_the_budget_stays_alone():
    cache = StateCache(max_bytes=100)
    cache.put("a", 1, nbytes=40)
    assert cache.put("huge", 2, nbytes=500, protect={"a"})
    assert cache.keys() == ["huge"]
    cache.put("b", 3, nbytes=10)
    assert cache.keys() == ["b"]


def test_discard_and_clear_forget_entries():
    cache = StateCache(max_bytes=100)
    cache.put("a", 1, nbytes=10)
    cache.put("b", 2, nbytes=20)
    cache.discard("a")
    assert "a" not in cache and len(cache) == 1 and cache.nbytes == 20
    cache.clear()
    assert len(cache) == 0 and cache.nbytes == 0


@pytest.mark.parametrize(
    ("value", "error"), [(-1, ValueError), (1.5, TypeError), (True, TypeError), ("10", TypeError)]
)
def test_a_bad_budget_or_size_is_an_error_naming_it(value, error):
    with pytest.raises(error, match="max_bytes: expected an int >= 0"):
        StateCache(value)
    with pytest.raises(error, match="nbytes: expected an int >= 0"):
        StateCache(10).put("a", 1, nbytes=value)
