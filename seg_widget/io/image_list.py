"""The images of a dataset: local files, or objects of any fsspec store, with their sizes.

`ImageList` takes what `DatasetAnnotator` takes as ``images``: a glob pattern, a folder or a
list of paths, on the local disk as before, or as URLs of an fsspec store
(``"s3://bucket/images/*.jpg"``, ``"gs://bucket/images"``, ``"memory://..."``) with
``storage_options`` passed to fsspec. ``file://`` URLs are local paths.

- **Sizes** come from the file headers, never from decoding pixels. On a store the first
  `HEADER_BYTES` of every image are fetched concurrently (fsspec's ``cat_ranges``) and parsed
  by Pillow (the whole object only when its header is longer), and a `ShapeCache` keyed by
  the listing's ETag lets a new session skip even that: a 10,000-image bucket is then known
  after its listing. Unreadable images are skipped with a warning (`skipped`).
- **Names**: the file name identifies an image (its stem names its mask); two images sharing
  a stem (case-folded) are refused.
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import warnings
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, BinaryIO

import numpy as np
from PIL import Image

from seg_widget.core.image import load_image
from seg_widget.io._paths import as_path
from seg_widget.io.image_files import (
    IMAGE_EXTENSIONS,
    image_shape_of,
    list_images,
    natural_key,
    read_image_shape,
)

__all__ = ["HEADER_BYTES", "ImageEntry", "ImageList", "ShapeCache", "is_url"]

#: Bytes fetched from the start of a remote image to read its size.
HEADER_BYTES = 64 * 1024
#: Remote headers fetched per batch (fsspec runs a batch's requests concurrently).
HEADER_BATCH = 256

_GLOB_CHARACTERS = re.compile(r"[*?\[]")
_LOCAL_PROTOCOLS = ("file", "local")


def is_url(name: object) -> bool:
    """Whether ``name`` is a URL of a non-local fsspec store (``s3://...``, not ``file://``)."""
    if not isinstance(name, str) or "://" not in name:
        return False
    return name.split("://", 1)[0].lower() not in _LOCAL_PROTOCOLS


def local_path(name: str) -> str:
    """Return the path of a ``file://`` URL (other names unchanged)."""
    if name.lower().startswith(("file://", "local://")):
        import fsspec

        return fsspec.core.url_to_fs(name)[1]
    return name


@dataclass(frozen=True)
class ImageEntry:
    """One image: where it is, its file name and stem, its size."""

    #: Absolute local path, or the object's full URL.
    path: str
    #: ``(height, width)`` from the header.
    shape: tuple[int, int]

    @property
    def name(self) -> str:
        """The file name."""
        return (
            self.path.rstrip("/").rsplit("/", 1)[-1]
            if is_url(self.path)
            else (os.path.basename(self.path))
        )

    @property
    def stem(self) -> str:
        """The file name without its extension."""
        return os.path.splitext(self.name)[0]


class ShapeCache:
    """Image sizes by URL and listing tag: ``{url: [tag, height, width]}``, JSON-ready."""

    def __init__(self, entries: object = None) -> None:
        self.entries: dict[str, list] = {}
        if isinstance(entries, dict):
            for url, value in entries.items():
                if (
                    isinstance(value, list)
                    and len(value) == 3
                    and isinstance(value[0], str)
                    and all(isinstance(n, int) and not isinstance(n, bool) and n > 0
                            for n in value[1:])
                ):  # fmt: skip
                    self.entries[url] = value
        #: Whether `put` changed anything since the cache was made.
        self.changed = False

    def get(self, url: str, tag: str) -> tuple[int, int] | None:
        """Return the cached size of ``url`` if its tag is still ``tag``, else None."""
        value = self.entries.get(url)
        return (value[1], value[2]) if value is not None and value[0] == tag else None

    def put(self, url: str, tag: str, shape: tuple[int, int]) -> None:
        """Remember the size of ``url`` at listing tag ``tag``."""
        value = [tag, int(shape[0]), int(shape[1])]
        if self.entries.get(url) != value:
            self.entries[url] = value
            self.changed = True

    def keep_only(self, urls: set[str]) -> None:
        """Forget images no longer listed."""
        stale = set(self.entries) - urls
        for url in stale:
            del self.entries[url]
        self.changed = self.changed or bool(stale)


class ImageList:
    """The images of a dataset, in navigation order, with their sizes (see the module).

    Parameters
    ----------
    images : str, os.PathLike or sequence
        A glob pattern, a folder or a list of paths; or URLs of them.
    storage_options : dict, optional
        Passed to fsspec for URLs (``endpoint_url``, ``key``, ``secret``, ``profile``...).
    masks_dir : str, optional
        Local folder of the masks: files in it ending in ``mask_format`` are not images.
    mask_format : str
        The masks' extension.
    progress : callable, optional
        ``progress(done, total)`` while sizes are read.
    shape_cache : ShapeCache, optional
        Sizes of remote images read before; updated with the new ones.
    exclude_under : sequence of str
        Folders (paths or URLs) whose files are never images: a store's own data.

    Raises
    ------
    ValueError
        For a pattern, folder or URL that names nothing, a store that cannot be listed
        (naming the URL and why), or two images sharing a stem.

    """

    def __init__(
        self,
        images: object,
        *,
        storage_options: dict | None = None,
        masks_dir: str | None = None,
        mask_format: str = "",
        progress: Callable[[int, int], None] | None = None,
        shape_cache: ShapeCache | None = None,
        exclude_under: Sequence[str] = (),
    ) -> None:
        self.storage_options = dict(storage_options or {})
        self._exclude = [folder.rstrip("/\\") for folder in exclude_under]
        self.fs: Any = None
        #: Images that could not be read, with the reason: ``{path: message}``.
        self.skipped: dict[str, str] = {}
        self.entries: list[ImageEntry] = []
        if _names_a_store(images):
            found = [(url, tag) for url, tag in self._list_remote(images) if self._wanted(url)]
            shapes = self._remote_shapes(found, shape_cache or ShapeCache(), progress)
        else:
            if isinstance(images, str):
                images = local_path(images)
            elif isinstance(images, (list, tuple)):
                images = [local_path(p) if isinstance(p, str) else p for p in images]
            paths = list_images(images, masks_dir=masks_dir, mask_format=mask_format)
            paths = [path for path in paths if self._wanted(path)]
            shapes = self._local_shapes(paths, progress)
        owner_of_stem: dict[str, str] = {}
        for path, shape in shapes:
            entry = ImageEntry(path, shape)
            # Case-folded: on case-insensitive file systems A.png and a.jpg share a mask.
            if entry.stem.casefold() in owner_of_stem:
                raise ValueError(
                    f"images: expected one image per file stem (the mask is <stem>"
                    f"{mask_format}); got {owner_of_stem[entry.stem.casefold()]!r} and {path!r}"
                )
            owner_of_stem[entry.stem.casefold()] = path
            self.entries.append(entry)
        self.remote = self.fs is not None

    def __len__(self) -> int:
        return len(self.entries)

    def __getitem__(self, position: int) -> ImageEntry:
        return self.entries[position]

    def position_of(self, target: object) -> int:
        """Return the position of ``target``: an index, a path or URL, or a file name.

        Raises
        ------
        ValueError
            For an index out of range or a name that is not one of the images.

        """
        count = len(self.entries)
        if isinstance(target, (int, np.integer)) and not isinstance(target, bool):
            if not -count <= target < count:
                raise ValueError(f"index: expected an index in [0, {count}); got {int(target)}")
            return int(target) % count
        name = as_path(target, argument="index_or_path")
        if is_url(name):
            url = self.fs.unstrip_protocol(_stripped(name)) if self.fs is not None else name
            matches = [i for i, entry in enumerate(self.entries) if entry.path == url]
        else:
            real = os.path.realpath(local_path(name))
            matches = [
                i
                for i, entry in enumerate(self.entries)
                if not is_url(entry.path) and os.path.realpath(entry.path) == real
            ]
        if not matches and "/" not in name and os.path.basename(name) == name:
            matches = [i for i, entry in enumerate(self.entries) if entry.name == name]
        if len(matches) == 1:
            return matches[0]
        raise ValueError(
            f"index_or_path: expected an index or one of the dataset's {count} images; "
            f"got {name!r}, which is not in the dataset"
        )

    def load(self, position: int) -> np.ndarray:
        """Decode image ``position`` (errors name the file)."""
        entry = self.entries[position]
        if self.fs is None:
            return load_image(entry.path)
        data = self._fetch(entry.path)
        try:
            with Image.open(io.BytesIO(data)) as opened:
                return load_image(opened)
        except (OSError, SyntaxError, ValueError, Image.DecompressionBombError) as error:
            message = str(error).replace("the PIL image", repr(entry.path))
            text = message if entry.path in message else f"{entry.path}: {message}"
            raise ValueError(text) from error

    @contextlib.contextmanager
    def open(self, position: int) -> Iterator[BinaryIO]:
        """Open image ``position``'s file for reading its bytes."""
        entry = self.entries[position]
        if self.fs is None:
            with open(entry.path, "rb") as file:
                yield file
        else:
            yield io.BytesIO(self._fetch(entry.path))

    # -- listing -----------------------------------------------------------------------------

    def _wanted(self, path: str) -> bool:
        """Whether ``path`` lies outside every excluded folder."""
        for folder in self._exclude:
            if is_url(folder) != is_url(path):
                continue
            if is_url(path):
                url = self.fs.unstrip_protocol(_stripped(folder)) if self.fs else folder
                if path.startswith(url.rstrip("/") + "/"):
                    return False
            elif os.path.realpath(path).startswith(os.path.realpath(folder) + os.sep):
                return False
        return True

    def _list_remote(self, images: object) -> list[tuple[str, str]]:
        """Return ``(url, tag)`` of every image named; sets `fs`."""
        import fsspec

        urls = [images] if isinstance(images, str) else [as_path(u) for u in images]
        try:
            fs, _ = fsspec.core.url_to_fs(urls[0], **self.storage_options)
        except (ImportError, ValueError) as error:
            raise ValueError(f"images: cannot open {urls[0]!r}: {error}") from error
        self.fs = fs
        found: dict[str, dict] = {}
        for url in urls:
            path = _stripped(url)
            try:
                if isinstance(images, str) and _GLOB_CHARACTERS.search(path):
                    infos = fs.glob(path, detail=True)
                elif isinstance(images, str) and fs.isdir(path):
                    infos = {
                        info["name"]: info
                        for info in fs.ls(path, detail=True)
                        if os.path.splitext(info["name"])[1].lower() in IMAGE_EXTENSIONS
                    }
                else:
                    infos = {path: fs.info(path)}
            except FileNotFoundError:
                raise ValueError(
                    f"images: expected a glob pattern, a folder or a list of paths; got "
                    f"{url!r}, which does not exist"
                ) from None
            except Exception as error:  # credentials, network, permissions: say which
                raise ValueError(_listing_problem(url, error)) from error
            for name, info in infos.items():
                base = name.rstrip("/").rsplit("/", 1)[-1]
                if info.get("type", "file") != "file" or base.startswith("."):
                    continue
                if base.lower().endswith(".tmp"):
                    continue
                found[fs.unstrip_protocol(name)] = info
        listed = sorted(found, key=natural_key) if isinstance(images, str) else list(found)
        return [(url, _tag_of(found[url])) for url in listed]

    def _remote_shapes(
        self,
        found: list[tuple[str, str]],
        cache: ShapeCache,
        progress: Callable[[int, int], None] | None,
    ) -> list[tuple[str, tuple[int, int]]]:
        shapes: dict[str, tuple[int, int]] = {}
        missing = []
        for url, tag in found:
            cached = cache.get(url, tag)
            if cached is None:
                missing.append((url, tag))
            else:
                shapes[url] = cached
        for start in range(0, len(missing), HEADER_BATCH):
            if progress is not None:
                progress(start, len(missing))
            batch = missing[start : start + HEADER_BATCH]
            paths = [_stripped(url) for url, _ in batch]
            heads = self.fs.cat_ranges(
                paths, [0] * len(paths), [HEADER_BYTES] * len(paths), on_error="return"
            )
            for (url, tag), head in zip(batch, heads, strict=True):
                try:
                    shape = self._remote_shape(url, head)
                except ValueError as error:
                    self._skip(url, str(error))
                    continue
                shapes[url] = shape
                cache.put(url, tag, shape)
        if progress is not None:
            progress(len(missing), len(missing))
        cache.keep_only({url for url, _ in found})
        return [(url, shapes[url]) for url, _ in found if url in shapes]

    def _remote_shape(self, url: str, head: object) -> tuple[int, int]:
        if isinstance(head, BaseException):
            raise ValueError(f"image: cannot read {url!r}: {head}")
        try:
            return image_shape_of(io.BytesIO(head), url)
        except ValueError:
            if len(head) < HEADER_BYTES:
                raise  # the whole file was there
        return image_shape_of(io.BytesIO(self._fetch(url)), url)  # a header longer than that

    def _local_shapes(
        self, paths: Sequence[str], progress: Callable[[int, int], None] | None
    ) -> list[tuple[str, tuple[int, int]]]:
        shapes = []
        for done, path in enumerate(paths):
            if progress is not None:
                progress(done, len(paths))
            try:
                shapes.append((path, read_image_shape(path)))
            except ValueError as error:
                self._skip(path, str(error))
        if progress is not None:
            progress(len(paths), len(paths))
        return shapes

    def _fetch(self, url: str) -> bytes:
        try:
            return self.fs.cat_file(_stripped(url))
        except FileNotFoundError:
            raise ValueError(f"image: {url!r} is missing from the store") from None
        except Exception as error:
            raise ValueError(f"image: cannot read {url!r}: {error}") from error

    def _skip(self, path: str, message: str) -> None:
        self.skipped[path] = message
        warnings.warn(f"skipping an unreadable image: {message}", stacklevel=4)


def _names_a_store(images: object) -> bool:
    if isinstance(images, str):
        return is_url(images)
    if isinstance(images, (list, tuple)) and images and all(isinstance(p, str) for p in images):
        remote = [is_url(p) for p in images]
        if any(remote) and not all(remote):
            raise ValueError(
                "images: expected local paths or URLs of one store, not both; got "
                f"{images[remote.index(False)]!r} and {images[remote.index(True)]!r}"
            )
        return all(remote)
    return False


def _stripped(url: str) -> str:
    import fsspec

    return fsspec.core.strip_protocol(url)


def _tag_of(info: dict) -> str:
    tag = info.get("ETag") or info.get("etag") or info.get("md5Hash")
    if tag:
        return str(tag)
    modified = (
        info.get("mtime") or info.get("LastModified") or info.get("updated") or info.get("created")
    )
    return f"{info.get('size')}-{modified}"


def _listing_problem(url: str, error: BaseException) -> str:
    kind = type(error).__name__
    text = f"{kind}: {error}"
    if "credential" in text.lower():
        hint = "no credentials were found: pass key= and secret= (or profile=) in storage_options"
    elif "connect" in text.lower() or isinstance(error, (ConnectionError, TimeoutError)):
        hint = "the store did not answer: check endpoint_url and the network"
    elif isinstance(error, PermissionError) or "denied" in text.lower():
        hint = "the store refused the credentials: check them and the bucket's policy"
    else:
        hint = "check the URL and storage_options"
    return f"images: cannot list {url!r} ({text}); {hint}"
