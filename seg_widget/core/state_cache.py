"""A least-recently-used cache of prepared model states, bounded in bytes.

The byte size of each entry is given by the caller (`seg_widget.core.prompt_model.state_nbytes`
measures it). Thread-safe: the model session's worker puts, the caller's thread reads.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Collection, Hashable
from numbers import Integral
from typing import Any

__all__ = ["StateCache"]

_MISSING = object()


class StateCache:
    """Map image keys to states; evict the least recently used beyond ``max_bytes``.

    The bound: after every `put`, the entries' bytes sum to at most ``max_bytes``, with one
    exception that keeps a model usable whatever the budget: a *required* put (the state
    the user is waiting for) is kept even when it alone is larger than ``max_bytes`` (every
    other entry is then evicted). An *optional* put (a state prepared ahead) never makes the
    cache exceed its budget and never evicts the ``protect``-ed keys: if it cannot fit, it
    is not stored.

    Examples
    --------
    >>> cache = StateCache(max_bytes=100)
    >>> cache.put("a", "state a", nbytes=60)
    True
    >>> cache.put("b", "state b", nbytes=60)  # evicts "a"
    True
    >>> list(cache.keys()), cache.nbytes
    (['b'], 60)
    >>> cache.put("c", "state c", nbytes=60, optional=True, protect={"b"})
    False

    """

    def __init__(self, max_bytes: int) -> None:
        self._max_bytes = _byte_count(max_bytes, "max_bytes")
        self._entries: OrderedDict[Hashable, tuple[Any, int]] = OrderedDict()  # LRU first
        self._nbytes = 0
        self._lock = threading.Lock()

    @property
    def max_bytes(self) -> int:
        """The budget in bytes."""
        return self._max_bytes

    @property
    def nbytes(self) -> int:
        """The bytes of all entries together."""
        return self._nbytes

    def __len__(self) -> int:
        return len(self._entries)

    def __contains__(self, key: object) -> bool:
        return key in self._entries

    def keys(self) -> list[Hashable]:
        """Return the keys, least recently used first."""
        with self._lock:
            return list(self._entries)

    def get(self, key: Hashable, default: Any = None) -> Any:
        """Return the state of ``key`` (now the most recently used), or ``default``."""
        with self._lock:
            entry = self._entries.get(key, _MISSING)
            if entry is _MISSING:
                return default
            self._entries.move_to_end(key)
            return entry[0]  # type: ignore[index]

    def put(
        self,
        key: Hashable,
        state: Any,
        nbytes: int,
        *,
        optional: bool = False,
        protect: Collection[Hashable] = (),
    ) -> bool:
        """Store ``state`` of ``nbytes`` bytes as the most recently used; return True if kept.

        Least recently used entries not in ``protect`` are evicted until the budget holds.
        If it still does not: an ``optional`` entry is dropped (False); a required one stays.
        """
        nbytes = _byte_count(nbytes, "nbytes")
        with self._lock:
            self._remove(key)
            self._entries[key] = (state, int(nbytes))
            self._nbytes += int(nbytes)
            for old in [k for k in self._entries if k != key and k not in protect]:
                if self._nbytes <= self._max_bytes:
                    break
                self._remove(old)
            if self._nbytes > self._max_bytes:
                if optional:
                    self._remove(key)
                    return False
                for old in [k for k in self._entries if k != key]:  # required: alone if need be
                    if self._nbytes <= self._max_bytes:
                        break
                    self._remove(old)
            return True

    def discard(self, key: Hashable) -> None:
        """Forget ``key`` if present."""
        with self._lock:
            self._remove(key)

    def clear(self) -> None:
        """Forget every entry."""
        with self._lock:
            self._entries.clear()
            self._nbytes = 0

    def _remove(self, key: Hashable) -> None:
        entry = self._entries.pop(key, None)
        if entry is not None:
            self._nbytes -= entry[1]


def _byte_count(value: object, argument: str) -> int:
    """Check a byte count: a TypeError for a non-int, a ValueError for a negative one."""
    if isinstance(value, bool) or not isinstance(value, Integral):
        raise TypeError(f"{argument}: expected an int >= 0; got {type(value).__name__} {value!r}")
    if value < 0:
        raise ValueError(f"{argument}: expected an int >= 0; got {value!r}")
    return int(value)
