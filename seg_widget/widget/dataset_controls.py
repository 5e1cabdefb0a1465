"""The controls of a dataset annotator: navigation bar, warnings area and progress bars.

They only show what :class:`~seg_widget.widget.dataset.DatasetAnnotator` tells them.
"""

from __future__ import annotations

import html
import logging
import time
import warnings
from collections.abc import Iterator
from contextlib import contextmanager

import ipywidgets as widgets

from ..io.dataset_index import ProgressCallback
from .autosave import Autosave
from .closing import close_tree

logger = logging.getLogger("seg_widget")

#: Warnings kept in `WarningsLog.messages` (the oldest are dropped).
MAX_MESSAGES = 100
#: Warnings shown at once in the warnings area (the newest; all are kept in Python).
SHOWN_WARNINGS = 8
#: Least time between two updates of a progress bar, in seconds (each update is a message).
PROGRESS_INTERVAL = 0.1
#: Folders with fewer files than this are scanned without showing a progress bar.
SCAN_BAR_MINIMUM = 50


class NavigationBar(widgets.VBox):
    """Previous / Next, jump-to box, the file name, "12 of 300 labelled", the skip box, warnings.

    Two rows: where you are (Previous, Next, "Image [3] of 10", the file's name and whether
    it is labelled), then the folder's figures and the "skip labelled images" box, so the
    box's label never reads as part of the file name.
    """

    def __init__(self) -> None:
        self.previous = widgets.Button(
            description="Previous", icon="arrow-left", tooltip="Save, then open the previous image"
        )
        self.next = widgets.Button(
            description="Next", icon="arrow-right", tooltip="Save, then open the next image"
        )
        self.jump = widgets.BoundedIntText(
            value=1,
            min=1,
            max=1,
            description="Image",
            tooltip="Type an image number to open it",
            layout=widgets.Layout(width="150px"),
        )
        self.total = widgets.HTML()
        self.only_unlabelled = widgets.Checkbox(
            value=False,
            description="Previous / Next skip labelled images",
            indent=False,
            tooltip="Previous / Next open only images that are not labelled yet",
            layout=widgets.Layout(width="auto", margin="0 0 0 16px"),
        )
        self.labelled = widgets.HTML()
        self.name = widgets.HTML()
        self.status = widgets.HTML()
        #: The status message shown, as plain text.
        self.status_text = ""
        self.progress = widgets.IntProgress(
            value=0, min=0, max=1, layout=widgets.Layout(display="none", width="auto")
        )
        self.warnings = widgets.HTML()
        row = widgets.Layout(align_items="center", flex_flow="row wrap")
        self.box = widgets.HBox(
            [self.previous, self.next, self.jump, self.total, self.name, self.status],
            layout=row,
        )
        self.figures = widgets.HBox([self.labelled, self.only_unlabelled], layout=row)
        super().__init__([self.box, self.figures, self.progress, self.warnings])

    def show_position(
        self,
        *,
        position: int,
        count: int,
        name: str,
        is_labelled: bool,
        labelled_count: int,
        can_previous: bool,
        can_next: bool,
        predicted_count: int = 0,
        is_predicted: bool = False,
    ) -> None:
        """Show image ``position`` (0-based) of ``count`` and the labelled figures.

        Labelled = checked by a human; predicted = a model's prediction waits for a human.
        """
        self.jump.max = count
        self.jump.value = position + 1
        self.total.value = f"of {count}"
        predicted = f" · {predicted_count} predicted" if predicted_count else ""
        self.labelled.value = f"<b>{labelled_count} of {count} labelled</b>{predicted}"
        state = (
            "✓ labelled" if is_labelled else "◇ predicted" if is_predicted else "not labelled yet"
        )
        self.name.value = (
            f"<span style='margin-left:12px'><code>{html.escape(name)}</code> · {state}</span>"
        )
        self.previous.disabled = not can_previous
        self.next.disabled = not can_next

    def show_status(self, text: str) -> None:
        """Show a short informational message next to the file name."""
        self.status_text = text
        self.status.value = f"<i>{html.escape(text)}</i>" if text else ""

    def show_warnings(self, messages: list[str]) -> None:
        """Show the newest warnings (at most `SHOWN_WARNINGS`), newest first."""
        if not messages:
            self.warnings.value = ""
            return
        shown = messages[-SHOWN_WARNINGS:][::-1]
        items = "".join(f"<li>{html.escape(message)}</li>" for message in shown)
        more = len(messages) - len(shown)
        tail = f"<li>… and {more} earlier</li>" if more else ""
        self.warnings.value = (
            '<div style="color:#9a4a00;background:#fff6e5;padding:2px 8px;border-radius:4px">'
            f"⚠ Warnings<ul style='margin:0'>{items}{tail}</ul></div>"
        )

    @contextmanager
    def progress_bar(self, description: str) -> Iterator[ProgressCallback]:
        """Show the progress bar while the block runs; yield its ``progress(done, total)``."""
        self.progress.description = description
        self.progress.value = 0
        self.progress.layout.display = None
        try:
            yield throttled_progress(self.progress)
        finally:
            self.progress.layout.display = "none"

    def close(self) -> None:
        """Close every control."""
        close_tree(self, close_root=super().close)


class WarningsLog:
    """The annotator's warnings: kept (the newest `MAX_MESSAGES`), shown, emitted once."""

    def __init__(self, nav: NavigationBar) -> None:
        self._nav = nav
        #: The warnings, oldest first.
        self.messages: list[str] = []
        self._failure: str | None = None

    def warn(self, message: str, *, emit: bool = True) -> None:
        """Show ``message`` as the newest warning (and emit a Python warning)."""
        self.messages.append(message)
        del self.messages[:-MAX_MESSAGES]
        if emit:
            warnings.warn(message, stacklevel=4)
        self._nav.show_warnings(self.messages)

    def replace(self, old: str, new: str) -> None:
        """Drop the newest ``old`` message and show ``new`` as the newest (no Python warning)."""
        for index in range(len(self.messages) - 1, -1, -1):
            if self.messages[index] == old:
                del self.messages[index]
                break
        self.warn(new, emit=False)

    def autosave_failed(self, name: str, autosave: Autosave, error: Exception) -> None:
        """Show one warning per run of failures, updated in place; log the first only."""
        failures = autosave.failures
        text = (
            f"autosave of {name} failed ({failures} time{'s' if failures > 1 else ''}; your "
            f"edits are kept; next attempt in {autosave.retry_in:.0f} s or when you "
            f"save): {error}"
        )
        if self._failure is None:
            logger.error("seg-widget: autosave failed: %r", error)
            self.warn(text)
        else:
            logger.debug("seg-widget: autosave failed again: %r", error)
            self.replace(self._failure, text)
        self._failure = text

    def recovered(self, name: str) -> None:
        """Turn a standing autosave-failure warning into "saved now"."""
        if self._failure is not None:
            self.replace(self._failure, f"autosave of {name} failed earlier; saved now")
            self._failure = None


@contextmanager
def scan_progress(description: str = "Scanning") -> Iterator[ProgressCallback]:
    """Show a progress bar in the notebook while a folder is scanned, then remove it.

    Shown only inside a Jupyter kernel (a terminal has nowhere to show it) and only for
    `SCAN_BAR_MINIMUM` files or more (smaller folders scan in a blink).
    """
    bar = widgets.IntProgress(value=0, min=0, max=1, description=description)
    report = throttled_progress(bar)
    shown = []

    def progress(done: int, total: int) -> None:
        if not shown and total >= SCAN_BAR_MINIMUM and _in_kernel():
            from IPython.display import display

            shown.append(display(bar, display_id=True))
        report(done, total)

    try:
        yield progress
    finally:
        close_tree(bar)
        if shown:
            from IPython.display import HTML

            shown[0].update(HTML(""))  # leave no dead widget view in the output


def throttled_progress(bar: widgets.IntProgress) -> ProgressCallback:
    """Return ``progress(done, total)`` updating ``bar`` at most every 0.1 s, and at the end."""
    last = [0.0]

    def progress(done: int, total: int) -> None:
        now = time.monotonic()
        if done < total and now - last[0] < PROGRESS_INTERVAL:
            return
        last[0] = now
        bar.max = max(total, 1)
        bar.value = min(done, bar.max)

    return progress


def _in_kernel() -> bool:
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - IPython comes with ipywidgets
        return False
    shell = get_ipython()
    return shell is not None and getattr(shell, "kernel", None) is not None
