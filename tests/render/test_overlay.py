import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from seg_widget.render.overlay import LabelRuns, color_lut, colorize, label_runs, run_count

COLORS = [(0, 0, 0), (255, 0, 0), (0, 255, 0), (10, 20, 30)]


def _paint(runs: list[LabelRuns], shape: tuple[int, int], origin_rc=(0, 0)) -> np.ndarray:
    """Rasterise runs back into a patch: the reference for label_runs."""
    patch = np.zeros(shape, dtype=np.int64)
    row0, col0 = origin_rc
    for group in runs:
        for x, y, width in zip(group.xs, group.ys, group.widths, strict=True):
            target = patch[y - row0, x - col0 : x - col0 + width]
            assert target.size == width, "run leaves the patch"
            assert np.all(target == 0), "runs overlap"
            target[:] = group.label
    return patch


patches = hnp.arrays(
    st.sampled_from([np.uint8, np.uint16, np.int32]),
    hnp.array_shapes(min_dims=2, max_dims=2, min_side=1, max_side=12),
    elements=st.integers(0, 3),
)

# ---------------------------------------------------------------------------------- color_lut


def test_lut_row_zero_is_transparent_and_classes_are_opaque():
    lut = color_lut(COLORS)
    assert lut.dtype == np.uint8
    np.testing.assert_array_equal(
        lut, [[0, 0, 0, 0], [255, 0, 0, 255], [0, 255, 0, 255], [10, 20, 30, 255]]
    )


def test_lut_ignores_the_colour_of_class_zero():
    np.testing.assert_array_equal(color_lut([(9, 9, 9), (1, 2, 3)])[0], [0, 0, 0, 0])


def test_lut_accepts_css_strings_and_unit_floats():
    np.testing.assert_array_equal(
        color_lut(["black", "#0000ff", (1.0, 0.0, 0.0)])[1:],
        [[0, 0, 255, 255], [255, 0, 0, 255]],
    )


def test_lut_of_only_class_zero_has_one_row():
    np.testing.assert_array_equal(color_lut([(0, 0, 0)]), [[0, 0, 0, 0]])


def test_empty_colors_is_a_value_error():
    with pytest.raises(ValueError, match="colors: expected at least one colour"):
        color_lut([])


def test_string_colors_is_a_type_error():
    with pytest.raises(TypeError, match="colors: expected a sequence of colours"):
        color_lut("red")


def test_invalid_colour_is_reported_with_its_index():
    with pytest.raises(ValueError, match=r"colors\[2\]"):
        color_lut([(0, 0, 0), (1, 2, 3), (300, 0, 0)])


# ----------------------------------------------------------------------------------- colorize


@given(patch=patches)
def test_colorize_equals_lut_indexed_by_labels(patch):
    lut = color_lut(COLORS)
    rgba = colorize(patch, lut)
    assert rgba.shape == (*patch.shape, 4)
    assert rgba.dtype == np.uint8
    assert rgba.flags.c_contiguous
    np.testing.assert_array_equal(rgba, lut[patch])


def test_colorize_accepts_a_strided_patch():
    labels = np.arange(24, dtype=np.uint8).reshape(4, 6) % 4
    patch = labels[1:4, ::2]
    np.testing.assert_array_equal(colorize(patch, color_lut(COLORS)), color_lut(COLORS)[patch])


def test_colorize_of_empty_patch_is_empty():
    assert colorize(np.zeros((0, 5), dtype=np.uint8), color_lut(COLORS)).shape == (0, 5, 4)


def test_colorize_rejects_labels_beyond_the_lut():
    with pytest.raises(ValueError, match=r"labels: expected values in \[0, 4\), got 7"):
        colorize(np.array([[1, 7]], dtype=np.uint8), color_lut(COLORS))


def test_colorize_rejects_negative_labels():
    with pytest.raises(ValueError, match=r"labels: expected values in \[0, 4\), got -1"):
        colorize(np.array([[1, -1]], dtype=np.int16), color_lut(COLORS))


def test_colorize_rejects_float_labels():
    with pytest.raises(TypeError, match="labels: expected an integer dtype, got float64"):
        colorize(np.zeros((2, 2)), color_lut(COLORS))


def test_colorize_rejects_a_non_rgba_lut():
    with pytest.raises(ValueError, match=r"lut: expected shape \(n, 4\)"):
        colorize(np.zeros((2, 2), dtype=np.uint8), np.zeros((4, 3), dtype=np.uint8))


def test_colorize_rejects_a_non_uint8_lut():
    with pytest.raises(TypeError, match=r"lut: expected a uint8 numpy\.ndarray, got int64"):
        colorize(np.zeros((2, 2), dtype=np.uint8), np.zeros((4, 4), dtype=np.int64))


# --------------------------------------------------------------------------------- label_runs


def test_runs_of_a_small_patch():
    patch = np.array([[1, 1, 0, 2], [2, 2, 2, 2], [0, 3, 0, 3]], dtype=np.uint8)
    runs = label_runs(patch)
    assert [r.label for r in runs] == [1, 2, 3]
    as_lists = [(r.xs.tolist(), r.ys.tolist(), r.widths.tolist()) for r in runs]
    assert as_lists == [([0], [0], [2]), ([3, 0], [0, 1], [1, 4]), ([1, 3], [2, 2], [1, 1])]


def test_runs_apply_the_origin_offset():
    runs = label_runs(np.array([[0, 5, 5]], dtype=np.uint16), origin_rc=(100, 40))
    assert len(runs) == 1
    assert (runs[0].label, runs[0].xs.tolist(), runs[0].ys.tolist()) == (5, [41], [100])


def test_runs_do_not_continue_across_rows():
    runs = label_runs(np.array([[0, 1], [1, 0]], dtype=np.uint8))
    assert runs[0].widths.tolist() == [1, 1]


def test_run_arrays_are_int32():
    (runs,) = label_runs(np.array([[1]], dtype=np.uint8))
    assert runs.xs.dtype == runs.ys.dtype == runs.widths.dtype == np.int32
    assert isinstance(runs.label, int)


@given(
    patch=patches,
    origin_rc=st.tuples(st.integers(0, 10_000), st.integers(0, 10_000)),
)
def test_painting_the_runs_back_reproduces_the_patch(patch, origin_rc):
    np.testing.assert_array_equal(
        _paint(label_runs(patch, origin_rc), patch.shape, origin_rc), patch
    )


@given(patch=patches)
def test_runs_are_maximal_non_zero_and_sorted_by_label(patch):
    runs = label_runs(patch)
    labels = [group.label for group in runs]
    assert labels == sorted(set(labels)) and 0 not in labels
    padded = np.pad(patch.astype(np.int64), ((0, 0), (1, 1)), constant_values=-1)
    for group in runs:
        # Neither neighbour of a run may carry its label, or the run was not maximal.
        assert np.all(padded[group.ys, group.xs] != group.label)
        assert np.all(padded[group.ys, group.xs + group.widths + 1] != group.label)


def test_label_runs_accepts_a_strided_patch():
    labels = np.tile(np.array([[1, 1, 2, 2]], dtype=np.uint8), (3, 2))
    patch = labels[::2, 1:7]
    np.testing.assert_array_equal(_paint(label_runs(patch), patch.shape), patch)


def test_all_zero_or_empty_patch_has_no_runs():
    assert label_runs(np.zeros((3, 4), dtype=np.uint8)) == []
    assert label_runs(np.zeros((0, 4), dtype=np.uint8)) == []


def test_label_runs_rejects_a_3d_patch():
    with pytest.raises(ValueError, match=r"labels: expected a 2-D array, got shape \(2, 2, 2\)"):
        label_runs(np.zeros((2, 2, 2), dtype=np.uint8))


def test_label_runs_rejects_a_non_integer_origin():
    with pytest.raises(TypeError, match=r"origin_rc: expected a \(row, col\) pair of ints"):
        label_runs(np.zeros((2, 2), dtype=np.uint8), origin_rc=(1.5, 0))


# ---------------------------------------------------------------------------------- run_count


@given(patch=patches)
def test_run_count_equals_the_number_of_runs(patch):
    assert run_count(patch) == sum(group.xs.size for group in label_runs(patch))


def test_run_count_of_a_small_patch():
    assert run_count(np.array([[1, 1, 0, 2], [2, 2, 2, 2], [0, 3, 0, 3]], dtype=np.uint8)) == 5


def test_run_count_of_empty_patch_is_zero():
    assert run_count(np.zeros((4, 0), dtype=np.uint8)) == 0


def test_run_count_rejects_bool_labels():
    with pytest.raises(TypeError, match="labels: expected an integer dtype, got bool"):
        run_count(np.zeros((2, 2), dtype=bool))
