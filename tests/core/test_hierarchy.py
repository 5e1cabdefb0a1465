import re

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from seg_widget.core.classes import LabelClass, normalize_classes
from seg_widget.core.hierarchy import (
    ancestor_lut,
    class_depths,
    class_mask,
    class_path,
    descendants,
    is_descendant,
    parent_ids,
)

# person > face > eye > pupil, person > hand, car; ids not in hierarchy order.
PEOPLE = normalize_classes(
    [
        "unlabelled",
        LabelClass("eye", parent="face"),  # listed before its parent
        "person",
        LabelClass("face", parent="person"),
        LabelClass("pupil", parent="eye"),
        LabelClass("hand", parent="person"),
        "car",
    ]
)
UNLABELLED, EYE, PERSON, FACE, PUPIL, HAND, CAR = range(7)


# parent_ids, class_depths


def test_parent_ids_give_the_parent_id_or_minus_one():
    result = parent_ids(PEOPLE)
    assert result.dtype == np.int64
    assert result.tolist() == [-1, FACE, -1, PERSON, EYE, PERSON, -1]


def test_class_depths_count_the_parents_above_each_class():
    result = class_depths(PEOPLE)
    assert result.dtype == np.int64
    assert result.tolist() == [0, 2, 0, 1, 3, 1, 0]


def test_class_depths_of_the_longest_chain_need_no_recursion():
    # c1 > c2 > ... > c65535, each class listed before its parent.
    chain = ["bg", *(LabelClass(f"c{i}", parent=f"c{i - 1}") for i in range(2, 65536)), "c1"]
    depths = class_depths(normalize_classes(chain))
    assert depths[-1] == 0
    assert depths[1:-1].tolist() == list(range(1, 65535))


# ancestor_lut


@pytest.mark.parametrize(
    ("level", "expected"),
    [
        (0, [UNLABELLED, PERSON, PERSON, PERSON, PERSON, PERSON, CAR]),
        (1, [UNLABELLED, FACE, PERSON, FACE, FACE, HAND, CAR]),
        (2, [UNLABELLED, EYE, PERSON, FACE, EYE, HAND, CAR]),
        (3, list(range(7))),
        (100, list(range(7))),
    ],
)
def test_ancestor_lut_maps_deeper_classes_to_their_ancestor_at_the_level(level, expected):
    lut = ancestor_lut(PEOPLE, level)
    assert lut.dtype == np.int64
    assert lut.tolist() == expected


def test_ancestor_lut_accepts_a_numpy_integer_level():
    assert ancestor_lut(PEOPLE, np.uint8(1)).tolist() == ancestor_lut(PEOPLE, 1).tolist()


@pytest.mark.parametrize(("level", "got"), [(1.0, "float"), (True, "bool"), ("1", "str")])
def test_ancestor_lut_rejects_a_level_that_is_not_an_int(level, got):
    with pytest.raises(TypeError, match=rf"^level: expected a non-negative int; got {got}$"):
        ancestor_lut(PEOPLE, level)


def test_ancestor_lut_rejects_a_negative_level():
    with pytest.raises(ValueError, match=r"^level: expected a non-negative int; got -1$"):
        ancestor_lut(PEOPLE, -1)


# class_mask


def test_class_mask_at_level_0_turns_a_face_pixel_into_person():
    classes = normalize_classes(["background", "person", LabelClass("face", parent="person")])
    mask = np.array([[0, 2], [1, 0]], dtype=np.uint8)
    assert class_mask(mask, classes).tolist() == [[0, 1], [1, 0]]
    assert class_mask(mask, classes, level=1).tolist() == [[0, 2], [1, 0]]


def test_class_mask_follows_the_hierarchy_at_each_level():
    mask = np.array([[UNLABELLED, EYE, PERSON, FACE], [PUPIL, HAND, CAR, PUPIL]], dtype=np.uint8)
    assert class_mask(mask, PEOPLE, level=0).tolist() == [
        [UNLABELLED, PERSON, PERSON, PERSON],
        [PERSON, PERSON, CAR, PERSON],
    ]
    assert class_mask(mask, PEOPLE, level=2).tolist() == [
        [UNLABELLED, EYE, PERSON, FACE],
        [EYE, HAND, CAR, EYE],
    ]


@pytest.mark.parametrize("dtype", [np.uint8, np.uint16, np.int32, np.int64, np.uint64])
def test_class_mask_returns_a_new_array_of_the_mask_dtype(dtype):
    mask = np.array([[FACE, CAR]], dtype=dtype)
    before = mask.copy()
    result = class_mask(mask, PEOPLE)
    assert result.dtype == np.dtype(dtype)
    assert result.tolist() == [[PERSON, CAR]]
    assert not np.shares_memory(result, mask)
    np.testing.assert_array_equal(mask, before)


def test_class_mask_copies_a_mask_without_parents():
    classes = normalize_classes(["bg", "cat"])
    mask = np.array([[0, 1]], dtype=np.uint8)
    result = class_mask(mask, classes)
    assert result.tolist() == [[0, 1]]
    assert not np.shares_memory(result, mask)


def test_class_mask_of_an_empty_mask_is_empty():
    result = class_mask(np.zeros((0, 3), dtype=np.uint16), PEOPLE)
    assert result.shape == (0, 3)
    assert result.dtype == np.uint16


def test_class_mask_works_on_a_non_contiguous_view():
    mask = np.array([[FACE, CAR, EYE], [HAND, PERSON, PUPIL]], dtype=np.uint8)
    assert class_mask(mask[:, ::2], PEOPLE).tolist() == [[PERSON, PERSON], [PERSON, PERSON]]


def test_class_mask_maps_to_a_parent_with_a_larger_id_when_the_dtype_holds_it():
    # 300 classes: the parent of class 1 is class 299, more than a uint8 holds.
    names = ["bg", LabelClass("part", parent="c299"), *(f"c{i}" for i in range(2, 300))]
    classes = normalize_classes(names)
    assert class_mask(np.array([[1]], dtype=np.uint16), classes).tolist() == [[299]]
    # A uint8 mask without such a part stays valid.
    assert class_mask(np.array([[0, 2]], dtype=np.uint8), classes).tolist() == [[0, 2]]


def test_class_mask_refuses_a_dtype_too_small_for_an_ancestor_id():
    names = ["bg", LabelClass("part", parent="c299"), *(f"c{i}" for i in range(2, 300))]
    classes = normalize_classes(names)
    with pytest.raises(
        ValueError,
        match=r"^mask: expected a dtype that holds the ancestor ids; got uint8, "
        r"too small for class id 299$",
    ):
        class_mask(np.array([[1]], dtype=np.uint8), classes)


def test_class_mask_rejects_a_list():
    with pytest.raises(
        TypeError, match=r"^mask: expected a 2-D numpy array of class ids; got list$"
    ):
        class_mask([[0, 1]], PEOPLE)


@pytest.mark.parametrize("dtype", [np.float64, bool])
def test_class_mask_rejects_a_non_integer_dtype(dtype):
    name = np.dtype(dtype).name
    with pytest.raises(TypeError, match=rf"^mask: expected an integer dtype; got {name}$"):
        class_mask(np.zeros((2, 2), dtype=dtype), PEOPLE)


def test_class_mask_rejects_a_3d_mask():
    with pytest.raises(
        ValueError, match=re.escape("mask: expected a 2-D array; got shape (2, 2, 1)")
    ):
        class_mask(np.zeros((2, 2, 1), dtype=np.uint8), PEOPLE)


def test_class_mask_rejects_a_negative_id():
    with pytest.raises(ValueError, match=r"^mask: expected class ids >= 0; got minimum -1$"):
        class_mask(np.array([[0, -1]], dtype=np.int16), PEOPLE)


def test_class_mask_rejects_an_id_beyond_the_classes():
    with pytest.raises(
        ValueError,
        match=re.escape("mask: expected class ids < 7 (the number of classes); got maximum 9"),
    ):
        class_mask(np.array([[0, 9]], dtype=np.uint8), PEOPLE)


def test_class_mask_rejects_a_bad_level():
    with pytest.raises(ValueError, match=r"^level: expected a non-negative int; got -2$"):
        class_mask(np.zeros((1, 1), dtype=np.uint8), PEOPLE, level=-2)


# is_descendant, descendants, class_path


@pytest.mark.parametrize(
    ("child", "ancestor", "expected"),
    [
        (FACE, PERSON, True),
        (PUPIL, PERSON, True),
        (PUPIL, FACE, True),
        (PUPIL, EYE, True),
        (PERSON, FACE, False),
        (FACE, FACE, False),
        (HAND, FACE, False),
        (CAR, PERSON, False),
        (FACE, UNLABELLED, False),
        (UNLABELLED, PERSON, False),
    ],
)
def test_is_descendant_is_strict_and_follows_every_level(child, ancestor, expected):
    assert is_descendant(PEOPLE, child, ancestor) is expected


def test_is_descendant_accepts_numpy_integers():
    assert is_descendant(PEOPLE, np.int64(FACE), np.uint8(PERSON)) is True


def test_is_descendant_rejects_a_child_that_is_not_an_int():
    with pytest.raises(TypeError, match=r"^child: expected a class id \(int\); got bool$"):
        is_descendant(PEOPLE, True, PERSON)


def test_is_descendant_rejects_an_ancestor_out_of_range():
    with pytest.raises(ValueError, match=re.escape("ancestor: expected a class id in 0..6; got 7")):
        is_descendant(PEOPLE, FACE, 7)


@pytest.mark.parametrize(
    ("class_id", "expected"),
    [
        (PERSON, (EYE, FACE, PUPIL, HAND)),
        (FACE, (EYE, PUPIL)),
        (EYE, (PUPIL,)),
        (PUPIL, ()),
        (CAR, ()),
        (UNLABELLED, ()),
    ],
)
def test_descendants_are_the_strict_parts_at_every_level_in_id_order(class_id, expected):
    assert descendants(PEOPLE, class_id) == expected


def test_descendants_rejects_a_negative_class_id():
    with pytest.raises(
        ValueError, match=re.escape("class_id: expected a class id in 0..6; got -1")
    ):
        descendants(PEOPLE, -1)


@pytest.mark.parametrize(
    ("class_id", "expected"),
    [
        (PUPIL, "person > face > eye > pupil"),
        (FACE, "person > face"),
        (PERSON, "person"),
        (UNLABELLED, "unlabelled"),
    ],
)
def test_class_path_names_the_classes_from_the_root_down(class_id, expected):
    assert class_path(PEOPLE, class_id) == expected


def test_class_path_rejects_a_class_id_that_is_not_an_int():
    with pytest.raises(TypeError, match=r"^class_id: expected a class id \(int\); got str$"):
        class_path(PEOPLE, "face")


# the classes argument


def test_hierarchy_functions_reject_a_string_for_classes():
    with pytest.raises(
        TypeError,
        match=r"^classes: expected a tuple of LabelClass from normalize_classes; got str$",
    ):
        parent_ids("person")


def test_hierarchy_functions_reject_names_that_were_not_normalized():
    with pytest.raises(
        TypeError,
        match=r"^classes\[1\]: expected a LabelClass \(see normalize_classes\); got str$",
    ):
        class_depths((LabelClass("bg"), "person"))


def test_hierarchy_functions_reject_no_classes():
    with pytest.raises(
        ValueError, match=r"^classes: expected at least 1 class \(class 0 is 'unlabelled'\); got 0$"
    ):
        ancestor_lut((), 0)


def test_hierarchy_functions_check_the_parents_of_unnormalized_classes():
    cycle = (LabelClass("bg"), LabelClass("a", parent="b"), LabelClass("b", parent="a"))
    with pytest.raises(
        ValueError,
        match=re.escape("classes[1].parent: expected a hierarchy without cycles; got the cycle"),
    ):
        class_path(cycle, 1)


# property: class_mask equals walking the parents, pixel by pixel


@st.composite
def forests(draw):
    """Normalized classes whose parents form a random forest, in a random id order."""
    n_classes = draw(st.integers(1, 12))
    # Classes 1.. are created in a random order; each may take an earlier one as parent,
    # so parents are as often after as before their children in id order.
    creation_order = draw(st.permutations(range(1, n_classes)))
    parent_of: dict[int, int | None] = {}
    for position, class_id in enumerate(creation_order):
        choice = draw(st.integers(-1, position - 1))
        parent_of[class_id] = None if choice < 0 else creation_order[choice]
    items = [LabelClass("c0")]
    for class_id in range(1, n_classes):
        parent = parent_of[class_id]
        items.append(LabelClass(f"c{class_id}", parent=None if parent is None else f"c{parent}"))
    return normalize_classes(items)


def _ancestors(classes, class_id):
    """The reference: parent, grandparent, ..., root, found by following parent names."""
    by_name = {label_class.name: index for index, label_class in enumerate(classes)}
    result = []
    while classes[class_id].parent is not None:
        class_id = by_name[classes[class_id].parent]
        result.append(class_id)
    return result


def _walk_up_to_level(classes, class_id, level):
    """The class itself if its depth is <= level, else its ancestor at depth level."""
    chain = [class_id, *_ancestors(classes, class_id)]  # class, parent, ..., root
    depth = len(chain) - 1
    return class_id if depth <= level else chain[depth - level]


@given(data=st.data(), classes=forests(), level=st.integers(0, 12))
def test_class_mask_equals_walking_the_parents_pixel_by_pixel(data, classes, level):
    dtype = data.draw(st.sampled_from([np.uint8, np.uint16, np.int32]))
    shape = data.draw(st.tuples(st.integers(0, 5), st.integers(0, 5)))
    mask = data.draw(arrays(dtype, shape, elements=st.integers(0, len(classes) - 1)))
    before = mask.copy()
    result = class_mask(mask, classes, level=level)
    assert result.dtype == mask.dtype
    assert result.shape == mask.shape
    for (row, col), class_id in np.ndenumerate(mask):
        assert result[row, col] == _walk_up_to_level(classes, int(class_id), level)
    np.testing.assert_array_equal(mask, before)


@given(classes=forests(), level=st.integers(0, 12))
def test_hierarchy_functions_agree_with_walking_the_parents(classes, level):
    n_classes = len(classes)
    lut = ancestor_lut(classes, level).tolist()
    depths = class_depths(classes).tolist()
    parents = parent_ids(classes).tolist()
    for class_id in range(n_classes):
        ancestors = _ancestors(classes, class_id)
        assert parents[class_id] == (ancestors[0] if ancestors else -1)
        assert depths[class_id] == len(ancestors)
        assert lut[class_id] == _walk_up_to_level(classes, class_id, level)
        names = [classes[i].name for i in [*reversed(ancestors), class_id]]
        assert class_path(classes, class_id) == " > ".join(names)
        for other in range(n_classes):
            assert is_descendant(classes, class_id, other) is (other in ancestors)
        assert descendants(classes, class_id) == tuple(
            other for other in range(n_classes) if class_id in _ancestors(classes, other)
        )
