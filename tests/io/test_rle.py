import re
import tracemalloc

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from pycocotools import mask as coco_mask

import seg_widget.io.rle as rle_module
from seg_widget.io import rle_decode, rle_encode
from seg_widget.io.rle import rle_counts, rle_crop, rle_encode_crop
from tests.io.coco_reference import (
    reference_counts_to_string,
    reference_decode,
    reference_encode_counts,
    reference_string_to_counts,
)

pytestmark = pytest.mark.filterwarnings(
    # pycocotools 2.0.x under numpy 2; harmless.
    "ignore:__array__ implementation doesn't accept a copy keyword:DeprecationWarning"
)

masks = arrays(bool, st.tuples(st.integers(1, 24), st.integers(1, 24)))


def _blocky_mask(draw_seed, shape=(40, 30)):
    """Masks with long runs (large counts and negative differences), unlike uniform noise."""
    rng = np.random.default_rng(draw_seed)
    mask = np.zeros(shape, bool)
    for _ in range(rng.integers(0, 6)):
        r0, c0 = rng.integers(0, shape[0]), rng.integers(0, shape[1])
        mask[r0 : r0 + rng.integers(1, 30), c0 : c0 + rng.integers(1, 20)] ^= True
    return mask


@settings(max_examples=300, deadline=None)
@given(mask=masks)
def test_pycocotools_decodes_our_rle_pixel_for_pixel(mask):
    ours = rle_encode(mask)
    decoded = coco_mask.decode({"size": ours["size"], "counts": ours["counts"].encode()})
    np.testing.assert_array_equal(decoded.astype(bool), mask)


@settings(max_examples=300, deadline=None)
@given(mask=masks | st.integers(0, 2**32 - 1).map(_blocky_mask))
def test_our_rle_string_equals_pycocotools_encode(mask):
    expected = coco_mask.encode(np.asfortranarray(mask.astype(np.uint8)))
    assert rle_encode(mask) == {"size": expected["size"], "counts": expected["counts"].decode()}


@settings(max_examples=200, deadline=None)
@given(mask=masks | st.integers(0, 2**32 - 1).map(_blocky_mask))
def test_we_decode_pycocotools_rle(mask):
    encoded = coco_mask.encode(np.asfortranarray(mask.astype(np.uint8)))
    np.testing.assert_array_equal(rle_decode(encoded), mask)


@settings(max_examples=300, deadline=None)
@given(mask=masks | st.integers(0, 2**32 - 1).map(_blocky_mask))
def test_rle_matches_the_reference_transcription_of_maskapi(mask):
    counts = reference_encode_counts(mask)
    rle = rle_encode(mask)
    assert rle["counts"] == reference_counts_to_string(counts)
    assert reference_string_to_counts(rle["counts"]) == counts
    np.testing.assert_array_equal(reference_decode(rle["size"], counts), mask)
    np.testing.assert_array_equal(rle_decode(rle), mask)


@settings(max_examples=200, deadline=None)
@given(counts=st.lists(st.integers(0, 2**31), min_size=1, max_size=12))
def test_string_coding_of_arbitrary_counts_matches_the_reference(counts):
    rle = {"size": [1, sum(counts)], "counts": reference_counts_to_string(counts)}
    assert rle_counts(rle)[1].tolist() == counts


def test_large_mask_matches_pycocotools_and_the_reference():
    mask = np.zeros((3000, 2000), bool)
    mask[100:2900, 1500:1600] = True
    mask[-1, -1] = True
    rle = rle_encode(mask)
    assert rle["counts"] == reference_counts_to_string(reference_encode_counts(mask))
    if coco_mask is not None:
        expected = coco_mask.encode(np.asfortranarray(mask.astype(np.uint8)))
        assert rle["counts"] == expected["counts"].decode()


@pytest.mark.parametrize(
    ("mask", "counts"),
    [
        (np.zeros((2, 3), bool), [6]),
        (np.ones((2, 3), bool), [0, 6]),
        (np.array([[1, 0, 0], [0, 0, 1]], bool), [0, 1, 4, 1]),
    ],
)
def test_counts_start_with_zeros_and_have_no_trailing_empty_run(mask, counts):
    assert rle_counts(rle_encode(mask))[1].tolist() == counts


@settings(max_examples=200, deadline=None)
@given(
    mask=masks,
    box=st.tuples(st.integers(0, 30), st.integers(0, 30), st.integers(0, 30), st.integers(0, 30)),
)
def test_encoding_a_crop_equals_encoding_the_whole_image(mask, box):
    height, width = mask.shape
    top, left = min(box[0], height - 1), min(box[1], width - 1)
    bottom, right = min(top + box[2] + 1, height), min(left + box[3] + 1, width)
    cropped = np.zeros_like(mask)
    cropped[top:bottom, left:right] = mask[top:bottom, left:right]
    crop_rle = rle_encode_crop(mask[top:bottom, left:right], (top, left), mask.shape)
    assert crop_rle == rle_encode(cropped)


@settings(max_examples=200, deadline=None)
@given(mask=masks | st.integers(0, 2**32 - 1).map(_blocky_mask))
def test_crop_is_the_bounding_box_of_the_foreground(mask):
    (top, left), crop = rle_crop(rle_counts(rle_encode(mask))[1], mask.shape[0])
    rows, cols = np.nonzero(mask)
    if rows.size == 0:
        assert crop.shape == (0, 0)
        return
    assert (top, left) == (rows.min(), cols.min())
    np.testing.assert_array_equal(crop, mask[top : rows.max() + 1, left : cols.max() + 1])


def test_runs_separated_by_empty_runs_of_zeros_are_joined():
    decoded = rle_decode({"size": [2, 2], "counts": [1, 1, 0, 1, 1]})
    assert decoded.tolist() == [[False, True], [True, False]]


def test_uncompressed_list_counts_are_decoded():
    decoded = rle_decode({"size": [2, 3], "counts": [1, 2, 3]})
    assert decoded.tolist() == [[False, True, False], [True, False, False]]


def test_bytes_counts_are_accepted():
    mask = np.eye(4, dtype=bool)
    rle = rle_encode(mask)
    np.testing.assert_array_equal(rle_decode({**rle, "counts": rle["counts"].encode()}), mask)


def test_decoded_mask_is_c_contiguous_bool():
    decoded = rle_decode(rle_encode(np.eye(5, 7, dtype=bool)))
    assert decoded.dtype == bool
    assert decoded.flags.c_contiguous


def test_non_zero_values_count_as_foreground():
    assert rle_encode(np.array([[0, 7], [255, 0]], np.uint8)) == rle_encode(
        np.array([[0, 1], [1, 0]], bool)
    )


@pytest.mark.parametrize(
    ("rle", "message"),
    [
        ([1, 2], "rle: expected a dict with 'size' and 'counts'"),
        ({"size": [2], "counts": "2"}, r"rle\['size'\]: expected \[height, width\]"),
        ({"size": [2, 2], "counts": 3}, r"rle\['counts'\]: expected a compressed RLE string"),
        ({"size": [2, 2], "counts": "~~"}, "characters '0'..'o'"),
        ({"size": [2, 2], "counts": "0P"}, "got a truncated one"),
        ({"size": [2, 2], "counts": [1, 2]}, "adding up to 2\\*2 = 4 pixels; got 2 runs"),
        ({"size": [2, 2], "counts": [5, -1]}, re.escape("['counts'][0]: expected a count in 0..4")),
        ({"size": [2, 2], "counts": [1, -1, 4]}, re.escape("['counts'][1]: expected a count in")),
        ({"size": [2, 2], "counts": "4O1"}, "expected runs >= 0; run 1 decodes to -1"),
        ({"size": [2, 2], "counts": [1, True, 2]}, re.escape("['counts'][1]: expected an integer")),
        ({"size": [2, 2], "counts": [1.0, 3]}, re.escape("['counts'][0]: expected an integer")),
        ({"size": [2.5, 2], "counts": [5]}, re.escape("['size'][0]: expected an integer >= 0")),
        ({"size": ["2", 2], "counts": [4]}, re.escape("['size'][0]: expected an integer >= 0")),
        ({"size": [True, 4], "counts": [4]}, re.escape("['size'][0]: expected an integer >= 0")),
        ({"size": [2, 2], "counts": ""}, "characters '0'..'o'"),
        ({"size": [1, 1], "counts": "PPPPPPPP0"}, "at most 7 characters"),
    ],
)
def test_malformed_rle_is_a_clear_error(rle, message):
    with pytest.raises(ValueError, match=message):
        rle_decode(rle)


def test_non_2d_mask_is_refused():
    with pytest.raises(ValueError, match="binary_mask: expected a 2-D bool or numeric array"):
        rle_encode(np.zeros((2, 2, 2), bool))


@settings(max_examples=80, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    band=st.integers(1, 64),
    noise=st.booleans(),
    transposing=st.booleans(),
)
def test_encoding_in_bands_equals_pycocotools(seed, band, noise, transposing):
    shape = (37, 53)
    if noise:
        mask = np.random.default_rng(seed).random(shape) < 0.5
    else:
        mask = _blocky_mask(seed, shape=shape)
    patch = pytest.MonkeyPatch()
    with patch.context() as patch:
        patch.setattr(rle_module, "_BAND_PIXELS", band * 37)  # rows or columns per band
        patch.setattr(rle_module, "_TRANSPOSE_ROWS", 5)
        if transposing:  # as for a mask of noise: read column-major instead of sorting
            patch.setattr(rle_module, "_MIN_SORTED", 0)
        ours = rle_encode(mask)
    reference = coco_mask.encode(np.asfortranarray(mask.astype(np.uint8)))
    assert ours["counts"] == reference["counts"].decode()


def test_encoding_a_full_mask_needs_no_copy_of_it():
    mask = np.zeros((2048, 2048), bool)
    mask[100:1900, 300:1700] = True
    mask[1000:1100, :] = False
    tracemalloc.start()
    try:
        rle_encode(mask)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < mask.nbytes  # bands of columns: a few MiB, not a transposed copy


@settings(max_examples=200, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    width=st.integers(1, 70),
    density=st.sampled_from([0.0, 0.02, 0.5, 1.0]),
)
def test_rows_compared_eight_pixels_at_a_time_give_pycocotools_counts(seed, width, density):
    """Rows are compared as 64-bit words: unaligned row starts and ragged tails included."""
    rng = np.random.default_rng(seed)
    mask = np.repeat(rng.random((1, width)) < 0.5, 9, axis=0)
    mask ^= rng.random(mask.shape) < density  # rows that differ here and there, or wholly
    reference = coco_mask.encode(np.asfortranarray(mask.astype(np.uint8)))
    assert rle_encode(mask)["counts"] == reference["counts"].decode()


def test_a_bool_mask_holding_bytes_other_than_0_and_1_is_encoded_by_truth_value():
    """A bool array made by a view may hold any byte: a non-zero byte is True."""
    raw = np.random.default_rng(5).choice(np.array([0, 1, 2, 255], np.uint8), (23, 40))
    mask = raw.view(bool)
    reference = coco_mask.encode(np.asfortranarray((raw != 0).astype(np.uint8)))
    assert rle_encode(mask)["counts"] == reference["counts"].decode()
