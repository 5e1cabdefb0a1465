"""`DatasetAnnotator`: label, or fix the masks of, a folder of images, one image at a time.

The annotator is a facade over collaborators: a `Navigator` (`dataset_navigation`: the open
image and its widget, Previous / Next), a session (`dataset_sessions`: how masks are read and
saved: `FolderSession` for one annotator on a folder or bucket, `TeamSession` for a team,
with its `TeamBar`), an `Autosave` timer, the navigation bar with its warnings log, and
`DatasetModels` (`dataset_models`: a prompt model prepared ahead, pre-annotation).

- **On move**: the current mask is saved before another image opens. If that save fails,
  the move does not happen (the edits stay in the widget) and the error is raised.
- **While editing** (see `seg_widget.widget.autosave`): after an edit, if
  ``autosave_seconds`` have passed since the last save, the work is saved at once; in a
  Jupyter kernel also when editing pauses for 2 s. A failed autosave keeps the edits, shows
  one warning (updated while it keeps failing) and backs off (1 s, 2 s, 4 s ... up to a
  minute). In team mode an autosave overwrites the annotator's *draft* of the image;
  versions are made on moving, `save` and `mark_done`.
- **Next and Previous stay quick:** while an image is open, its neighbours are decoded in a
  background thread (`seg_widget.widget.prefetch`), and the new image is shown before the
  old widget is closed.
- :meth:`DatasetAnnotator.save` does nothing when nothing changed since the last save.
- **Two sessions saving one image:** a save over a mask that changed since this annotator
  read or wrote it raises `seg_widget.io.dataset_files.ConflictError` and keeps the edits:
  ``save(beside=True)`` writes them to ``masks_dir/conflicts/``, ``save(overwrite=True)``
  replaces the other version. In team mode both versions are kept
  (`seg_widget.io.team.TeamConflictError`): `keep_mine` or `load_theirs` resolves it.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Sequence
from typing import Any

import ipywidgets as widgets

from ..core.agreement import AgreementReport
from ..core.classes import LabelClass, normalize_classes
from ..core.model_session import DEFAULT_MAX_BYTES, ModelSession
from ..io.dataset_export import export_coco, export_voc, export_yolo_dataset
from ..io.pre_annotation import PreAnnotation
from ..io.team import DEFAULT_LEASE_SECONDS, ClaimTakenError, ReviewStatus
from ..io.team.claims import LONGEST_LEASE_SECONDS
from . import arguments
from .autosave import Autosave
from .closing import close_tree
from .dataset_controls import NavigationBar, WarningsLog, scan_progress
from .dataset_models import DEFAULT_AHEAD, DatasetModels
from .dataset_navigation import Navigator, check_widget_kwargs
from .dataset_sessions import open_session
from .disagreement import DisagreementView
from .segmentation_widget import SegmentationWidget
from .team_session import TeamSession

logger = logging.getLogger("seg_widget")


class DatasetAnnotator(widgets.VBox):
    """Go through a folder of images, labelling or fixing one mask after the other.

    Parameters
    ----------
    images : str, os.PathLike or sequence of paths
        A glob pattern (``"data/*.jpg"``), a folder (its image files) or a list of paths;
        or URLs of an fsspec store (``"s3://bucket/images/*.jpg"``, ``"gs://bucket/images"``).
        Hidden files and ``*.tmp`` files are ignored; unreadable images are skipped with a
        warning.
    masks_dir : str or os.PathLike
        Folder of the masks (created if missing), or a store URL (``"s3://bucket/masks"``,
        ``"file:///data/masks"``): ``<image stem><mask_format>`` each, plus the resume
        state. Existing masks are loaded. In team mode: the team's shared store.
    classes : sequence of str or LabelClass
        The label classes; the index is the class id.
    autosave_seconds : float or None
        Save at most this often while editing (see the module docstring); ``None`` or
        ``math.inf``: only when moving to another image or calling :meth:`save`.
    mask_format : {".png", ".npy", ".npz"}
        Format of the mask files.
    storage_options : dict, optional
        Passed to fsspec for URLs: for S3 e.g. ``endpoint_url``, ``key``, ``secret``,
        ``profile``.
    annotator : str, optional
        Team mode, as this annotator (1-64 letters, digits or ``._@+-``): every opened image
        is claimed, every save is a new version, images can be reviewed. Needs a store with
        conditional writes (a local folder or S3).
    reviewer : bool
        Team mode: also show Accept / Reject (with a note).
    lease_seconds : float
        Team mode: how long a claim lasts without renewal (renewed while you edit).
    prompt_model : object, optional
        A model for the prompt tool of every image (see :meth:`use_model`).
    **widget_kwargs
        Passed to every :class:`SegmentationWidget` (``brush_size``, ``width``, ...).

    Raises
    ------
    ValueError
        If no image can be opened, two images share a stem, or a mask path (or the state
        file) resolves outside ``masks_dir``.
    seg_widget.io.storage.StoreError
        For a store that does not answer, refuses or lacks credentials, or (team mode)
        offers no conditional writes (`ConditionalWritesError`, a ValueError).

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
        storage_options: dict | None = None,
        annotator: str | None = None,
        reviewer: bool = False,
        lease_seconds: float = DEFAULT_LEASE_SECONDS,
        prompt_model: Any = None,
        **widget_kwargs: Any,
    ) -> None:
        # Everything that can reject the input runs before this widget exists (the box is
        # made last), and what was made is closed again, so bad input gives only the error.
        self._classes = normalize_classes(classes)
        arguments.number(lease_seconds, "lease_seconds", 1, LONGEST_LEASE_SECONDS)
        check_widget_kwargs(self._classes, widget_kwargs)
        self._autosave = Autosave(self._autosave_now, autosave_seconds, on_error=self._failed)
        self._widget_kwargs = widget_kwargs
        self._updating_controls = False
        self._ready = False  # the box exists (children can be shown)
        self._nav = NavigationBar()
        self._log = WarningsLog(self._nav)
        try:
            self._open(
                images, masks_dir, mask_format, storage_options, annotator, reviewer, lease_seconds
            )
            self._start(prompt_model)
        except BaseException:
            self._nav.close()
            raise
        bar = [self._bar] if self._bar is not None else []
        super().__init__([self._nav, *bar, self.widget])
        self._ready = True
        self.add_class("seg-dataset-annotator")

    def _open(
        self,
        images: Any,
        masks_dir: str | os.PathLike,
        mask_format: str,
        storage_options: dict | None,
        annotator: str | None,
        reviewer: bool,
        lease_seconds: float,
    ) -> None:
        """Open the session (the constructor's work; on failure nothing of it stays open)."""
        with scan_progress() as progress:
            self._session, self._bar = open_session(
                images,
                masks_dir,
                self._classes,
                mask_format=mask_format,
                storage_options=storage_options,
                annotator=annotator,
                reviewer=reviewer,
                lease_seconds=lease_seconds,
                progress=progress,
                show_status=self._nav.show_status,
                show_warning=self._log.warn,
            )

    def _start(self, prompt_model: Any) -> None:
        """Wire the collaborators and open the first image that opens (the constructor's).

        On failure the session, the team bar and what was started here are closed again.
        """
        self._dataset = self._session.dataset
        self._models = self._navigator = None
        try:
            self._models = DatasetModels(
                self._dataset, self._classes, self._nav, warn=self._log.warn
            )
            self._navigator = Navigator(
                self._session,
                self._classes,
                self._widget_kwargs,
                log=self._log,
                nav=self._nav,
                on_opened=self._opened,
            )
            for path, reason in self._dataset.skipped.items():
                self._log.warn(f"skipped {os.path.basename(path)}: {reason}", emit=False)
            self._nav.previous.on_click(lambda _: self._from_control(self.previous))
            self._nav.next.on_click(lambda _: self._from_control(self.next))
            self._nav.jump.observe(self._on_jump, "value")
            self._nav.only_unlabelled.observe(lambda _: self._update_controls(), "value")
            if self._bar is not None:
                self._connect_team_bar()
            self._models.use_model(prompt_model)
            self._navigator.open_first(self._dataset.resume_position() or 0)
        except BaseException:
            for part in (self._navigator, self._models, self._session, self._bar):
                if part is not None:
                    part.close()
            raise

    # -- what is open ------------------------------------------------------------------------

    def __len__(self) -> int:
        return len(self._dataset)

    @property
    def index(self) -> int:
        """Position (0-based) of the current image in :attr:`images`."""
        return self._navigator.position

    @property
    def current_path(self) -> str:
        """Absolute path (or URL) of the current image."""
        return self._dataset[self.index].path

    @property
    def mask_path(self) -> str:
        """Path or URL of the current image's mask (team mode: of its current-version pointer)."""
        return self._dataset[self.index].mask_path

    @property
    def widget(self) -> SegmentationWidget:
        """The :class:`SegmentationWidget` of the current image (a new one per image)."""
        assert self._navigator.widget is not None
        return self._navigator.widget

    @property
    def images(self) -> tuple[str, ...]:
        """Absolute paths (or URLs) of the images, in navigation order (skipped excluded)."""
        return tuple(self._dataset[i].path for i in range(len(self._dataset)))

    @property
    def classes(self) -> tuple[LabelClass, ...]:
        """The label classes, colours resolved."""
        return self._classes

    @property
    def masks_dir(self) -> str:
        """Absolute path of the masks folder (or the store's URL)."""
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
        return list(self._log.messages)

    @property
    def only_unlabelled(self) -> bool:
        """When True, :meth:`next` and :meth:`previous` skip labelled images."""
        return self.filter == "unlabelled"

    @only_unlabelled.setter
    def only_unlabelled(self, value: bool) -> None:
        value = arguments.flag(value, "only_unlabelled")
        self.filter = "unlabelled" if value else "all"

    @property
    def filter(self) -> str:
        """Which images :meth:`next` and :meth:`previous` open.

        ``"all"`` or ``"unlabelled"``; in team mode also ``"rejected for me"``,
        ``"awaiting review"`` (marked done) and ``"accepted"``.
        """
        if self._bar is not None:
            return self._bar.filter.value
        return "unlabelled" if self._nav.only_unlabelled.value else "all"

    @filter.setter
    def filter(self, value: str) -> None:
        if value not in self._session.filters:
            raise ValueError(f"filter: expected one of {self._session.filters}; got {value!r}")
        if self._bar is not None:
            self._bar.filter.value = value
        else:
            self._nav.only_unlabelled.value = value == "unlabelled"

    @property
    def annotator(self) -> str | None:
        """Who works in this session (team mode), else None."""
        return self._team.annotator if isinstance(self._session, TeamSession) else None

    # -- moving ------------------------------------------------------------------------------

    def go_to(self, index_or_path: int | str | os.PathLike) -> None:
        """Save the current mask, then open an image: by index, path or file name.

        Raises
        ------
        ValueError
            For an index out of range or a path that is not one of the images; for an image
            that cannot be decoded or whose mask is unreadable or of another size (naming
            both sizes; also shown in the warnings area). The current image stays open.
        seg_widget.io.team.ClaimTakenError
            In team mode, for an image someone else is working on (who, until when).

        """
        position = self._dataset.position_of(index_or_path)
        if position == self.index:
            return
        self.save()
        self._session.rescan()
        try:
            self._navigator.open(position)
        except ClaimTakenError as error:
            self._nav.show_status(str(error))
            raise

    def next(self) -> bool:
        """Save, then open the next image (that passes :attr:`filter`).

        Images that fail to open are skipped with a warning; in team mode images others are
        working on are skipped too (the status says who has them until when). Returns
        whether it moved.
        """
        return self._step(+1)

    def previous(self) -> bool:
        """Save, then open the previous image; see :meth:`next`."""
        return self._step(-1)

    # -- saving and exporting ------------------------------------------------------------------

    def save(self, *, beside: bool = False, overwrite: bool = False) -> bool:
        """Save the current mask and objects (one atomic unit) if they changed since the last save.

        Returns whether anything was written. Raises if writing fails (the edits stay). In
        team mode every save is a new version.

        Parameters
        ----------
        beside : bool
            Write to a new file in ``masks_dir/conflicts/`` instead of over the image's mask
            (``<stem>.<date-time><mask_format>``, objects beside it as ``.objects.npz``);
            later saves of this image, autosaves included, go to the same file until
            another image is opened or ``overwrite=True`` is used. Not in team mode.
        overwrite : bool
            Replace the image's files even if they changed since they were read; in team
            mode make this version current even if someone else saved since.

        Raises
        ------
        seg_widget.io.dataset_files.ConflictError
            (a ValueError) if the mask or its objects changed since this annotator read or
            wrote them, e.g. saved by another annotator: nothing is written, the edits stay;
            save again with ``beside=True`` or ``overwrite=True``. In team mode a
            `TeamConflictError`: both versions are kept; see :meth:`keep_mine`.

        """
        beside, overwrite = arguments.flag(beside, "beside"), arguments.flag(overwrite, "overwrite")
        if beside and overwrite:
            raise ValueError("beside, overwrite: expected at most one of them; got both")
        if not self._session.save(self.widget, beside=beside, overwrite=overwrite):
            return False
        self._saved()
        return True

    def export_coco(
        self, path: str | os.PathLike, *, polygons: bool = False, include_unlabelled: bool = True
    ) -> dict:
        """Save, then write the whole dataset as one COCO JSON file (with a progress bar).

        See `seg_widget.io.dataset_export.export_coco`; returns the counts of images and
        annotations written. In team mode: every image's current version.
        """
        arguments.path_like(path, "path")
        polygons = arguments.flag(polygons, "polygons")
        include_unlabelled = arguments.flag(include_unlabelled, "include_unlabelled")
        self._before_export()
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
        arguments.path_like(folder, "folder")
        self._before_export()
        with self._nav.progress_bar("VOC export") as progress:
            return export_voc(self._dataset, folder, self._classes, progress=progress)

    def export_yolo(self, folder: str | os.PathLike) -> list[str]:
        """Save, then write the labelled images as a YOLO segmentation dataset.

        See `seg_widget.io.yolo.export_yolo` (images copied, one label file per image,
        ``data.yaml``; what polygons lose). Returns the exported image stems. Only human
        masks are exported: an image whose model prediction (:meth:`pre_annotate`) no one
        has accepted is left out, like an unlabelled one (one accepted in the open image
        counts: the export saves first). In team mode: every image's current version.
        """
        arguments.path_like(folder, "folder")
        self._before_export()
        with self._nav.progress_bar("YOLO export") as progress:
            return export_yolo_dataset(self._dataset, folder, self._classes, progress=progress)

    def close(self) -> None:
        """Save the current mask, then close the widgets (if saving fails, nothing closes).

        In team mode the claims of this session are released.
        """
        if not getattr(self, "_ready", False):
            return  # the constructor failed: it closed what it had made
        self._autosave.cancel()
        if self._navigator.widget is not None:
            self.save()
            self._navigator.widget.close()
        self._navigator.close()
        self._models.close()
        self._session.close()
        self._nav.close()
        if self._bar is not None:
            self._bar.close()
        close_tree(self, close_root=super().close)

    # -- team mode ---------------------------------------------------------------------------------

    @property
    def conflict(self) -> str | None:
        """Team mode: the current image's unresolved save conflict, in a sentence (or None)."""
        return self._team.conflict if isinstance(self._session, TeamSession) else None

    @property
    def review(self) -> ReviewStatus | None:
        """Team mode: the current image's review status, read now (None: none, or no team)."""
        if not isinstance(self._session, TeamSession):
            return None
        dataset = self._session.dataset
        return dataset.reviews.status(dataset.stems[self.index])

    def keep_mine(self) -> None:
        """Team mode, after a conflict: make your version current (theirs stays in the history)."""
        self._require_conflict("keep_mine")
        self.save(overwrite=True)

    def load_theirs(self) -> None:
        """Team mode, after a conflict: open the current version (yours stays in the history)."""
        self._require_conflict("load_theirs")
        self._team.drop_edits()
        self._navigator.open(self.index, reload=True)

    def mark_done(self, note: str = "") -> None:
        """Team mode: save, mark the current image done (ready for review), open the next.

        The next image is the next one :attr:`filter` lets through that nobody else works
        on; if there is none, the current image stays open and its claim is released (an
        edit claims it again).
        """
        self._review("done", note)

    def accept(self, note: str = "") -> None:
        """Reviewer: save any edits, accept the current image, open the next (see `mark_done`)."""
        self._review("accept", note)

    def reject(self, note: str) -> None:
        """Reviewer: save any edits, reject the current image (``note``: what to fix), move on."""
        self._review("reject", note)

    def compare(self, other: str, *, against: str | None = None) -> DisagreementView:
        """Team mode: show where ``other``'s latest version of this image differs.

        From the open edits, or from ``against``'s latest version. The view is shown under
        the team bar and returned. (A model's prediction against the human mask:
        :meth:`show_prediction_disagreement`.)
        """
        view = self._team.compare(self.widget, other, against, **self._widget_kwargs)
        self._bar.show_panel(view)
        return view

    def agreement_report(self) -> AgreementReport:
        """Team mode: agreement of every pair of annotators, image by image (shown too)."""
        report = self._team.report()
        self._bar.show_panel(widgets.HTML(report.to_html()))
        return report

    def repair(self, index_or_path: int | str | os.PathLike) -> list[str]:
        """Team mode: set an image's unreadable records aside (under ``corrupt/``).

        Its lease, review status and current-version pointer are each checked; an
        unreadable one is copied under ``corrupt/`` first and replaced (the image is freed,
        its status cleared, its pointer rebuilt from the newest stored version). Returns the
        keys of the copies.
        """
        team = self._team
        position = self._dataset.position_of(index_or_path)
        copies = team.repair(position)
        self._navigator.problems.pop(position, None)
        self._update_controls()
        return copies

    # -- models in the loop ---------------------------------------------------------------------

    def use_model(
        self,
        model: Any,
        *,
        max_bytes: int = DEFAULT_MAX_BYTES,
        ahead: int = DEFAULT_AHEAD,
        threshold: float = 0.5,
    ) -> ModelSession | None:
        """Answer the prompt tool of every image with ``model``; return its session.

        One :class:`ModelSession` for the folder: each image is prepared (the encoder) once,
        in a background thread, when it opens, and the ``ahead`` next images (in the
        direction of the last move) are prepared while you work; states are cached up to
        ``max_bytes``. ``model``: see :meth:`SegmentationWidget.use_model`; None stops.
        """
        session = self._models.use_model(
            model, max_bytes=max_bytes, ahead=ahead, threshold=threshold
        )
        if session is None:
            self.widget.use_model(None)
        else:
            self._models.attach(self.index, self.widget, self._upcoming)
        return session

    @property
    def model_session(self) -> ModelSession | None:
        """The session of :meth:`use_model` (its ``cache``, ``activity``), or None."""
        return self._models.session

    @property
    def predicted_count(self) -> int:
        """Images with a model's prediction and no human labels (see :meth:`pre_annotate`)."""
        return self._models.predicted_count

    def pre_annotate(
        self,
        model: Any,
        *,
        overwrite: bool = False,
        prompt: Any = None,
        label: int | None = None,
        threshold: float = 0.5,
    ) -> PreAnnotation:
        """Predict a mask for every image without human labels, with a progress bar.

        Predictions are stored apart from the human masks, in ``masks_dir/predicted/``
        (see `seg_widget.io.predicted_masks`; a local ``masks_dir`` only): they are not
        labels, and not exported, until a human accepts and saves them. Opening a predicted
        image shows its prediction as a proposal: Enter accepts it (then edit as usual; the
        save makes it human-checked), Escape rejects it.

        Parameters
        ----------
        model : callable or prompt model
            ``f(image)`` returning class ids ``(H, W)`` (or a bool mask / probabilities,
            taken as class ``label``); with ``prompt``, a prompt model or ``f(image, prompt)``.
        overwrite : bool
            Predict again the images predicted before (never those a human labelled).
        prompt : Prompt or callable, optional
            For a prompt model: the prompt, or ``prompt(image) -> Prompt``.
        label : int, optional
            The class of bool / probability answers; default: the selected class.
        threshold : float
            Probability from which a pixel is in.

        Returns
        -------
        PreAnnotation
            What was predicted and what failed (a failing image is skipped and named in
            the warnings; the run goes on).

        Raises
        ------
        ValueError
            For a ``masks_dir`` in a store or team mode, or a model that is none of the above.

        Notes
        -----
        Interrupt it (the kernel's stop button, Ctrl+C) at any time: the images done so
        far are kept, KeyboardInterrupt propagates, and calling it again resumes with the
        rest.

        """
        overwrite = arguments.flag(overwrite, "overwrite")
        if arguments.number(threshold, "threshold", 0, 1) == 0:
            raise ValueError("threshold: expected a number in (0, 1]; got 0")
        self.save()
        try:
            return self._models.pre_annotate(
                model,
                self.index,
                self.widget,
                prompt=prompt,
                label=self.widget.label if label is None else label,
                overwrite=overwrite,
                threshold=threshold,
            )
        finally:
            self._update_controls()

    def show_prediction_disagreement(self) -> int:
        """Model vs human: propose the current image's prediction where it differs from the mask.

        Accepting (Enter) takes the model's labels there, Escape keeps yours. Returns the
        number of differing pixels. Raises ValueError if the image has no prediction. (For
        one annotator against another, team mode has :meth:`compare`.)
        """
        return self._models.show_disagreement(self.index, self.widget)

    def prediction_agreement(self) -> AgreementReport:
        """Model vs human: save, then compare each prediction with its image's human mask.

        One row per labelled image with a prediction (annotators ``"model"`` and
        ``"human"``): Cohen's κ, IoU and Dice per class; shows as a table in a notebook.
        (Annotators among themselves: :meth:`agreement_report`, team mode.)
        """
        self.save()
        return self._models.agreement()

    # -- moving and saving (private) --------------------------------------------------------------

    def _step(self, direction: int) -> bool:
        self.save()
        self._session.rescan()
        moved = self._navigator.step(direction, self.filter)
        if not moved:
            self._update_controls()
        return moved

    def _opened(self, new: SegmentationWidget, old: SegmentationWidget | None) -> None:
        """Wire the autosave to the widget of the image just opened (the navigator calls it)."""
        if old is not None:
            old.unobserve(self._on_edit, "edit_count")
        new.observe(self._on_edit, "edit_count")
        if self._ready:  # the constructor shows its first widget itself
            self.children = [self._nav, *([self._bar] if self._bar is not None else []), new]
        self._log.recovered(self._dataset[self.index].name)
        self._autosave.saved()
        self._models.opened(self.index, new, self._upcoming)
        self._write_state()
        self._update_controls()

    def _upcoming(self, direction: int):
        return self._navigator.candidates(direction, self.filter)

    def _on_edit(self, change: dict) -> None:
        self._session.edited()
        self._autosave.edited()

    def _autosave_now(self) -> None:
        if self._session.autosave(self.widget):
            self._saved()

    def _saved(self) -> None:
        self._log.recovered(self._dataset[self.index].name)
        self._autosave.saved()
        self._write_state()
        self._update_controls()

    def _failed(self, error: Exception) -> None:
        self._log.autosave_failed(self._dataset[self.index].name, self._autosave, error)

    def _before_export(self) -> None:
        self.save()
        self._session.rescan()  # team mode: what others saved counts too

    def _write_state(self) -> None:
        try:
            self._dataset.write_state(self.index)
        except (OSError, ValueError) as error:
            self._log.warn(f"cannot write the resume state: {error}")

    def _review(self, action: str, note: str) -> None:
        team = self._team
        if action != "done" and not team.reviewer:
            raise ValueError(
                f"{action}: expected a reviewer's session (DatasetAnnotator(..., annotator=..., "
                "reviewer=True)); this one is not"
            )
        self.save()
        done = team.review(action, note)
        if not self._step(+1):
            team.release_current()  # finished with it: others (a reviewer) may open it
        moved = self._nav.status_text
        self._nav.show_status(f"{done}; {moved}" if moved else done)

    def _require_conflict(self, action: str) -> None:
        if self._team.conflict is None:
            raise ValueError(f"{action}: expected a save conflict to resolve; there is none")

    @property
    def _team(self) -> TeamSession:
        if not isinstance(self._session, TeamSession):
            raise ValueError(
                "annotator: expected team mode for this (DatasetAnnotator(..., "
                "annotator='<your name>')); this annotator has none"
            )
        return self._session

    # -- controls ---------------------------------------------------------------------------------

    def _connect_team_bar(self) -> None:
        bar = self._bar
        self._nav.only_unlabelled.layout.display = "none"  # the team bar's filter replaces it
        bar.filter.observe(lambda _: self._update_controls(), "value")
        bar.done.on_click(lambda _: self._from_control(self.mark_done))
        bar.accept.on_click(lambda _: self._from_control(lambda: self._note_action(self.accept)))
        bar.reject.on_click(lambda _: self._from_control(lambda: self._note_action(self.reject)))
        bar.keep_mine.on_click(lambda _: self._from_control(self.keep_mine))
        bar.load_theirs.on_click(lambda _: self._from_control(self.load_theirs))
        bar.compare.on_click(
            lambda _: self._from_control(lambda: self.compare(bar.compare_with.value))
        )
        bar.report.on_click(lambda _: self._from_control(self.agreement_report))

    def _note_action(self, action: Any) -> None:
        action(self._bar.note.value)
        self._bar.note.value = ""

    def _update_controls(self) -> None:
        if self._navigator.widget is None:
            return
        entry = self._dataset[self.index]
        self._updating_controls = True
        try:
            self._nav.show_position(
                position=self.index,
                count=len(self._dataset),
                name=entry.name,
                is_labelled=entry.labelled,
                labelled_count=self._dataset.labelled_count,
                predicted_count=self._models.predicted_count,
                is_predicted=self._models.is_predicted(self.index),
                can_previous=next(self._navigator.candidates(-1, self.filter), None) is not None,
                can_next=next(self._navigator.candidates(+1, self.filter), None) is not None,
            )
        finally:
            self._updating_controls = False

    def _on_jump(self, change: dict) -> None:
        if not self._updating_controls:
            self._from_control(lambda: self.go_to(change["new"] - 1))

    def _from_control(self, action: Any) -> None:
        """Run a button's action; an error is shown, never raised into ipywidgets."""
        try:
            action()
        except Exception as error:
            logger.exception("seg-widget: dataset action failed")
            if not any(str(error) in message for message in self._log.messages[-1:]):
                self._log.warn(str(error))
            self._update_controls()


__all__ = ["DatasetAnnotator"]
