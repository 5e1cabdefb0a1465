"""Contrast limits in the panel: a range slider with Auto and Min–max, for any image dtype."""

import numpy as np
import pytest

import seg_widget as sw
from seg_widget.render.display import auto_limits, to_display
from seg_widget.testing import find_control, record_messages
from seg_widget.widget.panels import ContrastControl


def sixteen_bit():
    """A 16-bit ramp 1000..4999 with a few saturated pixels (0.05 %)."""
    rng = np.random.default_rng(0)
    image = rng.integers(1000, 5000, (200, 200)).astype(np.uint16)
    image.flat[rng.choice(image.size, 20, replace=False)] = 65535
    return image


def control(w):
    return find_control(w, ContrastControl)


def test_a_16_bit_image_with_saturated_pixels_starts_from_robust_limits():
    image = sixteen_bit()
    w = sw.SegmentationWidget(image, ["u", "a"])
    low, high = w.contrast_limits
    assert 1000 <= low < 1050 and 4950 < high <= 5000  # not 65535: the image is not black
    assert (low, high) == auto_limits(image)
    shown = to_display(image, w.contrast_limits)
    assert np.median(shown) > 100  # min..max limits would show it almost black
    assert np.median(to_display(image, (1000, 65535))) < 20


def test_8_bit_images_start_unchanged_and_auto_rescues_a_dark_photo():
    rng = np.random.default_rng(1)
    dark = rng.integers(0, 31, (100, 100, 3)).astype(np.uint8)  # 12 % exposure
    w = sw.SegmentationWidget(dark, ["u", "a"])
    assert w.contrast_limits == (0.0, 255.0)
    slider = control(w).slider
    assert (slider.min, slider.max, slider.value) == (0, 255, (0, 255))
    control(w).auto.click()
    low, high = w.contrast_limits
    assert low <= 1 and 29 <= high <= 30
    assert slider.value == (low, high)
    assert to_display(dark, w.contrast_limits).mean() > 100


@pytest.mark.parametrize(
    ("image", "kind"),
    [
        (np.arange(256, dtype=np.uint8).reshape(16, 16), "IntRangeSlider"),
        (sixteen_bit(), "IntRangeSlider"),
        (np.linspace(-2.0, 3.0, 400).reshape(20, 20), "FloatRangeSlider"),
    ],
    ids=["uint8", "uint16", "float"],
)
def test_the_slider_spans_the_image_values_and_sets_the_limits(image, kind):
    w = sw.SegmentationWidget(image, ["u", "a"])
    panel = control(w)
    slider = panel.slider
    assert type(slider).__name__ == kind
    data_low, data_high = panel.data_range
    assert (slider.min, slider.max) == pytest.approx((data_low, data_high))
    new = (
        data_low + (data_high - data_low) / 4,
        data_low + (data_high - data_low) / 2,
    )
    if kind == "IntRangeSlider":
        new = (round(new[0]), round(new[1]))
    with record_messages() as sent:
        slider.value = new
    assert w.contrast_limits == pytest.approx(new)
    assert sum(len(m.buffers) for m in sent) >= 1  # the image was mapped and sent again
    panel.full.click()
    assert w.contrast_limits == pytest.approx(panel.data_range)
    panel.auto.click()
    assert w.contrast_limits == auto_limits(image)
    assert slider.value == pytest.approx(w.contrast_limits, abs=1)


def test_python_and_the_slider_are_two_views_of_one_state():
    w = sw.SegmentationWidget(sixteen_bit(), ["u", "a"])
    w.contrast_limits = (100, 70000)  # beyond the image's values: the slider widens
    slider = control(w).slider
    assert slider.value == (100, 70000) and slider.max == 70000
    slider.value = (2000, 2000)  # low == high: refused, said, and the slider shows the truth
    assert w.contrast_limits == (100.0, 70000.0)
    assert w.message.startswith("⚠ contrast_limits: expected (low, high) finite reals")
    assert slider.value == (100, 70000)


def test_bad_limits_from_python_raise_and_change_nothing():
    w = sw.SegmentationWidget(sixteen_bit(), ["u", "a"])
    before = w.contrast_limits
    with pytest.raises(ValueError, match="contrast_limits: expected"):
        w.contrast_limits = (5, 5)
    with pytest.raises(TypeError, match="contrast_limits: expected"):
        w.contrast_limits = ("a", 5)
    assert w.contrast_limits == before
