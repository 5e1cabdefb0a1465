"""One annotator, masks in a bucket (no ``annotator=``): the masks-folder layout on a store."""

import time

import fsspec
import numpy as np
import pytest

import seg_widget as sw
from seg_widget.io import ConflictError
from seg_widget.io.storage import open_store
from tests.widget.team_helpers import CLASSES, SHAPE, VIEW, put_images

pytestmark = pytest.mark.filterwarnings(
    "ignore:__array__ implementation doesn't accept a copy keyword:DeprecationWarning"
)


@pytest.fixture(params=["s3", "memory"])
def bucket(request):
    """An S3 bucket (conditional writes) or a memory:// store (none, like gs://)."""
    if request.param == "s3":
        return request.getfixturevalue("s3_location")
    from tests.conftest import Location

    return Location("memory", f"memory://solo-{time.monotonic_ns()}/masks")


def _solo(bucket, images, **kwargs):
    return sw.DatasetAnnotator(
        images, bucket.url, CLASSES, storage_options=bucket.options or None, **{**VIEW, **kwargs}
    )


def test_masks_in_a_bucket_are_saved_as_in_a_folder_and_come_back(bucket):
    images = put_images(bucket)
    solo = _solo(bucket, images)
    solo.widget.paint_stroke([(3, 3), (3, 20)], label=1, brush_size=3)
    solo.widget.new_instance(2, name="speck")
    solo.widget.paint_stroke([(15, 15)], brush_size=3)
    painted, objects = solo.widget.mask.copy(), solo.widget.instances
    assert solo.next() is True and solo.labelled_count == 1
    store = open_store(bucket.url, **bucket.options)
    keys = [stat.key for stat in store.list()]
    assert "img0.png" in keys and any(key.startswith("objects/img0.") for key in keys)
    again = _solo(bucket, images)
    assert again.index == 1 and again.labelled_count == 1  # resumed; count from the cache
    again.go_to(0)
    np.testing.assert_array_equal(again.widget.mask, painted)
    assert again.widget.instances == objects
    assert again.mask_path == f"{bucket.url}/img0.png"


def test_a_mask_saved_meanwhile_is_a_conflict_and_beside_keeps_both(bucket):
    images = put_images(bucket, count=2)
    mine, theirs = _solo(bucket, images), _solo(bucket, images)
    theirs.widget.paint_stroke([(2, 2)], label=2)
    theirs.save()
    mine.widget.paint_stroke([(8, 8)], label=1)
    with pytest.raises(ConflictError, match=r"img0\.png' appeared since this image was opened"):
        mine.save()
    assert mine.save(beside=True) is True
    store = open_store(bucket.url, **bucket.options)
    (beside,) = [stat.key for stat in store.list("conflicts/")]
    assert beside.startswith("conflicts/img0.") and beside.endswith(".png")
    assert mine.save(overwrite=True) is False  # nothing new since the save beside
    mine.widget.paint_stroke([(9, 9)], label=1)
    assert mine.save(overwrite=True) is True
    assert _solo(bucket, images).labelled_count == 1


def test_remote_images_with_a_local_masks_folder_read_each_header_once(
    s3_location, tmp_path, monkeypatch
):
    images = put_images(s3_location, count=3)
    options = s3_location.options
    first = sw.DatasetAnnotator(images, tmp_path / "masks", CLASSES, storage_options=options)
    assert first.images[0].endswith("/images/img0.png") and first.widget.mask.shape == SHAPE

    def no_headers(*args, **kwargs):
        raise AssertionError("a header was read again")

    monkeypatch.setattr(fsspec.get_filesystem_class("s3"), "cat_ranges", no_headers)
    again = sw.DatasetAnnotator(images, tmp_path / "masks", CLASSES, storage_options=options)
    assert len(again) == 3


def test_an_unreadable_image_in_a_bucket_is_skipped_with_a_warning(s3_location, tmp_path):
    images = put_images(s3_location, count=2)
    fs, root = fsspec.core.url_to_fs(images.rsplit("/", 1)[0], **s3_location.options)
    fs.pipe(f"{root}/img1b.png", b"not a png at all")
    with pytest.warns(UserWarning, match=r"skipping an unreadable image.*img1b\.png"):
        solo = sw.DatasetAnnotator(
            images, tmp_path / "masks", CLASSES, storage_options=s3_location.options
        )
    assert len(solo) == 2 and any(path.endswith("img1b.png") for path in solo.skipped)
    assert solo.widget.mask.shape == SHAPE


def test_a_local_folder_exports_a_yolo_dataset_too(tmp_path):
    from tests.widget.team_helpers import png_bytes

    (tmp_path / "images").mkdir()
    (tmp_path / "images" / "a.png").write_bytes(png_bytes(3))
    solo = sw.DatasetAnnotator(tmp_path / "images", tmp_path / "masks", CLASSES, **VIEW)
    solo.widget.paint_stroke([(5, 5), (5, 15)], label=1, brush_size=3)
    assert solo.export_yolo(tmp_path / "yolo") == ["a"]
    assert (tmp_path / "yolo" / "images" / "a.png").read_bytes() == png_bytes(3)
    assert (tmp_path / "yolo" / "labels" / "a.txt").read_text().startswith("0 ")
