"""One annotator's masks in a bucket: the masks-folder layout, on any store.

``DatasetAnnotator(images, "s3://bucket/masks", classes)`` without ``annotator=`` keeps the
masks exactly as in a local masks folder (`seg_widget.io.dataset_files`), so other tools read
them the same way::

    <stem><mask_format>                 the class mask
    objects/<stem>.<digest>.npz         its objects, named by the digest of the mask's bytes
    conflicts/<stem>.<time><format>     saves beside a mask that changed since it was read
    seg-widget-state.json               the image to resume at, the labelled and size caches

- **Whole writes:** every object appears whole when its upload completes.
- **No silent overwrite:** a save passes the version it read; on a store with conditional
  writes (S3, a folder) the mask is written by exclusive create or compare-and-swap, so a
  mask another session saved meanwhile raises `ConflictError` and nothing is lost. Stores
  without them (``gs://``, ``memory://``) compare before writing: a check, not a guarantee,
  so two writers at the same instant could still overwrite each other (use team mode on S3
  or a folder for several annotators).
- **Listing reads no mask twice:** whether a mask is labelled is cached in the state object
  by the mask's listing tag (its ETag), so opening a big bucket lists it and reads only the
  masks that changed.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import BinaryIO

import numpy as np

from seg_widget.core.classes import LabelClass, normalize_classes
from seg_widget.core.instances import Instance
from seg_widget.io.dataset_files import (
    CONFLICTS_FOLDER,
    OBJECTS_FOLDER,
    ConflictError,
    StoredAnnotation,
)
from seg_widget.io.dataset_index import DatasetImage, ProgressCallback
from seg_widget.io.image_list import ImageList, ShapeCache, is_url
from seg_widget.io.masks import MASK_EXTENSIONS
from seg_widget.io.storage import (
    ObjectChangedError,
    ObjectExistsError,
    ObjectMissingError,
    Store,
    open_store,
)
from seg_widget.io.team.codec import decode_mask, decode_objects, encode_mask, encode_objects

__all__ = ["STATE_KEY", "StoreDataset", "StoreVersion"]

#: Key of the state object in the store.
STATE_KEY = "seg-widget-state.json"
_STATE_FORMAT = "seg-widget-store-state"


@dataclass(frozen=True)
class StoreVersion:
    """What was in the store for one image when its mask was read or written."""

    #: ETag of the mask object (None: no mask).
    etag: str | None = None
    #: Digest of the mask's bytes (names its objects file).
    digest: str | None = None


class StoreDataset:
    """The images of a dataset and their masks in a store (see the module docstring).

    Parameters
    ----------
    images : str, os.PathLike or sequence
        A glob pattern, folder or list of paths, local or URLs (`ImageList`).
    masks_dir : str
        The store's URL (``s3://bucket/masks``, ``gs://...``).
    mask_format : {".png", ".npy", ".npz"}
        Format of the mask objects.
    storage_options : dict, optional
        Passed to fsspec (images and store).
    progress : callable, optional
        ``progress(done, total)`` while image headers are read.

    """

    def __init__(
        self,
        images: object,
        masks_dir: str,
        *,
        mask_format: str = ".png",
        storage_options: dict | None = None,
        progress: ProgressCallback | None = None,
    ) -> None:
        if mask_format not in MASK_EXTENSIONS:
            raise ValueError(f"mask_format: expected one of {MASK_EXTENSIONS}; got {mask_format!r}")
        options = dict(storage_options or {})
        self.store: Store = open_store(masks_dir, **(options if is_url(masks_dir) else {}))
        self.mask_format = mask_format
        state = self._read_state()
        self._current_name = state.get("current")
        shapes = ShapeCache(state.get("shapes"))
        self.images = ImageList(
            images,
            storage_options=options,
            progress=progress,
            shape_cache=shapes,
            exclude_under=[self.store.url],
        )
        if not len(self.images):
            raise ValueError(
                f"images: expected at least one readable image; got none from {images!r}"
            )
        self._shapes = shapes
        self._labelled: dict[str, list] = {}
        cached = state.get("labelled") if isinstance(state.get("labelled"), dict) else {}
        self._entries = [
            DatasetImage(image.path, self._url(self._mask_key(p)), image.shape)
            for p, image in enumerate(self.images)
        ]
        self._scan_labelled(cached)

    # -- the images -----------------------------------------------------------------------------

    def __len__(self) -> int:
        return len(self._entries)

    def __getitem__(self, position: int) -> DatasetImage:
        return self._entries[position]

    @property
    def masks_dir(self) -> str:
        """The store's URL."""
        return self.store.url

    @property
    def skipped(self) -> dict[str, str]:
        """Images that could not be read: ``{path: reason}``."""
        return self.images.skipped

    @property
    def labelled_count(self) -> int:
        """Images whose mask has a non-zero pixel."""
        return sum(entry.labelled for entry in self._entries)

    def position_of(self, target: object) -> int:
        """Position of an index, an image path or URL, or a file name (see `ImageList`)."""
        return self.images.position_of(target)

    def load_image(self, position: int) -> np.ndarray:
        """Decode image ``position``."""
        return self.images.load(position)

    def open_image(self, position: int) -> AbstractContextManager[BinaryIO]:
        """Open image ``position``'s file for reading its bytes."""
        return self.images.open(position)

    # -- masks ----------------------------------------------------------------------------------

    def read(self, position: int, classes: Sequence[str | LabelClass]) -> StoredAnnotation:
        """Read the mask of image ``position`` and the objects that belong to it."""
        classes = normalize_classes(classes)
        key, shape = self._mask_key(position), self._entries[position].shape
        try:
            blob = self.store.read(key)
        except ObjectMissingError:
            self.note_labelled(position, False)
            return StoredAnnotation(None, None, (), StoreVersion(), None)
        mask = _sized(decode_mask(blob.data, self.mask_format, n_classes=len(classes), name=key),
                      shape, self._url(key))  # fmt: skip
        self.note_labelled(position, bool(mask.any()))
        digest = _digest(blob.data)
        version = StoreVersion(blob.etag, digest)
        objects_key = self._objects_key(position, digest)
        try:
            data = self.store.read(objects_key).data
        except ObjectMissingError:
            return StoredAnnotation(mask, None, (), version, None)
        try:
            objects = decode_objects(data, name=objects_key, shape=shape, n_classes=len(classes))
        except ValueError as error:
            return StoredAnnotation(mask, None, (), version, f"{objects_key}: {error}")
        if objects.instance_map is None or not np.array_equal(objects.mask, mask):
            problem = f"{objects_key}: its objects do not match the mask; objects not loaded"
            return StoredAnnotation(mask, None, (), version, problem)
        return StoredAnnotation(mask, objects.instance_map, objects.instances, version, None)

    def load_mask(self, position: int, n_classes: int) -> np.ndarray | None:
        """Return the mask of image ``position`` as stored now (None: no mask)."""
        return self.read(position, [str(i) for i in range(n_classes)]).mask

    def note_labelled(self, position: int, labelled: bool) -> None:
        """Record whether image ``position``'s mask, as stored now, is labelled."""
        self._entries[position].labelled = bool(labelled)
        key = self._mask_key(position)
        stat = self.store.stat(key)
        if stat is None:
            self._labelled.pop(key, None)
        else:
            self._labelled[key] = [stat.tag, bool(labelled)]

    def write(
        self,
        position: int,
        mask: np.ndarray,
        classes: Sequence[str | LabelClass],
        instance_map: np.ndarray | None = None,
        instances: Sequence[Instance] = (),
        *,
        expected: StoreVersion | None = None,
    ) -> StoreVersion:
        """Save mask and objects as one unit; `ConflictError` if the mask changed since read.

        ``expected=None`` overwrites whatever is there.
        """
        classes = normalize_classes(classes)
        key = self._mask_key(position)
        _sized(np.asarray(mask), self._entries[position].shape, "mask")
        data = encode_mask(mask, classes, self.mask_format)
        digest = _digest(data)
        objects_key = self._objects_key(position, digest)
        if instances:
            self.store.put(objects_key, encode_objects(np.asarray(mask), instance_map, instances))
        written = self._commit(key, data, expected)
        prefix = f"{OBJECTS_FOLDER}/{self.images[position].stem}."
        for stat in self.store.list(prefix):
            if stat.key != objects_key or not instances:
                self.store.delete(stat.key)
        self.note_labelled(position, bool(np.any(mask)))
        self._save_state()
        return StoreVersion(written, digest)

    def write_beside(
        self,
        position: int,
        mask: np.ndarray,
        classes: Sequence[str | LabelClass],
        instance_map: np.ndarray | None = None,
        instances: Sequence[Instance] = (),
        *,
        path: str | None = None,
    ) -> str:
        """Save into ``conflicts/`` (a new ``<stem>.<time><format>`` unless ``path``).

        Returns the URL written (pass it as ``path`` to write there again).
        """
        classes = normalize_classes(classes)
        if path is None:
            tag = time.strftime("%Y%m%d-%H%M%S")
            key = f"{CONFLICTS_FOLDER}/{self.images[position].stem}.{tag}{self.mask_format}"
        else:
            key = path[len(self.store.url.rstrip("/")) + 1 :]
        if instances:
            objects = encode_objects(np.asarray(mask), instance_map, instances)
            self.store.put(key[: -len(self.mask_format)] + ".objects.npz", objects)
        self.store.put(key, encode_mask(mask, classes, self.mask_format))
        return self._url(key)

    # -- resume state ---------------------------------------------------------------------------

    def resume_position(self) -> int | None:
        """Position of the image that was open when the state was last written, if any."""
        for position, image in enumerate(self.images):
            if image.name == self._current_name:
                return position
        return None

    def write_state(self, current: int) -> None:
        """Record image ``current`` as the one to resume at (and the caches)."""
        self._current_name = self.images[current].name
        self._save_state()

    # -- helpers --------------------------------------------------------------------------------

    def _commit(self, key: str, data: bytes, expected: StoreVersion | None) -> str:
        """Write the mask: exclusive create or compare-and-swap against ``expected``."""
        url = self._url(key)
        if expected is None:
            return self.store.put(key, data).etag
        if not self.store.conditional_writes:  # check, then write (see the module docstring)
            stat = self.store.read(key).etag if self.store.stat(key) is not None else None
            if stat != expected.etag:
                raise ConflictError(url, _conflict_message(url, expected.etag, stat))
            return self.store.put(key, data).etag
        try:
            if expected.etag is None:
                return self.store.create(key, data).etag
            return self.store.replace(key, data, etag=expected.etag).etag
        except (ObjectExistsError, ObjectChangedError):
            stat = self.store.stat(key)
            raise ConflictError(
                url, _conflict_message(url, expected.etag, stat and stat.tag)
            ) from None

    def _scan_labelled(self, cached: dict) -> None:
        tags = {stat.key: stat.tag for stat in self.store.list("") if "/" not in stat.key}
        stale = []
        for position, entry in enumerate(self._entries):
            key = self._mask_key(position)
            hit = cached.get(key)
            if key not in tags:
                continue
            if isinstance(hit, list) and len(hit) == 2 and hit[0] == tags[key]:
                entry.labelled = bool(hit[1])
                self._labelled[key] = [tags[key], entry.labelled]
            else:
                stale.append(position)
        keys = [self._mask_key(position) for position in stale]
        blobs = self.store.read_many(keys)
        for position, key in zip(stale, keys, strict=True):
            blob = blobs.get(key)
            if blob is None:
                continue
            try:
                mask = decode_mask(blob.data, self.mask_format, n_classes=1 << 16, name=key)
            except ValueError:
                continue  # reported when the image is opened
            self._entries[position].labelled = bool(mask.any())
            self._labelled[key] = [tags[key], bool(mask.any())]

    def _read_state(self) -> dict:
        try:
            state = json.loads(self.store.read(STATE_KEY).data.decode("utf-8"))
        except (ObjectMissingError, UnicodeDecodeError, json.JSONDecodeError, RecursionError):
            return {}
        return state if isinstance(state, dict) and state.get("format") == _STATE_FORMAT else {}

    def _save_state(self) -> None:
        state = {
            "format": _STATE_FORMAT,
            "version": 1,
            "current": self._current_name,
            "labelled": self._labelled,
            "shapes": self._shapes.entries,
        }
        self.store.put(STATE_KEY, json.dumps(state, separators=(",", ":")).encode())

    def _mask_key(self, position: int) -> str:
        return self.images[position].stem + self.mask_format

    def _objects_key(self, position: int, digest: str) -> str:
        return f"{OBJECTS_FOLDER}/{self.images[position].stem}.{digest}.npz"

    def _url(self, key: str) -> str:
        return f"{self.store.url.rstrip('/')}/{key}"


def _digest(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=8).hexdigest()


def _sized(mask: np.ndarray, shape: tuple[int, int], name: str) -> np.ndarray:
    if tuple(mask.shape) != tuple(shape):
        raise ValueError(
            f"mask: expected the image's size, {shape[1]} x {shape[0]} (width x height); got "
            f"{mask.shape[1]} x {mask.shape[0]} (width x height) in {name!r}"
        )
    return mask


def _conflict_message(url: str, before: str | None, now: str | None) -> str:
    what = "appeared" if before is None else ("was removed" if now is None else "changed")
    return (
        f"{url!r} {what} since this image was opened or last saved (another annotator or "
        "tool saved it); nothing was written and your edits are kept: save(beside=True) "
        "writes them to the conflicts/ folder of the masks store, save(overwrite=True) "
        "replaces the other version"
    )
