"""How a single annotator's masks are read and saved: one mask (and objects) per image.

`FolderSession` is the collaborator `DatasetAnnotator` uses without ``annotator=``: over a
`seg_widget.io.dataset_index.DatasetIndex` (a local folder) or a
`seg_widget.io.store_dataset.StoreDataset` (the same layout in a bucket). It remembers what
the open image's files were when they were read or written, so a save over files that
changed meanwhile is refused (`seg_widget.io.dataset_files.ConflictError`) unless the user
saves beside or overwrites on purpose.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from typing import Any, NamedTuple

from ..core.classes import LabelClass
from ..io.dataset_files import SavedVersion

#: The filters of Previous / Next without team mode.
FOLDER_FILTERS = ("all", "unlabelled")


class OpenedMask(NamedTuple):
    """What an image opens with: its stored class mask and objects (None: nothing stored)."""

    mask: Any
    instance_map: Any
    instances: tuple


class FolderSession:
    """Read and save the masks of one annotator (see the module docstring).

    Parameters
    ----------
    dataset : DatasetIndex or StoreDataset
        The images and their mask files.
    classes : sequence of LabelClass
        The label classes.
    show_status, show_warning : callable
        Show a short message next to the file name; show (and emit) a warning.

    """

    filters = FOLDER_FILTERS

    def __init__(
        self,
        dataset: Any,
        classes: Sequence[LabelClass],
        *,
        show_status: Callable[[str], None],
        show_warning: Callable[[str], None],
    ) -> None:
        self.dataset = dataset
        self._classes = tuple(classes)
        self._show_status = show_status
        self._show_warning = show_warning
        self._position = -1
        self._version = self._pending = SavedVersion()
        self._beside_path: str | None = None
        self._saved: tuple = (None, None)

    # -- opening and leaving ---------------------------------------------------------------------

    def open(self, position: int) -> OpenedMask:
        """Read image ``position``'s mask and objects (ValueError for an unreadable mask)."""
        stored = self.dataset.read(position, self._classes)
        if stored.problem is not None:
            self._show_warning(stored.problem)
        self._pending = stored.version
        instance_map = stored.instance_map
        return OpenedMask(
            stored.mask, instance_map, stored.instances if instance_map is not None else ()
        )

    def opened(self, position: int, widget: Any) -> str:
        """Note that ``widget`` now shows image ``position``; return a status message."""
        self._position = position
        self._version, self._beside_path = self._pending, None
        self._saved = (widget.edit_count, widget.instances)
        return ""

    def abandon(self, position: int) -> None:
        """Nothing to undo: opening an image took nothing."""

    def leave(self, position: int) -> None:
        """Nothing to give back: another image is open now."""

    def rescan(self) -> None:
        """Nothing to re-read: the folder's state is read as images open and save."""

    def edited(self) -> None:
        """Nothing to do on an edit (autosave decides when to save)."""

    def close(self) -> None:
        """Nothing to give back."""

    def matches(self, position: int, filter_name: str) -> bool:
        """Whether image ``position`` passes the Previous / Next filter."""
        return filter_name != "unlabelled" or not self.dataset[position].labelled

    # -- saving ----------------------------------------------------------------------------------

    def changed(self, widget: Any) -> bool:
        """Whether the mask or objects changed since they were read or saved."""
        return (widget.edit_count, widget.instances) != self._saved

    def save(self, widget: Any, *, beside: bool = False, overwrite: bool = False) -> bool:
        """Save mask and objects as one unit if they changed; see `DatasetAnnotator.save`."""
        if not self.changed(widget):
            return False
        count, objects = widget.edit_count, widget.instances
        instance_map = widget.instance_mask if objects else None
        if beside or (self._beside_path is not None and not overwrite):
            self._beside_path = self.dataset.write_beside(
                self._position,
                widget.mask,
                self._classes,
                instance_map,
                objects,
                path=self._beside_path,
            )
            self._show_status(f"saved beside: {os.path.basename(self._beside_path)}")
        else:
            self._version = self.dataset.write(
                self._position,
                widget.mask,
                self._classes,
                instance_map,
                objects,
                expected=None if overwrite else self._version,
            )
            self._beside_path = None
        self._saved = (count, objects)
        return True

    def autosave(self, widget: Any) -> bool:
        """Save (an autosave is a save here)."""
        return self.save(widget)
