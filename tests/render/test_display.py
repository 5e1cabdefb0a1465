import warnings
from itertools import pairwise

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from seg_widget.render.display import band_rows, contrast_limits, to_display

# ---------------------------------------------------------------------------- contrast_limits


def test_uint8_limits_are_full_range_whatever_the_data():
    assert contrast_limits(np.full((2, 2), 7, dtype=np.uint8)) == (0.0, 255.0)


def test_bool_limits_are_zero_one():
    assert contrast_limits(np.zeros((2, 2), dtype=bool)) == (0.0, 1.0)


@pytest.mark.parametrize("dtype", [np.uint16, np.int16, np.int32, np.int64, np.uint32])
def test_integer_limits_are_data_min_and_max(dtype):
    image = np.array([[300, 7], [42, 1000]], dtype=dtype)
    assert contrast_limits(image) == (7.0, 1000.0)


def test_negative_integer_limits():
    assert contrast_limits(np.array([[-500, 20]], dtype=np.int16)) == (-500.0, 20.0)


@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64])
def test_float_limits_ignore_nan_and_infinities(dtype):
    image = np.array([[np.nan, -np.inf, 0.25], [np.inf, 2.0, np.nan]], dtype=dtype)
    assert contrast_limits(image) == (0.25, 2.0)


def test_float_limits_ignore_nan_without_infinities():
    assert contrast_limits(np.array([[np.nan, 3.0, -1.0]])) == (-1.0, 3.0)


def test_limits_are_python_floats():
    low, high = contrast_limits(np.array([[1, 2]], dtype=np.uint16))
    assert type(low) is float and type(high) is float


@pytest.mark.parametrize("dtype", [np.uint16, np.float32])
def test_limits_ignore_the_alpha_channel(dtype):
    image = np.zeros((2, 2, 4), dtype=dtype)
    image[..., :3] = [[[10, 11, 12]], [[20, 13, 14]]]
    image[..., 3] = [[1000, 0], [1000, 0]]
    assert contrast_limits(image) == (10.0, 20.0)


def test_limits_use_all_three_colour_channels_of_rgb():
    image = np.zeros((1, 1, 3), dtype=np.float32)
    image[0, 0] = [5.0, -3.0, 9.0]
    assert contrast_limits(image) == (-3.0, 9.0)


def test_all_non_finite_limits_are_zero_one():
    image = np.array([[np.nan, np.inf], [-np.inf, np.nan]])
    assert contrast_limits(image) == (0.0, 1.0)


def test_empty_image_limits_are_zero_one():
    assert contrast_limits(np.zeros((0, 5), dtype=np.float32)) == (0.0, 1.0)


@pytest.mark.parametrize("dtype", [np.uint16, np.float64])
def test_constant_image_limits_span_one(dtype):
    assert contrast_limits(np.full((3, 3), 40, dtype=dtype)) == (40.0, 41.0)


def test_constant_huge_image_limits_are_still_increasing():
    low, high = contrast_limits(np.full((2, 2), 1e20))
    assert low == 1e20 and high > low


def test_complex_image_is_a_type_error():
    with pytest.raises(TypeError, match="image: expected a bool, integer or float dtype"):
        contrast_limits(np.zeros((2, 2), dtype=complex))


@pytest.mark.parametrize("shape", [(5,), (2, 2, 2), (2, 2, 1), (1, 2, 2, 3)])
def test_unsupported_layout_is_a_value_error(shape):
    with pytest.raises(ValueError, match=r"image: expected shape \(H, W\), \(H, W, 3\)"):
        contrast_limits(np.zeros(shape, dtype=np.float32))


def test_non_array_image_is_a_type_error():
    with pytest.raises(TypeError, match=r"image: expected a numpy\.ndarray, got list"):
        to_display([[1, 2]])


# --------------------------------------------------------------------------------- to_display


@pytest.mark.parametrize("limits", [None, (0, 255), (0.0, 255.0)])
def test_uint8_identity_returns_the_image_itself(limits):
    image = np.arange(12, dtype=np.uint8).reshape(2, 2, 3)
    assert to_display(image, limits) is image


def test_non_contiguous_uint8_identity_returns_contiguous_equal_copy():
    image = np.arange(24, dtype=np.uint8).reshape(4, 6)[:, ::2]
    out = to_display(image)
    assert out.flags.c_contiguous
    np.testing.assert_array_equal(out, image)


def test_linear_mapping_clips_and_rounds():
    image = np.array([[0, 100, 151, 200, 60000]], dtype=np.uint16)
    # 151 -> 51 * 2.55 = 130.05
    np.testing.assert_array_equal(to_display(image, (100, 200)), [[0, 0, 130, 255, 255]])


def test_default_limits_stretch_min_to_0_and_max_to_255():
    image = np.array([[1000, 2000, 1200]], dtype=np.uint16)
    # 1200 -> 200 * 0.255 = 51
    np.testing.assert_array_equal(to_display(image), [[0, 255, 51]])


def test_uint8_with_other_limits_is_windowed():
    image = np.array([[10, 20, 30]], dtype=np.uint8)
    np.testing.assert_array_equal(to_display(image, (10, 30)), [[0, 128, 255]])


def test_bool_image_maps_to_0_and_255():
    image = np.array([[True, False]])
    np.testing.assert_array_equal(to_display(image), [[255, 0]])


@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64])
def test_non_finite_values_map_to_zero_without_warnings(dtype):
    image = np.array([[np.nan, np.inf, -np.inf, 0.5, 1.0]], dtype=dtype)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = to_display(image, (0.0, 1.0))
    np.testing.assert_array_equal(out, [[0, 0, 0, 128, 255]])


def test_all_nan_image_maps_to_zero():
    np.testing.assert_array_equal(to_display(np.full((2, 3), np.nan)), np.zeros((2, 3)))


@pytest.mark.parametrize("shape", [(3, 5), (3, 5, 3), (3, 5, 4)])
@pytest.mark.parametrize("dtype", [np.uint8, np.uint16, np.int32, np.float32, np.float64])
def test_output_keeps_layout_as_contiguous_uint8(shape, dtype):
    image = np.ones(shape, dtype=dtype)
    out = to_display(image, (0, 2))
    assert out.shape == shape
    assert out.dtype == np.uint8
    assert out.flags.c_contiguous


def test_uint8_alpha_is_kept_while_colour_is_windowed():
    image = np.zeros((1, 2, 4), dtype=np.uint8)
    image[0, :, :3] = 20
    image[0, :, 3] = [7, 200]
    out = to_display(image, (10, 30))
    np.testing.assert_array_equal(out[0, :, :3], [[128] * 3, [128] * 3])
    np.testing.assert_array_equal(out[0, :, 3], [7, 200])


def test_integer_alpha_is_scaled_by_the_dtype_maximum():
    image = np.zeros((1, 3, 4), dtype=np.uint16)
    image[0, :, 3] = [0, 13107, 65535]  # 13107 / 65535 * 255 = 51 exactly
    np.testing.assert_array_equal(to_display(image, (0, 1))[0, :, 3], [0, 51, 255])


def test_signed_alpha_clips_negative_values_to_zero():
    image = np.zeros((1, 2, 4), dtype=np.int16)
    image[0, :, 3] = [-5, 32767]
    np.testing.assert_array_equal(to_display(image, (0, 1))[0, :, 3], [0, 255])


def test_float_alpha_is_taken_in_zero_one_with_nan_as_zero():
    image = np.zeros((1, 5, 4), dtype=np.float32)
    image[0, :, 3] = [0.2, 1.0, 1.5, -0.5, np.nan]
    np.testing.assert_array_equal(to_display(image, (0, 5))[0, :, 3], [51, 255, 255, 0, 0])


def test_float_alpha_is_not_windowed_by_colour_limits():
    image = np.full((1, 1, 4), 1.0, dtype=np.float32)
    out = to_display(image, (0.0, 100.0))
    np.testing.assert_array_equal(out[0, 0], [3, 3, 3, 255])  # 1/100 * 255 = 2.55


def test_huge_float64_limits_do_not_overflow():
    image = np.array([[-1e300, 1e300, 5e299]])
    # 5e299 -> 1.5e300 / 2e300 * 255 = 191.25
    np.testing.assert_array_equal(to_display(image, (-1e300, 1e300)), [[0, 255, 191]])


def test_values_beyond_float32_range_still_clip_to_255():
    image = np.array([[1e300, -1e300, 0.5]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = to_display(image, (0.0, 1.0))
    np.testing.assert_array_equal(out, [[255, 0, 128]])


def test_empty_image_gives_empty_output():
    out = to_display(np.zeros((0, 4, 3), dtype=np.float32))
    assert out.shape == (0, 4, 3) and out.dtype == np.uint8


def _assert_within_half_a_level(image, low, high, out):
    """Rounding allows 0.5 level; float32 arithmetic is allowed 0.02 more."""
    finite = np.isfinite(image)
    exact = np.clip((image[finite].astype(np.float64) - low) * 255.0 / (high - low), 0, 255)
    assert np.all(np.abs(out[finite].astype(np.float64) - exact) <= 0.52)
    assert np.all(out[~finite] == 0)


@given(
    image=hnp.arrays(
        np.float32,
        hnp.array_shapes(min_dims=2, max_dims=2, max_side=8),
        elements=st.floats(width=32),
    ),
    low=st.floats(-1e6, 1e6),
    span=st.floats(1e-3, 1e6),
)
def test_float_mapping_is_within_half_a_level_of_the_exact_value(image, low, span):
    high = low + span
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = to_display(image, (low, high))
    _assert_within_half_a_level(image, low, high, out)


@given(
    dtype=st.sampled_from([np.uint16, np.int16, np.int32, np.int64]),
    shape=st.tuples(st.integers(1, 6), st.integers(1, 6), st.sampled_from([3, 4])),
    data=st.data(),
)
def test_integer_mapping_is_within_half_a_level_of_the_exact_value(dtype, shape, data):
    info = np.iinfo(dtype)
    # Beyond 2**52 float64 cannot represent low + 0.5 (the smallest span drawn below).
    elements = st.integers(max(int(info.min), -(2**52)), min(int(info.max), 2**52))
    image = data.draw(hnp.arrays(dtype, (*shape[:2], 3), elements=elements))
    values = image.astype(np.float64)
    low = data.draw(st.floats(float(values.min()) - 10, float(values.max()) + 10))
    high = low + data.draw(st.floats(0.5, 1e5))
    assume(high > low)  # near 2**52, adding a small span can round back to low
    _assert_within_half_a_level(image, low, high, to_display(image, (low, high)))


def test_narrow_window_at_large_int32_values_is_exact():
    image = np.array([[1_000_000_000, 1_000_000_002, 1_000_000_010]], dtype=np.int32)
    limits = (1_000_000_000, 1_000_000_010)
    np.testing.assert_array_equal(to_display(image, limits), [[0, 51, 255]])


def test_narrow_window_far_from_zero_in_float32_is_exact():
    image = np.array([[1e6, 1e6 + 0.0625, 1e6 + 0.5]], dtype=np.float32)
    # float32 cannot hold the low limit: 1e6 + 0.01 would round to 1e6.
    # (0.0625 - 0.01) / 0.25 * 255 = 53.55
    limits = (1e6 + 0.01, 1e6 + 0.26)
    np.testing.assert_array_equal(to_display(image, limits), [[0, 54, 255]])


@pytest.mark.parametrize(
    ("limits", "error"),
    [
        ((1.0, 1.0), ValueError),
        ((2.0, 1.0), ValueError),
        ((np.nan, 1.0), ValueError),
        ((0.0, np.inf), ValueError),
        ((0.0,), TypeError),
        ("ab", TypeError),
        (5, TypeError),
    ],
)
def test_invalid_limits_are_rejected_naming_limits(limits, error):
    with pytest.raises(error, match="limits: expected None or"):
        to_display(np.zeros((2, 2), dtype=np.float32), limits)


# --------------------------------------------------------------------------------- band_rows


def test_bands_of_a_4096_rgb_image_fit_16_mib():
    assert band_rows(4096, 4096 * 3) == [(0, 1365), (1365, 2730), (2730, 4095), (4095, 4096)]


def test_a_row_larger_than_max_bytes_is_its_own_band():
    assert band_rows(3, 100, max_bytes=10) == [(0, 1), (1, 2), (2, 3)]


def test_zero_height_has_no_bands():
    assert band_rows(0, 10) == []


@given(height=st.integers(1, 500), row_bytes=st.integers(1, 1000), max_bytes=st.integers(1, 10**4))
def test_bands_cover_all_rows_consecutively_within_max_bytes(height, row_bytes, max_bytes):
    bands = band_rows(height, row_bytes, max_bytes)
    assert bands[0][0] == 0 and bands[-1][1] == height
    assert all(stop == next_start for (_, stop), (next_start, _) in pairwise(bands))
    for start, stop in bands:
        assert stop > start
        assert stop - start == 1 or (stop - start) * row_bytes <= max_bytes


@pytest.mark.parametrize(
    ("args", "error", "message"),
    [
        ((-1, 10), ValueError, "height: expected an int >= 0, got -1"),
        ((10, 0), ValueError, "row_bytes: expected an int >= 1, got 0"),
        ((10, 10, 0), ValueError, "max_bytes: expected an int >= 1, got 0"),
        ((10.0, 10), TypeError, "height: expected an int >= 0, got float"),
    ],
)
def test_invalid_band_arguments_are_rejected(args, error, message):
    with pytest.raises(error, match=message):
        band_rows(*args)
