"""A model or a function as predict(image) -> class ids: what is accepted, what is refused."""

import numpy as np
import pytest

from seg_widget.core.pre_annotation import class_mask_of, mask_predictor
from seg_widget.core.prompt_model import Prompt

from .model_helpers import FakeModel, expected_mask, fake_image


def test_integer_answers_are_class_ids():
    ids = np.array([[0, 2], [1, 0]])
    predict = mask_predictor(lambda image: ids, n_classes=3)
    result = predict(np.zeros((2, 2), np.uint8))
    assert result.dtype == np.uint8 and result.tolist() == [[0, 2], [1, 0]]


@pytest.mark.parametrize(
    "answer", [np.array([[True, False]]), np.array([[0.7, 0.3]]), np.array([[1.0, 0.0]])]
)
def test_bool_and_probability_answers_become_the_label(answer):
    predict = mask_predictor(lambda image: answer, n_classes=4, label=3)
    assert predict(np.zeros((1, 2))).tolist() == [[3, 0]]


def test_a_prompt_model_is_asked_once_per_image_with_its_prompt():
    model = FakeModel()
    prompt = Prompt.of([(4.5, 5.5)])
    predict = mask_predictor(model, n_classes=2, prompt=lambda image: prompt)
    for number in (1, 2):
        assert np.array_equal(predict(fake_image(number)), expected_mask(prompt).astype(np.uint8))
    assert model.prepared == {1: 1, 2: 1}


@pytest.mark.parametrize(
    ("answer", "message"),
    [
        (np.zeros((3, 3), int), "result: expected shape"),
        (np.full((2, 2), 5), "result: expected class ids < 3"),
        (np.full((2, 2), np.nan), "result"),
        ("a mask", "result"),
    ],
)
def test_unusable_answers_raise_a_value_error_naming_the_result(answer, message):
    with pytest.raises(ValueError, match=message):
        class_mask_of(answer, (2, 2), n_classes=3, label=1)


def test_bad_arguments_are_refused_before_any_image():
    with pytest.raises(ValueError, match="label: expected a class id in"):
        mask_predictor(lambda image: image, n_classes=2, label=2)
    with pytest.raises(ValueError, match="prompt: a prompt model needs a prompt"):
        mask_predictor(FakeModel(), n_classes=2)
    with pytest.raises(TypeError, match="model: expected a function"):
        mask_predictor(42, n_classes=2)
    with pytest.raises(ValueError, match="prompt: expected at least one point or a box"):
        mask_predictor(
            FakeModel(), n_classes=2, prompt=Prompt(np.zeros((0, 2)), np.zeros(0, int), None)
        )
