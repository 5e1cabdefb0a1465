"""An S3 bucket prefix as a store, through ``s3fs`` (install ``seg-widget[s3]``).

How the conditional writes map onto S3 (AWS S3 has honoured both since 2024; botocore knows
them from 1.35; s3fs passes any ``put_object`` parameter botocore knows):

- **create**: ``PutObject`` with ``If-None-Match: *``. S3 answers 412 Precondition Failed
  if the key exists, and 409 ConditionalRequestConflict to the loser of two simultaneous
  conditional writes.
- **replace**: ``PutObject`` with ``If-Match: <etag>``; 412 if the ETag differs, 404 if the
  object is gone.
- A single ``PutObject`` is atomic: readers see the old object or the whole new one.
- **now**: the ``Date`` header of the store's answer, so leases are judged by one clock
  (the store's), whatever the annotators' machines believe.

Some S3-compatible services ignore the conditional headers and overwrite silently, so
`S3Store.require_conditional_writes` probes the bucket once: a second exclusive create of
the same probe object, and a replace against a made-up ETag, must both be refused.

Requests go through s3fs's ``call_s3`` (its retries and credential handling apply); object
bodies are read on s3fs's event loop (``_call_s3`` is the coroutine s3fs itself uses).
"""

from __future__ import annotations

import asyncio
import email.utils
import secrets
import time
from collections.abc import Sequence
from typing import Any

import botocore
import botocore.exceptions as boto_errors
import botocore.session
from fsspec.asyn import sync

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
    check_prefix,
    sorted_stats,
)

__all__ = ["S3Store"]

#: Objects read at once by `S3Store.read_many`.
READ_CONCURRENCY = 32

_CONNECTION_ERRORS = (
    boto_errors.EndpointConnectionError,
    boto_errors.ConnectTimeoutError,
    boto_errors.ReadTimeoutError,
    boto_errors.ConnectionClosedError,
    ConnectionError,
    asyncio.TimeoutError,
)
_CREDENTIAL_ERRORS = (boto_errors.NoCredentialsError, boto_errors.PartialCredentialsError)
_DENIED_CODES = frozenset(
    {"AccessDenied", "InvalidAccessKeyId", "SignatureDoesNotMatch", "ExpiredToken", "403"}
)
_CONDITION_CODES = frozenset({"PreconditionFailed", "ConditionalRequestConflict", "412", "409"})


class S3Store(Store):
    """Objects under ``bucket/prefix`` of an S3 API (see the module docstring).

    Use `seg_widget.io.storage.open_store` (``"s3://bucket/prefix"`` with storage options
    such as ``endpoint_url``, ``key``, ``secret``); it checks the bucket answers.
    """

    def __init__(self, fs: Any, path: str, *, url: str) -> None:
        self.fs = fs
        self.url = url
        bucket, _, prefix = path.strip("/").partition("/")
        if not bucket:
            raise ValueError(f"url: expected s3://bucket or s3://bucket/prefix; got {url!r}")
        self.bucket = bucket
        self._prefix = prefix.strip("/")
        self._probed: str | None = None

    # -- reading -----------------------------------------------------------------------------

    def check(self) -> None:
        """Ask the bucket once: raise a clear error if it is unreachable, missing or denied."""
        self._call("head_bucket", None, "open")

    def read(self, key: str) -> Blob:
        """GET the object (one request: body, ETag, LastModified and the store's Date)."""
        full = self._full(key)
        try:
            response, data = sync(self.fs.loop, self._get, full)
        except Exception as error:
            raise self._translated(error, key, "read") from error
        return self._blob(key, response, data)

    def read_many(self, keys: Sequence[str]) -> dict[str, Blob | None]:
        """GET the objects concurrently (`READ_CONCURRENCY` at a time)."""
        fulls = [self._full(key) for key in keys]
        try:
            answers = sync(self.fs.loop, self._get_many, fulls)
        except Exception as error:
            raise self._translated(error, None, "read") from error
        blobs: dict[str, Blob | None] = {}
        for key, answer in zip(keys, answers, strict=True):
            if isinstance(answer, BaseException):
                translated = self._translated(answer, key, "read")
                if not isinstance(translated, ObjectMissingError):
                    raise translated from answer
                blobs[key] = None
            else:
                blobs[key] = self._blob(key, *answer)
        return blobs

    def stat(self, key: str) -> Stat | None:
        """HEAD the object."""
        try:
            head = self._call("head_object", key, "describe", Key=self._full(key))
        except ObjectMissingError:
            return None
        return Stat(key, int(head["ContentLength"]), head["LastModified"].timestamp(), head["ETag"])

    def list(self, prefix: str = "") -> list[Stat]:
        """List with ListObjectsV2, 1,000 keys a request."""
        prefix = check_prefix(prefix)
        full_prefix = f"{self._prefix}/{prefix}" if self._prefix else prefix
        start = len(self._prefix) + 1 if self._prefix else 0
        found: list[Stat] = []
        token: dict[str, str] = {}
        while True:
            page = self._call("list_objects_v2", prefix, "list", Prefix=full_prefix, **token)
            for item in page.get("Contents", ()):
                key = item["Key"][start:]
                if key and not key.endswith("/"):
                    modified = item["LastModified"].timestamp()
                    found.append(Stat(key, int(item["Size"]), modified, item["ETag"]))
            if not page.get("IsTruncated"):
                return sorted_stats(found)
            token = {"ContinuationToken": page["NextContinuationToken"]}

    # -- writing -----------------------------------------------------------------------------

    def put(self, key: str, data: bytes) -> Written:
        """PUT the object (atomic: it appears whole when the upload completes)."""
        return self._put(key, data, "write")

    def create(self, key: str, data: bytes) -> Written:
        """PUT with ``If-None-Match: *``."""
        return self._put(key, data, "create", IfNoneMatch="*")

    def replace(self, key: str, data: bytes, *, etag: str) -> Written:
        """PUT with ``If-Match: <etag>``."""
        if not isinstance(etag, str) or not etag:
            raise TypeError(f"etag: expected the etag of a read object; got {etag!r}")
        return self._put(key, data, "replace", IfMatch=etag)

    def delete(self, key: str) -> None:
        """DELETE the object."""
        self._call("delete_object", key, "delete", Key=self._full(key))

    def now(self) -> float:
        """Return the ``Date`` of a HEAD request to the bucket."""
        return _date_of(self._call("head_bucket", None, "ask the time of"))

    # -- team mode ---------------------------------------------------------------------------

    @property
    def conditional_writes(self) -> bool:  # type: ignore[override]
        """Whether the bucket refuses a repeated exclusive create and a stale replace."""
        return self._probe() == ""

    def require_conditional_writes(self) -> None:
        """Raise `ConditionalWritesError`, saying why, unless team mode can work here."""
        problem = self._probe()
        if problem:
            raise ConditionalWritesError(f"store {self.url!r}: team mode refused: {problem}")

    def _probe(self) -> str:
        if self._probed is None:
            self._probed = _missing_parameters() or self._probe_bucket()
        return self._probed

    def _probe_bucket(self) -> str:
        key = f"{self._prefix}/.seg-widget-probe-{secrets.token_hex(8)}".lstrip("/")
        put = self.fs.call_s3
        try:
            put("put_object", Bucket=self.bucket, Key=key, Body=b"1", IfNoneMatch="*")
            try:
                put("put_object", Bucket=self.bucket, Key=key, Body=b"2", IfNoneMatch="*")
                return (
                    "the service accepted a second exclusive create (If-None-Match: *) of one "
                    "object, so it would let annotators overwrite each other's work"
                )
            except Exception as error:  # the refusal we hope for
                if _code_of(error) not in _CONDITION_CODES:
                    return f"the service does not support If-None-Match ({error})"
            try:
                wrong = '"' + "0" * 32 + '"'
                put("put_object", Bucket=self.bucket, Key=key, Body=b"3", IfMatch=wrong)
                return (
                    "the service accepted a write with a stale If-Match etag, so it would let "
                    "annotators overwrite each other's work"
                )
            except Exception as error:
                if _code_of(error) not in _CONDITION_CODES:
                    return f"the service does not support If-Match ({error})"
            return ""
        except Exception as error:
            raise self._translated(error, None, "probe") from error
        finally:
            try:
                put("delete_object", Bucket=self.bucket, Key=key)
            except Exception:  # the probe object is hidden: leaving it behind is harmless
                pass

    # -- helpers -----------------------------------------------------------------------------

    def _full(self, key: str) -> str:
        key = check_key(key)
        return f"{self._prefix}/{key}" if self._prefix else key

    def _put(self, key: str, data: bytes, action: str, **condition: str) -> Written:
        if not isinstance(data, (bytes, bytearray, memoryview)):
            raise TypeError(f"data: expected bytes; got {type(data).__name__}")
        response = self._call(
            "put_object", key, action, Key=self._full(key), Body=bytes(data), **condition
        )
        return Written(key, response["ETag"], _date_of(response))

    def _call(self, method: str, key: str | None, action: str, **kwargs: Any) -> dict:
        try:
            return self.fs.call_s3(method, Bucket=self.bucket, **kwargs)
        except Exception as error:
            raise self._translated(error, key, action) from error

    async def _get(self, full: str) -> tuple[dict, bytes]:
        # fsspec's async file systems document ``_name`` as the coroutine of ``name``.
        call = self.fs._call_s3  # noqa: SLF001
        response = await call("get_object", Bucket=self.bucket, Key=full)
        try:
            return response, await response["Body"].read()
        finally:
            response["Body"].close()

    async def _get_many(self, fulls: Sequence[str]) -> list:
        limit = asyncio.Semaphore(READ_CONCURRENCY)

        async def one(full: str) -> tuple[dict, bytes]:
            async with limit:
                return await self._get(full)

        return await asyncio.gather(*(one(full) for full in fulls), return_exceptions=True)

    def _blob(self, key: str, response: dict, data: bytes) -> Blob:
        modified = response["LastModified"].timestamp()
        return Blob(key, data, response["ETag"], modified, _date_of(response))

    def _translated(self, error: BaseException, key: str | None, action: str) -> Exception:
        """Turn an s3fs/botocore error into a store error whose message says what to do."""
        what = f"store {self.url!r}: cannot {action} " + (repr(key) if key else "the bucket")
        code = _code_of(error)
        endpoint = _endpoint_of(self.fs)
        if isinstance(error, _CREDENTIAL_ERRORS):
            return StoreAccessError(
                f"store {self.url!r}: no credentials for {endpoint} were found; pass key= and "
                "secret= (or profile=) as storage options, or set AWS_ACCESS_KEY_ID and "
                "AWS_SECRET_ACCESS_KEY"
            )
        if isinstance(error, _CONNECTION_ERRORS) or _is_connection_failure(error):
            return StoreUnreachableError(
                f"store {self.url!r}: cannot reach {endpoint} ({error}); check endpoint_url "
                "and the network"
            )
        if code in _CONDITION_CODES:
            if action == "create":
                return ObjectExistsError(f"{what}: an object with that key exists already")
            return ObjectChangedError(f"{what}: it was changed by someone else since it was read")
        if code == "NoSuchBucket" or (code in ("404", "NotFound") and key is None):
            return StoreError(f"store {self.url!r}: the bucket {self.bucket!r} does not exist")
        if code in ("NoSuchKey", "404", "NotFound") or isinstance(error, FileNotFoundError):
            if action == "replace":
                return ObjectChangedError(f"{what}: it was removed since it was read")
            return ObjectMissingError(f"store {self.url!r}: no object {key!r}")
        if code in _DENIED_CODES or isinstance(error, PermissionError):
            return StoreAccessError(
                f"{what}: {endpoint} refused the credentials ({code or error}); check key, "
                "secret and the bucket's policy"
            )
        return StoreError(f"{what}: {error}")


def _code_of(error: BaseException) -> str | None:
    """Return the S3 error code of a botocore error, or of the one behind an s3fs error."""
    for candidate in (error, error.__cause__):
        response = getattr(candidate, "response", None)
        if isinstance(response, dict):
            return str(response.get("Error", {}).get("Code") or "") or None
    return None


def _is_connection_failure(error: BaseException) -> bool:
    cause = error.__cause__ or error.__context__
    return cause is not None and isinstance(cause, _CONNECTION_ERRORS)


def _endpoint_of(fs: Any) -> str:
    endpoint = getattr(fs, "endpoint_url", None) or fs.client_kwargs.get("endpoint_url")
    return f"the S3 endpoint {endpoint}" if endpoint else "AWS S3"


def _date_of(response: dict) -> float:
    """Return the store's clock from an answer's ``Date`` header (this machine's if absent)."""
    header = response.get("ResponseMetadata", {}).get("HTTPHeaders", {}).get("date")
    if not header:
        return time.time()
    return email.utils.parsedate_to_datetime(header).timestamp()


def _missing_parameters() -> str:
    """Why this botocore cannot send conditional writes ("" if it can)."""
    model = botocore.session.get_session().get_service_model("s3")
    known = set(model.operation_model("PutObject").input_shape.members)
    missing = {"IfMatch", "IfNoneMatch"} - known
    if missing:
        return (
            f"botocore {botocore.__version__} cannot send {sorted(missing)} with PutObject "
            "(s3fs would silently drop them); upgrade s3fs/botocore"
        )
    return ""
