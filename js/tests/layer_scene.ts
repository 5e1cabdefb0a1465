/**
 * The real SegmentationWidget with its front-end input layer (seg_widget/widget/frontend), for
 * the specs that check what the hand sees: open the widget, find the layer's canvases and the
 * kernel-drawn canvas under them, and compare what the browser shows with what the kernel's
 * arrays say it should show, pixel for pixel.
 *
 * The scene (penScene): a 130 x 90 image of random colours (a pixel drawn one place off never
 * looks right), classes unlabelled, cat, dog, bird, brush 9, the canvas fitted to the page
 * (no width: the widget follows the output area), every pointer event the kernel receives in
 * `events`, and `busy`: push seconds onto it and the next edit sleeps that long in an
 * `on_edit` callback, so the kernel is busy while the browser keeps going.
 *
 * Canvases, in the order they are stacked: `scene` (the ipycanvas MultiCanvas the kernel draws
 * on: one <canvas> element compositing its layers, the image and overlay and, when the layer is
 * missing, the kernel's cursor), `preview` (the layer's stroke preview, shown at the overlay
 * opacity) and `events` (the layer's own: it takes the pointer and draws the cursor and
 * outlines).
 */
import { expect } from '@jupyterlab/galata';
import type { Locator, Page } from '@playwright/test';
import { type LabPage, openNotebook, type Point, pyJSON } from './helpers';

export interface PenSceneOptions {
  /** Python statements building `start`, an (H, W) uint8 mask passed as `mask=start`. */
  start?: string;
  /** More keyword arguments of SegmentationWidget, e.g. 'pixel_ratio=2' (default none). */
  args?: string;
}

/** Python of the scene (see the top comment) and KERNEL_VIEW's helpers. */
export function penScene(options: PenSceneOptions = {}): string {
  const start = options.start === undefined ? '' : `${options.start}\n`;
  const mask = options.start === undefined ? '' : 'mask=start, ';
  const args = options.args === undefined ? '' : `, ${options.args}`;
  return `\
import base64
import math
import time

import numpy as np
import seg_widget as sw
from seg_widget.testing import record_pointer_events

H, W = 90, 130
image = np.random.default_rng(7).integers(0, 256, (H, W, 3), dtype=np.uint8)
${start}w = sw.SegmentationWidget(
    image, classes=["unlabelled", "cat", "dog", "bird"], ${mask}brush_size=9${args}
)
events = []
record_pointer_events(w, events)

# A busy kernel on demand: the next edit sleeps busy.pop() seconds.
busy = []
w.on_edit(lambda _bbox: time.sleep(busy.pop()) if busy else None)

${KERNEL_VIEW}`;
}

/**
 * Python helpers: what each canvas pixel of the view shows, from the kernel's arrays.
 * - shown_view(): the image indices each canvas column and row shows (nearest neighbour:
 *   canvas pixel x shows image column floor(canvas_to_image(x + 0.5)), -1 outside the image;
 *   `alt`: the neighbour a centre lying on a pixel boundary, to rounding, may show instead),
 *   the canvas columns and rows the image's edge crosses (the browser blends those with the
 *   background), and the image, the mask, the class colours and the opacity;
 * - changed_view(before): the same indices and the pixels where w.mask differs from `before`.
 */
export const KERNEL_VIEW = `\
def _b64(array):
    return base64.b64encode(np.ascontiguousarray(array, dtype=np.uint8).tobytes()).decode()


def _axis(extent, to_image, image_extent, origin, zoom):
    centres = [to_image(i + 0.5) for i in range(extent)]
    index = [math.floor(t) if 0 <= math.floor(t) < image_extent else -1 for t in centres]
    # A centre on a pixel boundary (to rounding) may show either neighbour: alt is the other.
    alt = []
    for t, k in zip(centres, index):
        near = round(t)
        other = near - 1 if math.floor(t) == near else near
        tie = abs(t - near) * zoom < 1e-3 and 0 <= other < image_extent
        alt.append(other if tie else k)
    edges = [i for i in range(extent) for e in (0, image_extent) if i < origin + e * zoom < i + 1]
    return index, alt, edges


def _indices():
    x0, y0 = w.image_to_canvas(0, 0)
    width, height = w.canvas.width, w.canvas.height
    cols, alt_cols, edge_cols = _axis(width, lambda x: w.canvas_to_image(x, 0)[0], W, x0, w.zoom)
    rows, alt_rows, edge_rows = _axis(height, lambda y: w.canvas_to_image(0, y)[1], H, y0, w.zoom)
    return {"size": [width, height], "cols": cols, "rows": rows, "altCols": alt_cols,
            "altRows": alt_rows, "edgeCols": edge_cols, "edgeRows": edge_rows, "width": W}


def shown_view():
    return {**_indices(), "image": _b64(image), "mask": _b64(w.mask),
            "colors": [list(c.color[:3]) for c in w.classes], "opacity": w.opacity,
            "background": [0x3A, 0x3A, 0x3A]}


def changed_view(before):
    return {**_indices(), "changed": _b64(w.mask != before)}`;

/** What shown_view() returns. */
export interface KernelView {
  size: [number, number];
  cols: number[];
  rows: number[];
  altCols: number[];
  altRows: number[];
  edgeCols: number[];
  edgeRows: number[];
  width: number;
  image: string;
  mask: string;
  colors: number[][];
  opacity: number;
  background: number[];
}

export interface PenView {
  /** The widget's root element (`.seg-widget`). */
  root: Locator;
  /** The ipycanvas canvas the kernel draws on (image, overlay; its cursor without the layer). */
  scene: Locator;
  /** The layer's stroke-preview canvas. */
  preview: Locator;
  /** The layer's top canvas: it receives the pointer and shows the cursor and outlines. */
  events: Locator;
}

/** Locators of the widget's canvases inside `scope` (the page, or a cell's output). */
export function penView(scope: Page | Locator): PenView {
  const root = scope.locator('.seg-widget').first();
  return {
    root,
    scene: root.locator('canvas.seg-widget-canvas'),
    preview: root.locator('.seg-input-preview'),
    events: root.locator('.seg-input-events')
  };
}

/**
 * Open a notebook of `setup` and a cell displaying `w`; wait until the layer has started and
 * the kernel has sized the canvas from the page (both report the same canvas size).
 */
export async function openPen(page: LabPage, tmpPath: string, setup: string): Promise<PenView> {
  await openNotebook(page, tmpPath, [setup, 'w']);
  const view = penView(page.locator('.jp-OutputArea-output'));
  await view.events.scrollIntoViewIfNeeded();
  await expect(view.events).toBeVisible();
  await expect
    .poll(async () => {
      const [kernel, layer] = await Promise.all([canvasSize(view.scene), canvasSize(view.events)]);
      return kernel[0] > 16 && kernel.join() === layer.join();
    }, { message: 'the layer and the kernel agree on the canvas size' })
    .toBe(true);
  return view;
}

/** [width, height, css width, css height] of a canvas. */
export async function canvasSize(canvas: Locator): Promise<number[]> {
  return canvas.evaluate((el: HTMLCanvasElement) => {
    const r = el.getBoundingClientRect();
    return [el.width, el.height, r.width, r.height];
  });
}

/** Page (CSS) coordinates of a canvas-pixel point of `canvas` (device px / bounding box). */
export async function pagePoint(canvas: Locator, [x, y]: Point): Promise<Point> {
  const g = await canvas.evaluate((el: HTMLCanvasElement) => {
    const r = el.getBoundingClientRect();
    return { left: r.left, top: r.top, cw: r.width, ch: r.height, w: el.width, h: el.height };
  });
  return [g.left + (x * g.cw) / g.w, g.top + (y * g.ch) / g.h];
}

/** Number of pixels with non-zero alpha on `canvas` (how much it shows). */
export async function paintedPixels(canvas: Locator): Promise<number> {
  return canvas.evaluate((el: HTMLCanvasElement) => {
    const data = el.getContext('2d')!.getImageData(0, 0, el.width, el.height).data;
    let n = 0;
    for (let i = 3; i < data.length; i += 4) if (data[i] !== 0) n++;
    return n;
  });
}

export interface ViewReport {
  /** Canvas pixels compared (all but those the image's edge crosses). */
  checked: number;
  /** Pixels further than 2 levels from the kernel's prediction, and the first few. */
  mismatched: number;
  first: string[];
  /** Non-transparent pixels left on the layers above the scene (previews, cursor). */
  leftOver: number;
}

/**
 * Compare every pixel of the scene canvas with `kernel` (shown_view()): background outside
 * the image, else the image pixel, blended with its class colour at the opacity where the
 * mask is labelled (±2 levels: the browser's 8-bit alpha blending). The canvases above it
 * must be empty.
 */
export async function compareWithKernel(view: PenView, kernel: KernelView): Promise<ViewReport> {
  const scene = await view.scene.evaluate((el: HTMLCanvasElement, k: KernelView) => {
    const decode = (b64: string) => Uint8Array.from(atob(b64), c => c.charCodeAt(0));
    const [width, height] = k.size;
    if (el.width !== width || el.height !== height) {
      return { checked: 0, mismatched: -1, first: [`canvas ${el.width}x${el.height}, kernel ${k.size}`] };
    }
    const image = decode(k.image);
    const mask = decode(k.mask);
    const skipX = new Set(k.edgeCols);
    const skipY = new Set(k.edgeRows);
    const data = el.getContext('2d')!.getImageData(0, 0, width, height).data;
    let checked = 0;
    let mismatched = 0;
    const first: string[] = [];
    const expectedAt = (row: number, col: number): number[] => {
      if (row < 0 || col < 0) return k.background;
      const at = row * k.width + col;
      const rgb = Array.from(image.subarray(3 * at, 3 * at + 3));
      const label = mask[at];
      return label === 0 ? rgb : rgb.map((v, i) => v * (1 - k.opacity) + k.colors[label][i] * k.opacity);
    };
    for (let y = 0; y < height; y++) {
      if (skipY.has(y)) continue;
      const rows = [...new Set([k.rows[y], k.altRows[y]])];
      for (let x = 0; x < width; x++) {
        if (skipX.has(x)) continue;
        const cols = [...new Set([k.cols[x], k.altCols[x]])];
        const i = 4 * (y * width + x);
        checked++;
        const shows = (rgb: number[]) => [0, 1, 2].every(c => Math.abs(data[i + c] - rgb[c]) <= 2);
        if (!rows.some(row => cols.some(col => shows(expectedAt(row, col))))) {
          mismatched++;
          if (first.length < 5) {
            const expected = expectedAt(k.rows[y], k.cols[x]).map(Math.round);
            first.push(`(${x}, ${y}) image (${k.cols[x]}, ${k.rows[y]}): ${Array.from(data.subarray(i, i + 3))} != ${expected}`);
          }
        }
      }
    }
    return { checked, mismatched, first };
  }, kernel);
  let leftOver = 0;
  for (const canvas of [view.preview, view.events]) {
    leftOver += await paintedPixels(canvas);
  }
  return { ...scene, leftOver };
}

/**
 * Move the pointer off the widget (the layer hides its cursor), then wait until the scene
 * canvas shows exactly what the kernel's arrays predict and nothing is left above it.
 */
export async function expectShowsKernel(page: LabPage, view: PenView): Promise<ViewReport> {
  await page.mouse.move(2, 2);
  // Every batch acknowledged first: a query sent while batches are held back by the layer
  // would run before them and read a mask the canvas has already moved past.
  await expect
    .poll(() => paintedPixels(view.preview), { message: 'every previewed batch acknowledged' })
    .toBe(0);
  const kernel = await pyJSON<KernelView>(page, 'shown_view()');
  let report: ViewReport | null = null;
  await expect
    .poll(
      async () => {
        report = await compareWithKernel(view, kernel);
        return { mismatched: report.mismatched, leftOver: report.leftOver, first: report.first };
      },
      { message: 'the canvas shows the kernel mask, no preview left' }
    )
    .toEqual({ mismatched: 0, leftOver: 0, first: [] });
  const done = report!;
  expect(done.checked, 'most of the canvas compared').toBeGreaterThan(0.9 * kernel.size[0] * kernel.size[1]);
  return done;
}

/** Keep, in the page, which preview pixels are painted now; return how many are. */
export async function snapshotPreview(view: PenView): Promise<number> {
  return view.preview.evaluate((el: HTMLCanvasElement) => {
    const data = el.getContext('2d')!.getImageData(0, 0, el.width, el.height).data;
    const painted = new Uint8Array(el.width * el.height);
    let n = 0;
    for (let i = 0; i < painted.length; i++) {
      painted[i] = data[4 * i + 3] !== 0 ? 1 : 0;
      n += painted[i];
    }
    (window as any).segPreviewSnapshot = painted;
    return n;
  });
}

export interface FootprintReport {
  /** Canvas pixels the preview painted and whose image pixel the kernel changed. */
  both: number;
  /** Previewed, but the kernel left the pixel as it was. */
  onlyPreview: number;
  /** Changed by the kernel, never previewed. */
  onlyKernel: number;
}

/** Compare the preview snapshot with the canvas pixels of the image pixels `changed` marks. */
export async function compareSnapshot(view: PenView, changed: KernelView & { changed: string }): Promise<FootprintReport> {
  return view.preview.evaluate((el: HTMLCanvasElement, k) => {
    const painted: Uint8Array = (window as any).segPreviewSnapshot;
    const flags = Uint8Array.from(atob(k.changed), c => c.charCodeAt(0));
    const [width, height] = k.size;
    const report = { both: 0, onlyPreview: 0, onlyKernel: 0 };
    const changedAt = (row: number, col: number) => row >= 0 && col >= 0 && flags[row * k.width + col] === 1;
    for (let y = 0; y < height; y++) {
      const rows = [k.rows[y], k.altRows[y]];
      for (let x = 0; x < width; x++) {
        const cols = [k.cols[x], k.altCols[x]];
        const shown = rows.flatMap(row => cols.map(col => changedAt(row, col)));
        const preview = painted[y * width + x] === 1;
        // On a pixel boundary (to rounding) the pixel may show either neighbour.
        if (preview && shown.some(Boolean)) report.both++;
        else if (preview) report.onlyPreview++;
        else if (shown.every(Boolean)) report.onlyKernel++;
      }
    }
    return report;
  }, changed);
}

/** Keep the scene canvas' pixels in the page, to tell later whether the kernel drew since. */
export async function keepScene(view: PenView): Promise<void> {
  await view.scene.evaluate((el: HTMLCanvasElement) => {
    (window as any).segSceneKept = el.getContext('2d')!.getImageData(0, 0, el.width, el.height).data;
  });
}

/** Pixels of the scene canvas that differ from the kept ones. */
export async function sceneChangedSinceKept(view: PenView): Promise<number> {
  return view.scene.evaluate((el: HTMLCanvasElement) => {
    const kept: Uint8ClampedArray = (window as any).segSceneKept;
    const now = el.getContext('2d')!.getImageData(0, 0, el.width, el.height).data;
    let n = 0;
    for (let i = 0; i < now.length; i += 4) {
      if (now[i] !== kept[i] || now[i + 1] !== kept[i + 1] || now[i + 2] !== kept[i + 2]) n++;
    }
    return n;
  });
}

/** Resolve after `n` animation frames of the page (the layer draws in its next frame). */
export async function frames(page: Page, n = 2): Promise<void> {
  await page.evaluate(
    count =>
      new Promise<void>(resolve => {
        const step = (left: number) => (left === 0 ? resolve() : requestAnimationFrame(() => step(left - 1)));
        step(count);
      }),
    n
  );
}

/** Maps image points (col, row) to page (CSS) points for the kernel's current view. */
export type ToPage = (points: readonly Point[]) => Promise<Point[]>;

/**
 * The kernel's view now (zoom, origin), as a mapping of image points to page points.
 *
 * The mapping scrolls the canvas into view and waits until it holds still, in view and
 * uncovered: JupyterLab scrolls the notebook to a cell that just ran a few frames later, which
 * would move the canvas from under points computed before.
 */
export async function imageToPage(page: LabPage, view: PenView): Promise<ToPage> {
  const [zoom, x0, y0] = await pyJSON<number[]>(page, '[w.zoom, *w.image_to_canvas(0, 0)]');
  return async points => {
    await expect
      .poll(
        async () => {
          await view.events.scrollIntoViewIfNeeded();
          const before = await view.events.boundingBox();
          await frames(page, 4);
          const after = await view.events.boundingBox();
          const centreIsOurs = await view.events.evaluate((el: HTMLCanvasElement) => {
            const r = el.getBoundingClientRect();
            return document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2) === el;
          });
          return centreIsOurs && JSON.stringify(before) === JSON.stringify(after);
        },
        { message: 'the canvas holds still in view' }
      )
      .toBe(true);
    const out: Point[] = [];
    for (const [col, row] of points) out.push(await pagePoint(view.events, [x0 + col * zoom, y0 + row * zoom]));
    return out;
  };
}

/** A real mouse drag through page points (`steps` moves per segment). */
export async function dragThrough(
  page: Page,
  points: readonly Point[],
  { button = 'left', steps = 8 }: { button?: 'left' | 'right' | 'middle'; steps?: number } = {}
): Promise<void> {
  await page.mouse.move(points[0][0], points[0][1]);
  await page.mouse.down({ button });
  for (const [x, y] of points.slice(1)) await page.mouse.move(x, y, { steps });
  await page.mouse.up({ button });
}
