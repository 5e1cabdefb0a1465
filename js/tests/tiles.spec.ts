/**
 * A 16384 x 16384 image in real JupyterLab + Chromium: shown as tiles drawn by the front-end
 * layer. The fitted first view appears; at pixel level the canvas shows the kernel's exact
 * pixels; a real brush drag paints `w.mask` and the stroke shows; a real pan brings new tiles;
 * what the page holds stays within the tile budget. A proposal shows (class colour, white edge)
 * and goes on reject and accept; contours and show missing are drawn from their tiles.
 *
 * The image is generated in the kernel in well under a second: grey value (3 row + 7 col) mod
 * 256 (uint8 arithmetic wraps), so every pixel can be checked against the formula.
 */
import { expect, test } from '@jupyterlab/galata';
import type { Locator } from '@playwright/test';
import { drag, type LabPage, openNotebook, pyJSON, runPython } from './helpers';

const SETUP = `\
import numpy as np
import seg_widget as sw

N = 16384
rows = (np.arange(N) * 3 % 256).astype(np.uint8)
cols = (np.arange(N) * 7 % 256).astype(np.uint8)
img = np.add.outer(rows, cols)  # uint8: wraps mod 256
w = sw.SegmentationWidget(img, ["background", "road", "tree"], width=800, height=560)`;

interface TileState {
  level: number;
  complete: boolean;
  exact: boolean;
  held: number;
  received: number;
}

async function tileState(tiles: Locator): Promise<TileState> {
  return tiles.evaluate((el: HTMLCanvasElement) => ({
    level: Number(el.dataset.level ?? -1),
    complete: el.dataset.complete === '1',
    exact: el.dataset.exact === '1',
    held: Number(el.dataset.held ?? 0),
    received: Number(el.dataset.received ?? 0)
  }));
}

async function rgbAt(tiles: Locator, x: number, y: number): Promise<number[]> {
  return tiles.evaluate(
    (el: HTMLCanvasElement, p: number[]) =>
      Array.from(el.getContext('2d')!.getImageData(p[0], p[1], 1, 1).data).slice(0, 3),
    [x, y]
  );
}

/** The kernel's view of canvas point (x, y): image pixel, its grey value, its class. */
async function kernelPixel(page: LabPage, x: number, y: number) {
  return pyJSON<[number, number, number, number]>(
    page,
    `(lambda c, r: [int(r), int(c), int(img[int(r), int(c)]), int(w.mask[int(r), int(c)])])(*w.canvas_to_image(${x}, ${y}))`
  );
}

async function waitExact(tiles: Locator): Promise<void> {
  await expect
    .poll(async () => (await tileState(tiles)).exact, { message: 'every tile of the view exact', timeout: 60_000 })
    .toBe(true);
}

test('a 16384² image opens fitted, is exact at pixel level, paints and pans', async ({ page, tmpPath }) => {
  await openNotebook(page, tmpPath, [SETUP, 'w']);
  const root = page.locator('.jp-OutputArea-output .seg-widget').first();
  const tiles = root.locator('canvas.seg-tile-view');
  const events = root.locator('.seg-input-events');
  await expect(tiles).toBeVisible();

  // 1. The fitted view: every tile of its level shown (previews first, then exact ones).
  await expect
    .poll(async () => (await tileState(tiles)).complete, { message: 'first frame complete' })
    .toBe(true);
  const zoom = await pyJSON<number>(page, 'w.zoom');
  const first = await tileState(tiles);
  expect(first.level).toBe(Math.floor(-Math.log2(zoom)));
  expect(first.received).toBeLessThan(8 * 2 ** 20);
  await waitExact(tiles);

  // 2. Pixel level: the canvas shows the kernel's pixels exactly (grey, no overlay yet).
  await runPython(page, 'w.zoom = 3.0');
  await expect.poll(async () => (await tileState(tiles)).level).toBe(0);
  await waitExact(tiles);
  for (const [x, y] of [
    [101, 77],
    [402, 300],
    [700, 500]
  ]) {
    const [, , value] = await kernelPixel(page, x, y);
    expect(await rgbAt(tiles, x, y)).toEqual([value, value, value]);
  }

  // 3. A real brush drag paints w.mask, and the stroke shows in class colour over the image.
  await drag(page, events, [
    [300, 280],
    [500, 280]
  ]);
  const [row, col, value, label] = await kernelPixel(page, 400, 280);
  expect(label).toBe(await pyJSON<number>(page, 'w.label'));
  const painted = await pyJSON<number>(page, 'int((w.mask[' + row + ' - 40:' + row + ' + 40] > 0).sum())');
  expect(painted).toBeGreaterThan(100);
  const [r, g, b] = await pyJSON<number[]>(page, 'list(w.classes[w.label].color)');
  const opacity = await pyJSON<number>(page, 'w.opacity');
  const blend = (c: number) => Math.round(value * (1 - opacity) + c * opacity);
  await expect
    .poll(async () => {
      const shown = await rgbAt(tiles, 400, 280);
      return Math.max(...shown.map((v, i) => Math.abs(v - blend([r, g, b][i]))));
    }, { message: `stroke shown at image (${row}, ${col})` })
    .toBeLessThanOrEqual(2);

  // 4. A real pan (middle-button drag) brings the tiles of the new view; pixels exact there.
  const before = await tileState(tiles);
  const offsetBefore = await pyJSON<number>(page, 'w.canvas_to_image(0, 0)[0]');
  await drag(page, events, [
    [700, 300],
    [100, 300]
  ], { button: 'middle' });
  await expect
    .poll(async () => pyJSON<number>(page, 'w.canvas_to_image(0, 0)[0]'))
    .toBeGreaterThan(offsetBefore + 150);
  await expect.poll(async () => (await tileState(tiles)).received).toBeGreaterThan(before.received);
  await waitExact(tiles);
  const [, , panned] = await kernelPixel(page, 650, 120);
  expect(await rgbAt(tiles, 650, 120)).toEqual([panned, panned, panned]);

  // 5. Zoom out to the whole image again: the painted stroke is there at the coarse level too,
  // and the page holds at most the budget of tiles (256 a layer).
  await runPython(page, 'w.fit()');
  await waitExact(tiles);
  const last = await tileState(tiles);
  expect(last.held).toBeLessThanOrEqual(512);
  const heap = await page.evaluate(() => (performance as any).memory?.usedJSHeapSize ?? 0);
  expect(heap).toBeLessThan(400 * 2 ** 20);
  expect(await pyJSON<boolean>(page, 'bool(w.mask.any())')).toBe(true);
});

/** Canvas point of the centre of image pixel (row, col). */
async function canvasOf(page: LabPage, row: number, col: number): Promise<[number, number]> {
  const [x, y] = await pyJSON<number[]>(page, `list(w.image_to_canvas(${col} + 0.5, ${row} + 0.5))`);
  return [Math.floor(x), Math.floor(y)];
}

test('a proposal, contours and show missing on a 16384² image; the proposal goes on reject and accept', async ({
  page,
  tmpPath
}) => {
  await openNotebook(page, tmpPath, [SETUP, 'w']);
  const root = page.locator('.jp-OutputArea-output .seg-widget').first();
  const tiles = root.locator('canvas.seg-tile-view');
  await expect(tiles).toBeVisible();
  await waitExact(tiles);
  await runPython(page, 'w.zoom = 3.0');
  await expect.poll(async () => (await tileState(tiles)).level).toBe(0);
  await waitExact(tiles);
  // A 60 x 80 square of class 2 ("tree") around the view centre.
  const [r0, c0] = await pyJSON<number[]>(page, '[int(v) - 30 for v in w.canvas_to_image(400, 280)[::-1]]');
  const propose = `m = np.zeros((N, N), np.uint8); m[${r0}:${r0 + 60}, ${c0}:${c0 + 80}] = 2; w.propose_mask(m); del m`;
  await runPython(page, propose);
  const proposalTiles = () => tiles.evaluate((el: HTMLCanvasElement) => Number(el.dataset.proposalTiles ?? 0));
  await expect.poll(proposalTiles, { message: 'proposal tiles drawn' }).toBeGreaterThan(0);
  const [tr, tg, tb] = await pyJSON<number[]>(page, 'list(w.classes[2].color)');
  const inside = await canvasOf(page, r0 + 30, c0 + 40);
  const edge = await canvasOf(page, r0, c0 + 40);
  const grey = (p: [number, number]) => pyJSON<number>(page, `int(img[${p[0]}, ${p[1]}])`);
  const insideValue = await grey([r0 + 30, c0 + 40]);
  const edgeValue = await grey([r0, c0 + 40]);
  const over = (value: number, colour: number[], alpha: number) =>
    colour.map(c => Math.round(value * (1 - alpha) + c * alpha));
  const near = (shown: number[], expected: number[]) =>
    Math.max(...shown.map((v, i) => Math.abs(v - expected[i])));
  // Class colour inside, a white one-pixel edge, both at the proposal's 0.8 alpha.
  await expect
    .poll(async () => near(await rgbAt(tiles, ...inside), over(insideValue, [tr, tg, tb], 0.8)))
    .toBeLessThanOrEqual(2);
  expect(near(await rgbAt(tiles, ...edge), over(edgeValue, [255, 255, 255], 0.8))).toBeLessThanOrEqual(2);

  // Reject: the proposal goes, the image shows again.
  await runPython(page, 'w.reject_proposal()');
  await expect.poll(proposalTiles, { message: 'proposal tiles dropped' }).toBe(0);
  expect(await rgbAt(tiles, ...inside)).toEqual([insideValue, insideValue, insideValue]);

  // Propose again and accept: the proposal goes, the labels show the class.
  await runPython(page, propose);
  await expect.poll(proposalTiles).toBeGreaterThan(0);
  await runPython(page, 'w.accept_proposal()');
  await expect.poll(proposalTiles).toBe(0);
  const opacity = await pyJSON<number>(page, 'w.opacity');
  await expect
    .poll(async () => near(await rgbAt(tiles, ...inside), over(insideValue, [tr, tg, tb], opacity)))
    .toBeLessThanOrEqual(2);
  expect(await pyJSON<number>(page, `int(w.mask[${r0 + 30}, ${c0 + 40}])`)).toBe(2);

  // Contours: the labelled square shows only its outline; the image shows inside.
  await runPython(page, 'w.contours = True');
  await expect
    .poll(async () => near(await rgbAt(tiles, ...inside), [insideValue, insideValue, insideValue]))
    .toBeLessThanOrEqual(1);
  expect(near(await rgbAt(tiles, ...edge), over(edgeValue, [tr, tg, tb], opacity))).toBeLessThanOrEqual(2);
  await runPython(page, 'w.contours = False');

  // Show missing: unlabelled pixels in magenta at 0.85 over the image dimmed to 45 %.
  const outside = await canvasOf(page, r0 - 20, c0 + 40);
  const outsideValue = await grey([r0 - 20, c0 + 40]);
  await runPython(page, 'w.show_missing = True');
  const missingTiles = () => tiles.evaluate((el: HTMLCanvasElement) => Number(el.dataset.missingTiles ?? 0));
  await expect.poll(missingTiles).toBeGreaterThan(0);
  await expect
    .poll(async () => near(await rgbAt(tiles, ...outside), over(outsideValue * 0.45, [255, 0, 255], 0.85)))
    .toBeLessThanOrEqual(3);
  await runPython(page, 'w.show_missing = False');
  await expect.poll(missingTiles).toBe(0);
  expect(await rgbAt(tiles, ...outside)).toEqual([outsideValue, outsideValue, outsideValue]);
});
