"""YOLO segmentation datasets (the Ultralytics layout): export and import.

Layout written by `export_yolo` and read by `read_yolo_dataset`::

    folder/
      data.yaml              class names (index = seg-widget class id - 1), train/val = images
      images/<file name>     copies of the labelled images, original bytes and extension
      labels/<stem>.txt      one line per object: class x1 y1 x2 y2 ... (normalised polygon)

Ultralytics finds each label file by replacing ``/images/`` with ``/labels/`` in the image's
path and its extension with ``.txt``, and takes the folder of ``data.yaml`` as the dataset
root when the file has no ``path:`` key (it has none). Images are **copied**, not linked: the
folder can be zipped, moved or uploaded whole, and works on every system (symbolic links
break on Windows and in many upload tools). Only labelled images are exported (a mask with
a labelled pixel): YOLO would take an image without labels as pure background. Files
already in the folder with other names are left alone; same names are replaced, atomically.
How objects, holes and touching objects become polygons, and what is lost: see
`seg_widget.io.yolo_labels`. Ultralytics reads the image formats bmp, dng, jpeg, jpg, mpo,
png, tif, tiff, webp, pfm and heic (images of at least 10 x 10 pixels).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterable, Sequence
from typing import NamedTuple

import numpy as np
from PIL import Image

from seg_widget.core.classes import LabelClass, normalize_classes
from seg_widget.io._paths import as_path, require_file
from seg_widget.io.atomic import atomic_writer
from seg_widget.io.instance_files import Annotation
from seg_widget.io.yolo_labels import load_yolo_labels, yolo_label_lines
from seg_widget.io.yolo_yaml import data_yaml_text, read_data_yaml

__all__ = [
    "IMAGE_EXTENSIONS",
    "YoloDataset",
    "YoloItem",
    "export_yolo",
    "image_size",
    "read_yolo_dataset",
]

#: Image extensions Ultralytics reads (its ``IMG_FORMATS``); `read_yolo_dataset` lists these.
IMAGE_EXTENSIONS = frozenset(
    {".bmp", ".dng", ".jpeg", ".jpg", ".mpo", ".png", ".tif", ".tiff", ".webp", ".pfm", ".heic"}
)

#: ``progress(done, total)``; ``total`` is None when the items have no length.
Progress = Callable[[int, "int | None"], None]


class YoloItem(NamedTuple):
    """One image to export: its file, its class mask and (optionally) its instance map."""

    image_path: str | os.PathLike
    mask: np.ndarray
    instance_map: np.ndarray | None = None


def export_yolo(
    items: Iterable[YoloItem | tuple],
    folder: str | os.PathLike,
    classes: Sequence[str | LabelClass],
    *,
    progress: Progress | None = None,
) -> list[str]:
    r"""Write a YOLO segmentation dataset (see the module docstring); return the stems written.

    Parameters
    ----------
    items : iterable of YoloItem or (image_path, mask[, instance_map])
        The images with their class masks (``(H, W)``, the image's size) and optional
        instance maps; may be a generator (masks are used one at a time).
    folder : str or os.PathLike
        Created if missing (its parent must exist).
    classes : sequence of str or LabelClass
        seg-widget classes; class 0 (unlabelled) is not a YOLO class.
    progress : callable, optional
        ``progress(done, total)`` before each item and at the end.

    Raises
    ------
    ValueError
        Before writing anything, for a class name YAML cannot hold (`yolo_yaml.yaml_quote`);
        then naming the item: an unreadable image, a mask whose size differs from its
        image's (both sizes named), two images with one stem (both paths named), an
        instance over several classes.

    Examples
    --------
    >>> import os, tempfile
    >>> from PIL import Image
    >>> root = tempfile.mkdtemp()
    >>> image = os.path.join(root, "a.png")
    >>> Image.new("RGB", (4, 3)).save(image)
    >>> mask = np.zeros((3, 4), np.uint8); mask[1:, 2:] = 1
    >>> export_yolo([(image, mask)], os.path.join(root, "yolo"), ["unlabelled", "cat"])
    ['a']
    >>> print(open(os.path.join(root, "yolo", "labels", "a.txt")).read(), end="")
    0 0.875 1 0.625 1 0.5 0.833333 0.5 0.5 0.625 0.333333 0.875 0.333333 1 0.5 1 0.833333

    """
    classes = normalize_classes(classes)
    yaml_text = data_yaml_text([label_class.name for label_class in classes[1:]])
    root = os.path.abspath(as_path(folder, argument="folder"))
    if os.path.exists(root) and not os.path.isdir(root):
        raise ValueError(f"folder: expected a folder; got the file {root!r}")
    images_dir, labels_dir = os.path.join(root, "images"), os.path.join(root, "labels")
    for path in (root, images_dir, labels_dir):
        os.makedirs(path, exist_ok=True)
    total = len(items) if hasattr(items, "__len__") else None  # type: ignore[arg-type]
    stems: dict[str, str] = {}
    for position, item in enumerate(items):
        _report(progress, position, total)
        image_path, mask, instance_map = _unpack(item, position)
        mask = np.asarray(mask)
        if mask.ndim != 2:
            raise ValueError(f"items[{position}]: expected a 2-D mask; got shape {mask.shape}")
        if not mask.any():
            continue
        stem = os.path.splitext(os.path.basename(image_path))[0]
        if stem in stems:
            raise ValueError(
                f"items[{position}]: {image_path!r} and {stems[stem]!r} share the stem "
                f"{stem!r}, so one labels/{stem}.txt would serve both; rename one"
            )
        height, width = image_size(image_path)
        if mask.shape != (height, width):
            raise ValueError(
                f"items[{position}]: the mask is {mask.shape[0]}x{mask.shape[1]} (HxW) but "
                f"the image {image_path!r} is {height}x{width}"
            )
        try:
            lines = yolo_label_lines(mask, classes, instance_map)
        except (TypeError, ValueError) as error:
            raise type(error)(f"items[{position}] ({image_path!r}): {error}") from None
        with atomic_writer(os.path.join(labels_dir, stem + ".txt"), "w") as file:
            file.writelines(line + "\n" for line in lines)
        _copy_file(image_path, os.path.join(images_dir, os.path.basename(image_path)))
        stems[stem] = image_path
    _report(progress, len(stems) if total is None else total, total)
    with atomic_writer(os.path.join(root, "data.yaml"), "w") as file:
        file.write(yaml_text)
    return list(stems)


class YoloDataset(NamedTuple):
    """A YOLO segmentation dataset folder, as `read_yolo_dataset` found it."""

    #: The dataset folder (absolute).
    folder: str
    #: seg-widget classes: class 0 "unlabelled", then the YOLO names (class id = index + 1).
    classes: tuple[LabelClass, ...]
    #: The image files of ``images/``, sorted by name.
    images: tuple[str, ...]

    def label_path(self, image_path: str) -> str:
        """Return ``labels/<stem>.txt`` of an image (which may not exist)."""
        stem = os.path.splitext(os.path.basename(image_path))[0]
        return os.path.join(self.folder, "labels", stem + ".txt")

    def annotation(self, image: int | str) -> Annotation:
        """Read the labels of an image: class mask, instance map, instance table.

        ``image``: a position in `images`, a file name in ``images/`` or a path. An image
        without a label file has no objects. Errors: see `load_yolo_labels`.
        """
        if isinstance(image, int):
            path = self.images[image]
        else:
            path = as_path(image, argument="image")
            if os.path.basename(path) == path:
                path = os.path.join(self.folder, "images", path)
        shape = image_size(path)
        labels = self.label_path(path)
        if not os.path.exists(labels):
            empty = np.zeros(shape, dtype=np.uint8 if len(self.classes) <= 256 else np.uint16)
            return Annotation(empty, np.zeros(shape, np.uint32), ())
        return load_yolo_labels(labels, shape, self.classes)


def read_yolo_dataset(folder: str | os.PathLike) -> YoloDataset:
    """Open a YOLO segmentation dataset: ``data.yaml``'s names and the files of ``images/``.

    Raises
    ------
    ValueError
        If ``data.yaml`` or ``images/`` is missing, or ``data.yaml`` cannot be read (see
        `seg_widget.io.yolo_yaml.read_data_yaml`).

    """
    root = os.path.abspath(as_path(folder, argument="folder"))
    names = read_data_yaml(os.path.join(root, "data.yaml"))
    images_dir = os.path.join(root, "images")
    if not os.path.isdir(images_dir):
        raise ValueError(f"folder: expected an images/ folder in {root!r}; found none")
    unlabelled = "unlabelled" if "unlabelled" not in names else "(unlabelled)"
    try:
        classes = tuple(normalize_classes([unlabelled, *names]))
    except (TypeError, ValueError) as error:
        raise ValueError(f"{os.path.join(root, 'data.yaml')}: {error}") from None
    images = tuple(
        os.path.join(images_dir, name)
        for name in sorted(os.listdir(images_dir))
        if not name.startswith(".")
        and os.path.splitext(name)[1].lower() in IMAGE_EXTENSIONS
        and os.path.isfile(os.path.join(images_dir, name))
    )
    return YoloDataset(root, classes, images)


def image_size(path: str) -> tuple[int, int]:
    """Return an image file's ``(H, W)`` from its header (Pillow's bomb limit stays on)."""
    require_file(path, argument="image")
    try:
        with Image.open(path) as image:
            width, height = image.size
    except (OSError, Image.DecompressionBombError, SyntaxError) as error:
        raise ValueError(f"image: cannot read {path!r}: {error}") from None
    return height, width


def _unpack(item: object, position: int) -> tuple[str, object, object]:
    if not isinstance(item, tuple) or len(item) not in (2, 3):
        raise TypeError(
            f"items[{position}]: expected (image_path, mask[, instance_map]); "
            f"got {type(item).__name__}"
        )
    path = as_path(item[0], argument=f"items[{position}].image_path")
    return path, item[1], item[2] if len(item) == 3 else None


def _copy_file(source: str, target: str) -> None:
    if os.path.exists(target) and os.path.samefile(source, target):
        return
    with open(source, "rb") as reader, atomic_writer(target, "wb") as writer:
        shutil.copyfileobj(reader, writer, 1 << 20)


def _report(progress: Progress | None, done: int, total: int | None) -> None:
    if progress is not None:
        progress(done, total)
