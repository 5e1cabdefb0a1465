"""A mapping bounded by a byte budget that evicts the least recently used entries."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Hashable, Iterable, Iterator
from typing import Generic, TypeVar

import numpy as np

__all__ = ["ByteLRU"]

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


def _check_bytes(value: object, name: str) -> int:
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{name}: expected an int >= 0, got {type(value).__name__}")
    if value < 0:
        raise ValueError(f"{name}: expected an int >= 0, got {value}")
    return int(value)


class ByteLRU(Generic[K, V]):
    """Values with a size in bytes, at most `budget` bytes in all, least recently used out first.

    `get` and `put` make an entry the most recently used. `put` evicts least recently used
    entries until the new one fits, except those named in ``keep`` (e.g. the tiles on screen);
    if only kept entries remain, the budget is exceeded rather than dropping what is needed.

    Parameters
    ----------
    budget : int
        Byte budget, >= 0.

    Examples
    --------
    >>> cache = ByteLRU(10)
    >>> cache.put("a", "A", 4), cache.put("b", "B", 4)
    ([], [])
    >>> cache.get("a")
    'A'
    >>> cache.put("c", "C", 4)  # "b" is the least recently used
    ['b']
    >>> list(cache), cache.nbytes
    (['a', 'c'], 8)

    """

    def __init__(self, budget: int) -> None:
        self._budget = _check_bytes(budget, "budget")
        self._entries: OrderedDict[K, tuple[V, int]] = OrderedDict()
        self._nbytes = 0

    def __repr__(self) -> str:
        return f"ByteLRU(budget={self._budget}, entries={len(self)}, nbytes={self._nbytes})"

    @property
    def budget(self) -> int:
        """The byte budget."""
        return self._budget

    @property
    def nbytes(self) -> int:
        """Bytes held now (above `budget` only while kept entries need it)."""
        return self._nbytes

    def __len__(self) -> int:
        return len(self._entries)

    def __contains__(self, key: object) -> bool:
        return key in self._entries

    def __iter__(self) -> Iterator[K]:
        """Iterate over keys from least to most recently used."""
        return iter(list(self._entries))

    def get(self, key: K, default: V | None = None) -> V | None:
        """Return the value of `key` (making it the most recently used), or `default`."""
        entry = self._entries.get(key)
        if entry is None:
            return default
        self._entries.move_to_end(key)
        return entry[0]

    def touch(self, keys: Iterable[K]) -> None:
        """Make the held ones of `keys` the most recently used, in the order given."""
        for key in keys:
            if key in self._entries:
                self._entries.move_to_end(key)

    def put(self, key: K, value: V, nbytes: int, *, keep: Iterable[K] = ()) -> list[K]:
        """Store `value` under `key` as the most recently used; return the keys evicted.

        Parameters
        ----------
        key : hashable
            Replaces any value already stored under it.
        value : object
            What to store.
        nbytes : int
            Its size in bytes, >= 0.
        keep : iterable, optional
            Keys never evicted by this call.

        Returns
        -------
        list
            Evicted keys, least recently used first.

        """
        nbytes = _check_bytes(nbytes, "nbytes")
        self.discard(key)
        kept = set(keep)
        evicted = []
        excess = self._nbytes + nbytes - self._budget
        # Oldest first; stop as soon as enough is freed (usually after one or two entries).
        for old, (_, size) in self._entries.items():
            if excess <= 0:
                break
            if old not in kept:
                evicted.append(old)
                excess -= size
        for old in evicted:
            self._nbytes -= self._entries.pop(old)[1]
        self._entries[key] = (value, nbytes)
        self._nbytes += nbytes
        return evicted

    def discard(self, key: K) -> bool:
        """Remove `key` if held; return whether it was."""
        entry = self._entries.pop(key, None)
        if entry is None:
            return False
        self._nbytes -= entry[1]
        return True

    def clear(self) -> None:
        """Remove every entry."""
        self._entries.clear()
        self._nbytes = 0
