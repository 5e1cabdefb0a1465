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
"""

from __future__ import annotations

import os
import zipfile
from collections.abc import Sequence
from typing import NamedTuple

import numpy as np

from seg_widget.core.instances import INSTANCE_DTYPE, Instance
from seg_widget.io._paths import as_path, require_file
from seg_widget.io.atomic import atomic_writer

__all__ = ["Annotation", "load_annotation", "save_annotation"]

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
    with atomic_writer(name, "wb") as file:
        np.savez_compressed(file, **arrays)


def load_annotation(path: str | os.PathLike) -> Annotation:
    """Read a ``.npz`` written by `save_annotation` (or a plain mask ``.npz``).

    The table is checked against the map: every non-zero id of the map has a row, ids are
    unique and >= 1, parents are ids of the table. Whether each instance's pixels have its
    class in the mask is checked when the annotation is loaded into a document.

    Raises
    ------
    ValueError
        Naming the file: unreadable, missing ``mask``, or an inconsistent table.

    """
    name = as_path(path)
    require_file(name)
    try:
        with np.load(name, allow_pickle=False) as archive:
            arrays = {key: archive[key] for key in archive.files}
    except (ValueError, OSError, EOFError, zipfile.BadZipFile) as error:
        raise ValueError(f"path: cannot read an .npz archive from {name!r}: {error}") from error
    if "mask" not in arrays:
        raise ValueError(f"path: expected an array named 'mask' in {name!r}; got {list(arrays)}")
    mask = arrays["mask"]
    if "instances" not in arrays:
        return Annotation(mask, None, ())
    missing = [key for key in _TABLE_KEYS if key not in arrays]
    if missing:
        raise ValueError(f"path: expected the instance table arrays {missing} in {name!r}")
    instance_map = arrays["instances"]
    if instance_map.shape != mask.shape or instance_map.dtype.kind not in "iu":
        raise ValueError(
            f"path: expected 'instances' to be integers of the mask's shape {mask.shape} in "
            f"{name!r}; got {instance_map.dtype} of shape {instance_map.shape}"
        )
    table = _table(arrays, name)
    known = {instance.id for instance in table}
    stray = np.setdiff1d(np.unique(instance_map), [0, *known])
    if stray.size:
        raise ValueError(
            f"path: instance ids {stray[:5].tolist()} of the map have no table row in {name!r}"
        )
    return Annotation(mask, instance_map.astype(INSTANCE_DTYPE), table)


def _table(arrays: dict[str, np.ndarray], name: str) -> tuple[Instance, ...]:
    columns = [arrays[key].tolist() for key in _TABLE_KEYS]
    if len({len(column) for column in columns}) != 1:
        raise ValueError(f"path: the instance table columns differ in length in {name!r}")
    table = tuple(
        Instance(int(i), int(c), str(n), bool(v), bool(lock), None if p < 0 else int(p))
        for i, c, n, v, lock, p in zip(*columns, strict=True)
    )
    ids = [instance.id for instance in table]
    if len(set(ids)) != len(ids) or any(i < 1 for i in ids):
        raise ValueError(f"path: expected unique instance ids >= 1 in {name!r}; got {ids[:10]}")
    orphans = [i.id for i in table if i.parent is not None and i.parent not in set(ids)]
    if orphans:
        raise ValueError(f"path: instances {orphans[:5]} have a parent not in the table ({name!r})")
    return table
