"""Mask quality control: find small holes and specks, and compute the edits that fix them.

Every function takes a 2-D class-id mask (0 = unlabelled), leaves it untouched and returns
either a list of `Region` records or one edit as a ``(bbox, values, footprint)`` triple for
`LabelDocument.assign`: ``footprint`` is True exactly where a pixel changes and ``values``
holds the new class ids (elsewhere the current ones). ``None`` means there is nothing to do.

Under the ``"preserve"`` paint mode the caller passes ``only_where=0`` to `assign`, so only
unlabelled pixels change: `fill_holes` and `fill_unlabelled` work in full, `remove_specks`
changes nothing and `smooth_borders` only fills unlabelled pixels.
"""

from __future__ import annotations

from dataclasses import dataclass
from numbers import Integral

import numpy as np
from scipy import ndimage
from skimage import measure

from seg_widget.core.bbox import BBox, _true_bbox

#: An edit for `LabelDocument.assign`: the box, new class ids and where pixels change.
Edit = tuple[BBox, np.ndarray, np.ndarray]

#: Neighbour offsets ``(d_row, d_col)`` per connectivity.
_OFFSETS = {
    4: ((-1, 0), (1, 0), (0, -1), (0, 1)),
    8: ((-1, 0), (1, 0), (0, -1), (0, 1), (-1, -1), (-1, 1), (1, -1), (1, 1)),
}


@dataclass(frozen=True)
class Region:
    """A small connected region of one label, as found by `find_holes` or `find_specks`.

    Attributes
    ----------
    kind : str
        ``"hole"`` (unlabelled pixels enclosed by labels) or ``"speck"`` (a stray bit of a
        class).
    label : int
        The region's own label: 0 for holes, the class id for specks.
    size : int
        Number of pixels.
    bbox : BBox
        Tight box of the region, in image pixels.
    centroid_rc : tuple of float
        Mean ``(row, col)`` of its pixels.
    surrounding_label : int
        The label most of its outside neighbour pixels have (the smallest such label on a
        tie; the region's own label if it has no neighbour, i.e. fills the image).

    """

    kind: str
    label: int
    size: int
    bbox: BBox
    centroid_rc: tuple[float, float]
    surrounding_label: int


def find_holes(mask: np.ndarray, max_size: int, *, connectivity: int = 4) -> list[Region]:
    """Return the unlabelled regions of at most ``max_size`` pixels not touching the border.

    These are the gaps a brush left inside an object or between neighbouring objects.
    Unlabelled regions touching the image border are background, not holes.

    Parameters
    ----------
    mask : ndarray of int
        2-D class-id array, 0 = unlabelled; not modified.
    max_size : int
        Largest hole reported, in pixels (>= 1).
    connectivity : {4, 8}
        Pixels sharing an edge (4) or an edge or a corner (8) belong to one region.

    Returns
    -------
    list of Region
        Sorted by size, then by top row and left column of the bbox.

    Examples
    --------
    >>> import numpy as np
    >>> mask = np.ones((5, 5), np.uint8)
    >>> mask[2, 2] = 0
    >>> [(r.size, r.bbox, r.surrounding_label) for r in find_holes(mask, 4)]
    [(1, BBox(row0=2, row1=3, col0=2, col1=3), 1)]

    """
    return _regions(mask, "hole", max_size, connectivity)


def find_specks(mask: np.ndarray, max_size: int, *, connectivity: int = 4) -> list[Region]:
    """Return the regions of one class (not 0) of at most ``max_size`` pixels.

    Parameters
    ----------
    mask : ndarray of int
        2-D class-id array, 0 = unlabelled; not modified.
    max_size : int
        Largest speck reported, in pixels (>= 1).
    connectivity : {4, 8}
        Pixels sharing an edge (4) or an edge or a corner (8) belong to one region.

    Returns
    -------
    list of Region
        Sorted by size, then by top row and left column of the bbox.

    Examples
    --------
    >>> import numpy as np
    >>> mask = np.zeros((4, 6), np.uint8)
    >>> mask[:, :3] = 1
    >>> mask[1, 4] = 2
    >>> [(r.label, r.size, r.surrounding_label) for r in find_specks(mask, 2)]
    [(2, 1, 0)]

    """
    return _regions(mask, "speck", max_size, connectivity)


def fill_holes(mask: np.ndarray, max_size: int, *, connectivity: int = 4) -> Edit | None:
    """Return the edit filling every `find_holes` hole with its surrounding label.

    Holes are unlabelled, so this edit also works in full under ``only_where=0``.

    Returns
    -------
    (BBox, ndarray, ndarray) or None
        ``(bbox, values, footprint)`` for `LabelDocument.assign`, or None if there is no hole.

    Examples
    --------
    >>> import numpy as np
    >>> mask = np.full((4, 4), 3, np.uint8)
    >>> mask[1:3, 2] = 0
    >>> bbox, values, footprint = fill_holes(mask, 2)
    >>> bbox, values.tolist(), footprint.tolist()
    (BBox(row0=1, row1=3, col0=2, col1=3), [[3], [3]], [[True], [True]])

    """
    return _fix(mask, "hole", max_size, connectivity)


def remove_specks(mask: np.ndarray, max_size: int, *, connectivity: int = 4) -> Edit | None:
    """Return the edit giving every `find_specks` speck its surrounding label (maybe 0).

    All surrounding labels are taken from the input mask in one pass, so a speck whose
    neighbours are mostly other specks takes their (old) class; a second call cleans up
    what such clusters leave. Specks are labelled pixels, so under ``only_where=0`` this
    edit changes nothing.

    Returns
    -------
    (BBox, ndarray, ndarray) or None
        ``(bbox, values, footprint)`` for `LabelDocument.assign`, or None if there is no speck.

    Examples
    --------
    >>> import numpy as np
    >>> mask = np.ones((3, 4), np.uint8)
    >>> mask[1, 1] = 2
    >>> bbox, values, footprint = remove_specks(mask, 1)
    >>> bbox, values.tolist()
    (BBox(row0=1, row1=2, col0=1, col1=2), [[1]])

    """
    return _fix(mask, "speck", max_size, connectivity)


def smooth_borders(mask: np.ndarray, size: int = 3) -> Edit | None:
    """Return the edit of one pass of a majority (modal) filter over ``size`` x ``size``.

    Each pixel takes the label that occurs most often in the window centred on it (pixels
    outside the image do not count). If two or more labels tie for most frequent, the pixel
    keeps its label. Label 0 counts like any other label. A straight horizontal or vertical
    border is left unchanged; one-pixel notches and bumps are removed. The cost is a few
    whole-image comparisons, plus a window sort for each pixel whose own label fills at most
    half of its window (a few per corner or notch); the others cannot change. Applied with
    ``only_where=0`` (preserve mode), only unlabelled pixels change.

    Parameters
    ----------
    mask : ndarray of int
        2-D class-id array; not modified.
    size : int
        Window side, odd and >= 3.

    Returns
    -------
    (BBox, ndarray, ndarray) or None
        ``(bbox, values, footprint)`` for `LabelDocument.assign`, or None if no pixel changes.

    Examples
    --------
    >>> import numpy as np
    >>> mask = np.zeros((4, 5), np.uint8)
    >>> mask[2:] = 1
    >>> mask[1, 2] = 1  # a one-pixel bump above the border
    >>> bbox, values, footprint = smooth_borders(mask)
    >>> bbox, values.tolist()
    (BBox(row0=1, row1=2, col0=2, col1=3), [[0]])

    """
    _check_mask(mask)
    if isinstance(size, bool) or not isinstance(size, Integral):
        raise TypeError(f"size: expected an odd int >= 3; got {type(size).__name__}")
    if size < 3 or size % 2 == 0:
        raise ValueError(f"size: expected an odd int >= 3; got {size}")
    radius = int(size) // 2
    steps = range(-radius, radius + 1)
    offsets = [(d_row, d_col) for d_row in steps for d_col in steps]
    # A pixel whose label fills more than half of its window keeps it: examine only the rest.
    flat = np.flatnonzero(_agreement(mask, offsets) <= size * size // 2)
    if flat.size == 0:
        return None
    height, width = mask.shape
    rows, cols = np.divmod(flat, width)
    # The window of each candidate, one column per offset; -1 marks pixels off the image.
    windows = np.empty((flat.size, size * size), np.int64)
    for k, (d_row, d_col) in enumerate(offsets):
        r, c = rows + d_row, cols + d_col
        inside = (r >= 0) & (r < height) & (c >= 0) & (c < width)
        windows[:, k] = mask[r.clip(0, height - 1), c.clip(0, width - 1)]
        windows[~inside, k] = -1
    windows.sort(axis=1)
    # Length of the run of equal labels ending at each position of the sorted windows.
    position = np.arange(windows.shape[1])
    starts = np.ones(windows.shape, bool)
    starts[:, 1:] = windows[:, 1:] != windows[:, :-1]
    run = position - np.maximum.accumulate(np.where(starts, position, 0), axis=1) + 1
    run[windows < 0] = 0
    longest = run.max(axis=1)
    unique = np.count_nonzero(run == longest[:, None], axis=1) == 1
    mode = windows[np.arange(flat.size), run.argmax(axis=1)]
    current = mask[rows, cols]
    change = unique & (mode != current)
    return _edit(mask, rows[change], cols[change], mode[change])


def fill_unlabelled(mask: np.ndarray, bbox: BBox, label: int) -> Edit | None:
    """Return the edit giving every unlabelled pixel inside ``bbox`` the class ``label``.

    Parameters
    ----------
    mask : ndarray of int
        2-D class-id array, 0 = unlabelled; not modified.
    bbox : BBox
        Region of the mask, inside the image.
    label : int
        Class id >= 1 that fits the mask's dtype.

    Returns
    -------
    (BBox, ndarray, ndarray) or None
        ``(bbox, values, footprint)`` for `LabelDocument.assign` (tight around the unlabelled
        pixels), or None if the box holds none.

    Examples
    --------
    >>> import numpy as np
    >>> mask = np.array([[0, 1, 0, 0]], np.uint8)
    >>> bbox, values, footprint = fill_unlabelled(mask, BBox(0, 1, 0, 3), 2)
    >>> bbox, values.tolist(), footprint.tolist()
    (BBox(row0=0, row1=1, col0=0, col1=3), [[2, 1, 2]], [[True, False, True]])

    """
    _check_mask(mask)
    height, width = mask.shape
    if not isinstance(bbox, BBox):
        raise TypeError(f"bbox: expected a BBox; got {type(bbox).__name__}")
    if not bbox.is_empty and not (
        0 <= bbox.row0 and bbox.row1 <= height and 0 <= bbox.col0 and bbox.col1 <= width
    ):
        raise ValueError(f"bbox: expected a box inside the mask {(height, width)}; got {bbox}")
    if isinstance(label, (bool, np.bool_)) or not isinstance(label, Integral):
        raise TypeError(f"label: expected a class id (int); got {type(label).__name__}")
    top = np.iinfo(mask.dtype).max
    if not 1 <= label <= top:
        raise ValueError(f"label: expected a class id in [1, {top}]; got {label}")
    if bbox.is_empty:
        return None
    tight = _true_bbox(mask[bbox.slices] == 0, (bbox.row0, bbox.col0))
    if tight is None:
        return None
    values = mask[tight.slices].copy()
    footprint = values == 0
    values[footprint] = label
    return tight, values, footprint


def _regions(mask: np.ndarray, kind: str, max_size: int, connectivity: int) -> list[Region]:
    found = _small_components(mask, kind, max_size, connectivity)
    if found is None:
        return []
    rows, cols, component, labels, surrounding = found
    sizes = np.bincount(component)
    first = np.concatenate(([0], np.cumsum(sizes)[:-1]))
    row0, row1 = np.minimum.reduceat(rows, first), np.maximum.reduceat(rows, first) + 1
    col0, col1 = np.minimum.reduceat(cols, first), np.maximum.reduceat(cols, first) + 1
    mean_row = np.add.reduceat(rows, first) / sizes
    mean_col = np.add.reduceat(cols, first) / sizes
    order = np.lexsort((col0, row0, sizes))
    return [
        Region(
            kind=kind,
            label=int(labels[i]),
            size=int(sizes[i]),
            bbox=BBox(int(row0[i]), int(row1[i]), int(col0[i]), int(col1[i])),
            centroid_rc=(float(mean_row[i]), float(mean_col[i])),
            surrounding_label=int(surrounding[i]),
        )
        for i in order
    ]


def _fix(mask: np.ndarray, kind: str, max_size: int, connectivity: int) -> Edit | None:
    found = _small_components(mask, kind, max_size, connectivity)
    if found is None:
        return None
    rows, cols, component, labels, surrounding = found
    new = surrounding[component]
    change = new != labels[component]
    return _edit(mask, rows[change], cols[change], new[change])


def _small_components(
    mask: np.ndarray, kind: str, max_size: int, connectivity: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray] | None:
    """Pixels of the small regions of ``kind``, grouped by region, and each region's labels.

    Returns ``(rows, cols, component, labels, surrounding)``: the pixels' coordinates sorted
    by region, each pixel's region index ``0..k-1``, and per region its own label and its
    surrounding label. None if there is no such region.
    """
    _check_mask(mask)
    if isinstance(max_size, bool) or not isinstance(max_size, Integral):
        raise TypeError(f"max_size: expected an int >= 1; got {type(max_size).__name__}")
    if max_size < 1:
        raise ValueError(f"max_size: expected an int >= 1; got {max_size}")
    if isinstance(connectivity, bool) or connectivity not in _OFFSETS:
        raise ValueError(f"connectivity: expected 4 or 8; got {connectivity!r}")
    if mask.size == 0:
        return None
    # One labelling pass; region id 0 is what the search ignores (labelled pixels for holes,
    # unlabelled ones for specks). intp ids make the bincount and the lookup below cast-free.
    if kind == "hole":
        ids = np.empty(mask.shape, np.intp)
        structure = ndimage.generate_binary_structure(2, 1 if connectivity == 4 else 2)
        ndimage.label(mask == 0, structure, output=ids)
    else:
        ids = measure.label(mask, background=0, connectivity=1 if connectivity == 4 else 2)
    small = np.bincount(ids.ravel()) <= max_size
    small[0] = False
    if kind == "hole":
        small[np.concatenate((ids[0], ids[-1], ids[:, 0], ids[:, -1]))] = False
    if not small.any():
        return None
    flat = np.flatnonzero(small[ids])
    flat_ids = ids.ravel()[flat]
    order = np.argsort(flat_ids, kind="stable")
    flat, flat_ids = flat[order], flat_ids[order]
    _, first, component = np.unique(flat_ids, return_index=True, return_inverse=True)
    rows, cols = np.divmod(flat, mask.shape[1])
    labels = mask[rows[first], cols[first]].astype(np.int64)
    surrounding = _surrounding(mask, ids, rows, cols, component, labels, connectivity)
    return rows, cols, component, labels, surrounding


def _surrounding(
    mask: np.ndarray,
    ids: np.ndarray,
    rows: np.ndarray,
    cols: np.ndarray,
    component: np.ndarray,
    labels: np.ndarray,
    connectivity: int,
) -> np.ndarray:
    """Most frequent label of each region's distinct outside neighbour pixels (ties: lowest)."""
    height, width = mask.shape
    flat_ids = ids[rows, cols]
    owners, neighbours = [], []
    for d_row, d_col in _OFFSETS[connectivity]:
        r, c = rows + d_row, cols + d_col
        inside = (r >= 0) & (r < height) & (c >= 0) & (c < width)
        r, c = r[inside], c[inside]
        outside = ids[r, c] != flat_ids[inside]
        owners.append(component[inside][outside])
        neighbours.append(r[outside] * width + c[outside])
    # Each outside pixel counts once per region, however many of its pixels it touches.
    pairs = np.unique(np.concatenate(owners) * (height * width) + np.concatenate(neighbours))
    owner, neighbour = np.divmod(pairs, height * width)
    neighbour_labels = mask[np.divmod(neighbour, width)].astype(np.int64)
    n_labels = int(neighbour_labels.max(initial=0)) + 1
    keys, counts = np.unique(owner * n_labels + neighbour_labels, return_counts=True)
    owner, neighbour_labels = np.divmod(keys, n_labels)
    # Per region: highest count first, then lowest label; keep each region's first row.
    order = np.lexsort((neighbour_labels, -counts, owner))
    owner, neighbour_labels = owner[order], neighbour_labels[order]
    first = np.ones(owner.size, bool)
    first[1:] = owner[1:] != owner[:-1]
    surrounding = labels.copy()
    surrounding[owner[first]] = neighbour_labels[first]
    return surrounding


def _edit(mask: np.ndarray, rows: np.ndarray, cols: np.ndarray, new: np.ndarray) -> Edit | None:
    """Return the edit setting pixels ``(rows, cols)`` to ``new``; None if there are none."""
    if rows.size == 0:
        return None
    bbox = BBox(int(rows.min()), int(rows.max()) + 1, int(cols.min()), int(cols.max()) + 1)
    values = mask[bbox.slices].copy()
    footprint = np.zeros(values.shape, bool)
    values[rows - bbox.row0, cols - bbox.col0] = new
    footprint[rows - bbox.row0, cols - bbox.col0] = True
    return bbox, values, footprint


def _agreement(mask: np.ndarray, offsets: list[tuple[int, int]]) -> np.ndarray:
    """Count, per pixel, the pixels at ``offsets`` (inside the image) with its own label.

    Whole-image shifted comparisons, each done once per pair of opposite offsets.
    """
    dtype = np.uint8 if len(offsets) < 256 else np.uint32
    agree = np.ones(mask.shape, dtype)  # the pixel itself, offset (0, 0)
    height, width = mask.shape
    for d_row, d_col in offsets:
        if (d_row, d_col) <= (0, 0):  # counted with the opposite offset below
            continue
        here = (
            slice(max(-d_row, 0), height - max(d_row, 0)),
            slice(max(-d_col, 0), width - max(d_col, 0)),
        )
        there = (
            slice(max(d_row, 0), height + min(d_row, 0)),
            slice(max(d_col, 0), width + min(d_col, 0)),
        )
        same = mask[here] == mask[there]
        agree[here] += same
        agree[there] += same
    return agree


def _check_mask(mask: object) -> None:
    if not isinstance(mask, np.ndarray) or mask.dtype.kind not in "iu":
        got = mask.dtype if isinstance(mask, np.ndarray) else type(mask).__name__
        raise TypeError(f"mask: expected an integer numpy array; got {got}")
    if mask.ndim != 2:
        raise ValueError(f"mask: expected a 2-D array; got {mask.ndim} dimensions")
    if mask.dtype.kind == "i" and mask.size and mask.min() < 0:
        raise ValueError(f"mask: expected class ids >= 0; got {int(mask.min())}")
