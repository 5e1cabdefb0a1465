import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from PIL import Image

from seg_widget.core import DEFAULT_PALETTE, LabelClass
from seg_widget.io import (
    MASK_EXTENSIONS,
    load_instance_mask,
    load_mask,
    save_instance_mask,
    save_mask,
)


def _random_mask(n_classes, shape=(13, 17), seed=0):
    rng = np.random.default_rng(seed)
    dtype = np.uint8 if n_classes <= 256 else np.uint16
    return rng.integers(0, n_classes, shape).astype(dtype)


@pytest.mark.parametrize("extension", MASK_EXTENSIONS)
@pytest.mark.parametrize("n_classes", [2, 3, 17, 256, 257, 65536])
def test_round_trip_is_exact_in_every_format(tmp_path, extension, n_classes):
    mask = _random_mask(n_classes)
    path = tmp_path / f"mask{extension}"
    save_mask(path, mask, classes=[f"c{i}" for i in range(n_classes)])
    loaded = load_mask(path)
    assert loaded.dtype == mask.dtype
    assert loaded.flags.c_contiguous
    np.testing.assert_array_equal(loaded, mask)


@settings(max_examples=40, deadline=None)
@given(
    mask=arrays(
        st.sampled_from([np.uint8, np.uint16]),
        st.tuples(st.integers(1, 20), st.integers(1, 20)),
    ),
    extension=st.sampled_from(MASK_EXTENSIONS),
)
def test_any_uint8_or_uint16_mask_round_trips_with_its_dtype(tmp_path_factory, mask, extension):
    path = tmp_path_factory.mktemp("masks") / f"m{extension}"
    save_mask(path, mask)
    loaded = load_mask(path)
    assert loaded.dtype == mask.dtype
    np.testing.assert_array_equal(loaded, mask)


def test_palette_png_holds_the_class_colours_and_loads_as_indices(tmp_path):
    classes = ["background", LabelClass("cat", "#ff8000"), LabelClass("dog", (0, 0, 255))]
    mask = np.array([[0, 1], [2, 1]], np.uint8)
    path = tmp_path / "mask.png"
    save_mask(path, mask, classes=classes)
    with Image.open(path) as image:
        assert image.mode == "P"
        assert image.convert("RGB").getpixel((0, 0)) == (0, 0, 0)
        assert image.convert("RGB").getpixel((1, 0)) == (255, 128, 0)
        assert image.convert("RGB").getpixel((0, 1)) == (0, 0, 255)
    np.testing.assert_array_equal(load_mask(path), mask)


def test_palette_without_classes_uses_the_default_class_colours(tmp_path):
    path = tmp_path / "mask.png"
    save_mask(path, np.array([[0, 1, 25]], np.uint8))
    with Image.open(path) as image:
        colours = [image.convert("RGB").getpixel((x, 0)) for x in range(3)]
    assert colours == [(0, 0, 0), DEFAULT_PALETTE[0], DEFAULT_PALETTE[0]]


def test_more_than_256_classes_gives_a_16_bit_greyscale_png(tmp_path):
    mask = np.array([[0, 300]], np.uint16)
    path = tmp_path / "mask.png"
    save_mask(path, mask, classes=[f"c{i}" for i in range(301)])
    with Image.open(path) as image:
        assert image.mode == "I;16"
    assert load_mask(path).dtype == np.uint16


def test_uint16_mask_without_classes_stays_16_bit_even_with_small_ids(tmp_path):
    path = tmp_path / "mask.png"
    save_mask(path, np.array([[0, 3]], np.uint16))
    with Image.open(path) as image:
        assert image.mode == "I;16"


def test_classes_set_the_stored_dtype(tmp_path):
    path = tmp_path / "mask.npy"
    save_mask(path, np.array([[0, 2]], np.int64), classes=["a", "b", "c"])
    assert load_mask(path).dtype == np.uint8


@pytest.mark.parametrize(("dtype", "expected"), [(bool, np.uint8), (np.int32, np.uint8)])
def test_other_integer_dtypes_are_stored_in_the_smallest_mask_dtype(tmp_path, dtype, expected):
    path = tmp_path / "mask.npz"
    save_mask(path, np.eye(3, dtype=dtype))
    assert load_mask(path).dtype == expected


def test_int64_mask_with_large_ids_becomes_uint16(tmp_path):
    path = tmp_path / "mask.npy"
    save_mask(path, np.array([[0, 1000]], np.int64))
    loaded = load_mask(path)
    assert loaded.dtype == np.uint16
    assert loaded.tolist() == [[0, 1000]]


def test_npz_stores_the_array_under_the_key_mask(tmp_path):
    path = tmp_path / "mask.npz"
    save_mask(path, np.ones((2, 2), np.uint8))
    with np.load(path) as archive:
        assert archive.files == ["mask"]


def test_npz_with_one_array_under_another_name_loads(tmp_path):
    path = tmp_path / "other.npz"
    np.savez(path, np.ones((2, 2), np.uint8))
    assert load_mask(path).tolist() == [[1, 1], [1, 1]]


def test_npz_with_several_arrays_and_no_mask_key_lists_them(tmp_path):
    path = tmp_path / "other.npz"
    np.savez(path, a=np.ones((2, 2)), b=np.ones((2, 2)))
    with pytest.raises(ValueError, match=re.escape("got arrays ['a', 'b']")):
        load_mask(path)


def test_pickled_arrays_are_refused(tmp_path):
    path = tmp_path / "mask.npy"
    np.save(path, np.array([[object()]], dtype=object), allow_pickle=True)
    with pytest.raises(ValueError, match=r"mask\.npy'.*got dtype object \(pickled objects"):
        load_mask(path)


def test_n_classes_checks_ids_and_sets_the_dtype(tmp_path):
    path = tmp_path / "mask.npy"
    np.save(path, np.array([[0, 5]], np.uint16))
    assert load_mask(path, n_classes=6).dtype == np.uint8
    with pytest.raises(ValueError, match=r"mask in .*: expected class ids < 5 .* got maximum 5"):
        load_mask(path, n_classes=5)


def test_saving_ids_beyond_the_classes_is_refused(tmp_path):
    with pytest.raises(ValueError, match="mask: expected class ids < 2"):
        save_mask(tmp_path / "m.png", np.array([[0, 2]]), classes=["a", "b"])


def test_unknown_extension_lists_the_valid_ones(tmp_path):
    expected = "path: expected a file name ending in one of .npy, .npz, .png; got "
    with pytest.raises(ValueError, match=re.escape(expected)):
        save_mask(tmp_path / "mask.tif", np.zeros((2, 2), np.uint8))
    with pytest.raises(ValueError, match=re.escape(expected)):
        load_mask(tmp_path / "mask.jpg")


def test_extension_is_case_insensitive(tmp_path):
    path = tmp_path / "MASK.PNG"
    save_mask(path, np.ones((2, 2), np.uint8))
    assert load_mask(path).tolist() == [[1, 1], [1, 1]]


def test_missing_file_is_a_value_error_naming_it(tmp_path):
    with pytest.raises(ValueError, match=r"path: file not found: .*missing\.png"):
        load_mask(tmp_path / "missing.png")


@pytest.mark.parametrize(
    ("mask", "error", "message"),
    [
        (np.zeros((2, 2), np.float32), TypeError, "mask: expected an integer or bool array"),
        (np.zeros((2, 2, 3), np.uint8), ValueError, r"non-empty 2-D array \(H, W\); got shape"),
        (np.zeros((0, 3), np.uint8), ValueError, "non-empty 2-D array"),
        (np.array([[-1, 0]]), ValueError, "mask: expected ids >= 0; got minimum -1"),
        (np.array([[0, 65536]]), ValueError, "mask: expected ids <= 65535; got maximum 65536"),
    ],
)
def test_bad_masks_are_refused_naming_mask(tmp_path, mask, error, message):
    with pytest.raises(error, match=message):
        save_mask(tmp_path / "m.npy", mask)


def test_rgb_png_is_refused_naming_the_path_and_mode(tmp_path):
    path = tmp_path / "colour.png"
    Image.new("RGB", (4, 3), (255, 0, 0)).save(path)
    with pytest.raises(ValueError, match=r"got mode 'RGB' in .*colour\.png"):
        load_mask(path)


def test_greyscale_8_bit_png_loads_as_ids(tmp_path):
    path = tmp_path / "grey.png"
    Image.fromarray(np.array([[0, 7]], np.uint8)).save(path)
    assert load_mask(path).tolist() == [[0, 7]]


def test_bilevel_png_loads_as_0_and_1(tmp_path):
    path = tmp_path / "bilevel.png"
    Image.fromarray(np.array([[False, True]])).save(path)
    loaded = load_mask(path)
    assert loaded.dtype == np.uint8
    assert loaded.tolist() == [[0, 1]]


def test_non_png_content_with_png_extension_is_refused(tmp_path):
    path = tmp_path / "fake.png"
    Image.new("L", (4, 4)).save(path, format="JPEG")
    with pytest.raises(ValueError, match="expected a PNG file; got a JPEG file"):
        load_mask(path)


def test_corrupt_png_is_a_value_error(tmp_path):
    path = tmp_path / "mask.png"
    save_mask(path, np.zeros((64, 64), np.uint8) + np.eye(64, dtype=np.uint8))
    path.write_bytes(path.read_bytes()[:60])
    with pytest.raises(ValueError, match=r"path: cannot decode .*mask\.png"):
        load_mask(path)


def test_decompression_bomb_limit_stays_on_and_is_a_clear_error(tmp_path, monkeypatch):
    path = tmp_path / "big.png"
    save_mask(path, np.zeros((64, 64), np.uint8))
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 1000)
    with pytest.raises(ValueError, match="exceeds Pillow's decompression-bomb limit"):
        load_mask(path)


def test_instance_mask_round_trips_as_16_bit_png(tmp_path):
    instances = np.random.default_rng(1).integers(0, 65536, (9, 11)).astype(np.uint16)
    path = tmp_path / "instances.png"
    save_instance_mask(path, instances)
    with Image.open(path) as image:
        assert image.mode == "I;16"
    loaded = load_instance_mask(path)
    assert loaded.dtype == np.uint16
    np.testing.assert_array_equal(loaded, instances)


@pytest.mark.parametrize("extension", [".npy", ".npz"])
def test_instance_mask_round_trips_as_arrays(tmp_path, extension):
    instances = np.arange(20, dtype=np.int32).reshape(4, 5) * 100
    path = tmp_path / f"instances{extension}"
    save_instance_mask(path, instances)
    np.testing.assert_array_equal(load_instance_mask(path), instances)


def test_instance_ids_too_large_for_the_format_are_refused(tmp_path):
    with pytest.raises(ValueError, match="instance_mask: expected ids <= 65535"):
        save_instance_mask(tmp_path / "i.png", np.array([[70000]]))
