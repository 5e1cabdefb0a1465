"""Predictions stored apart from the human masks: found again, atomic, inside masks_dir."""

import os

import numpy as np
import pytest

from seg_widget.io import load_mask
from seg_widget.io.predicted_masks import PREDICTED_FOLDER, PredictedMasks

CLASSES = ["unlabelled", "cell", "debris"]


def _mask():
    mask = np.zeros((6, 8), np.uint8)
    mask[1:3, 2:5] = 1
    mask[4, 6] = 2
    return mask


def test_a_prediction_is_a_mask_file_in_the_predicted_folder(tmp_path):
    store = PredictedMasks(tmp_path, ".png")
    assert not (tmp_path / PREDICTED_FOLDER).exists()  # made on the first write only
    store.write("cat_1", _mask(), CLASSES)
    assert np.array_equal(load_mask(tmp_path / PREDICTED_FOLDER / "cat_1.png"), _mask())
    assert np.array_equal(store.read("cat_1", (6, 8), 3), _mask())
    assert store.has("cat_1") and len(store) == 1
    assert not os.path.exists(tmp_path / "cat_1.png")  # never where the human mask goes


@pytest.mark.parametrize("mask_format", [".png", ".npy", ".npz"])
def test_predictions_are_found_again_by_a_new_store(tmp_path, mask_format):
    PredictedMasks(tmp_path, mask_format).write("b", _mask(), CLASSES)
    (tmp_path / PREDICTED_FOLDER / ".hidden.png").write_bytes(b"")
    again = PredictedMasks(tmp_path, mask_format)
    assert again.has("b") and len(again) == 1
    assert np.array_equal(again.read("b", (6, 8), 3), _mask())


def test_remove_forgets_a_prediction(tmp_path):
    store = PredictedMasks(tmp_path, ".png")
    store.write("a", _mask(), CLASSES)
    store.remove("a")
    store.remove("a")  # twice: nothing to do
    assert not store.has("a") and store.read("a", (6, 8), 3) is None


def test_a_prediction_of_another_size_is_refused_naming_both(tmp_path):
    store = PredictedMasks(tmp_path, ".png")
    store.write("a", _mask(), CLASSES)
    with pytest.raises(ValueError, match=r"a\.png"):
        store.read("a", (7, 8), 3)


def test_a_predicted_folder_linked_outside_masks_dir_is_refused(tmp_path):
    masks, outside = tmp_path / "masks", tmp_path / "elsewhere"
    masks.mkdir()
    outside.mkdir()
    os.symlink(outside, masks / PREDICTED_FOLDER)
    with pytest.raises(ValueError, match="expected a file inside masks_dir"):
        PredictedMasks(masks, ".png")


def test_a_prediction_may_never_be_one_of_the_images(tmp_path):
    (tmp_path / PREDICTED_FOLDER).mkdir()
    image = tmp_path / PREDICTED_FOLDER / "a.png"
    store = PredictedMasks(tmp_path, ".png", image_paths=[str(image)])
    with pytest.raises(ValueError, match="apart from the images"):
        store.write("a", _mask(), CLASSES)


def test_an_unknown_format_is_refused(tmp_path):
    with pytest.raises(ValueError, match="mask_format: expected one of"):
        PredictedMasks(tmp_path, ".jpg")
