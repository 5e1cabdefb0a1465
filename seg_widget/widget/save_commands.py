"""Saving a mask (and its objects) to a file and reading one back; the extension picks the format.

=========== =====================================================================
Extension   File
=========== =====================================================================
``.png``    8-bit palette PNG, palette = the class colours (16-bit grey > 256 classes)
``.npy``    `numpy.save` of the mask
``.npz``    `numpy.savez_compressed`, the mask under the key ``"mask"``; with
            instances also the instance map and table (`seg_widget.io.instance_files`)
``.json``   COCO: categories from the classes, one annotation per instance (and per
            8-connected region of a class outside every instance), RLE (or polygons),
            area and bbox
=========== =====================================================================

Every write is atomic (see `seg_widget.io.atomic`).
"""

from __future__ import annotations

import os
from typing import Any

import numpy as np

from ..core.classes import LabelClass
from ..core.instances import InstanceLayer, export_ids, table_from_maps
from ..core.labels import validate_mask
from ..io.coco import coco_annotations, coco_document, coco_image, save_coco
from ..io.coco_import import load_coco, mask_from_coco
from ..io.instance_files import load_annotation, save_annotation
from ..io.masks import MASK_EXTENSIONS, load_mask, save_mask

#: Extensions `save_file` and `load_file` understand.
SAVE_EXTENSIONS = (*MASK_EXTENSIONS, ".json")


def save_file(
    path: str | os.PathLike,
    mask: np.ndarray,
    classes: tuple[LabelClass, ...],
    objects: InstanceLayer | None,
    *,
    instances: Any = None,
    polygons: bool = False,
    file_name: str | None = None,
    image_id: int | str = 1,
) -> None:
    """Save ``mask`` (and ``objects``) to ``path`` atomically; see ``SegmentationWidget.save``."""
    name, extension = _name_and_extension(path)
    if extension != ".json":
        coco_options = {
            "instances": instances is not None,
            "polygons": bool(polygons),
            "file_name": file_name is not None,
            "image_id": not (isinstance(image_id, int) and image_id == 1),
        }
        given = [argument for argument, is_given in coco_options.items() if is_given]
        if given:
            raise ValueError(
                f"{given[0]}: expected only when saving COCO .json; got it with a "
                f"{extension} file (save instance masks with seg_widget.io.save_instance_mask)"
            )
        if extension == ".npz" and objects is not None and objects.instances:
            save_annotation(name, mask, objects.map, objects.instances)
        else:
            save_mask(name, mask, classes)
        return
    if file_name is None:
        file_name = os.path.splitext(os.path.basename(name))[0]
    if instances is None:
        instances = export_ids(mask, None if objects is None else objects.map)
    annotations = coco_annotations(
        mask, classes, instance_mask=instances, image_id=image_id, polygons=polygons
    )
    image = coco_image(image_id, file_name, mask.shape)
    save_coco(name, coco_document([image], annotations, classes))


def load_file(
    path: str | os.PathLike,
    shape: tuple[int, int],
    classes: tuple[LabelClass, ...],
    *,
    image_id: int | str | None = None,
) -> tuple[np.ndarray, np.ndarray | None, list | None]:
    """Read ``(mask, instance_map or None, table or None)`` from ``path``; see ``load``."""
    name, extension = _name_and_extension(path)
    if extension == ".json":
        document = load_coco(name)
        if image_id is None:
            image_id = _only_image_id(document, name)
        names = {label_class.name for label_class in classes}
        categories = [c for c in document.get("categories") or [] if isinstance(c, dict)]
        by_name = bool(categories) and all(c.get("name") in names for c in categories)
        stored_shape = _stored_shape(document, image_id)
        if stored_shape is not None and stored_shape != shape:
            raise _size_error(name, stored_shape, shape)
        mask, instance_map = mask_from_coco(
            document, image_id, shape, classes=classes if by_name else None
        )
        mask = validate_mask(mask, shape=shape, n_classes=len(classes))
        instance_map, table = table_from_maps(mask, instance_map, classes)
        return mask, instance_map, table
    if extension == ".npz":
        annotation = load_annotation(name)
        if annotation.instance_map is not None:
            if annotation.mask.shape != shape:
                raise _size_error(name, annotation.mask.shape, shape)
            mask = validate_mask(annotation.mask, shape=shape, n_classes=len(classes))
            return mask, annotation.instance_map, list(annotation.instances)
    mask = load_mask(name)
    if mask.shape != shape:
        raise _size_error(name, mask.shape, shape)
    return validate_mask(mask, shape=shape, n_classes=len(classes)), None, None


def _name_and_extension(path: object) -> tuple[str, str]:
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"path: expected a str or os.PathLike; got {type(path).__name__}")
    name = os.fsdecode(os.fspath(path))
    extension = os.path.splitext(name)[1].lower()
    if extension not in SAVE_EXTENSIONS:
        raise ValueError(
            f"path: expected a file name ending in one of {', '.join(SAVE_EXTENSIONS)}; "
            f"got {name!r}"
        )
    return name, extension


def _only_image_id(document: dict, name: str) -> int | str:
    images = [image for image in document.get("images") or [] if isinstance(image, dict)]
    ids = [image.get("id") for image in images]
    if len(ids) != 1:
        raise ValueError(
            f"image_id: expected it for a COCO file with {len(ids)} images; got None ({name!r})"
        )
    return ids[0]


def _stored_shape(document: dict, image_id: object) -> tuple[int, int] | None:
    for image in document.get("images") or []:
        if isinstance(image, dict) and image.get("id") == image_id:
            try:
                return int(image["height"]), int(image["width"])
            except (KeyError, TypeError, ValueError):
                return None
    return None


def _size_error(name: str, got: tuple[int, ...], expected: tuple[int, ...]) -> ValueError:
    return ValueError(
        f"mask: expected the image's size, {expected[1]} x {expected[0]} (width x height); "
        f"got {got[1]} x {got[0]} in {name!r}"
    )
