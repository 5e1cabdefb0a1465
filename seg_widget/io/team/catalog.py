"""The catalog: every image's team state (labelled, by whom, review) from listings and a cache.

`Catalog.scan` lists ``current/`` and ``reviews/`` (on S3 one request per 1,000 records;
each listed object comes with its tag, the ETag) and reads only records whose tag it has
not seen. What it learns is cached by record tag, in memory and in
``cache/<annotator>.json``; a new session starts from the caches of every annotator, so a
10,000-image bucket is known after a few listing requests and the reads of what changed.
Masks are never read: whether an image is labelled is written in its pointer at save time.

A record that cannot be read does not stop a scan: that image's state carries the problem
(`ImageState.problem`) and later scans try again. An unreadable cache is only a cache: it
is ignored (with a warning) and rewritten.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable
from dataclasses import dataclass

from seg_widget.io.storage.base import Blob, Stat, Store
from seg_widget.io.team.layout import (
    CACHES,
    CURRENT,
    REVIEWS,
    cache_key,
    check_annotator,
    check_stem,
    parse_version_key,
    stem_of_record,
)
from seg_widget.io.team.pointer import decode_current
from seg_widget.io.team.records import CorruptRecordError, decode_record, encode_record
from seg_widget.io.team.review import REVIEW_STATES, decode_review

__all__ = ["Catalog", "ImageState", "ScanStats"]

_SUMMARY_FIELDS = {
    CURRENT: {
        "labelled": (bool,),
        "annotator": (str,),
        "version": (str,),
        "objects": (str, type(None)),
    },
    REVIEWS: {"state": (str,), "annotator": (str,), "reviewer": (str, type(None)), "note": (str,)},
}


@dataclass(frozen=True)
class ImageState:
    """What the team knows about one image."""

    stem: str
    #: Whether the current version has a non-zero pixel.
    labelled: bool = False
    #: Who saved the current version (None: never saved).
    annotator: str | None = None
    #: Key of the current version.
    version: str | None = None
    #: Key of its objects file, if it has one.
    objects: str | None = None
    #: Review state (``"done"``, ``"accepted"``, ``"rejected"``) or None.
    review: str | None = None
    #: Who marked it done.
    review_annotator: str | None = None
    #: Who accepted or rejected it.
    reviewer: str | None = None
    #: The latest review note.
    note: str = ""
    #: Why a record of this image could not be read, if one could not.
    problem: str | None = None


@dataclass(frozen=True)
class ScanStats:
    """What a scan cost."""

    #: Records listed (pointers and reviews).
    listed: int
    #: Records read because no cache knew their tag.
    read: int


class Catalog:
    """The team state of a store's images, for one annotator's session (see the module).

    Examples
    --------
    >>> import tempfile
    >>> import numpy as np
    >>> from seg_widget.io.storage import open_store
    >>> from seg_widget.io.team.versions import Versions
    >>> store = open_store(tempfile.mkdtemp())
    >>> _ = Versions(store, "alice", ["bg", "cat"]).save("a", np.ones((2, 2), int), base=None)
    >>> states = Catalog(store, "alice").scan(["a", "b"])
    >>> states["a"].labelled, states["b"].labelled
    (True, False)

    """

    def __init__(self, store: Store, annotator: str) -> None:
        if not isinstance(store, Store):
            raise TypeError(
                f"store: expected a Store (open_store(url)); got {type(store).__name__}"
            )
        self.annotator = check_annotator(annotator)
        self.store = store
        #: record key -> (listing tag, summary), from this session and every cache file.
        self._cache: dict[str, tuple[str, dict]] = {}
        self._caches_loaded = False
        self._saved: dict[str, tuple[str, dict]] = {}
        #: What the last `scan` cost.
        self.last_scan = ScanStats(0, 0)

    def scan(self, stems: Iterable[str] | None = None) -> dict[str, ImageState]:
        """Return the state of ``stems`` (default: every image with a record), in that order.

        Images without records get the default state (not labelled, no review).
        """
        wanted = None if stems is None else [check_stem(stem) for stem in stems]
        if not self._caches_loaded:
            self._load_caches()
            self._caches_loaded = True
        listed = [*self.store.list(CURRENT), *self.store.list(REVIEWS)]
        tags = {stat.key: stat.tag for stat in listed}
        stale = [stat.key for stat in listed if self._cache.get(stat.key, ("",))[0] != stat.tag]
        problems: dict[str, str] = {}
        for key, blob in self.store.read_many(stale).items():
            if blob is None:  # removed since the listing
                continue
            try:
                self._cache[key] = (tags[key], self._summary(blob))
            except CorruptRecordError as error:
                problems[key] = str(error)
                self._cache.pop(key, None)
        self._cache = {key: entry for key, entry in self._cache.items() if key in tags}
        if self._cache != self._saved:
            self._save_cache()
        self.last_scan = ScanStats(len(listed), len(stale))
        return self._states(listed, problems, wanted)

    @staticmethod
    def rejected_for(annotator: str, states: dict[str, ImageState]) -> list[str]:
        """Return the images of ``states`` rejected while they were ``annotator``'s work."""
        check_annotator(annotator)
        return [
            stem
            for stem, state in states.items()
            if state.review == "rejected" and state.review_annotator == annotator
        ]

    # -- helpers -----------------------------------------------------------------------------

    def _summary(self, blob: Blob) -> dict:
        stem = stem_of_record(blob.key, CURRENT)
        if stem is not None:
            current = decode_current(self.store, stem, blob)
            return {
                "labelled": current.labelled,
                "annotator": current.annotator,
                "version": current.version,
                "objects": current.objects,
            }
        status = decode_review(self.store, stem_of_record(blob.key, REVIEWS) or "", blob)
        return {
            "state": status.state,
            "annotator": status.annotator,
            "reviewer": status.reviewer,
            "note": status.note,
        }

    def _states(
        self, listed: list[Stat], problems: dict[str, str], wanted: list[str] | None
    ) -> dict[str, ImageState]:
        fields: dict[str, dict] = {}
        for stat in listed:
            for prefix in (CURRENT, REVIEWS):
                stem = stem_of_record(stat.key, prefix)
                if stem is None:
                    continue
                state = fields.setdefault(stem, {})
                if stat.key in problems:
                    state["problem"] = problems[stat.key]
                elif stat.key in self._cache:
                    summary = self._cache[stat.key][1]
                    if prefix == CURRENT:
                        state.update(summary)
                    else:
                        state.update(
                            review=summary["state"],
                            review_annotator=summary["annotator"],
                            reviewer=summary["reviewer"],
                            note=summary["note"],
                        )
        order = wanted if wanted is not None else sorted(fields)
        return {stem: ImageState(stem, **fields.get(stem, {})) for stem in order}

    def _load_caches(self) -> None:
        """Start from every annotator's cache file (ours last, so it wins)."""
        stats = sorted(self.store.list(CACHES), key=lambda s: s.key == cache_key(self.annotator))
        for key, blob in self.store.read_many([stat.key for stat in stats]).items():
            if blob is None:
                continue
            try:
                entries = _cache_entries(blob, self.store)
            except CorruptRecordError as error:
                warnings.warn(f"{error}", stacklevel=3)
                continue
            self._cache.update(entries)
            if key == cache_key(self.annotator):
                self._saved = dict(entries)

    def _save_cache(self) -> None:
        entries = {key: [tag, summary] for key, (tag, summary) in self._cache.items()}
        try:
            self.store.put(cache_key(self.annotator), encode_record("cache", {"entries": entries}))
        except OSError as error:  # a cache: losing it costs time, not data
            warnings.warn(f"could not save the listing cache: {error}", stacklevel=3)
            return
        self._saved = dict(self._cache)


def _cache_entries(blob: Blob, store: Store) -> dict[str, tuple[str, dict]]:
    reader = decode_record(
        blob, store, "cache", "It is only a cache: it will be rewritten by the next scan."
    )
    entries = reader.document.get("entries")
    if not isinstance(entries, dict):
        raise reader.fail(f"field 'entries': expected an object; got {type(entries).__name__}")
    valid = {}
    for key, entry in entries.items():
        if (
            isinstance(entry, list)
            and len(entry) == 2
            and isinstance(entry[0], str)
            and _valid_summary(key, entry[1])
        ):
            valid[key] = (entry[0], entry[1])
    return valid


def _valid_summary(key: str, summary: object) -> bool:
    """Whether a cached summary has exactly the fields and values a scan would store."""
    prefix = CURRENT if key.startswith(CURRENT) else REVIEWS
    stem = stem_of_record(key, prefix)
    expected = _SUMMARY_FIELDS[prefix]
    if stem is None or not isinstance(summary, dict) or set(summary) != set(expected):
        return False
    if not all(isinstance(summary[name], types) for name, types in expected.items()):
        return False
    people = [summary["annotator"], summary.get("reviewer")]
    if any(person is not None and not _is_annotator(person) for person in people):
        return False
    if prefix == CURRENT:
        keys = [summary["version"], summary["objects"]]
        names = [parse_version_key(key) for key in keys if key is not None]
        return all(name is not None and name.stem == stem for name in names)
    return summary["state"] in REVIEW_STATES


def _is_annotator(name: str) -> bool:
    try:
        check_annotator(name)
    except ValueError:
        return False
    return True
