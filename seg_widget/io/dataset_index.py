"""A dataset folder: its images, where their masks go, which are labelled, where work resumes.

Pure Python (no ipywidgets); `seg_widget.widget.dataset.DatasetAnnotator` shows it.

- **Images** come from a glob pattern, a folder or a list of paths (see
  `seg_widget.io.image_files.list_images`), or from URLs of an fsspec store
  (`seg_widget.io.image_list.ImageList`; their sizes are cached in the state file). Hidden
  files (``.name``) and ``*.tmp`` files, such as those a killed atomic write leaves behind,
  are never images. Only the header of each image is read while scanning (its size), so
  scanning is cheap; a file that cannot be read as an image is skipped with a warning, never
  an exception.
- **Masks** live flat in ``masks_dir`` as ``<image stem><mask_format>``; objects and saves
  beside a changed mask in its subfolders (`seg_widget.io.dataset_files`: a save of mask and
  objects is one unit, and a save over a file that changed on disk since it was read is
  refused). Every path must resolve inside ``masks_dir`` (a symbolic link pointing
  elsewhere is refused), two images may not share a stem, and a mask may never be the
  image itself.
- **Opening** removes the temporary files killed writes left in ``masks_dir`` and its
  subfolders (only names of `seg_widget.io.atomic`'s pattern no live writer holds).
- **Labelled** means: the mask file exists and has a non-zero pixel. It is read once per
  mask file version: the answer is cached in the state file with the file's size and
  modification time, and updated on every save and export. Reading a mask checks its
  declared size against the image's before decoding it.
- **State**: ``masks_dir/.seg_widget_state.json`` (`seg_widget.io.dataset_state`) holds the
  current image's file name, so a new session resumes there, and the labelled cache.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import BinaryIO

import numpy as np

from seg_widget.core.classes import LabelClass, normalize_classes
from seg_widget.core.instances import Instance
from seg_widget.io._paths import as_path
from seg_widget.io.atomic import remove_stale_temporaries
from seg_widget.io.dataset_files import (
    CONFLICTS_FOLDER,
    LEGACY_OBJECTS_SUFFIX,
    OBJECTS_FOLDER,
    ImageFiles,
    SavedVersion,
    StoredAnnotation,
)
from seg_widget.io.dataset_state import STATE_FILE_NAME, DatasetState
from seg_widget.io.image_list import ImageList
from seg_widget.io.masks import MASK_EXTENSIONS, load_mask

__all__ = ["STATE_FILE_NAME", "DatasetImage", "DatasetIndex", "ProgressCallback"]


#: ``progress(done, total)``, called while scanning or exporting.
ProgressCallback = Callable[[int, int], None]


@dataclass
class DatasetImage:
    """One image of a dataset: its file, its mask file, its size and whether it is labelled."""

    #: Absolute path of the image file.
    path: str
    #: Absolute path of its mask, inside ``masks_dir``.
    mask_path: str
    #: ``(height, width)`` read from the file header.
    shape: tuple[int, int]
    #: Whether the mask file exists and has a non-zero pixel.
    labelled: bool = False

    @property
    def name(self) -> str:
        """The image's file name."""
        return os.path.basename(self.path)


class DatasetIndex:
    """The images of a dataset, their mask paths, labelled status and resume state.

    Parameters
    ----------
    images : str, os.PathLike or sequence of paths
        A glob pattern, a folder or a list of image paths (see `list_images`).
    masks_dir : str or os.PathLike
        Folder of the masks; created if missing.
    mask_format : {".png", ".npy", ".npz"}
        Extension (and so format) of the mask files.
    progress : callable, optional
        ``progress(done, total)`` while scanning.

    Raises
    ------
    ValueError
        Naming the path: a mask path resolving outside ``masks_dir`` (or onto its image),
        two images with the same stem, a state file pointing outside ``masks_dir``, or no
        readable image at all. Unreadable images are skipped with a warning instead
        (`skipped` lists them).

    Examples
    --------
    >>> import os, tempfile
    >>> import numpy as np
    >>> from PIL import Image
    >>> folder = tempfile.mkdtemp()
    >>> Image.fromarray(np.zeros((4, 6), np.uint8)).save(os.path.join(folder, "a.png"))
    >>> index = DatasetIndex(folder, os.path.join(folder, "masks"))
    >>> len(index), index[0].shape, index.labelled_count
    (1, (4, 6), 0)

    """

    def __init__(
        self,
        images: object,
        masks_dir: str | os.PathLike,
        *,
        mask_format: str = ".png",
        progress: ProgressCallback | None = None,
        storage_options: dict | None = None,
    ) -> None:
        if mask_format not in MASK_EXTENSIONS:
            raise ValueError(f"mask_format: expected one of {MASK_EXTENSIONS}; got {mask_format!r}")
        self.masks_dir = os.path.abspath(as_path(masks_dir, argument="masks_dir"))
        if os.path.exists(self.masks_dir) and not os.path.isdir(self.masks_dir):
            raise ValueError(f"masks_dir: expected a folder; got the file {self.masks_dir!r}")
        os.makedirs(self.masks_dir, exist_ok=True)
        self.mask_format = mask_format
        self.state_path = self._inside_masks_dir(STATE_FILE_NAME)
        #: Temporary files of killed writes removed on opening (names inside masks_dir).
        self.removed_temporaries = [
            os.path.join(sub, name) if sub else name
            for sub in ("", OBJECTS_FOLDER, CONFLICTS_FOLDER)
            for name in remove_stale_temporaries(os.path.join(self.masks_dir, sub))
        ]
        self._state = DatasetState(self.state_path)
        #: The image files (local, or objects of a store named by URLs).
        self.images = ImageList(
            images,
            storage_options=storage_options,
            masks_dir=self.masks_dir,
            mask_format=mask_format,
            progress=progress,
            shape_cache=self._state.shapes,
        )
        #: Images that could not be read, with the reason: ``{path: message}``.
        self.skipped: dict[str, str] = self.images.skipped
        self._entries: list[DatasetImage] = []
        self._files: list[ImageFiles] = []
        self._image_paths = {
            os.path.realpath(entry.path) for entry in self.images if not self.images.remote
        }
        for image in self.images:
            mask_path = self._mask_path_of(image.path, image.stem)
            entry = DatasetImage(image.path, mask_path, image.shape)
            entry.labelled = self._labelled_on_disk(entry)
            self._entries.append(entry)
            self._files.append(
                ImageFiles(self.masks_dir, image.stem, mask_format, check_path=self._check_writable)
            )
        # An old-style objects file <stem>.objects.npz may be another image's .npz mask.
        mask_names = {os.path.basename(e.mask_path).casefold() for e in self._entries}
        self._legacy_objects = [
            (files.stem + LEGACY_OBJECTS_SUFFIX).casefold() not in mask_names
            for files in self._files
        ]
        if not self._entries:
            raise ValueError(
                f"images: expected at least one readable image; got none from {images!r}"
                + (f" ({len(self.skipped)} skipped)" if self.skipped else "")
            )

    # -- the images -------------------------------------------------------------------------

    def __len__(self) -> int:
        return len(self._entries)

    def __getitem__(self, position: int) -> DatasetImage:
        return self._entries[position]

    @property
    def labelled_count(self) -> int:
        """Number of images whose mask file exists and has a non-zero pixel."""
        return sum(entry.labelled for entry in self._entries)

    def position_of(self, target: object) -> int:
        """Return the position of ``target``: an index, an image path (or URL) or file name.

        An index may be negative (counting from the end); a file name must match exactly
        one image.

        Raises
        ------
        ValueError
            For an index out of range or a path that is not one of the dataset's images.

        """
        return self.images.position_of(target)

    def load_image(self, position: int) -> np.ndarray:
        """Decode image ``position`` (a ValueError names an undecodable file)."""
        return self.images.load(position)

    def open_image(self, position: int) -> AbstractContextManager[BinaryIO]:
        """Open image ``position``'s file for reading its bytes (for exports that copy it)."""
        return self.images.open(position)

    # -- masks -------------------------------------------------------------------------------

    def load_mask(self, position: int, n_classes: int) -> np.ndarray | None:
        """Load the mask of image ``position`` if it exists, checking ids and size.

        Raises
        ------
        ValueError
            For an unreadable mask, ids ``>= n_classes``, or a size other than the image's
            (naming both sizes and the file), checked before the file is decoded.

        """
        entry = self._entries[position]
        self._check_inside(entry.mask_path)
        if not os.path.exists(entry.mask_path):
            return None
        return load_mask(entry.mask_path, n_classes=n_classes, shape=entry.shape)

    def read(self, position: int, classes: Sequence[str | LabelClass]) -> StoredAnnotation:
        """Read the mask of image ``position`` with its objects, as on disk now.

        Also refreshes the image's labelled status. See
        `seg_widget.io.dataset_files.ImageFiles.read`.
        """
        entry = self._entries[position]
        self._check_inside(entry.mask_path)
        stored = self._files[position].read(
            entry.shape,
            normalize_classes(classes),
            legacy_objects=self._legacy_objects[position],
        )
        entry.labelled = stored.mask is not None and bool(stored.mask.any())
        self._remember(entry)
        return stored

    def note_labelled(self, position: int, labelled: bool) -> None:
        """Record whether image ``position``'s mask, as just read from disk, is labelled."""
        entry = self._entries[position]
        entry.labelled = bool(labelled)
        self._remember(entry)

    def write(
        self,
        position: int,
        mask: np.ndarray,
        classes: Sequence[str | LabelClass],
        instance_map: np.ndarray | None = None,
        instances: Sequence[Instance] = (),
        *,
        expected: SavedVersion | None = None,
    ) -> SavedVersion:
        """Save the mask of image ``position`` and its objects as one unit; record labelled.

        ``expected``: the version last read or written; if the files changed on disk since,
        `seg_widget.io.dataset_files.ConflictError` is raised and nothing is written (None:
        overwrite). Returns the new version.
        """
        entry = self._entries[position]
        if tuple(mask.shape) != entry.shape:
            raise ValueError(
                f"mask: expected the size of image {entry.path!r}, {_size_text(entry.shape)}; "
                f"got {_size_text(mask.shape)}"
            )
        self._check_inside(entry.mask_path)
        version = self._files[position].write(
            mask,
            normalize_classes(classes),
            instance_map,
            instances,
            expected=expected,
            legacy_objects=self._legacy_objects[position],
        )
        entry.labelled = bool(np.any(mask))
        self._remember(entry)
        return version

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
        """Save into ``masks_dir/conflicts/`` instead of over the image's mask; return the path.

        A new ``<stem>.<date-time><format>`` unless ``path`` (a path this returned before)
        is given; the objects, if any, beside it as ``.objects.npz``.
        """
        files = self._files[position]
        return files.write_beside(
            mask, normalize_classes(classes), instance_map, instances, path=path
        )

    def save_mask(
        self,
        position: int,
        mask: np.ndarray,
        classes: Sequence[str | LabelClass],
        *,
        labelled: bool | None = None,
    ) -> None:
        """Save the mask of image ``position`` (without objects) atomically, overwriting.

        ``labelled`` is accepted for compatibility; it is computed from ``mask``.
        """
        self.write(position, mask, classes)

    # -- resume state ----------------------------------------------------------------------

    def resume_position(self) -> int | None:
        """Position of the image that was current when the state was last written, if any."""
        for position, entry in enumerate(self._entries):
            if entry.name == self._state.current:
                return position
        return None

    def write_state(self, current: int) -> None:
        """Record image ``current`` as the one to resume at (and the labelled cache)."""
        self._check_inside(self.state_path)
        self._state.write(self._entries[current].name)

    # -- helpers -----------------------------------------------------------------------------

    def _mask_path_of(self, image_path: str, stem: str) -> str:
        if (
            not stem
            or stem in (".", "..")
            or "\0" in stem
            or any(separator and separator in stem for separator in (os.sep, os.altsep))
        ):
            raise ValueError(
                f"images: expected a file name that makes a mask name; got {image_path!r}"
            )
        mask_path = self._inside_masks_dir(stem + self.mask_format)
        if not self.images.remote and os.path.realpath(mask_path) == os.path.realpath(image_path):
            raise ValueError(
                f"masks_dir: expected mask files apart from the images; the mask of "
                f"{image_path!r} would be the image itself"
            )
        return mask_path

    def _inside_masks_dir(self, file_name: str) -> str:
        path = os.path.join(self.masks_dir, file_name)
        self._check_inside(path)
        return path

    def _check_writable(self, path: str) -> None:
        """Refuse a generated path outside ``masks_dir`` or onto one of the images."""
        self._check_inside(path)
        if os.path.realpath(path) in self._image_paths:
            raise ValueError(f"path: expected a file apart from the images; got the image {path!r}")

    def _check_inside(self, path: str) -> None:
        """Refuse a path that resolves (symbolic links followed) outside ``masks_dir``."""
        root = os.path.realpath(self.masks_dir)
        real = os.path.realpath(path)
        if real == root or os.path.commonpath([root, real]) != root:
            raise ValueError(
                f"path: expected a file inside masks_dir {self.masks_dir!r}; got {path!r}, "
                f"which resolves to {real!r}"
            )

    def _labelled_on_disk(self, entry: DatasetImage) -> bool:
        """Whether the mask exists with a non-zero pixel; read only if the cache is stale."""

        def read() -> bool:
            try:
                return bool(load_mask(entry.mask_path, shape=entry.shape).any())
            except ValueError as error:
                warnings.warn(f"cannot read a mask: {error}", stacklevel=6)
                return False

        return self._state.labelled(entry.mask_path, read)

    def _remember(self, entry: DatasetImage) -> None:
        self._state.remember(entry.mask_path, entry.labelled)


def _size_text(shape: tuple[int, ...]) -> str:
    height, width = (int(n) for n in shape[:2])
    return f"{width} x {height} (width x height)"
