"""`DatasetAnnotator`: label, or fix the masks of, a folder of images, one image at a time.

The folder logic (listing, mask paths, labelled status, resume state, exports) lives in
`seg_widget.io.dataset_index` and `seg_widget.io.dataset_export`; this module shows it and
runs the autosave:

- **On move**: the current mask is saved before another image opens. If that save fails,
  the move does not happen (the edits stay in the widget) and the error is raised.
- **While editing** (see `seg_widget.widget.autosave`): after an edit, if
  ``autosave_seconds`` have passed since the last save, the mask is saved at once; and when
  an asyncio event loop runs (as in a Jupyter kernel), a save also runs when editing pauses
  for 2 s. Without a loop only the first rule applies. A failed autosave (a full or
  read-only disk) keeps the edits, shows one warning that is updated while it keeps
  failing, and backs off (1 s, 2 s, 4 s ... up to a minute between attempts) until a save
  works again.
- :meth:`DatasetAnnotator.save` does nothing when nothing changed since the last save (it
  compares the widget's ``edit_count`` and its objects), so calling it often is cheap.
- **Two annotators on one folder:** a save over a mask (or objects) that changed on disk
  since this annotator read or wrote it raises
  `seg_widget.io.dataset_files.ConflictError` and writes nothing; the edits stay in the
  widget. ``save(beside=True)`` then writes them to ``masks_dir/conflicts/`` (and later
  saves of this image go there too), ``save(overwrite=True)`` replaces the other version.
"""

from __future__ import annotations

import logging
import os
import warnings
from collections.abc import Callable, Sequence
from typing import Any

import ipywidgets as widgets

from ..core.classes import LabelClass, normalize_classes
from ..core.image import load_image
from ..io.dataset_export import export_coco, export_voc
from ..io.dataset_files import SavedVersion
from ..io.dataset_index import DatasetIndex
from .autosave import Autosave
from .dataset_controls import NavigationBar, scan_progress
from .segmentation_widget import SegmentationWidget

logger = logging.getLogger("seg_widget")

#: Warnings kept in :attr:`DatasetAnnotator.messages` (the oldest are dropped).
MAX_MESSAGES = 100

#: Widget settings carried over from one image to the next.
CARRIED_SETTINGS = (
    "tool",
    "label",
    "brush_size",
    "paint_mode",
    "erase",
    "fill_mode",
    "fill_connectivity",
    "opacity",
    "show_missing",
    "brightness",
    "contrast",
    "color_by",
    "contours",
)


class DatasetAnnotator(widgets.VBox):
    """Go through a folder of images, labelling or fixing one mask after the other.

    Parameters
    ----------
    images : str, os.PathLike or sequence of paths
        A glob pattern (``"data/*.jpg"``), a folder (its image files) or a list of paths.
        Hidden files and ``*.tmp`` files are ignored; unreadable images are skipped with a
        warning.
    masks_dir : str or os.PathLike
        Folder of the masks (created if missing): ``<image stem><mask_format>`` each, plus
        the resume-state file ``.seg_widget_state.json``. Existing masks are loaded.
    classes : sequence of str or LabelClass
        The label classes; the index is the class id.
    autosave_seconds : float or None
        Save at most this often while editing (see the module docstring); ``None`` or
        ``math.inf``: only when moving to another image or calling :meth:`save`.
    mask_format : {".png", ".npy", ".npz"}
        Format of the mask files.
    **widget_kwargs
        Passed to every :class:`SegmentationWidget` (``brush_size``, ``width``, ...).

    Raises
    ------
    ValueError
        If no image can be opened, two images share a stem, or a mask path (or the state
        file) resolves outside ``masks_dir``.

    Examples
    --------
    >>> import seg_widget as sw
    >>> classes = ["unlabelled", "cat"]
    >>> annotator = sw.DatasetAnnotator("photos/*.jpg", "masks", classes)  # doctest: +SKIP
    >>> annotator  # navigation bar + the current image's widget  # doctest: +SKIP
    >>> annotator.widget.fill_holes()  # edit the current mask  # doctest: +SKIP
    >>> annotator.next()  # saves, then opens the next image  # doctest: +SKIP
    >>> annotator.export_coco("cats.json")  # doctest: +SKIP

    """

    def __init__(
        self,
        images: Any,
        masks_dir: str | os.PathLike,
        classes: Sequence[str | LabelClass],
        *,
        autosave_seconds: float | None = 30.0,
        mask_format: str = ".png",
        **widget_kwargs: Any,
    ) -> None:
        super().__init__()
        self._classes = normalize_classes(classes)
        self._autosave = Autosave(self.save, autosave_seconds, on_error=self._autosave_failed)
        self._widget_kwargs = widget_kwargs
        self._widget: SegmentationWidget | None = None
        self._position = -1
        self._problems: dict[int, str] = {}
        self._messages: list[str] = []
        self._saved_edit_count = 0
        self._saved_objects: tuple = ()
        self._version = SavedVersion()
        self._beside_path: str | None = None
        self._failure_message: str | None = None
        self._updating_controls = False

        with scan_progress() as progress:
            self._dataset = DatasetIndex(
                images, masks_dir, mask_format=mask_format, progress=progress
            )
        self._nav = NavigationBar()
        for path, reason in self._dataset.skipped.items():
            self._show_warning(f"skipped {os.path.basename(path)}: {reason}", emit=False)
        self._nav.previous.on_click(lambda _: self._from_control(self.previous))
        self._nav.next.on_click(lambda _: self._from_control(self.next))
        self._nav.jump.observe(self._on_jump, "value")
        self._nav.only_unlabelled.observe(lambda _: self._update_controls(), "value")
        try:
            self._open_first(self._dataset.resume_position() or 0)
        except BaseException:
            self._nav.close()
            raise
        self.add_class("seg-dataset-annotator")

    # -- what is open ------------------------------------------------------------------------

    def __len__(self) -> int:
        return len(self._dataset)

    @property
    def index(self) -> int:
        """Position (0-based) of the current image in :attr:`images`."""
        return self._position

    @property
    def current_path(self) -> str:
        """Absolute path of the current image."""
        return self._dataset[self._position].path

    @property
    def mask_path(self) -> str:
        """Absolute path of the current image's mask file (it may not exist yet)."""
        return self._dataset[self._position].mask_path

    @property
    def widget(self) -> SegmentationWidget:
        """The :class:`SegmentationWidget` of the current image (a new one per image)."""
        assert self._widget is not None
        return self._widget

    @property
    def images(self) -> tuple[str, ...]:
        """Absolute paths of the images, in navigation order (skipped ones excluded)."""
        return tuple(self._dataset[i].path for i in range(len(self._dataset)))

    @property
    def classes(self) -> tuple[LabelClass, ...]:
        """The label classes, colours resolved."""
        return self._classes

    @property
    def masks_dir(self) -> str:
        """Absolute path of the masks folder."""
        return self._dataset.masks_dir

    @property
    def labelled_count(self) -> int:
        """Images whose saved mask has a non-zero pixel (the current one counts once saved)."""
        return self._dataset.labelled_count

    @property
    def skipped(self) -> dict[str, str]:
        """Images left out because they could not be read: ``{path: reason}``."""
        return dict(self._dataset.skipped)

    @property
    def messages(self) -> list[str]:
        """The warnings shown in the warnings area, oldest first (the newest 100)."""
        return list(self._messages)

    @property
    def only_unlabelled(self) -> bool:
        """When True, :meth:`next` and :meth:`previous` skip labelled images."""
        return self._nav.only_unlabelled.value

    @only_unlabelled.setter
    def only_unlabelled(self, value: bool) -> None:
        self._nav.only_unlabelled.value = bool(value)

    # -- moving ------------------------------------------------------------------------------

    def go_to(self, index_or_path: int | str | os.PathLike) -> None:
        """Save the current mask, then open an image: by index, path or file name.

        Raises
        ------
        ValueError
            For an index out of range or a path that is not one of the images; for an image
            that cannot be decoded or whose mask is unreadable or of another size (naming
            both sizes; also shown in the warnings area). The current image stays open.

        """
        position = self._dataset.position_of(index_or_path)
        if position == self._position:
            return
        self.save()
        self._open(position)

    def next(self) -> bool:
        """Save, then open the next image (the next unlabelled one with `only_unlabelled`).

        Images that fail to open are skipped with a warning. Returns whether it moved.
        """
        return self._step(+1)

    def previous(self) -> bool:
        """Save, then open the previous image; see :meth:`next`."""
        return self._step(-1)

    # -- saving and exporting ------------------------------------------------------------------

    def save(self, *, beside: bool = False, overwrite: bool = False) -> bool:
        """Save the current mask and objects (one atomic unit) if they changed since the last save.

        Returns whether a file was written. Raises if writing fails (the edits stay).

        Parameters
        ----------
        beside : bool
            Write to a new file in ``masks_dir/conflicts/`` instead of over the image's mask
            (``<stem>.<date-time><mask_format>``, objects beside it as ``.objects.npz``);
            later saves of this image, autosaves included, go to the same file until
            another image is opened or ``overwrite=True`` is used.
        overwrite : bool
            Replace the image's files even if they changed on disk since they were read.

        Raises
        ------
        seg_widget.io.dataset_files.ConflictError
            (a ValueError) if the mask or its objects changed on disk since this annotator
            read or wrote them, e.g. saved by another annotator on the same folder: nothing
            is written, the edits stay; save again with ``beside=True`` or
            ``overwrite=True``.

        """
        if beside and overwrite:
            raise ValueError("beside, overwrite: expected at most one of them; got both")
        widget = self.widget
        count, objects = widget.edit_count, widget.instances
        if count == self._saved_edit_count and objects == self._saved_objects:
            return False
        instance_map = widget.instance_mask if objects else None
        if beside or (self._beside_path is not None and not overwrite):
            self._beside_path = self._dataset.write_beside(
                self._position,
                widget.mask,
                self._classes,
                instance_map,
                objects,
                path=self._beside_path,
            )
            self._nav.show_status(f"saved beside: {os.path.basename(self._beside_path)}")
        else:
            self._version = self._dataset.write(
                self._position,
                widget.mask,
                self._classes,
                instance_map,
                objects,
                expected=None if overwrite else self._version,
            )
            self._beside_path = None
        self._saved_edit_count, self._saved_objects = count, objects
        self._autosave_recovered()
        self._autosave.saved()
        self._write_state()
        self._update_controls()
        return True

    def export_coco(
        self, path: str | os.PathLike, *, polygons: bool = False, include_unlabelled: bool = True
    ) -> dict:
        """Save, then write the whole dataset as one COCO JSON file (with a progress bar).

        See `seg_widget.io.dataset_export.export_coco`; returns the counts of images and
        annotations written.
        """
        self.save()
        with self._nav.progress_bar("COCO export") as progress:
            return export_coco(
                self._dataset,
                path,
                self._classes,
                polygons=polygons,
                include_unlabelled=include_unlabelled,
                progress=progress,
            )

    def export_voc(self, folder: str | os.PathLike) -> list[str]:
        """Save, then write the labelled images as a VOC-style folder (with a progress bar).

        ``JPEGImages/`` (copies, original extensions kept), ``SegmentationClass/`` (palette
        PNGs), ``ImageSets/Segmentation/default.txt``; see
        `seg_widget.io.dataset_export.export_voc`. Returns the exported image stems.
        """
        self.save()
        with self._nav.progress_bar("VOC export") as progress:
            return export_voc(self._dataset, folder, self._classes, progress=progress)

    def close(self) -> None:
        """Save the current mask, then close the widgets (if saving fails, nothing closes)."""
        self._autosave.cancel()
        if self._widget is not None:
            self.save()
            self._widget.close()
        self._nav.close()
        super().close()

    # -- opening images --------------------------------------------------------------------------

    def _open_first(self, start: int) -> None:
        count = len(self._dataset)
        for offset in range(count):
            try:
                self._open((start + offset) % count)
                return
            except ValueError:
                continue  # recorded and shown by _open
        raise ValueError(
            f"images: expected at least one image that opens; got {count} that fail: "
            + "; ".join(self._problems.values())
        )

    def _open(self, position: int) -> None:
        """Open image ``position``; on failure record it, warn, raise; the current one stays."""
        entry = self._dataset[position]
        try:
            image = load_image(entry.path)
            stored = self._dataset.read(position, self._classes)
            if stored.problem is not None:
                self._show_warning(stored.problem)
            new = SegmentationWidget(
                image,
                self._classes,
                mask=stored.mask,
                instances=stored.instance_map,
                instance_table=stored.instances if stored.instance_map is not None else None,
                **self._widget_kwargs,
            )
        except ValueError as error:
            self._problems[position] = str(error)
            self._show_warning(f"cannot open {entry.name}: {error}")
            raise
        self._problems.pop(position, None)
        old = self._widget
        if old is not None:
            for name in CARRIED_SETTINGS:
                try:
                    setattr(new, name, getattr(old, name))
                except Exception:  # e.g. a label the new widget lacks: keep its default
                    logger.debug("seg-widget: not carrying %s over", name, exc_info=True)
            old.unobserve(self._on_edit, "edit_count")
            old.close()
        self._widget = new
        self._position = position
        self._saved_edit_count, self._saved_objects = new.edit_count, new.instances
        self._version, self._beside_path = stored.version, None
        self._autosave_recovered()
        self._autosave.saved()
        new.observe(self._on_edit, "edit_count")
        self.children = [self._nav, new]
        self._nav.show_status("")
        self._write_state()
        self._update_controls()

    def _step(self, direction: int) -> bool:
        self.save()
        for position in self._candidates(direction):
            try:
                self._open(position)
                return True
            except ValueError:
                continue  # recorded, shown and warned by _open
        which = "unlabelled image" if self.only_unlabelled else "image"
        where = "after" if direction > 0 else "before"
        self._nav.show_status(f"no {which} {where} this one")
        return False

    def _candidates(self, direction: int):
        """Positions :meth:`next` / :meth:`previous` may open, nearest first."""
        stop = len(self._dataset) if direction > 0 else -1
        for position in range(self._position + direction, stop, direction):
            if position in self._problems:
                continue
            if self.only_unlabelled and self._dataset[position].labelled:
                continue
            yield position

    # -- autosave --------------------------------------------------------------------------------

    def _on_edit(self, change: dict) -> None:
        self._autosave.edited()

    def _autosave_failed(self, error: Exception) -> None:
        """Show one warning per run of failures, updated in place; log the first only."""
        name = self._dataset[self._position].name
        failures = self._autosave.failures
        text = (
            f"autosave of {name} failed ({failures} time{'s' if failures > 1 else ''}; your "
            f"edits are kept; next attempt in {self._autosave.retry_in:.0f} s or when you "
            f"save): {error}"
        )
        if self._failure_message is None:
            logger.error("seg-widget: autosave failed: %r", error)
            self._show_warning(text)
        else:
            logger.debug("seg-widget: autosave failed again: %r", error)
            self._replace_warning(self._failure_message, text)
        self._failure_message = text

    def _autosave_recovered(self) -> None:
        if self._failure_message is not None:
            name = self._dataset[self._position].name
            self._replace_warning(
                self._failure_message, f"autosave of {name} failed earlier; saved now"
            )
            self._failure_message = None

    def _write_state(self) -> None:
        try:
            self._dataset.write_state(self._position)
        except (OSError, ValueError) as error:
            self._show_warning(f"cannot write the resume state: {error}")

    # -- controls ---------------------------------------------------------------------------------

    def _update_controls(self) -> None:
        if self._widget is None:
            return
        entry = self._dataset[self._position]
        self._updating_controls = True
        try:
            self._nav.show_position(
                position=self._position,
                count=len(self._dataset),
                name=entry.name,
                is_labelled=entry.labelled,
                labelled_count=self._dataset.labelled_count,
                can_previous=next(self._candidates(-1), None) is not None,
                can_next=next(self._candidates(+1), None) is not None,
            )
        finally:
            self._updating_controls = False

    def _on_jump(self, change: dict) -> None:
        if not self._updating_controls:
            self._from_control(lambda: self.go_to(change["new"] - 1))

    def _from_control(self, action: Callable[[], Any]) -> None:
        """Run a button's action; an error is shown, never raised into ipywidgets."""
        try:
            action()
        except Exception as error:
            logger.exception("seg-widget: dataset navigation failed")
            if not any(str(error) in message for message in self._messages[-1:]):
                self._show_warning(str(error))
            self._update_controls()

    def _show_warning(self, message: str, *, emit: bool = True) -> None:
        self._messages.append(message)
        del self._messages[:-MAX_MESSAGES]
        if emit:
            warnings.warn(message, stacklevel=3)
        if hasattr(self, "_nav"):
            self._nav.show_warnings(self._messages)

    def _replace_warning(self, old: str, new: str) -> None:
        """Drop the newest ``old`` message and show ``new`` as the newest (no Python warning)."""
        for index in range(len(self._messages) - 1, -1, -1):
            if self._messages[index] == old:
                del self._messages[index]
                break
        self._show_warning(new, emit=False)


__all__ = ["DatasetAnnotator"]
