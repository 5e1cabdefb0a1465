"""A dataset in team mode: its images, and their masks in a team store.

`TeamDataset` is what ``DatasetAnnotator(..., annotator="alice")`` works on, without any
widget: the image list (`seg_widget.io.image_list`), and over one store the `Claims`,
`Versions`, `Reviews`, `Catalog` and `Drafts` of one annotator's session.

- **Opening** an image claims it first (a `ClaimTakenError` says who holds it until when),
  then loads its current version, and the annotator's draft if one was left (a killed
  kernel's unsaved edits). A draft that started from another version than the current one
  is returned as a conflict.
- **Listing** never reads a mask: labelled status and review state come from the catalog,
  image sizes from the shared size cache (``shapes/images.json``) or the image headers.
- **Exports** read it like a `seg_widget.io.dataset_index.DatasetIndex` (``read``,
  ``load_mask``, ``open_image``): the current version of each labelled image, one object per
  image (its objects file when it has one, else its mask), fetched `PREFETCH` at a time.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, replace
from typing import BinaryIO

import numpy as np

from seg_widget.core.classes import LabelClass, normalize_classes
from seg_widget.core.instances import Instance
from seg_widget.io.dataset_files import ConflictError, SavedVersion, StoredAnnotation
from seg_widget.io.dataset_index import DatasetImage, ProgressCallback
from seg_widget.io.image_list import ImageList, ShapeCache, is_url
from seg_widget.io.storage import LocalStore, ObjectMissingError, Store, open_store
from seg_widget.io.team.catalog import Catalog, ImageState
from seg_widget.io.team.claims import CLOCK_TOLERANCE, DEFAULT_LEASE_SECONDS, Claims
from seg_widget.io.team.codec import decode_mask, decode_objects
from seg_widget.io.team.drafts import Draft, Drafts
from seg_widget.io.team.layout import (
    SHAPES_KEY,
    check_annotator,
    check_stem,
    parse_version_key,
    pointer_key,
    session_key,
)
from seg_widget.io.team.lease import Lease
from seg_widget.io.team.records import CorruptRecordError, decode_record, encode_record
from seg_widget.io.team.review import Reviews
from seg_widget.io.team.versions import Current, SaveResult, Version, Versions

__all__ = ["PREFETCH", "Opened", "TeamConflictError", "TeamDataset"]

#: Objects an export fetches at once.
PREFETCH = 32


class TeamConflictError(ConflictError):
    """Someone else saved the image since its version was opened; both versions are kept.

    ``path`` is the URL of the image's pointer.
    """


@dataclass(frozen=True)
class Opened:
    """An image opened for editing: what to show, and what to save against."""

    #: Class ids to start from (the draft's, else the current version's), or None.
    mask: np.ndarray | None
    instance_map: np.ndarray | None
    instances: tuple[Instance, ...]
    #: The pointer to save against (None: the image had no version).
    base: Current | None
    #: The lease taken on the image.
    lease: Lease
    #: The annotator's unsaved draft, if one was restored.
    draft: Draft | None = None

    @property
    def draft_conflicts(self) -> bool:
        """Whether the restored draft started from another version than the current one."""
        if self.draft is None:
            return False
        current = self.base.version if self.base is not None else None
        if not self.draft.base_known:  # killed between the draft's two writes
            return current is not None
        return self.draft.base != current


class TeamDataset:
    """The images of a dataset and their masks in a team store (see the module docstring).

    Parameters
    ----------
    images : str, os.PathLike or sequence
        A glob pattern, folder or list of paths, local or URLs (`ImageList`).
    masks_dir : str or os.PathLike
        The team store: a folder, ``file://`` URL or ``s3://bucket/prefix``.
    classes : sequence of str or LabelClass
        The label classes.
    annotator : str
        Who works in this session.
    storage_options : dict, optional
        Passed to fsspec for URLs (images and store).
    lease_seconds : float
        How long a claim lasts without renewal (at least 1 s). Another annotator may take
        it over `CLOCK_TOLERANCE` seconds after it expired (half the lease if shorter).
    mask_format : {".png", ".npy", ".npz"}
        Format of new versions.
    progress : callable, optional
        ``progress(done, total)`` while image headers are read.

    Raises
    ------
    ConditionalWritesError
        For a store without exclusive create and compare-and-swap.
    StoreUnreachableError, StoreAccessError, StoreError
        For a store that does not answer, refuses the credentials, or has no such bucket.
    ValueError
        For images that cannot be listed or names keys cannot hold.

    """

    def __init__(
        self,
        images: object,
        masks_dir: object,
        classes: Sequence[str | LabelClass],
        *,
        annotator: str,
        storage_options: dict | None = None,
        lease_seconds: float = DEFAULT_LEASE_SECONDS,
        mask_format: str = ".png",
        progress: ProgressCallback | None = None,
    ) -> None:
        self.annotator = check_annotator(annotator)
        self.classes = normalize_classes(classes)
        options = dict(storage_options or {})
        self.store: Store = open_store(masks_dir, **(options if is_url(masks_dir) else {}))
        short = isinstance(lease_seconds, (int, float)) and lease_seconds < 2 * CLOCK_TOLERANCE
        tolerance = lease_seconds / 2 if short else CLOCK_TOLERANCE  # for short test leases
        self.claims = Claims(self.store, annotator, seconds=lease_seconds, tolerance=tolerance)
        self.versions = Versions(self.store, annotator, self.classes, mask_format=mask_format)
        self.reviews = Reviews(self.store, annotator)
        self.catalog = Catalog(self.store, annotator)
        self.drafts = Drafts(self.store, annotator, self.classes)
        shapes = self._read_shapes()
        self.images = ImageList(
            images,
            storage_options=options,
            progress=progress,
            shape_cache=shapes,
            exclude_under=[store_folder(self.store)],
        )
        if shapes.changed:
            self.store.put(SHAPES_KEY, encode_record("shapes", {"entries": shapes.entries}))
        if not len(self.images):
            raise ValueError(
                f"images: expected at least one readable image; got none from {images!r}"
                + (f" ({len(self.skipped)} skipped)" if self.skipped else "")
            )
        self.stems = [check_stem(entry.stem) for entry in self.images]
        self.states: dict[str, ImageState] = {}
        self._prefetched: dict[str, object] = {}
        self._resume_written: str | None = None
        self.rescan()

    # -- the images, as a DatasetIndex shows them ---------------------------------------------

    def __len__(self) -> int:
        return len(self.images)

    def __getitem__(self, position: int) -> DatasetImage:
        image = self.images[position]
        state = self.states.get(image.stem)
        labelled = state is not None and state.labelled
        return DatasetImage(image.path, self.pointer_url(position), image.shape, labelled)

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
        """Images whose current version has a labelled pixel (from the catalog)."""
        return sum(self.states[stem].labelled for stem in self.stems if stem in self.states)

    def state(self, position: int) -> ImageState:
        """Return the team state of image ``position`` as of the last `rescan`."""
        return self.states.get(self.stems[position]) or ImageState(self.stems[position])

    def pointer_url(self, position: int) -> str:
        """URL of the pointer to image ``position``'s current version."""
        return f"{self.store.url.rstrip('/')}/{pointer_key(self.stems[position])}"

    def position_of(self, target: object) -> int:
        """Position of an index, an image path or URL, or a file name (see `ImageList`)."""
        return self.images.position_of(target)

    def load_image(self, position: int) -> np.ndarray:
        """Decode image ``position``."""
        return self.images.load(position)

    def open_image(self, position: int) -> AbstractContextManager[BinaryIO]:
        """Open image ``position``'s file for reading its bytes."""
        return self.images.open(position)

    def rescan(self) -> list[str]:
        """Re-read the catalog (only records that changed); return the problems it found."""
        self.states = self.catalog.scan(self.stems)
        return [state.problem for state in self.states.values() if state.problem]

    # -- working on an image ---------------------------------------------------------------------

    def open(self, position: int) -> Opened:
        """Claim image ``position`` and load what to edit (see the module docstring).

        Raises
        ------
        ClaimTakenError
            If someone else holds the image.
        ValueError
            For an unreadable version or draft, or one of another size than the image
            (the claim is released again).

        """
        stem, shape = self.stems[position], self.images[position].shape
        lease = self.claims.claim(stem)
        try:
            loaded = self.versions.load(stem)
            mask = instance_map = None
            instances: tuple[Instance, ...] = ()
            base = None
            if loaded is not None:
                mask, base = _checked_size(loaded.mask, shape, loaded.version), loaded.current
                if loaded.objects is not None and loaded.objects.instances:
                    instance_map = _checked_size(
                        loaded.objects.instance_map, shape, loaded.current.objects
                    )
                    instances = loaded.objects.instances
            draft = self.drafts.read(stem, shape)
        except BaseException:
            self.claims.release(stem)
            raise
        if draft is not None:
            mask, instance_map, instances = draft.mask, draft.instance_map, draft.instances
        return Opened(mask, instance_map, instances, base, lease, draft)

    def save(
        self,
        position: int,
        mask: np.ndarray,
        instance_map: np.ndarray | None,
        instances: Sequence[Instance],
        *,
        base: Current | None,
    ) -> SaveResult:
        """Store the edits as a new version; move the pointer unless someone else did first.

        The draft is deleted once the version is stored (it is in the version now).
        """
        stem = self.stems[position]
        objects = (instance_map, instances) if instances else None
        result = self.versions.save(stem, mask, base=base, objects=objects)
        self.drafts.delete(stem)
        self.note_current(result)
        return result

    def note_current(self, result: SaveResult) -> None:
        """Update the catalog's state of an image after this session moved its pointer."""
        current = result.current
        if result.conflict or current is None:
            return
        old = self.states.get(current.stem) or ImageState(current.stem)
        self.states[current.stem] = replace(
            old,
            labelled=current.labelled,
            annotator=current.annotator,
            version=current.version,
            objects=current.objects,
        )

    def save_draft(
        self,
        position: int,
        mask: np.ndarray,
        instance_map: np.ndarray | None,
        instances: Sequence[Instance],
        *,
        base: str | None,
    ) -> None:
        """Overwrite this annotator's draft of image ``position`` (an autosave)."""
        self.drafts.write(self.stems[position], mask, instance_map, instances, base=base)

    def release(self, position: int) -> None:
        """Give up the claim of image ``position``."""
        self.claims.release(self.stems[position])

    def close(self) -> None:
        """Release every claim of this session."""
        self.claims.release_all()

    def latest_versions(self, position: int) -> dict[str, Version]:
        """Each annotator's newest version of image ``position``, by name."""
        from seg_widget.io.team.agreement import latest_by_annotator

        return latest_by_annotator(self.versions.history(self.stems[position]))

    def load_version(self, position: int, key: str) -> np.ndarray:
        """Return the class mask of version ``key`` of image ``position`` (size checked)."""
        loaded = self.versions.load(self.stems[position], version=key)
        assert loaded is not None  # a named version loads or raises
        return _checked_size(loaded.mask, self.images[position].shape, key)

    # -- resume state ----------------------------------------------------------------------------

    def resume_position(self) -> int | None:
        """Return the image this annotator had open last, if it is still in the dataset."""
        try:
            blob = self.store.read(session_key(self.annotator))
            name = decode_record(blob, self.store, "session", "").text("current")
        except (ObjectMissingError, CorruptRecordError):
            return None
        matches = [i for i, image in enumerate(self.images) if image.name == name]
        return matches[0] if matches else None

    def write_state(self, position: int) -> None:
        """Record image ``position`` as the one this annotator resumes at."""
        name = self.images[position].name
        if name != self._resume_written:
            record = encode_record("session", {"current": name})
            self.store.put(session_key(self.annotator), record)
            self._resume_written = name

    # -- exports ----------------------------------------------------------------------------------

    def read(self, position: int, classes: Sequence[str | LabelClass]) -> StoredAnnotation:
        """Return the current version of image ``position`` as an export reads it (no claim)."""
        state = self.state(position)
        if state.version is None or not state.labelled:
            return StoredAnnotation(None, None, (), SavedVersion(), None)
        key = state.objects or state.version
        if key not in self._prefetched:
            self._prefetch(position)
        blob = self._prefetched.pop(key, None)
        if blob is None:
            blob = self.store.read(key)
        shape, count = self.images[position].shape, len(normalize_classes(classes))
        if state.objects is not None:
            objects = decode_objects(blob.data, name=key, shape=shape, n_classes=count)
            instance_map = objects.instance_map if objects.instances else None
            return StoredAnnotation(
                objects.mask, instance_map, objects.instances, SavedVersion(), None
            )
        name = parse_version_key(key)
        mask = decode_mask(blob.data, name.extension, n_classes=count, name=key)
        return StoredAnnotation(_checked_size(mask, shape, key), None, (), SavedVersion(), None)

    def load_mask(self, position: int, n_classes: int) -> np.ndarray | None:
        """Return the current class mask of image ``position`` (None if it has no version)."""
        return self.read(position, [str(i) for i in range(n_classes)]).mask

    def note_labelled(self, position: int, labelled: bool) -> None:
        """Nothing to do: labelled status lives in the pointers."""

    def _prefetch(self, position: int) -> None:
        keys = []
        for later in range(position, len(self.stems)):
            state = self.state(later)
            if state.version is not None and state.labelled:
                keys.append(state.objects or state.version)
                if len(keys) == PREFETCH:
                    break
        self._prefetched = {
            key: blob for key, blob in self.store.read_many(keys).items() if blob is not None
        }

    def _read_shapes(self) -> ShapeCache:
        try:
            blob = self.store.read(SHAPES_KEY)
            entries = decode_record(blob, self.store, "shapes", "").document.get("entries")
        except (ObjectMissingError, CorruptRecordError, json.JSONDecodeError):
            return ShapeCache()
        return ShapeCache(entries)


def store_folder(store: Store) -> str:
    """Return the folder (path or URL) of a store's objects: never a source of images."""
    return store.root if isinstance(store, LocalStore) else store.url


def _checked_size(array: np.ndarray, shape: tuple[int, int], name: object) -> np.ndarray:
    if tuple(array.shape) != tuple(shape):
        raise ValueError(
            f"mask: expected the image's size, {shape[1]} x {shape[0]} (width x height); got "
            f"{array.shape[1]} x {array.shape[0]} (width x height) in {name!r}"
        )
    return array
