/**
 * Reusable helpers for seg-widget's browser tests (Galata + Playwright).
 *
 * Typical use:
 *
 *   import { expect, test } from '@jupyterlab/galata';
 *   import { openNotebook, ipycanvas, drag, runPython, pyJSON } from './helpers';
 *
 *   test('brush paints', async ({ page, tmpPath }) => {
 *     await openNotebook(page, tmpPath, ['import seg_widget as sw, numpy as np', 'w = sw.SegmentationWidget(...)\nw']);
 *     const canvas = await ipycanvas(page);              // first visible ipycanvas <canvas>
 *     await drag(page, canvas, [[10, 10], [60, 40]]);    // canvas-pixel coordinates
 *     expect(await pyJSON(page, 'int((w.mask == 1).sum())')).toBeGreaterThan(0);
 *   });
 *
 * Coordinates given to these helpers are canvas pixels (the units Python's on_mouse_* callbacks
 * receive), not CSS pixels: the helpers map them through the element's bounding box, like
 * ipycanvas' own getCoordinates(). Allow ±2 px when comparing positions.
 */
import type { IJupyterLabPageFixture } from '@jupyterlab/galata';
import { expect, type Locator } from '@playwright/test';

export type Point = readonly [number, number];

/** A page as given by Galata's `test` fixture (plain Page methods + Galata helpers). */
export type LabPage = IJupyterLabPageFixture;

/** Build nbformat-4 notebook JSON (python3 kernel) from a list of code-cell sources. */
export function buildNotebook(cells: readonly string[]): Record<string, unknown> {
  return {
    cells: cells.map((source, i) => ({
      id: `cell-${i}`,
      cell_type: 'code',
      execution_count: null,
      metadata: {},
      outputs: [],
      source
    })),
    metadata: {
      kernelspec: { display_name: 'Python 3 (ipykernel)', language: 'python', name: 'python3' },
      language_info: { name: 'python' }
    },
    nbformat: 4,
    nbformat_minor: 5
  };
}

export interface OpenNotebookOptions {
  /** File name inside tmpPath (default 'test.ipynb'). */
  name?: string;
  /** Run all cells after opening (default true). */
  run?: boolean;
}

/**
 * Upload a notebook made of `cells` (Python sources, multi-line fine) into the test's tmpPath,
 * open it, and (by default) run all cells, waiting for the kernel to finish.
 * Returns the notebook's server path.
 */
export async function openNotebook(
  page: LabPage,
  tmpPath: string,
  cells: readonly string[],
  options: OpenNotebookOptions = {}
): Promise<string> {
  const name = options.name ?? 'test.ipynb';
  const path = `${tmpPath}/${name}`;
  const uploaded = await page.contents.uploadContent(
    JSON.stringify(buildNotebook(cells)),
    'text',
    path
  );
  expect(uploaded, `upload ${path}`).toBe(true);
  expect(await page.notebook.openByPath(path), `open ${path}`).toBe(true);
  expect(await page.notebook.activate(name), `activate ${name}`).toBe(true);
  if (options.run ?? true) {
    expect(await page.notebook.run(), 'run all cells').toBe(true);
    await expectNoErrors(page);
  }
  return path;
}

/** Outputs (nbformat JSON) of every cell of the active notebook, read from the cell models. */
export async function cellOutputs(page: LabPage): Promise<any[][]> {
  return page.evaluate(() => {
    const panel = (window as any).galata.app.shell.currentWidget;
    const cells = panel.content.model.cells;
    const all: any[][] = [];
    for (let i = 0; i < cells.length; i++) {
      const cell = cells.get(i);
      all.push(cell.type === 'code' ? cell.outputs.toJSON() : []);
    }
    return all;
  });
}

/** Fail with the Python traceback if any cell of the active notebook has an error output. */
export async function expectNoErrors(page: LabPage): Promise<void> {
  const outputs = await cellOutputs(page);
  outputs.forEach((outs, i) => {
    for (const out of outs) {
      if (out.output_type === 'error') {
        throw new Error(`cell ${i} raised ${out.ename}: ${out.evalue}\n${stripAnsi(out.traceback.join('\n'))}`);
      }
    }
  });
}

/**
 * Append a code cell with `code` (multi-line fine: inserted through the model, not typed) to the
 * active notebook, run it, and return its stdout text. Throws with the traceback if it raised.
 *
 * Mouse events sent before this call reach the kernel before the cell runs, so the cell sees
 * the effects of a preceding drag. Running the cell clicks the cell, which takes keyboard focus
 * away from a canvas.
 */
export async function runPython(page: LabPage, code: string): Promise<string> {
  const index: number = await page.evaluate((source: string) => {
    const panel = (window as any).galata.app.shell.currentWidget;
    const shared = panel.content.model.sharedModel;
    const at = shared.cells.length;
    shared.insertCell(at, { cell_type: 'code', source });
    return at;
  }, code);
  // Wait for the cell widget to exist before Galata clicks it.
  await expect.poll(() => page.notebook.getCellCount()).toBeGreaterThan(index);
  expect(await page.notebook.runCell(index, { inplace: true }), `run cell ${index}`).toBe(true);
  const outs = (await cellOutputs(page))[index];
  let stdout = '';
  for (const out of outs) {
    if (out.output_type === 'error') {
      throw new Error(`${out.ename}: ${out.evalue}\n${stripAnsi(out.traceback.join('\n'))}`);
    }
    if (out.output_type === 'stream' && out.name === 'stdout') {
      stdout += Array.isArray(out.text) ? out.text.join('') : out.text;
    }
  }
  return stdout;
}

/** Evaluate a Python expression in the kernel and return it, JSON round-tripped. */
export async function pyJSON<T = any>(page: LabPage, expression: string): Promise<T> {
  const text = await runPython(page, `import json as _json\nprint(_json.dumps(${expression}))`);
  return JSON.parse(text) as T;
}

/**
 * Locator of the n-th (0-based) visible ipycanvas <canvas> in the outputs of the active notebook
 * (or of one cell, when `cellIndex` is given). Waits until it is laid out with a non-zero size.
 * Hidden (never displayed) ipycanvas canvases have no DOM element and are not counted.
 */
export async function ipycanvas(
  page: LabPage,
  n = 0,
  cellIndex?: number
): Promise<Locator> {
  let scope: Locator;
  if (cellIndex === undefined) {
    const panel = await page.notebook.getNotebookInPanelLocator();
    expect(panel, 'an active notebook').not.toBeNull();
    scope = panel!;
  } else {
    const out = await page.notebook.getCellOutputLocator(cellIndex);
    expect(out, `output of cell ${cellIndex}`).not.toBeNull();
    scope = out!;
  }
  const canvas = scope.locator('.jp-OutputArea-output canvas').nth(n);
  await canvas.scrollIntoViewIfNeeded();
  await expect(canvas).toBeVisible();
  await expect
    .poll(async () => {
      const box = await canvas.boundingBox();
      return box !== null && box.width > 0 && box.height > 0;
    })
    .toBe(true);
  return canvas;
}

/** Map canvas-pixel coordinates to page (CSS) coordinates for page.mouse. */
export async function toPage(canvas: Locator, [x, y]: Point): Promise<Point> {
  const g = await canvas.evaluate((el: HTMLCanvasElement) => {
    const r = el.getBoundingClientRect();
    return { left: r.left, top: r.top, cw: r.width, ch: r.height, w: el.width, h: el.height };
  });
  return [g.left + (x * g.cw) / g.w, g.top + (y * g.ch) / g.h];
}

export interface DragOptions {
  /** Intermediate mouse moves per segment (default 20): one DOM mousemove each. */
  steps?: number;
  /** Mouse button (default 'left'). */
  button?: 'left' | 'right' | 'middle';
  /** Release the button at the end (default true). */
  release?: boolean;
}

/**
 * Real mouse drag along a polyline of canvas-pixel points: move to the first point, press,
 * move through every later point in `steps` small moves per segment, release.
 */
export async function drag(
  page: LabPage,
  canvas: Locator,
  points: readonly Point[],
  options: DragOptions = {}
): Promise<void> {
  if (points.length < 1) {
    throw new Error('drag needs at least one point');
  }
  const steps = options.steps ?? 20;
  const button = options.button ?? 'left';
  await canvas.scrollIntoViewIfNeeded();
  const pagePoints: Point[] = [];
  for (const p of points) {
    pagePoints.push(await toPage(canvas, p));
  }
  await page.mouse.move(pagePoints[0][0], pagePoints[0][1]);
  await page.mouse.down({ button });
  for (const [x, y] of pagePoints.slice(1)) {
    await page.mouse.move(x, y, { steps });
  }
  if (options.release ?? true) {
    await page.mouse.up({ button });
  }
}

/** Click at a canvas-pixel point. */
export async function clickAt(page: LabPage, canvas: Locator, p: Point): Promise<void> {
  const [x, y] = await toPage(canvas, p);
  await page.mouse.click(x, y);
}

/**
 * RGBA bytes of a canvas-pixel rectangle of a displayed canvas, read in the browser
 * (what the user sees, after all drawing commands that have arrived so far).
 * Use with expect.poll: drawing is asynchronous (image decodes in particular).
 */
export async function canvasPixels(
  canvas: Locator,
  x: number,
  y: number,
  w = 1,
  h = 1
): Promise<number[]> {
  return canvas.evaluate(
    (el: HTMLCanvasElement, r: number[]) =>
      Array.from(el.getContext('2d')!.getImageData(r[0], r[1], r[2], r[3]).data),
    [x, y, w, h]
  );
}

/** Distance from point p to segment ab. */
export function distanceToSegment(p: Point, a: Point, b: Point): number {
  const [px, py] = p;
  const [ax, ay] = a;
  const [bx, by] = b;
  const dx = bx - ax;
  const dy = by - ay;
  const len2 = dx * dx + dy * dy;
  const t = len2 === 0 ? 0 : Math.max(0, Math.min(1, ((px - ax) * dx + (py - ay) * dy) / len2));
  return Math.hypot(px - (ax + t * dx), py - (ay + t * dy));
}

function stripAnsi(s: string): string {
  // eslint-disable-next-line no-control-regex
  return s.replace(/\u001b\[[0-9;]*m/g, '');
}
