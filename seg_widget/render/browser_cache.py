"""The kernel's model of the tiles a browser holds: fixed slots, least recently used evicted.

The browser keeps at most ``budget_bytes // slot_bytes`` tiles (per cache), whatever the image
size. The kernel mirrors that here, so it never sends a tile the browser already has and tells
the browser which tile a new one replaces: ``place`` returns the slot to write and the key it
evicts. Slots suit every way of holding tiles (atlas positions, a pool of canvases, a map of
bitmaps), and a fixed slot size keeps the byte budget exact.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Hashable, Iterable, KeysView
from typing import NamedTuple

import numpy as np

__all__ = ["BrowserTileCache", "Placement"]


class Placement(NamedTuple):
    """Where a new tile goes: its slot, and the key whose tile it replaces (or None)."""

    slot: int
    evicted: Hashable | None


def _check_positive(value: object, name: str) -> int:
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{name}: expected an int >= 1, got {type(value).__name__}")
    if value < 1:
        raise ValueError(f"{name}: expected an int >= 1, got {value}")
    return int(value)


class BrowserTileCache:
    """What one browser-side tile cache holds, slot by slot, in least-recently-used order.

    Parameters
    ----------
    budget_bytes : int
        Browser memory for these tiles, >= `slot_bytes`.
    slot_bytes : int
        Bytes of one slot, e.g. ``tile_size**2 * 4`` for RGBA tiles, >= 1.

    Examples
    --------
    >>> cache = BrowserTileCache(budget_bytes=3 * 1024, slot_bytes=1024)
    >>> [cache.place(key) for key in "abc"]
    [Placement(slot=0, evicted=None), Placement(slot=1, evicted=None), Placement(slot=2, evicted=None)]
    >>> cache.touch(["a"])               # "a" was drawn again: "b" is now the oldest
    >>> cache.missing(["a", "d"])
    ['d']
    >>> cache.place("d")
    Placement(slot=1, evicted='b')

    """  # noqa: E501

    def __init__(self, budget_bytes: int, slot_bytes: int) -> None:
        slot_bytes = _check_positive(slot_bytes, "slot_bytes")
        budget_bytes = _check_positive(budget_bytes, "budget_bytes")
        if budget_bytes < slot_bytes:
            raise ValueError(
                f"budget_bytes: expected at least one slot ({slot_bytes} bytes), got {budget_bytes}"
            )
        self._slot_bytes = slot_bytes
        self._capacity = budget_bytes // slot_bytes
        #: key -> slot, least recently used first.
        self._slots: OrderedDict[Hashable, int] = OrderedDict()
        self._free = list(range(self._capacity - 1, -1, -1))  # pop() gives slot 0 first

    def __repr__(self) -> str:
        return f"BrowserTileCache(capacity={self._capacity}, held={len(self)})"

    @property
    def capacity(self) -> int:
        """Number of slots."""
        return self._capacity

    @property
    def slot_bytes(self) -> int:
        """Bytes of one slot."""
        return self._slot_bytes

    @property
    def budget_bytes(self) -> int:
        """Bytes of all slots: ``capacity * slot_bytes``."""
        return self._capacity * self._slot_bytes

    @property
    def held_bytes(self) -> int:
        """Bytes of the slots in use."""
        return len(self._slots) * self._slot_bytes

    def __len__(self) -> int:
        return len(self._slots)

    def __contains__(self, key: object) -> bool:
        return key in self._slots

    def slot_of(self, key: Hashable) -> int | None:
        """Return the slot holding `key`, or None."""
        return self._slots.get(key)

    def held(self) -> list[Hashable]:
        """Return the keys held, least recently used first."""
        return list(self._slots)

    def held_keys(self) -> KeysView[Hashable]:
        """Return a live view of the keys held (no copy): for membership and iteration."""
        return self._slots.keys()

    def missing(self, keys: Iterable[Hashable]) -> list[Hashable]:
        """Return the keys the browser does not hold, in the order given, without repeats."""
        return [key for key in dict.fromkeys(keys) if key not in self._slots]

    def touch(self, keys: Iterable[Hashable]) -> None:
        """Mark the held ones of `keys` as just used (drawn), in the order given."""
        for key in keys:
            if key in self._slots:
                self._slots.move_to_end(key)

    def place(self, key: Hashable, *, keep: Iterable[Hashable] = ()) -> Placement:
        """Give a slot to a tile the browser is about to receive; it becomes the most recent.

        A free slot is used if there is one; otherwise the least recently used tile not in
        `keep` is evicted and its slot reused.

        Parameters
        ----------
        key : hashable
            The tile; must not be held already.
        keep : iterable, optional
            Tiles that must stay (those of the view being drawn).

        Returns
        -------
        Placement
            The slot, and the evicted key (None if the slot was free).

        Raises
        ------
        ValueError
            If `key` is held already, or every slot holds a tile of `keep` (the budget is
            smaller than one view: see `TileGrid.max_view_tiles`).

        """
        if key in self._slots:
            raise ValueError(f"key: expected a tile the browser does not hold, got {key!r}")
        if self._free:
            slot = self._free.pop()
            self._slots[key] = slot
            return Placement(slot, None)
        kept = set(keep)
        victim = next((old for old in self._slots if old not in kept), None)
        if victim is None:
            raise ValueError(
                f"keep: every one of the {self._capacity} slots holds a tile to keep; raise "
                f"budget_bytes above {self.budget_bytes} to hold one view"
            )
        slot = self._slots.pop(victim)
        self._slots[key] = slot
        return Placement(slot, victim)

    def discard(self, key: Hashable) -> int | None:
        """Forget a tile (stale, or dropped by the browser); return its freed slot, or None."""
        slot = self._slots.pop(key, None)
        if slot is not None:
            self._free.append(slot)
        return slot

    def clear(self) -> None:
        """Forget every tile (the page was reloaded: the browser holds nothing)."""
        self._slots.clear()
        self._free = list(range(self._capacity - 1, -1, -1))
