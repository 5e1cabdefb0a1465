"""Exports from a team store: COCO of a 1,000-image bucket within a measured bound; VOC, YOLO."""

import json
import time

import fsspec
import numpy as np
import pytest

from seg_widget.core.instances import Instance
from seg_widget.io import load_mask
from seg_widget.io.team.codec import encode_mask, encode_objects
from seg_widget.io.team.layout import pointer_key
from seg_widget.io.team.records import encode_record
from tests.widget.team_helpers import CLASSES, annotator, png_bytes, put_images

pytestmark = pytest.mark.filterwarnings(
    "ignore:__array__ implementation doesn't accept a copy keyword:DeprecationWarning"
)

IMAGES = 1000
SIZE = (8, 8)
#: Seconds the COCO export of the 1,000-image store may take, the annotator already open.
#: Measured on the shared 2-core machine under load averages of 5-12: S3 (moto) 3.9-7.0 s
#: (one GET per labelled image, 32 at a time, ~5-10 ms of moto's time each), folder
#: 1.9-3.8 s. Opening the annotator cold (listing, 1,000 image headers, 667 pointers) took
#: 7-17 s on S3 and 0.3-0.9 s on the folder. The bounds leave room for a slower machine.
EXPORT_SECONDS = {"s3": 25.0, "local": 8.0}


def _seed(location, s3_server):
    """1,000 images; 2 in 3 with a current version (a 3x3 square), every 10th with objects."""
    image = png_bytes(0, SIZE)
    mask = np.zeros(SIZE, np.uint8)
    mask[2:5, 2:5] = 1
    instance_map = np.zeros(SIZE, np.uint32)
    instance_map[2:5, 2:4], instance_map[2:5, 4] = 7, 8  # two objects share the square
    objects = encode_objects(mask, instance_map, [Instance(7, 1, "a"), Instance(8, 1, "b")])
    mask_data = encode_mask(mask, CLASSES, ".png")
    found = {}
    for i in range(IMAGES):
        stem = f"img{i:04d}"
        found[f"images/{stem}.png"] = image
        if i % 3 == 0:
            continue
        version = f"versions/{stem}/20260101T000000.000000Z-alice-{i:06x}"
        found[f"masks/{version}.png"] = mask_data
        objects_key = None
        if i % 10 == 1:
            objects_key = f"{version}.objects.npz"
            found[f"masks/{objects_key}"] = objects
        found[f"masks/{pointer_key(stem)}"] = encode_record(
            "current",
            {"mask": f"{version}.png", "objects": objects_key, "annotator": "alice",
             "labelled": True, "previous": None},
        )  # fmt: skip
    base = location.url.rsplit("/", 1)[0]
    if location.kind == "s3":
        bucket = base[len("s3://") :]
        s3_server.seed(bucket, found)
    else:
        fs, root = fsspec.core.url_to_fs(base, auto_mkdir=True)
        fs.pipe({f"{root}/{key}": data for key, data in found.items()})
    with_objects = sum(1 for i in range(IMAGES) if i % 3 and i % 10 == 1)
    return f"{base}/images/*.png", sum(1 for i in range(IMAGES) if i % 3), with_objects


def test_coco_export_of_a_thousand_image_store_within_the_measured_bound(
    location, request, tmp_path
):
    server = request.getfixturevalue("s3_server") if location.kind == "s3" else None
    images, labelled, with_objects = _seed(location, server)
    start = time.perf_counter()
    alice = annotator(location, images, "alice")
    opened = time.perf_counter() - start
    assert len(alice) == IMAGES and alice.labelled_count == labelled
    start = time.perf_counter()
    counts = alice.export_coco(tmp_path / "all.json")
    seconds = time.perf_counter() - start
    print(f"\n{location.kind}: open {opened:.1f} s, COCO export {seconds:.1f} s")
    # One annotation per labelled image; two where the objects split the square.
    assert counts == {"images": IMAGES, "annotations": labelled + with_objects}
    document = json.loads((tmp_path / "all.json").read_text())
    areas = sorted(a["area"] for a in document["annotations"])
    assert areas == [3] * with_objects + [6] * with_objects + [9] * (labelled - with_objects)
    assert seconds < EXPORT_SECONDS[location.kind]


def test_voc_and_yolo_exports_copy_images_out_of_the_store(location, tmp_path):
    images = put_images(location, count=3)
    alice = annotator(location, images, "alice")
    alice.widget.paint_stroke([(5, 5), (5, 15)], label=2, brush_size=3)
    painted = alice.widget.mask.copy()
    alice.next()
    assert alice.export_voc(tmp_path / "voc") == ["img0"]
    np.testing.assert_array_equal(load_mask(tmp_path / "voc/SegmentationClass/img0.png"), painted)
    assert (tmp_path / "voc/JPEGImages/img0.png").read_bytes() == png_bytes(0)
    assert alice.export_yolo(tmp_path / "yolo") == ["img0"]
    assert (tmp_path / "yolo/images/img0.png").read_bytes() == png_bytes(0)
    assert (tmp_path / "yolo/labels/img0.txt").read_text().startswith("1 ")
