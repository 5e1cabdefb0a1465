"""PNG files of integer ids: 8-bit palette PNGs (Pascal VOC style) and 16-bit greyscale PNGs.

A palette PNG stores one byte per pixel, the class id, plus a palette mapping ids to the
class colours, so image viewers show the classes in colour while training code reads the ids
(Pillow's ``P`` mode). Pillow writes palette images without row filters, which is fast. For
16-bit greyscale Pillow tries every row filter, which costs ~0.22 s for a 4096² mask with
200 objects, so `encode_gray16_png` writes the file itself with filter type 0 on every row:
~0.06 s, files ~10% larger (masks are mostly long constant runs, which zlib packs anyway).
"""

from __future__ import annotations

import io
import struct
import zlib
from collections.abc import Sequence

import numpy as np
from PIL import Image, UnidentifiedImageError

from seg_widget.io.limits import check_mask_shape

__all__ = ["COMPRESS_LEVEL", "encode_gray16_png", "encode_palette_png", "read_png_ids"]

#: zlib level for mask PNGs. Measured on a 4096² mask with 200 objects: level 1 and level 3
#: cost the same time (~45 ms for a palette PNG) but level 3 files are ~15% smaller; level 6
#: (Pillow's default) is ~3x slower for a further ~30%.
COMPRESS_LEVEL = 3

_SIGNATURE = b"\x89PNG\r\n\x1a\n"
# Pillow modes that hold ids, as opposed to colours: palette indices, 1/8/16/32-bit grey.
_ID_MODES = frozenset({"P", "L", "1", "I;16", "I;16B", "I;16L", "I;16N", "I"})


def encode_palette_png(
    ids: np.ndarray, colors: Sequence[tuple[int, int, int]], *, compress_level: int = COMPRESS_LEVEL
) -> bytes:
    """Encode a 2-D uint8 array of ids as a palette PNG whose entry ``i`` is ``colors[i]``.

    Every id must be ``< len(colors) <= 256``. With 16 colours or fewer Pillow packs 4, 2 or
    1 bits per pixel; decoding still gives the ids.

    Examples
    --------
    >>> import io
    >>> from PIL import Image
    >>> data = encode_palette_png(np.array([[0, 1]], np.uint8), [(0, 0, 0), (255, 0, 0)])
    >>> image = Image.open(io.BytesIO(data))
    >>> image.mode, np.asarray(image).tolist(), image.convert("RGB").getpixel((1, 0))
    ('P', [[0, 1]], (255, 0, 0))

    """
    if ids.dtype != np.uint8 or ids.ndim != 2:
        raise ValueError(f"ids: expected a 2-D uint8 array; got {ids.dtype} {ids.shape}")
    if not 1 <= len(colors) <= 256:
        raise ValueError(f"colors: expected 1 to 256 colours; got {len(colors)}")
    palette = np.asarray(colors, dtype=np.uint8).reshape(-1, 3)
    image = Image.fromarray(np.ascontiguousarray(ids))
    image.putpalette(palette.tobytes(), rawmode="RGB")
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", compress_level=compress_level)
    return buffer.getvalue()


def encode_gray16_png(ids: np.ndarray, *, compress_level: int = COMPRESS_LEVEL) -> bytes:
    """Encode a 2-D uint16 array as a 16-bit greyscale PNG (big-endian samples, no filter).

    Examples
    --------
    >>> import io
    >>> from PIL import Image
    >>> image = Image.open(io.BytesIO(encode_gray16_png(np.array([[0, 65535]], np.uint16))))
    >>> image.mode, np.asarray(image).tolist()
    ('I;16', [[0, 65535]])

    """
    if ids.dtype != np.uint16 or ids.ndim != 2 or ids.size == 0:
        raise ValueError(f"ids: expected a non-empty 2-D uint16 array; got {ids.dtype} {ids.shape}")
    height, width = ids.shape
    # Each row: filter byte 0, then the samples in network byte order.
    rows = np.zeros((height, 1 + 2 * width), dtype=np.uint8)
    rows[:, 1:].view(">u2")[...] = ids
    compressor = zlib.compressobj(compress_level)
    data = compressor.compress(rows) + compressor.flush()
    header = struct.pack(">IIBBBBB", width, height, 16, 0, 0, 0, 0)
    pieces = [_SIGNATURE]
    for kind, payload in ((b"IHDR", header), (b"IDAT", data), (b"IEND", b"")):
        crc = zlib.crc32(payload, zlib.crc32(kind))
        pieces += [struct.pack(">I", len(payload)), kind, payload, struct.pack(">I", crc)]
    return b"".join(pieces)


def read_png_ids(
    path: str, *, argument: str = "path", shape: tuple[int, int] | None = None
) -> np.ndarray:
    """Return the ids stored in a PNG file: uint8 for palette/8-bit, uint16 for 16-bit grey.

    A palette PNG yields its indices, not its colours; a bilevel PNG yields 0/1. Older
    Pillow versions open 16-bit greyscale PNGs as 32-bit mode ``I``: those values are
    checked to fit in 16 bits and returned as uint16 too. Colour PNGs (RGB, RGBA,
    grey+alpha) are rejected: their pixels are colours, not ids. Pillow's
    decompression-bomb limit applies, and the size in the header must be ``shape`` (or,
    without it, within `seg_widget.io.limits.MAX_MASK_PIXELS`) before anything is decoded.

    Raises
    ------
    ValueError
        Naming ``argument`` and ``path``, if the file is not a PNG, cannot be decoded,
        exceeds the decompression-bomb limit or the expected size, or holds colours.

    """
    try:
        with Image.open(path) as image:
            if image.format != "PNG":
                raise ValueError(
                    f"{argument}: expected a PNG file; got a {image.format} file {path!r}"
                )
            mode = image.mode
            if mode not in _ID_MODES:
                raise ValueError(
                    f"{argument}: expected a PNG of ids (palette 'P', greyscale 'L' or 16-bit "
                    f"greyscale 'I;16'); got mode {mode!r} in {path!r}: a colour mask must "
                    "be converted to class ids first"
                )
            width, height = image.size
            check_mask_shape((height, width), shape, what=f"mask in {path!r}")
            image.load()
            array = np.asarray(image)
    except Image.DecompressionBombError as error:
        raise ValueError(
            f"{argument}: refusing to decode {path!r}: it exceeds Pillow's decompression-bomb "
            f"limit ({error}); if you trust the file, raise PIL.Image.MAX_IMAGE_PIXELS first"
        ) from error
    except (UnidentifiedImageError, OSError, SyntaxError) as error:
        raise ValueError(f"{argument}: cannot decode {path!r} as a PNG: {error}") from error
    if array.dtype == np.bool_:
        return array.astype(np.uint8)
    if array.dtype.itemsize == 1:
        return np.array(array, dtype=np.uint8, order="C")
    if array.dtype.itemsize == 2:
        return np.array(array, dtype=np.uint16, order="C")
    if array.size and (array.min() < 0 or array.max() > np.iinfo(np.uint16).max):
        raise ValueError(
            f"{argument}: expected ids in 0..65535 in {path!r}; got values "
            f"{int(array.min())}..{int(array.max())}"
        )
    return array.astype(np.uint16)
