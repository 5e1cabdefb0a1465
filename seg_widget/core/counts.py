"""Pixel counts per class (or id) with bounded temporaries, whatever the number of pixels.

``np.bincount`` converts its input to 8-byte integers: on a 16384² uint8 mask that is a
2 GiB temporary for a 256 MiB array. The functions here count in chunks of `CHUNK` values
(or, for a handful of classes, by comparing each class in turn), so their temporaries stay
below ~8 MiB however large the array, and one value for all costs O(1).
"""

from __future__ import annotations

import numpy as np

#: Values counted per ``np.bincount`` call: 2**16 int64 temporaries (512 KiB) each, which
#: also keeps the work in cache (faster than one call over the whole array).
CHUNK = 1 << 16

#: Up to this many classes, counting compares each class in turn (vectorised, 1-byte
#: temporaries) instead of a histogram: faster for the few classes of a usual mask.
_COMPARE_MAX_CLASSES = 8

#: Values compared per step when counting class by class.
_COMPARE_CHUNK = 1 << 22

#: Up to this many values, a histogram scatters instead of counting (a brush dab).
_SCATTER_MAX = 1024


def histogram(values: np.ndarray, length: int) -> np.ndarray:
    """Return the number of occurrences of each value ``0 .. length - 1`` in ``values``.

    Parameters
    ----------
    values : ndarray of non-negative int
        Any shape (views included: they are read in chunks of rows, never copied whole).
    length : int
        Length of the result; every value must be below it.

    Returns
    -------
    ndarray of int64, shape ``(length,)``

    Raises
    ------
    ValueError
        If a value is ``>= length``.

    Examples
    --------
    >>> histogram(np.array([[0, 2], [2, 2]], np.uint8), 3).tolist()
    [1, 0, 3]

    """
    counts = np.zeros(length, np.int64)
    # Chunks at least as long as the result, so adding each chunk's histogram stays O(chunk).
    size = _COMPARE_CHUNK if length <= _COMPARE_MAX_CLASSES else max(CHUNK, length)
    for chunk in _chunks(values, size):
        _count_into(counts, chunk, length)
    return counts


def add_histogram(counts: np.ndarray, values: np.ndarray, sign: int) -> None:
    """Add ``sign`` times the histogram of ``values`` to ``counts`` in place.

    O(values.size) with bounded temporaries; a few values (a brush dab) are scattered
    without a histogram, and values that are all equal cost one comparison pass.

    Examples
    --------
    >>> counts = np.array([5, 0, 0])
    >>> add_histogram(counts, np.array([0, 0, 2]), -1); counts.tolist()
    [3, 0, -1]

    """
    values = np.asarray(values)
    if values.size == 0:
        return
    if values.size <= _SCATTER_MAX:
        np.add.at(counts, values.ravel(), sign)
        return
    single = uniform_value(values)
    if single is not None:
        counts[single] += sign * values.size
        return
    counts += sign * histogram(values, counts.size)


def uniform_value(values: np.ndarray) -> int | None:
    """Return the one value all of ``values`` share, or None (also for no values).

    One comparison pass, no histogram: a fill or an outline usually replaces one class.

    Examples
    --------
    >>> uniform_value(np.full((3, 3), 2, np.uint8)), uniform_value(np.array([1, 2]))
    (2, None)

    """
    if values.size == 0:
        return None
    first = values.flat[0]
    for chunk in _chunks(values, _COMPARE_CHUNK):
        if not (chunk == first).all():
            return None
    return int(first)


def _count_into(counts: np.ndarray, chunk: np.ndarray, length: int) -> None:
    if length <= _COMPARE_MAX_CLASSES:
        # Class by class: each comparison is one vectorised pass with a 1-byte temporary.
        total = 0
        for value in range(1, length):
            found = int(np.count_nonzero(chunk == value))
            counts[value] += found
            total += found
        zeros = int(np.count_nonzero(chunk == 0))
        if zeros + total != chunk.size:
            _raise_out_of_range(chunk, length)
        counts[0] += zeros
        return
    found = np.bincount(chunk, minlength=length)
    if found.size > length:
        _raise_out_of_range(chunk, length)
    counts += found


def _raise_out_of_range(chunk: np.ndarray, length: int) -> None:
    raise ValueError(f"values: expected values in [0, {length}); got {int(chunk.max())}")


def _chunks(values: np.ndarray, size: int):
    """Yield 1-D pieces of ``values`` of about ``size`` elements (copies only per piece)."""
    if values.ndim == 0:
        yield values.reshape(1)
        return
    if values.ndim == 1 or values.flags.c_contiguous:
        flat = values.reshape(-1)
        for start in range(0, flat.size, size):
            yield flat[start : start + size]
        return
    rows = values.reshape(-1, values.shape[-1])  # a view for 2-D boxes of a mask
    step = max(1, size // max(rows.shape[1], 1))
    for start in range(0, rows.shape[0], step):
        yield rows[start : start + step].reshape(-1)
