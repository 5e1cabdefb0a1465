import re
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from seg_widget.core import load_image


def test_array_is_copied_not_aliased():
    source = np.arange(12, dtype=np.uint8).reshape(3, 4)
    image = load_image(source)
    assert not np.shares_memory(image, source)
    image[0, 0] = 99
    assert source[0, 0] == 0
    assert image.flags.writeable


@pytest.mark.parametrize(
    "dtype", [np.bool_, np.uint8, np.int16, np.uint16, np.int64, np.float16, np.float64]
)
def test_array_dtype_and_values_are_kept(dtype):
    source = (np.arange(12).reshape(3, 4) % 2).astype(dtype)
    image = load_image(source)
    assert image.dtype == np.dtype(dtype)
    np.testing.assert_array_equal(image, source)


def test_single_channel_is_squeezed():
    image = load_image(np.ones((3, 4, 1), np.uint16))
    assert image.shape == (3, 4)


@pytest.mark.parametrize("channels", [3, 4])
def test_colour_arrays_keep_their_channels(channels):
    assert load_image(np.zeros((3, 4, channels), np.uint8)).shape == (3, 4, channels)


def test_strided_array_becomes_c_contiguous():
    source = np.arange(60, dtype=np.float32).reshape(6, 10)[::2, ::3]
    image = load_image(source)
    assert image.flags.c_contiguous
    np.testing.assert_array_equal(image, source)


def test_big_endian_array_becomes_native_with_the_same_values():
    source = np.array([[1, 258], [65535, 0]], dtype=">u2")
    image = load_image(source)
    assert image.dtype == np.dtype("=u2")
    np.testing.assert_array_equal(image, [[1, 258], [65535, 0]])


def test_unsupported_type_is_a_type_error():
    expected = "image: expected a numpy array, a file path or a PIL.Image; got list"
    with pytest.raises(TypeError, match=f"^{re.escape(expected)}$"):
        load_image([[1, 2], [3, 4]])


def test_wrong_number_of_dimensions_is_reported_with_the_shape():
    expected = "image: expected shape (H, W), (H, W, 3) or (H, W, 4); got (2, 3, 4, 5, 6)"
    with pytest.raises(ValueError, match=f"^{re.escape(expected)}$"):
        load_image(np.zeros((2, 3, 4, 5, 6)))


def test_two_channels_are_rejected():
    with pytest.raises(ValueError, match=re.escape("got (4, 4, 2)")):
        load_image(np.zeros((4, 4, 2)))


def test_zero_size_image_is_rejected():
    with pytest.raises(
        ValueError, match=re.escape("image: expected a non-empty image; got shape (0, 5)")
    ):
        load_image(np.zeros((0, 5)))


@pytest.mark.parametrize("dtype", [np.complex128, object, "U3"])
def test_non_numeric_dtypes_are_rejected(dtype):
    with pytest.raises(ValueError, match=r"^image: expected a bool, integer or float dtype; got "):
        load_image(np.zeros((2, 2), dtype=dtype))


def _save(path: Path, image: Image.Image, **kwargs) -> Path:
    image.save(path, **kwargs)
    return path


def test_grey_png_file_loads_as_uint8(tmp_path):
    source = np.arange(6, dtype=np.uint8).reshape(2, 3)
    image = load_image(_save(tmp_path / "g.png", Image.fromarray(source)))
    assert image.dtype == np.uint8
    np.testing.assert_array_equal(image, source)


def test_16_bit_png_keeps_its_values(tmp_path):
    source = np.array([[0, 1000], [65535, 7]], dtype=np.uint16)
    image = load_image(str(_save(tmp_path / "g16.png", Image.fromarray(source))))
    assert image.dtype == np.uint16
    np.testing.assert_array_equal(image, source)


def test_float_tiff_loads_as_float32(tmp_path):
    source = np.array([[0.25, -1.5], [1e6, 0.0]], dtype=np.float32)
    image = load_image(_save(tmp_path / "f.tif", Image.fromarray(source)))
    assert image.dtype == np.float32
    np.testing.assert_array_equal(image, source)


def test_rgba_png_keeps_alpha(tmp_path):
    source = np.array([[[1, 2, 3, 4], [5, 6, 7, 8]]], dtype=np.uint8)
    image = load_image(_save(tmp_path / "c.png", Image.fromarray(source)))
    np.testing.assert_array_equal(image, source)


def test_palette_image_without_transparency_becomes_rgb(tmp_path):
    palette_image = Image.new("P", (2, 1))
    palette_image.putpalette([10, 20, 30, 40, 50, 60])
    palette_image.putpixel((1, 0), 1)
    image = load_image(_save(tmp_path / "p.png", palette_image))
    np.testing.assert_array_equal(image, [[[10, 20, 30], [40, 50, 60]]])


def test_palette_image_with_transparency_becomes_rgba(tmp_path):
    palette_image = Image.new("P", (2, 1))
    palette_image.putpalette([10, 20, 30, 40, 50, 60])
    palette_image.putpixel((1, 0), 1)
    image = load_image(_save(tmp_path / "pt.png", palette_image, transparency=0))
    np.testing.assert_array_equal(image, [[[10, 20, 30, 0], [40, 50, 60, 255]]])


def test_grey_with_alpha_becomes_rgba(tmp_path):
    image = load_image(_save(tmp_path / "la.png", Image.new("LA", (1, 1), (100, 50))))
    np.testing.assert_array_equal(image, [[[100, 100, 100, 50]]])


def test_bilevel_image_becomes_grey_0_or_255():
    bilevel = Image.new("1", (2, 1))
    bilevel.putpixel((1, 0), 1)
    image = load_image(bilevel)
    assert image.dtype == np.uint8
    np.testing.assert_array_equal(image, [[0, 255]])


def test_cmyk_image_becomes_rgb():
    image = load_image(Image.new("CMYK", (2, 2), (0, 0, 0, 0)))
    assert image.shape == (2, 2, 3)
    np.testing.assert_array_equal(image, 255)


def test_pil_image_result_is_writeable_and_independent():
    pil = Image.new("L", (3, 2), 7)
    image = load_image(pil)
    image[0, 0] = 0
    assert pil.getpixel((0, 0)) == 7


def test_missing_file_is_a_value_error_naming_the_path(tmp_path):
    path = str(tmp_path / "x.png")
    with pytest.raises(ValueError, match=f"^{re.escape(f'image: file not found: {path!r}')}$"):
        load_image(path)


def test_directory_is_rejected(tmp_path):
    with pytest.raises(ValueError, match="image: expected an image file; got the directory"):
        load_image(tmp_path)


def test_undecodable_file_is_a_value_error(tmp_path):
    path = tmp_path / "junk.png"
    path.write_bytes(b"this is not an image")
    with pytest.raises(
        ValueError, match=re.escape(f"image: cannot decode {str(path)!r} as an image")
    ):
        load_image(path)


def test_truncated_file_is_a_value_error(tmp_path):
    path = _save(
        tmp_path / "t.png",
        Image.fromarray(np.random.default_rng(0).integers(0, 255, (64, 64), np.uint8)),
    )
    path.write_bytes(path.read_bytes()[:200])
    with pytest.raises(ValueError, match="image: cannot decode"):
        load_image(path)


def test_decompression_bomb_protection_stays_on(tmp_path, monkeypatch):
    path = _save(tmp_path / "big.png", Image.new("L", (20, 20)))
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 100)
    with pytest.raises(ValueError, match=r"image: refusing to decode .*decompression-bomb limit"):
        load_image(path)
