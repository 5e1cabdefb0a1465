"""YOLO segmentation label files: one object per line, ``class x1 y1 x2 y2 ...`` normalised.

The format (Ultralytics' documentation of its segmentation datasets): one text file per
image, one line per object; a line is the object's class index (an integer from 0) and the
``(x, y)`` vertices of one polygon, divided by the image's width and height, so every
coordinate is in ``[0, 1]``; at least three points; values separated by spaces.

**Class index** = seg-widget class id - 1: YOLO has no "unlabelled" class, so class 0 is
not exported and class 1 becomes index 0.

**One polygon per object, holes included.** The format allows one polygon per line and no
holes, so each object's outlines (its outer boundaries, the boundaries of its holes and of
islands inside them, separate parts) are joined into one closed polygon by *zero-width
bridges*: from the vertex of the largest outline nearest to each other outline, a straight
segment to that outline's nearest vertex, once round it, and back along the same segment.
Each bridge is walked twice in opposite directions, so under the even-odd rule it adds and
removes nothing: the filled polygon is the object, holes left open. The outlines are those
of `seg_widget.io.polygons` (halfway between pixel centres), so no pixel centre lies on one;
coordinates are written with enough decimals (at least 6, more above 20,000 pixels) to move
a vertex by at most 0.01 pixel. Read back with the pixel-centre rule (`load_yolo_labels`)
every object comes back **exactly** (IoU 1.0, measured in the tests on objects with holes,
islands, several parts and touching neighbours). Ultralytics' own reader truncates each
vertex to whole pixels and fills with OpenCV's ``fillPoly``, which also paints the pixels
under the outline and under each bridge: there objects grow by about a pixel on their right
and bottom sides and a hole gains a one-pixel line per bridge
(``benchmarks/models_bench.py`` with OpenCV: median IoU 0.96 for the coins of
``skimage.data.coins``, 0.85 for small blobs).

**Touching objects** stay separate: each has its own line; on reading, later lines paint
over earlier ones (a file from seg-widget never overlaps).

The reader is strict and bounded: it refuses a file over `max_label_bytes` of the image
size, blank lines, malformed numbers, unknown class indices, coordinates outside ``[0, 1]``,
odd coordinate counts and fewer than three points, naming the file and line; filling the
polygons costs at most `AREA_BUDGET` times the image area in total.
"""

from __future__ import annotations

import math
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy.spatial import cKDTree

from seg_widget.core.classes import LabelClass, mask_dtype, normalize_classes
from seg_widget.core.instances import INSTANCE_DTYPE, Instance, export_ids
from seg_widget.core.outline import polygon_footprint
from seg_widget.io._paths import as_path, require_file
from seg_widget.io.coco import coco_annotations
from seg_widget.io.instance_files import Annotation

__all__ = [
    "AREA_BUDGET",
    "YoloObject",
    "bridged_polygon",
    "load_yolo_labels",
    "max_label_bytes",
    "read_yolo_labels",
    "yolo_label_lines",
]

#: Filling the polygons of one file may cost at most this many times the image area
#: (the sum of the polygons' bounding-box areas inside the image).
AREA_BUDGET = 256

# ASCII digits only; each pattern matches a string in at most one way, so matching stays
# linear in the line's length even on hostile input (no catastrophic backtracking).
_CLASS_TEXT = r"[0-9]+"
_NUMBER_TEXT = r"[-+]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][-+]?[0-9]+)?"
_CLASS = re.compile(_CLASS_TEXT)
_NUMBER = re.compile(_NUMBER_TEXT)
_LINE = re.compile(rf"[ \t]*{_CLASS_TEXT}(?:[ \t]+{_NUMBER_TEXT})*[ \t]*")


@dataclass(frozen=True)
class YoloObject:
    """One line of a label file."""

    #: YOLO class index (seg-widget class id - 1).
    class_index: int
    #: ``(N, 2)`` float ``(x, y)`` vertices, normalised to ``[0, 1]``.
    polygon_xy: np.ndarray
    #: Line number in the file, from 1.
    line: int


def max_label_bytes(shape: tuple[int, int]) -> int:
    """Return the largest label file read for an image of ``shape`` ``(H, W)``.

    128 bytes per pixel (with a border) plus 64 KiB: far above what any export of that
    image holds (at most about 6 vertices per pixel of about 20 bytes each).
    """
    height, width = shape
    return 128 * (height + 2) * (width + 2) + (64 << 10)


def bridged_polygon(loops: Sequence[np.ndarray]) -> np.ndarray:
    """Join closed outlines into one ``(N, 2)`` polygon by zero-width bridges (module note).

    Each loop is an ``(n, 2)`` array of vertices without the closing repeat. The result's
    even-odd filling equals the even-odd filling of all the loops together.

    Examples
    --------
    A square with a square hole:

    >>> outer = np.array([[0, 0], [6, 0], [6, 6], [0, 6]], float)
    >>> hole = np.array([[2, 2], [2, 4], [4, 4], [4, 2]], float)
    >>> bridged_polygon([outer, hole]).astype(int).tolist()  # doctest: +NORMALIZE_WHITESPACE
    [[0, 0], [2, 2], [2, 4], [4, 4], [4, 2], [2, 2], [0, 0],
     [6, 0], [6, 6], [0, 6]]

    """
    loops = [np.asarray(loop, dtype=np.float64).reshape(-1, 2) for loop in loops]
    if not loops:
        return np.zeros((0, 2))
    root_index = max(range(len(loops)), key=lambda i: abs(_area(loops[i])))
    root = loops[root_index]
    tree = cKDTree(root)
    excursions: dict[int, list[np.ndarray]] = {}
    for index, loop in enumerate(loops):
        if index == root_index:
            continue
        distances, nearest = tree.query(loop)
        start = int(np.argmin(distances))
        # The loop from its nearest vertex round to it again, then back to the root vertex.
        path = np.concatenate([np.roll(loop, -start, axis=0), loop[start : start + 1]])
        excursions.setdefault(int(nearest[start]), []).append(path)
    pieces = []
    previous = 0
    for vertex in sorted(excursions):
        pieces.append(root[previous : vertex + 1])
        for path in excursions[vertex]:
            pieces += [path, root[vertex : vertex + 1]]
        previous = vertex + 1
    pieces.append(root[previous:])
    return np.concatenate(pieces)


def yolo_label_lines(
    mask: np.ndarray,
    classes: Sequence[str | LabelClass],
    instance_map: np.ndarray | None = None,
) -> list[str]:
    """Return the label lines (without newlines) of one image's class mask.

    Objects: the instances of ``instance_map`` plus each 8-connected region of one class
    outside them (`seg_widget.core.instances.export_ids`); without instances, each
    8-connected region of one class. One line per object, in increasing id / raster order.

    Raises
    ------
    TypeError, ValueError
        As `seg_widget.io.coco.coco_annotations` (invalid mask, an instance over several
        classes, shapes that differ).

    Examples
    --------
    >>> yolo_label_lines(np.array([[0, 0], [0, 2]], np.uint8), ["bg", "cat", "dog"])
    ['1 0.75 1 0.5 0.75 0.75 0.5 1 0.75']

    """
    classes = normalize_classes(classes)
    mask = np.asarray(mask)
    ids = export_ids(mask, instance_map) if instance_map is not None else None
    annotations = coco_annotations(mask, classes, instance_mask=ids, image_id=0, polygons=True)
    height, width = mask.shape
    decimals = max(6, math.ceil(math.log10(50 * max(height, width, 1))))
    scale = np.array([width, height], dtype=np.float64)
    lines = []
    for annotation in annotations:
        loops = [np.reshape(polygon, (-1, 2)) for polygon in annotation["segmentation"]]
        normalised = bridged_polygon(loops) / scale
        numbers = " ".join(_number(value, decimals) for value in normalised.ravel().tolist())
        lines.append(f"{annotation['category_id'] - 1} {numbers}")
    return lines


def read_yolo_labels(
    path: str | os.PathLike, shape: tuple[int, int], n_classes: int
) -> list[YoloObject]:
    """Read a label file strictly (see the module docstring); ``n_classes`` YOLO classes.

    ``shape`` is the image's ``(H, W)``: it bounds the file size (`max_label_bytes`).

    Raises
    ------
    ValueError
        Naming the file and the line: too large, not UTF-8, a blank line, a token that is
        not a class index or a decimal number, an unknown class index, a coordinate outside
        ``[0, 1]``, an odd number of coordinates, fewer than three points.

    """
    name = as_path(path)
    require_file(name)
    limit = max_label_bytes(shape)
    size = os.path.getsize(name)
    if size > limit:
        raise ValueError(
            f"{name}: expected at most {limit} bytes for a {shape[0]}x{shape[1]} image; "
            f"the file has {size}"
        )
    with open(name, "rb") as file:
        data = file.read(limit + 1)
    if len(data) > limit:  # grew since
        raise ValueError(f"{name}: expected at most {limit} bytes for its image")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise ValueError(f"{name}: expected UTF-8 text; {error}") from None
    if text.endswith("\n"):
        text = text[:-1]
    if not text:
        return []
    objects = []
    for number, line in enumerate(text.split("\n"), start=1):
        line = line.removesuffix("\r")
        objects.append(_parse_line(line, name, number, n_classes))
    return objects


def load_yolo_labels(
    path: str | os.PathLike,
    shape: tuple[int, int],
    classes: Sequence[str | LabelClass],
) -> Annotation:
    """Read a label file into ``(class mask, instance map, instance table)``.

    ``classes`` are seg-widget classes (class 0 = unlabelled; YOLO index ``i`` is class
    ``i + 1``). Each line becomes the instance whose id is its line number, painted in file
    order (later lines over earlier ones) with the pixel-centre rule of
    `seg_widget.core.outline.polygon_footprint`; an instance left with no pixel is dropped.

    Raises
    ------
    ValueError
        As `read_yolo_labels`, or when filling would exceed `AREA_BUDGET` image areas.

    """
    classes = normalize_classes(classes)
    height, width = shape
    objects = read_yolo_labels(path, shape, len(classes) - 1)
    mask = np.zeros(shape, dtype=mask_dtype(len(classes)))
    instance_map = np.zeros(shape, dtype=INSTANCE_DTYPE)
    budget = AREA_BUDGET * max(height * width, 1)
    scale = np.array([height, width], dtype=np.float64)
    for item in objects:
        vertices_rc = item.polygon_xy[:, ::-1] * scale
        low = np.maximum(np.floor(vertices_rc.min(axis=0)), 0)
        high = np.minimum(np.ceil(vertices_rc.max(axis=0)), scale)
        budget -= int(np.prod(np.maximum(high - low, 0)))
        if budget < 0:
            raise ValueError(
                f"{as_path(path)}, line {item.line}: the polygons cover more than "
                f"{AREA_BUDGET} times the image area in total; refusing to fill them"
            )
        footprint = polygon_footprint(vertices_rc, shape)
        if footprint is None:
            continue
        bbox, inside = footprint
        mask[bbox.slices][inside] = item.class_index + 1
        instance_map[bbox.slices][inside] = item.line
    present = set(np.unique(instance_map).tolist())
    table = tuple(
        Instance(
            item.line, item.class_index + 1, f"{classes[item.class_index + 1].name} {item.line}"
        )
        for item in objects
        if item.line in present
    )
    return Annotation(mask, instance_map, table)


def _parse_line(line: str, name: str, number: int, n_classes: int) -> YoloObject:
    where = f"{name}, line {number}"
    if not line.strip():
        raise ValueError(f"{where}: blank line; expected 'class x1 y1 x2 y2 ...'")
    if _LINE.fullmatch(line) is None:
        tokens = line.split()
        if _CLASS.fullmatch(tokens[0]) is None:
            raise ValueError(f"{where}: expected a class index (0, 1, ...); got {tokens[0]!r:.40}")
        bad = next(token for token in tokens[1:] if _NUMBER.fullmatch(token) is None)
        raise ValueError(f"{where}: expected a decimal number; got {bad!r:.40}")
    tokens = line.split()
    class_index = int(tokens[0])
    if class_index >= n_classes:
        raise ValueError(
            f"{where}: unknown class index {class_index}; expected 0..{n_classes - 1} "
            f"({n_classes} classes)"
        )
    count = len(tokens) - 1
    if count % 2:
        raise ValueError(f"{where}: odd number of coordinates ({count}); expected x y pairs")
    if count < 6:
        hint = " (a detection box 'class cx cy w h'?)" if count == 4 else ""
        raise ValueError(f"{where}: {count // 2} points; a polygon needs at least 3{hint}")
    values = np.array(tokens[1:], dtype=np.float64)
    outside = (values < 0) | (values > 1)
    if outside.any():
        position = int(np.argmax(outside))
        axis = "xy"[position % 2]
        raise ValueError(
            f"{where}: coordinate {axis}{position // 2 + 1} = {tokens[position + 1]} is "
            "outside [0, 1]"
        )
    return YoloObject(class_index, values.reshape(-1, 2), number)


def _number(value: float, decimals: int) -> str:
    text = f"{value:.{decimals}f}".rstrip("0").rstrip(".")
    return text or "0"


def _area(loop: np.ndarray) -> float:
    x, y = loop[:, 0], loop[:, 1]
    return 0.5 * float(np.dot(x, np.roll(y, -1)) - np.dot(y, np.roll(x, -1)))
