"""Assisted labelling algorithms: wand, superpixel brush, scribbles, model-hook results."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import ndimage
from skimage.color import rgb2lab

from seg_widget.core import assist_scribbles
from seg_widget.core.assist import (
    MAX_LAB_DISTANCE,
    SCRIBBLE_METHODS,
    SuperpixelIndex,
    classifier_available,
    probability_proposal,
    scribble_proposal,
    superpixel_labels,
    wand_region,
)
from seg_widget.core.assist_colour import lab_float32
from seg_widget.core.bbox import BBox
from seg_widget.core.raster import brush_footprint

RED = (255, 0, 0)


def _full(shape, bbox, footprint):
    out = np.zeros(shape, bool)
    out[bbox.slices] = footprint
    return out


def _noise_without_red(shape, seed=0):
    # Random colours with red <= 150: all far (in Lab) from pure red.
    rng = np.random.default_rng(seed)
    image = rng.integers(0, 256, (*shape, 3), dtype=np.uint8)
    image[..., 0] = rng.integers(0, 151, shape, dtype=np.uint8)
    return image


def _reference_wand(image, seed_rc, tolerance):
    # rgb2lab in float64, the distance test, then the seed's 4-connected component.
    lab = rgb2lab(image[..., :3])
    distance = np.linalg.norm(lab - lab[seed_rc], axis=-1)
    components, _ = ndimage.label(distance <= tolerance * MAX_LAB_DISTANCE)
    return components == components[seed_rc]


# -- Colour -------------------------------------------------------------------------------


def test_fast_lab_matches_skimage_rgb2lab():
    colours = np.random.default_rng(1).integers(0, 256, (50_000, 3), dtype=np.uint8)
    assert np.abs(lab_float32(colours) - rgb2lab(colours[np.newaxis])[0]).max() < 1e-3


def test_largest_lab_distance_is_blue_to_green_and_beats_every_cube_corner():
    corners = np.array([[r, g, b] for r in (0, 255) for g in (0, 255) for b in (0, 255)])
    lab = rgb2lab(corners[np.newaxis].astype(np.uint8))[0]
    distances = np.linalg.norm(lab[:, np.newaxis] - lab[np.newaxis], axis=-1)
    assert distances.max() == pytest.approx(MAX_LAB_DISTANCE, abs=1e-9)


# -- Wand ---------------------------------------------------------------------------------


def test_wand_on_a_flat_square_in_noise_returns_exactly_the_square():
    image = _noise_without_red((120, 150))
    image[30:70, 40:100] = RED
    bbox, region = wand_region(image, (50, 60), 0.05)
    assert bbox == BBox(30, 70, 40, 100)
    assert region.dtype == bool and region.all()


def test_wand_on_a_grey_flat_square_returns_exactly_the_square():
    rng = np.random.default_rng(2)
    image = rng.integers(0, 100, (80, 90), dtype=np.uint8)
    image[10:30, 20:75] = 200
    bbox, region = wand_region(image, (15, 70), 0.1)
    assert bbox == BBox(10, 30, 20, 75)
    assert region.all()


def test_wand_ignores_alpha():
    rgb = _noise_without_red((40, 40))
    rgb[5:20, 5:20] = RED
    alpha = np.random.default_rng(3).integers(0, 256, (40, 40, 1), dtype=np.uint8)
    rgba = np.concatenate([rgb, alpha], axis=2)
    for got, expected in zip(
        wand_region(rgba, (10, 10), 0.3), wand_region(rgb, (10, 10), 0.3), strict=True
    ):
        np.testing.assert_array_equal(got, expected)


def test_wand_tolerance_zero_takes_only_the_seed_colour_and_more_takes_neighbours():
    image = np.zeros((10, 30), np.uint8)
    image[:, 10:20] = 100
    image[:, 20:] = 102  # 2 grey levels from the middle band: within 1 %, not within 0
    bbox, region = wand_region(image, (5, 15), 0.0)
    assert bbox == BBox(0, 10, 10, 20) and region.all()
    bbox, region = wand_region(image, (5, 15), 0.01)
    assert bbox == BBox(0, 10, 10, 30) and region.all()


def test_wand_colour_tolerance_zero_takes_exactly_the_seed_colour():
    image = np.zeros((6, 6, 3), np.uint8)
    image[:, 3:] = (0, 0, 1)  # the closest colour there is to black
    assert wand_region(image, (0, 0), 0.0)[0] == BBox(0, 6, 0, 3)
    assert wand_region(image, (0, 0), 0.01)[0] == BBox(0, 6, 0, 6)


def test_wand_tolerance_one_takes_the_whole_image():
    image = np.random.default_rng(4).integers(0, 256, (50, 70, 3), dtype=np.uint8)
    bbox, region = wand_region(image, (0, 0), 1.0)
    assert bbox == BBox(0, 50, 0, 70) and region.all()


@pytest.mark.parametrize("tolerance", [0.05, 0.2, 0.35])
def test_wand_matches_a_whole_image_reference_beyond_its_first_window(tolerance):
    # A few colours in blobs over 600 x 600: regions cross the first 257 x 257 window.
    rng = np.random.default_rng(5)
    palette = rng.integers(0, 256, (4, 3), dtype=np.uint8)
    blobs = ndimage.zoom(rng.integers(0, 4, (30, 30)), 20, order=0)
    image = palette[blobs]
    for seed_rc in [(300, 300), (10, 590), (599, 0)]:
        bbox, region = wand_region(image, seed_rc, tolerance)
        expected = _reference_wand(image, seed_rc, tolerance)
        np.testing.assert_array_equal(_full(blobs.shape, bbox, region), expected)
        assert region[seed_rc[0] - bbox.row0, seed_rc[1] - bbox.col0]


def test_wand_footprint_is_tight():
    image = np.zeros((20, 20), np.uint8)
    image[3:9, 4:7] = 50
    image[8, 7:12] = 50
    bbox, region = wand_region(image, (4, 5), 0.0)
    assert bbox == BBox(3, 9, 4, 12)
    assert region[:, 0].any() and region[:, -1].any() and region[0].any() and region[-1].any()


@pytest.mark.parametrize(
    ("arguments", "error", "message"),
    [
        ((np.zeros((4, 4)), (0, 0), 0.1), TypeError, "image: expected the displayed uint8"),
        ((np.zeros((4, 4, 2), np.uint8), (0, 0), 0.1), ValueError, "image: expected shape"),
        ((np.zeros((4, 4), np.uint8), (4, 0), 0.1), ValueError, "seed_rc: expected a pixel"),
        ((np.zeros((4, 4), np.uint8), (0.5, 0), 0.1), TypeError, "seed_rc: expected (row"),
        ((np.zeros((4, 4), np.uint8), (0, 0), 1.5), ValueError, "tolerance: expected"),
        ((np.zeros((4, 4), np.uint8), (0, 0), float("nan")), ValueError, "tolerance"),
        ((np.zeros((4, 4), np.uint8), (0, 0), "0.1"), TypeError, "tolerance: expected"),
    ],
)
def test_wand_rejects_bad_arguments_naming_them(arguments, error, message):
    with pytest.raises(error, match=message.replace("(", r"\(")):
        wand_region(*arguments)


# -- Superpixels ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def superpixels():
    rng = np.random.default_rng(6)
    image = ndimage.zoom(rng.integers(0, 256, (12, 16, 3)), (10, 10, 1), order=0)
    image = np.clip(image + rng.normal(0, 8, image.shape), 0, 255).astype(np.uint8)
    return image, superpixel_labels(image, n_segments=150)


def test_superpixel_labels_are_int32_consecutive_from_zero_and_connected(superpixels):
    image, labels = superpixels
    assert labels.dtype == np.int32 and labels.shape == image.shape[:2]
    count = int(labels.max()) + 1
    np.testing.assert_array_equal(np.unique(labels), np.arange(count))
    for label, box in enumerate(ndimage.find_objects(labels + 1)):
        assert ndimage.label(labels[box] == label)[1] == 1


def test_superpixels_of_a_grey_image_follow_its_edges():
    image = np.zeros((60, 60), np.uint8)
    image[20:45, 10:50] = 90  # a dark grey rectangle: slic alone would grid a grey image
    labels = superpixel_labels(image, n_segments=30)
    inside = np.unique(labels[20:45, 10:50])
    assert not np.isin(labels[:20], inside).any() and not np.isin(labels[45:], inside).any()


def test_superpixel_footprint_is_a_union_of_whole_superpixels_holding_every_brushed_pixel(
    superpixels,
):
    _, labels = superpixels
    index = SuperpixelIndex(labels)
    rng = np.random.default_rng(7)
    for _ in range(20):
        start, end = rng.uniform(-5, 125, 2), rng.uniform(-5, 165, 2)
        brushed = brush_footprint(tuple(start), (start[0] + 7, end[1]), 12, labels.shape)
        if brushed is None:
            continue
        bbox, region = index.footprint(*brushed)
        got = _full(labels.shape, bbox, region)
        touched = np.unique(labels[brushed[0].slices][brushed[1]])
        np.testing.assert_array_equal(got, np.isin(labels, touched))
        assert got[brushed[0].slices][brushed[1]].all()
        assert region[0].any() and region[-1].any() and region[:, 0].any() and region[:, -1].any()


def test_superpixel_footprint_of_an_empty_brush_is_none():
    index = SuperpixelIndex(np.zeros((4, 4), np.int32))
    assert index.footprint(BBox(0, 2, 0, 2), np.zeros((2, 2), bool)) is None


@pytest.mark.parametrize(
    ("bbox", "brush", "error", "message"),
    [
        (BBox(0, 2, 0, 2), np.ones((2, 3), bool), ValueError, "brush: expected the shape"),
        (BBox(3, 5, 0, 2), np.ones((2, 2), bool), ValueError, "bbox: expected a box inside"),
        (BBox(0, 2, 0, 2), np.ones((2, 2), np.uint8), TypeError, "brush: expected a bool"),
        ((0, 2, 0, 2), np.ones((2, 2), bool), TypeError, "bbox: expected a BBox"),
    ],
)
def test_superpixel_footprint_rejects_bad_arguments(bbox, brush, error, message):
    index = SuperpixelIndex(np.zeros((4, 4), np.int32))
    with pytest.raises(error, match=message):
        index.footprint(bbox, brush)


def test_superpixel_index_rejects_negative_or_non_integer_labels():
    with pytest.raises(ValueError, match="labels: expected labels >= 0"):
        SuperpixelIndex(np.array([[0, -1]]))
    with pytest.raises(TypeError, match="labels: expected an integer"):
        SuperpixelIndex(np.zeros((2, 2)))


@pytest.mark.parametrize(
    ("options", "error"),
    [
        ({"n_segments": 0}, ValueError),
        ({"compactness": 0}, ValueError),
        ({"n_segments": 2.5}, TypeError),
    ],
)
def test_superpixel_labels_reject_bad_parameters(options, error):
    with pytest.raises(error, match=next(iter(options))):
        superpixel_labels(np.zeros((8, 8), np.uint8), **options)


# -- Scribbles ------------------------------------------------------------------------------


def _two_regions(inside):
    # Two noisy colour regions, one scribble in each (class ids need not be consecutive).
    rng = np.random.default_rng(8)
    image = np.where(inside[..., np.newaxis], (60, 140, 60), (150, 90, 50)).astype(float)
    image = np.clip(image + rng.normal(0, 4, image.shape), 0, 255).astype(np.uint8)
    scribbles = np.zeros(inside.shape, np.uint8)
    scribbles[10:50, 6] = 1
    scribbles[30, 50:60] = 3
    return image, np.where(inside, 3, 1).astype(np.uint8), scribbles


@pytest.fixture(scope="module")
def two_regions():
    inside = np.zeros((64, 80), bool)
    inside[:, 43:] = True
    return _two_regions(inside)


@pytest.fixture(scope="module")
def wavy_regions():
    rows, cols = np.mgrid[:64, :80]
    return _two_regions(cols > 40 + 8 * np.sin(rows / 7))


@pytest.mark.parametrize("method", ["watershed", "random_walker"])
def test_scribble_proposal_reproduces_two_regions_exactly(two_regions, method):
    image, expected, scribbles = two_regions
    proposal = scribble_proposal(image, scribbles, method=method)
    assert proposal.dtype == scribbles.dtype
    np.testing.assert_array_equal(proposal, expected)


@pytest.mark.parametrize(("method", "most_wrong"), [("watershed", 2), ("random_walker", 64)])
def test_scribble_proposal_follows_a_wavy_border(wavy_regions, method, most_wrong):
    # A staircase border: the walk, on the smoothed image, may miss a pixel per row.
    image, expected, scribbles = wavy_regions
    wrong = scribble_proposal(image, scribbles, method=method) != expected
    assert np.count_nonzero(wrong) <= most_wrong


def test_scribble_proposal_works_on_grey_and_rgba(two_regions):
    image, expected, scribbles = two_regions
    grey = image.mean(axis=2).astype(np.uint8)
    np.testing.assert_array_equal(scribble_proposal(grey, scribbles), expected)
    rgba = np.concatenate([image, np.zeros((64, 80, 1), np.uint8)], axis=2)
    np.testing.assert_array_equal(scribble_proposal(rgba, scribbles), expected)


def test_random_walker_solved_on_block_means_still_finds_the_regions(wavy_regions):
    image, expected, scribbles = wavy_regions
    proposal = scribble_proposal(image, scribbles, method="random_walker", max_pixels=500)
    assert np.mean(proposal == expected) > 0.98
    assert np.all(proposal[scribbles > 0] == scribbles[scribbles > 0])


def test_random_walker_on_a_flat_image_gives_the_nearest_scribble():
    scribbles = np.zeros((5, 9), np.int16)
    scribbles[2, 0], scribbles[2, 8] = 1, 2
    proposal = scribble_proposal(np.zeros((5, 9), np.uint8), scribbles, method="random_walker")
    assert (proposal[:, :4] == 1).all() and (proposal[:, 5:] == 2).all()


def test_classifier_proposal_finds_the_regions(wavy_regions):
    image, expected, scribbles = wavy_regions
    proposal = scribble_proposal(image, scribbles, method="classifier", n_estimators=10)
    assert np.mean(proposal == expected) > 0.97
    assert set(np.unique(proposal)) == {1, 3}


def test_classifier_without_scikit_learn_says_what_to_install(two_regions, monkeypatch):
    monkeypatch.setattr(assist_scribbles, "classifier_available", lambda: False)
    image, _, scribbles = two_regions
    message = "scribble_proposal(method='classifier') needs scikit-learn: pip install scikit-learn"
    with pytest.raises(ImportError) as raised:
        scribble_proposal(image, scribbles, method="classifier")
    assert str(raised.value) == message


def test_scribble_methods_are_named():
    assert SCRIBBLE_METHODS == ("watershed", "random_walker", "classifier")
    assert isinstance(classifier_available(), bool)


@pytest.mark.parametrize(
    ("scribbles", "options", "error", "message"),
    [
        (np.ones((4, 4), np.uint8), {}, ValueError, "scribble at least two classes; got only"),
        (np.zeros((4, 4), np.uint8), {}, ValueError, "scribble at least two classes; got no"),
        (np.zeros((4, 5), np.uint8), {}, ValueError, "scribbles: expected the image's shape"),
        (np.zeros((4, 4)), {}, TypeError, "scribbles: expected an integer"),
        (np.full((4, 4), -1), {}, ValueError, "scribbles: expected class ids >= 0"),
        (np.eye(4, dtype=np.uint8) + 1, {"method": "magic"}, ValueError, "method: expected"),
        (np.eye(4, dtype=np.uint8) + 1, {"beta": 1.0}, TypeError, "takes sigma, compactness"),
        (np.eye(4, dtype=np.uint8) + 1, {"sigma": -1}, ValueError, "sigma: expected a number"),
    ],
)
def test_scribble_proposal_rejects_bad_input(scribbles, options, error, message):
    with pytest.raises(error, match=message):
        scribble_proposal(np.zeros((4, 4), np.uint8), scribbles, **options)


# -- Model results ------------------------------------------------------------------------


def test_probability_map_is_thresholded_inclusively():
    probability = np.zeros((5, 6))
    probability[1:3, 2:5] = 0.5
    probability[4, 0] = 0.49
    bbox, footprint = probability_proposal(probability, (5, 6))
    assert bbox == BBox(1, 3, 2, 5) and footprint.all()
    assert probability_proposal(probability, (5, 6), threshold=0.4)[0] == BBox(1, 5, 0, 5)


@pytest.mark.parametrize("dtype", [bool, np.uint8, np.int64, np.float32])
def test_masks_of_every_accepted_dtype_give_their_tight_footprint(dtype):
    mask = np.zeros((7, 7), dtype)
    mask[2, 3] = mask[4, 5] = 1
    bbox, footprint = probability_proposal(mask, (7, 7))
    assert bbox == BBox(2, 5, 3, 6)
    np.testing.assert_array_equal(footprint, mask[2:5, 3:6].astype(bool))


def test_an_empty_result_is_no_proposal():
    assert probability_proposal(np.zeros((3, 3)), (3, 3)) is None
    assert probability_proposal([[False, False]], (1, 2)) is None


@pytest.mark.parametrize(
    ("result", "message"),
    [
        (
            np.zeros((3, 2)),
            "result: expected an array of the image's shape (2, 3); got shape (3, 2)",
        ),
        (np.zeros((1, 2, 3)), "got shape (1, 2, 3) (squeeze the extra axes)"),
        (np.full((2, 3), np.nan), "result: expected a probability map in [0, 1]; got NaN values"),
        (np.full((2, 3), 3.5), "got values from 3.5 to 3.5 (apply a sigmoid to logits)"),
        (np.full((2, 3), 255, np.uint8), "integer mask of 0 and 1; got values from 255 to 255"),
        (np.full((2, 3), "a"), "result: expected a bool mask, a float probability map"),
        (np.zeros((2, 3), complex), "got a complex128 array"),
        (None, "got None"),
    ],
)
def test_bad_model_results_are_explained(result, message):
    with pytest.raises(ValueError) as raised:
        probability_proposal(result, (2, 3))
    assert message in str(raised.value)


def test_threshold_must_be_a_probability():
    with pytest.raises(ValueError, match="threshold: expected a number in"):
        probability_proposal(np.zeros((2, 2)), (2, 2), threshold=0)
    with pytest.raises(TypeError, match="threshold"):
        probability_proposal(np.zeros((2, 2)), (2, 2), threshold="0.5")
