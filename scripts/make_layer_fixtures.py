#!/usr/bin/env python3
"""Write js/unit/fixtures/layer.json: what the kernel computes, for the layer's node tests.

The input layer previews strokes with its own JavaScript copy of the brush rule; these
fixtures are the kernel's answers (``seg_widget.core.raster``, the viewport formula, numpy's
packbits) on random and edge cases, so ``node --test js/unit`` checks the copy agrees bit for
bit. Deterministic (fixed seed); tests/widget/test_layer_fixtures.py fails when the committed
file is not what this script writes now.

Usage: python scripts/make_layer_fixtures.py
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np

from seg_widget.core.raster import brush_footprint, pixel_center

OUTPUT = Path(__file__).resolve().parent.parent / "js" / "unit" / "fixtures" / "layer.json"


def _runs(inside: np.ndarray, row0: int, col0: int) -> list[list[int]]:
    """[row, col_start, col_end) runs of True, row by row."""
    runs = []
    for i, row in enumerate(inside):
        padded = np.concatenate([[False], row, [False]]).astype(np.int8)
        edges = np.flatnonzero(np.diff(padded))
        runs.extend(
            [row0 + i, col0 + int(a), col0 + int(b)]
            for a, b in zip(edges[::2], edges[1::2], strict=True)
        )
    return runs


def _stroke_case(
    view: dict, points_xy: list[list[float]], diameter: float, shape: list[int]
) -> dict:
    """Return the kernel's stroke through canvas points: snapped points, each segment's pixels."""
    snapped = []
    for x, y in points_xy:
        col = (x - view["offset_x"]) / view["zoom"]  # Viewport.canvas_to_image
        row = (y - view["offset_y"]) / view["zoom"]
        c, r = pixel_center(col, row)
        snapped.append([r, c])
    segments = []
    for start, end in zip([snapped[0], *snapped[:-1]], snapped, strict=True):
        footprint = brush_footprint(start, end, diameter, shape)
        if footprint is None:
            segments.append(None)
        else:
            bbox, inside = footprint
            segments.append(
                {
                    "box": [bbox.row0, bbox.row1, bbox.col0, bbox.col1],
                    "runs": _runs(inside, bbox.row0, bbox.col0),
                }
            )
    return {
        "view": view,
        "points_xy": points_xy,
        "diameter": diameter,
        "shape": shape,
        "snapped_rc": snapped,
        "segments": segments,
    }


def fixtures() -> dict:
    """Return every fixture (deterministic)."""
    rng = np.random.default_rng(20261206)
    strokes = []
    # Edge cases: unit brushes at pixel centres, a dab exactly on an edge, outside the image.
    unit_view = {"zoom": 1.0, "offset_x": 0.0, "offset_y": 0.0}
    for diameter in (1, 2, 3, 4, 1.5, 2.5):
        strokes.append(
            _stroke_case(unit_view, [[5.5, 5.5], [5.5, 5.5], [9.5, 7.5]], diameter, [20, 20])
        )
    strokes.append(_stroke_case(unit_view, [[-3.0, -3.0], [2.0, 1.0]], 4, [10, 10]))
    strokes.append(_stroke_case(unit_view, [[-30.0, -30.0], [-20.0, -25.0]], 4, [10, 10]))
    strokes.append(_stroke_case(unit_view, [[0.0, 0.0], [10.0, 10.0]], 1, [10, 10]))
    big_view = {"zoom": 0.5, "offset_x": 3.25, "offset_y": -7.75}
    strokes.append(_stroke_case(big_view, [[100.3, 100.7], [160.1, 90.2]], 200, [400, 400]))
    # Random strokes: diameters 1-200, sub-pixel positions, zooms from minified to 32x.
    for _ in range(60):
        zoom = float(np.exp(rng.uniform(math.log(0.1), math.log(32))))
        shape = [int(rng.integers(16, 400)), int(rng.integers(16, 400))]
        view = {
            "zoom": zoom,
            "offset_x": float(rng.uniform(-200, 200)),
            "offset_y": float(rng.uniform(-200, 200)),
        }
        diameter = float(np.round(np.exp(rng.uniform(0, math.log(200))), int(rng.integers(0, 3))))
        diameter = max(diameter, 1.0)
        count = int(rng.integers(1, 5))
        # Image points around (and a little outside) the image, seen through the view.
        start_cr = rng.uniform(-0.2, 1.2, 2) * np.array(shape[::-1])
        step = rng.normal(0, max(diameter, 3.0), 2)
        points_cr = [start_cr + step * k + rng.normal(0, 2, 2) for k in range(count)]
        offset = np.array([view["offset_x"], view["offset_y"]])
        points = [p * zoom + offset for p in points_cr]
        points_xy = [[float(v) for v in p] for p in points]
        strokes.append(_stroke_case(view, points_xy, diameter, shape))

    centres = [[float(v), float(w)] for v, w in rng.uniform(-50, 50, (40, 2))]
    centres += [[3.0, -0.5], [-0.5, 2.0], [0.0, 0.0], [-1e-12, 7.999999999], [1e9 + 0.5, -2.5]]
    pixel_centres = [{"point": p, "centre": list(pixel_center(*p))} for p in centres]

    # The editable mask of the shown pixels: numpy.packbits of a random mask over random indices.
    rows = np.sort(rng.choice(300, 37, replace=False))
    cols = np.sort(rng.choice(500, 53, replace=False))
    mask = rng.random((len(rows), len(cols))) < 0.4
    editable = {
        "shape": [300, 500],
        "rows": rows.tolist(),
        "cols": cols.tolist(),
        "bits": np.packbits(mask, axis=None).tolist(),
        "true_rc": [[int(rows[i]), int(cols[j])] for i, j in zip(*np.nonzero(mask), strict=True)],
    }
    return {"strokes": strokes, "pixel_centres": pixel_centres, "editable": editable}


def render() -> str:
    """Return the fixture file's text."""
    return json.dumps(fixtures(), separators=(",", ":")) + "\n"


if __name__ == "__main__":
    OUTPUT.parent.mkdir(parents=True, exist_ok=True)
    OUTPUT.write_text(render(), encoding="utf-8")
    print(f"wrote {OUTPUT} ({OUTPUT.stat().st_size} bytes)")
