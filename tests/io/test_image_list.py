"""Image lists from fsspec URLs: listing, sizes from headers (cached), errors naming the URL."""

import io
import time

import fsspec
import numpy as np
import pytest
from PIL import Image

from seg_widget.io import image_list as image_list_module
from seg_widget.io.image_list import ImageList, ShapeCache, is_url


def _png(shape, seed=0):
    buffer = io.BytesIO()
    rng = np.random.default_rng(seed)
    Image.fromarray(rng.integers(0, 256, (*shape, 3), dtype=np.uint8)).save(buffer, "PNG")
    return buffer.getvalue()


@pytest.fixture
def bucket():
    """A memory:// store: img1, img2, img10 (5x7, 6x8, 7x9), a hidden, a partial, a text file."""
    root = f"memory://images-{time.monotonic_ns()}"
    fs, path = fsspec.core.url_to_fs(root)
    fs.pipe(
        {
            f"{path}/img1.png": _png((5, 7)),
            f"{path}/img2.png": _png((6, 8)),
            f"{path}/img10.png": _png((7, 9)),
            f"{path}/.img3.png": _png((2, 2)),
            f"{path}/img4.png.1a2b.tmp": b"partial",
            f"{path}/notes.txt": b"not an image",
        }
    )
    return root


def test_a_glob_url_lists_images_naturally_with_their_header_sizes(bucket):
    images = ImageList(f"{bucket}/*.png")
    assert [entry.name for entry in images] == ["img1.png", "img2.png", "img10.png"]
    assert [entry.shape for entry in images] == [(5, 7), (6, 8), (7, 9)]
    # fsspec's own spelling of the URL (memory:// paths start at its root "/").
    assert images[0].path == f"memory:///{bucket[len('memory://') :]}/img1.png"
    assert images[0].stem == "img1"
    assert images.load(2).shape == (7, 9, 3)
    with images.open(0) as file:
        assert file.read() == _png((5, 7))


def test_a_folder_url_lists_its_image_files(bucket):
    assert [entry.name for entry in ImageList(bucket)] == ["img1.png", "img2.png", "img10.png"]


def test_a_list_of_urls_keeps_its_order_and_names_find_positions(bucket):
    images = ImageList([f"{bucket}/img10.png", f"{bucket}/img1.png"])
    assert [entry.name for entry in images] == ["img10.png", "img1.png"]
    assert images.position_of("img1.png") == 1
    assert images.position_of(f"{bucket}/img10.png") == 0
    with pytest.raises(ValueError, match="which is not in the dataset"):
        images.position_of(f"{bucket}/img2.png")


def test_sizes_come_from_the_cache_while_the_listing_tag_is_unchanged(bucket, monkeypatch):
    cache = ShapeCache()
    ImageList(f"{bucket}/*.png", shape_cache=cache)
    assert cache.changed and len(cache.entries) == 3
    fs = fsspec.filesystem("memory")
    monkeypatch.setattr(fs, "cat_ranges", lambda *a, **k: pytest.fail("a header was read"))
    again = ImageList(f"{bucket}/*.png", shape_cache=ShapeCache(dict(cache.entries)))
    assert [entry.shape for entry in again] == [(5, 7), (6, 8), (7, 9)]


def test_a_header_beyond_the_first_bytes_reads_the_whole_object(bucket, monkeypatch):
    monkeypatch.setattr(image_list_module, "HEADER_BYTES", 8)  # not even the PNG signature
    assert ImageList(f"{bucket}/img2.png").entries[0].shape == (6, 8)


def test_an_unreadable_image_is_skipped_with_a_warning_naming_it(bucket):
    fs, path = fsspec.core.url_to_fs(bucket)
    fs.pipe(f"{path}/img5.png", b"\x89PNG broken")
    with pytest.warns(UserWarning, match=r"skipping an unreadable image.*img5\.png"):
        images = ImageList(f"{bucket}/*.png")
    (path, reason) = next(iter(images.skipped.items()))
    assert len(images) == 3 and path.endswith("/img5.png")
    assert reason.endswith("as an image: cannot identify image file it")


def test_names_that_match_nothing_or_mix_kinds_are_refused(bucket, tmp_path):
    with pytest.raises(ValueError, match=r"images: expected .* got 'memory://nowhere/a\.png'"):
        ImageList("memory://nowhere/a.png")
    with pytest.raises(ValueError, match="local paths or URLs of one store, not both"):
        ImageList([str(tmp_path / "a.png"), f"{bucket}/img1.png"])
    fs, path = fsspec.core.url_to_fs(bucket)
    fs.pipe(f"{path}/sub/img1.jpg", _png((2, 2)))
    with pytest.raises(ValueError, match="one image per file stem"):
        ImageList([f"{bucket}/img1.png", f"{bucket}/sub/img1.jpg"])


def test_file_urls_are_local_paths(tmp_path):
    (tmp_path / "a.png").write_bytes(_png((3, 4)))
    images = ImageList(f"{tmp_path.as_uri()}/*.png")
    assert not images.remote and images[0].path == str(tmp_path / "a.png")
    assert not is_url(tmp_path.as_uri()) and is_url("s3://bucket/a.png")
