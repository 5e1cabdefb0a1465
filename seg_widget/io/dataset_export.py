"""Whole-dataset exports: one COCO JSON file, a Pascal-VOC-style folder, a YOLO dataset.

All read the masks (and objects) as they are stored at export time, through a
`seg_widget.io.dataset_index.DatasetIndex`, a `seg_widget.io.store_dataset.StoreDataset` or a
team store's `seg_widget.io.team.dataset.TeamDataset` (each image's current version), not
the masks being edited (save first; masks another annotator saved meanwhile are included),
and report ``progress(done, total)`` once per image. Images in a bucket are copied from it.
A mask whose size differs from its image's is an error naming both, never silently
dropped. Every file is written atomically; nothing is written through a symbolic link that
leads out of the export folder; temporary files an earlier, killed export left are removed.

VOC-style layout written by `export_voc` (only labelled images: a mask file with a non-zero
pixel)::

    folder/
      JPEGImages/<image file name>          copies of the images, original extension kept
      SegmentationClass/<image stem>.png    class ids as a palette PNG (palette = class colours)
      ImageSets/Segmentation/default.txt    the image stems, one per line
      labelmap.txt                          name:r,g,b:: per class, as CVAT reads it

Class 0 is *unlabelled* in seg-widget; in the VOC files it is id 0 like any class (VOC calls
it background). Above 256 classes the masks are 16-bit greyscale PNGs instead. ``labelmap.txt``
has no escaping, so class names with ``:``, a line break or a leading ``#`` (and image names
with a line break, for ``default.txt``) are refused before anything is written. After a crash
every file is whole (old or new); ``default.txt`` is written after the images and masks it
lists.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator, Sequence
from typing import Any

from seg_widget.core.classes import LabelClass, normalize_classes
from seg_widget.core.instances import export_ids
from seg_widget.io._paths import as_path
from seg_widget.io.atomic import atomic_writer, remove_stale_temporaries
from seg_widget.io.coco import coco_annotations, coco_document, coco_image, save_coco
from seg_widget.io.dataset_index import ProgressCallback
from seg_widget.io.masks import save_mask
from seg_widget.io.yolo import YoloItem, export_yolo

__all__ = ["export_coco", "export_voc", "export_yolo_dataset"]

#: What the exports read: a `DatasetIndex`, `StoreDataset` or `TeamDataset`.
DatasetReader = Any


def export_coco(
    dataset: DatasetReader,
    path: str | os.PathLike,
    classes: Sequence[str | LabelClass],
    *,
    polygons: bool = False,
    include_unlabelled: bool = True,
    progress: ProgressCallback | None = None,
) -> dict:
    """Write every image of ``dataset`` and its annotations as one COCO JSON file, atomically.

    Image ``i`` (its position in the dataset) gets ``id = i + 1`` and ``file_name`` = its file
    name; annotations are those of `seg_widget.io.coco.coco_annotations`: one per object
    when the image has saved objects (plus one per connected region of a class outside
    them), else one per connected region of a class; numbered from 1 across the file.

    Parameters
    ----------
    dataset : DatasetIndex, StoreDataset or TeamDataset
        The images and their saved masks.
    path : str or os.PathLike
        The ``.json`` file to write; its folder must exist.
    classes : sequence of str or LabelClass
        The label classes (categories).
    polygons : bool
        Polygons instead of RLE segmentations.
    include_unlabelled : bool
        Also list images without a mask or with an empty one (with no annotations).
    progress : callable, optional
        ``progress(done, total)``.

    Returns
    -------
    dict
        Counts: ``{"images": ..., "annotations": ...}``.

    Raises
    ------
    ValueError
        For an unreadable mask or one whose size differs from its image's.

    """
    classes = normalize_classes(classes)
    name = os.path.abspath(as_path(path))
    remove_stale_temporaries(os.path.dirname(name), target=os.path.basename(name))
    images, annotations = [], []
    total = len(dataset)
    for position in range(total):
        _report(progress, position, total)
        entry = dataset[position]
        stored = dataset.read(position, classes)
        mask = stored.mask if entry.labelled else None
        if mask is None and not include_unlabelled:
            continue
        image_id = position + 1
        images.append(coco_image(image_id, entry.name, entry.shape))
        if mask is not None:
            ids = export_ids(mask, stored.instance_map)
            annotations += coco_annotations(
                mask,
                classes,
                instance_mask=ids,
                image_id=image_id,
                start_id=len(annotations) + 1,
                polygons=polygons,
            )
    _report(progress, total, total)
    save_coco(name, coco_document(images, annotations, classes))
    return {"images": len(images), "annotations": len(annotations)}


def export_voc(
    dataset: DatasetReader,
    folder: str | os.PathLike,
    classes: Sequence[str | LabelClass],
    *,
    progress: ProgressCallback | None = None,
) -> list[str]:
    """Write the labelled images of ``dataset`` as a VOC-style folder (see the module docstring).

    Files already in ``folder`` with other names are left alone; files with the same names
    are replaced (atomically). Returns the stems listed in ``default.txt``.

    Raises
    ------
    ValueError
        For an unreadable mask or one whose size differs from its image's, or ``folder``
        being a file.

    """
    classes = normalize_classes(classes)
    _check_labelmap_names(classes)
    root = os.path.abspath(as_path(folder, argument="folder"))
    if os.path.exists(root) and not os.path.isdir(root):
        raise ValueError(f"folder: expected a folder; got the file {root!r}")
    images_dir = os.path.join(root, "JPEGImages")
    masks_dir = os.path.join(root, "SegmentationClass")
    sets_dir = os.path.join(root, "ImageSets", "Segmentation")
    os.makedirs(root, exist_ok=True)
    inside = _inside(root)
    for path in (images_dir, masks_dir, os.path.dirname(sets_dir), sets_dir):
        inside(path)
        os.makedirs(path, exist_ok=True)
    for path in (root, images_dir, masks_dir, sets_dir):
        remove_stale_temporaries(path)
    stems = []
    total = len(dataset)
    for position in range(total):
        _report(progress, position, total)
        entry = dataset[position]
        stem = os.path.splitext(entry.name)[0]
        if len(f"{stem}\n".splitlines()) != 1 or stem != stem.strip("\r\n"):
            raise ValueError(
                f"images: expected file names without line breaks for default.txt; "
                f"got {entry.name!r}"
            )
        mask = dataset.load_mask(position, len(classes))  # as on disk now
        dataset.note_labelled(position, mask is not None and bool(mask.any()))
        if mask is None or not mask.any():
            continue
        _copy_image(dataset, position, inside(os.path.join(images_dir, entry.name)))
        save_mask(inside(os.path.join(masks_dir, stem + ".png")), mask, classes)
        stems.append(stem)
    _report(progress, total, total)
    with atomic_writer(inside(os.path.join(sets_dir, "default.txt")), "w") as file:
        file.writelines(stem + "\n" for stem in stems)
    with atomic_writer(inside(os.path.join(root, "labelmap.txt")), "w") as file:
        file.write("# label:color_rgb:parts:actions\n")
        file.writelines(
            f"{label_class.name}:{','.join(map(str, label_class.color))}::\n"
            for label_class in classes
        )
    return stems


def _check_labelmap_names(classes: Sequence[LabelClass]) -> None:
    """Refuse class names that would shift the entries of ``labelmap.txt``."""
    for index, label_class in enumerate(classes):
        name = label_class.name
        if ":" in name or len(f"{name}x".splitlines()) != 1 or name.startswith("#"):
            raise ValueError(
                f"classes[{index}].name: expected a name without ':', line breaks or a "
                f"leading '#' for VOC's labelmap.txt (it has no escaping); got {name!r}"
            )


def _inside(root: str):
    """Return ``check(path) -> path`` refusing paths that resolve outside ``root``."""
    real_root = os.path.realpath(root)

    def check(path: str) -> str:
        real = os.path.realpath(path)
        if os.path.commonpath([real_root, real]) != real_root:
            raise ValueError(
                f"folder: refusing to write {path!r}: it resolves to {real!r}, outside the "
                f"export folder {root!r} (a symbolic link?)"
            )
        return path

    return check


def export_yolo_dataset(
    dataset: DatasetReader,
    folder: str | os.PathLike,
    classes: Sequence[str | LabelClass],
    *,
    progress: ProgressCallback | None = None,
) -> list[str]:
    """Write the labelled images of ``dataset`` as a YOLO segmentation dataset.

    See `seg_widget.io.yolo.export_yolo` for the layout; images in a bucket are fetched one
    at a time into a temporary folder (removed afterwards) and copied from there. Returns
    the exported stems.
    """
    classes = normalize_classes(classes)
    with tempfile.TemporaryDirectory(prefix="seg-widget-yolo-") as scratch:
        return export_yolo(
            _yolo_items(dataset, classes, scratch),
            folder,
            classes,
            progress=None if progress is None else (lambda done, _: progress(done, len(dataset))),
        )


def _yolo_items(dataset: DatasetReader, classes: Sequence[LabelClass], scratch: str) -> Iterator:
    for position in range(len(dataset)):
        entry = dataset[position]
        stored = dataset.read(position, classes)
        if stored.mask is None or not entry.labelled:
            continue
        if os.path.isfile(entry.path):
            yield YoloItem(entry.path, stored.mask, stored.instance_map)
            continue
        local = os.path.join(scratch, entry.name)
        _copy_image(dataset, position, local)
        try:
            yield YoloItem(local, stored.mask, stored.instance_map)
        finally:
            os.unlink(local)


def _copy_image(dataset: DatasetReader, position: int, target: str) -> None:
    source = dataset[position].path
    if os.path.exists(target) and os.path.exists(source) and os.path.samefile(source, target):
        return
    with dataset.open_image(position) as reader, atomic_writer(target, "wb") as writer:
        shutil.copyfileobj(reader, writer, 2**20)


def _report(progress: ProgressCallback | None, done: int, total: int) -> None:
    if progress is not None:
        progress(done, total)
