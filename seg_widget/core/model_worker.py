"""The worker thread of `seg_widget.core.model_session.ModelSession`: its queues and results.

Everything here runs the model; the session only queues work. See the session's module
docstring for the order of work, the statuses and what the cache keeps.
"""

from __future__ import annotations

import logging
import math
import threading
import time
from collections import OrderedDict, deque
from collections.abc import Callable, Hashable
from concurrent.futures import Future, InvalidStateError
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from seg_widget.core.assist import probability_proposal
from seg_widget.core.bbox import BBox
from seg_widget.core.prompt_model import Prompt, state_nbytes
from seg_widget.core.state_cache import StateCache

__all__ = ["PREPARING", "ModelWorker", "Prediction", "Preparation"]

logger = logging.getLogger("seg_widget")

#: The status message while a prompt waits for the model to prepare.
PREPARING = "preparing model…"


@dataclass(frozen=True)
class Prediction:
    """What a prompt gave: ``status`` ``"done"``, ``"failed"``, ``"superseded"`` or ``"closed"``."""

    #: The image key the prompt was for.
    key: Hashable
    #: The prompt, as checked.
    prompt: Prompt
    #: How it ended.
    status: str
    #: ``(bbox, footprint)``: the tight box of the predicted pixels and a bool array of its
    #: shape; None if nothing was predicted (or the prompt failed).
    region: tuple[BBox, np.ndarray] | None = None
    #: The image's ``(H, W)``, when known.
    shape: tuple[int, int] | None = None
    #: What went wrong, or ``"the model proposed no pixels"``; ``""`` otherwise.
    message: str = ""

    @property
    def ok(self) -> bool:
        """True if the model answered with a usable result (possibly no pixels)."""
        return self.status == "done"

    def mask(self) -> np.ndarray | None:
        """Return the prediction as a full ``(H, W)`` bool mask, or None if the prompt failed."""
        if not self.ok or self.shape is None:
            return None
        full = np.zeros(self.shape, dtype=bool)
        if self.region is not None:
            bbox, footprint = self.region
            full[bbox.slices] = footprint
        return full


@dataclass(frozen=True)
class Preparation:
    """What `ModelSession.prepare` gave: ``status`` ``"ready"``, ``"failed"`` or ``"closed"``."""

    #: The image key.
    key: Hashable
    #: How it ended.
    status: str
    #: What went wrong, ``""`` otherwise.
    message: str = ""


@dataclass
class _Job:
    source: Any
    prompt: Prompt
    future: Future


@dataclass
class _Wait:
    source: Any
    futures: list[Future] = field(default_factory=list)


class ModelWorker:
    """The queues and the thread of one session; every queue is guarded by ``self._cond``."""

    def __init__(
        self,
        model: Any,
        cache: StateCache,
        on_status: Callable | None,
        threshold: float,
        ahead_idle: float = 0.0,
    ) -> None:
        self.model = model
        self.cache = cache
        self._on_status = on_status
        self._threshold = threshold
        self._ahead_idle = ahead_idle
        self._last_request = -math.inf  # time.monotonic() of the last prompt or preparation
        self._cond = threading.Condition()
        self._prompts: OrderedDict[Hashable, _Job] = OrderedDict()  # oldest first
        self._wanted: OrderedDict[Hashable, _Wait] = OrderedDict()  # oldest first
        self._ahead: deque[tuple[Hashable, Any]] = deque()
        self._ahead_order: list[Hashable] = []
        self._current: Hashable = None
        self._running: tuple[str, Hashable, float] | None = None
        self._waiting_shown = False
        self._closed = False
        self._thread: threading.Thread | None = None

    # -- called from the caller's thread ------------------------------------------------

    def submit_prediction(self, key: Hashable, source: Any, prompt: Prompt) -> Future:
        """Queue a prompt (superseding one waiting for ``key``); return its future."""
        future: Future = Future()
        with self._cond:
            if self._closed:
                return _resolved(future, Prediction(key, prompt, "closed"))
            old = self._prompts.pop(key, None)
            self._prompts[key] = _Job(source, prompt, future)
            self._current = key
            self._last_request = time.monotonic()
            must_wait = key not in self.cache or (
                self._running is not None and self._running[0] == "preparing"
            )
            if key not in self.cache:
                self._wanted.setdefault(key, _Wait(source)).source = source
                self._wanted.move_to_end(key)
            self._waiting_shown |= must_wait
            self._start()
        if old is not None:
            _resolved(old.future, Prediction(key, old.prompt, "superseded"))
        if must_wait:
            self._status(PREPARING)
        return future

    def submit_preparation(self, key: Hashable, source: Any) -> Future:
        """Queue the preparation of ``key`` ahead of prepared-ahead work; return its future."""
        future: Future = Future()
        with self._cond:
            if self._closed:
                return _resolved(future, Preparation(key, "closed"))
            self._current = key
            self._last_request = time.monotonic()
            if key in self.cache:
                return _resolved(future, Preparation(key, "ready"))
            wait = self._wanted.setdefault(key, _Wait(source))
            wait.source = source
            wait.futures.append(future)
            self._wanted.move_to_end(key)
            self._start()
        return future

    def set_ahead(self, items: list[tuple[Hashable, Any]]) -> None:
        """Replace the queue of ``(key, source)`` to prepare when idle."""
        with self._cond:
            if self._closed:
                return
            self._ahead = deque(items)
            self._ahead_order = [key for key, _ in items]
            if items:
                self._start()

    def activity(self) -> str:
        """Describe the model call in progress, or return ``""``."""
        with self._cond:
            if self._running is None:
                return ""
            what, key, since = self._running
            return f"{what} {key!r} for {time.monotonic() - since:.1f} s"

    def close(self) -> None:
        """Stop taking work; resolve everything queued as ``"closed"``."""
        with self._cond:
            self._closed = True
            jobs, waits = list(self._prompts.items()), list(self._wanted.items())
            self._prompts.clear()
            self._wanted.clear()
            self._ahead.clear()
            self._cond.notify_all()
        for key, job in jobs:
            _resolved(job.future, Prediction(key, job.prompt, "closed"))
        for key, wait in waits:
            for future in wait.futures:
                _resolved(future, Preparation(key, "closed"))

    def join(self, timeout: float | None) -> bool:
        """Wait up to ``timeout`` s (None: no limit) for the thread; True if it stopped."""
        thread = self._thread
        if thread is None:
            return True
        if thread is not threading.current_thread() and (timeout is None or timeout > 0):
            thread.join(timeout)
        return not thread.is_alive()

    # -- the worker thread --------------------------------------------------------------

    def _start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="seg-widget-model", daemon=True)
            self._thread.start()
        self._cond.notify_all()

    def _run(self) -> None:
        while True:
            with self._cond:
                task = self._take()
                while task is None and not self._closed:
                    self._cond.wait(self._ahead_delay())
                    task = self._take()
                if self._closed:
                    return
                self._running = (task[0], task[1], time.monotonic())
            try:
                if task[0] == "predicting":
                    self._predict(*task[1:])
                else:
                    self._prepare(*task[1:])
            finally:
                with self._cond:
                    self._running = None

    def _take(self) -> tuple | None:
        """Return the next task, by the order of the module docstring (under the lock)."""
        if self._closed:
            return None
        for key in reversed(self._prompts):
            if key in self.cache:
                job = self._prompts.pop(key)
                state, shape = self.cache.get(key)
                return ("predicting", key, job, state, shape)
        for key, job in self._prompts.items():  # a state evicted since the prompt came
            if key not in self._wanted:
                self._wanted[key] = _Wait(job.source)
        while self._wanted:
            key, wait = self._wanted.popitem(last=True)
            if key in self.cache:  # prepared meanwhile (ahead)
                for future in wait.futures:
                    _resolved(future, Preparation(key, "ready"))
                continue
            return ("preparing", key, wait.source, wait.futures, True)
        if self._ahead and self._ahead_delay():
            return None  # the user is active: a model call now could hold up their next one
        while self._ahead:
            key, source = self._ahead.popleft()
            if key not in self.cache:
                return ("preparing", key, source, [], False)
        return None

    def _ahead_delay(self) -> float | None:
        """Seconds until work ahead may start (0: now); None without work ahead."""
        if not self._ahead:
            return None
        return max(0.0, self._last_request + self._ahead_idle - time.monotonic())

    def _prepare(self, key: Hashable, source: Any, futures: list[Future], required: bool) -> None:
        try:
            image = source() if callable(source) else source
            if not isinstance(image, np.ndarray) or image.ndim < 2:
                raise TypeError(f"expected an image array; got {type(image).__name__}")
            state = self.model.prepare(image)
            nbytes = state_nbytes(state, self.model)
            error = None
        except Exception as caught:  # the model's (or loader's) error: reported, not raised
            logger.warning("seg-widget: preparing %r failed", key, exc_info=True)
            error = f"model failed to prepare the image: {type(caught).__name__}: {caught}"
        with self._cond:
            if error is None and not self._closed:
                protect = {self._current}
                if key in self._ahead_order:
                    protect.update(self._ahead_order[: self._ahead_order.index(key)])
                if not self.cache.put(
                    key, (state, image.shape[:2]), nbytes, optional=not required, protect=protect
                ):
                    logger.info("seg-widget: states prepared ahead exceed the cache budget")
                    self._ahead.clear()
            failed = []
            if error is not None and required:
                job = self._prompts.pop(key, None)
                failed = [job] if job is not None else []
                late = self._wanted.pop(key, None)  # asked again while it ran: next request retries
                futures = futures + (late.futures if late is not None else [])
                self._waiting_shown = bool(self._prompts)
        outcome = Preparation(key, "ready") if error is None else Preparation(key, "failed", error)
        for future in futures:
            _resolved(future, outcome)
        for job in failed:
            _resolved(job.future, Prediction(key, job.prompt, "failed", message=error or ""))
        if error is not None and required:
            self._status(error)

    def _predict(self, key: Hashable, job: _Job, state: Any, shape: tuple[int, int]) -> None:
        if not job.future.set_running_or_notify_cancel():
            return  # the caller cancelled it
        try:
            result = self.model.predict(state, job.prompt)
        except Exception as caught:
            logger.warning("seg-widget: the model failed on a prompt", exc_info=True)
            self._finish(
                job,
                Prediction(
                    key,
                    job.prompt,
                    "failed",
                    shape=shape,
                    message=f"model failed to predict: {type(caught).__name__}: {caught}",
                ),
            )
            return
        try:
            region = probability_proposal(result, shape, threshold=self._threshold)
        except Exception as wrong:  # anything the model returned that is not a mask
            message = f"model failed: it returned an unusable result: {wrong}"
            self._finish(job, Prediction(key, job.prompt, "failed", shape=shape, message=message))
            return
        message = "" if region is not None else "the model proposed no pixels"
        self._finish(job, Prediction(key, job.prompt, "done", region, shape, message))

    def _finish(self, job: _Job, prediction: Prediction) -> None:
        with self._cond:
            clear = self._waiting_shown and not self._prompts
            if clear:
                self._waiting_shown = False
        try:
            job.future.set_result(prediction)
        except InvalidStateError:  # resolved elsewhere meanwhile
            pass
        if not prediction.ok:
            self._status(prediction.message)
        elif clear:
            self._status("")

    def _status(self, message: str) -> None:
        if self._on_status is None:
            return
        try:
            self._on_status(message)
        except Exception:
            logger.exception("seg-widget: on_status(%r) failed", message)


def _resolved(future: Future, value: object) -> Future:
    try:
        future.set_result(value)
    except InvalidStateError:  # cancelled by the caller, or already resolved
        pass
    return future
