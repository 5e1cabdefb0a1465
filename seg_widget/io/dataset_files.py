"""The files of one image of a dataset: its mask and its objects, saved as one unit.

Layout in ``masks_dir`` (mask paths are always directly in it, so the subfolders can never
collide with an image's mask)::

    <stem><mask_format>                 the class mask: what other tools read
    objects/<stem>.<digest>.npz         the objects of that mask (class mask, instance map,
                                        table), <digest> = 16 hex digits of the BLAKE2b hash
                                        of the mask file's bytes
    conflicts/<stem>.<time><format>     saves beside a mask that changed on disk (see below)

**One save, one unit.** A save with objects first writes the objects file named after the
digest of the mask file it is about to write, then the mask file (the commit), then removes
the image's other objects files. Each write is atomic, and a mask finds its objects by its
own digest, so after a crash at any moment the mask on disk and the objects file of its
digest are the last complete save (an objects file written for a mask that never made it to
disk is simply not found, and removed by the next save). A mask rewritten by another tool
with the same pixels still finds its objects (their stored mask is compared); objects saved
for other pixels are not loaded, and a warning says so.

**Two annotators on one folder.** Every read and write returns the `SavedVersion` of the
image's files (stamps of the mask and objects files, digest of the mask). A save passes the
version it last saw; if the files changed on disk since, it raises `ConflictError` and
writes nothing, so nobody's work is overwritten silently. The caller keeps the edits and
may save beside (`write_beside`) or overwrite on purpose (``expected=None``).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from seg_widget.core.classes import LabelClass
from seg_widget.core.instances import Instance
from seg_widget.io.annotation_files import encode_annotation, load_annotation_file
from seg_widget.io.atomic import FileStamp, atomic_write_bytes, file_stamp

__all__ = [
    "CONFLICTS_FOLDER",
    "OBJECTS_FOLDER",
    "ConflictError",
    "ImageFiles",
    "SavedVersion",
    "StoredAnnotation",
]

#: Subfolder of ``masks_dir`` holding the objects files.
OBJECTS_FOLDER = "objects"
#: Subfolder of ``masks_dir`` holding saves beside a mask that changed on disk.
CONFLICTS_FOLDER = "conflicts"
#: Objects files of earlier versions were ``<stem>.objects.npz`` beside the mask.
LEGACY_OBJECTS_SUFFIX = ".objects.npz"

_DIGEST_HEX = 16


@dataclass(frozen=True)
class SavedVersion:
    """What was on disk for one image when its files were read or written."""

    #: Stamp of the mask file (None: no mask file).
    mask: FileStamp | None = None
    #: Stamp of the objects file of that mask (None: none).
    objects: FileStamp | None = None
    #: Digest of the mask file's bytes (None: no mask file).
    digest: str | None = None


class StoredAnnotation(NamedTuple):
    """What `ImageFiles.read` returns."""

    #: ``(H, W)`` class ids, or None without a mask file.
    mask: np.ndarray | None
    #: ``(H, W)`` uint32 instance ids, or None without objects.
    instance_map: np.ndarray | None
    #: The objects (empty without).
    instances: tuple[Instance, ...]
    #: The files as they were read.
    version: SavedVersion
    #: A problem to show the user (objects that do not belong to this mask), or None.
    problem: str | None


class ConflictError(ValueError):
    """A save refused because the image's files changed on disk since they were read.

    ``path`` is the file that changed.
    """

    def __init__(self, path: str, message: str) -> None:
        super().__init__(message)
        self.path = path


class ImageFiles:
    """The mask and objects files of one image in a masks folder.

    Parameters
    ----------
    masks_dir : str
        The masks folder (absolute).
    stem : str
        The image's file stem.
    mask_format : {".png", ".npy", ".npz"}
        The mask files' format.
    check_path : callable
        ``check_path(path)`` raises unless ``path`` may be written (inside ``masks_dir``).

    """

    def __init__(
        self, masks_dir: str, stem: str, mask_format: str, check_path: Callable[[str], None]
    ) -> None:
        self.masks_dir = masks_dir
        self.stem = stem
        self.mask_format = mask_format
        self._check_path = check_path
        #: The mask file.
        self.mask_path = os.path.join(masks_dir, stem + mask_format)
        self._objects_dir = os.path.join(masks_dir, OBJECTS_FOLDER)
        self._objects_name = re.compile(re.escape(stem) + rf"\.([0-9a-f]{{{_DIGEST_HEX}}})\.npz")

    def objects_path(self, digest: str) -> str:
        """Return the objects file of the mask file whose bytes have ``digest``."""
        return os.path.join(self._objects_dir, f"{self.stem}.{digest}.npz")

    # -- reading ------------------------------------------------------------------------------

    def read(
        self,
        shape: tuple[int, int],
        classes: Sequence[LabelClass],
        *,
        legacy_objects: bool = True,
    ) -> StoredAnnotation:
        """Read the mask and the objects that belong to it (see the module docstring).

        ``legacy_objects``: also look at ``<stem>.objects.npz`` beside the mask (False when
        that path is another image's mask).

        Raises
        ------
        ValueError
            For an unreadable mask or one of another size (naming both sizes).

        """
        for _ in range(3):  # the file may be replaced while it is read: read it again
            before = file_stamp(self.mask_path)
            if before is None:
                return StoredAnnotation(None, None, (), SavedVersion(), None)
            mask = load_annotation_file(self.mask_path, shape, classes).mask
            digest = _file_digest(self.mask_path)
            if file_stamp(self.mask_path) == before:
                break
        else:  # pragma: no cover - rewritten three times while reading
            raise ValueError(f"mask: {self.mask_path!r} keeps changing while it is read")
        objects_path = self.objects_path(digest)
        candidates = [objects_path, *(p for p in self._objects_files() if p != objects_path)]
        if legacy_objects:
            candidates.append(os.path.join(self.masks_dir, self.stem + LEGACY_OBJECTS_SUFFIX))
        present = [path for path in candidates if os.path.isfile(path)]
        for path in present:
            self._check_path(path)
            try:
                loaded = load_annotation_file(path, shape, classes)
            except ValueError:
                continue  # reported below if nothing matches
            if loaded.instance_map is not None and np.array_equal(loaded.mask, mask):
                # The version names the file a save would check: this digest's.
                version = SavedVersion(before, file_stamp(objects_path), digest)
                return StoredAnnotation(mask, loaded.instance_map, loaded.instances, version, None)
        version = SavedVersion(before, None, digest)
        problem = None
        if present:
            problem = (
                f"{os.path.basename(self.mask_path)}: its objects were saved with another "
                "version of the mask (edited elsewhere?) or cannot be read; objects not loaded"
            )
        return StoredAnnotation(mask, None, (), version, problem)

    def version(self, expected: SavedVersion | None = None) -> SavedVersion:
        """Return the files' version now, reusing ``expected``'s digest if the mask is unchanged."""
        stamp = file_stamp(self.mask_path)
        if stamp is None:
            return SavedVersion()
        if expected is not None and stamp == expected.mask:
            digest = expected.digest
        else:
            digest = _file_digest(self.mask_path)
        return SavedVersion(stamp, file_stamp(self.objects_path(digest)), digest)

    # -- writing ------------------------------------------------------------------------------

    def write(
        self,
        mask: np.ndarray,
        classes: Sequence[LabelClass],
        instance_map: np.ndarray | None,
        instances: Sequence[Instance],
        *,
        expected: SavedVersion | None,
        legacy_objects: bool = True,
    ) -> SavedVersion:
        """Save mask and objects as one unit; return the new version.

        ``expected``: the version this save replaces (as last read or written); if the
        files changed since, `ConflictError` is raised and nothing is written. None
        overwrites whatever is there.
        """
        if expected is not None:
            self._check_unchanged(expected)
        data = encode_annotation(self.mask_format, mask, classes)
        digest = _digest(data)
        objects_stamp = None
        if instances:
            objects_path = self.objects_path(digest)
            self._check_path(self._objects_dir)
            os.makedirs(self._objects_dir, exist_ok=True)
            self._check_path(objects_path)
            objects = encode_annotation(
                ".npz", mask, classes, instance_map=instance_map, instances=instances
            )
            objects_stamp = atomic_write_bytes(objects_path, objects)
        self._check_path(self.mask_path)
        mask_stamp = atomic_write_bytes(self.mask_path, data)
        keep = self.objects_path(digest) if instances else None
        stale = [path for path in self._objects_files() if path != keep]
        if legacy_objects:
            stale.append(os.path.join(self.masks_dir, self.stem + LEGACY_OBJECTS_SUFFIX))
        for path in stale:
            with contextlib.suppress(OSError):  # the save is complete; leftovers are ignored
                os.unlink(path)
        return SavedVersion(mask_stamp, objects_stamp, digest)

    def write_beside(
        self,
        mask: np.ndarray,
        classes: Sequence[LabelClass],
        instance_map: np.ndarray | None,
        instances: Sequence[Instance],
        *,
        path: str | None = None,
    ) -> str:
        """Save into ``masks_dir/conflicts/`` (a new ``<stem>.<time><format>`` unless ``path``).

        With objects, they go to the same name with ``.objects.npz``. Returns the mask path.
        """
        folder = os.path.join(self.masks_dir, CONFLICTS_FOLDER)
        self._check_path(folder)
        os.makedirs(folder, exist_ok=True)
        if path is None:
            tag = time.strftime("%Y%m%d-%H%M%S")
            path = os.path.join(folder, f"{self.stem}.{tag}{self.mask_format}")
            number = 1
            while os.path.lexists(path):
                number += 1
                path = os.path.join(folder, f"{self.stem}.{tag}-{number}{self.mask_format}")
        self._check_path(path)
        objects_path = os.path.splitext(path)[0] + LEGACY_OBJECTS_SUFFIX
        self._check_path(objects_path)
        if instances:
            atomic_write_bytes(
                objects_path,
                encode_annotation(
                    ".npz", mask, classes, instance_map=instance_map, instances=instances
                ),
            )
        atomic_write_bytes(path, encode_annotation(self.mask_format, mask, classes))
        if not instances and os.path.isfile(objects_path):
            os.unlink(objects_path)
        return path

    # -- helpers ------------------------------------------------------------------------------

    def _check_unchanged(self, expected: SavedVersion) -> None:
        now = self.version(expected)
        if now.mask != expected.mask and now.digest != expected.digest:
            what = (
                "appeared"
                if expected.mask is None
                else ("was removed" if now.mask is None else "changed")
            )
            raise ConflictError(self.mask_path, self._conflict_message(self.mask_path, what))
        if now.digest == expected.digest and now.objects != expected.objects:
            path = self.objects_path(now.digest) if now.digest else self.mask_path
            raise ConflictError(path, self._conflict_message(path, "changed"))

    def _conflict_message(self, path: str, what: str) -> str:
        return (
            f"{path!r} {what} on disk since this image was opened or last saved (another "
            "annotator or tool saved it); nothing was written and your edits are kept: "
            "save(beside=True) writes them to the conflicts/ folder of the masks folder, "
            "save(overwrite=True) replaces the other version"
        )

    def _objects_files(self) -> list[str]:
        try:
            names = os.listdir(self._objects_dir)
        except (FileNotFoundError, NotADirectoryError):
            return []
        return sorted(
            os.path.join(self._objects_dir, name)
            for name in names
            if self._objects_name.fullmatch(name)
        )


def _digest(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=_DIGEST_HEX // 2).hexdigest()


def _file_digest(path: str) -> str:
    digest = hashlib.blake2b(digest_size=_DIGEST_HEX // 2)
    try:
        with open(path, "rb") as file:
            while chunk := file.read(1 << 20):
                digest.update(chunk)
    except OSError as error:
        raise ValueError(f"mask: cannot read {path!r}: {error}") from error
    return digest.hexdigest()
