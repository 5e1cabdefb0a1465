"""Which class each COCO category becomes on import, and which rule decided it.

Rules (``categories=``):

- ``"name"``: a category becomes the class of the same name. Files from other tools number
  their categories their own way, so this is the safe rule whenever names are there.
- ``"id"``: a category's ``id`` is the class id (files without category names).
- ``"auto"`` (default): ``"name"`` when every category that this image's annotations use has
  a class of its name (categories nobody uses do not matter); ``"id"`` when the document has
  no categories at all, with a warning; otherwise refused, naming the categories that match
  no class, because guessing would give objects the wrong class silently.

A category never becomes class 0 (unlabelled): an object always has a class.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence
from typing import NamedTuple

from seg_widget.core.classes import LabelClass

__all__ = ["CATEGORY_RULES", "CategoryMapping", "category_mapping", "is_id"]

#: Values of the ``categories`` argument.
CATEGORY_RULES = ("auto", "name", "id")

# Largest class id (uint16 masks).
_MAX_CLASS_ID = 65535


class CategoryMapping(NamedTuple):
    """What `category_mapping` returns."""

    #: ``class_of(category_id)`` -> class id, for the category ids the image uses.
    class_of: Callable[[int], int]
    #: The rule that was used: ``"name"`` or ``"id"``.
    rule: str
    #: Number of classes the masks must hold.
    n_classes: int


def category_mapping(
    document: dict,
    used: dict[int, str],
    classes: Sequence[LabelClass] | None,
    rule: str = "auto",
) -> CategoryMapping:
    """Map the category ids an image uses to class ids (see the module docstring).

    Parameters
    ----------
    document : dict
        The COCO document (its ``categories`` are validated here).
    used : dict
        ``{category_id: where}`` for each category id this image's annotations use, with
        the place of its first use (``"document['annotations'][3]"``) for messages.
    classes : sequence of LabelClass or None
        The classes to map to; None maps by id.
    rule : {"auto", "name", "id"}
        See the module docstring.

    Raises
    ------
    ValueError
        Naming the field: malformed or repeated categories, a used id that is no category,
        or a mapping that cannot be made.

    Examples
    --------
    >>> document = {"categories": [{"id": 7, "name": "cat"}, {"id": 9, "name": "truck"}]}
    >>> classes = [LabelClass("unlabelled"), LabelClass("cat")]
    >>> mapping = category_mapping(document, {7: "annotation 0"}, classes)
    >>> mapping.rule, mapping.class_of(7)
    ('name', 1)

    """
    if rule not in CATEGORY_RULES:
        raise ValueError(f"categories: expected one of {CATEGORY_RULES}; got {rule!r}")
    names = _category_names(document)
    if names:
        for category_id, where in used.items():
            if category_id not in names:
                raise ValueError(
                    f"{where}['category_id']: expected the id of one of document['categories'] "
                    f"({sorted(names)[:10]}); got {category_id}"
                )
    if classes is None:
        if rule == "name":
            raise ValueError("categories: mapping by name needs classes; got classes=None")
        return _by_id(used, None, [*names, *used])
    class_names = [label_class.name for label_class in classes]
    if rule == "auto":
        if not names and not used:
            rule = "id"
        elif not names:
            warnings.warn(
                "COCO categories mapped by id (category id = class id): the document has no "
                "categories, so there are no names to map by",
                stacklevel=4,
            )
            rule = "id"
        else:
            unmatched = sorted(
                {f"{names[i]!r} (id {i})" for i in used if names[i] not in class_names}
            )
            if unmatched:
                raise ValueError(
                    f"document['categories']: cannot map categories to classes by name: "
                    f"{', '.join(unmatched[:5])} match no class (classes: {class_names[:20]}); "
                    "rename them or the classes, or map by id with "
                    "seg_widget.io.load_annotation_file(..., categories='id')"
                )
            rule = "name"
    if rule == "id":
        return _by_id(used, len(classes), [])
    index_of = {name: index for index, name in reversed(list(enumerate(class_names)))}
    class_of = {}
    for category_id, where in used.items():
        name = names.get(category_id)
        if name not in index_of or index_of[name] == 0:
            raise ValueError(
                f"{where}['category_id']: expected a category named like a class other than "
                f"{class_names[0]!r} (class 0, unlabelled); got category {category_id} "
                f"named {name!r}"
            )
        class_of[category_id] = index_of[name]
    return CategoryMapping(class_of.__getitem__, "name", len(classes))


def is_id(value: object) -> bool:
    """Whether ``value`` is an integer id (not a bool, not a float or a string)."""
    return isinstance(value, int) and not isinstance(value, bool)


def _category_names(document: dict) -> dict[int, str]:
    """Return ``{id: name}`` of ``document['categories']``, validated strictly."""
    categories = document.get("categories", [])
    if categories is None:
        categories = []
    if not isinstance(categories, list):
        raise ValueError(
            f"document['categories']: expected a list; got {type(categories).__name__}"
        )
    names: dict[int, str] = {}
    for number, category in enumerate(categories):
        where = f"document['categories'][{number}]"
        if not isinstance(category, dict):
            raise ValueError(f"{where}: expected an object; got {type(category).__name__}")
        category_id, name = category.get("id"), category.get("name")
        if not is_id(category_id):
            raise ValueError(f"{where}['id']: expected an integer id; got {category_id!r:.40}")
        if not isinstance(name, str):
            raise ValueError(f"{where}['name']: expected a string; got {name!r:.40}")
        if category_id in names:
            raise ValueError(f"{where}['id']: expected a unique id; got {category_id} again")
        names[category_id] = name
    return names


def _by_id(used: dict[int, str], n_classes: int | None, known: list[int]) -> CategoryMapping:
    top = _MAX_CLASS_ID if n_classes is None else n_classes - 1
    for category_id, where in used.items():
        if not 1 <= category_id <= top:
            raise ValueError(
                f"{where}['category_id']: expected a class id in 1..{top} (mapping by id); "
                f"got {category_id}"
            )
    if n_classes is None:
        n_classes = max((i for i in known if 0 <= i <= _MAX_CLASS_ID), default=0) + 1
    return CategoryMapping(int, "id", n_classes)
