"""Instances and nested classes: the object commands of the widget, as a mixin.

The document (``core.document`` with ``core.instance_edits``) does the work and keeps
the class mask and the instance map consistent; here every command becomes one undo
step that repaints only the region it changed and refreshes the object list.
A semantic-only user never meets any of this: until the first instance is made the
document has no instance map and the pen path is the plain one.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

import numpy as np
from traitlets import Bool, HasTraits, Tuple, Unicode, observe, validate

from ..core.bbox import BBox
from ..core.checks import one_of
from ..core.hierarchy import class_mask as _class_mask
from ..core.hierarchy import is_descendant
from ..core.instances import Instance, check_instance_id
from ..render.instance_view import COLOR_BY, SHOW_ONLY, OverlayStyle, overlay_codes
from .traits import Integral
from .transport import batched

if TYPE_CHECKING:
    from ..core.classes import LabelClass
    from ..core.document import LabelDocument
    from .scene import Scene


class InstanceCommands(HasTraits):
    """Object list commands, instance-aware painting and the overlay views for the widget."""

    _document: LabelDocument
    _scene: Scene
    _classes: tuple[LabelClass, ...]

    #: Active object (instance id, 0 = none): painting adds to it, erasing removes from it.
    instance = Integral(0)
    #: Objects ticked in the object list: what merge and delete act on.
    selected_instances = Tuple()
    #: Overlay colours: "class" or "instance" (each object in its own colour).
    color_by = Unicode("class")
    #: Draw only the outline of each object.
    contours = Bool(False)
    #: "all", "object" (only the active object) or "class" (only the selected class).
    show_only = Unicode("all")

    # -- trait rules -----------------------------------------------------------------------

    @validate("instance")
    def _validate_instance(self, proposal):
        if proposal.value == 0:
            return 0
        return self._known(proposal.value, "instance")

    @validate("selected_instances")
    def _validate_selected_instances(self, proposal):
        return tuple(self._known(i, "selected_instances") for i in proposal.value)

    @validate("color_by")
    def _validate_color_by(self, proposal):
        return one_of(proposal.value, COLOR_BY, "color_by")

    @validate("show_only")
    def _validate_show_only(self, proposal):
        return one_of(proposal.value, SHOW_ONLY, "show_only")

    @observe("instance")
    def _on_instance(self, change):
        if change.new:
            self._recent_instance = change.new
            self.label = self._document.instances.get(change.new).class_id
        self._object_panel.refresh()
        self._update_status()
        if self.show_only == "object":
            self._repaint_labels()

    @observe("selected_instances")
    def _on_selected_instances(self, change):
        self._object_panel.refresh()

    @observe("color_by", "contours", "show_only")
    def _on_label_view(self, change):
        self._repaint_labels()
        if change.name == "color_by":
            self._object_panel.refresh()  # swatches show the colours drawn

    @observe("label")
    def _on_label(self, change):
        layer = self._document.instances
        if self.instance and layer is not None and layer.get(self.instance).class_id != change.new:
            self.instance = 0  # painting another class leaves the object
        if self.show_only == "class":
            self._repaint_labels()

    # -- reading -------------------------------------------------------------------------

    @property
    def instance_mask(self) -> np.ndarray:
        """The live ``(H, W)`` uint32 instance-id map (0 = no instance); edits change it.

        Reading it starts instance bookkeeping (an all-zero map) if there was none.
        """
        return self._document.enable_instances().map

    @property
    def instances(self) -> tuple[Instance, ...]:
        """The objects, oldest first: ``Instance(id, class_id, name, visible, locked, parent)``."""
        layer = self._document.instances
        return () if layer is None else layer.instances

    def instance_pixels(self, instance_id: int) -> int:
        """Return the number of pixels of an instance (kept current by every edit)."""
        return self._layer().count(self._known(instance_id))

    def class_mask(self, level: int = 0) -> np.ndarray:
        """Return the class mask with each class replaced by its ancestor at ``level`` (a copy).

        A pixel holds exactly one, innermost class (``face``, not ``person``); at
        level 0 every class becomes its top-level ancestor, so the ``person`` mask
        includes the face pixels. Classes at or above ``level`` are unchanged.

        Examples
        --------
        >>> import numpy as np, seg_widget as sw
        >>> w = sw.SegmentationWidget(
        ...     np.zeros((4, 4)), ["bg", "person", sw.LabelClass("face", parent="person")]
        ... )
        >>> w.paint_stroke([(1, 1)], label=2, brush_size=1)
        >>> int(w.mask[1, 1]), int(w.class_mask(level=0)[1, 1])
        (2, 1)

        """
        return _class_mask(self.mask, self._classes, level)

    def object_mask(self, instance_id: int, *, parts: bool = True) -> np.ndarray:
        """Boolean ``(H, W)`` mask of an instance, with its parts (and theirs) by default."""
        layer = self._layer()
        instance_id = self._known(instance_id)
        members = [instance_id, *(layer.descendants(instance_id) if parts else ())]
        return np.isin(layer.map, np.asarray(members, layer.map.dtype))

    # -- commands ------------------------------------------------------------------------

    def new_instance(
        self, label: int | None = None, *, name: str | None = None, parent: int | None = None
    ) -> int:
        """Start a new, empty object of class ``label`` (default: the selected class); select it.

        Painting then adds pixels to it. ``parent`` is the object it is a part of
        (its class must be an ancestor of ``label``); by default the object
        selected last, when its class is an ancestor (select the person, pick the
        class face, press M). One undo step; returns the new id.
        """
        if label == 0 or (label is None and self.label == 0):
            raise ValueError("label: expected a class to make an instance of; got 0 (unlabelled)")
        if label is not None:
            self.label = label
        class_id = self.label
        layer = self._document.enable_instances()
        recent = self.instance or self._recent_instance
        if parent is None and recent in layer:
            if is_descendant(self._classes, class_id, layer.get(recent).class_id):
                parent = recent
        if name is None:
            name = f"{self._classes[class_id].name} {layer.next_id()}"
        created = self._document.add_instance(class_id, name=name, parent=parent)
        self._instances_changed(None)
        self.instance = created.id
        return created.id

    def select_instance(self, instance_id: int, *, add: bool = False) -> None:
        """Make an object the active one (painting adds to it); ``add`` keeps the others selected.

        ``0`` selects none. The selected class follows the object's class.
        """
        instance_id = 0 if instance_id == 0 else self._known(instance_id)
        selected = list(self.selected_instances) if add else []
        if instance_id and instance_id not in selected:
            selected.append(instance_id)
        self.selected_instances = tuple(selected)
        self.instance = instance_id

    def rename_instance(self, instance_id: int, name: str) -> None:
        """Rename an object (one undo step)."""
        self._update(instance_id, name=name)

    def set_instance_class(self, instance_id: int, label: int) -> None:
        """Change an object's class, and so the class of all its pixels (one undo step)."""
        n_classes = len(self._classes)
        if isinstance(label, (bool, np.bool_)) or not isinstance(label, (int, np.integer)):
            raise TypeError(f"label: expected a class id (int); got {type(label).__name__}")
        if not 1 <= label < n_classes:
            raise ValueError(f"label: expected a class id in [1, {n_classes}); got {label}")
        self._update(instance_id, class_id=label)
        if instance_id == self.instance:
            self.set_trait("label", int(label))

    def set_instance_visible(self, instance_id: int, visible: bool = True) -> None:
        """Show or hide an object. Hidden objects are not drawn and no tool edits them."""
        self._update(instance_id, visible=visible)

    def set_instance_locked(self, instance_id: int, locked: bool = True) -> None:
        """Lock or unlock an object: no tool or command changes a locked object's pixels."""
        self._update(instance_id, locked=locked)

    def set_instance_parent(self, instance_id: int, parent: int | None) -> None:
        """Make an object a part of another (``None``: a top-level object). One undo step."""
        self._update(instance_id, parent=parent)

    def delete_instances(self, instance_ids: Iterable[int] | None = None) -> None:
        """Delete objects (default: the selected ones) and their parts: pixels become unlabelled."""
        ids = self._given_or_selected(instance_ids)
        self._run(lambda: self._document.delete_instances(ids))

    def merge_instances(self, instance_ids: Iterable[int] | None = None) -> int:
        """Merge objects (default: the selected ones) into the first; one undo step; return it."""
        ids = self._given_or_selected(instance_ids)
        self._run(lambda: self._document.merge_instances(ids))
        self.select_instance(ids[0])
        return ids[0]

    def split_instance(
        self, instance_id: int | None = None, *, connectivity: int = 8
    ) -> tuple[int, ...]:
        """Split an object (default: the active one) into its connected pieces: one undo step.

        The largest piece keeps the id; returns the ids of all pieces.
        """
        instance_id = self._known(self.instance if instance_id is None else instance_id)
        layer = self._layer()
        before = layer.box(instance_id)
        pieces = self._document.split_instance(instance_id, connectivity=connectivity)
        self._instances_changed(before if len(pieces) > 1 else None)
        return pieces

    # -- the pen and the overlay -----------------------------------------------------------

    def _pen_instance(self, value: int) -> dict[str, Any]:
        """Instance arguments of a pen write: join the active object, or erase only from it."""
        if not self.instance or self._document.instances is None:
            return {}
        active = self._document.instances.get(self.instance)
        if active.protected:
            state = "locked" if active.locked else "hidden"
            self._report_error(f"{active.name} is {state}: unlock or show it to change it")
        return {"only_instance": self.instance} if value == 0 else {"instance": self.instance}

    def _overlay_style(self) -> OverlayStyle:
        layer = self._document.instances
        hidden = () if layer is None else layer.hidden_ids
        return OverlayStyle(
            color_by=self.color_by,
            contours=self.contours,
            show_only=self.show_only,
            selected_instance=self.instance,
            selected_class=self.label,
            hidden=hidden,
        )

    def _paint_labels(self, bbox: BBox) -> BBox:
        """Repaint the overlay source in ``bbox``, grown by a pixel when contours are drawn.

        Returns the region repainted (what the view must redraw).
        """
        style = self._overlay_style()
        if style.is_plain:
            self._scene.paint_overlay(self.mask, bbox, self._lut)
            return bbox
        if style.needs_neighbours:
            bbox = BBox(bbox.row0 - 1, bbox.row1 + 1, bbox.col0 - 1, bbox.col1 + 1).clip(
                self.mask.shape
            )
        layer = self._document.instances
        codes, lut = overlay_codes(
            self.mask, None if layer is None else layer.map, bbox, style, self._lut
        )
        self._scene.paint_overlay_patch(codes, bbox, lut)
        return bbox

    def _repaint_labels(self) -> None:
        """Repaint the whole overlay after a change of what it shows (O(image), on a click)."""
        with batched():
            self._paint_labels(BBox.full(self.mask.shape))
            self._draw_view()

    # -- helpers ---------------------------------------------------------------------------

    def _layer(self, argument: str = "instance_id"):
        layer = self._document.instances
        if layer is None:
            raise ValueError(f"{argument}: there are no instances yet (press M to make one)")
        return layer

    def _known(self, instance_id: object, argument: str = "instance_id") -> int:
        layer = self._layer(argument)
        return layer.get(check_instance_id(instance_id, argument), argument).id

    def _given_or_selected(self, instance_ids: Iterable[int] | None) -> list[int]:
        if instance_ids is None:
            instance_ids = self.selected_instances or ((self.instance,) if self.instance else ())
        if isinstance(instance_ids, (int, np.integer)):
            instance_ids = [instance_ids]
        return [self._known(i, "instance_ids") for i in instance_ids]

    def _update(self, instance_id: int, **changes: Any) -> None:
        instance_id = self._known(instance_id)
        self._run(lambda: self._document.update_instance(instance_id, **changes))

    def _run(self, command) -> None:
        self._end_stroke()
        region = command()
        self._forget_missing_selection()  # before anything shows the active object
        self._instances_changed(region)

    def _forget_missing_selection(self) -> None:
        layer = self._layer()
        if self.instance and self.instance not in layer:
            self.instance = 0
        kept = tuple(i for i in self.selected_instances if i in layer)
        if kept != tuple(self.selected_instances):
            self.selected_instances = kept

    def _instances_changed(self, region: BBox | None) -> None:
        """After a command: repaint what changed (or just the list) and refresh the panel."""
        if region is not None:
            self._after_edit(region)
        else:
            self._update_history_state()
        self._object_panel.refresh()
