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
        if self.is_empty:
            return 0
        return self.height * self.width

    @property
    def is_empty(self) -> bool:
        """True if the box holds no pixel (height <= 0 or width <= 0)."""
        return self.height <= 0 or self.width <= 0

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
        if other is None or other.is_empty:
            return self
        if self.is_empty:
            return other
        return BBox(
            min(self.row0, other.row0),
            max(self.row1, other.row1),
            min(self.col0, other.col0),
            max(self.col1, other.col1),
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


def _true_bbox(array: np.ndarray, origin: tuple[int, int] = (0, 0)) -> BBox | None:
    """Tight box of the True pixels of a 2-D bool ``array`` placed at ``origin``; None if none."""
    rows = np.flatnonzero(array.any(axis=1))
    if rows.size == 0:
        return None
    cols = np.flatnonzero(array.any(axis=0))
    row, col = origin
    return BBox(
        row + int(rows[0]), row + int(rows[-1]) + 1, col + int(cols[0]), col + int(cols[-1]) + 1
    )
