import json

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from pycocotools import mask as coco_mask
from pycocotools.coco import COCO
from scipy import ndimage
from skimage.measure import label

from seg_widget.core import LabelClass
from seg_widget.io import (
    coco_annotations,
    coco_categories,
    coco_document,
    coco_image,
    load_coco,
    mask_from_coco,
    rle_decode,
    save_coco,
)

pytestmark = pytest.mark.filterwarnings(
    "ignore:__array__ implementation doesn't accept a copy keyword:DeprecationWarning"
)

CLASSES = ["background", LabelClass("car", parent="vehicle"), "person", "tree"]
class_masks = arrays(
    np.uint8,
    st.tuples(st.integers(1, 20), st.integers(1, 20)),
    elements=st.integers(0, len(CLASSES) - 1),
)


def _has_no_hole(region):
    return np.array_equal(ndimage.binary_fill_holes(region), region)


def test_categories_skip_class_0_and_use_the_parent_as_supercategory():
    assert coco_categories(CLASSES) == [
        {"id": 1, "name": "car", "supercategory": "vehicle"},
        {"id": 2, "name": "person", "supercategory": "person"},
        {"id": 3, "name": "tree", "supercategory": "tree"},
    ]


def test_one_annotation_per_8_connected_region_of_a_class():
    mask = np.array(
        [
            [1, 0, 0, 2],
            [0, 1, 0, 2],
            [0, 0, 0, 0],
            [1, 1, 0, 1],
        ],
        np.uint8,
    )
    annotations = coco_annotations(mask, CLASSES, image_id=5, start_id=10)
    summary = [(a["id"], a["category_id"], a["area"], a["bbox"]) for a in annotations]
    assert summary == [
        (10, 1, 2, [0, 0, 2, 2]),  # diagonal pixels are one region
        (11, 2, 2, [3, 0, 1, 2]),
        (12, 1, 2, [0, 3, 2, 1]),
        (13, 1, 1, [3, 3, 1, 1]),
    ]
    assert all(a["image_id"] == 5 and a["iscrowd"] == 0 for a in annotations)


def test_touching_regions_of_different_classes_are_separate_annotations():
    mask = np.array([[1, 1, 2, 2]], np.uint8)
    assert [a["category_id"] for a in coco_annotations(mask, CLASSES, image_id=1)] == [1, 2]


@settings(max_examples=150, deadline=None)
@given(mask=class_masks)
def test_annotations_are_the_connected_regions_exactly(mask):
    annotations = coco_annotations(mask, CLASSES, image_id=1)
    regions = label(mask, background=0, connectivity=2)
    assert len(annotations) == regions.max()
    for number, annotation in enumerate(annotations, start=1):
        region = regions == number
        np.testing.assert_array_equal(rle_decode(annotation["segmentation"]), region)
        assert annotation["category_id"] == mask[region][0]


@settings(max_examples=150, deadline=None)
@given(mask=class_masks)
def test_area_and_bbox_equal_pycocotools(mask):
    for annotation in coco_annotations(mask, CLASSES, image_id=1):
        rle = {**annotation["segmentation"]}
        rle["counts"] = rle["counts"].encode()
        assert annotation["area"] == coco_mask.area(rle)
        assert annotation["bbox"] == coco_mask.toBbox(rle).tolist()
        np.testing.assert_array_equal(
            coco_mask.decode(rle).astype(bool), rle_decode(annotation["segmentation"])
        )


def test_pycocotools_coco_api_reads_our_document(tmp_path, capsys):
    mask = np.zeros((30, 40), np.uint8)
    mask[2:10, 3:20] = 1
    mask[15:28, 25:38] = 2
    mask[20:25, 5:8] = 3
    document = coco_document(
        [coco_image(7, "a.png", mask.shape)],
        coco_annotations(mask, CLASSES, image_id=7),
        CLASSES,
    )
    path = tmp_path / "coco.json"
    save_coco(path, document)
    coco = COCO(str(path))
    assert coco.getCatIds(supNms=["vehicle"]) == [1]
    rebuilt = np.zeros_like(mask)
    for annotation in coco.loadAnns(coco.getAnnIds(imgIds=[7])):
        rebuilt[coco.annToMask(annotation).astype(bool)] = annotation["category_id"]
    np.testing.assert_array_equal(rebuilt, mask)


@settings(max_examples=150, deadline=None)
@given(mask=class_masks, polygons=st.booleans())
def test_round_trip_mask_to_coco_to_mask_is_exact(tmp_path_factory, mask, polygons):
    regions = label(mask, background=0, connectivity=2)
    if polygons:
        # COCO polygons cannot hold holes: keep only masks whose regions have none.
        assume(all(_has_no_hole(regions == n) for n in range(1, regions.max() + 1)))
    annotations = coco_annotations(mask, CLASSES, image_id="img", polygons=polygons)
    document = coco_document([coco_image("img", "a.png", mask.shape)], annotations, CLASSES)
    path = tmp_path_factory.mktemp("coco") / "coco.json"
    save_coco(path, document)
    class_mask, instance_mask = mask_from_coco(load_coco(path), "img")
    np.testing.assert_array_equal(class_mask, mask)
    assert class_mask.dtype == np.uint8
    np.testing.assert_array_equal(instance_mask, regions)


def test_instances_give_one_annotation_each_in_id_order():
    mask = np.array([[1, 1, 0, 2], [1, 1, 0, 2]], np.uint8)
    instances = np.array([[4, 9, 0, 2], [4, 9, 0, 2]], np.uint16)
    annotations = coco_annotations(mask, CLASSES, instance_mask=instances, image_id=1)
    assert [(a["category_id"], a["bbox"]) for a in annotations] == [
        (2, [3, 0, 1, 2]),
        (1, [0, 0, 1, 2]),
        (1, [1, 0, 1, 2]),
    ]
    class_mask, instance_mask = mask_from_coco(
        {"annotations": annotations}, image_id=1, shape=mask.shape
    )
    np.testing.assert_array_equal(class_mask, mask)
    np.testing.assert_array_equal(instance_mask, [[2, 3, 0, 1], [2, 3, 0, 1]])


def test_instance_ids_need_not_be_connected():
    mask = np.array([[1, 0, 1]], np.uint8)
    instances = np.array([[1, 0, 1]], np.uint8)
    (annotation,) = coco_annotations(mask, CLASSES, instance_mask=instances, image_id=1)
    assert annotation["area"] == 2


def test_labelled_pixels_outside_instances_are_not_exported():
    mask = np.array([[1, 1, 2]], np.uint8)
    instances = np.array([[1, 1, 0]], np.uint8)
    annotations = coco_annotations(mask, CLASSES, instance_mask=instances, image_id=1)
    assert [a["category_id"] for a in annotations] == [1]


@pytest.mark.parametrize(
    "mask", [np.array([[1, 2]], np.uint8), np.array([[1, 0]], np.uint8)], ids=["two", "zero"]
)
def test_instance_over_several_classes_or_unlabelled_pixels_is_refused(mask):
    with pytest.raises(ValueError, match="instance_mask: expected every pixel of an instance"):
        coco_annotations(mask, CLASSES, instance_mask=np.ones((1, 2), np.uint8), image_id=1)


def test_instance_mask_of_another_shape_is_refused():
    with pytest.raises(ValueError, match=r"instance_mask: expected shape \(2, 2\)"):
        coco_annotations(
            np.zeros((2, 2), np.uint8),
            CLASSES,
            instance_mask=np.zeros((2, 3), np.uint8),
            image_id=1,
        )


def test_class_ids_beyond_the_classes_are_refused():
    with pytest.raises(ValueError, match="mask: expected class ids < 4"):
        coco_annotations(np.array([[4]], np.uint8), CLASSES, image_id=1)


def test_bool_image_id_is_refused():
    with pytest.raises(TypeError, match="image_id: expected an int or str; got bool"):
        coco_annotations(np.zeros((1, 1), np.uint8), CLASSES, image_id=True)


def test_polygon_segmentation_is_a_list_of_flat_coordinate_lists():
    mask = np.zeros((4, 4), np.uint8)
    mask[1:3, 1:3] = 2
    (annotation,) = coco_annotations(mask, CLASSES, image_id=1, polygons=True)
    (polygon,) = annotation["segmentation"]
    assert len(polygon) % 2 == 0 and len(polygon) >= 6
    assert annotation["area"] == 4 and annotation["bbox"] == [1, 1, 2, 2]


def test_document_checks_references():
    image = coco_image(1, "a.png", (2, 2))
    annotation = {"id": 1, "image_id": 1, "category_id": 1}
    with pytest.raises(ValueError, match=r"annotations\[0\]\['image_id'\]: expected the id"):
        coco_document([image], [{**annotation, "image_id": 2}], CLASSES)
    with pytest.raises(ValueError, match=r"annotations\[0\]\['category_id'\]: expected a class"):
        coco_document([image], [{**annotation, "category_id": 9}], CLASSES)
    with pytest.raises(ValueError, match=r"images\[1\]\['id'\]: expected a unique id"):
        coco_document([image, image], [], CLASSES)
    with pytest.raises(ValueError, match=r"images\[0\]: expected keys .* missing \['width'\]"):
        coco_document([{"id": 1, "file_name": "a", "height": 2}], [], CLASSES)


def test_save_coco_writes_numpy_numbers_as_plain_json(tmp_path):
    path = tmp_path / "coco.json"
    save_coco(path, {"images": [{"id": np.int64(3), "score": np.float32(0.5)}]})
    assert json.loads(path.read_text()) == {"images": [{"id": 3, "score": 0.5}]}
