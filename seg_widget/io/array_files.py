"""Reading ``.npy`` and ``.npz`` arrays after checking what their headers declare.

`numpy.load` allocates the array a header declares before reading a byte of it, so a 1.5 MB
``.npz`` can declare a 3 GB mask. Here the header is read first (numpy's own header parser,
which bounds the header's length), its shape and dtype are checked against the caller's
expectation and `seg_widget.io.limits`, and only then is the data read, into an array of
exactly the declared size: a file whose data is shorter is refused, never padded. Pickles
and structured or object dtypes are refused; every error is a ValueError naming the file.
"""

from __future__ import annotations

import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import IO, NamedTuple

import numpy as np
from numpy.lib import format as npy_format

__all__ = ["ArrayHeader", "NpzArchive", "open_npz", "read_npy"]

# Read data in pieces of this many bytes (a zip member decompresses as it is read).
_CHUNK_BYTES = 1 << 22

#: ``check(header)`` raises a ValueError when the declared array is not acceptable.
HeaderCheck = Callable[["ArrayHeader"], None]


class ArrayHeader(NamedTuple):
    """What an ``.npy`` header declares."""

    shape: tuple[int, ...]
    dtype: np.dtype
    fortran_order: bool


def read_npy(path: str, check: HeaderCheck, *, what: str) -> np.ndarray:
    """Read the array of an ``.npy`` file if ``check(header)`` accepts its header.

    Examples
    --------
    >>> import os, tempfile
    >>> path = os.path.join(tempfile.mkdtemp(), "a.npy")
    >>> np.save(path, np.arange(3, dtype=np.uint8))
    >>> read_npy(path, lambda header: None, what="array").tolist()
    [0, 1, 2]

    """
    try:
        with open(path, "rb") as file:
            return _read_checked(file, check, what=what)
    except OSError as error:
        raise ValueError(f"{what}: cannot read {path!r}: {error}") from error


class NpzArchive:
    """An open ``.npz`` file whose members are read one at a time after a header check."""

    def __init__(self, archive: zipfile.ZipFile, path: str) -> None:
        self._archive = archive
        self._path = path
        #: Array names in the file (member names without ``.npy``), in file order.
        self.keys = tuple(
            name[: -len(".npy")] for name in archive.namelist() if name.endswith(".npy")
        )

    def header(self, key: str) -> ArrayHeader:
        """Return the header of array ``key`` (reads only its first bytes)."""
        with self._member(key) as stream:
            return _read_header(stream, what=self._what(key))

    def read(self, key: str, check: HeaderCheck) -> np.ndarray:
        """Read array ``key`` if ``check(header)`` accepts its header."""
        with self._member(key) as stream:
            return _read_checked(stream, check, what=self._what(key))

    def _what(self, key: str) -> str:
        return f"array {key!r} in {self._path!r}"

    @contextmanager
    def _member(self, key: str) -> Iterator[IO[bytes]]:
        try:
            with self._archive.open(key + ".npy") as stream:
                yield stream
        except (OSError, zipfile.BadZipFile, EOFError, RuntimeError) as error:
            raise ValueError(f"{self._what(key)}: cannot read it: {error}") from error


@contextmanager
def open_npz(path: str) -> Iterator[NpzArchive]:
    """Open an ``.npz`` archive for checked reading; a ValueError names a broken file.

    Examples
    --------
    >>> import os, tempfile
    >>> path = os.path.join(tempfile.mkdtemp(), "a.npz")
    >>> np.savez_compressed(path, mask=np.eye(2, dtype=np.uint8))
    >>> with open_npz(path) as archive:
    ...     archive.keys, archive.header("mask").shape
    (('mask',), (2, 2))

    """
    try:
        archive = zipfile.ZipFile(path)
    except (OSError, zipfile.BadZipFile, EOFError, ValueError) as error:
        raise ValueError(f"path: cannot read an .npz archive from {path!r}: {error}") from error
    with archive:
        yield NpzArchive(archive, path)


def _read_header(stream: IO[bytes], *, what: str) -> ArrayHeader:
    try:
        version = npy_format.read_magic(stream)
        if version == (1, 0):
            shape, fortran_order, dtype = npy_format.read_array_header_1_0(stream)
        elif version in ((2, 0), (3, 0)):  # 3.0 differs only for non-ASCII field names
            shape, fortran_order, dtype = npy_format.read_array_header_2_0(stream)
        else:
            raise ValueError(f"unknown .npy format version {version}")
    except (ValueError, OSError, EOFError, SyntaxError, TypeError) as error:
        raise ValueError(f"{what}: not a readable .npy array: {error}") from error
    if dtype.hasobject or dtype.fields is not None or dtype.subdtype is not None:
        raise ValueError(
            f"{what}: expected a plain numeric or text array; got dtype {dtype} "
            "(pickled objects and structured arrays are refused)"
        )
    return ArrayHeader(tuple(int(n) for n in shape), dtype, bool(fortran_order))


def _read_checked(stream: IO[bytes], check: HeaderCheck, *, what: str) -> np.ndarray:
    header = _read_header(stream, what=what)
    check(header)
    order = "F" if header.fortran_order else "C"
    array = np.empty(header.shape, dtype=header.dtype, order=order)
    buffer = memoryview(array.reshape(-1, order="A").view(np.uint8))
    filled = 0
    try:
        while filled < len(buffer):
            got = stream.readinto(buffer[filled : filled + _CHUNK_BYTES])  # type: ignore[attr-defined]
            if not got:
                break
            filled += got
    except (OSError, zipfile.BadZipFile, EOFError, ValueError) as error:
        raise ValueError(f"{what}: cannot read its data: {error}") from error
    if filled != len(buffer):
        raise ValueError(
            f"{what}: expected {len(buffer)} bytes of data for shape {header.shape} "
            f"{header.dtype}; got {filled} (a truncated file)"
        )
    if not header.dtype.isnative:
        array = array.astype(header.dtype.newbyteorder("="))
    return np.ascontiguousarray(array)
