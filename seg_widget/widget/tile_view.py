"""The tiled display of a big image, sent to the front-end layer, which draws it.

Tiles of the image pyramid and of the labels go to the layer, which holds them and draws the
view (``frontend/tiles.js``).

A widget whose image has more than `TILED_ABOVE_PIXELS` pixels shows it this way; smaller
images keep the two full-resolution ipycanvas sources. Only `View` uses this module (it is the
one that draws). Per view change it sends the tiles the browser lacks for what is on screen, at
the zoom's level (O(screen) bytes); per edit, the changed boxes of the label tiles shown
(O(stroke)). A first view of a huge image goes as nearest-neighbour previews of its coarse
level (read in O(screen)); the exact area-mean tiles replace them from idle time, a few tens of
milliseconds at a time, so the kernel keeps answering the pen.

Besides the image, the layer holds coded tiles (`seg_widget.render.code_tiles`), each layer
coloured in the browser through its own table: the overlay (class ids, or the codes of an
overlay style), "show missing" while it is on, and the proposal while one is shown (only the
tiles on screen, dropped when it is accepted or rejected).

Messages (all through the input layer's comm, so they stay in order with its acks; each at most
8 MiB): ``tiles``, ``tile_patch``, ``tile_lut`` and ``tile_drop``, described in ``tiles.js``.
"""

from __future__ import annotations

import asyncio
import logging
import time
import zlib
from collections.abc import Callable, Iterable

import numpy as np

from ..core.bbox import BBox
from ..render.code_tiles import CodeSource
from ..render.messages import pack_messages
from ..render.tile_plan import DEFAULT_BUDGET_BYTES, Patch, Tile, TilePlan
from ..render.tiles import DEFAULT_TILE_SIZE
from ..render.viewport import Viewport
from .input_layer import InputLayer

logger = logging.getLogger("seg_widget")

#: Images with more pixels than this (2048 x 2048) are shown as tiles. Below it the whole
#: image goes to the browser once (about 1 s at 2048² in JupyterLab, and then a zoom or pan
#: costs no bytes at all); above it that cost grows with the image (3 s at 4096², 36 s at
#: 16384²) while a tiled first view stays about one screen of bytes.
TILED_ABOVE_PIXELS = 2048 * 2048
#: Seconds of kernel time per idle step refining preview tiles into exact ones.
REFINE_SECONDS = 0.04
#: Pause between idle steps, so pointer and key messages are handled in between.
REFINE_PAUSE_SECONDS = 0.01
#: A first view still being prepared after this many seconds says so on the status line.
PROGRESS_AFTER_SECONDS = 0.5


def is_tiled(image_shape: tuple[int, ...]) -> bool:
    """Return whether an image of ``image_shape`` is shown as tiles."""
    return int(image_shape[0]) * int(image_shape[1]) > TILED_ABOVE_PIXELS


class TileView:
    """Send a big image's tiles and label patches to the front-end layer.

    Parameters
    ----------
    layer : InputLayer
        The front-end layer, created with ``tile_size``; nothing is sent until it is ready.
    image : ndarray
        The loaded image (read tile by tile).
    limits : tuple of float
        Its contrast limits.
    mask : callable
        Returns the live class map.
    viewport : Viewport
        The view's viewport.
    lut : ndarray
        (N, 4) uint8 class colours (class 0 is drawn transparent).
    report_progress : callable, optional
        Says how far the first view is ("" when it is ready), once that takes more than
        `PROGRESS_AFTER_SECONDS`.

    """

    def __init__(
        self,
        layer: InputLayer,
        image: np.ndarray,
        limits: tuple[float, float],
        mask: Callable[[], np.ndarray],
        viewport: Viewport,
        lut: np.ndarray,
        *,
        tile_size: int = DEFAULT_TILE_SIZE,
        budget_bytes: int = DEFAULT_BUDGET_BYTES,
        report_progress: Callable[[str], None] | None = None,
    ) -> None:
        self._layer = layer
        self._report_progress = report_progress
        #: While the first view is prepared: when it started, its preview count, whether said.
        self._first_view: tuple[float, int, bool] | None = None
        self._plan = TilePlan(
            image, mask, viewport, limits=limits, tile_size=tile_size, budget_bytes=budget_bytes
        )
        #: Per coded layer: its RGBA table (row 0 drawn transparent) and its opacity.
        self._luts: dict[str, tuple[np.ndarray, float]] = {"overlay": (lut, 1.0)}
        self._luts_sent: set[str] = set()
        self._refining = False

    @property
    def plan(self) -> TilePlan:
        """What the browser holds and what a view needs (the kernel's model)."""
        return self._plan

    @property
    def pending_refinements(self) -> int:
        """Preview tiles shown whose exact tile is still to be sent."""
        return self._plan.pending_refinements

    def forget_browser(self) -> None:
        """Forget what the browser held: a new view started (first display or reload)."""
        self._plan.forget_browser()
        self._luts_sent.clear()
        self._first_view = (time.perf_counter(), 0, False)

    def set_layer(
        self,
        name: str,
        source: CodeSource | None,
        lut: np.ndarray,
        *,
        alpha: float = 1.0,
        follows_mask: bool = False,
        margin: int = 0,
        resend: bool = True,
    ) -> None:
        """Show the coded layer ``name`` from ``source`` in the colours of ``lut``.

        The browser drops what it held of the layer and gets the tiles on screen again
        (``resend=False``: later, e.g. from `all_labels_changed`). For "overlay", ``source``
        None is the class ids; ``alpha`` is the layer's opacity (the overlay's own is the
        ``opacity`` trait).
        """
        self._plan.set_layer(name, source, follows_mask=follows_mask, margin=margin)
        self._luts[name] = (lut, alpha)
        self._luts_sent.discard(name)
        if resend and self._layer.ready:
            self._layer.send({"type": "tile_drop", "layer": name})
            self.show()

    def remove_layer(self, name: str) -> None:
        """Stop showing the coded layer ``name``: the browser drops its tiles."""
        if name not in self._plan.layers:
            return
        self._plan.remove_layer(name)
        if self._layer.ready:
            self._layer.send({"type": "tile_drop", "layer": name})

    def layer_changed(self, name: str, box: BBox) -> None:
        """Resend the shown tiles of layer ``name`` whose codes changed in ``box`` (image px)."""
        layer = self._plan.layers.get(name)
        if layer is None:
            return
        layer.changed(box)
        self.show()

    def show(self) -> None:
        """Send what the current view lacks: missing tiles, then patches owed to held ones."""
        if not self._layer.ready:
            return
        for name in self._plan.layers:
            if name not in self._luts_sent:
                lut, alpha = self._luts[name]
                rgba = np.array(lut, dtype=np.uint8).copy()
                rgba[0] = 0
                self._layer.send(
                    {
                        "type": "tile_lut",
                        "layer": name,
                        "alpha": alpha,
                        "rgba": rgba.reshape(-1).tolist(),
                    }
                )
                self._luts_sent.add(name)
        self._send_tiles(self._plan.missing_tiles())
        self._send_patches(self._plan.stale_patches())
        if self._first_view is not None:
            started, total, said = self._first_view
            total = max(total, self._plan.pending_refinements)
            self._first_view = (started, total, said)
            self._say_progress()
        self._schedule_refinement()

    def labels_changed(self, boxes: Iterable[BBox]) -> None:
        """Send the new class ids of the label tiles shown that the edited ``boxes`` touch."""
        if not self._layer.ready:
            return
        patches: list[Patch] = []
        for box in boxes:
            patches.extend(self._plan.pen_patches(box))
        self._send_patches(patches)

    def all_labels_changed(self) -> None:
        """Every tile made from the mask is stale: the browser drops them, gets the shown ones."""
        followers = [name for name, layer in self._plan.layers.items() if layer.follows_mask]
        self._plan.forget_overlay()
        if self._layer.ready:
            for name in followers:
                self._layer.send({"type": "tile_drop", "layer": name})
            self.show()

    def set_limits(self, limits: tuple[float, float]) -> None:
        """Use new contrast limits: the browser drops its image tiles and gets the shown ones."""
        self._plan.set_limits(limits)
        if self._layer.ready:
            self._layer.send({"type": "tile_drop", "layer": "image"})
            self.show()

    def refine(self, seconds: float = REFINE_SECONDS) -> int:
        """Turn previews into exact tiles for about ``seconds``; send them; return how many."""
        finished = self._plan.refine(seconds)
        if self._layer.ready:
            self._send_tiles(finished)
        self._say_progress()
        return len(finished)

    def _say_progress(self) -> None:
        """Say how far the first view is, once it takes long; say "" when it is ready."""
        if self._first_view is None or self._report_progress is None:
            return
        started, total, said = self._first_view
        pending = self._plan.pending_refinements
        if not pending:
            self._first_view = None
            if said:
                self._report_progress("")
        elif time.perf_counter() - started > PROGRESS_AFTER_SECONDS:
            self._report_progress(f"preparing the view: {total - pending} of {total} tiles exact")
            self._first_view = (started, total, True)

    # -- sending -------------------------------------------------------------------------

    def _send_tiles(self, tiles: list[Tile]) -> None:
        parts = [_tile_part(tile) for tile in tiles]
        for message in pack_messages(parts):
            self._layer.send({"type": "tiles", **message.content}, message.buffers)

    def _send_patches(self, patches: list[Patch]) -> None:
        parts = []
        for patch in patches:
            box = patch.local_box
            labels = np.ascontiguousarray(patch.labels)
            meta = {
                "layer": patch.layer,
                "slot": patch.slot,
                "row0": box.row0,
                "col0": box.col0,
                "h": box.height,
                "w": box.width,
                "dtype": _id_dtype(labels),
            }
            parts.append(_ids_part(meta, labels))
        for message in pack_messages(parts):
            self._layer.send({"type": "tile_patch", **message.content}, message.buffers)

    def _schedule_refinement(self) -> None:
        if self._refining or not self._plan.pending_refinements:
            return
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:  # no event loop (plain Python, tests): `refine` by hand
            return
        self._refining = True

        def step() -> None:
            try:
                self.refine()
            except Exception:
                logger.exception("seg-widget: refining tiles failed")
                self._refining = False
                return
            if self._plan.pending_refinements and self._layer.ready:
                loop.call_later(REFINE_PAUSE_SECONDS, step)
            else:
                self._refining = False

        loop.call_later(REFINE_PAUSE_SECONDS, step)


def _id_dtype(labels: np.ndarray) -> str:
    return "uint8" if labels.dtype.itemsize == 1 else "uint16"


def _ids_part(meta: dict, labels: np.ndarray) -> tuple[dict, bytes]:
    """Class ids as little-endian uint8/uint16, deflated when that saves bytes."""
    raw = labels.astype("<u2" if labels.dtype.itemsize == 2 else np.uint8).tobytes()
    packed = zlib.compress(raw, 1)
    if len(packed) < len(raw):
        return {**meta, "deflate": True}, packed
    return {**meta, "deflate": False}, raw


def _tile_part(tile: Tile) -> tuple[dict, object]:
    h, w = tile.pixels.shape[:2]
    meta = {"layer": tile.layer, "key": list(tile.key), "slot": tile.slot, "h": h, "w": w}
    if tile.layer == "image":
        channels = 1 if tile.pixels.ndim == 2 else tile.pixels.shape[2]
        return {**meta, "channels": channels, "exact": tile.exact}, np.ascontiguousarray(
            tile.pixels
        )
    labels = tile.pixels
    return _ids_part({**meta, "dtype": _id_dtype(labels)}, labels)


__all__ = ["TILED_ABOVE_PIXELS", "TileView", "is_tiled"]
