"""Undoable changes: the `Change` base and `RegionDiff`, a region of one layer before and after.

A `RegionDiff` is dense (the whole box before and after) or masked (a bool footprint and the
old and new values of its pixels, one value when they are all equal); `write_diff` makes one
while writing an edit, `write_region` replays one into a target.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from seg_widget.core.bbox import BBox
from seg_widget.core.counts import uniform_value

#: Pixels read at once when looking for the one value of a footprint.
_BAND_PIXELS = 1 << 16

#: Layer a `RegionDiff` writes to unless told otherwise, and the name under which a single
#: array passed to `History.undo` / `History.redo` is known.
MASK_LAYER = "mask"


class Change(ABC):
    """One undoable change of a step: a base for records that are not region diffs.

    Subclasses set ``bbox`` (the image region whose look changes, or None) and ``nbytes``,
    and implement `revert` and `reapply` on the targets mapping given to `History.undo`.
    """

    bbox: BBox | None
    nbytes: int

    @abstractmethod
    def revert(self, targets: Mapping[str, Any]) -> None:
        """Undo this change in ``targets``."""

    @abstractmethod
    def reapply(self, targets: Mapping[str, Any]) -> None:
        """Redo this change in ``targets``."""


@dataclass(frozen=True)
class RegionDiff(Change):
    """The values of a region of one layer before and after one edit.

    Two shapes, both owned by the diff (never views of the live mask):

    - dense (``where`` is None): ``before`` and ``after`` are arrays of the shape of
      ``bbox``, or one value (0-d) for the whole box; undo and redo write the whole box;
    - masked (``where`` is a bool array of the shape of ``bbox``): only the pixels where it
      is True changed; ``before`` and ``after`` hold their values in row-major order (1-D),
      or one value for all of them (a 0-d array). Undo and redo are masked writes of the
      footprint, so undoing a big outline costs its pixels, and an edit that replaced one
      class stores no values at all.

    ``layer`` names the target the diff is written to. ``epoch`` is an opaque stamp of the
    writer: a target may trust ``after`` as the values it replaces on undo only when the
    stamp is current (see `LabelDocument.recount`).

    Examples
    --------
    >>> import numpy as np
    >>> diff = RegionDiff(BBox(0, 1, 0, 2), np.zeros((1, 2), np.uint8), np.ones((1, 2), np.uint8))
    >>> diff.nbytes
    4
    >>> mask = np.ones((1, 3), np.uint8)
    >>> where = np.array([[True, False]])
    >>> masked = RegionDiff(BBox(0, 1, 1, 3), np.uint8(0), np.uint8(1), where=where)
    >>> masked.revert({"mask": mask}); mask.tolist()
    [[1, 0, 1]]

    """

    bbox: BBox
    before: np.ndarray
    after: np.ndarray
    layer: str = MASK_LAYER
    where: np.ndarray | None = None
    epoch: int = 0
    #: The one value all of ``before`` (``after``) holds, when known: lets a target count a
    #: dense diff without reading it.
    before_single: int | None = None
    after_single: int | None = None

    #: Number of pixels the diff writes (the box's area when dense).
    n_changed: int = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        # Cheap (a pen writes one diff per event), and a mismatched patch would otherwise
        # surface only at undo time.
        bbox, where = self.bbox, self.where
        expected = (max(bbox.row1 - bbox.row0, 0), max(bbox.col1 - bbox.col0, 0))
        if where is None:
            n_changed = expected[0] * expected[1]
        elif type(where) is np.ndarray and where.dtype == np.bool_ and where.shape == expected:
            n_changed = int(np.count_nonzero(where))
        else:
            got = where.shape if isinstance(where, np.ndarray) else where
            raise ValueError(f"where: expected a bool array of shape {expected}; got {got}")
        object.__setattr__(self, "n_changed", n_changed)
        for name in ("before", "after"):
            patch = getattr(self, name)
            if type(patch) is not np.ndarray:
                patch = np.asarray(patch)
                object.__setattr__(self, name, patch)
            if patch.ndim == 0:
                continue
            if where is None:
                ok = patch.shape == expected
                wanted = f"one value (0-d) or an array of shape {expected}"
            else:
                ok = patch.shape == (n_changed,)
                wanted = f"one value (0-d) or the {n_changed} changed pixels' values (1-D)"
            if not ok:
                raise ValueError(f"{name}: expected {wanted}; got {patch.shape}")

    @property
    def nbytes(self) -> int:
        """Bytes held: the two patches (and the footprint of a masked diff)."""
        where = 0 if self.where is None else self.where.nbytes
        return self.before.nbytes + self.after.nbytes + where

    def single(self, side: np.ndarray) -> int | None:
        """Return the one value of ``side`` (``before`` or ``after``) if known, else None."""
        if side.ndim == 0:
            return int(side)
        if side is self.before:
            return self.before_single
        return self.after_single if side is self.after else None

    def revert(self, targets: Mapping[str, Any]) -> None:
        """Write ``before`` back into the layer."""
        write_region(targets[self.layer], self, self.before, self.after)

    def reapply(self, targets: Mapping[str, Any]) -> None:
        """Write ``after`` into the layer again."""
        write_region(targets[self.layer], self, self.after, self.before)


def write_region(target: Any, diff: RegionDiff, values: np.ndarray, replaced: np.ndarray) -> None:
    """Write one side of ``diff`` (``values``; ``replaced`` is the other side) into ``target``.

    A numpy array is written directly; any other target (a layer keeping statistics) gets
    ``target.write_region(diff, values, replaced)``.
    """
    if not isinstance(target, np.ndarray):
        target.write_region(diff, values, replaced)
        return
    write_values(target[diff.bbox.slices], diff.where, values)


def write_diff(
    patch: np.ndarray,
    bbox: BBox,
    where: np.ndarray,
    values: int | np.ndarray,
    *,
    layer: str = MASK_LAYER,
    epoch: int = 0,
) -> RegionDiff:
    """Write ``values`` into the live view ``patch`` (of ``bbox``) where ``where``; return the diff.

    ``values`` is one value or an array of the box's shape (read where ``where`` is True).
    The diff owns its arrays: dense when every pixel of the box changes (a plain box write
    to undo), masked otherwise, with one value instead of many when they are all equal.
    O(box) time; memory: the footprint plus the changed pixels' values (none when they are
    all equal: they are compared in bands, never gathered whole).

    Examples
    --------
    >>> mask = np.array([[1, 1, 2]], np.uint8)
    >>> diff = write_diff(mask, BBox(0, 1, 0, 3), np.array([[True, True, False]]), 3)
    >>> mask.tolist(), diff.before.tolist(), diff.after.tolist(), diff.nbytes
    ([[3, 3, 2]], 1, 3, 5)

    """
    if np.count_nonzero(where) == where.size:
        # A dense record; a side that is one value (a fill of a uniform region) is kept as
        # that value, not a copy of the box.
        before_single = uniform_value(patch)
        before = patch.copy() if before_single is None else np.asarray(before_single, patch.dtype)
        patch[...] = values
        if not isinstance(values, np.ndarray) or values.ndim == 0:
            after_single = int(values)
            after = np.asarray(after_single, patch.dtype)
        else:
            after_single = uniform_value(patch)
            after = patch.copy() if after_single is None else np.asarray(after_single, patch.dtype)
        return RegionDiff(
            bbox,
            before,
            after,
            layer,
            epoch=epoch,
            before_single=before_single,
            after_single=after_single,
        )
    before = _values_at(patch, where)
    if not isinstance(values, np.ndarray) or values.ndim == 0:
        after = np.asarray(values, dtype=patch.dtype)
    else:
        after = _values_at(values, where).astype(patch.dtype, copy=False)
    np.copyto(patch, after if after.ndim == 0 else values, where=where, casting="unsafe")
    if where.base is not None or not where.flags.c_contiguous:
        where = where.copy()  # own it: a view would pin (and follow) the caller's array
    return RegionDiff(bbox, before, after, layer, where=where, epoch=epoch)


def _values_at(array: np.ndarray, where: np.ndarray) -> np.ndarray:
    """``array[where]``, or one 0-d value when they are all equal (found in bands: no copy)."""
    if array.size <= _BAND_PIXELS:  # one band (a pen's box): gather once
        values = array[where]
        if values.size == 0:
            return np.asarray(array.dtype.type(0))
        raw = values.tobytes()  # integer values are equal exactly when their bytes are
        return np.asarray(values[0]) if raw == raw[: values.itemsize] * values.size else values
    # Band by band, the footprint's pixels are compared with the first one in place
    # (gathering them costs more than comparing the whole band); a band-sized temporary.
    rows = max(1, _BAND_PIXELS // max(array.shape[1], 1))
    differs = np.empty((min(rows, array.shape[0]), array.shape[1]), bool)
    first = None
    for row0 in range(0, array.shape[0], rows):
        band, inside = array[row0 : row0 + rows], where[row0 : row0 + rows]
        if first is None:
            if not inside.any():
                continue
            first = band[inside][0]
        out = differs[: band.shape[0]]
        np.not_equal(band, first, out=out)
        out &= inside
        if out.any():
            return array[where]
    return np.asarray(first if first is not None else array.dtype.type(0))


def write_values(patch: np.ndarray, where: np.ndarray | None, values: np.ndarray) -> None:
    """Write ``values`` into the view ``patch``: all of it, or its pixels ``where`` is True.

    ``values`` is box-shaped (``where`` None), 1-D (one per True pixel) or 0-d (one for all).
    """
    if where is None:
        patch[...] = values
    elif values.ndim == 0:
        np.copyto(patch, values, where=where, casting="unsafe")
    else:
        patch[where] = values
