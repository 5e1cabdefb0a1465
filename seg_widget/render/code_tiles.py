"""Layers of coded tiles a tiled view sends: labels, "show missing", the proposal.

Each layer is a grid of small integer codes per tile (0 is transparent) that the browser
colours through the layer's own table, so a tile is a few deflated bytes and a colour change
costs a table, not the pixels. A `CodeLayer` keeps the model of the browser's cache for its
tiles and reads codes from a *source*: ``source(level, level_box) -> codes``, which reads only
the level pixels asked for (O(tile) at any level, nearest-neighbour samples of the image
pixels, the rule of `seg_widget.render.tiles.sample_indices`).

The sources here make the codes of the whole-image path at every level: `style_source` the
overlay styles (`seg_widget.render.instance_view.overlay_codes`), `missing_source` the
unlabelled pixels, `proposal_source` a proposal (its class inside, a white one-pixel edge).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from seg_widget.core.bbox import BBox

from .browser_cache import BrowserTileCache
from .instance_view import OverlayStyle, overlay_codes
from .tiles import TileGrid, TileKey, sample_indices

__all__ = [
    "CodeLayer",
    "CodeSource",
    "Patch",
    "Tile",
    "code_dtype",
    "missing_source",
    "proposal_codes",
    "proposal_lut",
    "proposal_source",
    "style_source",
]

#: ``source(level, level_box) -> codes``: (h, w) non-negative integer codes of a level box.
CodeSource = Callable[[int, BBox], np.ndarray]


@dataclass
class Tile:
    """One tile to send: which layer, which tile, the slot it goes to, its pixels."""

    layer: str  # "image" | "overlay" | "missing" | "proposal"
    key: TileKey
    slot: int
    #: image: uint8 (h, w[, c]) display pixels; other layers: codes (h, w).
    pixels: np.ndarray
    #: False for a nearest-neighbour preview that an exact tile will replace.
    exact: bool = True


@dataclass
class Patch:
    """Part of a coded tile the browser holds, changed by an edit."""

    key: TileKey
    slot: int
    local_box: BBox
    #: The new codes of ``local_box``.
    labels: np.ndarray
    layer: str = "overlay"


def code_dtype(table_rows: int) -> np.dtype:
    """Return the smallest unsigned dtype (uint8 or uint16) for codes of a ``table_rows`` table."""
    if table_rows > 65536:
        raise ValueError(f"table_rows: expected at most 65536 colours, got {table_rows}")
    return np.dtype(np.uint8 if table_rows <= 256 else np.uint16)


def _indices(grid: TileGrid, level: int, box: BBox) -> tuple[np.ndarray, np.ndarray]:
    height, width = grid.image_shape
    return (
        sample_indices(level, box.row0, box.row1, height),
        sample_indices(level, box.col0, box.col1, width),
    )


def _inner(box: BBox, outer: BBox) -> BBox:
    """``box`` relative to ``outer``'s top-left pixel."""
    return BBox(
        box.row0 - outer.row0, box.row1 - outer.row0, box.col0 - outer.col0, box.col1 - outer.col0
    )


def _grown(grid: TileGrid, level: int, box: BBox) -> BBox:
    """``box`` and one level pixel around it, inside the level."""
    return BBox(box.row0 - 1, box.row1 + 1, box.col0 - 1, box.col1 + 1).clip(
        grid.level_shape(level)
    )


def style_source(
    grid: TileGrid,
    mask: Callable[[], np.ndarray],
    instance_map: Callable[[], np.ndarray | None],
    style: Callable[[], OverlayStyle],
    class_lut: np.ndarray,
) -> tuple[CodeSource, np.ndarray]:
    """Return the source of the overlay's codes under ``style()``, and their RGBA table.

    A level shows `overlay_codes` of its own samples (contours are the edges between
    neighbouring level pixels, one level pixel wide, as the whole image shows them at 1:1).
    The style is read at every call (the selection may change); its table is the one of
    the style now, which stays right while ``color_by`` and the object layer stay.
    """
    lut = overlay_codes(
        np.zeros((1, 1), np.uint8),
        None if instance_map() is None else np.zeros((1, 1), np.uint32),
        BBox(0, 1, 0, 1),
        style(),
        class_lut,
    )[1]
    dtype = code_dtype(len(lut))

    def source(level: int, box: BBox) -> np.ndarray:
        now = style()
        outer = _grown(grid, level, box) if now.needs_neighbours else box
        rows, cols = _indices(grid, level, outer)
        classes = mask()[np.ix_(rows, cols)]
        ids_map = instance_map()
        ids = None if ids_map is None else ids_map[np.ix_(rows, cols)]
        codes, _ = overlay_codes(classes, ids, BBox.full(classes.shape), now, class_lut)
        return np.ascontiguousarray(codes[_inner(box, outer).slices], dtype=dtype)

    return source, np.asarray(lut, np.uint8)


def missing_source(grid: TileGrid, mask: Callable[[], np.ndarray]) -> CodeSource:
    """Return the source of "show missing": 1 where a pixel is unlabelled, else 0."""

    def source(level: int, box: BBox) -> np.ndarray:
        rows, cols = _indices(grid, level, box)
        return (mask()[np.ix_(rows, cols)] == 0).view(np.uint8)

    return source


def proposal_codes(values: np.ndarray, footprint: np.ndarray) -> np.ndarray:
    """Return a proposal's codes: 0 outside, 1 on its edge, ``k + 2`` inside for class ``k``.

    The edge is the proposal pixels with a 4-neighbour outside it (outside the arrays
    counts as outside).

    Examples
    --------
    >>> footprint = np.ones((3, 3), bool)
    >>> proposal_codes(np.full((3, 3), 2), footprint).tolist()
    [[1, 1, 1], [1, 4, 1], [1, 1, 1]]

    """
    inside = np.asarray(footprint, bool)
    padded = np.pad(inside, 1)
    interior = padded[:-2, 1:-1] & padded[2:, 1:-1] & padded[1:-1, :-2] & padded[1:-1, 2:] & inside
    codes = np.where(inside, np.asarray(values).astype(np.int64) + 2, 0)
    codes[inside & ~interior] = 1
    return codes


def proposal_lut(class_lut: np.ndarray, edge: tuple[int, int, int] = (255, 255, 255)) -> np.ndarray:
    """Return the RGBA table of `proposal_codes`: the edge colour, then the classes.

    Class 0 inside a proposal (an erasing proposal) shows in the edge colour, as on the
    whole-image path.
    """
    class_lut = np.asarray(class_lut, np.uint8)
    lut = np.zeros((len(class_lut) + 2, 4), np.uint8)
    lut[1:3] = (*edge, 255)
    lut[3:] = class_lut[1:]
    lut[3:, 3] = 255
    return lut


def proposal_source(
    grid: TileGrid, sample: Callable[[np.ndarray, np.ndarray], tuple], n_classes: int
) -> CodeSource:
    """Return the source of a proposal's `proposal_codes` at every level.

    ``sample(rows, cols)`` gives the proposal's ``(values, footprint)`` at those image
    indices; a level's edge is one level pixel wide (the image's border counts as outside).
    """
    dtype = code_dtype(n_classes + 2)

    def source(level: int, box: BBox) -> np.ndarray:
        outer = _grown(grid, level, box)
        rows, cols = _indices(grid, level, outer)
        values, footprint = sample(rows, cols)
        inside = np.asarray(footprint, bool)
        codes = proposal_codes(values, inside)
        # ``box``'s pixels have all their neighbours in ``outer``: the ring is cropped off.
        return np.ascontiguousarray(codes[_inner(box, outer).slices], dtype=dtype)

    return source


class CodeLayer:
    """One layer of coded tiles: what the browser holds of it, and where its codes come from.

    Parameters
    ----------
    name : str
        The layer's name in messages ("overlay", "missing", "proposal").
    grid : TileGrid
        The levels and tiles.
    source : CodeSource
        Reads the codes of a level box.
    cache : BrowserTileCache
        The model of the browser's slots for this layer.
    follows_mask : bool
        Whether an edit of the mask changes it (`pen_patches`).
    margin : int, optional
        Level pixels around an edit whose codes may change too (1 for contours and edges).

    """

    def __init__(
        self,
        name: str,
        grid: TileGrid,
        source: CodeSource,
        cache: BrowserTileCache,
        *,
        follows_mask: bool,
        margin: int = 0,
    ) -> None:
        self.name = name
        self.grid = grid
        self.source = source
        self.held = cache
        self.follows_mask = follows_mask
        self.margin = margin
        #: Tiles held per level, and the boxes of held tiles changed while not shown.
        self._held_levels: Counter[int] = Counter()
        self._stale: dict[TileKey, BBox] = {}

    def forget(self) -> None:
        """Forget every tile of this layer the browser held."""
        self.held.clear()
        self._held_levels.clear()
        self._stale.clear()

    def missing_tiles(self, keys: list[TileKey]) -> list[Tile]:
        """Tiles of ``keys`` the browser lacks, placed in its slots (held from now on)."""
        self.held.touch(keys)
        tiles = []
        for key in self.held.missing(keys):
            slot, evicted = self.held.place(key, keep=keys)
            self._held_levels[key.level] += 1
            if evicted is not None:
                self._held_levels[evicted.level] -= 1
                self._stale.pop(evicted, None)
            codes = self.source(key.level, self.grid.tile_box(key))
            tiles.append(Tile(self.name, key, slot, codes))
        return tiles

    def stale_patches(self, keys: list[TileKey]) -> list[Patch]:
        """Patches owed to tiles of ``keys`` edited while another level showed."""
        patches = []
        for key in keys:
            local = self._stale.pop(key, None)
            slot = self.held.slot_of(key)
            if local is not None and slot is not None:
                tile = self.grid.tile_box(key)
                box = BBox(
                    tile.row0 + local.row0,
                    tile.row0 + local.row1,
                    tile.col0 + local.col0,
                    tile.col0 + local.col1,
                )
                patches.append(Patch(key, slot, local, self.source(key.level, box), self.name))
        return patches

    def pen_patches(self, dirty: BBox, shown: int) -> list[Patch]:
        """Patches of the held tiles of level ``shown`` that an edit of ``dirty`` changed.

        Held tiles of other levels only remember their changed box (`stale_patches`).
        """
        patches = []
        held = self.held.held_keys()
        for part in self.grid.dirty_tiles(self._around(dirty, shown), [shown], among=held):
            slot = self.held.slot_of(part.key)
            codes = self.source(shown, part.level_box)
            patches.append(Patch(part.key, slot, part.local_box, codes, self.name))
        for level, count in self._held_levels.items():
            if not count or level == shown:
                continue
            for part in self.grid.dirty_tiles(self._around(dirty, level), [level], among=held):
                self._stale[part.key] = part.local_box.union(self._stale.get(part.key))
        return patches

    def _around(self, dirty: BBox, level: int) -> BBox:
        grow = self.margin << level
        if not grow:
            return dirty
        return BBox(
            dirty.row0 - grow, dirty.row1 + grow, dirty.col0 - grow, dirty.col1 + grow
        ).clip(self.grid.image_shape)

    def changed(self, dirty: BBox) -> None:
        """Forget the held tiles that ``dirty`` (image pixels, edges included) touches."""
        levels = [level for level, count in self._held_levels.items() if count]
        around = self._around(dirty, max(levels, default=0))
        for part in self.grid.dirty_tiles(around, levels, among=self.held.held_keys()):
            if self.held.discard(part.key) is not None:
                self._held_levels[part.key.level] -= 1
                self._stale.pop(part.key, None)
