"""Saving the widget's mask to a file and loading one into it; the extension picks the format.

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
from ..core.instances import export_ids, table_from_maps
from ..core.labels import validate_mask
from ..io.coco import coco_annotations, coco_document, coco_image, save_coco
from ..io.coco_import import load_coco, mask_from_coco
from ..io.instance_files import load_annotation, save_annotation
from ..io.masks import MASK_EXTENSIONS, load_mask, save_mask

#: Extensions :meth:`SaveCommands.save` and :meth:`SaveCommands.load` understand.
SAVE_EXTENSIONS = (*MASK_EXTENSIONS, ".json")


class SaveCommands:
    """``w.save(path)`` and ``w.load(path)`` for the widget."""

    mask: np.ndarray
    classes: tuple[LabelClass, ...]

    def save(
        self,
        path: str | os.PathLike,
        *,
        instances: Any = None,
        polygons: bool = False,
        file_name: str | None = None,
        image_id: int | str = 1,
    ) -> None:
        """Save the mask to ``path`` atomically, in the format its extension names.

        Parameters
        ----------
        path : str or os.PathLike
            Ends in ``.png``, ``.npy`` (class ids), ``.npz`` (class ids, and the objects
            with their names, locks and parts when there are any) or ``.json`` (COCO).
        instances : array_like of int, shape (H, W), optional
            COCO only: instance id per pixel (0 = none) to export instead of the widget's
            own objects; labelled pixels outside them are not exported. By default the
            widget's objects are exported, one annotation each (their innermost pixels:
            a person's annotation leaves out its face part), and every connected region
            of a class outside all objects is one more annotation, so nothing is lost.
        polygons : bool
            COCO only: polygon segmentations instead of RLE.
        file_name : str, optional
            COCO only: the image's ``file_name``; by default the JSON file's stem.
        image_id : int or str
            COCO only: the image's ``id``.

        Raises
        ------
        ValueError
            For an unknown extension, a missing folder, or COCO options with a mask format.

        Examples
        --------
        >>> import os, tempfile, numpy as np, seg_widget as sw
        >>> w = sw.SegmentationWidget(np.zeros((4, 4)), classes=["unlabelled", "cell"])
        >>> w.mask[1:3, 1:3] = 1
        >>> path = os.path.join(tempfile.mkdtemp(), "cells.png")
        >>> w.save(path)
        >>> int(sw.load_mask(path).sum())
        4

        """
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
            layer = self._document.instances
            if extension == ".npz" and layer is not None and layer.instances:
                save_annotation(name, self.mask, layer.map, layer.instances)
            else:
                save_mask(name, self.mask, self.classes)
            return
        if file_name is None:
            file_name = os.path.splitext(os.path.basename(name))[0]
        if instances is None:
            layer = self._document.instances
            instances = export_ids(self.mask, None if layer is None else layer.map)
        annotations = coco_annotations(
            self.mask, self.classes, instance_mask=instances, image_id=image_id, polygons=polygons
        )
        image = coco_image(image_id, file_name, self.mask.shape)
        save_coco(name, coco_document([image], annotations, self.classes))

    def load(self, path: str | os.PathLike, *, image_id: int | str | None = None) -> None:
        """Replace the mask by the one in ``path`` (validated, redrawn, one undo step).

        A ``.json`` file is read as COCO: the annotations of ``image_id`` (by default the
        document's only image) are painted in order, each one an object; categories map to
        classes by name when every category name is a class name, else by id. An ``.npz``
        written with objects brings them back with names, visibility, locks and parts.

        Raises
        ------
        ValueError
            Naming the file: unknown extension, unreadable file, ids that are not classes,
            or a size other than the image's (naming both sizes).

        """
        name, extension = _name_and_extension(path)
        shape = tuple(self.mask.shape)
        if extension == ".json":
            document = load_coco(name)
            if image_id is None:
                image_id = _only_image_id(document, name)
            names = {label_class.name for label_class in self.classes}
            categories = [c for c in document.get("categories") or [] if isinstance(c, dict)]
            by_name = bool(categories) and all(c.get("name") in names for c in categories)
            stored_shape = _stored_shape(document, image_id)
            if stored_shape is not None and stored_shape != shape:
                raise _size_error(name, stored_shape, shape)
            mask, instance_map = mask_from_coco(
                document, image_id, shape, classes=self.classes if by_name else None
            )
            mask = validate_mask(mask, shape=shape, n_classes=len(self.classes))
            instance_map, table = table_from_maps(mask, instance_map, self.classes)
            self._load_with_instances(mask, instance_map, table)
            return
        if extension == ".npz":
            annotation = load_annotation(name)
            if annotation.instance_map is not None:
                if annotation.mask.shape != shape:
                    raise _size_error(name, annotation.mask.shape, shape)
                mask = validate_mask(annotation.mask, shape=shape, n_classes=len(self.classes))
                self._load_with_instances(mask, annotation.instance_map, annotation.instances)
                return
        mask = load_mask(name)
        if mask.shape != shape:
            raise _size_error(name, mask.shape, shape)
        self.mask = mask

    def _load_with_instances(self, mask: np.ndarray, instance_map: np.ndarray, table) -> None:
        self._end_stroke()
        bbox = self._document.replace_all(mask, instance_map, table)
        self._forget_missing_selection()
        self._after_edit(bbox, full=True)
        self._object_panel.refresh()


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
