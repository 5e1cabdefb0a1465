"""Claims: which annotator works on which image, as leases in the store.

A lease (``leases/<stem>.json``) names its owner (annotator and session) and how long it
lasts. The protocol needs only the store's conditional writes:

- **claim**: no lease yet → exclusive create; a released or expired lease (or your own) →
  compare-and-swap against the lease just read. Of two annotators racing for an image,
  exactly one write succeeds; the other re-reads and is told who won (`ClaimTakenError`).
- **renew** and **release**: compare-and-swap against your own last write, so a lease that
  was taken over after expiring is never silently taken back (`LeaseLostError`).
- **expiry** is judged by the *store's* clock: a lease expires ``seconds`` after the store
  stamped it (its LastModified), compared with the store's time in the same answer (the
  ``Date`` header on S3, a freshly stamped file on a folder). Annotators' clocks never
  enter; ``tolerance`` (default 2 s) covers the store's one-second time resolution. The
  holder counts its own time with a monotonic clock from before its write, so it always
  believes its lease ends earlier than anyone else will.
- A crashed kernel stops renewing; its lease expires and can be taken over.

A lease record that cannot be read raises `CorruptRecordError`; `Claims.repair` sets it aside
and frees the image.
"""

from __future__ import annotations

import secrets
import time
import warnings
from dataclasses import dataclass

from seg_widget.io.storage.base import (
    Blob,
    ObjectChangedError,
    ObjectExistsError,
    ObjectMissingError,
    Store,
)
from seg_widget.io.team.layout import check_annotator, check_stem, lease_key
from seg_widget.io.team.lease import (
    ClaimStatus,
    ClaimTakenError,
    ClockSkewWarning,
    Lease,
    LeaseLostError,
)
from seg_widget.io.team.records import decode_record, encode_record, set_aside

__all__ = [
    "CLOCK_TOLERANCE",
    "DEFAULT_LEASE_SECONDS",
    "LONGEST_LEASE_SECONDS",
    "ClaimStatus",
    "ClaimTakenError",
    "Claims",
    "ClockSkewWarning",
    "Lease",
    "LeaseLostError",
]

#: How long a claim lasts without renewal.
DEFAULT_LEASE_SECONDS = 300.0
#: Seconds added before another annotator may take over an expired lease.
CLOCK_TOLERANCE = 2.0
#: This machine's clock and the store's may differ by this much before a warning.
SKEW_WARNING_SECONDS = 30.0
#: The longest lease a claim may ask for (a week).
LONGEST_LEASE_SECONDS = 7 * 24 * 3600.0
_LONGEST_LEASE = LONGEST_LEASE_SECONDS
_ATTEMPTS = 4
_REMEDY = "Claims.repair(stem) sets it aside under corrupt/ and frees the image."


@dataclass
class _Held:
    lease: Lease
    #: `time.monotonic` just before the write that made ``lease``.
    started: float


class Claims:
    """Claim, renew and release images for one annotator's session (see the module docstring).

    Parameters
    ----------
    store : Store
        The team's store; it must offer conditional writes (else
        `~seg_widget.io.storage.ConditionalWritesError`).
    annotator : str
        Who claims (see `~seg_widget.io.team.layout.check_annotator`).
    seconds : float
        How long a lease lasts without renewal; renew after a third of it
        (`renew_due`).
    tolerance : float
        Seconds past expiry before another annotator may take a lease over.
    session : str, optional
        Identifies this kernel; a random one by default. Two kernels of one annotator are
        two sessions and exclude each other like two annotators.

    Examples
    --------
    >>> import tempfile
    >>> from seg_widget.io.storage import open_store
    >>> store = open_store(tempfile.mkdtemp())
    >>> alice, bob = Claims(store, "alice"), Claims(store, "bob")
    >>> alice.claim("cat").owner
    'alice'
    >>> bob.status("cat").describe()  # doctest: +ELLIPSIS
    'taken by alice until ... UTC (5 min left)'

    """

    def __init__(
        self,
        store: Store,
        annotator: str,
        *,
        seconds: float = DEFAULT_LEASE_SECONDS,
        tolerance: float = CLOCK_TOLERANCE,
        session: str | None = None,
    ) -> None:
        if not isinstance(store, Store):
            raise TypeError(
                f"store: expected a Store (open_store(url)); got {type(store).__name__}"
            )
        self.annotator = check_annotator(annotator)
        if not isinstance(seconds, (int, float)) or not 1 <= seconds <= _LONGEST_LEASE:
            raise ValueError(f"seconds: expected 1 to {_LONGEST_LEASE:.0f}; got {seconds!r}")
        if not isinstance(tolerance, (int, float)) or not 0 <= tolerance < seconds:
            raise ValueError(f"tolerance: expected 0 <= tolerance < seconds; got {tolerance!r}")
        store.require_conditional_writes()
        self.store = store
        self.seconds = float(seconds)
        self.tolerance = float(tolerance)
        self.session = session if session is not None else secrets.token_hex(8)
        check_annotator(self.session, argument="session")
        self._held: dict[str, _Held] = {}
        self._skew_warned = False

    # -- asking ------------------------------------------------------------------------------

    def status(self, stem: str) -> ClaimStatus:
        """Ask the store about image ``stem``'s lease now.

        Raises
        ------
        CorruptRecordError
            If the lease record cannot be read (see `repair`).

        """
        blob = self._read(stem)
        if blob is None:
            return ClaimStatus(check_stem(stem), None, self.store.now(), False, False, False)
        return self._status_of(stem, blob)

    def held(self) -> tuple[str, ...]:
        """Return the images this session holds leases on (as far as it knows)."""
        return tuple(self._held)

    def renew_due(self, stem: str) -> bool:
        """Whether a third of the lease has passed since this session last wrote it."""
        held = self._held.get(stem)
        return held is None or time.monotonic() - held.started >= self.seconds / 3

    def time_left(self, stem: str) -> float:
        """Seconds this session may still rely on its lease of ``stem`` (0 if none)."""
        held = self._held.get(stem)
        if held is None:
            return 0.0
        return max(0.0, held.started + self.seconds - self.tolerance - time.monotonic())

    # -- changing ----------------------------------------------------------------------------

    def claim(self, stem: str, *, steal: bool = False) -> Lease:
        """Take the lease of image ``stem`` (or renew it if it is already this session's).

        Parameters
        ----------
        stem : str
            The image (its file name without extension).
        steal : bool
            Take over a running lease too (an administrator's move: its holder learns it
            at their next renewal, and a save of theirs is kept as a conflicting version).

        Raises
        ------
        ClaimTakenError
            If someone else's lease is running (or someone else won the race for it); the
            message says who and until when.
        CorruptRecordError
            If the lease record cannot be read (see `repair`).

        """
        key = lease_key(stem)
        for _ in range(_ATTEMPTS):
            started = time.monotonic()
            blob = self._read(stem)
            try:
                if blob is None:
                    written = self.store.create(key, self._record(held=True))
                else:
                    status = self._status_of(stem, blob)
                    if status.taken and not steal:
                        raise ClaimTakenError(status)
                    written = self.store.replace(key, self._record(held=True), etag=blob.etag)
            except (ObjectExistsError, ObjectChangedError):
                continue  # someone wrote first: look again
            self._check_skew(written.modified)
            lease = Lease(
                stem,
                self.annotator,
                self.session,
                self.seconds,
                True,
                written.modified,
                written.etag,
            )
            self._held[stem] = _Held(lease, started)
            return lease
        raise ClaimTakenError(self.status(stem))

    def renew(self, stem: str) -> Lease:
        """Extend this session's lease of ``stem`` by `seconds` from now.

        Raises
        ------
        LeaseLostError
            If this session holds no lease of ``stem``, or it expired and was taken over.

        """
        held = self._held.get(stem)
        if held is None:
            raise LeaseLostError(
                f"image {stem!r}: this session holds no claim on it; claim it first"
            )
        started = time.monotonic()
        try:
            written = self.store.replace(
                lease_key(stem), self._record(held=True), etag=held.lease.etag
            )
        except ObjectChangedError:
            blob = self._read(stem)
            status = None if blob is None else self._status_of(stem, blob)
            if status is not None and status.mine:  # a retried request found its own write
                self._held[stem] = _Held(status.lease, started)
                return status.lease
            del self._held[stem]
            now = status.describe() if status is not None else "free"
            raise LeaseLostError(
                f"image {stem!r}: the claim was lost (it was taken over); it is now {now}"
            ) from None
        lease = Lease(
            stem, self.annotator, self.session, self.seconds, True, written.modified, written.etag
        )
        self._held[stem] = _Held(lease, started)
        return lease

    def release(self, stem: str) -> bool:
        """Give up this session's lease of ``stem``; False if it held none any more."""
        held = self._held.pop(stem, None)
        if held is None:
            return False
        try:
            self.store.replace(lease_key(stem), self._record(held=False), etag=held.lease.etag)
        except ObjectChangedError:
            return False
        return True

    def release_all(self) -> None:
        """Release every lease this session holds."""
        for stem in list(self._held):
            self.release(stem)

    def repair(self, stem: str) -> str:
        """Set an unreadable lease record aside under ``corrupt/`` and free the image.

        Returns the key of the copy. Raises ValueError if the record is readable.
        """
        blob = self._read(stem)
        if blob is None:
            raise ValueError(f"stem: image {stem!r} has no lease record to repair")
        try:
            self._status_of(stem, blob)
        except ValueError as error:
            copy = set_aside(self.store, blob)
            self.store.replace(blob.key, self._record(held=False), etag=blob.etag)
            warnings.warn(f"{error} It was copied to {copy!r}.", stacklevel=2)
            return copy
        raise ValueError(f"stem: the lease record of {stem!r} is readable; nothing to repair")

    # -- helpers -----------------------------------------------------------------------------

    def _read(self, stem: str) -> Blob | None:
        try:
            return self.store.read(lease_key(stem))
        except ObjectMissingError:
            return None

    def _record(self, *, held: bool) -> bytes:
        return encode_record(
            "lease",
            {
                "owner": self.annotator,
                "session": self.session,
                "seconds": self.seconds,
                "state": "held" if held else "released",
            },
        )

    def _status_of(self, stem: str, blob: Blob) -> ClaimStatus:
        reader = decode_record(blob, self.store, "lease", _REMEDY)
        lease = Lease(
            stem,
            reader.checked("owner", check_annotator),
            reader.checked("session", check_annotator),
            reader.number("seconds", low=1, high=_LONGEST_LEASE),
            reader.choice("state", ("held", "released")) == "held",
            blob.modified,
            blob.etag,
        )
        self._check_skew(blob.store_time)
        running = lease.held and blob.store_time <= lease.expires + self.tolerance
        own = lease.owner == self.annotator and lease.session == self.session
        same = lease.owner == self.annotator and not own
        return ClaimStatus(stem, lease, blob.store_time, running and own, running and not own, same)

    def _check_skew(self, store_time: float) -> None:
        skew = time.time() - store_time
        if abs(skew) > SKEW_WARNING_SECONDS and not self._skew_warned:
            self._skew_warned = True
            direction = "ahead of" if skew > 0 else "behind"
            warnings.warn(
                f"this machine's clock is {abs(skew):.0f} s {direction} the store's "
                f"({self.store.url}); claims are judged by the store's clock and stay "
                "correct, but version names carry this machine's time",
                ClockSkewWarning,
                stacklevel=3,
            )
