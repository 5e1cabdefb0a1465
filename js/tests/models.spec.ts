/**
 * seg-widget's prompt tool with a two-stage model (issue 17) in a real JupyterLab + Chromium:
 * a real click asks the model; while its encoder runs, the status line says so and the brush
 * still paints at once; when the encoder is done the proposal appears on the canvas by itself
 * (the answer comes back on the kernel's event loop, no cell is run).
 *
 * The scene: the 130 x 90 gradient of scene.ts in a 560 px wide view. The model's `prepare`
 * (the encoder) waits until the test opens a gate (`model.gate.set()`); its `predict` answers
 * the disc of radius 6 px around the last clicked point. Expected colours are computed in the
 * kernel: `expected_rgb` (image + committed labels) and, for the proposal's interior,
 * that colour with the class colour over it at PROPOSAL_ALPHA.
 */
import { expect, test } from '@jupyterlab/galata';
import type { Locator } from '@playwright/test';
import { type LabPage, type Point, pyJSON, toPage } from './helpers';
import {
  expectPixelShows,
  gradientScene,
  KERNEL_HELPERS,
  mouseAway,
  openWidgetCanvas,
  pressOnCanvas,
  py,
  rgbDiff,
  toolButton
} from './scene';

const MODEL = `\
import threading

from seg_widget.core.model_session import PREPARING
from seg_widget.widget.scene import PROPOSAL_ALPHA


class GatedModel:
    """Encoder held at a gate (a slow model); decoder: a disc of radius 6 px at the click."""

    def __init__(self):
        self.gate = threading.Event()
        self.prepared = 0
        self.threads = set()

    def prepare(self, image):
        self.threads.add(threading.current_thread().name)
        self.gate.wait(120)
        self.prepared += 1
        return image.shape[:2]

    def predict(self, state, prompt):
        self.threads.add(threading.current_thread().name)
        height, width = state
        x, y = prompt.points_xy[-1]
        rows, cols = np.mgrid[0:height, 0:width]
        return (rows + 0.5 - y) ** 2 + (cols + 0.5 - x) ** 2 <= 36


model = GatedModel()
w.use_model(model)


def proposal_inside_rgb(x, y, label):
    """expected_rgb(x, y) under the interior of a proposal of \`label\`."""
    rgb = np.asarray(expected_rgb(x, y), float)
    colour = np.asarray(w.classes[label].color[:3], float)
    return [round(float(v)) for v in rgb * (1 - PROPOSAL_ALPHA) + colour * PROPOSAL_ALPHA]`;

/** Real click at a canvas-pixel point. */
async function click(page: LabPage, canvas: Locator, p: Point): Promise<void> {
  await canvas.scrollIntoViewIfNeeded();
  const [x, y] = await toPage(canvas, p);
  await page.mouse.click(x, y);
}

/** Real drag through canvas-pixel points. */
async function drag(page: LabPage, canvas: Locator, points: readonly Point[]): Promise<void> {
  const [x0, y0] = await toPage(canvas, points[0]);
  await page.mouse.move(x0, y0);
  await page.mouse.down();
  for (const p of points.slice(1)) {
    const [x, y] = await toPage(canvas, p);
    await page.mouse.move(x, y, { steps: 5 });
  }
  await page.mouse.up();
}

test.describe('seg-widget prompt tool with a model in JupyterLab', () => {
  test('a click while the encoder runs: painting goes on, then the proposal appears', async ({
    page,
    tmpPath
  }) => {
    const setup = `${gradientScene()}\n\n${KERNEL_HELPERS}\n\n${MODEL}`;
    const canvas = await openWidgetCanvas(page, tmpPath, setup);
    const status = page.locator('.seg-widget .seg-status');

    // Canvas pixels at image pixels (col, row): the prompt's point, and two on the stroke.
    const spots = await pyJSON<{ prompt: Point; stroke: Point[]; brush: number[][] }>(
      page,
      '{"prompt": canvas_of_pixel(30, 40), "stroke": [canvas_of_pixel(c, 70) for c in (80, 100)],' +
        ' "brush": [[round(v) for v in np.asarray(expected_rgb(*canvas_of_pixel(c, 70)), float)' +
        ' * (1 - w.opacity) + np.asarray(w.classes[2].color[:3], float) * w.opacity]' +
        ' for c in (80, 100)]}'
    );

    // The prompt tool by its key; class 1 (cat). A real click: the kernel asks the model and
    // returns at once, the status line says the encoder runs; no proposal yet.
    await pressOnCanvas(page, canvas, 'a', '1');
    await expect(toolButton(page, 'Prompt')).toHaveClass(/mod-active/);
    await click(page, canvas, spots.prompt);
    await expect(status).toContainText('preparing model…');
    const started = '[w.proposal is None, model.prepared, "seg-widget-model" in model.threads]';
    expect(await py(page, '', started)).toEqual([true, 0, true]);

    // Painting does not wait for the model: class 2 with the brush, a real drag, shown at once.
    await pressOnCanvas(page, canvas, 'b', '2');
    await drag(page, canvas, [
      [spots.stroke[0][0], spots.stroke[0][1]],
      [spots.stroke[1][0], spots.stroke[1][1]]
    ]);
    await mouseAway(page);
    for (const [i, at] of spots.stroke.entries()) {
      const message = `brush pixel ${at} while the model works`;
      await expectPixelShows(canvas, at, spots.brush[i], message);
    }
    const painted =
      '[int(w.mask[70, 80]), int(w.mask[70, 100]), w.proposal is None, model.prepared]';
    expect(await py(page, '', painted)).toEqual([2, 2, true, 0]);

    // The expected colour of the proposal's interior at the clicked pixel (differs from now).
    const colours = await pyJSON<{ now: number[]; proposal: number[] }>(
      page,
      `{"now": expected_rgb(*${JSON.stringify(spots.prompt)}), ` +
        `"proposal": proposal_inside_rgb(*${JSON.stringify(spots.prompt)}, 1)}`
    );
    expect(rgbDiff(colours.now, colours.proposal)).toBeGreaterThanOrEqual(40);
    const before = 'no proposal before the encoder ends';
    await expectPixelShows(canvas, spots.prompt, colours.now, before);

    // Open the gate: the encoder ends in its thread, the decoder answers, and the proposal is
    // drawn without any cell running: the answer came back on the kernel's event loop.
    await py(page, 'model.gate.set()', '0');
    const after = 'the proposal appears by itself';
    await expectPixelShows(canvas, spots.prompt, colours.proposal, after);
    await expect(status).not.toContainText('preparing model…');
    const report = await pyJSON<{
      prepared: number;
      footprint: number;
      mask_cat: number;
      clicked: number[];
    }>(
      page,
      '(lambda p: {"prepared": model.prepared, "footprint": int(p[2].sum()),' +
        ' "mask_cat": int((w.mask == 1).sum()),' +
        ' "clicked": [round(v, 1) for v in w.canvas_to_image(*' +
        JSON.stringify(spots.prompt) +
        ')]})(w.proposal)'
    );
    expect(report.prepared).toBe(1);
    expect(report.mask_cat).toBe(0); // a proposal, not yet labels
    expect(report.footprint).toBeGreaterThanOrEqual(100); // a disc of radius 6: ~113 px
    expect(report.footprint).toBeLessThanOrEqual(125);

    // Enter accepts it: the labels, one undo step; a second click costs no second encoding.
    await pressOnCanvas(page, canvas, 'Enter');
    expect(await py(page, '', 'int((w.mask == 1).sum())')).toBe(report.footprint);
    await pressOnCanvas(page, canvas, 'a');
    await click(page, canvas, spots.stroke[0]);
    await expect.poll(() => py(page, '', 'w.proposal is not None')).toBe(true);
    expect(await py(page, '', 'model.prepared')).toBe(1);
  });
});
