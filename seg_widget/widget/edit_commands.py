"""Painting, outline and fill commands and the pen path, as a widget mixin.

The pen path of one mouse event, all O(stroke): canvas point -> viewport inverse
-> ``core.brush_footprint`` from the previous point -> ``LabelDocument.apply``
under the paint policy (records the undo diff, returns the dirty box) ->
``Scene.paint_overlay`` of that box only -> the scene layer is redrawn clipped
to the box -> observers hear of the box. The mask is never copied.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import TYPE_CHECKING

import numpy as np

from ..core.bbox import BBox
from ..core.fill import flood_footprint, same_label_footprint
from ..core.outline import polygon_footprint
from ..core.policy import brush_rule
from ..core.raster import brush_footprint, pixel_center

if TYPE_CHECKING:
    from ..core.document import LabelDocument


class EditCommands:
    """Brush strokes, outline and flood fills, undo and redo for the widget."""

    _document: LabelDocument
    _stroke: _Stroke | None

    def paint_stroke(
        self,
        points: Iterable[tuple[float, float]],
        *,
        label: int | None = None,
        erase: bool = False,
        brush_size: int | None = None,
    ) -> None:
        """Paint (or erase) a brush stroke through image points ``(row, col)``: one undo step.

        It follows exactly the path of a mouse stroke, under the current
        ``paint_mode``; ``label`` and ``brush_size`` default to the widget's.
        """
        points = [tuple(map(float, p)) for p in points]
        if not points or any(len(p) != 2 or not all(map(math.isfinite, p)) for p in points):
            raise ValueError(
                f"points: expected a non-empty sequence of finite (row, col) pairs; got {points!r}"
            )
        if label is not None:
            self.label = label
        if brush_size is not None:
            self.brush_size = brush_size
        self._begin_stroke((points[0][1], points[0][0]), erase=erase)
        try:
            for row, col in points[1:]:
                self._continue_stroke((col, row))
        finally:
            self._end_stroke()

    def fill_polygon(
        self,
        points: Iterable[tuple[float, float]],
        *,
        label: int | None = None,
        erase: bool = False,
    ) -> None:
        """Fill the closed outline through image points ``(row, col)``: one undo step.

        The rule of the lasso and polygon tools: a pixel is filled when its centre
        lies inside the outline (even–odd rule, so overlapping loops of a
        self-intersecting outline cancel); see ``core.outline.polygon_footprint``.
        An outline with fewer than three distinct points or no interior fills
        nothing. ``erase`` sets the pixels to 0 instead (in ``"preserve"`` mode only
        those of ``label``).
        """
        points = np.asarray(list(points), dtype=float)
        if points.ndim != 2 or points.shape[1:] != (2,) or not np.isfinite(points).all():
            raise ValueError(
                f"points: expected a sequence of finite (row, col) pairs; got shape {points.shape}"
            )
        if label is not None:
            self.label = label
        footprint = polygon_footprint(points, self.mask.shape)
        if footprint is not None:
            self._apply_footprint(
                *footprint, erase=erase, name="erase outline" if erase else "outline"
            )

    def flood_fill(
        self, seed: tuple[int, int], *, label: int | None = None, erase: bool = False
    ) -> None:
        """Fill like the fill tool clicked at pixel ``seed = (row, col)``: one undo step.

        Fills the region of pixels equal to ``mask[seed]`` connected to the seed
        (``fill_connectivity``), or every such pixel when ``fill_mode == "global"``.
        ``erase`` sets them to 0 instead (in ``"preserve"`` mode only if they are
        of class ``label``).
        """
        if label is not None:
            self.label = label
        row, col = seed
        if self.fill_mode == "global":
            footprint = same_label_footprint(self.mask, int(self.mask[row, col]))
        else:
            footprint = flood_footprint(self.mask, (row, col), connectivity=self.fill_connectivity)
        if footprint is not None:
            self._apply_footprint(*footprint, erase=erase, name="erase fill" if erase else "fill")

    def undo(self) -> None:
        """Undo the last stroke or command (no-op when there is nothing to undo)."""
        self._end_stroke()
        self._history_moved(self._document.undo())

    def redo(self) -> None:
        """Redo the last undone step (no-op when there is nothing to redo)."""
        self._end_stroke()
        self._history_moved(self._document.redo())

    def _history_moved(self, bbox: BBox | None) -> None:
        """After undo/redo: repaint the region, and follow instance table changes."""
        if self._document.instances is not None:
            self._forget_missing_selection()
        if bbox is not None:
            self._after_edit(bbox, full=bbox.area == self.mask.size)
        else:
            self._update_history_state()
        self._object_panel.refresh()

    # -- the pen path (called by Interaction) -------------------------------------------

    def _begin_stroke(self, image_xy: tuple[float, float], *, erase: bool) -> None:
        self._end_stroke()
        value, only_where = brush_rule(erase=erase, label=self.label, paint_mode=self.paint_mode)
        self._document.history.begin_step("erase" if erase else "paint")
        self._stroke = _Stroke(value, only_where, float(self.brush_size), None)
        self._stroke.instance_args = self._pen_instance(value)
        self._continue_stroke(image_xy)

    def _continue_stroke(self, image_xy: tuple[float, float]) -> None:
        stroke = self._stroke
        if stroke is None:
            return
        col, row = pixel_center(*image_xy)
        start = stroke.last_rc if stroke.last_rc is not None else (row, col)
        stroke.last_rc = (row, col)
        footprint = brush_footprint(start, (row, col), stroke.diameter, self.mask.shape)
        if footprint is None:
            return
        bbox = self._document.apply(
            footprint[0], footprint[1], stroke.value, stroke.only_where, **stroke.instance_args
        )
        if bbox is not None:
            self._after_edit(bbox)

    def _end_stroke(self) -> None:
        if self._stroke is None:
            return
        self._stroke = None
        self._document.history.end_step()
        self._update_history_state()
        self._controls.show_class_counts(self._document.class_counts)
        self._object_panel.refresh()

    def _pick_at(self, image_xy: tuple[float, float]) -> None:
        col, row = (math.floor(v) for v in image_xy)
        height, width = self.mask.shape
        if 0 <= row < height and 0 <= col < width:
            layer = self._document.instances
            instance_id = 0 if layer is None else int(layer.map[row, col])
            self.label = int(self.mask[row, col])
            if layer is not None:
                self.select_instance(instance_id)
                self._object_panel.show_page_of(instance_id)
            self.tool = getattr(self, "_tool_before_pick", "brush")

    def _fill_at(self, image_xy: tuple[float, float]) -> None:
        col, row = (math.floor(v) for v in image_xy)
        height, width = self.mask.shape
        if 0 <= row < height and 0 <= col < width:
            self.flood_fill((row, col), erase=self.erase)

    def _fill_outline(self, points_rc: list[tuple[float, float]]) -> None:
        if len(set(points_rc)) < 3:
            self._report_error("an outline needs three or more distinct points: nothing filled")
            return
        self.fill_polygon(points_rc, erase=self.erase)

    def _apply_footprint(
        self, bbox: BBox, footprint: np.ndarray, *, erase: bool, name: str
    ) -> None:
        self._end_stroke()
        value, only_where = brush_rule(erase=erase, label=self.label, paint_mode=self.paint_mode)
        with self._document.step(name):
            changed = self._document.apply(
                bbox, footprint, value, only_where, **self._pen_instance(value)
            )
        if changed is not None:
            self._after_edit(changed)
        self._update_history_state()


class _Stroke:
    """What a brush stroke in progress needs between mouse events."""

    __slots__ = ("diameter", "instance_args", "last_rc", "only_where", "value")

    def __init__(
        self,
        value: int,
        only_where: int | None,
        diameter: float,
        last_rc: tuple[float, float] | None,
    ) -> None:
        self.value = value
        self.only_where = only_where
        self.diameter = diameter
        self.last_rc = last_rc
        self.instance_args: dict[str, int] = {}
