"""Pre-annotating a dataset: a model's prediction for every image a human has not labelled.

Pure Python (no ipywidgets); `DatasetAnnotator.pre_annotate` shows it with a progress bar.
Predictions go to `seg_widget.io.predicted_masks.PredictedMasks`, one atomic file per
image as soon as it is predicted, so an interrupted run (KeyboardInterrupt, a crash) keeps
what it did and the next run **resumes**: it skips the images predicted already (unless
``overwrite``). Images labelled by a human are never predicted over. A model that fails on
an image is recorded for that image and the run goes on.

In use (``dataset`` a folder's image list, ``store`` its predicted-mask folder)::

    plan = plan_pre_annotation(dataset, store)
    run_pre_annotation(plan, dataset, store, predict, classes)
    plan.predicted, plan.failed
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from seg_widget.core.classes import LabelClass
from seg_widget.io.dataset_index import DatasetIndex, ProgressCallback
from seg_widget.io.predicted_masks import PredictedMasks

__all__ = ["PreAnnotation", "image_stem", "plan_pre_annotation", "run_pre_annotation"]


@dataclass
class PreAnnotation:
    """The images of one pre-annotation run and what became of them (filled as it runs)."""

    #: Positions (in the dataset) of the images to predict, in order.
    positions: list[int]
    #: Images left alone: labelled by a human, or predicted already (without overwrite).
    skipped: int
    #: File names of the images predicted by this run, in order.
    predicted: list[str] = field(default_factory=list)
    #: ``{file name: reason}`` of the images the model failed on.
    failed: dict[str, str] = field(default_factory=dict)

    @property
    def done(self) -> int:
        """Images finished (predicted or failed)."""
        return len(self.predicted) + len(self.failed)

    def describe(self) -> str:
        """One line: what was predicted, failed, left to do."""
        text = f"pre-annotated {len(self.predicted)} of {len(self.positions)} images"
        if self.failed:
            text += f", {len(self.failed)} failed"
        if self.done < len(self.positions):
            text += f"; {len(self.positions) - self.done} left (run pre_annotate again to resume)"
        return text + f"; {self.skipped} skipped (labelled or predicted before)"


def image_stem(dataset: DatasetIndex, position: int) -> str:
    """Return the file stem of image ``position``: the name of its mask and its prediction."""
    return os.path.splitext(dataset[position].name)[0]


def plan_pre_annotation(
    dataset: DatasetIndex, store: PredictedMasks, *, overwrite: bool = False
) -> PreAnnotation:
    """Choose the images to predict: not labelled, and not predicted yet unless ``overwrite``."""
    positions = [
        position
        for position in range(len(dataset))
        if not dataset[position].labelled
        and (overwrite or not store.has(image_stem(dataset, position)))
    ]
    return PreAnnotation(positions, skipped=len(dataset) - len(positions))


def run_pre_annotation(
    plan: PreAnnotation,
    dataset: DatasetIndex,
    store: PredictedMasks,
    predict: Callable[[np.ndarray], np.ndarray],
    classes: Sequence[str | LabelClass],
    *,
    progress: ProgressCallback | None = None,
) -> PreAnnotation:
    """Predict and store every image of ``plan`` not done yet; return ``plan``, filled in.

    ``predict(image)`` returns the ``(H, W)`` class ids (see
    `seg_widget.core.pre_annotation.mask_predictor`). An image that cannot be read, or on
    which ``predict`` raises an Exception, is recorded in ``plan.failed``; a
    KeyboardInterrupt stops the run (everything stored so far stays) and propagates.
    """
    total = len(plan.positions)
    finished = set(plan.predicted) | set(plan.failed)
    for done, position in enumerate(plan.positions):
        entry = dataset[position]
        if entry.name in finished:
            continue
        if progress is not None:
            progress(done, total)
        try:
            mask = predict(dataset.load_image(position))
            store.write(image_stem(dataset, position), mask, classes)
        except Exception as error:  # the model's (or a file's) error: this image only
            plan.failed[entry.name] = f"{type(error).__name__}: {error}"
            continue
        plan.predicted.append(entry.name)
    if progress is not None:
        progress(total, total)
    return plan
