/**
 * Scene helpers for the front-end input layer (seg_widget/widget/frontend): open a notebook
 * whose widget has the layer over its canvas, find the layer's canvases, read their pixels.
 *
 * The standalone scene is seg_widget.widget.layer_demo.LayerDemo (a plain ipycanvas canvas and
 * a minimal brush kernel). To test the real widget instead, build `SegmentationWidget` in
 * `setup` and display it: the locators below only need `.seg-widget` around a `.seg-input-layer`.
 */
import { expect } from '@jupyterlab/galata';
import type { Locator } from '@playwright/test';
import { type LabPage, openNotebook, type Point } from './helpers';

/** Python that builds `d`, a LayerDemo (130 x 90 image at zoom 4, 520 x 360 CSS px). */
export function layerDemoScene(options: string = ''): string {
  return `\
import json
from seg_widget.widget.layer_demo import LayerDemo

d = LayerDemo(${options})`;
}

export interface LayerView {
  /** The widget's root element. */
  root: Locator;
  /** The layer's top canvas: it receives the pointer events and shows cursor and outlines. */
  events: Locator;
  /** The layer's stroke-preview canvas. */
  preview: Locator;
  /** The kernel-drawn ipycanvas canvas under the layer. */
  kernel: Locator;
}

/** Open a notebook of `setup` and a cell displaying `display` (default `d`); wait for the layer. */
export async function openLayer(
  page: LabPage,
  tmpPath: string,
  setup: string,
  display = 'd'
): Promise<LayerView> {
  await openNotebook(page, tmpPath, [setup, display]);
  // Not tied to a cell index: cells inserted above (JupyterLab's own keys) do not move it.
  const root = page.locator('.jp-OutputArea-output .seg-widget').first();
  const events = root.locator('.seg-input-events');
  await events.scrollIntoViewIfNeeded();
  await expect(events).toBeVisible();
  await expect
    .poll(async () => (await events.boundingBox())?.width ?? 0, { message: 'layer laid out' })
    .toBeGreaterThan(10);
  return {
    root,
    events,
    preview: root.locator('.seg-input-preview'),
    kernel: root.locator('canvas:not(.seg-input-preview):not(.seg-input-events)').first()
  };
}

/** Page (CSS) coordinates of a canvas-pixel point of `canvas` (device px / bounding box). */
export async function pagePoint(canvas: Locator, [x, y]: Point): Promise<Point> {
  const g = await canvas.evaluate((el: HTMLCanvasElement) => {
    const r = el.getBoundingClientRect();
    return { left: r.left, top: r.top, cw: r.width, ch: r.height, w: el.width, h: el.height };
  });
  return [g.left + (x * g.cw) / g.w, g.top + (y * g.ch) / g.h];
}

/** RGBA of canvas pixel (x, y) of `canvas`. */
export async function pixel(canvas: Locator, [x, y]: Point): Promise<number[]> {
  return canvas.evaluate(
    (el: HTMLCanvasElement, p: number[]) =>
      Array.from(el.getContext('2d')!.getImageData(p[0], p[1], 1, 1).data),
    [x, y]
  );
}

/** Number of pixels with non-zero alpha on `canvas` (how much preview is shown). */
export async function paintedPixels(canvas: Locator): Promise<number> {
  return canvas.evaluate((el: HTMLCanvasElement) => {
    const data = el.getContext('2d')!.getImageData(0, 0, el.width, el.height).data;
    let n = 0;
    for (let i = 3; i < data.length; i += 4) if (data[i] !== 0) n++;
    return n;
  });
}
