"""Versions: every save is a new immutable object; a pointer names the current one.

A save (`Versions.save`) writes the mask, and its objects file if any, under fresh keys
with exclusive creates (``versions/<stem>/<time>-<annotator>-<id>.png``), then moves the
pointer ``current/<stem>.json`` by compare-and-swap from the version the edit started from
(its *base*). The pointer is the unit of commit: it names the mask and the objects file
together, so a crash between the uploads leaves the old pointer, never a new mask beside
old objects.

If someone else moved the pointer since the base was read, the swap fails: both versions
stay in the store, the pointer keeps theirs, and the result says so (``conflict=True``).
`Versions.adopt` then makes yours current on purpose. Nothing is ever overwritten or
deleted, so every image's current mask can be rebuilt from its versions
(`Versions.rebuild`: the newest by the store's clock).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from seg_widget.core.classes import LabelClass, normalize_classes
from seg_widget.core.instances import Instance
from seg_widget.io.masks import MASK_EXTENSIONS
from seg_widget.io.storage.base import (
    Blob,
    ObjectChangedError,
    ObjectExistsError,
    ObjectMissingError,
    Stat,
    Store,
    Written,
)
from seg_widget.io.team.codec import decode_mask, decode_objects, encode_mask, encode_objects
from seg_widget.io.team.layout import (
    VERSIONS,
    check_annotator,
    check_stem,
    new_version_name,
    parse_version_key,
    pointer_key,
    versions_prefix,
)
from seg_widget.io.team.pointer import (
    Current,
    Loaded,
    SaveResult,
    Version,
    decode_current,
)
from seg_widget.io.team.records import CorruptRecordError, encode_record, set_aside

__all__ = ["Current", "Loaded", "SaveResult", "Version", "Versions", "decode_current"]


class Versions:
    """Save, load and list the versions of images' masks for one annotator.

    Parameters
    ----------
    store : Store
        The team's store (conditional writes required).
    annotator : str
        Who saves.
    classes : sequence of str or LabelClass
        The label classes (masks are checked against them; their colours go in PNGs).
    mask_format : {".png", ".npy", ".npz"}
        Format of new versions (any stored format can be read).

    Examples
    --------
    >>> import tempfile
    >>> import numpy as np
    >>> from seg_widget.io.storage import open_store
    >>> versions = Versions(open_store(tempfile.mkdtemp()), "alice", ["bg", "cat"])
    >>> result = versions.save("img1", np.eye(3, dtype=np.uint8), base=None)
    >>> result.conflict, versions.load("img1").mask.tolist()
    (False, [[1, 0, 0], [0, 1, 0], [0, 0, 1]])

    """

    def __init__(
        self,
        store: Store,
        annotator: str,
        classes: Sequence[str | LabelClass],
        *,
        mask_format: str = ".png",
    ) -> None:
        if not isinstance(store, Store):
            raise TypeError(
                f"store: expected a Store (open_store(url)); got {type(store).__name__}"
            )
        if mask_format not in MASK_EXTENSIONS:
            raise ValueError(f"mask_format: expected one of {MASK_EXTENSIONS}; got {mask_format!r}")
        self.annotator = check_annotator(annotator)
        self.classes = normalize_classes(classes)
        self.mask_format = mask_format
        store.require_conditional_writes()
        self.store = store

    # -- reading -----------------------------------------------------------------------------

    def current(self, stem: str) -> Current | None:
        """Return the pointer to image ``stem``'s current version (None: never saved).

        Raises
        ------
        CorruptRecordError
            If the pointer cannot be read (see `rebuild`).

        """
        blob = self._read_pointer(stem)
        return None if blob is None else decode_current(self.store, stem, blob)

    def load(self, stem: str, *, version: str | None = None) -> Loaded | None:
        """Load the current version of image ``stem`` (or the version with key ``version``).

        Returns None if the image has no current version and none was named.

        Raises
        ------
        ValueError
            For a version key of another image or an unreadable mask or objects file
            (naming the key).

        """
        current = self.current(stem)
        key = version if version is not None else (current.version if current else None)
        if key is None:
            return None
        name = parse_version_key(key)
        if name is None or name.stem != stem or name.is_objects:
            raise ValueError(f"version: expected a mask version key of {stem!r}; got {key!r}")
        mask = self._decode_mask(self._read_version(key), key)
        objects = None
        objects_key = current.objects if current is not None and current.version == key else None
        if version is not None and objects_key is None:
            objects_key = name.objects_key if self.store.stat(name.objects_key) else None
        if objects_key is not None:
            objects = decode_objects(self._read_version(objects_key).data, name=objects_key)
        return Loaded(mask, objects, key, current)

    def history(self, stem: str) -> list[Version]:
        """Every stored version of image ``stem``, oldest first by the store's clock."""
        return self._histories(self.store.list(versions_prefix(stem))).get(check_stem(stem), [])

    def histories(self) -> dict[str, list[Version]]:
        """Every stored version of every image (one listing), by image, oldest first."""
        return self._histories(self.store.list(VERSIONS))

    # -- saving ------------------------------------------------------------------------------

    def save(
        self,
        stem: str,
        mask: np.ndarray,
        *,
        base: Current | None,
        objects: tuple[np.ndarray, Sequence[Instance]] | None = None,
    ) -> SaveResult:
        """Store ``mask`` (and objects) as a new version and make it current if nobody else did.

        Parameters
        ----------
        stem : str
            The image.
        mask : ndarray (H, W)
            Class ids, checked against the classes.
        base : Current or None
            The pointer the edit started from (``Loaded.current``, or the ``current`` of
            the previous save's result); None for an image that had no version.
        objects : (instance_map, instances), optional
            Saved with the mask as one objects file.

        Returns
        -------
        SaveResult
            ``conflict=True`` when someone else's save came first: both versions are kept
            and the pointer stays theirs.

        """
        check_stem(stem)
        if base is not None and (not isinstance(base, Current) or base.stem != stem):
            raise TypeError(f"base: expected None or the Current of {stem!r}; got {base!r}")
        name = new_version_name(stem, self.annotator, self.mask_format)
        data = encode_mask(mask, self.classes, self.mask_format)
        objects_data = None
        if objects is not None:
            instance_map, instances = objects
            objects_data = encode_objects(np.asarray(mask), instance_map, instances)
        written = self._create_new(name.key, data)
        if objects_data is not None:
            self._create_new(name.objects_key, objects_data)
        version = Version(
            stem,
            name.key,
            self.annotator,
            name.stamp,
            written.modified,
            name.objects_key if objects_data is not None else None,
        )
        return self._point(version, labelled=bool(np.any(mask)), base=base)

    def adopt(self, stem: str, version: str, *, base: Current | None) -> SaveResult:
        """Make the stored ``version`` current (to resolve a conflict in its favour).

        ``base`` is the pointer as last read (the ``current`` of the conflicting result).
        """
        name = parse_version_key(version)
        if name is None or name.stem != stem or name.is_objects:
            raise ValueError(f"version: expected a mask version key of {stem!r}; got {version!r}")
        match = [v for v in self.history(stem) if v.key == version]
        if not match:
            raise ValueError(f"version: no stored version {version!r} of {stem!r}")
        mask = self._decode_mask(self._read_version(version), version)
        return self._point(match[0], labelled=bool(mask.any()), base=base)

    def rebuild(self, stem: str) -> Current | None:
        """Point image ``stem`` at its newest version if its pointer is broken.

        A pointer is broken if it is missing, unreadable (it is set aside first) or names a
        missing version. Returns the pointer afterwards (None if the image has no version).
        """
        blob = self._read_pointer(stem)
        if blob is not None:
            try:
                current = decode_current(self.store, stem, blob)
                if self.store.stat(current.version) is not None:
                    return current
            except CorruptRecordError:
                set_aside(self.store, blob)
        history = self.history(stem)
        if not history:
            return None
        newest = history[-1]
        mask = self._decode_mask(self._read_version(newest.key), newest.key)
        record = self._record(newest, labelled=bool(mask.any()), previous=None)
        key = pointer_key(stem)
        if blob is None:
            written = self.store.create(key, record)
        else:
            written = self.store.replace(key, record, etag=blob.etag)
        return self._current_from(newest, bool(mask.any()), None, written.modified, written.etag)

    # -- helpers -----------------------------------------------------------------------------

    @staticmethod
    def _histories(stats: Sequence[Stat]) -> dict[str, list[Version]]:
        names = [(stat, parse_version_key(stat.key)) for stat in stats]
        objects = {stat.key for stat, name in names if name is not None and name.is_objects}
        found: dict[str, list[Version]] = {}
        for stat, name in names:
            if name is None or name.is_objects:
                continue
            objects_key = name.objects_key if name.objects_key in objects else None
            found.setdefault(name.stem, []).append(
                Version(name.stem, stat.key, name.annotator, name.stamp, stat.modified, objects_key)
            )
        for history in found.values():
            history.sort(key=lambda v: (v.modified, v.stamp, v.key))
        return found

    def _point(self, version: Version, *, labelled: bool, base: Current | None) -> SaveResult:
        previous = base.version if base is not None else None
        record = self._record(version, labelled=labelled, previous=previous)
        key = pointer_key(version.stem)
        try:
            if base is None:
                written = self.store.create(key, record)
            else:
                written = self.store.replace(key, record, etag=base.etag)
        except (ObjectExistsError, ObjectChangedError):
            try:
                theirs = self.current(version.stem)
            except CorruptRecordError as error:
                raise CorruptRecordError(
                    f"{error} Your save is kept as version {version.key!r}.", key=error.key
                ) from None
            # A retried request whose first attempt went through finds its own write.
            mine = theirs is not None and theirs.version == version.key
            return SaveResult(version, theirs, conflict=not mine)
        current = self._current_from(version, labelled, previous, written.modified, written.etag)
        return SaveResult(version, current, conflict=False)

    def _record(self, version: Version, *, labelled: bool, previous: str | None) -> bytes:
        return encode_record(
            "current",
            {
                "mask": version.key,
                "objects": version.objects_key,
                "annotator": version.annotator,
                "labelled": labelled,
                "previous": previous,
            },
        )

    def _current_from(
        self, version: Version, labelled: bool, previous: str | None, modified: float, etag: str
    ) -> Current:
        return Current(
            version.stem,
            version.key,
            version.objects_key,
            version.annotator,
            labelled,
            previous,
            modified,
            etag,
        )

    def _create_new(self, key: str, data: bytes) -> Written:
        """Create a fresh version object; a retry that finds its own bytes there succeeded."""
        try:
            return self.store.create(key, data)
        except ObjectExistsError:
            blob = self.store.read(key)
            if blob.data != data:
                raise
            return Written(key, blob.etag, blob.modified)

    def _read_pointer(self, stem: str) -> Blob | None:
        try:
            return self.store.read(pointer_key(stem))
        except ObjectMissingError:
            return None

    def _read_version(self, key: str) -> Blob:
        try:
            return self.store.read(key)
        except ObjectMissingError:
            raise ValueError(
                f"version: {key!r} is missing from the store {self.store.url!r}; "
                "Versions.rebuild(stem) points the image at its newest stored version"
            ) from None

    def _decode_mask(self, blob: Blob, key: str) -> np.ndarray:
        name = parse_version_key(key)
        extension = name.extension if name is not None else self.mask_format
        return decode_mask(blob.data, extension, n_classes=len(self.classes), name=key)
