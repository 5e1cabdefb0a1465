"""seg-widget assisted labelling: quality figures (IoU, user actions) and kernel times.

    python benchmarks/assist_bench.py            # full run (~1-2 min)
    python benchmarks/assist_bench.py --quick    # fewer repeats

Quality: scikit-image sample scenes with a known answer, each labelled by a simulated user
who works as a person does: every action goes where the mask is most wrong (the largest
missing or wrong region: a click at its deepest pixel, or a stroke from there along its
skeleton), and the user stops once IoU >= 0.95 (the goal) or the budget is spent (wand 20
clicks, superpixel brush 20 strokes, scribbles 6 strokes). An action that lowers IoU is
undone (the undo counts as an action) and its area avoided from then on. Actions = clicks +
strokes + undos; the scribbles' "propose" button is not counted. The wand's tolerance and
the superpixel count are the best of a few (the user's slider). The polygon tool is the
baseline: N clicked vertices taken from the reference outline (`approximate_polygon` of
`find_contours`), the fewest that reach the goal.

Kernel times are the pure functions of `seg_widget.core.assist` (no widget, no drawing),
best of the repeats; the machine may be shared and noisy.
"""

from __future__ import annotations

import argparse
import itertools
import math
import statistics
import time
import warnings
from collections.abc import Callable

import numpy as np
from scipy import ndimage, sparse
from scipy.sparse import csgraph
from skimage import data, filters, measure, morphology, segmentation, transform

from seg_widget.core.assist import (
    SCRIBBLE_METHODS,
    SuperpixelIndex,
    classifier_available,
    scribble_proposal,
    superpixel_labels,
    wand_region,
)
from seg_widget.core.bbox import BBox
from seg_widget.core.outline import polygon_footprint
from seg_widget.core.raster import brush_footprint

GOAL = 0.95
WAND_TOLERANCES = (0.01, 0.02, 0.03, 0.05, 0.08, 0.12)
POLYGON_TOLERANCES = (12, 8, 6, 5, 4, 3, 2.5, 2, 1.5, 1, 0.75, 0.5)
MAX_CLICKS = 20
MAX_STROKES = 20
SUPERPIXEL_COUNTS = (300, 600, 1500)
MAX_SCRIBBLES = 6
SUPERPIXEL_BRUSH = 20  # px
SCRIBBLE_BRUSH = 5  # px, at the native size of the scenes
STROKE_LENGTH = 150  # px: the longest superpixel-brush stroke
SCRIBBLE_LENGTH = 60  # px: the longest scribble, at the native size


# -- Scenes -------------------------------------------------------------------------------


def coins_scene() -> tuple[np.ndarray, np.ndarray]:
    """``skimage.data.coins()`` and its 24 coins, from the gallery's region-based recipe.

    Two thresholds give markers (< 30 background, > 150 coin), a watershed on the Sobel
    gradient grows them; holes are filled and specks removed.
    """
    image = data.coins()
    markers = np.zeros(image.shape, np.uint8)
    markers[image < 30] = 1
    markers[image > 150] = 2
    coins = segmentation.watershed(filters.sobel(image), markers) == 2
    coins = ndimage.binary_fill_holes(coins)
    coins = morphology.remove_small_objects(coins, max_size=100)
    return image, coins


def one_coin(coins: np.ndarray, near_rc: tuple[int, int] = (118, 270)) -> np.ndarray:
    """The coin under ``near_rc`` (a mid-sized coin in the second row by default)."""
    labels = measure.label(coins)
    return labels == labels[near_rc]


def _tile(texture: np.ndarray, shape: tuple[int, int]) -> np.ndarray:
    reps = (-(-shape[0] // texture.shape[0]), -(-shape[1] // texture.shape[1]))
    return np.tile(texture, reps)[: shape[0], : shape[1]]


def horse_scene(size: int | None = None, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """A brown gravel-textured horse on olive grass, lit from the right, with noise.

    ``size=None``: the silhouette's own 328 x 400 pixels; else a ``size`` x ``size`` image
    (the silhouette padded to a square, then scaled). Returns the RGB image and the horse.
    """
    horse = ~data.horse()
    if size is not None:
        extra = horse.shape[1] - horse.shape[0]
        horse = np.pad(horse, ((extra // 2, extra - extra // 2), (0, 0)))
        horse = transform.resize(horse.astype(float), (size, size), order=1) >= 0.5
    shape = horse.shape
    scale = shape[1] / 400
    grass = _tile(data.grass(), shape) / 255.0
    gravel = _tile(data.gravel(), shape) / 255.0
    light = 0.8 + 0.4 * np.arange(shape[1]) / shape[1]
    # Olive-green grass and a brown horse of similar brightness: colour alone barely tells
    # them apart in places, as in a photograph.
    background = np.stack([0.30 + 0.35 * grass, 0.32 + 0.33 * grass, 0.10 + 0.15 * grass], -1)
    horse_colour = np.stack([0.30 + 0.35 * gravel, 0.22 + 0.28 * gravel, 0.10 + 0.15 * gravel], -1)
    # An anti-aliased silhouette edge, as a photograph has.
    alpha = filters.gaussian(horse.astype(float), sigma=0.7 * max(scale, 1))[..., np.newaxis]
    rgb = (alpha * horse_colour + (1 - alpha) * background) * light[:, np.newaxis]
    rgb += np.random.default_rng(seed).normal(0, 0.02, rgb.shape)
    return (np.clip(rgb, 0, 1) * 255).round().astype(np.uint8), horse


# -- The simulated user --------------------------------------------------------------------


def iou(a: np.ndarray, b: np.ndarray) -> float:
    union = np.count_nonzero(a | b)
    return np.count_nonzero(a & b) / union if union else 1.0


def _largest_component(region: np.ndarray) -> np.ndarray:
    labels, count = ndimage.label(region)
    if count <= 1:
        return region
    sizes = np.bincount(labels.ravel())
    sizes[0] = 0
    return labels == np.argmax(sizes)


def stroke_in(
    region: np.ndarray, diameter: float, max_length: float
) -> tuple[list[tuple[float, float]], float]:
    """A polyline stroke inside the largest component of ``region``, as a user would draw.

    The stroke starts at the component's deepest point and follows its skeleton towards
    the farthest end, at most ``max_length`` pixels, where the whole brush fits inside the
    component (the brush shrinks for thin parts). Returns the vertices ``(row, col)`` and
    the brush diameter.
    """
    component = _largest_component(region)
    depth = ndimage.distance_transform_edt(np.pad(component, 1))[1:-1, 1:-1]
    radius = max(0.5, min(diameter / 2, depth.max() / 2))
    safe = depth > radius + 1
    if not safe.any():  # too thin for a stroke: a dab at the deepest pixel
        row, col = np.unravel_index(np.argmax(depth), depth.shape)
        return [(row + 0.5, col + 0.5)], 1.0
    safe = _largest_component(safe)
    deepest = np.unravel_index(np.argmax(np.where(safe, depth, 0)), depth.shape)
    path = _skeleton_path(safe, deepest)[: int(max_length)]
    vertices = measure.approximate_polygon(path.astype(float), 1.0) + 0.5
    return [(float(r), float(c)) for r, c in vertices], 2 * radius


def _skeleton_path(shape: np.ndarray, start_rc: tuple[int, int]) -> np.ndarray:
    # The shortest path along the skeleton (a graph of 8-neighbour pixels) from its pixel
    # nearest start_rc to the skeleton pixel farthest from there.
    skeleton = morphology.skeletonize(shape)
    rows, cols = np.nonzero(skeleton)
    if rows.size == 0:
        return np.array([start_rc])
    index = np.full(shape.shape, -1, np.int64)
    index[rows, cols] = np.arange(rows.size)
    padded = np.pad(index, 1, constant_values=-1)
    sources, targets, weights = [], [], []
    for d_row, d_col in ((0, 1), (1, -1), (1, 0), (1, 1)):
        neighbour = padded[rows + 1 + d_row, cols + 1 + d_col]
        linked = neighbour >= 0
        sources.append(np.arange(rows.size)[linked])
        targets.append(neighbour[linked])
        weights.append(np.full(linked.sum(), math.hypot(d_row, d_col)))
    graph = sparse.coo_matrix(
        (np.concatenate(weights), (np.concatenate(sources), np.concatenate(targets))),
        shape=(rows.size, rows.size),
    ).tocsr()
    start = int(np.argmin((rows - start_rc[0]) ** 2 + (cols - start_rc[1]) ** 2))
    distances, previous = csgraph.dijkstra(
        graph, directed=False, indices=start, return_predecessors=True
    )
    node = int(np.argmax(np.where(np.isfinite(distances), distances, -1)))
    path = [node]
    while previous[node] >= 0:
        node = int(previous[node])
        path.append(node)
    path.reverse()  # from the start
    return np.stack([rows[path], cols[path]], axis=1)


def _stroke_footprint(
    vertices: list[tuple[float, float]], diameter: float, shape: tuple[int, int]
) -> tuple[BBox, np.ndarray] | None:
    # The union of the segments' footprints, as the widget paints a polyline.
    pieces = [
        brush_footprint(a, b, diameter, shape)
        for a, b in zip(vertices, vertices[1:] or vertices, strict=False)
    ]
    pieces = [piece for piece in pieces if piece is not None]
    if not pieces:
        return None
    bbox = pieces[0][0]
    for piece_bbox, _ in pieces[1:]:
        bbox = bbox.union(piece_bbox)
    out = np.zeros((bbox.height, bbox.width), bool)
    for piece_bbox, pixels in pieces:
        out[
            piece_bbox.row0 - bbox.row0 : piece_bbox.row1 - bbox.row0,
            piece_bbox.col0 - bbox.col0 : piece_bbox.col1 - bbox.col0,
        ] |= pixels
    return bbox, out


def _deepest_pixel(region: np.ndarray) -> tuple[int, int]:
    component = _largest_component(region)
    depth = ndimage.distance_transform_edt(np.pad(component, 1))[1:-1, 1:-1]
    row, col = np.unravel_index(np.argmax(depth), depth.shape)
    return int(row), int(col)


def _paint(target: np.ndarray, footprint: tuple[BBox, np.ndarray] | None, value) -> None:
    if footprint is not None:
        bbox, pixels = footprint
        target[bbox.slices][pixels] = value


def _greedy(
    reference: np.ndarray,
    action: Callable[[np.ndarray], tuple[np.ndarray, np.ndarray]],
    budget: int,
) -> tuple[int, float]:
    """Take actions while the goal is not reached; return (actions, IoU).

    ``action(missing)`` returns the region it adds and the area it worked on. An action that
    lowers IoU is undone (one more action) and its area is avoided from then on.
    """
    labelled = np.zeros(reference.shape, bool)
    avoid = np.zeros(reference.shape, bool)
    score, actions = 0.0, 0
    while score < GOAL and actions < budget:
        missing = reference & ~labelled & ~avoid
        if not missing.any():
            break
        added, worked_on = action(missing)
        actions += 1
        new_score = iou(labelled | added, reference)
        if new_score <= score:
            actions += 1  # undo
            avoid |= worked_on
            continue
        labelled, score = labelled | added, new_score
    return actions, score


def wand_user(image: np.ndarray, reference: np.ndarray) -> tuple[int, float, float]:
    """Wand clicks at the deepest missing pixel; the best tolerance of a few tried."""
    best = None
    for tolerance in WAND_TOLERANCES:

        def click(missing, tolerance=tolerance):
            region = np.zeros(missing.shape, bool)
            _paint(region, wand_region(image, _deepest_pixel(missing), tolerance), True)
            return region, region & reference

        actions, score = _greedy(reference, click, MAX_CLICKS)
        key = (score < GOAL, actions if score >= GOAL else -score)
        if best is None or key < best[0]:
            best = (key, actions, score, tolerance)
    return best[1], best[2], best[3]


def superpixel_user(
    index: SuperpixelIndex, reference: np.ndarray, brush: float
) -> tuple[int, float]:
    """Superpixel-brush strokes along the largest missing part."""

    def stroke(missing):
        vertices, diameter = stroke_in(missing, brush, STROKE_LENGTH)
        region, brushed = np.zeros(missing.shape, bool), np.zeros(missing.shape, bool)
        footprint = _stroke_footprint(vertices, diameter, missing.shape)
        if footprint is not None:
            _paint(brushed, footprint, True)
            _paint(region, index.footprint(*footprint), True)
        return region, brushed

    return _greedy(reference, stroke, MAX_STROKES)


def superpixel_sweep(image: np.ndarray, reference: np.ndarray) -> tuple[int, float, int]:
    """The superpixel brush with the best of a few superpixel counts (the user's choice)."""
    best = None
    for n_segments in SUPERPIXEL_COUNTS:
        index = SuperpixelIndex(superpixel_labels(image, n_segments=n_segments))
        actions, score = superpixel_user(index, reference, SUPERPIXEL_BRUSH)
        key = (score < GOAL, actions if score >= GOAL else -score)
        if best is None or key < best[0]:
            best = (key, actions, score, n_segments)
    return best[1], best[2], best[3]


def scribble_user(
    image: np.ndarray, reference: np.ndarray, method: str, brush: float = SCRIBBLE_BRUSH
) -> tuple[int, float, np.ndarray, float]:
    """Scribbles: one in the object, one in the background, then one per largest error.

    Returns (strokes, IoU, the scribbles, seconds of the last proposal).
    """
    scribbles = np.zeros(reference.shape, np.uint8)
    length = SCRIBBLE_LENGTH * brush / SCRIBBLE_BRUSH
    for value, region in ((2, reference), (1, ~reference)):
        vertices, diameter = stroke_in(region, brush, length)
        _paint(scribbles, _stroke_footprint(vertices, diameter, reference.shape), value)
    strokes = 2
    while True:
        began = time.perf_counter()
        proposal = scribble_proposal(image, scribbles, method=method) == 2
        seconds = time.perf_counter() - began
        score = iou(proposal, reference)
        if score >= GOAL or strokes >= MAX_SCRIBBLES:
            return strokes, score, scribbles, seconds
        missed, extra = reference & ~proposal, proposal & ~reference
        worst = max((missed, 2), (extra, 1), key=lambda e: _largest_component(e[0]).sum())
        vertices, diameter = stroke_in(worst[0], brush, length)
        _paint(scribbles, _stroke_footprint(vertices, diameter, reference.shape), worst[1])
        strokes += 1


def polygon_user(reference: np.ndarray) -> tuple[int, float]:
    """The fewest vertices (over every object's outline) whose polygons reach the goal."""
    objects = [
        _largest_component(measure.label(reference) == k)
        for k in range(1, measure.label(reference).max() + 1)
    ]
    best = (0, 0.0)
    for tolerance in POLYGON_TOLERANCES:
        drawn = np.zeros(reference.shape, bool)
        vertices = 0
        for shape in objects:
            contours = measure.find_contours(np.pad(shape, 1).astype(float), 0.5)
            outline = max(contours, key=len) - 1  # undo the padding
            polygon = measure.approximate_polygon(outline, tolerance)[:-1]
            vertices += len(polygon)
            # find_contours gives pixel-index coordinates; polygon_footprint pixel centres
            # are at +0.5.
            _paint(drawn, polygon_footprint(polygon + 0.5, reference.shape), True)
        best = (vertices, iou(drawn, reference))
        if best[1] >= GOAL:
            break
    return best


# -- Quality figures -----------------------------------------------------------------------


def quality_rows() -> list[tuple[str, str, str, str, str]]:
    rows = []
    coins_image, coins = coins_scene()
    coin = one_coin(coins)
    horse_image, horse = horse_scene()
    methods = [m for m in SCRIBBLE_METHODS if m != "classifier" or classifier_available()]
    scenes = [
        ("coins: one coin", coins_image, coin, True),
        ("coins: all 24", coins_image, coins, False),
        ("horse on grass", horse_image, horse, True),
    ]
    for name, image, reference, single in scenes:
        if single:
            clicks, score, tolerance = wand_user(image, reference)
            rows.append((name, "wand", f"tolerance {tolerance:g}", str(clicks), f"{score:.3f}"))
            strokes, score, n_segments = superpixel_sweep(image, reference)
            setting = f"SLIC {n_segments}, {SUPERPIXEL_BRUSH} px brush"
            rows.append((name, "superpixel brush", setting, str(strokes), f"{score:.3f}"))
        for method in methods:
            strokes, score, _, _ = scribble_user(image, reference, method)
            setting = f"{method}, {SCRIBBLE_BRUSH} px"
            rows.append((name, "scribbles", setting, str(strokes), f"{score:.3f}"))
        if not classifier_available():
            rows.append((name, "scribbles", "classifier", "-", "needs scikit-learn"))
        vertices, score = polygon_user(reference)
        rows.append((name, "polygon", "vertices from the outline", str(vertices), f"{score:.3f}"))
    return rows


def print_table(header: tuple[str, ...], rows: list[tuple[str, ...]]) -> None:
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    print("  " + "  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)))
    print("  " + "  ".join("-" * w for w in widths))
    for row in rows:
        print("  " + "  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)))


# -- Kernel times --------------------------------------------------------------------------


def _best_ms(action: Callable[[], object], repeats: int) -> tuple[float, object]:
    best, result = math.inf, None
    for _ in range(repeats):
        start = time.perf_counter()
        result = action()
        best = min(best, time.perf_counter() - start)
    return best * 1e3, result


def wand_times(repeats: int) -> list[tuple[str, str, str]]:
    image, horse = horse_scene(2048)
    inside = _deepest_pixel(horse)
    outside = _deepest_pixel(~horse)
    rows = []
    for what, seed, tolerance in (
        ("in the grass", outside, 0.08),
        ("in the horse", inside, 0.05),
        ("in the grass", outside, 0.03),
        ("in the horse", inside, 0.03),
    ):
        ms, (_, region) = _best_ms(lambda s=seed, t=tolerance: wand_region(image, s, t), repeats)
        pixels = np.count_nonzero(region)
        rows.append((f"wand, {what} (tol. {tolerance:g})", f"{pixels / 1e6:.2f} MP", f"{ms:.1f}"))
    return rows


def superpixel_times(n_events: int) -> list[tuple[str, str, str]]:
    image, _ = horse_scene(2048)
    start = time.perf_counter()
    labels = superpixel_labels(image)
    slic_s = time.perf_counter() - start
    start = time.perf_counter()
    index = SuperpixelIndex(labels)
    index_ms = (time.perf_counter() - start) * 1e3
    # A circle walked in ~5 px steps with a 20 px brush, one footprint per mouse event.
    angles = np.arange(n_events) * (5 / 600)
    path = [(1024 + 600 * math.sin(a), 1024 + 600 * math.cos(a)) for a in angles]
    times = []
    for a, b in itertools.pairwise(path):
        brushed = brush_footprint(a, b, SUPERPIXEL_BRUSH, labels.shape)
        start = time.perf_counter()
        index.footprint(*brushed)
        times.append(time.perf_counter() - start)
    n = int(labels.max()) + 1
    return [
        ("superpixels: SLIC of 2048² RGB (one-off)", f"{n} superpixels", f"{slic_s * 1e3:.0f}"),
        ("superpixels: SuperpixelIndex (one-off)", "", f"{index_ms:.1f}"),
        (
            f"superpixel brush per event, {SUPERPIXEL_BRUSH} px (median)",
            f"95 %: {np.percentile(times, 95) * 1e3:.2f}, max {max(times) * 1e3:.2f} ms",
            f"{statistics.median(times) * 1e3:.2f}",
        ),
    ]


def scribble_times(repeats: int) -> list[tuple[str, str, str]]:
    image, horse = horse_scene(1024)
    brush = SCRIBBLE_BRUSH * 1024 / 400
    rows = []
    methods = [m for m in SCRIBBLE_METHODS if m != "classifier" or classifier_available()]
    for method in methods:
        strokes, score, scribbles, _ = scribble_user(image, horse, method, brush)
        ms, _ = _best_ms(
            lambda m=method, s=scribbles: scribble_proposal(image, s, method=m),
            1 if method == "classifier" else repeats,
        )
        quality = f"IoU {score:.3f}, {strokes} strokes"
        rows.append((f"scribbles: {method}, horse 1024²", quality, f"{ms:.0f}"))
    return rows


def main(quick: bool = False) -> None:
    warnings.filterwarnings("ignore", module="skimage")
    repeats = 2 if quick else 5

    print(f"== Assisted labelling quality: IoU and user actions (goal IoU >= {GOAL}) ==")
    if not classifier_available():
        print("  (scikit-learn is not installed: the classifier rows are skipped)")
    print_table(("scene", "tool", "setting", "actions", "IoU"), quality_rows())

    print("== Assisted labelling kernel times (targets: wand 100 ms, brush 2 ms, scribbles 3 s) ==")
    rows = wand_times(repeats)
    rows += superpixel_times(100 if quick else 300)
    rows += scribble_times(1 if quick else 2)
    print_table(("kernel", "size / quality", "ms"), rows)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repeats")
    main(quick=parser.parse_args().quick)
