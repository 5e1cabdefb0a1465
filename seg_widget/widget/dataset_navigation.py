"""Moving between a dataset's images: which one is open, its widget, what cannot be opened.

`Navigator` is the `DatasetAnnotator`'s collaborator for this. Opening an image asks the
session for its stored mask (in team mode the session claims the image first), makes a new
`SegmentationWidget` carrying the tool settings over from the old one, and tells the
annotator (``on_opened``) so it can rewire its autosave. Previous / Next walk the images the
filter lets through: an image that fails to open is recorded and skipped from then on (with
a warning); in team mode an image someone else holds is skipped and named in the status line.
While an image is open its neighbours are decoded in a background thread
(`seg_widget.widget.prefetch`), so Previous / Next rarely wait for a decoder; the new image is
shown before the old widget is closed.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np

from ..core.classes import LabelClass
from ..io.team import ClaimTakenError, CorruptRecordError
from .dataset_controls import NavigationBar, WarningsLog
from .prefetch import ImagePrefetch
from .segmentation_widget import SegmentationWidget

__all__ = ["CARRIED_SETTINGS", "PER_IMAGE_ARGUMENTS", "Navigator", "check_widget_kwargs"]

logger = logging.getLogger("seg_widget")

#: Widget settings carried over from one image to the next.
CARRIED_SETTINGS = (
    "tool",
    "label",
    "brush_size",
    "paint_mode",
    "erase",
    "fill_mode",
    "fill_connectivity",
    "opacity",
    "show_missing",
    "brightness",
    "contrast",
    "color_by",
    "contours",
)

#: What belongs to one image's widget (the annotator gives it), not settings for them all.
PER_IMAGE_ARGUMENTS = (
    "image",
    "classes",
    "mask",
    "instances",
    "instance_table",
    "instance",
    "selected_instances",
)


def check_widget_kwargs(classes: tuple[LabelClass, ...], widget_kwargs: dict) -> None:
    """Refuse widget settings every image's widget would refuse, before any image is read.

    A bad setting (``brush_size=0``) is the caller's mistake, not a problem of an image: a
    small widget is made with them (and closed), so its own checks name the argument.
    """
    given = sorted(set(widget_kwargs) & set(PER_IMAGE_ARGUMENTS))
    if given:
        raise TypeError(
            f"{', '.join(given)}: expected widget settings for every image; the annotator "
            "gives each image's widget its image, classes, stored mask and objects itself"
        )
    SegmentationWidget(np.zeros((1, 1), np.uint8), classes, **widget_kwargs).close()


OpenedCallback = Callable[[SegmentationWidget, "SegmentationWidget | None"], None]


class Navigator:
    """The open image and its widget; opening another one (see the module docstring)."""

    def __init__(
        self,
        session: Any,
        classes: tuple[LabelClass, ...],
        widget_kwargs: dict,
        *,
        log: WarningsLog,
        nav: NavigationBar,
        on_opened: OpenedCallback,
    ) -> None:
        self._session = session
        self._dataset = session.dataset
        self._classes = classes
        self._widget_kwargs = widget_kwargs
        self._log = log
        self._nav = nav
        self._on_opened = on_opened
        #: Position of the open image (-1 before the first one opened).
        self.position = -1
        #: The open image's widget.
        self.widget: SegmentationWidget | None = None
        #: Images that failed to open: ``{position: reason}`` (skipped by Previous / Next).
        self.problems: dict[int, str] = {}
        self._prefetch = ImagePrefetch(
            self._dataset.load_image, lambda position: self._dataset[position].path
        )

    def open_first(self, start: int) -> None:
        """Open image ``start``, or the first one after it (wrapping) that opens."""
        count, taken = len(self._dataset), []
        for offset in range(count):
            position = (start + offset) % count
            try:
                self.open(position)
            except ClaimTakenError as error:
                taken.append(self._skipped(position, error))
                continue
            except ValueError:
                continue  # recorded and shown by open
            if taken:
                self._prepend_status(taken)
            return
        raise ValueError(
            f"images: expected at least one image that opens; got {count} that fail: "
            + "; ".join([*self.problems.values(), *taken])
        )

    def open(self, position: int, *, reload: bool = False) -> None:
        """Open image ``position``; on failure record it, warn, raise; the current one stays.

        ``reload``: open the current image again (its claim is kept).
        """
        entry = self._dataset[position]
        try:
            stored = self._session.open(position)  # team mode: claims it first
            try:
                new = SegmentationWidget(
                    self._prefetch.take(position),
                    self._classes,
                    mask=stored.mask,
                    instances=stored.instance_map,
                    instance_table=stored.instances if stored.instance_map is not None else None,
                    **self._widget_kwargs,
                )
            except BaseException:
                self._session.abandon(position)
                raise
        except ValueError as error:
            self.problems[position] = str(error)
            hint = (
                f"; annotator.repair({entry.name!r}) sets unreadable records aside"
                if isinstance(error, CorruptRecordError)
                else ""
            )
            self._log.warn(f"cannot open {entry.name}: {error}{hint}")
            raise
        self.problems.pop(position, None)
        old = self.widget
        if old is not None:
            for name in CARRIED_SETTINGS:
                try:
                    setattr(new, name, getattr(old, name))
                except Exception:  # e.g. a label the new widget lacks: keep its default
                    logger.debug("seg-widget: not carrying %s over", name, exc_info=True)
        left, self.widget, self.position = self.position, new, position
        status = self._session.opened(position, new)
        if not reload:
            self._session.leave(left)
        self._nav.show_status(status)
        self._on_opened(new, old)  # shows the new widget: closing the old one can wait
        if old is not None:
            old.close()
        # Decode the neighbours while the user works on this one.
        self._prefetch.ahead(p for p in (position + 1, position - 1) if 0 <= p < len(self._dataset))

    def close(self) -> None:
        """Stop decoding ahead (the widget is closed by the annotator)."""
        self._prefetch.close()

    def step(self, direction: int, filter_name: str) -> bool:
        """Open the nearest image in ``direction`` that ``filter_name`` lets through and opens."""
        skipped = []
        for position in self.candidates(direction, filter_name):
            try:
                self.open(position)
            except ClaimTakenError as error:
                skipped.append(self._skipped(position, error))
                continue
            except ValueError:
                continue  # recorded, shown and warned by open
            if skipped:
                self._prepend_status(skipped)
            return True
        which = "image" if filter_name == "all" else f"{filter_name} image"
        where = "after" if direction > 0 else "before"
        self._nav.show_status("; ".join([*skipped, f"no {which} {where} this one"]))
        return False

    def candidates(self, direction: int, filter_name: str) -> Iterator[int]:
        """Positions Previous / Next may open, nearest first."""
        stop = len(self._dataset) if direction > 0 else -1
        for position in range(self.position + direction, stop, direction):
            if position not in self.problems and self._session.matches(position, filter_name):
                yield position

    def _skipped(self, position: int, error: ClaimTakenError) -> str:
        return f"skipped {self._dataset[position].name}: {error.status.describe()}"

    def _prepend_status(self, messages: list[str]) -> None:
        current = self._nav.status_text
        self._nav.show_status("; ".join([*messages, current] if current else messages))
