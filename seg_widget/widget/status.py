"""The status line: what is under the pointer, the active object, coverage, zoom, messages.

It writes the widget's ``status`` trait (the panel shows it). It updates itself on settled
edits (coverage), view changes (zoom) and selection changes; tools and the router tell it
where the pointer is, what long work runs and what went wrong.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from traitlets import HasTraits

    from .editor import EditEvent, Editor
    from .view import View


class StatusLine:
    """Compose the status text from its parts and write it to ``settings.status``.

    Parameters
    ----------
    settings : HasTraits
        The widget: ``status`` is written, ``instance`` and the pen settings observed.
    editor : Editor
        Where coverage, classes and objects are read.

    """

    def __init__(self, settings: HasTraits, editor: Editor) -> None:
        self._settings = settings
        self._editor = editor
        self._view: View | None = None
        self._pointer = ""
        self._progress = ""
        self._message = ""
        editor.edited.connect(self._on_edit)
        settings.observe(
            lambda _: self.update(),
            ("tool", "instance", "label", "brush_size", "paint_mode", "erase"),
        )

    def follow(self, view: View) -> None:
        """Show the zoom of ``view`` and update when it moves."""
        self._view = view
        view.navigated.connect(lambda _: self.update())
        self.update()

    def pointer_at(self, image_xy: tuple[float, float] | None) -> None:
        """Say what is under the pointer (None: the pointer left the canvas)."""
        if image_xy is None:
            self._pointer = ""
        else:
            col, row = image_xy
            mask = self._editor.mask
            r, c = math.floor(row), math.floor(col)
            if 0 <= r < mask.shape[0] and 0 <= c < mask.shape[1]:
                class_id = int(mask[r, c])
                self._pointer = f"x {c}, y {r} · {class_id}: {self._editor.classes[class_id].name}"
                owner = self._editor.object_at(r, c)
                if owner is not None:
                    self._pointer += f" · {owner.name}"
            else:
                self._pointer = "outside the image"
        self.update()

    def progress(self, message: str) -> None:
        """Say what long work is running ("" when it is done); sent at once."""
        self._progress = f"⏳ {message}" if message else ""
        self.update()

    def error(self, message: str) -> None:
        """Show what went wrong."""
        self._message = f"⚠ {message}"
        self.update()

    def update(self) -> None:
        """Compose the text again."""
        coverage = f"labelled {100 * self._editor.labelled_fraction:.1f}%"
        zoom = f"zoom {self._view.zoom * 100:.0f}%" if self._view is not None else ""
        instance = self._settings.instance
        layer = self._editor.objects
        active = ""
        if instance and layer is not None and instance in layer:
            active = f"object: {layer.get(instance).name}"
        parts = [p for p in (self._pointer, active, coverage, zoom) if p]
        parts += [m for m in (self._progress, self._message) if m]
        self._settings.status = " · ".join(parts)

    def _on_edit(self, event: EditEvent) -> None:
        if event.settled:
            self.update()


__all__ = ["StatusLine"]
