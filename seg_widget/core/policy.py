"""Paint policies: which pixels a brush, fill or outline is allowed to change."""

from __future__ import annotations

from numbers import Integral

from seg_widget.core.checks import one_of

#: ``"overwrite"`` changes every pixel of the footprint; ``"preserve"`` changes only unlabelled
#: pixels (the eraser: only the selected class), so neighbouring objects share exact borders.
PAINT_MODES: tuple[str, ...] = ("overwrite", "preserve")


def validate_paint_mode(mode: object) -> str:
    """Return ``mode`` if it is one of `PAINT_MODES`.

    Raises
    ------
    ValueError
        For any other value; the message lists the valid modes.

    Examples
    --------
    >>> validate_paint_mode("preserve")
    'preserve'

    """
    return one_of(mode, PAINT_MODES, "paint_mode")


def brush_rule(*, erase: bool, label: int, paint_mode: str) -> tuple[int, int | None]:
    """Return ``(new_value, only_where)`` for a stroke of class ``label``.

    Pixels of the footprint are set to ``new_value``; if ``only_where`` is not None, only
    those whose current value equals it:

    ========= ============ =====================================================
    erase     paint_mode   result
    ========= ============ =====================================================
    False     overwrite    ``(label, None)``: every pixel becomes ``label``
    False     preserve     ``(label, 0)``: only unlabelled pixels change
    True      overwrite    ``(0, None)``: every pixel becomes unlabelled
    True      preserve     ``(0, label)``: only pixels of ``label`` are erased
    ========= ============ =====================================================

    Examples
    --------
    >>> brush_rule(erase=False, label=2, paint_mode="preserve")
    (2, 0)
    >>> brush_rule(erase=True, label=2, paint_mode="preserve")
    (0, 2)

    """
    validate_paint_mode(paint_mode)
    if isinstance(label, bool) or not isinstance(label, Integral):
        raise TypeError(f"label: expected a class id (int); got {type(label).__name__}")
    if label < 0:
        raise ValueError(f"label: expected a class id >= 0; got {label}")
    label = int(label)
    preserve = paint_mode == "preserve"
    if erase:
        return (0, label if preserve else None)
    return (label, 0 if preserve else None)
