"""A fake two-stage model and a session fixture for the model-session tests."""

from __future__ import annotations

import threading
import time
from collections import Counter

import numpy as np

#: Every fake image is this size; its pixel [0, 0] is its number.
SHAPE = (12, 16)
#: What one fake state holds: a (4, 4) float64 array.
STATE_BYTES = 4 * 4 * 8


def fake_image(number: int) -> np.ndarray:
    """A uint8 image whose pixel [0, 0] is ``number`` (the fake model reads it back)."""
    image = np.zeros(SHAPE, np.uint8)
    image[0, 0] = number
    return image


def expected_mask(prompt) -> np.ndarray:
    """What `FakeModel.predict` answers: a 3 x 3 square around each positive point."""
    mask = np.zeros(SHAPE, bool)
    for (x, y), label in zip(prompt.points_xy, prompt.point_labels, strict=True):
        if label:
            row, col = int(y), int(x)
            mask[max(row - 1, 0) : row + 2, max(col - 1, 0) : col + 2] = True
    return mask


class FakeModel:
    """Counts prepare calls per image number; can be held at a gate or made to fail.

    ``gate``: a threading.Event that `prepare` waits for (a slow encoder);
    ``predict_gate``: one that `predict` waits for (a slow decoder).
    ``failures``: how many of the first prepare calls raise.
    ``predict_error``: an exception `predict` raises; ``wrong_result``: return a bad array.
    """

    def __init__(
        self, *, gate=None, predict_gate=None, failures=0, predict_error=None, wrong_result=False
    ):
        self.prepared = Counter()
        self.predict_gate = predict_gate
        self.predicting = threading.Event()
        self.predictions = 0
        self.gate = gate
        self.failures = failures
        self.predict_error = predict_error
        self.wrong_result = wrong_result
        self.started = threading.Event()
        self._lock = threading.Lock()

    def prepare(self, image):
        number = int(image[0, 0])
        with self._lock:
            self.prepared[number] += 1
            fail = self.failures > 0
            self.failures -= fail
        self.started.set()
        if self.gate is not None:
            assert self.gate.wait(10), "test gate never opened"
        if fail:
            raise RuntimeError("encoder ran out of memory")
        return np.full((4, 4), number, np.float64)  # measured by its nbytes

    def predict(self, state, prompt):
        with self._lock:
            self.predictions += 1
        self.predicting.set()
        if self.predict_gate is not None:
            assert self.predict_gate.wait(10), "test gate never opened"
        if self.predict_error is not None:
            raise self.predict_error
        if self.wrong_result:
            return np.zeros((3, 3))
        return expected_mask(prompt)


def wait_until(condition, what: str, timeout: float = 10.0) -> None:
    """Poll ``condition()`` until true; fail naming ``what`` after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.005)
