"""COCO run-length encoding (RLE) of binary masks, bit-compatible with pycocotools.

A COCO RLE is ``{"size": [H, W], "counts": ...}``. The mask is read in **column-major**
order (down the first column, then the next) and ``counts`` holds the lengths of alternating
runs of 0s and 1s, starting with 0s (so it starts with 0 if pixel (0, 0) is set). The
*compressed* form, which `rle_encode` writes exactly as ``pycocotools.mask.encode`` does,
stores counts as ASCII: each count after the second is replaced by its difference from the
count two places before, and every number is written as little-endian groups of 5 bits,
one character ``chr(48 + group)`` each, bit 0x20 of a character meaning "more groups follow"
and bit 0x10 of the last group being the sign.
"""

from __future__ import annotations

import numpy as np

from seg_widget.io.limits import check_pixels

__all__ = [
    "rle_counts",
    "rle_crop",
    "rle_decode",
    "rle_encode",
    "rle_encode_crop",
    "rle_segments",
    "segments_crop",
]

# Longest encoded number we accept: 7 groups of 5 bits hold any count of a 2**32-pixel image.
_MAX_GROUPS = 7

#: Pixels of a band of columns read at once by `rle_encode`.
_BAND_PIXELS = 1 << 20

#: Up to this many changes (or an eighth of the pixels) they are sorted; beyond, the mask
#: is read column-major.
_MIN_SORTED = 1 << 16

#: Rows transposed per block: a block of rows and its transpose stay in cache.
_TRANSPOSE_ROWS = 256


def rle_encode(binary_mask: np.ndarray) -> dict:
    """Return the compressed COCO RLE of a 2-D mask (non-zero = foreground).

    The result equals ``pycocotools.mask.encode(np.asfortranarray(mask))`` with ``counts``
    decoded from bytes to ``str``, so it can go straight into JSON. Pure numpy and never a
    column-major copy of the mask (what that call spends most of its time on): the runs
    start where consecutive values in column-major order differ, found row-major in bands
    (each row against the one above, 8 pixels per 64-bit comparison) and sorted.
    Temporaries: about 1 MiB per band, plus 8 bytes per run.

    Examples
    --------
    >>> rle_encode(np.array([[0, 1, 1], [0, 1, 0]], dtype=bool))
    {'size': [2, 3], 'counts': '231'}

    """
    mask = _as_binary(binary_mask, argument="binary_mask")
    height, width = mask.shape
    changes = _column_major_changes(mask)
    bounds = np.concatenate(([0], changes, [height * width]))
    counts = np.diff(bounds)
    if len(counts) > 1 and counts[-1] == 0:
        counts = counts[:-1]
    return {"size": [height, width], "counts": _counts_to_string(counts)}


def _column_major_changes(mask: np.ndarray) -> np.ndarray:
    """Return the column-major positions where the value differs from the one before.

    The changes are found row-major in bands (vertical neighbours differ, or the first row
    differs from the previous column's last), then sorted by column-major position: O(image)
    streaming plus O(changes log changes). A mask with changes almost everywhere (noise) is
    read column-major instead, band by band.
    """
    height, width = mask.shape
    if mask.size == 0:
        return np.zeros(0, np.int64)
    limit = max(mask.size // 8, _MIN_SORTED)
    previous_last = np.concatenate(([False], mask[height - 1, :-1]))
    found = [np.flatnonzero(mask[0] != previous_last) * height]
    n_found = found[0].size
    rows = max(1, _BAND_PIXELS // max(width, 1))
    flat_mask = mask.reshape(-1) if mask.flags.c_contiguous else None
    for row0 in range(1, height, rows):
        row1 = min(row0 + rows, height)
        if flat_mask is not None:  # each row against the one above, 8 pixels at a time
            flat = _differing(
                flat_mask[row0 * width : row1 * width],
                flat_mask[(row0 - 1) * width : (row1 - 1) * width],
            )
        else:
            flat = np.flatnonzero(mask[row0:row1] != mask[row0 - 1 : row1 - 1])
        n_found += flat.size
        if n_found > limit:
            return _column_major_changes_by_transposing(mask)
        row, col = np.divmod(flat, width)
        found.append(col * height + (row + row0))
    changes = np.concatenate(found)
    changes.sort()
    return changes


def _differing(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Return the positions where two equal-length 1-D bool arrays differ, ascending.

    Compared as 64-bit words (8 pixels each), then only the differing words are looked
    into: a mask's changes are sparse, so this reads each byte once and touches 1/8 of the
    elements numpy's element-wise comparison and `np.flatnonzero` would.
    """
    n_words = a.size // 8
    words = 8 * n_words
    if n_words == 0:
        return np.flatnonzero(a != b)
    word_a, word_b = a[:words].view(np.uint64), b[:words].view(np.uint64)
    which = np.flatnonzero(word_a != word_b)
    # The differing words' bytes, in memory order (whatever the byte order of the machine),
    # compared as truth values: a bool array made by a view may hold bytes other than 0/1.
    bytes_a, bytes_b = word_a[which].view(np.uint8), word_b[which].view(np.uint8)
    byte = np.flatnonzero((bytes_a != 0) != (bytes_b != 0))
    positions = which[byte >> 3] * 8 + (byte & 7)
    if words < a.size:
        tail = np.flatnonzero(a[words:] != b[words:]) + words
        positions = np.concatenate((positions, tail))
    return positions


def _column_major_changes_by_transposing(mask: np.ndarray) -> np.ndarray:
    """Return what `_column_major_changes` does, reading bands of columns transposed."""
    height, width = mask.shape
    band = max(1, _BAND_PIXELS // max(height, 1))
    found = []
    previous = False
    for col0 in range(0, width, band):
        flat = _transposed(mask[:, col0 : col0 + band]).reshape(-1)
        if flat.size == 0:
            continue
        offset = col0 * height
        if flat[0] != previous:
            found.append(np.array([offset], np.int64))
        found.append(np.flatnonzero(flat[1:] != flat[:-1]) + (offset + 1))
        previous = bool(flat[-1])
    return np.concatenate(found) if found else np.zeros(0, np.int64)


def _transposed(block: np.ndarray) -> np.ndarray:
    """Return a C-contiguous copy of ``block.T``, copied in cache-sized blocks of rows."""
    out = np.empty(block.shape[::-1], dtype=block.dtype)
    for row0 in range(0, block.shape[0], _TRANSPOSE_ROWS):
        out[:, row0 : row0 + _TRANSPOSE_ROWS] = block[row0 : row0 + _TRANSPOSE_ROWS].T
    return out


def rle_encode_crop(crop: np.ndarray, top_left_rc: tuple[int, int], shape: tuple[int, int]) -> dict:
    """Return the COCO RLE of an image of ``shape`` that is 0 except for ``crop``.

    ``crop`` (bool, 2-D) sits with its pixel ``[0, 0]`` at ``top_left_rc`` and must fit in
    the image. The cost is O(crop size), not O(image size): this is how one object of a
    large mask is encoded.

    Examples
    --------
    >>> rle_encode_crop(np.ones((1, 2), bool), (1, 1), (2, 3))
    {'size': [2, 3], 'counts': '3110'}

    """
    height, width = (int(n) for n in shape)
    row0, col0 = (int(n) for n in top_left_rc)
    # A zero row above and below the crop: in every column, the vertical changes alternate
    # run start, run end. Reading the change map column by column (a transposed view, no
    # transposed copy: copying a 4096² mask transposed costs ~0.2 s) gives column-major order.
    padded = np.zeros((crop.shape[0] + 2, crop.shape[1]), dtype=bool)
    padded[1:-1] = crop
    column, row = np.nonzero((padded[1:] != padded[:-1]).T)
    image_index = (col0 + column) * height + row0 + row
    starts, ends = image_index[0::2], image_index[1::2]
    starts, ends = _merge_touching_runs(starts, ends)
    counts = np.empty(2 * len(starts) + 1, dtype=np.int64)
    counts[0:-1:2] = starts - np.concatenate(([0], ends[:-1]))
    counts[1::2] = ends - starts
    counts[-1] = height * width - (ends[-1] if len(ends) else 0)
    if len(counts) > 1 and counts[-1] == 0:
        counts = counts[:-1]
    return {"size": [height, width], "counts": _counts_to_string(counts)}


def rle_decode(rle: dict) -> np.ndarray:
    """Return the 2-D bool mask of a COCO RLE (compressed ``str``/``bytes`` or list counts).

    Raises
    ------
    ValueError
        If ``rle`` is malformed, its counts do not add up to ``H * W``, or ``H * W`` exceeds
        `seg_widget.io.limits.MAX_MASK_PIXELS`.

    Examples
    --------
    >>> rle_decode({"size": [2, 3], "counts": [2, 3, 1]}).astype(int)
    array([[0, 1, 1],
           [0, 1, 0]])

    """
    (height, width), counts = rle_counts(rle)
    check_pixels((height, width), what="rle['size']")
    mask = np.zeros((height, width), dtype=bool)
    (row0, col0), crop = rle_crop(counts, height)
    mask[row0 : row0 + crop.shape[0], col0 : col0 + crop.shape[1]] = crop
    return mask


def rle_crop(counts: np.ndarray, height: int) -> tuple[tuple[int, int], np.ndarray]:
    """Return ``(top_left_rc, crop)``: the bool pixels of RLE ``counts`` within their bounding box.

    Cost O(box size + runs), not O(image size): this is how one object is painted into a
    large mask. An empty foreground gives ``((0, 0), an empty (0, 0) array)``.

    Examples
    --------
    >>> rle_crop(np.array([2, 3, 1]), height=2)
    ((0, 1), array([[ True,  True],
           [ True, False]]))

    """
    column, row_start, row_end = rle_segments(counts, height)
    if len(column) == 0:
        return (0, 0), np.zeros((0, 0), dtype=bool)
    return segments_crop(column, row_start, row_end)


def segments_crop(
    column: np.ndarray, row_start: np.ndarray, row_end: np.ndarray
) -> tuple[tuple[int, int], np.ndarray]:
    """Return ``(top_left_rc, crop)`` of non-empty vertical segments (see `rle_segments`).

    O(box size + segments). Segments must not overlap or touch within a column (those of
    one RLE never do).

    Examples
    --------
    >>> segments_crop(np.array([1, 2]), np.array([0, 0]), np.array([2, 1]))
    ((0, 1), array([[ True,  True],
           [ True, False]]))

    """
    top, left = int(row_start.min()), int(column.min())
    # Toggle at each segment's first row and one past its last row, then XOR down the rows.
    # Merged runs never share a toggle position.
    toggles = np.zeros((int(row_end.max()) - top + 1, int(column.max()) - left + 1), dtype=bool)
    toggles[row_start - top, column - left] = True
    toggles[row_end - top, column - left] = True
    for row in range(1, toggles.shape[0] - 1):
        np.logical_xor(toggles[row - 1], toggles[row], out=toggles[row])
    return (top, left), toggles[:-1]


def rle_counts(rle: object, *, argument: str = "rle") -> tuple[tuple[int, int], np.ndarray]:
    """Validate a COCO RLE strictly and return its ``(H, W)`` and its run lengths as int64.

    ``size`` must be two integers (not booleans, strings or fractions); ``counts`` a
    compressed string or a list of integer counts >= 0 adding up to ``H * W``. Errors
    name the field (``rle['counts'][3]``).

    Examples
    --------
    >>> shape, counts = rle_counts({"size": [2, 3], "counts": "231"})
    >>> shape, counts.tolist()
    ((2, 3), [2, 3, 1])
    >>> rle_counts({"size": [2, 3], "counts": [2, True, 3]})
    Traceback (most recent call last):
    ...
    ValueError: rle['counts'][1]: expected an integer count; got True

    """
    if not isinstance(rle, dict) or "size" not in rle or "counts" not in rle:
        raise ValueError(f"{argument}: expected a dict with 'size' and 'counts'; got {rle!r:.80}")
    size = rle["size"]
    if not isinstance(size, (list, tuple)) or len(size) != 2:
        raise ValueError(f"{argument}['size']: expected [height, width]; got {size!r:.80}")
    for index, value in enumerate(size):
        if not _is_count(value):
            raise ValueError(
                f"{argument}['size'][{index}]: expected an integer >= 0; got {value!r:.40}"
            )
    height, width = int(size[0]), int(size[1])
    n_pixels = height * width
    counts = rle["counts"]
    if isinstance(counts, (str, bytes)):
        counts = _string_to_counts(counts, argument=f"{argument}['counts']")
        negative = np.flatnonzero(counts < 0)
        if negative.size:
            raise ValueError(
                f"{argument}['counts']: expected runs >= 0; run {int(negative[0])} decodes to "
                f"{int(counts[negative[0]])}"
            )
    elif isinstance(counts, np.ndarray) and counts.ndim == 1 and counts.dtype.kind in "iu":
        counts = counts.astype(np.int64)
        if counts.size and counts.min() < 0:
            index = int(np.argmax(counts < 0))
            raise ValueError(
                f"{argument}['counts'][{index}]: expected a count >= 0; got {int(counts[index])}"
            )
    elif isinstance(counts, (list, tuple)):
        for index, value in enumerate(counts):
            if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
                raise ValueError(
                    f"{argument}['counts'][{index}]: expected an integer count; got {value!r:.40}"
                )
            if not 0 <= value <= n_pixels:
                raise ValueError(
                    f"{argument}['counts'][{index}]: expected a count in 0..{n_pixels} (the "
                    f"image's pixels); got {value}"
                )
        counts = np.array(counts, dtype=np.int64)
    else:
        raise ValueError(
            f"{argument}['counts']: expected a compressed RLE string or a list of counts; "
            f"got {counts!r:.80}"
        )
    total = int(counts.sum()) if len(counts) else 0
    if len(counts) == 0 or total != n_pixels:
        raise ValueError(
            f"{argument}['counts']: expected runs adding up to {height}*{width} = "
            f"{n_pixels} pixels; got {len(counts)} runs adding up to {total}"
        )
    return (height, width), counts


def rle_segments(counts: np.ndarray, height: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return the foreground of RLE ``counts`` as vertical segments ``(cols, row0s, row1s)``.

    One segment per image column each run of 1s touches: rows ``row0 <= r < row1`` of column
    ``col``. Cost O(runs + segments).

    Examples
    --------
    >>> [a.tolist() for a in rle_segments(np.array([2, 3, 1]), height=2)]
    [[1, 2], [0, 0], [2, 1]]

    """
    ends = np.cumsum(counts)
    starts, ends = ends[0::2][: len(counts) // 2], ends[1::2]
    keep = ends > starts
    starts, ends = _merge_touching_runs(starts[keep], ends[keep])
    first_col, first_row = np.divmod(starts, height)
    last_col, last_row = np.divmod(ends - 1, height)
    n_segments = last_col - first_col + 1
    run = np.repeat(np.arange(len(starts)), n_segments)
    column = np.arange(int(n_segments.sum())) - np.repeat(
        np.cumsum(n_segments) - n_segments, n_segments
    )
    column += first_col[run]
    row_start = np.where(column == first_col[run], first_row[run], 0)
    row_end = np.where(column == last_col[run], last_row[run] + 1, height)
    return column, row_start, row_end


def _merge_touching_runs(starts: np.ndarray, ends: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Join runs of 1s ``[start, end)`` that touch (a run crossing into the next column)."""
    if len(starts) < 2:
        return starts, ends
    separate = starts[1:] != ends[:-1]
    return starts[np.concatenate(([True], separate))], ends[np.concatenate((separate, [True]))]


def _counts_to_string(counts: np.ndarray) -> str:
    """Encode run lengths as pycocotools' compressed string (``rleToString``), vectorised."""
    values = counts.astype(np.int64)
    values[3:] -= counts[1:-2]
    # Groups needed: enough 5-bit groups for the value in two's complement (sign = bit 4),
    # found from its magnitude (|v|, or |v| - 1 = ~v for a negative v).
    magnitude = np.abs(values)
    magnitude -= values < 0
    n_groups = np.ones(len(values), np.uint8)
    groups = 1
    while (more := magnitude >= 1 << (5 * groups - 1)).any():
        n_groups += more
        groups += 1
    # One byte per group, a column per group: bits 0-4 the group, bit 5 "more follow".
    digits = np.empty((len(values), groups), np.uint8)
    for group in range(groups):
        column = ((values >> (5 * group)) & 0x1F).astype(np.uint8)
        if group < groups - 1:
            column |= (n_groups > group + 1).view(np.uint8) << 5
        digits[:, group] = column
    digits += 48
    # Row k of the table marks the first k groups: looking rows up is cheaper than
    # broadcasting a comparison over a few columns.
    table = np.arange(groups) < np.arange(groups + 1)[:, None]
    used = np.take(table, n_groups, axis=0)
    return np.compress(used.reshape(-1), digits.reshape(-1)).tobytes().decode("ascii")


def _string_to_counts(text: str | bytes, *, argument: str) -> np.ndarray:
    """Decode pycocotools' compressed string (``rleFrString``), vectorised."""
    raw = text.encode("ascii", "replace") if isinstance(text, str) else text
    codes = np.frombuffer(raw, dtype=np.uint8).astype(np.int64) - 48
    if codes.size == 0 or codes.min() < 0 or codes.max() > 63:
        raise ValueError(
            f"{argument}: expected a compressed RLE string of characters '0'..'o'; got {text!r:.80}"
        )
    last = (codes & 0x20) == 0
    if not last[-1]:
        raise ValueError(f"{argument}: expected a complete compressed RLE; got a truncated one")
    first = np.flatnonzero(np.concatenate(([True], last[:-1])))
    n_groups = np.diff(np.append(first, len(codes)))
    if n_groups.max() > _MAX_GROUPS:
        raise ValueError(
            f"{argument}: expected numbers of at most {_MAX_GROUPS} characters; "
            f"got one of {n_groups.max()}"
        )
    group = np.arange(len(codes)) - np.repeat(first, n_groups)
    values = np.add.reduceat((codes & 0x1F) << (5 * group), first)
    negative = (codes[last] & 0x10) != 0
    values[negative] -= np.left_shift(1, 5 * n_groups[negative])
    # Undo the differences: counts[i] = values[i] + counts[i - 2] for i > 2.
    counts = values.copy()
    counts[1::2] = np.cumsum(values[1::2])
    counts[2::2] = np.cumsum(values[2::2])
    return counts


def _is_count(value: object) -> bool:
    return isinstance(value, (int, np.integer)) and not isinstance(value, bool) and value >= 0


def _as_binary(mask: object, *, argument: str) -> np.ndarray:
    array = np.asarray(mask)
    if array.dtype.kind not in "biuf" or array.ndim != 2:
        shape = tuple(int(n) for n in array.shape)
        raise ValueError(
            f"{argument}: expected a 2-D bool or numeric array; got {array.dtype} {shape}"
        )
    return array.astype(bool, copy=False)
