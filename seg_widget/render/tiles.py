"""Tile geometry of a multi-resolution display: levels, tiles, the level for a zoom, dirty tiles.

Level ``k`` of an (H, W) image has ``ceil(H / 2**k) x ceil(W / 2**k)`` pixels; level pixel
``(r, c)`` covers the image block ``[r * 2**k, (r + 1) * 2**k) x [c * 2**k, (c + 1) * 2**k)``
(clipped at the image edge). Each level is cut into square tiles of ``tile_size`` level pixels,
addressed by `TileKey` ``(level, row, col)``; the last row and column of tiles may be smaller.

Label tiles sample one image pixel per level pixel (nearest neighbour, so class colours stay
exact): the pixel at offset ``2**k // 2`` into the block on each axis, clamped to the image.
`sample_indices` is that rule; `TileGrid.dirty_tiles` inverts it to find which level pixels an
edit changes.
"""

from __future__ import annotations

import math
from collections.abc import Collection
from numbers import Real
from typing import NamedTuple

import numpy as np

from seg_widget.core.bbox import BBox

__all__ = ["DEFAULT_TILE_SIZE", "DirtyTile", "TileGrid", "TileKey", "sample_indices"]

#: Tile edge in level pixels: 256² RGBA is 256 KiB, a few dozen tiles fill a 1000x700 view.
DEFAULT_TILE_SIZE = 256


class TileKey(NamedTuple):
    """One tile: its level and its (row, col) in that level's grid of tiles."""

    level: int
    row: int
    col: int


class DirtyTile(NamedTuple):
    """The part of one tile an edit changes.

    ``level_box`` is in level pixels of ``key.level``; ``local_box`` is the same box relative to
    the tile's top-left pixel, ready to index the tile's array.
    """

    key: TileKey
    level_box: BBox
    local_box: BBox


def _check_int(value: object, name: str, minimum: int) -> int:
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{name}: expected an int >= {minimum}, got {type(value).__name__}")
    if value < minimum:
        raise ValueError(f"{name}: expected an int >= {minimum}, got {value}")
    return int(value)


def _sample_offset(level: int) -> int:
    """Offset of the sampled pixel inside a level-``level`` block: its centre (rounded down)."""
    return (1 << level) >> 1


def sample_indices(level: int, start: int, stop: int, extent: int) -> np.ndarray:
    """Return the image index sampled by each level index in ``[start, stop)`` along one axis.

    Level index ``i`` samples image index ``min(i * 2**level + 2**level // 2, extent - 1)``: the
    centre of its block, clamped to the image so the last, partial block samples a real pixel.

    Parameters
    ----------
    level : int
        Level, >= 0 (level 0 samples every pixel).
    start, stop : int
        Half-open range of level indices, ``0 <= start <= stop``.
    extent : int
        Image size along the axis, >= 1.

    Returns
    -------
    numpy.ndarray
        intp array of ``stop - start`` image indices, non-decreasing.

    Examples
    --------
    >>> sample_indices(2, 0, 3, 10).tolist()
    [2, 6, 9]

    """
    level = _check_int(level, "level", 0)
    start = _check_int(start, "start", 0)
    stop = _check_int(stop, "stop", start)
    extent = _check_int(extent, "extent", 1)
    indices = np.arange(start, stop, dtype=np.intp) * (1 << level) + _sample_offset(level)
    return np.minimum(indices, extent - 1, out=indices)


def _sampled_range(level: int, start: int, stop: int, extent: int) -> tuple[int, int]:
    """Return the level indices ``[i0, i1)`` whose sampled image index lies in ``[start, stop)``.

    `sample_indices` is non-decreasing, so those indices form one range: i0 is the first index
    sampling at or after ``start`` and i1 the first sampling at or after ``stop``.
    """
    size = -(-extent // (1 << level))

    def first_at_or_after(index: int) -> int:
        if index > extent - 1:  # not even the clamped last sample gets there
            return size
        return min(size, max(0, -(-(index - _sample_offset(level)) // (1 << level))))

    return first_at_or_after(start), first_at_or_after(stop)


class TileGrid:
    """Levels and tiles of an image of shape (H, W).

    Levels run from 0 (the image) to ``level_count - 1``, whose single pixel covers the whole
    image. Pure geometry: it holds no pixels.

    Parameters
    ----------
    image_shape : tuple of int
        (H, W) of the image, both >= 1.
    tile_size : int, optional
        Tile edge in level pixels, a power of two in [16, 4096]. Default `DEFAULT_TILE_SIZE`.

    Raises
    ------
    TypeError, ValueError
        If `image_shape` is not two positive ints or `tile_size` not an allowed power of two.

    Examples
    --------
    >>> grid = TileGrid((1000, 600), tile_size=256)
    >>> grid.level_count, grid.level_shape(1), grid.tiles_shape(1)
    (11, (500, 300), (2, 2))
    >>> grid.tile_box(TileKey(1, 1, 1))
    BBox(row0=256, row1=500, col0=256, col1=300)

    """

    def __init__(self, image_shape: tuple[int, int], tile_size: int = DEFAULT_TILE_SIZE) -> None:
        try:
            height, width = image_shape
        except (TypeError, ValueError):
            raise TypeError(
                f"image_shape: expected (H, W), two ints >= 1, got {image_shape!r}"
            ) from None
        self._shape = (
            _check_int(height, "image_shape[0]", 1),
            _check_int(width, "image_shape[1]", 1),
        )
        tile_size = _check_int(tile_size, "tile_size", 16)
        if tile_size > 4096 or tile_size & (tile_size - 1):
            raise ValueError(f"tile_size: expected a power of two in [16, 4096], got {tile_size}")
        self._tile_size = tile_size
        # Down to a single pixel: any zoom, however small, has a level to show.
        self._level_count = 1 + (max(self._shape) - 1).bit_length()

    def __repr__(self) -> str:
        return f"TileGrid(image_shape={self._shape}, tile_size={self._tile_size})"

    @property
    def image_shape(self) -> tuple[int, int]:
        """(H, W) of level 0."""
        return self._shape

    @property
    def tile_size(self) -> int:
        """Tile edge in level pixels."""
        return self._tile_size

    @property
    def level_count(self) -> int:
        """Number of levels; the last one is a single pixel."""
        return self._level_count

    def _check_level(self, level: object) -> int:
        level = _check_int(level, "level", 0)
        if level >= self._level_count:
            raise ValueError(f"level: expected an int in [0, {self._level_count}), got {level}")
        return level

    def level_shape(self, level: int) -> tuple[int, int]:
        """Return (rows, cols) of a level: ``ceil(H / 2**level), ceil(W / 2**level)``."""
        level = _check_int(level, "level", 0)
        scale = 1 << level
        return -(-self._shape[0] // scale), -(-self._shape[1] // scale)

    def tiles_shape(self, level: int) -> tuple[int, int]:
        """Return (rows, cols) of tiles at a level."""
        rows, cols = self.level_shape(self._check_level(level))
        return -(-rows // self._tile_size), -(-cols // self._tile_size)

    def level_for_zoom(self, zoom: float) -> int:
        """Return the coarsest level whose pixels are still at most one canvas pixel wide.

        At `zoom` canvas pixels per image pixel, level ``k`` pixels are ``zoom * 2**k`` canvas
        pixels wide; the level returned has that in (0.5, 1] (the browser then shrinks by less
        than 2x), or is level 0 when zoom >= 1 (exact pixels), or the last level.

        Examples
        --------
        >>> grid = TileGrid((16384, 16384))
        >>> grid.level_for_zoom(2.0), grid.level_for_zoom(0.5), grid.level_for_zoom(0.3)
        (0, 1, 1)
        >>> grid.level_for_zoom(1e-9) == grid.level_count - 1
        True

        """
        if isinstance(zoom, bool) or not isinstance(zoom, Real):
            raise TypeError(f"zoom: expected a finite positive number, got {type(zoom).__name__}")
        if not (math.isfinite(zoom) and zoom > 0):
            raise ValueError(f"zoom: expected a finite positive number, got {zoom!r}")
        if zoom >= 1:
            return 0
        return min(self._level_count - 1, math.floor(-math.log2(zoom)))

    def tile_box(self, key: TileKey) -> BBox:
        """Return the level-pixel box a tile covers (smaller at the level's last row/column)."""
        level, row, col = key
        tile_rows, tile_cols = self.tiles_shape(level)
        if not (0 <= row < tile_rows and 0 <= col < tile_cols):
            raise ValueError(
                f"key: expected row in [0, {tile_rows}) and col in [0, {tile_cols}) at level "
                f"{level}, got {key!r}"
            )
        rows, cols = self.level_shape(level)
        size = self._tile_size
        return BBox(
            row * size, min(rows, (row + 1) * size), col * size, min(cols, (col + 1) * size)
        )

    def image_box(self, key: TileKey) -> BBox:
        """Return the image-pixel box whose blocks a tile shows (clipped to the image)."""
        box = self.tile_box(key)
        scale = 1 << key.level
        return BBox(box.row0 * scale, box.row1 * scale, box.col0 * scale, box.col1 * scale).clip(
            self._shape
        )

    def tiles_covering(self, level: int, level_box: BBox) -> list[TileKey]:
        """Return the tiles of a level that intersect a box of level pixels, row-major.

        Parts of the box outside the level are ignored; an empty box gives no tiles.
        """
        level = self._check_level(level)
        box = BBox(*level_box).clip(self.level_shape(level))
        if box.is_empty:
            return []
        size = self._tile_size
        return [
            TileKey(level, row, col)
            for row in range(box.row0 // size, (box.row1 - 1) // size + 1)
            for col in range(box.col0 // size, (box.col1 - 1) // size + 1)
        ]

    def view_tiles(self, level: int, visible: BBox) -> list[TileKey]:
        """Return the tiles of a level that show any image pixel of `visible`, row-major.

        Parameters
        ----------
        level : int
            The level drawn (see `level_for_zoom`).
        visible : BBox
            Image pixels in view (e.g. ``Viewport.visible_bbox()``); may reach past the image.

        Examples
        --------
        >>> grid = TileGrid((4096, 4096))
        >>> grid.view_tiles(2, BBox(0, 1200, 900, 2000))
        [TileKey(level=2, row=0, col=0), TileKey(level=2, row=0, col=1), TileKey(level=2, row=1, col=0), TileKey(level=2, row=1, col=1)]

        """  # noqa: E501
        level = self._check_level(level)
        box = BBox(*visible).clip(self._shape)
        if box.is_empty:
            return []
        scale = 1 << level
        level_box = BBox(
            box.row0 // scale, -(-box.row1 // scale), box.col0 // scale, -(-box.col1 // scale)
        )
        return self.tiles_covering(level, level_box)

    def sampled_box(self, level: int, image_box: BBox) -> BBox:
        """Return the level pixels whose nearest-neighbour sample lies in `image_box`.

        At level 0 that is the box itself (clipped); at coarser levels it may be empty, when an
        edit falls between sample points and so changes nothing there.
        """
        level = self._check_level(level)
        box = BBox(*image_box).clip(self._shape)
        if box.is_empty:
            return BBox(0, 0, 0, 0)
        height, width = self._shape
        row0, row1 = _sampled_range(level, box.row0, box.row1, height)
        col0, col1 = _sampled_range(level, box.col0, box.col1, width)
        return BBox(row0, row1, col0, col1)

    def dirty_tiles(
        self, image_box: BBox, levels: object, among: Collection[TileKey] | None = None
    ) -> list[DirtyTile]:
        """Return the tiles, and the boxes inside them, that an edit of `image_box` changes.

        Uses the label sampling rule (`sample_indices`): only level pixels that sample a changed
        image pixel are dirty, so the work is O(edit), whatever the image size.

        Parameters
        ----------
        image_box : BBox
            The edit's dirty box in image pixels.
        levels : iterable of int
            The levels to look at, e.g. the levels the browser currently shows.
        among : collection of TileKey, optional
            Only these tiles (those the browser holds): a big edit then costs O(held tiles),
            not O(tiles it covers), whichever is fewer.

        Returns
        -------
        list of DirtyTile
            Per level in the order given, the touched tiles row-major.

        Examples
        --------
        >>> grid = TileGrid((1024, 1024), tile_size=256)
        >>> [(d.key, d.local_box) for d in grid.dirty_tiles(BBox(250, 260, 100, 104), [0])]
        [(TileKey(level=0, row=0, col=0), BBox(row0=250, row1=256, col0=100, col1=104)), (TileKey(level=0, row=1, col=0), BBox(row0=0, row1=4, col0=100, col1=104))]

        """  # noqa: E501
        dirty = []
        for level in levels:  # type: ignore[attr-defined]
            box = self.sampled_box(level, image_box)
            for key in self._keys_within(level, box, among):
                tile = self.tile_box(key)
                part = BBox(
                    max(box.row0, tile.row0),
                    min(box.row1, tile.row1),
                    max(box.col0, tile.col0),
                    min(box.col1, tile.col1),
                )
                local = BBox(
                    part.row0 - tile.row0,
                    part.row1 - tile.row0,
                    part.col0 - tile.col0,
                    part.col1 - tile.col0,
                )
                dirty.append(DirtyTile(key, part, local))
        return dirty

    def _keys_within(
        self, level: int, level_box: BBox, among: Collection[TileKey] | None
    ) -> list[TileKey]:
        """`tiles_covering`, limited to ``among`` (by walking the fewer of the two)."""
        if among is None:
            return self.tiles_covering(level, level_box)
        box = BBox(*level_box).clip(self.level_shape(level))
        if box.is_empty:
            return []
        size = self._tile_size
        rows = range(box.row0 // size, (box.row1 - 1) // size + 1)
        cols = range(box.col0 // size, (box.col1 - 1) // size + 1)
        if len(rows) * len(cols) <= len(among):
            return [key for key in self.tiles_covering(level, box) if key in among]
        found = [key for key in among if key.level == level and key.row in rows and key.col in cols]
        return sorted(found)  # row-major, as tiles_covering gives them

    def max_view_tiles(self, canvas_size: tuple[int, int]) -> int:
        """Return the most tiles one layer of a view of `canvas_size` (width, height) can need.

        With `level_for_zoom`, level pixels are at least half a canvas pixel wide, so a view
        spans at most ``2 * width`` level pixels, i.e. ``ceil(2 * width / tile_size) + 1`` tiles
        when not aligned. Size a browser tile budget from this (a few views' worth).

        Examples
        --------
        >>> TileGrid((32768, 32768)).max_view_tiles((1000, 700))
        63

        """
        try:
            width, height = canvas_size
        except (TypeError, ValueError):
            raise TypeError(
                f"canvas_size: expected (width, height), two ints >= 1, got {canvas_size!r}"
            ) from None
        width = _check_int(width, "canvas_size[0]", 1)
        height = _check_int(height, "canvas_size[1]", 1)
        size = self._tile_size
        return (-(-2 * width // size) + 1) * (-(-2 * height // size) + 1)
