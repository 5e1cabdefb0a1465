import numpy as np
import pytest

import seg_widget as sw


@pytest.fixture
def widget():
    """A 100x100 grey image shown at exactly 4 canvas pixels per image pixel."""
    image = np.linspace(0, 1, 100 * 100).reshape(100, 100)
    w = sw.SegmentationWidget(
        image, classes=["unlabelled", "cat", "dog"], width=400, height=400, brush_size=5
    )
    assert w.zoom == 4.0
    return w


def capsule(shape, start_rc, end_rc, diameter):
    """Brute-force reference: pixels whose centre lies within diameter/2 of the segment."""
    rows, cols = np.mgrid[0 : shape[0], 0 : shape[1]]
    p = np.stack([rows + 0.5, cols + 0.5], axis=-1).astype(float)
    a = np.asarray(start_rc, float)
    b = np.asarray(end_rc, float)
    ab = b - a
    denom = float(ab @ ab)
    t = np.zeros(shape) if denom == 0 else np.clip(((p - a) @ ab) / denom, 0, 1)
    nearest = a + t[..., None] * ab
    return np.linalg.norm(p - nearest, axis=-1) <= diameter / 2 + 1e-9
