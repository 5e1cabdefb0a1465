"""YOLO-seg export and import: exact round trips, strict files, clear errors."""

from __future__ import annotations

import os

import numpy as np
import pytest
import yaml
from PIL import Image
from scipy import ndimage
from skimage.measure import label

from seg_widget.core.instances import export_ids
from seg_widget.io.yolo import YoloItem, export_yolo, read_yolo_dataset
from seg_widget.io.yolo_labels import read_yolo_labels

CLASSES = ["unlabelled", "cat", "dog", "bird"]


def _scene():
    """Objects with holes, an island in a hole, several parts, touching neighbours."""
    mask = np.zeros((48, 64), np.uint8)
    instances = np.zeros((48, 64), np.uint32)

    def put(rows, cols, class_id, instance):
        mask[rows, cols] = class_id
        instances[rows, cols] = instance

    put(slice(4, 24), slice(4, 24), 1, 1)  # a cat with a square hole ...
    put(slice(9, 19), slice(9, 19), 0, 0)
    put(slice(12, 16), slice(12, 16), 2, 2)  # ... holding a dog (an island in the hole)
    put(slice(4, 24), slice(24, 34), 1, 3)  # another cat touching the first one
    put(slice(30, 36), slice(2, 8), 3, 4)  # a bird in two parts
    put(slice(40, 46), slice(20, 30), 3, 4)
    put(slice(0, 10), slice(54, 64), 2, 5)  # a dog in the image corner, a ring in a ring
    put(slice(2, 8), slice(56, 62), 0, 0)
    put(slice(4, 6), slice(58, 60), 2, 5)
    put(slice(30, 31), slice(40, 41), 1, 6)  # one pixel
    mask[[33, 34, 35], [45, 46, 47]] = 2  # a loose diagonal line of dog, no instance
    return mask, instances


def _image(folder, name, shape, seed=0):
    pixels = np.random.default_rng(seed).integers(0, 256, (*shape, 3), dtype=np.uint8)
    path = os.path.join(folder, name)
    Image.fromarray(pixels).save(path)
    return path


def _iou(a, b):
    return np.count_nonzero(a & b) / np.count_nonzero(a | b)


def _objects_match(mask, instances, annotation):
    """Each exported object is one imported instance of the same class, IoU >= 0.98."""
    ids = export_ids(mask, instances)
    scores = []
    for object_id in np.unique(ids[ids > 0]):
        original = ids == object_id
        found = np.unique(annotation.instance_map[original])
        assert found.size == 1 and found[0] > 0, f"object {object_id} split or lost"
        imported = annotation.instance_map == found[0]
        row = next(i for i in annotation.instances if i.id == found[0])
        assert row.class_id == int(mask[original][0])
        scores.append(_iou(original, imported))
    return scores


def test_objects_holes_and_touching_objects_come_back_exactly(tmp_path):
    mask, instances = _scene()
    image = _image(tmp_path, "scene.png", mask.shape)
    export_yolo([YoloItem(image, mask, instances)], tmp_path / "yolo", CLASSES)

    dataset = read_yolo_dataset(tmp_path / "yolo")
    annotation = dataset.annotation(0)
    assert np.array_equal(annotation.mask, mask)
    scores = _objects_match(mask, instances, annotation)
    assert len(scores) == 7 and min(scores) == 1.0
    lines = (tmp_path / "yolo" / "labels" / "scene.txt").read_text().splitlines()
    assert [line.split()[0] for line in lines] == ["0", "1", "0", "2", "1", "0", "1"]


def test_random_blobs_with_many_holes_round_trip_exactly(tmp_path):
    rng = np.random.default_rng(7)
    noise = ndimage.gaussian_filter(rng.normal(size=(120, 150)), 3)
    mask = np.digitize(noise, np.quantile(noise, [0.35, 0.6, 0.8])).astype(np.uint8)
    instances = label(mask, background=0, connectivity=1).astype(np.uint32)  # per class
    mask[(mask > 0) & (instances % 5 == 0)] = 0  # some objects vanish, leaving holes
    instances[mask == 0] = 0
    image = _image(tmp_path, "blobs.jpg", mask.shape)
    export_yolo([(image, mask, instances)], tmp_path / "yolo", CLASSES)

    annotation = read_yolo_dataset(tmp_path / "yolo").annotation("blobs.jpg")
    assert np.array_equal(annotation.mask, mask)
    scores = _objects_match(mask, instances, annotation)
    assert len(scores) > 20 and min(scores) == 1.0


def test_the_export_passes_the_strict_reader_and_yaml_parsers(tmp_path):
    mask, instances = _scene()
    image = _image(tmp_path, "scene.png", mask.shape)
    names = ['cat "tabby"', "dog: big", "bird\nsmall"]
    export_yolo([(image, mask, instances)], tmp_path / "yolo", ["unlabelled", *names])
    objects = read_yolo_labels(tmp_path / "yolo" / "labels" / "scene.txt", mask.shape, 3)
    assert len(objects) == 7
    assert all(len(item.polygon_xy) >= 3 for item in objects)
    document = yaml.safe_load((tmp_path / "yolo" / "data.yaml").read_text(encoding="utf-8"))
    assert document["names"] == dict(enumerate(names))
    assert document["nc"] == 3 and document["train"] == "images" and document["val"] == "images"
    assert "path" not in document


def test_only_labelled_images_are_exported_and_copied_byte_for_byte(tmp_path):
    mask, _ = _scene()
    labelled = _image(tmp_path, "a.png", mask.shape, seed=1)
    empty = _image(tmp_path, "b.png", mask.shape, seed=2)
    calls = []
    stems = export_yolo(
        [(labelled, mask), (empty, np.zeros_like(mask))],
        tmp_path / "out",
        CLASSES,
        progress=lambda done, total: calls.append((done, total)),
    )
    assert stems == ["a"]
    assert sorted(os.listdir(tmp_path / "out" / "images")) == ["a.png"]
    assert sorted(os.listdir(tmp_path / "out" / "labels")) == ["a.txt"]
    copied = (tmp_path / "out" / "images" / "a.png").read_bytes()
    assert copied == (tmp_path / "a.png").read_bytes()
    assert calls == [(0, 2), (1, 2), (2, 2)]


def test_without_instances_each_connected_region_of_a_class_is_an_object(tmp_path):
    mask = np.zeros((10, 12), np.uint8)
    mask[1:4, 1:4] = 1
    mask[1:4, 4:7] = 1  # touches the first: one region of one class
    mask[6:9, 1:4] = 2
    image = _image(tmp_path, "c.png", mask.shape)
    export_yolo(iter([(image, mask)]), tmp_path / "out", CLASSES)
    annotation = read_yolo_dataset(tmp_path / "out").annotation(0)
    assert np.array_equal(annotation.mask, mask)
    assert [(i.id, i.class_id, i.name) for i in annotation.instances] == [
        (1, 1, "cat 1"),
        (2, 2, "dog 2"),
    ]


def test_an_image_without_a_label_file_has_no_objects(tmp_path):
    (tmp_path / "images").mkdir()
    (tmp_path / "data.yaml").write_text("names: [cat]\n")
    _image(tmp_path / "images", "x.png", (5, 6))
    dataset = read_yolo_dataset(tmp_path)
    annotation = dataset.annotation(0)
    assert annotation.mask.shape == (5, 6) and not annotation.mask.any()
    assert [c.name for c in dataset.classes] == ["unlabelled", "cat"]


def test_a_mask_of_another_size_names_both_sizes(tmp_path):
    image = _image(tmp_path, "a.png", (10, 12))
    with pytest.raises(ValueError, match=r"the mask is 10x13 \(HxW\) but the image .* is 10x12"):
        export_yolo([(image, np.ones((10, 13), np.uint8))], tmp_path / "out", CLASSES)


def test_two_images_with_one_stem_are_refused_naming_both(tmp_path):
    first = _image(tmp_path, "a.png", (4, 4))
    (tmp_path / "other").mkdir()
    second = _image(tmp_path / "other", "a.jpg", (4, 4))
    mask = np.ones((4, 4), np.uint8)
    with pytest.raises(ValueError, match=r"items\[1\]: .*a.jpg' and .*a.png' share the stem 'a'"):
        export_yolo([(first, mask), (second, mask)], tmp_path / "out", CLASSES)


def test_a_class_name_yaml_cannot_hold_is_refused_before_writing(tmp_path):
    image = _image(tmp_path, "a.png", (4, 4))
    with pytest.raises(ValueError, match=r"classes\[2\]: name: .*lone surrogate U\+DC80"):
        export_yolo([(image, np.ones((4, 4), np.uint8))], tmp_path / "out", ["u", "a", "b\udc80"])
    assert not (tmp_path / "out").exists()


def test_a_dataset_without_data_yaml_or_images_is_an_error(tmp_path):
    with pytest.raises(ValueError, match=r"data\.yaml'"):
        read_yolo_dataset(tmp_path)
    (tmp_path / "data.yaml").write_text("names: [cat]\n")
    with pytest.raises(ValueError, match="folder: expected an images/ folder"):
        read_yolo_dataset(tmp_path)
