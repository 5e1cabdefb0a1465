"""Models in team mode and on a bucket: the prompt model works; predictions need a folder."""

from __future__ import annotations

import threading
from collections import Counter

import numpy as np
import pytest

from tests.widget.team_helpers import SHAPE, annotator, put_images, wait_until

pytestmark = pytest.mark.filterwarnings(
    "ignore:__array__ implementation doesn't accept a copy keyword:DeprecationWarning"
)


class DigestModel:
    """Counts prepare calls per image (by its pixels); answers a 3 x 3 square per point."""

    def __init__(self):
        self.prepared: Counter = Counter()
        self._lock = threading.Lock()

    def prepare(self, image):
        with self._lock:
            self.prepared[image.tobytes()] += 1
        return np.zeros((2, 2))

    def predict(self, state, prompt):
        mask = np.zeros(SHAPE, bool)
        for x, y in prompt.points_xy:
            mask[int(y) - 1 : int(y) + 2, int(x) - 1 : int(x) + 2] = True
        return mask


def _proposed(widget) -> np.ndarray:
    full = np.zeros(SHAPE, bool)
    bbox, _, footprint = widget.proposal
    full[bbox.slices] = footprint
    return full


def test_a_team_annotator_answers_the_prompt_tool_and_encodes_an_image_once(location):
    images = put_images(location, count=3)
    model = DigestModel()
    alice = annotator(location, images, "alice", prompt_model=model)
    try:
        first = alice.widget.image.tobytes()
        alice.widget.tool = "prompt"
        alice.widget.prompt([(10.5, 5.5)])
        expected = np.zeros(SHAPE, bool)
        expected[4:7, 9:12] = True
        assert np.array_equal(_proposed(alice.widget), expected)
        alice.widget.accept_proposal()
        assert alice.next() is True
        alice.go_to(0)  # the same pixels: the cached encoding answers
        alice.widget.prompt([(20.5, 12.5)])
        assert alice.widget.proposal is not None
        wait_until(lambda: _settled(alice))
        assert model.prepared[first] == 1
        assert sum(model.prepared.values()) == 2  # images 0 and 1, nothing else
    finally:
        alice.close()


def _settled(owner):
    assert owner.model_session.activity == ""


def test_pre_annotation_in_team_mode_is_refused_naming_the_store(location):
    images = put_images(location, count=2)
    alice = annotator(location, images, "alice")
    try:
        with pytest.raises(ValueError, match=r"pre_annotate: expected a local masks_dir"):
            alice.pre_annotate(lambda image: np.ones(SHAPE, np.uint8))
        with pytest.raises(ValueError, match=r"prediction_agreement: expected a local masks_dir"):
            alice.prediction_agreement()
        with pytest.raises(ValueError, match=r"show_prediction_disagreement: expected a local"):
            alice.show_prediction_disagreement()
        assert alice.predicted_count == 0
        assert not alice.widget.mask.any()  # nothing was predicted into the labels
    finally:
        alice.close()
