"""The store interface: small objects under one root, written whole, with conditional writes.

A *store* is a folder or a bucket prefix. Its objects are named by *keys*, relative POSIX
paths such as ``"leases/cat 1.json"``. Every write makes the whole object visible at once
(never a partial object). Team mode needs two conditional writes on top:

- **create** (exclusive): write the object only if no object has that key;
- **replace** (compare-and-swap): write it only if its current *etag* is the one the caller
  read, so nobody's newer write is silently overwritten.

Objects whose key has a segment starting with ``.`` (temporary files, lock files, probes)
are the store's own: listings leave them out and callers may not name them.
"""

from __future__ import annotations

import abc
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

__all__ = [
    "Blob",
    "ConditionalWritesError",
    "ObjectChangedError",
    "ObjectExistsError",
    "ObjectMissingError",
    "Stat",
    "Store",
    "StoreAccessError",
    "StoreError",
    "StoreUnreachableError",
    "Written",
    "check_key",
]

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


class StoreError(OSError):
    """A store could not do what was asked (the message names the store and the object)."""


class StoreUnreachableError(StoreError, ConnectionError):
    """The store did not answer: wrong endpoint, no network, server down."""


class StoreAccessError(StoreError, PermissionError):
    """No credentials were found, or the store refused them."""


class ObjectMissingError(StoreError, FileNotFoundError):
    """No object has that key."""


class ObjectExistsError(StoreError, FileExistsError):
    """An exclusive create found an object under that key already."""


class ObjectChangedError(StoreError):
    """A compare-and-swap found another version of the object (or none) than expected."""


class ConditionalWritesError(ValueError):
    """The store offers no exclusive create or no compare-and-swap: team mode is refused."""


@dataclass(frozen=True)
class Stat:
    """What a listing tells about an object without reading it."""

    #: Key relative to the store's root.
    key: str
    #: Size in bytes.
    size: int
    #: Last write, by the store's clock (seconds since the epoch).
    modified: float
    #: Changes whenever the content changes: the S3 ETag, or modification time, size and
    #: inode of a local file. Good for caches; compare-and-swap uses `Blob.etag`.
    tag: str


@dataclass(frozen=True)
class Blob:
    """An object read whole, with what a compare-and-swap against it needs."""

    key: str
    data: bytes
    #: Pass to `Store.replace` to overwrite exactly this version.
    etag: str
    #: Last write, by the store's clock.
    modified: float
    #: The store's clock when it answered (the ``Date`` of the response).
    store_time: float


@dataclass(frozen=True)
class Written:
    """What a successful write returns."""

    key: str
    etag: str
    #: The store's clock when the write completed (an upper bound of its LastModified).
    modified: float


class Store(abc.ABC):
    """Objects under one root (see the module docstring); `open_store` makes one from a URL."""

    #: The URL the store was opened with, for messages (no credentials in it).
    url: str
    #: Whether `create` and `replace` are atomic conditional writes here.
    conditional_writes: bool = False

    @abc.abstractmethod
    def read(self, key: str) -> Blob:
        """Read an object whole; raise `ObjectMissingError` if there is none."""

    def read_many(self, keys: Sequence[str]) -> dict[str, Blob | None]:
        """Read several objects (concurrently where the store allows); None for a missing one."""
        blobs: dict[str, Blob | None] = {}
        for key in keys:
            try:
                blobs[key] = self.read(key)
            except ObjectMissingError:
                blobs[key] = None
        return blobs

    @abc.abstractmethod
    def stat(self, key: str) -> Stat | None:
        """Describe an object without reading it, or None if there is none."""

    @abc.abstractmethod
    def list(self, prefix: str = "") -> list[Stat]:
        """Every object whose key starts with ``prefix`` (a folder, ``"a/"``), sorted by key."""

    @abc.abstractmethod
    def put(self, key: str, data: bytes) -> Written:
        """Write an object whole, replacing any object under that key."""

    @abc.abstractmethod
    def create(self, key: str, data: bytes) -> Written:
        """Write an object only if none has that key; else raise `ObjectExistsError`."""

    @abc.abstractmethod
    def replace(self, key: str, data: bytes, *, etag: str) -> Written:
        """Write an object only if its etag is ``etag``; else raise `ObjectChangedError`."""

    @abc.abstractmethod
    def delete(self, key: str) -> None:
        """Remove an object; nothing happens if there is none."""

    @abc.abstractmethod
    def now(self) -> float:
        """Return the store's clock, in seconds since the epoch."""

    def require_conditional_writes(self) -> None:
        """Raise `ConditionalWritesError` unless team mode can work on this store."""
        if not self.conditional_writes:
            raise ConditionalWritesError(
                f"store {self.url!r}: team mode needs exclusive create and compare-and-swap "
                "writes, which this kind of store does not offer; use an S3 bucket "
                "(s3://...) or a local folder"
            )

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.url!r})"


def check_key(key: object) -> str:
    """Return ``key`` if it is a safe relative key, else raise a TypeError or ValueError.

    A key is a relative POSIX path: segments separated by ``/``, none empty, ``.`` or
    ``..``, none starting with ``.`` (the store's own objects), no backslash and no
    control character.

    Examples
    --------
    >>> check_key("leases/cat 1.json")
    'leases/cat 1.json'
    >>> check_key("../secret")
    Traceback (most recent call last):
    ...
    ValueError: key: expected a relative key without '.'-prefixed segments; got '../secret'

    """
    if not isinstance(key, str):
        raise TypeError(f"key: expected a str; got {type(key).__name__}")
    if not key or "\\" in key or _CONTROL.search(key):
        raise ValueError(
            f"key: expected a non-empty key without backslashes or control characters; got {key!r}"
        )
    segments = key.split("/")
    if any(not segment for segment in segments):
        raise ValueError(f"key: expected a relative key without empty segments; got {key!r}")
    if any(segment.startswith(".") for segment in segments):
        raise ValueError(f"key: expected a relative key without '.'-prefixed segments; got {key!r}")
    return key


def check_prefix(prefix: object) -> str:
    """Return a listing prefix: ``""`` or a key, optionally ending in ``/``."""
    if prefix == "":
        return ""
    if not isinstance(prefix, str):
        raise TypeError(f"prefix: expected a str; got {type(prefix).__name__}")
    check_key(prefix.rstrip("/") or "/")
    return prefix


def is_own_object(key: str) -> bool:
    """Whether a listed key belongs to the store itself (a segment starting with ``.``)."""
    return any(segment.startswith(".") for segment in key.split("/"))


def sorted_stats(stats: Iterable[Stat]) -> list[Stat]:
    """Stats sorted by key, the store's own objects left out."""
    return sorted((s for s in stats if not is_own_object(s.key)), key=lambda s: s.key)
