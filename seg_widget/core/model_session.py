"""Run a prompt model off the caller's thread: cached states, prepared ahead, errors reported.

`ModelSession` owns one worker thread that makes every call into the model, one at a time
(so models need not be thread-safe). The caller's methods only queue work and return a
`concurrent.futures.Future` at once; they never wait for the model and never raise the
model's errors. The worker's order of work:

1. a prompt whose image is prepared (the newest first);
2. preparing an image someone waits for (a prompt or `ModelSession.prepare`; newest first);
3. preparing the images queued by `ModelSession.prepare_ahead`, in order.

Per image key at most one prompt waits: a newer prompt supersedes it (its future resolves
with status ``"superseded"``), as clicks come faster than a slow decoder. A preparation
that fails is reported (``on_status`` and the futures waiting for it) and not cached, so
the next request for that image tries again. States live in a `StateCache`; states
prepared ahead never evict the current image's state nor one queued before them, and when
they do not fit the rest of the queue is dropped.

``on_status(message)`` is called (from the caller's or the worker's thread; exceptions are
logged) with ``"preparing model…"`` when a prompt has to wait for a preparation, ``""``
when the wait ends, and a message starting ``"model failed"`` when the model raised or
returned something unusable for a prompt or a preparation someone waits for.
"""

from __future__ import annotations

import logging
import os
import threading
import time
import weakref
from collections import OrderedDict, deque
from collections.abc import Callable, Hashable, Sequence
from concurrent.futures import Future, InvalidStateError
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from seg_widget.core.assist import probability_proposal
from seg_widget.core.bbox import BBox
from seg_widget.core.image import load_image
from seg_widget.core.image_keys import array_key, file_key
from seg_widget.core.prompt_model import Prompt, as_prompt, as_prompt_model, state_nbytes
from seg_widget.core.state_cache import StateCache

__all__ = ["DEFAULT_MAX_BYTES", "PREPARING", "ModelSession", "Prediction", "Preparation"]

logger = logging.getLogger("seg_widget")

#: Default byte budget of the state cache (512 MiB).
DEFAULT_MAX_BYTES = 512 << 20

#: The status message while a prompt waits for the model to prepare.
PREPARING = "preparing model…"

#: An image for the model: an array, a file path (read with `load_image`) or a function
#: returning an array (called in the worker thread, so loading is off the caller's thread).
ImageSource = np.ndarray | str | os.PathLike | Callable[[], np.ndarray]


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


class ModelSession:
    """A prompt model with a per-image state cache and a background preparer.

    Parameters
    ----------
    model : PromptModel or callable
        An object with ``prepare(image)`` and ``predict(state, prompt)``, or a function
        ``f(image, prompt)`` (see `seg_widget.core.prompt_model.as_prompt_model`).
    max_bytes : int
        Byte budget of the state cache (see `seg_widget.core.state_cache.StateCache`).
    on_status : callable, optional
        ``on_status(message)``: see the module docstring.
    threshold : float
        Probability from which a pixel of a float prediction is in, in ``(0, 1]``.

    Examples
    --------
    >>> from seg_widget.core.prompt_model import Prompt
    >>> image = np.zeros((4, 6), np.uint8)
    >>> with ModelSession(lambda image, prompt: image == 0) as session:
    ...     prediction = session.predict(image, Prompt.of([(1, 1)]), key="a").result(10)
    >>> prediction.status, prediction.region[0]
    ('done', BBox(row0=0, row1=4, col0=0, col1=6))

    """

    def __init__(
        self,
        model: object,
        *,
        max_bytes: int = DEFAULT_MAX_BYTES,
        on_status: Callable[[str], Any] | None = None,
        threshold: float = 0.5,
    ) -> None:
        if on_status is not None and not callable(on_status):
            raise TypeError(f"on_status: expected a callable; got {type(on_status).__name__}")
        probability_proposal(np.zeros((1, 1), bool), (1, 1), threshold=threshold)  # checks it
        self._worker = _Worker(
            as_prompt_model(model), StateCache(max_bytes), on_status, float(threshold)
        )
        # Dropping the session stops its worker (which holds no reference to the session).
        self._finalizer = weakref.finalize(self, self._worker.close)

    @property
    def model(self) -> Any:
        """The model (a plain function appears wrapped in a `FunctionModel`)."""
        return self._worker.model

    @property
    def cache(self) -> StateCache:
        """The prepared states by image key (read it; the worker fills it)."""
        return self._worker.cache

    def is_prepared(self, key: Hashable) -> bool:
        """Return True if the state of ``key`` is in the cache."""
        return key in self._worker.cache

    @property
    def activity(self) -> str:
        """What the model does now, e.g. ``"preparing 'a.png' for 3.2 s"``; ``""`` if idle."""
        return self._worker.activity()

    def predict(
        self, image: ImageSource, prompt: object, *, key: Hashable = None
    ) -> Future[Prediction]:
        """Queue ``prompt`` on ``image``; the future resolves with a `Prediction`, never an error.

        ``key`` identifies the image (default: `file_key` of a path, `array_key` of an
        array; required for a function). Raises only for invalid arguments.
        """
        checked = as_prompt(prompt)
        source, key = _source_and_key(image, key)
        return self._worker.submit_prediction(key, source, checked)

    def prepare(self, image: ImageSource, *, key: Hashable = None) -> Future[Preparation]:
        """Prepare ``image`` now (before the first prompt); resolves with a `Preparation`."""
        source, key = _source_and_key(image, key)
        return self._worker.submit_preparation(key, source)

    def prepare_ahead(
        self, images: Sequence[ImageSource], *, keys: Sequence[Hashable] | None = None
    ) -> None:
        """Replace the queue of images to prepare when idle (e.g. the next few of a folder).

        Images already prepared are skipped; a preparation running now finishes.
        """
        if keys is not None and len(keys) != len(images):
            raise ValueError(f"keys: expected one key per image ({len(images)}); got {len(keys)}")
        items = [
            _source_and_key(image, None if keys is None else keys[index])
            for index, image in enumerate(images)
        ]
        self._worker.set_ahead([(key, source) for source, key in items])

    def cancel_ahead(self) -> None:
        """Forget the images queued by `prepare_ahead` (one being prepared finishes)."""
        self._worker.set_ahead([])

    def close(self, timeout: float | None = 0.0) -> bool:
        """Stop: queued work resolves as ``"closed"``; wait up to ``timeout`` s for the worker.

        Returns True if the worker has stopped. A model call in progress cannot be
        interrupted: the worker ends after it. By default this does not wait; ``None`` waits
        as long as the call takes (never from the worker itself, e.g. in a future's callback).
        """
        self._worker.close()
        return self._worker.join(timeout)

    def __enter__(self) -> ModelSession:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def _source_and_key(image: object, key: Hashable) -> tuple[Any, Hashable]:
    if isinstance(image, (str, os.PathLike)):
        path = os.fspath(image)
        return (lambda: load_image(path)), (file_key(path) if key is None else key)
    if isinstance(image, np.ndarray):
        return image, (array_key(image) if key is None else key)
    if callable(image):
        if key is None:
            raise ValueError("key: expected a key for an image given as a function; got None")
        return image, key
    raise TypeError(
        f"image: expected an array, a file path or a function returning an array; "
        f"got {type(image).__name__}"
    )


@dataclass
class _Job:
    source: Any
    prompt: Prompt
    future: Future


@dataclass
class _Wait:
    source: Any
    futures: list[Future] = field(default_factory=list)


class _Worker:
    """The queues and the thread; every queue is guarded by ``self._cond``."""

    def __init__(
        self, model: Any, cache: StateCache, on_status: Callable | None, threshold: float
    ) -> None:
        self.model = model
        self.cache = cache
        self._on_status = on_status
        self._threshold = threshold
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
        future: Future = Future()
        with self._cond:
            if self._closed:
                return _resolved(future, Prediction(key, prompt, "closed"))
            old = self._prompts.pop(key, None)
            self._prompts[key] = _Job(source, prompt, future)
            self._current = key
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
        future: Future = Future()
        with self._cond:
            if self._closed:
                return _resolved(future, Preparation(key, "closed"))
            self._current = key
            if key in self.cache:
                return _resolved(future, Preparation(key, "ready"))
            wait = self._wanted.setdefault(key, _Wait(source))
            wait.source = source
            wait.futures.append(future)
            self._wanted.move_to_end(key)
            self._start()
        return future

    def set_ahead(self, items: list[tuple[Hashable, Any]]) -> None:
        with self._cond:
            if self._closed:
                return
            self._ahead = deque(items)
            self._ahead_order = [key for key, _ in items]
            if items:
                self._start()

    def activity(self) -> str:
        with self._cond:
            if self._running is None:
                return ""
            what, key, since = self._running
            return f"{what} {key!r} for {time.monotonic() - since:.1f} s"

    def close(self) -> None:
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
                    self._cond.wait()
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
        while self._ahead:
            key, source = self._ahead.popleft()
            if key not in self.cache:
                return ("preparing", key, source, [], False)
        return None

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
