/**
 * seg-widget in a real JupyterLab + Chromium: real mouse drags, wheel, keys and sliders, every
 * result checked against the kernel's `w.mask` (read back with pyJSON) or the canvas' pixels.
 *
 * Tests 1-6 share one small synthetic scene (SCENE): a 130 x 90 RGB gradient shown fitted into
 * a 560 px wide view (zoom 560/130 = 4.31 canvas px per image px, deliberately not an integer),
 * with a 10 x 10 block of class 2 ("dog") at rows 40-49, cols 60-69. Each test opens its own
 * notebook (own kernel), so the tests are independent.
 *
 * Expectations are computed in the kernel by KERNEL_CHECKS, independently of the widget's
 * rasteriser: the README's painting rule (positions snapped to pixel centres, a brush of diameter
 * d paints pixels whose centre lies within d/2 of the segment between consecutive positions)
 * applied with plain numpy to the positions the kernel received, and a tolerance check against
 * the path the test dragged (±2 canvas px, converted to image px through the zoom, plus half a
 * pixel diagonal for the snapping).
 *
 * Test 7 renders the README screenshot (docs/screenshot.png, repo root) from skimage's coffee
 * photo, painted by real drags and shortcut keys, stored as a dithered 256-colour PNG.
 *
 * Mouse positions reach the kernel truncated to whole CSS px (MouseEvent.clientX/Y are integers
 * in Chromium), i.e. up to 1 px up/left of the target: hence the ±2 px tolerance (TOL_PX).
 */
import * as fs from 'fs';
import * as path from 'path';
import { expect, test } from '@jupyterlab/galata';
import type { Locator } from '@playwright/test';
import {
  canvasPixels,
  drag,
  type LabPage,
  type Point,
  pyJSON,
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
  TOL_RGB,
  toolButton
} from './scene';

/** The gradient scene with a class-2 block, recording wheel events too. */
const SCENE = gradientScene({
  start: 'start = np.zeros((H, W), np.uint8)\nstart[40:50, 60:70] = 2',
  wheel: true
});

/** KERNEL_HELPERS and check_stroke (the painting rule, see the top comment). */
const KERNEL_CHECKS = `\
${KERNEL_HELPERS}


def check_stroke(before, path, diameter, value, tol_px=${TOL_PX}):
    """Compare w.mask after a real drag along canvas points \`path\` with the painting rule."""
    positions, ended_by = last_drag()
    # 1. Exact: the rule applied to the positions the kernel received.
    snapped = [
        (math.floor(c) + 0.5, math.floor(r) + 0.5)
        for c, r in (w.canvas_to_image(x, y) for x, y in positions)
    ]
    footprint = distance_to_polyline(snapped) <= diameter / 2 + 1e-9
    expected = np.where(footprint, value, before)
    # 2. Tolerant: against the path the browser dragged, in image coordinates.
    dist = distance_to_polyline([w.canvas_to_image(x, y) for x, y in path])
    slack = math.sqrt(0.5) + tol_px / w.zoom  # centre snapping + mouse coordinate tolerance
    changed = w.mask != before
    core = dist <= diameter / 2 - slack
    # The pixels right under 50 interior points of every dragged segment.
    samples = [
        w.canvas_to_image(ax + t * (bx - ax), ay + t * (by - ay))
        for (ax, ay), (bx, by) in zip(path[:-1], path[1:])
        for t in np.linspace(0.02, 0.98, 50)
    ]
    under = {(math.floor(c), math.floor(r)) for c, r in samples}
    return {
        "ended_by": ended_by,
        "n_positions": len(positions),
        "max_position_offset": max(canvas_distance(p, path) for p in positions),
        "n_changed": int(changed.sum()),
        "changed_values": sorted({int(v) for v in w.mask[changed]}),
        "n_rule_mismatch": int((w.mask != expected).sum()),
        "max_changed_distance": float(dist[changed].max()) if changed.any() else 0.0,
        "outer_limit": diameter / 2 + slack,
        "n_core": int(core.sum()),
        "n_core_not_value": int((core & (w.mask != value)).sum()),
        "n_changed_outside_outer": int((changed & (dist > diameter / 2 + slack)).sum()),
        "n_under_path": len(under),
        "n_under_path_not_value": sum(int(w.mask[r, c]) != value for c, r in under),
    }`;

interface StrokeReport {
  ended_by: string;
  n_positions: number;
  max_position_offset: number;
  n_changed: number;
  changed_values: number[];
  n_rule_mismatch: number;
  max_changed_distance: number;
  outer_limit: number;
  n_core: number;
  n_core_not_value: number;
  n_changed_outside_outer: number;
  n_under_path: number;
  n_under_path_not_value: number;
}

interface Opened {
  canvas: Locator;
  /** Image (col, row) -> canvas (x, y) for the view as opened (fitted), computed here. */
  toCanvas: (points: readonly Point[]) => Point[];
}

/**
 * Open a notebook whose first cell is `setup` + KERNEL_CHECKS and whose second cell displays
 * `w`; wait until the visible canvas shows the kernel's image and mask at `probe` image pixels.
 */
async function openWidget(
  page: LabPage,
  tmpPath: string,
  setup: string,
  probe: readonly Point[]
): Promise<Opened> {
  const canvas = await openWidgetCanvas(page, tmpPath, setup + '\n\n\n' + KERNEL_CHECKS);
  // Default pixel_ratio 1: canvas pixels = CSS pixels.
  const size = await canvas.evaluate((el: HTMLCanvasElement) => {
    const r = el.getBoundingClientRect();
    return [el.width, el.height, Math.round(r.width), Math.round(r.height)];
  });
  // Image and overlay arrive after client_ready: wait for their exact colours.
  const view = await expectCanvasShows(page, canvas, probe);
  expect(size).toEqual([...view.size, ...view.size]);
  const [ox, oy] = view.origin;
  const toCanvas = (points: readonly Point[]) =>
    points.map(([c, r]): Point => [ox + c * view.zoom, oy + r * view.zoom]);
  return { canvas, toCanvas };
}

/** The synthetic scene of tests 1-6, waited for at an unlabelled and a labelled pixel. */
async function openScene(page: LabPage, tmpPath: string): Promise<Opened> {
  return openWidget(page, tmpPath, SCENE, [
    [20, 30],
    [65, 45]
  ]);
}

/** Assert a stroke report: exact rule, tolerance band around the dragged path, class value. */
function expectStroke(r: StrokeReport, value: number, minChanged: number): void {
  const text = JSON.stringify(r);
  expect(r.ended_by, text).toBe('up');
  expect(r.n_positions, text).toBeGreaterThanOrEqual(10);
  expect(r.max_position_offset, text).toBeLessThanOrEqual(TOL_PX);
  expect(r.n_changed, text).toBeGreaterThanOrEqual(minChanged);
  expect(r.changed_values, text).toEqual([value]);
  expect(r.n_rule_mismatch, text).toBe(0);
  expect(r.max_changed_distance, text).toBeLessThanOrEqual(r.outer_limit);
  expect(r.n_changed_outside_outer, text).toBe(0);
  expect(r.n_core, text).toBeGreaterThan(0);
  expect(r.n_core_not_value, text).toBe(0);
  expect(r.n_under_path, text).toBeGreaterThanOrEqual(5);
  expect(r.n_under_path_not_value, text).toBe(0);
}

function classButton(page: LabPage, text: string): Locator {
  return page.locator('.seg-widget .seg-class-list button', { hasText: text });
}

function sidePanelSlider(page: LabPage, description: string): Locator {
  return page.locator('.seg-widget .widget-hslider', {
    has: page.locator('.widget-label', { hasText: description })
  });
}

test.describe('seg-widget in JupyterLab', () => {
  test('a real mouse drag paints the selected class under the dragged path', async ({
    page,
    tmpPath
  }) => {
    const { canvas } = await openScene(page, tmpPath);

    // Select class 3 with its side-panel button (the default is 1); the brush is the default.
    await classButton(page, '3: bird').click();
    await expect
      .poll(() => pyJSON(page, '[w.label, w.tool, w.brush_size]'))
      .toEqual([3, 'brush', 9]);

    // A bent path in canvas px through unlabelled pixels and across the class-2 block (image
    // rows 40-49, cols 60-69, i.e. canvas x 258-302, y 172-215), well inside the image.
    const dragged: Point[] = [
      [90, 90],
      [300, 150],
      [270, 300]
    ];
    await drag(page, canvas, dragged, { steps: 15 });
    const r = await py<{ stroke: StrokeReport; old: number[]; mid: Point; midValue: number }>(
      page,
      `_mid = [math.floor(v) for v in w.canvas_to_image(195, 120)]`,
      `{"stroke": check_stroke(start, ${JSON.stringify(dragged)}, w.brush_size, w.label), ` +
        `"old": sorted(set(start[w.mask != start].tolist())), ` +
        `"mid": _mid, "midValue": int(w.mask[_mid[1], _mid[0]])}`
    );
    // Overwrite mode: class-2 pixels under the brush became 3 as well; nothing else changed.
    expectStroke(r.stroke, 3, 500);
    expect(r.old, 'the stroke overwrote unlabelled and class-2 pixels').toEqual([0, 2]);
    expect(r.midValue, 'pixel under the path midpoint').toBe(3);

    // The browser shows the kernel's result: a painted pixel under the path, an untouched one.
    await expectCanvasShows(page, canvas, [r.mid, [20, 30]]);
  });

  test('the real mouse wheel zooms about the cursor, then painting lands there', async ({
    page,
    tmpPath
  }) => {
    const { canvas } = await openScene(page, tmpPath);
    const P: Point = [150, 120];
    const q0 = await py<{ zoom: number; at: Point; mark: number }>(
      page,
      '_mark = len(events)',
      `{"zoom": w.zoom, "at": w.canvas_to_image(*${JSON.stringify(P)}), "mark": _mark}`
    );
    // Running the cells scrolled the notebook: bring the canvas back under the mouse.
    await canvas.scrollIntoViewIfNeeded();
    const box0 = await canvas.boundingBox();
    const [px, py_] = await toPage(canvas, P);
    await page.mouse.move(px, py_);
    await page.mouse.wheel(0, -100);
    await page.mouse.wheel(0, -100);
    // Read the position before the next cell runs (running a cell may scroll the notebook).
    await page.waitForTimeout(300);
    const boxAfterWheel = await canvas.boundingBox();
    const q1 = await py<{ zoom: number; at: Point; wheels: number[]; hover: Point }>(
      page,
      `_new = events[${q0.mark}:]`,
      `{"zoom": w.zoom, "at": w.canvas_to_image(*${JSON.stringify(P)}), ` +
        `"wheels": [e[2] for e in _new if e[0] == "wheel"], ` +
        `"hover": [e[1:] for e in _new if e[0] == "move"][-1]}`
    );
    const text = JSON.stringify({ q0, q1 });
    // The wheel did not scroll the notebook: the canvas swallows it.
    expect(boxAfterWheel, 'canvas position after the wheel').toEqual(box0);
    // Two wheel events arrived (zoom in = negative deltaY), the mouse_move before them at P.
    expect(q1.wheels.length, text).toBe(2);
    expect(Math.max(...q1.wheels), text).toBeLessThan(0);
    expect(Math.hypot(q1.hover[0] - P[0], q1.hover[1] - P[1]), text).toBeLessThanOrEqual(TOL_PX);
    // Zoomed in by the widget's per-wheel-delta factor (1.25 per 100 px of deltaY).
    const expectedZoom = q0.zoom * 1.25 ** (-q1.wheels.reduce((a, b) => a + b, 0) / 100);
    expect(q1.zoom, text).toBeGreaterThan(q0.zoom * 1.2);
    expect(q1.zoom, text).toBeCloseTo(expectedZoom, 6);
    // The image point under the cursor stayed under it (±TOL_PX canvas px, in image px).
    const tolImage = TOL_PX / q0.zoom;
    expect(Math.abs(q1.at[0] - q0.at[0]), text).toBeLessThanOrEqual(tolImage);
    expect(Math.abs(q1.at[1] - q0.at[1]), text).toBeLessThanOrEqual(tolImage);

    // The browser redrew at the new zoom: exact colours at the zoom point and the block.
    const atP: Point = [Math.floor(q0.at[0]), Math.floor(q0.at[1])];
    await expectCanvasShows(page, canvas, [atP, [60, 40]]);

    // Paint a short stroke through P: the pixels land at the right image place.
    const dragged: Point[] = [[P[0] - 40, P[1] - 5], P, [P[0] + 25, P[1] + 30]];
    await drag(page, canvas, dragged, { steps: 12 });
    const r = await pyJSON<{ stroke: StrokeReport; atP: number }>(
      page,
      `{"stroke": check_stroke(start, ${JSON.stringify(dragged)}, w.brush_size, w.label), ` +
        `"atP": int(w.mask[${atP[1]}, ${atP[0]}])}`
    );
    expectStroke(r.stroke, 1, 60);
    expect(r.atP, 'the image pixel under P before zooming is painted').toBe(1);
  });

  test('the Brightness slider changes the image pixels but not the labels or their colour', async ({
    page,
    tmpPath
  }) => {
    const { canvas } = await openScene(page, tmpPath);
    // A: unlabelled image pixel; B: inside the class-2 block.
    type Probe = { a: Point; b: Point; imgA: number[]; imgB: number[]; cls: number[] };
    const q0 = await py<Probe & { opacity: number }>(
      page,
      'before = w.mask.copy(); _edits = w.edit_count',
      `{"a": canvas_of_pixel(20, 30), "b": canvas_of_pixel(65, 45), ` +
        `"imgA": image[30, 20].tolist(), "imgB": image[45, 65].tolist(), ` +
        `"cls": list(w.classes[2].color[:3]), "opacity": w.opacity}`
    );
    await mouseAway(page);
    const a0 = await canvasPixels(canvas, ...q0.a);
    const b0 = await canvasPixels(canvas, ...q0.b);

    // The real slider: click its handle, then 10 x ArrowRight = 10 steps of 0.05.
    const slider = sidePanelSlider(page, 'Brightness');
    await expect(slider.locator('.widget-readout')).toHaveText('1.00');
    await slider.locator('.noUi-handle').click();
    for (let i = 0; i < 10; i++) {
      await page.keyboard.press('ArrowRight');
    }
    await expect(slider.locator('.widget-readout')).toHaveText('1.50');
    const q1 = await pyJSON<{ brightness: number; unchanged: boolean; edits: number }>(
      page,
      '{"brightness": w.brightness, "unchanged": bool((w.mask == before).all()), ' +
        '"edits": w.edit_count - _edits}'
    );
    expect(q1.brightness).toBeCloseTo(1.5, 9);
    expect(q1.unchanged, 'w.mask unchanged by the brightness slider').toBe(true);
    expect(q1.edits, 'no edit recorded').toBe(0);

    // A: the image colour is multiplied by 1.5 on the canvas (before: exactly the image).
    const brighter = (rgb: number[]) => rgb.map(v => Math.min(255, v * 1.5));
    expect(rgbDiff(a0, q0.imgA), `A before: ${a0} vs ${q0.imgA}`).toBeLessThanOrEqual(TOL_RGB);
    await expectPixelShows(canvas, q0.a, brighter(q0.imgA), `A should show 1.5 x ${q0.imgA}`);
    const a1 = await canvasPixels(canvas, ...q0.a);
    expect(rgbDiff(a1, a0), `A changed: ${a0} -> ${a1}`).toBeGreaterThanOrEqual(30);

    // B: canvas = (1 - opacity) * brightened image + opacity * class colour, so the overlay's
    // contribution (canvas minus the image part) is opacity * class colour before and after.
    const b1 = await canvasPixels(canvas, ...q0.b);
    const op = q0.opacity;
    const overlayPart = (canvasRGB: number[], imageRGB: number[]) =>
      [0, 1, 2].map(i => canvasRGB[i] - (1 - op) * imageRGB[i]);
    const classPart = q0.cls.map(v => op * v);
    const text = JSON.stringify({ b0, b1, q0 });
    expect(rgbDiff(overlayPart(b0, q0.imgB), classPart), text).toBeLessThanOrEqual(TOL_RGB);
    expect(rgbDiff(overlayPart(b1, brighter(q0.imgB)), classPart), text).toBeLessThanOrEqual(
      TOL_RGB
    );
    expect(rgbDiff(b1, b0), `B's image part changed: ${b0} -> ${b1}`).toBeGreaterThanOrEqual(10);
  });

  test("the real 'e' key selects the eraser, and a drag erases only under its path", async ({
    page,
    tmpPath
  }) => {
    const { canvas, toCanvas } = await openScene(page, tmpPath);
    // Brush (class 1) along image row 30.5, above the class-2 block.
    const brushPath = toCanvas([
      [30.5, 30.5],
      [100.5, 30.5]
    ]);
    await drag(page, canvas, brushPath, { steps: 20 });
    // The canvas took focus with the mouse-down: the key goes to the widget.
    await page.keyboard.press('e');
    await expect(toolButton(page, 'Eraser')).toHaveClass(/mod-active/);
    await expect(toolButton(page, 'Brush')).not.toHaveClass(/mod-active/);
    const q = await py<{ tool: string; brush: StrokeReport }>(
      page,
      `_brush = check_stroke(start, ${JSON.stringify(brushPath)}, 9, 1)\n` +
        'before = w.mask.copy()',
      '{"tool": w.tool, "brush": _brush}'
    );
    expectStroke(q.brush, 1, 300);
    expect(q.tool).toBe('eraser');

    // Erase diagonally across the brush stroke and the class-2 block.
    const eraserPath = toCanvas([
      [45.2, 15.7],
      [66.3, 60.1]
    ]);
    await drag(page, canvas, eraserPath, { steps: 20 });
    const r = await pyJSON<{ stroke: StrokeReport; old: number[]; left: number[] }>(
      page,
      `{"stroke": check_stroke(before, ${JSON.stringify(eraserPath)}, w.brush_size, 0), ` +
        `"old": sorted(set(before[w.mask != before].tolist())), ` +
        `"left": [int((w.mask == 1).sum()), int((w.mask == 2).sum())]}`
    );
    expectStroke(r.stroke, 0, 50);
    expect(r.old, 'erased pixels of both classes').toEqual([1, 2]);
    expect(r.left[0], 'class 1 left outside the eraser path').toBeGreaterThan(200);
    expect(r.left[1], 'class 2 left outside the eraser path').toBeGreaterThan(30);
  });

  test('Ctrl+Z / Ctrl+Shift+Z / Ctrl+Y typed on the canvas undo and redo a stroke', async ({
    page,
    tmpPath
  }) => {
    const { canvas } = await openScene(page, tmpPath);
    // Focus the canvas without clicking it (a click would paint), select class 2 by key.
    await pressOnCanvas(page, canvas, '2');
    const dragged: Point[] = [
      [60, 300],
      [200, 250],
      [420, 320]
    ];
    await drag(page, canvas, dragged, { steps: 15 });
    // The canvas kept focus after the drag.
    await page.keyboard.press('Control+z');
    const undone = await py<{ label: number; restored: boolean; can: boolean[] }>(
      page,
      '',
      '{"label": w.label, "restored": bool((w.mask == start).all()), ' +
        '"can": [w.can_undo, w.can_redo]}'
    );
    expect(undone).toEqual({ label: 2, restored: true, can: [false, true] });

    // Running that cell moved the focus away; focus the canvas again and redo.
    await pressOnCanvas(page, canvas, 'Control+Shift+Z');
    const redone = await py<{ stroke: StrokeReport; can: boolean[] }>(
      page,
      'painted = w.mask.copy()',
      `{"stroke": check_stroke(start, ${JSON.stringify(dragged)}, w.brush_size, 2), ` +
        '"can": [w.can_undo, w.can_redo]}'
    );
    expectStroke(redone.stroke, 2, 500);
    expect(redone.can).toEqual([true, false]);

    // Once more with Ctrl+Z then Ctrl+Y, typed in a row; the undo/redo buttons follow.
    await pressOnCanvas(page, canvas, 'Control+z');
    const undoButton = page.locator('.seg-widget button[title^="Undo"]');
    const redoButton = page.locator('.seg-widget button[title^="Redo"]');
    await expect(redoButton).toBeEnabled();
    await expect(undoButton).toBeDisabled();
    await page.keyboard.press('Control+y');
    await expect(undoButton).toBeEnabled();
    await expect(redoButton).toBeDisabled();
    expect(
      await pyJSON(page, '[bool((w.mask == painted).all()), int((w.mask != start).sum())]')
    ).toEqual([true, redone.stroke.n_changed]);
  });

  test('at zoom 8 every labelled image pixel is a uniform square with a sharp edge', async ({
    page,
    tmpPath
  }) => {
    const { canvas } = await openScene(page, tmpPath);
    // Labelled pixels on the block's right edge (col 69) and bottom edge (row 49), and their
    // unlabelled neighbours; corners of each pixel's square in canvas px after the zoom.
    type Square = { x0: number; y0: number; x1: number; y1: number; rgb: number[] };
    const g = await py<{ zoom: number; L: Square; R: Square; T: Square; B: Square }>(
      page,
      'w.zoom = 8\n' +
        'def _square(c, r):\n' +
        '    x0, y0 = w.image_to_canvas(c, r)\n' +
        '    x1, y1 = w.image_to_canvas(c + 1, r + 1)\n' +
        '    rgb = expected_rgb(*canvas_of_pixel(c, r))\n' +
        '    return {"x0": x0, "y0": y0, "x1": x1, "y1": y1, "rgb": rgb}',
      '{"zoom": w.zoom, "L": _square(69, 45), "R": _square(70, 45), ' +
        '"T": _square(65, 49), "B": _square(65, 50)}'
    );
    expect(g.zoom).toBe(8);
    expect(g.L.x1 - g.L.x0).toBe(8);
    // Wait for the redraw at zoom 8.
    await expectCanvasShows(page, canvas, [
      [69, 45],
      [70, 45],
      [65, 50]
    ]);

    // Canvas pixels whose centres lie inside a square, minus a 1 px margin.
    const inner = (s: Square) => ({
      x: Math.ceil(s.x0 - 0.5) + 1,
      y: Math.ceil(s.y0 - 0.5) + 1,
      w: Math.ceil(s.x1 - 0.5) - Math.ceil(s.x0 - 0.5) - 2,
      h: Math.ceil(s.y1 - 0.5) - Math.ceil(s.y0 - 0.5) - 2
    });
    const uniform = async (s: Square, name: string) => {
      const r = inner(s);
      expect(r.w * r.h, name).toBeGreaterThanOrEqual(25);
      const px = await canvasPixels(canvas, r.x, r.y, r.w, r.h);
      const first = px.slice(0, 4);
      for (let i = 0; i < px.length; i += 4) {
        const at = `${name} square, pixel ${i / 4} of ${r.w}x${r.h}`;
        expect(px.slice(i, i + 4), at).toEqual(first);
      }
      const colour = `${name} colour ${first} vs kernel ${s.rgb}`;
      expect(rgbDiff(first, s.rgb), colour).toBeLessThanOrEqual(TOL_RGB);
      return first;
    };
    for (const [a, b, axis] of [
      [g.L, g.R, 'x'],
      [g.T, g.B, 'y']
    ] as const) {
      const ca = await uniform(a, `labelled (${axis})`);
      const cb = await uniform(b, `unlabelled (${axis})`);
      expect(rgbDiff(ca, cb), `label edge colours ${ca} / ${cb}`).toBeGreaterThanOrEqual(20);
      // A line of canvas pixels from the labelled square's centre to its neighbour's centre:
      // only the two colours (no blend), switching within ±1 px of the pixel edge.
      const edge = axis === 'x' ? a.x1 : a.y1;
      const from = Math.floor(axis === 'x' ? (a.x0 + a.x1) / 2 : (a.y0 + a.y1) / 2);
      const to = Math.floor(axis === 'x' ? (b.x0 + b.x1) / 2 : (b.y0 + b.y1) / 2);
      const across = Math.floor(axis === 'x' ? (a.y0 + a.y1) / 2 : (a.x0 + a.x1) / 2);
      const line =
        axis === 'x'
          ? await canvasPixels(canvas, from, across, to - from + 1, 1)
          : await canvasPixels(canvas, across, from, 1, to - from + 1);
      let firstB = -1;
      for (let i = 0; i <= to - from; i++) {
        const p = line.slice(4 * i, 4 * i + 4);
        const isA = rgbDiff(p, ca) === 0;
        const isB = rgbDiff(p, cb) === 0;
        const what = `pixel ${from + i} on the ${axis} line is ${p}: neither ${ca} nor ${cb}`;
        expect(isA || isB, what).toBe(true);
        if (isB && firstB < 0) {
          firstB = from + i;
        }
        if (firstB >= 0) {
          expect(isB, `back to the label colour after the edge at ${from + i}`).toBe(true);
        }
      }
      const where = `colour switches at ${firstB}, pixel edge at ${edge}`;
      expect(Math.abs(firstB - edge), where).toBeLessThanOrEqual(1);
    }
  });

  test('README screenshot: coffee photo labelled by real mouse strokes', async ({
    page,
    tmpPath
  }, testInfo) => {
    const setup =
      'import json\nimport math\n\nimport numpy as np\nimport seg_widget as sw\n' +
      'import skimage.data\n\n' +
      'image = skimage.data.coffee()\nH, W = image.shape[:2]\n' +
      'w = sw.SegmentationWidget(\n' +
      '    image, classes=["unlabelled", "cup", "coffee", "spoon"], width=600, brush_size=24\n)';
    const { canvas, toCanvas } = await openWidget(page, tmpPath, setup, [
      [100, 100],
      [300, 150]
    ]);
    // Room for the whole widget (canvas + side panel): close the file browser.
    await page.sidebar.close('left');
    // Strokes in image (col, row) coordinates, each after typing shortcuts on the focused canvas:
    // a digit selects the class, [ and ] shrink / grow the brush (by ~20 % a key today).
    const strokes: { keys: string[]; points: Point[] }[] = [
      {
        keys: ['2'],
        points: [
          [222, 150], [240, 122], [280, 108], [330, 112], [356, 135], [345, 165], [300, 180],
          [250, 172], [238, 150], [268, 132], [320, 132], [330, 152], [290, 160], [260, 150]
        ]
      },
      {
        keys: ['1', '['],
        points: [
          [186, 140], [191, 190], [216, 230], [262, 252], [312, 252], [356, 236], [386, 200],
          [396, 140]
        ]
      },
      { keys: [], points: [[224, 245], [214, 280], [228, 296], [246, 285]] },
      { keys: ['3', '[', '[', '[', '['], points: [[412, 72], [402, 135], [390, 200], [377, 245]] },
      {
        keys: [']', ']', ']', ']', ']', ']', ']'],
        points: [[350, 268], [375, 268], [382, 292], [355, 305], [342, 290]]
      }
    ];
    await canvas.focus();
    for (const s of strokes) {
      for (const key of s.keys) {
        await page.keyboard.press(key);
      }
      await drag(page, canvas, toCanvas(s.points), { steps: 2 });
    }
    const [counts, brush] = await pyJSON<[number[], number]>(
      page,
      '[np.bincount(w.mask.ravel(), minlength=4).tolist(), w.brush_size]'
    );
    expect(brush, 'brush grown by the ] keys past the initial 24 px').toBeGreaterThan(24);
    for (let k = 1; k < 4; k++) {
      expect(counts[k], `class ${k} painted: ${counts}`).toBeGreaterThan(500);
    }
    // Wait until the browser shows the strokes (coffee, cup, spoon), then hover over the photo
    // so the brush outline and the status line's pointer read-out are in the picture.
    await expectCanvasShows(page, canvas, [
      [290, 140],
      [262, 252],
      [362, 285]
    ]);
    const widget = page.locator('.seg-widget');
    await widget.scrollIntoViewIfNeeded();
    const [hover] = toCanvas([[470.5, 330.5]]);
    await page.mouse.move(...(await toPage(canvas, hover)));
    await expect(widget.locator('.seg-status')).toHaveText(
      /^x 4(69|70|71), y 3(29|30|31) · RGB \d+ \d+ \d+ · 0: unlabelled · .*zoom 100%/
    );

    // Clip to the widget's content (its box spans the whole output width).
    const clip = await widget.evaluate((el: HTMLElement) => {
      const box = el.getBoundingClientRect();
      let right = box.left;
      for (const part of el.querySelectorAll('button, canvas, .widget-readout, .seg-help')) {
        right = Math.max(right, part.getBoundingClientRect().right);
      }
      const x = Math.floor(box.left);
      const y = Math.floor(box.top);
      const width = Math.ceil(Math.min(box.right, right + 8)) - x;
      return { x, y, width, height: Math.ceil(box.bottom) - y };
    });
    const raw = testInfo.outputPath('screenshot-raw.png');
    await page.screenshot({ path: raw, clip });
    // A lossless photo at 100 % is ~0.5 MB: store a 256-colour palette PNG with Floyd-Steinberg
    // dithering (~0.17 MB), made by Pillow in the kernel.
    // docs/ of the repository: the folder above js/, where playwright.config.ts lives.
    const config = testInfo.config.configFile;
    const jsDir = config ? path.dirname(config) : path.resolve(__dirname, '..');
    const out = path.resolve(jsDir, '..', 'docs', 'screenshot.png');
    fs.mkdirSync(path.dirname(out), { recursive: true });
    const saved = await py<{ size: number[]; mode: string }>(
      page,
      'from PIL import Image as _Image\n' +
        `_rgb = _Image.open(${JSON.stringify(raw)}).convert("RGB")\n` +
        '_palette = _rgb.quantize(256, method=_Image.Quantize.MEDIANCUT)\n' +
        '_rgb.quantize(palette=_palette, dither=_Image.Dither.FLOYDSTEINBERG)' +
        `.save(${JSON.stringify(out)}, optimize=True)\n` +
        `_shot = _Image.open(${JSON.stringify(out)})`,
      '{"size": list(_shot.size), "mode": _shot.mode}'
    );
    expect(saved).toEqual({ size: [clip.width, clip.height], mode: 'P' });
    expect(fs.statSync(out).size, out).toBeLessThan(400 * 1024);
  });
});
