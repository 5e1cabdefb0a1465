"""Pre-annotating a dataset folder: which images, one file each, failures recorded, resumable."""

import numpy as np
import pytest
from PIL import Image

from seg_widget.io import save_mask
from seg_widget.io.dataset_index import DatasetIndex
from seg_widget.io.pre_annotation import plan_pre_annotation, run_pre_annotation
from seg_widget.io.predicted_masks import PredictedMasks

CLASSES = ["unlabelled", "cell"]


@pytest.fixture
def dataset(tmp_path):
    images = tmp_path / "images"
    images.mkdir()
    for number in range(6):
        Image.fromarray(np.full((4, 5), number * 10, np.uint8)).save(images / f"i{number}.png")
    masks = tmp_path / "masks"
    masks.mkdir()
    save_mask(masks / "i1.png", np.ones((4, 5), np.uint8), CLASSES)  # labelled by a human
    save_mask(masks / "i2.png", np.zeros((4, 5), np.uint8), CLASSES)  # saved empty
    return DatasetIndex(images, masks)


def _brighter_than(level):
    return lambda image: (image >= level).astype(np.uint8)


def test_every_image_without_labels_is_predicted_once(dataset):
    store = PredictedMasks(dataset.masks_dir, ".png")
    plan = plan_pre_annotation(dataset, store)
    assert [dataset[p].name for p in plan.positions] == [
        "i0.png",
        "i2.png",
        "i3.png",
        "i4.png",
        "i5.png",
    ]
    progress = []
    run_pre_annotation(
        plan, dataset, store, _brighter_than(30), CLASSES, progress=lambda *a: progress.append(a)
    )
    assert plan.predicted == ["i0.png", "i2.png", "i3.png", "i4.png", "i5.png"]
    assert progress[0] == (0, 5) and progress[-1] == (5, 5)
    assert store.read("i4", (4, 5), 2).all() and not store.read("i2", (4, 5), 2).any()
    assert plan_pre_annotation(dataset, store).positions == []  # nothing left
    assert len(plan_pre_annotation(dataset, store, overwrite=True).positions) == 5


def test_a_failing_image_is_recorded_and_the_rest_predicted(dataset):
    store = PredictedMasks(dataset.masks_dir, ".png")

    def model(image):
        if image[0, 0] == 30:
            raise MemoryError("out of memory")
        return np.zeros((4, 5), np.uint8)

    plan = run_pre_annotation(plan_pre_annotation(dataset, store), dataset, store, model, CLASSES)
    assert plan.failed == {"i3.png": "MemoryError: out of memory"}
    assert len(plan.predicted) == 4 and not store.has("i3")
    assert plan.describe().startswith("pre-annotated 4 of 5 images, 1 failed")


def test_an_interrupted_run_stores_what_it_did_and_a_second_run_continues_it(dataset):
    store = PredictedMasks(dataset.masks_dir, ".png")
    calls, stop_at = [], [3]

    def model(image):
        calls.append(int(image[0, 0]))
        if len(calls) == stop_at[0]:
            raise KeyboardInterrupt
        return np.ones((4, 5), np.uint8)

    plan = plan_pre_annotation(dataset, store)
    with pytest.raises(KeyboardInterrupt):
        run_pre_annotation(plan, dataset, store, model, CLASSES)
    assert plan.predicted == ["i0.png", "i2.png"]
    assert "3 left (run pre_annotate again to resume)" in plan.describe()
    calls.clear()
    stop_at[0] = None
    again = run_pre_annotation(plan_pre_annotation(dataset, store), dataset, store, model, CLASSES)
    assert calls == [30, 40, 50] and again.predicted == ["i3.png", "i4.png", "i5.png"]
