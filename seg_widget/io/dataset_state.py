"""The resume-state file of a dataset's masks folder, and its cache of which masks are labelled.

``masks_dir/.seg_widget_state.json`` (written atomically) holds the file name of the image
that was open, so a new session resumes there, and per mask file its modification time, size
and whether it has a non-zero pixel, so reopening a big folder does not re-read every mask.
An unreadable state file (including JSON nested too deeply) is ignored with a warning.
"""

from __future__ import annotations

import json
import os
import warnings
from collections.abc import Callable

from seg_widget.io.atomic import atomic_writer
from seg_widget.io.image_list import ShapeCache
from seg_widget.io.json_files import read_json

__all__ = ["STATE_FILE_NAME", "STATE_FORMAT", "DatasetState"]

#: Name of the resume-state file inside ``masks_dir``.
STATE_FILE_NAME = ".seg_widget_state.json"
#: Value of its ``"format"`` key.
STATE_FORMAT = "seg-widget-dataset-state"


class DatasetState:
    """The state file at ``path``: the image to resume at and the labelled cache."""

    def __init__(self, path: str) -> None:
        self.path = path
        state = self._read()
        self._current = state.get("current")
        self._cached = state.get("labelled", {})
        self._stamps: dict[str, list] = {}
        #: Sizes of images read from a store (by URL and listing tag).
        self.shapes = ShapeCache(state.get("shapes"))

    @property
    def current(self) -> object:
        """The file name of the image that was open when the state was written, if any."""
        return self._current

    def labelled(self, mask_path: str, read: Callable[[], bool]) -> bool:
        """Whether ``mask_path`` has a non-zero pixel: cached per file version, else ``read()``."""
        stamp = _stamp_of(mask_path)
        if stamp is None:
            return False
        key = os.path.basename(mask_path)
        cached = self._cached.get(key)
        if isinstance(cached, list) and len(cached) == 3 and cached[:2] == stamp:
            labelled = bool(cached[2])
        else:
            labelled = read()
        self._stamps[key] = [*stamp, labelled]
        return labelled

    def remember(self, mask_path: str, labelled: bool) -> None:
        """Record the labelled status of the mask file as it is on disk now."""
        stamp = _stamp_of(mask_path)
        key = os.path.basename(mask_path)
        if stamp is None:
            self._stamps.pop(key, None)
        else:
            self._stamps[key] = [*stamp, bool(labelled)]

    def write(self, current: str) -> None:
        """Record ``current`` (an image's file name) as the one to resume at, with the cache."""
        self._current = current
        state = {"format": STATE_FORMAT, "version": 1, "current": current, "labelled": self._stamps}
        if self.shapes.entries:
            state["shapes"] = self.shapes.entries
        with atomic_writer(self.path, "w") as file:
            json.dump(state, file, separators=(",", ":"))

    def _read(self) -> dict:
        if not os.path.exists(self.path):
            return {}
        try:
            state = read_json(self.path)
        except ValueError as error:
            warnings.warn(f"ignoring an unreadable state file {self.path!r}: {error}", stacklevel=4)
            return {}
        if not isinstance(state, dict) or state.get("format") != STATE_FORMAT:
            warnings.warn(f"ignoring a state file of another format: {self.path!r}", stacklevel=4)
            return {}
        if not isinstance(state.get("labelled"), dict):
            state["labelled"] = {}
        return state


def _stamp_of(path: str) -> list | None:
    try:
        status = os.stat(path)
    except FileNotFoundError:
        return None
    return [status.st_mtime_ns, status.st_size]
