"""Atomic file writes: after a crash the target holds the old content or the new, never a mix.

The data goes to a temporary file in the target's own folder (so the final rename never
crosses file systems), which is flushed and ``fsync``-ed and then renamed over the target
with `os.replace` (atomic on POSIX and Windows); finally the folder itself is ``fsync``-ed
where the platform allows it, so the rename survives a power cut. If anything fails before
the rename, the temporary file is removed and the target is untouched.

A process killed between the write and the rename cannot clean up: it leaves a hidden
``.<name>.<8 hex digits>.tmp`` file next to an intact target. The writer holds an exclusive
lock (``flock``) on its temporary file until the rename, and the lock dies with the
process, so `remove_stale_temporaries` can tell a dead writer's leftovers from a live
writer's file (of another kernel writing into the same folder) and removes only the former,
and only names of exactly this pattern.

A target that is a symbolic link is written through only when the link stays inside the
target's folder: a link leading out of it is refused, so a folder someone prepared with links
cannot make an export or a save replace files elsewhere.
"""

from __future__ import annotations

import contextlib
import os
import re
import secrets
import stat
from collections.abc import Iterator
from typing import IO

from seg_widget.io._paths import as_path, require_folder_of

try:  # POSIX: lock temporary files so a cleaner can tell a dead writer's from a live one's
    import fcntl
except ImportError:  # pragma: no cover - Windows: an open file cannot be removed anyway
    fcntl = None  # type: ignore[assignment]

__all__ = [
    "FileStamp",
    "atomic_write_bytes",
    "atomic_writer",
    "file_stamp",
    "remove_stale_temporaries",
]

#: Modes `atomic_writer` accepts: binary, or text encoded as UTF-8 with ``\n`` line endings.
WRITER_MODES = ("wb", "w")

#: ``(device, inode, size, modification time in ns)`` of a file: it changes on every
#: atomic replace (a new inode), so it tells whether a file was rewritten since it was read.
FileStamp = tuple[int, int, int, int]

_TEMPORARY_SUFFIX = ".tmp"
_TEMPORARY_NAME = re.compile(r"\.(?P<target>.+)\.[0-9a-f]{8}\.tmp")


@contextlib.contextmanager
def atomic_writer(path: str | os.PathLike, mode: str = "wb") -> Iterator[IO]:
    r"""Open a temporary file that replaces ``path`` atomically when the block succeeds.

    Parameters
    ----------
    path : str or os.PathLike
        The file to create or replace; its folder must exist. A symbolic link is followed,
        so the file it points to is replaced, as with `open`.
    mode : {"wb", "w"}
        Binary, or text (UTF-8, ``\n`` line endings).

    Yields
    ------
    file object
        Write to it inside the ``with`` block. An exception inside the block removes the
        temporary file, leaves ``path`` as it was, and propagates.

    Raises
    ------
    TypeError
        If ``path`` is not a str or os.PathLike.
    ValueError
        For an unknown ``mode``, a missing folder, or a ``path`` that is a folder.

    Examples
    --------
    >>> import os, tempfile
    >>> target = os.path.join(tempfile.mkdtemp(), "notes.txt")
    >>> with atomic_writer(target, "w") as file:
    ...     _ = file.write("saved\n")
    >>> open(target).read()
    'saved\n'

    """
    name = _target_of(path)
    if mode not in WRITER_MODES:
        raise ValueError(f"mode: expected one of {WRITER_MODES}; got {mode!r}")
    temporary, descriptor = _create_temporary(name)
    try:
        if mode == "wb":
            file = os.fdopen(descriptor, "wb", closefd=False)
        else:
            file = os.fdopen(descriptor, "w", encoding="utf-8", newline="\n", closefd=False)
        with file:
            yield file
            file.flush()
            os.fsync(descriptor)
        _copy_permissions(name, temporary)
        if os.name != "posix":  # pragma: no cover - Windows cannot rename an open file
            os.close(descriptor)
            descriptor = -1
        os.replace(temporary, name)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
    finally:
        if descriptor >= 0:
            os.close(descriptor)  # releases the lock, after the rename
    _fsync_folder(os.path.dirname(name))


def atomic_write_bytes(
    path: str | os.PathLike, data: bytes | bytearray | memoryview
) -> FileStamp | None:
    """Write ``data`` to ``path`` atomically (see `atomic_writer`); return the new file's stamp.

    The stamp (see `FileStamp`) is taken from the written file itself, before the rename
    that keeps it, so it is ours even if another process replaces the file right after.

    Examples
    --------
    >>> import os, tempfile
    >>> target = os.path.join(tempfile.mkdtemp(), "blob.bin")
    >>> stamp = atomic_write_bytes(target, b"abc")
    >>> open(target, "rb").read()
    b'abc'

    """
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise TypeError(f"data: expected bytes; got {type(data).__name__}")
    with atomic_writer(path, "wb") as file:
        file.write(data)
        file.flush()
        written = os.fstat(file.fileno())
    return _stamp(written)


def file_stamp(path: str | os.PathLike) -> FileStamp | None:
    """Return the `FileStamp` of ``path``, or None if there is no such file.

    Examples
    --------
    >>> import os, tempfile
    >>> target = os.path.join(tempfile.mkdtemp(), "a.bin")
    >>> file_stamp(target) is None
    True
    >>> atomic_write_bytes(target, b"abc") == file_stamp(target)
    True

    """
    try:
        return _stamp(os.stat(path))
    except (FileNotFoundError, NotADirectoryError):
        return None


def remove_stale_temporaries(folder: str | os.PathLike, *, target: str | None = None) -> list[str]:
    """Remove the temporary files killed writers left in ``folder``; return their names.

    Only hidden files named like this module's temporaries (``.<name>.<8 hex>.tmp``; with
    ``target``, only those of that file name) are considered, and only those no live
    writer holds (see the module docstring): another process's write in progress is left
    alone. Nothing else is ever removed; symbolic links are not followed.

    Examples
    --------
    >>> import os, tempfile
    >>> folder = tempfile.mkdtemp()
    >>> for name in [".mask.png.0badc0de.tmp", ".mask.png.tmp", "notes.tmp"]:
    ...     open(os.path.join(folder, name), "w").close()
    >>> remove_stale_temporaries(folder)
    ['.mask.png.0badc0de.tmp']
    >>> sorted(os.listdir(folder))
    ['.mask.png.tmp', 'notes.tmp']

    """
    root = as_path(folder, argument="folder")
    removed = []
    try:
        entries = sorted(os.scandir(root), key=lambda entry: entry.name)
    except OSError:  # no such folder, or one we may not list: nothing to clean
        return removed
    for entry in entries:
        match = _TEMPORARY_NAME.fullmatch(entry.name)
        if match is None or (target is not None and match["target"] != target):
            continue
        if entry.is_file(follow_symlinks=False) and _remove_if_abandoned(entry.path):
            removed.append(entry.name)
    return removed


def _remove_if_abandoned(path: str) -> bool:
    """Remove a temporary file unless a live writer holds its lock."""
    try:
        descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    except OSError:
        return False
    try:
        if fcntl is not None:
            try:
                fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                return False  # a live writer holds it
        try:
            os.unlink(path)
        except OSError:
            return False
        return True
    finally:
        os.close(descriptor)


def _stamp(status: os.stat_result) -> FileStamp:
    return (status.st_dev, status.st_ino, status.st_size, status.st_mtime_ns)


def _target_of(path: object) -> str:
    """Return the absolute file to replace: ``path`` with a final symbolic link resolved.

    A link whose target lies outside the link's own folder is refused.
    """
    name = os.path.abspath(as_path(path))
    if os.path.islink(name):
        folder = os.path.realpath(os.path.dirname(name))
        resolved = os.path.realpath(name)
        if os.path.commonpath([folder, resolved]) != folder:
            raise ValueError(
                f"path: refusing to write through the symbolic link {name!r}: it leads to "
                f"{resolved!r}, outside its folder {folder!r}"
            )
        name = resolved
    require_folder_of(name)
    if os.path.isdir(name):
        raise ValueError(f"path: expected a file name; got the folder {name!r}")
    return name


def _create_temporary(name: str) -> tuple[str, int]:
    """Create a new, empty, locked hidden file next to ``name``; return its name and descriptor.

    Created with mode 0o666 so the process umask applies, exactly as for a plain `open`.
    A cleaner may remove the file between its creation and the lock: then the name no
    longer leads to our file and another name is tried.
    """
    folder, base = os.path.split(name)
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    while True:
        temporary = os.path.join(folder, f".{base}.{secrets.token_hex(4)}{_TEMPORARY_SUFFIX}")
        try:
            descriptor = os.open(temporary, flags, 0o666)
        except FileExistsError:  # pragma: no cover - a 32-bit random collision
            continue
        if fcntl is None:  # pragma: no cover - Windows
            return temporary, descriptor
        fcntl.flock(descriptor, fcntl.LOCK_EX)  # waits only while a cleaner probes it
        if _stamp(os.fstat(descriptor)) == file_stamp(temporary):
            return temporary, descriptor
        os.close(descriptor)  # pragma: no cover - removed by a cleaner before the lock


def _copy_permissions(name: str, temporary: str) -> None:
    """Give the replacement the permission bits of the file it replaces, if there is one."""
    try:
        mode = stat.S_IMODE(os.stat(name).st_mode)
    except FileNotFoundError:
        return
    with contextlib.suppress(OSError):
        os.chmod(temporary, mode)


def _fsync_folder(folder: str) -> None:
    """Make a rename in ``folder`` durable; a no-op where folders cannot be opened (Windows)."""
    try:
        descriptor = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        return
    try:
        with contextlib.suppress(OSError):  # some file systems refuse fsync on a folder
            os.fsync(descriptor)
    finally:
        os.close(descriptor)
