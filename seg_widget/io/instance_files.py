"""Saving the whole annotation — class mask, instance map and instance table — in one .npz.

The file is a plain `numpy.savez_compressed` archive (no pickle), readable without
seg-widget:

==================== ============================================================
Key                  Array
==================== ============================================================
``mask``             ``(H, W)`` class ids (as `seg_widget.io.masks.save_mask` writes)
``instances``        ``(H, W)`` uint32 instance ids, 0 = none
``instance_id``      ``(N,)`` int64 ids of the table rows
``instance_class``   ``(N,)`` int64 class id of each instance
``instance_name``    ``(N,)`` unicode names
``instance_visible`` ``(N,)`` bool
``instance_locked``  ``(N,)`` bool
``instance_parent``  ``(N,)`` int64 parent instance id, -1 = none
==================== ============================================================

A file with only ``mask`` is a semantic mask; `load_annotation` then returns no instances.
`load_annotation` checks the whole file (sizes declared in the headers first, then the table
and its agreement with the map and the mask) before returning anything.
"""

from __future__ import annotations

import io
import os
from collections.abc import Sequence
from typing import NamedTuple

import numpy as np

from seg_widget.core.instances import INSTANCE_DTYPE, Instance, check_consistent
from seg_widget.core.labels import validate_mask
from seg_widget.io import limits
from seg_widget.io._paths import as_path, require_file
from seg_widget.io.array_files import ArrayHeader, open_npz
from seg_widget.io.atomic import atomic_write_bytes
from seg_widget.io.limits import check_mask_shape

__all__ = ["Annotation", "encode_annotation_npz", "load_annotation", "save_annotation"]

# Largest instance id: the map is uint32.
_MAX_ID = int(np.iinfo(INSTANCE_DTYPE).max)
# Maps whose ids are below this are checked against the table with a lookup table.
_LUT_IDS = 1 << 22
# Pixels checked at once.
_BAND_PIXELS = 1 << 20

_TABLE_KEYS = (
    "instance_id",
    "instance_class",
    "instance_name",
    "instance_visible",
    "instance_locked",
    "instance_parent",
)


class Annotation(NamedTuple):
    """What `load_annotation` returns."""

    #: ``(H, W)`` class ids.
    mask: np.ndarray
    #: ``(H, W)`` uint32 instance ids, or None for a semantic-only file.
    instance_map: np.ndarray | None
    #: The instance table (empty for a semantic-only file).
    instances: tuple[Instance, ...]


def save_annotation(
    path: str | os.PathLike,
    mask: np.ndarray,
    instance_map: np.ndarray,
    instances: Sequence[Instance],
) -> None:
    """Write class mask, instance map and table to a ``.npz`` file, atomically.

    Examples
    --------
    >>> import os, tempfile
    >>> path = os.path.join(tempfile.mkdtemp(), "a.npz")
    >>> save_annotation(
    ...     path, np.array([[1, 1]], np.uint8), np.array([[0, 3]], np.uint32),
    ...     [Instance(3, 1, "cat 3", locked=True)],
    ... )
    >>> loaded = load_annotation(path)
    >>> loaded.instance_map.tolist(), loaded.instances
    ([[0, 3]], (Instance(id=3, class_id=1, name='cat 3', visible=True, locked=True, parent=None),))

    """
    name = as_path(path)
    if not name.lower().endswith(".npz"):
        raise ValueError(f"path: expected a file name ending in .npz; got {name!r}")
    atomic_write_bytes(name, encode_annotation_npz(mask, instance_map, instances))


def encode_annotation_npz(
    mask: np.ndarray, instance_map: np.ndarray, instances: Sequence[Instance]
) -> bytes:
    """Return the bytes of the ``.npz`` file `save_annotation` writes."""
    if instance_map.shape != mask.shape:
        raise ValueError(
            f"instance_map: expected the mask's shape {mask.shape}; got {instance_map.shape}"
        )
    arrays = {
        "mask": mask,
        "instances": instance_map.astype(INSTANCE_DTYPE, copy=False),
        "instance_id": np.array([i.id for i in instances], np.int64),
        "instance_class": np.array([i.class_id for i in instances], np.int64),
        "instance_name": np.array([i.name for i in instances], dtype=str),
        "instance_visible": np.array([i.visible for i in instances], bool),
        "instance_locked": np.array([i.locked for i in instances], bool),
        "instance_parent": np.array(
            [-1 if i.parent is None else i.parent for i in instances], np.int64
        ),
    }
    buffer = io.BytesIO()
    np.savez_compressed(buffer, **arrays)
    return buffer.getvalue()


def load_annotation(
    path: str | os.PathLike,
    *,
    shape: tuple[int, int] | None = None,
    n_classes: int | None = None,
) -> Annotation:
    """Read a ``.npz`` written by `save_annotation` (or a plain mask ``.npz``), checked whole.

    Nothing is returned unless the whole file is valid, so a caller never applies half of
    it. Every array's declared shape and dtype are checked before it is read: the mask and
    map must have the size ``shape`` (or be within `seg_widget.io.limits.MAX_MASK_PIXELS`),
    the table at most `seg_widget.io.limits.MAX_OBJECTS` rows of names at most
    `seg_widget.io.limits.MAX_NAME_LENGTH` characters. Then: ids unique in
    ``1..2**32 - 1``; every object of a class ``>= 1`` (``< n_classes`` when given), even an
    empty one; parents are other objects of the table, without cycles; every non-zero id
    of the map has a row, and every pixel of an object has the object's class in the mask.

    Parameters
    ----------
    path : str or os.PathLike
        The ``.npz`` file.
    shape : tuple of int, optional
        The expected ``(H, W)``.
    n_classes : int, optional
        The number of classes: class ids of the mask and the table must be below it, and
        the mask is returned with the widget's dtype for that many classes.

    Raises
    ------
    ValueError
        Naming the file and what is wrong.

    """
    name = as_path(path)
    require_file(name)
    what = f"annotation {name!r}"
    with open_npz(name) as archive:
        if "mask" not in archive.keys:
            raise ValueError(
                f"path: expected an array named 'mask' in {name!r}; got {list(archive.keys)}"
            )
        mask = archive.read("mask", _map_check(shape, f"'mask' in {name!r}"))
        if n_classes is not None:
            mask = validate_mask(
                mask, shape=mask.shape, n_classes=n_classes, argument=f"'mask' in {name!r}"
            )
        if "instances" not in archive.keys:
            return Annotation(mask, None, ())
        missing = [key for key in _TABLE_KEYS if key not in archive.keys]
        if missing:
            raise ValueError(f"path: expected the instance table arrays {missing} in {name!r}")
        instance_map = archive.read("instances", _map_check(mask.shape, f"'instances' in {name!r}"))
        headers = {key: archive.header(key) for key in _TABLE_KEYS}
        for key, header in headers.items():  # every column's bounds before reading any
            _column_check(key, name)(header)
        lengths = {header.shape for header in headers.values()}
        if len(lengths) != 1:
            raise ValueError(f"path: the instance table columns differ in length in {name!r}")
        columns = {key: archive.read(key, _column_check(key, name)) for key in _TABLE_KEYS}
    table = _table(columns, n_classes, what)
    instance_map = _instance_ids(instance_map, what)
    _check_pixels(mask, instance_map, table, what)
    return Annotation(mask, instance_map, table)


def _map_check(shape: tuple[int, int] | None, what: str):
    def check(header: ArrayHeader) -> None:
        if header.dtype.kind not in "biu":
            raise ValueError(f"{what}: expected integer ids; got dtype {header.dtype}")
        check_mask_shape(header.shape, shape, what=what)

    return check


def _column_check(key: str, name: str):
    what = f"{key!r} in {name!r}"
    kinds = {"instance_name": "U", "instance_visible": "b", "instance_locked": "b"}.get(key, "iu")

    def check(header: ArrayHeader) -> None:
        if len(header.shape) != 1 or header.dtype.kind not in kinds:
            raise ValueError(
                f"{what}: expected a 1-D column of kind {kinds!r}; got {header.dtype} "
                f"of shape {header.shape}"
            )
        if limits.MAX_OBJECTS is not None and header.shape[0] > limits.MAX_OBJECTS:
            raise ValueError(
                f"{what}: declares {header.shape[0]} objects, more than "
                f"seg_widget.io.limits.MAX_OBJECTS = {limits.MAX_OBJECTS}"
            )
        length = header.dtype.itemsize // 4
        if kinds == "U" and limits.MAX_NAME_LENGTH is not None and length > limits.MAX_NAME_LENGTH:
            raise ValueError(
                f"{what}: declares names of {length} characters, more than "
                f"seg_widget.io.limits.MAX_NAME_LENGTH = {limits.MAX_NAME_LENGTH}"
            )

    return check


def _check_pixels(
    mask: np.ndarray, instance_map: np.ndarray, table: tuple[Instance, ...], what: str
) -> None:
    """Every id of the map has a row and every pixel of an object has the object's class.

    With ids below `_LUT_IDS`, a lookup table checked in bands of rows (O(image) time,
    O(band) memory); larger ids go through `check_consistent` (a sorted search).
    """
    top = int(instance_map.max()) if instance_map.size else 0
    if top >= _LUT_IDS:
        try:
            check_consistent(mask, instance_map, table)
        except ValueError as error:
            raise ValueError(f"{what}: {error}") from error
        return
    class_of = np.full(top + 1, -1, np.int32)  # -1: no row
    for instance in table:
        if instance.id <= top:
            class_of[instance.id] = instance.class_id
    class_of[0] = -2  # no object: any class
    band = max(1, _BAND_PIXELS // max(1, mask.shape[1]))
    for row in range(0, mask.shape[0], band):
        ids = instance_map[row : row + band]
        expected = class_of[ids]
        if (expected == -1).any():
            unknown = int(ids[expected == -1][0])
            raise ValueError(
                f"{what}: instances: instance id {unknown} of the map has no table row"
            )
        wrong = (expected != mask[row : row + band]) & (expected != -2)
        if wrong.any():
            first = np.argwhere(wrong)[0]
            instance = int(ids[tuple(first)])
            raise ValueError(
                f"{what}: instances: expected every pixel of instance {instance} to have its class "
                f"{int(expected[tuple(first)])}; got class "
                f"{int(mask[row + first[0], first[1]])} at row {row + first[0]}, "
                f"column {first[1]}"
            )


def _instance_ids(instance_map: np.ndarray, what: str) -> np.ndarray:
    if instance_map.dtype.kind != "b" and instance_map.size:
        low, high = int(instance_map.min()), int(instance_map.max())
        if low < 0 or high > _MAX_ID:
            raise ValueError(
                f"{what}: expected instance ids in 0..{_MAX_ID} in 'instances'; got {low}..{high}"
            )
    return instance_map.astype(INSTANCE_DTYPE)


def _table(
    columns: dict[str, np.ndarray], n_classes: int | None, what: str
) -> tuple[Instance, ...]:
    ids, classes, parents = (
        columns[key].astype(np.int64).tolist()
        for key in ("instance_id", "instance_class", "instance_parent")
    )
    bad = [i for i in ids if not 1 <= i <= _MAX_ID]
    if bad:
        raise ValueError(f"{what}: expected instance ids in 1..{_MAX_ID}; got {bad[:5]}")
    if len(set(ids)) != len(ids):
        repeated = sorted({i for i in ids if ids.count(i) > 1})[:5] if len(ids) < 10_000 else []
        raise ValueError(f"{what}: expected unique instance ids; got {repeated or 'repeats'}")
    top = _MAX_ID if n_classes is None else n_classes - 1
    wrong = [(i, c) for i, c in zip(ids, classes, strict=True) if not 1 <= c <= top]
    if wrong:
        i, c = wrong[0]
        raise ValueError(
            f"{what}: expected every object's class in 1..{top} (an object is never "
            f"unlabelled); got instance {i} of class {c}"
        )
    known = set(ids)
    orphans = [i for i, p in zip(ids, parents, strict=True) if p != -1 and p not in known]
    if orphans:
        raise ValueError(f"{what}: instances {orphans[:5]} have a parent not in the table")
    parent_of = {i: p for i, p in zip(ids, parents, strict=True) if p != -1}
    cycle = _first_cycle(parent_of)
    if cycle is not None:
        raise ValueError(
            f"{what}: expected parents without cycles; instance {cycle} is its own ancestor"
        )
    return tuple(
        Instance(i, c, str(n), bool(v), bool(lock), None if p == -1 else p)
        for i, c, n, v, lock, p in zip(
            ids,
            classes,
            columns["instance_name"].tolist(),
            columns["instance_visible"].tolist(),
            columns["instance_locked"].tolist(),
            parents,
            strict=True,
        )
    )


def _first_cycle(parent_of: dict[int, int]) -> int | None:
    """Return an id that is its own ancestor, or None; O(number of objects)."""
    done: set[int] = set()
    for start in parent_of:
        path: list[int] = []
        on_path: set[int] = set()
        node: int | None = start
        while node is not None and node not in done:
            if node in on_path:
                return node
            path.append(node)
            on_path.add(node)
            node = parent_of.get(node)
        done.update(path)
    return None
