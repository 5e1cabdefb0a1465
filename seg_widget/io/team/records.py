"""Team records (leases, pointers, reviews, caches): small JSON objects, validated on read.

Every record is ``{"format": "seg-widget-<kind>", "version": 1, "nonce": ..., ...}``. The
random nonce makes every write's content, and so its S3 ETag, unique: a compare-and-swap
against an old read can never succeed because a later write happened to store the same bytes.

A record that cannot be read (not JSON, another format, a field of the wrong type) raises
`CorruptRecordError`, which names the object and says how to recover; the object is left exactly
as it is. `set_aside` copies its bytes under ``corrupt/`` before anything replaces it, so a
repair loses nothing.
"""

from __future__ import annotations

import json
import math
import secrets
import time
from collections.abc import Callable
from typing import Any

from seg_widget.io.storage.base import Blob, Store
from seg_widget.io.team.layout import SET_ASIDE

__all__ = ["FORMAT_VERSION", "CorruptRecordError", "decode_record", "encode_record", "set_aside"]

#: Version of the record formats this code writes and reads.
FORMAT_VERSION = 1
_MAX_RECORD_BYTES = 1 << 20


class CorruptRecordError(ValueError):
    """A team record in the store cannot be read; it was left as it is."""

    def __init__(self, message: str, *, key: str) -> None:
        super().__init__(message)
        #: Key of the unreadable object.
        self.key = key


def encode_record(kind: str, fields: dict[str, Any]) -> bytes:
    """Return the bytes of a record of ``kind`` holding ``fields`` (and a fresh nonce)."""
    document = {
        "format": f"seg-widget-{kind}",
        "version": FORMAT_VERSION,
        "nonce": secrets.token_hex(8),
        **fields,
    }
    return json.dumps(document, ensure_ascii=False, sort_keys=True, allow_nan=False).encode()


class RecordReader:
    """Checks the fields of one decoded record; every failure is a `CorruptRecordError`."""

    def __init__(self, document: dict[str, Any], fail: Callable[[str], CorruptRecordError]) -> None:
        self.document = document
        self.fail = fail

    def text(self, name: str, *, optional: bool = False, limit: int = 10_000) -> str | None:
        """Return a string field (None allowed if ``optional``) of at most ``limit`` characters."""
        value = self.document.get(name)
        if value is None and optional:
            return None
        if not isinstance(value, str) or len(value) > limit:
            raise self.fail(f"field {name!r}: expected text; got {_short(value)}")
        return value

    def number(self, name: str, *, low: float, high: float) -> float:
        """Return a finite number field in ``[low, high]``."""
        value = self.document.get(name)
        if (
            isinstance(value, bool)
            or not isinstance(value, (int, float))
            or not math.isfinite(value)
            or not low <= value <= high
        ):
            raise self.fail(f"field {name!r}: expected a number in [{low}, {high}]; got {value!r}")
        return float(value)

    def flag(self, name: str) -> bool:
        """Return a boolean field."""
        value = self.document.get(name)
        if not isinstance(value, bool):
            raise self.fail(f"field {name!r}: expected true or false; got {_short(value)}")
        return value

    def choice(self, name: str, choices: tuple[str, ...]) -> str:
        """Return a string field that must be one of ``choices``."""
        value = self.document.get(name)
        if value not in choices:
            raise self.fail(f"field {name!r}: expected one of {choices}; got {_short(value)}")
        return value

    def checked(self, name: str, check: Callable[[str], str], *, optional: bool = False) -> Any:
        """Return a string field accepted by ``check`` (which raises ValueError otherwise)."""
        value = self.text(name, optional=optional)
        if value is None:
            return None
        try:
            return check(value)
        except (TypeError, ValueError) as error:
            raise self.fail(f"field {name!r}: {error}") from None

    def items(self, name: str, *, limit: int) -> list[dict[str, Any]]:
        """Return a list field of at most ``limit`` objects."""
        value = self.document.get(name)
        if (
            not isinstance(value, list)
            or len(value) > limit
            or not all(isinstance(item, dict) for item in value)
        ):
            raise self.fail(f"field {name!r}: expected a list of objects; got {_short(value)}")
        return value


def decode_record(blob: Blob, store: Store, kind: str, remedy: str) -> RecordReader:
    """Parse ``blob`` as a record of ``kind``; return a reader for its fields.

    Raises
    ------
    CorruptRecordError
        Naming the object, the store, what is wrong and ``remedy`` (what the user can do).

    """

    def fail(problem: str) -> CorruptRecordError:
        return CorruptRecordError(
            f"store {store.url!r}: the {kind} record {blob.key!r} is unreadable ({problem}); "
            f"it was left as it is. {remedy}",
            key=blob.key,
        )

    if len(blob.data) > _MAX_RECORD_BYTES:
        raise fail(f"{len(blob.data)} bytes, more than a record can hold")
    try:
        document = json.loads(blob.data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise fail(f"not JSON: {error}") from None
    if not isinstance(document, dict):
        raise fail(f"expected a JSON object; got {type(document).__name__}")
    if document.get("format") != f"seg-widget-{kind}":
        raise fail(f"expected format 'seg-widget-{kind}'; got {_short(document.get('format'))}")
    if document.get("version") != FORMAT_VERSION:
        raise fail(
            f"expected version {FORMAT_VERSION}; got {_short(document.get('version'))} "
            "(written by a newer seg-widget?)"
        )
    return RecordReader(document, fail)


def set_aside(store: Store, blob: Blob) -> str:
    """Copy an unreadable record's bytes under ``corrupt/``; return the copy's key."""
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
    key = f"{SET_ASIDE}{blob.key}.{stamp}-{secrets.token_hex(3)}"
    store.create(key, blob.data)
    return key


def _short(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."
