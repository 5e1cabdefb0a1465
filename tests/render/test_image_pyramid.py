import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from seg_widget.core.bbox import BBox
from seg_widget.render.display import to_display
from seg_widget.render.image_pyramid import ImagePyramid, reduce_2x2
from seg_widget.render.tiles import TileKey


def _level(pyramid, level):
    """Assemble a whole level from its tiles."""
    grid = pyramid.grid
    rows, cols = grid.tiles_shape(level)
    first = pyramid.tile(TileKey(level, 0, 0))
    out = np.zeros((*grid.level_shape(level), *first.shape[2:]), dtype=np.uint8)
    for row in range(rows):
        for col in range(cols):
            key = TileKey(level, row, col)
            out[grid.tile_box(key).slices] = pyramid.tile(key)
    return out


def _reference_levels(display):
    """The documented rule on whole levels: each level pixel is the mean of the finer pixels
    under it weighted by the image pixels each covers, rounded half up (exact integers)."""
    values = display.astype(np.int64).reshape(*display.shape[:2], -1)
    row_weights = np.ones(display.shape[0], dtype=np.int64)
    col_weights = np.ones(display.shape[1], dtype=np.int64)
    levels = [display]
    while values.shape[0] > 1 or values.shape[1] > 1:
        weighted = values * row_weights[:, None, None] * col_weights[None, :, None]
        row_starts = np.arange(0, values.shape[0], 2)
        col_starts = np.arange(0, values.shape[1], 2)
        total = np.add.reduceat(np.add.reduceat(weighted, row_starts, 0), col_starts, 1)
        row_weights = np.add.reduceat(row_weights, row_starts)
        col_weights = np.add.reduceat(col_weights, col_starts)
        weight = np.outer(row_weights, col_weights)[..., None]
        values = (2 * total + weight) // (2 * weight)
        levels.append(values.astype(np.uint8).reshape(*values.shape[:2], *display.shape[2:]))
    return levels


def _area_means(display, level):
    """Exact (unrounded) mean of every image block of a level."""
    scale = 2**level
    height, width = display.shape[:2]
    values = display.astype(np.float64)
    rows, cols = np.arange(0, height, scale), np.arange(0, width, scale)
    total = np.add.reduceat(np.add.reduceat(values, rows, 0), cols, 1)
    count = np.outer(np.minimum(scale, height - rows), np.minimum(scale, width - cols))
    return total / count.reshape(*count.shape, *([1] * (display.ndim - 2)))


class _RecordingImage(np.ndarray):
    """An image that records which boxes of it are read (and returns plain arrays)."""

    def __getitem__(self, key):
        self.reads.append(key)
        return np.asarray(super().__getitem__(key))


def _recording(image):
    recording = image.view(_RecordingImage)
    recording.reads = []
    return recording


# ---------------------------------------------------------------------------- levels


@settings(max_examples=30)
@given(
    st.tuples(st.integers(1, 90), st.integers(1, 90)),
    st.sampled_from([(), (3,), (4,)]),
    st.integers(0, 2**32 - 1),
)
def test_every_level_is_the_area_weighted_mean_of_the_finer_one(shape, channels, seed):
    image = np.random.default_rng(seed).integers(0, 256, (*shape, *channels), dtype=np.uint8)
    pyramid = ImagePyramid(image, tile_size=16)
    reference = _reference_levels(image)
    assert len(reference) == pyramid.grid.level_count
    for level, expected in enumerate(reference):
        np.testing.assert_array_equal(_level(pyramid, level), expected, err_msg=f"level {level}")


@pytest.mark.parametrize("shape", [(300, 217), (129, 513), (256, 256)])
@pytest.mark.parametrize("channels", [(), (3,), (4,)])
def test_levels_stay_within_half_a_grey_level_per_level_of_the_exact_block_mean(shape, channels):
    image = np.random.default_rng(1).integers(0, 256, (*shape, *channels), dtype=np.uint8)
    pyramid = ImagePyramid(image, tile_size=32)
    for level in range(1, pyramid.grid.level_count):
        error = np.abs(_level(pyramid, level) - _area_means(image, level))
        assert error.max() <= level / 2, f"level {level}"


def test_level_zero_is_the_image_exactly():
    image = np.random.default_rng(2).integers(0, 256, (70, 50, 3), dtype=np.uint8)
    np.testing.assert_array_equal(_level(ImagePyramid(image, tile_size=16), 0), image)


def test_a_uniform_region_keeps_its_colour_at_every_level():
    image = np.zeros((200, 300, 3), dtype=np.uint8)
    image[:] = (12, 200, 77)
    pyramid = ImagePyramid(image, tile_size=16)
    for level in range(pyramid.grid.level_count):
        assert (_level(pyramid, level) == (12, 200, 77)).all()


# ---------------------------------------------------------------------------- window/level


def test_sixteen_bit_tiles_are_windowed_by_the_limits():
    image = np.random.default_rng(3).integers(0, 4096, (40, 60), dtype=np.uint16)
    pyramid = ImagePyramid(image, limits=(100, 3000), tile_size=16)
    display = to_display(image, (100, 3000))
    np.testing.assert_array_equal(_level(pyramid, 0), display)
    np.testing.assert_array_equal(_level(pyramid, 2), _reference_levels(display)[2])


def test_float_images_show_nan_as_zero_at_every_level():
    image = np.full((32, 32), 0.5, dtype=np.float32)
    image[:16] = np.nan
    pyramid = ImagePyramid(image, limits=(0.0, 1.0), tile_size=16)
    level = _level(pyramid, 1)
    assert (level[:8] == 0).all() and (level[8:] == 128).all()


def test_changing_the_limits_recomputes_the_tiles():
    image = np.full((64, 64), 1000, dtype=np.uint16)
    pyramid = ImagePyramid(image, limits=(0, 2000), tile_size=16)
    assert pyramid.tile(TileKey(2, 0, 0))[0, 0] == 128
    pyramid.limits = (0, 1000)
    assert pyramid.tile(TileKey(2, 0, 0))[0, 0] == 255


def test_setting_the_same_limits_keeps_the_cache():
    pyramid = ImagePyramid(np.zeros((64, 64), np.uint8), tile_size=16)
    pyramid.tile(TileKey(1, 0, 0))
    pyramid.limits = (0, 255)
    assert pyramid.is_cached(TileKey(1, 0, 0))


def test_images_other_than_uint8_and_bool_need_limits():
    with pytest.raises(ValueError, match=r"limits.*uint16"):
        ImagePyramid(np.zeros((4, 4), np.uint16))


def test_bool_images_show_true_as_white():
    image = np.zeros((4, 4), dtype=bool)
    image[0, 0] = True
    assert ImagePyramid(image, tile_size=16).tile(TileKey(0, 0, 0))[0, 0] == 255


# ---------------------------------------------------------------------------- laziness


def test_the_constructor_reads_no_pixel():
    image = _recording(np.zeros((4096, 4096, 3), dtype=np.uint8))
    ImagePyramid(image)
    assert image.reads == []


def test_a_coarse_tile_reads_only_the_image_under_it_and_each_pixel_once():
    image = _recording(np.zeros((1000, 1000, 3), dtype=np.uint8))
    pyramid = ImagePyramid(image, tile_size=32)
    key = TileKey(3, 1, 2)
    pyramid.tile(key)
    boxes = [BBox(rows.start, rows.stop, cols.start, cols.stop) for rows, cols in image.reads]
    under = pyramid.grid.image_box(key)
    assert all(box.clip((under.row1, under.col1)) == box for box in boxes)
    assert all(box.row0 >= under.row0 and box.col0 >= under.col0 for box in boxes)
    assert sum(box.area for box in boxes) == under.area


def test_a_cached_tile_is_not_recomputed():
    image = _recording(np.zeros((256, 256), dtype=np.uint8))
    pyramid = ImagePyramid(image, tile_size=16)
    first = pyramid.tile(TileKey(2, 1, 1))
    reads = len(image.reads)
    assert pyramid.tile(TileKey(2, 1, 1)) is first
    assert len(image.reads) == reads


def test_tiles_are_read_only():
    tile = ImagePyramid(np.zeros((8, 8), np.uint8), tile_size=16).tile(TileKey(0, 0, 0))
    with pytest.raises(ValueError, match="read-only"):
        tile[0, 0] = 1


def test_the_cache_stays_within_its_budget_and_results_do_not_depend_on_it():
    image = np.random.default_rng(4).integers(0, 256, (300, 300, 3), dtype=np.uint8)
    small = ImagePyramid(image, tile_size=16, cache_bytes=20_000)
    large = ImagePyramid(image, tile_size=16, cache_bytes=10**9)
    for level in range(small.grid.level_count):
        np.testing.assert_array_equal(_level(small, level), _level(large, level))
        assert small.cached_bytes <= 20_000


def test_pixels_to_read_counts_the_image_under_uncached_tiles_only():
    pyramid = ImagePyramid(np.zeros((100, 100), np.uint8), tile_size=16)
    key = TileKey(3, 0, 0)  # level 3 is 13x13: one tile over the whole image
    assert pyramid.pixels_to_read([key], limit=10**6) == 100 * 100
    for child in pyramid.grid.tiles_covering(2, BBox(0, 25, 0, 25)):
        pyramid.tile(child)
    assert pyramid.pixels_to_read([key], limit=10**6) == 0


def test_pixels_to_read_stops_counting_past_the_limit():
    pyramid = ImagePyramid(np.zeros((4096, 4096), np.uint8), tile_size=16)
    count = pyramid.pixels_to_read([TileKey(8, 0, 0)], limit=1000)
    assert 1000 < count < 4096 * 4096


def test_steps_compute_a_coarse_tile_finest_first_reading_little_per_step():
    image = _recording(np.random.default_rng(6).integers(0, 256, (500, 400), dtype=np.uint8))
    pyramid = ImagePyramid(image, tile_size=16)
    key = TileKey(4, 1, 0)
    done, reads_before = [], 0
    for step in pyramid.steps(key):  # the generator computes `step`, then yields it
        read_now = len(image.reads) - reads_before
        reads_before = len(image.reads)
        done.append(step)
        fine_rows, fine_cols = pyramid.grid.tiles_shape(step.level - 1) if step.level else (0, 0)
        children = {
            TileKey(step.level - 1, 2 * step.row + i, 2 * step.col + j)
            for i in (0, 1)
            for j in (0, 1)
            if 2 * step.row + i < fine_rows and 2 * step.col + j < fine_cols
        }
        if step.level >= 2:  # its finer tiles came first, and it read no image pixel
            assert children <= set(done[:-1])
            assert read_now == 0
        else:
            assert read_now == 1
    assert done[-1] == key
    assert all(step.level >= 1 for step in done)
    # A level-1 step reads one box of at most (2 * 16)² image pixels.
    assert max(rows.stop - rows.start for rows, _ in image.reads) <= 32
    assert pyramid.is_cached(key)
    reference = ImagePyramid(np.asarray(image), tile_size=16).tile(key)
    np.testing.assert_array_equal(pyramid.tile(key), reference)


def test_steps_of_a_cached_tile_are_none():
    pyramid = ImagePyramid(np.zeros((64, 64), np.uint8), tile_size=16)
    pyramid.tile(TileKey(2, 0, 0))
    assert list(pyramid.steps(TileKey(2, 0, 0))) == []


def test_a_preview_shows_the_display_pixel_at_each_sample_point():
    image = np.random.default_rng(5).integers(0, 4000, (100, 90, 3), dtype=np.uint16)
    pyramid = ImagePyramid(image, limits=(0, 4000), tile_size=16)
    preview = pyramid.preview(TileKey(2, 1, 0))  # level rows 16..25, cols 0..15
    display = to_display(image, (0, 4000))
    rows = np.minimum(np.arange(16, 25) * 4 + 2, 99)
    cols = np.arange(0, 16) * 4 + 2
    np.testing.assert_array_equal(preview, display[np.ix_(rows, cols)])


# ---------------------------------------------------------------------------- reduce_2x2


def test_reduce_2x2_averages_alpha_and_colour_alike():
    rgba = np.array([[[255, 0, 0, 0], [0, 0, 255, 255]]], dtype=np.uint8)
    np.testing.assert_array_equal(reduce_2x2(rgba), [[[128, 0, 128, 128]]])


def test_reduce_2x2_rounds_half_up():
    grey = np.array([[0, 1], [0, 1]], dtype=np.uint8)
    assert reduce_2x2(grey)[0, 0] == 1


def test_reduce_2x2_rejects_other_dtypes():
    with pytest.raises(TypeError, match="uint8"):
        reduce_2x2(np.zeros((2, 2), np.uint16))
