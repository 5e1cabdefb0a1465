"""The display image as a lazily computed pyramid of uint8 tiles, cached within a byte budget.

Level 0 is the image after window/level (`to_display`), exact. Level ``k`` pixel ``(r, c)`` is
the mean of the (up to) 2x2 level ``k - 1`` pixels ``[2r, 2r + 2) x [2c, 2c + 2)`` that exist,
each weighted by the number of image pixels it covers, per channel, rounded half up: the area
mean of the image block (box filter), built level by level, so within ``k / 2`` of the exact
block mean (one rounding per level). Level ``k`` tiles
are computed from level ``k - 1`` tiles, never from the whole image, and only when asked for, so
a constructor costs nothing and a view costs what it shows (plus, the first time, the finer
levels below it). Tiles are cached least recently used first within a byte budget; the result
never depends on what is cached.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

import numpy as np
from PIL import Image

from seg_widget.core.bbox import BBox

from .display import _check_image, _check_limits, to_display
from .lru import ByteLRU
from .tiles import DEFAULT_TILE_SIZE, TileGrid, TileKey, sample_indices

__all__ = ["DEFAULT_CACHE_BYTES", "ImagePyramid", "reduce_2x2"]

#: Default kernel-side byte budget of computed tiles (one tile of 256² RGB is 192 KiB).
DEFAULT_CACHE_BYTES = 256 * 2**20

# Pillow's box reduction in C, 4-10x faster than numpy; "RGBX" keeps it from premultiplying
# alpha, so all four channels of RGBA are averaged alike.
_PIL_MODES = {1: ("L", "L"), 3: ("RGB", "RGB"), 4: ("RGBX", "RGBX")}


def reduce_2x2(tile: np.ndarray) -> np.ndarray:
    """Return the 2x2 mean of a uint8 grey, RGB or RGBA tile, rounded half up.

    Output pixel ``(r, c)`` is the mean of the input pixels ``[2r, 2r + 2) x [2c, 2c + 2)``
    that exist (an odd last row or column is averaged with itself), per channel.

    Parameters
    ----------
    tile : numpy.ndarray
        uint8 array of shape (h, w), (h, w, 3) or (h, w, 4), h, w >= 1.

    Returns
    -------
    numpy.ndarray
        uint8 array of shape ``(ceil(h / 2), ceil(w / 2)) + tile.shape[2:]``.

    Examples
    --------
    >>> import numpy as np
    >>> reduce_2x2(np.array([[0, 1, 9], [2, 3, 9]], dtype=np.uint8))
    array([[2, 9]], dtype=uint8)

    """
    if not isinstance(tile, np.ndarray) or tile.dtype != np.uint8:
        got = tile.dtype if isinstance(tile, np.ndarray) else type(tile).__name__
        raise TypeError(f"tile: expected a uint8 numpy.ndarray, got {got}")
    channels = 1 if tile.ndim == 2 else tile.shape[2] if tile.ndim == 3 else 0
    if channels not in _PIL_MODES or tile.shape[0] < 1 or tile.shape[1] < 1:
        raise ValueError(f"tile: expected shape (h, w), (h, w, 3) or (h, w, 4), got {tile.shape}")
    height, width = tile.shape[:2]
    mode, raw_mode = _PIL_MODES[channels]
    source = Image.frombuffer(
        mode, (width, height), np.ascontiguousarray(tile), "raw", raw_mode, 0, 1
    )
    return np.asarray(source.reduce(2))


def _weighted_reduce_2x2(
    values: np.ndarray, row_weights: np.ndarray, col_weights: np.ndarray
) -> np.ndarray:
    """Return the 2x2 means of `values` weighted by ``row_weights[r] * col_weights[c]``.

    Rounded half up, in exact integer arithmetic; a missing last row or column weighs 0.
    """
    height, width = values.shape[:2]
    weights = np.zeros((height + height % 2, width + width % 2), dtype=np.int64)
    weights[:height, :width] = np.outer(row_weights, col_weights)
    weighted = np.zeros((*weights.shape, values[0, 0].size), dtype=np.int64)
    weighted[:height, :width] = values.reshape(height, width, -1) * weights[:height, :width, None]
    half_rows, half_cols = weights.shape[0] // 2, weights.shape[1] // 2
    total = weighted.reshape(half_rows, 2, half_cols, 2, -1).sum(axis=(1, 3))
    weight = weights.reshape(half_rows, 2, half_cols, 2).sum(axis=(1, 3))[..., None]
    mean = (2 * total + weight) // (2 * weight)
    return mean.astype(np.uint8).reshape(half_rows, half_cols, *values.shape[2:])


class ImagePyramid:
    """Display tiles of an image at every level, computed on demand and cached.

    Parameters
    ----------
    image : numpy.ndarray
        (H, W), (H, W, 3) or (H, W, 4) array, bool, integer or float. Kept by reference and
        read only when tiles are computed: do not modify it while the pyramid is in use.
    limits : tuple of float, optional
        Window/level (low, high) mapped to 0..255 (see `to_display`). Default: (0, 255) for
        uint8, (0, 1) for bool; other dtypes need explicit limits (computing
        `contrast_limits` reads the whole image, which this class never does).
    tile_size : int, optional
        Tile edge in level pixels (see `TileGrid`).
    cache_bytes : int, optional
        Byte budget of cached tiles, >= 0. Default `DEFAULT_CACHE_BYTES`.

    Raises
    ------
    TypeError, ValueError
        For an image of another type, dtype or shape, or bad limits, tile size or budget.

    Examples
    --------
    >>> import numpy as np
    >>> image = np.arange(16, dtype=np.uint8).reshape(4, 4) * 10
    >>> pyramid = ImagePyramid(image, tile_size=16)
    >>> pyramid.tile(TileKey(1, 0, 0))
    array([[ 25,  45],
           [105, 125]], dtype=uint8)

    """

    def __init__(
        self,
        image: np.ndarray,
        *,
        limits: tuple[float, float] | None = None,
        tile_size: int = DEFAULT_TILE_SIZE,
        cache_bytes: int = DEFAULT_CACHE_BYTES,
    ) -> None:
        _check_image(image)
        if image.size == 0:
            raise ValueError(f"image: expected a non-empty image, got shape {image.shape}")
        self._image = image
        self._grid = TileGrid(image.shape[:2], tile_size)
        self._cache: ByteLRU[TileKey, np.ndarray] = ByteLRU(cache_bytes)
        self._limits = self._default_limits() if limits is None else _check_limits(limits)

    def _default_limits(self) -> tuple[float, float]:
        if self._image.dtype == np.uint8:
            return 0.0, 255.0
        if self._image.dtype == np.bool_:
            return 0.0, 1.0
        raise ValueError(
            f"limits: expected (low, high) for an image of dtype {self._image.dtype} (only uint8 "
            "and bool have defaults; seg_widget.render.contrast_limits(image) computes them), "
            "got None"
        )

    def __repr__(self) -> str:
        return (
            f"ImagePyramid(shape={self._image.shape}, dtype={self._image.dtype}, "
            f"limits={self._limits}, levels={self._grid.level_count}, "
            f"cached={self._cache.nbytes} bytes)"
        )

    @property
    def grid(self) -> TileGrid:
        """The levels and tiles."""
        return self._grid

    @property
    def channels(self) -> int:
        """1 (grey), 3 (RGB) or 4 (RGBA): the last axis of every colour tile, if any."""
        return 1 if self._image.ndim == 2 else self._image.shape[2]

    @property
    def limits(self) -> tuple[float, float]:
        """Window/level (low, high) of the display."""
        return self._limits

    @limits.setter
    def limits(self, value: tuple[float, float]) -> None:
        low_high = _check_limits(value)
        if low_high != self._limits:
            self._limits = low_high
            self._cache.clear()

    @property
    def cached_bytes(self) -> int:
        """Bytes of tiles held in the cache now."""
        return self._cache.nbytes

    def is_cached(self, key: TileKey) -> bool:
        """Return whether `key` is ready without computing (its tile is in the cache)."""
        return key in self._cache

    def pixels_to_read(self, keys: object, *, limit: int) -> int:
        """Return how many image pixels computing `keys` reads now, counting up to `limit`.

        Cached tiles cost 0; an uncached tile costs what its uncached finer tiles cost, down to
        level 1, which reads its whole image box. The count stops growing once past `limit`
        (so asking is cheap even for a huge image): compare the result with `limit` to decide
        whether to send `preview` tiles first.

        Examples
        --------
        >>> import numpy as np
        >>> pyramid = ImagePyramid(np.zeros((64, 64), np.uint8), tile_size=16)
        >>> pyramid.pixels_to_read([TileKey(2, 0, 0)], limit=10**6)
        4096
        >>> _ = pyramid.tile(TileKey(2, 0, 0))
        >>> pyramid.pixels_to_read([TileKey(2, 0, 0)], limit=10**6)
        0

        """
        total = 0
        pending = [TileKey(*key) for key in keys]  # type: ignore[attr-defined]
        while pending and total <= limit:
            key = pending.pop()
            if key in self._cache:
                continue
            if key.level <= 1:
                total += self._grid.image_box(key).area
                continue
            box = self._grid.tile_box(key)
            # tiles_covering clips the box to the finer level.
            fine = BBox(2 * box.row0, 2 * box.row1, 2 * box.col0, 2 * box.col1)
            pending.extend(self._grid.tiles_covering(key.level - 1, fine))
        return total

    def steps(self, key: TileKey) -> Iterator[TileKey]:
        """Compute a tile in small steps: yield each tile computed, finer tiles first.

        Every step computes one tile whose finer tiles are ready, so it costs O(tile) (a level-1
        step reads one ``2 * tile_size`` square of the image); an uncached tile of a coarse
        level of a huge image takes thousands of steps. Drive it from idle time and stop
        whenever: nothing is lost, the steps done stay cached. When it is exhausted, ``key``
        is cached (unless the cache budget is smaller than a few tiles).

        Examples
        --------
        >>> import numpy as np
        >>> pyramid = ImagePyramid(np.zeros((64, 64), np.uint8), tile_size=16)
        >>> [tuple(k) for k in pyramid.steps(TileKey(2, 0, 0))][-3:]
        [(1, 1, 0), (1, 1, 1), (2, 0, 0)]
        >>> pyramid.is_cached(TileKey(2, 0, 0))
        True

        """
        key = TileKey(*key)
        box = self._grid.tile_box(key)
        if key in self._cache:
            return
        if key.level >= 2:
            fine = BBox(2 * box.row0, 2 * box.row1, 2 * box.col0, 2 * box.col1)
            for child in self._grid.tiles_covering(key.level - 1, fine):
                yield from self.steps(child)
        self.tile(key)
        yield key

    def tile(self, key: TileKey, *, keep: Iterable[TileKey] = ()) -> np.ndarray:
        """Return the display pixels of a tile (computing and caching it if needed).

        Parameters
        ----------
        key : TileKey
            Level, row and column of the tile (see `TileGrid.tile_box`).
        keep : iterable of TileKey, optional
            Cached tiles not to evict while this one is stored.

        Returns
        -------
        numpy.ndarray
            Read-only C-contiguous uint8 array of shape ``box.shape`` (grey) or
            ``box.shape + (channels,)``, where box is ``grid.tile_box(key)``.

        """
        key = TileKey(*key)
        box = self._grid.tile_box(key)  # validates key
        cached = self._cache.get(key)
        if cached is not None:
            return cached
        pixels = self._compute(key, box)
        pixels.flags.writeable = False
        self._cache.put(key, pixels, pixels.nbytes, keep=keep)
        return pixels

    def _compute(self, key: TileKey, box: BBox) -> np.ndarray:
        if key.level == 0:
            return np.ascontiguousarray(to_display(self._image[box.slices], self._limits))
        if key.level == 1:
            # Straight from the image (every level-0 pixel weighs 1): no level-0 tile is kept.
            source = self._grid.image_box(key)
            return reduce_2x2(to_display(self._image[source.slices], self._limits))
        # The finer level's pixels under this tile, from its (up to four) tiles.
        fine_rows, fine_cols = self._grid.level_shape(key.level - 1)
        fine = BBox(
            2 * box.row0, min(2 * box.row1, fine_rows), 2 * box.col0, min(2 * box.col1, fine_cols)
        )
        source = np.empty((fine.height, fine.width, *self._image.shape[2:]), dtype=np.uint8)
        for child in self._grid.tiles_covering(key.level - 1, fine):
            source[self._grid.tile_box(child).slices_in(fine)] = self.tile(child)
        return self._reweight_edges(reduce_2x2(source), source, key.level, fine)

    def _reweight_edges(
        self, out: np.ndarray, source: np.ndarray, level: int, fine: BBox
    ) -> np.ndarray:
        """Redo the last row/column of `out` as area means where a finer pixel is partial.

        The last pixel of a finer level may cover fewer image pixels than the others; where it
        is averaged with a full one, the equal-weight mean of `reduce_2x2` would over-weigh it.
        """
        fine_rows, fine_cols = self._grid.level_shape(level - 1)
        span = 1 << (level - 1)  # image pixels per finer pixel, except the last
        last_row_span = self._image.shape[0] - (fine_rows - 1) * span
        last_col_span = self._image.shape[1] - (fine_cols - 1) * span
        # The last output pixel pairs a full and a partial finer pixel only for an even count.
        fix_rows = fine.row1 == fine_rows and fine_rows % 2 == 0 and last_row_span < span
        fix_cols = fine.col1 == fine_cols and fine_cols % 2 == 0 and last_col_span < span
        if not (fix_rows or fix_cols):
            return out
        row_weights = np.full(source.shape[0], span, dtype=np.int64)
        col_weights = np.full(source.shape[1], span, dtype=np.int64)
        if fine.row1 == fine_rows:
            row_weights[-1] = last_row_span
        if fine.col1 == fine_cols:
            col_weights[-1] = last_col_span
        out = out.copy()
        if fix_cols:
            out[:, -1:] = _weighted_reduce_2x2(source[:, -2:], row_weights, col_weights[-2:])
        if fix_rows:
            out[-1:, :] = _weighted_reduce_2x2(source[-2:, :], row_weights[-2:], col_weights)
        return out

    def preview(self, key: TileKey) -> np.ndarray:
        """Return a quick stand-in for a tile: the display pixel at each level pixel's sample.

        Reads one image pixel per level pixel (the label sampling rule, `sample_indices`), so
        it costs O(tile) at any level, where an uncached `tile` of a coarse level reads every
        image pixel under it. For a first frame of a huge image while exact tiles are computed.
        Not cached; same shape and dtype as `tile`.
        """
        key = TileKey(*key)
        box = self._grid.tile_box(key)
        height, width = self._image.shape[:2]
        rows = sample_indices(key.level, box.row0, box.row1, height)
        cols = sample_indices(key.level, box.col0, box.col1, width)
        return np.ascontiguousarray(to_display(self._image[np.ix_(rows, cols)], self._limits))
