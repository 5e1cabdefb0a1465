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
