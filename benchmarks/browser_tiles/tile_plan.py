"""The kernel side of a tiled view, built from seg_widget.render only (no widget code).

What the spike views and the kernel benchmark share: for the current viewport, which tiles
the browser lacks (at the zoom's level), which slot each goes to and which tile it evicts;
for an edit, the patches of the overlay tiles the browser holds. This is the logic the
widget's view object (issue 11) needs; the views in spike_views.py only add transport.
"""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass

import numpy as np

from seg_widget.core.bbox import BBox
from seg_widget.render import (
    BrowserTileCache,
    ImagePyramid,
    LabelTiles,
    TileKey,
    Viewport,
    color_lut,
)

#: Browser memory per layer (image, overlay): 256 slots of 256² RGBA.
DEFAULT_BUDGET_BYTES = 64 * 2**20
#: Above this many image pixels to read, a first view gets nearest-neighbour previews first.
PREVIEW_ABOVE_PIXELS = 32 * 2**20


@dataclass
class Tile:
    """One tile to send: which layer, which tile, where it goes, its pixels."""

    layer: str  # "image" | "overlay"
    key: TileKey
    slot: int
    evicted: TileKey | None
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
    """Viewport, pyramid, label tiles and the model of the browser's two tile caches."""

    def __init__(
        self,
        image: np.ndarray,
        mask: np.ndarray,
        colors,
        *,
        canvas_size: tuple[int, int] = (1000, 700),
        tile_size: int = 256,
        budget_bytes: int = DEFAULT_BUDGET_BYTES,
        limits: tuple[float, float] | None = None,
    ) -> None:
        self.pyramid = ImagePyramid(image, limits=limits, tile_size=tile_size)
        self.labels = LabelTiles(mask, tile_size=tile_size)
        self.grid = self.pyramid.grid
        self.viewport = Viewport(mask.shape, canvas_size)
        slot_bytes = tile_size * tile_size * 4  # the browser holds RGBA whatever we send
        self.image_held = BrowserTileCache(budget_bytes, slot_bytes)
        self.overlay_held = BrowserTileCache(budget_bytes, slot_bytes)
        self.lut = color_lut(colors)
        self._previews: dict[TileKey, None] = {}  # insertion-ordered set
        self._stepping = None
        #: Overlay tiles held per level, and the boxes of held tiles changed while not shown.
        self._held_levels: Counter[int] = Counter()
        self._stale: dict[TileKey, BBox] = {}

    def forget_browser(self) -> None:
        """The page was (re)loaded: the browser holds nothing."""
        self.image_held.clear()
        self.overlay_held.clear()
        self._held_levels.clear()
        self._stale.clear()
        self._previews.clear()
        self._stepping = None

    @property
    def level(self) -> int:
        return self.grid.level_for_zoom(self.viewport.zoom)

    def view_keys(self) -> list[TileKey]:
        """Tiles of the current view, nearest the view centre first."""
        keys = self.grid.view_tiles(self.level, self.viewport.visible_bbox())
        box = self.viewport.visible_bbox()
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
            if quick and key.level > 0:
                tiles.append(Tile("image", key, slot, evicted, self.pyramid.preview(key), False))
                self._previews[key] = None
            else:
                tiles.append(Tile("image", key, slot, evicted, self.pyramid.tile(key, keep=keys)))
        for key in self.overlay_held.missing(keys):
            slot, evicted = self.overlay_held.place(key, keep=keys)
            self._held_levels[key.level] += 1
            if evicted is not None:
                self._held_levels[evicted.level] -= 1
                self._stale.pop(evicted, None)
            tiles.append(Tile("overlay", key, slot, evicted, self.labels.tile(key)))
        return tiles

    def stale_patches(self) -> list[Patch]:
        """Patches owed to overlay tiles of the current view edited while another level showed."""
        patches = []
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
                patches.append(Patch(key, slot, local, self.labels.region(key.level, level_box)))
        return patches

    def refine(self, seconds: float = 0.03) -> list[Tile]:
        """Work on exact tiles for the previews shown for about `seconds` (call when idle).

        Uses `ImagePyramid.steps`, so one call blocks the kernel for about `seconds` however
        big the image; returns the exact tiles finished meanwhile (same slots as their previews).
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
                    finished.append(Tile("image", key, slot, None, self.pyramid.tile(key)))
        return finished

    @property
    def pending_refinements(self) -> int:
        return len(self._previews)

    def pen_patches(self, dirty: BBox) -> list[Patch]:
        """Patches of the held overlay tiles of the level shown that an edit changed.

        Held tiles of other levels only remember their changed box (``stale_patches`` sends
        it when their level shows again), so a pen event costs the same at any image size.
        """
        shown = self.level
        patches = []
        for part in self.grid.dirty_tiles(dirty, [shown]):
            slot = self.overlay_held.slot_of(part.key)
            if slot is not None:
                labels = self.labels.region(shown, part.level_box)
                patches.append(Patch(part.key, slot, part.local_box, labels))
        others = [level for level, count in self._held_levels.items() if count and level != shown]
        for part in self.grid.dirty_tiles(dirty, others):
            if part.key in self.overlay_held:
                self._stale[part.key] = part.local_box.union(self._stale.get(part.key))
        return patches

    def destination(self, key: TileKey) -> tuple[int, int, int, int]:
        """Canvas rectangle (x, y, w, h) of a tile, snapped to whole canvas pixels.

        Adjacent tiles share their snapped edges, so no seam and no overlap appears.
        """
        box = self.grid.tile_box(key)
        scale = self.viewport.zoom * (1 << key.level)  # canvas px per level px
        ox, oy = self.viewport.offset_x, self.viewport.offset_y
        x0, x1 = round(ox + box.col0 * scale), round(ox + box.col1 * scale)
        y0, y1 = round(oy + box.row0 * scale), round(oy + box.row1 * scale)
        return x0, y0, x1 - x0, y1 - y0
