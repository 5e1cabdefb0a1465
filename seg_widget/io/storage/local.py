"""A local (or network-mounted) folder as a store, with conditional writes.

- **put** is the project's atomic write (`seg_widget.io.atomic`): temporary file, ``fsync``,
  rename over the target.
- **create** writes a complete temporary file, then ``os.link`` s it to the key: the link
  fails if the name exists, and the object appears whole or not at all. ``link`` is the
  classic exclusive create that also holds on NFS, where ``O_EXCL`` was long unreliable; it
  needs no lock, so a killed writer can never block others.
- **replace** (compare-and-swap) holds a POSIX record lock (``fcntl.lockf``) on the folder's
  ``.seg-widget.lock`` file while it re-reads the object, compares its etag and renames the
  new content over it. The kernel drops the lock when its process dies (a SIGKILLed kernel
  never leaves the folder locked); NFS serves record locks through its lock manager. A
  thread lock keyed by the folder makes threads of one process take turns too (record locks
  are per process).
- **etag** is a BLAKE2b digest of the content: exact, unlike modification times. Listings
  give a cheaper `Stat.tag` (mtime, size, inode) for caches.
- **now** touches ``.seg-widget.clock`` and reads its mtime: the clock of whatever stamps
  the folder's files (on NFS the server's), the clock that also dated every object.

A file system without hard links or a platform without ``fcntl`` (Windows) cannot do the
conditional writes: team mode is refused there (see `LocalStore.require_conditional_writes`).
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import os
import secrets
import threading
import time
from collections.abc import Iterator

from seg_widget.io.atomic import atomic_write_bytes
from seg_widget.io.storage.base import (
    Blob,
    ConditionalWritesError,
    ObjectChangedError,
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

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]

__all__ = ["LOCK_FILE_NAME", "LocalStore", "content_etag"]

#: File in the store's root that `LocalStore.replace` locks.
LOCK_FILE_NAME = ".seg-widget.lock"
#: File in the store's root whose mtime `LocalStore.now` reads.
CLOCK_FILE_NAME = ".seg-widget.clock"

_TEMPORARY_SUFFIX = ".tmp"
_NO_LINKS = frozenset(
    {errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EXDEV, errno.ENOSYS, errno.EMLINK}
)
_THREAD_LOCKS: dict[str, threading.Lock] = {}
_THREAD_LOCKS_GUARD = threading.Lock()


def content_etag(data: bytes) -> str:
    """Return the etag of a local object holding ``data`` (a 128-bit BLAKE2b digest, hex)."""
    return hashlib.blake2b(data, digest_size=16).hexdigest()


class LocalStore(Store):
    """A folder as a store (see the module docstring); created if missing.

    Examples
    --------
    >>> import tempfile
    >>> store = LocalStore(tempfile.mkdtemp())
    >>> first = store.create("a/b.json", b"{}")
    >>> store.read("a/b.json").etag == first.etag
    True

    """

    def __init__(self, root: str, *, url: str | None = None) -> None:
        self.root = os.path.abspath(root)
        self.url = url or self.root
        if os.path.exists(self.root) and not os.path.isdir(self.root):
            raise ValueError(f"url: expected a folder; got the file {self.root!r}")
        os.makedirs(self.root, exist_ok=True)
        self._real_root = os.path.realpath(self.root)
        self._lock_path = os.path.join(self.root, LOCK_FILE_NAME)
        self._probed: str | None = None

    # -- reading -----------------------------------------------------------------------------

    def read(self, key: str) -> Blob:
        """Read the file whole (etag: its BLAKE2b digest)."""
        path = self._path(key)
        try:
            with open(path, "rb") as file:
                data = file.read()
                modified = os.fstat(file.fileno()).st_mtime
        except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
            raise ObjectMissingError(f"store {self.url!r}: no object {key!r}") from None
        except OSError as error:
            raise StoreError(f"store {self.url!r}: cannot read {key!r}: {error}") from error
        return Blob(key, data, content_etag(data), modified, self.now())

    def stat(self, key: str) -> Stat | None:
        """Describe the file (tag: mtime, size, inode)."""
        path = self._path(key)
        try:
            status = os.stat(path)
        except (FileNotFoundError, NotADirectoryError):
            return None
        if not os.path.isfile(path):
            return None
        return _stat_of(key, status)

    def list(self, prefix: str = "") -> list[Stat]:
        """Walk the folder under ``prefix``; hidden files are not objects."""
        prefix = check_prefix(prefix)
        folder_key = prefix.rsplit("/", 1)[0] if "/" in prefix else ""
        top = self._path(folder_key) if folder_key else self.root
        found: list[Stat] = []
        for folder, names, files in os.walk(top):
            names[:] = [name for name in names if not name.startswith(".")]
            relative = os.path.relpath(folder, self.root).replace(os.sep, "/")
            for name in files:
                key = name if relative == "." else f"{relative}/{name}"
                if name.startswith(".") or not key.startswith(prefix):
                    continue
                with contextlib.suppress(FileNotFoundError):  # removed meanwhile
                    found.append(_stat_of(key, os.stat(os.path.join(folder, name))))
        return sorted_stats(found)

    # -- writing -----------------------------------------------------------------------------

    def put(self, key: str, data: bytes) -> Written:
        """Write the file atomically (temporary file, ``fsync``, rename)."""
        path = self._path(key)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        atomic_write_bytes(path, data)
        return Written(key, content_etag(data), os.stat(path).st_mtime)

    def create(self, key: str, data: bytes) -> Written:
        """Write a temporary file, then hard-link it to the key (fails if taken)."""
        path = self._path(key)
        folder = os.path.dirname(path)
        os.makedirs(folder, exist_ok=True)
        temporary = _write_temporary(folder, os.path.basename(path), data)
        try:
            os.link(temporary, path)
        except FileExistsError:
            raise ObjectExistsError(
                f"store {self.url!r}: an object {key!r} exists already"
            ) from None
        except OSError as error:
            if error.errno in _NO_LINKS:
                raise ConditionalWritesError(
                    f"store {self.url!r}: the file system refused a hard link ({error}); "
                    "exclusive create needs hard links"
                ) from error
            raise StoreError(f"store {self.url!r}: cannot create {key!r}: {error}") from error
        finally:
            with contextlib.suppress(OSError):
                os.unlink(temporary)
        _fsync_folder(folder)
        return Written(key, content_etag(data), os.stat(path).st_mtime)

    def replace(self, key: str, data: bytes, *, etag: str) -> Written:
        """Under the folder's record lock: compare the etag, then rename over."""
        path = self._path(key)
        self._require_locks()
        with self._locked():
            try:
                with open(path, "rb") as file:
                    current = content_etag(file.read())
            except FileNotFoundError:
                raise ObjectChangedError(
                    f"store {self.url!r}: {key!r} was removed since it was read"
                ) from None
            if current != etag:
                raise ObjectChangedError(
                    f"store {self.url!r}: {key!r} was changed since it was read "
                    f"(etag {current}, expected {etag})"
                )
            atomic_write_bytes(path, data)
            modified = os.stat(path).st_mtime
        return Written(key, content_etag(data), modified)

    def delete(self, key: str) -> None:
        """Remove the file, if there is one."""
        with contextlib.suppress(FileNotFoundError):
            os.unlink(self._path(key))

    def now(self) -> float:
        """Return the folder's clock: the mtime of a freshly touched clock file."""
        clock = os.path.join(self.root, CLOCK_FILE_NAME)
        try:
            with open(clock, "ab"):
                pass
            os.utime(clock)  # no times given: the file system stamps its own "now"
            return os.stat(clock).st_mtime
        except OSError:  # a read-only folder: this machine's clock
            return time.time()

    # -- team mode ---------------------------------------------------------------------------

    @property
    def conditional_writes(self) -> bool:  # type: ignore[override]
        """Whether hard links and record locks work in this folder (probed once)."""
        return self._probe() == ""

    def require_conditional_writes(self) -> None:
        """Raise `ConditionalWritesError`, saying why, unless team mode can work here."""
        problem = self._probe()
        if problem:
            raise ConditionalWritesError(f"store {self.url!r}: team mode refused: {problem}")

    def _probe(self) -> str:
        if self._probed is None:
            self._probed = _probe_links(self.root) or self._probe_locks()
        return self._probed

    def _probe_locks(self) -> str:
        if fcntl is None:  # pragma: no cover - Windows
            return "this platform has no POSIX record locks (fcntl), which compare-and-swap needs"
        try:
            with self._locked():
                pass
        except OSError as error:
            return f"the file system refused a record lock ({error}); compare-and-swap needs one"
        return ""

    def _require_locks(self) -> None:
        if fcntl is None:  # pragma: no cover - Windows
            self.require_conditional_writes()

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        with _thread_lock(self._real_root):
            descriptor = os.open(self._lock_path, os.O_RDWR | os.O_CREAT, 0o666)
            try:
                fcntl.lockf(descriptor, fcntl.LOCK_EX)
                yield
            finally:
                os.close(descriptor)  # closing drops the record lock

    # -- paths -------------------------------------------------------------------------------

    def _path(self, key: str) -> str:
        """Return the file of ``key``; refuse one resolving (links followed) outside the root."""
        path = os.path.join(self.root, *check_key(key).split("/"))
        real = os.path.realpath(path)
        if os.path.commonpath([self._real_root, real]) != self._real_root:
            raise ValueError(
                f"key: expected an object inside the store {self.url!r}; got {key!r}, "
                f"which resolves to {real!r}"
            )
        return path


def _stat_of(key: str, status: os.stat_result) -> Stat:
    tag = f"{status.st_mtime_ns:x}-{status.st_size:x}-{status.st_ino:x}"
    return Stat(key, status.st_size, status.st_mtime, tag)


def _write_temporary(folder: str, base: str, data: bytes) -> str:
    """Write ``data`` to a new hidden file in ``folder``, flushed to disk; return its path."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    while True:
        temporary = os.path.join(folder, f".{base}.{secrets.token_hex(4)}{_TEMPORARY_SUFFIX}")
        try:
            descriptor = os.open(temporary, flags, 0o666)
            break
        except FileExistsError:  # pragma: no cover - a 32-bit random collision
            continue
    try:
        with os.fdopen(descriptor, "wb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
    return temporary


def _fsync_folder(folder: str) -> None:
    try:
        descriptor = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:  # pragma: no cover - folders cannot be opened (Windows)
        return
    try:
        with contextlib.suppress(OSError):
            os.fsync(descriptor)
    finally:
        os.close(descriptor)


def _thread_lock(name: str) -> threading.Lock:
    with _THREAD_LOCKS_GUARD:
        return _THREAD_LOCKS.setdefault(name, threading.Lock())


def _probe_links(root: str) -> str:
    """Return why exclusive create cannot work in ``root`` ("" if it can)."""
    probe = _write_temporary(root, "probe", b"")
    target = probe + ".link"
    try:
        os.link(probe, target)
    except OSError as error:
        return f"the file system refused a hard link ({error}); exclusive create needs them"
    finally:
        for path in (probe, target):
            with contextlib.suppress(OSError):
                os.unlink(path)
    return ""
