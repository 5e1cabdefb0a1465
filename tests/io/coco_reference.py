"""Slow, literal transcriptions of pycocotools' maskApi.c, to test against without it."""

import numpy as np


def reference_encode_counts(mask):
    """rleEncode: run lengths of the column-major mask, starting with a run of 0s."""
    counts, previous, run = [], 0, 0
    for value in np.asarray(mask, dtype=np.uint8).ravel(order="F"):
        if value != previous:
            counts.append(run)
            run, previous = 0, value
        run += 1
    counts.append(run)
    return counts


def reference_counts_to_string(counts):
    """rleToString."""
    chars = []
    for i, count in enumerate(counts):
        x = count - counts[i - 2] if i > 2 else count
        more = True
        while more:
            c = x & 0x1F
            x >>= 5
            more = x != -1 if c & 0x10 else x != 0
            if more:
                c |= 0x20
            chars.append(chr(c + 48))
    return "".join(chars)


def reference_string_to_counts(text):
    """rleFrString."""
    counts, p = [], 0
    while p < len(text):
        x, k, more = 0, 0, True
        while more:
            c = ord(text[p]) - 48
            x |= (c & 0x1F) << 5 * k
            more = c & 0x20
            p += 1
            k += 1
            if not more and c & 0x10:
                x |= -1 << 5 * k
        if len(counts) > 2:
            x += counts[-2]
        counts.append(x)
    return counts


def reference_decode(size, counts):
    height, width = size
    flat = np.zeros(height * width, dtype=bool)
    position, value = 0, False
    for count in counts:
        flat[position : position + count] = value
        position += count
        value = not value
    return flat.reshape(width, height).T
