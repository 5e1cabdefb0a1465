"""Instances: the instance map beside the class mask, the instance table and its statistics.

An *instance* is one object: three cats are three instances of class "cat". The instance map
is an ``(H, W)`` uint32 array of instance ids (0 = no instance); the table gives each id its
class, name, visibility, lock and optional parent instance (a face inside a person).

The invariant kept by every edit of `LabelDocument`: a pixel of instance ``i`` has the class
``table[i].class_id`` in the class mask. Pixels may have a class and no instance (semantic
labelling); they never have an instance and class 0.

`InstanceLayer` owns the map and the table and keeps, per instance, the pixel count and a box
that contains all its pixels (it may be larger than the tight box: it never shrinks on
erasing). Both are updated from the pixels each edit changes, so commands on one object cost
O(its box), never O(image).
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from numbers import Integral
from typing import Any

import numpy as np

from seg_widget.core.bbox import BBox, _true_bbox
from seg_widget.core.changes import Change, RegionDiff, write_values
from seg_widget.core.classes import LabelClass
from seg_widget.core.counts import histogram, uniform_value

#: dtype of the instance map.
INSTANCE_DTYPE = np.dtype(np.uint32)
#: History layer name of the instance map.
INSTANCE_LAYER = "instances"
#: History target name of the instance table.
TABLE_TARGET = "table"
#: Up to this many pixels, per-id counts use a Counter (no sort: cheaper for brush dabs).
_COUNTER_MAX = 1024
#: Locked/hidden ids below this are looked up in a bool table rather than searched.
_LUT_MAX_ID = 1 << 20


@dataclass(frozen=True)
class Instance:
    """One object: its id, class, name, visibility, lock and parent instance.

    Examples
    --------
    >>> Instance(3, class_id=1, name="cat 3")
    Instance(id=3, class_id=1, name='cat 3', visible=True, locked=False, parent=None)

    """

    #: Id in the instance map, >= 1.
    id: int
    #: Class of every pixel of the instance.
    class_id: int
    #: Display name.
    name: str
    #: Hidden instances are not drawn and not edited, but keep their pixels.
    visible: bool = True
    #: No tool or command changes the pixels of a locked instance.
    locked: bool = False
    #: Id of the instance this one is a part of (a face of a person), or None.
    parent: int | None = None

    @property
    def protected(self) -> bool:
        """True if edits must leave its pixels alone (locked or hidden)."""
        return self.locked or not self.visible


class TableChange(Change):
    """An undoable change of the instance table: the table before and after, and its region.

    ``bbox`` is the image region whose look changes (e.g. the box of an instance that was
    hidden), or None if only the list changes.
    """

    def __init__(
        self,
        before: Mapping[int, Instance],
        after: Mapping[int, Instance],
        bbox: BBox | None,
    ) -> None:
        self.before = dict(before)
        self.after = dict(after)
        self.bbox = bbox
        # Dict slots and small frozen records: a rough, honest figure for the memory bound.
        self.nbytes = 200 * (len(self.before) + len(self.after))

    def revert(self, targets: Mapping[str, Any]) -> None:
        """Put the table back as it was before."""
        targets[TABLE_TARGET].restore(self.before)

    def reapply(self, targets: Mapping[str, Any]) -> None:
        """Put the table as it was after."""
        targets[TABLE_TARGET].restore(self.after)


class UnknownInstanceError(KeyError, ValueError):
    """An id naming no instance: a `ValueError` (a wrong value) and a `KeyError` (a lookup)."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else ""


class InstanceLayer:
    """The instance map and table of a document, with per-instance counts and boxes.

    Parameters
    ----------
    instance_map : ndarray of uint32
        The live ``(H, W)`` map; the layer takes ownership (no copy).
    table : iterable of Instance
        One entry per instance id; every non-zero id of the map must be in it.

    Examples
    --------
    >>> import numpy as np
    >>> ids = np.array([[0, 1, 1], [0, 0, 2]], np.uint32)
    >>> layer = InstanceLayer(ids, [Instance(1, 1, "cat 1"), Instance(2, 1, "cat 2")])
    >>> layer.count(1), layer.box(2)
    (2, BBox(row0=1, row1=2, col0=2, col1=3))

    """

    def __init__(self, instance_map: np.ndarray, table: Iterable[Instance] = ()) -> None:
        if not isinstance(instance_map, np.ndarray) or instance_map.dtype != INSTANCE_DTYPE:
            got = instance_map.dtype if isinstance(instance_map, np.ndarray) else instance_map
            raise TypeError(f"instance_map: expected a uint32 array; got {got}")
        self._map = instance_map
        self._table: dict[int, Instance] = {}
        for instance in table:
            self._table[instance.id] = instance
        self._protected: np.ndarray | None = None
        self._hidden: tuple[int, ...] | None = None
        self._protected_lut: np.ndarray | None = None
        self._counts: dict[int, int] = {}
        self._boxes: dict[int, BBox] = {}
        self._epoch = 0
        self.recount()

    # -- reading -----------------------------------------------------------------------

    @property
    def map(self) -> np.ndarray:
        """The live ``(H, W)`` uint32 instance-id map (0 = no instance)."""
        return self._map

    @property
    def table(self) -> dict[int, Instance]:
        """A copy of the table: id -> `Instance`, in creation order."""
        return dict(self._table)

    @property
    def instances(self) -> tuple[Instance, ...]:
        """Every instance, in creation order."""
        return tuple(self._table.values())

    def __contains__(self, instance_id: object) -> bool:
        return instance_id in self._table

    def get(self, instance_id: int, argument: str = "instance") -> Instance:
        """Return instance ``instance_id``, or raise `UnknownInstanceError` naming ``argument``."""
        try:
            return self._table[instance_id]
        except KeyError:
            known = ", ".join(map(str, list(self._table)[:20])) or "none"
            if len(self._table) > 20:
                known += f", ... ({len(self._table) - 20} more)"
            raise UnknownInstanceError(
                f"{argument}: expected the id of an instance (known: {known}); got {instance_id}"
            ) from None

    def count(self, instance_id: int) -> int:
        """Return the number of pixels of an instance (0 if it has none)."""
        return self._counts.get(instance_id, 0)

    def box(self, instance_id: int) -> BBox | None:
        """Return a box holding every pixel of the instance (maybe larger), or None if empty."""
        return self._boxes.get(instance_id) if self.count(instance_id) else None

    def region(self, instance_id: int) -> tuple[BBox, np.ndarray] | None:
        """Return the tight box of an instance and its footprint there, or None; O(`box`)."""
        box = self.box(instance_id)
        if box is None:
            return None
        inside = self._map[box.slices] == instance_id
        tight = _true_bbox(inside, (box.row0, box.col0))
        if tight is None:
            return None
        self._boxes[instance_id] = tight
        return tight, inside[tight.slices_in(box)]

    def next_id(self) -> int:
        """Return the id a new instance gets: one more than the largest in use."""
        return max(self._table, default=0) + 1

    def children(self, instance_id: int) -> tuple[int, ...]:
        """Ids of the instances whose parent is ``instance_id``."""
        return tuple(i for i, inst in self._table.items() if inst.parent == instance_id)

    def descendants(self, instance_id: int) -> tuple[int, ...]:
        """Ids of the parts of an instance, their parts, and so on (not itself)."""
        found: list[int] = []
        pending = [instance_id]
        while pending:
            for child in self.children(pending.pop()):
                if child not in found and child != instance_id:
                    found.append(child)
                    pending.append(child)
        return tuple(found)

    @property
    def protected_ids(self) -> np.ndarray:
        """Ids of the locked or hidden instances (uint32, sorted): edits skip their pixels."""
        if self._protected is None:
            ids = [i for i, inst in self._table.items() if inst.protected]
            self._protected = np.array(sorted(ids), dtype=INSTANCE_DTYPE)
        return self._protected

    @property
    def hidden_ids(self) -> tuple[int, ...]:
        """Ids of the hidden instances (not drawn), in creation order."""
        if self._hidden is None:
            self._hidden = tuple(i for i, inst in self._table.items() if not inst.visible)
        return self._hidden

    def protected_footprint(self, ids: np.ndarray) -> np.ndarray | None:
        """Return True where a patch of ids is of a protected instance; None if none can be."""
        protected = self.protected_ids
        if protected.size == 0:
            return None
        if protected.size == 1:
            return ids == protected[0]
        if self._protected_lut is None and protected[-1] < _LUT_MAX_ID:
            # One gather per dab instead of np.isin's sort; ids past the table read False.
            self._protected_lut = np.zeros(int(protected[-1]) + 2, bool)
            self._protected_lut[protected] = True
        if self._protected_lut is not None:
            lut = self._protected_lut
            return lut[np.minimum(ids, lut.size - 1)]
        return np.isin(ids, protected)

    # -- writing -----------------------------------------------------------------------

    def restore(self, table: Mapping[int, Instance]) -> None:
        """Replace the whole table (undo/redo of a `TableChange`)."""
        self._table = dict(table)
        self._protected = self._hidden = self._protected_lut = None

    def put(self, instance: Instance) -> None:
        """Add or replace one entry of the table (not recorded: see `LabelDocument`)."""
        self._table[instance.id] = instance
        self._protected = self._hidden = self._protected_lut = None

    def remove(self, instance_id: int) -> None:
        """Drop one entry of the table (not recorded: see `LabelDocument`)."""
        del self._table[instance_id]
        self._protected = self._hidden = self._protected_lut = None

    @property
    def epoch(self) -> int:
        """Bumped by every `recount`: the stamp of diffs that know the values they replace."""
        return self._epoch

    def write_region(self, diff: RegionDiff, values: np.ndarray, replaced: np.ndarray) -> None:
        """Write one side of an id diff into the map, keeping counts and boxes (undo, redo)."""
        patch = self._map[diff.bbox.slices]
        if diff.epoch != self._epoch:  # the map was written to outside: read what is there
            replaced = patch[diff.where] if diff.where is not None else patch.copy()
            # This old diff also undoes that outside write, so no record (even a newer one)
            # knows what the map holds any more: from now on all of them read it.
            self._epoch += 1
        write_values(patch, diff.where, values)
        self.note_diff(diff, replaced, values)

    def note_diff(self, diff: RegionDiff, before: np.ndarray, after: np.ndarray) -> None:
        """Update counts and boxes after the pixels of ``diff`` went from ``before`` to ``after``.

        Each side is the changed pixels' ids (any shape) or one 0-d id for all of them.
        """
        for ids, sign in ((before, -1), (after, +1)):
            single = diff.single(ids)
            pairs = [(single, diff.n_changed)] if single is not None else _histogram(ids)
            self._add_counts(diff.bbox, pairs, sign)

    def note_write(self, bbox: BBox, before: np.ndarray, after: np.ndarray) -> None:
        """Update counts and boxes after the pixels of ``bbox`` went from ``before`` to ``after``.

        ``before`` and ``after`` are the changed pixels' old and new ids: arrays of equal
        shape (the whole box, or just the changed pixels); cost O(their size).
        """
        for ids, sign in ((before, -1), (after, +1)):
            self._add_counts(bbox, _histogram(ids), sign)

    def _add_counts(self, bbox: BBox, pairs: list[tuple[int, int]], sign: int) -> None:
        for instance_id, count in pairs:
            if instance_id == 0:
                continue
            self._counts[instance_id] = self._counts.get(instance_id, 0) + sign * count
            if sign > 0:
                self._boxes[instance_id] = bbox.union(self._boxes.get(instance_id))

    def detach_mismatched(self, mask: np.ndarray) -> int:
        """Take pixels out of their instance where ``mask`` no longer has its class.

        Ids that are not in the table are cleared too. For maps edited in place, outside
        the document (O(image), not undoable). Returns the number of pixels detached.
        """
        rows = sorted(self._table.values(), key=lambda instance: instance.id)
        ids = np.array([0, *(i.id for i in rows)], np.int64)
        classes = np.array([0, *(i.class_id for i in rows)], np.int64)
        flat = self._map.reshape(-1)
        inside = np.flatnonzero(flat)
        position = np.searchsorted(ids, flat[inside]).clip(max=ids.size - 1)
        unknown = ids[position] != flat[inside]  # ids written in place, not in the table
        wrong = inside[unknown | (mask.reshape(-1)[inside] != classes[position])]
        flat[wrong] = 0
        self.recount()
        return int(wrong.size)

    def recount(self) -> None:
        """Count pixels and find boxes of every instance from scratch (O(image))."""
        self._counts, self._boxes = _instance_stats(self._map)
        self._epoch += 1


def _histogram(ids: np.ndarray) -> list[tuple[int, int]]:
    """``(id, count)`` of the values of ``ids``; a brush dab is counted without sorting."""
    ids = np.asarray(ids)
    if ids.size <= _COUNTER_MAX:
        return list(Counter(ids.ravel().tolist()).items())
    single = uniform_value(ids)
    if single is not None:  # a fill or an outline: one id for all, O(1) memory
        return [(single, ids.size)]
    largest = int(ids.max())
    if largest < _LUT_MAX_ID:  # compact ids: a chunked histogram, no sort, no 8-byte copy
        counts = histogram(ids, largest + 1)
        present = np.flatnonzero(counts)
        return list(zip(present.tolist(), counts[present].tolist(), strict=True))
    values, counts = np.unique(ids, return_counts=True)
    return list(zip(values.tolist(), counts.tolist(), strict=True))


def _instance_stats(instance_map: np.ndarray) -> tuple[dict[int, int], dict[int, BBox]]:
    """Pixel count and tight box of every non-zero id of the map, O(image)."""
    largest = int(instance_map.max(initial=0))
    if largest == 0:
        return {}, {}
    if largest < _LUT_MAX_ID:
        # Usual ids (compact, small): a histogram and scipy's per-label boxes, no sort.
        from scipy import ndimage  # lazily: comes with scikit-image, slow to import

        counts = np.bincount(instance_map.ravel(), minlength=largest + 1)
        boxes = ndimage.find_objects(instance_map)
        present = np.flatnonzero(counts[1:]) + 1
        return (
            {int(i): int(counts[i]) for i in present},
            {
                int(i): BBox(
                    boxes[i - 1][0].start,
                    boxes[i - 1][0].stop,
                    boxes[i - 1][1].start,
                    boxes[i - 1][1].stop,
                )
                for i in present
            },
        )
    flat_ids = np.flatnonzero(instance_map)
    if flat_ids.size == 0:
        return {}, {}
    ids = instance_map.ravel()[flat_ids]
    order = np.argsort(ids, kind="stable")
    ids, flat_ids = ids[order], flat_ids[order]
    starts = np.flatnonzero(np.r_[True, ids[1:] != ids[:-1]])
    rows, cols = np.divmod(flat_ids, instance_map.shape[1])
    counts = np.diff(np.r_[starts, ids.size])
    row0 = np.minimum.reduceat(rows, starts)
    row1 = np.maximum.reduceat(rows, starts) + 1
    col0 = np.minimum.reduceat(cols, starts)
    col1 = np.maximum.reduceat(cols, starts) + 1
    stats_counts: dict[int, int] = {}
    boxes: dict[int, BBox] = {}
    for k, instance_id in enumerate(ids[starts].tolist()):
        stats_counts[instance_id] = int(counts[k])
        boxes[instance_id] = BBox(int(row0[k]), int(row1[k]), int(col0[k]), int(col1[k]))
    return stats_counts, boxes


def table_from_maps(
    mask: np.ndarray, instances: object, classes: Sequence[LabelClass]
) -> tuple[np.ndarray, list[Instance]]:
    """Check an instance map against the class mask; return it as uint32 with its table.

    Every non-zero id becomes an instance named ``"<class name> <id>"``, of the one class
    its pixels have in ``mask``. O(image).

    Raises
    ------
    TypeError, ValueError
        Naming ``instances``: not an ``(H, W)`` integer array of ids in [0, 2**32), or an
        instance whose pixels are unlabelled or of several classes.

    Examples
    --------
    >>> import numpy as np
    >>> mask = np.array([[1, 1, 2]], np.uint8)
    >>> classes = [LabelClass("bg"), LabelClass("a"), LabelClass("b")]
    >>> ids, table = table_from_maps(mask, [[1, 1, 2]], classes)
    >>> [(i.id, i.class_id, i.name) for i in table]
    [(1, 1, 'a 1'), (2, 2, 'b 2')]

    """
    array = np.asarray(instances)
    if array.dtype.kind not in "iu" or array.shape != mask.shape:
        raise TypeError(
            f"instances: expected an integer array of shape {mask.shape}; "
            f"got {array.dtype} array of shape {array.shape}"
        )
    if array.size and (array.min() < 0 or int(array.max()) > np.iinfo(INSTANCE_DTYPE).max):
        raise ValueError(
            f"instances: expected ids in [0, 2**32); got values in [{array.min()}, {array.max()}]"
        )
    ids = np.ascontiguousarray(array, dtype=INSTANCE_DTYPE).copy()
    inside = ids != 0
    pairs = np.unique(
        (ids[inside].astype(np.uint64) << np.uint64(16)) | mask[inside].astype(np.uint64)
    )
    pair_ids = (pairs >> np.uint64(16)).astype(np.int64)
    pair_classes = (pairs & np.uint64(0xFFFF)).astype(np.int64)
    unlabelled = pair_ids[pair_classes == 0]
    if unlabelled.size:
        raise ValueError(
            f"instances: expected every instance pixel to have a class in mask; instance "
            f"{int(unlabelled[0])} has unlabelled pixels"
        )
    mixed = pair_ids[1:][pair_ids[1:] == pair_ids[:-1]]
    if mixed.size:
        found = pair_classes[pair_ids == mixed[0]].tolist()
        raise ValueError(
            f"instances: expected the pixels of each instance to share one class; instance "
            f"{int(mixed[0])} has classes {found}"
        )
    table = [
        Instance(int(i), int(c), f"{classes[int(c)].name} {int(i)}")
        for i, c in zip(pair_ids, pair_classes, strict=True)
    ]
    return ids, table


def check_consistent(mask: np.ndarray, instance_map: np.ndarray, table: Iterable[Instance]) -> None:
    """Raise unless every instance pixel has its instance's class and every id has a row.

    O(image). Errors name ``instances``.

    Examples
    --------
    >>> mask = np.array([[1, 2]], np.uint8)
    >>> check_consistent(mask, np.array([[1, 1]], np.uint32), [Instance(1, 1, "a")])
    Traceback (most recent call last):
    ...
    ValueError: instances: expected every pixel of instance 1 to have its class 1; got class 2

    """
    if not isinstance(instance_map, np.ndarray) or instance_map.shape != mask.shape:
        got = instance_map.shape if isinstance(instance_map, np.ndarray) else instance_map
        raise ValueError(f"instances: expected an id map of shape {mask.shape}; got {got}")
    rows = sorted(table, key=lambda instance: instance.id)
    ids = np.array([0, *(i.id for i in rows)], np.int64)
    classes = np.array([0, *(i.class_id for i in rows)], np.int64)
    flat_ids = instance_map.ravel()
    inside = np.flatnonzero(flat_ids)
    pixel_ids = flat_ids[inside]
    position = np.searchsorted(ids, pixel_ids)
    position[position >= ids.size] = 0
    unknown = ids[position] != pixel_ids
    if unknown.any():
        raise ValueError(
            f"instances: expected every id of the map in the table; id "
            f"{int(pixel_ids[unknown][0])} has no row"
        )
    wrong = mask.ravel()[inside] != classes[position]
    if wrong.any():
        first = int(np.argmax(wrong))
        raise ValueError(
            f"instances: expected every pixel of instance {int(pixel_ids[first])} to have its "
            f"class {int(classes[position[first]])}; got class {int(mask.ravel()[inside][first])}"
        )


def export_ids(mask: np.ndarray, instance_map: np.ndarray | None) -> np.ndarray | None:
    """Return one id per object to export: the instances, plus each loose class region.

    Labelled pixels outside every instance get one new id per 8-connected region of one
    class, after the largest instance id, so an export per id loses no labelled pixel.
    Returns None when there is no instance pixel (export per region instead). O(image).

    Examples
    --------
    >>> mask = np.array([[1, 1, 0, 2]], np.uint8)
    >>> export_ids(mask, np.array([[4, 0, 0, 0]], np.uint32)).tolist()
    [[4, 5, 0, 6]]

    """
    if instance_map is None or not instance_map.any():
        return None
    from skimage.measure import label

    ids = instance_map.astype(np.int64)
    loose = (mask != 0) & (ids == 0)
    if loose.any():
        regions = label(np.where(loose, mask, 0), background=0, connectivity=2)
        ids[loose] = int(ids.max()) + regions[loose]
    return ids


def check_instance_id(value: object, argument: str = "instance") -> int:
    """Return ``value`` as an int instance id >= 1, or raise naming ``argument``."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, Integral):
        raise TypeError(f"{argument}: expected an instance id (int); got {type(value).__name__}")
    if value < 1:
        raise ValueError(f"{argument}: expected an instance id >= 1; got {value}")
    return int(value)


def replace_fields(instance: Instance, **changes: Any) -> Instance:
    """Return ``instance`` with some fields changed (a new frozen record)."""
    return dataclasses.replace(instance, **changes)
