"""Which object a filled region belongs to: the one around it, when there is exactly one.

The fixes of `seg_widget.core.quality` decide classes: a hole inside a cat becomes cat. With
objects, the hole should also become part of *that* cat. `enclosing_instance_ids` finds, for
every connected region of one new class that an edit changes, the objects among its
4-neighbours outside the edit that have that class; if all of them are one object, the region
joins it. An edit whose connected footprint gets two classes (a majority filter, a proposal of
scribbles) is one region per class, so a pixel only ever joins an object of its new class.
"""

from __future__ import annotations

import numpy as np

from seg_widget.core.bbox import BBox
from seg_widget.core.instances import INSTANCE_DTYPE

#: Neighbour offsets (rows, cols): 4-connectivity.
_SHIFTS = ((-1, 0), (1, 0), (0, -1), (0, 1))


def enclosing_instance_ids(
    mask: np.ndarray,
    instance_map: np.ndarray,
    bbox: BBox,
    values: np.ndarray,
    footprint: np.ndarray,
) -> np.ndarray:
    """Return, for an edit ``(bbox, values, footprint)``, the object id each pixel joins.

    Parameters
    ----------
    mask, instance_map : ndarray
        The whole class mask and instance map, before the edit.
    bbox : BBox
        Region of the edit, inside the image.
    values : ndarray of int
        New class per pixel of ``bbox``.
    footprint : ndarray of bool
        Pixels of ``bbox`` the edit changes.

    Returns
    -------
    ndarray of uint32
        Array of ``bbox``'s shape: the id of the one object with the same class around each
        4-connected region of the footprint that gets one class, or 0 (none, or several).
        Every non-zero id is of an object of its pixel's new class. O(bbox).

    Examples
    --------
    >>> mask = np.array([[1, 1, 1], [1, 0, 1], [1, 1, 1]], np.uint8)
    >>> ids = np.where(mask == 1, 7, 0).astype(np.uint32)
    >>> hole = np.array([[True]])
    >>> enclosing_instance_ids(mask, ids, BBox(1, 2, 1, 2), np.array([[1]]), hole).tolist()
    [[7]]

    """
    from skimage.measure import label

    result = np.zeros(footprint.shape, INSTANCE_DTYPE)
    if not footprint.any():
        return result
    # One region per connected run of one new class: a pixel never joins another class.
    by_class = np.where(footprint, values.astype(np.int64) + 1, 0)
    regions, count = label(by_class, background=0, connectivity=1, return_num=True)
    height, width = mask.shape
    # Per region: the object ids seen next to it with the region's new class (0 = none).
    seen: list[set[int]] = [set() for _ in range(count + 1)]
    rows, cols = np.nonzero(footprint)
    for d_row, d_col in _SHIFTS:
        n_rows, n_cols = rows + bbox.row0 + d_row, cols + bbox.col0 + d_col
        inside = (n_rows >= 0) & (n_rows < height) & (n_cols >= 0) & (n_cols < width)
        r, c, n_r, n_c = rows[inside], cols[inside], n_rows[inside], n_cols[inside]
        # A neighbour inside the edit is part of the region, not around it.
        in_box = (n_r >= bbox.row0) & (n_r < bbox.row1) & (n_c >= bbox.col0) & (n_c < bbox.col1)
        outside = ~in_box.copy()
        outside[in_box] = ~footprint[n_r[in_box] - bbox.row0, n_c[in_box] - bbox.col0]
        r, c, n_r, n_c = r[outside], c[outside], n_r[outside], n_c[outside]
        same_class = mask[n_r, n_c] == values[r, c]
        if not same_class.any():
            continue
        pairs = np.unique(
            np.stack([regions[r, c][same_class], instance_map[n_r, n_c][same_class]]), axis=1
        )
        for region, instance_id in pairs.T.tolist():
            seen[region].add(instance_id)
    joins = np.zeros(count + 1, INSTANCE_DTYPE)
    for region in range(1, count + 1):
        if len(seen[region]) == 1:
            joins[region] = next(iter(seen[region]))
    result[footprint] = joins[regions[footprint]]
    return result
