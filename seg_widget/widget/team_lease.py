"""Keeping the claim of the open image alive while its annotator works on it.

A claim lasts `Claims.seconds` (5 minutes by default) unless renewed. `LeaseKeeper` renews it
a third of the way through:

- **on edits:** an edit after `Claims.renew_due` renews at once (one conditional write; one
  clock read per edit otherwise);
- **on a timer** when an asyncio event loop runs (a Jupyter kernel runs one): every third of
  the lease, but only if the user edited within the last lease length, so an annotator who
  walked away lets the image go after at most one more lease.

A renewal that finds the claim taken over (`LeaseLostError`: it expired and someone else
claimed it) is reported once through ``on_lost``; the edits stay in the widget. A renewal the
store could not answer (network) is reported through ``on_error`` and retried later.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable

from ..io.storage import StoreError
from ..io.team import Claims, Lease, LeaseLostError

logger = logging.getLogger("seg_widget")

_now = time.monotonic  # the keeper's clock; tests replace it


class LeaseKeeper:
    """Renew one image's claim while its annotator edits (see the module docstring)."""

    def __init__(
        self,
        claims: Claims,
        *,
        on_lost: Callable[[str], None],
        on_error: Callable[[str], None],
        on_renewed: Callable[[Lease], None] = lambda lease: None,
    ) -> None:
        self._claims = claims
        self._on_renewed = on_renewed
        self._on_lost = on_lost
        self._on_error = on_error
        self._stem: str | None = None
        self._last_edit = _now()
        self._handle: asyncio.TimerHandle | None = None
        #: Whether the open image's claim was taken over.
        self.lost = False

    @property
    def stem(self) -> str | None:
        """The image whose claim is kept (None: none)."""
        return self._stem

    def start(self, stem: str) -> None:
        """Keep the claim of ``stem`` (just claimed) from now on."""
        self.stop()
        self._stem, self.lost, self._last_edit = stem, False, _now()
        self._schedule()

    def stop(self) -> None:
        """Stop keeping any claim."""
        self._stem = None
        if self._handle is not None:
            self._handle.cancel()
            self._handle = None

    def edited(self) -> None:
        """Note an edit; renew now if a third of the lease has passed."""
        self._last_edit = _now()
        if self._stem is not None and not self.lost and self._claims.renew_due(self._stem):
            self.renew()

    def renew(self) -> bool:
        """Renew the claim now; return whether it is still held."""
        if self._stem is None or self.lost:
            return False
        try:
            lease = self._claims.renew(self._stem)
        except LeaseLostError as error:
            self.lost = True
            self._on_lost(str(error))
            return False
        except StoreError as error:  # the network: try again at the next edit or tick
            logger.debug("seg-widget: renewing a claim failed", exc_info=True)
            self._on_error(f"could not renew the claim of {self._stem!r}: {error}")
            return True
        self._on_renewed(lease)
        return True

    def _schedule(self) -> None:
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return  # no event loop: edits alone renew
        self._handle = loop.call_later(self._claims.seconds / 3, self._tick)

    def _tick(self) -> None:
        self._handle = None
        if self._stem is None or self.lost:
            return
        try:
            if _now() - self._last_edit < self._claims.seconds and self._claims.renew_due(
                self._stem
            ):
                self.renew()
        except Exception:  # never into the event loop
            logger.exception("seg-widget: keeping a claim failed")
        self._schedule()
