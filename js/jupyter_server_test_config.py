"""Jupyter server configuration for the Galata/Playwright browser tests.

Started by Playwright's ``webServer`` (see playwright.config.ts) as
``jupyter lab --config jupyter_server_test_config.py``.

Never use this configuration for real work: it removes every security protection
(no token, no XSRF check).
"""

import os
from pathlib import Path

from jupyterlab.galata import configure_jupyter_server

HERE = Path(__file__).resolve().parent

# The server only sees this folder; every test gets its own ``tmpPath`` inside it.
# Must be set before configure_jupyter_server() reads it.
root_dir = Path(os.environ.get("JUPYTERLAB_GALATA_ROOT_DIR", HERE / ".tmp" / "galata-root"))
root_dir.mkdir(parents=True, exist_ok=True)
os.environ["JUPYTERLAB_GALATA_ROOT_DIR"] = str(root_dir)

configure_jupyter_server(c)  # noqa: F821 - `c` is injected by the Jupyter config loader

# Port 8888 by default (what Galata expects); overridable so two checkouts on one machine can
# run their browser tests at the same time. playwright.config.ts reads the same variable.
c.ServerApp.port = int(os.environ.get("SEG_WIDGET_TEST_PORT", "8888"))  # noqa: F821
c.ServerApp.allow_root = True  # noqa: F821  # CI and the dev machines run as root

# Hermetic: no network look-ups from the server (news feed, update check).
c.LabApp.news_url = None  # noqa: F821
c.LabApp.check_for_updates_class = "jupyterlab.NeverCheckForUpdate"  # noqa: F821
