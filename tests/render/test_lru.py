import pytest
from hypothesis import given
from hypothesis import strategies as st

from seg_widget.render.lru import ByteLRU


def test_the_least_recently_stored_entry_goes_first():
    cache = ByteLRU(8)
    cache.put("a", 1, 4)
    cache.put("b", 2, 4)
    assert cache.put("c", 3, 4) == ["a"]
    assert list(cache) == ["b", "c"]


def test_get_makes_an_entry_the_most_recent():
    cache = ByteLRU(8)
    cache.put("a", 1, 4)
    cache.put("b", 2, 4)
    assert cache.get("a") == 1
    assert cache.put("c", 3, 4) == ["b"]


def test_touch_makes_entries_the_most_recent_in_the_order_given():
    cache = ByteLRU(12)
    for key in "abc":
        cache.put(key, key, 4)
    cache.touch(["b", "zz", "a"])
    assert list(cache) == ["c", "b", "a"]


def test_a_big_entry_evicts_as_many_as_needed():
    cache = ByteLRU(10)
    for key in "abcde":
        cache.put(key, key, 2)
    assert cache.put("big", 0, 7) == ["a", "b", "c", "d"]
    assert cache.nbytes == 9


def test_kept_entries_are_never_evicted_even_over_budget():
    cache = ByteLRU(8)
    cache.put("a", 1, 4)
    cache.put("b", 2, 4)
    assert cache.put("c", 3, 4, keep={"a", "b"}) == []
    assert cache.nbytes == 12
    assert cache.put("d", 4, 4) == ["a", "b"]


def test_putting_a_key_again_replaces_its_value_and_size():
    cache = ByteLRU(100)
    cache.put("a", 1, 10)
    cache.put("a", 2, 30)
    assert cache.get("a") == 2
    assert cache.nbytes == 30
    assert len(cache) == 1


def test_discard_and_clear_free_the_bytes():
    cache = ByteLRU(100)
    cache.put("a", 1, 10)
    cache.put("b", 1, 20)
    assert cache.discard("a") is True
    assert cache.discard("a") is False
    assert cache.nbytes == 20
    cache.clear()
    assert cache.nbytes == 0 and len(cache) == 0 and "b" not in cache


def test_get_of_a_missing_key_returns_the_default():
    assert ByteLRU(1).get("x", "default") == "default"


@given(st.lists(st.tuples(st.integers(0, 20), st.integers(0, 30)), max_size=60))
def test_the_budget_holds_after_any_sequence_of_puts(puts):
    cache = ByteLRU(50)
    for key, size in puts:
        cache.put(key, key, size)
        assert cache.nbytes <= 50 or len(cache) == 1
        assert key in cache


@pytest.mark.parametrize("budget", [-1, 1.5, True])
def test_budget_must_be_a_non_negative_int(budget):
    with pytest.raises((TypeError, ValueError), match="budget"):
        ByteLRU(budget)
