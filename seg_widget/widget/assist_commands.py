"""Assisted labelling as a widget mixin: wand, superpixel brush, scribbles, a model hook.

Every assisted result is first a *proposal*: shown on its own source canvas (class
colours with a white edge), never in ``w.mask`` until :meth:`accept_proposal` commits it
as one undo step under the current paint mode (Enter); :meth:`reject_proposal` drops it
(Escape). The algorithms are the pure functions of ``core.assist``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from ..core import assist
from ..core.bbox import BBox
from ..core.raster import brush_footprint, pixel_center

if TYPE_CHECKING:
    from ..core.document import LabelDocument

logger = logging.getLogger("seg_widget")


@dataclass(frozen=True)
class Prompt:
    """What a model hook receives besides the image (coordinates as Segment Anything wants).

    Attributes
    ----------
    points_xy : ndarray
        ``(N, 2)`` float ``(x=col, y=row)`` image coordinates of the clicked points.
    point_labels : ndarray
        ``(N,)`` int: 1 for a positive point (the object), 0 for a negative one.
    box_xyxy : ndarray or None
        ``(4,)`` float ``(x0, y0, x1, y1)`` of a dragged box, or None.

    """

    points_xy: np.ndarray
    point_labels: np.ndarray
    box_xyxy: np.ndarray | None


PromptCallback = Callable[[np.ndarray, Prompt], Any]


class AssistCommands:
    """Proposals from the wand, superpixels, scribbles and model hooks; accept or reject."""

    _document: LabelDocument

    # -- proposals ---------------------------------------------------------------------

    @property
    def proposal(self) -> tuple[BBox, np.ndarray, np.ndarray] | None:
        """The pending proposal as ``(bbox, values, footprint)`` (copies), or None."""
        if self._proposal_bbox is None:
            return None
        box = self._proposal_bbox
        return box, self._proposal_values[box.slices].copy(), self._proposal_mask[box.slices].copy()

    def accept_proposal(self) -> int:
        """Commit the proposal to ``w.mask`` as one undo step; return the pixels changed.

        In ``"preserve"`` mode only unlabelled pixels take the proposal (an erasing
        proposal erases only the selected class), so neighbours keep their borders.
        """
        proposal = self.proposal
        if proposal is None:
            return 0
        bbox, values, footprint = proposal
        erasing = not values[footprint].any()
        only_where = None
        if self.paint_mode == "preserve":
            only_where = self.label if erasing else 0
        self._discard_assist_state()
        # With an active object, accepted pixels of its class join it.
        instance = self.instance if self._document.instances is not None else None
        return self._apply_quality_edit(
            (bbox, values, footprint), "accept proposal", only_where, instance
        )

    def reject_proposal(self) -> None:
        """Drop the proposal (and the scribbles and prompts that made it)."""
        self._discard_assist_state()
        self._draw_view()

    # -- the tools from Python ---------------------------------------------------------------

    def propose_wand(self, seed: tuple[int, int], *, tolerance: float | None = None) -> None:
        """Propose the connected region of similar colour around pixel ``seed = (row, col)``.

        Colours are compared as displayed (after ``contrast_limits``), in CIE Lab;
        ``tolerance`` (default ``w.wand_tolerance``) is a fraction of the largest distance.
        """
        if tolerance is not None:
            self.wand_tolerance = tolerance
        region = assist.wand_region(self._display_image(), seed, self.wand_tolerance)
        self._set_proposal(*region, value=0 if self.erase else self.label)

    def propose_superpixels(self, points: Iterable[tuple[float, float]]) -> None:
        """Add to the proposal every superpixel a brush stroke through ``(row, col)`` touches."""
        points = [tuple(map(float, p)) for p in points]
        if not points:
            raise ValueError("points: expected at least one (row, col) point; got none")
        previous = points[0]
        for point in points:
            self._superpixel_segment(previous, point)
            previous = point

    def scribble(self, points: Iterable[tuple[float, float]], *, label: int | None = None) -> None:
        """Scribble class ``label`` (default ``w.label``, not 0) along ``(row, col)`` points."""
        if label is not None:
            self.label = label
        points = [tuple(map(float, p)) for p in points]
        previous = points[0] if points else None
        for point in points:
            self._scribble_segment(previous, point)
            previous = point

    def propose_from_scribbles(self, method: str | None = None) -> None:
        """Turn the scribbles (two or more classes) into a whole-image proposal.

        ``method`` (default ``w.scribble_method``): ``"watershed"``, ``"random_walker"`` or
        ``"classifier"`` (needs scikit-learn). Can take a few seconds on big images; the
        status line says so meanwhile.
        """
        if method is not None:
            self.scribble_method = method
        if self._scribbles is None:
            raise ValueError("scribbles: scribble at least two classes first; got none")
        self._report_progress(f"computing a proposal from scribbles ({self.scribble_method})…")
        labels = assist.scribble_proposal(
            self._display_image(), self._scribbles, method=self.scribble_method
        )
        self._report_progress("")
        full = BBox.full(labels.shape)
        self._set_proposal(full, np.ones(labels.shape, bool), values=labels)

    def clear_scribbles(self) -> None:
        """Forget every scribble."""
        self._scribbles = None
        if self._proposal_bbox is None:
            self._scene.clear_proposal()
            self._draw_view()

    def on_prompt(self, callback: PromptCallback, remove: bool = False) -> PromptCallback:
        """Plug in a model: ``callback(image, prompt)`` returns a mask or probability map.

        It is called whenever the prompt tool's points or box change, with ``w.image``
        and a :class:`Prompt`; it must return an ``(H, W)`` bool mask or float map in
        [0, 1] (thresholded at 0.5). The result becomes a proposal of ``w.label``. A
        callback that raises or returns something else shows a message and changes
        nothing. Usable as a decorator. See the README for a Segment Anything adapter.
        """
        if remove:
            self._prompt_callbacks.remove(callback)
        else:
            self._prompt_callbacks.append(callback)
        return callback

    def prompt(
        self,
        points_xy: Iterable[tuple[float, float]] = (),
        point_labels: Iterable[int] | None = None,
        box_xyxy: tuple[float, float, float, float] | None = None,
    ) -> None:
        """Run the model hook on these prompts, as the prompt tool would."""
        self._prompt_points = [(float(x), float(y)) for x, y in points_xy]
        labels = [1] * len(self._prompt_points) if point_labels is None else list(point_labels)
        if len(labels) != len(self._prompt_points):
            raise ValueError(
                f"point_labels: expected one label per point ({len(self._prompt_points)}); "
                f"got {len(labels)}"
            )
        self._prompt_labels = [int(v) for v in labels]
        self._prompt_box = None if box_xyxy is None else tuple(map(float, box_xyxy))
        self._run_prompt()

    # -- called by Interaction --------------------------------------------------------------------

    def _superpixel_segment(self, start_rc, end_rc) -> None:
        brush = brush_footprint(start_rc, end_rc, float(self.brush_size), self.mask.shape)
        if brush is None:
            return
        region = self._superpixel_index().footprint(*brush)
        if region is not None:
            self._add_to_proposal(*region, value=0 if self.erase else self.label)

    def _scribble_segment(self, start_rc, end_rc) -> None:
        if self.label == 0:
            self._report_error("select a class (not 0) to scribble")
            return
        col, row = pixel_center(end_rc[1], end_rc[0])
        start = (row, col) if start_rc is None else pixel_center(start_rc[1], start_rc[0])[::-1]
        brush = brush_footprint(start, (row, col), float(self.brush_size), self.mask.shape)
        if brush is None:
            return
        if self._scribbles is None:
            self._scribbles = np.zeros(self.mask.shape, dtype=np.int32)
        bbox, footprint = brush
        self._scribbles[bbox.slices][footprint] = self.label
        if self._proposal_bbox is None:  # a pending proposal hides the scribbles
            self._paint_assist_region(bbox, self._scribbles, None)

    def _prompt_click(self, image_xy: tuple[float, float]) -> None:
        self._prompt_points.append(image_xy)
        self._prompt_labels.append(0 if self.prompt_negative else 1)
        self._run_prompt()

    def _prompt_drag(self, start_xy: tuple[float, float], end_xy: tuple[float, float]) -> None:
        (x0, y0), (x1, y1) = start_xy, end_xy
        self._prompt_box = (min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1))
        self._run_prompt()

    # -- internals ------------------------------------------------------------------------------

    def _run_prompt(self) -> None:
        if not self._prompt_callbacks:
            self._report_error("no model: register one with w.on_prompt(callback)")
            return
        prompt = Prompt(
            np.array(self._prompt_points, dtype=float).reshape(-1, 2),
            np.array(self._prompt_labels, dtype=int),
            None if self._prompt_box is None else np.array(self._prompt_box, dtype=float),
        )
        callback = self._prompt_callbacks[-1]
        try:
            result = callback(self._image, prompt)
        except Exception as error:  # user code: report, change nothing
            logger.exception("seg-widget: prompt callback %r failed", callback)
            self._report_error(f"prompt callback failed: {error}")
            return
        try:
            region = assist.probability_proposal(np.asarray(result), self.mask.shape)
        except (TypeError, ValueError) as error:  # a wrong result: the message says it all
            logger.warning("seg-widget: prompt callback %r: %s", callback, error)
            self._report_error(f"prompt callback failed: {error}")
            return
        if region is None:
            self._report_error("the model proposed no pixels")
            return
        self._set_proposal(*region, value=0 if self.erase else self.label)

    def _set_proposal(self, bbox: BBox, footprint: np.ndarray, *, value=None, values=None) -> None:
        """Replace the proposal by ``footprint`` (bbox-shaped, or full-size with ``values``)."""
        previous = self._proposal_bbox
        self._ensure_proposal_arrays()
        self._proposal_mask[:] = False
        if values is not None:  # full-size values and footprint
            self._proposal_values[:] = values
            self._proposal_mask[:] = footprint
        else:
            self._proposal_mask[bbox.slices] = footprint
            self._proposal_values[bbox.slices] = value
        self._proposal_bbox = bbox
        if previous is not None:
            bbox = bbox.union(previous)
        self._paint_assist_region(bbox, self._proposal_values, self._proposal_mask)

    def _add_to_proposal(self, bbox: BBox, footprint: np.ndarray, *, value: int) -> None:
        self._ensure_proposal_arrays()
        self._proposal_mask[bbox.slices] |= footprint
        self._proposal_values[bbox.slices][footprint] = value
        self._proposal_bbox = bbox.union(self._proposal_bbox)
        self._paint_assist_region(bbox, self._proposal_values, self._proposal_mask)

    def _ensure_proposal_arrays(self) -> None:
        if self._proposal_values is None:
            self._proposal_values = np.zeros(self.mask.shape, dtype=self.mask.dtype)
            self._proposal_mask = np.zeros(self.mask.shape, dtype=bool)

    def _paint_assist_region(self, bbox: BBox, values: np.ndarray, mask: np.ndarray | None) -> None:
        """Show full-size ``values`` where ``mask`` (default: ``values > 0``) inside ``bbox``."""
        # One pixel more on each side: the white edge of the neighbours may change.
        box = BBox(bbox.row0 - 1, bbox.row1 + 1, bbox.col0 - 1, bbox.col1 + 1).clip(values.shape)
        patch = values[box.slices]
        footprint = patch > 0 if mask is None else mask[box.slices]
        self._scene.paint_proposal(patch, footprint, box, self._lut)
        clip = self._viewport.canvas_rect(box)
        if clip is not None:
            self._draw_view(clip)

    def _discard_assist_state(self) -> None:
        self._proposal_bbox = None
        if self._proposal_mask is not None:
            self._proposal_mask[:] = False
        self._scribbles = None
        self._prompt_points, self._prompt_labels, self._prompt_box = [], [], None
        self._scene.clear_proposal()

    def _superpixel_index(self) -> assist.SuperpixelIndex:
        key = (self.superpixel_segments, self.superpixel_compactness)
        if self._superpixels is None or self._superpixels[0] != key:
            self._report_progress("over-segmenting the image into superpixels (once)…")
            labels = assist.superpixel_labels(
                self._display_image(), n_segments=key[0], compactness=key[1]
            )
            self._superpixels = (key, assist.SuperpixelIndex(labels))
            self._report_progress("")
        return self._superpixels[1]

    def _has_assist_state(self) -> bool:
        return bool(
            self._proposal_bbox is not None or self._scribbles is not None or self._prompt_points
        )
