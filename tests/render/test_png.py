import io
import struct
import zlib

import numpy as np
import pytest
from PIL import Image

from seg_widget.render.png import encode_png

LAYOUTS = {"L": (), "RGB": (3,), "RGBA": (4,)}


def _random_image(height: int, width: int, mode: str, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return rng.integers(0, 256, (height, width, *LAYOUTS[mode]), dtype=np.uint8)


def _decode(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


def _chunks(data: bytes) -> list[tuple[bytes, bytes, int]]:
    """Split a PNG into (type, payload, stored crc) triples."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    chunks, position = [], 8
    while position < len(data):
        (length,) = struct.unpack(">I", data[position : position + 4])
        kind = data[position + 4 : position + 8]
        payload = data[position + 8 : position + 8 + length]
        (crc,) = struct.unpack(">I", data[position + 8 + length : position + 12 + length])
        chunks.append((kind, payload, crc))
        position += 12 + length
    return chunks


@pytest.mark.parametrize("compress_level", [0, 1])
@pytest.mark.parametrize("shape", [(1, 1), (3, 7), (7, 3), (33, 64)])
@pytest.mark.parametrize("mode", ["L", "RGB", "RGBA"])
def test_pillow_decodes_png_bit_exactly(mode, shape, compress_level):
    array = _random_image(*shape, mode)
    decoded = _decode(encode_png(array, compress_level=compress_level))
    assert decoded.mode == mode
    assert decoded.size == (shape[1], shape[0])
    np.testing.assert_array_equal(np.asarray(decoded), array)


@pytest.mark.parametrize("mode", ["L", "RGB", "RGBA"])
def test_non_contiguous_input_is_encoded_by_value(mode):
    big = _random_image(20, 30, mode, seed=1)
    view = big[3:15:2, 28:5:-3]
    np.testing.assert_array_equal(np.asarray(_decode(encode_png(view))), view)


def test_png_has_valid_crcs_and_a_single_idat():
    data = encode_png(_random_image(5, 4, "RGBA"))
    chunks = _chunks(data)
    assert [kind for kind, _, _ in chunks] == [b"IHDR", b"IDAT", b"IEND"]
    for kind, payload, crc in chunks:
        assert zlib.crc32(kind + payload) == crc


def test_ihdr_declares_8_bit_colour_type_of_layout():
    for mode, colour_type in (("L", 0), ("RGB", 2), ("RGBA", 6)):
        _, ihdr, _ = _chunks(encode_png(_random_image(5, 4, mode)))[0]
        assert struct.unpack(">IIBBBBB", ihdr) == (4, 5, 8, colour_type, 0, 0, 0)


def test_every_scanline_uses_filter_type_zero():
    array = _random_image(6, 5, "RGB")
    _, idat, _ = _chunks(encode_png(array))[1]
    raw = np.frombuffer(zlib.decompress(idat), dtype=np.uint8).reshape(6, 1 + 5 * 3)
    assert np.all(raw[:, 0] == 0)
    np.testing.assert_array_equal(raw[:, 1:], array.reshape(6, 15))


def test_level_zero_stores_and_level_one_compresses():
    array = np.zeros((64, 64, 3), dtype=np.uint8)
    raw_size = 64 * (1 + 64 * 3)
    assert len(encode_png(array, compress_level=0)) > raw_size
    assert len(encode_png(array, compress_level=1)) < raw_size // 10


@pytest.mark.parametrize("dtype", [np.uint16, np.float32, np.int8, np.bool_])
def test_non_uint8_dtype_is_a_type_error(dtype):
    with pytest.raises(TypeError, match=r"array: expected dtype uint8, got"):
        encode_png(np.zeros((2, 2), dtype=dtype))


def test_non_array_is_a_type_error():
    with pytest.raises(TypeError, match=r"array: expected a numpy\.ndarray, got list"):
        encode_png([[0, 1]])


@pytest.mark.parametrize("shape", [(4,), (2, 2, 2), (2, 2, 5), (2, 2, 3, 1)])
def test_unsupported_shape_is_a_value_error(shape):
    with pytest.raises(ValueError, match=r"array: expected shape \(H, W\)"):
        encode_png(np.zeros(shape, dtype=np.uint8))


@pytest.mark.parametrize("shape", [(0, 3), (3, 0, 4)])
def test_empty_image_is_a_value_error(shape):
    with pytest.raises(ValueError, match="array: expected at least one row and one column"):
        encode_png(np.zeros(shape, dtype=np.uint8))


@pytest.mark.parametrize("level", [-1, 10])
def test_out_of_range_compress_level_is_a_value_error(level):
    expected = rf"compress_level: expected an int in \[0, 9\], got {level}"
    with pytest.raises(ValueError, match=expected):
        encode_png(np.zeros((1, 1), dtype=np.uint8), compress_level=level)


@pytest.mark.parametrize("level", [1.0, "1", True])
def test_non_int_compress_level_is_a_type_error(level):
    with pytest.raises(TypeError, match="compress_level: expected an int"):
        encode_png(np.zeros((1, 1), dtype=np.uint8), compress_level=level)
