"""COCO polygons decode as pycocotools decodes them, with or without pycocotools installed."""

import re
import sys

import numpy as np
import pytest
from pycocotools import mask as coco_mask

from seg_widget.io import coco_polygons
from seg_widget.io.coco_polygons import checked_polygon, outline_length, polygon_runs
from seg_widget.io.rle import rle_decode

pytestmark = pytest.mark.filterwarnings(
    "ignore:__array__ implementation doesn't accept a copy keyword:DeprecationWarning"
)


def _random_polygons(seed, count):
    """Polygons of every awkward kind: crossing, outside the image, repeated vertices."""
    rng = np.random.default_rng(seed)
    for number in range(count):
        height, width = (int(n) for n in rng.integers(1, 30, 2))
        points = int(rng.integers(3, 14))
        kind = number % 5
        if kind == 0:  # anywhere within one image size of the image
            x, y = rng.uniform(-width, 2 * width, points), rng.uniform(-height, 2 * height, points)
        elif kind == 1:  # inside the image
            x, y = rng.uniform(0, width, points), rng.uniform(0, height, points)
        elif kind == 2:  # integer vertices, some on the border and just outside
            x = rng.integers(-2, width + 3, points).astype(float)
            y = rng.integers(-2, height + 3, points).astype(float)
        elif kind == 3:  # half-pixel vertices (as exports write them), a repeated vertex
            x, y = (
                rng.integers(0, 2 * width + 1, points) / 2,
                rng.integers(0, 2 * height + 1, points) / 2,
            )
            x[1], y[1] = x[0], y[0]
        else:  # tenths, outside too
            x = rng.integers(-10 * width, 20 * width, points) / 10
            y = rng.integers(-10 * height, 20 * height, points) / 10
        yield (height, width), np.column_stack([x, y])


def _pycocotools(xy, shape):
    rle = coco_mask.frPyObjects([xy.ravel().tolist()], shape[0], shape[1])[0]
    return coco_mask.decode(rle).astype(bool)


def _pure(xy, shape):
    toggles = coco_polygons.pure_toggles(xy, *shape)
    counts = np.diff(np.concatenate(([0], _odd_positions(toggles, shape), [shape[0] * shape[1]])))
    return rle_decode({"size": list(shape), "counts": counts.tolist()})


def _odd_positions(toggles, shape):
    positions, multiplicity = np.unique(toggles, return_counts=True)
    return positions[(multiplicity % 2 == 1) & (positions < shape[0] * shape[1])]


def test_the_pure_decoder_equals_pycocotools_on_1000_random_polygons():
    for shape, xy in _random_polygons(seed=18, count=1000):
        np.testing.assert_array_equal(_pure(xy, shape), _pycocotools(xy, shape), err_msg=str(xy))


def test_the_pure_decoder_gives_the_same_pixels_in_small_chunks(monkeypatch):
    monkeypatch.setattr(coco_polygons, "_CHUNK_POINTS", 3)
    for shape, xy in _random_polygons(seed=19, count=500):
        np.testing.assert_array_equal(_pure(xy, shape), _pycocotools(xy, shape))


def test_without_pycocotools_installed_the_pure_decoder_is_used(monkeypatch):
    polygons = list(_random_polygons(seed=20, count=200))
    with_it = [polygon_runs(xy, shape) for shape, xy in polygons]
    monkeypatch.setitem(sys.modules, "pycocotools", None)  # import fails
    for (shape, xy), expected in zip(polygons, with_it, strict=True):
        got = rle_decode({"size": list(shape), "counts": polygon_runs(xy, shape).tolist()})
        np.testing.assert_array_equal(
            got, rle_decode({"size": list(shape), "counts": expected.tolist()})
        )


def test_long_outlines_skip_pycocotools_and_stay_exact(monkeypatch):
    monkeypatch.setattr(coco_polygons, "PYCOCOTOOLS_MAX_POINTS", 10)
    for shape, xy in _random_polygons(seed=21, count=100):
        counts = polygon_runs(xy, shape)
        got = rle_decode({"size": list(shape), "counts": counts.tolist()})
        np.testing.assert_array_equal(got, _pycocotools(xy, shape))


def test_pycocotools_rule_differs_from_the_pixel_centre_rule_of_our_tools():
    from seg_widget.io.polygons import polygon_pixels

    differing = 0
    for shape, xy in _random_polygons(seed=22, count=300):
        centre = np.zeros(shape, bool)
        rows, cols = polygon_pixels(xy.ravel().tolist(), shape)
        centre[rows, cols] = True
        differing += not np.array_equal(centre, _pycocotools(xy, shape))
    assert differing > 100  # why COCO files get pycocotools' rule, not ours


@pytest.mark.parametrize(
    ("polygon", "message"),
    [
        ([0, 0, 1, 1], "expected a flat list [x0, y0, x1, y1, ...] of at least 3 points"),
        ([0, 0, 1, 1, 2], "expected a flat list"),
        ([0, 0, 1, "1", 2, 2], "polygon[3]: expected a number; got str '1'"),
        ([0, 0, 1, float("nan"), 2, 2], "polygon: expected finite coordinates"),
        ([0, 0, 1, 1, 2, -9], "expected vertices within one image size of the 4 x 3 image"),
        ("0 0 1 1 2 2", "expected a flat list"),
    ],
)
def test_bad_polygons_are_refused_naming_the_value(polygon, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        checked_polygon(polygon, (3, 4), argument="polygon")


def test_the_outline_length_counts_each_edge_by_its_longer_axis():
    assert outline_length(np.array([[0.0, 0.0], [4.0, 1.0], [4.0, 3.0]])) == 4 + 2 + 4
