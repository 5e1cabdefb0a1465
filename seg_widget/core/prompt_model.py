"""Promptable models in two halves: ``prepare`` an image once, ``predict`` once per prompt.

Segment-Anything-like models spend most of their time encoding the image (seconds) and
little decoding a click or a box (milliseconds). A `PromptModel` says so by splitting the
work::

    state = model.prepare(image)          # the encoder: once per image
    mask = model.predict(state, prompt)   # the decoder: per click / box

``predict`` returns an ``(H, W)`` bool mask or a float probability map in ``[0, 1]`` (see
`seg_widget.core.assist.probability_proposal`, which checks it). `ModelSession
<seg_widget.core.model_session.ModelSession>` caches the states per image and prepares
them ahead in a thread. A plain function ``f(image, prompt)`` (a ``w.on_prompt`` callback)
is a model whose ``prepare`` only keeps the image: `as_prompt_model` wraps it.

A model may also define ``state_nbytes(state) -> int``, the memory its state holds, for the
cache's byte budget; otherwise `state_nbytes` measures it (see there).
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass, fields, is_dataclass
from numbers import Integral
from typing import Any, Protocol, runtime_checkable

import numpy as np

__all__ = [
    "FunctionModel",
    "Prompt",
    "PromptModel",
    "as_prompt",
    "as_prompt_model",
    "state_nbytes",
]

#: `state_nbytes` stops measuring after visiting this many objects (see there).
MAX_MEASURED_OBJECTS = 10_000


@dataclass(frozen=True)
class Prompt:
    """Points and a box, in image coordinates ``(x = col, y = row)`` as Segment Anything takes them.

    Attributes
    ----------
    points_xy : ndarray
        ``(N, 2)`` float ``(x, y)`` of the clicked points.
    point_labels : ndarray
        ``(N,)`` int: 1 for a positive point (the object), 0 for a negative one.
    box_xyxy : ndarray or None
        ``(4,)`` float ``(x0, y0, x1, y1)`` with ``x0 <= x1``, ``y0 <= y1``, or None.

    Examples
    --------
    >>> prompt = Prompt.of([(3.5, 2.5)], box_xyxy=(0, 0, 8, 6))
    >>> prompt.point_labels, prompt.box_xyxy
    (array([1]), array([0., 0., 8., 6.]))

    """

    points_xy: np.ndarray
    point_labels: np.ndarray
    box_xyxy: np.ndarray | None

    @classmethod
    def of(
        cls,
        points_xy: object = (),
        point_labels: object = None,
        box_xyxy: object = None,
    ) -> Prompt:
        """Return a checked prompt; ``point_labels`` defaults to all positive.

        Raises
        ------
        ValueError
            Naming the argument: points not ``(N, 2)`` finite numbers, labels other than 0/1
            or not one per point, a box not 4 finite numbers with ``x0 <= x1, y0 <= y1``, or
            neither a point nor a box.

        """
        points = _finite(points_xy, "points_xy", "an (N, 2) array of (x, y)")
        if points.size == 0:
            points = points.reshape(0, 2)
        if points.ndim != 2 or points.shape[1] != 2:
            raise ValueError(
                f"points_xy: expected an (N, 2) array of (x, y); got shape {points.shape}"
            )
        if point_labels is None:
            labels = np.ones(len(points), dtype=int)
        else:
            labels = np.asarray(point_labels)
            if labels.dtype.kind not in "biu" or labels.shape != (len(points),):
                raise ValueError(
                    f"point_labels: expected {len(points)} labels (one per point) of 0 or 1; "
                    f"got {labels.dtype} of shape {labels.shape}"
                )
            if not np.isin(labels, (0, 1)).all():
                raise ValueError(f"point_labels: expected 0 or 1; got {np.unique(labels)}")
            labels = labels.astype(int)
        box = None
        if box_xyxy is not None:
            box = _finite(box_xyxy, "box_xyxy", "(x0, y0, x1, y1)")
            if box.shape != (4,) or box[0] > box[2] or box[1] > box[3]:
                raise ValueError(
                    f"box_xyxy: expected (x0, y0, x1, y1) with x0 <= x1 and y0 <= y1; "
                    f"got {box.tolist()}"
                )
        if len(points) == 0 and box is None:
            raise ValueError("prompt: expected at least one point or a box; got neither")
        return cls(points, labels, box)


def as_prompt(prompt: object) -> Prompt:
    """Return ``prompt`` as a checked `Prompt`; any object with its three attributes will do.

    (The widget's own prompt record has the same attributes.)
    """
    if isinstance(prompt, Prompt):
        return Prompt.of(prompt.points_xy, prompt.point_labels, prompt.box_xyxy)
    try:
        parts = (prompt.points_xy, prompt.point_labels, prompt.box_xyxy)  # type: ignore[attr-defined]
    except AttributeError:
        raise TypeError(
            "prompt: expected a Prompt (points_xy, point_labels, box_xyxy); "
            f"got {type(prompt).__name__}"
        ) from None
    return Prompt.of(*parts)


@runtime_checkable
class PromptModel(Protocol):
    """What `ModelSession <seg_widget.core.model_session.ModelSession>` drives.

    ``prepare`` and ``predict`` are called from one worker thread, one call at a time, so a
    model need not be thread-safe; they may take as long as they need and may raise (the
    session reports the error and retries the image on the next request).
    """

    def prepare(self, image: np.ndarray) -> Any:
        """Return the per-image state (an embedding, features, ...): the costly half."""
        ...

    def predict(self, state: Any, prompt: Prompt) -> np.ndarray:
        """Return an ``(H, W)`` bool mask or float probabilities in [0, 1] for ``prompt``."""
        ...


class FunctionModel:
    """A plain ``function(image, prompt)`` as a `PromptModel`: ``prepare`` keeps the image.

    The state is the image itself (not a copy): the cache counts its bytes, since holding
    the state keeps the image alive.

    Examples
    --------
    >>> model = FunctionModel(lambda image, prompt: image > 0)
    >>> state = model.prepare(np.array([[0, 5]]))
    >>> model.predict(state, Prompt.of([(1, 0)]))
    array([[False,  True]])

    """

    def __init__(self, function: Callable[[np.ndarray, Prompt], Any]) -> None:
        if not callable(function):
            raise TypeError(
                f"function: expected a callable f(image, prompt); got {type(function).__name__}"
            )
        #: The wrapped ``function(image, prompt)``.
        self.function = function

    def prepare(self, image: np.ndarray) -> np.ndarray:
        """Return ``image``: a function has no separate encoder."""
        return image

    def predict(self, state: np.ndarray, prompt: Prompt) -> Any:
        """Return ``function(image, prompt)``."""
        return self.function(state, prompt)

    def __repr__(self) -> str:
        return f"FunctionModel({self.function!r})"


def as_prompt_model(model: object) -> PromptModel:
    """Return ``model`` if it has ``prepare`` and ``predict``, or a callable wrapped as one.

    Raises
    ------
    TypeError
        If ``model`` is neither.

    Examples
    --------
    >>> as_prompt_model(lambda image, prompt: image > 0)  # doctest: +ELLIPSIS
    FunctionModel(<function <lambda> at ...>)

    """
    if callable(getattr(model, "prepare", None)) and callable(getattr(model, "predict", None)):
        return model  # type: ignore[return-value]
    if callable(model):
        return FunctionModel(model)  # type: ignore[arg-type]
    raise TypeError(
        "model: expected an object with prepare(image) and predict(state, prompt), or a "
        f"function f(image, prompt); got {type(model).__name__}"
    )


def state_nbytes(state: object, model: object = None) -> int:
    """Return the bytes a prepared state holds, for the cache's budget.

    ``model.state_nbytes(state)`` if the model defines it (it must return an int >= 0).
    Otherwise the state is measured: numpy arrays count ``nbytes`` (a view counts its own
    elements, not its base's); any object with an integer ``nbytes`` (PyTorch, JAX, CuPy
    arrays) counts that, and PyTorch tensors without it ``element_size() * nelement()``;
    ``bytes``-like objects their length; dicts, lists, tuples and sets the sum of their
    items (and keys); dataclasses and plain objects the sum of their attributes. Anything
    else counts ``sys.getsizeof``. Each object counts once, however often it is referenced,
    and measuring stops after `MAX_MEASURED_OBJECTS` objects (an underestimate: a model with
    such states should define ``state_nbytes``).

    Raises
    ------
    ValueError
        If ``model.state_nbytes`` returns something other than an int >= 0.

    Examples
    --------
    >>> state_nbytes({"features": np.zeros((4, 256), np.float32), "size": (480, 640)}) >= 4096
    True

    """
    measure = getattr(model, "state_nbytes", None)
    if callable(measure):
        value = measure(state)
        if isinstance(value, (bool, np.bool_)) or not isinstance(value, Integral) or value < 0:
            raise ValueError(f"model.state_nbytes: expected an int >= 0; got {value!r}")
        return int(value)
    return _measure(state)


def _measure(root: object) -> int:
    total, seen, stack = 0, set(), [root]
    while stack and len(seen) < MAX_MEASURED_OBJECTS:
        item = stack.pop()
        if id(item) in seen:
            continue
        seen.add(id(item))
        if isinstance(item, np.ndarray):
            total += item.nbytes
        elif isinstance(item, (bytes, bytearray)):
            total += len(item)
        elif isinstance(item, memoryview):
            total += item.nbytes
        elif isinstance(getattr(item, "nbytes", None), int):
            total += item.nbytes  # type: ignore[union-attr]
        elif callable(getattr(item, "element_size", None)) and callable(
            getattr(item, "nelement", None)
        ):
            total += int(item.element_size()) * int(item.nelement())  # type: ignore[union-attr]
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, (list, tuple, set, frozenset)):
            stack.extend(item)
        elif is_dataclass(item) and not isinstance(item, type):
            stack.extend(getattr(item, field.name) for field in fields(item))
        elif hasattr(item, "__dict__") and not isinstance(item, type):
            stack.extend(vars(item).values())
        else:
            total += sys.getsizeof(item)
    return total


def _finite(value: object, argument: str, expected: str) -> np.ndarray:
    try:
        array = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        raise ValueError(f"{argument}: expected {expected} of numbers; got {value!r:.80}") from None
    if not np.isfinite(array).all():
        raise ValueError(f"{argument}: expected finite numbers; got {array.tolist()!r:.80}")
    return array
