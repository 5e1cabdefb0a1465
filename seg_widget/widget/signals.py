"""A minimal publish/subscribe hook: how the editor and the view tell others what happened."""

from __future__ import annotations

from collections.abc import Callable
from typing import Generic, TypeVar

Event = TypeVar("Event")


class Signal(Generic[Event]):
    """Callbacks called in connection order with one event each time it is emitted.

    Examples
    --------
    >>> heard = []
    >>> signal = Signal()
    >>> _ = signal.connect(heard.append)
    >>> signal.emit("edited")
    >>> heard
    ['edited']

    """

    def __init__(self) -> None:
        # A tuple, replaced on (dis)connection: an emit (one per pen event) iterates the
        # callbacks of its start without copying them.
        self._callbacks: tuple[Callable[[Event], object], ...] = ()

    def connect(self, callback: Callable[[Event], object]) -> Callable[[Event], object]:
        """Call ``callback(event)`` on every emit; return it (usable as a decorator)."""
        self._callbacks = (*self._callbacks, callback)
        return callback

    def disconnect(self, callback: Callable[[Event], object]) -> None:
        """Stop calling ``callback`` (no error if it was not connected)."""
        if callback in self._callbacks:
            callbacks = list(self._callbacks)
            callbacks.remove(callback)
            self._callbacks = tuple(callbacks)

    def emit(self, event: Event) -> None:
        """Call every connected callback with ``event``."""
        for callback in self._callbacks:
            callback(event)


__all__ = ["Signal"]
