"""The object list: one row per object, the object commands, and the overlay views.

Rows are a pool of at most `PAGE_SIZE` widgets reused page by page, so refreshing after
every edit only sends the values that changed, whatever the number of objects; a row is made
only when an object needs it (an image without objects builds none). The panel refreshes itself:
after every settled edit and when the selection or the colouring changes. It reads and
changes the widget only through its public API.

Clicking a row's name makes that object the active one (painting adds to it); the tick box
beside it is separate and marks objects for Merge and Delete. Long names are shortened in
the middle (the end, often a number, stays) and shown whole on hover.
"""

from __future__ import annotations

import html
from typing import Any

import ipywidgets as widgets

from ...core.instances import Instance
from ...render.instance_view import instance_color
from ..editor import EditEvent
from ..signals import Signal
from .guard import Guard

#: Rows shown at once; the rest are a page away.
PAGE_SIZE = 8
#: Longest name shown on a row before it is shortened in the middle.
NAME_CHARS = 18
#: Up to this many classes, the active object's class is chosen from a list; beyond, by id
#: (a list of every class would cost O(classes) to build and to send).
CLASS_LIST_MAX = 256


class ObjectPanel(widgets.VBox):
    """Controls of the object tools: new, merge, split, delete, the rows, the views."""

    def __init__(self, widget: Any, edited: Signal[EditEvent], guard: Guard) -> None:
        self.widget = widget
        self.page = 0
        self._order: list[Instance] = []
        self._by_id: dict[int, Instance] = {}
        self.guard = guard

        new = _button("New (M)", "Start a new object of the selected class", "plus")
        merge = _button("Merge", "Merge the ticked objects into the first ticked", "compress")
        split = _button("Split", "Split the active object into its connected pieces", "cut")
        delete = _button("Delete", "Delete the ticked objects (or the active one)", "trash")
        for button, action in (
            (new, widget.new_instance),
            (merge, widget.merge_instances),
            (split, widget.split_instance),
            (delete, widget.delete_instances),
        ):
            button.on_click(lambda _, action=action: self.run(action))

        self.name = widgets.Text(
            placeholder="name of the active object",
            continuous_update=False,
            layout=widgets.Layout(width="130px"),
        )
        self.name.observe(self._rename, "value")
        self.class_choice = _class_choice(widget.classes)
        self.class_choice.observe(self._change_class, "value")
        self.active = widgets.HBox([self.name, self.class_choice])

        #: The row pool (grown to at most PAGE_SIZE as objects appear).
        self.rows: list[_Row] = []
        self.row_box = widgets.VBox()
        previous = _button("", "Previous page", "chevron-left")
        following = _button("", "Next page", "chevron-right")
        previous.on_click(lambda _: self._turn(-1))
        following.on_click(lambda _: self._turn(+1))
        self.page_text = widgets.HTML()
        self.pager = widgets.HBox([previous, self.page_text, following])

        self.color_by = widgets.ToggleButtons(
            options=[("Class", "class"), ("Object", "instance")],
            tooltips=["Each class in its colour", "Each object in its own colour"],
            description="Colour by",
            style=widgets.ToggleButtonsStyle(button_width="auto", description_width="initial"),
        )
        widgets.link((widget, "color_by"), (self.color_by, "value"))
        self.contours = widgets.Checkbox(
            description="Contours only",
            indent=False,
            tooltip="Draw only the outline of each object",
            layout=widgets.Layout(width="auto"),
        )
        widgets.link((widget, "contours"), (self.contours, "value"))
        self.show_only = widgets.Dropdown(
            options=[
                ("all labels", "all"),
                ("the active object", "object"),
                ("the selected class", "class"),
            ],
            description="Show",
            style={"description_width": "initial"},
            layout=widgets.Layout(width="auto"),
        )
        widgets.link((widget, "show_only"), (self.show_only, "value"))

        super().__init__(
            [
                widgets.HBox([new, merge, split, delete], layout=_wrap()),
                self.active,
                widgets.HTML(
                    "<small>Click a name to make that object active; tick objects for "
                    "Merge / Delete.</small>"
                ),
                self.row_box,
                self.pager,
                self.color_by,
                widgets.HBox([self.contours, self.show_only], layout=_wrap()),
            ]
        )
        self.add_class("seg-objects")
        self._syncing = False
        self._section: tuple[widgets.Accordion, int] | None = None
        self._shown_count = 0
        edited.connect(self._on_edit)
        widget.observe(self._on_selected, ("selected_instances", "instance"))
        widget.observe(lambda _: self.refresh(), "color_by")
        self.refresh()

    def show_in(self, accordion: widgets.Accordion, index: int) -> None:
        """Live in section ``index`` of ``accordion``: titled "Objects (n)", opened by the first."""
        self._section = (accordion, index)
        self._update_section(len(self._order))

    def refresh(self) -> None:
        """Show the current objects, counts, selection and active object."""
        instances = self.widget.instances
        self._by_id = {instance.id: instance for instance in instances}
        self._order = _tree_order(instances)
        count = len(self._order)
        pages = max(1, -(-count // PAGE_SIZE))
        self.page = min(self.page, pages - 1)
        start = self.page * PAGE_SIZE
        needed = min(PAGE_SIZE, count)
        if len(self.rows) < needed:
            self.rows.extend(_Row(self) for _ in range(needed - len(self.rows)))
            self.row_box.children = [row.box for row in self.rows]
        for k, row in enumerate(self.rows):
            index = start + k
            row.show(self._order[index] if index < count else None)
        self.page_text.value = (
            f"{start + 1}–{min(start + PAGE_SIZE, count)} of {count}" if count else "no objects"
        )
        self.pager.layout.display = "flex" if count > PAGE_SIZE else "none"
        self._show_active()
        self._update_section(count)

    def depth(self, instance: Instance) -> int:
        """How deep a part is nested (0: a top-level object)."""
        depth = 0
        while instance.parent in self._by_id and depth < 32:
            instance = self._by_id[instance.parent]
            depth += 1
        return depth

    def _on_edit(self, event: EditEvent) -> None:
        if event.settled:
            self.refresh()

    def _on_selected(self, change) -> None:
        # The list turns to the object just selected (picked in the image, say); making a
        # new object or clicking a row does not move the list away from what the user was
        # looking at.
        if change.name == "selected_instances" and change.new:
            known = [instance.id for instance in self._order]
            if change.new[-1] in known:
                self.page = known.index(change.new[-1]) // PAGE_SIZE
        self.refresh()

    def _update_section(self, count: int) -> None:
        if self._section is None:
            return
        accordion, index = self._section
        accordion.set_title(index, f"Objects ({count})")
        if count and not self._shown_count:
            accordion.selected_index = index  # the first object opens the list
        self._shown_count = count

    def _show_active(self) -> None:
        active = self._by_id.get(self.widget.instance)
        self._syncing = True
        try:
            self.active.layout.display = "flex" if active is not None else "none"
            if active is not None:
                self.name.value = active.name
                self.class_choice.value = active.class_id
        finally:
            self._syncing = False

    def _turn(self, step: int) -> None:
        self.page = max(0, self.page + step)
        self.refresh()

    def _rename(self, change) -> None:
        if not self._syncing and self.widget.instance and change.new.strip():
            self.run(self.widget.rename_instance, self.widget.instance, change.new)

    def _change_class(self, change) -> None:
        if not self._syncing and self.widget.instance and change.new is not None:
            self.run(self.widget.set_instance_class, self.widget.instance, change.new)

    def run(self, action, *args) -> None:
        """Run a panel action; a refused one (locked, nothing selected) is said, not raised."""
        if not self.guard.run(action, *args):
            self.refresh()  # show the real state again (e.g. the class a locked object kept)


class _Row:
    """One object row: tick, swatch, name (click: select), class and size, eye, lock."""

    def __init__(self, panel: ObjectPanel) -> None:
        self.panel = panel
        self.instance: Instance | None = None
        self.swatch = widgets.HTML(layout=widgets.Layout(width="14px", flex="0 0 auto"))
        self.tick = widgets.Checkbox(
            indent=False,
            tooltip="Tick for Merge / Delete",
            layout=widgets.Layout(width="20px", flex="0 0 auto"),
        )
        self.tick.observe(self._ticked, "value")
        self.name = widgets.Button(
            layout=widgets.Layout(width="auto", flex="1 1 auto", min_width="0", padding="0 4px")
        )
        self.name.add_class("seg-object-name")
        self.name.on_click(self._select)
        self.info = widgets.HTML(layout=widgets.Layout(width="64px", flex="0 0 auto"))
        self.visible = widgets.ToggleButton(
            icon="eye", tooltip="Show / hide", layout=widgets.Layout(width="30px", padding="0")
        )
        self.visible.add_class("seg-object-visible")
        self.visible.observe(self._toggle_visible, "value")
        self.locked = widgets.ToggleButton(
            icon="lock",
            tooltip="Lock: no tool changes it",
            layout=widgets.Layout(width="30px", padding="0"),
        )
        self.locked.add_class("seg-object-lock")
        self.locked.observe(self._toggle_locked, "value")
        self.box = widgets.HBox(
            [self.tick, self.swatch, self.name, self.info, self.visible, self.locked],
            layout=widgets.Layout(align_items="center"),
        )
        self.box.add_class("seg-object-row")
        self._showing = False

    def show(self, instance: Instance | None) -> None:
        self.instance = instance
        self.box.layout.display = "none" if instance is None else "flex"
        if instance is None:
            return
        widget = self.panel.widget
        self._showing = True
        try:
            # The swatch is the colour the object is drawn in: its class's or its own.
            if widget.color_by == "instance":
                r, g, b = instance_color(instance.id)
            else:
                r, g, b = widget.classes[instance.class_id].color
            self.swatch.value = (
                f"<div style='width:12px;height:12px;background:rgb({r},{g},{b});"
                "border:1px solid #555'></div>"
            )
            depth = self.panel.depth(instance)
            self.name.description = ("└ " if depth else "") + shorten(instance.name)
            self.name.tooltip = f"#{instance.id}: {instance.name} — click to make it active"
            active = instance.id == widget.instance
            self.name.button_style = "info" if active else ""
            class_name = widget.classes[instance.class_id].name
            pixels = widget.instance_pixels(instance.id)
            self.info.value = (
                "<div style='line-height:1.15;font-size:11px;overflow:hidden;"
                "text-overflow:ellipsis;white-space:nowrap' "
                f"title='{html.escape(class_name, quote=True)}'>"
                f"{html.escape(shorten(class_name, 10))}<br>{_short(pixels)} px</div>"
            )
            self.tick.value = instance.id in widget.selected_instances
            self.visible.value = instance.visible
            self.visible.icon = "eye" if instance.visible else "eye-slash"
            self.locked.value = instance.locked
            self.locked.icon = "lock" if instance.locked else "unlock"
        finally:
            self._showing = False

    def _select(self, _button=None) -> None:
        # Selecting makes the object active; it does not tick it (ticks are for Merge/Delete).
        if self.instance is not None:
            self.panel.run(setattr, self.panel.widget, "instance", self.instance.id)

    def _ticked(self, change) -> None:
        if self._showing or self.instance is None:
            return
        widget = self.panel.widget
        ids = [i for i in widget.selected_instances if i != self.instance.id]
        if change.new:
            ids.append(self.instance.id)
        widget.selected_instances = tuple(ids)

    def _toggle_visible(self, change) -> None:
        if not self._showing and self.instance is not None:
            self.panel.run(self.panel.widget.set_instance_visible, self.instance.id, change.new)

    def _toggle_locked(self, change) -> None:
        if not self._showing and self.instance is not None:
            self.panel.run(self.panel.widget.set_instance_locked, self.instance.id, change.new)


def _tree_order(instances: tuple[Instance, ...]) -> list[Instance]:
    """Instances with each object's parts right after it (creation order otherwise)."""
    by_parent: dict[int | None, list[Instance]] = {}
    known = {i.id for i in instances}
    for instance in instances:
        parent = instance.parent if instance.parent in known else None
        by_parent.setdefault(parent, []).append(instance)
    ordered: list[Instance] = []
    pending = list(reversed(by_parent.get(None, [])))
    while pending:
        instance = pending.pop()
        ordered.append(instance)
        pending.extend(reversed(by_parent.get(instance.id, [])))
    return ordered


def _class_choice(classes) -> widgets.ValueWidget:
    """Make the active object's class control: a list of classes, or an id box when many."""
    tooltip = "Class of the active object (one undo step)"
    if len(classes) <= CLASS_LIST_MAX:
        return widgets.Dropdown(
            options=[(c.name, i) for i, c in enumerate(classes) if i > 0],
            tooltip=tooltip,
            layout=widgets.Layout(width="110px"),
        )
    return widgets.BoundedIntText(
        min=1, max=len(classes) - 1, tooltip=tooltip, layout=widgets.Layout(width="110px")
    )


def shorten(name: str, limit: int = NAME_CHARS) -> str:
    """``name``, or its start and end around an ellipsis when longer than ``limit``.

    >>> shorten("as ambiguous as it gets 12", 12)
    'as amb…ts 12'
    """
    if len(name) <= limit:
        return name
    tail = (limit - 1) // 2
    return name[: limit - 1 - tail] + "…" + name[-tail:]


def _short(pixels: int) -> str:
    if pixels < 10_000:
        return str(pixels)
    if pixels < 10_000_000:
        return f"{pixels / 1000:.0f}k"
    return f"{pixels / 1e6:.0f}M"


def _button(text: str, tooltip: str, icon: str) -> widgets.Button:
    return widgets.Button(
        description=text, tooltip=tooltip, icon=icon, layout=widgets.Layout(width="auto")
    )


def _wrap() -> widgets.Layout:
    return widgets.Layout(flex_flow="row wrap")
