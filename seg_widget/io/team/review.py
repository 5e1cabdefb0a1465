"""Review: an annotator marks an image *done*; a reviewer *accepts* or *rejects* it, with a note.

The status of image ``stem`` lives in ``reviews/<stem>.json`` next to the masks and changes by
compare-and-swap, so two people changing it at once both get their change applied in turn
(the later one re-reads first). Every change is appended to the record's history, so no
note is ever lost; the history keeps the latest `HISTORY_LIMIT` changes.

Transitions: anyone may mark an image done (again after a rejection, or after new edits); a
reviewer may accept or reject an image once it was marked done, and may change their mind.
A rejection needs a note saying what to fix.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

from seg_widget.io.storage.base import (
    Blob,
    ObjectChangedError,
    ObjectExistsError,
    ObjectMissingError,
    Store,
)
from seg_widget.io.team.layout import check_annotator, check_stem, review_key
from seg_widget.io.team.records import RecordReader, decode_record, encode_record, set_aside

__all__ = [
    "HISTORY_LIMIT",
    "REVIEW_STATES",
    "ReviewEvent",
    "ReviewStatus",
    "Reviews",
    "decode_review",
]

#: The states of a review, in order.
REVIEW_STATES = ("done", "accepted", "rejected")
#: Changes a review record remembers.
HISTORY_LIMIT = 100
#: Longest note, in characters.
NOTE_LIMIT = 5000
_ATTEMPTS = 8
_REMEDY = "Reviews.repair(stem) sets it aside under corrupt/ and clears the status."


@dataclass(frozen=True)
class ReviewEvent:
    """One change of a review status."""

    state: str
    #: Who made the change.
    by: str
    note: str
    #: The store's clock when the change was asked for (to a second on S3).
    at: float


@dataclass(frozen=True)
class ReviewStatus:
    """An image's review status as stored."""

    stem: str
    #: One of `REVIEW_STATES`.
    state: str
    #: Who marked it done (whose work is reviewed).
    annotator: str
    #: Who accepted or rejected it, or None while it waits for review.
    reviewer: str | None
    #: The latest note.
    note: str
    #: The version key that was marked done, if given.
    version: str | None
    #: Every change, oldest first.
    history: tuple[ReviewEvent, ...]
    etag: str


class Reviews:
    """Read and change review statuses as ``user`` (an annotator or a reviewer).

    Examples
    --------
    >>> import tempfile
    >>> from seg_widget.io.storage import open_store
    >>> store = open_store(tempfile.mkdtemp())
    >>> _ = Reviews(store, "alice").mark_done("img1")
    >>> Reviews(store, "rita").reject("img1", "the tail is missing").state
    'rejected'

    """

    def __init__(self, store: Store, user: str) -> None:
        if not isinstance(store, Store):
            raise TypeError(
                f"store: expected a Store (open_store(url)); got {type(store).__name__}"
            )
        self.user = check_annotator(user, argument="user")
        store.require_conditional_writes()
        self.store = store

    def status(self, stem: str) -> ReviewStatus | None:
        """Image ``stem``'s review status, or None if it was never marked done.

        Raises
        ------
        CorruptRecordError
            If the record cannot be read (see `repair`).

        """
        blob = self._read(stem)
        return None if blob is None else decode_review(self.store, stem, blob)

    def mark_done(self, stem: str, *, version: str | None = None, note: str = "") -> ReviewStatus:
        """Mark image ``stem`` done (ready for review), by this user as its annotator."""
        note = _check_note(note, required=False)
        if version is not None and not isinstance(version, str):
            raise TypeError(f"version: expected a version key or None; got {version!r}")
        return self._change(stem, "done", note, version=version)

    def accept(self, stem: str, *, note: str = "") -> ReviewStatus:
        """Accept image ``stem`` (it must have been marked done), as reviewer."""
        return self._change(stem, "accepted", _check_note(note, required=False))

    def reject(self, stem: str, note: str) -> ReviewStatus:
        """Reject image ``stem`` with a ``note`` saying what to fix, as reviewer."""
        return self._change(stem, "rejected", _check_note(note, required=True))

    def repair(self, stem: str) -> str:
        """Set an unreadable review record aside under ``corrupt/``; return the copy's key.

        The image then has no status (mark it done again). Raises ValueError if the record
        is readable or missing.
        """
        blob = self._read(stem)
        if blob is None:
            raise ValueError(f"stem: image {stem!r} has no review record to repair")
        try:
            decode_review(self.store, stem, blob)
        except ValueError as error:
            copy = set_aside(self.store, blob)
            self.store.delete(blob.key)
            warnings.warn(f"{error} It was copied to {copy!r}.", stacklevel=2)
            return copy
        raise ValueError(f"stem: the review record of {stem!r} is readable; nothing to repair")

    # -- helpers -----------------------------------------------------------------------------

    def _change(
        self, stem: str, state: str, note: str, *, version: str | None = None
    ) -> ReviewStatus:
        key = review_key(stem)
        for _ in range(_ATTEMPTS):
            blob = self._read(stem)
            old = None if blob is None else decode_review(self.store, stem, blob)
            if state != "done" and old is None:
                raise ValueError(
                    f"stem: image {stem!r} cannot be {state}: it was not marked done yet"
                )
            at = blob.store_time if blob is not None else self.store.now()
            event = ReviewEvent(state, self.user, note, at)
            history = [*(old.history if old else ()), event][-HISTORY_LIMIT:]
            if state == "done":
                fields = {"annotator": self.user, "reviewer": None, "mask": version}
            else:
                fields = {"annotator": old.annotator, "reviewer": self.user, "mask": old.version}
            record = encode_record(
                "review",
                {
                    "state": state,
                    "note": note,
                    **fields,
                    "history": [vars(item) for item in history],
                },
            )
            try:
                if blob is None:
                    written = self.store.create(key, record)
                else:
                    written = self.store.replace(key, record, etag=blob.etag)
            except (ObjectExistsError, ObjectChangedError):
                continue  # someone changed it meanwhile: apply ours on top of theirs
            return ReviewStatus(
                stem,
                state,
                fields["annotator"],
                fields["reviewer"],
                note,
                fields["mask"],
                tuple(history),
                written.etag,
            )
        raise RuntimeError(
            f"image {stem!r}: the review status kept changing under {_ATTEMPTS} attempts; try again"
        )

    def _read(self, stem: str) -> Blob | None:
        try:
            return self.store.read(review_key(check_stem(stem)))
        except ObjectMissingError:
            return None


def decode_review(store: Store, stem: str, blob: Blob) -> ReviewStatus:
    """Decode a review record read from the store (`CorruptRecordError` if unreadable)."""
    reader = decode_record(blob, store, "review", _REMEDY)
    state = reader.choice("state", REVIEW_STATES)
    annotator = reader.checked("annotator", check_annotator)
    reviewer = reader.checked("reviewer", check_annotator, optional=True)
    note = reader.text("note", limit=NOTE_LIMIT)
    mask = reader.text("mask", optional=True)
    history = []
    for item in reader.items("history", limit=HISTORY_LIMIT):
        event = RecordReader(item, reader.fail)
        history.append(
            ReviewEvent(
                event.choice("state", REVIEW_STATES),
                event.checked("by", check_annotator),
                event.text("note", limit=NOTE_LIMIT),
                event.number("at", low=0, high=1e11),
            )
        )
    return ReviewStatus(stem, state, annotator, reviewer, note, mask, tuple(history), blob.etag)


def _check_note(note: object, *, required: bool) -> str:
    if not isinstance(note, str):
        raise TypeError(f"note: expected a str; got {type(note).__name__}")
    if required and not note.strip():
        raise ValueError("note: expected a note saying what to fix; got an empty note")
    if len(note) > NOTE_LIMIT:
        raise ValueError(f"note: expected at most {NOTE_LIMIT} characters; got {len(note)}")
    return note
