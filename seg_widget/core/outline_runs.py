"""Runs of painted pixels along rows: the scanline machinery of `seg_widget.core.outline`.

A row's inside pixels are runs ``[start, end)`` between parity toggles; runs of many rows are
flat positions in a box (``n_cols`` pixels per row), written out in one ``np.repeat``.
"""

from __future__ import annotations

import numpy as np

#: Crossings (edge, row pairs) rasterised at once: bounds the temporaries (~100 bytes each).
BAND_CROSSINGS = 1 << 20


def crossings_per_row(low: np.ndarray, high: np.ndarray, row0: int, row1: int) -> np.ndarray:
    """Return the (edge, row) pairs of each row of ``[row0, row1)`` (at most), O(edges + rows).

    An edge meets the integer rows of ``[ceil(low), floor(high)]``.
    """
    first = np.clip(np.ceil(low), row0, row1).astype(np.int64) - row0
    last = np.clip(np.floor(high) + 1, row0, row1).astype(np.int64) - row0
    sloped = (low < high) & (first < last)
    steps = np.zeros(row1 - row0 + 1, np.int64)
    np.add.at(steps, first[sloped], 1)
    np.add.at(steps, last[sloped], -1)
    return np.cumsum(steps[:-1])


def row_bands(per_row: np.ndarray, row0: int) -> list[tuple[int, int]]:
    """Return bands of rows of at most `BAND_CROSSINGS` crossings (one row at least)."""
    n_rows = per_row.size
    total = int(per_row.sum())
    if total <= BAND_CROSSINGS:
        return [(row0, row0 + n_rows)]
    ends = np.cumsum(per_row)
    bands = []
    start = 0
    while start < n_rows:
        before = int(ends[start - 1]) if start else 0
        stop = int(np.searchsorted(ends, before + BAND_CROSSINGS, side="right"))
        stop = min(max(stop, start + 1), n_rows)
        bands.append((row0 + start, row0 + stop))
        start = stop
    return bands


def parity_runs(
    rows: np.ndarray, cuts: np.ndarray, n_cols: int, n_rows: int
) -> tuple[np.ndarray, np.ndarray]:
    """Return the runs where an odd number of a row's cuts are at or left of the column.

    Each row has an even number of cuts (a closed outline crosses a line an even number of
    times), so after dropping pairs at the same column, consecutive cuts of a row pair up:
    a run from each odd one to the next. Cuts left of the box act from its first column;
    cuts right of it act at its end (column ``n_cols``).
    """
    slots = n_cols + 1
    keys = rows * slots + np.clip(cuts, 0, n_cols)
    keys.sort()
    if keys.size:
        first = np.flatnonzero(np.r_[True, keys[1:] != keys[:-1]])
        odd = (np.diff(np.r_[first, keys.size]) & 1).astype(bool)
        keys = keys[first[odd]]
    row, column = np.divmod(keys, slots)
    flat = row * n_cols + column
    return flat[0::2], flat[1::2]


def union_of_runs(
    starts_a: np.ndarray, ends_a: np.ndarray, starts_b: np.ndarray, ends_b: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Return the union of two sets of runs ``[start, end)``, as sorted disjoint runs."""
    positions = np.concatenate([starts_a, starts_b, ends_a, ends_b])
    if positions.size == 0:
        return starts_a, ends_a
    steps = np.repeat(np.array([1, -1], np.int64), [starts_a.size + starts_b.size] * 2)
    order = np.argsort(positions, kind="stable")
    positions, steps = positions[order], steps[order]
    # Coverage after every event at a position: inside wherever it is positive.
    last_at = np.r_[np.flatnonzero(positions[1:] != positions[:-1]), positions.size - 1]
    covered = np.cumsum(steps)[last_at] > 0
    at = positions[last_at]
    changes = np.flatnonzero(covered != np.r_[False, covered[:-1]])
    return at[changes[0::2]], at[changes[1::2]]


def runs_to_pixels(runs: tuple[np.ndarray, np.ndarray], size: int) -> np.ndarray:
    """Return a flat bool array of ``size`` pixels, True on the sorted disjoint runs."""
    starts, ends = runs
    bounds = np.empty(2 * starts.size + 2, np.int64)
    bounds[0] = 0
    bounds[1:-1:2] = starts
    bounds[2:-1:2] = ends
    bounds[-1] = size
    values = np.zeros(bounds.size - 1, np.uint8)
    values[1::2] = 1
    return np.repeat(values, np.diff(bounds)).view(np.bool_)
