"""The label document: the live class-id mask, its edits and their undo history."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from numbers import Integral

import numpy as np

from seg_widget.core.bbox import BBox, _true_bbox
from seg_widget.core.changes import MASK_LAYER, RegionDiff, write_values
from seg_widget.core.classes import _check_n_classes
from seg_widget.core.counts import histogram
from seg_widget.core.history import History
from seg_widget.core.instance_edits import InstanceEdits, add_side
from seg_widget.core.instances import INSTANCE_LAYER, TABLE_TARGET, InstanceLayer

#: Pixels compared at once when looking for the pixels two masks differ in.
_BAND_PIXELS = 1 << 20


class LabelDocument(InstanceEdits):
    """A class-id mask edited in place, with every edit recorded as an undoable region diff.

    Instances (separate objects, see `seg_widget.core.instances`) are optional: once
    `enable_instances` is called, every edit also keeps the instance map, and pixels of
    locked or hidden instances are left alone by `apply` and `assign`. Without instances
    the document is a plain class mask and pays nothing for them.

    Parameters
    ----------
    mask : ndarray
        The ``(H, W)`` integer class-id array, already validated (see `validate_mask`). The
        document takes ownership and edits it in place; it is not copied.
    n_classes : int
        Number of classes, including class 0 (unlabelled).
    history : History, optional
        Where edits are recorded; a new `History` by default.
    class_parents : sequence of int, optional
        Parent class id of each class (-1 for none), to check that an instance's parent
        instance is of an ancestor class (see `seg_widget.core.hierarchy.parent_ids`).

    Examples
    --------
    >>> import numpy as np
    >>> doc = LabelDocument(np.zeros((4, 4), np.uint8), n_classes=3)
    >>> doc.apply(BBox(1, 3, 1, 3), np.ones((2, 2), bool), 2)
    BBox(row0=1, row1=3, col0=1, col1=3)
    >>> int(doc.mask.sum()), doc.undo(), int(doc.mask.sum())
    (8, BBox(row0=1, row1=3, col0=1, col1=3), 0)

    """

    def __init__(
        self,
        mask: np.ndarray,
        n_classes: int,
        *,
        history: History | None = None,
        class_parents: np.ndarray | None = None,
    ):
        if not isinstance(mask, np.ndarray) or mask.ndim != 2 or mask.dtype.kind not in "iu":
            got = (
                f"{mask.dtype} array of shape {mask.shape}"
                if isinstance(mask, np.ndarray)
                else type(mask).__name__
            )
            raise TypeError(f"mask: expected a 2-D integer numpy array; got {got}")
        _check_n_classes(n_classes)
        if history is not None and not isinstance(history, History):
            raise TypeError(f"history: expected a History or None; got {type(history).__name__}")
        self._mask = mask
        self._n_classes = int(n_classes)
        self._history = history if history is not None else History()
        # Pixels per class: counted on first use, then kept current by every edit.
        self._counts: np.ndarray | None = None
        # Bumped by every recount: diffs stamped with the current epoch may be trusted to
        # know the values they replace (no write behind the document's back since).
        self._epoch = 0
        self._instances: InstanceLayer | None = None
        parents = np.full(n_classes, -1) if class_parents is None else np.asarray(class_parents)
        if parents.shape != (n_classes,):
            raise ValueError(
                f"class_parents: expected one parent id per class ({n_classes}); "
                f"got shape {parents.shape}"
            )
        self._class_parents = parents.astype(np.int64)

    @property
    def mask(self) -> np.ndarray:
        """The live ``(H, W)`` class-id array (edited in place, never replaced)."""
        return self._mask

    @property
    def n_classes(self) -> int:
        """Number of classes, including class 0 (unlabelled)."""
        return self._n_classes

    @property
    def history(self) -> History:
        """The undo history edits are recorded in."""
        return self._history

    @property
    def class_counts(self) -> np.ndarray:
        """Number of pixels of each class: a new int64 array of shape ``(n_classes,)``.

        The first use counts the whole mask (O(image), with temporaries of a few MiB at
        most); after that `apply`, `assign`, `replace`, `undo` and `redo` keep the counts
        current from the values of the pixels they change (O(1) when those pixels go from one
        class to another, as a fill or an outline usually does). Writes to `mask` made outside
        the document are not seen: call `recount`.

        Examples
        --------
        >>> import numpy as np
        >>> doc = LabelDocument(np.zeros((2, 3), np.uint8), n_classes=3)
        >>> doc.class_counts.tolist()
        [6, 0, 0]
        >>> _ = doc.apply(BBox(0, 1, 0, 2), np.ones((1, 2), bool), 2)
        >>> doc.class_counts.tolist()
        [4, 0, 2]

        """
        if self._counts is None:
            self.recount()
        return self._counts.copy()

    def recount(self) -> np.ndarray:
        """Count the pixels of each class from scratch (O(image)); return `class_counts`.

        Call this after writing to `mask` in place without going through the document.

        Raises
        ------
        ValueError
            If the mask holds a class id ``>= n_classes``.

        """
        high = int(self._mask.max(initial=0))
        if high >= self._n_classes:
            raise ValueError(f"mask: expected class ids in [0, {self._n_classes}); got {high}")
        # Classes above the largest id present cost nothing (an empty mask: one pass).
        counts = np.zeros(self._n_classes, np.int64)
        counts[: high + 1] = histogram(self._mask, high + 1)
        self._counts = counts
        self._epoch += 1  # older diffs may not know what the mask holds now
        if self._instances is not None:
            self._instances.recount()
        return counts.copy()

    def adopt_external_edit(self, bbox: BBox | None = None) -> BBox:
        """Take in writes made to `mask` (or the instance map) in place; close the history.

        Pixels whose class no longer is their object's class leave the object, ids that
        no object has are cleared (locks do not hold against writes from code), and the
        counts are redone (the objects' now, the classes' on first use). Then the undo
        history is closed: every undo and redo step is forgotten.

        Why close it rather than record the write as a step: the document never saw the
        values the write replaced, so it cannot build the step's "before" (short of a
        shadow copy of the mask kept current by every pen event). And the older steps no
        longer fit the pixels: undoing a split after the class of some of its pixels was
        changed in place would give the object's old id back to pixels of another class.
        After this call no undo or redo can reach across the in-place write, so none can
        break the rule that every pixel of an object has the object's class.

        Parameters
        ----------
        bbox : BBox, optional
            The region the caller wrote to (it is what is returned, clipped to the image);
            the check and the recount cover the whole image, O(image), since the values
            before the write are unknown.

        Returns
        -------
        BBox
            The region to redraw: ``bbox`` clipped to the image, or the whole image.

        Raises
        ------
        ValueError
            If the mask holds an id outside ``[0, n_classes)``; nothing is changed then.

        Examples
        --------
        >>> import numpy as np
        >>> doc = LabelDocument(np.zeros((2, 2), np.uint8), n_classes=2)
        >>> _ = doc.apply(BBox(0, 1, 0, 1), np.ones((1, 1), bool), 1)
        >>> doc.mask[1, 1] = 1
        >>> doc.adopt_external_edit(BBox(1, 2, 1, 2))
        BBox(row0=1, row1=2, col0=1, col1=2)
        >>> doc.class_counts.tolist(), doc.can_undo
        ([2, 2], False)

        """
        if bbox is not None and not isinstance(bbox, BBox):
            raise TypeError(f"bbox: expected a BBox or None; got {type(bbox).__name__}")
        mask = self._mask
        low, high = (int(mask.min()), int(mask.max())) if mask.size else (0, 0)
        if low < 0 or high >= self._n_classes:  # checked before anything changes
            raise ValueError(
                f"mask: expected class ids in [0, {self._n_classes}); "
                f"got {low if low < 0 else high}"
            )
        if self._instances is not None:
            self._instances.detach_mismatched(mask)  # recounts the objects too
        self._counts = None  # counted again on first use
        self._history.clear()
        return BBox.full(mask.shape) if bbox is None else bbox.clip(mask.shape)

    @property
    def can_undo(self) -> bool:
        """True if there is a step to undo."""
        return self._history.can_undo

    @property
    def can_redo(self) -> bool:
        """True if there is a step to redo."""
        return self._history.can_redo

    def apply(
        self,
        bbox: BBox,
        footprint: np.ndarray,
        value: int,
        only_where: int | None = None,
        *,
        instance: int | None = None,
        only_instance: int | None = None,
    ) -> BBox | None:
        """Set the footprint's pixels to ``value``; return the tight box of changed pixels.

        Within ``bbox``, pixels where ``footprint`` is True, and (if ``only_where`` is not
        None) whose current value equals ``only_where``, become ``value``. If any pixel
        changed, one `RegionDiff` of the tight box around the changed pixels is recorded.
        Cost is proportional to the area of ``bbox``.

        Parameters
        ----------
        bbox : BBox
            Region of the mask, inside the image.
        footprint : ndarray of bool
            Array of ``bbox``'s shape; True where the tool reaches.
        value : int
            New class id, ``0 <= value < n_classes``.
        only_where : int, optional
            Only pixels currently of this class change (see `brush_rule`).
        instance : int, optional
            With instances: pixels that get ``value`` join this instance (which must be of
            class ``value``). Without it, a pixel keeps its instance only while its class
            stays the same.
        only_instance : int, optional
            With instances: only pixels of this instance change (erasing a part of it).

        Returns
        -------
        BBox or None
            The tight box of changed pixels, or None if nothing changed (nothing recorded).

        Examples
        --------
        >>> import numpy as np
        >>> doc = LabelDocument(np.array([[0, 1, 0]], np.uint8), n_classes=3)
        >>> doc.apply(BBox(0, 1, 0, 3), np.ones((1, 3), bool), 2, only_where=0)
        BBox(row0=0, row1=1, col0=0, col1=3)
        >>> doc.mask.tolist()
        [[2, 1, 2]]

        """
        value = self._class_id(value, "value")
        if only_where is not None:
            only_where = self._class_id(only_where, "only_where")
        self._check_region(bbox, footprint)
        self._check_instance_args(instance, only_instance, value)
        return self._write(bbox, footprint, value, only_where, instance, only_instance)

    def assign(
        self,
        bbox: BBox,
        values: np.ndarray,
        footprint: np.ndarray,
        only_where: int | None = None,
        *,
        instance: int | None = None,
        join: np.ndarray | None = None,
    ) -> BBox | None:
        """Set the footprint's pixels to per-pixel ``values``; return the tight changed box.

        Like `apply`, but each pixel gets its own new class id: within ``bbox``, pixels where
        ``footprint`` is True, and (if ``only_where`` is not None) whose current value equals
        ``only_where``, become the matching element of ``values``. If any pixel changed, one
        `RegionDiff` of the tight box around the changed pixels is recorded. Cost is
        proportional to the area of ``bbox``. This is how the fixes of `seg_widget.core.quality`
        (``(bbox, values, footprint)`` triples) are applied.

        Parameters
        ----------
        bbox : BBox
            Region of the mask, inside the image.
        values : ndarray of int
            Array of ``bbox``'s shape: the new class id of each pixel, ``0 <= id < n_classes``
            where ``footprint`` is True (elsewhere it is ignored).
        footprint : ndarray of bool
            Array of ``bbox``'s shape; True where the edit reaches.
        only_where : int, optional
            Only pixels currently of this class change. With ``only_where=0`` (the
            ``"preserve"`` paint mode) labelled pixels are never changed.
        instance : int, optional
            With instances: pixels that get the class of this instance join it.
        join : ndarray of int, optional
            With instances: an instance id per pixel of ``bbox`` (0 = none) that the pixel
            joins, overriding ``instance``; each must be of the pixel's new class (see
            `seg_widget.core.instance_fill.enclosing_instance_ids`).

        Returns
        -------
        BBox or None
            The tight box of changed pixels, or None if nothing changed (nothing recorded).

        Examples
        --------
        >>> import numpy as np
        >>> doc = LabelDocument(np.array([[0, 1, 0]], np.uint8), n_classes=3)
        >>> values = np.array([[2, 2, 1]])
        >>> doc.assign(BBox(0, 1, 0, 3), values, np.ones((1, 3), bool), only_where=0)
        BBox(row0=0, row1=1, col0=0, col1=3)
        >>> doc.mask.tolist()
        [[2, 1, 1]]

        """
        if only_where is not None:
            only_where = self._class_id(only_where, "only_where")
        self._check_region(bbox, footprint)
        self._check_instance_args(instance, None, None)
        expected = footprint.shape
        if not isinstance(values, np.ndarray) or values.dtype.kind not in "iu":
            got = values.dtype if isinstance(values, np.ndarray) else type(values).__name__
            raise TypeError(f"values: expected an integer array; got {got}")
        if values.shape != expected:
            raise ValueError(f"values: expected the shape of bbox {expected}; got {values.shape}")
        if bbox.is_empty:
            return None
        new = values[footprint]
        if new.size and not (0 <= new.min() and new.max() < self._n_classes):
            bad = new.min() if new.min() < 0 else new.max()
            raise ValueError(
                f"values: expected class ids in [0, {self._n_classes}) on the footprint; "
                f"got {int(bad)}"
            )
        if join is not None:
            self._check_join(join, values, footprint)
            return self._write_with_instances(
                bbox, footprint, values, only_where, instance, join_ids=join
            )
        return self._write(bbox, footprint, values, only_where, instance)

    def _write(
        self,
        bbox: BBox,
        footprint: np.ndarray,
        values: int | np.ndarray,
        only_where: int | None,
        instance: int | None = None,
        only_instance: int | None = None,
    ) -> BBox | None:
        """Write ``values`` (one id, or an array of ``bbox``'s shape) where the edit reaches.

        Shared by `apply` and `assign`, after validation: records the tight diff and keeps
        the class counts, in O(bbox) time; temporaries: two bool arrays of the box.
        """
        if self._instances is not None:
            return self._write_with_instances(
                bbox, footprint, values, only_where, instance, only_instance
            )
        patch = self._mask[bbox.slices]  # a view: writes go to the live mask
        changed = patch != values
        changed &= footprint
        if only_where is not None:
            changed &= patch == only_where
        tight = _true_bbox(changed, (bbox.row0, bbox.col0))
        if tight is None:
            return None
        inner = tight.slices_in(bbox)
        # The whole box changed (a lasso's box, often): its own array, no copy of a view.
        where = changed if tight == bbox else changed[inner]
        self._write_classes(tight, patch, inner, where, values)
        return tight

    def replace(self, new_mask: np.ndarray) -> BBox:
        """Copy ``new_mask`` into the live mask (one undo step); return the full box.

        ``new_mask`` must already be validated (see `validate_mask`); it is read, never
        kept. The live array is updated in place, so references to `mask` stay valid. Only
        the pixels that differ are written and stored for undo (the box around them, dense
        when they fill it); if none differ, nothing is recorded. Temporaries: a bool array
        of the box around the differing pixels (found band by band), plus the undo record.

        Examples
        --------
        >>> import numpy as np
        >>> doc = LabelDocument(np.zeros((2, 3), np.uint8), n_classes=2)
        >>> doc.replace(np.ones((2, 3), np.uint8))
        BBox(row0=0, row1=2, col0=0, col1=3)

        """
        if not isinstance(new_mask, np.ndarray) or new_mask.shape != self._mask.shape:
            got = new_mask.shape if isinstance(new_mask, np.ndarray) else type(new_mask).__name__
            raise ValueError(f"new_mask: expected an array of shape {self._mask.shape}; got {got}")
        full = BBox.full(self._mask.shape)
        tight = _differing_box(self._mask, new_mask)
        if tight is None:
            return full
        differs = self._mask[tight.slices] != new_mask[tight.slices]
        with self.step("replace"):
            if self._instances is not None:
                # Pixels whose class changes leave their instance; locks do not hold against
                # a whole-mask assignment from code.
                self._write_with_instances(
                    tight, differs, new_mask[tight.slices], None, protect=False
                )
            else:
                whole = (slice(None), slice(None))
                self._write_classes(
                    tight,
                    self._mask[tight.slices],
                    whole,
                    differs,
                    new_mask[tight.slices],
                )
        return full

    @contextmanager
    def step(self, name: str) -> Iterator[None]:
        """Group the edits made inside the ``with`` block into one undo step named ``name``.

        The step is closed even if the block raises, so edits made before the error stay
        undoable.

        Examples
        --------
        >>> import numpy as np
        >>> doc = LabelDocument(np.zeros((1, 4), np.uint8), n_classes=2)
        >>> with doc.step("two dots"):
        ...     _ = doc.apply(BBox(0, 1, 0, 1), np.ones((1, 1), bool), 1)
        ...     _ = doc.apply(BBox(0, 1, 3, 4), np.ones((1, 1), bool), 1)
        >>> _ = doc.undo()
        >>> doc.mask.tolist()
        [[0, 0, 0, 0]]

        """
        self._history.begin_step(name)
        try:
            yield
        finally:
            self._history.end_step()

    def undo(self) -> BBox | None:
        """Revert the last step; return the region changed, or None if nothing to undo."""
        targets = self._targets()
        try:
            return self._history.undo(targets)
        finally:
            self._distrust_records_after_stale_writes(targets[MASK_LAYER])

    def redo(self) -> BBox | None:
        """Re-apply the last undone step; return the region changed, or None."""
        targets = self._targets()
        try:
            return self._history.redo(targets)
        finally:
            self._distrust_records_after_stale_writes(targets[MASK_LAYER])

    def _distrust_records_after_stale_writes(self, target: object) -> None:
        # A diff older than an in-place write restores values other records do not expect
        # (it undoes the in-place write too): from now on every record counts what is there.
        if isinstance(target, _CountingMask) and target.wrote_stale:
            self._epoch += 1

    def _targets(self) -> dict[str, object]:
        # History writes each diff's patch with ``target[bbox.slices] = patch``; the stand-in
        # updates the class counts from exactly those writes, O(diff) each (the instance
        # layer does the same for its counts and boxes).
        mask = (
            self._mask
            if self._counts is None
            else _CountingMask(self._mask, self._counts, self._epoch)
        )
        targets: dict[str, object] = {MASK_LAYER: mask}
        if self._instances is not None:
            targets[INSTANCE_LAYER] = self._instances
            targets[TABLE_TARGET] = self._instances
        return targets

    def _class_id(self, value: object, argument: str) -> int:
        if type(value) is int and 0 <= value < self._n_classes:  # the pen's case, per event
            return value
        if isinstance(value, (bool, np.bool_)) or not isinstance(value, Integral):
            raise TypeError(f"{argument}: expected a class id (int); got {type(value).__name__}")
        if not 0 <= value < self._n_classes:
            raise ValueError(
                f"{argument}: expected a class id in [0, {self._n_classes}); got {value}"
            )
        return int(value)

    def _check_region(self, bbox: BBox, footprint: np.ndarray) -> None:
        height, width = self._mask.shape
        if (  # the pen's case, per event: a footprint of a box inside the mask
            type(bbox) is BBox
            and type(footprint) is np.ndarray
            and footprint.dtype == np.bool_
            and 0 <= bbox.row0 < bbox.row1 <= height
            and 0 <= bbox.col0 < bbox.col1 <= width
            and footprint.shape == (bbox.row1 - bbox.row0, bbox.col1 - bbox.col0)
        ):
            return
        if not isinstance(bbox, BBox):
            raise TypeError(f"bbox: expected a BBox; got {type(bbox).__name__}")
        if not bbox.is_empty and not (
            0 <= bbox.row0 and bbox.row1 <= height and 0 <= bbox.col0 and bbox.col1 <= width
        ):
            raise ValueError(f"bbox: expected a box inside the mask {(height, width)}; got {bbox}")
        if not isinstance(footprint, np.ndarray) or footprint.dtype != np.bool_:
            got = footprint.dtype if isinstance(footprint, np.ndarray) else type(footprint).__name__
            raise TypeError(f"footprint: expected a bool array; got {got}")
        expected = (max(bbox.height, 0), max(bbox.width, 0))
        if footprint.shape != expected:
            raise ValueError(
                f"footprint: expected the shape of bbox {expected}; got {footprint.shape}"
            )


def _differing_box(old: np.ndarray, new: np.ndarray) -> BBox | None:
    """Return the tight box of the pixels where two masks differ, reading them in bands."""
    rows = max(1, _BAND_PIXELS // max(old.shape[1], 1))
    row0 = row1 = None
    col0, col1 = old.shape[1], 0
    for start in range(0, old.shape[0], rows):
        band = _true_bbox(old[start : start + rows] != new[start : start + rows], (start, 0))
        if band is None:
            continue
        row0 = band.row0 if row0 is None else row0
        row1 = band.row1
        col0, col1 = min(col0, band.col0), max(col1, band.col1)
    return None if row0 is None else BBox(row0, row1, col0, col1)


class _CountingMask:
    """Stand-in for the live mask that keeps the class counts current on undo and redo."""

    def __init__(self, mask: np.ndarray, counts: np.ndarray, epoch: int) -> None:
        self._mask = mask
        self._counts = counts
        self._epoch = epoch
        self.wrote_stale = False

    def write_region(self, diff: RegionDiff, values: np.ndarray, replaced: np.ndarray) -> None:
        """Write one side of ``diff``; count from the diff's values, O(its pixels)."""
        patch = self._mask[diff.bbox.slices]
        if self.wrote_stale or diff.epoch != self._epoch:
            # Written behind the document's back since: count what is really there.
            replaced = patch[diff.where] if diff.where is not None else patch.copy()
            self.wrote_stale = True
        add_side(self._counts, replaced, diff.n_changed, -1, diff.single(replaced))
        write_values(patch, diff.where, values)
        add_side(self._counts, values, diff.n_changed, +1, diff.single(values))
