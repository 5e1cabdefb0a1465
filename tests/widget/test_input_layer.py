"""The input layer's kernel side: message validation, decoding, acknowledgements, masks."""

import logging

import ipywidgets as widgets
import numpy as np
import pytest

from seg_widget.testing import layer_drag, send_layer_message
from seg_widget.widget.input_layer import InputLayer, esm_source, stacked
from seg_widget.widget.pointer import KeyEvent, PointerEvent, WheelEvent


def _receive(layer, content, buffers=()):
    send_layer_message(layer, content, buffers)


def _sent(layer, monkeypatch):
    sent = []
    monkeypatch.setattr(
        layer, "send", lambda content, buffers=None: sent.append((content, buffers))
    )
    return sent


POINTER = {
    "type": "pointer",
    "batch": 7,
    "events": [
        ["down", 10.5, 20.25, 0, 1, 1, 1000.5, 1],
        ["move", 11.0, 21.0, -1, 1, 0, 1004.0, 0],
        ["up", -5.0, 900.0, 0, 0, 10, 1008.0, 1],
    ],
}


def test_a_pointer_batch_reaches_the_callback_as_pointer_events_in_order():
    layer = InputLayer()
    received = []
    layer.on_pointer_batch(received.append)
    _receive(layer, POINTER)
    assert received == [
        [
            PointerEvent("down", 10.5, 20.25, 0, 1, shift=True, time_ms=1000.5, batch=7, clicks=1),
            PointerEvent("move", 11.0, 21.0, -1, 1, time_ms=1004.0, batch=7),
            PointerEvent(
                "up", -5.0, 900.0, 0, 0, ctrl=True, meta=True, time_ms=1008.0, batch=7, clicks=1
            ),
        ]
    ]


def test_an_applied_batch_is_acknowledged_after_the_callbacks(monkeypatch):
    layer = InputLayer()
    sent = _sent(layer, monkeypatch)
    layer.on_pointer_batch(lambda events: sent.append(("callback", events[0].batch)))
    _receive(layer, POINTER)
    assert sent == [("callback", 7), ({"type": "ack", "batch": 7}, None)]


def test_without_auto_acknowledge_the_router_acknowledges_itself(monkeypatch):
    layer = InputLayer()
    layer.auto_acknowledge = False
    sent = _sent(layer, monkeypatch)
    _receive(layer, POINTER)
    assert sent == []
    layer.acknowledge(7)
    assert sent == [({"type": "ack", "batch": 7}, None)]
    with pytest.raises(TypeError, match="batch: expected an int, got str"):
        layer.acknowledge("7")


def test_a_deferred_acknowledgement_waits_and_the_newest_batch_covers_the_held_ones(monkeypatch):
    layer = InputLayer()
    sent = _sent(layer, monkeypatch)
    layer.on_pointer_batch(lambda events: layer.defer_acknowledgement())
    for batch in (7, 8):
        _receive(layer, {**POINTER, "batch": batch})
    assert sent == []  # the kernel has not drawn these batches yet
    layer.release_acknowledgement()
    assert sent == [({"type": "ack", "batch": 8}, None)]
    layer.release_acknowledgement()  # nothing held any more: nothing sent
    assert len(sent) == 1


def test_a_batch_acknowledged_at_once_drops_the_held_acknowledgement(monkeypatch):
    layer = InputLayer()
    sent = _sent(layer, monkeypatch)
    defer = [True]
    layer.on_pointer_batch(lambda events: defer[0] and layer.defer_acknowledgement())
    _receive(layer, {**POINTER, "batch": 7})
    defer[0] = False
    _receive(layer, {**POINTER, "batch": 8})  # drawn at once: its acknowledgement covers 7
    layer.release_acknowledgement()
    assert sent == [({"type": "ack", "batch": 8}, None)]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ({"type": "pointer", "batch": "7", "events": POINTER["events"]}, "batch: expected an int"),
        ({"type": "pointer", "batch": 7, "events": []}, "events: expected a list of 1 to"),
        ({"type": "pointer", "batch": 7, "events": [["down", 1, 2]]}, "events: expected 8 fields"),
        (
            {"type": "pointer", "batch": 7, "events": [["jump", 1, 2, 0, 1, 0, 1, 1]]},
            "kind: expected",
        ),
        (
            {"type": "pointer", "batch": 7, "events": [["down", "1", 2, 0, 1, 0, 1, 1]]},
            "x: expected a number",
        ),
        (
            {"type": "pointer", "batch": 7, "events": [["down", 1e300, 2, 0, 1, 0, 1, 1]]},
            "x: expected a finite",
        ),
        (
            {"type": "pointer", "batch": 7, "events": [["down", 1, 2, 9, 1, 0, 1, 1]]},
            "button: expected an int in",
        ),
        (
            {"type": "pointer", "batch": 7, "events": [["down", 1, 2, 0, True, 0, 1, 1]]},
            "buttons: expected an int",
        ),
        ({"type": "key", "key": "b", "down": 1, "modifiers": 0}, "down: expected a bool"),
        ({"type": "key", "key": "", "down": True, "modifiers": 0}, "key: expected"),
        (
            {"type": "wheel", "x": 1, "y": 2, "dx": 0, "dy": None, "modifiers": 0},
            "dy: expected a number",
        ),
        (
            {"type": "resize", "css_width": -3, "css_height": 9, "device_pixel_ratio": 1},
            "css_width",
        ),
        ({"type": "launch"}, "unknown message type 'launch'"),
        (["pointer"], "unknown message type None"),
    ],
)
def test_a_malformed_message_is_dropped_with_a_log_line(content, message, caplog, monkeypatch):
    layer = InputLayer()
    sent = _sent(layer, monkeypatch)
    calls = []
    for register in (layer.on_pointer_batch, layer.on_key, layer.on_wheel, layer.on_resize):
        register(lambda *args: calls.append(args))
    with caplog.at_level(logging.WARNING, logger="seg_widget"):
        _receive(layer, content)
    assert calls == [] and sent == []
    assert "dropped a malformed input-layer message" in caplog.text
    assert message in caplog.text


def test_a_failing_callback_is_logged_and_the_next_one_still_runs(caplog):
    layer = InputLayer()
    received = []
    layer.on_pointer_batch(lambda events: 1 / 0)
    layer.on_pointer_batch(received.append)
    with caplog.at_level(logging.ERROR, logger="seg_widget"):
        _receive(layer, POINTER)
    assert len(received) == 1
    assert "on_pointer_batch callback failed" in caplog.text


def test_keys_wheel_and_sizes_are_decoded():
    layer = InputLayer()
    keys, wheels, ready, resized = [], [], [], []
    layer.on_key(keys.append)
    layer.on_wheel(wheels.append)
    layer.on_ready(lambda *size: ready.append(size))
    layer.on_resize(lambda *size: resized.append(size))
    _receive(layer, {"type": "key", "key": "Z", "down": True, "modifiers": 3})
    _receive(layer, {"type": "key", "key": " ", "down": False, "modifiers": 0})
    _receive(layer, {"type": "wheel", "x": 5, "y": 6.5, "dx": 0, "dy": -120, "modifiers": 2})
    assert not layer.ready
    _receive(
        layer,
        {
            "type": "ready",
            "version": 1,
            "css_width": 800,
            "css_height": 600,
            "device_pixel_ratio": 2,
        },
    )
    _receive(
        layer, {"type": "resize", "css_width": 640.5, "css_height": 600, "device_pixel_ratio": 2}
    )
    assert keys == [KeyEvent("Z", True, shift=True, ctrl=True), KeyEvent(" ", False)]
    assert wheels == [WheelEvent(5.0, 6.5, 0.0, -120.0, ctrl=True)]
    assert ready == [(800.0, 600.0, 2.0)] and resized == [(640.5, 600.0, 2.0)]
    assert layer.ready and layer.client_size == (640.5, 600.0, 2.0)


def test_a_browser_error_is_reported_to_on_error(caplog):
    layer = InputLayer()
    errors = []
    layer.on_error(errors.append)
    with caplog.at_level(logging.WARNING, logger="seg_widget"):
        _receive(layer, {"type": "error", "message": "boom"})
    assert errors == ["boom"]
    assert "input layer failed in the browser: boom" in caplog.text


def test_watch_ready_reports_a_layer_that_never_started():
    import threading

    layer = InputLayer()
    missing = threading.Event()
    layer.watch_ready(0.05, missing.set)
    assert missing.wait(2.0)


def test_watch_ready_stays_quiet_once_a_view_started():
    import threading
    import time

    layer = InputLayer()
    missing = threading.Event()
    layer.watch_ready(0.05, missing.set)
    _receive(layer, {"type": "ready", "css_width": 1, "css_height": 1, "device_pixel_ratio": 1})
    time.sleep(0.2)
    assert not missing.is_set()


def test_shown_indices_follow_nearest_neighbour_sampling():
    layer = InputLayer(image_shape=[50, 40])
    layer.set_view(zoom=3.0, offset_x=-7.5, offset_y=10.0, canvas_size=(60, 30))
    rows, cols = layer.shown_indices()
    assert rows.tolist() == list(range(0, 7))  # canvas rows 10..29 show image rows 0..6
    assert cols.tolist() == list(range(2, 23))  # floor((x + 0.5 + 7.5) / 3) for x in 0..59
    layer.set_view(zoom=0.25, offset_x=0.0, offset_y=0.0, canvas_size=(4, 4))
    rows, cols = layer.shown_indices()
    assert rows.tolist() == [2, 6, 10, 14] and cols.tolist() == [2, 6, 10, 14]


def test_send_editable_packs_the_shown_pixels_of_the_preserve_rule(monkeypatch):
    layer = InputLayer(image_shape=[6, 8])
    layer.set_view(zoom=1.0, offset_x=0.0, offset_y=0.0, canvas_size=(8, 6))
    sent = _sent(layer, monkeypatch)
    labels = np.zeros((6, 8), np.uint8)
    labels[0, :4] = 2
    labels[1, :4] = 1
    layer.send_editable_labels(labels, 2)
    [(content, buffers)] = sent
    assert content == {"type": "editable", "view": [1.0, 0.0, 0.0, 8, 6]}
    rows = np.frombuffer(buffers[0], "<i4")
    paint = np.unpackbits(np.frombuffer(buffers[2], np.uint8))[: 6 * 8].reshape(6, 8)
    erase = np.unpackbits(np.frombuffer(buffers[3], np.uint8))[: 6 * 8].reshape(6, 8)
    assert rows.tolist() == list(range(6))
    assert paint[0].tolist() == [1] * 8 and paint[1].tolist() == [0] * 4 + [1] * 4
    assert erase.sum() == 4 and erase[0, :4].all()


def test_send_editable_rejects_a_mask_of_the_wrong_shape():
    layer = InputLayer(image_shape=[6, 8])
    layer.set_view(zoom=1.0, offset_x=0.0, offset_y=0.0, canvas_size=(8, 6))
    with pytest.raises(
        ValueError, match=r"paint: expected a bool array of shape \(6, 8\), got \(8, 6\)"
    ):
        layer.send_editable(np.ones((8, 6), bool), np.ones((6, 8), bool))


@pytest.mark.parametrize(
    ("trait", "value", "message"),
    [
        ("zoom", 0.0, "zoom: expected a positive number"),
        ("brush_size", 0.5, "brush_size: expected a diameter >= 1"),
        ("opacity", 1.5, "opacity: expected a number in"),
        ("color", "red", "color: expected '#rrggbb'"),
        ("canvas_width", 0, "canvas_width: expected an int >= 1"),
    ],
)
def test_the_kernel_settings_are_validated(trait, value, message):
    layer = InputLayer()
    with pytest.raises(ValueError, match=message):
        setattr(layer, trait, value)


def test_stacked_puts_the_layer_over_the_canvas_in_one_grid_cell():
    base = widgets.HTML("canvas")
    layer = InputLayer()
    grid = stacked(base, layer)
    assert grid.children == (base, layer)
    assert base.layout.grid_area == layer.layout.grid_area == "1 / 1 / 2 / 2"


def test_the_shipped_module_is_one_file_with_a_default_export():
    source = esm_source()
    assert "from './" not in source
    assert source.count("export default") == 1
    assert "function brushFootprint" in source and "class PointerBatcher" in source


def test_the_demo_kernel_paints_the_brush_footprint_of_a_drag():
    from seg_widget.core.raster import brush_footprint
    from seg_widget.widget.layer_demo import LayerDemo

    demo = LayerDemo((90, 130), (520, 360), zoom=4.0, brush_size=5, pixel_ratio=1.0)
    layer_drag(demo.layer, [(41.0, 41.0), (81.0, 41.0)])
    # (41, 41) / 4 -> pixel centre (10.5, 10.5); (81, 41) / 4 -> (20.5, 10.5), as (row, col).
    bbox, inside = brush_footprint((10.5, 10.5), (10.5, 20.5), 5, (90, 130))
    expected = np.zeros((90, 130), bool)
    expected[bbox.slices] = inside
    np.testing.assert_array_equal(demo.mask == 1, expected)
    layer_drag(demo.layer, [(41.0, 41.0), (81.0, 41.0)], batch=2, button=2)
    assert demo.mask.sum() == 0  # the right button erases
    layer_drag(demo.layer, [(200.0, 200.0), (240.0, 180.0)], batch=3, button=1)
    assert demo.mask.sum() == 0 and demo.css_offset == (40.0, -20.0)  # the middle button pans
