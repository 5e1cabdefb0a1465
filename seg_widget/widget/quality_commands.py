"""Find what is missing: coverage, holes and specks, one-click fixes, as a widget mixin.

The searches and fixes are the pure functions of ``core.quality``; here they
become undoable commands (one step each) under the current paint mode, so in
``"preserve"`` mode a fix only ever fills unlabelled pixels.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from ..core import quality
from ..core.bbox import BBox
from ..core.instance_fill import enclosing_instance_ids
from ..core.quality import Region

if TYPE_CHECKING:
    from ..core.document import LabelDocument
    from ..render.viewport import Viewport

#: Default size limit (pixels) of a hole or speck.
DEFAULT_MAX_SIZE = 64


class QualityCommands:
    """Coverage figures, hole/speck search and fixes for the widget."""

    _document: LabelDocument
    _viewport: Viewport

    @property
    def class_counts(self) -> np.ndarray:
        """Pixels per class id (a new array), kept up to date incrementally as edits happen."""
        return self._document.class_counts

    @property
    def labelled_fraction(self) -> float:
        """Share of pixels with a class other than 0, in [0, 1]."""
        counts = self._document.class_counts
        return float(1 - counts[0] / self.mask.size)

    def find_holes(
        self, max_size: int = DEFAULT_MAX_SIZE, *, connectivity: int = 4
    ) -> list[Region]:
        """Unlabelled regions of at most ``max_size`` pixels that do not touch the image border.

        Returns ``core.quality.Region`` records (size, bbox, centroid, surrounding label),
        smallest first; pass one's ``bbox`` to :meth:`zoom_to` to look at it.
        """
        return quality.find_holes(self.mask, max_size, connectivity=connectivity)

    def find_specks(
        self, max_size: int = DEFAULT_MAX_SIZE, *, connectivity: int = 4
    ) -> list[Region]:
        """Isolated regions of one class of at most ``max_size`` pixels (stray brush specks)."""
        return quality.find_specks(self.mask, max_size, connectivity=connectivity)

    def fill_holes(self, max_size: int = DEFAULT_MAX_SIZE, *, connectivity: int = 4) -> int:
        """Fill every hole (see :meth:`find_holes`) with its surrounding class: one undo step.

        Returns the number of pixels changed.
        """
        edit = quality.fill_holes(self.mask, max_size, connectivity=connectivity)
        return self._apply_quality_edit(edit, "fill holes")

    def remove_specks(self, max_size: int = DEFAULT_MAX_SIZE, *, connectivity: int = 4) -> int:
        """Give every speck (see :meth:`find_specks`) its surrounding class: one undo step.

        In ``"preserve"`` mode this changes nothing (specks are labelled pixels).
        Returns the number of pixels changed.
        """
        edit = quality.remove_specks(self.mask, max_size, connectivity=connectivity)
        return self._apply_quality_edit(edit, "remove specks")

    def smooth_borders(self, size: int = 3) -> int:
        """Smooth jagged borders with a ``size`` x ``size`` majority filter: one undo step.

        A pixel takes the label that is strictly most frequent in its window (ties keep
        it), so straight borders stay and one-pixel notches go. Returns pixels changed.
        """
        return self._apply_quality_edit(quality.smooth_borders(self.mask, size), "smooth borders")

    def fill_unlabelled(self, bbox: BBox | None = None, *, label: int | None = None) -> int:
        """Give every unlabelled pixel of a region class ``label``: one undo step.

        Parameters
        ----------
        bbox : BBox, optional
            The region; by default the part of the image visible in the view.
        label : int, optional
            The class; by default the selected one (``w.label``).

        """
        if label is not None:
            self.label = label
        region = self._viewport.visible_bbox() if bbox is None else bbox
        if region.is_empty:
            return 0
        edit = quality.fill_unlabelled(self.mask, region, self.label)
        # With an active object, the filled pixels join it, as painting would.
        return self._apply_quality_edit(edit, "fill unlabelled", instance=self.instance or None)

    def _apply_quality_edit(
        self,
        edit: quality.Edit | None,
        name: str,
        only_where: int | str | None = "paint mode",
        instance: int | None = None,
    ) -> int:
        """Apply an edit triple as one undo step; by default only unlabelled pixels in preserve."""
        if edit is None:
            return 0
        bbox, values, footprint = edit
        self._end_stroke()
        before = self.mask[bbox.slices].copy()
        if only_where == "paint mode":
            only_where = 0 if self.paint_mode == "preserve" else None
        layer = self._document.instances
        join = None
        if layer is not None and not instance:
            # A hole inside an object becomes part of it, not just of its class.
            join = enclosing_instance_ids(self.mask, layer.map, bbox, values, footprint)
        with self._document.step(name):
            changed = self._document.assign(
                bbox, values, footprint, only_where, instance=instance or None, join=join
            )
        if changed is None:
            return 0
        self._after_edit(changed)
        return int(np.count_nonzero(before != self.mask[bbox.slices]))
