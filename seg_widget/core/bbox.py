"""Axis-aligned, half-open pixel boxes: the unit of dirty regions and undo diffs."""

from __future__ import annotations

from typing import NamedTuple

import numpy as np


class BBox(NamedTuple):
    """A half-open box of image pixels: rows ``[row0, row1)``, columns ``[col0, col1)``.

    A box whose height or width is <= 0 is *empty*; empty boxes are valid values (a clip
    outside the image, an edit that changed nothing) and behave as the identity of `union`.

    Examples
    --------
    >>> import numpy as np
    >>> box = BBox(1, 3, 2, 5)
    >>> box.height, box.width, box.area
    (2, 3, 6)
    >>> np.zeros((4, 6))[box.slices].shape
    (2, 3)
    >>> box.union(BBox(0, 1, 0, 1))
    BBox(row0=0, row1=3, col0=0, col1=5)

    """

    row0: int
    row1: int
    col0: int
    col1: int

    @property
    def slices(self) -> tuple[slice, slice]:
        """``(slice(row0, row1), slice(col0, col1))``, for indexing an ``(H, W)`` array."""
        return slice(self.row0, self.row1), slice(self.col0, self.col1)

    @property
    def height(self) -> int:
        """``row1 - row0`` (<= 0 for an empty box)."""
        return self.row1 - self.row0

    @property
    def width(self) -> int:
        """``col1 - col0`` (<= 0 for an empty box)."""
        return self.col1 - self.col0

    @property
    def area(self) -> int:
        """Number of pixels in the box; 0 for an empty box."""
        row0, row1, col0, col1 = self  # unpacked once: boxes are combined per pen event
        if row1 <= row0 or col1 <= col0:
            return 0
        return (row1 - row0) * (col1 - col0)

    @property
    def is_empty(self) -> bool:
        """True if the box holds no pixel (height <= 0 or width <= 0)."""
        row0, row1, col0, col1 = self
        return row1 <= row0 or col1 <= col0

    def union(self, other: BBox | None) -> BBox:
        """Return the smallest box containing both boxes.

        ``None`` and empty boxes contribute nothing: ``box.union(None)`` is ``box`` and the
        union of an empty box with ``other`` is ``other``.

        Examples
        --------
        >>> BBox(0, 2, 0, 2).union(BBox(5, 6, 1, 3))
        BBox(row0=0, row1=6, col0=0, col1=3)
        >>> BBox(0, 0, 0, 0).union(BBox(1, 2, 3, 4))
        BBox(row0=1, row1=2, col0=3, col1=4)

        """
        if other is None:
            return self
        row0, row1, col0, col1 = self
        other_row0, other_row1, other_col0, other_col1 = other
        if other_row1 <= other_row0 or other_col1 <= other_col0:
            return self
        if row1 <= row0 or col1 <= col0:
            return other
        return BBox(
            min(row0, other_row0),
            max(row1, other_row1),
            min(col0, other_col0),
            max(col1, other_col1),
        )

    def clip(self, shape: tuple[int, int]) -> BBox:
        """Return the part of the box inside an image of ``shape`` ``(H, W)``; may be empty.

        Examples
        --------
        >>> BBox(-2, 3, 4, 20).clip((10, 8))
        BBox(row0=0, row1=3, col0=4, col1=8)
        >>> BBox(12, 15, 0, 2).clip((10, 8)).is_empty
        True

        """
        height, width = shape
        return BBox(
            max(self.row0, 0),
            min(self.row1, int(height)),
            max(self.col0, 0),
            min(self.col1, int(width)),
        )

    def slices_in(self, outer: BBox) -> tuple[slice, slice]:
        """Return the slices selecting this box in an array covering ``outer`` (which holds it).

        Examples
        --------
        >>> BBox(3, 5, 10, 12).slices_in(BBox(2, 8, 10, 20))
        (slice(1, 3, None), slice(0, 2, None))

        """
        return (
            slice(self.row0 - outer.row0, self.row1 - outer.row0),
            slice(self.col0 - outer.col0, self.col1 - outer.col0),
        )

    @classmethod
    def full(cls, shape: tuple[int, int]) -> BBox:
        """Return the box covering a whole image of ``shape`` ``(H, W)``.

        Examples
        --------
        >>> BBox.full((480, 640))
        BBox(row0=0, row1=480, col0=0, col1=640)

        """
        height, width = shape
        return cls(0, int(height), 0, int(width))


#: Up to this many pixels, `_true_bbox` reads the array as bytes (a pen's box): a few
#: string searches cost less than numpy's per-call overhead on small arrays.
_SMALL_BOX_PIXELS = 1 << 14


def _true_bbox(array: np.ndarray, origin: tuple[int, int] = (0, 0)) -> BBox | None:
    """Tight box of the True pixels of a 2-D bool ``array`` placed at ``origin``; None if none."""
    if array.size <= _SMALL_BOX_PIXELS and array.dtype == np.bool_:
        return _small_true_bbox(array, origin)
    rows = np.flatnonzero(array.any(axis=1))
    if rows.size == 0:
        return None
    cols = np.flatnonzero(array.any(axis=0))
    row, col = origin
    return BBox(
        row + int(rows[0]), row + int(rows[-1]) + 1, col + int(cols[0]), col + int(cols[-1]) + 1
    )


def _small_true_bbox(array: np.ndarray, origin: tuple[int, int]) -> BBox | None:
    # The first and last non-zero byte of the row-major bytes give the row span, those
    # of the transpose's the column span (any non-zero byte is True, as numpy reads it).
    by_rows = array.tobytes()
    size = len(by_rows)
    first = size - len(by_rows.lstrip(b"\0"))
    if first == size:
        return None
    by_cols = array.T.tobytes()
    height, width = array.shape
    row, col = origin
    return BBox(
        row + first // width,
        row + (len(by_rows.rstrip(b"\0")) - 1) // width + 1,
        col + (size - len(by_cols.lstrip(b"\0"))) // height,
        col + (len(by_cols.rstrip(b"\0")) - 1) // height + 1,
    )


def grow_towards_leaks(window: BBox, region: np.ndarray, shape: tuple[int, int]) -> BBox | None:
    """Grow a search window towards the sides its region touches; None once it touches none.

    ``region`` (the window's shape) is a connected region found inside ``window``. A path
    leaving the window must cross its border ring, so when the region touches no side that
    lies inside the image it is complete. Otherwise the window's extent doubles along each
    axis where the region touches a side, the growth going to the side(s) touched (half to
    each when both are), so it stays within twice the region's extent; it is clipped to
    ``shape``. Used by windowed searches (flood fill, magic wand) that cost O(region box):
    the windows searched add up to about 4/3 of the last one.

    Examples
    --------
    >>> import numpy as np
    >>> region = np.zeros((3, 3), bool); region[1, 2] = True
    >>> grow_towards_leaks(BBox(2, 5, 2, 5), region, (10, 10))
    BBox(row0=2, row1=5, col0=2, col1=8)
    >>> region[1, 2] = False; region[1, 1] = True  # the middle pixel only: complete
    >>> grow_towards_leaks(BBox(2, 5, 2, 5), region, (10, 10)) is None
    True

    """
    height, width = shape
    top = int(window.row0 > 0 and bool(region[0].any()))
    bottom = int(window.row1 < height and bool(region[-1].any()))
    left = int(window.col0 > 0 and bool(region[:, 0].any()))
    right = int(window.col1 < width and bool(region[:, -1].any()))
    if not (top or bottom or left or right):
        return None
    rows = -(-window.height // (top + bottom)) if top or bottom else 0  # per side touched
    cols = -(-window.width // (left + right)) if left or right else 0
    return BBox(
        window.row0 - rows * top,
        window.row1 + rows * bottom,
        window.col0 - cols * left,
        window.col1 + cols * right,
    ).clip(shape)
