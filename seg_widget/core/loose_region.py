"""The labelled pixels under a click that belong to no object yet: what "make an object" takes."""

from __future__ import annotations

import numpy as np
from scipy import ndimage

from seg_widget.core.bbox import BBox, _true_bbox
from seg_widget.core.checks import seed_pixel
from seg_widget.core.fill import flood_footprint, same_label_footprint


def loose_region(
    mask: np.ndarray,
    instance_map: np.ndarray | None,
    seed_rc: tuple[int, int],
    *,
    connectivity: int = 4,
    whole_class: bool = False,
) -> tuple[BBox, np.ndarray] | None:
    """Return the pixels of the seed's class, in no object, connected to the seed (or all).

    A pixel is taken if it has the class of ``mask[seed_rc]``, its instance id is 0 (no
    object; every pixel when ``instance_map`` is None) and, unless ``whole_class``, it is
    connected to the seed through such pixels (4- or 8-connectivity). Cost: O(box of the
    class region), as `flood_footprint`.

    Parameters
    ----------
    mask : ndarray of int
        ``(H, W)`` class ids.
    instance_map : ndarray of int or None
        ``(H, W)`` instance ids (0 = none), or None when there are no objects.
    seed_rc : tuple of int
        The clicked pixel ``(row, col)``.
    connectivity : {4, 8}
        Neighbours of a pixel: edge neighbours, or edge and corner ones.
    whole_class : bool
        Take every loose pixel of the class, connected or not.

    Returns
    -------
    (BBox, ndarray) or None
        The tight box and a bool footprint of its shape; None when the seed is unlabelled
        or already in an object.

    Examples
    --------
    >>> mask = np.array([[1, 1, 0, 1]], np.uint8)
    >>> ids = np.array([[0, 0, 0, 0]], np.uint32)
    >>> loose_region(mask, ids, (0, 0))
    (BBox(row0=0, row1=1, col0=0, col1=2), array([[ True,  True]]))
    >>> loose_region(mask, ids, (0, 0), whole_class=True)[1].astype(int)
    array([[1, 1, 0, 1]])

    """
    row, col = seed_pixel(seed_rc, mask.shape, within="mask")
    class_id = int(mask[row, col])
    if class_id == 0 or (instance_map is not None and instance_map[row, col] != 0):
        return None
    if whole_class:
        found = same_label_footprint(mask, class_id)
        assert found is not None  # the seed has the class
    else:
        found = flood_footprint(mask, (row, col), connectivity=connectivity)
    bbox, footprint = found
    if instance_map is None:
        return bbox, footprint
    free = footprint & (instance_map[bbox.slices] == 0)
    if not whole_class:
        structure = ndimage.generate_binary_structure(2, 2 if connectivity == 8 else 1)
        pieces, _ = ndimage.label(free, structure=structure)
        free = pieces == pieces[row - bbox.row0, col - bbox.col0]
    tight = _true_bbox(free, (bbox.row0, bbox.col0))
    assert tight is not None  # the seed is free
    return tight, free[tight.slices_in(bbox)]


__all__ = ["loose_region"]
