"""One store interface over local folders, S3 buckets and other fsspec file systems.

>>> from seg_widget.io.storage import open_store
>>> store = open_store("s3://bucket/masks", endpoint_url="http://127.0.0.1:9000")  # doctest: +SKIP
>>> store = open_store("masks")  # a local folder, created if missing  # doctest: +SKIP

See `seg_widget.io.storage.base` for the interface and the guarantees of each write.
"""

from __future__ import annotations

import os
from typing import Any

from seg_widget.io.storage.base import (
    Blob,
    ConditionalWritesError,
    ObjectChangedError,
    ObjectExistsError,
    ObjectMissingError,
    Stat,
    Store,
    StoreAccessError,
    StoreError,
    StoreUnreachableError,
    Written,
    check_key,
)
from seg_widget.io.storage.local import LocalStore

__all__ = [
    "Blob",
    "ConditionalWritesError",
    "LocalStore",
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
    "open_store",
]

_LOCAL_PROTOCOLS = ("file", "local")
_S3_PROTOCOLS = ("s3", "s3a")


def open_store(url: str | os.PathLike, **storage_options: Any) -> Store:
    """Open the store at ``url``: a folder path, ``file://``, ``s3://`` or any fsspec URL.

    Parameters
    ----------
    url : str or os.PathLike
        ``"masks"``, ``"/data/masks"``, ``"file:///data/masks"`` (a local folder, created
        if missing), ``"s3://bucket/prefix"`` (needs ``seg-widget[s3]``), or another fsspec
        URL (``gs://``, ``memory://``, ...: no team mode there).
    **storage_options
        Passed to the fsspec file system: for S3 e.g. ``endpoint_url``, ``key``,
        ``secret``, ``profile``, ``client_kwargs``, ``config_kwargs``.

    Returns
    -------
    Store
        A `LocalStore`, an `~seg_widget.io.storage.s3.S3Store` (the bucket was asked once:
        reachable, credentials accepted, bucket present) or a plain fsspec store.

    Raises
    ------
    TypeError
        If ``url`` is not a str or os.PathLike.
    ValueError
        For an empty URL, an unknown protocol, or one whose package is not installed.
    StoreUnreachableError, StoreAccessError, StoreError
        For an S3 endpoint that does not answer, missing or refused credentials, or a
        missing bucket.

    Examples
    --------
    >>> import tempfile
    >>> open_store(tempfile.mkdtemp()).list()
    []

    """
    if isinstance(url, os.PathLike):
        url = os.fspath(url)
    if not isinstance(url, str):
        raise TypeError(f"url: expected a str or os.PathLike; got {type(url).__name__}")
    if not url:
        raise ValueError("url: expected a folder or a URL; got an empty string")
    if "://" not in url and not storage_options:
        return LocalStore(url)
    import fsspec

    try:
        fs, path = fsspec.core.url_to_fs(url, **storage_options)
    except ImportError as error:
        raise ValueError(
            f"url: {url!r} needs a package that is not installed ({error}); for s3:// "
            "install seg-widget[s3]"
        ) from error
    except ValueError as error:  # fsspec: "Protocol not known: ..."
        raise ValueError(f"url: expected a folder or an fsspec URL; got {url!r}: {error}") from None
    protocols = (fs.protocol,) if isinstance(fs.protocol, str) else tuple(fs.protocol)
    if any(protocol in _LOCAL_PROTOCOLS for protocol in protocols):
        return LocalStore(path, url=url)
    if any(protocol in _S3_PROTOCOLS for protocol in protocols):
        from seg_widget.io.storage.s3 import S3Store

        store = S3Store(fs, path, url=url)
        store.check()
        return store
    from seg_widget.io.storage.generic import FsspecStore

    return FsspecStore(fs, path, url=url)
