"""The superpixel brush: over-segment the image once, then paint whole superpixels."""

from __future__ import annotations

from numbers import Integral, Real

import numpy as np
from scipy import ndimage

from seg_widget.core.assist_colour import display_colour, perceptual
from seg_widget.core.bbox import BBox


def superpixel_labels(
    image: np.ndarray, *, n_segments: int = 1500, compactness: float = 10.0
) -> np.ndarray:
    """Over-segment the displayed image into about ``n_segments`` SLIC superpixels.

    `skimage.segmentation.slic` clusters the pixels in CIE Lab (grey images by their
    lightness), with ``compactness`` relative to Lab units for every image (slic itself
    would rescale a grey image to ``[0, 1]``, where the same ``compactness`` gives a square
    grid). Every superpixel is connected.

    Parameters
    ----------
    image : ndarray of uint8
        The displayed image: ``(H, W)`` grey, ``(H, W, 3)`` RGB or ``(H, W, 4)`` RGBA (alpha
        is ignored). Not modified.
    n_segments : int
        The approximate number of superpixels, ``>= 1``.
    compactness : float
        ``> 0``: higher values give squarer superpixels, lower values follow colour edges
        more closely (try ``1`` to ``100``, on a log scale).

    Returns
    -------
    ndarray of int32
        ``(H, W)`` labels ``0 .. N - 1``, one per superpixel.

    Raises
    ------
    TypeError
        If ``image`` is not a uint8 array or a parameter is not a number.
    ValueError
        If ``image`` has another shape, ``n_segments < 1`` or ``compactness <= 0``.

    Examples
    --------
    >>> import numpy as np
    >>> image = np.zeros((40, 40), np.uint8)
    >>> image[:, 20:] = 255
    >>> labels = superpixel_labels(image, n_segments=4)
    >>> labels.dtype, labels.min(), labels.max()
    (dtype('int32'), np.int32(0), np.int32(3))
    >>> bool(np.all(labels[:, :20, None] != labels[:, None, 20:]))  # no superpixel on both sides
    True

    """
    from skimage.segmentation import slic

    colour = display_colour(image)
    if isinstance(n_segments, (bool, np.bool_)) or not isinstance(n_segments, Integral):
        raise TypeError(f"n_segments: expected an int >= 1; got {type(n_segments).__name__}")
    if n_segments < 1:
        raise ValueError(f"n_segments: expected an int >= 1; got {n_segments}")
    if isinstance(compactness, (bool, np.bool_)) or not isinstance(compactness, Real):
        raise TypeError(f"compactness: expected a number > 0; got {type(compactness).__name__}")
    if not compactness > 0 or not np.isfinite(compactness):
        raise ValueError(f"compactness: expected a finite number > 0; got {compactness!r}")

    lab = perceptual(colour)
    # slic rescales its input to [0, 1]; dividing compactness by the same range keeps it
    # relative to Lab units, as for slic's own conversion of a full-range RGB image.
    spread = float(lab.max() - lab.min()) or 1.0
    labels = slic(
        lab,
        n_segments=int(n_segments),
        compactness=float(compactness) / spread,
        start_label=0,
        channel_axis=-1,
        convert2lab=False,
        enforce_connectivity=True,
    )
    return np.ascontiguousarray(labels, dtype=np.int32)


class SuperpixelIndex:
    """Superpixel labels with each superpixel's bounding box, for a brush of whole superpixels.

    Building the index costs one pass over the labels; then `footprint` costs the area of the
    box of the superpixels a brush touches, not the image's.

    Parameters
    ----------
    labels : ndarray of int
        ``(H, W)`` superpixel labels ``>= 0``, e.g. from `superpixel_labels`. Kept by reference:
        do not modify it afterwards.

    Attributes
    ----------
    labels : ndarray
        The labels given.
    bboxes : ndarray of int64
        ``(max_label + 1, 4)``: ``row0, row1, col0, col1`` of each label's tight box (all 0
        for a label no pixel has).

    Examples
    --------
    >>> import numpy as np
    >>> labels = np.array([[0, 0, 1, 1],
    ...                    [2, 2, 1, 1],
    ...                    [2, 2, 3, 3]], np.int32)
    >>> index = SuperpixelIndex(labels)
    >>> bbox, region = index.footprint(BBox(1, 2, 1, 3), np.array([[True, True]]))
    >>> bbox
    BBox(row0=0, row1=3, col0=0, col1=4)
    >>> region.astype(int)
    array([[0, 0, 1, 1],
           [1, 1, 1, 1],
           [1, 1, 0, 0]])

    """

    def __init__(self, labels: np.ndarray) -> None:
        if not isinstance(labels, np.ndarray) or labels.dtype.kind not in "iu":
            got = f"{labels.dtype} array" if isinstance(labels, np.ndarray) else None
            got = got or type(labels).__name__
            raise TypeError(f"labels: expected an integer numpy array; got {got}")
        if labels.ndim != 2 or labels.size == 0:
            raise ValueError(f"labels: expected a non-empty 2-D array; got shape {labels.shape}")
        if labels.dtype.kind == "i" and labels.min() < 0:
            raise ValueError(f"labels: expected labels >= 0; got {labels.min()}")
        self.labels = labels
        # find_objects skips label 0, so shift by one; a label with no pixel gets None.
        objects = ndimage.find_objects(labels.astype(np.int64, copy=False) + 1)
        self.bboxes = np.zeros((len(objects), 4), np.int64)
        for label, found in enumerate(objects):
            if found is not None:
                rows, cols = found
                self.bboxes[label] = rows.start, rows.stop, cols.start, cols.stop

    @property
    def shape(self) -> tuple[int, int]:
        """``(H, W)`` of the labelled image."""
        return self.labels.shape  # type: ignore[return-value]

    def footprint(self, bbox: BBox, brush: np.ndarray) -> tuple[BBox, np.ndarray] | None:
        """Return the union of every superpixel that a brush footprint touches.

        Parameters
        ----------
        bbox : BBox
            Box of the brush footprint, inside the image (as from `brush_footprint`).
        brush : ndarray of bool
            The footprint, of the box's shape (True = brushed).

        Returns
        -------
        (BBox, ndarray) or None
            The tight box of the union of the touched superpixels and a bool array of that
            box's shape (True = in a touched superpixel); None if ``brush`` has no True pixel.

        Raises
        ------
        TypeError
            If ``bbox`` is not a `BBox` or ``brush`` not a bool array.
        ValueError
            If ``bbox`` is not inside the image or ``brush`` does not have its shape.

        """
        if not isinstance(bbox, BBox):
            raise TypeError(f"bbox: expected a BBox; got {type(bbox).__name__}")
        if not isinstance(brush, np.ndarray) or brush.dtype != bool:
            got = f"{brush.dtype} array" if isinstance(brush, np.ndarray) else None
            got = got or type(brush).__name__
            raise TypeError(f"brush: expected a bool numpy array; got {got}")
        if bbox.clip(self.shape) != bbox and not bbox.is_empty:
            raise ValueError(f"bbox: expected a box inside the image {self.shape}; got {bbox}")
        if brush.shape != (max(bbox.height, 0), max(bbox.width, 0)):
            raise ValueError(
                f"brush: expected the shape of bbox, {(bbox.height, bbox.width)}; got {brush.shape}"
            )
        if bbox.is_empty:
            return None
        touched = np.unique(self.labels[bbox.slices][brush])
        if touched.size == 0:
            return None
        boxes = self.bboxes[touched]
        union = BBox(
            int(boxes[:, 0].min()),
            int(boxes[:, 1].max()),
            int(boxes[:, 2].min()),
            int(boxes[:, 3].max()),
        )
        return union, np.isin(self.labels[union.slices], touched)
