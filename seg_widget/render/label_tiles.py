"""Label tiles at every level, sampled on demand from the live mask (never stale, never cached).

Level ``k`` shows, for each level pixel, the class of one image pixel (nearest neighbour, the
rule of `seg_widget.render.tiles.sample_indices`), so every level shows exact class colours and
never a blend. A tile reads only its own ``tile_size**2`` samples of the mask: O(tile) at any
level, so nothing needs caching and an edit is visible in the next tile or patch asked for.
"""

from __future__ import annotations

import numpy as np

from seg_widget.core.bbox import BBox

from .tiles import DEFAULT_TILE_SIZE, TileGrid, TileKey, sample_indices

__all__ = ["LabelTiles"]


def _check_mask(mask: object) -> np.ndarray:
    if not isinstance(mask, np.ndarray):
        raise TypeError(f"mask: expected a numpy.ndarray, got {type(mask).__name__}")
    if mask.dtype.kind not in "iu" or mask.dtype.itemsize > 2:
        raise TypeError(f"mask: expected a uint8/uint16 (or int8/int16) array, got {mask.dtype}")
    if mask.ndim != 2 or mask.size == 0:
        raise ValueError(f"mask: expected a non-empty 2-D array, got shape {mask.shape}")
    return mask


class LabelTiles:
    """Class ids of the label overlay per tile and level, read from a live mask.

    Parameters
    ----------
    mask : numpy.ndarray
        (H, W) uint8 or uint16 class ids; kept by reference, so in-place edits show in every
        tile computed afterwards.
    tile_size : int, optional
        Tile edge in level pixels (see `TileGrid`).

    Examples
    --------
    >>> import numpy as np
    >>> mask = np.zeros((8, 8), dtype=np.uint8)
    >>> labels = LabelTiles(mask, tile_size=16)
    >>> mask[2:4, 6:8] = 3  # an edit in place
    >>> labels.tile(TileKey(2, 0, 0))
    array([[0, 3],
           [0, 0]], dtype=uint8)

    """

    def __init__(self, mask: np.ndarray, *, tile_size: int = DEFAULT_TILE_SIZE) -> None:
        self._mask = _check_mask(mask)
        self._grid = TileGrid(mask.shape, tile_size)

    def __repr__(self) -> str:
        return f"LabelTiles(shape={self._mask.shape}, dtype={self._mask.dtype}, grid={self._grid})"

    @property
    def grid(self) -> TileGrid:
        """The levels and tiles."""
        return self._grid

    @property
    def mask(self) -> np.ndarray:
        """The live (H, W) class-id array."""
        return self._mask

    @mask.setter
    def mask(self, value: np.ndarray) -> None:
        value = _check_mask(value)
        if value.shape != self._mask.shape:
            raise ValueError(f"mask: expected shape {self._mask.shape}, got {value.shape}")
        self._mask = value

    def tile(self, key: TileKey) -> np.ndarray:
        """Return the class ids of a tile: C-contiguous, shape of ``grid.tile_box(key)``."""
        key = TileKey(*key)
        return self.region(key.level, self._grid.tile_box(key))

    def region(self, level: int, level_box: BBox) -> np.ndarray:
        """Return the class ids of a box of level pixels (e.g. a `DirtyTile.level_box`).

        Parameters
        ----------
        level : int
            Level, in ``[0, grid.level_count)``.
        level_box : BBox
            Box of level pixels inside the level.

        Returns
        -------
        numpy.ndarray
            New C-contiguous array of the mask's dtype and the box's shape.

        """
        level_box = BBox(*level_box)
        rows, cols = self._grid.level_shape(level)
        if level_box.clip((rows, cols)) != level_box or level_box.is_empty:
            raise ValueError(
                f"level_box: expected a non-empty box inside level {level} of shape "
                f"{(rows, cols)}, got {level_box!r}"
            )
        if level == 0:
            return np.ascontiguousarray(self._mask[level_box.slices])
        height, width = self._mask.shape
        row_index = sample_indices(level, level_box.row0, level_box.row1, height)
        col_index = sample_indices(level, level_box.col0, level_box.col1, width)
        return self._mask[np.ix_(row_index, col_index)]
