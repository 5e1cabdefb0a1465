"""A view of where two versions of one image disagree.

`DisagreementView` shows the image with the pixels where two masks differ (see
`seg_widget.core.agreement.disagreement`) in three colours: labelled only in the first
version, only in the second, or labelled with different classes in both. Buttons switch to
either version's own mask; a line above gives the figures (pixels that differ, Cohen's κ,
mean IoU). ``DatasetAnnotator.compare("bob")`` opens one for the current image.

The view is a `SegmentationWidget` (zoom, pan, opacity work as usual); nothing drawn in it
is saved anywhere.
"""

from __future__ import annotations

import html
import math
from collections.abc import Sequence
from typing import Any

import ipywidgets as widgets
import numpy as np

from ..core.agreement import ImageAgreement, compare_masks, disagreement
from ..core.classes import LabelClass, normalize_classes
from .segmentation_widget import SegmentationWidget

__all__ = ["DISAGREEMENT_COLORS", "DisagreementView"]

#: Colours of: labelled only in the first version, only in the second, different classes.
DISAGREEMENT_COLORS = ((240, 130, 0), (0, 110, 235), (220, 0, 170))


class DisagreementView(widgets.VBox):
    """The image with the pixels where ``mask_a`` and ``mask_b`` differ coloured.

    Parameters
    ----------
    image : ndarray or path
        The image both masks label.
    mask_a, mask_b : ndarray (H, W)
        Class ids of the two versions (same size as the image).
    classes : sequence of str or LabelClass
        The label classes of both masks.
    names : (str, str)
        Who made each version (shown in the buttons and the figures).
    title : str
        The image's name, shown above it.
    **widget_kwargs
        Passed to the `SegmentationWidget` (``width``, ``height``...).

    Examples
    --------
    >>> a = np.array([[1, 1], [0, 2]])
    >>> b = np.array([[1, 0], [0, 1]])
    >>> view = DisagreementView(np.zeros((2, 2)), a, b, ["u", "cat", "dog"], names=("al", "bo"))
    >>> view.counts
    {'pixels': 4, 'differ': 2, 'only al': 1, 'only bo': 0, 'different classes': 1}

    """

    def __init__(
        self,
        image: Any,
        mask_a: np.ndarray,
        mask_b: np.ndarray,
        classes: Sequence[str | LabelClass],
        *,
        names: tuple[str, str] = ("a", "b"),
        title: str = "",
        **widget_kwargs: Any,
    ) -> None:
        classes = normalize_classes(classes)
        first, second = (str(name) for name in names)
        self.names = (first, second)
        a, b = np.asarray(mask_a), np.asarray(mask_b)
        #: Every agreement figure of the two masks.
        self.agreement: ImageAgreement = compare_masks(
            a, b, n_classes=len(classes), image=title, annotators=self.names
        )
        #: Where the masks differ (bool, one per pixel).
        self.differ = disagreement(a, b)
        only_a = self.differ & (b == 0)
        only_b = self.differ & (a == 0)
        both = self.differ & ~only_a & ~only_b
        n = len(classes)
        dtype = np.uint8 if n + 3 <= 256 else np.uint16
        codes = np.zeros(a.shape, dtype)
        for offset, region in enumerate((only_a, only_b, both)):
            codes[region] = n + offset
        self._counts = {
            "pixels": int(a.size),
            "differ": int(self.differ.sum()),
            f"only {first}": int(only_a.sum()),
            f"only {second}": int(only_b.sum()),
            "different classes": int(both.sum()),
        }
        self._masks = {"differences": codes, "a": a.astype(dtype), "b": b.astype(dtype)}
        taken = {label_class.name for label_class in classes}
        extra = [
            _unique(f"only {first}", taken),
            _unique(f"only {second}", taken),
            _unique(f"{first} ≠ {second}", taken),
        ]
        view_classes = [
            *classes,
            *(
                LabelClass(name, color=color)
                for name, color in zip(extra, DISAGREEMENT_COLORS, strict=True)
            ),
        ]
        #: The image view (a `SegmentationWidget`; edits here are not saved).
        self.widget = SegmentationWidget(image, view_classes, mask=codes, **widget_kwargs)
        self.widget.tool = "pan"
        self.show = widgets.ToggleButtons(
            options=[
                ("where they differ", "differences"),
                (f"{first}'s version", "a"),
                (f"{second}'s version", "b"),
            ],
            value="differences",
        )
        self.show.observe(self._on_show, "value")
        self.summary = widgets.HTML(self._summary_html(title))
        super().__init__([self.summary, self.show, self.widget])
        self.add_class("seg-disagreement-view")

    @property
    def counts(self) -> dict[str, int]:
        """Pixels in all, pixels that differ, and how: only in one version, different classes."""
        return dict(self._counts)

    @property
    def mode(self) -> str:
        """What is shown: ``"differences"``, ``"a"`` (the first version) or ``"b"``."""
        return self.show.value

    @mode.setter
    def mode(self, value: str) -> None:
        if value not in self._masks:
            raise ValueError(f"mode: expected one of {tuple(self._masks)}; got {value!r}")
        self.show.value = value

    def close(self) -> None:
        """Close the view and its widgets."""
        for child in (self.summary, self.show, self.widget):
            child.close()
        super().close()

    def _on_show(self, change: dict) -> None:
        self.widget.mask = self._masks[change["new"]]

    def _summary_html(self, title: str) -> str:
        counts, agreement = self._counts, self.agreement
        share = counts["differ"] / counts["pixels"]
        first, second = (html.escape(name) for name in self.names)
        head = f"<b>{html.escape(title)}</b>: " if title else ""
        parts = [
            f"{head}<b>{first}</b> vs <b>{second}</b>: {counts['differ']:,} pixels differ "
            f"({share:.1%})",
            f"only {first}: {counts[f'only {self.names[0]}']:,}",
            f"only {second}: {counts[f'only {self.names[1]}']:,}",
            f"different classes: {counts['different classes']:,}",
            f"κ {_number(agreement.kappa)}",
            f"mean IoU {_number(agreement.mean_iou)}",
        ]
        return " · ".join(parts)


def _unique(name: str, taken: set[str]) -> str:
    while name in taken:
        name += " (view)"
    taken.add(name)
    return name


def _number(value: float) -> str:
    return "–" if math.isnan(value) else f"{value:.3f}"
