"""The selection rules: the active object, the ticked objects and the selected class agree.

- Selecting an object selects its class; selecting another class leaves the object.
- After anything that changes the object table (a command, undo, redo, loading a file),
  objects that no longer exist are deselected and the selected class follows the active
  object's class, so a pen never writes an object's id with another class.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from traitlets import HasTraits

    from .editor import EditEvent, Editor


class Selection:
    """Keep ``instance``, ``selected_instances`` and ``label`` of the widget consistent."""

    def __init__(self, settings: HasTraits, editor: Editor) -> None:
        self._settings = settings
        self._editor = editor
        #: The last active object: the default parent of a new part.
        self.recent_instance = 0
        settings.observe(self._on_instance, "instance")
        settings.observe(self._on_label, "label")
        editor.edited.connect(self._on_edit)

    def _on_instance(self, change) -> None:
        if change.new:
            self.recent_instance = change.new
            self._settings.label = self._editor.objects.get(change.new).class_id

    def _on_label(self, change) -> None:
        settings = self._settings
        layer = self._editor.objects
        if settings.instance and layer is not None and settings.instance in layer:
            if layer.get(settings.instance).class_id != change.new:
                settings.instance = 0  # painting another class leaves the object

    def _on_edit(self, event: EditEvent) -> None:
        if event.table_changed:
            self.resync()

    def resync(self) -> None:
        """Drop selected objects that are gone; the class follows the active object."""
        settings = self._settings
        layer = self._editor.objects
        if layer is None:
            return
        if settings.instance and settings.instance not in layer:
            settings.instance = 0
        elif settings.instance:
            class_id = layer.get(settings.instance).class_id
            if settings.label != class_id:
                settings.label = class_id
        kept = tuple(i for i in settings.selected_instances if i in layer)
        if kept != tuple(settings.selected_instances):
            settings.selected_instances = kept


__all__ = ["Selection"]
