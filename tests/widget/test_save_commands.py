import json

import numpy as np
import pytest
from PIL import Image
from pycocotools.coco import COCO

import seg_widget as sw
from seg_widget.io import save_mask
from seg_widget.widget.save_commands import SAVE_EXTENSIONS

pytestmark = pytest.mark.filterwarnings(
    "ignore:__array__ implementation doesn't accept a copy keyword:DeprecationWarning"
)

CLASSES = ["unlabelled", sw.LabelClass("cat", "#ff8000"), sw.LabelClass("dog", parent="pet")]

Widget = sw.SegmentationWidget


@pytest.fixture
def painted():
    w = Widget(np.zeros((30, 40)), classes=CLASSES)
    w.paint_stroke([(5, 5), (5, 30)], label=1, brush_size=5)
    w.fill_polygon([(15, 10), (15, 25), (28, 25), (28, 10)], label=2)
    w.paint_stroke([(20, 35)], label=1, brush_size=3)  # a second cat region
    return w


@pytest.mark.parametrize("extension", [".png", ".npy", ".npz"])
def test_save_then_load_mask_round_trips_exactly(painted, tmp_path, extension):
    path = tmp_path / f"mask{extension}"
    painted.save(path)
    loaded = sw.load_mask(path)
    assert loaded.dtype == np.uint8
    np.testing.assert_array_equal(loaded, painted.mask)
    other = Widget(np.zeros((30, 40)), classes=CLASSES)
    other.load(path)
    np.testing.assert_array_equal(other.mask, painted.mask)
    assert other.can_undo  # loading is one undo step
    assert not list(tmp_path.glob("*.tmp")) and not list(tmp_path.glob(".*"))


def test_png_palette_is_the_class_colours(painted, tmp_path):
    painted.save(tmp_path / "mask.png")
    with Image.open(tmp_path / "mask.png") as image:
        assert image.mode == "P"
        assert image.getpalette()[3:6] == [255, 128, 0]


def test_json_is_a_coco_document_that_pycocotools_decodes_to_the_mask(painted, tmp_path):
    path = tmp_path / "cats.json"
    painted.save(path)
    coco = COCO(str(path))
    assert coco.dataset["images"] == [{"id": 1, "file_name": "cats", "height": 30, "width": 40}]
    assert [c["supercategory"] for c in coco.dataset["categories"]] == ["cat", "pet"]
    annotations = coco.loadAnns(coco.getAnnIds(imgIds=1))
    assert [a["category_id"] for a in annotations] == [1, 2, 1]  # one per connected region
    decoded = np.zeros((30, 40), np.uint8)
    for annotation in annotations:
        decoded[coco.annToMask(annotation).astype(bool)] = annotation["category_id"]
    np.testing.assert_array_equal(decoded, painted.mask)
    other = Widget(np.zeros((30, 40)), classes=CLASSES)
    other.load(path)
    np.testing.assert_array_equal(other.mask, painted.mask)


def test_json_with_instances_has_one_annotation_per_instance(painted, tmp_path):
    instances = np.zeros((30, 40), np.uint16)
    instances[painted.mask == 1] = 7  # both cat regions are one instance
    instances[painted.mask == 2] = 3
    painted.save(tmp_path / "x.json", instances=instances, file_name="x.jpg", image_id=9)
    document = json.loads((tmp_path / "x.json").read_text())
    assert [(a["category_id"], a["image_id"]) for a in document["annotations"]] == [
        (2, 9),
        (1, 9),
    ]
    assert document["images"][0]["file_name"] == "x.jpg"


def test_coco_options_with_a_mask_format_are_refused(painted, tmp_path):
    with pytest.raises(ValueError, match=r"instances: expected only when saving COCO \.json"):
        painted.save(tmp_path / "m.png", instances=np.zeros((30, 40), np.uint8))
    with pytest.raises(ValueError, match="polygons: expected only when saving COCO"):
        painted.save(tmp_path / "m.npy", polygons=True)
    assert not list(tmp_path.iterdir())


def test_unknown_extension_and_missing_folder_are_refused(painted, tmp_path):
    expected = ", ".join(SAVE_EXTENSIONS)
    with pytest.raises(ValueError, match=f"path: expected a file name ending in one of {expected}"):
        painted.save(tmp_path / "mask.tif")
    with pytest.raises(ValueError, match="expected the folder"):
        painted.save(tmp_path / "missing" / "mask.png")
    with pytest.raises(TypeError, match=r"path: expected a str or os\.PathLike; got int"):
        painted.save(3)


def test_loading_a_mask_of_another_size_names_both_sizes(painted, tmp_path):
    save_mask(tmp_path / "small.png", np.zeros((3, 5), np.uint8))
    with pytest.raises(ValueError, match=r"small\.png'.* 40 x 30 \(width x height\); got 5 x 3 "):
        painted.load(tmp_path / "small.png")


def test_loading_a_coco_file_of_several_images_needs_image_id(painted, tmp_path):
    path = tmp_path / "two.json"
    document = {
        "images": [
            {"id": 1, "file_name": "a", "height": 30, "width": 40},
            {"id": 2, "file_name": "b", "height": 30, "width": 40},
        ],
        "annotations": [],
        "categories": [],
    }
    path.write_text(json.dumps(document))
    with pytest.raises(ValueError, match="image_id: expected it for a COCO file with 2 images"):
        painted.load(path)
    painted.load(path, image_id=2)
    assert not painted.mask.any()


def test_schema_round_trips_through_the_top_level_functions(tmp_path):
    sw.save_schema(tmp_path / "classes.json", CLASSES)
    loaded = sw.load_schema(tmp_path / "classes.json")
    assert [c.name for c in loaded] == ["unlabelled", "cat", "dog"]
    assert loaded[1].color == (255, 128, 0) and loaded[2].parent == "pet"


def test_save_refuses_a_symlink_leading_out_of_the_folder(painted, tmp_path):
    victim = tmp_path / "victim.png"
    victim.write_bytes(b"someone else's file")
    (tmp_path / "export").mkdir()
    (tmp_path / "export" / "mask.png").symlink_to(victim)
    with pytest.raises(ValueError, match="refusing to write through the symbolic link"):
        painted.save(tmp_path / "export" / "mask.png")
    assert victim.read_bytes() == b"someone else's file"


def test_loading_coco_from_another_tool_maps_categories_by_name(painted, tmp_path):
    rle = sw.io.rle_encode(painted.mask == 2)
    document = {
        "images": [{"id": 4, "file_name": "x.jpg", "height": 30, "width": 40}],
        "annotations": [{"id": 1, "image_id": 4, "category_id": 17, "segmentation": rle}],
        "categories": [
            {"id": 3, "name": "cat"},
            {"id": 17, "name": "dog"},
            {"id": 5, "name": "car"},
        ],
    }
    path = tmp_path / "other_tool.json"
    path.write_text(json.dumps(document))
    other = Widget(np.zeros((30, 40)), classes=CLASSES)
    other.load(path)
    np.testing.assert_array_equal(other.mask, np.where(painted.mask == 2, 2, 0))
    document["annotations"][0]["category_id"] = 5  # "car": no such class
    path.write_text(json.dumps(document))
    with pytest.raises(ValueError, match=r"other_tool\.json.*'car' \(id 5\) match no class"):
        other.load(path)
    np.testing.assert_array_equal(other.mask, np.where(painted.mask == 2, 2, 0))
