"""One annotation file per format, shared by w.save/w.load and the dataset annotator."""

import json
import re

import numpy as np
import pytest

from seg_widget.core.instances import Instance
from seg_widget.io import ANNOTATION_EXTENSIONS, load_annotation_file, save_annotation_file
from seg_widget.io.annotation_files import encode_annotation

pytestmark = pytest.mark.filterwarnings(
    "ignore:__array__ implementation doesn't accept a copy keyword:DeprecationWarning"
)

CLASSES = ["unlabelled", "cat", "dog"]


def _scene():
    mask = np.zeros((6, 8), np.uint8)
    mask[1:3, 1:4] = 1
    mask[4:6, 5:8] = 2
    mask[0, 7] = 1  # a loose cat pixel outside every object
    ids = np.zeros((6, 8), np.uint32)
    ids[1:3, 1:4] = 4
    ids[4:6, 5:8] = 9
    table = (Instance(4, 1, "tabby", locked=True), Instance(9, 2, "rex", parent=4))
    return mask, ids, table


@pytest.mark.parametrize("extension", ANNOTATION_EXTENSIONS)
def test_every_format_round_trips_the_class_mask(tmp_path, extension):
    mask, _, _ = _scene()
    path = tmp_path / f"a{extension}"
    save_annotation_file(path, mask, CLASSES)
    loaded = load_annotation_file(path, mask.shape, CLASSES)
    np.testing.assert_array_equal(loaded.mask, mask)
    assert loaded.mask.dtype == np.uint8
    assert loaded.category_rule == ("name" if extension == ".json" else None)


def test_npz_keeps_the_objects_whole(tmp_path):
    mask, ids, table = _scene()
    path = tmp_path / "a.npz"
    save_annotation_file(path, mask, CLASSES, instance_map=ids, instances=table)
    loaded = load_annotation_file(path, mask.shape, CLASSES)
    np.testing.assert_array_equal(loaded.instance_map, ids)
    assert loaded.instances == table


def test_coco_has_one_annotation_per_object_and_per_loose_region(tmp_path):
    mask, ids, table = _scene()
    path = tmp_path / "a.json"
    save_annotation_file(path, mask, CLASSES, instance_map=ids, instances=table, image_id=7)
    document = json.loads(path.read_text())
    assert [(a["category_id"], a["area"]) for a in document["annotations"]] == [
        (1, 6),
        (2, 6),
        (1, 1),
    ]
    assert document["images"][0] == {"id": 7, "file_name": "a", "height": 6, "width": 8}
    loaded = load_annotation_file(path, mask.shape, CLASSES)
    np.testing.assert_array_equal(loaded.mask, mask)
    assert [i.class_id for i in loaded.instances] == [1, 2, 1]


def test_coco_options_with_a_mask_format_are_refused(tmp_path):
    mask, _, _ = _scene()
    for option, value in [("coco_instance_ids", mask), ("polygons", True), ("image_id", 3)]:
        with pytest.raises(ValueError, match=f"{option}: expected only when saving COCO .json"):
            save_annotation_file(tmp_path / "a.png", mask, CLASSES, **{option: value})
    assert list(tmp_path.iterdir()) == []


def test_objects_need_their_map():
    mask, _, table = _scene()
    with pytest.raises(ValueError, match="instance_map: expected the instance map"):
        encode_annotation(".npz", mask, CLASSES, instances=table)


def test_a_file_of_another_size_names_both_sizes(tmp_path):
    mask, _, _ = _scene()
    for extension in ANNOTATION_EXTENSIONS:
        path = tmp_path / f"a{extension}"
        save_annotation_file(path, mask, CLASSES)
        with pytest.raises(ValueError, match=re.escape("9 x 5 (width x height); got 8 x 6")):
            load_annotation_file(path, (5, 9), CLASSES)


def test_ids_that_are_not_classes_are_refused_naming_the_file(tmp_path):
    mask, _, _ = _scene()
    path = tmp_path / "a.png"
    save_annotation_file(path, mask, CLASSES)
    with pytest.raises(ValueError, match=r"mask in .*a\.png.*expected class ids < 2"):
        load_annotation_file(path, mask.shape, CLASSES[:2])


def test_a_symlink_leading_out_of_the_folder_is_refused(tmp_path):
    mask, _, _ = _scene()
    outside = tmp_path / "outside.png"
    outside.write_bytes(b"keep")
    (tmp_path / "folder").mkdir()
    (tmp_path / "folder" / "a.png").symlink_to(outside)
    with pytest.raises(ValueError, match="refusing to write through the symbolic link"):
        save_annotation_file(tmp_path / "folder" / "a.png", mask, CLASSES)
    assert outside.read_bytes() == b"keep"


def test_image_id_is_only_for_coco(tmp_path):
    mask, _, _ = _scene()
    save_annotation_file(tmp_path / "a.png", mask, CLASSES)
    with pytest.raises(ValueError, match=r"image_id: expected only for COCO \.json files"):
        load_annotation_file(tmp_path / "a.png", mask.shape, CLASSES, image_id=1)
