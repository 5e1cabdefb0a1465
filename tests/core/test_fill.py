import tracemalloc

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from skimage.morphology import flood

import seg_widget.core.fill as fill_module
from seg_widget.core.bbox import BBox
from seg_widget.core.fill import flood_footprint, same_label_footprint


def _grid(rows: str) -> np.ndarray:
    """Digits per pixel, one text line per row."""
    return np.array([[int(char) for char in row] for row in rows.split()], dtype=np.uint8)


def _pasted(result, shape) -> np.ndarray:
    image = np.zeros(shape, dtype=bool)
    if result is not None:
        bbox, footprint = result
        image[bbox.slices] = footprint
    return image


MASK = _grid(
    """
    0000000
    0111110
    0122210
    0120210
    0122210
    0111110
    0000000
    """
)


def test_flood_fills_the_region_bounded_by_another_label():
    bbox, region = flood_footprint(MASK, (3, 3))
    assert bbox == BBox(3, 4, 3, 4)  # the single 0 inside the ring of 2s
    np.testing.assert_array_equal(region, [[True]])


def test_flood_fills_a_ring_of_one_label_and_nothing_else():
    bbox, region = flood_footprint(MASK, (2, 2))
    assert bbox == BBox(2, 5, 2, 5)
    expected = np.ones((3, 3), dtype=bool)
    expected[1, 1] = False
    np.testing.assert_array_equal(region, expected)


def test_seed_on_label_0_fills_the_connected_unlabelled_region():
    bbox, region = flood_footprint(MASK, (0, 0))
    assert bbox == BBox(0, 7, 0, 7)
    np.testing.assert_array_equal(region, _pasted((bbox, region), MASK.shape))
    expected = np.ones(MASK.shape, dtype=bool)
    expected[1:6, 1:6] = False  # the outer 0 border only: the inner 0 is not connected
    np.testing.assert_array_equal(region, expected)


DIAGONAL = _grid(
    """
    100
    010
    001
    """
)


def test_4_connectivity_does_not_cross_a_diagonal():
    bbox, region = flood_footprint(DIAGONAL, (0, 0), connectivity=4)
    assert bbox == BBox(0, 1, 0, 1)
    np.testing.assert_array_equal(region, [[True]])


def test_8_connectivity_crosses_a_diagonal():
    bbox, region = flood_footprint(DIAGONAL, (0, 0), connectivity=8)
    assert bbox == BBox(0, 3, 0, 3)
    np.testing.assert_array_equal(region, np.eye(3, dtype=bool))


def test_default_connectivity_is_4():
    bbox, _ = flood_footprint(DIAGONAL, (1, 1))
    assert bbox == BBox(1, 2, 1, 2)


def test_flood_leaves_the_mask_unchanged():
    mask = MASK.copy()
    flood_footprint(mask, (0, 0), connectivity=8)
    np.testing.assert_array_equal(mask, MASK)


def test_flood_of_a_winding_region_far_beyond_the_first_window():
    # A serpentine corridor of 0s through a 600 x 600 wall of 1s: the region leaves the first
    # search window and comes back many times, so the window must grow until it is whole.
    mask = np.ones((600, 600), dtype=np.uint16)
    for k, row in enumerate(range(1, 598, 4)):
        mask[row, 1:599] = 0
        mask[row + 1 : row + 4, 598 if k % 2 == 0 else 1] = 0  # turn right, then left, ...
    mask[597 + 1 :, :] = 1  # the last turn leads nowhere
    mask[599, 0] = 0  # an unlabelled pixel that is not connected
    expected = flood(mask, (1, 1), connectivity=1)
    bbox, region = flood_footprint(mask, (1, 1))
    assert bbox == BBox(1, 598, 1, 599)
    np.testing.assert_array_equal(_pasted((bbox, region), mask.shape), expected)


masks = arrays(
    np.uint8, st.tuples(st.integers(1, 12), st.integers(1, 12)), elements=st.integers(0, 2)
)


@settings(max_examples=150, deadline=None)
@given(
    mask=masks,
    data=st.data(),
    connectivity=st.sampled_from([4, 8]),
    half=st.sampled_from([1, 2, 128]),
)
def test_flood_equals_skimage_flood_of_the_whole_mask(mask, data, connectivity, half):
    seed = (
        data.draw(st.integers(0, mask.shape[0] - 1)),
        data.draw(st.integers(0, mask.shape[1] - 1)),
    )
    expected = flood(mask, seed, connectivity=connectivity // 4)
    # Tiny first windows make small masks exercise the growing search.
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(fill_module, "_FIRST_HALF_WINDOW", half)
        result = flood_footprint(mask, seed, connectivity=connectivity)
    np.testing.assert_array_equal(_pasted(result, mask.shape), expected)
    rows, cols = np.nonzero(expected)
    assert result[0] == BBox(rows.min(), rows.max() + 1, cols.min(), cols.max() + 1)


def test_same_label_footprint_includes_disconnected_pixels():
    bbox, pixels = same_label_footprint(MASK, 2)
    assert bbox == BBox(2, 5, 2, 5)
    np.testing.assert_array_equal(pixels, MASK[2:5, 2:5] == 2)
    assert pixels.sum() == 8


def test_same_label_footprint_of_label_0_spans_both_unlabelled_regions():
    bbox, pixels = same_label_footprint(MASK, 0)
    assert bbox == BBox(0, 7, 0, 7)
    np.testing.assert_array_equal(pixels, MASK == 0)


def test_same_label_footprint_of_an_absent_label_is_none():
    assert same_label_footprint(MASK, 3) is None


def test_same_label_footprint_of_a_label_beyond_the_dtype_is_none():
    assert same_label_footprint(MASK, 300) is None  # uint8 mask: never equal, not wrapped to 44


# --- errors ------------------------------------------------------------------------------


@pytest.mark.parametrize("connectivity", [0, 1, 2, 6, 4.0, "4", None, True])
def test_other_connectivities_are_rejected(connectivity):
    with pytest.raises(ValueError, match=rf"^connectivity: expected 4 or 8; got {connectivity!r}$"):
        flood_footprint(MASK, (0, 0), connectivity=connectivity)


@pytest.mark.parametrize("seed_rc", [(7, 0), (0, 7), (-1, 0), (0, -1)])
def test_seed_outside_the_mask_is_rejected(seed_rc):
    row, col = seed_rc
    message = (
        rf"^seed_rc: expected a pixel inside the mask of shape \(7, 7\); got \({row}, {col}\)$"
    )
    with pytest.raises(ValueError, match=message):
        flood_footprint(MASK, seed_rc)


def test_non_integer_seed_is_rejected():
    with pytest.raises(
        TypeError, match=r"^seed_rc: expected \(row, col\) ints; got float in \(1\.5, 2\)$"
    ):
        flood_footprint(MASK, (1.5, 2))


def test_seed_that_is_not_a_pair_is_rejected():
    with pytest.raises(TypeError, match=r"^seed_rc: expected \(row, col\) ints; got 3$"):
        flood_footprint(MASK, 3)


def test_non_integer_mask_is_rejected():
    with pytest.raises(
        TypeError, match=r"^mask: expected an integer numpy array of class ids; got float64 array$"
    ):
        flood_footprint(MASK.astype(float), (0, 0))


def test_mask_that_is_not_2d_is_rejected():
    with pytest.raises(ValueError, match=r"^mask: expected a 2-D array; got shape \(7,\)$"):
        same_label_footprint(MASK[0], 0)


def test_negative_label_is_rejected():
    with pytest.raises(ValueError, match=r"^label: expected a class id >= 0; got -1$"):
        same_label_footprint(MASK, -1)


def test_non_integer_label_is_rejected():
    with pytest.raises(TypeError, match=r"^label: expected a class id \(int\); got float$"):
        same_label_footprint(MASK, 1.0)


def _record_searched_windows(monkeypatch) -> list[BBox]:
    """Return the list the flood's searched windows will be appended to, in order."""
    searched = []  # each window searched is then handed to grow_towards_leaks
    grow = fill_module.grow_towards_leaks

    def recording(window, region, shape):
        searched.append(window)
        return grow(window, region, shape)

    monkeypatch.setattr(fill_module, "grow_towards_leaks", recording)
    return searched


def test_the_windows_searched_for_a_walled_region_stay_within_twice_its_extent(monkeypatch):
    mask = np.zeros((4096, 4096), np.uint8)
    mask[1535, 1535:2561] = mask[2560, 1535:2561] = 1  # a ring around 1024 x 1024 pixels
    mask[1535:2561, 1535] = mask[1535:2561, 2560] = 1
    searched = _record_searched_windows(monkeypatch)
    bbox, region = flood_footprint(mask, (2048, 2048))
    assert bbox == BBox(1536, 2560, 1536, 2560) and region.all()
    last = searched[-1]
    assert last.height <= 2 * 1026 and last.width <= 2 * 1026  # the ring's box, doubled
    assert sum(window.area for window in searched) <= 1.5 * last.area


def test_a_window_past_the_labelling_size_searches_the_whole_mask_once(monkeypatch):
    mask = np.zeros((4096, 4096), np.uint8)
    mask[:, 2000] = 1  # the left half: its windows outgrow 40 % of the mask
    searched = _record_searched_windows(monkeypatch)
    bbox, region = flood_footprint(mask, (100, 100))
    assert bbox == BBox(0, 4096, 0, 2000) and region.all()
    big = [window for window in searched if 5 * window.area > 2 * mask.size]
    assert big == [BBox(0, 4096, 0, 4096)]  # one flood, of the whole mask


def test_a_region_just_missed_by_a_window_is_found_by_labelling_not_a_flood(monkeypatch):
    # Off-centre in its ring: the doubled window misses the ring's far sides by ~40 px, and
    # doubling again would pass the labelling size. The largest labelled window holds it.
    mask = np.zeros((4096, 4096), np.uint8)
    mask[1022:3074, 1022:3074] = 2
    mask[1024:3072, 1024:3072] = 0
    searched = _record_searched_windows(monkeypatch)
    bbox, region = flood_footprint(mask, (2000, 2000))
    assert bbox == BBox(1024, 3072, 1024, 3072) and region.all()
    assert all(5 * window.area <= 2 * mask.size for window in searched)  # no flood


def test_flood_of_a_huge_region_allocates_no_more_than_a_flood_of_the_whole_mask():
    mask = np.zeros((4096, 4096), np.uint8)
    mask[1023, 1023:3073] = mask[3072, 1023:3073] = 1
    mask[1023:3073, 1023] = mask[1023:3073, 3072] = 1
    tracemalloc.start()
    try:
        bbox, region = flood_footprint(mask, (2048, 2048))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert bbox == BBox(1024, 3072, 1024, 3072) and region.all()
    # skimage's flood of the whole mask: 2 bytes per pixel (labelling the whole mask: 8).
    assert peak < 2 * mask.size + 2**20
