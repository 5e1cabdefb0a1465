"""Stable identities of images, for caching what a model prepared from them.

A key must change when the pixels may have changed and stay the same otherwise:

- a file: ``("file", real path, modification time in ns, size in bytes)`` — a rewritten
  file gets a new key (its mtime or size changes), a renamed one too; links to one file
  share one key;
- an array: ``("array", shape, dtype, BLAKE2b digest of the bytes)`` — costs one pass over
  the pixels (about 1 GB/s), so callers that know better pass their own key (any hashable
  value: an image path, a database id, ``(dataset, index)``).
"""

from __future__ import annotations

import hashlib
import os

import numpy as np

__all__ = ["array_key", "file_key"]


def file_key(path: str | os.PathLike) -> tuple:
    """Return ``("file", real path, mtime_ns, size)`` of an existing file.

    Raises
    ------
    TypeError
        If ``path`` is not a str or os.PathLike.
    ValueError
        If the file does not exist or is not a file.

    Examples
    --------
    >>> import os, tempfile
    >>> path = os.path.join(tempfile.mkdtemp(), "a.png")
    >>> _ = open(path, "wb").write(b"x")
    >>> key = file_key(path)
    >>> key[0], key[3]
    ('file', 1)

    """
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"path: expected a str or os.PathLike; got {type(path).__name__}")
    real = os.path.realpath(os.fsdecode(os.fspath(path)))
    try:
        info = os.stat(real)
    except OSError as error:
        raise ValueError(f"path: cannot read the file {os.fspath(path)!r}: {error}") from None
    if not os.path.isfile(real):
        raise ValueError(f"path: expected a file; got {os.fspath(path)!r}")
    return ("file", real, info.st_mtime_ns, info.st_size)


def array_key(image: np.ndarray) -> tuple:
    """Return ``("array", shape, dtype, digest)``: equal for arrays with equal pixels.

    Examples
    --------
    >>> array_key(np.zeros((2, 3))) == array_key(np.zeros((2, 3)))
    True
    >>> array_key(np.zeros((2, 3))) == array_key(np.ones((2, 3)))
    False

    """
    if not isinstance(image, np.ndarray):
        raise TypeError(f"image: expected a numpy array; got {type(image).__name__}")
    digest = hashlib.blake2b(np.ascontiguousarray(image).data, digest_size=16).hexdigest()
    return ("array", tuple(image.shape), image.dtype.str, digest)
