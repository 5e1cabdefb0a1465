"""The class list: a window of rows over the classes, a scroll bar and a name filter.

The list never holds one widget per class: a fixed pool of `VISIBLE_ROWS` buttons shows the
classes of the current window, so building it and refreshing it after an edit cost
O(visible rows) whatever the number of classes (65,536 included). Classes are listed as a
tree (parts indented under their parent, in the order of the class list otherwise); a
vertical slider scrolls the window and, when there are more classes than rows, a text box
filters them by name. Each row shows the class id, name and share of the image; its
tooltip says all of it in full, with the parent.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import ipywidgets as widgets
import numpy as np

from ...core.hierarchy import parent_ids
from ..editor import EditEvent
from ..signals import Signal

if TYPE_CHECKING:
    from ...core.classes import LabelClass

#: Rows shown at once.
VISIBLE_ROWS = 12
#: Indentation of a part under its parent, per level.
INDENT_PX = 14


class ClassList(widgets.VBox):
    """Buttons selecting ``w.label``; each shows its class' share, updated after every edit.

    Parameters
    ----------
    widget : SegmentationWidget
        Read and changed through its public API (``classes``, ``label``, ``class_counts``).
    edited : Signal
        The editor's edit events: the shares are refreshed after each settled one.

    """

    def __init__(self, widget: Any, edited: Signal[EditEvent]) -> None:
        self._widget = widget
        classes = widget.classes
        self._order, self._depth = _tree_order(parent_ids(classes).tolist())
        self._names = [c.name.casefold() for c in classes]
        self._shown: np.ndarray = self._order  # the filtered order
        self.start = 0
        self._moving = False

        self.rows = [self._row() for _ in range(min(VISIBLE_ROWS, len(classes)))]
        # What each row shows now: a settled edit then only touches the rows that change.
        self._row_state: list[tuple | None] = [None] * len(self.rows)
        self.filter = widgets.Text(
            placeholder=f"filter {len(classes)} classes by name",
            continuous_update=True,
            layout=widgets.Layout(width="auto"),
        )
        self.filter.observe(lambda _: self._apply_filter(), "value")
        self.filter.layout.display = None if len(classes) > VISIBLE_ROWS else "none"
        self.scroll = widgets.IntSlider(
            orientation="vertical",
            readout=False,
            min=0,
            max=1,
            value=1,
            tooltip="Scroll the class list",
            layout=widgets.Layout(height=f"{28 * VISIBLE_ROWS}px", width="28px"),
        )
        self.scroll.observe(self._on_scroll, "value")
        self.empty = widgets.HTML("<i>no class matches</i>", layout=widgets.Layout(display="none"))
        column = widgets.VBox(
            [row for row in self.rows] + [self.empty],
            layout=widgets.Layout(flex="1 1 auto", min_width="0"),
        )
        super().__init__(
            [self.filter, widgets.HBox([column, self.scroll], layout=widgets.Layout(width="100%"))]
        )
        self.add_class("seg-class-list")
        widget.observe(self._on_label, "label")
        edited.connect(self._on_edit)
        self._show()

    # -- what is shown ------------------------------------------------------------------------

    @property
    def shown_ids(self) -> list[int]:
        """The class ids of the visible rows, top to bottom."""
        return [int(i) for i in self._shown[self.start : self.start + len(self.rows)]]

    def scroll_to(self, start: int) -> None:
        """Show the window starting at row ``start`` of the (filtered) list."""
        last = max(0, len(self._shown) - len(self.rows))
        self.start = max(0, min(int(start), last))
        self._show()

    def show_counts(self) -> None:
        """Show each visible class' share of the image on its row."""
        self._show()

    # -- reactions ------------------------------------------------------------------------------

    def _on_edit(self, event: EditEvent) -> None:
        if event.settled:
            self._show()

    def _on_label(self, change) -> None:
        # The selected class comes into view (chosen with a digit key or the pick tool).
        position = np.flatnonzero(self._shown == change.new)
        if position.size and not self.start <= position[0] < self.start + len(self.rows):
            self.start = max(0, int(position[0]) - len(self.rows) // 2)
        self.scroll_to(self.start)

    def _apply_filter(self) -> None:
        text = self.filter.value.strip().casefold()
        if text:
            keep = np.array([text in self._names[i] for i in self._order.tolist()], bool)
            self._shown = self._order[keep] if keep.size else self._order
        else:
            self._shown = self._order
        self.scroll_to(0)

    def _on_scroll(self, change) -> None:
        if not self._moving:  # the slider's top is its maximum
            self.scroll_to(self.scroll.max - change.new)

    # -- drawing the rows -------------------------------------------------------------------

    def _show(self) -> None:
        widget = self._widget
        counts = widget.class_counts
        total = max(int(counts.sum()), 1)
        classes = widget.classes
        ids = self.shown_ids
        for k, row in enumerate(self.rows):
            if k >= len(ids):
                state = None
            else:
                class_id = int(ids[k])
                share = 100 * int(counts[class_id]) / total
                shares = (f"{share:.1f}", f"{share:.2f}")  # as shown on the row and its tip
                state = (class_id, classes[class_id], shares, class_id == widget.label)
            if state == self._row_state[k]:
                continue
            self._row_state[k] = state
            if state is None:
                row.layout.display = "none"
            else:
                self._draw_row(row, *state)
        self.empty.layout.display = None if not ids else "none"
        hidden = len(self._shown) - len(self.rows)
        self._moving = True
        try:
            self.scroll.max = max(1, hidden)
            self.scroll.value = self.scroll.max - self.start
            # No scroll bar (and no room kept for one) while every row fits.
            self.scroll.layout.display = None if hidden > 0 else "none"
        finally:
            self._moving = False

    def _draw_row(
        self,
        row: widgets.Button,
        class_id: int,
        label_class: LabelClass,
        shares: tuple[str, str],
        selected: bool,
    ) -> None:
        row.layout.display = None
        row.description = f"{class_id}: {label_class.name} · {shares[0]}%"
        parent = f", part of {label_class.parent}" if label_class.parent else ""
        row.tooltip = (
            f"Select class {class_id}: {label_class.name}{parent} ({shares[1]}% of the image)"
        )
        row.layout.margin = f"0 0 0 {INDENT_PX * int(self._depth[class_id])}px"
        row.icon = "check" if selected else ""
        row.style.font_weight = "bold" if selected else "normal"
        _paint(row, class_id, label_class.color)

    def _row(self) -> widgets.Button:
        button = widgets.Button(
            layout=widgets.Layout(width="auto", min_height="26px", flex="0 0 auto")
        )
        button.add_class("seg-class-row")
        button.on_click(self._select)
        return button

    def _select(self, button: widgets.Button) -> None:
        ids = self.shown_ids
        index = self.rows.index(button)
        if index < len(ids):
            self._widget.label = ids[index]


def _paint(button: widgets.Button, class_id: int, color: tuple[int, int, int]) -> None:
    """Give a row its class colour, with text readable on it."""
    if class_id == 0:
        background, text = "#f4f4f4", "#222222"
    else:
        red, green, blue = color
        background = f"#{red:02x}{green:02x}{blue:02x}"
        # Dark text on light colours, light text on dark ones.
        luminance = 0.299 * red + 0.587 * green + 0.114 * blue
        text = "#111111" if luminance > 150 else "#ffffff"
    button.style.button_color = background
    button.style.text_color = text


def _tree_order(parents: list[int]) -> tuple[np.ndarray, np.ndarray]:
    """Class ids with each class's parts right after it, and each class's depth.

    >>> order, depth = _tree_order([-1, -1, 3, -1])
    >>> order.tolist(), depth.tolist()
    ([0, 1, 3, 2], [0, 0, 1, 0])
    """
    if all(parent < 0 for parent in parents):  # no nesting: the list as it is
        return np.arange(len(parents), dtype=np.int64), np.zeros(len(parents), np.int32)
    children: dict[int, list[int]] = {}
    roots = []
    for class_id, parent in enumerate(parents):
        if parent < 0:
            roots.append(class_id)
        else:
            children.setdefault(parent, []).append(class_id)
    order: list[int] = []
    depth = np.zeros(len(parents), np.int32)
    pending = [(class_id, 0) for class_id in reversed(roots)]
    while pending:
        class_id, level = pending.pop()
        order.append(class_id)
        depth[class_id] = level
        pending.extend((child, level + 1) for child in reversed(children.get(class_id, ())))
    return np.asarray(order, np.int64), depth


__all__ = ["INDENT_PX", "VISIBLE_ROWS", "ClassList"]
