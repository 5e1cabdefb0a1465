import pytest
from hypothesis import given
from hypothesis import strategies as st

from seg_widget.render.browser_cache import BrowserTileCache, Placement
from seg_widget.render.tiles import TileKey

TILE = 256 * 256 * 4


def test_capacity_comes_from_the_byte_budget_alone():
    cache = BrowserTileCache(budget_bytes=64 * 2**20, slot_bytes=TILE)
    assert cache.capacity == 256
    assert cache.budget_bytes == 64 * 2**20


def test_free_slots_are_used_first_in_order():
    cache = BrowserTileCache(3 * TILE, TILE)
    assert [cache.place(TileKey(0, 0, c)) for c in range(3)] == [
        Placement(0, None),
        Placement(1, None),
        Placement(2, None),
    ]


def test_a_full_cache_evicts_the_least_recently_drawn_tile_and_reuses_its_slot():
    cache = BrowserTileCache(3 * TILE, TILE)
    a, b, c, d = (TileKey(0, 0, col) for col in range(4))
    for key in (a, b, c):
        cache.place(key)
    cache.touch([a, c])  # drawn again: b is now the oldest
    assert cache.place(d) == Placement(1, b)
    assert b not in cache and cache.slot_of(d) == 1
    assert cache.held() == [a, c, d]


def test_tiles_of_the_view_being_drawn_are_not_evicted():
    cache = BrowserTileCache(3 * TILE, TILE)
    keys = [TileKey(1, 0, col) for col in range(4)]
    for key in keys[:3]:
        cache.place(key)
    assert cache.place(keys[3], keep=keys[:1]) == Placement(1, keys[1])


def test_a_view_bigger_than_the_budget_is_refused_with_a_clear_message():
    cache = BrowserTileCache(2 * TILE, TILE)
    keys = [TileKey(0, 0, col) for col in range(3)]
    cache.place(keys[0])
    cache.place(keys[1])
    with pytest.raises(ValueError, match="raise budget_bytes"):
        cache.place(keys[2], keep=keys)


def test_missing_keeps_the_order_and_drops_repeats_and_held_tiles():
    cache = BrowserTileCache(4 * TILE, TILE)
    cache.place("held")
    assert cache.missing(["x", "held", "y", "x"]) == ["x", "y"]


def test_placing_a_held_tile_again_is_refused():
    cache = BrowserTileCache(4 * TILE, TILE)
    cache.place("a")
    with pytest.raises(ValueError, match="does not hold"):
        cache.place("a")


def test_a_discarded_tile_frees_its_slot_for_the_next():
    cache = BrowserTileCache(2 * TILE, TILE)
    cache.place("a")
    cache.place("b")
    assert cache.discard("a") == 0
    assert cache.discard("a") is None
    assert cache.place("c") == Placement(0, None)


def test_clear_forgets_everything_after_a_page_reload():
    cache = BrowserTileCache(2 * TILE, TILE)
    cache.place("a")
    cache.clear()
    assert len(cache) == 0 and cache.held_bytes == 0
    assert cache.place("b") == Placement(0, None)


@given(st.lists(st.integers(0, 40), max_size=200))
def test_held_tiles_never_exceed_the_budget_and_slots_are_never_shared(keys):
    cache = BrowserTileCache(10 * TILE, TILE)
    for key in keys:
        if key in cache:
            cache.touch([key])
        else:
            cache.place(key)
        assert cache.held_bytes <= cache.budget_bytes
        slots = [cache.slot_of(k) for k in cache.held()]
        assert len(set(slots)) == len(slots) and all(0 <= s < 10 for s in slots)


def test_budget_must_hold_at_least_one_slot():
    with pytest.raises(ValueError, match="budget_bytes"):
        BrowserTileCache(TILE - 1, TILE)
