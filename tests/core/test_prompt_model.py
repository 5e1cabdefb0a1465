"""The prompt-model protocol: prompts checked, functions wrapped, state sizes measured."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pytest

from seg_widget.core.prompt_model import (
    FunctionModel,
    Prompt,
    PromptModel,
    as_prompt,
    as_prompt_model,
    state_nbytes,
)


def test_prompt_defaults_every_point_to_positive():
    prompt = Prompt.of([(1, 2), (3.5, 4)])
    assert prompt.points_xy.tolist() == [[1.0, 2.0], [3.5, 4.0]]
    assert prompt.point_labels.tolist() == [1, 1]
    assert prompt.box_xyxy is None


def test_a_box_alone_is_a_prompt_with_no_points():
    prompt = Prompt.of(box_xyxy=(1, 2, 5, 6))
    assert prompt.points_xy.shape == (0, 2)
    assert prompt.box_xyxy.tolist() == [1.0, 2.0, 5.0, 6.0]


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({}, "prompt: expected at least one point or a box; got neither"),
        ({"points_xy": [(1, 2, 3)]}, r"points_xy: expected an \(N, 2\) array"),
        ({"points_xy": [(1, np.nan)]}, "points_xy: expected finite numbers"),
        ({"points_xy": [(1, 2)], "point_labels": [2]}, "point_labels: expected 0 or 1"),
        ({"points_xy": [(1, 2)], "point_labels": [1, 0]}, "point_labels: expected 1 labels"),
        ({"box_xyxy": (5, 0, 1, 3)}, "box_xyxy: expected .* x0 <= x1 and y0 <= y1; got"),
        ({"box_xyxy": (0, 0, 1)}, "box_xyxy: expected"),
        ({"points_xy": "abc"}, "points_xy: expected an .* of numbers"),
    ],
)
def test_bad_prompts_are_refused_naming_the_argument(arguments, message):
    with pytest.raises(ValueError, match=message):
        Prompt.of(**arguments)


def test_any_object_with_the_three_attributes_is_a_prompt():
    @dataclass
    class WidgetPrompt:
        points_xy: np.ndarray
        point_labels: np.ndarray
        box_xyxy: object

    prompt = as_prompt(WidgetPrompt(np.array([[2.0, 3.0]]), np.array([0]), None))
    assert isinstance(prompt, Prompt) and prompt.point_labels.tolist() == [0]
    with pytest.raises(TypeError, match=r"prompt: expected a Prompt .*; got str"):
        as_prompt("click")


def test_a_function_becomes_a_model_whose_state_is_the_image():
    image = np.arange(6).reshape(2, 3)
    model = as_prompt_model(lambda picture, prompt: picture > 2)
    assert isinstance(model, FunctionModel) and isinstance(model, PromptModel)
    state = model.prepare(image)
    assert state is image
    assert model.predict(state, Prompt.of([(0, 0)])).tolist() == [[False] * 3, [True] * 3]


def test_an_object_with_prepare_and_predict_is_used_as_it_is():
    class Model:
        def prepare(self, image):
            return image

        def predict(self, state, prompt):
            return state

    model = Model()
    assert as_prompt_model(model) is model
    with pytest.raises(TypeError, match="model: expected an object with prepare"):
        as_prompt_model(3)


def test_state_size_is_the_model_s_own_measure_when_it_has_one():
    class Model:
        def state_nbytes(self, state):
            return 12345

    assert state_nbytes(np.zeros(10), Model()) == 12345


def test_state_size_counts_arrays_inside_containers_and_objects_once():
    @dataclass
    class Embedding:
        features: np.ndarray
        size: tuple

    features = np.zeros((64, 64), np.float32)
    state = {"embedding": Embedding(features, (480, 640)), "again": features, "raw": b"x" * 100}
    measured = state_nbytes(state)
    assert features.nbytes + 100 <= measured < features.nbytes + 100 + 1000


def test_state_size_uses_nbytes_of_foreign_arrays():
    class Tensor:
        nbytes = 4096

    class OldTensor:
        def element_size(self):
            return 4

        def nelement(self):
            return 1000

    assert state_nbytes(Tensor()) == 4096
    assert state_nbytes([OldTensor()]) == 4000


def test_a_model_s_invalid_state_size_is_an_error_naming_it():
    class Model:
        def state_nbytes(self, state):
            return -1

    with pytest.raises(ValueError, match=r"model.state_nbytes: expected an int >= 0; got -1"):
        state_nbytes(None, Model())
