"""Nested classes: which class is a part of which, and masks seen at a coarser level.

A class with ``parent="person"`` is a part of the class ``person`` (a ``face`` is a part of a
person, an ``eye`` may be a part of the face). The parents form a forest over the class ids:

- A pixel of the class mask holds exactly one class id, the innermost one: a face pixel
  holds ``face``, never ``person`` as well. Seen as a person, it is a person pixel.
- The depth of a class is the number of parents above it; classes without a parent
  (roots) are at depth 0, their parts at depth 1, and so on.
- Seen at level ``L``, a class is the class itself when its depth is ``<= L``, otherwise
  its ancestor at depth ``L``. Level 0 keeps only the roots ("person"), level 1 also the
  parts of the roots ("face"), and a level at least the largest depth changes nothing.
- Class 0 ("unlabelled") is always at level 0: it has no parent and is no class's parent.

`seg_widget.core.classes.normalize_classes` checks these rules (a parent is another class,
in any order, without cycles). A parent that names no class is a *group name* (exported
as COCO's supercategory): for nesting, such a class has no parent. The functions here take
its result, a tuple of `LabelClass` whose index is the class id; each costs O(number of
classes), and `class_mask` O(pixels) through a lookup table.

Examples
--------
>>> from seg_widget.core.classes import LabelClass, normalize_classes
>>> classes = normalize_classes(
...     ["bg", "person", LabelClass("face", parent="person"), LabelClass("eye", parent="face")]
... )
>>> class_depths(classes).tolist()
[0, 0, 1, 2]
>>> class_path(classes, 3)
'person > face > eye'
>>> class_mask(np.array([[0, 1, 2, 3]], dtype=np.uint8), classes, level=1).tolist()
[[0, 1, 2, 2]]

"""

from __future__ import annotations

from collections.abc import Sequence
from numbers import Integral

import numpy as np

from seg_widget.core.classes import LabelClass, _parent_indices

__all__ = [
    "ancestor_lut",
    "class_depths",
    "class_mask",
    "class_path",
    "descendants",
    "descends_from",
    "is_descendant",
    "parent_ids",
]


def parent_ids(classes: Sequence[LabelClass]) -> np.ndarray:
    """Return the id of each class's parent, ``-1`` for a class without parent.

    Parameters
    ----------
    classes : tuple of LabelClass
        The classes as returned by `normalize_classes` (index = class id).

    Returns
    -------
    ndarray of int64
        ``parent_ids(classes)[i]`` is the parent of class ``i``, or ``-1``.

    Raises
    ------
    TypeError
        If ``classes`` is not a sequence of `LabelClass`.
    ValueError
        If ``classes`` is empty or a parent is invalid (see `normalize_classes`).

    Examples
    --------
    >>> from seg_widget.core.classes import LabelClass, normalize_classes
    >>> parent_ids(normalize_classes(["bg", LabelClass("face", parent="person"), "person"]))
    array([-1,  2, -1])

    """
    return np.array(_parents(classes), dtype=np.int64)


def class_depths(classes: Sequence[LabelClass]) -> np.ndarray:
    """Return the depth of each class: 0 for a class without parent, else its parent's + 1.

    Parameters
    ----------
    classes : tuple of LabelClass
        The classes as returned by `normalize_classes` (index = class id).

    Returns
    -------
    ndarray of int64
        One depth per class id.

    Examples
    --------
    >>> from seg_widget.core.classes import LabelClass, normalize_classes
    >>> classes = normalize_classes(
    ...     ["bg", LabelClass("eye", parent="face"), LabelClass("face", parent="person"), "person"]
    ... )
    >>> class_depths(classes)
    array([0, 2, 1, 0])

    """
    parents = _parents(classes)
    depths = [0] * len(parents)
    for index in _parents_first(parents):
        if parents[index] >= 0:
            depths[index] = depths[parents[index]] + 1
    return np.array(depths, dtype=np.int64)


def ancestor_lut(classes: Sequence[LabelClass], level: int) -> np.ndarray:
    """Return the lookup table class id -> the class seen at ``level``.

    A class at depth ``<= level`` maps to itself, a deeper one to its ancestor at depth
    ``level``. Index a mask with it (``ancestor_lut(classes, level)[mask]``) to see the mask
    at that level, as `class_mask` does.

    Parameters
    ----------
    classes : tuple of LabelClass
        The classes as returned by `normalize_classes` (index = class id).
    level : int
        Non-negative depth: 0 merges every class into its root.

    Returns
    -------
    ndarray of int64
        One class id per class id.

    Raises
    ------
    TypeError
        If ``level`` is not an int.
    ValueError
        If ``level`` is negative.

    Examples
    --------
    >>> from seg_widget.core.classes import LabelClass, normalize_classes
    >>> classes = normalize_classes(
    ...     ["bg", "person", LabelClass("face", parent="person"), LabelClass("eye", parent="face")]
    ... )
    >>> ancestor_lut(classes, 0), ancestor_lut(classes, 1), ancestor_lut(classes, 5)
    (array([0, 1, 1, 1]), array([0, 1, 2, 2]), array([0, 1, 2, 3]))

    """
    if isinstance(level, (bool, np.bool_)) or not isinstance(level, Integral):
        raise TypeError(f"level: expected a non-negative int; got {type(level).__name__}")
    if level < 0:
        raise ValueError(f"level: expected a non-negative int; got {level}")
    parents = _parents(classes)
    lut = list(range(len(parents)))
    depths = [0] * len(parents)
    # Parents first, so a class deeper than ``level`` finds its parent already mapped: the
    # parent itself when it is at depth ``level``, else the parent's ancestor at that depth.
    for index in _parents_first(parents):
        parent = parents[index]
        if parent >= 0:
            depths[index] = depths[parent] + 1
            if depths[index] > level:
                lut[index] = lut[parent]
    return np.array(lut, dtype=np.int64)


def class_mask(mask: np.ndarray, classes: Sequence[LabelClass], level: int = 0) -> np.ndarray:
    """Return ``mask`` seen at ``level``: each class id replaced by `ancestor_lut`'s entry.

    At level 0 (the default) every part becomes its root class: a ``face`` pixel (parent
    ``person``) becomes a ``person`` pixel.

    Parameters
    ----------
    mask : ndarray of int, shape (H, W)
        Class id per pixel, ``0 <= id < len(classes)``.
    classes : tuple of LabelClass
        The classes as returned by `normalize_classes` (index = class id).
    level : int
        Non-negative depth; see `ancestor_lut`.

    Returns
    -------
    ndarray
        A new array with the shape and dtype of ``mask``; ``mask`` is not modified.

    Raises
    ------
    TypeError
        If ``mask`` is not a numpy array of integers, or ``level`` is not an int.
    ValueError
        If ``mask`` is not 2-D, holds an id outside ``0 .. len(classes) - 1``, or its dtype
        cannot hold an ancestor id it maps to; if ``level`` is negative.

    Examples
    --------
    >>> from seg_widget.core.classes import LabelClass, normalize_classes
    >>> classes = normalize_classes(["bg", LabelClass("face", parent="person"), "person"])
    >>> class_mask(np.array([[0, 1], [2, 1]], dtype=np.uint8), classes)
    array([[0, 2],
           [2, 2]], dtype=uint8)

    """
    if not isinstance(mask, np.ndarray):
        raise TypeError(f"mask: expected a 2-D numpy array of class ids; got {type(mask).__name__}")
    if mask.dtype.kind not in "iu":
        raise TypeError(f"mask: expected an integer dtype; got {mask.dtype}")
    if mask.ndim != 2:
        raise ValueError(f"mask: expected a 2-D array; got shape {tuple(mask.shape)}")
    lut = ancestor_lut(classes, level)
    if mask.size:
        low = int(mask.min())
        if low < 0:
            raise ValueError(f"mask: expected class ids >= 0; got minimum {low}")
        high = int(mask.max())
        if high >= len(lut):
            raise ValueError(
                f"mask: expected class ids < {len(lut)} (the number of classes); got maximum {high}"
            )
    # A parent may have a larger id than its child, too large for a small mask dtype.
    largest = np.iinfo(mask.dtype).max
    if int(lut.max()) > largest:
        result = lut[mask]
        if result.size and int(result.max()) > largest:
            raise ValueError(
                f"mask: expected a dtype that holds the ancestor ids; got {mask.dtype}, "
                f"too small for class id {int(result.max())}"
            )
        return result.astype(mask.dtype)
    return lut.astype(mask.dtype)[mask]


def is_descendant(classes: Sequence[LabelClass], child: int, ancestor: int) -> bool:
    """Return whether class ``child`` is a part of class ``ancestor``, at any depth.

    Strict: a class is not its own descendant.

    Parameters
    ----------
    classes : tuple of LabelClass
        The classes as returned by `normalize_classes` (index = class id).
    child, ancestor : int
        Class ids.

    Raises
    ------
    TypeError
        If ``child`` or ``ancestor`` is not an int.
    ValueError
        If it is not a class id.

    Examples
    --------
    >>> from seg_widget.core.classes import LabelClass, normalize_classes
    >>> classes = normalize_classes(
    ...     ["bg", "person", LabelClass("face", parent="person"), LabelClass("eye", parent="face")]
    ... )
    >>> is_descendant(classes, 3, 1), is_descendant(classes, 1, 3), is_descendant(classes, 1, 1)
    (True, False, False)

    """
    parents = _parents(classes)
    child = _class_id(child, len(parents), "child")
    ancestor = _class_id(ancestor, len(parents), "ancestor")
    return descends_from(parents, child, ancestor)


def descends_from(parents: Sequence[int], child: int, ancestor: int) -> bool:
    """Return whether following ``parents`` up from ``child`` reaches ``ancestor`` (strict).

    The unchecked walk behind `is_descendant`, on a parent-id array such as `parent_ids`
    returns (-1 = no parent; the hierarchy must be acyclic). O(depth).

    Examples
    --------
    >>> descends_from([-1, -1, 1, 2], 3, 1), descends_from([-1, -1, 1, 2], 1, 1)
    (True, False)

    """
    index = int(parents[child])
    while index >= 0:
        if index == ancestor:
            return True
        index = int(parents[index])
    return False


def descendants(classes: Sequence[LabelClass], class_id: int) -> tuple[int, ...]:
    """Return the ids of the classes that are parts of ``class_id`` at any depth, ascending.

    Strict: ``class_id`` itself is not included.

    Parameters
    ----------
    classes : tuple of LabelClass
        The classes as returned by `normalize_classes` (index = class id).
    class_id : int
        The class whose parts to list.

    Raises
    ------
    TypeError
        If ``class_id`` is not an int.
    ValueError
        If it is not a class id.

    Examples
    --------
    >>> from seg_widget.core.classes import LabelClass, normalize_classes
    >>> classes = normalize_classes(
    ...     ["bg", LabelClass("eye", parent="face"), "person", LabelClass("face", parent="person")]
    ... )
    >>> descendants(classes, 2), descendants(classes, 3), descendants(classes, 1)
    ((1, 3), (1,), ())

    """
    parents = _parents(classes)
    class_id = _class_id(class_id, len(parents), "class_id")
    inside = [False] * len(parents)
    for index in _parents_first(parents):
        parent = parents[index]
        inside[index] = parent >= 0 and (parent == class_id or inside[parent])
    return tuple(index for index, is_inside in enumerate(inside) if is_inside)


def class_path(classes: Sequence[LabelClass], class_id: int) -> str:
    """Return the names from the root down to ``class_id``, joined by ``" > "``.

    Parameters
    ----------
    classes : tuple of LabelClass
        The classes as returned by `normalize_classes` (index = class id).
    class_id : int
        The class to name.

    Raises
    ------
    TypeError
        If ``class_id`` is not an int.
    ValueError
        If it is not a class id.

    Examples
    --------
    >>> from seg_widget.core.classes import LabelClass, normalize_classes
    >>> classes = normalize_classes(["bg", "person", LabelClass("face", parent="person")])
    >>> class_path(classes, 2), class_path(classes, 1)
    ('person > face', 'person')

    """
    parents = _parents(classes)
    index = _class_id(class_id, len(parents), "class_id")
    names = []
    while index >= 0:
        names.append(classes[index].name)
        index = parents[index]
    return " > ".join(reversed(names))


def _parents(classes: object) -> list[int]:
    """Return the parent id of each class (-1 for none) after checking ``classes``."""
    if isinstance(classes, (str, bytes)) or not isinstance(classes, Sequence):
        raise TypeError(
            "classes: expected a tuple of LabelClass from normalize_classes; "
            f"got {type(classes).__name__}"
        )
    if not classes:
        raise ValueError("classes: expected at least 1 class (class 0 is 'unlabelled'); got 0")
    for index, label_class in enumerate(classes):
        if not isinstance(label_class, LabelClass):
            raise TypeError(
                f"classes[{index}]: expected a LabelClass (see normalize_classes); "
                f"got {type(label_class).__name__}"
            )
    return _parent_indices(classes)  # type: ignore[arg-type]


def _class_id(value: object, n_classes: int, argument: str) -> int:
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, Integral):
        raise TypeError(f"{argument}: expected a class id (int); got {type(value).__name__}")
    if not 0 <= value < n_classes:
        raise ValueError(f"{argument}: expected a class id in 0..{n_classes - 1}; got {value}")
    return int(value)


def _parents_first(parents: list[int]) -> list[int]:
    """Return every class id once, each after its parent; O(len(parents)) for a forest."""
    placed = [False] * len(parents)
    order: list[int] = []
    for start in range(len(parents)):
        walk = []
        index = start
        while index >= 0 and not placed[index]:
            placed[index] = True
            walk.append(index)
            index = parents[index]
        order.extend(reversed(walk))
    return order
