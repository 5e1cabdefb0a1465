"""Finding the image files of a dataset and reading their sizes without decoding them."""

from __future__ import annotations

import glob
import os
import re
from collections.abc import Sequence

import numpy as np
from PIL import Image, UnidentifiedImageError

from seg_widget.io._paths import as_path

__all__ = [
    "IMAGE_EXTENSIONS",
    "image_shape_of",
    "list_images",
    "natural_key",
    "read_image_shape",
]

#: Extensions of the files taken from a folder (case-insensitive).
IMAGE_EXTENSIONS = (".png", ".jpg", ".jpeg", ".tif", ".tiff", ".bmp", ".gif", ".webp")

_GLOB_CHARACTERS = re.compile(r"[*?\[]")


def list_images(images: object, *, masks_dir: str | None = None, mask_format: str = "") -> list:
    """Return the image paths (absolute) named by a glob pattern, a folder or a list of paths.

    Glob and folder results are sorted naturally (``img2`` before ``img10``) and exclude
    hidden and ``*.tmp`` files and, if ``masks_dir`` is given, the files in it ending in
    ``mask_format`` (those are masks). A folder contributes its files with an extension in
    `IMAGE_EXTENSIONS`; a list keeps its order and is not filtered.

    Examples
    --------
    >>> import os, tempfile
    >>> folder = tempfile.mkdtemp()
    >>> for name in ["b10.png", "b2.png", ".hidden.png", "notes.txt"]:
    ...     open(os.path.join(folder, name), "w").close()
    >>> [os.path.basename(p) for p in list_images(folder)]
    ['b2.png', 'b10.png']

    """
    if isinstance(images, (str, os.PathLike)):
        name = as_path(images, argument="images")
        if os.path.isdir(name):
            candidates = [
                os.path.join(name, entry)
                for entry in os.listdir(name)
                if os.path.splitext(entry)[1].lower() in IMAGE_EXTENSIONS
            ]
        elif _GLOB_CHARACTERS.search(name):
            candidates = glob.glob(os.path.expanduser(name), recursive=True)
        elif os.path.isfile(name):
            candidates = [name]
        else:
            raise ValueError(
                f"images: expected a glob pattern, a folder or a list of paths; got {name!r}, "
                "which does not exist"
            )
        masks_root = os.path.realpath(masks_dir) if masks_dir is not None else None
        paths = [
            os.path.abspath(path)
            for path in candidates
            if _is_candidate(os.path.basename(path))
            and os.path.isfile(path)
            and not _is_mask_file(path, masks_root, mask_format)
        ]
        return sorted(paths, key=natural_key)
    if isinstance(images, (bytes, dict)) or not isinstance(images, (Sequence, np.ndarray)):
        raise TypeError(
            "images: expected a glob pattern, a folder or a list of paths; "
            f"got {type(images).__name__}"
        )
    return [
        os.path.abspath(as_path(path, argument=f"images[{number}]"))
        for number, path in enumerate(images)
    ]


def read_image_shape(path: str) -> tuple[int, int]:
    """Return ``(height, width)`` from an image file's header, without decoding its pixels.

    Raises
    ------
    ValueError
        Naming the file, if it cannot be read as an image or exceeds Pillow's
        decompression-bomb limit (which stays on).

    """
    return image_shape_of(path, path)


def image_shape_of(file: object, name: str) -> tuple[int, int]:
    """Return ``(height, width)`` from the header of ``file`` (a path or a binary file).

    ``name`` names the image in error messages (see `read_image_shape`).
    """
    try:
        with Image.open(file) as image:
            width, height = image.size
    except Image.DecompressionBombError as error:
        raise ValueError(
            f"image: refusing to read {name!r}: it exceeds Pillow's decompression-bomb limit "
            f"({error}); if you trust the file, raise PIL.Image.MAX_IMAGE_PIXELS first"
        ) from error
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as error:
        reason = str(error).replace(repr(file), "it") if not isinstance(file, str) else error
        raise ValueError(f"image: cannot read {name!r} as an image: {reason}") from error
    if width < 1 or height < 1:
        raise ValueError(f"image: expected a non-empty image; got size 0 in {name!r}")
    return height, width


def _is_candidate(name: str) -> bool:
    return not name.startswith(".") and not name.lower().endswith(".tmp")


def _is_mask_file(path: str, masks_root: str | None, mask_format: str) -> bool:
    if masks_root is None or not path.lower().endswith(mask_format.lower()):
        return False
    return os.path.dirname(os.path.realpath(path)) == masks_root


def natural_key(path: str) -> list:
    """Sort key putting ``img2`` before ``img10`` (digits compared as numbers)."""
    return [int(part) if part.isdigit() else part.lower() for part in re.split(r"(\d+)", path)]
