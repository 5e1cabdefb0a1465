import tracemalloc

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from seg_widget.core.counts import add_histogram, histogram, uniform_value


@settings(max_examples=60, deadline=None)
@given(
    values=arrays(
        np.uint8, st.tuples(st.integers(0, 40), st.integers(1, 40)), elements=st.integers(0, 11)
    ),
    length=st.sampled_from([12, 300]),
)
def test_histogram_equals_bincount(values, length):
    expected = np.bincount(values.ravel(), minlength=length)
    np.testing.assert_array_equal(histogram(values, length), expected)


def test_histogram_of_a_strided_view_counts_only_the_view():
    mask = np.zeros((300, 400), np.uint8)
    mask[100:200, 50:150] = 3
    view = mask[90:210, 40:160:2]  # neither contiguous nor a whole row
    expected = np.bincount(view.ravel(), minlength=4)
    np.testing.assert_array_equal(histogram(view, 4), expected)


def test_histogram_of_many_classes_counts_in_chunks_of_bounded_size():
    values = (np.arange(3_000_000, dtype=np.uint32) % 1000).astype(np.uint16)
    tracemalloc.start()
    try:
        counts = histogram(values, 1000)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert counts.tolist() == [3000] * 1000
    assert peak < 4 * 2**20  # np.bincount of the whole array would convert it to 24 MB


def test_histogram_rejects_a_value_beyond_its_length():
    with pytest.raises(ValueError, match=r"^values: expected values in \[0, 3\); got 7$"):
        histogram(np.array([0, 7, 1], np.uint8), 3)


def test_add_histogram_of_one_value_for_all_adds_its_count():
    counts = np.array([10, 0, 0], np.int64)
    add_histogram(counts, np.full(5000, 2, np.uint8), +1)
    add_histogram(counts, np.zeros(5000, np.uint8), -1)
    assert counts.tolist() == [-4990, 0, 5000]


@settings(max_examples=40, deadline=None)
@given(values=arrays(np.uint8, st.integers(0, 3000), elements=st.integers(0, 4)))
def test_add_histogram_adds_signed_bincount(values):
    counts = np.arange(5, dtype=np.int64)
    add_histogram(counts, values, -1)
    expected = np.arange(5) - np.bincount(values, minlength=5)
    np.testing.assert_array_equal(counts, expected)


def test_uniform_value_finds_the_shared_value_or_none():
    assert uniform_value(np.full((7, 9), 4, np.uint16)) == 4
    assert uniform_value(np.array([4, 4, 5], np.uint16)) is None
    assert uniform_value(np.zeros(0, np.uint8)) is None
