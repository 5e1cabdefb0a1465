"""Helpers shared by the document property tests."""

from seg_widget.core.document import LabelDocument


def undo_everything(document: LabelDocument) -> None:
    """Undo every recorded step."""
    while document.can_undo:
        document.undo()


def redo_everything(document: LabelDocument) -> None:
    """Redo every undone step."""
    while document.can_redo:
        document.redo()
