"""The magic wand: the connected region of colours close to the clicked pixel's colour."""

from __future__ import annotations

from collections.abc import Callable
from numbers import Real

import numpy as np
from scipy import ndimage

from seg_widget.core.assist_colour import (
    MAX_LAB_DISTANCE,
    display_colour,
    lab_distance_within,
    lab_float32,
)
from seg_widget.core.bbox import BBox, _true_bbox, grow_towards_leaks
from seg_widget.core.checks import seed_pixel

#: Half-size of the first window searched around the seed (as in `flood_footprint`).
_FIRST_HALF_WINDOW = 128

#: Added to the colour distance limit, in Lab units, so that float rounding never separates
#: two pixels of the same colour; distinct 8-bit colours are 0.02 or more apart.
_LAB_SLACK = 1e-3


def wand_region(
    image: np.ndarray, seed_rc: tuple[int, int], tolerance: float
) -> tuple[BBox, np.ndarray]:
    """Return the 4-connected region of pixels whose colour is close to the seed pixel's.

    A pixel is close if its colour distance to the seed pixel's colour is at most
    ``tolerance`` times the largest possible distance. For colour images the distance is the
    Euclidean distance in CIE Lab (as `skimage.color.rgb2lab`; the largest, blue to green, is
    about 258.7); for grey images it is the absolute difference of the values divided by 255.
    ``tolerance=0`` selects exactly the seed's colour; ``tolerance=1`` the whole image.

    The search starts in a window around the seed and grows it towards each side the region
    reaches (as `flood_footprint`), converting to Lab only the pixels of that window, so a
    small region costs little however large the image.

    Parameters
    ----------
    image : ndarray of uint8
        The displayed image: ``(H, W)`` grey, ``(H, W, 3)`` RGB or ``(H, W, 4)`` RGBA (alpha
        is ignored). Not modified.
    seed_rc : tuple of int
        The clicked pixel ``(row, col)``.
    tolerance : float
        In ``[0, 1]``: the fraction of the largest possible colour distance accepted.

    Returns
    -------
    (BBox, ndarray)
        The tight bounding box of the region and a bool array of that box's shape (True = in
        the region). The region always contains the seed.

    Raises
    ------
    TypeError
        If ``image`` is not a uint8 array, ``seed_rc`` is not two ints or ``tolerance`` is not
        a number.
    ValueError
        If ``image`` has another shape, ``seed_rc`` is outside it or ``tolerance`` is not in
        ``[0, 1]``.

    Examples
    --------
    >>> import numpy as np
    >>> image = np.array([[10, 10, 200],
    ...                   [10, 12, 200],
    ...                   [90, 10, 10]], np.uint8)
    >>> bbox, region = wand_region(image, (0, 0), 0.0)
    >>> bbox
    BBox(row0=0, row1=2, col0=0, col1=2)
    >>> region.astype(int)
    array([[1, 1],
           [1, 0]])

    Within 1 % of the range (2 grey levels), the 12 joins and links the 10s below:

    >>> wand_region(image, (0, 0), 0.01)[1].astype(int)
    array([[1, 1, 0],
           [1, 1, 0],
           [0, 1, 1]])

    """
    colour = display_colour(image)
    row, col = seed_pixel(seed_rc, colour.shape[:2])
    tolerance = _tolerance(tolerance)
    shape = colour.shape[:2]
    if colour.ndim == 2:
        # |value - seed| / 255 <= tolerance, in integers: |value - seed| <= floor(255 t).
        limit = int(np.floor(tolerance * 255 + 1e-9))
        low, high = max(int(colour[row, col]) - limit, 0), min(int(colour[row, col]) + limit, 255)

        def close(window: BBox) -> np.ndarray:
            values = colour[window.slices]
            return (values >= low) & (values <= high)

    else:
        seed_lab = lab_float32(colour[row : row + 1, col : col + 1])[0, 0]
        limit = tolerance * MAX_LAB_DISTANCE + _LAB_SLACK

        def close(window: BBox) -> np.ndarray:
            out = np.empty((window.height, window.width), bool)
            return lab_distance_within(colour[window.slices], seed_lab, limit, out)

    return _grow_region(close, shape, (row, col))


def _grow_region(
    close: Callable[[BBox], np.ndarray], shape: tuple[int, int], seed: tuple[int, int]
) -> tuple[BBox, np.ndarray]:
    # The windowed search of flood_footprint, with the closeness of already searched pixels
    # kept when the window grows, so each pixel's colour is compared once.
    height, width = shape
    row, col = seed
    half = _FIRST_HALF_WINDOW
    window = BBox(row - half, row + half + 1, col - half, col + half + 1).clip(shape)
    within = close(window)
    while True:
        region = _seed_component(within, (row - window.row0, col - window.col0))
        grown = grow_towards_leaks(window, region, shape)
        if grown is None:
            break
        if grown.area > height * width // 2:
            # Past half the image, one more round would cost about as much as the rest:
            # take the whole image at once.
            grown = BBox.full(shape)
        within = _extend(close, within, window, grown)
        window = grown

    bbox = _true_bbox(region, (window.row0, window.col0))
    assert bbox is not None  # the seed is always close to itself
    return bbox, np.ascontiguousarray(region[bbox.slices_in(window)])


def _seed_component(within: np.ndarray, seed: tuple[int, int]) -> np.ndarray:
    # The seed's 4-connected component of `within`. Labelling every component costs the
    # window's area, predictably; skimage's flood (a queue) costs about the component's,
    # 2-3 times more per pixel, so it wins only for small regions in big windows, which
    # cannot be told apart beforehand from regions about to fill the image.
    if within.all():
        return within
    components, _ = ndimage.label(within)
    return components == components[seed]


def _extend(
    close: Callable[[BBox], np.ndarray], within: np.ndarray, window: BBox, grown: BBox
) -> np.ndarray:
    # Closeness over `grown`: copied inside the old `window`, computed in the (up to four)
    # strips around it.
    out = np.empty((grown.height, grown.width), bool)
    old = (
        slice(window.row0 - grown.row0, window.row1 - grown.row0),
        slice(window.col0 - grown.col0, window.col1 - grown.col0),
    )
    out[old] = within
    strips = (
        BBox(grown.row0, window.row0, grown.col0, grown.col1),  # above, full width
        BBox(window.row1, grown.row1, grown.col0, grown.col1),  # below, full width
        BBox(window.row0, window.row1, grown.col0, window.col0),  # left
        BBox(window.row0, window.row1, window.col1, grown.col1),  # right
    )
    for strip in strips:
        if not strip.is_empty:
            out[
                strip.row0 - grown.row0 : strip.row1 - grown.row0,
                strip.col0 - grown.col0 : strip.col1 - grown.col0,
            ] = close(strip)
    return out


def _tolerance(tolerance: object) -> float:
    if isinstance(tolerance, (bool, np.bool_)) or not isinstance(tolerance, Real):
        raise TypeError(f"tolerance: expected a number in [0, 1]; got {type(tolerance).__name__}")
    value = float(tolerance)
    if not 0.0 <= value <= 1.0:  # also rejects NaN
        raise ValueError(f"tolerance: expected a number in [0, 1]; got {tolerance!r}")
    return value
