"""Drafts: an annotator's unsaved edits of an image, overwritten by every autosave.

Autosaving every few seconds as versions would pile up hundreds of them per image. Instead an
autosave overwrites the annotator's *draft* of the image (``drafts/<stem>/<annotator>.npz``:
class mask, instance map and objects, in the objects-file format) and its record
(``drafts/<stem>/<annotator>.json``: the version the edits started from and the digest of the
data). Versions are made when the annotator moves on, saves or marks the image done; the
draft is then deleted.

A kernel killed between two saves leaves its draft: the next session of that annotator
finds it when it opens the image again. The data is written before its record, so a kill
between the two leaves a record whose digest does not match: the draft is still returned,
its base marked unknown (`Draft.base_known`), and the caller treats it as a possible
conflict rather than guessing.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from seg_widget.core.classes import LabelClass, normalize_classes
from seg_widget.core.instances import Instance
from seg_widget.io.storage.base import Blob, ObjectMissingError, Store
from seg_widget.io.team.codec import decode_objects, encode_objects
from seg_widget.io.team.layout import check_annotator, draft_keys, parse_version_key
from seg_widget.io.team.records import decode_record, encode_record

__all__ = ["Draft", "Drafts"]

_REMEDY = "Drafts.delete(stem) removes it (the stored versions are not touched)."


@dataclass(frozen=True)
class Draft:
    """An annotator's unsaved edits of one image, as stored by an autosave."""

    stem: str
    mask: np.ndarray
    #: ``(H, W)`` instance ids, or None without objects.
    instance_map: np.ndarray | None
    instances: tuple[Instance, ...]
    #: Key of the version the edits started from (None: the image had none).
    base: str | None
    #: False if the record does not match the data (a kill between the two writes).
    base_known: bool
    #: When the data was written, by the store's clock.
    modified: float


class Drafts:
    """Write, read and delete one annotator's drafts (see the module docstring).

    Examples
    --------
    >>> import tempfile
    >>> from seg_widget.io.storage import open_store
    >>> drafts = Drafts(open_store(tempfile.mkdtemp()), "alice", ["bg", "cat"])
    >>> drafts.write("img1", np.eye(2, dtype=np.uint8), None, (), base=None)
    >>> drafts.read("img1", (2, 2)).mask.tolist()
    [[1, 0], [0, 1]]

    """

    def __init__(self, store: Store, annotator: str, classes: Sequence[str | LabelClass]) -> None:
        if not isinstance(store, Store):
            raise TypeError(
                f"store: expected a Store (open_store(url)); got {type(store).__name__}"
            )
        self.store = store
        self.annotator = check_annotator(annotator)
        self.classes = normalize_classes(classes)

    def write(
        self,
        stem: str,
        mask: np.ndarray,
        instance_map: np.ndarray | None,
        instances: Sequence[Instance],
        *,
        base: str | None,
    ) -> None:
        """Overwrite the draft of ``stem`` with these edits, started from version ``base``."""
        data_key, record_key = draft_keys(stem, self.annotator)
        data = encode_objects(np.asarray(mask), instance_map if instances else None, instances)
        self.store.put(data_key, data)
        self.store.put(record_key, encode_record("draft", {"base": base, "digest": _digest(data)}))

    def read(self, stem: str, shape: tuple[int, int]) -> Draft | None:
        """Return the draft of ``stem`` (None if there is none).

        Raises
        ------
        ValueError
            If the draft cannot be read (it is left as it is; the message names it).

        """
        data_key, record_key = draft_keys(stem, self.annotator)
        try:
            data = self.store.read(data_key)
        except ObjectMissingError:
            return None
        annotation = decode_objects(
            data.data, name=data_key, shape=shape, n_classes=len(self.classes)
        )
        base, known = self._base(stem, record_key, data)
        instance_map = annotation.instance_map if annotation.instances else None
        return Draft(
            stem, annotation.mask, instance_map, annotation.instances, base, known, data.modified
        )

    def delete(self, stem: str) -> None:
        """Remove the draft of ``stem`` (its data last, so a kill leaves no orphan record)."""
        data_key, record_key = draft_keys(stem, self.annotator)
        self.store.delete(record_key)
        self.store.delete(data_key)

    def _base(self, stem: str, record_key: str, data: Blob) -> tuple[str | None, bool]:
        try:
            blob = self.store.read(record_key)
        except ObjectMissingError:
            return None, False
        reader = decode_record(blob, self.store, "draft", _REMEDY)
        digest = reader.text("digest")
        base = reader.text("base", optional=True)
        if base is not None:
            name = parse_version_key(base)
            if name is None or name.stem != stem:
                raise reader.fail(f"field 'base': expected a version key of {stem!r}; got {base!r}")
        return base, digest == _digest(data.data)


def _digest(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=16).hexdigest()
