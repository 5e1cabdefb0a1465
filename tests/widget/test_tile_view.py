"""A big image is shown as tiles: bytes O(screen) per view, O(stroke) per pen event.

Driven through the real handlers: the front-end layer's "ready", pointer batches and the
widget's traits; bytes are counted from the messages the widget sends.
"""

import zlib

import numpy as np
import pytest

import seg_widget as sw
from seg_widget.core.classes import DEFAULT_PALETTE
from seg_widget.render import MAX_MESSAGE_BYTES, ImagePyramid, to_display
from seg_widget.render.instance_view import instance_color
from seg_widget.testing import (
    input_layer,
    layer_drag,
    record_messages,
    send_layer_message,
    tile_view,
)
from seg_widget.widget import tile_view as tile_view_module
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


@pytest.mark.parametrize(
    ("dtype", "channels", "limits"),
    [(np.uint8, 4, (0.0, 255.0)), (np.float32, 3, (-1.0, 3.0)), (np.float64, 0, (0.0, 1.0))],
)
def test_rgba_and_float_images_are_tiled_exactly_at_level_zero(dtype, channels, limits):
    rng = np.random.default_rng(5)
    shape = (2100, 2100, channels) if channels else (2100, 2100)
    if np.dtype(dtype).kind == "f":
        image = rng.uniform(limits[0], limits[1], shape).astype(dtype)
        image[0, :7] = np.nan  # NaN shows as the lowest value
    else:
        image = rng.integers(0, 256, shape, dtype=dtype)
    w = sw.SegmentationWidget(image, ["u", "a"], width=CSS[0], height=CSS[1])
    w.contrast_limits = limits
    layer, _ = _ready(w)
    with record_messages() as sent:
        w.zoom = 1.0
    parts = [
        (part, message.buffers[part["buffer"]])
        for message in _tile_messages(sent, layer, "tiles")
        for part in message.message["content"]["parts"]
        if part["layer"] == "image" and part["key"][0] == 0
    ]
    assert parts
    for part, data in parts:
        _, row, col = part["key"]
        box = image[row * 256 : row * 256 + part["h"], col * 256 : col * 256 + part["w"]]
        expected = to_display(box, limits)
        shown = np.frombuffer(data, np.uint8).reshape(expected.shape)
        np.testing.assert_array_equal(shown, expected)
    w.close()


# -- coded layers: proposals, overlay styles, show missing -------------------------------------

M = 4096  # tiled (above 2048²), small enough for whole-image proposals in a test


@pytest.fixture
def mid():
    w = sw.SegmentationWidget(
        np.zeros((M, M), np.uint8), ["u", "a", "b"], width=CSS[0], height=CSS[1]
    )
    yield w
    w.close()


def _parts(sent, layer, name, kind="tiles"):
    """(part, codes) of the coded layer ``name`` in the ``kind`` messages sent."""
    out = []
    for message in _tile_messages(sent, layer, kind):
        for part in message.message["content"]["parts"]:
            if part.get("layer", "overlay") != name:
                continue
            raw = message.buffers[part["buffer"]]
            data = zlib.decompress(raw) if part["deflate"] else raw
            dtype = np.uint8 if part["dtype"] == "uint8" else np.dtype("<u2")
            out.append((part, np.frombuffer(data, dtype).reshape(part["h"], part["w"])))
    return out


def _luts(sent, layer, name):
    return [
        m.message["content"]
        for m in _tile_messages(sent, layer, "tile_lut")
        if m.message["content"]["layer"] == name
    ]


def _level_zero_codes(parts, shape, at_level=0):
    """Paste the tiles of a level into a level-sized array of codes (-1 where none came)."""
    whole = np.full(shape, -1, np.int64)
    for part, codes in parts:
        level, row, col = part["key"]
        assert level == at_level
        whole[row * 256 : row * 256 + part["h"], col * 256 : col * 256 + part["w"]] = codes
    return whole


def _square(w, r0, r1, c0, c1, value):
    mask = np.zeros(w.mask.shape, np.uint8)
    mask[r0:r1, c0:c1] = value
    return mask


def test_a_proposal_is_sent_as_codes_of_the_tiles_on_screen_and_dropped_on_reject(mid):
    layer, _ = _ready(mid)
    mid.zoom = 1.0  # level 0 around the centre (2048, 2048)
    with record_messages() as sent:
        mid.propose_mask(_square(mid, 2000, 2100, 1900, 2050, 2))
    parts = _parts(sent, layer, "proposal")
    view = set(tile_view(mid).plan.view_keys())
    assert parts and {tuple(part["key"]) for part, _ in parts} == view  # on screen only
    whole = _level_zero_codes(parts, mid.mask.shape)
    expected = np.zeros((100, 150), np.int64)
    expected[:] = 1  # the white one-pixel edge
    expected[1:-1, 1:-1] = 4  # class 2 inside: code 2 + 2
    np.testing.assert_array_equal(whole[2000:2100, 1900:2050], expected)
    assert (whole[1990:2000, 1900:2050] == 0).all() and (whole[2100:2110, 1900:2050] == 0).all()
    (lut,) = _luts(sent, layer, "proposal")
    rgba = np.array(lut["rgba"], np.uint8).reshape(-1, 4)
    assert rgba[0].tolist() == [0, 0, 0, 0]
    assert rgba[1].tolist() == [255, 255, 255, 255]
    red, green, blue = mid.classes[2].color
    assert rgba[4].tolist() == [red, green, blue, 255]
    assert lut["alpha"] == pytest.approx(0.8)
    with record_messages() as rejected:
        mid.reject_proposal()
    drops = _tile_messages(rejected, layer, "tile_drop")
    assert [m.message["content"]["layer"] for m in drops] == ["proposal"]
    assert not _parts(rejected, layer, "proposal")
    with record_messages() as panned:
        mid.zoom = 0.5
    assert not _parts(panned, layer, "proposal")  # gone for good


def test_an_accepted_proposal_is_dropped_and_its_classes_reach_the_label_tiles(mid):
    layer, _ = _ready(mid)
    mid.zoom = 1.0
    mid.propose_mask(_square(mid, 2000, 2100, 1900, 2050, 2))
    with record_messages() as sent:
        assert mid.accept_proposal() == 100 * 150
    drops = [m.message["content"]["layer"] for m in _tile_messages(sent, layer, "tile_drop")]
    assert drops == ["proposal"]
    patches = _parts(sent, layer, "overlay", "tile_patch")
    assert patches and sum(int((codes == 2).sum()) for _, codes in patches) == 100 * 150


def test_a_proposal_at_the_fitted_level_has_a_one_level_pixel_edge(mid):
    layer, _ = _ready(mid)
    level = tile_view(mid).plan.level
    assert level > 0
    with record_messages() as sent:
        mid.propose_mask(_square(mid, 1024, 1536, 2048, 2560, 1))
    parts = _parts(sent, layer, "proposal")
    size = M >> level  # the fitted view shows the whole level
    assert len(parts) == len(tile_view(mid).plan.view_keys())
    codes = _level_zero_codes(parts, (size, size), level)
    lo, hi, left, right = 1024 >> level, 1536 >> level, 2048 >> level, 2560 >> level
    expected = np.zeros(codes.shape, np.int64)
    expected[lo:hi, left:right] = 1
    expected[lo + 1 : hi - 1, left + 1 : right - 1] = 3
    np.testing.assert_array_equal(codes, expected)


def test_wand_scribbles_and_a_proposal_on_a_tiled_view_all_send_proposal_tiles(mid):
    layer, _ = _ready(mid)
    with record_messages() as sent:
        mid.scribble([(2048, 2048), (2060, 2048)], label=1)
    parts = _parts(sent, layer, "proposal")
    assert parts and any((codes == 3).any() for _, codes in parts)
    mid.clear_scribbles()
    with record_messages() as sent:
        mid.propose_wand((100, 100))  # a flat image: the whole image
    parts = _parts(sent, layer, "proposal")
    assert parts and all(((codes == 1) | (codes >= 2)).all() for _, codes in parts)


def test_contours_send_the_overlay_codes_of_the_tiles_on_screen_only(mid):
    layer, _ = _ready(mid)
    mid.zoom = 1.0
    mid.propose_mask(_square(mid, 2000, 2100, 1900, 2050, 1))
    mid.accept_proposal()
    with record_messages() as sent:
        mid.contours = True
    drops = [m.message["content"]["layer"] for m in _tile_messages(sent, layer, "tile_drop")]
    assert drops == ["overlay"]
    parts = _parts(sent, layer, "overlay")
    view = tile_view(mid).plan.view_keys()
    assert sorted(tuple(part["key"]) for part, _ in parts) == sorted(map(tuple, view))
    whole = _level_zero_codes(parts, mid.mask.shape)
    expected = np.ones((100, 150), np.int64)
    expected[1:-1, 1:-1] = 0  # only the outline
    np.testing.assert_array_equal(whole[2000:2100, 1900:2050], expected)
    assert not _tile_messages(sent, layer, "tiles") or all(
        part["layer"] == "overlay"
        for m in _tile_messages(sent, layer, "tiles")
        for part in m.message["content"]["parts"]
    )  # no image tile again
    with record_messages() as back:
        mid.contours = False
    plain = _level_zero_codes(_parts(back, layer, "overlay"), mid.mask.shape)
    assert (plain[2000:2100, 1900:2050] == 1).all()


def test_colour_by_object_sends_codes_of_the_object_colours_and_their_table(mid):
    layer, _ = _ready(mid)
    mid.zoom = 1.0
    mid.propose_mask(_square(mid, 2000, 2100, 1900, 2050, 1))
    mid.accept_proposal()
    object_id = mid.make_object((2050, 1950))
    with record_messages() as sent:
        mid.color_by = "instance"
    whole = _level_zero_codes(_parts(sent, layer, "overlay"), mid.mask.shape)
    code = len(mid.classes) + (object_id - 1) % len(DEFAULT_PALETTE)
    assert (whole[2000:2100, 1900:2050] == code).all()
    assert (whole[1990:2000, 1900:2050] == 0).all()
    (lut,) = _luts(sent, layer, "overlay")
    rgba = np.array(lut["rgba"], np.uint8).reshape(-1, 4)
    assert rgba[code].tolist() == [*instance_color(object_id), 255]
    with record_messages() as only:
        mid.show_only = "class"
        mid.label = 2  # another class: the object's pixels are not shown
    shown = _level_zero_codes(_parts(only, layer, "overlay"), mid.mask.shape)
    assert (shown[2000:2100, 1900:2050] == 0).all()


def test_show_missing_sends_the_unlabelled_pixels_and_dims_the_image(mid):
    layer, _ = _ready(mid)
    mid.zoom = 1.0
    mid.propose_mask(_square(mid, 2000, 2100, 1900, 2050, 1))
    mid.accept_proposal()
    with record_messages() as sent:
        mid.show_missing = True
    whole = _level_zero_codes(_parts(sent, layer, "missing"), mid.mask.shape)
    view = tile_view(mid).plan.view_keys()
    assert len(_parts(sent, layer, "missing")) == len(view)
    assert (whole[2000:2100, 1900:2050] == 0).all()
    assert (whole[1990:2000, 1900:2050] == 1).all()
    (lut,) = _luts(sent, layer, "missing")
    assert np.array(lut["rgba"]).reshape(-1, 4).tolist() == [[0, 0, 0, 0], [255, 0, 255, 255]]
    assert lut["alpha"] == pytest.approx(0.85)
    assert layer.brightness == pytest.approx(0.45)
    with record_messages() as painted:
        layer_drag(layer, [(100, 100), (110, 100)], batch=1)  # paint: fewer missing pixels
    patches = _parts(painted, layer, "missing", "tile_patch")
    assert patches and any((codes == 0).any() for _, codes in patches)
    with record_messages() as off:
        mid.show_missing = False
    drops = [m.message["content"]["layer"] for m in _tile_messages(off, layer, "tile_drop")]
    assert drops == ["missing"] and layer.brightness == pytest.approx(1.0)


# -- progress of the first view ------------------------------------------------------------


def test_a_first_view_prepared_for_longer_than_the_limit_says_how_far_it_is(big, monkeypatch):
    monkeypatch.setattr(tile_view_module, "PROGRESS_AFTER_SECONDS", 0.0)
    _ready(big)
    tiles = tile_view(big)
    total = tiles.pending_refinements
    assert total > 1  # previews first at 16384²
    assert big.status.endswith(f"⏳ preparing the view: 0 of {total} tiles exact")
    lines = []
    while tiles.pending_refinements:
        tiles.refine(0.02)
        lines.append(big.status)
    assert "⏳" not in big.status  # ready: the line is gone
    steps = [line for line in lines[:-1] if "tiles exact" in line]
    done = [int(line.split("view: ")[1].split(" of")[0]) for line in steps]
    assert steps and done == sorted(done) and all(0 <= n < total for n in done)


def test_a_first_view_ready_within_the_limit_shows_no_progress_line():
    w = sw.SegmentationWidget(
        np.zeros((8192, 8192), np.uint8), ["u", "a"], width=CSS[0], height=CSS[1]
    )
    statuses = []
    w.observe(lambda change: statuses.append(change.new), "status")
    _ready(w)
    tiles = tile_view(w)
    while tiles.pending_refinements:
        tiles.refine(0.05)
    assert not any("preparing the view" in status for status in statuses)
    w.close()
