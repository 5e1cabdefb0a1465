"""The status line and the message line.

The *status line* (the widget's ``status`` trait) says what is: the pointer position with the
image value(s) and the class there, the active object, the labelled share, the zoom and any
long work in progress. It updates itself on settled edits (coverage), view changes (zoom)
and selection changes; tools and the router tell it where the pointer is and what runs.

The *message line* (the ``message`` trait) says what just happened: a refusal, an error, a
save. A message stays until the next action: a press on the canvas, a key, a control of
the panel (each runs inside `StatusLine.action`), or an edit from Python that changed
something; a message given during an action is kept after it.
"""

from __future__ import annotations

import math
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING

import numpy as np

from .scope import Scope

if TYPE_CHECKING:
    from traitlets import HasTraits

    from .editor import EditEvent, Editor
    from .view import View

#: The prefix of a message saying something went wrong or was refused.
WARNING = "⚠ "


class StatusLine:
    """Compose the status text and keep the message; write both to the widget's traits.

    Parameters
    ----------
    settings : HasTraits
        The widget: ``status`` and ``message`` are written, ``instance`` and the pen
        settings observed.
    editor : Editor
        Where coverage, classes and objects are read.

    """

    def __init__(self, settings: HasTraits, editor: Editor) -> None:
        self._settings = settings
        self._editor = editor
        self._view: View | None = None
        self._pointer_xy: tuple[float, float] | None = None
        self._progress = ""
        self._action_depth = 0
        self._new_action = Scope(lambda: self._begin_action(True), self._end_action)
        self._continued_action = Scope(lambda: self._begin_action(False), self._end_action)
        editor.edited.connect(self._on_edit)
        settings.observe(
            lambda _: self.update(),
            ("tool", "instance", "label", "brush_size", "paint_mode", "erase"),
        )
        settings.observe(lambda _: self._outside_action(), "tool")

    def follow(self, view: View) -> None:
        """Show the zoom of ``view`` (and the image values under the pointer)."""
        self._view = view
        view.navigated.connect(lambda _: self.update())
        self.update()

    # -- what is under the pointer -------------------------------------------------------------

    def pointer_at(self, image_xy: tuple[float, float] | None) -> None:
        """Say what is under the pointer (None: the pointer left the canvas)."""
        self._pointer_xy = image_xy
        self.update()

    def _describe_pointer(self) -> str:
        """Describe what is under the pointer now (read again after every edit)."""
        if self._pointer_xy is None:
            return ""
        col, row = self._pointer_xy
        mask = self._editor.mask
        r, c = math.floor(row), math.floor(col)
        if not (0 <= r < mask.shape[0] and 0 <= c < mask.shape[1]):
            return "outside the image"
        class_id = int(mask[r, c])
        parts = [f"x {c}, y {r}"]
        if self._view is not None:
            parts.append(describe_value(self._view.display.image[r, c]))
        parts.append(f"{class_id}: {self._editor.classes[class_id].name}")
        owner = self._editor.object_at(r, c)
        if owner is not None:
            parts.append(owner.name)
        return " · ".join(parts)

    # -- long work and messages ------------------------------------------------------------------

    def progress(self, message: str) -> None:
        """Say what long work is running ("" when it is done); sent at once."""
        self._progress = f"⏳ {message}" if message else ""
        self.update()

    def error(self, message: str) -> None:
        """Show what went wrong or was refused, on the message line."""
        self._settings.set_trait("message", WARNING + message)

    def inform(self, message: str) -> None:
        """Show what was done (a save, what an accepted proposal kept), on the message line."""
        self._settings.set_trait("message", message)

    def clear_message(self) -> None:
        """Empty the message line."""
        self._settings.set_trait("message", "")

    def action(self, *, new: bool = True) -> AbstractContextManager[None]:
        """Run one user action: the message line is cleared first; messages given inside stay.

        ``new=False`` (the moves and release of a drag) keeps the message of its press.
        """
        return self._new_action if new else self._continued_action

    def _begin_action(self, new: bool) -> None:
        if new and self._action_depth == 0:
            self.clear_message()
        self._action_depth += 1

    def _end_action(self) -> None:
        self._action_depth -= 1

    # -- composing ---------------------------------------------------------------------------------

    def update(self) -> None:
        """Compose the status text again."""
        coverage = f"labelled {100 * self._editor.labelled_fraction:.1f}%"
        zoom = f"zoom {self._view.zoom * 100:.0f}%" if self._view is not None else ""
        instance = self._settings.instance
        layer = self._editor.objects
        active = ""
        if instance and layer is not None and instance in layer:
            active = f"object: {layer.get(instance).name}"
        pointer = self._describe_pointer()
        parts = [p for p in (pointer, active, coverage, zoom, self._progress) if p]
        self._settings.status = " · ".join(parts)

    def _on_edit(self, event: EditEvent) -> None:
        if event.bbox is not None or event.table_changed:
            self._outside_action()
        if event.settled:
            self.update()

    def _outside_action(self) -> None:
        # A change made from Python (not inside a canvas or panel action) is a new action.
        if self._action_depth == 0 and self._settings.message:
            self.clear_message()


def describe_value(value: object) -> str:
    """Describe the image value(s) of one pixel as the status line shows them.

    >>> describe_value(np.uint16(1234))
    'value 1234'
    >>> describe_value(np.array([12, 34, 56], np.uint8))
    'RGB 12 34 56'
    >>> describe_value(np.float32(0.123456))
    'value 0.1235'
    """
    values = np.atleast_1d(np.asarray(value))
    text = " ".join(_number(v) for v in values.tolist())
    if values.size == 3:
        return f"RGB {text}"
    if values.size == 4:
        return f"RGBA {text}"
    return f"value {text}"


def _number(value: float | int | bool) -> str:
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(int(value))


__all__ = ["WARNING", "StatusLine", "describe_value"]
