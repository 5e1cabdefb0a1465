import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from scipy import ndimage
from skimage.draw import polygon as draw_polygon

from seg_widget.io import mask_to_polygons
from seg_widget.io.polygons import polygon_pixels


def _rasterise(polygons, shape):
    out = np.zeros(shape, bool)
    for polygon in polygons:
        rows, cols = polygon_pixels(polygon, shape)
        out[rows, cols] = True
    return out


@settings(max_examples=300, deadline=None)
@given(mask=arrays(bool, st.tuples(st.integers(1, 16), st.integers(1, 16))))
def test_polygons_of_a_mask_without_holes_rasterise_back_exactly(mask):
    # Fill holes (background enclosed 4-connectedly) since COCO polygons cannot hold them.
    mask = ndimage.binary_fill_holes(mask)
    np.testing.assert_array_equal(_rasterise(mask_to_polygons(mask), mask.shape), mask)


@settings(max_examples=500, deadline=None)
@given(
    points=st.lists(st.tuples(st.integers(-8, 40), st.integers(-8, 44)), min_size=3, max_size=9),
    scale=st.sampled_from([1.0, 0.5, 0.25, 0.3]),
)
def test_pixels_equal_skimage_draw_polygon_even_on_edges_vertices_and_self_crossings(points, scale):
    # Quarter steps put many pixel centres exactly on edges and vertices, where polygon
    # fillers usually differ; steps of 0.3 are inexact and test floating-point ties.
    x_coco = np.array([p[1] for p in points]) * scale + 0.5
    y_coco = np.array([p[0] for p in points]) * scale + 0.5
    polygon = np.column_stack([x_coco, y_coco]).ravel().tolist()
    rows, cols = polygon_pixels(polygon, (9, 10))
    expected_rows, expected_cols = draw_polygon(y_coco - 0.5, x_coco - 0.5, shape=(9, 10))
    offsets = np.array(points, dtype=float) - points[0]
    if np.linalg.matrix_rank(offsets) <= 1:
        # All points on one line: no interior, so no pixels (skimage keeps the vertices).
        assert rows.size == 0
        return
    assert rows.tolist() == expected_rows.tolist()
    assert cols.tolist() == expected_cols.tolist()


def test_single_pixel_is_a_diamond_around_its_centre():
    mask = np.zeros((3, 4), bool)
    mask[1, 2] = True
    (polygon,) = mask_to_polygons(mask)
    points = sorted(zip(polygon[0::2], polygon[1::2], strict=True))
    assert points == [(2.0, 1.5), (2.5, 1.0), (2.5, 2.0), (3.0, 1.5)]


def test_rectangle_has_only_its_corner_cut_vertices():
    mask = np.zeros((6, 8), bool)
    mask[1:4, 2:7] = True
    (polygon,) = mask_to_polygons(mask)
    assert len(polygon) == 16  # 8 vertices: each corner cut by one diagonal edge


def test_regions_touching_at_a_corner_get_separate_polygons():
    assert len(mask_to_polygons(np.eye(2, dtype=bool))) == 2


def test_a_hole_is_lost_when_polygons_are_filled():
    ring = np.ones((5, 5), bool)
    ring[2, 2] = False
    polygons = mask_to_polygons(ring)
    assert len(polygons) == 2  # the outer outline and the hole's outline
    assert _rasterise(polygons, ring.shape).all()


def test_region_touching_the_border_is_closed_and_exact():
    mask = np.ones((3, 3), bool)
    np.testing.assert_array_equal(_rasterise(mask_to_polygons(mask), mask.shape), mask)


def test_empty_mask_has_no_polygons():
    assert mask_to_polygons(np.zeros((4, 4), bool)) == []


def test_polygon_pixels_clip_to_the_shape():
    rows, cols = polygon_pixels([-5.0, -5.0, 10.0, -5.0, 10.0, 10.0, -5.0, 10.0], (2, 3))
    assert sorted(zip(rows.tolist(), cols.tolist(), strict=True)) == [
        (r, c) for r in range(2) for c in range(3)
    ]


@pytest.mark.parametrize(
    ("polygon", "message"),
    [
        ([1.0, 2.0, 3.0, 4.0], "at least 3 points"),
        ([1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0], "at least 3 points"),
        ([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]], "expected a flat list"),
        ([1.0, 2.0, 3.0, float("nan"), 5.0, 6.0], "expected finite coordinates"),
    ],
)
def test_malformed_polygons_are_refused(polygon, message):
    with pytest.raises(ValueError, match=message):
        polygon_pixels(polygon, (4, 4))


def test_a_polygon_finer_than_the_pixel_grid_is_refused_naming_the_field():
    xs = np.linspace(0.5, 4095.5, 100_000)
    ys = np.where(np.arange(100_000) % 2 == 0, 0.5, 4095.5)
    polygon = np.column_stack([xs, ys]).ravel().tolist()
    with pytest.raises(
        ValueError,
        match=r"^annotations\[0\]\.segmentation\[0\]: expected an outline crossing the pixel "
        r"rows of its box at most once per pixel of the box",
    ):
        polygon_pixels(polygon, (4096, 4096), argument="annotations[0].segmentation[0]")
