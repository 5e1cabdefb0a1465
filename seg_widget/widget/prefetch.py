"""Decode the images next to the open one in the background, so Next and Previous need not.

The `Navigator` of a `DatasetAnnotator` asks for the neighbours of the image it just opened
(`ImagePrefetch.ahead`); one worker thread decodes them (Pillow releases the interpreter
while it decodes; a store's bytes are fetched there too) and keeps the results. Opening an
image takes its decoded pixels if they are ready and the file is unchanged since (a local
file's size and modification time; a store's images are taken as listed), waits if the
decoding is under way, and otherwise decodes in the caller's thread, which also raises the
usual error for a bad file.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Hashable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor

import numpy as np

from ..io.image_list import is_url

logger = logging.getLogger("seg_widget")

#: Decoded images larger than this are not kept ahead (two neighbours at most are kept).
MAX_PREFETCH_BYTES = 512 * 2**20


def file_version(path: str) -> Hashable | None:
    """Return what tells versions of an image file apart: ``(size, mtime)``; None if unreadable.

    A store's objects (URLs) are read as listed when the dataset was opened: one version.
    """
    if is_url(path):
        return "listed"
    try:
        status = os.stat(path)
    except OSError:
        return None
    return status.st_size, status.st_mtime_ns


class ImagePrefetch:
    """Decode images ahead in one worker thread; hand them out when they are opened.

    Parameters
    ----------
    load : callable
        ``load(position) -> ndarray``, the decoder (the dataset's ``load_image``).
    path_of : callable
        ``path_of(position) -> str``, the image's path or URL (its version is checked).

    """

    def __init__(self, load: Callable[[int], np.ndarray], path_of: Callable[[int], str]) -> None:
        self._load = load
        self._path_of = path_of
        self._executor: ThreadPoolExecutor | None = None
        self._pending: dict[int, tuple[Hashable | None, Future]] = {}

    def ahead(self, positions: Iterable[int]) -> None:
        """Decode these images in the background; forget any other image decoded ahead."""
        wanted = list(dict.fromkeys(positions))
        for position in list(self._pending):
            if position not in wanted:
                self._pending.pop(position)[1].cancel()
        if self._executor is None:
            self._executor = ThreadPoolExecutor(
                max_workers=1, thread_name_prefix="seg-widget-prefetch"
            )
        for position in wanted:
            if position not in self._pending:
                version = file_version(self._path_of(position))
                future = self._executor.submit(self._decode, position)
                self._pending[position] = (version, future)

    def take(self, position: int) -> np.ndarray:
        """Return image ``position`` decoded: from the background if ready and unchanged."""
        version, future = self._pending.pop(position, (None, None))
        if (
            future is not None
            and version is not None
            and version == file_version(self._path_of(position))
        ):
            try:
                image = future.result()
            except Exception:  # decode again here: the caller gets the usual error
                logger.debug("seg-widget: prefetching image %d failed", position, exc_info=True)
            else:
                if image is not None:
                    return image
        return self._load(position)

    def close(self) -> None:
        """Drop everything decoded ahead and stop the worker (without waiting for it)."""
        for _, future in self._pending.values():
            future.cancel()
        self._pending.clear()
        if self._executor is not None:
            self._executor.shutdown(wait=False, cancel_futures=True)
            self._executor = None

    def _decode(self, position: int) -> np.ndarray | None:
        image = self._load(position)
        return image if image.nbytes <= MAX_PREFETCH_BYTES else None


__all__ = ["MAX_PREFETCH_BYTES", "ImagePrefetch", "file_version"]
