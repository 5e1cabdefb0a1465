"""The strict YOLO label reader: bad files are refused naming the file and the line."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from skimage.measure import label

from seg_widget.core.outline import polygon_footprint
from seg_widget.io.yolo_labels import (
    AREA_BUDGET,
    bridged_polygon,
    load_yolo_labels,
    max_label_bytes,
    read_yolo_labels,
    yolo_label_lines,
)

TRIANGLE = "0.1 0.1 0.9 0.1 0.5 0.9"


def _labels(tmp_path, text, name="a.txt"):
    path = tmp_path / name
    path.write_bytes(text.encode("utf-8") if isinstance(text, str) else text)
    return path


def test_a_valid_file_gives_one_object_per_line(tmp_path):
    path = _labels(tmp_path, f"0 {TRIANGLE}\n1\t0 0  1 0 1 1 0 1\r\n")
    objects = read_yolo_labels(path, (10, 10), n_classes=2)
    assert [(o.class_index, o.line, len(o.polygon_xy)) for o in objects] == [
        (0, 1, 3),
        (1, 2, 4),
    ]
    assert objects[1].polygon_xy.tolist() == [[0, 0], [1, 0], [1, 1], [0, 1]]


def test_an_empty_file_has_no_objects(tmp_path):
    assert read_yolo_labels(_labels(tmp_path, ""), (10, 10), n_classes=1) == []


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (f"0 {TRIANGLE} abc", r"line 1: expected a decimal number; got 'abc'"),
        (f"0 {TRIANGLE} nan nan", r"line 1: expected a decimal number; got 'nan'"),
        (f"0 {TRIANGLE} 1_0 1", r"line 1: expected a decimal number; got '1_0'"),
        (f"1.0 {TRIANGLE}", r"line 1: expected a class index \(0, 1, \.\.\.\); got '1.0'"),
        (f"\u0663 {TRIANGLE}", r"line 1: expected a class index"),
        (f"0 {TRIANGLE}\n0 0.1 0.1 1.5 0.1 0.5 0.9", r"line 2: coordinate x2 = 1.5 is outside"),
        ("0 0.1 -0.2 0.9 0.1 0.5 0.9", r"line 1: coordinate y1 = -0.2 is outside \[0, 1\]"),
        (f"3 {TRIANGLE}", r"line 1: unknown class index 3; expected 0..1 \(2 classes\)"),
        (f"0 {TRIANGLE} 0.5", r"line 1: odd number of coordinates \(7\); expected x y pairs"),
        ("0 0.5 0.5 0.2 0.2", r"line 1: 2 points; .* at least 3 \(a detection box"),
        ("0", r"line 1: 0 points; a polygon needs at least 3"),
        (f"0 {TRIANGLE}\n\n0 {TRIANGLE}\n", r"line 2: blank line"),
    ],
)
def test_malformed_lines_are_refused_naming_file_and_line(tmp_path, text, message):
    path = _labels(tmp_path, text)
    with pytest.raises(ValueError, match=rf"a\.txt, {message}"):
        read_yolo_labels(path, (10, 10), n_classes=2)


def test_a_file_that_is_not_utf8_is_refused(tmp_path):
    path = _labels(tmp_path, b"0 0.1 0.1 0.9 \xff 0.5 0.9")
    with pytest.raises(ValueError, match=r"a\.txt: expected UTF-8 text"):
        read_yolo_labels(path, (10, 10), n_classes=1)


def test_a_file_too_large_for_its_image_is_refused_before_reading(tmp_path):
    limit = max_label_bytes((10, 10))
    line = f"0 {TRIANGLE}\n"
    path = _labels(tmp_path, line * (limit // len(line) + 1))
    with pytest.raises(ValueError, match=rf"at most {limit} bytes for a 10x10 image; the file"):
        read_yolo_labels(path, (10, 10), n_classes=1)
    assert read_yolo_labels(path, (100, 100), n_classes=1)[-1].line == limit // len(line) + 1


def test_filling_is_bounded_by_the_image_area(tmp_path):
    whole = "0 0 0 1 0 1 1 0 1\n"
    path = _labels(tmp_path, whole * (AREA_BUDGET + 1))
    with pytest.raises(ValueError, match=rf"line {AREA_BUDGET + 1}: the polygons cover more"):
        load_yolo_labels(path, (8, 8), ["unlabelled", "cat"])
    path = _labels(tmp_path, whole * AREA_BUDGET)
    assert load_yolo_labels(path, (8, 8), ["unlabelled", "cat"]).mask.all()


def test_a_hostile_number_is_refused_without_backtracking(tmp_path):
    path = _labels(tmp_path, "0 0.1 0.1 0.9 0.1 0.5 " + "1" * 200_000 + "x")
    with pytest.raises(ValueError, match="expected a decimal number"):
        read_yolo_labels(path, (1000, 1000), n_classes=1)


def test_later_lines_paint_over_earlier_ones_and_hidden_objects_are_dropped(tmp_path):
    path = _labels(tmp_path, "0 0 0 1 0 1 1 0 1\n1 0 0 0.5 0 0.5 1 0 1\n0 0 0 1 0 1 1 0 1\n")
    annotation = load_yolo_labels(path, (4, 4), ["unlabelled", "cat", "dog"])
    assert annotation.mask.tolist() == [[1] * 4] * 4
    assert [(i.id, i.class_id) for i in annotation.instances] == [(3, 1)]
    assert (annotation.instance_map == 3).all()


def test_bridges_join_a_hole_without_filling_it():
    outer = np.array([[0, 0], [0, 8], [8, 8], [8, 0]], float)
    hole = np.array([[2, 5], [5, 5], [5, 2], [2, 2]], float)
    _, inside = polygon_footprint(bridged_polygon([outer, hole]), (8, 8))
    expected = np.ones((8, 8), bool)
    expected[2:5, 2:5] = False
    assert np.array_equal(inside, expected)


def test_label_lines_carry_the_class_index_minus_one_and_enough_decimals():
    mask = np.zeros((30000, 3), np.uint8)
    mask[12345, 1] = 3
    (line,) = yolo_label_lines(mask, ["u", "a", "b", "c"])
    index, *numbers = line.split()
    assert index == "2"
    rows = np.array(numbers[1::2], float) * 30000
    assert sorted(set(np.round(rows, 2))) == [12345.0, 12345.5, 12346.0]
    assert np.abs(rows * 2 - np.round(rows * 2)).max() < 0.02  # 7 decimals: within 0.01 px


@settings(max_examples=100)
@given(
    st.integers(1, 14).flatmap(
        lambda height: st.integers(1, 14).flatmap(
            lambda width: st.lists(
                st.integers(0, 3), min_size=height * width, max_size=height * width
            ).map(lambda values: np.array(values, np.uint8).reshape(height, width))
        )
    ),
    st.booleans(),
)
def test_any_mask_round_trips_exactly_through_label_lines(tmp_path_factory, mask, merge_parts):
    # Objects: 8-connected regions of one class; optionally every region of a class is one
    # object (several parts, corner contacts, holes and islands all occur at random).
    instances = label(mask, background=0, connectivity=2).astype(np.uint32)
    if merge_parts:
        instances = np.where(mask > 0, mask, 0).astype(np.uint32)
    lines = yolo_label_lines(mask, ["u", "a", "b", "c"], instances)
    path = tmp_path_factory.mktemp("labels") / "a.txt"
    path.write_text("".join(line + "\n" for line in lines))
    annotation = load_yolo_labels(path, mask.shape, ["u", "a", "b", "c"])
    assert np.array_equal(annotation.mask, mask)
    for object_id in np.unique(instances[instances > 0]):  # every labelled pixel has one
        found = np.unique(annotation.instance_map[instances == object_id])
        assert found.size == 1
        assert np.array_equal(annotation.instance_map == found[0], instances == object_id)
