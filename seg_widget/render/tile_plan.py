"""What a tiled view sends: the tiles the browser lacks for a viewport, and patches of edits.

A `TilePlan` joins the image pyramid, the live label tiles and the model of the browser's two
tile caches (image, overlay) for one `Viewport`. For the current view it says which tiles the
browser lacks at the zoom's level, which slot each goes to and which tile it replaces; for an
edit, the patches of the overlay tiles the browser holds. It sends nothing itself (the widget's
view does): everything here is numpy and bookkeeping, O(screen) per view and O(stroke) per edit.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from seg_widget.core.bbox import BBox

from .browser_cache import BrowserTileCache
from .image_pyramid import ImagePyramid
from .label_tiles import LabelTiles
from .tiles import DEFAULT_TILE_SIZE, TileKey
from .viewport import Viewport

__all__ = ["DEFAULT_BUDGET_BYTES", "PREVIEW_ABOVE_PIXELS", "Patch", "Tile", "TilePlan"]

#: Browser memory per layer (image, overlay): 256 slots of 256² RGBA, four views' worth of a
#: 1000x700 canvas (`TileGrid.max_view_tiles`).
DEFAULT_BUDGET_BYTES = 64 * 2**20
#: Above this many image pixels to read, a view gets nearest-neighbour previews first; the
#: exact (area-mean) tiles follow from `TilePlan.refine`.
PREVIEW_ABOVE_PIXELS = 32 * 2**20


@dataclass
class Tile:
    """One tile to send: which layer, which tile, the slot it goes to, its pixels."""

    layer: str  # "image" | "overlay"
    key: TileKey
    slot: int
    #: image: uint8 (h, w[, c]) display pixels; overlay: class ids (h, w).
    pixels: np.ndarray
    #: False for a nearest-neighbour preview that an exact tile will replace.
    exact: bool = True


@dataclass
class Patch:
    """Part of an overlay tile the browser holds, changed by an edit."""

    key: TileKey
    slot: int
    local_box: BBox
    labels: np.ndarray


class TilePlan:
    """Pyramid, label tiles and the model of the browser's tile caches for one viewport.

    Parameters
    ----------
    image : numpy.ndarray
        The loaded image (grey, RGB or RGBA, any dtype); read only tile by tile.
    mask : callable
        Returns the live (H, W) uint8/uint16 class map (the document may swap arrays).
    viewport : Viewport
        The view's zoom and pan (shared, read at every call).
    limits : tuple of float
        Window/level of the image (see `ImagePyramid`).
    tile_size : int, optional
        Tile edge in level pixels.
    budget_bytes : int, optional
        Browser memory per layer; each tile takes a slot of ``tile_size**2 * 4`` bytes.

    Examples
    --------
    >>> import numpy as np
    >>> mask = np.zeros((2000, 3000), np.uint8)
    >>> view = Viewport(mask.shape, (600, 400))
    >>> plan = TilePlan(np.zeros((2000, 3000), np.uint8), lambda: mask, view, limits=(0, 255))
    >>> plan.level, len(plan.missing_tiles())
    (2, 12)
    >>> plan.missing_tiles()  # the browser holds them now
    []

    """

    def __init__(
        self,
        image: np.ndarray,
        mask: Callable[[], np.ndarray],
        viewport: Viewport,
        *,
        limits: tuple[float, float],
        tile_size: int = DEFAULT_TILE_SIZE,
        budget_bytes: int = DEFAULT_BUDGET_BYTES,
    ) -> None:
        self.pyramid = ImagePyramid(image, limits=limits, tile_size=tile_size)
        self._mask = mask
        self.labels = LabelTiles(mask(), tile_size=tile_size)
        self.grid = self.pyramid.grid
        self.viewport = viewport
        slot_bytes = tile_size * tile_size * 4  # the browser holds RGBA whatever we send
        self.image_held = BrowserTileCache(budget_bytes, slot_bytes)
        self.overlay_held = BrowserTileCache(budget_bytes, slot_bytes)
        self._previews: dict[TileKey, None] = {}  # insertion-ordered set
        self._stepping = None
        #: Overlay tiles held per level, and the boxes of held tiles changed while not shown.
        self._held_levels: Counter[int] = Counter()
        self._stale: dict[TileKey, BBox] = {}

    def _labels(self) -> LabelTiles:
        mask = self._mask()
        if mask is not self.labels.mask:
            self.labels.mask = mask
        return self.labels

    def forget_browser(self) -> None:
        """Forget every tile the browser held (the page was reloaded)."""
        self.image_held.clear()
        self.forget_overlay()
        self._previews.clear()
        self._stepping = None

    def forget_overlay(self) -> None:
        """Every held overlay tile is stale (the whole mask changed): send them again."""
        self.overlay_held.clear()
        self._held_levels.clear()
        self._stale.clear()

    def set_limits(self, limits: tuple[float, float]) -> None:
        """Use a new window/level: every image tile the browser holds is stale."""
        self.pyramid.limits = limits
        self.image_held.clear()
        self._previews.clear()
        self._stepping = None

    @property
    def level(self) -> int:
        """The pyramid level the current zoom shows."""
        return self.grid.level_for_zoom(self.viewport.zoom)

    def view_keys(self) -> list[TileKey]:
        """Tiles of the current view, nearest the view centre first."""
        box = self.viewport.visible_bbox()
        keys = self.grid.view_tiles(self.level, box)
        scale = 1 << self.level
        centre = ((box.row0 + box.row1) / 2 / scale, (box.col0 + box.col1) / 2 / scale)
        size = self.grid.tile_size

        def distance(key: TileKey) -> float:
            return ((key.row + 0.5) * size - centre[0]) ** 2 + (
                (key.col + 0.5) * size - centre[1]
            ) ** 2

        return sorted(keys, key=distance)

    def missing_tiles(self, *, previews: bool | None = None) -> list[Tile]:
        """Tiles the browser lacks for the current view; they count as held from now on.

        ``previews``: True sends nearest-neighbour stand-ins for uncached coarse tiles, False
        exact tiles, None decides by the image pixels the exact tiles would read.
        """
        keys = self.view_keys()
        self.image_held.touch(keys)
        self.overlay_held.touch(keys)
        tiles = []
        missing = self.image_held.missing(keys)
        quick = previews
        if quick is None:
            limit = PREVIEW_ABOVE_PIXELS
            quick = self.pyramid.pixels_to_read(missing, limit=limit) > limit
        for key in missing:
            slot, evicted = self.image_held.place(key, keep=keys)
            self._previews.pop(evicted, None)
            if quick and key.level > 0 and not self.pyramid.is_cached(key):
                tiles.append(Tile("image", key, slot, self.pyramid.preview(key), False))
                self._previews[key] = None
            else:
                tiles.append(Tile("image", key, slot, self.pyramid.tile(key, keep=keys)))
        labels = self._labels()
        for key in self.overlay_held.missing(keys):
            slot, evicted = self.overlay_held.place(key, keep=keys)
            self._held_levels[key.level] += 1
            if evicted is not None:
                self._held_levels[evicted.level] -= 1
                self._stale.pop(evicted, None)
            tiles.append(Tile("overlay", key, slot, labels.tile(key)))
        return tiles

    def stale_patches(self) -> list[Patch]:
        """Patches owed to overlay tiles of the current view edited while another level showed."""
        patches = []
        labels = self._labels()
        for key in self.view_keys():
            local = self._stale.pop(key, None)
            slot = self.overlay_held.slot_of(key)
            if local is not None and slot is not None:
                tile = self.grid.tile_box(key)
                level_box = BBox(
                    tile.row0 + local.row0,
                    tile.row0 + local.row1,
                    tile.col0 + local.col0,
                    tile.col0 + local.col1,
                )
                patches.append(Patch(key, slot, local, labels.region(key.level, level_box)))
        return patches

    def refine(self, seconds: float = 0.03) -> list[Tile]:
        """Work on exact tiles for the previews shown for about `seconds` (call when idle).

        Uses `ImagePyramid.steps`, so one call blocks for about `seconds` however big the
        image; returns the exact tiles finished meanwhile (in the slots of their previews).
        """
        deadline = time.perf_counter() + seconds
        finished = []
        while self._previews and time.perf_counter() < deadline:
            key = next(iter(self._previews))
            if self._stepping is None or self._stepping[0] != key:
                self._stepping = (key, self.pyramid.steps(key))
            for _ in self._stepping[1]:
                if time.perf_counter() >= deadline:
                    break
            else:  # all steps done: the exact tile is cached
                self._previews.pop(key, None)
                self._stepping = None
                slot = self.image_held.slot_of(key)
                if slot is not None:
                    finished.append(Tile("image", key, slot, self.pyramid.tile(key)))
        return finished

    @property
    def pending_refinements(self) -> int:
        """Preview tiles the browser holds whose exact tile is not sent yet."""
        return len(self._previews)

    def pen_patches(self, dirty: BBox) -> list[Patch]:
        """Patches of the held overlay tiles of the level shown that an edit changed.

        Held tiles of other levels only remember their changed box (`stale_patches` sends
        it when their level shows again), so a pen event costs the same at any image size.
        """
        shown = self.level
        labels = self._labels()
        patches = []
        for part in self.grid.dirty_tiles(dirty, [shown]):
            slot = self.overlay_held.slot_of(part.key)
            if slot is not None:
                region = labels.region(shown, part.level_box)
                patches.append(Patch(part.key, slot, part.local_box, region))
        others = [level for level, count in self._held_levels.items() if count and level != shown]
        for part in self.grid.dirty_tiles(dirty, others):
            if part.key in self.overlay_held:
                self._stale[part.key] = part.local_box.union(self._stale.get(part.key))
        return patches
