"""Checking file paths and their extensions at the public boundary of `seg_widget.io`."""

from __future__ import annotations

import os
from collections.abc import Collection


def as_path(path: object, *, argument: str = "path") -> str:
    """Return ``path`` as a ``str`` file name, or raise a TypeError naming ``argument``.

    Examples
    --------
    >>> from pathlib import Path
    >>> as_path(Path("masks") / "a.png")
    'masks/a.png'

    """
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"{argument}: expected a str or os.PathLike; got {type(path).__name__}")
    name = os.fsdecode(os.fspath(path))
    if not name:
        raise ValueError(f"{argument}: expected a file name; got an empty string")
    return name


def extension_of(path: str, allowed: Collection[str], *, argument: str = "path") -> str:
    """Return the lower-case extension of ``path`` (``'.png'``), which must be in ``allowed``.

    Examples
    --------
    >>> extension_of("a/B.PNG", (".png", ".npy"))
    '.png'

    """
    extension = os.path.splitext(path)[1].lower()
    if extension not in allowed:
        expected = ", ".join(sorted(allowed))
        raise ValueError(
            f"{argument}: expected a file name ending in one of {expected}; got {path!r}"
        )
    return extension


def require_file(path: str, *, argument: str = "path") -> None:
    """Raise a ValueError naming ``argument`` unless ``path`` is an existing regular file."""
    if not os.path.exists(path):
        raise ValueError(f"{argument}: file not found: {path!r}")
    if not os.path.isfile(path):
        raise ValueError(f"{argument}: expected a file; got {path!r}, which is not a file")


def require_folder_of(path: str, *, argument: str = "path") -> None:
    """Raise a ValueError unless the folder that will hold ``path`` exists."""
    folder = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(folder):
        raise ValueError(
            f"{argument}: expected the folder of {path!r} to exist; got missing folder {folder!r}"
        )
