"""Reading JSON files (COCO documents, schemas, the dataset state) with errors that name them."""

from __future__ import annotations

import json

__all__ = ["read_json"]


def read_json(name: str, *, argument: str = "path") -> object:
    """Return the JSON value in file ``name``; any failure is a ValueError naming the file.

    Besides unreadable files and invalid JSON, this covers JSON nested deeper than Python's
    parser recurses (100,000 brackets raise `RecursionError` inside `json.load`).

    Examples
    --------
    >>> import os, tempfile
    >>> path = os.path.join(tempfile.mkdtemp(), "deep.json")
    >>> _ = open(path, "w").write("[" * 100_000 + "]" * 100_000)
    >>> read_json(path)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: path: cannot read '...deep.json' as JSON: it is nested too deeply

    """
    try:
        with open(name, encoding="utf-8") as file:
            return json.load(file)
    except RecursionError:
        raise ValueError(
            f"{argument}: cannot read {name!r} as JSON: it is nested too deeply"
        ) from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError, ValueError) as error:
        raise ValueError(f"{argument}: cannot read {name!r} as JSON: {error}") from error
