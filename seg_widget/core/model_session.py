"""Run a prompt model off the caller's thread: cached states, prepared ahead, errors reported.

`ModelSession` owns one worker thread that makes every call into the model, one at a time
(so models need not be thread-safe). The caller's methods only queue work and return a
`concurrent.futures.Future` at once; they never wait for the model and never raise the
model's errors. The worker's order of work:

1. a prompt whose image is prepared (the newest first);
2. preparing an image someone waits for (a prompt or `ModelSession.prepare`; newest first);
3. preparing the images queued by `ModelSession.prepare_ahead`, in order, once no prompt
   or preparation was asked for during ``ahead_idle`` seconds (a model call cannot be
   interrupted: work ahead started while the user clicks would hold up their clicks).

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

import math
import os
import weakref
from collections.abc import Callable, Hashable, Sequence
from concurrent.futures import Future
from typing import Any

import numpy as np

from seg_widget.core.assist import probability_proposal
from seg_widget.core.image import load_image
from seg_widget.core.image_keys import array_key, file_key
from seg_widget.core.model_worker import PREPARING, ModelWorker, Prediction, Preparation
from seg_widget.core.prompt_model import as_prompt, as_prompt_model
from seg_widget.core.state_cache import StateCache

__all__ = [
    "DEFAULT_AHEAD_IDLE",
    "DEFAULT_MAX_BYTES",
    "PREPARING",
    "ModelSession",
    "Prediction",
    "Preparation",
]

#: Default byte budget of the state cache (512 MiB).
DEFAULT_MAX_BYTES = 512 << 20
#: Default pause (seconds without a request) before work ahead starts.
DEFAULT_AHEAD_IDLE = 1.0

#: An image for the model: an array, a file path (read with `load_image`) or a function
#: returning an array (called in the worker thread, so loading is off the caller's thread).
ImageSource = np.ndarray | str | os.PathLike | Callable[[], np.ndarray]


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
    ahead_idle : float
        Seconds without a prompt or a `prepare` request before the images of
        `prepare_ahead` are prepared. A model call in progress cannot be interrupted, so
        work ahead waits until the user pauses rather than hold up their next click.

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
        ahead_idle: float = DEFAULT_AHEAD_IDLE,
    ) -> None:
        if on_status is not None and not callable(on_status):
            raise TypeError(f"on_status: expected a callable; got {type(on_status).__name__}")
        probability_proposal(np.zeros((1, 1), bool), (1, 1), threshold=threshold)  # checks it
        if isinstance(ahead_idle, bool) or not isinstance(ahead_idle, (int, float)):
            raise TypeError(f"ahead_idle: expected a number; got {type(ahead_idle).__name__}")
        if not 0 <= ahead_idle < math.inf:
            raise ValueError(f"ahead_idle: expected a finite number >= 0; got {ahead_idle}")
        self._worker = ModelWorker(
            as_prompt_model(model),
            StateCache(max_bytes),
            on_status,
            float(threshold),
            float(ahead_idle),
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
