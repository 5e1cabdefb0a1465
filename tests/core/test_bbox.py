import numpy as np

from seg_widget.core import BBox


def test_slices_index_the_half_open_rows_and_columns():
    image = np.arange(30).reshape(5, 6)
    np.testing.assert_array_equal(image[BBox(1, 3, 2, 5).slices], [[8, 9, 10], [14, 15, 16]])


def test_height_width_and_area():
    box = BBox(2, 7, 1, 4)
    assert (box.height, box.width, box.area) == (5, 3, 15)


def test_box_with_no_rows_or_negative_width_is_empty_with_zero_area():
    assert BBox(3, 3, 0, 5).is_empty
    assert BBox(0, 5, 4, 2).is_empty
    assert BBox(0, 5, 4, 2).area == 0
    assert not BBox(0, 1, 0, 1).is_empty


def test_union_is_the_smallest_box_containing_both():
    assert BBox(0, 2, 5, 6).union(BBox(4, 9, 1, 3)) == BBox(0, 9, 1, 6)


def test_union_with_none_or_an_empty_box_returns_self():
    box = BBox(1, 2, 3, 4)
    assert box.union(None) == box
    assert box.union(BBox(50, 50, 60, 70)) == box


def test_union_of_an_empty_box_returns_the_other():
    assert BBox(50, 50, 60, 70).union(BBox(1, 2, 3, 4)) == BBox(1, 2, 3, 4)


def test_clip_keeps_the_part_inside_the_image():
    assert BBox(-3, 4, 5, 20).clip((10, 8)) == BBox(0, 4, 5, 8)


def test_clip_of_a_box_outside_the_image_is_empty():
    assert BBox(12, 15, -4, -1).clip((10, 8)).is_empty


def test_full_covers_the_whole_image():
    assert BBox.full((480, 640)) == BBox(0, 480, 0, 640)
    assert BBox.full((480, 640)).area == 480 * 640


def _tight_box_by_definition(array, origin):
    rows = np.flatnonzero(array.any(axis=1))
    cols = np.flatnonzero(array.any(axis=0))
    if rows.size == 0:
        return None
    return BBox(
        origin[0] + rows[0], origin[0] + rows[-1] + 1, origin[1] + cols[0], origin[1] + cols[-1] + 1
    )


def test_the_tight_box_of_true_pixels_matches_its_definition_small_and_large():
    from seg_widget.core.bbox import _true_bbox

    rng = np.random.default_rng(7)
    for shape in [(1, 1), (3, 40), (21, 23), (128, 128), (200, 300)]:  # bytes read, then numpy
        for density in (0.0, 0.001, 0.05, 1.0):
            array = rng.random(shape) < density
            for view in (array, array[::2, 1::3], array.T):
                if view.size:
                    expected = _tight_box_by_definition(view, (5, 9))
                    assert _true_bbox(view, (5, 9)) == expected


def test_the_tight_box_reads_any_nonzero_byte_as_true():
    from seg_widget.core.bbox import _true_bbox

    raw = np.zeros((6, 7), np.uint8)
    raw[2, 3] = raw[4, 1] = 2  # a bool view of bytes other than 0 and 1
    assert _true_bbox(raw.view(bool)) == BBox(2, 5, 1, 4)


def test_a_window_doubles_its_extent_split_between_the_sides_its_region_touches():
    from seg_widget.core.bbox import grow_towards_leaks

    region = np.zeros((10, 10), bool)
    region[:, 4] = True  # touches the top and the bottom: 5 more rows each side
    assert grow_towards_leaks(BBox(20, 30, 20, 30), region, (100, 100)) == BBox(15, 35, 20, 30)
    region[:] = False
    region[0, 3:5] = True  # the top only: all 10 rows go there
    assert grow_towards_leaks(BBox(20, 30, 20, 30), region, (100, 100)) == BBox(10, 30, 20, 30)
    region[0, :] = True  # the top, the left and the right
    assert grow_towards_leaks(BBox(20, 30, 20, 30), region, (100, 100)) == BBox(10, 30, 15, 35)
    assert grow_towards_leaks(BBox(0, 10, 0, 10), region, (100, 100)) == BBox(0, 10, 0, 20)
