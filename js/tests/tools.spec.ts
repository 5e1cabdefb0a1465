/**
 * seg-widget's outline, fill and "find what is missing" tools in a real JupyterLab + Chromium:
 * real clicks, drags, double-clicks and keys, every result checked against the kernel's `w.mask`.
 *
 * All tests use a 130 x 90 RGB gradient (R = 40..200 left to right, G = 40..200 top to bottom,
 * B = 100) fitted into a 560 px wide view (zoom 560/130 = 4.31 canvas px per image px) and
 * record every mouse event the kernel receives with extra on_mouse_* callbacks (`events`).
 *
 * Expectations are computed in the kernel:
 * - outlines (polygon, lasso): exactly `seg_widget.core.outline.polygon_footprint` (the README's
 *   rule) of the vertices the kernel received, converted with `w.canvas_to_image`; plus a
 *   tolerance check against the outline the test clicked or dragged: every pixel whose centre
 *   lies inside it by more than TOL_PX canvas px has the value, no pixel further than that
 *   outside it changed (scikit-image's points_in_poly, an independent inside test);
 * - fills: the 4-connected component (skimage.measure.label) of the clicked pixel's label;
 * - colours: from image, mask, opacity and the show-missing tint, as in widget.spec.ts.
 *
 * Mouse positions reach the kernel truncated to whole CSS px (up to 1 px up/left): ±TOL_PX.
 */
import { expect, test } from '@jupyterlab/galata';
import type { Locator } from '@playwright/test';
import {
  canvasPixels,
  drag,
  type LabPage,
  type Point,
  pyJSON,
  runPython,
  toPage
} from './helpers';
import {
  expectCanvasShows,
  expectPixelShows,
  gradientScene,
  KERNEL_HELPERS,
  mouseAway,
  openWidgetCanvas,
  pressOnCanvas,
  py,
  rgbDiff,
  TOL_PX,
  toolButton
} from './scene';

/** The plain gradient scene (no initial mask), KERNEL_HELPERS and the outline/fill checks. */
const SCENE = `\
${gradientScene({
  imports: [
    'from seg_widget.core.outline import polygon_footprint',
    'from seg_widget.widget.tools.outline import LASSO_MIN_STEP',
    'from skimage.measure import label as connected_components, points_in_poly'
  ]
})}

${KERNEL_HELPERS}


def to_rc(x, y):
    """Canvas point -> continuous image (row, col), as the outline tools store vertices."""
    col, row = w.canvas_to_image(x, y)
    return (row, col)


def footprint_mask(vertices_rc):
    """The README's outline rule (polygon_footprint) as a full-size bool mask."""
    out = np.zeros((H, W), bool)
    found = polygon_footprint(vertices_rc, (H, W))
    if found is not None:
        bbox, inside = found
        out[bbox.slices] = inside
    return out


def outline_report(before, vertices_rc, intended_xy, value, tol_px=${TOL_PX}):
    """Compare w.mask with the outline rule on vertices_rc and with the intended outline."""
    expected = np.where(footprint_mask(vertices_rc), value, before)
    intended = [w.canvas_to_image(x, y) for x, y in intended_xy]  # (col, row)
    centres = np.column_stack([_CX.ravel(), _CY.ravel()])
    inside = points_in_poly(centres, np.asarray(intended)).reshape(H, W)
    dist = distance_to_polyline(intended + intended[:1])
    slack = tol_px / w.zoom + 1e-9
    changed = w.mask != before
    core = inside & (dist > slack)
    far_outside = ~inside & (dist > slack)
    return {
        "n_vertices": len(vertices_rc),
        "n_changed": int(changed.sum()),
        "changed_values": sorted({int(v) for v in w.mask[changed]}),
        "n_rule_mismatch": int((w.mask != expected).sum()),
        "n_core": int(core.sum()),
        "n_core_not_value": int((core & (w.mask != value)).sum()),
        "n_changed_far_outside": int((changed & far_outside).sum()),
    }


def check_polygon(before, mark, clicks, n_vertices, value):
    """The polygon clicked at canvas points clicks[:n_vertices] (later clicks closed it)."""
    downs = [(x, y) for kind, x, y in events[mark:] if kind == "down"]
    report = outline_report(
        before, [to_rc(x, y) for x, y in downs[:n_vertices]], clicks[:n_vertices], value
    )
    report["n_downs"] = len(downs)
    report["max_click_offset"] = max(
        (math.dist(d, c) for d, c in zip(downs, clicks)), default=math.inf
    )
    return report


def lasso_vertices(positions):
    """The lasso's outline from its received positions (down, moves, up): a position is kept
    when it is at least LASSO_MIN_STEP canvas px from the last kept one (README rule)."""
    kept = [to_rc(*positions[0])]
    for x, y in positions[1:]:
        row, col = kept[-1]
        if math.dist(w.image_to_canvas(col, row), (x, y)) >= LASSO_MIN_STEP:
            kept.append(to_rc(x, y))
    return kept


def check_lasso(before, path, value):
    positions, ended_by = last_drag()
    report = outline_report(before, lasso_vertices(positions), path, value)
    report["ended_by"] = ended_by
    report["n_positions"] = len(positions)
    closed = list(path) + [path[0]]
    report["max_click_offset"] = max(canvas_distance(p, closed) for p in positions)
    return report


def region_of(mask, seed_rc, connectivity=1):
    """Pixels of mask[seed]'s label connected to seed (1: 4-connected, 2: 8-connected)."""
    components = connected_components(mask == mask[seed_rc], connectivity=connectivity)
    return components == components[seed_rc]


def pixel_under(x, y):
    """Image pixel (col, row) under canvas pixel (x, y)."""
    col, row = w.canvas_to_image(x + 0.5, y + 0.5)
    return [math.floor(col), math.floor(row)]`;

interface OutlineReport {
  n_vertices: number;
  n_changed: number;
  changed_values: number[];
  n_rule_mismatch: number;
  n_core: number;
  n_core_not_value: number;
  n_changed_far_outside: number;
  max_click_offset: number;
  n_downs?: number;
  ended_by?: string;
  n_positions?: number;
}

/** Real click at a canvas-pixel point, the canvas scrolled into view first. */
async function click(page: LabPage, canvas: Locator, p: Point): Promise<void> {
  await canvas.scrollIntoViewIfNeeded();
  const [x, y] = await toPage(canvas, p);
  await page.mouse.click(x, y);
}

/**
 * Open a notebook whose first cell is SCENE + `setup` and whose second displays `w`; wait until
 * the canvas shows the kernel's image and mask at the `probe` image pixels.
 */
async function openTools(
  page: LabPage,
  tmpPath: string,
  setup: string,
  probe: readonly Point[]
): Promise<Locator> {
  const canvas = await openWidgetCanvas(page, tmpPath, SCENE + '\n\n' + setup);
  await expectCanvasShows(page, canvas, probe, { scroll: true });
  return canvas;
}

/** The gradient scene as is (all unlabelled), waited for at two pixels. */
async function openPlain(page: LabPage, tmpPath: string): Promise<Locator> {
  return openTools(page, tmpPath, '', [
    [20, 15],
    [100, 70]
  ]);
}

/** Assert an outline report: exact rule, tolerance band, value, positions near the clicks. */
function expectOutline(r: OutlineReport, value: number, minChanged: number): void {
  const text = JSON.stringify(r);
  expect(r.max_click_offset, text).toBeLessThanOrEqual(TOL_PX);
  expect(r.n_changed, text).toBeGreaterThanOrEqual(minChanged);
  expect(r.changed_values, text).toEqual([value]);
  expect(r.n_rule_mismatch, text).toBe(0);
  // The core (inside by more than the tolerance) is a large part of the outline's area.
  expect(r.n_core, text).toBeGreaterThanOrEqual(0.8 * minChanged);
  expect(r.n_core_not_value, text).toBe(0);
  expect(r.n_changed_far_outside, text).toBe(0);
}

/** Canvas points `t` of the way along a -> b, for t in (0.15 .. 0.85), rounded down. */
function alongEdge(a: Point, b: Point, n = 8): Point[] {
  const out: Point[] = [];
  for (let i = 0; i < n; i++) {
    const t = 0.15 + (0.7 * i) / (n - 1);
    out.push([Math.floor(a[0] + t * (b[0] - a[0])), Math.floor(a[1] + t * (b[1] - a[1]))]);
  }
  return out;
}

test.describe('seg-widget tools in JupyterLab', () => {
  test('polygon by real clicks: close on the first vertex, double-click, Enter; Backspace, Escape', async ({
    page,
    tmpPath
  }) => {
    const canvas = await openPlain(page, tmpPath);
    // Real keys on the focused canvas: polygon tool, class 3 (blue: far from the gradient).
    await pressOnCanvas(page, canvas, 'p', '3');
    await expect(toolButton(page, 'Polygon')).toHaveClass(/mod-active/);
    await expect(toolButton(page, 'Brush')).not.toHaveClass(/mod-active/);
    expect(
      await py(page, 'before = w.mask.copy(); _mark = len(events)', '[w.tool, w.label]')
    ).toEqual(['polygon', 3]);

    // --- Polygon 1, closed by clicking its first vertex again. ---
    const p1: Point[] = [
      [80, 60],
      [200, 50],
      [230, 140],
      [150, 190],
      [70, 150]
    ];
    // The front-end layer's canvases lie exactly over the kernel's canvas.
    await mouseAway(page);
    const box = { x: 70, y: 30, w: 140, h: 50 };
    const preview = page.locator('.seg-widget .seg-input-events').first(); // outlines are drawn here
    await click(page, canvas, p1[0]);
    await click(page, canvas, p1[1]);
    // The preview: pixels along the edge between the two received vertices changed.
    const received = await pyJSON<Point[]>(
      page,
      '[(x, y) for k, x, y in events[_mark:] if k == "down"]'
    );
    expect(received.length).toBe(2);
    const samples = alongEdge(received[0], received[1]);
    for (const [x, y] of samples) {
      expect(x >= box.x && x < box.x + box.w && y >= box.y && y < box.y + box.h).toBe(true);
    }
    const previewAlpha = async () => {
      const now = await canvasPixels(preview, box.x, box.y, box.w, box.h);
      return samples.map(([x, y]) => now[4 * ((y - box.y) * box.w + (x - box.x)) + 3]);
    };
    await expect
      .poll(async () => Math.min(...(await previewAlpha())), {
        message: 'the preview edge between the first two vertices is drawn over the canvas'
      })
      .toBeGreaterThan(0);
    for (const p of p1.slice(2)) {
      await click(page, canvas, p);
    }
    await click(page, canvas, p1[0]);
    await mouseAway(page);
    const q1 = await py<{ r: OutlineReport; under: Point[] }>(
      page,
      `_r = check_polygon(before, _mark, ${JSON.stringify([...p1, p1[0]])}, 5, 3)\n` +
        'before = w.mask.copy(); _mark = len(events)',
      `{"r": _r, "under": [pixel_under(x, y) for x, y in ${JSON.stringify(samples)}]}`
    );
    expect(q1.r.n_downs, 'five vertices and the closing click').toBe(6);
    expect(q1.r.n_vertices).toBe(5);
    expectOutline(q1.r, 3, 800); // area 878 image px
    // After closing, the preview is gone: the edge pixels show exactly image + overlay.
    await expectCanvasShows(page, canvas, q1.under, { scroll: true });
    expect(Math.max(...(await previewAlpha())), 'no preview left over the canvas').toBe(0);

    // --- Polygon 2 (class 2, by key), closed with a real double-click on its last vertex. ---
    await pressOnCanvas(page, canvas, '2');
    const p2: Point[] = [
      [300, 60],
      [430, 70],
      [410, 170],
      [320, 150]
    ];
    for (const p of p2.slice(0, 3)) {
      await click(page, canvas, p);
    }
    await canvas.scrollIntoViewIfNeeded();
    await page.mouse.dblclick(...(await toPage(canvas, p2[3])));
    await mouseAway(page);
    const q2 = await py<{ r: OutlineReport; label: number }>(
      page,
      `_r = check_polygon(before, _mark, ${JSON.stringify([...p2, p2[3]])}, 4, 2)\n` +
        'before = w.mask.copy(); _mark = len(events); _edits = w.edit_count',
      '{"r": _r, "label": w.label}'
    );
    expect(q2.label).toBe(2);
    expect(q2.r.n_downs, 'four vertices, the last one the double-click').toBe(5);
    expectOutline(q2.r, 2, 500); // area 563 image px

    // --- Polygon 3 (class 1): five clicks, Backspace drops the fifth (a spike), Enter closes. ---
    await pressOnCanvas(page, canvas, '1');
    const p3: Point[] = [
      [120, 240],
      [260, 230],
      [280, 330],
      [150, 350],
      [480, 300] // the spike, removed again
    ];
    for (const p of p3) {
      await click(page, canvas, p);
    }
    // The last click left the focus on the canvas.
    await page.keyboard.press('Backspace');
    await page.keyboard.press('Enter');
    await mouseAway(page);
    const q3 = await py<{ r: OutlineReport; spike: number; spikeChanged: number }>(
      page,
      `_r = check_polygon(before, _mark, ${JSON.stringify(p3)}, 4, 1)\n` +
        '_downs = [(x, y) for k, x, y in events[_mark:] if k == "down"]\n' +
        '_spike = footprint_mask([to_rc(x, y) for x, y in _downs]) & ' +
        '~footprint_mask([to_rc(x, y) for x, y in _downs[:4]])\n' +
        '_spike_changed = int((_spike & (w.mask != before)).sum())\n' +
        'before = w.mask.copy(); _mark = len(events); _edits = w.edit_count',
      '{"r": _r, "spike": int(_spike.sum()), "spikeChanged": _spike_changed}'
    );
    expect(q3.r.n_downs, 'five clicks, no closing click').toBe(5);
    expectOutline(q3.r, 1, 700); // area 784 image px
    expect(q3.spike, 'the spike vertex would have added pixels').toBeGreaterThan(200);
    expect(q3.spikeChanged, 'no pixel of the removed spike was filled').toBe(0);

    // --- Polygon 4: three clicks, then Escape cancels: nothing filled, preview gone. ---
    const p4: Point[] = [
      [350, 230],
      [520, 250],
      [460, 360]
    ];
    for (const p of p4) {
      await click(page, canvas, p);
    }
    await page.keyboard.press('Escape');
    await mouseAway(page);
    const q4 = await py<{ unchanged: boolean; edits: number; downs: number; under: Point[] }>(
      page,
      '',
      '{"unchanged": bool((w.mask == before).all()), "edits": w.edit_count - _edits, ' +
        '"downs": sum(k == "down" for k, *_ in events[_mark:]), ' +
        `"under": [pixel_under(x, y) for x, y in ${JSON.stringify([
          ...alongEdge(p4[0], p4[1], 4),
          ...alongEdge(p4[1], p4[2], 4)
        ])}]}`
    );
    expect(q4).toMatchObject({ unchanged: true, edits: 0, downs: 3 });
    await expectCanvasShows(page, canvas, q4.under, { scroll: true });
    // The cancelled vertices are forgotten: Enter now fills nothing.
    await pressOnCanvas(page, canvas, 'Enter');
    expect(await pyJSON(page, '[bool((w.mask == before).all()), w.edit_count - _edits]')).toEqual(
      [true, 0]
    );
  });

  test("lasso by a real drag fills the dragged loop; 'x' then a smaller loop erases", async ({
    page,
    tmpPath
  }) => {
    const canvas = await openPlain(page, tmpPath);
    await pressOnCanvas(page, canvas, 'o');
    await expect(toolButton(page, 'Lasso')).toHaveClass(/mod-active/);
    expect(await py(page, 'before = w.mask.copy()', '[w.tool, w.label, w.erase]')).toEqual([
      'lasso',
      1,
      false
    ]);
    // A closed, non-convex loop (back to its start), dragged in small steps.
    const loop: Point[] = [
      [140, 80],
      [280, 50],
      [420, 90],
      [470, 200],
      [400, 320],
      [300, 260],
      [220, 330],
      [110, 280],
      [90, 170],
      [140, 80]
    ];
    await drag(page, canvas, loop, { steps: 10 });
    await mouseAway(page);
    const r1 = await py<OutlineReport>(
      page,
      `_r = check_lasso(before, ${JSON.stringify(loop.slice(0, -1))}, 1)\nbefore = w.mask.copy()`,
      '_r'
    );
    const t1 = JSON.stringify(r1);
    expect(r1.ended_by, t1).toBe('up');
    expect(r1.n_positions, t1).toBeGreaterThanOrEqual(80);
    expect(r1.n_vertices, t1).toBeGreaterThanOrEqual(60);
    expectOutline(r1, 1, 3700); // area 4120 image px

    // Erase mode by the real 'x' key: the Erase toggle button becomes active.
    const eraseButton = page.locator('.seg-widget button[title^="Erase instead of paint"]');
    await expect(eraseButton).not.toHaveClass(/mod-active/);
    await pressOnCanvas(page, canvas, 'x');
    await expect(eraseButton).toHaveClass(/mod-active/);
    // A smaller loop inside the first: its pixels become 0, the rest stays.
    const inner: Point[] = [
      [230, 120],
      [340, 110],
      [380, 190],
      [300, 230],
      [240, 200],
      [230, 120]
    ];
    await drag(page, canvas, inner, { steps: 10 });
    await mouseAway(page);
    const r2 = await py<OutlineReport & { erase: boolean; left: number }>(
      page,
      `_r = check_lasso(before, ${JSON.stringify(inner.slice(0, -1))}, 0)`,
      '{**_r, "erase": w.erase, "left": int((w.mask == 1).sum())}'
    );
    expect(r2.erase).toBe(true);
    expect(r2.ended_by).toBe('up');
    expectOutline(r2, 0, 600); // area 682 image px
    expect(r2.left, 'class 1 left around the erased loop').toBeGreaterThan(1000);
    // The browser shows the result: an erased pixel, a labelled one, an untouched one.
    const show = await pyJSON<Point[]>(
      page,
      '[pixel_under(300, 170), pixel_under(160, 130), pixel_under(30, 30)]'
    );
    await expectCanvasShows(page, canvas, show, { scroll: true });
  });

  test("fill: 'f' and real clicks fill 4-connected regions; Ctrl+Z / Ctrl+Shift+Z on the canvas", async ({
    page,
    tmpPath
  }) => {
    // A one-pixel ring of class 2 around rows 21-59, cols 31-89, whose left wall has a
    // diagonal step at rows 40-41: inside and outside touch only at a corner (8-connected).
    const setup = `\
ring = np.zeros((H, W), np.uint8)
ring[20, 30:91] = ring[60, 30:91] = 2
ring[20:61, 30] = ring[20:61, 90] = 2
ring[41, 30] = 0
ring[41:43, 31] = 2
w.mask = ring
INSIDE, OUTSIDE = (30, 60), (75, 110)  # (row, col)`;
    const canvas = await openTools(page, tmpPath, setup, [
      [60, 30],
      [60, 20]
    ]);
    const g = await py<{ inside: Point; outside: Point; leak8: boolean }>(
      page,
      'before = w.mask.copy(); _mark = len(events)',
      '{"inside": canvas_of_pixel(INSIDE[1], INSIDE[0]), ' +
        '"outside": canvas_of_pixel(OUTSIDE[1], OUTSIDE[0]), ' +
        '"leak8": bool(region_of(ring, OUTSIDE, 2)[INSIDE])}'
    );
    expect(g.leak8, 'the inside touches the outside 8-connected (so 4 vs 8 matters)').toBe(
      true
    );
    await pressOnCanvas(page, canvas, 'f', '3');
    await expect(toolButton(page, 'Fill')).toHaveClass(/mod-active/);

    type FillReport = {
      seed: Point;
      exact: boolean;
      n_region: number;
      n_changed: number;
      values: number[];
    };
    const fillReport =
      '(lambda seed: {"seed": [seed[1], seed[0]], ' +
      '"exact": bool((w.mask == np.where(region_of(before, seed), w.label, before)).all()), ' +
      '"n_region": int(region_of(before, seed).sum()), ' +
      '"n_changed": int((w.mask != before).sum()), ' +
      '"values": sorted({int(v) for v in w.mask[w.mask != before]})})' +
      '(tuple(math.floor(v) for v in reversed(w.canvas_to_image(' +
      '*[e[1:] for e in events[_mark:] if e[0] == "down"][-1]))))';

    // Inside: exactly the enclosed unlabelled region (4-connected: no leak through the corner).
    await click(page, canvas, g.inside);
    const f1 = await py<FillReport & { label: number; tool: string }>(
      page,
      '',
      `{**${fillReport}, "label": w.label, "tool": w.tool}`
    );
    expect([f1.tool, f1.label]).toEqual(['fill', 3]);
    expect(f1.seed, 'the clicked pixel').toEqual([60, 30]);
    expect(f1.exact, JSON.stringify(f1)).toBe(true);
    // Rows 21-59 x cols 31-89, minus the step pixels (41, 31), (42, 31), plus nothing else.
    expect(f1.n_region).toBe(39 * 59 - 2);
    expect(f1.n_changed).toBe(f1.n_region);
    expect(f1.values).toEqual([3]);

    // Outside, class 1 by key: the outside region only; the ring and the inside stay.
    await runPython(page, 'after_inside = w.mask.copy(); before = after_inside; _mark = len(events)');
    await pressOnCanvas(page, canvas, '1');
    await click(page, canvas, g.outside);
    const f2 = await py<FillReport & { ring: boolean; inside: boolean }>(
      page,
      'after_outside = w.mask.copy()',
      `{**${fillReport}, "ring": bool((w.mask[ring == 2] == 2).all()), ` +
        '"inside": bool((w.mask == 3).sum() == 39 * 59 - 2)}'
    );
    expect(f2.seed).toEqual([110, 75]);
    expect(f2.exact, JSON.stringify(f2)).toBe(true);
    // Everything but the 41 x 61 box of ring and inside, plus the notch at (41, 30).
    expect(f2.n_region).toBe(90 * 130 - 41 * 61 + 1);
    expect(f2.values).toEqual([1]);
    expect([f2.ring, f2.inside]).toEqual([true, true]);

    // Ctrl+Z typed on the canvas undoes the outside fill; Ctrl+Shift+Z redoes it.
    await pressOnCanvas(page, canvas, 'Control+z');
    expect(
      await pyJSON(page, '[bool((w.mask == after_inside).all()), w.can_undo, w.can_redo]')
    ).toEqual([true, true, true]);
    await pressOnCanvas(page, canvas, 'Control+Shift+Z');
    expect(
      await pyJSON(page, '[bool((w.mask == after_outside).all()), w.can_redo]')
    ).toEqual([true, false]);
    const shown: Point[] = [
      [60, 30],
      [110, 75],
      [30, 20],
      [30, 41]
    ];
    await expectCanvasShows(page, canvas, shown, { scroll: true });
  });

  test('find what is missing: show missing, find a hole, zoom to it, fill it', async ({
    page,
    tmpPath
  }) => {
    const setup = `\
start = np.zeros((H, W), np.uint8)
start[10:30, 10:30] = 1   # cat, with a one-pixel hole
start[20, 20] = 0
start[50:70, 40:60] = 2   # dog
start[20:40, 80:100] = 3  # bird
start[75, 100:103] = 2    # a 3-pixel speck
w.mask = start
HOLE = (20, 20)  # (row, col)`;
    const canvas = await openTools(page, tmpPath, setup, [
      [20, 20],
      [15, 15],
      [5, 80]
    ]);
    // U: unlabelled background pixel, L: labelled pixel (cat); their colours before.
    const q0 = await py<{ u: Point; l: Point; zoom: number }>(
      page,
      '_U, _L = canvas_of_pixel(5, 80), canvas_of_pixel(15, 15)',
      '{"u": _U, "l": _L, "zoom": w.zoom}'
    );
    await mouseAway(page);
    const u0 = await canvasPixels(canvas, ...q0.u);
    const l0 = await canvasPixels(canvas, ...q0.l);

    // Open the "Find what is missing" accordion by its title; toggle the real button.
    await page.locator('.seg-widget .jupyter-widget-Collapse-header', {
      hasText: 'Find what is missing'
    }).click();
    const showMissing = page.locator('.seg-widget button', { hasText: 'Show missing' });
    await expect(showMissing).toBeVisible();
    await expect(showMissing).not.toHaveClass(/mod-active/);
    await showMissing.click();
    await expect(showMissing).toHaveClass(/mod-active/);
    expect(await pyJSON(page, 'w.show_missing')).toBe(true);
    // The unlabelled pixel turns magenta-tinted (exact colour from the kernel), the labelled
    // one does not.
    const expected = await pyJSON<{ u: number[]; l: number[] }>(
      page,
      '{"u": expected_rgb(*_U), "l": expected_rgb(*_L)}'
    );
    await canvas.scrollIntoViewIfNeeded();
    await mouseAway(page);
    await expectPixelShows(canvas, q0.u, expected.u, `unlabelled pixel should show ${expected.u}`);
    await expectPixelShows(canvas, q0.l, expected.l, `labelled pixel should show ${expected.l}`);
    const u1 = await canvasPixels(canvas, ...q0.u);
    const l1 = await canvasPixels(canvas, ...q0.l);
    const colours = JSON.stringify({ u0, u1, l0, l1 });
    expect(rgbDiff(u1, u0), `unlabelled pixel changed: ${colours}`).toBeGreaterThanOrEqual(100);
    expect(rgbDiff(u1, l1), `unlabelled vs labelled: ${colours}`).toBeGreaterThanOrEqual(100);
    expect(u1[0], colours).toBeGreaterThanOrEqual(200);
    expect(u1[2], colours).toBeGreaterThanOrEqual(200);
    expect(u1[1], colours).toBeLessThanOrEqual(40);

    // Find holes: one listed, the one-pixel hole in the cat square (not the speck).
    await page.locator('.seg-widget button', { hasText: 'Find holes' }).click();
    const list = page.locator('.seg-widget .widget-select select');
    await expect(list.locator('option')).toHaveText(['hole · 1 px · x 20, y 20 · in cat']);
    await expect(page.locator('.seg-widget', { hasText: '1 hole found' })).toHaveCount(1);
    await list.selectOption({ index: 0 });
    await expect.poll(() => pyJSON<number>(page, 'w.zoom')).toBeGreaterThan(q0.zoom);
    const z = await pyJSON<{ zoom: number; hole: Point; centre: Point; rgb: number[] }>(
      page,
      '{"zoom": w.zoom, "hole": w.image_to_canvas(HOLE[1] + 0.5, HOLE[0] + 0.5), ' +
        '"centre": [w.canvas.width / 2, w.canvas.height / 2], ' +
        '"rgb": expected_rgb(w.canvas.width // 2, w.canvas.height // 2)}'
    );
    const zt = JSON.stringify(z);
    expect(z.zoom, zt).toBeGreaterThan(q0.zoom * 2);
    expect(Math.abs(z.hole[0] - z.centre[0]), zt).toBeLessThanOrEqual(TOL_PX);
    expect(Math.abs(z.hole[1] - z.centre[1]), zt).toBeLessThanOrEqual(TOL_PX);
    // The canvas centre shows the hole's magenta, as computed in the kernel.
    const centre: Point = [Math.floor(z.centre[0]), Math.floor(z.centre[1])];
    await canvas.scrollIntoViewIfNeeded();
    await mouseAway(page);
    await expectPixelShows(canvas, centre, z.rgb, `canvas centre should show the hole's ${z.rgb}`);
    const c1 = await canvasPixels(canvas, ...centre);
    expect(c1[0] >= 200 && c1[2] >= 200 && c1[1] <= 40, `magenta at the centre: ${c1}`).toBe(
      true
    );

    // Fill holes: the hole gets its square's class; nothing else changes (the speck stays).
    await page.locator('.seg-widget button', { hasText: 'Fill holes' }).click();
    await expect(page.locator('.seg-widget', { hasText: '1 pixel changed' })).toHaveCount(1);
    const filled = await pyJSON<{ hole: number; changed: number; speck: number[] }>(
      page,
      '{"hole": int(w.mask[HOLE]), "changed": int((w.mask != start).sum()), ' +
        '"speck": w.mask[75, 100:103].tolist()}'
    );
    expect(filled).toEqual({ hole: 1, changed: 1, speck: [2, 2, 2] });
    await expect(list.locator('option')).toHaveCount(0);
    // And the canvas centre now shows the cat colour over the dimmed image.
    await expectCanvasShows(page, canvas, [[20, 20]], { scroll: true });
  });
});
