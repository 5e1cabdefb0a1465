/**
 * The front-end input layer over a plain ipycanvas canvas (seg_widget.widget.layer_demo), with
 * a real mouse and keyboard: previews before the kernel answers, no context menu, pointer
 * capture, pan gestures, keys without the focus dance, re-fit on resize, high-DPI.
 */
import { expect, test } from '@jupyterlab/galata';
import { type Point, pyJSON, runPython } from './helpers';
import { layerDemoScene, openLayer, pagePoint, paintedPixels, pixel } from './layer_scene';

const RED = [255, 48, 48];

function near(rgba: number[], rgb: number[], tol = 3): boolean {
  return [0, 1, 2].every(i => Math.abs(rgba[i] - rgb[i]) <= tol);
}

test.describe('input layer', () => {
  test('the stroke preview shows before the busy kernel draws, and goes once it has', async ({
    page,
    tmpPath
  }) => {
    const view = await openLayer(page, tmpPath, layerDemoScene());
    await runPython(page, 'd.delay_s = 3.0');
    const from = await pagePoint(view.events, [100, 100]);
    const to = await pagePoint(view.events, [300, 100]);
    await page.mouse.move(from[0], from[1]);
    await page.mouse.down();
    await page.mouse.move(to[0], to[1], { steps: 10 });
    await page.mouse.up();
    // The kernel sleeps 3 s per batch: anything red now is the layer's own preview.
    const mid: Point = [200, 100];
    expect(near(await pixel(view.preview, mid), RED), 'preview under the stroke').toBe(true);
    expect(near(await pixel(view.kernel, mid), RED), 'kernel not drawn yet').toBe(false);
    // Then the kernel draws it, acknowledges, and the preview is gone.
    await expect.poll(async () => near(await pixel(view.kernel, mid), RED), { timeout: 60_000 }).toBe(true);
    await expect.poll(() => paintedPixels(view.preview), { timeout: 60_000 }).toBe(0);
    await runPython(page, 'd.delay_s = 0');
    // The preview was exactly the kernel's footprint: the kernel's mask in canvas space.
    const painted = await pyJSON<number>(page, 'int(d.mask.sum())');
    expect(painted).toBeGreaterThan(50 * 9);
  });
});

test.describe('input layer: buttons, capture, pan, keys', () => {
  test('a right-drag opens no context menu and erases', async ({ page, tmpPath }) => {
    const view = await openLayer(page, tmpPath, layerDemoScene());
    await runPython(page, 'd.mask[20:30, 10:120] = 1\nd.redraw()');
    const from = await pagePoint(view.events, [100, 100]);
    const to = await pagePoint(view.events, [300, 100]);
    await page.mouse.move(from[0], from[1]);
    await page.mouse.down({ button: 'right' });
    await page.mouse.move(to[0], to[1], { steps: 8 });
    await page.mouse.up({ button: 'right' });
    await page.waitForTimeout(300);
    // Neither JupyterLab's menu (Lumino) nor a paint dab.
    await expect(page.locator('.lm-Menu')).toHaveCount(0);
    const down = await pyJSON<[string, number, number][]>(
      page,
      '[(e.kind, e.button, e.buttons) for e in d.events if e.kind == "down"]'
    );
    expect(down).toEqual([['down', 2, 2]]);
    // Row 25 (canvas y 100) is erased between canvas x 100 and 300 (image cols 25..75).
    expect(await pyJSON<number>(page, 'int(d.mask[25, 30:70].sum())')).toBe(0);
    expect(await pyJSON<number>(page, 'int(d.mask[25, 90:120].sum())')).toBe(30);
  });

  test('a release outside the canvas ends the stroke where it happened', async ({ page, tmpPath }) => {
    const view = await openLayer(page, tmpPath, layerDemoScene());
    const box = (await view.events.boundingBox())!;
    const from = await pagePoint(view.events, [100, 100]);
    await page.mouse.move(from[0], from[1]);
    await page.mouse.down();
    // Out past the right edge, down a little, and released there.
    await page.mouse.move(box.x + box.width + 60, from[1] + 30, { steps: 12 });
    await page.mouse.up();
    const events = await pyJSON<[string, number, number][]>(
      page,
      '[(e.kind, round(e.x), round(e.y)) for e in d.events]'
    );
    const kinds = events.map(e => e[0]);
    const up = events[kinds.indexOf('up')];
    expect(kinds.indexOf('leave') === -1 || kinds.indexOf('leave') > kinds.indexOf('up')).toBe(true);
    expect(up[1]).toBeGreaterThan(520 + 50); // reported outside the 520 px canvas
    expect(up[2]).toBeGreaterThan(120);
    // The stroke reached the image's right edge, and no further stroke follows the hover.
    expect(await pyJSON<number>(page, 'int(d.mask[:, 129].sum())')).toBeGreaterThan(0);
  });

  test('space-drag and middle-drag are reported as pans and paint nothing', async ({ page, tmpPath }) => {
    const view = await openLayer(page, tmpPath, layerDemoScene('offset=(0.0, 0.0)'));
    const a = await pagePoint(view.events, [200, 150]);
    const b = await pagePoint(view.events, [260, 190]);
    await page.mouse.move(a[0], a[1]);
    await page.keyboard.down(' ');
    await page.mouse.down();
    await page.mouse.move(b[0], b[1], { steps: 6 });
    // While Space is held nothing is previewed.
    expect(await paintedPixels(view.preview)).toBe(0);
    await page.mouse.up();
    await page.keyboard.up(' ');
    await expect.poll(() => pyJSON<number[]>(page, 'list(d.css_offset)')).toEqual([60, 40]);
    await page.mouse.move(b[0], b[1]);
    await page.mouse.down({ button: 'middle' });
    await page.mouse.move(a[0], a[1], { steps: 6 });
    await page.mouse.up({ button: 'middle' });
    await expect.poll(() => pyJSON<number[]>(page, 'list(d.css_offset)')).toEqual([0, 0]);
    const keys = await pyJSON<[string, boolean][]>(page, '[(k.key, k.down) for k in d.keys]');
    expect(keys).toEqual([
      [' ', true],
      [' ', false]
    ]);
    const downs = await pyJSON<number[][]>(page, '[[e.button, e.buttons] for e in d.events if e.kind == "down"]');
    expect(downs).toEqual([
      [0, 1],
      [1, 4]
    ]);
    expect(await pyJSON<number>(page, 'int(d.mask.sum())')).toBe(0);
    expect(await paintedPixels(view.preview)).toBe(0);
  });

  test('keys reach the widget after a click on its button, JupyterLab keeps its own outside', async ({
    page,
    tmpPath
  }) => {
    const view = await openLayer(page, tmpPath, layerDemoScene());
    await view.root.locator('.seg-demo-button').click();
    await page.mouse.move(5, 5); // the pointer is away: the focus alone decides
    await page.keyboard.press('b');
    await page.keyboard.press('Control+z');
    await expect.poll(() => pyJSON<string[]>(page, '[k.key for k in d.keys if k.down]')).toEqual(['b', 'z']);
    // Click the last cell's prompt area: JupyterLab's command mode, focus outside the widget.
    const cells = await page.notebook.getCellCount();
    await page.locator('.jp-Cell .jp-InputPrompt').last().click();
    await page.keyboard.press('Escape');
    await page.keyboard.press('b'); // JupyterLab: insert a cell below
    await expect.poll(() => page.notebook.getCellCount()).toBe(cells + 1);
    expect(await pyJSON<string[]>(page, '[k.key for k in d.keys if k.down]')).toEqual(['b', 'z']);
    // Over the canvas, without a click, the same key is the widget's.
    const over = await pagePoint(view.events, [50, 50]);
    await page.mouse.move(over[0], over[1]);
    await page.keyboard.press('e');
    await expect.poll(() => pyJSON<string[]>(page, '[k.key for k in d.keys if k.down]')).toEqual(['b', 'z', 'e']);
    // Running that query clicked a new cell (the notebook is in command mode): back over the
    // widget, B is ours, not JupyterLab's "insert a cell below".
    await view.events.scrollIntoViewIfNeeded();
    const back = await pagePoint(view.events, [50, 50]);
    await page.mouse.move(back[0], back[1]);
    await page.keyboard.press('b');
    await expect.poll(() => pyJSON<string[]>(page, '[k.key for k in d.keys if k.down]')).toEqual(['b', 'z', 'e', 'b']);
    // No cell was inserted by B over the widget (only the query cells were added).
    const sources = await page.evaluate(() => {
      const cells = (window as any).galata.app.shell.currentWidget.content.model.sharedModel.cells;
      return cells.map((cell: any) => cell.getSource());
    });
    expect(sources.filter((source: string) => source === '')).toHaveLength(1);
    // Nothing was painted by any of this.
    expect(await pyJSON<number>(page, 'int(d.mask.sum())')).toBe(0);
  });
});

test('typing in a text field is never taken, even with the pointer over the canvas', async ({
  page,
  tmpPath
}) => {
  const view = await openLayer(page, tmpPath, layerDemoScene());
  await view.root.locator('.seg-demo-name input').click();
  const over = await pagePoint(view.events, [200, 200]);
  await page.mouse.move(over[0], over[1]);
  await page.keyboard.type('be be');
  await expect(view.root.locator('.seg-demo-name input')).toHaveValue('be be');
  expect(await pyJSON<number>(page, 'len(d.keys)')).toBe(0);
});

test.describe('input layer: page size', () => {
  test('the widget re-fits when the page narrows', async ({ page, tmpPath }) => {
    const view = await openLayer(page, tmpPath, layerDemoScene('fit_width=True'));
    const first = await pyJSON<number>(page, 'd.css_size[0]');
    const available = await view.root.evaluate((el: HTMLElement) => el.clientWidth);
    expect(Math.abs(first - available)).toBeLessThanOrEqual(1);
    await page.setViewportSize({ width: 900, height: 900 });
    await expect
      .poll(async () => Math.abs((await pyJSON<number>(page, 'd.css_size[0]')) - (await view.root.evaluate((el: HTMLElement) => el.clientWidth))))
      .toBeLessThanOrEqual(1);
    const narrowed = await pyJSON<number>(page, 'd.css_size[0]');
    expect(narrowed).toBeLessThan(first - 200);
    // Canvas, layer and the kernel's view agree on the new size.
    const css = await view.events.evaluate((el: HTMLCanvasElement) => el.getBoundingClientRect().width);
    expect(Math.abs(css - narrowed)).toBeLessThanOrEqual(1);
    const kernelCss = await view.kernel.evaluate((el: HTMLCanvasElement) => el.getBoundingClientRect().width);
    expect(Math.abs(kernelCss - narrowed)).toBeLessThanOrEqual(1);
  });
});

test.describe('input layer: high-DPI', () => {
  test.use({ deviceScaleFactor: 2 });

  test('canvases are drawn at device resolution and strokes land under the pointer', async ({
    page,
    tmpPath
  }) => {
    const view = await openLayer(page, tmpPath, layerDemoScene());
    await expect.poll(() => pyJSON<number>(page, 'd.pixel_ratio')).toBe(2);
    for (const canvas of [view.kernel, view.events, view.preview]) {
      await expect
        .poll(() => canvas.evaluate((el: HTMLCanvasElement) => [el.width, el.height, el.getBoundingClientRect().width]))
        .toEqual([1040, 720, 520]);
    }
    const at = await pagePoint(view.events, [400, 400]); // device px = CSS (200, 200)
    await page.mouse.click(at[0], at[1]);
    // Device px 400 at zoom 4 CSS px (8 device px) per image px: image pixel (50, 50).
    await expect.poll(() => pyJSON<number>(page, 'int(d.mask[50, 50])')).toBe(1);
    const down = await pyJSON<number[]>(page, '[[round(e.x), round(e.y)] for e in d.events if e.kind == "down"][0]');
    expect(Math.abs(down[0] - 400)).toBeLessThanOrEqual(2);
    expect(Math.abs(down[1] - 400)).toBeLessThanOrEqual(2);
  });
});
