"""Instance commands of the label document: new, update, delete, merge, split.

A mixin of `seg_widget.core.document.LabelDocument`. Each command is one undo step, costs
O(the boxes of the instances it touches), and keeps the invariant of
`seg_widget.core.instances`: every pixel of an instance has the instance's class. Commands
that would change the pixels of a locked instance raise instead.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from seg_widget.core.bbox import BBox, _true_bbox
from seg_widget.core.changes import write_diff
from seg_widget.core.counts import add_histogram
from seg_widget.core.hierarchy import descends_from
from seg_widget.core.instances import (
    INSTANCE_DTYPE,
    INSTANCE_LAYER,
    Instance,
    InstanceLayer,
    TableChange,
    check_consistent,
    check_instance_id,
    replace_fields,
)

if TYPE_CHECKING:
    from seg_widget.core.history import History

#: Marks an `update_instance` argument that was not given (None is a valid parent).
_UNSET: Any = object()


class InstanceEdits:
    """Instance map upkeep and instance commands for `LabelDocument`."""

    _mask: np.ndarray
    _counts: np.ndarray | None
    _epoch: int
    _history: History
    _instances: InstanceLayer | None
    _class_parents: np.ndarray
    _n_classes: int

    # Provided by LabelDocument.
    step: Any
    _class_id: Any

    @property
    def instances(self) -> InstanceLayer | None:
        """The instance map and table, or None until `enable_instances` is called."""
        return self._instances

    def enable_instances(
        self, instance_map: np.ndarray | None = None, table: Iterable[Instance] = ()
    ) -> InstanceLayer:
        """Start keeping instances (not undoable); return the layer. No-op if already on.

        Parameters
        ----------
        instance_map : ndarray of uint32, optional
            The instance map to own; zeros by default. It must agree with the class mask
            (checked, O(image): see `seg_widget.core.instances.check_consistent`).
        table : iterable of Instance
            The table of the ids in ``instance_map``.

        """
        if self._instances is None:
            if instance_map is None:
                instance_map = np.zeros(self._mask.shape, INSTANCE_DTYPE)
            else:
                table = list(table)
                check_consistent(self._mask, instance_map, table)
            self._instances = InstanceLayer(instance_map, table)
        return self._instances

    # -- commands ------------------------------------------------------------------------

    def add_instance(
        self, class_id: int, *, name: str | None = None, parent: int | None = None
    ) -> Instance:
        """Add an empty instance of class ``class_id`` (one undo step); return it.

        ``parent`` is the id of the instance it is a part of, whose class must be an
        ancestor of ``class_id`` (a face of a person).
        """
        class_id = self._class_id(class_id, "class_id")
        if class_id == 0:
            raise ValueError("class_id: expected a class id >= 1 (0 is unlabelled); got 0")
        if name is not None:
            _check_name(name)
        new_id = 1 if self._instances is None else self._instances.next_id()
        instance = Instance(new_id, class_id, f"instance {new_id}" if name is None else name)
        if parent is not None:
            self._check_parent(instance, parent)
            instance = replace_fields(instance, parent=int(parent))
        layer = self.enable_instances()
        with self.step("new instance"):
            before = layer.table
            layer.put(instance)
            self._history.record(TableChange(before, layer.table, None))
        return instance

    def update_instance(
        self,
        instance_id: int,
        *,
        name: str = _UNSET,
        class_id: int = _UNSET,
        visible: bool = _UNSET,
        locked: bool = _UNSET,
        parent: int | None = _UNSET,
    ) -> BBox | None:
        """Rename, re-class, show/hide, lock/unlock or re-parent an instance: one undo step.

        Changing the class rewrites the class of its pixels (refused while it stays
        locked) and must keep parts inside their parent's class. Returns the image region
        whose look changed, or None.
        """
        layer = self._layer("instance_id")
        current = layer.get(check_instance_id(instance_id, "instance_id"), "instance_id")
        changes: dict[str, Any] = {}
        if name is not _UNSET:
            changes["name"] = _check_name(name)
        for field, value in (("visible", visible), ("locked", locked)):
            if value is not _UNSET:
                if not isinstance(value, (bool, np.bool_)):
                    raise TypeError(f"{field}: expected True or False; got {value!r}")
                changes[field] = bool(value)
        if parent is not _UNSET:
            if parent is not None:
                self._check_parent(current, parent)
                parent = int(parent)
            changes["parent"] = parent
        new_class = None
        if class_id is not _UNSET:
            new_class = self._class_id(class_id, "class_id")
            if new_class == 0:
                raise ValueError("class_id: expected a class id >= 1 (0 is unlabelled); got 0")
            if new_class != current.class_id and current.locked and changes.get("locked", True):
                raise ValueError(
                    f"instance_id: instance {current.id} ({current.name!r}) is locked; "
                    "unlock it to change its class"
                )
            changes["class_id"] = new_class
        updated = replace_fields(current, **changes)
        if updated == current:
            return None  # nothing to change: no empty undo step
        self._check_family_classes(updated)
        region: BBox | None = None
        with self.step("edit instance"):
            before = layer.table
            if new_class is not None and new_class != current.class_id:
                region = self._rewrite_instance(current.id, new_class, current.id)
            layer.put(updated)
            look = None
            if updated.visible != current.visible:
                look = layer.box(current.id)
            self._history.record(TableChange(before, layer.table, look))
        return look.union(region) if look is not None else region

    def delete_instances(self, instance_ids: Iterable[int]) -> BBox | None:
        """Delete instances with their parts: pixels become unlabelled. One undo step.

        Returns the region changed, or None. Raises if one of them (or a part) is locked.
        """
        layer = self._layer("instance_ids")
        doomed: list[int] = []
        for instance_id in self._ids(instance_ids, at_least=1):
            for member in (instance_id, *layer.descendants(instance_id)):
                if member not in doomed:
                    doomed.append(member)
        self._refuse_locked(doomed, "delete", "instance_ids")
        region: BBox | None = None
        with self.step("delete instance"):
            before = layer.table
            for member in doomed:
                changed = self._rewrite_instance(member, 0, 0)
                region = changed.union(region) if changed is not None else region
                layer.remove(member)
            self._history.record(TableChange(before, layer.table, None))
        return region

    def merge_instances(self, instance_ids: Sequence[int]) -> BBox | None:
        """Merge instances into the first one given (its class, name and parent): one step.

        Parts of the merged instances become parts of the first one when their class
        allows it, and top-level objects otherwise. Returns the region changed, or None.
        """
        layer = self._layer("instance_ids")
        ids = self._ids(instance_ids, at_least=2)
        self._refuse_locked(ids, "merge", "instance_ids")
        target = layer.get(ids[0])
        region: BBox | None = None
        with self.step("merge instances"):
            before = layer.table
            for other in ids[1:]:
                changed = self._rewrite_instance(other, target.class_id, target.id)
                region = changed.union(region) if changed is not None else region
                layer.remove(other)
            if target.parent in ids:
                layer.put(replace_fields(target, parent=None))
            for child in layer.instances:
                if child.parent in ids[1:]:
                    keep = descends_from(self._class_parents, child.class_id, target.class_id)
                    layer.put(replace_fields(child, parent=target.id if keep else None))
            self._history.record(TableChange(before, layer.table, None))
        return region

    def split_instance(self, instance_id: int, *, connectivity: int = 8) -> tuple[int, ...]:
        """Split an instance into its connected components: one undo step.

        The largest component keeps the id, name and parts; each other one becomes a new
        instance of the same class, visibility and parent, named ``"<name> #k"``. Returns
        the ids of the pieces, the kept one first (``(instance_id,)`` if it is one piece).
        """
        from skimage.measure import label

        if connectivity not in (4, 8):
            raise ValueError(f"connectivity: expected 4 or 8; got {connectivity!r}")
        layer = self._layer("instance_id")
        current = layer.get(check_instance_id(instance_id, "instance_id"), "instance_id")
        self._refuse_locked([current.id], "split", "instance_id")
        found = layer.region(current.id)
        if found is None:
            return (current.id,)
        box, inside = found
        pieces, n = label(inside, connectivity=1 if connectivity == 4 else 2, return_num=True)
        if n <= 1:
            return (current.id,)
        sizes = np.bincount(pieces.ravel(), minlength=n + 1)
        sizes[0] = -1
        order = np.argsort(-sizes[1:], kind="stable") + 1  # largest first, then by position
        ids = np.zeros(n + 1, INSTANCE_DTYPE)
        result = [current.id]
        ids[order[0]] = current.id
        with self.step("split instance"):
            before = layer.table
            for k, piece in enumerate(order[1:].tolist(), start=2):
                new_id = layer.next_id()
                ids[piece] = new_id
                result.append(new_id)
                name = f"{current.name} #{k}"
                layer.put(replace_fields(current, id=new_id, name=name, locked=False))
            self._write_with_instances(
                box, inside, current.class_id, None, ids_values=ids[pieces], protect=False
            )
            self._history.record(TableChange(before, layer.table, None))
        return tuple(result)

    def replace_all(
        self, new_mask: np.ndarray, instance_map: np.ndarray, table: Iterable[Instance]
    ) -> BBox:
        """Replace class mask, instance map and table at once (loading a file): one step.

        ``new_mask`` must be validated; ``instance_map`` and ``table`` must agree with it
        (see `seg_widget.core.instances.check_consistent`). Locks do not hold against it.
        Returns the full image box.
        """
        check_consistent(new_mask, instance_map, table)
        layer = self.enable_instances()
        full = BBox.full(self._mask.shape)
        with self.step("load"):
            before = layer.table
            differs = (self._mask != new_mask) | (layer.map != instance_map)
            tight = _true_bbox(differs)
            if tight is not None:
                self._write_with_instances(
                    tight,
                    differs[tight.slices],
                    new_mask[tight.slices],
                    None,
                    ids_values=instance_map[tight.slices],
                    protect=False,
                )
            layer.restore({instance.id: instance for instance in table})
            self._history.record(TableChange(before, layer.table, None))
        return full

    # -- the pixel write shared with LabelDocument ---------------------------------------

    def _write_with_instances(
        self,
        bbox: BBox,
        footprint: np.ndarray,
        values: int | np.ndarray,
        only_where: int | None,
        instance: int | None = None,
        only_instance: int | None = None,
        *,
        ids_values: int | np.ndarray | None = None,
        join_ids: np.ndarray | None = None,
        protect: bool = True,
    ) -> BBox | None:
        """Write classes (and instance ids) where the edit reaches; record both layers.

        Eligible pixels: in ``footprint``, of class ``only_where`` and instance
        ``only_instance`` when given, and (with ``protect``) not of a locked or hidden
        instance. Their new instance id is ``ids_values`` when given; otherwise
        ``instance`` where the new class is that instance's class, the old id where the
        class does not change, and 0 elsewhere; then ``join_ids`` where non-zero. O(bbox).
        """
        layer = self._instances
        assert layer is not None
        if protect and any(
            given is not None and layer.get(given).protected for given in (instance, only_instance)
        ):
            return None  # a locked or hidden object neither grows nor shrinks
        patch = self._mask[bbox.slices]
        ids = layer.map[bbox.slices]
        eligible = footprint
        if only_where is not None:
            eligible = eligible & (patch == only_where)
        if only_instance is not None:
            eligible = eligible & (ids == only_instance)
        if protect:
            blocked = layer.protected_footprint(ids)
            if blocked is not None:
                eligible = eligible & ~blocked
        if ids_values is None and instance is not None and not isinstance(values, np.ndarray):
            # The pen with an active object: every pixel it reaches joins it (or, erasing,
            # leaves every object): one id for all, no per-pixel rule.
            joins = values == layer.get(instance).class_id
            new_ids = np.broadcast_to(INSTANCE_DTYPE.type(instance if joins else 0), ids.shape)
        elif ids_values is None:
            new_ids = np.where(patch == values, ids, 0).astype(INSTANCE_DTYPE, copy=False)
            if instance is not None:
                joins = np.broadcast_to(values == layer.get(instance).class_id, ids.shape)
                new_ids[joins] = instance
        else:
            new_ids = np.broadcast_to(np.asarray(ids_values, INSTANCE_DTYPE), ids.shape)
        if join_ids is not None:
            joining = join_ids != 0
            if protect:  # a locked or hidden object does not grow either
                blocked = layer.protected_footprint(join_ids)
                if blocked is not None:
                    joining &= ~blocked
            new_ids = np.where(joining, join_ids, new_ids).astype(INSTANCE_DTYPE)
        class_changed = eligible & (patch != values)
        id_changed = eligible & (ids != new_ids)
        changed = class_changed | id_changed
        tight = _true_bbox(changed, (bbox.row0, bbox.col0))
        if tight is None:
            return None
        inner = tight.slices_in(bbox)
        changed = changed[inner]
        with self.step("edit"):  # class and id diffs undo together, even outside a step
            if class_changed[inner].any():
                self._write_classes(tight, patch, inner, changed, values)
            if id_changed[inner].any():
                new = new_ids[inner]
                if new.strides == (0, 0):  # one id for all (broadcast): no per-pixel gather
                    new = new.flat[0]
                diff = write_diff(
                    ids[inner], tight, changed, new, layer=INSTANCE_LAYER, epoch=layer.epoch
                )
                layer.note_diff(diff, diff.before, diff.after)
                self._history.record(diff)
        return tight

    def _write_classes(
        self,
        tight: BBox,
        patch: np.ndarray,
        inner: tuple[slice, slice],
        changed: np.ndarray,
        values: int | np.ndarray,
    ) -> None:
        """Write the changed pixels of the box ``tight`` (``inner`` in ``patch``); record it.

        The one class write of the document, with or without instances: records the diff
        (only the changed pixels, see `seg_widget.core.history.write_diff`) and keeps the
        class counts from its values, O(tight).
        """
        new = values[inner] if isinstance(values, np.ndarray) else values
        diff = write_diff(patch[inner], tight, changed, new, epoch=self._epoch)
        if self._counts is not None:
            add_side(self._counts, diff.before, diff.n_changed, -1, diff.before_single)
            add_side(self._counts, diff.after, diff.n_changed, +1, diff.after_single)
        self._history.record(diff)

    def _rewrite_instance(self, instance_id: int, class_id: int, new_id: int) -> BBox | None:
        """Give every pixel of an instance a class and an id (no lock check); O(its box)."""
        layer = self._layer()
        found = layer.region(instance_id)
        if found is None:
            return None
        box, inside = found
        return self._write_with_instances(
            box, inside, class_id, None, ids_values=new_id, protect=False
        )

    # -- checks ----------------------------------------------------------------------------

    def _layer(self, argument: str = "instance_id") -> InstanceLayer:
        if self._instances is None:
            raise ValueError(f"{argument}: there are no instances yet (add one first)")
        return self._instances

    def _check_instance_args(
        self, instance: int | None, only_instance: int | None, value: int | None
    ) -> None:
        for argument, given in (("instance", instance), ("only_instance", only_instance)):
            if given is None:
                continue
            layer = self._layer(argument)
            found = layer.get(check_instance_id(given, argument), argument)
            if argument == "instance" and value is not None and value not in (0, found.class_id):
                raise ValueError(
                    f"instance: expected an instance of class {value} (the value painted); "
                    f"got instance {found.id} of class {found.class_id}"
                )

    def _check_join(self, join: np.ndarray, values: np.ndarray, footprint: np.ndarray) -> None:
        layer = self._layer("join")
        if not isinstance(join, np.ndarray) or join.shape != footprint.shape:
            got = join.shape if isinstance(join, np.ndarray) else type(join).__name__
            raise ValueError(f"join: expected an id array of the shape of bbox; got {got}")
        joining = footprint & (join != 0)
        for instance_id in np.unique(join[joining]).tolist():
            class_id = layer.get(int(instance_id), "join").class_id
            if (values[joining & (join == instance_id)] != class_id).any():
                raise ValueError(
                    f"join: expected pixels joining instance {instance_id} to get its class "
                    f"{class_id}"
                )

    def _ids(self, instance_ids: Iterable[int], *, at_least: int) -> list[int]:
        layer = self._layer("instance_ids")
        if isinstance(instance_ids, (int, np.integer)):
            instance_ids = [instance_ids]
        if isinstance(instance_ids, (str, bytes)) or not isinstance(instance_ids, Iterable):
            raise TypeError(
                "instance_ids: expected a sequence of instance ids; "
                f"got {type(instance_ids).__name__}"
            )
        ids: list[int] = []
        for given in instance_ids:
            instance_id = layer.get(check_instance_id(given, "instance_ids"), "instance_ids").id
            if instance_id not in ids:
                ids.append(instance_id)
        if len(ids) < at_least:
            raise ValueError(
                f"instance_ids: expected at least {at_least} distinct instance ids; got {ids}"
            )
        return ids

    def _refuse_locked(self, instance_ids: Iterable[int], action: str, argument: str) -> None:
        layer = self._layer(argument)
        locked = [i for i in instance_ids if layer.get(i).locked]
        if locked:
            names = ", ".join(f"{i} ({layer.get(i).name!r})" for i in locked)
            raise ValueError(f"{argument}: cannot {action} locked instances {names}; unlock first")

    def _check_parent(self, instance: Instance, parent: object) -> None:
        layer = self._instances
        if layer is None:
            raise ValueError(f"parent: expected an instance id; there are none; got {parent}")
        parent_instance = layer.get(check_instance_id(parent, "parent"), "parent")
        if parent_instance.id == instance.id or parent_instance.id in layer.descendants(
            instance.id
        ):
            raise ValueError(
                f"parent: instance {parent_instance.id} is instance {instance.id} or one of its "
                "parts; an object cannot be a part of itself"
            )
        if not descends_from(self._class_parents, instance.class_id, parent_instance.class_id):
            raise ValueError(
                f"parent: expected an instance of an ancestor class of class "
                f"{instance.class_id}; got instance {parent_instance.id} of class "
                f"{parent_instance.class_id}"
            )

    def _check_family_classes(self, instance: Instance) -> None:
        """Check that the instance's class sits under its parent's and above its parts'."""
        layer = self._layer()
        if instance.parent is not None:
            parent = layer.get(instance.parent)
            if not descends_from(self._class_parents, instance.class_id, parent.class_id):
                raise ValueError(
                    f"class_id: class {instance.class_id} is not under class "
                    f"{parent.class_id} of the parent instance {parent.id}"
                )
        for child_id in layer.children(instance.id):
            child = layer.get(child_id)
            if not descends_from(self._class_parents, child.class_id, instance.class_id):
                raise ValueError(
                    f"class_id: part {child.id} ({child.name!r}) of class {child.class_id} "
                    f"would not be under class {instance.class_id}"
                )


def _check_name(name: object) -> str:
    if not isinstance(name, str):
        raise TypeError(f"name: expected a str; got {type(name).__name__}")
    if not name.strip():
        raise ValueError(f"name: expected a non-empty name; got {name!r}")
    return name


def add_side(
    counts: np.ndarray, side: np.ndarray, n_changed: int, sign: int, single: int | None = None
) -> None:
    """Add ``sign`` times the histogram of one side of a diff to ``counts``.

    ``side`` is the diff's values (any shape), or one 0-d value shared by its
    ``n_changed`` pixels; ``single``, when given, is the one value ``side`` holds. Both
    cost O(1).
    """
    if side.ndim == 0:
        single = int(side)
    if single is not None:
        counts[single] += sign * n_changed
    else:
        add_histogram(counts, side, sign)
