"""`Scope`: a reusable context manager made of two calls, cheap enough for every pen message.

``contextlib.contextmanager`` builds a generator on every ``with``; the router opens a view
frame and a status action per message, so those are kept as `Scope` objects instead.
"""

from __future__ import annotations

from collections.abc import Callable


class Scope:
    """Call ``enter()`` on entering a ``with`` block and ``leave()`` on leaving it (always).

    The object holds no state of its own, so one instance serves any number of nested or
    successive blocks; the callables keep whatever depth they need.

    Examples
    --------
    >>> calls = []
    >>> scope = Scope(lambda: calls.append("in"), lambda: calls.append("out"))
    >>> with scope:
    ...     with scope:
    ...         calls.append("body")
    >>> calls
    ['in', 'in', 'body', 'out', 'out']

    """

    __slots__ = ("_enter", "_leave")

    def __init__(self, enter: Callable[[], object], leave: Callable[[], object]) -> None:
        self._enter = enter
        self._leave = leave

    def __enter__(self) -> None:
        self._enter()

    def __exit__(self, *_exc: object) -> None:
        self._leave()


__all__ = ["Scope"]
