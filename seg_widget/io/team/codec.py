"""Masks and objects files to and from bytes, through the project's own writers and readers.

The store moves bytes; `seg_widget.io.masks` and `seg_widget.io.instance_files` define the
formats, their checks and their limits on paths. This module runs them on a private
temporary folder, so a version in the store is byte for byte the file the single-user mode
writes, and reading one applies exactly the same validation.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Sequence

import numpy as np

from seg_widget.core.classes import LabelClass
from seg_widget.core.instances import Instance
from seg_widget.io.instance_files import Annotation, load_annotation, save_annotation
from seg_widget.io.masks import load_mask, save_mask

__all__ = ["decode_mask", "decode_objects", "encode_mask", "encode_objects"]


def encode_mask(mask: np.ndarray, classes: Sequence[str | LabelClass], extension: str) -> bytes:
    """Return the bytes `seg_widget.io.masks.save_mask` writes for ``mask`` as ``extension``."""
    with tempfile.TemporaryDirectory(prefix="seg-widget-") as folder:
        path = os.path.join(folder, "mask" + extension)
        save_mask(path, mask, classes)
        with open(path, "rb") as file:
            return file.read()


def decode_mask(data: bytes, extension: str, *, n_classes: int, name: str) -> np.ndarray:
    """Read mask bytes as `seg_widget.io.masks.load_mask` reads a file; errors name ``name``."""
    with tempfile.TemporaryDirectory(prefix="seg-widget-") as folder:
        path = os.path.join(folder, "mask" + extension)
        with open(path, "wb") as file:
            file.write(data)
        try:
            return load_mask(path, n_classes=n_classes)
        except ValueError as error:
            raise ValueError(str(error).replace(repr(path), repr(name))) from None


def encode_objects(
    mask: np.ndarray, instance_map: np.ndarray | None, instances: Sequence[Instance]
) -> bytes:
    """Return the bytes `seg_widget.io.instance_files.save_annotation` writes.

    Without an instance map, an empty one (no objects) is stored.
    """
    if instance_map is None:
        instance_map = np.zeros(np.shape(mask), np.uint32)
    with tempfile.TemporaryDirectory(prefix="seg-widget-") as folder:
        path = os.path.join(folder, "objects.npz")
        save_annotation(path, mask, instance_map, instances)
        with open(path, "rb") as file:
            return file.read()


def decode_objects(
    data: bytes,
    *,
    name: str,
    shape: tuple[int, int] | None = None,
    n_classes: int | None = None,
) -> Annotation:
    """Read objects-file bytes as `seg_widget.io.instance_files.load_annotation` reads a file.

    ``shape`` and ``n_classes``, when given, are checked as `load_annotation` checks them.
    """
    with tempfile.TemporaryDirectory(prefix="seg-widget-") as folder:
        path = os.path.join(folder, "objects.npz")
        with open(path, "wb") as file:
            file.write(data)
        try:
            return load_annotation(path, shape=shape, n_classes=n_classes)
        except ValueError as error:
            raise ValueError(str(error).replace(repr(path), repr(name))) from None
