"""Any other fsspec file system (``gs://``, ``az://``, ``memory://``, ...) as a plain store.

Reads, listings and whole-object writes only: these stores get no conditional writes from
seg-widget (fsspec offers no portable exclusive create or compare-and-swap), so team mode
is refused on them with a clear error. A single user can still keep masks there.
"""

from __future__ import annotations

import time
from typing import Any

from seg_widget.io.storage.base import (
    Blob,
    ConditionalWritesError,
    ObjectExistsError,
    ObjectMissingError,
    Stat,
    Store,
    StoreError,
    Written,
    check_key,
    check_prefix,
    sorted_stats,
)
from seg_widget.io.storage.local import content_etag

__all__ = ["FsspecStore"]


class FsspecStore(Store):
    """Objects under a path of an fsspec file system, without conditional writes."""

    conditional_writes = False

    def __init__(self, fs: Any, path: str, *, url: str) -> None:
        self.fs = fs
        self.url = url
        self._root = path.rstrip("/")
        self._protocol = fs.protocol if isinstance(fs.protocol, str) else fs.protocol[0]

    def read(self, key: str) -> Blob:
        """Read the object with ``cat_file`` (etag: a digest of its content)."""
        full = self._full(key)
        try:
            data = self.fs.cat_file(full)
            modified = _modified_of(self.fs.info(full))
        except FileNotFoundError:
            raise ObjectMissingError(f"store {self.url!r}: no object {key!r}") from None
        except OSError as error:
            raise StoreError(f"store {self.url!r}: cannot read {key!r}: {error}") from error
        return Blob(key, data, content_etag(data), modified, time.time())

    def stat(self, key: str) -> Stat | None:
        """Describe the object from ``info``."""
        try:
            info = self.fs.info(self._full(key))
        except FileNotFoundError:
            return None
        return _stat_of(key, info) if info.get("type") == "file" else None

    def list(self, prefix: str = "") -> list[Stat]:
        """List with ``find`` (the listing cache is dropped first)."""
        prefix = check_prefix(prefix)
        folder = prefix.rsplit("/", 1)[0] if "/" in prefix else ""
        top = f"{self._root}/{folder}" if folder else self._root
        self.fs.invalidate_cache(top)
        try:
            found = self.fs.find(top, detail=True)
        except FileNotFoundError:
            return []
        stats = []
        for name, info in found.items():
            key = name.rstrip("/")[len(self._root) + 1 :]
            if key.startswith(prefix) and info.get("type") == "file":
                stats.append(_stat_of(key, info))
        return sorted_stats(stats)

    def put(self, key: str, data: bytes) -> Written:
        """Write the object with ``pipe_file``."""
        full = self._full(key)
        self.fs.pipe_file(full, bytes(data))
        return Written(key, content_etag(bytes(data)), time.time())

    def create(self, key: str, data: bytes) -> Written:
        """Write if absent. Not atomic here (check, then write): single-user use only."""
        if self.fs.exists(self._full(key)):
            raise ObjectExistsError(f"store {self.url!r}: an object {key!r} exists already")
        return self.put(key, data)

    def replace(self, key: str, data: bytes, *, etag: str) -> Written:
        """Refuse: these stores get no compare-and-swap (`ConditionalWritesError`)."""
        raise self._refusal()

    def delete(self, key: str) -> None:
        """Remove the object, if there is one."""
        try:
            self.fs.rm_file(self._full(key))
        except FileNotFoundError:
            pass

    def now(self) -> float:
        """Return this machine's clock (the store offers none)."""
        return time.time()

    def require_conditional_writes(self) -> None:
        """Refuse team mode (`ConditionalWritesError`)."""
        raise self._refusal()

    def _refusal(self) -> ConditionalWritesError:
        return ConditionalWritesError(
            f"store {self.url!r}: team mode needs exclusive create and compare-and-swap "
            f"writes, which seg-widget does not offer on {self._protocol}:// stores; use an "
            "S3 bucket (s3://...) or a local folder"
        )

    def _full(self, key: str) -> str:
        return f"{self._root}/{check_key(key)}"


def _modified_of(info: dict) -> float:
    for field in ("mtime", "LastModified", "updated", "created"):
        value = info.get(field)
        if hasattr(value, "timestamp"):
            return float(value.timestamp())
        if isinstance(value, (int, float)):
            return float(value)
    return time.time()


def _stat_of(key: str, info: dict) -> Stat:
    modified = _modified_of(info)
    tag = str(info.get("ETag") or info.get("etag") or f"{modified!r}-{info.get('size')}")
    return Stat(key, int(info.get("size") or 0), modified, tag)
