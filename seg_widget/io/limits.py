"""How much a file may make the readers allocate or compute: bounds checked before the work.

Every reader checks what a file *declares* (an array's shape and dtype in its header, a COCO
image's size, the lengths of its outlines) against these bounds before it allocates or
decompresses anything, and refuses with a ValueError naming the file and the bound. Like
Pillow's ``PIL.Image.MAX_IMAGE_PIXELS``, they are module attributes you may change (``None``
switches a bound off) if you trust your files:

>>> import seg_widget.io.limits as limits
>>> limits.MAX_MASK_PIXELS = 2**30  # doctest: +SKIP

When the expected size is known (the image of a dataset, the widget's image), a mask must
have exactly that size, which is checked from the header too; `MAX_MASK_PIXELS` bounds the
readers that have no image to compare with (``load_mask(path)``, ``mask_from_coco`` without
a shape).
"""

from __future__ import annotations

__all__ = [
    "COCO_AREA_PER_PIXEL",
    "COCO_OUTLINE_PER_PIXEL",
    "MAX_MASK_PIXELS",
    "MAX_NAME_LENGTH",
    "MAX_OBJECTS",
    "check_mask_shape",
    "check_pixels",
]

#: Largest mask, in pixels, a reader accepts without an expected size: 16384², the largest
#: canvas a browser shows (a uint16 mask of that size takes 512 MiB).
MAX_MASK_PIXELS: int | None = 2**28

#: Most rows of an object table in a ``.npz`` file.
MAX_OBJECTS: int | None = 2**20

#: Longest object name, in characters, in a ``.npz`` file.
MAX_NAME_LENGTH: int | None = 1024

#: COCO import: the pixels all annotations of one image may paint, in multiples of the
#: image's pixel count (annotations that do not overlap paint at most 1).
COCO_AREA_PER_PIXEL: float | None = 8

#: COCO import: the total length of one image's polygon outlines, in pixels (each edge
#: counted as max(|dx|, |dy|)), in multiples of its pixel count. Outlines traced around
#: pixels, as `seg_widget.io.mask_to_polygons` writes them, stay below 2 even for a
#: checkerboard.
COCO_OUTLINE_PER_PIXEL: float | None = 2


def check_pixels(shape: tuple[int, ...], *, what: str) -> None:
    """Refuse a declared 2-D ``shape`` with more than `MAX_MASK_PIXELS` pixels.

    ``what`` names the file and the array in the message.

    Examples
    --------
    >>> check_pixels((100_000, 100_000), what="mask in 'a.npy'")
    Traceback (most recent call last):
    ...
    ValueError: mask in 'a.npy': declares 100000 x 100000 (width x height) = 10000000000 pixels, \
more than seg_widget.io.limits.MAX_MASK_PIXELS = 268435456; raise that limit if you trust the file

    """
    height, width = (int(n) for n in shape)
    pixels = height * width
    limit = MAX_MASK_PIXELS
    if limit is not None and pixels > limit:
        raise ValueError(
            f"{what}: declares {width} x {height} (width x height) = {pixels} pixels, more "
            f"than seg_widget.io.limits.MAX_MASK_PIXELS = {limit}; raise that limit if you "
            "trust the file"
        )


def check_mask_shape(
    shape: tuple[int, ...], expected: tuple[int, int] | None, *, what: str
) -> tuple[int, int]:
    """Check a declared mask shape: 2-D, non-empty, and ``expected`` or within the limit.

    Returns the shape as ``(height, width)``. Errors are ValueErrors naming ``what`` and,
    for a size other than ``expected``, both sizes.

    Examples
    --------
    >>> check_mask_shape((3, 4), (3, 4), what="mask")
    (3, 4)
    >>> check_mask_shape((5, 7), (3, 4), what="mask in 'a.png'")
    Traceback (most recent call last):
    ...
    ValueError: mask in 'a.png': expected the image's size, 4 x 3 (width x height); got 7 x 5 \
(width x height)

    """
    if len(shape) != 2 or min(shape, default=0) < 1:
        raise ValueError(f"{what}: expected a non-empty 2-D array (H, W); got shape {tuple(shape)}")
    height, width = (int(n) for n in shape)
    if expected is None:
        check_pixels((height, width), what=what)
    elif (height, width) != tuple(expected):
        raise ValueError(
            f"{what}: expected the image's size, {size_text(expected)}; got {size_text(shape)}"
        )
    return height, width


def size_text(shape: tuple[int, ...]) -> str:
    """Return ``"W x H (width x height)"`` for an ``(H, W, ...)`` shape.

    Examples
    --------
    >>> size_text((480, 640, 3))
    '640 x 480 (width x height)'

    """
    height, width = (int(n) for n in shape[:2])
    return f"{width} x {height} (width x height)"
