"""When to autosave while editing: a throttle, plus a debounced save on an event loop.

- **Throttle:** after an edit, if ``interval`` seconds have passed since the last save,
  save at once. Works everywhere, but saves nothing once the edits stop.
- **Debounce:** when an asyncio event loop is running (a Jupyter kernel runs one), a save
  is scheduled for `IDLE_SAVE_SECONDS` after the last edit, so a pause in editing saves the
  work. Without a loop (plain Python, tests) only the throttle applies.

The timer is told about edits (`Autosave.edited`, cheap: one clock read, no per-event
timer churn) and saves (`Autosave.saved`); it calls ``save()`` and reports failures
through ``on_error`` instead of raising into the event loop or the widget.

- **Back-off:** after a failed autosave (a full or read-only disk, a conflict) the next
  attempt waits `FIRST_RETRY_SECONDS`, doubled after each further failure up to
  `MAX_RETRY_SECONDS`, however many edits arrive meanwhile; the first successful save
  (`Autosave.saved`) ends the back-off.
"""

from __future__ import annotations

import asyncio
import math
import time
from collections.abc import Callable

#: Seconds without an edit after which the debounced save runs (needs an event loop).
IDLE_SAVE_SECONDS = 2.0
#: Wait after a first failed autosave; doubled after each further failure.
FIRST_RETRY_SECONDS = 1.0
#: Longest wait between two autosave attempts after failures.
MAX_RETRY_SECONDS = 60.0

_now = time.monotonic  # the autosave clock; tests replace it


class Autosave:
    """Decide when to call ``save()`` while edits arrive.

    Parameters
    ----------
    save : callable
        Saves the work (cheap when nothing changed).
    interval : float or None
        Least seconds between two throttled saves; ``None`` or ``math.inf`` disables
        autosaving (then only the owner's explicit saves happen).
    on_error : callable
        Receives the exception of a failed autosave.

    Examples
    --------
    >>> saves = []
    >>> autosave = Autosave(lambda: saves.append(1), 0.0, on_error=print)
    >>> autosave.edited()  # 0 s interval: saves at once
    >>> saves
    [1]

    """

    def __init__(
        self,
        save: Callable[[], object],
        interval: float | None,
        *,
        on_error: Callable[[Exception], object],
    ) -> None:
        self.interval = checked_interval(interval)
        self._save = save
        self._on_error = on_error
        self._last_save = self._last_edit = _now()
        self._handle: asyncio.TimerHandle | None = None
        self._failures = 0
        self._retry_at = -math.inf

    @property
    def scheduled(self) -> bool:
        """Whether a debounced save is waiting on the event loop."""
        return self._handle is not None

    @property
    def failures(self) -> int:
        """Autosaves that failed since the last successful save."""
        return self._failures

    @property
    def retry_in(self) -> float:
        """Seconds until the next autosave attempt is allowed (0 when not backing off)."""
        return max(0.0, self._retry_at - _now())

    def edited(self) -> None:
        """Note an edit: save now if the interval has passed, else schedule the idle save."""
        now = _now()
        self._last_edit = now
        if now < self._retry_at:  # backing off after a failure: one attempt at retry time
            if math.isfinite(self.interval):
                self._schedule(self._retry_at - now)
        elif now - self._last_save >= self.interval:
            self._run()
        elif math.isfinite(self.interval):
            self._schedule(self._idle_delay())

    def saved(self) -> None:
        """Note that the work was just saved (or a new document opened): restart the clock."""
        self._last_save = self._last_edit = _now()
        self._failures = 0
        self._retry_at = -math.inf
        self.cancel()

    def cancel(self) -> None:
        """Drop a scheduled debounced save."""
        if self._handle is not None:
            self._handle.cancel()
            self._handle = None

    def _idle_delay(self) -> float:
        return min(IDLE_SAVE_SECONDS, self.interval)

    def _schedule(self, delay: float) -> None:
        if self._handle is not None:
            return  # already scheduled; _on_idle reschedules if edits continued
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return  # no event loop: the throttle alone applies
        self._handle = loop.call_later(delay, self._on_idle)

    def _on_idle(self) -> None:
        self._handle = None
        now = _now()
        remaining = max(self._last_edit + self._idle_delay(), self._retry_at) - now
        if remaining > 0:  # edited since this was scheduled: wait for the rest of the pause
            self._schedule(remaining)
        else:
            self._run()

    def _run(self) -> None:
        try:
            self._save()
        except Exception as error:
            self._failures += 1
            wait = min(FIRST_RETRY_SECONDS * 2 ** (self._failures - 1), MAX_RETRY_SECONDS)
            self._retry_at = _now() + wait
            self._on_error(error)


def checked_interval(seconds: object) -> float:
    """Return an autosave interval in seconds: a number >= 0; ``None`` means never."""
    if seconds is None:
        return math.inf
    if isinstance(seconds, bool) or not isinstance(seconds, (int, float)):
        raise TypeError(
            f"autosave_seconds: expected a number of seconds or None; got {type(seconds).__name__}"
        )
    if math.isnan(seconds) or seconds < 0:
        raise ValueError(f"autosave_seconds: expected a number >= 0; got {seconds}")
    return float(seconds)


__all__ = [
    "FIRST_RETRY_SECONDS",
    "IDLE_SAVE_SECONDS",
    "MAX_RETRY_SECONDS",
    "Autosave",
    "checked_interval",
]
