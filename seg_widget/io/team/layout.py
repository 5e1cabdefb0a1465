"""Where team mode keeps things in a store, and which names it accepts.

=================================================== =========================================
Key                                                 What
=================================================== =========================================
``versions/<stem>/<time>-<annotator>-<id><ext>``    every saved mask, immutable (created once)
``versions/<stem>/<time>-<annotator>-<id>.objects.npz``  its objects, if any, likewise
``current/<stem>.json``                             pointer to the current version (CAS)
``leases/<stem>.json``                              who works on the image, until when (CAS)
``reviews/<stem>.json``                             done / accepted / rejected, with notes (CAS)
``cache/<annotator>.json``                          what listings need, keyed by object tags
``drafts/<stem>/<annotator>.npz``                   an annotator's unsaved edits (autosave)
``drafts/<stem>/<annotator>.json``                  the version those edits started from
``sessions/<annotator>.json``                       the image an annotator had open last
``shapes/images.json``                              image sizes read from store headers
``corrupt/<key>.<time>-<id>``                       unreadable records, set aside, never lost
=================================================== =========================================

``<time>`` is the saving machine's UTC clock (``20260301T101112.123456Z``): it only makes
names readable and unique; order and "newest" come from the store's clock. Each kind of
record lives under its own prefix so that a listing of one kind costs one request per
1,000 images on S3.
"""

from __future__ import annotations

import re
import secrets
import time
from dataclasses import dataclass

from seg_widget.io.masks import MASK_EXTENSIONS

__all__ = [
    "OBJECTS_SUFFIX",
    "VersionName",
    "check_annotator",
    "check_stem",
    "draft_keys",
    "lease_key",
    "new_version_name",
    "parse_version_key",
    "pointer_key",
    "review_key",
    "session_key",
    "stem_of_record",
    "versions_prefix",
]

LEASES = "leases/"
CURRENT = "current/"
REVIEWS = "reviews/"
VERSIONS = "versions/"
CACHES = "cache/"
DRAFTS = "drafts/"
SESSIONS = "sessions/"
#: Key of the image-size cache shared by every annotator of a store.
SHAPES_KEY = "shapes/images.json"
SET_ASIDE = "corrupt/"
RECORD_SUFFIX = ".json"
#: Suffix of the objects file of a version (class mask, instance map and table).
OBJECTS_SUFFIX = ".objects.npz"

_ANNOTATOR = re.compile(r"[A-Za-z0-9][A-Za-z0-9._@+-]{0,63}\Z")
_STEM_FORBIDDEN = re.compile(r"[/\\\x00-\x1f\x7f]")
_STAMP = re.compile(r"\d{8}T\d{6}\.\d{6}Z\Z")
_TOKEN = re.compile(r"[0-9a-f]{6}\Z")
_MAX_STEM = 200


def check_annotator(name: object, *, argument: str = "annotator") -> str:
    """Return ``name`` if it can name an annotator, else raise a TypeError or ValueError.

    1 to 64 characters: ASCII letters, digits and ``. _ @ + -``, starting with a letter or
    digit, so that it is safe in object keys and in the page.

    Examples
    --------
    >>> check_annotator("alice@lab")
    'alice@lab'

    """
    if not isinstance(name, str):
        raise TypeError(f"{argument}: expected a str; got {type(name).__name__}")
    if not _ANNOTATOR.match(name):
        raise ValueError(
            f"{argument}: expected 1-64 ASCII letters, digits or '._@+-', starting with a "
            f"letter or digit; got {name!r}"
        )
    return name


def check_stem(stem: object) -> str:
    """Return ``stem`` (an image's file name without extension) if keys can hold it."""
    if not isinstance(stem, str):
        raise TypeError(f"stem: expected a str; got {type(stem).__name__}")
    if not stem or stem.startswith(".") or len(stem) > _MAX_STEM or _STEM_FORBIDDEN.search(stem):
        raise ValueError(
            f"stem: expected an image name of 1-{_MAX_STEM} characters, not starting with "
            f"'.', without slashes, backslashes or control characters; got {stem!r}"
        )
    return stem


def lease_key(stem: str) -> str:
    """Key of the lease (claim) of image ``stem``."""
    return LEASES + check_stem(stem) + RECORD_SUFFIX


def pointer_key(stem: str) -> str:
    """Key of the pointer to the current version of image ``stem``."""
    return CURRENT + check_stem(stem) + RECORD_SUFFIX


def review_key(stem: str) -> str:
    """Key of the review status of image ``stem``."""
    return REVIEWS + check_stem(stem) + RECORD_SUFFIX


def versions_prefix(stem: str) -> str:
    """Prefix of every version of image ``stem``."""
    return VERSIONS + check_stem(stem) + "/"


def cache_key(annotator: str) -> str:
    """Key of the listing cache an annotator's sessions keep."""
    return CACHES + check_annotator(annotator) + RECORD_SUFFIX


def draft_keys(stem: str, annotator: str) -> tuple[str, str]:
    """Keys of an annotator's draft of image ``stem``: its data and its record."""
    base = DRAFTS + check_stem(stem) + "/" + check_annotator(annotator)
    return base + ".npz", base + RECORD_SUFFIX


def session_key(annotator: str) -> str:
    """Key of the record of the image ``annotator`` had open last."""
    return SESSIONS + check_annotator(annotator) + RECORD_SUFFIX


def stem_of_record(key: str, prefix: str) -> str | None:
    """Return the stem a record key (``current/<stem>.json``) names, or None."""
    if not key.startswith(prefix) or not key.endswith(RECORD_SUFFIX):
        return None
    stem = key[len(prefix) : -len(RECORD_SUFFIX)]
    try:
        return check_stem(stem)
    except ValueError:
        return None


@dataclass(frozen=True)
class VersionName:
    """What a version key says: image, annotator, the saver's clock, format."""

    stem: str
    #: The key without its extension: ``versions/<stem>/<time>-<annotator>-<id>``.
    base: str
    annotator: str
    #: The saving machine's UTC time, as written in the name.
    stamp: str
    #: ``".png"``, ``".npy"``, ``".npz"``, or `OBJECTS_SUFFIX` for an objects file.
    extension: str

    @property
    def key(self) -> str:
        """The key this name was read from (or will be written to)."""
        return self.base + self.extension

    @property
    def is_objects(self) -> bool:
        """Whether the key is an objects file rather than a mask."""
        return self.extension == OBJECTS_SUFFIX

    @property
    def objects_key(self) -> str:
        """Key of the objects file saved with this version."""
        return self.base + OBJECTS_SUFFIX


def new_version_name(stem: str, annotator: str, extension: str) -> VersionName:
    """Make a fresh, unique version name (of a mask) by this machine's UTC clock."""
    if extension not in MASK_EXTENSIONS:
        raise ValueError(f"mask_format: expected one of {MASK_EXTENSIONS}; got {extension!r}")
    now = time.time()
    stamp = time.strftime("%Y%m%dT%H%M%S", time.gmtime(now)) + f".{int(now % 1 * 1e6):06d}Z"
    base = f"{versions_prefix(stem)}{stamp}-{check_annotator(annotator)}-{secrets.token_hex(3)}"
    return VersionName(stem, base, annotator, stamp, extension)


def parse_version_key(key: str) -> VersionName | None:
    """Read a key written by `new_version_name` (mask or objects), or None for another key.

    Examples
    --------
    >>> name = parse_version_key("versions/cat/20260301T101112.123456Z-bob-a1b2c3.png")
    >>> name.stem, name.annotator, name.is_objects
    ('cat', 'bob', False)

    """
    if not isinstance(key, str) or not key.startswith(VERSIONS):
        return None
    stem, _, file_name = key[len(VERSIONS) :].rpartition("/")
    if not stem or "/" in stem:
        return None
    suffixes = (OBJECTS_SUFFIX, *MASK_EXTENSIONS)  # objects first: it also ends in .npz
    extension = next((e for e in suffixes if file_name.endswith(e)), None)
    if extension is None:
        return None
    stamp, _, rest = file_name[: -len(extension)].partition("-")
    annotator, _, token = rest.rpartition("-")
    if not _STAMP.match(stamp) or not _TOKEN.match(token) or not _ANNOTATOR.match(annotator):
        return None
    try:
        check_stem(stem)
    except ValueError:
        return None
    return VersionName(stem, key[: -len(extension)], annotator, stamp, extension)
