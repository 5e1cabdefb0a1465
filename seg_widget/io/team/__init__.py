"""Team mode: several annotators on one store, with claims, versions, review and a catalog.

Each piece is a small class over a `seg_widget.io.storage.Store` that offers conditional
writes (an S3 bucket or a local folder):

- `Claims`: leases on images (claim, renew, release, expiry by the store's clock);
- `Versions`: every save a new immutable version, a pointer moved by compare-and-swap,
  conflicts kept side by side, pointers rebuilt from versions;
- `Reviews`: done / accepted / rejected, with notes and history;
- `Catalog`: every image's state from listings and a cache, never reading masks;
- `agreement_report`: how far annotators agree where an image has versions by several;
- `Drafts`: an annotator's unsaved edits, overwritten by each autosave;
- `TeamDataset`: all of them over a dataset's images, what ``DatasetAnnotator(...,
  annotator=...)`` works on.

Where everything lives is described in `seg_widget.io.team.layout`.
"""

from seg_widget.io.team.agreement import agreement_report, latest_by_annotator
from seg_widget.io.team.catalog import Catalog, ImageState, ScanStats
from seg_widget.io.team.claims import (
    CLOCK_TOLERANCE,
    DEFAULT_LEASE_SECONDS,
    Claims,
    ClaimStatus,
    ClaimTakenError,
    ClockSkewWarning,
    Lease,
    LeaseLostError,
)
from seg_widget.io.team.dataset import TeamConflictError, TeamDataset
from seg_widget.io.team.layout import check_annotator
from seg_widget.io.team.records import CorruptRecordError
from seg_widget.io.team.review import REVIEW_STATES, ReviewEvent, Reviews, ReviewStatus
from seg_widget.io.team.versions import Current, Loaded, SaveResult, Version, Versions

__all__ = [
    "CLOCK_TOLERANCE",
    "DEFAULT_LEASE_SECONDS",
    "REVIEW_STATES",
    "Catalog",
    "ClaimStatus",
    "ClaimTakenError",
    "Claims",
    "ClockSkewWarning",
    "CorruptRecordError",
    "Current",
    "ImageState",
    "Lease",
    "LeaseLostError",
    "Loaded",
    "ReviewEvent",
    "ReviewStatus",
    "Reviews",
    "SaveResult",
    "ScanStats",
    "TeamConflictError",
    "TeamDataset",
    "Version",
    "Versions",
    "agreement_report",
    "check_annotator",
    "latest_by_annotator",
]
