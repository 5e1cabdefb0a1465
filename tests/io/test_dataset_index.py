import json
import os

import numpy as np
import pytest
from PIL import Image

from seg_widget.io import dataset_index as dataset_index_module
from seg_widget.io import load_mask, save_mask
from seg_widget.io.dataset_index import STATE_FILE_NAME, DatasetIndex
from seg_widget.io.image_files import list_images, read_image_shape

CLASSES = ["unlabelled", "a", "b"]


def _write_image(path, shape=(12, 20), seed=0):
    rng = np.random.default_rng(seed)
    Image.fromarray(rng.integers(0, 256, (*shape, 3), dtype=np.uint8)).save(path)


@pytest.fixture
def folder(tmp_path):
    images = tmp_path / "images"
    images.mkdir()
    for number in (1, 2, 10):
        _write_image(images / f"img{number}.png", seed=number)
    return images


def _names(paths):
    return [os.path.basename(p) for p in paths]


def test_folder_lists_its_images_naturally_sorted_without_hidden_tmp_or_other_files(folder):
    (folder / ".hidden.png").write_bytes(b"x")
    (folder / ".img1.png.1a2b3c4d.tmp").write_bytes(b"partial")
    (folder / "notes.txt").write_text("not an image")
    (folder / "sub").mkdir()
    assert _names(list_images(folder)) == ["img1.png", "img2.png", "img10.png"]
    assert all(os.path.isabs(path) for path in list_images(folder))


def test_glob_pattern_lists_matching_files_but_never_temporaries(folder):
    (folder / "img3.png.tmp").write_bytes(b"partial")
    assert _names(list_images(str(folder / "img1*"))) == ["img1.png", "img10.png"]
    assert _names(list_images(str(folder / "*"))) == ["img1.png", "img2.png", "img10.png"]


def test_list_of_paths_keeps_its_order(folder):
    paths = [folder / "img10.png", str(folder / "img1.png")]
    assert _names(list_images(paths)) == ["img10.png", "img1.png"]


def test_masks_inside_masks_dir_are_not_images(folder):
    save_mask(folder / "img1_mask.png", np.zeros((2, 2), np.uint8))
    listed = list_images(folder, masks_dir=str(folder), mask_format=".png")
    assert listed == []  # every .png in masks_dir is a mask
    assert len(list_images(folder, masks_dir=str(folder), mask_format=".npy")) == 4


def test_missing_path_and_wrong_type_are_refused(tmp_path):
    with pytest.raises(ValueError, match=r"images: expected a glob pattern.*does not exist"):
        list_images(tmp_path / "nowhere")
    with pytest.raises(TypeError, match=r"images: expected a glob pattern.*got int"):
        list_images(3)


def test_image_size_comes_from_the_header(folder):
    assert read_image_shape(str(folder / "img1.png")) == (12, 20)


def test_decompression_bomb_limit_stays_on_with_a_clear_message(folder, monkeypatch):
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 50)  # 12 x 20 = 240 > 2 x 50
    with pytest.raises(ValueError, match=r"decompression-bomb limit.*MAX_IMAGE_PIXELS"):
        read_image_shape(str(folder / "img1.png"))


def test_unreadable_images_are_skipped_with_a_warning(folder, tmp_path):
    (folder / "broken.png").write_bytes(b"\x89PNG\r\n\x1a\n not really")
    (folder / "empty.jpg").write_bytes(b"")
    with pytest.warns(UserWarning, match="skipping an unreadable image") as recorded:
        index = DatasetIndex(folder, tmp_path / "masks")
    assert len(recorded) == 2
    assert len(index) == 3
    assert sorted(_names(index.skipped)) == ["broken.png", "empty.jpg"]
    assert "cannot read" in index.skipped[str(folder / "broken.png")]


def test_no_readable_image_is_an_error(tmp_path):
    (tmp_path / "bad.png").write_bytes(b"nope")
    with pytest.warns(UserWarning), pytest.raises(ValueError, match="at least one readable"):
        DatasetIndex(tmp_path, tmp_path / "masks")


def test_masks_dir_is_created_and_mask_paths_are_stem_plus_format(folder, tmp_path):
    index = DatasetIndex(folder, tmp_path / "new" / "masks", mask_format=".npz")
    assert (tmp_path / "new" / "masks").is_dir()
    assert index[0].mask_path == str(tmp_path / "new" / "masks" / "img1.npz")
    assert index[0].shape == (12, 20)


def test_two_images_with_one_stem_are_refused(folder, tmp_path):
    _write_image(folder / "img1.jpg")
    with pytest.raises(ValueError, match=r"one image per file stem.*img1\.jpg.*img1\.png"):
        DatasetIndex(folder, tmp_path / "masks")


def test_a_mask_that_would_be_its_image_is_refused(folder):
    with pytest.raises(ValueError, match="would be the image itself"):
        DatasetIndex([folder / "img1.png"], folder)


def test_a_mask_symlink_pointing_outside_masks_dir_is_refused(folder, tmp_path):
    masks = tmp_path / "masks"
    masks.mkdir()
    outside = tmp_path / "precious.png"
    outside.write_bytes(b"do not overwrite")
    (masks / "img2.png").symlink_to(outside)
    with pytest.raises(ValueError, match=r"inside masks_dir.*img2\.png.*precious\.png"):
        DatasetIndex(folder, masks)
    assert outside.read_bytes() == b"do not overwrite"


def test_a_state_file_symlink_pointing_outside_masks_dir_is_refused(folder, tmp_path):
    masks = tmp_path / "masks"
    masks.mkdir()
    (masks / STATE_FILE_NAME).symlink_to(tmp_path / "elsewhere.json")
    with pytest.raises(ValueError, match=r"inside masks_dir.*seg_widget_state"):
        DatasetIndex(folder, masks)


def test_positions_by_index_path_or_file_name_and_refusals(folder, tmp_path):
    index = DatasetIndex(folder, tmp_path / "masks")
    assert index.position_of(1) == 1
    assert index.position_of(-1) == 2
    assert index.position_of(folder / "sub" / ".." / "img10.png") == 2
    assert index.position_of("img2.png") == 1
    with pytest.raises(ValueError, match=r"index: expected an index in \[0, 3\); got 3"):
        index.position_of(3)
    with pytest.raises(ValueError, match="not in the dataset"):
        index.position_of("/etc/passwd")
    with pytest.raises(ValueError, match="not in the dataset"):
        index.position_of("../images/img1.png")


def test_labelled_means_a_mask_file_with_a_non_zero_pixel(folder, tmp_path):
    masks = tmp_path / "masks"
    masks.mkdir()
    labelled = np.zeros((12, 20), np.uint8)
    labelled[3, 4] = 2
    save_mask(masks / "img1.png", labelled, CLASSES)
    save_mask(masks / "img2.png", np.zeros((12, 20), np.uint8), CLASSES)
    index = DatasetIndex(folder, masks)
    assert [entry.labelled for entry in index] == [True, False, False]
    assert index.labelled_count == 1


def test_labelled_status_is_cached_in_the_state_file_until_a_mask_changes(
    folder, tmp_path, monkeypatch
):
    masks = tmp_path / "masks"
    index = DatasetIndex(folder, masks)
    index.save_mask(0, np.ones((12, 20), np.uint8), CLASSES)
    index.write_state(0)
    reads = []
    original = dataset_index_module.load_mask
    monkeypatch.setattr(
        dataset_index_module, "load_mask", lambda *a, **k: reads.append(a) or original(*a, **k)
    )
    assert DatasetIndex(folder, masks).labelled_count == 1
    assert reads == []  # answered from the cache
    save_mask(masks / "img1.png", np.zeros((12, 20), np.uint8), CLASSES)
    os.utime(masks / "img1.png", ns=(1, 1))  # a different modification time
    assert DatasetIndex(folder, masks).labelled_count == 0
    assert len(reads) == 1


def test_loading_a_mask_of_another_size_names_both_sizes(folder, tmp_path):
    masks = tmp_path / "masks"
    masks.mkdir()
    save_mask(masks / "img2.png", np.zeros((7, 9), np.uint8), CLASSES)
    with pytest.warns(UserWarning, match=r"cannot read a mask: .*img2\.png.*got 9 x 7"):
        index = DatasetIndex(folder, masks)
    with pytest.raises(ValueError) as caught:
        index.load_mask(1, len(CLASSES))
    message = str(caught.value)
    assert "20 x 12 (width x height)" in message and "9 x 7 (width x height)" in message
    assert "img2.png" in message


def test_missing_mask_loads_as_none_and_saved_mask_round_trips(folder, tmp_path):
    index = DatasetIndex(folder, tmp_path / "masks", mask_format=".npy")
    assert index.load_mask(0, 3) is None
    mask = np.random.default_rng(1).integers(0, 3, (12, 20)).astype(np.uint8)
    index.save_mask(0, mask, CLASSES)
    np.testing.assert_array_equal(index.load_mask(0, 3), mask)
    np.testing.assert_array_equal(load_mask(tmp_path / "masks" / "img1.npy"), mask)
    with pytest.raises(ValueError, match=r"expected the size of image.*got 3 x 2"):
        index.save_mask(0, np.zeros((2, 3), np.uint8), CLASSES)


def test_state_file_records_the_current_image_for_resuming(folder, tmp_path):
    masks = tmp_path / "masks"
    index = DatasetIndex(folder, masks)
    assert index.resume_position() is None
    index.write_state(2)
    state = json.loads((masks / STATE_FILE_NAME).read_text())
    assert state["current"] == "img10.png"
    assert DatasetIndex(folder, masks).resume_position() == 2


def test_a_corrupt_state_file_is_ignored_with_a_warning(folder, tmp_path):
    masks = tmp_path / "masks"
    masks.mkdir()
    (masks / STATE_FILE_NAME).write_text("{not json")
    with pytest.warns(UserWarning, match="unreadable state file"):
        index = DatasetIndex(folder, masks)
    assert index.resume_position() is None
