"""How the widget reports what fails inside an event handler or a control's action.

Nothing raised there may reach ipycanvas or ipywidgets (it would vanish into the browser
console). Two kinds of failure:

- *expected* ones, ``ValueError`` or ``TypeError``: the public API's refusals of an
  ordinary mistake (M with class 0 selected, Enter with scribbles of one class, merging a
  locked object). The message line says it; the log gets it at debug level, so nothing is
  printed.
- anything else is a bug: the message line says it and the log keeps the traceback.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

logger = logging.getLogger("seg_widget")

#: What the public API raises for an ordinary mistake: shown, not logged as a bug.
EXPECTED_ERRORS: tuple[type[Exception], ...] = (ValueError, TypeError)


def report_failure(error: Exception, what: str, report: Callable[[str], None]) -> None:
    """Say that ``what`` failed with ``error`` through ``report``; log bugs with a traceback."""
    if isinstance(error, EXPECTED_ERRORS):
        logger.debug("seg-widget: %s refused: %s", what, error, exc_info=True)
        report(str(error.args[0]) if error.args else str(error))
    else:
        logger.error("seg-widget: %s failed", what, exc_info=error)
        report(f"{what} failed: {error!r}")


__all__ = ["EXPECTED_ERRORS", "report_failure"]
