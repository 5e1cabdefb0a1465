"""Small files that declare huge arrays or huge work: every reader refuses them up front.

Each reader runs in a forked child under an address-space limit (tests/bounded.py): a
regression that allocates what the file declares fails with a MemoryError in the child
instead of taking the machine's memory.
"""

import io
import json
import zipfile

import numpy as np
import pytest
from PIL import Image

import seg_widget as sw
from seg_widget.io import limits, load_annotation, load_coco, load_mask, mask_from_coco, rle_decode
from seg_widget.io.annotation_files import load_annotation_file
from tests.bounded import run_bounded

pytestmark = pytest.mark.filterwarnings(
    "ignore:__array__ implementation doesn't accept a copy keyword:DeprecationWarning"
)

# 60,000 x 50,000 uint8 = 3 GB declared; the address-space limit allows 768 MiB more.
HUGE = (60_000, 50_000)


def _npy_header(shape, dtype=np.uint8):
    buffer = io.BytesIO()
    np.lib.format.write_array_header_1_0(
        buffer, {"descr": np.dtype(dtype).str, "fortran_order": False, "shape": shape}
    )
    return buffer.getvalue() + b"\0" * 64  # a little data; the rest is missing


def _npz(path, members):
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for key, data in members.items():
            archive.writestr(key + ".npy", data)


def _message_of(reader, *args, **kwargs):
    """Run in the bounded child: the ValueError's message (anything else fails the test)."""
    try:
        reader(*args, **kwargs)
    except ValueError as error:
        return str(error)
    return "no error"


def test_an_npy_declaring_3_gb_is_refused_from_its_header(tmp_path):
    path = tmp_path / "bomb.npy"
    path.write_bytes(_npy_header(HUGE))
    message = run_bounded(_message_of, load_mask, path)
    assert "declares 50000 x 60000 (width x height) = 3000000000 pixels" in message
    assert "bomb.npy" in message and "MAX_MASK_PIXELS = 268435456" in message


def test_an_npz_declaring_3_gb_is_refused_from_its_header(tmp_path):
    path = tmp_path / "bomb.npz"
    _npz(path, {"mask": _npy_header(HUGE)})
    assert path.stat().st_size < 1000
    message = run_bounded(_message_of, load_mask, path)
    assert "declares 50000 x 60000" in message and "bomb.npz" in message


def test_a_mask_of_another_size_than_the_image_is_refused_before_decoding(tmp_path):
    path = tmp_path / "bomb.npz"
    _npz(path, {"mask": _npy_header((40_000, 40_000))})
    message = run_bounded(_message_of, load_mask, path, shape=(30, 40))
    assert "expected the image's size, 40 x 30 (width x height); got 40000 x 40000" in message


def test_widget_load_refuses_a_huge_npz_without_allocating(tmp_path):
    path = tmp_path / "bomb.npz"
    _npz(path, {"mask": _npy_header(HUGE)})
    w = sw.SegmentationWidget(np.zeros((30, 40)), classes=["unlabelled", "cat"])
    message = run_bounded(_message_of, w.load, path)
    assert "got 50000 x 60000" in message
    assert not w.mask.any()


def test_an_object_table_declaring_huge_names_is_refused(tmp_path):
    path = tmp_path / "objects.npz"
    members = {
        "mask": _npy_header((2, 2)),
        "instances": _npy_header((2, 2), np.uint32),
        "instance_name": _npy_header((1000,), "<U1000000"),  # 4 GB of names
    }
    for key in ("instance_id", "instance_class", "instance_parent"):
        members[key] = _npy_header((1000,), np.int64)
    for key in ("instance_visible", "instance_locked"):
        members[key] = _npy_header((1000,), bool)
    buffer = io.BytesIO()
    np.save(buffer, np.zeros((2, 2), np.uint8))
    members["mask"] = buffer.getvalue()
    buffer = io.BytesIO()
    np.save(buffer, np.zeros((2, 2), np.uint32))
    members["instances"] = buffer.getvalue()
    _npz(path, members)
    message = run_bounded(_message_of, load_annotation, path)
    assert "'instance_name'" in message and "MAX_NAME_LENGTH = 1024" in message


def test_a_dataset_whose_masks_folder_holds_a_bomb_opens(tmp_path):
    images, masks = tmp_path / "images", tmp_path / "masks"
    images.mkdir()
    masks.mkdir()
    Image.fromarray(np.zeros((12, 16), np.uint8)).save(images / "a.png")
    Image.fromarray(np.zeros((12, 16), np.uint8)).save(images / "b.png")
    _npz(masks / "a.npz", {"mask": _npy_header(HUGE)})

    def open_folder():
        with pytest.warns(UserWarning, match=r"a\.npz.*got 50000 x 60000"):
            annotator = sw.DatasetAnnotator(
                images, masks, ["unlabelled", "cat"], mask_format=".npz"
            )
        return annotator.index, annotator.labelled_count, annotator.messages

    index, labelled, messages = run_bounded(open_folder)
    assert (index, labelled) == (1, 0)  # a's mask is refused with a message, b opens
    assert "got 50000 x 60000" in messages[0]


def test_a_coco_image_declaring_10_to_the_12_pixels_is_refused():
    document = {
        "images": [{"id": 1, "height": 1_000_000, "width": 1_000_000}],
        "annotations": [],
        "categories": [],
    }
    message = run_bounded(_message_of, mask_from_coco, document, 1)
    assert "image 1 of the COCO document: declares 1000000 x 1000000" in message


def test_a_coco_rle_size_other_than_the_image_is_refused():
    document = {
        "images": [{"id": 1, "height": 30, "width": 40}],
        "annotations": [
            {
                "image_id": 1,
                "category_id": 1,
                "segmentation": {"size": [1_000_000, 1_000_000], "counts": [0, 10**12]},
            }
        ],
        "categories": [{"id": 1, "name": "cat"}],
    }
    message = run_bounded(_message_of, mask_from_coco, document, 1)
    assert "['segmentation']['size']: expected [30, 40]; got [1000000, 1000000]" in message


def test_a_zigzag_polygon_of_100000_vertices_is_refused_quickly():
    zigzag = np.column_stack([np.tile([0.0, 999.0], 50_000), np.linspace(0, 999, 100_000)])
    document = {
        "images": [{"id": 1, "height": 1000, "width": 1000}],
        "annotations": [
            {"image_id": 1, "category_id": 1, "segmentation": [zigzag.ravel().tolist()]}
        ],
        "categories": [{"id": 1, "name": "cat"}],
    }
    message = run_bounded(_message_of, mask_from_coco, document, 1, cpu_seconds=20)
    assert "COCO_OUTLINE_PER_PIXEL" in message


def test_many_full_image_annotations_exceed_the_area_bound():
    whole = {"size": [100, 100], "counts": [0, 10_000]}
    document = {
        "images": [{"id": 1, "height": 100, "width": 100}],
        "annotations": [{"image_id": 1, "category_id": 1, "segmentation": whole}] * 60_000,
        "categories": [{"id": 1, "name": "cat"}],
    }
    message = run_bounded(_message_of, mask_from_coco, document, 1, cpu_seconds=20)
    assert "COCO_AREA_PER_PIXEL" in message and "['annotations'][8]" in message


@pytest.mark.parametrize("reader", ["coco", "schema", "annotation"])
def test_json_nested_100000_levels_is_a_value_error_naming_the_file(tmp_path, reader):
    path = tmp_path / "deep.json"
    path.write_text("[" * 100_000 + "]" * 100_000)
    read = {
        "coco": load_coco,
        "schema": sw.load_schema,
        "annotation": lambda p: load_annotation_file(p, (2, 2), ["unlabelled", "cat"]),
    }[reader]
    message = run_bounded(_message_of, read, path)
    assert message.endswith("deep.json' as JSON: it is nested too deeply")


def test_the_limit_is_configurable_like_pillows(tmp_path, monkeypatch):
    path = tmp_path / "mask.npy"
    np.save(path, np.zeros((20, 30), np.uint8))
    monkeypatch.setattr(limits, "MAX_MASK_PIXELS", 500)
    with pytest.raises(ValueError, match=r"= 600 pixels, more than .*MAX_MASK_PIXELS = 500"):
        load_mask(path)
    monkeypatch.setattr(limits, "MAX_MASK_PIXELS", None)
    assert load_mask(path).shape == (20, 30)


def test_coco_bounds_are_configurable(monkeypatch):
    whole = {"size": [10, 10], "counts": [0, 100]}
    document = {
        "images": [{"id": 1, "height": 10, "width": 10}],
        "annotations": [{"image_id": 1, "category_id": 1, "segmentation": whole}] * 3,
        "categories": [{"id": 1, "name": "cat"}],
    }
    monkeypatch.setattr(limits, "COCO_AREA_PER_PIXEL", 2)
    with pytest.raises(ValueError, match="COCO_AREA_PER_PIXEL = 2"):
        mask_from_coco(document, 1)
    monkeypatch.setattr(limits, "COCO_AREA_PER_PIXEL", None)
    assert mask_from_coco(document, 1)[1].max() == 3


def test_the_json_document_itself_is_parsed_once(tmp_path):
    path = tmp_path / "ok.json"
    path.write_text(json.dumps({"images": [], "annotations": [], "categories": []}))
    assert load_coco(path)["annotations"] == []


def test_an_rle_declaring_10_to_the_12_pixels_is_refused_by_rle_decode():
    rle = {"size": [1_000_000, 1_000_000], "counts": [0, 10**12]}
    message = run_bounded(_message_of, rle_decode, rle)
    assert "rle['size']: declares 1000000 x 1000000" in message
