import colorsys
import re

import numpy as np
import pytest
from skimage.color import deltaE_ciede2000, rgb2lab

from seg_widget.core import (
    DEFAULT_PALETTE,
    LabelClass,
    mask_dtype,
    normalize_classes,
    parse_color,
)
from seg_widget.core.hierarchy import parent_ids


def test_default_palette_has_at_least_20_distinct_colours():
    assert len(DEFAULT_PALETTE) >= 20
    assert len(set(DEFAULT_PALETTE)) == len(DEFAULT_PALETTE)
    assert all(
        len(c) == 3 and all(isinstance(v, int) and 0 <= v <= 255 for v in c)
        for c in DEFAULT_PALETTE
    )


def test_default_palette_colours_are_saturated_and_not_dark():
    for color in DEFAULT_PALETTE:
        _, saturation, value = colorsys.rgb_to_hsv(*(v / 255 for v in color))
        assert saturation >= 0.6, color
        assert value >= 0.6, color


def test_default_palette_colours_are_perceptually_far_apart():
    lab = rgb2lab(np.array(DEFAULT_PALETTE, dtype=float)[np.newaxis] / 255)[0]
    distances = deltaE_ciede2000(lab[:, np.newaxis], lab[np.newaxis, :])
    np.fill_diagonal(distances, np.inf)
    assert distances.min() > 12


@pytest.mark.parametrize(
    ("color", "expected"),
    [
        ("red", (255, 0, 0)),
        ("CornflowerBlue", (100, 149, 237)),
        ("#0f0", (0, 255, 0)),
        ("#123456", (0x12, 0x34, 0x56)),
        ("#12345678", (0x12, 0x34, 0x56)),
        ("rgb(1, 2, 3)", (1, 2, 3)),
        ((1, 2, 3), (1, 2, 3)),
        ([0, 128, 255], (0, 128, 255)),
        (np.array([4, 5, 6], dtype=np.uint8), (4, 5, 6)),
        ((np.int64(7), np.int32(8), np.uint16(9)), (7, 8, 9)),
        ((1.0, 0.5, 0.0), (255, 128, 0)),
        (np.array([0.0, 1.0, 0.2]), (0, 255, 51)),
        ((1, 0.5, 0), (255, 128, 0)),
    ],
)
def test_parse_color_accepts_names_strings_and_triples(color, expected):
    result = parse_color(color)
    assert result == expected
    assert all(type(v) is int for v in result)


def test_parse_color_unknown_name_is_a_value_error_naming_the_argument():
    with pytest.raises(ValueError, match=r"^fill: expected a CSS colour name.*; got 'redish'$"):
        parse_color("redish", argument="fill")


def test_parse_color_wrong_type_is_a_type_error():
    with pytest.raises(
        TypeError, match=r"^color: expected a colour name or 3 numbers .*; got int$"
    ):
        parse_color(255)


def test_parse_color_rejects_bool_components():
    with pytest.raises(TypeError, match=r"color: expected 3 numbers \(r, g, b\); got bool"):
        parse_color((True, False, True))


def test_parse_color_rejects_integers_above_255():
    with pytest.raises(
        ValueError, match=re.escape("color: expected integer components in 0..255; got (0, 256, 0)")
    ):
        parse_color((0, 256, 0))


def test_parse_color_rejects_floats_outside_0_1():
    with pytest.raises(ValueError, match=r"color: expected float components in \[0, 1\]"):
        parse_color((1.5, 0.0, 0.0))


def test_parse_color_rejects_nan():
    with pytest.raises(ValueError, match="color: expected float components"):
        parse_color((float("nan"), 0.0, 0.0))


def test_parse_color_rejects_four_components():
    with pytest.raises(
        ValueError, match=re.escape("color: expected 3 components (r, g, b); got (1, 2, 3, 4)")
    ):
        parse_color((1, 2, 3, 4))


def test_normalize_classes_turns_names_into_label_classes_with_palette_colours():
    classes = normalize_classes(["background", "cat", "dog"])
    assert classes == (
        LabelClass("background", (0, 0, 0)),
        LabelClass("cat", DEFAULT_PALETTE[0]),
        LabelClass("dog", DEFAULT_PALETTE[1]),
    )


def test_normalize_classes_stores_black_for_class_0_whatever_its_colour():
    assert normalize_classes([LabelClass("bg", color="white")])[0].color == (0, 0, 0)


def test_normalize_classes_resolves_given_colours_and_keeps_the_parent():
    classes = normalize_classes(["bg", "cat", LabelClass("ear", color="#00ff00", parent="cat")])
    assert classes[2] == LabelClass("ear", (0, 255, 0), "cat")


def test_normalize_classes_cycles_the_palette_after_its_end():
    n = len(DEFAULT_PALETTE)
    classes = normalize_classes([f"c{i}" for i in range(n + 3)])
    assert classes[n + 1].color == DEFAULT_PALETTE[0]
    assert classes[n + 2].color == DEFAULT_PALETTE[1]


def test_normalize_classes_accepts_65536_classes():
    assert len(normalize_classes([str(i) for i in range(65536)])) == 65536


def test_normalize_classes_rejects_a_string():
    with pytest.raises(
        TypeError, match=r"^classes: expected a list of class names or LabelClass objects; got str$"
    ):
        normalize_classes("cat")


def test_normalize_classes_rejects_an_empty_list():
    with pytest.raises(ValueError, match=r"^classes: expected 1 to 65536 classes .*; got 0$"):
        normalize_classes([])


def test_normalize_classes_rejects_more_than_65536_classes():
    with pytest.raises(ValueError, match=r"classes: expected 1 to 65536 classes .*; got 65537$"):
        normalize_classes([str(i) for i in range(65537)])


def test_normalize_classes_error_names_the_item_of_wrong_type():
    with pytest.raises(TypeError, match=r"^classes\[2\]: expected a str or LabelClass; got int$"):
        normalize_classes(["bg", "cat", 3])


def test_normalize_classes_rejects_an_empty_name():
    with pytest.raises(
        ValueError, match=r"^classes\[1\]\.name: expected a non-empty name; got ' '$"
    ):
        normalize_classes(["bg", " "])


def test_normalize_classes_rejects_a_duplicate_name():
    with pytest.raises(
        ValueError,
        match=r"^classes\[2\]\.name: expected a unique name; got 'cat', "
        r"already used by classes\[1\]$",
    ):
        normalize_classes(["bg", "cat", LabelClass("cat")])


def test_normalize_classes_error_names_the_item_with_a_bad_colour():
    with pytest.raises(ValueError, match=r"^classes\[1\]\.color: expected a CSS colour name"):
        normalize_classes(["bg", LabelClass("cat", color="catcolour")])


def test_normalize_classes_accepts_a_parent_listed_after_its_child():
    classes = normalize_classes(
        ["bg", LabelClass("eye", parent="face"), LabelClass("face", parent="person"), "person"]
    )
    assert [c.parent for c in classes] == [None, "face", "person", None]


def test_normalize_classes_accepts_the_longest_chain_of_parents():
    # c1 > c2 > ... > c65535, each class listed before its parent: no recursion limit.
    chain = ["bg", *(LabelClass(f"c{i}", parent=f"c{i - 1}") for i in range(2, 65536)), "c1"]
    assert normalize_classes(chain)[1].parent == "c1"


def test_normalize_classes_rejects_a_parent_that_is_not_a_str():
    with pytest.raises(
        TypeError, match=r"^classes\[1\]\.parent: expected a class name or None; got int$"
    ):
        normalize_classes(["bg", LabelClass("cat", parent=2)])


def test_a_parent_that_is_no_class_is_a_group_name_and_the_class_stays_top_level():
    classes = normalize_classes(["bg", LabelClass("car", parent="vehicle"), "truck"])
    assert classes[1].parent == "vehicle"
    assert parent_ids(classes).tolist() == [-1, -1, -1]


def test_normalize_classes_rejects_a_class_that_is_its_own_parent():
    with pytest.raises(
        ValueError,
        match=re.escape(
            "classes[1].parent: expected the name of another class; got 'face', the class itself"
        ),
    ):
        normalize_classes(["bg", LabelClass("face", parent="face")])


def test_normalize_classes_rejects_class_0_as_a_parent():
    with pytest.raises(
        ValueError,
        match=re.escape(
            "classes[1].parent: expected a labelled class (class 0 is 'unlabelled' and cannot "
            "be a parent); got 'bg'"
        ),
    ):
        normalize_classes(["bg", LabelClass("face", parent="bg")])


def test_normalize_classes_rejects_a_parent_of_class_0():
    with pytest.raises(
        ValueError,
        match=re.escape(
            "classes[0].parent: expected None (class 0 is 'unlabelled' and has no parent); "
            "got 'person'"
        ),
    ):
        normalize_classes([LabelClass("bg", parent="person"), "person"])


def test_normalize_classes_rejects_a_cycle_of_two_showing_it():
    with pytest.raises(
        ValueError,
        match=re.escape(
            "classes[1].parent: expected a hierarchy without cycles; got the cycle a > b > a"
        ),
    ):
        normalize_classes(["bg", LabelClass("a", parent="b"), LabelClass("b", parent="a")])


def test_normalize_classes_writes_a_cycle_parent_first_from_its_smallest_id():
    # c's parent is d, d's parent is b, b's parent is c: from c (the smallest id), parent
    # first, c > b > d > c.
    classes = [
        "bg",
        LabelClass("x", parent="c"),  # leads into the cycle without being part of it
        LabelClass("c", parent="d"),
        LabelClass("b", parent="c"),
        LabelClass("d", parent="b"),
    ]
    with pytest.raises(
        ValueError,
        match=re.escape(
            "classes[2].parent: expected a hierarchy without cycles; got the cycle c > b > d > c"
        ),
    ):
        normalize_classes(classes)


@pytest.mark.parametrize(
    ("n_classes", "dtype"), [(1, np.uint8), (256, np.uint8), (257, np.uint16), (65536, np.uint16)]
)
def test_mask_dtype_is_uint8_up_to_256_classes_else_uint16(n_classes, dtype):
    assert mask_dtype(n_classes) == np.dtype(dtype)


def test_mask_dtype_rejects_zero_classes():
    with pytest.raises(ValueError, match=r"^n_classes: expected 1 to 65536; got 0$"):
        mask_dtype(0)
