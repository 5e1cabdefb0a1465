"""Colouring label patches: an RGBA lookup table, RGBA patches and per-class row runs.

A dirty region of the mask reaches the browser either as an RGBA PNG patch (`colorize`) or,
when it has few runs, as exact per-class ``fill_rects`` of horizontal runs (`label_runs`),
which the browser draws without an image decode. `run_count` lets the caller choose cheaply.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from seg_widget.core.classes import parse_color

__all__ = ["LabelRuns", "color_lut", "colorize", "label_runs", "run_count"]


def color_lut(colors: Sequence[object]) -> np.ndarray:
    """Return the RGBA lookup table of class colours, with class 0 transparent.

    Parameters
    ----------
    colors : sequence
        One colour per class id, at least one. Each is anything
        `seg_widget.core.classes.parse_color` accepts: an ``(r, g, b)`` triple of ints in
        0..255, of floats in [0, 1], or a CSS colour string; or a uint8 array of shape
        ``(n, 3)`` of resolved colours (the fast path). The colour of class 0 is ignored.

    Returns
    -------
    numpy.ndarray
        uint8 array of shape ``(len(colors), 4)``: row ``i`` is ``(r, g, b, 255)``, except row
        0 (unlabelled), which is ``(0, 0, 0, 0)``.

    Raises
    ------
    TypeError, ValueError
        If `colors` is not a non-empty sequence of valid colours.

    Examples
    --------
    >>> color_lut([(0, 0, 0), (255, 0, 0), "#00ff00"])
    array([[  0,   0,   0,   0],
           [255,   0,   0, 255],
           [  0, 255,   0, 255]], dtype=uint8)

    """
    if isinstance(colors, (str, bytes)) or not isinstance(colors, (Sequence, np.ndarray)):
        raise TypeError(
            f"colors: expected a sequence of colours, one per class; got {type(colors).__name__}"
        )
    if len(colors) == 0:
        raise ValueError("colors: expected at least one colour (class 0); got an empty sequence")
    lut = np.empty((len(colors), 4), dtype=np.uint8)
    lut[0] = 0
    if isinstance(colors, np.ndarray) and colors.dtype == np.uint8 and colors.shape[1:] == (3,):
        # Resolved colours (one row per class): no parsing, whatever the number of classes.
        lut[1:, :3] = colors[1:]
        lut[1:, 3] = 255
        return lut
    for class_id in range(1, len(colors)):
        lut[class_id, :3] = parse_color(colors[class_id], argument=f"colors[{class_id}]")
    lut[1:, 3] = 255
    return lut


def _check_labels(labels: np.ndarray) -> None:
    """Raise unless `labels` is a 2-D integer ndarray."""
    if not isinstance(labels, np.ndarray):
        raise TypeError(f"labels: expected a numpy.ndarray, got {type(labels).__name__}")
    if labels.dtype.kind not in "iu":
        raise TypeError(f"labels: expected an integer dtype, got {labels.dtype}")
    if labels.ndim != 2:
        raise ValueError(f"labels: expected a 2-D array, got shape {labels.shape}")


def colorize(labels: np.ndarray, lut: np.ndarray) -> np.ndarray:
    """Return the RGBA image ``lut[labels]`` of a label patch.

    Parameters
    ----------
    labels : numpy.ndarray
        2-D integer array of class ids, each in ``[0, len(lut))``.
    lut : numpy.ndarray
        uint8 array of shape (n, 4), as returned by `color_lut`.

    Returns
    -------
    numpy.ndarray
        C-contiguous uint8 array of shape ``labels.shape + (4,)``.

    Raises
    ------
    TypeError
        If `labels` is not an integer ndarray or `lut` is not a uint8 ndarray.
    ValueError
        If `labels` is not 2-D, `lut` is not (n, 4), or a label is outside ``[0, n)``.

    Examples
    --------
    >>> import numpy as np
    >>> lut = color_lut([(0, 0, 0), (255, 0, 0)])
    >>> colorize(np.array([[0, 1]], dtype=np.uint8), lut)
    array([[[  0,   0,   0,   0],
            [255,   0,   0, 255]]], dtype=uint8)

    """
    _check_labels(labels)
    if not isinstance(lut, np.ndarray) or lut.dtype != np.uint8:
        got = lut.dtype if isinstance(lut, np.ndarray) else type(lut).__name__
        raise TypeError(f"lut: expected a uint8 numpy.ndarray, got {got}")
    if lut.ndim != 2 or lut.shape[1] != 4 or lut.shape[0] == 0:
        raise ValueError(f"lut: expected shape (n, 4) with n >= 1, got {lut.shape}")
    # np.take would wrap negative indices silently; unsigned masks skip this pass.
    if labels.dtype.kind == "i" and labels.size and labels.min() < 0:
        raise ValueError(f"labels: expected values in [0, {lut.shape[0]}), got {labels.min()}")
    # One RGBA pixel is one uint32: gathering 4-byte words is ~2x faster than (n, 4) rows.
    words = np.ascontiguousarray(lut).view(np.uint32).reshape(-1)
    try:
        rgba = np.take(words, labels)
    except IndexError:
        raise ValueError(
            f"labels: expected values in [0, {lut.shape[0]}), got {labels.max()}"
        ) from None
    return rgba.view(np.uint8).reshape(*labels.shape, 4)


@dataclass(frozen=True, eq=False)
class LabelRuns:
    """The horizontal runs of one label, ready for ``canvas.fill_rects(xs, ys, widths, 1)``.

    ``eq=False`` because fields are arrays: compare them with `numpy.array_equal`.
    """

    #: Class id of every run (never 0).
    label: int
    #: Image column of each run's first pixel (int32).
    xs: np.ndarray
    #: Image row of each run (int32).
    ys: np.ndarray
    #: Length of each run in pixels, >= 1 (int32).
    widths: np.ndarray


def _run_starts(flat: np.ndarray, width: int) -> np.ndarray:
    """Return the indices of a flattened patch where a run starts: row starts, label changes."""
    starts = np.empty(flat.size, dtype=bool)
    starts[0] = True
    np.not_equal(flat[1:], flat[:-1], out=starts[1:])
    # Runs never continue across rows.
    starts[::width] = True
    return np.flatnonzero(starts)


def label_runs(labels: np.ndarray, origin_rc: tuple[int, int] = (0, 0)) -> list[LabelRuns]:
    """Return the maximal horizontal runs of equal non-zero labels, grouped per label.

    Parameters
    ----------
    labels : numpy.ndarray
        2-D integer patch of class ids.
    origin_rc : tuple of int, optional
        Image (row, col) of the patch's top-left pixel, added to the run coordinates.

    Returns
    -------
    list of LabelRuns
        One entry per distinct non-zero label, sorted by label; within a label, runs are in
        row-major order. Painting every run ``(xs[i], ys[i], widths[i], 1)`` with its label
        reproduces the patch (offset by `origin_rc`); label 0 is never included.

    Raises
    ------
    TypeError
        If `labels` is not an integer ndarray or `origin_rc` not two ints.
    ValueError
        If `labels` is not 2-D.

    Examples
    --------
    >>> import numpy as np
    >>> patch = np.array([[1, 1, 0, 2], [2, 2, 2, 2]], dtype=np.uint8)
    >>> runs = label_runs(patch, origin_rc=(10, 20))
    >>> [(r.label, r.xs.tolist(), r.ys.tolist(), r.widths.tolist()) for r in runs]
    [(1, [20], [10], [2]), (2, [23, 20], [10, 11], [1, 4])]

    """
    _check_labels(labels)
    row0, col0 = _check_origin(origin_rc)
    if labels.size == 0:
        return []
    # Mask patches are usually strided slices: flatten once.
    flat = np.ascontiguousarray(labels).reshape(-1)
    starts = _run_starts(flat, labels.shape[1])
    widths = np.diff(starts, append=flat.size)
    run_labels = flat[starts]
    keep = run_labels != 0
    starts, widths, run_labels = starts[keep], widths[keep], run_labels[keep]
    if run_labels.size == 0:
        return []
    lowest, highest = int(run_labels.min()), int(run_labels.max())
    if lowest != highest:
        # A stable sort groups runs by label and keeps each group in row-major order.
        order = np.argsort(run_labels, kind="stable")
        starts, widths, run_labels = starts[order], widths[order], run_labels[order]
    rows, cols = np.divmod(starts, labels.shape[1])
    xs = (cols + col0).astype(np.int32)
    ys = (rows + row0).astype(np.int32)
    widths = widths.astype(np.int32)
    if lowest == highest:  # one label (a pen dab, usually): no grouping needed
        return [LabelRuns(lowest, xs, ys, widths)]
    distinct, first = np.unique(run_labels, return_index=True)
    bounds = [*first.tolist(), run_labels.size]
    return [
        LabelRuns(int(label), xs[lo:hi], ys[lo:hi], widths[lo:hi])
        for label, lo, hi in zip(distinct.tolist(), bounds[:-1], bounds[1:], strict=True)
    ]


def _check_origin(origin_rc: object) -> tuple[int, int]:
    """Return `origin_rc` as two ints, or raise naming it."""
    expected = "origin_rc: expected a (row, col) pair of ints"
    try:
        row0, col0 = origin_rc  # type: ignore[misc]
    except (TypeError, ValueError):
        raise TypeError(f"{expected}, got {origin_rc!r}") from None
    for value in (row0, col0):
        if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)):
            raise TypeError(f"{expected}, got {origin_rc!r}")
    return int(row0), int(col0)


def run_count(labels: np.ndarray) -> int:
    """Return the number of runs `label_runs` would produce, without building them.

    Parameters
    ----------
    labels : numpy.ndarray
        2-D integer patch of class ids.

    Returns
    -------
    int
        Number of maximal horizontal runs of equal non-zero labels.

    Examples
    --------
    >>> import numpy as np
    >>> run_count(np.array([[1, 1, 0, 2], [2, 2, 2, 2]], dtype=np.uint8))
    3

    """
    _check_labels(labels)
    if labels.size == 0:
        return 0
    labelled = labels != 0
    if not labelled.any():
        return 0  # cheaper than looking for run starts (an erased or undone region)
    # A run starts at a labelled pixel that begins a row or differs from its left neighbour.
    changes = labels[:, 1:] != labels[:, :-1]
    changes &= labelled[:, 1:]
    return int(np.count_nonzero(labelled[:, 0]) + np.count_nonzero(changes))
