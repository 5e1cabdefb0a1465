"""An annotator's kernel for the multi-process team tests (``python -m tests.widget.team_worker``).

Arguments: a command and a JSON object (``images``, ``url``, ``options``, ``annotator``, ...).
Every line it prints is one JSON object. Commands:

- ``race``: open the annotator on its own first image, say ready, wait for the file ``go``,
  then ``go_to(target)`` and say whether it opened it (or who holds it).
- ``edit-and-hang``: open image 0, paint and save a version, paint more (autosaved as a draft
  with ``autosave_seconds=0``), save the expected mask to ``expected``, say so, and wait to
  be killed.
"""

from __future__ import annotations

import json
import os
import sys
import threading
import time

import numpy as np

import seg_widget as sw
from seg_widget.io.team import ClaimTakenError
from tests.widget.team_helpers import CLASSES, VIEW


def say(**fields: object) -> None:
    print(json.dumps(fields), flush=True)


def open_annotator(args: dict, **kwargs) -> sw.DatasetAnnotator:
    return sw.DatasetAnnotator(
        args["images"],
        args["url"],
        CLASSES,
        annotator=args["annotator"],
        storage_options=args.get("options") or None,
        lease_seconds=args.get("lease_seconds", 300),
        **{**VIEW, **kwargs},
    )


def race(args: dict) -> None:
    annotator = open_annotator(args)
    say(ready=True, index=annotator.index)
    while not os.path.exists(args["go"]):
        time.sleep(0.001)
    try:
        annotator.go_to(args["target"])
        say(opened=True, index=annotator.index)
    except ClaimTakenError as error:
        say(opened=False, holder=error.status.holder, message=str(error))


def edit_and_hang(args: dict) -> None:
    annotator = open_annotator(args, autosave_seconds=0)
    annotator.go_to(0)
    widget = annotator.widget
    widget.paint_stroke([(3, 3), (3, 20)], label=1, brush_size=3)
    annotator.save()
    say(saved=True)
    widget.paint_stroke([(15, 5), (15, 25)], label=2, brush_size=3)  # autosaved as a draft
    np.save(args["expected"], widget.mask)
    say(drafted=True)
    threading.Event().wait()


def main() -> None:
    command, arguments = sys.argv[1], json.loads(sys.argv[2])
    {"race": race, "edit-and-hang": edit_and_hang}[command](arguments)


if __name__ == "__main__":
    main()
