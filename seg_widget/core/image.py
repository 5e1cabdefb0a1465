"""Turning the user's image (array, path or PIL image) into a validated numpy array."""

from __future__ import annotations

import os

import numpy as np
from PIL import Image, UnidentifiedImageError

# Pillow modes kept as they are: grey (8/16/32-bit int, float) and colour with/without alpha.
_KEPT_MODES = frozenset({"L", "I;16", "I;16L", "I;16B", "I;16N", "I", "F", "RGB", "RGBA"})
# Modes converted explicitly; anything else (CMYK, YCbCr, LAB, HSV, RGBX, ...) becomes RGB.
_CONVERTED_MODES = {"1": "L", "LA": "RGBA", "La": "RGBA", "PA": "RGBA", "RGBa": "RGBA"}
# numpy dtype kinds a displayable image may have: bool, signed, unsigned, float.
_IMAGE_KINDS = "biuf"


def load_image(image: object) -> np.ndarray:
    """Return ``image`` as a new C-contiguous ``(H, W)``, ``(H, W, 3)`` or ``(H, W, 4)`` array.

    The dtype of an array input is kept (native byte order). Files and PIL images keep grey
    modes (``L``, ``I;16``, ``I``, ``F``) as 2-D arrays and ``RGB``/``RGBA`` as they are;
    bilevel (``1``) becomes ``L`` (0/255), palette images become ``RGB`` (or ``RGBA`` if they
    have transparency), grey+alpha becomes ``RGBA`` and other modes become ``RGB``. Only the
    first frame of a multi-frame file is read and EXIF orientation is ignored, so pixel
    ``[row, col]`` is the stored pixel, as in other numpy image readers. Pillow's
    decompression-bomb limit stays in force.

    Parameters
    ----------
    image : ndarray, str, os.PathLike or PIL.Image.Image
        Arrays of shape ``(H, W)``, ``(H, W, 1)`` (squeezed), ``(H, W, 3)`` or ``(H, W, 4)``
        with a bool, integer or float dtype; or an image file; or a PIL image.

    Returns
    -------
    ndarray
        A new array that the caller owns (never a view of the input).

    Raises
    ------
    TypeError
        If ``image`` is of another type.
    ValueError
        For a wrong shape, an empty image, a complex or non-numeric dtype, a missing or
        undecodable file, or a file over Pillow's decompression-bomb limit.

    Examples
    --------
    >>> import numpy as np
    >>> load_image(np.zeros((4, 5, 1), dtype=np.uint16)).shape
    (4, 5)

    """
    if isinstance(image, np.ndarray):
        return _validated_array(image)
    if isinstance(image, Image.Image):
        return _validated_array(_pil_to_array(image, source="the PIL image"))
    if isinstance(image, (str, os.PathLike)):
        return _validated_array(_read_file(image))
    raise TypeError(
        f"image: expected a numpy array, a file path or a PIL.Image; got {type(image).__name__}"
    )


def image_view(image: object) -> np.ndarray:
    """Return ``image`` validated as by `load_image`, without copying an array that is fine.

    A C-contiguous numpy array of native byte order and shape ``(H, W)``, ``(H, W, 3)`` or
    ``(H, W, 4)`` comes back as a read-only view of the caller's array (no O(image) copy:
    a 16384² RGB image is 0.8 GB); anything else goes through `load_image` and is a new
    array. The view is read-only for its holder, but the caller can still change the
    array: a viewer that shows it should say so.

    Examples
    --------
    >>> import numpy as np
    >>> source = np.zeros((4, 5), np.uint8)
    >>> view = image_view(source)
    >>> np.shares_memory(view, source), view.flags.writeable
    (True, False)
    >>> np.shares_memory(image_view(source[:, ::2]), source)  # strided: copied
    False

    """
    if (
        isinstance(image, np.ndarray)
        and image.flags.c_contiguous
        and image.dtype.isnative
        and image.dtype.kind in _IMAGE_KINDS
        and image.size > 0
        and (image.ndim == 2 or (image.ndim == 3 and image.shape[2] in (3, 4)))
    ):
        view = image.view()
        view.flags.writeable = False
        return view
    return load_image(image)


def _validated_array(array: np.ndarray) -> np.ndarray:
    if array.dtype.kind not in _IMAGE_KINDS:
        raise ValueError(f"image: expected a bool, integer or float dtype; got {array.dtype}")
    if array.ndim == 3 and array.shape[2] == 1:
        array = array[:, :, 0]
    if not (array.ndim == 2 or (array.ndim == 3 and array.shape[2] in (3, 4))):
        raise ValueError(
            f"image: expected shape (H, W), (H, W, 3) or (H, W, 4); got {_shape(array)}"
        )
    if array.size == 0:
        raise ValueError(f"image: expected a non-empty image; got shape {_shape(array)}")
    # Always copy (the caller may keep the result while the user mutates their array) and
    # normalise byte order: big-endian arrays come from 16-bit files and FITS-like sources.
    return np.array(array, dtype=array.dtype.newbyteorder("="), order="C", copy=True)


def _read_file(path: str | os.PathLike) -> np.ndarray:
    name = os.fsdecode(os.fspath(path))
    if not os.path.exists(name):
        raise ValueError(f"image: file not found: {name!r}")
    if os.path.isdir(name):
        raise ValueError(f"image: expected an image file; got the directory {name!r}")
    try:
        with Image.open(name) as opened:
            return _pil_to_array(opened, source=repr(name))
    except Image.DecompressionBombError as error:
        raise ValueError(_bomb_message(repr(name), error)) from error
    except (UnidentifiedImageError, OSError, SyntaxError) as error:
        # Pillow reports corrupt files as OSError or SyntaxError depending on the plugin.
        raise ValueError(f"image: cannot decode {name!r} as an image: {error}") from error


def _pil_to_array(image: Image.Image, *, source: str) -> np.ndarray:
    try:
        image.load()
        mode = image.mode
        if mode not in _KEPT_MODES:
            if mode in _CONVERTED_MODES:
                target = _CONVERTED_MODES[mode]
            elif mode == "P":
                # Palette transparency is kept as alpha; without it RGB is exact.
                has_alpha = "transparency" in image.info or (
                    getattr(image.palette, "mode", "RGB") == "RGBA"
                )
                target = "RGBA" if has_alpha else "RGB"
            else:
                target = "RGB"
            image = image.convert(target)
        return np.asarray(image)
    except Image.DecompressionBombError as error:
        raise ValueError(_bomb_message(source, error)) from error
    except (OSError, SyntaxError, ValueError) as error:
        raise ValueError(f"image: cannot decode {source} as an image: {error}") from error


def _bomb_message(source: str, error: Exception) -> str:
    return (
        f"image: refusing to decode {source}: it exceeds Pillow's decompression-bomb limit "
        f"({error}); if you trust the file, raise PIL.Image.MAX_IMAGE_PIXELS first"
    )


def _shape(array: np.ndarray) -> str:
    return str(tuple(int(n) for n in array.shape))
