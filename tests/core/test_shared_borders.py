"""The "shared borders" scenes: outlines, fills and brushes through the widget's edit path.

Every edit goes exactly as in the widget: ``(value, only_where) = brush_rule(...)``, a
footprint from the tool, then ``document.apply(bbox, footprint, value, only_where)`` inside
one undo step.
"""

from dataclasses import dataclass

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from seg_widget.core.document import LabelDocument
from seg_widget.core.fill import flood_footprint, same_label_footprint
from seg_widget.core.outline import polygon_footprint
from seg_widget.core.policy import PAINT_MODES, brush_rule
from seg_widget.core.raster import brush_footprint
from tests.core.document_helpers import redo_everything, undo_everything

SHAPE = (20, 24)
N_CLASSES = 4
UNLABELLED, BACKGROUND = 0, 1
EVERYTHING = [(-1, -1), (-1, SHAPE[1] + 1), (SHAPE[0] + 1, SHAPE[1] + 1), (SHAPE[0] + 1, -1)]


def _apply(document, result, *, label, erase=False, paint_mode="preserve") -> np.ndarray:
    """Apply a tool footprint as the widget does; return it as a full-size bool image."""
    value, only_where = brush_rule(erase=erase, label=label, paint_mode=paint_mode)
    footprint = np.zeros(document.mask.shape, dtype=bool)
    if result is not None:
        bbox, pixels = result
        footprint[bbox.slices] = pixels
        with document.step("erase" if erase else "paint"):
            document.apply(bbox, pixels, value, only_where)
    return footprint


def _outline(document, vertices_rc, **rule) -> np.ndarray:
    return _apply(document, polygon_footprint(vertices_rc, document.mask.shape), **rule)


def _empty_document() -> LabelDocument:
    return LabelDocument(np.zeros(SHAPE, dtype=np.uint8), N_CLASSES)


# Object A (class 1) and object B (class 2) overlap: B's outline is drawn over A's edge.
OBJECT_A = [(2.3, 1.7), (3.1, 11.4), (12.6, 12.2), (14.2, 3.3)]
OBJECT_B = [(5.4, 9.2), (4.1, 19.8), (16.7, 21.1), (17.3, 8.6)]


def test_preserve_outline_never_changes_the_neighbours_pixels():
    document = _empty_document()
    a = _outline(document, OBJECT_A, label=1)
    b = _outline(document, OBJECT_B, label=2, paint_mode="preserve")
    assert (a & b).sum() > 10  # the outlines do overlap
    assert (document.mask[a] == 1).all()


def test_preserve_outline_leaves_no_gap_between_neighbours():
    document = _empty_document()
    a = _outline(document, OBJECT_A, label=1)
    b = _outline(document, OBJECT_B, label=2, paint_mode="preserve")
    np.testing.assert_array_equal(document.mask == 2, b & ~a)
    np.testing.assert_array_equal(document.mask != UNLABELLED, a | b)


coordinate_rc = st.tuples(st.floats(-2, SHAPE[0] + 2), st.floats(-2, SHAPE[1] + 2))
polygons = st.lists(coordinate_rc, min_size=3, max_size=8)
foregrounds = st.lists(st.tuples(polygons, st.sampled_from([2, 3])), min_size=1, max_size=3)


@settings(max_examples=60, deadline=None)
@given(objects=foregrounds)
def test_foreground_then_background_in_preserve_equals_background_then_foreground(objects):
    preserve = _empty_document()
    for vertices, label in objects:
        _outline(preserve, vertices, label=label, paint_mode="preserve")
    _outline(preserve, EVERYTHING, label=BACKGROUND, paint_mode="preserve")

    overwrite = _empty_document()
    _outline(overwrite, EVERYTHING, label=BACKGROUND, paint_mode="overwrite")
    # Overwrite: the last object drawn wins an overlap; preserve: the first. Hence reversed.
    for vertices, label in reversed(objects):
        _outline(overwrite, vertices, label=label, paint_mode="overwrite")

    np.testing.assert_array_equal(preserve.mask, overwrite.mask)


def test_background_outline_in_preserve_mode_fills_exactly_the_unlabelled_pixels():
    document = _empty_document()
    a = _outline(document, OBJECT_A, label=2)
    _outline(document, EVERYTHING, label=BACKGROUND, paint_mode="preserve")
    np.testing.assert_array_equal(document.mask, np.where(a, 2, BACKGROUND))


def test_preserve_eraser_outline_removes_only_the_selected_class():
    stripes = np.array([[1, 1, 2, 2, 3, 3, 2, 2]] * 6, dtype=np.uint8)
    document = LabelDocument(stripes.copy(), N_CLASSES)
    # Rows 1-4 and columns 1-6 (corners on pixel corners): erase class 2 there.
    _outline(document, [(1, 1), (1, 7), (5, 7), (5, 1)], label=2, erase=True)
    expected = np.array(
        [
            [1, 1, 2, 2, 3, 3, 2, 2],
            [1, 1, 0, 0, 3, 3, 0, 2],
            [1, 1, 0, 0, 3, 3, 0, 2],
            [1, 1, 0, 0, 3, 3, 0, 2],
            [1, 1, 0, 0, 3, 3, 0, 2],
            [1, 1, 2, 2, 3, 3, 2, 2],
        ]
    )
    np.testing.assert_array_equal(document.mask, expected)


# --- random sequences of tools ------------------------------------------------------------


@dataclass(frozen=True)
class Operation:
    tool: str  # "outline", "flood", "replace" (same label everywhere) or "brush"
    points: list[tuple[float, float]]
    connectivity: int
    label: int
    erase: bool
    paint_mode: str


@dataclass(frozen=True)
class Applied:
    operation: Operation
    footprint: np.ndarray  # full-image bool
    before: np.ndarray
    after: np.ndarray


operations = st.builds(
    Operation,
    tool=st.sampled_from(["outline", "flood", "replace", "brush"]),
    points=st.lists(coordinate_rc, min_size=3, max_size=7),
    connectivity=st.sampled_from([4, 8]),
    label=st.integers(0, N_CLASSES - 1),
    erase=st.booleans(),
    paint_mode=st.sampled_from(PAINT_MODES),
)
# Mostly one value with scattered others, so that fills reach far.
masks = arrays(
    np.uint8, SHAPE, elements=st.integers(0, N_CLASSES - 1), fill=st.integers(0, N_CLASSES - 1)
)


def _footprint(document: LabelDocument, operation: Operation):
    mask = document.mask
    if operation.tool == "outline":
        return polygon_footprint(operation.points, mask.shape)
    if operation.tool == "brush":
        return brush_footprint(operation.points[0], operation.points[1], 2.5, mask.shape)
    # Fills start at the pixel under the first point, clamped into the image.
    row = min(max(int(operation.points[0][0]), 0), mask.shape[0] - 1)
    col = min(max(int(operation.points[0][1]), 0), mask.shape[1] - 1)
    if operation.tool == "flood":
        return flood_footprint(mask, (row, col), connectivity=operation.connectivity)
    return same_label_footprint(mask, int(mask[row, col]))


def _run(initial: np.ndarray, sequence: list[Operation]) -> tuple[LabelDocument, list[Applied]]:
    document = LabelDocument(initial.copy(), N_CLASSES)
    applied = []
    for operation in sequence:
        before = document.mask.copy()
        footprint = _apply(
            document,
            _footprint(document, operation),
            label=operation.label,
            erase=operation.erase,
            paint_mode=operation.paint_mode,
        )
        applied.append(Applied(operation, footprint, before, document.mask.copy()))
    return document, applied


@settings(max_examples=60, deadline=None)
@given(initial=masks, sequence=st.lists(operations, max_size=8))
def test_undoing_every_tool_restores_the_original_exactly(initial, sequence):
    document, _ = _run(initial, sequence)
    undo_everything(document)
    np.testing.assert_array_equal(document.mask, initial)


@settings(max_examples=60, deadline=None)
@given(initial=masks, sequence=st.lists(operations, max_size=8))
def test_redoing_every_tool_restores_the_final_state_exactly(initial, sequence):
    document, _ = _run(initial, sequence)
    final = document.mask.copy()
    undo_everything(document)
    redo_everything(document)
    np.testing.assert_array_equal(document.mask, final)


@settings(max_examples=60, deadline=None)
@given(initial=masks, sequence=st.lists(operations.filter(lambda o: not o.erase), max_size=8))
def test_preserve_paint_with_any_tool_never_changes_a_labelled_pixel(initial, sequence):
    for step in _run(initial, sequence)[1]:
        if step.operation.paint_mode == "preserve":
            labelled = step.before != UNLABELLED
            np.testing.assert_array_equal(step.after[labelled], step.before[labelled])


@settings(max_examples=60, deadline=None)
@given(initial=masks, sequence=st.lists(operations, max_size=8))
def test_no_tool_changes_a_pixel_outside_its_footprint(initial, sequence):
    for step in _run(initial, sequence)[1]:
        outside = ~step.footprint
        np.testing.assert_array_equal(step.after[outside], step.before[outside])
