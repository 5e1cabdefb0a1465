"""Fill regions of a class-id mask: the connected region under a seed, or a whole label."""

from __future__ import annotations

from numbers import Integral

import numpy as np
from skimage.segmentation import flood

from seg_widget.core.bbox import BBox, _true_bbox, grow_towards_leaks
from seg_widget.core.checks import seed_pixel
from seg_widget.core.counts import uniform_value

#: Connectivity (neighbours per pixel) -> scikit-image's ``connectivity`` (steps per move).
_SKIMAGE_CONNECTIVITY = {4: 1, 8: 2}

#: scikit-image connectivity -> scipy's structuring element.
_STRUCTURES = {1: np.array([[0, 1, 0], [1, 1, 1], [0, 1, 0]], bool), 2: np.ones((3, 3), bool)}

#: Half-size of the first window searched around the seed: small regions (the common click)
#: then cost O(window), not O(image).
_FIRST_HALF_WINDOW = 128


def flood_footprint(
    mask: np.ndarray, seed_rc: tuple[int, int], *, connectivity: int = 4
) -> tuple[BBox, np.ndarray]:
    """Return the connected region of pixels equal to ``mask[seed_rc]`` that contains the seed.

    Two pixels are neighbours if they share an edge (``connectivity=4``) or an edge or a
    corner (``connectivity=8``). The search starts in a small window around the seed and
    doubles its extent along each axis where the region reaches a side (see
    `grow_towards_leaks`), so the cost is proportional to the area of a box at most about
    twice the region's extent per side (clipped to the mask), not to the whole mask: a click
    in a small hole of a large image is cheap. Windows up to 40 % of the mask are searched by
    labelling their components (fast, 5 bytes per window pixel); past that the whole mask is
    searched once by `skimage.segmentation.flood` (2 bytes per pixel): the temporaries never
    exceed those of a flood of the whole mask.

    Parameters
    ----------
    mask : ndarray
        2-D array of class ids (any integer or bool dtype); it is not modified.
    seed_rc : tuple of int
        Pixel ``(row, col)`` inside ``mask``.
    connectivity : {4, 8}
        Neighbourhood of a pixel.

    Returns
    -------
    (BBox, ndarray)
        The tight bounding box of the region and a bool array of that box's shape (True =
        in the region). The region always contains the seed.

    Raises
    ------
    TypeError
        If ``mask`` is not an integer or bool numpy array, or ``seed_rc`` is not two ints.
    ValueError
        If ``mask`` is not 2-D, ``seed_rc`` is outside it, or ``connectivity`` is not 4 or 8.

    Examples
    --------
    >>> import numpy as np
    >>> mask = np.array([[0, 0, 1, 0],
    ...                  [0, 1, 0, 0],
    ...                  [1, 0, 0, 2]])
    >>> bbox, region = flood_footprint(mask, (0, 0))
    >>> bbox
    BBox(row0=0, row1=2, col0=0, col1=2)
    >>> region.astype(int)
    array([[1, 1],
           [1, 0]])
    >>> flood_footprint(mask, (0, 0), connectivity=8)[0]
    BBox(row0=0, row1=3, col0=0, col1=4)

    """
    _check_mask(mask)
    row, col = seed_pixel(seed_rc, mask.shape, within="mask")
    if (
        isinstance(connectivity, (bool, np.bool_))
        or not isinstance(connectivity, Integral)
        or connectivity not in (4, 8)
    ):
        raise ValueError(f"connectivity: expected 4 or 8; got {connectivity!r}")
    steps = _SKIMAGE_CONNECTIVITY[int(connectivity)]

    value = mask[row, col]
    half = _FIRST_HALF_WINDOW
    window = BBox(row - half, row + half + 1, col - half, col + half + 1).clip(mask.shape)
    while True:
        window, region = _seed_region(mask, window, (row, col), value, steps)
        grown = grow_towards_leaks(window, region, mask.shape)
        if grown is None:
            break
        if _searched_by_flood(grown, mask.size):
            # Past the labelling size. A window grown to under 70 % of the mask probably
            # just missed its region: first the biggest window labelling may search. Then,
            # or at once, one flood of the whole mask: never a big window flooded and then
            # the whole mask again.
            capped = None
            if 10 * grown.area < 7 * mask.size:
                capped = _largest_labelled_window(window, grown, mask.size)
            grown = capped or BBox.full(mask.shape)
        window = grown
        region = None  # free it before the next, larger search

    bbox = _true_bbox(region, (window.row0, window.col0))
    assert bbox is not None  # the seed is always in its own region
    inner = (
        slice(bbox.row0 - window.row0, bbox.row1 - window.row0),
        slice(bbox.col0 - window.col0, bbox.col1 - window.col0),
    )
    return bbox, np.ascontiguousarray(region[inner])


def _seed_region(
    mask: np.ndarray, window: BBox, seed_rc: tuple[int, int], value: int, steps: int
) -> tuple[BBox, np.ndarray]:
    """Return the seed's region within ``window`` (which may widen to whole rows)."""
    patch = mask[window.slices]
    row, col = seed_rc[0] - window.row0, seed_rc[1] - window.col0
    if uniform_value(patch) == value:  # a uniform window (an empty mask) is a region
        return window, np.ones(patch.shape, bool)
    if not _searched_by_flood(window, mask.size):
        # Labelling the window's components (int32) is several times faster than a queue,
        # at 5 bytes per window pixel: never more than a flood of the whole mask.
        from scipy import ndimage  # lazily: comes with scikit-image, slow to import

        same = patch == value
        components = np.empty(same.shape, np.int32)
        ndimage.label(same, _STRUCTURES[steps], output=components)
        return window, components == components[row, col]
    # A big window: a queue from the seed (2 bytes per window pixel). Whole rows are a
    # contiguous view that `flood` need not copy before padding it.
    window = BBox(window.row0, window.row1, 0, mask.shape[1])
    return window, flood(
        mask[window.slices], (seed_rc[0] - window.row0, seed_rc[1]), connectivity=steps
    )


def _searched_by_flood(window: BBox, mask_size: int) -> bool:
    """Whether a window is searched by a flood (over 40 % of the mask) or by labelling."""
    return 5 * window.area > 2 * mask_size


def _largest_labelled_window(window: BBox, grown: BBox, mask_size: int) -> BBox | None:
    """Return the biggest box between ``window`` and ``grown`` still searched by labelling.

    Each side moves the same fraction of its way to ``grown``. None when that adds less
    than a tenth to the window (it was at the labelling size already).
    """
    low, high = 0.0, 1.0
    for _ in range(12):  # bisection on the fraction: area grows with it
        middle = (low + high) / 2
        if _searched_by_flood(_part_way(window, grown, middle), mask_size):
            high = middle
        else:
            low = middle
    box = _part_way(window, grown, low)
    return box if 10 * box.area >= 11 * window.area else None


def _part_way(window: BBox, grown: BBox, fraction: float) -> BBox:
    return BBox(
        window.row0 - int(fraction * (window.row0 - grown.row0)),
        window.row1 + int(fraction * (grown.row1 - window.row1)),
        window.col0 - int(fraction * (window.col0 - grown.col0)),
        window.col1 + int(fraction * (grown.col1 - window.col1)),
    )


def same_label_footprint(mask: np.ndarray, label: int) -> tuple[BBox, np.ndarray] | None:
    """Return every pixel of ``mask`` equal to ``label``, connected or not.

    This is the "replace this label everywhere" fill.

    Parameters
    ----------
    mask : ndarray
        2-D array of class ids (any integer or bool dtype); it is not modified.
    label : int
        Class id, ``>= 0``.

    Returns
    -------
    (BBox, ndarray) or None
        The tight bounding box of those pixels and a bool array of that box's shape (True =
        equal to ``label``); None if no pixel equals ``label``.

    Raises
    ------
    TypeError
        If ``mask`` is not an integer or bool numpy array, or ``label`` is not an int.
    ValueError
        If ``mask`` is not 2-D or ``label`` is negative.

    Examples
    --------
    >>> import numpy as np
    >>> mask = np.array([[2, 0, 0],
    ...                  [0, 0, 2]])
    >>> bbox, pixels = same_label_footprint(mask, 2)
    >>> bbox
    BBox(row0=0, row1=2, col0=0, col1=3)
    >>> pixels.astype(int)
    array([[1, 0, 0],
           [0, 0, 1]])
    >>> same_label_footprint(mask, 1) is None
    True

    """
    _check_mask(mask)
    if isinstance(label, (bool, np.bool_)) or not isinstance(label, Integral):
        raise TypeError(f"label: expected a class id (int); got {type(label).__name__}")
    if label < 0:
        raise ValueError(f"label: expected a class id >= 0; got {label}")
    # Python-int comparison: a label beyond the dtype's range is simply never equal (NumPy 2).
    equal = mask == int(label)
    bbox = _true_bbox(equal)
    if bbox is None:
        return None
    return bbox, np.ascontiguousarray(equal[bbox.slices])


def _check_mask(mask: object) -> None:
    if not isinstance(mask, np.ndarray) or mask.dtype.kind not in "biu":
        got = f"{mask.dtype} array" if isinstance(mask, np.ndarray) else type(mask).__name__
        raise TypeError(f"mask: expected an integer numpy array of class ids; got {got}")
    if mask.ndim != 2:
        raise ValueError(f"mask: expected a 2-D array; got shape {mask.shape}")
