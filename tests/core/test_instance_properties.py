"""Property tests: random instance edits, commands, locks, undo and redo on a small mask.

A state machine paints and assigns with random footprints and paint modes, adds, re-classes,
re-parents, locks, hides, deletes, merges and splits instances, and undoes and redoes. After
every step the instance invariant holds; each edit does exactly what a plain numpy model of
its rule says (so locked and hidden pixels never change); every command is one undo step;
and undoing everything gives back the starting mask, map and table exactly.
"""

import numpy as np
from hypothesis import Phase, event, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule
from skimage.measure import label

from seg_widget.core import BBox, LabelDocument
from seg_widget.core.instances import Instance
from tests.core.test_instances import assert_instance_invariant

SHAPE = (6, 7)
N_CLASSES = 3
#: Class 2 is a part-class of class 1.
CLASS_PARENTS = np.array([-1, -1, 1])

classes = st.integers(0, N_CLASSES - 1)
labels = st.integers(1, N_CLASSES - 1)
#: An index into the current instance ids (modulo their number), or None.
picks = st.none() | st.integers(0, 12)
row_edges = st.integers(0, SHAPE[0])
col_edges = st.integers(0, SHAPE[1])
boxes = st.tuples(row_edges, row_edges, col_edges, col_edges).map(
    lambda t: BBox(min(t[0], t[1]), max(t[0], t[1]), min(t[2], t[3]), max(t[2], t[3]))
)
footprints = arrays(np.bool_, SHAPE)
#: Paint modes as (value, only_where) for a label: overwrite (label, None), preserve
#: (label, 0), erase (0, None), erase class (0, label).
MODES = ("overwrite", "preserve", "erase", "erase class")
names = st.sampled_from(["a", "cat", "the face", "b 2"])
#: The instances a document starts with (their pixels are random), and how they may start.
START = (
    Instance(1, 1, "person"),
    Instance(2, 1, "car"),
    Instance(3, 2, "face", parent=1),
)
FLAGS = {
    "open": {},
    "also open": {},
    "locked": {"locked": True},
    "hidden": {"visible": False},
}


def _descends(class_id: int, ancestor: int) -> bool:
    parent = int(CLASS_PARENTS[class_id])
    while parent >= 0:
        if parent == ancestor:
            return True
        parent = int(CLASS_PARENTS[parent])
    return False


def _descendants(table: dict[int, Instance], instance_id: int) -> list[int]:
    found, pending = [], [instance_id]
    while pending:
        current = pending.pop()
        for child in table.values():
            if child.parent == current and child.id not in found:
                found.append(child.id)
                pending.append(child.id)
    return found


def _tight(changed: np.ndarray) -> BBox | None:
    rows, cols = np.nonzero(changed)
    if rows.size == 0:
        return None
    return BBox(int(rows.min()), int(rows.max()) + 1, int(cols.min()), int(cols.max()) + 1)


def _expected_write(state, reach, values, only_where, instance, only_instance):
    """The model of `apply` / `assign` with instances: the new mask and map."""
    mask, ids, table = state
    if any(given is not None and table[given].protected for given in (instance, only_instance)):
        return mask, ids  # a locked or hidden object neither grows nor shrinks
    values = np.broadcast_to(values, mask.shape)
    eligible = reach.copy()
    if only_where is not None:
        eligible &= mask == only_where
    if only_instance is not None:
        eligible &= ids == only_instance
    eligible &= ~np.isin(ids, [i for i, inst in table.items() if inst.protected])
    new_ids = np.where(mask == values, ids, 0)
    if instance is not None:
        new_ids = np.where(values == table[instance].class_id, instance, new_ids)
    return (
        np.where(eligible, values, mask).astype(mask.dtype),
        np.where(eligible, new_ids, ids).astype(np.uint32),
    )


class InstanceMachine(RuleBasedStateMachine):
    """Random edits on a document with instances, checked against a model after each."""

    #: Paint strokes outside `LabelDocument.step` (a bare `apply` must be one step too).
    bare_edits = False

    @initialize(
        semantic=arrays(np.uint8, SHAPE, elements=classes),
        ids=arrays(np.uint32, SHAPE, elements=st.integers(0, len(START))),
        flags=st.lists(st.sampled_from(list(FLAGS)), min_size=len(START), max_size=len(START)),
        count_first=st.booleans(),
    )
    def start(self, semantic, ids, flags, count_first):
        table = [
            Instance(**{**vars(instance), **FLAGS[flag]})
            for instance, flag in zip(START, flags, strict=True)
        ]
        class_of = np.array([0] + [instance.class_id for instance in table], np.uint8)
        mask = np.where(ids > 0, class_of[ids], semantic).astype(np.uint8)
        self.document = LabelDocument(mask, N_CLASSES, class_parents=CLASS_PARENTS)
        self.document.enable_instances(ids.copy(), table)
        if count_first:  # class counts kept incrementally from the start, or counted late
            self.document.class_counts  # noqa: B018
        self.undo_states = [self._state()]
        self.redo_states = []

    # -- bookkeeping ---------------------------------------------------------------------------

    def _state(self):
        layer = self.document.instances
        return self.document.mask.copy(), layer.map.copy(), layer.table

    def _assert_state(self, state):
        mask, ids, table = state
        np.testing.assert_array_equal(self.document.mask, mask)
        np.testing.assert_array_equal(self.document.instances.map, ids)
        assert self.document.instances.table == table

    def _recorded(self, step: bool):
        """A command ran: one undo step if ``step``, none otherwise."""
        if step:
            self.undo_states.append(self._state())
            self.redo_states = []
        else:
            self._assert_state(self.undo_states[-1])

    def _refused(self, before, error, call):
        try:
            call()
        except error:
            self._assert_state(before)
            event("a command was refused")
            return True
        return False

    def _ids(self, class_id=None):
        table = self.document.instances.table
        return [i for i, inst in table.items() if class_id is None or inst.class_id == class_id]

    @staticmethod
    def _pick(ids, index):
        return None if index is None or not ids else ids[index % len(ids)]

    def _edit(self, call):
        if self.bare_edits:
            return call()
        with self.document.step("paint"):
            return call()

    def _check_write(self, before, reach, returned, expected):
        mask, ids, table = before
        expected_mask, expected_ids = expected
        np.testing.assert_array_equal(self.document.mask, expected_mask)
        np.testing.assert_array_equal(self.document.instances.map, expected_ids)
        assert self.document.instances.table == table
        # Locked and hidden pixels never change, whatever the mode.
        protected = np.isin(ids, [i for i, inst in table.items() if inst.protected])
        np.testing.assert_array_equal(self.document.mask[protected], mask[protected])
        np.testing.assert_array_equal(self.document.instances.map[protected], ids[protected])
        changed = (expected_mask != mask) | (expected_ids != ids)
        event(f"edit reached protected pixels: {bool((reach & protected).any())}")
        assert returned == _tight(changed)
        self._recorded(changed.any())

    # -- edits -----------------------------------------------------------------------------------

    @rule(
        box=boxes,
        footprint=footprints,
        mode=st.sampled_from(MODES),
        label_=labels,
        instance=picks,
        only_instance=picks,
    )
    def paint(self, box, footprint, mode, label_, instance, only_instance):
        value = 0 if mode.startswith("erase") else label_
        only_where = {"preserve": 0, "erase class": label_}.get(mode)
        instance = self._pick(self._ids(value or None), instance)
        only_instance = self._pick(self._ids(), only_instance)
        reach = np.zeros(SHAPE, bool)
        reach[box.slices] = footprint[box.slices]
        before = self._state()
        expected = _expected_write(before, reach, value, only_where, instance, only_instance)
        returned = self._edit(
            lambda: self.document.apply(
                box,
                footprint[box.slices],
                value,
                only_where,
                instance=instance,
                only_instance=only_instance,
            )
        )
        self._check_write(before, reach, returned, expected)

    @rule(
        box=boxes,
        footprint=footprints,
        values=arrays(np.int64, SHAPE, elements=classes),
        only_where=st.none() | classes,
        instance=picks,
    )
    def assign(self, box, footprint, values, only_where, instance):
        instance = self._pick(self._ids(), instance)
        reach = np.zeros(SHAPE, bool)
        reach[box.slices] = footprint[box.slices]
        before = self._state()
        expected = _expected_write(before, reach, values, only_where, instance, None)
        returned = self._edit(
            lambda: self.document.assign(
                box, values[box.slices], footprint[box.slices], only_where, instance=instance
            )
        )
        self._check_write(before, reach, returned, expected)

    # -- commands --------------------------------------------------------------------------------

    @rule(class_id=labels, parent=picks, name=st.none() | names)
    def add(self, class_id, parent, name):
        table = self.document.instances.table
        parent = self._pick(self._ids(), parent)
        before = self._state()
        allowed = parent is None or _descends(class_id, table[parent].class_id)
        call = lambda: self.document.add_instance(class_id, name=name, parent=parent)  # noqa: E731
        if not allowed:
            assert self._refused(before, ValueError, call)
            return
        new_id = max(table, default=0) + 1
        added = call()
        assert added == Instance(
            new_id, class_id, f"instance {new_id}" if name is None else name, parent=parent
        )
        assert self.document.instances.table == {**table, new_id: added}
        self._recorded(True)

    @rule(index=st.integers(0, 12), field=st.sampled_from(["locked", "visible"]), name=names)
    def toggle(self, index, field, name):
        target = self._pick(self._ids(), index)
        if target is None:
            return
        table = self.document.instances.table
        flipped = not getattr(table[target], field)
        self.document.update_instance(target, name=name, **{field: flipped})
        expected = Instance(**{**vars(table[target]), field: flipped, "name": name})
        assert self.document.instances.table == {**table, target: expected}
        np.testing.assert_array_equal(self.document.mask, self.undo_states[-1][0])
        self._recorded(True)

    @rule(index=st.integers(0, 12), class_id=labels)
    def set_class(self, index, class_id):
        target = self._pick(self._ids(), index)
        if target is None:
            return
        before = self._state()
        mask, ids, table = before
        current = table[target]
        children = [c for c in table.values() if c.parent == target]
        if class_id == current.class_id:  # nothing changes: allowed even when locked
            assert self.document.update_instance(target, class_id=class_id) is None
            self._recorded(False)
            return
        allowed = (
            not current.locked
            and (current.parent is None or _descends(class_id, table[current.parent].class_id))
            and all(_descends(c.class_id, class_id) for c in children)
        )
        call = lambda: self.document.update_instance(target, class_id=class_id)  # noqa: E731
        if not allowed:
            assert self._refused(before, ValueError, call)
            return
        call()
        np.testing.assert_array_equal(self.document.mask, np.where(ids == target, class_id, mask))
        np.testing.assert_array_equal(self.document.instances.map, ids)
        self._recorded(True)

    @rule(index=st.integers(0, 12), parent=picks)
    def reparent(self, index, parent):
        target = self._pick(self._ids(), index)
        if target is None:
            return
        parent = self._pick(self._ids(), parent)
        before = self._state()
        table = before[2]
        allowed = parent is None or (
            parent != target
            and parent not in _descendants(table, target)
            and _descends(table[target].class_id, table[parent].class_id)
        )
        call = lambda: self.document.update_instance(target, parent=parent)  # noqa: E731
        if not allowed:
            assert self._refused(before, ValueError, call)
            return
        call()
        assert self.document.instances.get(target).parent == parent
        self._recorded(table[target].parent != parent)  # setting the same parent is no step

    @rule(indices=st.lists(st.integers(0, 12), min_size=1, max_size=3))
    def delete(self, indices):
        ids_now = self._ids()
        if not ids_now:
            return
        chosen = [self._pick(ids_now, k) for k in indices]
        before = self._state()
        mask, ids, table = before
        doomed = set()
        for target in chosen:
            doomed |= {target, *_descendants(table, target)}
        call = lambda: self.document.delete_instances(chosen)  # noqa: E731
        if any(table[i].locked for i in doomed):
            assert self._refused(before, ValueError, call)
            return
        call()
        gone = np.isin(ids, list(doomed))
        np.testing.assert_array_equal(self.document.mask, np.where(gone, 0, mask))
        np.testing.assert_array_equal(self.document.instances.map, np.where(gone, 0, ids))
        assert self.document.instances.table == {
            i: inst for i, inst in table.items() if i not in doomed
        }
        self._recorded(True)

    @rule(indices=st.lists(st.integers(0, 12), min_size=2, max_size=3))
    def merge(self, indices):
        ids_now = self._ids()
        if not ids_now:
            return
        chosen = list(dict.fromkeys(self._pick(ids_now, k) for k in indices))
        before = self._state()
        mask, ids, table = before
        call = lambda: self.document.merge_instances(chosen)  # noqa: E731
        if len(chosen) < 2 or any(table[i].locked for i in chosen):
            assert self._refused(before, ValueError, call)
            return
        target = table[chosen[0]]
        call()
        event("merged")
        joined = np.isin(ids, chosen)
        np.testing.assert_array_equal(self.document.mask, np.where(joined, target.class_id, mask))
        np.testing.assert_array_equal(self.document.instances.map, np.where(joined, target.id, ids))
        expected = {}
        for i, inst in table.items():
            if i in chosen[1:]:
                continue
            if i == target.id and inst.parent in chosen:
                inst = Instance(**{**vars(inst), "parent": None})
            elif inst.parent in chosen[1:]:
                keep = _descends(inst.class_id, target.class_id)
                inst = Instance(**{**vars(inst), "parent": target.id if keep else None})
            expected[i] = inst
        assert self.document.instances.table == expected
        self._recorded(True)

    @rule(index=st.integers(0, 12), connectivity=st.sampled_from([4, 8]))
    def split(self, index, connectivity):
        target = self._pick(self._ids(), index)
        if target is None:
            return
        before = self._state()
        mask, ids, table = before
        call = lambda: self.document.split_instance(target, connectivity=connectivity)  # noqa: E731
        if table[target].locked:
            assert self._refused(before, ValueError, call)
            return
        components, n = label(ids == target, connectivity=connectivity // 4, return_num=True)
        pieces = call()
        event(f"split into {min(len(pieces), 3)}+ pieces")
        new_map = self.document.instances.map
        assert len(pieces) == max(n, 1)
        assert pieces[0] == target
        assert list(pieces[1:]) == list(range(max(table) + 1, max(table) + len(pieces)))
        np.testing.assert_array_equal(self.document.mask, mask)
        np.testing.assert_array_equal(new_map[ids != target], ids[ids != target])
        # Each piece is exactly one connected component, and the kept one is the largest.
        pixel_sets = [new_map == piece for piece in pieces]
        for pixels in pixel_sets:
            if n == 0:
                assert not pixels.any()
            else:
                assert len(np.unique(components[pixels])) == 1
        assert all(pixel_sets[0].sum() >= pixels.sum() for pixels in pixel_sets[1:])
        original = table[target]
        for k, piece in enumerate(pieces[1:], start=2):
            # Same class, visibility and parent; a new name; never locked (the whole was not).
            assert self.document.instances.get(piece) == Instance(
                piece,
                original.class_id,
                f"{original.name} #{k}",
                original.visible,
                parent=original.parent,
            )
        self._recorded(len(pieces) > 1)

    # -- undo and redo ---------------------------------------------------------------------------

    @rule()
    def undo(self):
        returned = self.document.undo()
        if len(self.undo_states) == 1:
            assert returned is None
            assert not self.document.can_undo
        else:
            self.redo_states.append(self.undo_states.pop())
        self._assert_state(self.undo_states[-1])

    @rule()
    def redo(self):
        returned = self.document.redo()
        if not self.redo_states:
            assert returned is None
            assert not self.document.can_redo
        else:
            self.undo_states.append(self.redo_states.pop())
        self._assert_state(self.undo_states[-1])

    @invariant()
    def instance_invariant_holds(self):
        if hasattr(self, "document"):
            assert_instance_invariant(self.document)

    def teardown(self):
        if not hasattr(self, "document"):
            return
        while self.document.can_undo:
            self.document.undo()
        self._assert_state(self.undo_states[0])
        assert_instance_invariant(self.document)


class BareEditMachine(InstanceMachine):
    """The same, with `apply` and `assign` called outside any step (scripts, the API)."""

    bare_edits = True


TestInstanceEdits = InstanceMachine.TestCase
TestInstanceEdits.settings = settings(max_examples=30, stateful_step_count=25, deadline=None)
TestBareInstanceEdits = BareEditMachine.TestCase
# No shrinking: shrinking 6x7 arrays takes minutes, and test_instances.py has the minimal cases.
TestBareInstanceEdits.settings = settings(
    max_examples=30,
    stateful_step_count=25,
    deadline=None,
    phases=(Phase.explicit, Phase.reuse, Phase.generate),
)
