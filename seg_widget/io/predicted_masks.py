"""Model predictions of a dataset, kept apart from the human masks.

Layout in ``masks_dir``::

    <stem><mask_format>             the human mask (what the annotator saves; exported)
    predicted/<stem><mask_format>   what a model predicted (`DatasetAnnotator.pre_annotate`)

An image's state follows from these files, so it survives restarts:

- **human-checked** (*labelled*): its human mask has a labelled pixel, whatever was predicted;
- **predicted**: it has a prediction and is not labelled — a proposal waiting for a human;
- **unlabelled**: neither.

A prediction is never read as a human mask and never exported (COCO, VOC and YOLO exports
read the human masks only); it stays after a human mask is saved, as the record of what the
model said (to measure how often the human had to correct it). Writes are atomic; every path
must resolve inside ``masks_dir`` (a symbolic link leading out is refused) and may not be
one of the dataset's images.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence

import numpy as np

from seg_widget.core.classes import LabelClass
from seg_widget.io._paths import as_path
from seg_widget.io.atomic import remove_stale_temporaries
from seg_widget.io.masks import MASK_EXTENSIONS, load_mask, save_mask

__all__ = ["PREDICTED_FOLDER", "PredictedMasks"]

#: Subfolder of ``masks_dir`` holding the predictions.
PREDICTED_FOLDER = "predicted"


class PredictedMasks:
    """The predictions folder of a dataset: one class-id mask per image stem.

    Parameters
    ----------
    masks_dir : str or os.PathLike
        The dataset's masks folder; predictions go to its ``predicted/`` subfolder, made
        on the first write.
    mask_format : {".png", ".npy", ".npz"}
        Format of the prediction files (the dataset's mask format).
    image_paths : iterable of str
        The dataset's images, which a prediction file may never be.

    Raises
    ------
    ValueError
        For an unknown ``mask_format``, or a ``predicted`` folder that resolves outside
        ``masks_dir``.

    Examples
    --------
    >>> import tempfile
    >>> store = PredictedMasks(tempfile.mkdtemp(), ".png")
    >>> store.write("cat_1", np.eye(3, dtype=np.uint8), ["unlabelled", "cat"])
    >>> store.has("cat_1"), int(store.read("cat_1", (3, 3), 2).sum())
    (True, 3)

    """

    def __init__(
        self, masks_dir: str | os.PathLike, mask_format: str, image_paths: Iterable[str] = ()
    ) -> None:
        if mask_format not in MASK_EXTENSIONS:
            raise ValueError(f"mask_format: expected one of {MASK_EXTENSIONS}; got {mask_format!r}")
        self.masks_dir = os.path.abspath(as_path(masks_dir, argument="masks_dir"))
        self.mask_format = mask_format
        #: The folder of the predictions.
        self.folder = os.path.join(self.masks_dir, PREDICTED_FOLDER)
        self._images = {os.path.realpath(path) for path in image_paths}
        self._check(self.folder)
        self._stems: set[str] = set()
        if os.path.isdir(self.folder):
            remove_stale_temporaries(self.folder)
            for name in os.listdir(self.folder):
                stem, extension = os.path.splitext(name)
                if extension == mask_format and not name.startswith("."):
                    self._stems.add(stem)

    def __len__(self) -> int:
        return len(self._stems)

    def has(self, stem: str) -> bool:
        """Whether image ``stem`` has a prediction (as found on opening, or written since)."""
        return stem in self._stems

    def path(self, stem: str) -> str:
        """Return the prediction file of image ``stem`` (it may not exist)."""
        path = os.path.join(self.folder, stem + self.mask_format)
        self._check(path)
        return path

    def read(self, stem: str, shape: tuple[int, int], n_classes: int) -> np.ndarray | None:
        """Return the prediction of image ``stem`` (None without one).

        Raises
        ------
        ValueError
            Naming the file: unreadable, ids ``>= n_classes``, or a size other than ``shape``
            (checked before decoding).

        """
        path = self.path(stem)
        if not os.path.exists(path):
            self._stems.discard(stem)
            return None
        return load_mask(path, n_classes=n_classes, shape=shape)

    def write(self, stem: str, mask: np.ndarray, classes: Sequence[str | LabelClass]) -> None:
        """Save ``mask`` as the prediction of image ``stem``, atomically (replacing one)."""
        path = self.path(stem)
        os.makedirs(self.folder, exist_ok=True)
        self._check(self.folder)
        save_mask(path, mask, classes)
        self._stems.add(stem)

    def remove(self, stem: str) -> None:
        """Delete the prediction of image ``stem``, if any."""
        path = self.path(stem)
        try:
            os.remove(path)
        except FileNotFoundError:
            pass
        self._stems.discard(stem)

    def _check(self, path: str) -> None:
        root = os.path.realpath(self.masks_dir)
        real = os.path.realpath(path)
        if real == root or os.path.commonpath([root, real]) != root:
            raise ValueError(
                f"path: expected a file inside masks_dir {self.masks_dir!r}; got {path!r}, "
                f"which resolves to {real!r}"
            )
        if real in self._images:
            raise ValueError(f"path: expected a file apart from the images; got the image {path!r}")
