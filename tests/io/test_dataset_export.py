import json

import numpy as np
import pytest
from PIL import Image
from pycocotools.coco import COCO

from seg_widget.core import LabelClass
from seg_widget.io import load_mask, save_mask
from seg_widget.io.dataset_export import export_coco, export_voc
from seg_widget.io.dataset_index import DatasetIndex

pytestmark = pytest.mark.filterwarnings(
    "ignore:__array__ implementation doesn't accept a copy keyword:DeprecationWarning"
)

CLASSES = ["unlabelled", LabelClass("car", "#ff0000", parent="vehicle"), "person", "tree"]
SHAPES = {"a": (16, 24), "b": (20, 12), "c": (10, 10), "d": (9, 14)}


def _random_mask(shape, seed):
    rng = np.random.default_rng(seed)
    mask = np.zeros(shape, np.uint8)
    for _ in range(5):
        row, col = rng.integers(0, shape[0] - 3), rng.integers(0, shape[1] - 3)
        mask[row : row + rng.integers(1, 4), col : col + rng.integers(1, 4)] = rng.integers(1, 4)
    return mask


@pytest.fixture
def dataset(tmp_path):
    """Four images: a and b labelled, c with an all-zero mask, d without a mask."""
    images, masks = tmp_path / "images", tmp_path / "masks"
    images.mkdir()
    masks.mkdir()
    expected = {}
    for seed, (stem, shape) in enumerate(SHAPES.items()):
        suffix = ".jpg" if stem == "b" else ".png"
        Image.fromarray(np.full((*shape, 3), 40 * seed, np.uint8)).save(images / (stem + suffix))
        if stem in "ab":
            expected[stem] = _random_mask(shape, seed)
            save_mask(masks / f"{stem}.png", expected[stem], CLASSES)
    save_mask(masks / "c.png", np.zeros(SHAPES["c"], np.uint8), CLASSES)
    return DatasetIndex(images, masks), expected


def test_coco_export_decodes_with_pycocotools_to_exactly_the_masks(dataset, tmp_path):
    index, expected = dataset
    path = tmp_path / "coco.json"
    calls = []
    counts = export_coco(index, path, CLASSES, progress=lambda done, total: calls.append(done))
    coco = COCO(str(path))
    images = {image["file_name"]: image for image in coco.dataset["images"]}
    assert sorted(images) == ["a.png", "b.jpg", "c.png", "d.png"]
    for name, image in images.items():
        stem = name[0]
        assert (image["height"], image["width"]) == SHAPES[stem]
        decoded = np.zeros(SHAPES[stem], np.uint8)
        for annotation in coco.loadAnns(coco.getAnnIds(imgIds=image["id"])):
            pixels = coco.annToMask(annotation).astype(bool)
            assert not decoded[pixels].any()  # regions never overlap
            decoded[pixels] = annotation["category_id"]
            assert annotation["area"] == pixels.sum()
        np.testing.assert_array_equal(decoded, expected.get(stem, np.zeros_like(decoded)))
    assert counts == {"images": 4, "annotations": len(coco.dataset["annotations"])}
    ids = [annotation["id"] for annotation in coco.dataset["annotations"]]
    assert ids == list(range(1, len(ids) + 1))
    assert coco.loadCats(1)[0] == {"id": 1, "name": "car", "supercategory": "vehicle"}
    assert calls[-1] == 4 and calls[0] == 0


def test_coco_export_can_leave_out_unlabelled_images(dataset, tmp_path):
    index, _ = dataset
    counts = export_coco(index, tmp_path / "coco.json", CLASSES, include_unlabelled=False)
    document = json.loads((tmp_path / "coco.json").read_text())
    assert [image["file_name"] for image in document["images"]] == ["a.png", "b.jpg"]
    assert counts["images"] == 2


def test_coco_export_refuses_a_mask_of_another_size_naming_both(dataset, tmp_path):
    index, _ = dataset
    save_mask(index[1].mask_path, np.ones((3, 3), np.uint8), CLASSES)
    with pytest.raises(ValueError, match=r"12 x 20 \(width x height\).*got 3 x 3"):
        export_coco(index, tmp_path / "coco.json", CLASSES)
    assert not (tmp_path / "coco.json").exists()


def test_voc_export_writes_the_voc_layout(dataset, tmp_path):
    index, expected = dataset
    folder = tmp_path / "voc"
    stems = export_voc(index, folder, CLASSES)
    assert stems == ["a", "b"]
    assert (folder / "ImageSets" / "Segmentation" / "default.txt").read_text() == "a\nb\n"
    assert sorted(p.name for p in (folder / "JPEGImages").iterdir()) == ["a.png", "b.jpg"]
    for name in ("a.png", "b.jpg"):
        copy = (folder / "JPEGImages" / name).read_bytes()
        assert copy == (tmp_path / "images" / name).read_bytes()
    assert sorted(p.name for p in (folder / "SegmentationClass").iterdir()) == ["a.png", "b.png"]
    for stem, mask in expected.items():
        path = folder / "SegmentationClass" / f"{stem}.png"
        with Image.open(path) as image:
            assert image.mode == "P"
            assert image.getpalette()[3:6] == [255, 0, 0]  # class 1's colour
        np.testing.assert_array_equal(load_mask(path), mask)
    labelmap = (folder / "labelmap.txt").read_text().splitlines()
    assert labelmap[1:3] == ["unlabelled:0,0,0::", "car:255,0,0::"]
    assert not list(folder.rglob("*.tmp"))


def test_voc_export_reports_progress_and_refuses_a_file_as_folder(dataset, tmp_path):
    index, _ = dataset
    calls = []
    export_voc(index, tmp_path / "voc", CLASSES, progress=lambda *args: calls.append(args))
    assert calls[0] == (0, 4) and calls[-1] == (4, 4)
    (tmp_path / "file").write_text("x")
    with pytest.raises(ValueError, match="folder: expected a folder"):
        export_voc(index, tmp_path / "file", CLASSES)


def test_exports_read_the_masks_on_disk_at_export_time(dataset, tmp_path):
    index, _ = dataset
    another_annotator = DatasetIndex(tmp_path / "images", tmp_path / "masks")
    late = _random_mask(SHAPES["d"], seed=9)
    another_annotator.save_mask(3, late, CLASSES)  # d had no mask when index was opened
    another_annotator.save_mask(0, np.zeros(SHAPES["a"], np.uint8), CLASSES)  # a erased
    document_path = tmp_path / "coco.json"
    export_coco(index, document_path, CLASSES, include_unlabelled=False)
    coco = COCO(str(document_path))
    assert sorted(image["file_name"] for image in coco.dataset["images"]) == ["b.jpg", "d.png"]
    assert export_voc(index, tmp_path / "voc", CLASSES) == ["b", "d"]
    np.testing.assert_array_equal(load_mask(tmp_path / "voc" / "SegmentationClass" / "d.png"), late)
    assert index.labelled_count == 2  # the index learnt it too


@pytest.mark.parametrize("name", ["car:red", "car\nperson", "car\r", "car\u2028x", "#car"])
def test_voc_labelmap_names_that_would_shift_entries_are_refused(dataset, tmp_path, name):
    index, _ = dataset
    classes = [*CLASSES[:3], name]
    with pytest.raises(ValueError, match=r"classes\[3\]\.name: expected a name without ':'"):
        export_voc(index, tmp_path / "voc", classes)
    assert not (tmp_path / "voc").exists()


def test_voc_export_refuses_links_leading_out_of_the_folder(dataset, tmp_path):
    index, _ = dataset
    outside = tmp_path / "outside"
    outside.mkdir()
    victim = outside / "a.png"
    victim.write_bytes(b"precious")
    folder = tmp_path / "voc"
    folder.mkdir()
    (folder / "SegmentationClass").symlink_to(outside)
    with pytest.raises(ValueError, match=r"folder: refusing to write .*outside the export folder"):
        export_voc(index, folder, CLASSES)
    assert victim.read_bytes() == b"precious"
    (folder / "SegmentationClass").unlink()
    (folder / "labelmap.txt").symlink_to(victim)
    with pytest.raises(ValueError, match="outside the export folder"):
        export_voc(index, folder, CLASSES)
    assert victim.read_bytes() == b"precious"


def test_coco_export_refuses_a_link_leading_out_of_its_folder(dataset, tmp_path):
    index, _ = dataset
    victim = tmp_path / "victim.json"
    victim.write_text("precious")
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "coco.json").symlink_to(victim)
    with pytest.raises(ValueError, match="refusing to write through the symbolic link"):
        export_coco(index, tmp_path / "out" / "coco.json", CLASSES)
    assert victim.read_text() == "precious"
