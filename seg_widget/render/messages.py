"""Packing tiles and patches into widget messages of at most 8 MiB each.

Tornado reads at most 10 MiB per WebSocket message and proxies built on it drop bigger frames,
so every message (JSON content plus binary buffers plus Jupyter's envelope) stays under
`MAX_MESSAGE_BYTES`. Parts are packed greedily in the order given, so the browser can draw them
in that order (e.g. the tiles nearest the view centre first).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import numpy as np

__all__ = ["ENVELOPE_BYTES", "MAX_MESSAGE_BYTES", "Message", "pack_messages"]

#: Upper bound of one message on the wire.
MAX_MESSAGE_BYTES = 8 * 2**20

#: Room kept for Jupyter's own JSON around the content (header, parent header, comm ids and the
#: buffer paths; ~1 KiB measured).
ENVELOPE_BYTES = 16 * 2**10


@dataclass
class Message:
    """One message: JSON content ``{"parts": [...]}`` and its binary buffers.

    Part ``i`` of the content is the metadata given for it plus ``"buffer": i``, the index of
    its bytes in `buffers`.
    """

    #: The JSON-serialisable content.
    content: dict = field(default_factory=lambda: {"parts": []})
    #: One buffer per part.
    buffers: list[memoryview] = field(default_factory=list)

    @property
    def nbytes(self) -> int:
        """Bytes of the serialised content plus all buffers (without Jupyter's envelope)."""
        return _json_bytes(self.content) + sum(buffer.nbytes for buffer in self.buffers)


def _json_bytes(content: object) -> int:
    return len(json.dumps(content, separators=(",", ":")).encode())


def _as_buffer(data: object, index: int) -> memoryview:
    if isinstance(data, np.ndarray):
        data = np.ascontiguousarray(data)
    try:
        return memoryview(data).cast("B")  # type: ignore[arg-type]
    except TypeError:
        raise TypeError(
            f"parts[{index}]: expected (metadata, bytes-like) with a buffer, got "
            f"{type(data).__name__}"
        ) from None


def pack_messages(
    parts: Iterable[tuple[Mapping, object]], *, max_bytes: int = MAX_MESSAGE_BYTES
) -> list[Message]:
    """Group (metadata, bytes) parts into as few messages as fit in `max_bytes` each.

    Parameters
    ----------
    parts : iterable of (mapping, bytes-like)
        JSON-serialisable metadata (e.g. the tile key and shape) and the payload (bytes,
        memoryview or ndarray) of each part, in sending order.
    max_bytes : int, optional
        Bound per message including `ENVELOPE_BYTES` for Jupyter's envelope. Default 8 MiB.

    Returns
    -------
    list of Message
        In order; every ``message.nbytes + ENVELOPE_BYTES <= max_bytes``.

    Raises
    ------
    TypeError
        If a part is not (mapping, bytes-like).
    ValueError
        If one part alone does not fit in a message.

    Examples
    --------
    >>> messages = pack_messages([({"tile": i}, bytes(300_000)) for i in range(3)],
    ...                          max_bytes=700_000)
    >>> [[part["tile"] for part in m.content["parts"]] for m in messages]
    [[0, 1], [2]]
    >>> messages[1].content["parts"][0]["buffer"]
    0

    """
    budget = max_bytes - ENVELOPE_BYTES
    messages: list[Message] = []
    current = Message()
    used = _json_bytes(current.content)
    for index, part in enumerate(parts):
        try:
            metadata, data = part
        except (TypeError, ValueError):
            raise TypeError(
                f"parts[{index}]: expected a (metadata, bytes-like) pair, got {part!r:.80}"
            ) from None
        if not isinstance(metadata, Mapping):
            raise TypeError(
                f"parts[{index}]: expected a mapping as metadata, got {type(metadata).__name__}"
            )
        buffer = _as_buffer(data, index)
        # +1 for the comma between parts; the buffer index is at most 9 digits.
        meta_bytes = _json_bytes({**metadata, "buffer": 10**9}) + 1
        cost = meta_bytes + buffer.nbytes
        if _json_bytes({"parts": []}) + cost > budget:
            raise ValueError(
                f"parts[{index}]: expected a part of at most {budget - meta_bytes} bytes to fit "
                f"a message of {max_bytes} bytes, got {buffer.nbytes}"
            )
        if current.buffers and used + cost > budget:
            messages.append(current)
            current = Message()
            used = _json_bytes(current.content)
        current.content["parts"].append({**metadata, "buffer": len(current.buffers)})
        current.buffers.append(buffer)
        used += cost
    if current.buffers:
        messages.append(current)
    return messages
