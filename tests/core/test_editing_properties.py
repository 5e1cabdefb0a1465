"""Property tests: random brush strokes through the same path the widget uses."""

from dataclasses import dataclass

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from seg_widget.core import (
    PAINT_MODES,
    BBox,
    LabelDocument,
    brush_footprint,
    brush_rule,
)
from tests.core.document_helpers import redo_everything, undo_everything

SHAPE = (12, 14)
N_CLASSES = 4


@dataclass(frozen=True)
class Stroke:
    points: list[tuple[float, float]]
    diameter: float
    label: int
    erase: bool
    paint_mode: str


coordinate = st.floats(-3, 17, allow_nan=False, allow_infinity=False)
strokes = st.builds(
    Stroke,
    points=st.lists(st.tuples(coordinate, coordinate), min_size=1, max_size=4),
    diameter=st.floats(1, 6) | st.sampled_from([1, 2, 3]),
    label=st.integers(0, N_CLASSES - 1),
    erase=st.booleans(),
    paint_mode=st.sampled_from(PAINT_MODES),
)
masks = arrays(np.uint8, SHAPE, elements=st.integers(0, N_CLASSES - 1))


@dataclass(frozen=True)
class Applied:
    """One `LabelDocument.apply` call and the mask around it."""

    stroke: Stroke
    footprint: np.ndarray  # full-image bool
    returned: BBox | None
    before: np.ndarray
    after: np.ndarray


def _paint(document: LabelDocument, stroke: Stroke) -> list[Applied]:
    """Paint ``stroke`` as one undo step, segment by segment, like the widget's pen path."""
    value, only_where = brush_rule(
        erase=stroke.erase, label=stroke.label, paint_mode=stroke.paint_mode
    )
    applied = []
    with document.step("erase" if stroke.erase else "paint"):
        for start, end in zip([stroke.points[0], *stroke.points], stroke.points, strict=False):
            result = brush_footprint(start, end, stroke.diameter, SHAPE)
            if result is None:
                continue
            footprint = np.zeros(SHAPE, bool)
            footprint[result[0].slices] = result[1]
            before = document.mask.copy()
            returned = document.apply(result[0], result[1], value, only_where)
            applied.append(Applied(stroke, footprint, returned, before, document.mask.copy()))
    return applied


def _run(initial: np.ndarray, sequence: list[Stroke]) -> tuple[LabelDocument, list[Applied]]:
    document = LabelDocument(initial.copy(), N_CLASSES)
    applied = []
    for stroke in sequence:
        applied += _paint(document, stroke)
    return document, applied


@settings(max_examples=80, deadline=None)
@given(initial=masks, sequence=st.lists(strokes, max_size=8))
def test_undoing_everything_restores_the_original_exactly(initial, sequence):
    document, _ = _run(initial, sequence)
    undo_everything(document)
    np.testing.assert_array_equal(document.mask, initial)


@settings(max_examples=80, deadline=None)
@given(initial=masks, sequence=st.lists(strokes, max_size=8))
def test_redoing_everything_restores_the_final_state_exactly(initial, sequence):
    document, _ = _run(initial, sequence)
    final = document.mask.copy()
    undo_everything(document)
    redo_everything(document)
    np.testing.assert_array_equal(document.mask, final)


@settings(max_examples=80, deadline=None)
@given(initial=masks, sequence=st.lists(strokes, min_size=1, max_size=8))
def test_each_stroke_is_one_undo_step(initial, sequence):
    document = LabelDocument(initial.copy(), N_CLASSES)
    states = [initial.copy()]
    for stroke in sequence:
        if _paint(document, stroke) and not np.array_equal(document.mask, states[-1]):
            states.append(document.mask.copy())
    for expected in reversed(states[:-1]):
        document.undo()
        np.testing.assert_array_equal(document.mask, expected)
    assert not document.can_undo


@settings(max_examples=80, deadline=None)
@given(initial=masks, sequence=st.lists(strokes, max_size=8))
def test_no_operation_changes_a_pixel_outside_its_footprint(initial, sequence):
    for step in _run(initial, sequence)[1]:
        changed = step.before != step.after
        assert not (changed & ~step.footprint).any()


@settings(max_examples=80, deadline=None)
@given(initial=masks, sequence=st.lists(strokes, max_size=8))
def test_apply_returns_exactly_the_tight_box_of_changed_pixels(initial, sequence):
    for step in _run(initial, sequence)[1]:
        rows, cols = np.nonzero(step.before != step.after)
        if rows.size == 0:
            assert step.returned is None
        else:
            tight = BBox(rows.min(), rows.max() + 1, cols.min(), cols.max() + 1)
            assert step.returned == tight


@settings(max_examples=80, deadline=None)
@given(initial=masks, sequence=st.lists(strokes.filter(lambda s: not s.erase), max_size=8))
def test_preserve_paint_never_changes_a_labelled_pixel(initial, sequence):
    for step in _run(initial, sequence)[1]:
        if step.stroke.paint_mode == "preserve":
            changed = step.before != step.after
            assert (step.before[changed] == 0).all()
            assert (step.after[changed] == step.stroke.label).all()


@settings(max_examples=80, deadline=None)
@given(initial=masks, sequence=st.lists(strokes.filter(lambda s: s.erase), max_size=8))
def test_preserve_erase_changes_only_the_selected_class(initial, sequence):
    for step in _run(initial, sequence)[1]:
        if step.stroke.paint_mode == "preserve":
            changed = step.before != step.after
            assert (step.before[changed] == step.stroke.label).all()
            assert (step.after[changed] == 0).all()


@settings(max_examples=80, deadline=None)
@given(initial=masks, sequence=st.lists(strokes, max_size=8))
def test_overwrite_sets_the_whole_footprint(initial, sequence):
    for step in _run(initial, sequence)[1]:
        if step.stroke.paint_mode == "overwrite":
            expected = 0 if step.stroke.erase else step.stroke.label
            assert (step.after[step.footprint] == expected).all()
