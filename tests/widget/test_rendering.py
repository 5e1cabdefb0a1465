"""What the kernel sends to the browser: lossless pixels once, small commands after."""

import io
import struct

import numpy as np
import pytest
from PIL import Image

import seg_widget as sw
from seg_widget.testing import mouse_drag, record_messages, send_canvas_event
from seg_widget.widget import tile_view

from .test_instances import shown

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
JPEG_SIGNATURE = b"\xff\xd8\xff"


def pixel_buffers(messages):
    return [
        b for m in messages for b in m.buffers if b[:8] == PNG_SIGNATURE or b[:3] == JPEG_SIGNATURE
    ]


def open_widget(widget):
    """Simulate the browser creating the canvases (first display or page reload)."""
    with record_messages() as sent:
        send_canvas_event(widget.canvas, "client_ready")
    return sent


def test_client_ready_sends_the_image_losslessly_as_png(widget):
    sent = open_widget(widget)
    images = pixel_buffers(sent)
    assert images and all(b[:8] == PNG_SIGNATURE for b in images)
    decoded = np.asarray(Image.open(io.BytesIO(images[0])))
    from seg_widget.render.display import to_display

    expected = to_display(widget.image, widget.contrast_limits)
    np.testing.assert_array_equal(decoded, expected[: decoded.shape[0]])


def test_rgb_images_are_never_sent_as_jpeg():
    rgb = np.random.default_rng(0).integers(0, 255, (64, 80, 3), dtype=np.uint8)
    w = sw.SegmentationWidget(rgb, classes=["a", "b"])
    images = pixel_buffers(open_widget(w))
    decoded = np.asarray(Image.open(io.BytesIO(images[0])))
    np.testing.assert_array_equal(decoded, rgb)


def test_large_images_are_sent_in_bands_of_at_most_16_mb(monkeypatch):
    # Images this big are tiled by default; the whole-image path still bands its transfer.
    monkeypatch.setattr(tile_view, "TILED_ABOVE_PIXELS", 10**9)
    image = np.zeros((3000, 3000, 3), np.uint8)
    w = sw.SegmentationWidget(image, classes=["a", "b"])
    images = pixel_buffers(open_widget(w))
    assert len(images) >= 2
    for png in images:
        width, height = struct.unpack(">II", png[16:24])
        assert width * height * 3 <= 16 * 2**20


def command_text(messages):
    return b"".join(b for m in messages for b in m.buffers).decode("utf-8", "replace")


def class_color(widget, class_id):
    r, g, b = widget.classes[class_id].color
    return f"#{r:02x}{g:02x}{b:02x}"


def test_existing_mask_is_drawn_on_open(widget):
    widget.mask[10:20, 10:20] = 1
    widget.refresh()
    sent = open_widget(widget)
    assert class_color(widget, 1) in command_text(sent)  # as exact runs of its colour


def test_noisy_masks_are_drawn_as_lossless_png_bands(widget):
    noise = np.random.default_rng(1).integers(0, 3, (100, 100))
    widget.mask = noise
    sent = open_widget(widget)
    overlays = pixel_buffers(sent)[1:]  # after the image
    decoded = np.asarray(Image.open(io.BytesIO(overlays[0])))
    from seg_widget.render.overlay import color_lut

    lut = color_lut([c.color for c in widget.classes])
    np.testing.assert_array_equal(decoded, lut[noise])


def test_pen_event_sends_a_small_patch_and_no_image(widget):
    open_widget(widget)
    send_canvas_event(widget.canvas, "mouse_down", x=42, y=42)
    with record_messages() as sent:
        send_canvas_event(widget.canvas, "mouse_move", x=60, y=50)
    assert not pixel_buffers(sent)
    assert sum(m.nbytes for m in sent) < 4000


@pytest.mark.parametrize(
    "change",
    [
        lambda w: setattr(w, "zoom", 6.0),
        lambda w: w.pan(10, 5),
        lambda w: setattr(w, "brightness", 1.4),
        lambda w: setattr(w, "contrast", 0.7),
        lambda w: send_canvas_event(w.canvas, "mouse_wheel", x=0, y=100),
    ],
    ids=["zoom", "pan", "brightness", "contrast", "wheel"],
)
def test_view_changes_send_less_than_1_kb_and_no_pixels(widget, change):
    open_widget(widget)
    with record_messages() as sent:
        change(widget)
    assert not pixel_buffers(sent)
    assert 0 < sum(m.nbytes for m in sent) < 1024


def test_brightness_filters_the_image_but_never_the_overlay(widget):
    open_widget(widget)
    with record_messages() as sent:
        widget.brightness = 1.5
    commands = b"".join(b for m in sent for b in m.buffers)
    text = commands.decode("utf-8", "replace")
    filter_at = text.index("brightness(1.5)")
    reset_at = text.index('"none"', filter_at)
    assert filter_at < reset_at  # the filter is switched off again before the overlay


def test_overlay_patch_is_exact_runs_of_class_colours(widget):
    open_widget(widget)
    widget.label = 2
    with record_messages() as sent:
        mouse_drag(widget.canvas, [(42, 42)])
    assert class_color(widget, 2) in command_text(sent)


def test_contrast_limits_remap_a_16_bit_image_and_resend_it_once():
    image = np.array([[0, 1000], [2000, 4000]], np.uint16)
    w = sw.SegmentationWidget(image, classes=["a", "b"])
    assert w.contrast_limits == (0.0, 4000.0)
    with record_messages() as sent:
        w.contrast_limits = (1000, 2000)
    (png,) = pixel_buffers(sent)
    np.testing.assert_array_equal(np.asarray(Image.open(io.BytesIO(png))), [[0, 0], [255, 255]])
    with pytest.raises(ValueError, match="limits"):
        w.contrast_limits = (5, 5)
    assert w.contrast_limits == (1000.0, 2000.0)


def test_undoing_a_large_fill_clears_its_box_and_sends_no_runs():
    # An undone fill leaves nothing labelled in its box: the clear alone repaints it.
    w = sw.SegmentationWidget(np.zeros((200, 200), np.uint8), classes=["u", "a"], pixel_ratio=1)
    replay = shown(w)
    with replay.watching():
        w.fill_polygon([(20, 20), (20, 180), (180, 180), (180, 20)], label=1)
    assert (replay.rgba[..., 3] > 0).sum() == (w.mask == 1).sum() > 10_000
    with replay.watching(), record_messages() as sent:
        w.undo()
    assert not (replay.rgba[..., 3] > 0).any()
    assert len(b"".join(b for m in sent for b in m.buffers)) < 2_000
