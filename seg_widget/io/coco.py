"""Exporting masks as COCO JSON: categories from the classes, one annotation per object.

Conventions (those of the COCO dataset and ``pycocotools``):

- A category per class ``i >= 1`` with ``id = i``; class 0 (unlabelled) has none. Its
  ``supercategory`` is the class's ``parent``, or the class's own name when it has no
  parent (as COCO does for "person").
- An annotation per object: per instance when an instance mask is given, else per
  8-connected region of one class. ``segmentation`` is a compressed RLE (exact; ``counts``
  as a string) or, with ``polygons=True``, a list of polygons (which cannot hold holes).
  ``area`` is the number of pixels, ``bbox`` the tight pixel box ``[x, y, width, height]``
  (``x`` = first column, ``y`` = first row), both as ``pycocotools.mask.area``/``toBbox``
  compute them from the RLE; ``iscrowd`` is 0.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence

import numpy as np
from scipy import ndimage
from skimage.measure import label as _label_regions

from seg_widget.core.classes import LabelClass, normalize_classes
from seg_widget.core.labels import validate_mask
from seg_widget.io.atomic import atomic_write_bytes
from seg_widget.io.polygons import polygons_of_crop
from seg_widget.io.rle import rle_encode_crop

__all__ = [
    "coco_annotations",
    "coco_categories",
    "coco_document",
    "coco_image",
    "encode_coco",
    "save_coco",
]

# Largest instance id, as for instance masks saved as 16-bit PNGs.
_MAX_INSTANCE_ID = 65535


def coco_categories(classes: Sequence[str | LabelClass]) -> list[dict]:
    """Return the COCO categories of ``classes`` (all but class 0, ``id`` = class id).

    Examples
    --------
    >>> car, person = coco_categories(["bg", LabelClass("car", parent="vehicle"), "person"])
    >>> car
    {'id': 1, 'name': 'car', 'supercategory': 'vehicle'}
    >>> person["supercategory"]
    'person'

    """
    classes = normalize_classes(classes)
    return [
        {
            "id": index,
            "name": label_class.name,
            "supercategory": label_class.parent or label_class.name,
        }
        for index, label_class in enumerate(classes)
        if index >= 1
    ]


def coco_image(image_id: int | str, file_name: str, shape: tuple[int, ...]) -> dict:
    """Return a COCO image entry; ``shape`` is the image's ``(H, W)`` or ``(H, W, C)``.

    Examples
    --------
    >>> coco_image(7, "a.png", (480, 640, 3))
    {'id': 7, 'file_name': 'a.png', 'height': 480, 'width': 640}

    """
    _check_id(image_id, argument="image_id")
    if not isinstance(file_name, str):
        raise TypeError(f"file_name: expected a str; got {type(file_name).__name__}")
    if len(shape) < 2:
        raise ValueError(f"shape: expected (H, W) or (H, W, C); got {tuple(shape)}")
    return {"id": image_id, "file_name": file_name, "height": int(shape[0]), "width": int(shape[1])}


def coco_annotations(
    mask: np.ndarray,
    classes: Sequence[str | LabelClass],
    *,
    instance_mask: np.ndarray | None = None,
    image_id: int | str,
    start_id: int = 1,
    polygons: bool = False,
) -> list[dict]:
    """Return the COCO annotations of one image's class mask.

    Parameters
    ----------
    mask : ndarray of int, shape (H, W)
        Class id per pixel, ``< len(classes)``; 0 = unlabelled.
    classes : sequence of str or LabelClass
        The label classes; ``category_id`` is the class id.
    instance_mask : ndarray of int, shape (H, W), optional
        Instance id per pixel (0 = none). If given, one annotation per instance id, in
        increasing order; every pixel of an instance must have the same class (> 0).
        Labelled pixels outside every instance are not exported. If omitted, one
        annotation per 8-connected region of one class, in the raster order of each
        region's first pixel (the order of `skimage.measure.label`).
    image_id : int or str
        The ``image_id`` of every annotation.
    start_id : int
        ``id`` of the first annotation; the others follow consecutively.
    polygons : bool
        Write ``segmentation`` as polygons (see `seg_widget.io.polygons`) instead of RLE.

    Raises
    ------
    TypeError, ValueError
        Naming the argument: invalid mask or ids, shapes that differ, an instance covering
        several classes or unlabelled pixels.

    Examples
    --------
    >>> mask = np.array([[1, 1, 0], [0, 0, 2]], np.uint8)
    >>> [a["bbox"] for a in coco_annotations(mask, ["bg", "cat", "dog"], image_id=1)]
    [[0, 0, 2, 1], [2, 1, 1, 1]]

    """
    classes = normalize_classes(classes)
    shape = _shape_of(mask, argument="mask")
    ids = validate_mask(mask, shape=shape, n_classes=len(classes))
    _check_id(image_id, argument="image_id")
    _check_id(start_id, argument="start_id")
    if instance_mask is None:
        regions = _label_regions(ids, background=0, connectivity=2)
    else:
        regions = _instance_ids(instance_mask, shape)
    annotations = []
    for number, box in enumerate(ndimage.find_objects(regions), start=1):
        if box is None:
            continue
        crop = regions[box] == number
        category = _category_of(ids[box][crop], number, is_instance=instance_mask is not None)
        top_left_rc = (box[0].start, box[1].start)
        if polygons:
            segmentation = polygons_of_crop(crop, top_left_rc)
        else:
            segmentation = rle_encode_crop(crop, top_left_rc, shape)
        annotations.append(
            {
                "id": start_id + len(annotations),
                "image_id": image_id,
                "category_id": category,
                "segmentation": segmentation,
                "area": int(np.count_nonzero(crop)),
                "bbox": [box[1].start, box[0].start, crop.shape[1], crop.shape[0]],
                "iscrowd": 0,
            }
        )
    return annotations


def coco_document(
    images: Sequence[dict], annotations: Sequence[dict], classes: Sequence[str | LabelClass]
) -> dict:
    """Return a COCO document ``{"images", "annotations", "categories"}``, after checks.

    Every image needs ``id``, ``file_name``, ``height`` and ``width`` (see `coco_image`);
    image ids and annotation ids must be unique, and every annotation must refer to one of
    the ``images`` and to a category of ``classes``.

    Examples
    --------
    >>> mask = np.array([[0, 1]], np.uint8)
    >>> document = coco_document(
    ...     [coco_image(1, "a.png", mask.shape)],
    ...     coco_annotations(mask, ["bg", "cat"], image_id=1),
    ...     ["bg", "cat"],
    ... )
    >>> sorted(document), len(document["annotations"])
    (['annotations', 'categories', 'images'], 1)

    """
    categories = coco_categories(classes)
    image_ids = _unique_ids(images, "images", required=("id", "file_name", "height", "width"))
    _unique_ids(annotations, "annotations", required=("id", "image_id", "category_id"))
    category_ids = {category["id"] for category in categories}
    for index, annotation in enumerate(annotations):
        where = f"annotations[{index}]"
        if annotation["image_id"] not in image_ids:
            raise ValueError(
                f"{where}['image_id']: expected the id of one of the images; "
                f"got {annotation['image_id']!r}"
            )
        if annotation["category_id"] not in category_ids:
            raise ValueError(
                f"{where}['category_id']: expected a class id 1..{len(categories)}; "
                f"got {annotation['category_id']!r}"
            )
    return {"images": list(images), "annotations": list(annotations), "categories": categories}


def save_coco(path: str | os.PathLike, document: dict) -> None:
    """Write a COCO document as compact UTF-8 JSON to ``path``, atomically.

    numpy integers and floats in the document are written as plain numbers.
    """
    atomic_write_bytes(path, encode_coco(document))


def encode_coco(document: dict) -> bytes:
    """Return a COCO document as the compact UTF-8 JSON bytes `save_coco` writes."""
    if not isinstance(document, dict):
        raise TypeError(f"document: expected a dict; got {type(document).__name__}")
    text = json.dumps(document, ensure_ascii=False, separators=(",", ":"), default=_plain)
    return text.encode("utf-8")


def _category_of(classes_here: np.ndarray, number: int, *, is_instance: bool) -> int:
    """Return the class of one region; an instance must have exactly one class > 0."""
    low, high = int(classes_here.min()), int(classes_here.max())
    if is_instance and (low != high or low == 0):
        found = np.unique(classes_here).tolist()
        raise ValueError(
            f"instance_mask: expected every pixel of an instance to have one class > 0; "
            f"got instance {number} over classes {found}"
        )
    return high


def _instance_ids(instance_mask: object, shape: tuple[int, int]) -> np.ndarray:
    array = np.asarray(instance_mask)
    if array.dtype.kind not in "biu":
        raise TypeError(f"instance_mask: expected an integer array; got dtype {array.dtype}")
    if array.shape != shape:
        got = tuple(int(n) for n in array.shape)
        raise ValueError(f"instance_mask: expected shape {shape} to match mask; got {got}")
    low, high = (int(array.min()), int(array.max())) if array.size else (0, 0)
    if low < 0 or high > _MAX_INSTANCE_ID:
        raise ValueError(f"instance_mask: expected ids in 0..{_MAX_INSTANCE_ID}; got {low}..{high}")
    return array.astype(np.intp)


def _shape_of(mask: object, *, argument: str) -> tuple[int, int]:
    shape = tuple(int(n) for n in np.shape(mask))
    if len(shape) != 2:
        raise ValueError(f"{argument}: expected a 2-D array (H, W); got shape {shape}")
    return shape  # type: ignore[return-value]


def _check_id(value: object, *, argument: str) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer, str)):
        raise TypeError(f"{argument}: expected an int or str; got {type(value).__name__}")


def _unique_ids(entries: Sequence[dict], argument: str, *, required: tuple[str, ...]) -> set:
    if isinstance(entries, (str, bytes, dict)) or not isinstance(entries, Sequence):
        raise TypeError(f"{argument}: expected a list of dicts; got {type(entries).__name__}")
    ids: set = set()
    for index, entry in enumerate(entries):
        missing = [key for key in required if not isinstance(entry, dict) or key not in entry]
        if missing:
            raise ValueError(
                f"{argument}[{index}]: expected keys {list(required)}; missing {missing}"
            )
        if entry["id"] in ids:
            raise ValueError(
                f"{argument}[{index}]['id']: expected a unique id; got {entry['id']!r} again"
            )
        ids.add(entry["id"])
    return ids


def _plain(value: object) -> object:
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.floating):
        return float(value)
    if isinstance(value, np.ndarray):
        return value.tolist()
    raise TypeError(f"document: cannot write a {type(value).__name__} as JSON")
