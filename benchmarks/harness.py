"""What every benchmark script shares: a byte-counting comm, a timer and a stroke path.

Import this module before anything imports ipycanvas: ipycanvas opens its global comm at
import, and every widget message must go through the stand-in comm, which serialises it
as ipykernel would (JSON + binary buffers) and counts the bytes.
"""

from __future__ import annotations

import json
import math
import time

import comm
import numpy as np
from comm.base_comm import BaseComm


class SerialisingComm(BaseComm):
    """A comm that does the kernel's share of sending: serialise, count the bytes."""

    sent_bytes = 0

    def publish_msg(self, msg_type, data=None, metadata=None, buffers=None, **keys):
        text = json.dumps(
            {"msg_type": msg_type, "data": data, "metadata": metadata or {}}, default=str
        )
        SerialisingComm.sent_bytes += len(text) + sum(memoryview(b).nbytes for b in buffers or ())


comm.create_comm = lambda *args, **kwargs: SerialisingComm(*args, **kwargs)


def sent_during(action) -> int:
    """Bytes the widgets sent while ``action()`` ran."""
    before = SerialisingComm.sent_bytes
    action()
    return SerialisingComm.sent_bytes - before


def timed(action) -> float:
    """Milliseconds ``action()`` took."""
    start = time.perf_counter()
    action()
    return (time.perf_counter() - start) * 1e3


def stroke_path(n_events: int, centre: float, radius: float) -> list[tuple[float, float]]:
    """A circle walked in small steps, like a hand-drawn outline (~4 px per event)."""
    steps = np.linspace(0, 2 * math.pi, n_events)
    return [(centre + radius * math.cos(t), centre + radius * math.sin(t)) for t in steps]
