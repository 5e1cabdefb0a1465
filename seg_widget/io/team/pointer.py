"""What versions and pointers are: stored versions, the pointer record, a save's result.

`seg_widget.io.team.versions` saves and loads them; `decode_current` is also what the
catalog uses to read pointers.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from seg_widget.io.instance_files import Annotation
from seg_widget.io.storage.base import Blob, Store
from seg_widget.io.team.layout import check_annotator, parse_version_key
from seg_widget.io.team.records import decode_record

__all__ = ["Current", "Loaded", "SaveResult", "Version", "decode_current"]

_REMEDY = "Versions.rebuild(stem) sets it aside under corrupt/ and points to the newest version."


@dataclass(frozen=True)
class Version:
    """One stored version of an image's mask."""

    stem: str
    #: Key of the mask object.
    key: str
    annotator: str
    #: The saving machine's UTC time from the name (``20260301T101112.123456Z``).
    stamp: str
    #: When the store wrote it, by the store's clock.
    modified: float
    #: Key of the objects file saved with it, if any.
    objects_key: str | None = None


@dataclass(frozen=True)
class Current:
    """The pointer to an image's current version, as read (pass it as the next ``base``)."""

    stem: str
    #: Key of the current mask.
    version: str
    #: Key of its objects file, if any.
    objects: str | None
    #: Who saved it.
    annotator: str
    #: Whether the mask has a non-zero pixel.
    labelled: bool
    #: Key of the version it replaced (its base), if any.
    previous: str | None
    #: When the pointer was written, by the store's clock.
    modified: float
    etag: str


@dataclass(frozen=True)
class Loaded:
    """An image's mask (and objects) as loaded, with the pointer to save against."""

    mask: np.ndarray
    #: The objects file's content, or None.
    objects: Annotation | None
    #: Key of the loaded version.
    version: str
    #: The pointer when loading: pass it as ``base`` to `Versions.save`.
    current: Current | None


@dataclass(frozen=True)
class SaveResult:
    """What a save did: the version is always stored; the pointer moved unless ``conflict``."""

    version: Version
    #: The pointer after the save: ours, or (on conflict) whoever moved it first.
    current: Current | None
    #: True if someone else saved since the base was read; both versions are kept.
    conflict: bool

    def describe(self) -> str:
        """Say what happened, in a sentence for the status line."""
        if not self.conflict:
            return f"saved {self.version.stem!r} as version {self.version.key!r}"
        theirs = self.current
        other = (
            f"{theirs.annotator} saved it at {_clock(theirs.modified)} (version "
            f"{theirs.version!r}, now current)"
            if theirs is not None
            else "its pointer was removed"
        )
        return (
            f"conflict on {self.version.stem!r}: {other} after you opened it; both versions "
            f"are kept, yours as {self.version.key!r} (Versions.adopt makes it current)"
        )


def decode_current(store: Store, stem: str, blob: Blob) -> Current:
    """Decode the pointer record ``blob`` of image ``stem`` (`CorruptRecordError` if unreadable).

    The keys it names must be versions of ``stem``, so a damaged or hostile pointer can
    never make a load read another image's (or any other) object.
    """
    reader = decode_record(blob, store, "current", _REMEDY)

    def of_this_image(key: str) -> str:
        name = parse_version_key(key)
        if name is None or name.stem != stem:
            raise ValueError(f"expected a version key of {stem!r}; got {key!r}")
        return key

    return Current(
        stem,
        reader.checked("mask", of_this_image),
        reader.checked("objects", of_this_image, optional=True),
        reader.checked("annotator", check_annotator),
        reader.flag("labelled"),
        reader.checked("previous", of_this_image, optional=True),
        blob.modified,
        blob.etag,
    )


def _clock(timestamp: float) -> str:
    return time.strftime("%H:%M:%S UTC", time.gmtime(timestamp))
