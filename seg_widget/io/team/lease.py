"""Leases as stored and as seen by one session: who holds an image, until when.

`seg_widget.io.team.claims` takes, renews and releases them; this module holds what they
are and how they read in the status line.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

__all__ = ["ClaimStatus", "ClaimTakenError", "ClockSkewWarning", "Lease", "LeaseLostError"]


class ClaimTakenError(RuntimeError):
    """Another annotator (or another session) holds the image's lease."""

    def __init__(self, status: ClaimStatus) -> None:
        super().__init__(f"image {status.stem!r} is {status.describe()}")
        #: What the store said about the lease.
        self.status = status


class LeaseLostError(RuntimeError):
    """The session's lease was taken over (after it expired) or was never held."""


class ClockSkewWarning(UserWarning):
    """The machine's clock differs from the store's (claims stay correct; names do not)."""


@dataclass(frozen=True)
class Lease:
    """A lease as stored."""

    stem: str
    owner: str
    session: str
    seconds: float
    #: False once released.
    held: bool
    #: When the store last wrote it, by the store's clock.
    written: float
    #: For compare-and-swap.
    etag: str

    @property
    def expires(self) -> float:
        """When it expires, by the store's clock (seconds since the epoch)."""
        return self.written + self.seconds


@dataclass(frozen=True)
class ClaimStatus:
    """What one annotator's session learns about an image's lease."""

    stem: str
    #: The stored lease, or None if the image was never claimed.
    lease: Lease | None
    #: The store's clock when it answered.
    store_time: float
    #: Whether the lease is this session's own.
    mine: bool
    #: Whether it is someone else's and still running (so the image is not yours to edit).
    taken: bool
    #: Whether the asking annotator owns it from another session.
    same_annotator: bool

    @property
    def holder(self) -> str | None:
        """Who holds a running lease (you included), or None if the image is free."""
        return self.lease.owner if self.lease is not None and (self.taken or self.mine) else None

    def describe(self) -> str:
        """Say it in a sentence: ``"taken by bob until 10:42:07 UTC (4 min left)"``."""
        lease = self.lease
        if lease is None or (not self.taken and not self.mine):
            if lease is not None and lease.held:
                return f"free ({lease.owner}'s claim expired at {_clock(lease.expires)})"
            return "free"
        until = f"until {_clock(lease.expires)} ({_duration(lease.expires - self.store_time)})"
        if self.mine:
            return f"claimed by you {until}"
        who = f"you ({lease.owner}) in another session" if self.same_annotator else lease.owner
        return f"taken by {who} {until}"


def _clock(timestamp: float) -> str:
    return time.strftime("%H:%M:%S UTC", time.gmtime(timestamp))


def _duration(seconds: float) -> str:
    seconds = max(0.0, seconds)
    if seconds < 60:
        return f"{seconds:.0f} s left"
    if seconds < 3600:
        return f"{seconds / 60:.0f} min left"
    return f"{seconds / 3600:.1f} h left"
