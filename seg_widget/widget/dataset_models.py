"""The models of a `DatasetAnnotator`: a prompt model prepared ahead, and predictions.

- **Prompt model:** one `ModelSession` for the whole folder, handed to each image's widget
  (keyed by the image file, `seg_widget.core.image_keys.file_key`). When an image opens,
  its state is prepared at once and the next images (in the direction of the last move,
  skipping what Next would skip) are queued to be prepared in the background, so the
  encoder has usually run before the user gets there.
- **Predictions** (`seg_widget.io.predicted_masks`): `pre_annotate` stores a model's masks
  apart from the human ones; opening a predicted image shows its prediction as a proposal
  (accept, then edit; or reject); `show_disagreement` proposes the prediction where it
  differs from the mask (model vs human; the team's annotator-vs-annotator view is
  `seg_widget.widget.disagreement.DisagreementView`); `agreement` compares predictions
  with the human masks. Predictions need a local ``masks_dir`` (a `DatasetIndex`); the
  prompt model works with every session (folder, bucket, team).

No folder logic here beyond gluing `seg_widget.io` to the widgets. The exports
(`seg_widget.io.dataset_export`) read the human masks only, so predictions never leave.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator, Sequence
from numbers import Integral
from typing import Any

from ..core.agreement import AgreementReport, compare_masks
from ..core.classes import LabelClass
from ..core.image_keys import file_key
from ..core.model_session import DEFAULT_MAX_BYTES, ModelSession
from ..core.pre_annotation import mask_predictor
from ..io.dataset_index import DatasetIndex
from ..io.image_list import is_url
from ..io.pre_annotation import PreAnnotation, image_stem, plan_pre_annotation, run_pre_annotation
from ..io.predicted_masks import PredictedMasks
from .dataset_controls import NavigationBar
from .segmentation_widget import SegmentationWidget

#: Images prepared ahead of the current one by default.
DEFAULT_AHEAD = 2
#: Failed images named in the warning after a pre-annotation run.
NAMED_FAILURES = 3
#: Said when an image opens with a model's prediction as a proposal.
PREDICTION_HINT = "model prediction: Enter accepts (then edit), Escape rejects"

#: ``upcoming(direction)``: the positions Next (+1) or Previous (-1) would open, nearest first.
Upcoming = Callable[[int], Iterator[int]]


class DatasetModels:
    """The annotator's model session and predictions store.

    Parameters
    ----------
    dataset : DatasetIndex, StoreDataset or TeamDataset
        The annotator's images and masks (predictions: a `DatasetIndex` only).
    classes : sequence of LabelClass
        The label classes.
    nav : NavigationBar
        Where progress and short messages show.
    warn : callable
        ``warn(message)``: show a warning (the annotator's warnings area).

    """

    def __init__(
        self,
        dataset: Any,
        classes: Sequence[LabelClass],
        nav: NavigationBar,
        *,
        warn: Callable[[str], Any],
    ) -> None:
        self._dataset = dataset
        self._nav = nav
        self._classes = tuple(classes)
        self._warn = warn
        self._store: PredictedMasks | None = None
        if isinstance(dataset, DatasetIndex):
            paths = [dataset[position].path for position in range(len(dataset))]
            self._store = PredictedMasks(
                dataset.masks_dir,
                dataset.mask_format,
                image_paths=[path for path in paths if not is_url(path)],
            )
        self._session: ModelSession | None = None
        self._owned = False
        self._ahead = DEFAULT_AHEAD
        self._position = -1

    # -- the prompt model -------------------------------------------------------------------

    @property
    def session(self) -> ModelSession | None:
        """The session answering the prompt tool on every image, or None."""
        return self._session

    def use_model(
        self,
        model: object,
        *,
        max_bytes: int = DEFAULT_MAX_BYTES,
        ahead: int = DEFAULT_AHEAD,
        threshold: float = 0.5,
    ) -> ModelSession | None:
        """Use ``model`` (a prompt model, a function, a `ModelSession`, or None) from now on."""
        if isinstance(ahead, bool) or not isinstance(ahead, Integral):
            raise TypeError(f"ahead: expected an int >= 0; got {type(ahead).__name__} {ahead!r}")
        if ahead < 0:
            raise ValueError(f"ahead: expected an int >= 0; got {ahead!r}")
        if model is None:
            session, owned = None, False
        elif isinstance(model, ModelSession):
            session, owned = model, False
        else:
            session = ModelSession(model, max_bytes=max_bytes, threshold=threshold)
            owned = True
        self.close()
        self._session, self._owned, self._ahead = session, owned, int(ahead)
        return session

    def attach(self, position: int, widget: SegmentationWidget, upcoming: Upcoming) -> None:
        """Give ``widget`` (image ``position``) the session; queue the images ahead.

        Ahead = the next ones in the direction of the last move (forward at first).
        """
        direction = -1 if position < self._position else +1
        self._position = position
        session = self._session
        if session is None:
            return
        path = self._dataset[position].path
        widget.use_model(session, key=_key_of(path))
        paths, keys = [], []
        for later in itertools.islice(upcoming(direction), self._ahead):
            later_path = self._dataset[later].path
            key = _key_of(later_path)
            if key is not None:
                paths.append(later_path)
                keys.append(key)
        session.prepare_ahead(paths, keys=keys)

    def opened(self, position: int, widget: SegmentationWidget, upcoming: Upcoming) -> None:
        """Image ``position`` just opened in ``widget``: model, images ahead, its prediction."""
        self.attach(position, widget, upcoming)
        if self.show_prediction(position, widget):
            self._add_status(PREDICTION_HINT)

    def close(self) -> None:
        """Stop the session if the annotator made it."""
        if self._session is not None and self._owned:
            self._session.close()
        self._session, self._owned = None, False

    # -- predictions ------------------------------------------------------------------------

    @property
    def predicted_count(self) -> int:
        """Images with a prediction and no human labels."""
        return sum(self.is_predicted(position) for position in range(len(self._dataset)))

    def is_predicted(self, position: int) -> bool:
        """Whether image ``position`` has a prediction and no human labels."""
        if self._store is None:
            return False
        entry = self._dataset[position]
        return not entry.labelled and self._store.has(image_stem(self._dataset, position))

    def show_prediction(self, position: int, widget: SegmentationWidget) -> bool:
        """Propose the prediction of a predicted image in its widget; return whether shown."""
        if not self.is_predicted(position):
            return False
        prediction = self._read(position)
        if prediction is None or not prediction.any():
            return False
        widget.propose_mask(prediction)
        return True

    def pre_annotate(
        self,
        model: object,
        position: int,
        widget: SegmentationWidget,
        *,
        prompt: object,
        label: int,
        overwrite: bool,
        threshold: float,
    ) -> PreAnnotation:
        """Predict every image without human labels (see `seg_widget.io.pre_annotation`).

        With a progress bar; an interruption says how far it got and propagates. Afterwards
        the current image (``position``, in ``widget``) shows its new prediction.
        """
        store = self._require_store("pre_annotate")
        predict = mask_predictor(
            model, n_classes=len(self._classes), prompt=prompt, label=label, threshold=threshold
        )
        plan = plan_pre_annotation(self._dataset, store, overwrite=overwrite)
        try:
            with self._nav.progress_bar("Pre-annotating") as progress:
                run_pre_annotation(
                    plan, self._dataset, store, predict, self._classes, progress=progress
                )
        except KeyboardInterrupt:
            self._nav.show_status("interrupted: " + plan.describe())
            raise
        if plan.failed:
            named = "; ".join(
                f"{name}: {reason}" for name, reason in list(plan.failed.items())[:NAMED_FAILURES]
            )
            more = len(plan.failed) - NAMED_FAILURES
            self._warn(
                f"pre-annotation failed on {len(plan.failed)} image(s): {named}"
                + (f"; and {more} more" if more > 0 else "")
            )
        if widget.proposal is None and self.show_prediction(position, widget):
            self._add_status(PREDICTION_HINT)
        else:
            self._nav.show_status(plan.describe())
        return plan

    def show_disagreement(self, position: int, widget: SegmentationWidget) -> int:
        """Propose the prediction where it differs from the widget's mask; return those pixels.

        Raises
        ------
        ValueError
            If the image has no prediction.

        """
        self._require_store("show_prediction_disagreement")
        prediction = self._read(position)
        if prediction is None:
            raise ValueError(
                f"image: expected an image with a prediction; {self._dataset[position].name} "
                "has none (annotator.pre_annotate(...) makes them)"
            )
        differs = prediction != widget.mask
        if differs.any():
            widget.propose_mask(prediction, where=differs)
        return int(differs.sum())

    def agreement(self) -> AgreementReport:
        """Compare each prediction with the human mask of its image (labelled images only)."""
        store = self._require_store("prediction_agreement")
        rows = []
        for position in range(len(self._dataset)):
            if not store.has(image_stem(self._dataset, position)):
                continue
            stored = self._dataset.read(position, self._classes)
            if stored.mask is None or not stored.mask.any():
                continue
            prediction = self._read(position)
            if prediction is None:
                continue
            rows.append(
                compare_masks(
                    prediction,
                    stored.mask,
                    n_classes=len(self._classes),
                    image=self._dataset[position].name,
                    annotators=("model", "human"),
                )
            )
        return AgreementReport(tuple(c.name for c in self._classes), tuple(rows))

    def _require_store(self, action: str) -> PredictedMasks:
        if self._store is None:
            raise ValueError(
                f"{action}: expected a local masks_dir (predictions are kept in "
                f"masks_dir/predicted/); got {self._dataset.masks_dir!r}, a store or a team's"
            )
        return self._store

    def _add_status(self, text: str) -> None:
        current = self._nav.status_text
        self._nav.show_status(f"{current}; {text}" if current else text)

    def _read(self, position: int):
        if self._store is None:
            return None
        entry = self._dataset[position]
        try:
            return self._store.read(
                image_stem(self._dataset, position), entry.shape, len(self._classes)
            )
        except ValueError as error:
            self._warn(f"cannot read the prediction of {entry.name}: {error}")
            return None


def _key_of(path: str):
    try:
        return file_key(path)
    except ValueError:  # removed since the folder was scanned: opening it will say so
        return None
