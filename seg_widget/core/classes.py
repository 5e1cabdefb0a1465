"""Label classes, their colours, and the mask dtype that fits them."""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence
from dataclasses import dataclass
from numbers import Integral, Real

import numpy as np
from PIL import ImageColor

#: Largest number of classes (ids 0..65535 fit a uint16 mask).
MAX_CLASSES = 65536

#: Colours of classes 1, 2, ... (class 0 is unlabelled and drawn transparent). Saturated and
#: medium-to-bright so they stand out over grey images; the first nine are the familiar
#: "distinct colours" set, the rest were picked greedily to maximise the smallest CIEDE2000
#: distance to the colours before them (every pair differs by > 14).
DEFAULT_PALETTE: tuple[tuple[int, int, int], ...] = (
    (230, 25, 75),
    (60, 180, 75),
    (0, 130, 200),
    (255, 225, 25),
    (245, 130, 48),
    (145, 30, 180),
    (70, 240, 240),
    (240, 50, 230),
    (210, 245, 60),
    (178, 147, 54),
    (0, 71, 178),
    (178, 62, 0),
    (27, 163, 178),
    (38, 255, 179),
    (77, 193, 255),
    (178, 0, 98),
    (255, 184, 77),
    (27, 178, 148),
    (152, 178, 0),
    (255, 77, 148),
    (0, 255, 25),
    (178, 107, 0),
    (77, 103, 255),
    (255, 51, 0),
)

_UNLABELLED_COLOR = (0, 0, 0)


@dataclass(frozen=True)
class LabelClass:
    """One label class: its display name, colour and (optional) parent class name.

    ``color`` may be anything `parse_color` accepts, or ``None`` for the default palette
    colour; `normalize_classes` resolves it to an ``(r, g, b)`` tuple of ints. ``parent`` is
    stored as given.

    Examples
    --------
    >>> LabelClass("cat", color="orange")
    LabelClass(name='cat', color='orange', parent=None)

    """

    name: str
    color: object = None
    parent: str | None = None


def parse_color(color: object, *, argument: str = "color") -> tuple[int, int, int]:
    """Return ``color`` as an ``(r, g, b)`` tuple of ints in 0..255.

    Accepted: CSS colour names and ``'#rgb'``, ``'#rrggbb'``, ``'rgb(...)'``, ``'hsl(...)'``
    strings (any alpha is dropped); a tuple, list or array of 3 ints in 0..255; or of 3
    numbers of which at least one is a float, all in [0, 1] (scaled by 255 and rounded,
    as in matplotlib).

    Parameters
    ----------
    color : str or sequence of 3 numbers
        The colour.
    argument : str
        Name used in error messages.

    Raises
    ------
    TypeError
        If ``color`` is neither a string nor a sequence of 3 real numbers.
    ValueError
        For unknown colour names, a wrong number of components or out-of-range components.

    Examples
    --------
    >>> parse_color("red"), parse_color("#0f0"), parse_color((0, 0, 255))
    ((255, 0, 0), (0, 255, 0), (0, 0, 255))
    >>> parse_color((1.0, 0.5, 0.0))
    (255, 128, 0)

    """
    if isinstance(color, str):
        try:
            rgb = ImageColor.getrgb(color)
        except ValueError:
            raise ValueError(
                f"{argument}: expected a CSS colour name, '#rrggbb' or 'rgb(r, g, b)'; "
                f"got {color!r}"
            ) from None
        return (int(rgb[0]), int(rgb[1]), int(rgb[2]))
    if not isinstance(color, (tuple, list, np.ndarray)):
        raise TypeError(
            f"{argument}: expected a colour name or 3 numbers (r, g, b); got {type(color).__name__}"
        )
    components = list(np.asarray(color).ravel()) if isinstance(color, np.ndarray) else color
    if len(components) != 3 or (isinstance(color, np.ndarray) and color.ndim != 1):
        raise ValueError(f"{argument}: expected 3 components (r, g, b); got {_short(color)}")
    for value in components:
        # bool is an int subclass, but (True, False, True) is almost surely a mistake.
        if isinstance(value, (bool, np.bool_)) or not isinstance(value, Real):
            raise TypeError(
                f"{argument}: expected 3 numbers (r, g, b); got {type(value).__name__} "
                f"component in {_short(color)}"
            )
    if all(isinstance(value, Integral) for value in components):
        if not all(0 <= value <= 255 for value in components):
            raise ValueError(
                f"{argument}: expected integer components in 0..255; got {_short(color)}"
            )
        return (int(components[0]), int(components[1]), int(components[2]))
    if not all(math.isfinite(value) and 0.0 <= value <= 1.0 for value in components):
        raise ValueError(
            f"{argument}: expected float components in [0, 1] (or ints in 0..255); "
            f"got {_short(color)}"
        )
    red, green, blue = (round(float(value) * 255) for value in components)
    return (red, green, blue)


def normalize_classes(classes: Sequence[str | LabelClass]) -> tuple[LabelClass, ...]:
    """Return the classes as `LabelClass` objects with resolved ``(r, g, b)`` colours.

    The index of a class is its id. Class 0 means "unlabelled": it is drawn transparent, so
    its colour is stored as ``(0, 0, 0)``. Class ``i >= 1`` without a colour gets
    ``DEFAULT_PALETTE[(i - 1) % len(DEFAULT_PALETTE)]``.

    A ``parent`` names another class of the list (before or after the child) of which the
    class is a part; see `seg_widget.core.hierarchy`. Class 0 has no parent and is no parent.

    Parameters
    ----------
    classes : sequence of str or LabelClass
        1 to 65536 entries with non-empty, unique names.

    Raises
    ------
    TypeError
        If ``classes`` is a string or not a sequence, or an entry has the wrong type.
    ValueError
        For no or too many classes, empty or duplicate names, invalid colours, or a parent
        that is not another labelled class of the list or that closes a cycle.

    Examples
    --------
    >>> [c.color for c in normalize_classes(["background", "cat", LabelClass("dog", "blue")])]
    [(0, 0, 0), (230, 25, 75), (0, 0, 255)]
    >>> normalize_classes(["bg", LabelClass("face", parent="person"), "person"])[1].parent
    'person'
    >>> normalize_classes(["bg", LabelClass("a", parent="b"), LabelClass("b", parent="a")])
    Traceback (most recent call last):
    ...
    ValueError: classes[1].parent: expected a hierarchy without cycles; got the cycle a > b > a

    """
    if isinstance(classes, (str, bytes)) or not isinstance(classes, (Sequence, np.ndarray)):
        raise TypeError(
            "classes: expected a list of class names or LabelClass objects; "
            f"got {type(classes).__name__}"
        )
    if not 1 <= len(classes) <= MAX_CLASSES:
        raise ValueError(
            f"classes: expected 1 to {MAX_CLASSES} classes (class 0 is 'unlabelled'); "
            f"got {len(classes)}"
        )
    first_index_of: dict[str, int] = {}
    result = []
    for index, item in enumerate(classes):
        where = f"classes[{index}]"
        if isinstance(item, str):
            item = LabelClass(str(item))
        elif not isinstance(item, LabelClass):
            raise TypeError(f"{where}: expected a str or LabelClass; got {type(item).__name__}")
        name = item.name
        if not isinstance(name, str):
            raise TypeError(f"{where}.name: expected a str; got {type(name).__name__}")
        if not name.strip():
            raise ValueError(f"{where}.name: expected a non-empty name; got {name!r}")
        if name in first_index_of:
            raise ValueError(
                f"{where}.name: expected a unique name; got {name!r}, "
                f"already used by classes[{first_index_of[name]}]"
            )
        first_index_of[name] = index
        if item.parent is not None and not isinstance(item.parent, str):
            raise TypeError(
                f"{where}.parent: expected a class name or None; got {type(item.parent).__name__}"
            )
        if item.color is None:
            color = DEFAULT_PALETTE[(index - 1) % len(DEFAULT_PALETTE)]
        else:
            # Validated even for class 0 so a typo is reported rather than silently dropped.
            color = parse_color(item.color, argument=f"{where}.color")
        if index == 0:
            color = _UNLABELLED_COLOR
        result.append(dataclasses.replace(item, name=str(name), color=color))
    _parent_indices(result)
    return tuple(result)


def mask_dtype(n_classes: int) -> np.dtype:
    """Return the smallest unsigned dtype holding class ids ``0 .. n_classes - 1``.

    Examples
    --------
    >>> mask_dtype(3), mask_dtype(256), mask_dtype(257)
    (dtype('uint8'), dtype('uint8'), dtype('uint16'))

    """
    _check_n_classes(n_classes)
    return np.dtype(np.uint8) if n_classes <= 256 else np.dtype(np.uint16)


def _parent_indices(classes: Sequence[LabelClass]) -> list[int]:
    """Return the id of each class's parent (-1 for none), or raise naming the bad parent.

    A parent that names no class of the list is a *group name* (exported as COCO's
    supercategory) and counts as no parent. Checks that a class is not its own parent, that
    class 0 has no parent and is nobody's parent, and that following parents never comes
    back to a class. O(len(classes)).
    """
    index_of = {label_class.name: index for index, label_class in enumerate(classes)}
    parents = []
    for index, label_class in enumerate(classes):
        parent = label_class.parent
        where = f"classes[{index}].parent"
        if parent is None:
            parents.append(-1)
        elif index == 0:
            raise ValueError(
                f"{where}: expected None (class 0 is 'unlabelled' and has no parent); "
                f"got {parent!r}"
            )
        elif parent == label_class.name:
            raise ValueError(
                f"{where}: expected the name of another class; got {parent!r}, the class itself"
            )
        elif index_of.get(parent) == 0:
            raise ValueError(
                f"{where}: expected a labelled class (class 0 is 'unlabelled' and cannot be "
                f"a parent); got {parent!r}"
            )
        elif parent not in index_of:
            # A group name that is not a class (COCO's supercategory, e.g. "vehicle"): it
            # is exported, but for nesting the class is top-level.
            parents.append(-1)
        else:
            parents.append(index_of[parent])
    _check_no_cycles(classes, parents)
    return parents


def _check_no_cycles(classes: Sequence[LabelClass], parents: list[int]) -> None:
    """Raise if following parents from some class comes back to it; each class is walked once."""
    unvisited, on_walk, acyclic = 0, 1, 2
    state = [unvisited] * len(parents)
    for start in range(len(parents)):
        walk = []
        index = start
        while index >= 0 and state[index] == unvisited:
            state[index] = on_walk
            walk.append(index)
            index = parents[index]
        if index >= 0 and state[index] == on_walk:
            cycle = walk[walk.index(index) :]  # child, parent, grandparent, ...
            first = cycle.index(min(cycle))
            cycle = cycle[first:] + cycle[:first]
            # Written parent first, as class paths are: "a > b" means a is b's parent.
            names = [classes[i].name for i in [cycle[0], *reversed(cycle[1:]), cycle[0]]]
            raise ValueError(
                f"classes[{cycle[0]}].parent: expected a hierarchy without cycles; "
                f"got the cycle {' > '.join(names)}"
            )
        for index in walk:
            state[index] = acyclic


def _check_n_classes(n_classes: object) -> None:
    if isinstance(n_classes, (bool, np.bool_)) or not isinstance(n_classes, Integral):
        raise TypeError(f"n_classes: expected an int; got {type(n_classes).__name__}")
    if not 1 <= n_classes <= MAX_CLASSES:
        raise ValueError(f"n_classes: expected 1 to {MAX_CLASSES}; got {n_classes}")


def _short(value: object) -> str:
    """Repr of a colour for error messages, without numpy's ``np.int64(...)`` noise."""
    if isinstance(value, np.ndarray):
        return repr(value.tolist())
    if isinstance(value, (tuple, list)):
        return repr(type(value)(v.item() if isinstance(v, np.generic) else v for v in value))
    return repr(value)
