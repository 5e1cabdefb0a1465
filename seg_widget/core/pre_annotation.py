"""A model or a function as ``predict(image) -> class mask``, for pre-annotating images.

`mask_predictor` accepts:

- a function ``f(image)`` returning an ``(H, W)`` integer array of class ids, or a bool
  mask or float probabilities in ``[0, 1]`` (the pixels in become class ``label``);
- with ``prompt``: a prompt model (``prepare`` / ``predict``, see
  `seg_widget.core.prompt_model`) or a function ``f(image, prompt)``, asked once per image
  with ``prompt`` — a `Prompt`, or a function ``image -> Prompt`` (e.g. a box around the
  whole image); its answer (bool or probabilities) becomes class ``label``.

Every answer is checked (`class_mask_of`): another size, NaN, values out of range or ids
that are not classes raise a ValueError naming ``result``.
"""

from __future__ import annotations

from collections.abc import Callable
from numbers import Integral

import numpy as np

from seg_widget.core.assist import probability_proposal
from seg_widget.core.classes import mask_dtype
from seg_widget.core.labels import validate_mask
from seg_widget.core.prompt_model import as_prompt, as_prompt_model

__all__ = ["class_mask_of", "mask_predictor"]


def mask_predictor(
    model: object,
    *,
    n_classes: int,
    prompt: object = None,
    label: int = 1,
    threshold: float = 0.5,
) -> Callable[[np.ndarray], np.ndarray]:
    """Return ``predict(image) -> (H, W) class ids`` (see the module docstring).

    Raises
    ------
    TypeError
        If ``model`` is not callable (nor a prompt model with ``prompt``), or ``prompt`` is
        neither a prompt nor a function.
    ValueError
        If ``label`` is not a class id from 1, or a prompt model comes without ``prompt``.

    Examples
    --------
    >>> predict = mask_predictor(lambda image: image > 100, n_classes=3, label=2)
    >>> predict(np.array([[50, 150]], np.uint8))
    array([[0, 2]], dtype=uint8)

    """
    if isinstance(label, bool) or not isinstance(label, Integral) or not 1 <= label < n_classes:
        raise ValueError(f"label: expected a class id in [1, {n_classes}); got {label!r}")
    if prompt is None:
        if callable(getattr(model, "prepare", None)) and callable(getattr(model, "predict", None)):
            raise ValueError(
                "prompt: a prompt model needs a prompt for each image, e.g. "
                "prompt=Prompt.of(box_xyxy=...) or prompt=lambda image: Prompt.of(...); got None"
            )
        if not callable(model):
            raise TypeError(
                "model: expected a function f(image) returning a mask, or a prompt model with "
                f"prompt=...; got {type(model).__name__}"
            )

        def predict(image: np.ndarray) -> np.ndarray:
            return class_mask_of(
                model(image), image.shape[:2], n_classes=n_classes, label=label, threshold=threshold
            )

        return predict
    prompt_model = as_prompt_model(model)
    if not callable(prompt):
        as_prompt(prompt)  # checks it now, before the first image

    def predict_with_prompt(image: np.ndarray) -> np.ndarray:
        checked = as_prompt(prompt(image) if callable(prompt) else prompt)
        result = prompt_model.predict(prompt_model.prepare(image), checked)
        return class_mask_of(
            result, image.shape[:2], n_classes=n_classes, label=label, threshold=threshold
        )

    return predict_with_prompt


def class_mask_of(
    result: object, shape: tuple[int, int], *, n_classes: int, label: int, threshold: float = 0.5
) -> np.ndarray:
    """Return a model's answer as class ids: integers as they are, bool / floats as ``label``.

    Raises
    ------
    ValueError
        Naming ``result``: another shape, ids that are not classes, NaN or probabilities
        outside ``[0, 1]``, or anything that is not an array of numbers.

    Examples
    --------
    >>> class_mask_of(np.array([[0.2, 0.9]]), (1, 2), n_classes=2, label=1)
    array([[0, 1]], dtype=uint8)

    """
    try:
        array = np.asarray(result)
    except (TypeError, ValueError) as error:
        raise ValueError(f"result: expected an array; got {error}") from None
    if array.dtype.kind in "iu":
        try:
            return validate_mask(array, shape=shape, n_classes=n_classes, argument="result")
        except TypeError as error:
            raise ValueError(str(error)) from None
    region = probability_proposal(array, shape, threshold=threshold)
    mask = np.zeros(shape, dtype=mask_dtype(n_classes))
    if region is not None:
        bbox, footprint = region
        mask[bbox.slices][footprint] = label
    return mask
