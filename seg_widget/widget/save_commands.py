"""``w.save`` and ``w.load``: arguments checked, then `seg_widget.io` writes or reads the file.

The formats (extension dispatch, COCO options, object files) live in
`seg_widget.io.annotation_files`, shared with the dataset annotator; see there for the table of
extensions. Every write is atomic; every read checks declared sizes before decoding and
validates the whole file before anything changes.
"""

from __future__ import annotations

import os
from typing import Any

import numpy as np

from ..core.classes import LabelClass
from ..core.instances import InstanceLayer
from ..io.annotation_files import (
    ANNOTATION_EXTENSIONS,
    annotation_extension,
    load_annotation_file,
    save_annotation_file,
)

#: Extensions `save_file` and `load_file` understand.
SAVE_EXTENSIONS = ANNOTATION_EXTENSIONS


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
    name, extension = annotation_extension(path)
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
    has_objects = objects is not None and bool(objects.instances)
    save_annotation_file(
        name,
        mask,
        classes,
        instance_map=objects.map if has_objects else None,
        instances=objects.instances if has_objects else (),
        coco_instance_ids=instances,
        polygons=polygons,
        file_name=file_name,
        image_id=image_id,
    )


def load_file(
    path: str | os.PathLike,
    shape: tuple[int, int],
    classes: tuple[LabelClass, ...],
    *,
    image_id: int | str | None = None,
) -> tuple[np.ndarray, np.ndarray | None, list | None]:
    """Read ``(mask, instance_map or None, table or None)`` from ``path``; see ``load``."""
    loaded = load_annotation_file(path, shape, classes, image_id=image_id)
    table = None if loaded.instances is None else list(loaded.instances)
    return loaded.mask, loaded.instance_map, table
