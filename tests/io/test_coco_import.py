import json
import re

import numpy as np
import pytest
from pycocotools import mask as coco_mask

from seg_widget.io import decode_coco_image, load_coco, mask_from_coco, rle_encode

pytestmark = pytest.mark.filterwarnings(
    "ignore:__array__ implementation doesn't accept a copy keyword:DeprecationWarning"
)

# COCO coordinates: contains the centres (x + 0.5, y + 0.5) of pixels [0:2, 0:2] only.
SQUARE = [0.2, 0.2, 1.8, 0.2, 1.8, 1.8, 0.2, 1.8]


def _document(*annotations, categories=None, images=None):
    return {
        "images": images if images is not None else [{"id": 1, "height": 3, "width": 4}],
        "annotations": [{"image_id": 1, **a} for a in annotations],
        "categories": categories or [],
    }


def test_a_polygon_square_paints_its_pixels_and_one_instance():
    class_mask, instance_mask = mask_from_coco(
        _document({"category_id": 2, "segmentation": [SQUARE]}), 1
    )
    assert class_mask.tolist() == [[2, 2, 0, 0], [2, 2, 0, 0], [0, 0, 0, 0]]
    assert instance_mask.dtype == np.uint16
    assert instance_mask.tolist() == [[1, 1, 0, 0], [1, 1, 0, 0], [0, 0, 0, 0]]


def test_later_annotations_are_painted_over_earlier_ones():
    whole = rle_encode(np.ones((3, 4), bool))
    class_mask, instance_mask = mask_from_coco(
        _document(
            {"category_id": 1, "segmentation": whole},
            {"category_id": 3, "segmentation": [SQUARE]},
        ),
        1,
    )
    assert class_mask.tolist() == [[3, 3, 1, 1], [3, 3, 1, 1], [1, 1, 1, 1]]
    assert instance_mask.tolist() == [[2, 2, 1, 1], [2, 2, 1, 1], [1, 1, 1, 1]]


def test_several_polygons_in_one_annotation_are_united():
    around_pixel_2_3 = [3.2, 2.2, 3.8, 2.2, 3.8, 2.8, 3.2, 2.8]
    class_mask, _ = mask_from_coco(
        _document({"category_id": 1, "segmentation": [SQUARE, around_pixel_2_3]}), 1
    )
    assert class_mask.tolist() == [[1, 1, 0, 0], [1, 1, 0, 0], [0, 0, 0, 1]]


def test_polygons_decode_as_pycocotools_decodes_them_not_by_pixel_centres():
    on_centres = [0.5, 0.5, 2.5, 0.5, 2.5, 2.5, 0.5, 2.5]
    class_mask, _ = mask_from_coco(_document({"category_id": 1, "segmentation": [on_centres]}), 1)
    expected = coco_mask.decode(coco_mask.frPyObjects([on_centres], 3, 4)[0])
    np.testing.assert_array_equal(class_mask, expected)
    # The pixel-centre rule of our own tools would also take row 0 and column 0.
    assert class_mask.tolist() == [[0, 0, 0, 0], [0, 1, 1, 0], [0, 1, 1, 0]]


def test_random_polygons_decode_exactly_as_pycocotools_annotation_masks():
    rng = np.random.default_rng(18)
    for _ in range(300):
        height, width = (int(n) for n in rng.integers(4, 40, 2))
        n_points = int(rng.integers(3, 12))
        x, y = rng.uniform(-2, width + 2, n_points), rng.uniform(-2, height + 2, n_points)
        polygon = np.column_stack([x, y]).ravel().tolist()
        document = _document(
            {"category_id": 1, "segmentation": [polygon]},
            images=[{"id": 1, "height": height, "width": width}],
        )
        class_mask, _ = mask_from_coco(document, 1)
        expected = coco_mask.decode(
            coco_mask.merge(coco_mask.frPyObjects([polygon], height, width))
        )
        np.testing.assert_array_equal(class_mask, expected)


def test_uncompressed_crowd_rle_is_painted():
    segmentation = {"size": [3, 4], "counts": [3, 3, 6]}  # column-major: column 1 is set
    class_mask, _ = mask_from_coco(
        _document({"category_id": 1, "segmentation": segmentation, "iscrowd": 1}), 1
    )
    assert class_mask.T.ravel().tolist() == [0, 0, 0, 1, 1, 1, 0, 0, 0, 0, 0, 0]


def test_only_the_requested_image_is_painted():
    document = _document({"category_id": 1, "segmentation": [SQUARE]})
    document["annotations"].append({"image_id": 2, "category_id": 3, "segmentation": [SQUARE]})
    document["images"].append({"id": 2, "height": 3, "width": 4})
    class_mask, _ = mask_from_coco(document, 1)
    assert set(np.unique(class_mask).tolist()) == {0, 1}


def test_categories_map_to_classes_by_name():
    document = _document(
        {"category_id": 18, "segmentation": [SQUARE]},
        categories=[{"id": 18, "name": "dog"}, {"id": 1, "name": "person"}],
    )
    class_mask, _ = mask_from_coco(document, 1, classes=["background", "person", "dog"])
    assert class_mask.max() == 2
    assert class_mask.dtype == np.uint8


def test_without_classes_the_dtype_fits_the_largest_category_id():
    document = _document({"category_id": 300, "segmentation": [SQUARE]})
    class_mask, _ = mask_from_coco(document, 1)
    assert class_mask.dtype == np.uint16
    assert class_mask.max() == 300


def test_a_used_category_that_is_not_a_class_is_refused_naming_it():
    document = _document(
        {"category_id": 5, "segmentation": [SQUARE]}, categories=[{"id": 5, "name": "zebra"}]
    )
    with pytest.raises(ValueError, match=r"got category 5 named 'zebra'"):
        mask_from_coco(document, 1, classes=["background", "horse"])


def test_annotation_with_unknown_category_is_refused_naming_it():
    document = _document({"category_id": 7, "segmentation": [SQUARE]})
    with pytest.raises(ValueError, match=re.escape("document['annotations'][0]['category_id']")):
        mask_from_coco(document, 1, classes=["background", "horse"])


def test_shape_is_taken_from_the_image_entry_or_given():
    document = _document({"category_id": 1, "segmentation": [SQUARE]}, images=[])
    with pytest.raises(ValueError, match="image_id: expected the id of an image"):
        mask_from_coco(document, 1)
    assert mask_from_coco(document, 1, shape=(5, 6))[0].shape == (5, 6)


def test_mismatching_sizes_are_an_error_naming_both():
    document = _document()
    expected = "expected the image's size, 3 x 4 (width x height); got 4 x 3 (width x height)"
    with pytest.raises(ValueError, match=re.escape(expected)):
        mask_from_coco(document, 1, shape=(4, 3))


def test_rle_of_another_size_is_refused():
    document = _document({"category_id": 1, "segmentation": rle_encode(np.ones((4, 3), bool))})
    with pytest.raises(ValueError, match=re.escape("['segmentation']['size']: expected [3, 4]")):
        mask_from_coco(document, 1)


def test_malformed_segmentation_is_refused_naming_the_annotation():
    document = _document({"category_id": 1, "segmentation": "nope"})
    with pytest.raises(ValueError, match=re.escape("document['annotations'][0]['segmentation']")):
        mask_from_coco(document, 1)


def test_load_coco_reads_a_file_and_refuses_non_coco_json(tmp_path):
    path = tmp_path / "coco.json"
    path.write_text(json.dumps(_document()), encoding="utf-8")
    assert load_coco(path)["images"][0]["id"] == 1
    path.write_text("[]", encoding="utf-8")
    with pytest.raises(ValueError, match="expected a COCO document with an 'annotations' list"):
        load_coco(path)
    with pytest.raises(ValueError, match="path: file not found"):
        load_coco(tmp_path / "missing.json")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            {"images": [{"id": 1, "height": 3.5, "width": 4}]},
            "['images'][0]['height']: expected a positive integer; got 3.5",
        ),
        (
            {"images": [{"id": 1, "height": 3, "width": "4"}]},
            "['images'][0]['width']: expected a positive integer; got '4'",
        ),
        (
            {"images": [{"id": 1, "height": True, "width": 4}]},
            "['images'][0]['height']: expected a positive integer; got True",
        ),
        (
            {"annotations": [{"image_id": 1, "category_id": "1", "segmentation": [SQUARE]}]},
            "['annotations'][0]['category_id']: expected an integer id; got '1'",
        ),
        (
            {"annotations": [{"image_id": 1, "category_id": 9, "segmentation": [SQUARE]}]},
            "['category_id']: expected the id of one of document['categories'] ([1]); got 9",
        ),
        (
            {"annotations": [{"image_id": True, "category_id": 1, "segmentation": [SQUARE]}]},
            "['annotations'][0]['image_id']: expected an int or str; got True",
        ),
        (
            {
                "annotations": [
                    {
                        "image_id": 1,
                        "category_id": 1,
                        "segmentation": {"size": [3, 4], "counts": [2, True, 9]},
                    }
                ]
            },
            "['segmentation']['counts'][1]: expected an integer count; got True",
        ),
        (
            {
                "annotations": [
                    {
                        "image_id": 1,
                        "category_id": 1,
                        "segmentation": {"size": [3, 4], "counts": [2, -3, 13]},
                    }
                ]
            },
            "['segmentation']['counts'][1]: expected a count in 0..12 (the image's pixels); got -3",
        ),
        (
            {
                "annotations": [
                    {
                        "image_id": 1,
                        "category_id": 1,
                        "segmentation": {"size": [3.0, 4], "counts": [12]},
                    }
                ]
            },
            "['segmentation']['size'][0]: expected an integer >= 0; got 3.0",
        ),
        (
            {
                "annotations": [
                    {"image_id": 1, "category_id": 1, "segmentation": [[0, 0, True, 1, 2, 2]]}
                ]
            },
            "['segmentation'][0][2]: expected a number; got bool True",
        ),
        (
            {"annotations": [{"image_id": 1, "category_id": 1, "segmentation": [[0, 0, 1, 1]]}]},
            "['segmentation'][0]: expected a flat list [x0, y0, x1, y1, ...] of at least 3 points",
        ),
        (
            {
                "annotations": [
                    {"image_id": 1, "category_id": 1, "segmentation": [[0, 0, 1e9, 1, 2, 2]]}
                ]
            },
            "['segmentation'][0]: expected vertices within one image size of the 4 x 3 image",
        ),
        (
            {"categories": [{"id": 1, "name": "cat"}, {"id": 1, "name": "dog"}]},
            "['categories'][1]['id']: expected a unique id; got 1 again",
        ),
        (
            {"categories": [{"id": 1.0, "name": "cat"}]},
            "['categories'][0]['id']: expected an integer id; got 1.0",
        ),
    ],
)
def test_coco_fields_are_validated_strictly_naming_the_field(change, message):
    document = _document(
        {"category_id": 1, "segmentation": [SQUARE]}, categories=[{"id": 1, "name": "cat"}]
    )
    document.update(change)
    with pytest.raises(ValueError, match=re.escape(message)):
        mask_from_coco(document, 1)


def test_one_extra_category_from_another_tool_still_maps_by_name():
    document = _document(
        {"category_id": 1, "segmentation": [SQUARE]},
        {"category_id": 2, "segmentation": [[3.2, 2.2, 3.8, 2.2, 3.8, 2.8, 3.2, 2.8]]},
        categories=[
            {"id": 1, "name": "dog"},
            {"id": 2, "name": "cat"},
            {"id": 3, "name": "truck"},  # a category no annotation of this image uses
        ],
    )
    decoded = decode_coco_image(document, 1, classes=["unlabelled", "cat", "dog"])
    assert decoded.category_rule == "name"
    assert decoded.class_mask[0, 0] == 2 and decoded.class_mask[2, 3] == 1  # dog, cat


def test_a_used_category_matching_no_class_is_refused_in_auto_mode_naming_it():
    document = _document(
        {"category_id": 3, "segmentation": [SQUARE]},
        categories=[{"id": 1, "name": "dog"}, {"id": 3, "name": "truck"}],
    )
    with pytest.raises(ValueError, match=r"'truck' \(id 3\) match no class .*categories='id'"):
        decode_coco_image(document, 1, classes=["unlabelled", "cat", "dog", "bird"])
    decoded = decode_coco_image(
        document, 1, classes=["unlabelled", "cat", "dog", "bird"], categories="id"
    )
    assert decoded.category_rule == "id" and decoded.class_mask.max() == 3


def test_without_categories_the_ids_are_used_with_a_warning_saying_so():
    document = _document({"category_id": 2, "segmentation": [SQUARE]})
    with pytest.warns(UserWarning, match=r"mapped by id \(category id = class id\)"):
        decoded = decode_coco_image(document, 1, classes=["unlabelled", "cat", "dog"])
    assert decoded.category_rule == "id" and decoded.class_mask.max() == 2


def test_a_category_named_like_class_0_is_refused():
    document = _document(
        {"category_id": 4, "segmentation": [SQUARE]}, categories=[{"id": 4, "name": "unlabelled"}]
    )
    with pytest.raises(ValueError, match=r"other than 'unlabelled' \(class 0, unlabelled\)"):
        decode_coco_image(document, 1, classes=["unlabelled", "cat"])


def test_image_ids_of_another_type_are_other_images():
    document = _document({"category_id": 1, "segmentation": [SQUARE]})
    document["annotations"][0]["image_id"] = "1"
    class_mask, _ = mask_from_coco(document, 1)
    assert not class_mask.any()


def test_a_thin_diagonal_object_is_painted_exactly_without_touching_its_box():
    size = 300
    line = np.eye(size, dtype=bool)
    document = _document(
        {"category_id": 1, "segmentation": rle_encode(line)},
        images=[{"id": 1, "height": size, "width": size}],
    )
    class_mask, instance_mask = mask_from_coco(document, 1)
    np.testing.assert_array_equal(class_mask, line)
    np.testing.assert_array_equal(instance_mask, line)
