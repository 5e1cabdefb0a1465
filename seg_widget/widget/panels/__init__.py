"""The controls around the canvas: toolbar, class list, sliders and the side sections."""

from .assist import AssistPanel
from .classes import ClassList
from .contrast import ContrastControl
from .guard import Guard
from .layout import Panels
from .lines import MessageLine, ProposalHint, StatusText
from .objects import PAGE_SIZE, ObjectPanel
from .quality import QualityPanel
from .toolbar import Toolbar

__all__ = [
    "PAGE_SIZE",
    "AssistPanel",
    "ClassList",
    "ContrastControl",
    "Guard",
    "MessageLine",
    "ObjectPanel",
    "Panels",
    "ProposalHint",
    "QualityPanel",
    "StatusText",
    "Toolbar",
]
