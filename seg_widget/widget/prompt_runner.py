"""The model behind the prompt tool: a `ModelSession` per source, results on the event loop.

A *source* answers the prompt tool: each ``w.on_prompt(callback)`` (a plain
``callback(image, prompt)``, run as a `FunctionModel` in a session of its own) and the model
given to ``w.use_model`` (a session the widget owns, or one shared with others, e.g. by a
`DatasetAnnotator`). The newest source answers. Every model call runs in its session's
worker thread, so a slow or failing model never holds up painting:

- **With an event loop** (a Jupyter kernel runs one) a prompt from the pointer returns at
  once; the result is handed back to the loop (``call_soon_threadsafe``) before it touches
  the widget. The status line says ``"preparing model…"`` while the image is encoded, and
  ``"waiting for the model…"`` when an answer takes longer than `SLOW_NOTICE` seconds.
- **Without one** (plain Python, tests), and for ``w.prompt(...)`` called from Python, the
  call waits for the answer (at most `WAIT_SECONDS`), as a function call would.

Only the answer to the newest request is shown: a newer prompt, a rejected or accepted
proposal, or closing the widget drops the answers still on their way. No ipywidgets here.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import logging
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..core.image_keys import array_key
from ..core.model_session import DEFAULT_MAX_BYTES, PREPARING, ModelSession, Prediction
from ..core.prompt_model import FunctionModel, as_prompt_model

logger = logging.getLogger("seg_widget")

#: Seconds before an answer still on its way is announced in the status line.
SLOW_NOTICE = 0.25
#: Longest wait (seconds) for an answer when the call waits (no event loop, or ``w.prompt``).
WAIT_SECONDS = 300.0
#: Status while an answer takes long.
WAITING = "waiting for the model…"
#: The key of the image in a session the widget owns (it holds this image only).
OWN_KEY = "image"

# What a plain callback's failures are called (the messages of the session name a model).
_CALLBACK_PREFIXES = (
    ("model failed to predict: ", "prompt callback failed: "),
    ("model failed: it returned an unusable result: ", "prompt callback failed: "),
)


@dataclass(frozen=True)
class _Source:
    origin: Any  # the callback or the model, as the user gave it
    session: ModelSession
    key: Hashable
    owned: bool  # the session is the widget's own: closed with it
    callback: bool  # a w.on_prompt callback (messages say "prompt callback")


class PromptRunner:
    """Run the newest model source on prompts; hand the answers back where they belong.

    Parameters
    ----------
    image : ndarray
        The image the models see (a read-only view is passed).
    report_progress, report_error : callable
        Say what long work runs (``""`` when done; the status line), or what went wrong
        (the message line).

    """

    def __init__(
        self,
        image: np.ndarray,
        *,
        report_progress: Callable[[str], None],
        report_error: Callable[[str], None],
    ) -> None:
        view = image.view()
        view.flags.writeable = False  # a model's in-place preprocessing must not change it
        self._image = view
        self._progress = report_progress
        self._error = report_error
        self._sources: list[_Source] = []
        self._generation = 0  # of the newest request; older answers are dropped
        self._waiting = False  # the status line shows a wait for the newest request
        self._array_key: Hashable = None

    # -- sources ----------------------------------------------------------------------------

    @property
    def has_source(self) -> bool:
        """Whether a callback or a model can answer."""
        return bool(self._sources)

    @property
    def session(self) -> ModelSession | None:
        """The session of the model given to `use_model` (None without one)."""
        for source in reversed(self._sources):
            if not source.callback:
                return source.session
        return None

    @property
    def callbacks(self) -> list[Callable[[np.ndarray, Any], Any]]:
        """The registered callbacks, oldest first."""
        return [source.origin for source in self._sources if source.callback]

    def add_callback(self, callback: Callable[[np.ndarray, Any], Any]) -> None:
        """Make ``callback(image, prompt)`` the newest source."""
        model = FunctionModel(callback)  # checks that it is callable
        session = ModelSession(model, max_bytes=DEFAULT_MAX_BYTES)
        self._sources.append(_Source(callback, session, OWN_KEY, owned=True, callback=True))

    def remove_callback(self, callback: Callable[[np.ndarray, Any], Any]) -> None:
        """Remove ``callback`` (its newest registration).

        Raises
        ------
        ValueError
            If it is not registered.

        """
        for index in range(len(self._sources) - 1, -1, -1):
            source = self._sources[index]
            if source.callback and source.origin == callback:
                self._drop(index)
                return
        raise ValueError(f"callback: expected a registered prompt callback; got {callback!r}")

    def use_model(
        self,
        model: object,
        *,
        key: Hashable = None,
        max_bytes: int = DEFAULT_MAX_BYTES,
        threshold: float = 0.5,
    ) -> ModelSession | None:
        """Answer with ``model`` (replacing the previous model); return its session.

        ``model``: a `ModelSession` (shared: used as it is, never closed here; ``key`` names
        this image in it, by default a digest of its pixels), an object with ``prepare`` and
        ``predict``, or a function ``f(image, prompt)`` (a session of the widget's own, with
        ``max_bytes`` and ``threshold``), or None to remove the model. Preparing the image
        starts at once, in the background.
        """
        for index in range(len(self._sources) - 1, -1, -1):
            if not self._sources[index].callback:
                self._drop(index)
        if model is None:
            return None
        if isinstance(model, ModelSession):
            if key is None:
                if self._array_key is None:
                    self._array_key = array_key(self._image)  # once per image
                key = self._array_key
            source = _Source(model, model, key, owned=False, callback=False)
        else:
            checked = as_prompt_model(model)  # raises TypeError naming the argument
            session = ModelSession(checked, max_bytes=max_bytes, threshold=threshold)
            source = _Source(model, session, OWN_KEY if key is None else key, True, False)
        self._sources.append(source)
        source.session.prepare(self._image, key=source.key)
        return source.session

    def close(self) -> None:
        """Drop answers on their way; close the sessions the widget owns."""
        self.cancel()
        while self._sources:
            self._drop(len(self._sources) - 1)

    # -- requests ---------------------------------------------------------------------------

    def cancel(self) -> None:
        """Drop the answers still on their way (the proposal was accepted or rejected)."""
        self._generation += 1
        self._end_wait()

    def request(self, prompt: Any, deliver: Callable[[Prediction], None], *, wait: bool) -> None:
        """Ask the newest source about ``prompt``; ``deliver(prediction)`` gets a usable answer.

        ``deliver`` runs on the caller's thread (or its event loop), only for the newest
        request, only when the model proposed pixels; failures and empty answers are
        reported instead. ``wait``: wait for the answer even when an event loop runs.

        Raises
        ------
        ValueError
            For an invalid prompt (no point and no box, non-finite numbers).

        """
        source = self._sources[-1]
        self._generation += 1
        generation = self._generation
        future = source.session.predict(self._image, prompt, key=source.key)
        # A plain callback has no encoder: only a slow answer is announced.
        preparing = not source.callback and (
            not source.session.is_prepared(source.key)
            or source.session.activity.startswith("preparing")
        )
        loop = _running_loop()
        if wait or loop is None:
            if preparing:
                self._start_wait(PREPARING)
            try:
                prediction = future.result(WAIT_SECONDS)
            except concurrent.futures.TimeoutError:
                future.cancel()
                self._end_wait()
                self._error(f"the model did not answer within {WAIT_SECONDS:.0f} s")
                return
            self._arrived(generation, prediction, source, deliver)
            return
        if preparing:
            self._start_wait(PREPARING)
        else:
            loop.call_later(SLOW_NOTICE, self._notice, generation, future)
        future.add_done_callback(
            lambda done: _hand_back(loop, self._arrived, generation, done, source, deliver)
        )

    # -- internals --------------------------------------------------------------------------

    def _arrived(
        self,
        generation: int,
        answer: Prediction | concurrent.futures.Future,
        source: _Source,
        deliver: Callable[[Prediction], None],
    ) -> None:
        if generation != self._generation:
            return  # a newer request (or a reject) made this answer stale
        prediction = answer.result() if isinstance(answer, concurrent.futures.Future) else answer
        self._end_wait()
        if prediction.status in ("superseded", "closed"):
            return
        if not prediction.ok:
            self._error(_message(prediction.message, source))
        elif prediction.region is None:
            self._error("the model proposed no pixels")
        else:
            deliver(prediction)

    def _notice(self, generation: int, future: concurrent.futures.Future) -> None:
        if generation == self._generation and not future.done():
            self._start_wait(WAITING)

    def _start_wait(self, message: str) -> None:
        self._waiting = True
        self._progress(message)

    def _end_wait(self) -> None:
        if self._waiting:
            self._waiting = False
            self._progress("")

    def _drop(self, index: int) -> None:
        source = self._sources.pop(index)
        if source.owned:
            source.session.close()


def _running_loop() -> asyncio.AbstractEventLoop | None:
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return None


def _hand_back(loop, arrived, generation, future, source, deliver) -> None:
    """Run in the worker thread when an answer is ready: queue it on the event loop."""
    try:
        loop.call_soon_threadsafe(arrived, generation, future, source, deliver)
    except RuntimeError:  # the loop closed meanwhile (the kernel is shutting down)
        logger.debug("seg-widget: a model answer arrived after the event loop closed")


def _message(message: str, source: _Source) -> str:
    if source.callback:
        for model_prefix, callback_prefix in _CALLBACK_PREFIXES:
            if message.startswith(model_prefix):
                return callback_prefix + message[len(model_prefix) :]
    return message


__all__ = ["OWN_KEY", "SLOW_NOTICE", "WAITING", "WAIT_SECONDS", "PromptRunner"]
