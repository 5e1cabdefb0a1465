import re

import numpy as np
import pytest

from seg_widget.core import validate_mask


def test_returns_a_new_array_of_the_mask_dtype():
    source = np.array([[0, 1], [2, 0]], dtype=np.uint8)
    mask = validate_mask(source, shape=(2, 2), n_classes=3)
    assert mask.dtype == np.uint8
    assert not np.shares_memory(mask, source)
    np.testing.assert_array_equal(mask, source)


def test_uses_uint16_beyond_256_classes():
    mask = validate_mask(np.array([[300]], dtype=np.int64), shape=(1, 1), n_classes=301)
    assert mask.dtype == np.uint16
    assert mask[0, 0] == 300


def test_accepts_nested_lists():
    np.testing.assert_array_equal(validate_mask([[0, 2]], shape=(1, 2), n_classes=3), [[0, 2]])


def test_accepts_bool_masks_as_class_0_and_1():
    mask = validate_mask(np.array([[True, False]]), shape=(1, 2), n_classes=2)
    assert mask.dtype == np.uint8
    np.testing.assert_array_equal(mask, [[1, 0]])


def test_strided_input_becomes_c_contiguous():
    source = np.zeros((4, 6), dtype=np.int32)[:, ::2]
    assert validate_mask(source, shape=(4, 3), n_classes=2).flags.c_contiguous


def test_shape_mismatch_names_both_shapes():
    expected = "mask: expected shape (512, 512) to match the image; got (512, 511)"
    with pytest.raises(ValueError, match=f"^{re.escape(expected)}$"):
        validate_mask(np.zeros((512, 511), np.uint8), shape=(512, 512), n_classes=3)


@pytest.mark.parametrize("dtype", ["float64", "complex128", "object"])
def test_non_integer_dtype_is_a_type_error(dtype):
    with pytest.raises(TypeError, match=f"^mask: expected an integer array; got {dtype}$"):
        validate_mask(np.zeros((2, 2), dtype=dtype), shape=(2, 2), n_classes=3)


def test_ragged_lists_are_a_type_error():
    with pytest.raises(TypeError, match=r"^mask: expected an integer array"):
        validate_mask([[0, 1], [0]], shape=(2, 2), n_classes=3)


def test_negative_ids_are_rejected():
    with pytest.raises(ValueError, match=r"^mask: expected class ids >= 0; got minimum -4$"):
        validate_mask(np.array([[0, -4]]), shape=(1, 2), n_classes=3)


def test_ids_beyond_the_classes_are_rejected():
    expected = "mask: expected class ids < 3 (the number of classes); got maximum 7"
    with pytest.raises(ValueError, match=f"^{re.escape(expected)}$"):
        validate_mask(np.array([[0, 7]]), shape=(1, 2), n_classes=3)


def test_huge_ids_are_rejected_rather_than_wrapped():
    with pytest.raises(ValueError, match="got maximum 1099511627776"):
        validate_mask(np.array([[2**40]], dtype=np.uint64), shape=(1, 1), n_classes=3)


def test_bool_true_is_rejected_with_a_single_class():
    with pytest.raises(ValueError, match=r"expected class ids < 1 .*; got maximum 1"):
        validate_mask(np.array([[True]]), shape=(1, 1), n_classes=1)


def test_error_messages_use_the_argument_name():
    with pytest.raises(ValueError, match=r"^initial_mask: expected shape \(1, 1\)"):
        validate_mask(np.zeros((2, 2), int), shape=(1, 1), n_classes=2, argument="initial_mask")
