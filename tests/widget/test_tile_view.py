"""A big image is shown as tiles: bytes O(screen) per view, O(stroke) per pen event.

Driven through the real handlers: the front-end layer's "ready", pointer batches and the
widget's traits; bytes are counted from the messages the widget sends.
"""

import zlib

import numpy as np
import pytest

import seg_widget as sw
from seg_widget.render import MAX_MESSAGE_BYTES, ImagePyramid, to_display
from seg_widget.testing import (
    input_layer,
    layer_drag,
    record_messages,
    send_layer_message,
    tile_view,
)
from seg_widget.widget.tile_view import is_tiled

N = 16384
CSS = (1000, 700)


@pytest.fixture(scope="module")
def big_image():
    image = np.zeros((N, N), np.uint8)
    image[:, ::5] = 200  # stripes: a preview and an exact tile differ
    return image


def _ready(w):
    layer = input_layer(w)
    with record_messages() as sent:
        send_layer_message(
            layer,
            {"type": "ready", "css_width": CSS[0], "css_height": CSS[1], "device_pixel_ratio": 1},
        )
    return layer, sent


def _tile_messages(sent, layer, kind=None):
    out = []
    for message in sent:
        if message.widget is not layer or message.message.get("method") != "custom":
            continue
        content = message.message["content"]
        if content["type"].startswith("tile") and kind in (None, content["type"]):
            out.append(message)
    return out


def _bytes(messages):
    return sum(message.nbytes for message in messages)


def _screen_bytes(w):
    width, height = w.canvas.width, w.canvas.height
    return width * height


@pytest.fixture
def big(big_image):
    w = sw.SegmentationWidget(big_image, ["u", "a", "b"], width=CSS[0], height=CSS[1])
    yield w
    w.close()


def test_a_16384_image_first_view_sends_about_one_screen_of_bytes(big):
    layer, sent = _ready(big)
    tiles = _tile_messages(sent, layer)
    assert tiles, "the first view sent no tiles"
    total = _bytes(tiles)
    # Grey bytes of the fitted view's tiles (partly outside the view) plus deflated labels:
    # well under 8 MB, a few screens at most; the whole image would be 268 MB.
    assert total < 4 * _screen_bytes(big)
    assert all(message.nbytes <= MAX_MESSAGE_BYTES for message in sent)
    assert layer.tile_size == 256


def test_a_pen_stroke_sends_only_patches_of_the_tiles_it_touches(big):
    layer, _ = _ready(big)
    big.zoom = 1.0  # pixel level at the view centre
    with record_messages() as sent:
        layer_drag(layer, [(400, 300), (420, 305), (440, 310)], batch=1)
    assert big.mask.any()  # the kernel's mask is the truth
    patches = _tile_messages(sent, layer, "tile_patch")
    assert patches
    assert _bytes(patches) < 4096  # a few deflated boxes of class ids
    assert not _tile_messages(sent, layer, "tiles")
    # The patch carries the level's samples of the new mask.
    content = patches[0].message["content"]["parts"][0]
    raw = patches[0].buffers[0]
    ids = np.frombuffer(zlib.decompress(raw) if content["deflate"] else raw, np.uint8)
    assert ids.size == content["h"] * content["w"]
    assert (ids == big.label).any()


def test_a_pan_sends_at_most_the_bytes_of_one_view(big):
    layer, _ = _ready(big)
    with record_messages() as one_to_one:
        big.zoom = 1.0  # a whole new view of level-0 tiles
    view_bytes = _bytes(_tile_messages(one_to_one, layer, "tiles"))
    start = big.canvas_to_image(0, 0)
    with record_messages() as sent:
        layer_drag(layer, [(900, 350), (100, 350)], batch=1, button=1)  # middle: pan
    assert big.canvas_to_image(0, 0)[0] == pytest.approx(start[0] + 800)
    assert big.mask.sum() == 0
    moved = _tile_messages(sent, layer, "tiles")
    assert moved and _bytes(moved) <= view_bytes


def test_brightness_and_contrast_send_no_pixels(big):
    layer, _ = _ready(big)
    with record_messages() as sent:
        big.brightness = 1.5
        big.contrast = 0.8
    assert not _tile_messages(sent, layer)
    assert (layer.brightness, layer.contrast) == (1.5, 0.8)
    assert _bytes(sent) < 1024


def test_idle_refinement_replaces_previews_with_exact_tiles(big, big_image):
    layer, sent = _ready(big)
    parts = [
        part
        for message in _tile_messages(sent, layer, "tiles")
        for part in message.message["content"]["parts"]
    ]
    assert any(part["layer"] == "image" and not part["exact"] for part in parts)
    tiles = tile_view(big)
    with record_messages() as refined:
        while tiles.pending_refinements:
            tiles.refine(0.2)
    exact = _tile_messages(refined, layer, "tiles")
    fresh = ImagePyramid(big_image)
    for message in exact[:1]:
        part = message.message["content"]["parts"][0]
        assert part["exact"]
        pixels = np.frombuffer(message.buffers[0], np.uint8).reshape(part["h"], part["w"])
        np.testing.assert_array_equal(pixels, fresh.tile(tuple(part["key"])))


def test_an_undo_sends_patches_and_the_mask_follows(big):
    layer, _ = _ready(big)
    layer_drag(layer, [(400, 300), (420, 300)], batch=1)
    assert big.mask.any()
    with record_messages() as sent:
        big.undo()
    assert not big.mask.any()
    assert _tile_messages(sent, layer, "tile_patch")


def test_new_contrast_limits_resend_only_the_shown_image_tiles(big):
    layer, first = _ready(big)
    with record_messages() as sent:
        big.contrast_limits = (0, 100)
    drops = _tile_messages(sent, layer, "tile_drop")
    assert [m.message["content"]["layer"] for m in drops] == ["image"]
    again = _tile_messages(sent, layer, "tiles")
    assert again and _bytes(again) <= _bytes(_tile_messages(first, layer, "tiles"))


def test_a_small_image_keeps_the_whole_image_path():
    w = sw.SegmentationWidget(np.zeros((512, 512), np.uint8), ["u", "a"])
    layer, sent = _ready(w)
    assert layer.tile_size == 0
    assert not _tile_messages(sent, layer)
    assert not is_tiled((2048, 2048)) and is_tiled((2049, 2048))


def test_a_16_bit_image_is_tiled_through_its_contrast_limits_exactly():
    rng = np.random.default_rng(3)
    image = rng.integers(1000, 5000, (2100, 2100), dtype=np.uint16)
    w = sw.SegmentationWidget(image, ["u", "a"], width=CSS[0], height=CSS[1])
    w.contrast_limits = (1000.0, 5000.0)
    layer, _ = _ready(w)
    with record_messages() as sent:
        w.zoom = 1.0  # level 0: the exact pixels
    parts = [
        (part, message.buffers[part["buffer"]])
        for message in _tile_messages(sent, layer, "tiles")
        for part in message.message["content"]["parts"]
        if part["layer"] == "image"
    ]
    assert parts
    part, data = parts[0]
    level, row, col = part["key"]
    assert level == 0
    box = image[row * 256 : row * 256 + part["h"], col * 256 : col * 256 + part["w"]]
    shown = np.frombuffer(data, np.uint8).reshape(part["h"], part["w"])
    np.testing.assert_array_equal(shown, to_display(box, (1000.0, 5000.0)))
