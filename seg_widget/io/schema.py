"""The label schema (class names, colours, hierarchy) as JSON, so a project's classes persist.

The file looks like this (class ids are the list positions; ``id`` is written for readers
and checked on load)::

    {
      "format": "seg-widget-schema",
      "version": 1,
      "classes": [
        {"id": 0, "name": "background", "color": "#000000", "parent": null},
        {"id": 1, "name": "car", "color": "#e6194b", "parent": "vehicle"}
      ]
    }

A ``parent`` is a group name: another class, or a name used only for grouping (like COCO's
``supercategory``). A class cannot be its own ancestor.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence

from seg_widget.core.classes import LabelClass, normalize_classes
from seg_widget.io._paths import as_path, require_file
from seg_widget.io.atomic import atomic_writer
from seg_widget.io.json_files import read_json

__all__ = [
    "SCHEMA_FORMAT",
    "SCHEMA_VERSION",
    "load_schema",
    "save_schema",
    "schema_from_dict",
    "schema_to_dict",
]

#: Value of the ``"format"`` key that identifies a schema file.
SCHEMA_FORMAT = "seg-widget-schema"
#: Version written by this code; files with a higher version are refused.
SCHEMA_VERSION = 1

_CLASS_KEYS = frozenset({"id", "name", "color", "parent"})


def schema_to_dict(classes: Sequence[str | LabelClass]) -> dict:
    """Return the JSON-ready schema of ``classes`` (see the module docstring).

    Examples
    --------
    >>> schema_to_dict(["background", LabelClass("cat", "red", parent="animal")])["classes"][1]
    {'id': 1, 'name': 'cat', 'color': '#ff0000', 'parent': 'animal'}

    """
    classes = normalize_classes(classes)
    _check_hierarchy(classes, argument="classes")
    return {
        "format": SCHEMA_FORMAT,
        "version": SCHEMA_VERSION,
        "classes": [
            {
                "id": index,
                "name": label_class.name,
                "color": "#{:02x}{:02x}{:02x}".format(*label_class.color),
                "parent": label_class.parent,
            }
            for index, label_class in enumerate(classes)
        ],
    }


def schema_from_dict(schema: object, *, argument: str = "schema") -> tuple[LabelClass, ...]:
    """Return the classes described by a schema dict, after validating it.

    Colours come back as ``(r, g, b)`` tuples, as from `normalize_classes`.

    Raises
    ------
    ValueError
        Naming the offending entry (``schema["classes"][2]["color"]``, ...) for a missing or
        unknown key, a wrong type, a bad colour, a duplicate name, a wrong ``id``, a parent
        cycle, or a version newer than this code understands.

    Examples
    --------
    >>> schema_from_dict({"format": "seg-widget-schema", "version": 1, "classes": [
    ...     {"name": "background"}, {"name": "cat", "color": "#ff8000"}]})[1]
    LabelClass(name='cat', color=(255, 128, 0), parent=None)

    """
    if not isinstance(schema, dict):
        raise ValueError(f"{argument}: expected a JSON object; got {type(schema).__name__}")
    if schema.get("format") != SCHEMA_FORMAT:
        raise ValueError(
            f"{argument}['format']: expected {SCHEMA_FORMAT!r}; got {schema.get('format')!r}"
        )
    version = schema.get("version")
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        raise ValueError(f"{argument}['version']: expected an integer >= 1; got {version!r}")
    if version > SCHEMA_VERSION:
        raise ValueError(
            f"{argument}['version']: expected at most {SCHEMA_VERSION}; got {version} "
            "(written by a newer seg-widget)"
        )
    entries = schema.get("classes")
    if not isinstance(entries, list) or not entries:
        got = "an empty list" if entries == [] else type(entries).__name__
        raise ValueError(f"{argument}['classes']: expected a non-empty list; got {got}")
    classes = [
        _class_from_entry(entry, index, argument=f"{argument}['classes'][{index}]")
        for index, entry in enumerate(entries)
    ]
    try:
        result = normalize_classes(classes)
    except (TypeError, ValueError) as error:
        raise ValueError(f"{argument}: {error}") from error
    _check_hierarchy(result, argument=f"{argument}['classes']")
    return result


def save_schema(path: str | os.PathLike, classes: Sequence[str | LabelClass]) -> None:
    """Write the schema of ``classes`` as UTF-8 JSON to ``path``, atomically.

    Examples
    --------
    >>> import os, tempfile
    >>> path = os.path.join(tempfile.mkdtemp(), "classes.json")
    >>> save_schema(path, ["background", LabelClass("cat", parent="animal")])
    >>> load_schema(path)[1].parent
    'animal'

    """
    text = json.dumps(schema_to_dict(classes), indent=2, ensure_ascii=False)
    with atomic_writer(path, "w") as file:
        file.write(text + "\n")


def load_schema(path: str | os.PathLike) -> tuple[LabelClass, ...]:
    """Read and validate a schema file written by `save_schema`; return its classes.

    Raises
    ------
    ValueError
        If the file is missing, is not JSON (or is nested deeper than the parser allows), or
        is not a valid schema (the message names the file and the entry).

    """
    name = as_path(path)
    require_file(name)
    schema = read_json(name)
    return schema_from_dict(schema, argument=f"schema in {name!r}")


def _class_from_entry(entry: object, index: int, *, argument: str) -> LabelClass:
    if not isinstance(entry, dict):
        raise ValueError(f"{argument}: expected a JSON object; got {type(entry).__name__}")
    unknown = sorted(set(entry) - _CLASS_KEYS)
    if unknown:
        raise ValueError(
            f"{argument}: expected keys among {sorted(_CLASS_KEYS)}; got unknown keys {unknown}"
        )
    if "id" in entry and (isinstance(entry["id"], bool) or entry["id"] != index):
        raise ValueError(f"{argument}['id']: expected {index} (the position); got {entry['id']!r}")
    name = entry.get("name")
    if not isinstance(name, str):
        raise ValueError(f"{argument}['name']: expected a string; got {type(name).__name__}")
    color = entry.get("color")
    if color is not None and not isinstance(color, str):
        raise ValueError(
            f"{argument}['color']: expected a colour string like '#rrggbb'; got {color!r}"
        )
    parent = entry.get("parent")
    if parent is not None and (not isinstance(parent, str) or not parent.strip()):
        raise ValueError(f"{argument}['parent']: expected a class or group name; got {parent!r}")
    return LabelClass(name, color=color, parent=parent)


def _check_hierarchy(classes: Sequence[LabelClass], *, argument: str) -> None:
    """Refuse a class that is its own parent, directly or through other classes."""
    parent_of = {label_class.name: label_class.parent for label_class in classes}
    for index, label_class in enumerate(classes):
        seen = {label_class.name}
        parent = label_class.parent
        while parent is not None:
            if parent in seen:
                raise ValueError(
                    f"{argument}[{index}]['parent']: expected a hierarchy without cycles; "
                    f"got {label_class.name!r} as its own ancestor (via {parent!r})"
                )
            seen.add(parent)
            parent = parent_of.get(parent)
