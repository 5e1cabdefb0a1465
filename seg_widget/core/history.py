"""Undo history made of region diffs, grouped into steps and bounded in bytes.

A step is a list of changes. A `RegionDiff` restores a box of one layer (the class mask by
default, or the instance map), all of it or only the pixels of a footprint; any other
`Change`, such as a snapshot of the instance table, knows itself how to revert and
re-apply. `History.undo` and `History.redo` take the targets to write to: one array (the
mask), or a mapping from layer name to target.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from seg_widget.core.bbox import BBox
from seg_widget.core.changes import (
    MASK_LAYER,
    Change,
    RegionDiff,
    write_diff,
    write_region,
    write_values,
)

__all__ = [
    "MASK_LAYER",
    "Change",
    "History",
    "RegionDiff",
    "write_diff",
    "write_region",
    "write_values",
]

_DEFAULT_MAX_BYTES = 256 * 2**20


@dataclass
class _Step:
    name: str | None
    diffs: list[Change] = field(default_factory=list)
    nbytes: int = 0

    def add(self, diff: Change) -> None:
        self.diffs.append(diff)
        self.nbytes += diff.nbytes


class History:
    """Undo/redo stacks of steps, each step a list of changes (`RegionDiff`) applied in order.

    Diffs recorded between `begin_step` and the matching `end_step` form one step (calls nest:
    only the outermost `end_step` closes it); a diff recorded outside a step is a step of its
    own. Recording clears the redo stack.

    The memory bound: after each completed step, the oldest steps are dropped until `nbytes`
    <= `max_bytes`, but the newest step is always kept, even if alone it exceeds the bound
    (so the last edit can always be undone).

    Examples
    --------
    >>> import numpy as np
    >>> mask = np.zeros((2, 2), np.uint8)
    >>> history = History()
    >>> mask[0, 0] = 1
    >>> history.record(RegionDiff(BBox(0, 1, 0, 1), np.array([[0]], np.uint8), mask[:1, :1].copy()))
    >>> history.undo(mask), mask[0, 0]
    (BBox(row0=0, row1=1, col0=0, col1=1), np.uint8(0))

    """

    def __init__(self, max_bytes: int = _DEFAULT_MAX_BYTES) -> None:
        self._max_bytes = _check_max_bytes(max_bytes)
        self._undo: deque[_Step] = deque()
        self._redo: deque[_Step] = deque()
        self._open: _Step | None = None
        self._depth = 0
        self._stacked_bytes = 0  # undo + redo stacks, kept current to make nbytes O(1)

    @property
    def max_bytes(self) -> int:
        """Upper bound on `nbytes` (except for the newest step); setting it trims at once."""
        return self._max_bytes

    @max_bytes.setter
    def max_bytes(self, value: int) -> None:
        self._max_bytes = _check_max_bytes(value)
        self._trim()

    @property
    def nbytes(self) -> int:
        """Bytes of patches held: undo and redo stacks, plus the step being recorded."""
        open_bytes = self._open.nbytes if self._open is not None else 0
        return self._stacked_bytes + open_bytes

    @property
    def can_undo(self) -> bool:
        """True if there is a step to undo."""
        return bool(self._undo)

    @property
    def can_redo(self) -> bool:
        """True if there is a step to redo."""
        return bool(self._redo)

    @property
    def undo_name(self) -> str | None:
        """Name of the step `undo` would revert (None if none, or if it was unnamed)."""
        return self._undo[-1].name if self._undo else None

    @property
    def redo_name(self) -> str | None:
        """Name of the step `redo` would re-apply (None if none, or if it was unnamed)."""
        return self._redo[-1].name if self._redo else None

    def begin_step(self, name: str) -> None:
        """Start grouping recorded diffs into one step named ``name`` (nested calls count)."""
        if self._depth == 0:
            self._open = _Step(name)
        self._depth += 1

    def end_step(self) -> None:
        """Close the step opened by the matching `begin_step`; empty steps record nothing."""
        if self._depth == 0:
            raise RuntimeError("end_step: no step is open (end_step without begin_step)")
        self._depth -= 1
        if self._depth > 0:
            return
        step, self._open = self._open, None
        if step is not None and step.diffs:
            self._push_undo(step)
            self._trim()

    def record(self, diff: Change) -> None:
        """Add ``diff`` (already applied to the mask) to the open step, or as its own step."""
        if type(diff) is not RegionDiff and not isinstance(diff, Change):
            raise TypeError(f"diff: expected a RegionDiff or Change; got {type(diff).__name__}")
        if self._redo:
            self._clear_redo()
        if self._open is not None:
            self._open.add(diff)
            return
        step = _Step(None)
        step.add(diff)
        self._push_undo(step)
        self._trim()

    def undo(self, mask: np.ndarray | Mapping[str, Any]) -> BBox | None:
        """Revert the newest step in ``mask``; return the region changed (None: nothing to undo).

        ``mask`` is the array diffs of the default layer write to, or a mapping from layer
        name to target: an array, or an object with ``write_region(diff, values, replaced)``
        (see `write_region`).

        Raises
        ------
        RuntimeError
            If a step is being recorded (its diffs are not yet undoable as a unit).

        """
        self._check_closed("undo")
        if not self._undo:
            return None
        targets = _targets(mask)
        step = self._undo.pop()
        region: BBox | None = None
        for diff in reversed(step.diffs):
            diff.revert(targets)
            if diff.bbox is not None:
                region = diff.bbox.union(region)
        self._redo.append(step)
        return region

    def redo(self, mask: np.ndarray | Mapping[str, Any]) -> BBox | None:
        """Re-apply the newest undone step to ``mask``; return the region changed or None."""
        self._check_closed("redo")
        if not self._redo:
            return None
        targets = _targets(mask)
        step = self._redo.pop()
        region: BBox | None = None
        for diff in step.diffs:
            diff.reapply(targets)
            if diff.bbox is not None:
                region = diff.bbox.union(region)
        self._undo.append(step)
        return region

    def clear(self) -> None:
        """Forget every step (a step being recorded stays open, emptied)."""
        self._undo.clear()
        self._redo.clear()
        self._stacked_bytes = 0
        if self._open is not None:
            self._open = _Step(self._open.name)

    def _push_undo(self, step: _Step) -> None:
        self._undo.append(step)
        self._stacked_bytes += step.nbytes

    def _clear_redo(self) -> None:
        self._stacked_bytes -= sum(step.nbytes for step in self._redo)
        self._redo.clear()

    def _trim(self) -> None:
        # Oldest undo steps go first, then the redo steps furthest in the future; the single
        # newest step left is kept whatever its size.
        while self.nbytes > self._max_bytes and len(self._undo) + len(self._redo) > 1:
            step = self._undo.popleft() if self._undo else self._redo.popleft()
            self._stacked_bytes -= step.nbytes

    def _check_closed(self, action: str) -> None:
        if self._depth:
            raise RuntimeError(f"{action}: a step is still open (call end_step first)")


def _targets(mask: np.ndarray | Mapping[str, Any]) -> Mapping[str, Any]:
    return mask if isinstance(mask, Mapping) else {MASK_LAYER: mask}


def _check_max_bytes(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"max_bytes: expected an int; got {type(value).__name__}")
    if value <= 0:
        raise ValueError(f"max_bytes: expected a positive number of bytes; got {value}")
    return int(value)
