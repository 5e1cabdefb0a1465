"""What a tiled view sends: the tiles the browser lacks for a viewport, and patches of edits.

A `TilePlan` joins the image pyramid, the live label tiles and the model of the browser's tile
caches (the image, and the coded layers of `code_tiles`: the overlay, and while shown "show
missing" and the proposal) for one `Viewport`. For the current view it says which tiles the
browser lacks at the zoom's level, which slot each goes to and which tile it replaces; for an
edit, the patches of the overlay tiles the browser holds. It sends nothing itself (the widget's
view does): everything here is numpy and bookkeeping, O(screen) per view and O(stroke) per edit.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import numpy as np

from seg_widget.core.bbox import BBox

from .browser_cache import BrowserTileCache
from .code_tiles import CodeLayer, CodeSource, Patch, Tile
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
        self._slot_bytes = tile_size * tile_size * 4  # the browser holds RGBA whatever we send
        self._budget_bytes = budget_bytes
        self.image_held = BrowserTileCache(budget_bytes, self._slot_bytes)
        self._previews: dict[TileKey, None] = {}  # insertion-ordered set
        self._stepping = None
        #: The coded layers shown, in drawing order ("overlay" always).
        self.layers: dict[str, CodeLayer] = {}
        self.set_layer("overlay", self._label_codes, follows_mask=True)

    def _label_codes(self, level: int, box: BBox) -> np.ndarray:
        mask = self._mask()
        if mask is not self.labels.mask:
            self.labels.mask = mask
        return self.labels.region(level, box)

    @property
    def overlay_held(self) -> BrowserTileCache:
        """The model of the browser's overlay tiles."""
        return self.layers["overlay"].held

    def set_layer(
        self,
        name: str,
        source: CodeSource | None = None,
        *,
        follows_mask: bool = False,
        margin: int = 0,
    ) -> None:
        """Show a coded layer from ``source`` (None: the overlay's class ids); forget its tiles.

        The browser must drop the tiles it held of ``name`` (``tile_drop``).
        """
        if source is None:
            source = self._label_codes
        cache = BrowserTileCache(self._budget_bytes, self._slot_bytes)
        self.layers[name] = CodeLayer(
            name, self.grid, source, cache, follows_mask=follows_mask, margin=margin
        )

    def remove_layer(self, name: str) -> None:
        """Stop showing a coded layer (the browser drops its tiles)."""
        self.layers.pop(name, None)

    def forget_browser(self) -> None:
        """Forget every tile the browser held (the page was reloaded)."""
        self.image_held.clear()
        for layer in self.layers.values():
            layer.forget()
        self._previews.clear()
        self._stepping = None

    def forget_overlay(self) -> None:
        """Every held overlay tile is stale (the whole mask changed): send them again."""
        for layer in self.layers.values():
            if layer.follows_mask:
                layer.forget()

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
        for layer in self.layers.values():
            tiles.extend(layer.missing_tiles(keys))
        return tiles

    def stale_patches(self) -> list[Patch]:
        """Patches owed to coded tiles of the current view edited while another level showed."""
        keys = self.view_keys()
        return [patch for layer in self.layers.values() for patch in layer.stale_patches(keys)]

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
        """Patches of the held tiles of the level shown that an edit of the mask changed.

        Held tiles of other levels only remember their changed box (`stale_patches` sends
        it when their level shows again), so a pen event costs the same at any image size.
        """
        shown = self.level
        return [
            patch
            for layer in self.layers.values()
            if layer.follows_mask
            for patch in layer.pen_patches(dirty, shown)
        ]
