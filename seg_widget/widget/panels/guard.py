"""One error guard for every button and control of the panels.

A control's action runs through `Guard.run`: nothing it raises reaches ipywidgets (where it
would vanish into the browser console). Expected refusals (``ValueError``, ``TypeError``,
``KeyError``: a locked object, nothing selected) are shown as messages; anything else is
shown too and logged with its traceback.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

logger = logging.getLogger("seg_widget")

#: Errors a user's click can cause on purpose-built checks: shown, not logged as bugs.
EXPECTED_ERRORS = (ValueError, TypeError, KeyError)


class Guard:
    """Run control actions; report what fails through ``report(message)``."""

    def __init__(self, report: Callable[[str], None]) -> None:
        self._report = report

    def run(self, action: Callable[..., Any], *args: Any) -> bool:
        """Run ``action(*args)``; return whether it succeeded."""
        try:
            action(*args)
        except EXPECTED_ERRORS as error:
            self._report(str(error.args[0]) if error.args else str(error))
            return False
        except Exception as error:
            logger.exception("seg-widget: %s failed", getattr(action, "__name__", action))
            self._report(f"{error!r}")
            return False
        return True

    def on_click(self, action: Callable[[], Any]) -> Callable[[Any], None]:
        """Return a ``Button.on_click`` callback running ``action()`` guarded."""
        return lambda _button: self.run(action)


__all__ = ["EXPECTED_ERRORS", "Guard"]
