"""One annotation file in the format its extension names: what ``w.save`` and ``w.load`` do.

=========== =====================================================================
Extension   File
=========== =====================================================================
``.png``    8-bit palette PNG, palette = the class colours (16-bit grey > 256 classes)
``.npy``    `numpy.save` of the class mask
``.npz``    `numpy.savez_compressed`, the class mask under ``"mask"``; with objects
            also the instance map and table (`seg_widget.io.instance_files`)
``.json``   COCO: categories from the classes, one annotation per object (and per
            8-connected region of a class outside every object), RLE (or polygons),
            area and bbox
=========== =====================================================================

`save_annotation_file` and `load_annotation_file` are shared by the widget and the dataset
annotator, so a file means the same everywhere. Every write is atomic
(`seg_widget.io.atomic`); every read checks declared sizes before decoding
(`seg_widget.io.limits`) and validates the whole file before returning anything.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import NamedTuple

import numpy as np

from seg_widget.core.classes import LabelClass, normalize_classes
from seg_widget.core.instances import Instance, export_ids, table_from_maps
from seg_widget.core.labels import validate_mask
from seg_widget.io._paths import as_path, require_file
from seg_widget.io.array_files import open_npz
from seg_widget.io.atomic import FileStamp, atomic_write_bytes, remove_stale_temporaries
from seg_widget.io.coco import coco_annotations, coco_document, coco_image, encode_coco
from seg_widget.io.coco_import import decode_coco_image, load_coco
from seg_widget.io.instance_files import encode_annotation_npz, load_annotation
from seg_widget.io.masks import MASK_EXTENSIONS, encode_mask, load_mask

__all__ = [
    "ANNOTATION_EXTENSIONS",
    "LoadedAnnotation",
    "annotation_extension",
    "encode_annotation",
    "load_annotation_file",
    "save_annotation_file",
]

#: Extensions `save_annotation_file` and `load_annotation_file` understand.
ANNOTATION_EXTENSIONS = (*MASK_EXTENSIONS, ".json")


class LoadedAnnotation(NamedTuple):
    """What `load_annotation_file` returns."""

    #: ``(H, W)`` class ids, the dtype of the classes (uint8 up to 256, else uint16).
    mask: np.ndarray
    #: ``(H, W)`` uint32 instance ids, or None for a file without objects.
    instance_map: np.ndarray | None
    #: The objects, or None for a file without objects.
    instances: tuple[Instance, ...] | None
    #: COCO only: how categories became classes, ``"name"`` or ``"id"``; else None.
    category_rule: str | None


def annotation_extension(path: object, *, argument: str = "path") -> tuple[str, str]:
    """Return ``(file name, lower-case extension)``; the extension must be a known one.

    Examples
    --------
    >>> annotation_extension("a/B.JSON")
    ('a/B.JSON', '.json')

    """
    name = as_path(path, argument=argument)
    extension = os.path.splitext(name)[1].lower()
    if extension not in ANNOTATION_EXTENSIONS:
        raise ValueError(
            f"{argument}: expected a file name ending in one of "
            f"{', '.join(ANNOTATION_EXTENSIONS)}; got {name!r}"
        )
    return name, extension


def encode_annotation(
    extension: str,
    mask: np.ndarray,
    classes: Sequence[str | LabelClass],
    *,
    instance_map: np.ndarray | None = None,
    instances: Sequence[Instance] = (),
    coco_instance_ids: np.ndarray | None = None,
    polygons: bool = False,
    file_name: str = "image",
    image_id: int | str = 1,
) -> bytes:
    """Return the bytes `save_annotation_file` writes (see there for the arguments)."""
    if extension not in ANNOTATION_EXTENSIONS:
        raise ValueError(f"extension: expected one of {ANNOTATION_EXTENSIONS}; got {extension!r}")
    classes = normalize_classes(classes)
    if extension != ".json":
        given = {
            "coco_instance_ids": coco_instance_ids is not None,
            "polygons": bool(polygons),
            "image_id": not (isinstance(image_id, int) and image_id == 1),
        }
        for argument, is_given in given.items():
            if is_given:
                raise ValueError(
                    f"{argument}: expected only when saving COCO .json; got it with a "
                    f"{extension} file"
                )
    has_objects = bool(instances)
    if has_objects and instance_map is None:
        raise ValueError("instance_map: expected the instance map of the given instances; got None")
    if extension == ".npz" and has_objects:
        mask = validate_mask(mask, shape=np.shape(mask), n_classes=len(classes))
        return encode_annotation_npz(mask, instance_map, instances)
    if extension != ".json":
        return encode_mask(extension, mask, classes)
    ids = coco_instance_ids
    if ids is None:
        ids = export_ids(np.asarray(mask), instance_map if has_objects else None)
    annotations = coco_annotations(
        mask, classes, instance_mask=ids, image_id=image_id, polygons=polygons
    )
    image = coco_image(image_id, file_name, np.shape(mask))
    return encode_coco(coco_document([image], annotations, classes))


def save_annotation_file(
    path: str | os.PathLike,
    mask: np.ndarray,
    classes: Sequence[str | LabelClass],
    *,
    instance_map: np.ndarray | None = None,
    instances: Sequence[Instance] = (),
    coco_instance_ids: np.ndarray | None = None,
    polygons: bool = False,
    file_name: str | None = None,
    image_id: int | str = 1,
) -> FileStamp | None:
    """Save a class mask (and its objects) to ``path`` atomically, in its extension's format.

    Stale temporary files a killed earlier save of ``path`` left are removed first
    (`seg_widget.io.atomic.remove_stale_temporaries`).

    Parameters
    ----------
    path : str or os.PathLike
        Ends in ``.png``, ``.npy`` (class ids), ``.npz`` (class ids, and the objects when
        ``instances`` is not empty) or ``.json`` (COCO); its folder must exist. A symbolic
        link leading out of its folder is refused.
    mask : ndarray of int, shape (H, W)
        Class ids, ``< len(classes)``.
    classes : sequence of str or LabelClass
        The label classes (PNG palette, COCO categories).
    instance_map : ndarray of uint32, shape (H, W), optional
        The objects' ids per pixel; needed with ``instances``.
    instances : sequence of Instance
        The objects (written to ``.npz``; in COCO one annotation each).
    coco_instance_ids : array_like of int, shape (H, W), optional
        COCO only: instance id per pixel to export instead of the objects; labelled pixels
        outside them are not exported.
    polygons : bool
        COCO only: polygon segmentations instead of RLE.
    file_name : str, optional
        COCO only: the image's ``file_name``; by default the JSON file's stem.
    image_id : int or str
        COCO only: the image's ``id``.

    Returns
    -------
    FileStamp
        The written file's stamp (see `seg_widget.io.atomic.file_stamp`).

    Raises
    ------
    ValueError
        For an unknown extension, a missing folder, COCO options with a mask format, or
        invalid data.

    Examples
    --------
    >>> import os, tempfile
    >>> path = os.path.join(tempfile.mkdtemp(), "cells.png")
    >>> _ = save_annotation_file(path, np.eye(3, dtype=np.uint8), ["unlabelled", "cell"])
    >>> load_annotation_file(path, (3, 3), ["unlabelled", "cell"]).mask.sum()
    np.uint64(3)

    """
    name, extension = annotation_extension(path)
    if file_name is None:
        file_name = os.path.splitext(os.path.basename(name))[0]
    data = encode_annotation(
        extension,
        mask,
        classes,
        instance_map=instance_map,
        instances=instances,
        coco_instance_ids=coco_instance_ids,
        polygons=polygons,
        file_name=file_name,
        image_id=image_id,
    )
    remove_stale_temporaries(os.path.dirname(os.path.abspath(name)), target=os.path.basename(name))
    return atomic_write_bytes(name, data)


def load_annotation_file(
    path: str | os.PathLike,
    shape: tuple[int, int],
    classes: Sequence[str | LabelClass],
    *,
    image_id: int | str | None = None,
    categories: str = "auto",
) -> LoadedAnnotation:
    """Read an annotation file for an image of ``shape``, validated whole.

    A ``.json`` file is read as COCO: the annotations of ``image_id`` (by default the
    document's only image) are painted in order, each one an object; polygons decode as
    pycocotools decodes them, categories become classes by ``categories``
    (`seg_widget.io.category_rules`: by name when the names match, refused when they
    cannot be matched, by id with a warning for documents without categories). An
    ``.npz`` written with objects brings them back with names, visibility, locks and
    parts; other files give a class mask. Temporary files a killed save of ``path`` left
    are removed (`seg_widget.io.atomic.remove_stale_temporaries`).

    Raises
    ------
    ValueError
        Naming the file: unknown extension, unreadable file, another size than ``shape``
        (naming both), ids that are not classes, inconsistent objects, unmappable
        categories, more than the limits of `seg_widget.io.limits`.

    """
    name, extension = annotation_extension(path)
    classes = normalize_classes(classes)
    shape = (int(shape[0]), int(shape[1]))
    remove_stale_temporaries(os.path.dirname(os.path.abspath(name)), target=os.path.basename(name))
    n_classes = len(classes)
    if extension == ".json":
        return _load_coco_file(name, shape, classes, image_id, categories)
    if image_id is not None:
        raise ValueError(f"image_id: expected only for COCO .json files; got it with {name!r}")
    if extension == ".npz":
        require_file(name)
        with open_npz(name) as archive:
            has_objects = "instances" in archive.keys
        if has_objects:
            annotation = load_annotation(name, shape=shape, n_classes=n_classes)
            return LoadedAnnotation(
                annotation.mask, annotation.instance_map, annotation.instances, None
            )
    mask = load_mask(name, n_classes=n_classes, shape=shape)
    return LoadedAnnotation(mask, None, None, None)


def _load_coco_file(
    name: str,
    shape: tuple[int, int],
    classes: tuple[LabelClass, ...],
    image_id: int | str | None,
    categories: str,
) -> LoadedAnnotation:
    document = load_coco(name)
    if image_id is None:
        images = document.get("images")
        ids = (
            [i.get("id") for i in images if isinstance(i, dict)] if isinstance(images, list) else []
        )
        if len(ids) != 1:
            raise ValueError(
                f"image_id: expected it for a COCO file with {len(ids)} images; got None ({name!r})"
            )
        image_id = ids[0]
    try:
        decoded = decode_coco_image(
            document, image_id, shape, classes=classes, categories=categories
        )
    except ValueError as error:
        raise ValueError(f"COCO file {name!r}: {error}") from error
    mask = validate_mask(
        decoded.class_mask, shape=shape, n_classes=len(classes), argument=f"mask in {name!r}"
    )
    instance_map, table = table_from_maps(mask, decoded.instance_mask, classes)
    return LoadedAnnotation(mask, instance_map, tuple(table), decoded.category_rule)
