"""Importing COCO annotations of one image back into a class mask and an instance mask."""

from __future__ import annotations

import json
import os
from collections.abc import Sequence

import numpy as np

from seg_widget.core.classes import LabelClass, mask_dtype, normalize_classes
from seg_widget.io._paths import as_path, require_file
from seg_widget.io.polygons import polygon_pixels
from seg_widget.io.rle import rle_counts, rle_crop

__all__ = ["load_coco", "mask_from_coco"]

_MAX_INSTANCES = 65535


def load_coco(path: str | os.PathLike) -> dict:
    """Read a COCO JSON file; check that it is an object with a list of ``annotations``.

    Raises
    ------
    ValueError
        If the file is missing, is not JSON, or has no ``annotations`` list.

    """
    name = as_path(path)
    require_file(name)
    try:
        with open(name, encoding="utf-8") as file:
            document = json.load(file)
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ValueError(f"path: cannot read {name!r} as JSON: {error}") from error
    if not isinstance(document, dict) or not isinstance(document.get("annotations"), list):
        raise ValueError(f"path: expected a COCO document with an 'annotations' list in {name!r}")
    return document


def mask_from_coco(
    document: dict,
    image_id: int | str,
    shape: tuple[int, int] | None = None,
    *,
    classes: Sequence[str | LabelClass] | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Paint the annotations of one image of a COCO document into a class and instance mask.

    Annotations are painted in document order, later ones over earlier ones. Annotation
    number ``k`` (1-based, counting this image's annotations) gets instance id ``k``.
    Segmentations may be RLEs (compressed or list counts) or lists of polygons; polygon
    pixels are those whose centres are inside (the rule of `skimage.draw.polygon`, see
    `seg_widget.io.polygons`), several polygons are united. Crowd annotations are painted too.

    Parameters
    ----------
    document : dict
        A COCO document (as from `load_coco` or `seg_widget.io.coco.coco_document`).
    image_id : int or str
        Which image's annotations to paint.
    shape : tuple of int, optional
        ``(H, W)``; by default the ``height``/``width`` of the image entry. If both exist
        they must agree.
    classes : sequence of str or LabelClass, optional
        Map categories to classes **by name** (a category whose name is not a class is an
        error); use this for documents from other tools. By default the category id is the
        class id, as in documents that `coco_annotations` wrote.

    Returns
    -------
    class_mask : ndarray, shape (H, W)
        Class ids, dtype ``mask_dtype(n_classes)`` (``n_classes`` = ``len(classes)`` or the
        largest category id + 1).
    instance_mask : ndarray of uint16, shape (H, W)
        Instance ids, 0 where no annotation was painted.

    Raises
    ------
    ValueError
        For an unknown image, shapes that disagree (naming both), an RLE of another size,
        unknown categories or malformed segmentations (naming the annotation).

    Examples
    --------
    >>> document = {"images": [{"id": 3, "height": 2, "width": 3}], "annotations": [
    ...     {"image_id": 3, "category_id": 2, "segmentation": {"size": [2, 3], "counts": "231"}}]}
    >>> class_mask, instance_mask = mask_from_coco(document, 3)
    >>> class_mask
    array([[0, 2, 2],
           [0, 2, 0]], dtype=uint8)

    """
    if not isinstance(document, dict) or not isinstance(document.get("annotations"), list):
        raise ValueError("document: expected a COCO document with an 'annotations' list")
    height, width = _shape_of_image(document, image_id, shape)
    class_of, n_classes = _class_mapping(document, classes)
    selected = [
        (index, annotation)
        for index, annotation in enumerate(document["annotations"])
        if isinstance(annotation, dict) and annotation.get("image_id") == image_id
    ]
    if len(selected) > _MAX_INSTANCES:
        raise ValueError(
            f"document: expected at most {_MAX_INSTANCES} annotations for image {image_id!r}; "
            f"got {len(selected)}"
        )
    class_mask = np.zeros((height, width), dtype=mask_dtype(n_classes))
    instance_mask = np.zeros((height, width), dtype=np.uint16)
    for instance, (index, annotation) in enumerate(selected, start=1):
        where = f"document['annotations'][{index}]"
        class_id = class_of(annotation.get("category_id"), where)
        pixels = _pixels(annotation.get("segmentation"), (height, width), where)
        class_mask[pixels] = class_id
        instance_mask[pixels] = instance
    return class_mask, instance_mask


def _pixels(
    segmentation: object, shape: tuple[int, int], where: str
) -> tuple[np.ndarray, np.ndarray]:
    """Return ``(rows, cols)`` of the pixels of one segmentation (RLE or polygons)."""
    argument = f"{where}['segmentation']"
    if isinstance(segmentation, dict):
        size, counts = rle_counts(segmentation, argument=argument)
        if size != shape:
            raise ValueError(f"{argument}['size']: expected {list(shape)}; got {list(size)}")
        (row0, col0), crop = rle_crop(counts, shape[0])
        rows, cols = np.nonzero(crop)
        return rows + row0, cols + col0
    if isinstance(segmentation, list):
        parts = [
            polygon_pixels(polygon, shape, argument=f"{argument}[{number}]")
            for number, polygon in enumerate(segmentation)
        ]
        if not parts:
            return np.empty(0, np.intp), np.empty(0, np.intp)
        return np.concatenate([p[0] for p in parts]), np.concatenate([p[1] for p in parts])
    raise ValueError(
        f"{argument}: expected an RLE dict or a list of polygons; got {type(segmentation).__name__}"
    )


def _shape_of_image(
    document: dict, image_id: object, shape: tuple[int, int] | None
) -> tuple[int, int]:
    images = document.get("images") or []
    entry = next(
        (image for image in images if isinstance(image, dict) and image.get("id") == image_id),
        None,
    )
    stored = None
    if entry is not None:
        try:
            stored = (int(entry["height"]), int(entry["width"]))
        except (KeyError, TypeError, ValueError) as error:
            raise ValueError(
                f"document: expected 'height' and 'width' in image {image_id!r}; got {entry!r:.80}"
            ) from error
    if shape is None:
        if stored is None:
            raise ValueError(
                f"image_id: expected the id of an image in document['images'] (or pass shape); "
                f"got {image_id!r}"
            )
        return stored
    if len(shape) != 2 or not all(isinstance(n, (int, np.integer)) and n > 0 for n in shape):
        raise ValueError(f"shape: expected (height, width) of positive ints; got {shape!r}")
    shape = (int(shape[0]), int(shape[1]))
    if stored is not None and stored != shape:
        raise ValueError(
            f"shape: expected the size of image {image_id!r} in the document, {stored} "
            f"(height, width); got {shape}"
        )
    return shape


def _class_mapping(document: dict, classes: Sequence[str | LabelClass] | None) -> tuple:
    """Return ``(class_of(category_id, where) -> class id, n_classes)``."""
    categories = [c for c in document.get("categories") or [] if isinstance(c, dict)]
    if classes is None:
        ids = [c.get("id") for c in categories]
        ids += [a.get("category_id") for a in document["annotations"] if isinstance(a, dict)]
        valid = [i for i in ids if _is_class_id(i)]
        n_classes = max(valid, default=0) + 1

        def identity(category_id: object, where: str) -> int:
            if not _is_class_id(category_id):
                raise ValueError(
                    f"{where}['category_id']: expected a class id in 0..65535; got {category_id!r}"
                )
            return int(category_id)

        return identity, n_classes
    classes = normalize_classes(classes)
    index_of = {label_class.name: index for index, label_class in enumerate(classes)}
    class_by_category = {}
    for number, category in enumerate(categories):
        if category.get("name") not in index_of:
            raise ValueError(
                f"document['categories'][{number}]['name']: expected one of the class names "
                f"{list(index_of)}; got {category.get('name')!r}"
            )
        class_by_category[category.get("id")] = index_of[category["name"]]

    def by_name(category_id: object, where: str) -> int:
        if category_id not in class_by_category:
            raise ValueError(
                f"{where}['category_id']: expected the id of one of document['categories']; "
                f"got {category_id!r}"
            )
        return class_by_category[category_id]

    return by_name, len(classes)


def _is_class_id(value: object) -> bool:
    return (
        isinstance(value, (int, np.integer)) and not isinstance(value, bool) and 0 <= value < 65536
    )
