"""What the overlay shows of a region: colour by class or instance, contours, show-only.

`overlay_codes` turns a region of the class mask (and instance map) into a patch of colour
codes and the RGBA table for them, ready for ``Scene.paint_overlay_patch``. Code 0 is
transparent. Hidden instances get code 0 but keep their pixels in the document.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from seg_widget.core.bbox import BBox
from seg_widget.core.checks import one_of
from seg_widget.core.classes import DEFAULT_PALETTE

#: ``color_by`` values.
COLOR_BY = ("class", "instance")
#: ``show_only`` values: everything, the selected object (instance), the selected class.
SHOW_ONLY = ("all", "object", "class")


@dataclass(frozen=True)
class OverlayStyle:
    """How labels are drawn; the default draws every class in its colour.

    Examples
    --------
    >>> OverlayStyle().is_plain
    True
    >>> OverlayStyle(contours=True).needs_neighbours
    True

    """

    #: "class": each class in its colour; "instance": each object in its own colour.
    color_by: str = "class"
    #: Draw only the outline (the pixels with a 4-neighbour of another object).
    contours: bool = False
    #: "all", "object" (only ``selected_instance``) or "class" (only ``selected_class``).
    show_only: str = "all"
    selected_instance: int = 0
    selected_class: int = 0
    #: Ids of hidden instances, not drawn.
    hidden: tuple[int, ...] = field(default=())

    def __post_init__(self) -> None:
        one_of(self.color_by, COLOR_BY, "color_by")
        one_of(self.show_only, SHOW_ONLY, "show_only")

    @property
    def is_plain(self) -> bool:
        """True if the overlay is just the class colours (the fast path)."""
        return (
            self.color_by == "class"
            and not self.contours
            and self.show_only == "all"
            and not self.hidden
        )

    @property
    def needs_neighbours(self) -> bool:
        """True if a pixel's look depends on its neighbours (redraw one pixel around edits)."""
        return self.contours


def instance_color(instance_id: int) -> tuple[int, int, int]:
    """Colour of an instance when colouring by instance: the palette, cycled by id.

    Examples
    --------
    >>> instance_color(1) == DEFAULT_PALETTE[0], instance_color(25) == instance_color(1)
    (True, True)

    """
    return DEFAULT_PALETTE[(instance_id - 1) % len(DEFAULT_PALETTE)]


def overlay_codes(
    mask: np.ndarray,
    instance_map: np.ndarray | None,
    bbox: BBox,
    style: OverlayStyle,
    class_lut: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Return the colour codes of ``bbox`` and their RGBA table under ``style``.

    Parameters
    ----------
    mask : ndarray
        The whole ``(H, W)`` class mask.
    instance_map : ndarray or None
        The whole instance map, or None (no instances).
    bbox : BBox
        Region to draw, inside the image.
    style : OverlayStyle
        What to show.
    class_lut : ndarray
        RGBA table of the class colours (see `seg_widget.render.overlay.color_lut`).

    Returns
    -------
    codes : ndarray of int64
        Array of ``bbox``'s shape; 0 is transparent.
    lut : ndarray of uint8
        ``(n, 4)`` RGBA table indexed by the codes.

    Examples
    --------
    >>> import numpy as np
    >>> from seg_widget.render.overlay import color_lut
    >>> mask = np.array([[1, 1, 0]], np.uint8)
    >>> ids = np.array([[1, 2, 0]], np.uint32)
    >>> lut = color_lut([(0, 0, 0), (255, 0, 0)])
    >>> codes, table = overlay_codes(mask, ids, BBox(0, 1, 0, 3), OverlayStyle(hidden=(2,)), lut)
    >>> codes.tolist()
    [[1, 0, 0]]

    """
    classes = mask[bbox.slices].astype(np.int64)
    ids = None if instance_map is None else instance_map[bbox.slices]
    if style.color_by == "instance" and ids is not None:
        codes, lut = _instance_codes(classes, ids, class_lut)
    else:
        codes, lut = classes, class_lut
    hide = np.zeros(codes.shape, bool)
    if ids is not None and style.hidden:
        hide |= np.isin(ids, np.asarray(style.hidden, ids.dtype))
    if style.show_only == "object":
        # Only the active object; with none active, nothing.
        hide |= (
            True if ids is None or not style.selected_instance else ids != style.selected_instance
        )
    elif style.show_only == "class":
        hide |= classes != style.selected_class
    if style.contours:
        hide |= ~_edges(mask, instance_map, bbox)
    codes[hide] = 0
    return codes, lut


def _instance_codes(
    classes: np.ndarray, ids: np.ndarray, class_lut: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Codes: the class for pixels without an instance, else its palette colour's row.

    Instance colours cycle through the palette by id (`instance_color`), so the table is
    the class colours followed by the palette, and a patch needs no search of its ids.
    """
    n_classes = class_lut.shape[0]
    palette = np.empty((len(DEFAULT_PALETTE), 4), np.uint8)
    palette[:, :3] = DEFAULT_PALETTE
    palette[:, 3] = 255
    cycled = (ids.astype(np.int64) - 1) % len(DEFAULT_PALETTE) + n_classes
    codes = np.where(ids != 0, cycled, classes)
    return codes, np.vstack([class_lut, palette])


def _edges(mask: np.ndarray, instance_map: np.ndarray | None, bbox: BBox) -> np.ndarray:
    """Return True where a pixel of ``bbox`` has a 4-neighbour of another object or the edge.

    An object is an instance, or for pixels without one, the connected pixels of a class.
    """
    height, width = mask.shape
    grown = BBox(
        max(bbox.row0 - 1, 0),
        min(bbox.row1 + 1, height),
        max(bbox.col0 - 1, 0),
        min(bbox.col1 + 1, width),
    )
    keys = mask[grown.slices].astype(np.int64)
    if instance_map is not None:
        ids = instance_map[grown.slices].astype(np.int64)
        keys = np.where(ids != 0, -ids, keys)  # instances and classes never share a key
    # Outside the image counts as another object, so objects at the border are closed.
    padded = np.pad(keys, 1, constant_values=np.iinfo(np.int64).min)
    centre = padded[1:-1, 1:-1]
    edge = (
        (padded[:-2, 1:-1] != centre)
        | (padded[2:, 1:-1] != centre)
        | (padded[1:-1, :-2] != centre)
        | (padded[1:-1, 2:] != centre)
    )
    # The grown ring was only there as neighbours: crop it off.
    top, left = bbox.row0 - grown.row0, bbox.col0 - grown.col0
    return edge[top : top + bbox.height, left : left + bbox.width]
