"""Pace repaints of a stroke in progress to the display's frame rate.

A browser shows at most one frame per ~16 ms; when pen events reach the kernel faster than
that (a backlog after a busy cell, a remote kernel's batches, a fast hand), repainting and
sending the overlay for each of them is work nobody sees. The pacer lets a repaint go when
the last one is a frame old, and otherwise schedules one on the kernel's event loop for
when the frame is due, so the screen still catches up without another event.

Without a running event loop (plain Python, tests driving the handlers) every repaint goes
at once: there is nothing to schedule the late one on.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

#: Seconds between two repaints of a stroke in progress (one display frame at 60 Hz).
FRAME_SECONDS = 1 / 60


class FramePacer:
    """Decide whether a repaint may go now; schedule a late one when it may not.

    Parameters
    ----------
    flush : callable
        Called (on the event loop) when a held repaint is due.
    interval : float
        Seconds between repaints.
    clock : callable
        Monotonic seconds (replaceable in tests).

    """

    def __init__(
        self,
        flush: Callable[[], None],
        interval: float = FRAME_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._flush = flush
        self._interval = interval
        self._clock = clock
        self._last = -float("inf")
        self._timer: asyncio.TimerHandle | None = None

    def due(self) -> bool:
        """Say whether a repaint may go now; if not, schedule one for when it is due."""
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return True
        waited = self._clock() - self._last
        if waited >= self._interval:
            return True
        if self._timer is None:
            self._timer = loop.call_later(self._interval - waited, self._fire)
        return False

    @property
    def holding(self) -> bool:
        """A late repaint is scheduled."""
        return self._timer is not None

    def painted(self) -> None:
        """Note a repaint just went: the next may go a frame from now."""
        self._last = self._clock()
        self.cancel()

    def cancel(self) -> None:
        """Drop the scheduled repaint, if any."""
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None

    def _fire(self) -> None:
        self._timer = None
        self._flush()
