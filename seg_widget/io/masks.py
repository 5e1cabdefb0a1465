"""Saving and loading class-id and instance-id masks; the file format follows the extension.

Formats (every one round-trips the ids exactly):

- ``.png``: a class mask whose ids fit a uint8 (at most 256 classes) is an 8-bit **palette**
  PNG whose palette holds the class colours (Pascal VOC style; class 0 is black); a uint16
  mask (more than 256 classes) is a **16-bit greyscale** PNG. Instance masks are always
  16-bit greyscale PNGs.
- ``.npy``: `numpy.save` of the array.
- ``.npz``: `numpy.savez_compressed` with the array under the key ``"mask"``.

Loading returns uint8 or uint16 arrays: a palette PNG gives its indices (not its colours) as
uint8 and a 16-bit PNG gives uint16. Pickles are refused. Before anything is decoded the size
a file declares is checked: it must be the expected ``shape`` when one is given, else within
`seg_widget.io.limits.MAX_MASK_PIXELS` (see `seg_widget.io.array_files`). Every save is
atomic (see `seg_widget.io.atomic`).
"""

from __future__ import annotations

import io
import os
from collections.abc import Sequence

import numpy as np

from seg_widget.core.classes import DEFAULT_PALETTE, LabelClass, normalize_classes
from seg_widget.core.labels import validate_mask
from seg_widget.io._paths import as_path, extension_of, require_file
from seg_widget.io.array_files import ArrayHeader, open_npz, read_npy
from seg_widget.io.atomic import atomic_write_bytes
from seg_widget.io.limits import check_mask_shape
from seg_widget.io.png import encode_gray16_png, encode_palette_png, read_png_ids

__all__ = [
    "MASK_EXTENSIONS",
    "encode_mask",
    "load_instance_mask",
    "load_mask",
    "save_instance_mask",
    "save_mask",
]

#: File extensions `save_mask` and `load_mask` understand (case-insensitive).
MASK_EXTENSIONS = (".png", ".npy", ".npz")

#: Key of the array in ``.npz`` files.
NPZ_KEY = "mask"

_MAX_ID = 65535


def save_mask(
    path: str | os.PathLike,
    mask: np.ndarray,
    classes: Sequence[str | LabelClass] | None = None,
) -> None:
    """Save a class-id mask to ``path``, in the format its extension names, atomically.

    The stored dtype is ``uint8`` or ``uint16``: with ``classes``, the widget's own rule
    (uint8 up to 256 classes, uint16 beyond); without, a uint8 or uint16 mask keeps its
    dtype and other integer masks get the smaller of the two that holds their largest id.
    A ``.png`` is a palette PNG for uint8 (palette = the class colours, or the default
    colours without ``classes``) and a 16-bit greyscale PNG for uint16, so that
    `load_mask` always returns the dtype that was stored.

    Parameters
    ----------
    path : str or os.PathLike
        Ends in ``.png``, ``.npy`` or ``.npz``; its folder must exist.
    mask : ndarray of int or bool, shape (H, W)
        Class id per pixel, 0..65535 (and ``< len(classes)`` if given).
    classes : sequence of str or LabelClass, optional
        The label classes; their colours become the PNG palette.

    Raises
    ------
    TypeError
        If ``path`` is not a path or ``mask`` not an integer array.
    ValueError
        For an unknown extension, a mask that is not 2-D or is empty, ids out of range,
        or a missing folder.

    Examples
    --------
    >>> import os, tempfile
    >>> path = os.path.join(tempfile.mkdtemp(), "mask.png")
    >>> save_mask(path, np.array([[0, 1], [2, 1]], np.uint8), classes=["bg", "cat", "dog"])
    >>> load_mask(path).tolist()
    [[0, 1], [2, 1]]

    """
    name = as_path(path)
    atomic_write_bytes(name, encode_mask(extension_of(name, MASK_EXTENSIONS), mask, classes))


def encode_mask(
    extension: str,
    mask: np.ndarray,
    classes: Sequence[str | LabelClass] | None = None,
) -> bytes:
    """Return the bytes `save_mask` writes for ``mask`` in the format of ``extension``.

    Examples
    --------
    >>> encode_mask(".npy", np.zeros((1, 2), np.uint8))[1:6]
    b'NUMPY'

    """
    if extension not in MASK_EXTENSIONS:
        raise ValueError(f"extension: expected one of {MASK_EXTENSIONS}; got {extension!r}")
    if classes is None:
        ids = _as_ids(mask, argument="mask")
    else:
        classes = normalize_classes(classes)
        array = _as_array(mask, argument="mask")
        ids = validate_mask(array, shape=array.shape, n_classes=len(classes))
    if extension == ".png" and ids.dtype == np.uint8:
        if classes is None:
            # Class 0 black, then the colours the widget gives classes without one.
            n_colors = int(ids.max()) + 1
            colors = [(0, 0, 0)]
            colors += [DEFAULT_PALETTE[(i - 1) % len(DEFAULT_PALETTE)] for i in range(1, n_colors)]
        else:
            colors = [label_class.color for label_class in classes]
        return encode_palette_png(ids, colors)
    return _encode(extension, ids)


def load_mask(
    path: str | os.PathLike,
    *,
    n_classes: int | None = None,
    shape: tuple[int, int] | None = None,
) -> np.ndarray:
    """Load a class-id mask saved by `save_mask` (or any integer mask in these formats).

    Parameters
    ----------
    path : str or os.PathLike
        A ``.png`` (palette, 8-bit or 16-bit greyscale), ``.npy`` or ``.npz`` file.
    n_classes : int, optional
        If given, every id must be ``< n_classes`` and the result has the widget's dtype
        for that many classes (uint8 up to 256, else uint16).
    shape : tuple of int, optional
        The expected ``(H, W)`` (the image's): a file declaring another size is refused
        before it is decoded. Without it, the size must be within
        `seg_widget.io.limits.MAX_MASK_PIXELS`.

    Returns
    -------
    ndarray of uint8 or uint16, shape (H, W)
        Palette PNGs give their indices, not their colours.

    Raises
    ------
    ValueError
        Naming the path: unknown extension, file not found, undecodable file, colour PNG,
        not 2-D, not integer, ids negative or too large (for ``n_classes``), another size
        than ``shape`` (naming both), over the size limit or Pillow's decompression-bomb
        limit.

    Examples
    --------
    >>> import os, tempfile
    >>> path = os.path.join(tempfile.mkdtemp(), "mask.npz")
    >>> save_mask(path, np.eye(2, dtype=bool))
    >>> load_mask(path, n_classes=2)
    array([[1, 0],
           [0, 1]], dtype=uint8)

    """
    name = as_path(path)
    argument = f"mask in {name!r}"
    raw = _read(name, extension_of(name, MASK_EXTENSIONS), shape=shape)
    ids = _as_ids(raw, argument=argument)
    if n_classes is not None:
        ids = validate_mask(ids, shape=ids.shape, n_classes=n_classes, argument=argument)
    return ids


def save_instance_mask(path: str | os.PathLike, instance_mask: np.ndarray) -> None:
    """Save an instance-id mask (0 = no instance) as uint16, atomically.

    ``.png`` files are always 16-bit greyscale PNGs; ``.npy`` and ``.npz`` as in `save_mask`.

    Examples
    --------
    >>> import os, tempfile
    >>> path = os.path.join(tempfile.mkdtemp(), "instances.png")
    >>> save_instance_mask(path, np.array([[0, 300]]))
    >>> load_instance_mask(path)
    array([[  0, 300]], dtype=uint16)

    """
    name = as_path(path)
    extension = extension_of(name, MASK_EXTENSIONS)
    ids = _as_ids(instance_mask, argument="instance_mask").astype(np.uint16, copy=False)
    atomic_write_bytes(name, _encode(extension, ids))


def load_instance_mask(
    path: str | os.PathLike, *, shape: tuple[int, int] | None = None
) -> np.ndarray:
    """Load an instance-id mask as a uint16 array (see `save_instance_mask`, `load_mask`).

    Examples
    --------
    >>> import os, tempfile
    >>> path = os.path.join(tempfile.mkdtemp(), "instances.npy")
    >>> save_instance_mask(path, np.array([[0, 1], [2, 2]], np.uint8))
    >>> load_instance_mask(path).dtype
    dtype('uint16')

    """
    name = as_path(path)
    raw = _read(name, extension_of(name, MASK_EXTENSIONS), shape=shape)
    return _as_ids(raw, argument=f"instance mask in {name!r}").astype(np.uint16, copy=False)


def _as_ids(mask: object, *, argument: str) -> np.ndarray:
    """Check a 2-D, non-empty array of ids in 0..65535; return it as uint8 or uint16.

    uint8 and uint16 arrays keep their dtype; bool and other integer arrays become the
    smaller of the two holding their largest id. The result is a new C-contiguous array.
    """
    array = _as_array(mask, argument=argument)
    if array.dtype in (np.uint8, np.uint16):
        return np.array(array, dtype=array.dtype.newbyteorder("="), order="C")
    low, high = int(array.min()), int(array.max())
    if low < 0:
        raise ValueError(f"{argument}: expected ids >= 0; got minimum {low}")
    if high > _MAX_ID:
        raise ValueError(f"{argument}: expected ids <= {_MAX_ID}; got maximum {high}")
    return array.astype(np.uint8 if high <= 255 else np.uint16, order="C")


def _as_array(mask: object, *, argument: str) -> np.ndarray:
    """Return ``mask`` as an array after checking it is a non-empty 2-D integer/bool array."""
    try:
        array = np.asarray(mask)
    except (ValueError, TypeError) as error:
        raise TypeError(f"{argument}: expected an integer array; got {error}") from error
    if array.dtype.kind not in "biu":
        raise TypeError(f"{argument}: expected an integer or bool array; got dtype {array.dtype}")
    if array.ndim != 2 or array.size == 0:
        shape = tuple(int(n) for n in array.shape)
        raise ValueError(f"{argument}: expected a non-empty 2-D array (H, W); got shape {shape}")
    return array


def _encode(extension: str, ids: np.ndarray) -> bytes:
    """Encode uint8/uint16 ``ids`` as a 16-bit PNG, .npy or .npz file."""
    if extension == ".png":
        return encode_gray16_png(ids.astype(np.uint16, copy=False))
    buffer = io.BytesIO()
    if extension == ".npy":
        np.save(buffer, ids, allow_pickle=False)
    else:
        np.savez_compressed(buffer, **{NPZ_KEY: ids})
    return buffer.getvalue()


def _read(name: str, extension: str, *, shape: tuple[int, int] | None) -> np.ndarray:
    """Read the raw array stored in ``name`` after checking its declared size; errors name it."""
    require_file(name)
    if extension == ".png":
        return read_png_ids(name, shape=shape)
    what = f"mask in {name!r}"

    def check(header: ArrayHeader) -> None:
        if header.dtype.kind not in "biu":
            raise ValueError(f"{what}: expected an integer or bool array; got dtype {header.dtype}")
        check_mask_shape(header.shape, shape, what=what)

    if extension == ".npy":
        return read_npy(name, check, what=what)
    with open_npz(name) as archive:
        keys = archive.keys
        if NPZ_KEY in keys:
            return archive.read(NPZ_KEY, check)
        if len(keys) == 1:
            return archive.read(keys[0], check)
    raise ValueError(
        f"path: expected an .npz file with an array named {NPZ_KEY!r} (or a single array); "
        f"got arrays {list(keys)} in {name!r}"
    )
