"""An annotator's process for the multi-process team tests (`python -m tests.io.team.worker`).

Every line it prints is one JSON object. Commands:

- ``race``: wait for ``<go>/<i>`` to exist, then claim stem ``i`` and report who won.
- ``save-and-hang``: claim the stem, save a first mask, then save a second one but stop
  for good right after uploading it, before the pointer moves (the test SIGKILLs it there).
"""

from __future__ import annotations

import argparse
import json
import os
import threading
import time

import numpy as np

from seg_widget.io.storage import open_store
from seg_widget.io.team import Claims, ClaimTakenError, Versions
from seg_widget.io.team.layout import pointer_key

CLASSES = ["background", "cat", "dog"]


def say(**fields: object) -> None:
    print(json.dumps(fields), flush=True)


def race(args: argparse.Namespace, store) -> None:
    claims = Claims(store, args.annotator, seconds=args.seconds)
    for stem in args.stems.split(","):
        go = os.path.join(args.go, stem)
        while not os.path.exists(go):
            time.sleep(0.001)
        try:
            claims.claim(stem)
            say(stem=stem, won=True)
        except ClaimTakenError as error:
            say(stem=stem, won=False, holder=error.status.holder)


def save_and_hang(args: argparse.Namespace, store) -> None:
    claims = Claims(store, args.annotator, seconds=args.seconds, tolerance=1)
    versions = Versions(store, args.annotator, CLASSES)
    stem = args.stems
    claims.claim(stem)
    first = versions.save(stem, np.full((4, 5), 1, np.uint8), base=None)
    say(saved=first.version.key)
    pointer = pointer_key(stem)
    replace = store.replace

    def hang_before_the_pointer(key, data, *, etag):
        if key == pointer:
            say(hanging=True)
            threading.Event().wait()
        return replace(key, data, etag=etag)

    store.replace = hang_before_the_pointer
    versions.save(stem, np.full((4, 5), 2, np.uint8), base=first.current)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("command", choices=["race", "save-and-hang"])
    parser.add_argument("--url", required=True)
    parser.add_argument("--options", default="{}")
    parser.add_argument("--annotator", required=True)
    parser.add_argument("--stems", required=True)
    parser.add_argument("--go", default="")
    parser.add_argument("--seconds", type=float, default=300)
    args = parser.parse_args()
    store = open_store(args.url, **json.loads(args.options))
    say(ready=True)
    {"race": race, "save-and-hang": save_and_hang}[args.command](args, store)


if __name__ == "__main__":
    main()
