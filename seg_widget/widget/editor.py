"""The editor: the one owner of the label document and of every undoable change.

Tools, panels and the facade ask the editor to change labels. It performs the change on
the `LabelDocument` (pure numpy, in ``core``), which records it in the undo history, then
emits an `EditEvent` saying which pixels changed and whether the object table did. What
listens (the view repaints, the status line and panels update, the facade counts edits and
calls the user's callbacks) decides how to show it. No ipywidgets here.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..core.bbox import BBox
from ..core.classes import LabelClass
from ..core.document import LabelDocument
from ..core.hierarchy import parent_ids
from ..core.history import History
from ..core.instance_fill import enclosing_instance_ids
from ..core.instances import Instance, InstanceLayer, check_consistent, table_from_maps
from ..core.loose_region import loose_region
from ..core.policy import brush_rule
from ..core.quality import Edit
from .signals import Signal


@dataclass(frozen=True)
class EditEvent:
    """What one change of the document did.

    Attributes
    ----------
    bbox : BBox or None
        Tight box of the pixels that changed (class or object), or None if none did.
    table_changed : bool
        The object table changed (an object added, removed, renamed, locked, ...).
    settled : bool
        The change is complete: False only for the events of a brush stroke still going
        on (its end emits a settled event with no box).
    pieces : tuple of BBox
        Tight boxes of the pieces that changed, when ``bbox`` would cover far more (a long
        diagonal brush segment); empty when ``bbox`` says it all. Repainting piece by piece
        keeps a pen event O(stroke).

    """

    bbox: BBox | None
    table_changed: bool = False
    settled: bool = True
    pieces: tuple[BBox, ...] = ()

    @property
    def boxes(self) -> tuple[BBox, ...]:
        """What to repaint: the pieces, or the one box (nothing when no pixel changed)."""
        if self.pieces:
            return self.pieces
        return () if self.bbox is None else (self.bbox,)


@dataclass(frozen=True)
class PenWrite:
    """How a pen tool writes: the new class, which pixels it may change, which object.

    ``refusal`` says why nothing will change (a locked or hidden active object), or is None.
    """

    value: int
    only_where: int | None
    instance_args: dict[str, int] = field(default_factory=dict)
    refusal: str | None = None


class Editor:
    """Own the label document and perform every undoable change, emitting `EditEvent`.

    Parameters
    ----------
    mask : ndarray
        The validated ``(H, W)`` class-id array to edit in place (not copied).
    classes : tuple of LabelClass
        The normalised classes; the index is the class id.
    history_bytes : int
        Memory bound of the undo history.
    instances : array_like, optional
        Instance ids per pixel to start from, with ``instance_table`` (see the widget).

    """

    def __init__(
        self,
        mask: np.ndarray,
        classes: tuple[LabelClass, ...],
        *,
        history_bytes: int,
        instances: Any = None,
        instance_table: Sequence[Instance] | None = None,
    ) -> None:
        self.classes = classes
        self.document = LabelDocument(
            mask,
            len(classes),
            history=History(history_bytes),
            class_parents=parent_ids(classes),
        )
        if instances is not None:
            instance_map, table = table_from_maps(mask, instances, classes)
            if instance_table is not None:
                table = list(instance_table)
                check_consistent(mask, instance_map, table)
            self.document.enable_instances(instance_map, table)
        elif instance_table is not None:
            raise ValueError("instance_table: expected it only with instances=; got no instances")
        #: Emitted after every change, with an `EditEvent`.
        self.edited: Signal[EditEvent] = Signal()
        self._stroking = False

    # -- reading -----------------------------------------------------------------------------

    @property
    def mask(self) -> np.ndarray:
        """The live class-id array."""
        return self.document.mask

    @property
    def objects(self) -> InstanceLayer | None:
        """The instance layer (map, table, counts), or None before the first object."""
        return self.document.instances

    @property
    def labelled_fraction(self) -> float:
        """Share of pixels with a class other than 0."""
        size = self.mask.size
        return float((size - int(self.document.class_counts[0])) / size) if size else 0.0

    @property
    def stroking(self) -> bool:
        """Whether a brush stroke is open (its edits form one undo step when it ends)."""
        return self._stroking

    def object_at(self, row: int, col: int) -> Instance | None:
        """Return the object owning pixel ``(row, col)``, or None."""
        layer = self.document.instances
        instance_id = 0 if layer is None else int(layer.map[row, col])
        return layer.get(instance_id) if instance_id else None

    # -- pens ------------------------------------------------------------------------------

    def pen_write(
        self, *, erase: bool, label: int, paint_mode: str, active_instance: int
    ) -> PenWrite:
        """How a pen writes now: paint ``label`` or erase, joining the active object.

        With an active object, painted pixels join it and erasing removes only its pixels;
        a locked or hidden active object is never changed (``refusal`` says so). Erasing
        with a *part* active (an object with a parent) gives its pixels back to the parent
        object and its class instead of unlabelling them: erasing a face leaves the
        person whole. A locked or hidden parent refuses that.
        """
        value, only_where = brush_rule(erase=erase, label=label, paint_mode=paint_mode)
        layer = self.document.instances
        if not active_instance or layer is None:
            return PenWrite(value, only_where)
        active = layer.get(active_instance)
        refusal = None
        if active.protected:
            state = "locked" if active.locked else "hidden"
            refusal = f"{active.name} is {state}: unlock or show it to change it"
        if value != 0:
            return PenWrite(value, only_where, {"instance": active_instance}, refusal)
        if active.parent is None or active.parent not in layer:
            return PenWrite(value, only_where, {"only_instance": active_instance}, refusal)
        parent = layer.get(active.parent)
        if parent.protected and refusal is None:
            state = "locked" if parent.locked else "hidden"
            refusal = (
                f"{parent.name} is {state}: erasing its part {active.name} would give it "
                "pixels; unlock or show it first"
            )
        # The part's pixels go back to the parent: its class and its id.
        instance_args = {"only_instance": active_instance, "instance": parent.id}
        return PenWrite(parent.class_id, only_where, instance_args, refusal)

    def begin_stroke(self, name: str) -> None:
        """Open a stroke: its edits (`paint`) form one undo step until `end_stroke`."""
        self.end_stroke()
        self.document.history.begin_step(name)
        self._stroking = True

    def paint(self, pieces: Iterable[tuple[BBox, np.ndarray]], pen: PenWrite) -> BBox | None:
        """Write the footprint pieces of one pen move; return the box of what changed.

        One event for the whole move, however many pieces a long segment was cut into.
        """
        changed: list[BBox] = []
        for bbox, footprint in pieces:
            box = self.document.apply(
                bbox, footprint, pen.value, pen.only_where, **pen.instance_args
            )
            if box is not None:
                changed.append(box)
        if not changed:
            return None
        union = changed[0]
        for box in changed[1:]:
            union = union.union(box)
        pieces_ = tuple(changed) if len(changed) > 1 else ()
        self.edited.emit(EditEvent(union, settled=not self._stroking, pieces=pieces_))
        return union

    def end_stroke(self) -> None:
        """Close the open stroke, if any: one undo step, and a settled event."""
        if not self._stroking:
            return
        self._stroking = False
        self.document.history.end_step()
        self.edited.emit(EditEvent(None))

    def apply_footprint(self, bbox: BBox, footprint: np.ndarray, pen: PenWrite, name: str) -> None:
        """Write a footprint as one undo step (an outline, a fill)."""
        self.end_stroke()
        with self.document.step(name):
            changed = self.document.apply(
                bbox, footprint, pen.value, pen.only_where, **pen.instance_args
            )
        self.edited.emit(EditEvent(changed))

    def assign_edit(
        self,
        edit: Edit | None,
        name: str,
        *,
        only_where: int | None,
        instance: int | None = None,
    ) -> int:
        """Apply a ``(bbox, values, footprint)`` edit as one undo step; return pixels changed.

        Without an ``instance`` to join, pixels filled inside one object join it (a hole
        filled inside a cat becomes part of that cat, not just of the class).
        """
        if edit is None:
            return 0
        bbox, values, footprint = edit
        self.end_stroke()
        before = self.mask[bbox.slices].copy()
        layer = self.document.instances
        join = None
        if layer is not None and not instance:
            join = enclosing_instance_ids(self.mask, layer.map, bbox, values, footprint)
        with self.document.step(name):
            changed = self.document.assign(
                bbox, values, footprint, only_where, instance=instance or None, join=join
            )
        self.edited.emit(EditEvent(changed))
        if changed is None:
            return 0
        return int(np.count_nonzero(before != self.mask[bbox.slices]))

    # -- whole-document changes ----------------------------------------------------------------

    def replace(self, new_mask: np.ndarray) -> None:
        """Copy a validated mask in (one undo step); pixels whose class changes leave objects."""
        self.end_stroke()
        with self.document.step("set mask"):
            self.document.replace(new_mask)
        self.edited.emit(EditEvent(BBox.full(self.mask.shape)))

    def load(self, mask: np.ndarray, instance_map: np.ndarray, table: Iterable[Instance]) -> None:
        """Replace mask, instance map and table at once (loading a file): one undo step."""
        self.end_stroke()
        bbox = self.document.replace_all(mask, instance_map, table)
        self.edited.emit(EditEvent(bbox, table_changed=True))

    def adopt_external_edit(self, bbox: BBox | None) -> None:
        """Take in edits made to `mask` in place from Python; this closes the undo history.

        Pixels whose class was changed in place leave their object; counts are redone. See
        ``LabelDocument.adopt_external_edit`` for why the history cannot reach across it.
        """
        self.end_stroke()
        region = self.document.adopt_external_edit(bbox)
        self.edited.emit(EditEvent(region, table_changed=self.document.instances is not None))

    def undo(self) -> None:
        """Undo the last step (closing an open stroke first); no-op when there is none."""
        self.end_stroke()
        if self.document.can_undo:
            self._history_moved(self.document.undo())

    def redo(self) -> None:
        """Redo the last undone step; no-op when there is none."""
        self.end_stroke()
        if self.document.can_redo:
            self._history_moved(self.document.redo())

    def _history_moved(self, bbox: BBox | None) -> None:
        # Any step may have held a table change (objects), so say so when objects exist.
        self.edited.emit(EditEvent(bbox, table_changed=self.document.instances is not None))

    # -- objects -----------------------------------------------------------------------------

    def enable_instances(self) -> InstanceLayer:
        """Return the instance layer, created (all zeros, no objects) on first use."""
        return self.document.enable_instances()

    def add_instance(self, class_id: int, *, name: str, parent: int | None) -> Instance:
        """Add an empty object (one undo step) and return it."""
        self.end_stroke()
        created = self.document.add_instance(class_id, name=name, parent=parent)
        self.edited.emit(EditEvent(None, table_changed=True))
        return created

    def update_instance(self, instance_id: int, **changes: Any) -> None:
        """Rename, re-class, show/hide, lock or re-parent an object (one undo step)."""
        self._object_command(lambda: self.document.update_instance(instance_id, **changes))

    def delete_instances(self, instance_ids: list[int]) -> None:
        """Delete objects with their parts (one undo step)."""
        self._object_command(lambda: self.document.delete_instances(instance_ids))

    def merge_instances(self, instance_ids: list[int]) -> None:
        """Merge objects into the first (one undo step)."""
        self._object_command(lambda: self.document.merge_instances(instance_ids))

    def make_object(
        self,
        seed_rc: tuple[int, int],
        *,
        whole_class: bool,
        connectivity: int,
        name: str,
        parent: int | None,
    ) -> Instance:
        """Make the loose pixels of the class under ``seed_rc`` one new object (one undo step).

        See `seg_widget.core.loose_region.loose_region`; classes do not change.
        """
        self.end_stroke()
        layer = self.enable_instances()
        found = loose_region(
            self.mask, layer.map, seed_rc, connectivity=connectivity, whole_class=whole_class
        )
        if found is None:
            raise ValueError(f"seed: pixel {tuple(seed_rc)} is unlabelled or in an object already")
        bbox, footprint = found
        class_id = int(self.mask[seed_rc])
        with self.document.step("make object"):
            created = self.document.add_instance(class_id, name=name, parent=parent)
            changed = self.document.apply(bbox, footprint, class_id, instance=created.id)
        self.edited.emit(EditEvent(changed, table_changed=True))
        return created

    def split_instance(self, instance_id: int, *, connectivity: int) -> tuple[int, ...]:
        """Split an object into its connected pieces (one undo step); return their ids."""
        self.end_stroke()
        layer = self.enable_instances()
        before = layer.box(instance_id)
        pieces = self.document.split_instance(instance_id, connectivity=connectivity)
        self.edited.emit(EditEvent(before if len(pieces) > 1 else None, table_changed=True))
        return pieces

    def _object_command(self, command) -> None:
        self.end_stroke()
        region = command()
        self.edited.emit(EditEvent(region, table_changed=True))

    @contextmanager
    def stroke(self, name: str) -> Iterator[None]:
        """Group the `paint` calls of the block into one undo step, closed even on errors."""
        self.begin_stroke(name)
        try:
            yield
        finally:
            self.end_stroke()


__all__ = ["EditEvent", "Editor", "PenWrite"]
