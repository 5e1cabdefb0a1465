"""Importing the COCO annotations of one image into a class mask and an instance mask.

Everything a file declares is validated strictly before it is used, with messages that name
the field (``document['annotations'][3]['segmentation']['counts'][5]``): image sizes and
ids are integers (not booleans, fractions or strings), RLE sizes are the image's, counts are
integers >= 0 adding up to the image's pixels, polygons are flat lists of at least 3 points
within one image size of the image, ``category_id`` names a category of the document.

Bounds (`seg_widget.io.limits`): the image's size (its entry in the document, or the expected
``shape``) must be within ``MAX_MASK_PIXELS`` when no shape is given; per image, the pixels
all annotations paint at most ``COCO_AREA_PER_PIXEL`` times the image's pixels, and the
polygon outlines at most ``COCO_OUTLINE_PER_PIXEL`` times as long. Painting costs O(pixels
painted + runs), never O(box) for a thin diagonal object, so the work is proportional to
the file and the output.

Polygons are decoded as ``pycocotools`` decodes them (see `seg_widget.io.coco_polygons`),
because that is what training code reads; categories become classes by the rules of
`seg_widget.io.category_rules`.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import NamedTuple

import numpy as np

from seg_widget.core.classes import LabelClass, mask_dtype, normalize_classes
from seg_widget.io import limits
from seg_widget.io._paths import as_path, require_file
from seg_widget.io.category_rules import category_mapping, is_id
from seg_widget.io.coco_polygons import checked_polygon, outline_length, polygon_runs
from seg_widget.io.json_files import read_json
from seg_widget.io.rle import rle_counts, rle_segments, segments_crop

__all__ = ["CocoImage", "decode_coco_image", "load_coco", "mask_from_coco"]

_MAX_INSTANCES = 65535
# Paint through a crop of the bounding box when it is at most this many times the area
# (fast, vectorised); else pixel by pixel, in chunks of _CHUNK_PIXELS (O(area)).
_CROP_FACTOR = 4
_CHUNK_PIXELS = 1 << 22


class CocoImage(NamedTuple):
    """What `decode_coco_image` returns."""

    #: ``(H, W)`` class ids.
    class_mask: np.ndarray
    #: ``(H, W)`` uint16 instance ids: annotation ``k`` (1-based, of this image) is ``k``.
    instance_mask: np.ndarray
    #: How categories became classes: ``"name"`` or ``"id"``.
    category_rule: str


def load_coco(path: str | os.PathLike) -> dict:
    """Read a COCO JSON file; check that it is an object with a list of ``annotations``.

    Raises
    ------
    ValueError
        Naming the file, if it is missing, is not JSON (or is nested too deeply), or has no
        ``annotations`` list.

    """
    name = as_path(path)
    require_file(name)
    document = read_json(name)
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

    `decode_coco_image` without the rule: with ``classes`` categories map to classes by
    name (every category an annotation uses must be named like a class), without them the
    category id is the class id.

    Examples
    --------
    >>> document = {"images": [{"id": 3, "height": 2, "width": 3}], "annotations": [
    ...     {"image_id": 3, "category_id": 2, "segmentation": {"size": [2, 3], "counts": "231"}}]}
    >>> class_mask, instance_mask = mask_from_coco(document, 3)
    >>> class_mask
    array([[0, 2, 2],
           [0, 2, 0]], dtype=uint8)

    """
    rule = "id" if classes is None else "name"
    decoded = decode_coco_image(document, image_id, shape, classes=classes, categories=rule)
    return decoded.class_mask, decoded.instance_mask


def decode_coco_image(
    document: dict,
    image_id: int | str,
    shape: tuple[int, int] | None = None,
    *,
    classes: Sequence[str | LabelClass] | None = None,
    categories: str = "auto",
) -> CocoImage:
    """Paint the annotations of one image into a class and an instance mask; say how.

    Annotations are painted in document order, later ones over earlier ones; annotation
    number ``k`` (1-based, counting this image's annotations) gets instance id ``k``.
    Segmentations are RLEs (compressed or list counts) or lists of polygons (united;
    decoded as pycocotools does); crowd annotations are painted too. The whole document
    part this image uses is validated before anything is painted.

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
        The classes to map categories to; without them the category id is the class id.
    categories : {"auto", "name", "id"}
        How categories become classes (`seg_widget.io.category_rules`).

    Returns
    -------
    CocoImage
        ``class_mask`` (dtype ``mask_dtype(n_classes)``), ``instance_mask`` (uint16) and
        ``category_rule``.

    Raises
    ------
    ValueError
        Naming the field: an unknown image, sizes that disagree (naming both) or exceed the
        limits, malformed or out-of-bounds segmentations, unknown or unmappable categories,
        or more work than the limits allow.

    """
    if not isinstance(document, dict) or not isinstance(document.get("annotations"), list):
        raise ValueError("document: expected a COCO document with an 'annotations' list")
    if not _is_image_id(image_id):
        raise TypeError(f"image_id: expected an int or str; got {type(image_id).__name__}")
    height, width = _shape_of_image(document, image_id, shape)
    selected = _annotations_of(document, image_id)
    if classes is not None:
        classes = normalize_classes(classes)
    used = {}
    for index, annotation in selected:
        category_id = annotation.get("category_id")
        if not is_id(category_id):
            raise ValueError(
                f"document['annotations'][{index}]['category_id']: expected an integer id; "
                f"got {category_id!r:.40}"
            )
        used.setdefault(category_id, f"document['annotations'][{index}]")
    mapping = category_mapping(document, used, classes, categories)
    shapes = [
        _segmentation(annotation.get("segmentation"), (height, width), index)
        for index, annotation in selected
    ]
    _check_work(selected, shapes, (height, width))
    class_mask = np.zeros((height, width), dtype=mask_dtype(mapping.n_classes))
    instance_mask = np.zeros((height, width), dtype=np.uint16)
    area_left = _budget(limits.COCO_AREA_PER_PIXEL, height * width)
    for instance, ((index, annotation), parts) in enumerate(
        zip(selected, shapes, strict=True), start=1
    ):
        class_id = mapping.class_of(annotation["category_id"])
        for is_rle, part in parts:
            counts = part if is_rle else polygon_runs(part, (height, width))
            area_left -= int(counts[1::2].sum())
            if area_left < 0:
                raise ValueError(
                    f"document['annotations'][{index}]: the annotations of image {image_id!r} "
                    f"paint more than seg_widget.io.limits.COCO_AREA_PER_PIXEL = "
                    f"{limits.COCO_AREA_PER_PIXEL} times its {height * width} pixels"
                )
            _paint(counts, height, (class_mask, class_id), (instance_mask, instance))
    return CocoImage(class_mask, instance_mask, mapping.rule)


def _annotations_of(document: dict, image_id: object) -> list[tuple[int, dict]]:
    selected = []
    for index, annotation in enumerate(document["annotations"]):
        where = f"document['annotations'][{index}]"
        if not isinstance(annotation, dict):
            raise ValueError(f"{where}: expected an object; got {type(annotation).__name__}")
        if not _is_image_id(annotation.get("image_id")):
            raise ValueError(
                f"{where}['image_id']: expected an int or str; got "
                f"{annotation.get('image_id')!r:.40}"
            )
        if _same_id(annotation["image_id"], image_id):
            selected.append((index, annotation))
    if len(selected) > _MAX_INSTANCES:
        raise ValueError(
            f"document: expected at most {_MAX_INSTANCES} annotations for image {image_id!r}; "
            f"got {len(selected)}"
        )
    return selected


def _segmentation(
    segmentation: object, shape: tuple[int, int], index: int
) -> list[tuple[bool, np.ndarray]]:
    """Validate one segmentation: ``[(True, RLE counts)]`` or ``[(False, polygon xy), ...]``."""
    argument = f"document['annotations'][{index}]['segmentation']"
    if isinstance(segmentation, dict):
        size, counts = rle_counts(segmentation, argument=argument)
        if size != shape:
            raise ValueError(f"{argument}['size']: expected {list(shape)}; got {list(size)}")
        return [(True, counts)]
    if isinstance(segmentation, list):
        return [
            (False, checked_polygon(polygon, shape, argument=f"{argument}[{number}]"))
            for number, polygon in enumerate(segmentation)
        ]
    raise ValueError(
        f"{argument}: expected an RLE dict or a list of polygons; got {type(segmentation).__name__}"
    )


def _check_work(selected: list, shapes: list[list], shape: tuple[int, int]) -> None:
    """Refuse, before painting, an image whose RLE area or outline length exceeds the limits."""
    height, width = shape
    area = _budget(limits.COCO_AREA_PER_PIXEL, height * width)
    outline = _budget(limits.COCO_OUTLINE_PER_PIXEL, (height + 1) * (width + 1))
    for (index, _), parts in zip(selected, shapes, strict=True):
        for is_rle, part in parts:
            if is_rle:
                area -= int(part[1::2].sum())
            else:
                outline -= outline_length(part)
        if area < 0 or outline < 0:
            which = "COCO_AREA_PER_PIXEL" if area < 0 else "COCO_OUTLINE_PER_PIXEL"
            raise ValueError(
                f"document['annotations'][{index}]: the annotations of this image exceed "
                f"seg_widget.io.limits.{which} = {getattr(limits, which)} (work per pixel of "
                f"the {width} x {height} image); raise it if you trust the file"
            )


def _budget(per_pixel: float | None, pixels: int) -> float:
    return float("inf") if per_pixel is None else per_pixel * pixels


def _paint(
    counts: np.ndarray,
    height: int,
    *targets: tuple[np.ndarray, int],
) -> None:
    """Set the pixels of RLE ``counts`` to each target's value, in O(pixels + runs)."""
    columns, row_starts, row_ends = rle_segments(counts, height)
    if len(columns) == 0:
        return
    lengths = row_ends - row_starts
    area = int(lengths.sum())
    box_area = (int(row_ends.max()) - int(row_starts.min())) * (
        int(columns.max()) - int(columns.min()) + 1
    )
    if box_area <= _CROP_FACTOR * area + 4096:
        (row0, col0), crop = segments_crop(columns, row_starts, row_ends)
        box = (slice(row0, row0 + crop.shape[0]), slice(col0, col0 + crop.shape[1]))
        for array, value in targets:
            array[box][crop] = value
        return
    ends = np.cumsum(lengths)
    first = 0
    while first < len(lengths):
        limit = (ends[first - 1] if first else 0) + _CHUNK_PIXELS
        last = max(first + 1, int(np.searchsorted(ends, limit, side="right")))
        part = slice(first, last)
        counts_here = lengths[part]
        offsets = np.arange(int(counts_here.sum()))
        offsets -= np.repeat(np.cumsum(counts_here) - counts_here, counts_here)
        rows = np.repeat(row_starts[part], counts_here) + offsets
        cols = np.repeat(columns[part], counts_here)
        for array, value in targets:
            array[rows, cols] = value
        first = last


def _shape_of_image(
    document: dict, image_id: object, shape: tuple[int, int] | None
) -> tuple[int, int]:
    images = document.get("images") or []
    if not isinstance(images, list):
        raise ValueError(f"document['images']: expected a list; got {type(images).__name__}")
    stored = None
    for number, image in enumerate(images):
        if isinstance(image, dict) and _same_id(image.get("id"), image_id):
            where = f"document['images'][{number}]"
            stored = tuple(_size_field(image, key, where) for key in ("height", "width"))
            break
    if shape is None:
        if stored is None:
            raise ValueError(
                f"image_id: expected the id of an image in document['images'] (or pass shape); "
                f"got {image_id!r}"
            )
        limits.check_pixels(stored, what=f"image {image_id!r} of the COCO document")
        return stored
    if len(shape) != 2 or not all(
        isinstance(n, (int, np.integer)) and not isinstance(n, bool) and n > 0 for n in shape
    ):
        raise ValueError(f"shape: expected (height, width) of positive ints; got {shape!r}")
    shape = (int(shape[0]), int(shape[1]))
    if stored is not None:
        limits.check_mask_shape(stored, shape, what=f"image {image_id!r} of the COCO document")
    return shape


def _size_field(image: dict, key: str, where: str) -> int:
    value = image.get(key)
    if not is_id(value) or value < 1:
        raise ValueError(f"{where}[{key!r}]: expected a positive integer; got {value!r:.40}")
    return value


def _is_image_id(value: object) -> bool:
    return is_id(value) or isinstance(value, str)


def _same_id(a: object, b: object) -> bool:
    """Equal ids of the same kind: 1 and "1" (or True) are different images."""
    return _is_image_id(a) and _is_image_id(b) and type(a) is type(b) and a == b
