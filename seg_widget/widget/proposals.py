"""Assisted labelling state: the pending proposal, scribbles, prompts and superpixels.

Every assisted result is first a *proposal*, never in the mask until `Proposals.accept`
commits it through the editor as one undo step under the paint mode; `Proposals.reject`
drops it. The algorithms are the pure functions of ``core.assist``; this object keeps their
state and emits `ProposalChange` so the view can show it. No ipywidgets here.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..core import assist
from ..core.bbox import BBox
from ..core.enclosed import fill_enclosed
from ..core.model_session import DEFAULT_MAX_BYTES, ModelSession, Prediction
from ..core.raster import brush_footprint, pixel_center
from .display_image import DisplayImage
from .editor import Editor
from .prompt_runner import PromptRunner
from .signals import Signal

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


@dataclass(frozen=True)
class Acceptance:
    """What accepting a proposal did: pixels changed, and a sentence saying so."""

    changed: int
    summary: str


@dataclass(frozen=True)
class ProposalChange:
    """The look of the proposal layer changed in ``bbox`` (None: everything was cleared)."""

    bbox: BBox | None


class Proposals:
    """The assisted tools' state: a proposal (or scribbles) on top of the labels.

    Parameters
    ----------
    editor : Editor
        Where an accepted proposal goes.
    display : DisplayImage
        The image as shown (the wand, superpixels and scribbles compare displayed colours).
    report_progress, report_error : callable
        Say what long work runs, or what went wrong (the status line).

    """

    def __init__(
        self,
        editor: Editor,
        display: DisplayImage,
        *,
        report_progress: Callable[[str], None],
        report_error: Callable[[str], None],
    ) -> None:
        self._editor = editor
        self._display = display
        self._progress = report_progress
        self._error = report_error
        #: Emitted when what the proposal layer shows changes.
        self.changed: Signal[ProposalChange] = Signal()
        self._values: np.ndarray | None = None  # full-size, allocated on first use
        self._footprint: np.ndarray | None = None
        self._bbox: BBox | None = None
        self._whole_image = False  # the proposal covers the image (from scribbles)
        self._scribbles: np.ndarray | None = None
        self._runner = PromptRunner(
            display.image, report_progress=report_progress, report_error=report_error
        )
        self._points: list[tuple[float, float]] = []
        self._labels: list[int] = []
        self._box: tuple[float, float, float, float] | None = None
        self._superpixels: tuple[tuple[int, float], assist.SuperpixelIndex] | None = None

    # -- reading -----------------------------------------------------------------------------

    @property
    def pending(self) -> bool:
        """Whether a proposal waits to be accepted or rejected."""
        return self._bbox is not None

    @property
    def has_scribbles(self) -> bool:
        """Whether there are scribbles (they show while no proposal is pending)."""
        return self._scribbles is not None

    @property
    def has_state(self) -> bool:
        """Whether there is anything to reject: a proposal, scribbles or prompt points."""
        return self.pending or self.has_scribbles or bool(self._points)

    @property
    def shown(self) -> bool:
        """Whether the proposal layer shows anything."""
        return self.pending or self.has_scribbles

    def proposal(self) -> tuple[BBox, np.ndarray, np.ndarray] | None:
        """Return the pending proposal as ``(bbox, values, footprint)`` (copies), or None."""
        if self._bbox is None:
            return None
        box = self._bbox
        return box, self._values[box.slices].copy(), self._footprint[box.slices].copy()

    def patch(self, bbox: BBox) -> tuple[np.ndarray, np.ndarray]:
        """Return what the proposal layer shows in ``bbox``: ``(values, footprint)`` views."""
        if self._bbox is not None:
            return self._values[bbox.slices], self._footprint[bbox.slices]
        if self._scribbles is not None:
            values = self._scribbles[bbox.slices]
            return values, values > 0
        empty = np.zeros((bbox.height, bbox.width), np.int32)
        return empty, empty > 0

    def sample(self, rows: np.ndarray, cols: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Return what the proposal layer shows at the pixels ``rows x cols``: (values, footprint).

        ``rows`` and ``cols`` are image indices (as for `numpy.ix_`); O(len(rows) * len(cols)),
        so a tile of a coarse level costs no more than one of level 0.
        """
        index = np.ix_(rows, cols)
        if self._bbox is not None:
            return self._values[index], self._footprint[index]
        if self._scribbles is not None:
            values = self._scribbles[index]
            return values, values > 0
        empty = np.zeros((len(rows), len(cols)), np.int32)
        return empty, empty > 0

    # -- accept / reject -------------------------------------------------------------------

    def accept(
        self, *, paint_mode: str, label: int, instance: int, keep_labelled: bool = True
    ) -> Acceptance:
        """Commit the proposal as one undo step; say how many pixels changed.

        In ``"preserve"`` mode only unlabelled pixels take it (an erasing proposal erases
        only ``label``); so does a whole-image proposal with ``keep_labelled``. With an
        active object, accepted pixels of its class join it. The proposal is dropped only
        once it was applied: if applying fails it stays.
        """
        proposal = self.proposal()
        if proposal is None:
            return Acceptance(0, "")
        layer = self._editor.objects
        if instance and layer is not None and instance in layer and layer.get(instance).protected:
            active = layer.get(instance)
            state = "locked" if active.locked else "hidden"
            self._error(
                f"{active.name} is {state}: unlock or show it, or select no object, to accept "
                "the proposal (it stays pending)"
            )
            return Acceptance(0, "")
        bbox, values, footprint = proposal
        erasing = not values[footprint].any()
        only_where = None
        if paint_mode == "preserve":
            only_where = label if erasing else 0
        elif self._whole_image and keep_labelled and not erasing:
            only_where = 0
        current = self._editor.mask[bbox.slices]
        differing = int(np.count_nonzero(footprint & (current != 0) & (current != values)))
        join = instance if self._editor.objects is not None else None
        changed = self._editor.assign_edit(
            (bbox, values, footprint), "accept proposal", only_where=only_where, instance=join
        )
        self.reject()
        summary = f"accepted the proposal: {changed:,} px changed"
        if differing and not erasing:
            if only_where == 0:
                how = "switch to Overwrite" if paint_mode == "preserve" else "untick Keep labelled"
                summary += f"; kept {differing:,} labelled px it would relabel"
                summary += f" ({how} to replace them)"
            else:
                summary += f", {differing:,} of them labelled before"
        return Acceptance(changed, summary)

    def reject(self) -> None:
        """Drop the proposal, the scribbles and the prompts that made it."""
        self._bbox = None
        self._whole_image = False
        if self._footprint is not None:
            self._footprint[:] = False
        self._scribbles = None
        self._points, self._labels, self._box = [], [], None
        self._runner.cancel()  # answers still on their way would bring it back
        self.changed.emit(ProposalChange(None))

    # -- the tools -----------------------------------------------------------------------------

    def propose_wand(
        self, seed_rc: tuple[int, int], *, tolerance: float, value: int, fill_holes: bool
    ) -> None:
        """Propose the connected region of similar displayed colour around ``seed_rc``.

        With ``fill_holes`` the pixels the region encloses are proposed too.
        """
        bbox, footprint = assist.wand_region(self._display.pixels, seed_rc, tolerance)
        if fill_holes:
            footprint = fill_enclosed(footprint)
        self._set(bbox, footprint, value=value)

    def add_superpixel_segment(
        self,
        start_rc: tuple[float, float],
        end_rc: tuple[float, float],
        *,
        diameter: int,
        segments: int,
        compactness: float,
        value: int,
    ) -> None:
        """Add every superpixel a brush segment touches to the proposal."""
        brush = brush_footprint(start_rc, end_rc, float(diameter), self._editor.mask.shape)
        if brush is None:
            return
        region = self.superpixel_index(segments, compactness).footprint(*brush)
        if region is not None:
            self._add(*region, value=value)

    def scribble_segment(
        self,
        start_rc: tuple[float, float] | None,
        end_rc: tuple[float, float],
        *,
        diameter: int,
        label: int,
    ) -> None:
        """Scribble class ``label`` along a brush segment (from ``start_rc``, if given)."""
        if label == 0:
            self._error("select a class (not 0) to scribble")
            return
        col, row = pixel_center(end_rc[1], end_rc[0])
        start = (row, col) if start_rc is None else pixel_center(start_rc[1], start_rc[0])[::-1]
        shape = self._editor.mask.shape
        brush = brush_footprint(start, (row, col), float(diameter), shape)
        if brush is None:
            return
        if self._scribbles is None:
            self._scribbles = np.zeros(shape, dtype=np.int32)
        bbox, footprint = brush
        self._scribbles[bbox.slices][footprint] = label
        if self._bbox is None:  # a pending proposal hides the scribbles
            self.changed.emit(ProposalChange(bbox))

    def propose_from_scribbles(self, method: str) -> None:
        """Turn the scribbles (two or more classes) into a whole-image proposal."""
        if self._scribbles is None:
            raise ValueError("scribbles: scribble at least two classes first; got none")
        self._progress(f"computing a proposal from scribbles ({method})…")
        try:
            labels = assist.scribble_proposal(self._display.pixels, self._scribbles, method=method)
        finally:
            self._progress("")
        self._set(BBox.full(labels.shape), np.ones(labels.shape, bool), values=labels)
        self._whole_image = True

    def clear_scribbles(self) -> None:
        """Forget every scribble."""
        self._scribbles = None
        if self._bbox is None:
            self.changed.emit(ProposalChange(None))

    # -- model hooks ---------------------------------------------------------------------------

    @property
    def prompt_callbacks(self) -> list[PromptCallback]:
        """The registered model hooks (a copy), oldest first; the newest answers."""
        return self._runner.callbacks

    def on_prompt(self, callback: PromptCallback, remove: bool = False) -> None:
        """Register (or remove) a model hook; the newest hook or model answers."""
        if remove:
            self._runner.remove_callback(callback)
        else:
            self._runner.add_callback(callback)

    def use_model(
        self,
        model: object,
        *,
        key: Hashable = None,
        max_bytes: int = DEFAULT_MAX_BYTES,
        threshold: float = 0.5,
    ) -> ModelSession | None:
        """Answer prompts with ``model`` (see `PromptRunner.use_model`); None removes it."""
        return self._runner.use_model(model, key=key, max_bytes=max_bytes, threshold=threshold)

    @property
    def model_session(self) -> ModelSession | None:
        """The session of the model in use, or None."""
        return self._runner.session

    def propose_labels(self, values: np.ndarray, footprint: np.ndarray) -> None:
        """Propose class ``values`` on the full-size bool ``footprint`` (a whole-image proposal)."""
        self._set(BBox.full(values.shape), footprint, values=values)

    def close(self) -> None:
        """Stop the model sessions this widget owns; drop answers on their way."""
        self._runner.close()

    def prompt(
        self,
        points_xy: list[tuple[float, float]],
        point_labels: list[int],
        box_xyxy: tuple[float, float, float, float] | None,
        *,
        value: int,
        wait: bool = False,
    ) -> None:
        """Replace the prompts and ask the model hook for a proposal.

        ``wait``: return only once the answer is shown (as a call from Python does).
        """
        self._points, self._labels, self._box = list(points_xy), list(point_labels), box_xyxy
        self._run_prompt(value, wait=wait)

    def prompt_point(self, image_xy: tuple[float, float], *, negative: bool, value: int) -> None:
        """Add a positive (or negative) point and ask the model hook again."""
        self._points.append(image_xy)
        self._labels.append(0 if negative else 1)
        self._run_prompt(value)

    def prompt_box(
        self, start_xy: tuple[float, float], end_xy: tuple[float, float], *, value: int
    ) -> None:
        """Set the box prompt from a drag and ask the model hook again."""
        (x0, y0), (x1, y1) = start_xy, end_xy
        self._box = (min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1))
        self._run_prompt(value)

    def _run_prompt(self, value: int, *, wait: bool = False) -> None:
        if not self._runner.has_source:
            self._error("no model: give one with w.use_model(model) or w.on_prompt(callback)")
            return
        prompt = Prompt(
            np.array(self._points, dtype=float).reshape(-1, 2),
            np.array(self._labels, dtype=int),
            None if self._box is None else np.array(self._box, dtype=float),
        )

        def show(prediction: Prediction) -> None:
            self._set(*prediction.region, value=value)

        self._runner.request(prompt, show, wait=wait)

    # -- internals -------------------------------------------------------------------------

    def superpixel_index(self, segments: int, compactness: float) -> assist.SuperpixelIndex:
        """Return the over-segmentation for these parameters (computed once, then cached)."""
        key = (segments, compactness)
        if self._superpixels is None or self._superpixels[0] != key:
            self._progress("over-segmenting the image into superpixels (once)…")
            try:
                labels = assist.superpixel_labels(
                    self._display.pixels, n_segments=segments, compactness=compactness
                )
            finally:
                self._progress("")
            self._superpixels = (key, assist.SuperpixelIndex(labels))
        return self._superpixels[1]

    def _set(self, bbox: BBox, footprint: np.ndarray, *, value=None, values=None) -> None:
        """Replace the proposal by ``footprint`` (bbox-shaped, or full-size with ``values``)."""
        previous = self._bbox
        self._whole_image = False
        self._allocate()
        self._footprint[:] = False
        if values is not None:  # full-size values and footprint
            self._values[:] = values
            self._footprint[:] = footprint
        else:
            self._footprint[bbox.slices] = footprint
            self._values[bbox.slices] = value
        self._bbox = bbox
        self.changed.emit(ProposalChange(bbox if previous is None else bbox.union(previous)))

    def _add(self, bbox: BBox, footprint: np.ndarray, *, value: int) -> None:
        self._allocate()
        self._footprint[bbox.slices] |= footprint
        self._values[bbox.slices][footprint] = value
        self._bbox = bbox.union(self._bbox)
        self.changed.emit(ProposalChange(bbox))

    def _allocate(self) -> None:
        if self._values is None:
            mask = self._editor.mask
            self._values = np.zeros(mask.shape, dtype=mask.dtype)
            self._footprint = np.zeros(mask.shape, dtype=bool)


__all__ = ["Acceptance", "Prompt", "PromptCallback", "ProposalChange", "Proposals"]
