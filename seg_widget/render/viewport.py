"""The zoom/pan transform between canvas pixels and image pixels.

``canvas = image * zoom + offset`` on each axis, where image coordinates are continuous:
pixel ``(row, col)`` covers ``[col, col + 1) x [row, row + 1)``, so ``offset`` is the canvas
position of the top-left corner of pixel (0, 0). Canvas points are ``(x, y)``; image points are
returned as ``(col, row)`` to match them.
"""

from __future__ import annotations

import math
from numbers import Real

from seg_widget.core.bbox import BBox

__all__ = ["Viewport"]

#: Canvas pixels of the image that always stay visible on each axis after a zoom or pan
#: (or half the canvas if that is smaller), so the user can never lose the image.
MIN_VISIBLE_PX = 64.0


def _size_pair(value: object, name: str, what: str) -> tuple[int, int]:
    """Return `value` as two positive ints, or raise naming `name`."""
    expected = f"{name}: expected {what}, two positive ints"
    try:
        first, second = value  # type: ignore[misc]
    except (TypeError, ValueError):
        raise TypeError(f"{expected}, got {value!r}") from None
    for item in (first, second):
        if isinstance(item, bool) or not isinstance(item, Real):
            raise TypeError(f"{expected}, got {value!r}")
        # Integral floats such as 800.0 are accepted; 800.5 or nan are not sizes.
        if not (math.isfinite(item) and item == int(item) and item > 0):
            raise ValueError(f"{expected}, got {value!r}")
    return int(first), int(second)


def _positive(value: object, name: str) -> float:
    """Return `value` as a finite positive float, or raise naming `name`."""
    if isinstance(value, bool) or not isinstance(value, Real):
        raise TypeError(f"{name}: expected a finite positive number, got {type(value).__name__}")
    if not (math.isfinite(value) and value > 0):
        raise ValueError(f"{name}: expected a finite positive number, got {value!r}")
    return float(value)


def _point(value: object, name: str) -> tuple[float, float]:
    """Return `value` as two finite floats, or raise naming `name`."""
    expected = f"{name}: expected an (x, y) pair of finite numbers"
    try:
        x, y = value  # type: ignore[misc]
    except (TypeError, ValueError):
        raise TypeError(f"{expected}, got {value!r}") from None
    if not all(isinstance(v, Real) and not isinstance(v, bool) for v in (x, y)):
        raise TypeError(f"{expected}, got {value!r}")
    if not (math.isfinite(x) and math.isfinite(y)):
        raise ValueError(f"{expected}, got {value!r}")
    return float(x), float(y)


def _clamp_offset(offset: float, extent: float, canvas: float) -> float:
    """Clamp one axis' offset so min(64 px, canvas / 2, extent) of the image stays visible."""
    keep = min(MIN_VISIBLE_PX, canvas / 2, extent)
    return min(max(offset, keep - extent), canvas - keep)


class Viewport:
    """Zoom and pan of an (H, W) image shown in a canvas of (width, height) pixels.

    Starts fitted: the whole image visible and centred. `zoom` is canvas pixels per image pixel,
    clamped to [`min_zoom`, `max_zoom`]; after every zoom or pan the offsets are clamped so the
    image cannot leave the canvas entirely.

    Parameters
    ----------
    image_shape : tuple of int
        (H, W) of the image, positive.
    canvas_size : tuple of int
        (width, height) of the canvas in canvas pixels, positive.
    max_zoom : float, optional
        Largest zoom. It is raised to `fit_zoom` if smaller, so a tiny image can always fit.

    Examples
    --------
    >>> viewport = Viewport((100, 200), (400, 400))
    >>> viewport.zoom, viewport.offset_x, viewport.offset_y
    (2.0, 0.0, 100.0)
    >>> viewport.canvas_to_image(200.0, 200.0)
    (100.0, 50.0)
    >>> viewport.zoom_by(2.0, anchor_xy=(0.0, 100.0))
    >>> viewport.canvas_to_image(0.0, 100.0)
    (0.0, 0.0)

    """

    def __init__(
        self,
        image_shape: tuple[int, int],
        canvas_size: tuple[int, int],
        *,
        max_zoom: float = 64.0,
    ) -> None:
        self._image_h, self._image_w = _size_pair(image_shape, "image_shape", "(H, W)")
        self._canvas_w, self._canvas_h = _size_pair(canvas_size, "canvas_size", "(width, height)")
        self._max_zoom = _positive(max_zoom, "max_zoom")
        #: Canvas pixels per image pixel.
        self._zoom = 1.0
        #: Canvas position of the image point (col, row) = (0, 0).
        self._offset_x = 0.0
        self._offset_y = 0.0
        self.fit()

    def __repr__(self) -> str:
        return (
            f"Viewport(image_shape={self.image_shape}, canvas_size={self.canvas_size}, "
            f"zoom={self._zoom:g}, offset=({self._offset_x:g}, {self._offset_y:g}))"
        )

    # -- state ---------------------------------------------------------------------------

    @property
    def zoom(self) -> float:
        """Canvas pixels per image pixel."""
        return self._zoom

    @property
    def offset_x(self) -> float:
        """Canvas x of the left edge of image column 0."""
        return self._offset_x

    @property
    def offset_y(self) -> float:
        """Canvas y of the top edge of image row 0."""
        return self._offset_y

    @property
    def canvas_size(self) -> tuple[int, int]:
        """(width, height) of the canvas in canvas pixels."""
        return self._canvas_w, self._canvas_h

    @property
    def image_shape(self) -> tuple[int, int]:
        """(H, W) of the image."""
        return self._image_h, self._image_w

    @property
    def fit_zoom(self) -> float:
        """Largest zoom at which the whole image fits the canvas."""
        return min(self._canvas_w / self._image_w, self._canvas_h / self._image_h)

    @property
    def min_zoom(self) -> float:
        """Smallest zoom: a quarter of `fit_zoom`, and never above 1 (100 %)."""
        return min(self.fit_zoom / 4, 1.0)

    @property
    def max_zoom(self) -> float:
        """Largest zoom: the `max_zoom` given, or `fit_zoom` if that is larger."""
        return max(self._max_zoom, self.fit_zoom)

    # -- coordinates ---------------------------------------------------------------------

    def canvas_to_image(self, x: float, y: float) -> tuple[float, float]:
        """Return the image point (col, row) under canvas point (x, y), as floats.

        Pixel ``(row, col)`` contains the points with ``floor(row), floor(col)`` equal to it.
        """
        return (x - self._offset_x) / self._zoom, (y - self._offset_y) / self._zoom

    def image_to_canvas(self, col: float, row: float) -> tuple[float, float]:
        """Return the canvas point (x, y) of image point (col, row): `canvas_to_image` inverted."""
        return col * self._zoom + self._offset_x, row * self._zoom + self._offset_y

    def transform(self) -> tuple[float, float, float, float, float, float]:
        """Return ``(zoom, 0, 0, zoom, offset_x, offset_y)`` for ``canvas.set_transform``."""
        return (self._zoom, 0.0, 0.0, self._zoom, self._offset_x, self._offset_y)

    # -- changes -------------------------------------------------------------------------

    def fit(self) -> None:
        """Zoom to `fit_zoom` and centre the image in the canvas."""
        self._zoom = self.fit_zoom
        self._offset_x = (self._canvas_w - self._image_w * self._zoom) / 2
        self._offset_y = (self._canvas_h - self._image_h * self._zoom) / 2

    def set_zoom(self, zoom: float, anchor_xy: tuple[float, float] | None = None) -> None:
        """Set the zoom, keeping the image point under canvas point `anchor_xy` fixed.

        Parameters
        ----------
        zoom : float
            Finite and positive; clamped to [`min_zoom`, `max_zoom`].
        anchor_xy : tuple of float, optional
            Canvas (x, y) that stays over the same image point. Default: the canvas centre.

        """
        zoom = _positive(zoom, "zoom")
        if anchor_xy is None:
            anchor_x, anchor_y = self._canvas_w / 2, self._canvas_h / 2
        else:
            anchor_x, anchor_y = _point(anchor_xy, "anchor_xy")
        col, row = self.canvas_to_image(anchor_x, anchor_y)
        self._zoom = min(max(zoom, self.min_zoom), self.max_zoom)
        self._offset_x = anchor_x - col * self._zoom
        self._offset_y = anchor_y - row * self._zoom
        self._clamp()

    def zoom_by(self, factor: float, anchor_xy: tuple[float, float] | None = None) -> None:
        """Multiply the zoom by `factor` (finite, positive) about `anchor_xy`; see `set_zoom`."""
        factor = _positive(factor, "factor")
        self.set_zoom(self._zoom * factor, anchor_xy)

    def pan_by(self, dx: float, dy: float) -> None:
        """Move the image by (dx, dy) canvas pixels, then keep it in view."""
        dx, dy = _point((dx, dy), "(dx, dy)")
        self._offset_x += dx
        self._offset_y += dy
        self._clamp()

    def resize(self, canvas_size: tuple[int, int]) -> None:
        """Change the canvas size, keeping the image point at the canvas centre at the centre.

        The zoom is clamped to the new [`min_zoom`, `max_zoom`] range.
        """
        width, height = _size_pair(canvas_size, "canvas_size", "(width, height)")
        col, row = self.canvas_to_image(self._canvas_w / 2, self._canvas_h / 2)
        self._canvas_w, self._canvas_h = width, height
        self._zoom = min(max(self._zoom, self.min_zoom), self.max_zoom)
        self._offset_x = width / 2 - col * self._zoom
        self._offset_y = height / 2 - row * self._zoom
        self._clamp()

    def _clamp(self) -> None:
        """Move the offsets so at least min(64 px, half the canvas) of the image stays visible."""
        self._offset_x = _clamp_offset(
            self._offset_x, self._image_w * self._zoom, float(self._canvas_w)
        )
        self._offset_y = _clamp_offset(
            self._offset_y, self._image_h * self._zoom, float(self._canvas_h)
        )

    # -- regions -------------------------------------------------------------------------

    def canvas_rect(self, bbox: BBox) -> tuple[int, int, int, int] | None:
        """Return the integer canvas rectangle (x, y, w, h) covering image box `bbox`.

        The exact rectangle is rounded outward and grown by one pixel on every side, so
        anti-aliased or rounded drawing never leaks out of it, then clipped to the canvas.

        Parameters
        ----------
        bbox : BBox
            Half-open image box (row0, row1, col0, col1).

        Returns
        -------
        tuple of int or None
            (x, y, width, height) with positive width and height, or None if `bbox` is empty
            or entirely off-screen.

        Examples
        --------
        >>> viewport = Viewport((100, 100), (100, 100))
        >>> viewport.canvas_rect(BBox(10, 20, 30, 35))
        (29, 9, 7, 12)
        >>> viewport.canvas_rect(BBox(10, 10, 30, 35)) is None
        True

        """
        row0, row1, col0, col1 = bbox
        if row1 <= row0 or col1 <= col0:
            return None
        left, top = self.image_to_canvas(col0, row0)
        right, bottom = self.image_to_canvas(col1, row1)
        x0 = max(math.floor(left) - 1, 0)
        y0 = max(math.floor(top) - 1, 0)
        x1 = min(math.ceil(right) + 1, self._canvas_w)
        y1 = min(math.ceil(bottom) + 1, self._canvas_h)
        if x1 <= x0 or y1 <= y0:
            return None
        return x0, y0, x1 - x0, y1 - y0

    def visible_bbox(self) -> BBox:
        """Return the image pixels at least partly visible in the canvas, clipped to the image.

        Examples
        --------
        >>> viewport = Viewport((100, 200), (400, 400))
        >>> viewport.visible_bbox()
        BBox(row0=0, row1=100, col0=0, col1=200)
        >>> viewport.set_zoom(8.0)
        >>> viewport.visible_bbox()
        BBox(row0=25, row1=75, col0=75, col1=125)

        """
        left, top = self.canvas_to_image(0.0, 0.0)
        right, bottom = self.canvas_to_image(float(self._canvas_w), float(self._canvas_h))
        return BBox(
            min(max(math.floor(top), 0), self._image_h),
            min(max(math.ceil(bottom), 0), self._image_h),
            min(max(math.floor(left), 0), self._image_w),
            min(max(math.ceil(right), 0), self._image_w),
        )
