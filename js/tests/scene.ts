/**
 * What widget.spec.ts and tools.spec.ts share: the tolerances, the synthetic 130 x 90 gradient
 * scene (Python), the kernel-side helpers that compute expected colours and distances (Python),
 * and the browser-side helpers that run kernel queries and compare canvas colours.
 *
 * The scene: a 130 x 90 RGB gradient (R = 40..200 left to right, G = 40..200 top to bottom,
 * B = 100) fitted into a 560 px wide view (zoom 560/130 = 4.31 canvas px per image px,
 * deliberately not an integer), with every mouse event the kernel receives recorded in `events`.
 */
import { expect } from '@jupyterlab/galata';
import type { Locator } from '@playwright/test';
import {
  canvasPixels,
  ipycanvas,
  type LabPage,
  openNotebook,
  type Point,
  pyJSON,
  runPython
} from './helpers';

/**
 * Coordinate tolerance in canvas px. Mouse positions reach the kernel truncated to whole CSS px
 * (MouseEvent.clientX/Y are integers in Chromium), i.e. up to 1 px up/left of the target, and
 * are scaled through the bounding box.
 */
export const TOL_PX = 2;
/** Colour tolerance per channel (8-bit alpha blending and filter rounding in the browser). */
export const TOL_RGB = 3;

export interface SceneOptions {
  /** Python import lines added after `import seg_widget as sw` (default none). */
  imports?: readonly string[];
  /** Class names, index 0 first (default unlabelled, cat, dog, bird). */
  classes?: readonly string[];
  /**
   * Python statements that build the initial mask `start` (uint8, H x W), passed to the
   * widget as `mask=start`. Default: no initial mask.
   */
  start?: string;
  /** Also record wheel events in `events`, as ("wheel", dx, dy) (default false). */
  wheel?: boolean;
}

/**
 * Python source of the gradient scene: imports json, math, numpy as np and seg_widget as sw,
 * defines H, W, `image`, the widget `w` (width 560, brush_size 9) and `events`, the list of
 * (kind, x, y) mouse events the kernel receives (down, move, up, out; wheel on request).
 */
export function gradientScene(options: SceneOptions = {}): string {
  const imports = options.imports ?? [];
  const classes = options.classes ?? ['unlabelled', 'cat', 'dog', 'bird'];
  const classList = classes.map(name => JSON.stringify(name)).join(', ');
  const start = options.start === undefined ? '' : `${options.start}\n`;
  const mask = options.start === undefined ? '' : 'mask=start, ';
  const kinds = options.wheel ? '"down", "move", "up", "out", "wheel"' : '"down", "move", "up", "out"';
  return `\
import json
import math

import numpy as np
import seg_widget as sw
${imports.map(line => `${line}\n`).join('')}
H, W = 90, 130
_rows, _cols = np.mgrid[0:H, 0:W]
image = np.stack(
    [40 + _cols * 160 // (W - 1), 40 + _rows * 160 // (H - 1), np.full((H, W), 100)], axis=-1
).astype(np.uint8)
${start}w = sw.SegmentationWidget(
    image, classes=[${classList}], ${mask}width=560, brush_size=9
)

# Every pointer event the kernel receives, in order (recorded after the widget's handlers).
from seg_widget.testing import record_pointer_events

events = []
record_pointer_events(w, events, (${kinds}))`;
}

/**
 * Python helpers for the expectations, computed in the kernel. They need H, W, `image` (H x W x
 * 3 uint8) and the widget `w` (the gradient scene or any other), and `events` for last_drag().
 * - distance_to_polyline(points): distance from every pixel centre to an image-space polyline;
 * - canvas_distance(point, polyline): the same for one canvas point and a canvas polyline;
 * - last_drag(): the canvas positions the kernel received for the last drag, and its end event;
 * - expected_rgb(x, y): the colour a canvas pixel should show (brightness, opacity, show missing);
 * - canvas_of_pixel(col, row): the canvas pixel at the centre of an image pixel.
 */
export const KERNEL_HELPERS = `\
import math

import numpy as np
from seg_widget.widget.scene import MISSING_ALPHA, MISSING_DIM

_CY, _CX = np.mgrid[0:H, 0:W] + 0.5  # pixel centres (row, col)


def distance_to_polyline(points):
    """Distance from every pixel centre to the polyline through image points (col, row)."""
    p = np.asarray(points, float).reshape(-1, 2)
    if len(p) == 1:
        p = np.vstack([p, p])
    best = np.full((H, W), np.inf)
    for (ax, ay), (bx, by) in zip(p[:-1], p[1:]):
        dx, dy = bx - ax, by - ay
        l2 = dx * dx + dy * dy
        t = 0.0 if l2 == 0 else np.clip(((_CX - ax) * dx + (_CY - ay) * dy) / l2, 0.0, 1.0)
        best = np.minimum(best, np.hypot(_CX - (ax + t * dx), _CY - (ay + t * dy)))
    return best


def canvas_distance(point, polyline):
    """Distance from a canvas point to a canvas polyline."""
    q = np.asarray(point, float)
    p = np.asarray(polyline, float).reshape(-1, 2)
    if len(p) == 1:
        return float(np.hypot(*(q - p[0])))
    best = math.inf
    for a, b in zip(p[:-1], p[1:]):
        d = b - a
        l2 = float(d @ d)
        t = 0.0 if l2 == 0 else min(1.0, max(0.0, float((q - a) @ d) / l2))
        best = min(best, float(np.hypot(*(q - (a + t * d)))))
    return best


def last_drag():
    """Kernel-received positions (canvas px) of the last drag: its down .. up/out events."""
    i = max(k for k, e in enumerate(events) if e[0] == "down")
    j = next(k for k in range(i, len(events)) if events[k][0] in ("up", "out"))
    return [(x, y) for _, x, y in events[i : j + 1]], events[j][0]


def expected_rgb(x, y):
    """RGB the visible canvas should show at integer canvas pixel (x, y), with no brush cursor
    or outline preview drawn over it."""
    assert w.contrast == 1 and w.zoom >= 1, "modelled: brightness and opacity, no smoothing"
    col, row = w.canvas_to_image(x + 0.5, y + 0.5)
    c, r = math.floor(col), math.floor(row)
    if not (0 <= r < H and 0 <= c < W):
        return [0x3A, 0x3A, 0x3A]
    dim = MISSING_DIM if w.show_missing else 1.0
    rgb = np.minimum(255.0, image[r, c].astype(float) * w.brightness * dim)
    k = int(w.mask[r, c])
    if k:
        rgb = rgb * (1 - w.opacity) + np.asarray(w.classes[k].color[:3], float) * w.opacity
    elif w.show_missing:
        rgb = rgb * (1 - MISSING_ALPHA) + np.array([255.0, 0.0, 255.0]) * MISSING_ALPHA
    return [round(float(v)) for v in rgb]


def canvas_of_pixel(col, row):
    """Integer canvas pixel at the centre of image pixel (col, row)."""
    x, y = w.image_to_canvas(col + 0.5, row + 0.5)
    return [math.floor(x), math.floor(y)]`;

/**
 * Open (and run) a notebook of two cells, `setup` (which builds the widget `w`) and `w` (which
 * displays it); return the widget's canvas, once laid out.
 */
export async function openWidgetCanvas(
  page: LabPage,
  tmpPath: string,
  setup: string
): Promise<Locator> {
  await openNotebook(page, tmpPath, [setup, 'w']);
  const canvas = await ipycanvas(page, 0, 1);
  await expect(canvas).toHaveClass(/seg-widget-canvas/);
  return canvas;
}

/** Run Python statements in the kernel, then return the JSON value of `expression`. */
export async function py<T = any>(
  page: LabPage,
  statements: string,
  expression: string
): Promise<T> {
  const out = await runPython(
    page,
    `${statements}\nimport json as _json\nprint(_json.dumps(${expression}))`
  );
  return JSON.parse(out) as T;
}

/** Largest per-channel difference between two RGB(A) arrays (first 3 channels). */
export function rgbDiff(a: readonly number[], b: readonly number[]): number {
  return Math.max(...[0, 1, 2].map(i => Math.abs(a[i] - b[i])));
}

/**
 * Move the mouse off the canvas (mouse_out: hides the brush cursor drawn on the canvas' top
 * layer and the polygon's rubber band).
 */
export async function mouseAway(page: LabPage): Promise<void> {
  await page.mouse.move(3, 3);
}

/** Focus the canvas (without clicking it: a click would paint), then press `keys` in order. */
export async function pressOnCanvas(
  page: LabPage,
  canvas: Locator,
  ...keys: string[]
): Promise<void> {
  await canvas.focus();
  for (const key of keys) {
    await page.keyboard.press(key);
  }
}

/** A button of the side panel's tool selector, by its text ('Brush', 'Polygon', ...). */
export function toolButton(page: LabPage, name: string): Locator {
  return page.locator('.seg-widget .widget-toggle-buttons button', { hasText: name });
}

/**
 * Wait until canvas pixel `at` shows `rgb` (±TOL_RGB per channel); `message` names the pixel
 * in the failure (default: "canvas pixel <at> should show <rgb>").
 */
export async function expectPixelShows(
  canvas: Locator,
  at: Point,
  rgb: readonly number[],
  message = `canvas pixel ${at} should show ${rgb}`
): Promise<void> {
  await expect
    .poll(async () => rgbDiff(await canvasPixels(canvas, at[0], at[1]), rgb), { message })
    .toBeLessThanOrEqual(TOL_RGB);
}

/** The widget's view as the kernel has it. */
export interface View {
  /** Canvas size (width, height) in canvas px. */
  size: [number, number];
  /** Canvas px per image px. */
  zoom: number;
  /** Canvas position of image point (0, 0). */
  origin: Point;
}

export interface ShowsOptions {
  /** Scroll the canvas into view before reading its pixels (default false). */
  scroll?: boolean;
}

/**
 * Move the mouse away, then wait until the visible canvas shows, at the centres of the given
 * image pixels (col, row), the colours computed in the kernel by expected_rgb (±TOL_RGB).
 * Returns the kernel's view (canvas size, zoom, origin).
 */
export async function expectCanvasShows(
  page: LabPage,
  canvas: Locator,
  imagePixels: readonly Point[],
  options: ShowsOptions = {}
): Promise<View> {
  await mouseAway(page);
  const q = await pyJSON<{ spots: { at: Point; rgb: number[] }[] } & View>(
    page,
    `{"spots": [{"at": (_p := canvas_of_pixel(c, r)), "rgb": expected_rgb(*_p)} ` +
      `for c, r in ${JSON.stringify(imagePixels)}], "size": [w.canvas.width, w.canvas.height], ` +
      `"zoom": w.zoom, "origin": w.image_to_canvas(0, 0)}`
  );
  if (options.scroll) {
    await canvas.scrollIntoViewIfNeeded();
  }
  for (const { at, rgb } of q.spots) {
    await expectPixelShows(canvas, at, rgb);
  }
  return q;
}
