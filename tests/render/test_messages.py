import json

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from seg_widget.render.messages import ENVELOPE_BYTES, MAX_MESSAGE_BYTES, pack_messages


def _wire_bytes(message):
    # What ipykernel sends: the JSON content and each buffer.
    content = json.dumps(message.content, separators=(",", ":")).encode()
    return len(content) + sum(buffer.nbytes for buffer in message.buffers) + ENVELOPE_BYTES


@given(st.lists(st.integers(0, 3 * 2**20), max_size=40))
def test_every_message_stays_within_8_mib_and_parts_keep_their_order(sizes):
    parts = [({"key": [0, i, 0], "shape": [size]}, bytes(size)) for i, size in enumerate(sizes)]
    messages = pack_messages(parts)
    assert all(_wire_bytes(m) <= MAX_MESSAGE_BYTES for m in messages)
    received = [
        (part["key"][1], m.buffers[part["buffer"]].nbytes)
        for m in messages
        for part in m.content["parts"]
    ]
    assert received == list(enumerate(sizes))


def test_a_view_of_tiles_is_packed_into_few_full_messages():
    tile = np.zeros((256, 256, 3), dtype=np.uint8)
    messages = pack_messages([({"key": [0, r, c]}, tile) for r in range(8) for c in range(8)])
    # 64 tiles of 192 KiB = 12 MiB: two messages, the first as full as the bound allows.
    assert len(messages) == 2
    assert len(messages[0].content["parts"]) == 42


def test_buffers_are_the_bytes_given():
    payload = np.arange(12, dtype=np.uint8).reshape(3, 4)
    (message,) = pack_messages([({"key": 1}, payload[:, ::2])])
    assert bytes(message.buffers[0]) == bytes(np.ascontiguousarray(payload[:, ::2]))


def test_a_part_too_big_for_one_message_is_refused():
    with pytest.raises(ValueError, match=r"parts\[1\]"):
        pack_messages([({}, b"x"), ({}, bytes(MAX_MESSAGE_BYTES))])


def test_a_part_without_a_buffer_is_refused():
    with pytest.raises(TypeError, match=r"parts\[0\].*bytes-like"):
        pack_messages([({"key": 1}, "text")])


def test_metadata_must_be_a_mapping():
    with pytest.raises(TypeError, match="mapping"):
        pack_messages([(["key"], b"x")])


def test_no_parts_no_messages():
    assert pack_messages([]) == []
