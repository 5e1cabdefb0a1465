"""The weight-free prompt model: a click or a box finds the object on real images."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import ndimage
from skimage import data, filters, measure, morphology, segmentation

from seg_widget.core.model_session import ModelSession
from seg_widget.core.model_watershed import WatershedPromptModel, colour_gradient
from seg_widget.core.prompt_model import Prompt


def _iou(a, b):
    return np.count_nonzero(a & b) / np.count_nonzero(a | b)


@pytest.fixture(scope="module")
def coins():
    """``skimage.data.coins()`` and its coins (the scikit-image gallery's recipe)."""
    image = data.coins()
    markers = np.zeros_like(image)
    markers[image < 30] = 1
    markers[image > 150] = 2
    labelled = segmentation.watershed(filters.sobel(image), markers) == 2
    labelled = ndimage.binary_fill_holes(labelled)
    labelled = morphology.remove_small_objects(labelled, max_size=100)
    return image, measure.label(labelled)


def test_one_click_per_coin_finds_each_coin(coins):
    image, labels = coins
    model = WatershedPromptModel()
    state = model.prepare(image)
    scores = []
    for region in measure.regionprops(labels):
        row, col = region.centroid
        mask = model.predict(state, Prompt.of([(col + 0.5, row + 0.5)]))
        scores.append(_iou(mask, labels == region.label))
    assert len(scores) == 24
    assert min(scores) >= 0.95


def test_a_box_finds_the_coin_and_nothing_outside_it(coins):
    image, labels = coins
    model = WatershedPromptModel()
    region = measure.regionprops(labels)[5]
    row0, col0, row1, col1 = region.bbox
    mask = model.predict(model.prepare(image), Prompt.of(box_xyxy=(col0, row0, col1, row1)))
    assert _iou(mask, labels == region.label) >= 0.95
    outside = np.ones(mask.shape, bool)
    outside[row0:row1, col0:col1] = False
    assert not mask[outside].any()


def test_a_negative_point_keeps_a_touching_region_out():
    image = np.zeros((30, 40), np.uint8)
    image[5:25, 5:20] = 120
    image[5:25, 20:35] = 240  # touching, but brighter
    model = WatershedPromptModel(sigma=0)
    state = model.prepare(image)
    both = model.predict(state, Prompt.of([(10, 15), (30, 15)]))
    left = model.predict(state, Prompt.of([(10, 15), (30, 15)], [1, 0]))
    assert both[8:22, 8:32].all()
    assert left[8:22, 8:18].all() and not left[:, 21:].any()


def test_a_click_floods_only_a_window_around_the_points():
    image = np.zeros((60, 80), np.uint8)
    image[10:50, 10:70] = 200  # larger than the window
    model = WatershedPromptModel(sigma=0, point_window=8)
    mask = model.predict(model.prepare(image), Prompt.of([(40.5, 30.5)]))
    rows, cols = np.nonzero(mask)
    assert mask[30, 40]
    assert rows.min() >= 30 - 8 and rows.max() <= 30 + 8
    assert cols.min() >= 40 - 8 and cols.max() <= 40 + 8


def test_only_negative_points_give_an_empty_region():
    model = WatershedPromptModel()
    state = model.prepare(np.zeros((10, 10), np.uint8))
    assert not model.predict(state, Prompt.of([(3, 3)], [0])).any()


def test_sixteen_bit_and_rgba_images_are_stretched_to_the_display_range():
    grey = np.zeros((20, 20), np.uint16)
    grey[5:15, 5:15] = 4000
    rgba = np.zeros((20, 20, 4), np.uint8)
    rgba[5:15, 5:15, :3] = 255
    assert colour_gradient(grey).shape == (20, 20)
    np.testing.assert_allclose(colour_gradient(grey), colour_gradient(rgba), atol=0.05)


def test_it_runs_in_a_session_with_its_own_state_size():
    image = np.zeros((30, 30, 3), np.uint8)
    image[10:20, 10:20] = (200, 30, 30)
    with ModelSession(WatershedPromptModel()) as session:
        prediction = session.predict(image, Prompt.of([(15, 15)]), key="red").result(10)
        assert session.cache.nbytes == 30 * 30 * 4
    assert prediction.ok
    assert prediction.mask()[12:18, 12:18].all() and not prediction.mask()[:8].any()


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"sigma": -1}, "sigma: expected a number >= 0"),
        ({"compactness": "x"}, "compactness: expected a number >= 0"),
        ({"box_margin": 0}, "box_margin: expected an int >= 1"),
        ({"point_window": 2.5}, "point_window: expected an int >= 1"),
    ],
)
def test_bad_options_are_refused_naming_them(options, message):
    with pytest.raises(ValueError, match=message):
        WatershedPromptModel(**options)
