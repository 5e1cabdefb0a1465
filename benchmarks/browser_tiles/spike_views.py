"""Three ways of holding and drawing tiles in the browser, for the measurement in driver.py.

Imported by the notebook kernel the driver starts. Every view shows the same thing (image
tiles at the zoom's level, the label overlay at 50 % opacity over them) and after each
complete frame paints a 3x3 marker at canvas (0, 0) whose colour encodes the frame number,
so the driver can tell when a frame has fully landed:

- ``AtlasView``: ipycanvas. Tiles live in slots of two fixed-size hidden atlas canvases (one
  per layer, 1-pixel gutters against filter bleeding); each visible tile is drawn with a clip
  rectangle and a transform so that only its slot lands on the visible canvas.
- ``PoolView``: ipycanvas. One small hidden canvas per tile slot, created on demand;
  ``draw_image(tile_canvas, x, y, w, h)`` per visible tile.
- ``BitmapView``: anywidget. Raw tile bytes as binary buffers of ``model.send`` (class ids
  deflated); the front-end (bitmap_view.js) holds ImageBitmaps (image) and small canvases
  (overlay, coloured from class ids with a lookup table) and draws them on its own canvas. The
  view goes first: held tiles, or coarser held ones, show at once; tiles fill in as they land.
- ``TodayView``: today's SegmentationWidget with the same methods, as the baseline.
"""

from __future__ import annotations

import asyncio
import math
import os
import pathlib
import zlib

import anywidget
import numpy as np
import traitlets
from ipycanvas import Canvas
from tile_plan import TilePlan

import seg_widget as sw
from seg_widget.core.bbox import BBox
from seg_widget.render import colorize, encode_png, label_runs, pack_messages
from seg_widget.widget.transport import batched, send_png

COLORS = [(0, 0, 0), (255, 40, 40), (40, 200, 255), (250, 220, 0)]
BACKGROUND = "#3a3a3a"
#: Bound of one ipycanvas message's payload (the 8 MiB rule, with room for commands).
MESSAGE_BYTES = 7 * 2**20
OPACITY = 0.5
#: Seconds between a view change and the first refinement step.
REFINE_DELAY = float(os.environ.get("SPIKE_REFINE_DELAY", "0.05"))


def noise_image(size: int, channels: int = 3, seed: int = 0) -> np.ndarray:
    """Random bytes, so no encoder can compress the image."""
    shape = (size, size) if channels == 1 else (size, size, channels)
    data = np.random.default_rng(seed).bytes(math.prod(shape))
    return np.frombuffer(data, dtype=np.uint8).reshape(shape).copy()


def demo_mask(size: int) -> np.ndarray:
    """Three labelled regions spread over the image, so overlay tiles carry classes."""
    mask = np.zeros((size, size), dtype=np.uint8)
    mask[size // 8 : size // 3, size // 8 : size // 2] = 1
    rows, cols = np.ogrid[:size, : size // 2]
    disc = (rows - size * 0.6) ** 2 + (cols - size * 0.25) ** 2 < (size * 0.15) ** 2
    mask[:, size // 2 :][disc] = 2
    mask[size * 7 // 8 :, :] = 3
    return mask


def _marker_color(frame: int, exact: bool) -> str:
    return f"rgb({frame % 256},{255 if exact else 0},17)"


class _TiledView:
    """Viewport changes and pen events in terms of the plan; subclasses move the bytes."""

    def __init__(
        self, image, mask, *, canvas_size=(1000, 700), budget_bytes=64 * 2**20, previews=True
    ):
        self.plan = TilePlan(
            image, mask, COLORS, canvas_size=canvas_size, budget_bytes=budget_bytes
        )
        self.canvas_size = canvas_size
        self.previews = previews
        self.frame = 0
        self.payload_bytes = 0  # tile/patch bytes handed to the transport
        self._refining = False

    # -- view changes (what the driver calls) -------------------------------------------
    def fit(self):
        self.plan.viewport.fit()
        self.update()

    def zoom_to(self, zoom):
        self.plan.viewport.set_zoom(zoom)
        self.update()

    def pan(self, dx, dy):
        self.plan.viewport.pan_by(dx, dy)
        self.update()

    def paint(self, row, col, radius, label=1):
        """A round dab into the live mask, then only its patches to the browser."""
        mask = self.plan.labels.mask
        box = BBox(row - radius, row + radius + 1, col - radius, col + radius + 1).clip(mask.shape)
        rr, cc = np.ogrid[box.row0 : box.row1, box.col0 : box.col1]
        mask[box.slices][(rr - row) ** 2 + (cc - col) ** 2 <= radius**2] = label
        self.send_patches(self.plan.pen_patches(box))
        self.frame += 1
        self.draw()

    def paint_at_centre(self, radius=6):
        """A dab at the centre of the visible part of the image."""
        box = self.plan.viewport.visible_bbox()
        self.paint((box.row0 + box.row1) // 2, (box.col0 + box.col1) // 2, radius)

    def update(self):
        self.frame += 1
        self.send_tiles(self.plan.missing_tiles(previews=None if self.previews else False))
        self.send_patches(self.plan.stale_patches())
        self.draw()
        if self.plan.pending_refinements and not self._refining:
            self._refining = True
            asyncio.get_event_loop().call_later(REFINE_DELAY, self._refine)

    def _refine(self):
        tiles = self.plan.refine(0.03)
        if tiles:
            self.send_tiles(tiles)
            self.frame += 1
            self.draw()
        if self.plan.pending_refinements:
            asyncio.get_event_loop().call_later(0.0, self._refine)
        else:
            self._refining = False

    def visible(self):
        keys = self.plan.view_keys()
        return [(key, self.plan.destination(key)) for key in keys]

    @property
    def exact(self):
        return self.plan.pending_refinements == 0


# ---------------------------------------------------------------------------- ipycanvas


def _padded(pixels):
    """Tile with a 1-pixel border copied from its edge: a filter never samples a neighbour."""
    pad = ((1, 1), (1, 1)) + ((0, 0),) * (pixels.ndim - 2)
    return np.pad(pixels, pad, mode="edge")


class _CanvasView(_TiledView):
    def __init__(self, image, mask, **options):
        super().__init__(image, mask, **options)
        width, height = self.canvas_size
        self.widget = Canvas(width=width, height=height)
        self.widget.add_class("spike-view")
        self.widget.layout.width = f"{width}px"
        self.widget.layout.height = f"{height}px"
        self.widget.on_client_ready(self.draw)
        self.update()  # sent now: the browser draws into the model canvases before the view shows

    def _overlay_payload(self, labels):
        """Exact overlay pixels: per-class row runs if few (no decode), else an RGBA PNG."""
        runs = label_runs(labels)
        count = sum(len(r.xs) for r in runs)
        if count <= max(4096, labels.size // 4):
            return "runs", runs, count * 12
        png = encode_png(colorize(labels, self.plan.lut))
        return "png", png, len(png)

    def _send_overlay(self, target, x, y, shape, payload):
        kind, data, _ = payload
        target.clear_rect(x, y, shape[1], shape[0])
        if kind == "png":
            send_png(target, data, x, y)
            return
        for run in data:
            rgba = self.plan.lut[run.label]
            target.fill_style = f"#{rgba[0]:02x}{rgba[1]:02x}{rgba[2]:02x}"
            target.fill_rects(run.xs + x, run.ys + y, run.widths, 1)

    def _send_batches(self, items):
        """Send (size, send) items as ipycanvas messages of at most MESSAGE_BYTES each."""
        batch, used = [], 0
        for size, send in [*items, (None, None)]:
            if batch and (size is None or used + size > MESSAGE_BYTES):
                with batched():
                    for pending in batch:
                        pending()
                batch, used = [], 0
            if size is not None:
                batch.append(send)
                used += size
                self.payload_bytes += size

    def send_tiles(self, tiles):
        items = []
        for tile in tiles:
            x, y = self._slot_origin(tile.slot)
            if tile.layer == "image":
                png = encode_png(self._image_payload(tile.pixels))
                target = self._image_target(tile.slot)
                items.append((len(png), lambda t=target, p=png, x=x, y=y: send_png(t, p, x, y)))
            else:
                payload = self._overlay_payload(tile.pixels)
                target = self._overlay_target(tile.slot)
                x, y = x + self._gutter, y + self._gutter
                send = lambda t=target, x=x, y=y, s=tile.pixels.shape, p=payload: (  # noqa: E731
                    self._send_overlay(t, x, y, s, p)
                )
                items.append((payload[2] + 64, send))
        self._send_batches(items)

    def send_patches(self, patches):
        items = []
        for patch in patches:
            x, y = self._slot_origin(patch.slot)
            x += self._gutter + patch.local_box.col0
            y += self._gutter + patch.local_box.row0
            payload = self._overlay_payload(patch.labels)
            target = self._overlay_target(patch.slot)
            send = lambda t=target, x=x, y=y, s=patch.labels.shape, p=payload: (  # noqa: E731
                self._send_overlay(t, x, y, s, p)
            )
            items.append((payload[2] + 64, send))
        self._send_batches(items)

    def draw(self, *_):
        canvas = self.widget
        width, height = self.canvas_size
        level_scale = self.plan.viewport.zoom * (1 << self.plan.level)
        visible = self.visible()
        with batched():
            canvas.reset_transform()
            canvas.global_alpha = 1
            canvas.fill_style = BACKGROUND
            canvas.fill_rect(0, 0, width, height)
            canvas.image_smoothing_enabled = level_scale < 1
            for key, rect in visible:
                self._draw_tile(self.plan.image_held.slot_of(key), rect, key, "image")
            canvas.image_smoothing_enabled = False
            canvas.global_alpha = OPACITY
            for key, rect in visible:
                self._draw_tile(self.plan.overlay_held.slot_of(key), rect, key, "overlay")
            canvas.global_alpha = 1
            canvas.fill_style = _marker_color(self.frame, self.exact)
            canvas.fill_rect(0, 0, 3, 3)
        self.plan.image_held.touch(k for k, _ in visible)
        self.plan.overlay_held.touch(k for k, _ in visible)


class AtlasView(_CanvasView):
    """(a) Tiles in slots of one fixed-size atlas canvas per layer, drawn clipped."""

    _gutter = 1

    def __init__(self, image, mask, **options):
        plan_slots = options.get("budget_bytes", 64 * 2**20) // (256 * 256 * 4)
        self._columns = math.ceil(math.sqrt(plan_slots))
        self._stride = 256 + 2 * self._gutter
        side = self._columns * self._stride
        rows = math.ceil(plan_slots / self._columns)
        self.image_atlas = Canvas(width=side, height=rows * self._stride)
        self.overlay_atlas = Canvas(width=side, height=rows * self._stride)
        super().__init__(image, mask, **options)

    def _slot_origin(self, slot):
        return (slot % self._columns) * self._stride, (slot // self._columns) * self._stride

    def _image_payload(self, pixels):
        return _padded(pixels)

    def _image_target(self, slot):
        return self.image_atlas

    def _overlay_target(self, slot):
        return self.overlay_atlas

    def _draw_tile(self, slot, rect, key, layer):
        if slot is None:
            return
        canvas = self.widget
        x, y, w, h = rect
        box = self.plan.grid.tile_box(key)
        sx, sy = self._slot_origin(slot)
        sx, sy = sx + self._gutter, sy + self._gutter
        a, d = w / box.width, h / box.height
        canvas.save()
        canvas.begin_path()
        canvas.rect(x, y, w, h)
        canvas.clip()
        canvas.set_transform(a, 0, 0, d, x - sx * a, y - sy * d)
        canvas.draw_image(self.image_atlas if layer == "image" else self.overlay_atlas, 0, 0)
        canvas.restore()


class PoolView(_CanvasView):
    """(b) One small hidden canvas per tile slot, created on first use."""

    _gutter = 0

    def __init__(self, image, mask, **options):
        self.pools = {"image": [], "overlay": []}
        super().__init__(image, mask, **options)

    def _slot_origin(self, slot):
        return 0, 0

    def _pool(self, layer, slot):
        pool = self.pools[layer]
        while len(pool) <= slot:
            pool.append(Canvas(width=256, height=256))
        return pool[slot]

    def _image_payload(self, pixels):
        return pixels

    def _image_target(self, slot):
        return self._pool("image", slot)

    def _overlay_target(self, slot):
        return self._pool("overlay", slot)

    def _draw_tile(self, slot, rect, key, layer):
        if slot is None:
            return
        box = self.plan.grid.tile_box(key)
        x, y, w, h = rect
        source = self._pool(layer, slot)
        if box.height == 256 and box.width == 256:
            self.widget.draw_image(source, x, y, w, h)
        else:  # a partial edge tile: clip to its part of the 256² canvas
            canvas = self.widget
            canvas.save()
            canvas.begin_path()
            canvas.rect(x, y, w, h)
            canvas.clip()
            canvas.draw_image(source, x, y, w * 256 / box.width, h * 256 / box.height)
            canvas.restore()


# ---------------------------------------------------------------------------- anywidget


class BitmapWidget(anywidget.AnyWidget):
    _esm = pathlib.Path(__file__).with_name("bitmap_view.js")
    canvas_width = traitlets.Int(1000).tag(sync=True)
    canvas_height = traitlets.Int(700).tag(sync=True)
    tile_size = traitlets.Int(256).tag(sync=True)


class BitmapView(_TiledView):
    """(c) Raw tile bytes to our own front-end, held as ImageBitmaps and drawn there."""

    def __init__(self, image, mask, **options):
        super().__init__(image, mask, **options)
        width, height = self.canvas_size
        self.widget = BitmapWidget(canvas_width=width, canvas_height=height)
        self.widget.on_msg(self._on_msg)
        self.sent_messages = 0

    def _on_msg(self, widget, content, buffers):
        if content.get("type") == "ready":
            # A new page holds nothing.
            self.plan.forget_browser()
            self._send({"type": "lut", "rgba": self.plan.lut.reshape(-1).tolist()})
            self.update()

    def update(self):
        """The view first (the front-end draws held and coarser tiles at once), then tiles."""
        self.frame += 1
        tiles = self.plan.missing_tiles(previews=None if self.previews else False)
        self.draw()
        self.send_tiles(tiles)
        self.send_patches(self.plan.stale_patches())
        if self.plan.pending_refinements and not self._refining:
            self._refining = True
            asyncio.get_event_loop().call_later(REFINE_DELAY, self._refine)

    def _send(self, content, buffers=None):
        self.widget.send(content, buffers)
        self.sent_messages += 1

    def send_tiles(self, tiles):
        parts = []
        for tile in tiles:
            meta = {
                "layer": tile.layer,
                "key": list(tile.key),
                "slot": tile.slot,
                "h": int(tile.pixels.shape[0]),
                "w": int(tile.pixels.shape[1]),
                "channels": 1 if tile.pixels.ndim == 2 else int(tile.pixels.shape[2]),
                "dtype": str(tile.pixels.dtype),
            }
            if tile.layer == "overlay" and not tile.pixels.any():
                meta["empty"] = True
                parts.append((meta, b""))
            elif tile.layer == "overlay":
                # Class ids are mostly long runs: deflate makes a 64 KiB tile a few KiB.
                meta["deflate"] = True
                parts.append((meta, zlib.compress(tile.pixels, 1)))
            else:
                parts.append((meta, tile.pixels))
        for message in pack_messages(parts):
            self.payload_bytes += sum(b.nbytes for b in message.buffers)
            self._send({"type": "tiles", **message.content}, message.buffers)

    def send_patches(self, patches):
        parts = [
            (
                {
                    "slot": p.slot,
                    "row0": p.local_box.row0,
                    "col0": p.local_box.col0,
                    "h": p.local_box.height,
                    "w": p.local_box.width,
                    "dtype": str(p.labels.dtype),
                    "deflate": p.labels.nbytes > 4096,
                },
                zlib.compress(p.labels, 1) if p.labels.nbytes > 4096 else p.labels,
            )
            for p in patches
        ]
        for message in pack_messages(parts):
            self.payload_bytes += sum(b.nbytes for b in message.buffers)
            self._send({"type": "patch", **message.content}, message.buffers)

    def draw(self, *_):
        level = self.plan.level
        rows, cols = self.plan.grid.level_shape(level)
        vp = self.plan.viewport
        tiles = [
            [
                key.row,
                key.col,
                self.plan.image_held.slot_of(key),
                self.plan.overlay_held.slot_of(key),
            ]
            for key in self.plan.view_keys()
        ]
        self._send(
            {
                "type": "view",
                "frame": self.frame,
                "exact": self.exact,
                "zoom": vp.zoom,
                "ox": vp.offset_x,
                "oy": vp.offset_y,
                "level": level,
                "rows": rows,
                "cols": cols,
                "opacity": OPACITY,
                "tiles": tiles,
            }
        )


# ---------------------------------------------------------------------------- baseline


class TodayView:
    """Today's SegmentationWidget behind the same calls (no frame marker)."""

    def __init__(self, image, mask, *, canvas_size=(1000, 700), **_):
        self.widget = sw.SegmentationWidget(
            image,
            classes=["u", "a", "b", "c"],
            mask=mask,
            width=canvas_size[0],
            height=canvas_size[1],
        )
        self.widget.opacity = OPACITY
        self.frame = 0

    def fit(self):
        self.widget.fit()

    def zoom_to(self, zoom):
        self.widget.zoom = zoom

    def pan(self, dx, dy):
        self.widget.pan(dx, dy)

    def paint_at_centre(self, radius=6):
        width, height = self.widget.canvas.width, self.widget.canvas.height
        col, row = self.widget.canvas_to_image(width / 2, height / 2)
        size = self.widget.mask.shape
        row = min(max(row, radius), size[0] - radius - 1)  # the visible part of the image
        col = min(max(col, radius), size[1] - radius - 1)
        self.widget.brush_size = 2 * radius + 1
        self.widget.paint_stroke([(row, col), (row, col)], label=1)


VIEWS = {"atlas": AtlasView, "pool": PoolView, "bitmap": BitmapView, "today": TodayView}
