"""How an annotator's work flows in team mode: claims, versions, drafts, review, compare.

`TeamSession` is the collaborator `DatasetAnnotator(..., annotator="alice")` uses instead of
`~seg_widget.widget.folder_session.FolderSession`, over a
`seg_widget.io.team.dataset.TeamDataset`:

- **Open:** claim the image (someone else's claim raises `ClaimTakenError`, saying who and
  until when), load its current version; a draft the annotator left (a killed kernel's
  unsaved edits) is restored. A rejected image shows its reviewer's note.
- **While working:** edits (and a timer) renew the claim (`LeaseKeeper`); autosaves
  overwrite the annotator's draft instead of piling up versions.
- **Save** (explicit, on moving on, on Done): a new version, and the pointer moved from the
  version the edits started from. If someone else saved meanwhile, both versions are kept,
  a `TeamConflictError` says so and nothing moves on until the user picks: keep mine (make
  mine current) or load theirs.
- **Leave / close:** release the claims.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from ..core.agreement import AgreementReport
from ..core.classes import LabelClass
from ..io.team import ClaimTakenError, CorruptRecordError, Lease, agreement_report
from ..io.team.dataset import Opened, TeamConflictError, TeamDataset
from ..io.team.versions import Current, SaveResult
from .disagreement import DisagreementView
from .folder_session import OpenedMask
from .team_controls import TeamBar
from .team_lease import LeaseKeeper

__all__ = ["TEAM_FILTERS", "TeamConflictError", "TeamSession"]

#: The filters of Previous / Next in team mode.
TEAM_FILTERS = ("all", "unlabelled", "rejected for me", "awaiting review", "accepted")

_REMEDY = "keep_mine() makes yours current, load_theirs() opens theirs; both stay in the history"


@dataclass(frozen=True)
class _Conflict:
    message: str
    #: Key of the user's stored version (None: the edits are a restored draft, not stored).
    mine: str | None
    #: The pointer as last read (theirs).
    theirs: Current | None
    #: The widget's (edit count, objects) when the conflict arose.
    state: tuple


class TeamSession:
    """One annotator's session on a team store (see the module docstring)."""

    filters = TEAM_FILTERS

    def __init__(
        self,
        dataset: TeamDataset,
        classes: Sequence[LabelClass],
        *,
        reviewer: bool,
        bar: TeamBar,
        show_status: Callable[[str], None],
        show_warning: Callable[[str], None],
    ) -> None:
        self.dataset = dataset
        self.reviewer = reviewer
        self._classes = tuple(classes)
        self._bar = bar
        self._show_status = show_status
        self._show_warning = show_warning
        self._keeper = LeaseKeeper(
            dataset.claims,
            on_lost=self._lease_lost,
            on_error=show_warning,
            on_renewed=self._show_lease,
        )
        self._position = -1
        self._pending: Opened | None = None
        self._base: Current | None = None
        self._saved: tuple | None = None
        self._draft_state: tuple | None = None
        self._conflict: _Conflict | None = None
        self._held = self._reclaim_refused = False
        self._problems: set[str] = set()
        self.rescan()

    @property
    def annotator(self) -> str:
        """Who works in this session."""
        return self.dataset.annotator

    @property
    def conflict(self) -> str | None:
        """The unresolved conflict of the open image, in a sentence (None: none)."""
        return f"{self._conflict.message}; {_REMEDY}" if self._conflict is not None else None

    # -- opening and leaving ---------------------------------------------------------------------

    def rescan(self) -> None:
        """Re-read the catalog; warn once about each record it cannot read."""
        for problem in self.dataset.rescan():
            if problem not in self._problems:
                self._problems.add(problem)
                self._show_warning(problem)

    def open(self, position: int) -> OpenedMask:
        """Claim image ``position`` and read what to edit (`ClaimTakenError` if taken)."""
        opened = self.dataset.open(position)
        self._pending = opened
        return OpenedMask(opened.mask, opened.instance_map, opened.instances)

    def opened(self, position: int, widget: Any) -> str:
        """Note that ``widget`` shows image ``position`` now; return a status message."""
        opened, self._pending = self._pending, None
        assert opened is not None
        self._position, self._base, self._conflict = position, opened.base, None
        self._held, self._reclaim_refused = True, False
        state = (widget.edit_count, widget.instances)
        self._saved = self._draft_state = state
        messages = []
        if opened.draft is not None:
            self._saved = None  # the draft's edits are not a version yet
            at = _clock(opened.draft.modified)
            messages.append(f"restored your unsaved edits from {at} (not yet a version)")
            if opened.draft_conflicts:
                who = opened.base.annotator if opened.base is not None else "someone"
                self._set_conflict(
                    f"your unsaved edits of {self._name} (from {at}) started from another "
                    f"version than the current one, saved by {who}",
                    None,
                    opened.base,
                    state,
                    warn=True,
                )
        self._keeper.start(self.dataset.stems[position])
        self._show_lease(opened.lease)
        status = self.dataset.state(position)
        self._bar.show_review(status)
        self._bar.show_conflict(self._conflict and self._conflict.message)
        self._bar.set_others(list(self.dataset.latest_versions(position)))
        if status.review == "rejected":
            note = f": “{status.note}”" if status.note else ""
            messages.insert(0, f"rejected by {status.reviewer}{note}")
        return "; ".join(messages)

    def abandon(self, position: int) -> None:
        """Release the claim of an image that failed to open after it was claimed."""
        self._pending = None
        if position != self._position:
            self.dataset.release(position)

    def leave(self, position: int) -> None:
        """Release the claim of image ``position`` (another image is open now)."""
        if position != self._position and position >= 0:
            self.dataset.release(position)

    def edited(self) -> None:
        """Renew the claim if due; after `release_current`, claim the image again once."""
        if self._held:
            self._keeper.edited()
            return
        if self._reclaim_refused:
            return
        stem = self.dataset.stems[self._position]
        try:
            lease = self.dataset.claims.claim(stem)
        except ClaimTakenError as error:
            self._reclaim_refused = True
            self._show_warning(
                f"{error}. Your edits are kept: saving stores them as a version of their own "
                "(a conflict if the holder saves too)"
            )
            return
        self._held = True
        self._keeper.start(stem)
        self._show_lease(lease)

    def release_current(self) -> None:
        """Give up the open image's claim (it stays open; an edit claims it again)."""
        self._keeper.stop()
        self.dataset.release(self._position)
        self._held, self._reclaim_refused = False, False
        self._bar.show_claim("released: others may open it")

    def close(self) -> None:
        """Stop renewing and release every claim of this session."""
        self._keeper.stop()
        self.dataset.close()

    def matches(self, position: int, filter_name: str) -> bool:
        """Whether image ``position`` passes the Previous / Next filter (by the catalog)."""
        state = self.dataset.state(position)
        if filter_name == "unlabelled":
            return not state.labelled
        if filter_name == "rejected for me":
            return state.review == "rejected" and state.review_annotator == self.annotator
        if filter_name == "awaiting review":
            return state.review == "done"
        if filter_name == "accepted":
            return state.review == "accepted"
        return True

    # -- saving ----------------------------------------------------------------------------------

    def changed(self, widget: Any) -> bool:
        """Whether the edits differ from the last version this session saved or opened."""
        return (widget.edit_count, widget.instances) != self._saved

    def save(self, widget: Any, *, beside: bool = False, overwrite: bool = False) -> bool:
        """Store the edits as a new version if they changed (see `DatasetAnnotator.save`)."""
        if beside:
            raise ValueError(
                "beside: in team mode every save is kept as a version of its own; after a "
                "conflict use keep_mine() (save(overwrite=True)) or load_theirs()"
            )
        conflict = self._conflict
        if conflict is not None and not overwrite:
            raise TeamConflictError(self._pointer, self.conflict)
        state = (widget.edit_count, widget.instances)
        if conflict is None and state == self._saved:
            return False
        if conflict is not None and conflict.mine is not None and state == conflict.state:
            result = self._adopt(conflict.mine, conflict.theirs)
        else:
            objects = widget.instances
            result = self.dataset.save(
                self._position,
                widget.mask,
                widget.instance_mask if objects else None,
                objects,
                base=self._base,
            )
            if result.conflict and overwrite:
                result = self._adopt(result.version.key, result.current)
        self._saved = self._draft_state = state
        if result.conflict:
            self._set_conflict(_conflict_text(self._name, result), result.version.key,
                               result.current, state)  # fmt: skip
            self._bar.show_conflict(self._conflict and self._conflict.message)
            raise TeamConflictError(self._pointer, self.conflict)
        self._base, self._conflict = result.current, None
        self._bar.show_conflict(None)
        self._show_status(f"saved as a new version ({_clock(result.version.modified)})")
        return True

    def autosave(self, widget: Any) -> bool:
        """Overwrite this annotator's draft with the edits, if they changed since."""
        state = (widget.edit_count, widget.instances)
        if state == self._draft_state:
            return False
        objects = widget.instances
        self.dataset.save_draft(
            self._position,
            widget.mask,
            widget.instance_mask if objects else None,
            objects,
            base=self._base.version if self._base is not None else None,
        )
        self._draft_state = state
        return True

    def drop_edits(self) -> None:
        """Forget the open image's draft and conflict (before loading theirs)."""
        self.dataset.drafts.delete(self.dataset.stems[self._position])
        self._conflict = None

    # -- review, compare, report -----------------------------------------------------------------

    def review(self, action: str, note: str) -> str:
        """Mark the open image done, or accept or reject it; return a status message."""
        stem = self.dataset.stems[self._position]
        reviews = self.dataset.reviews
        if action == "done":
            version = self._base.version if self._base is not None else None
            reviews.mark_done(stem, version=version, note=note)
        elif action == "accept":
            reviews.accept(stem, note=note)
        else:
            reviews.reject(stem, note)
        self.rescan()
        self._bar.show_review(self.dataset.state(self._position))
        past = {"done": "marked done", "accept": "accepted", "reject": "rejected"}[action]
        return f"{self._name} {past}"

    def compare(
        self, widget: Any, other: str, against: str | None, **widget_kwargs: Any
    ) -> DisagreementView:
        """Return a view of where ``other``'s latest version differs from the open edits.

        With ``against``, from that annotator's latest version instead.
        """
        for argument, name in (("other", other), ("against", against)):
            if not isinstance(name, str) and (argument == "other" or name is not None):
                none = " or None" if argument == "against" else ""
                raise TypeError(
                    f"{argument}: expected an annotator's name{none}; got {type(name).__name__}"
                )
        latest = self.dataset.latest_versions(self._position)
        for argument, name in (("other", other), ("against", against)):
            if name is not None and name not in latest:
                raise ValueError(
                    f"{argument}: expected an annotator with a version of {self._name} (one "
                    f"of {sorted(latest)}); got {name!r}"
                )
        theirs = self.dataset.load_version(self._position, latest[other].key)
        if against is None:
            mine, first = widget.mask, f"{self.annotator} (open)"
        else:
            mine, first = self.dataset.load_version(self._position, latest[against].key), against
        return DisagreementView(
            widget.image, mine, theirs, self._classes, names=(first, other), title=self._name,
            **widget_kwargs,
        )  # fmt: skip

    def repair(self, position: int) -> list[str]:
        """Set image ``position``'s unreadable records aside; return the copies' keys.

        Its lease, review status and current-version pointer are each checked; an
        unreadable one is copied under ``corrupt/`` and replaced (the image freed, its
        status cleared, its pointer rebuilt from the newest stored version).
        """
        dataset = self.dataset
        stem = dataset.stems[position]
        copies = []
        for records in (dataset.claims, dataset.reviews):
            try:
                records.status(stem)
            except CorruptRecordError:
                copies.append(records.repair(stem))
        try:
            dataset.versions.current(stem)
        except CorruptRecordError as error:
            dataset.versions.rebuild(stem)  # sets the pointer aside under corrupt/ first
            copies.append(dataset.store.list(f"corrupt/{error.key}.")[-1].key)
        self.rescan()
        return copies

    def report(self) -> AgreementReport:
        """Agreement of every pair of annotators on every image with versions by both."""
        return agreement_report(self.dataset.versions)

    # -- helpers ---------------------------------------------------------------------------------

    @property
    def _name(self) -> str:
        return self.dataset.images[self._position].name

    @property
    def _pointer(self) -> str:
        return self.dataset.pointer_url(self._position)

    def _adopt(self, key: str, theirs: Current | None) -> SaveResult:
        stem = self.dataset.stems[self._position]
        result = self.dataset.versions.adopt(stem, key, base=theirs)
        for _ in range(3):  # someone saved again in between: adopt on top of that
            if not result.conflict:
                break
            result = self.dataset.versions.adopt(stem, key, base=result.current)
        self.dataset.drafts.delete(stem)
        self.dataset.note_current(result)
        return result

    def _set_conflict(
        self,
        message: str,
        mine: str | None,
        theirs: Current | None,
        state: tuple,
        *,
        warn: bool = False,
    ) -> None:
        """Remember a conflict; ``warn``: also show it (when no exception will say it)."""
        self._conflict = _Conflict(message, mine, theirs, state)
        if warn:
            self._show_warning(f"{message}; {_REMEDY}")

    def _lease_lost(self, message: str) -> None:
        self._show_warning(
            f"{message}. Your edits are kept: saving stores them as a version of their own "
            "(a conflict if the new holder saved meanwhile)"
        )
        self._bar.show_claim("claim lost")

    def _show_lease(self, lease: Lease) -> None:
        self._bar.show_claim(f"claimed by you until {_clock(lease.expires)}")


def _conflict_text(name: str, result: SaveResult) -> str:
    theirs = result.current
    who = (
        f"{theirs.annotator} saved it at {_clock(theirs.modified)}"
        if theirs is not None
        else "its pointer was removed"
    )
    return (
        f"conflict on {name}: {who} after you opened it; both versions are kept "
        f"(yours: {result.version.key})"
    )


def _clock(timestamp: float) -> str:
    return time.strftime("%H:%M:%S UTC", time.gmtime(timestamp))
