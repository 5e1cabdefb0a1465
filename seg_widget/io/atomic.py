"""Atomic file writes: after a crash the target holds the old content or the new, never a mix.

The data goes to a temporary file in the target's own folder (so the final rename never
crosses file systems), which is flushed and ``fsync``-ed and then renamed over the target
with `os.replace` (atomic on POSIX and Windows); finally the folder itself is ``fsync``-ed
where the platform allows it, so the rename survives a power cut. If anything fails before
the rename, the temporary file is removed and the target is untouched. A process killed
between the write and the rename cannot clean up: it leaves a hidden ``.<name>.<hex>.tmp``
file next to an intact target.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import stat
from collections.abc import Iterator
from typing import IO

from seg_widget.io._paths import as_path, require_folder_of

__all__ = ["atomic_write_bytes", "atomic_writer"]

#: Modes `atomic_writer` accepts: binary, or text encoded as UTF-8 with ``\n`` line endings.
WRITER_MODES = ("wb", "w")

_TEMPORARY_SUFFIX = ".tmp"


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
            file = os.fdopen(descriptor, "wb")
        else:
            file = os.fdopen(descriptor, "w", encoding="utf-8", newline="\n")
        with file:
            yield file
            file.flush()
            os.fsync(file.fileno())
        _copy_permissions(name, temporary)
        os.replace(temporary, name)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
    _fsync_folder(os.path.dirname(name))


def atomic_write_bytes(path: str | os.PathLike, data: bytes | bytearray | memoryview) -> None:
    """Write ``data`` to ``path`` atomically (see `atomic_writer`).

    Examples
    --------
    >>> import os, tempfile
    >>> target = os.path.join(tempfile.mkdtemp(), "blob.bin")
    >>> atomic_write_bytes(target, b"abc")
    >>> open(target, "rb").read()
    b'abc'

    """
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise TypeError(f"data: expected bytes; got {type(data).__name__}")
    with atomic_writer(path, "wb") as file:
        file.write(data)


def _target_of(path: object) -> str:
    """Return the absolute file to replace: ``path`` with a final symbolic link resolved."""
    name = os.path.abspath(as_path(path))
    if os.path.islink(name):
        name = os.path.realpath(name)
    require_folder_of(name)
    if os.path.isdir(name):
        raise ValueError(f"path: expected a file name; got the folder {name!r}")
    return name


def _create_temporary(name: str) -> tuple[str, int]:
    """Create a new, empty hidden file next to ``name``; return its name and descriptor.

    Created with mode 0o666 so the process umask applies, exactly as for a plain `open`.
    """
    folder, base = os.path.split(name)
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    while True:
        temporary = os.path.join(folder, f".{base}.{secrets.token_hex(4)}{_TEMPORARY_SUFFIX}")
        try:
            return temporary, os.open(temporary, flags, 0o666)
        except FileExistsError:  # pragma: no cover - a 32-bit random collision
            continue


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
