"""Image keys: equal for the same pixels or file version, different otherwise."""

from __future__ import annotations

import os

import numpy as np
import pytest

from seg_widget.core.image_keys import array_key, file_key


def test_a_rewritten_file_gets_a_new_key_and_links_share_one(tmp_path):
    path = tmp_path / "a.png"
    path.write_bytes(b"one")
    first = file_key(path)
    link = tmp_path / "link.png"
    os.symlink(path, link)
    assert file_key(link) == first
    path.write_bytes(b"three")
    assert file_key(path) != first


def test_a_missing_file_has_no_key(tmp_path):
    with pytest.raises(ValueError, match="path: cannot read the file"):
        file_key(tmp_path / "missing.png")
    with pytest.raises(ValueError, match="path: expected a file"):
        file_key(tmp_path)


def test_array_keys_follow_the_pixels_shape_and_dtype():
    image = np.arange(12, dtype=np.uint8).reshape(3, 4)
    assert array_key(image) == array_key(image.copy())
    assert array_key(image) != array_key(image.reshape(4, 3))
    assert array_key(image) != array_key(image.astype(np.uint16))
    assert array_key(image[:, ::2]) == array_key(np.ascontiguousarray(image[:, ::2]))
    changed = image.copy()
    changed[2, 3] = 0
    assert array_key(changed) != array_key(image)
