/**
 * The first hour, in a real JupyterLab + Chromium with a real mouse and keyboard: the class list
 * with 100 classes (readable rows, scrolling, the name filter), the proposal hint, the contrast
 * limits on a 16-bit image, the message line and Save with Ctrl+S. Results are read back from
 * the kernel (pyJSON) and from the page (element boxes, text, canvas pixels).
 */
import { expect, test } from '@jupyterlab/galata';
import type { Locator } from '@playwright/test';
import { canvasPixels, clickAt as clickAtPoint, type LabPage, type Point, pyJSON, runPython } from './helpers';
import { openWidgetCanvas, pressOnCanvas } from './scene';

/** A 120 x 90 grey ramp shown at 4 canvas px per image px. */
const RAMP = `\
import numpy as np
import seg_widget as sw

H, W = 90, 120
image = np.tile(np.linspace(30, 220, W), (H, 1)).astype(np.uint8)`;

/** Box of a locator, failing clearly when it is not laid out. */
async function box(locator: Locator): Promise<{ x: number; y: number; width: number; height: number }> {
  const found = await locator.boundingBox();
  expect(found, 'element laid out').not.toBeNull();
  return found!;
}

/** Click a canvas point, scrolling the canvas into view first. */
async function clickAt(page: LabPage, canvas: Locator, point: Point): Promise<void> {
  await canvas.scrollIntoViewIfNeeded();
  await clickAtPoint(page, canvas, point);
}

/** The visible class rows' texts, top to bottom. */
async function classRows(page: LabPage): Promise<string[]> {
  const rows = page.locator('.seg-widget .seg-class-row:visible');
  return rows.allInnerTexts();
}

test.describe('seg-widget: the first hour', () => {
  test('100 classes: readable rows that scroll, and a name filter', async ({ page, tmpPath }) => {
    await openWidgetCanvas(
      page,
      tmpPath,
      `${RAMP}\nclasses = ["unlabelled", *(f"class number {i}" for i in range(1, 100))]\n` +
        'w = sw.SegmentationWidget(image, classes, width=480)'
    );
    const rows = page.locator('.seg-widget .seg-class-row:visible');
    await expect(rows).toHaveCount(12);
    const texts = await classRows(page);
    expect(texts[0]).toContain('0: unlabelled');
    expect(texts[5]).toContain('5: class number 5');
    // Readable: every row is a full line of text, none squeezed, none overlapping.
    let previousBottom = -Infinity;
    for (let i = 0; i < 12; i++) {
      const row = rows.nth(i);
      const b = await box(row);
      expect(b.height, `row ${i} height`).toBeGreaterThanOrEqual(24);
      expect(b.y, `row ${i} below the previous`).toBeGreaterThanOrEqual(previousBottom - 0.5);
      previousBottom = b.y + b.height;
      const fontSize = await row.evaluate(el => parseFloat(getComputedStyle(el).fontSize));
      expect(fontSize).toBeGreaterThanOrEqual(12);
    }
    // The full name is on hover.
    await expect(rows.nth(5)).toHaveAttribute('title', /Select class 5: class number 5/);

    // Scroll: drag the list's slider to its bottom; the last classes come into view.
    const handle = page.locator('.seg-widget .seg-class-list .noUi-handle');
    const h = await box(handle);
    await page.mouse.move(h.x + h.width / 2, h.y + h.height / 2);
    await page.mouse.down();
    await page.mouse.move(h.x + h.width / 2, h.y + 2000, { steps: 10 });
    await page.mouse.up();
    await expect.poll(async () => (await classRows(page)).at(-1) ?? '').toContain('99: class number 99');
    await rows.last().click();
    expect(await pyJSON(page, 'w.label')).toBe(99);

    // Filter by name: only the matches are listed, and a click selects one.
    const filter = page.locator('.seg-widget .seg-class-list input[type="text"]');
    await expect(filter).toBeVisible();
    await filter.fill('number 7');
    await expect.poll(() => classRows(page)).toEqual([
      '7: class number 7 · 0.0%',
      '70: class number 70 · 0.0%',
      '71: class number 71 · 0.0%',
      '72: class number 72 · 0.0%',
      '73: class number 73 · 0.0%',
      '74: class number 74 · 0.0%',
      '75: class number 75 · 0.0%',
      '76: class number 76 · 0.0%',
      '77: class number 77 · 0.0%',
      '78: class number 78 · 0.0%',
      '79: class number 79 · 0.0%'
    ]);
    await rows.nth(3).click();
    expect(await pyJSON(page, 'w.label')).toBe(72);
  });

  test('a pending proposal shows its hint and buttons next to the canvas', async ({ page, tmpPath }) => {
    const canvas = await openWidgetCanvas(
      page,
      tmpPath,
      `${RAMP}\nw = sw.SegmentationWidget(image, ["unlabelled", "sky"], width=480)`
    );
    const hint = page.locator('.seg-widget .seg-proposal-hint');
    await expect(hint).toBeHidden();
    await pressOnCanvas(page, canvas, 'w'); // the magic wand
    await expect.poll(() => pyJSON(page, 'w.tool')).toBe('wand');
    await clickAt(page, canvas, [40, 40]);
    await expect(hint).toBeVisible();
    await expect(hint).toContainText('Proposal: Enter accept · Esc reject');
    // Next to the canvas: right under it.
    const c = await box(canvas);
    const b = await box(hint);
    expect(b.y).toBeGreaterThanOrEqual(c.y + c.height - 1);
    expect(b.y).toBeLessThan(c.y + c.height + 40);
    await pressOnCanvas(page, canvas, 'Escape');
    await expect(hint).toBeHidden();
    expect(await pyJSON(page, 'int(w.mask.sum())')).toBe(0);
    await clickAt(page, canvas, [40, 40]);
    await expect(hint).toBeVisible();
    await hint.locator('button', { hasText: 'Accept' }).click();
    await expect(hint).toBeHidden();
    expect(await pyJSON(page, 'int((w.mask == 1).sum()) > 0')).toBe(true);
    await expect(page.locator('.seg-widget .seg-message')).toContainText(
      'accepted the proposal'
    );
  });

  test('contrast limits on a 16-bit image: Auto and the slider change what is shown', async ({
    page,
    tmpPath
  }) => {
    const canvas = await openWidgetCanvas(
      page,
      tmpPath,
      `import numpy as np
import seg_widget as sw

rng = np.random.default_rng(0)
image = np.tile(np.linspace(1000, 5000, 120), (90, 1)).astype(np.uint16)
image.flat[rng.choice(image.size, 5, replace=False)] = 65535  # a few saturated pixels
w = sw.SegmentationWidget(image, ["unlabelled", "cell"], width=480)
w.contrast_limits = (0, 65535)  # min..max-like limits: the image shows almost black`
    );
    const slider = page.locator('.seg-widget .seg-contrast-limits');
    await expect(slider).toBeVisible();
    await expect(slider).toContainText('Limits');
    const middle: [number, number] = [240, 180];
    const dark = (await canvasPixels(canvas, ...middle))[0];
    expect(dark).toBeLessThan(30);
    await page.locator('.seg-widget .seg-contrast button', { hasText: 'Auto' }).click();
    await expect.poll(() => pyJSON(page, 'list(w.contrast_limits)')).toEqual(
      await pyJSON(page, 'list(__import__("seg_widget").render.display.auto_limits(image))')
    );
    await expect.poll(async () => (await canvasPixels(canvas, ...middle))[0]).toBeGreaterThan(100);
    // The slider shows the limits in force; dragging its upper handle right raises the white
    // point: the image darkens again.
    const upper = slider.locator('.noUi-handle').nth(1);
    await upper.scrollIntoViewIfNeeded();
    const u = await box(upper);
    const before = (await canvasPixels(canvas, ...middle))[0];
    await page.mouse.move(u.x + u.width / 2, u.y + u.height / 2);
    await page.mouse.down();
    await page.mouse.move(u.x + u.width / 2 + 30, u.y + u.height / 2, { steps: 8 });
    await page.mouse.up();
    await expect.poll(() => pyJSON(page, 'w.contrast_limits[1] > 6000')).toBe(true);
    await expect.poll(async () => (await canvasPixels(canvas, ...middle))[0]).toBeLessThan(before);
  });

  test('messages get their own line, wrap inside the widget and clear on the next action', async ({
    page,
    tmpPath
  }) => {
    const canvas = await openWidgetCanvas(
      page,
      tmpPath,
      `${RAMP}\nw = sw.SegmentationWidget(image, ["unlabelled", "person"], width=480)\n` +
        'w.new_instance()\n' +
        'w.rename_instance(1, "a person with a rather long name " * 4)\n' +
        'w.set_instance_locked(1)'
    );
    const message = page.locator('.seg-widget .seg-message');
    await clickAt(page, canvas, [100, 100]); // the brush on a locked object: refused
    await expect(message).toContainText('is locked: unlock or show it to change it');
    // Its own line, under the status line, within the canvas column, never cut off.
    const status = await box(page.locator('.seg-widget .seg-status'));
    const m = await box(message);
    const column = await box(message.locator('xpath=..'));
    expect(m.y).toBeGreaterThanOrEqual(status.y + status.height - 1);
    expect(m.x + m.width).toBeLessThanOrEqual(column.x + column.width + 0.5);
    const c = await box(canvas);
    expect(column.width).toBeLessThanOrEqual(c.width + 8); // the message did not widen it
    const clipped = await message.evaluate(el => {
      const content = el.querySelector('.widget-html-content') as HTMLElement;
      return content.scrollWidth > content.clientWidth + 1 || content.scrollHeight > content.clientHeight + 1;
    });
    expect(clipped).toBe(false);
    expect(m.height).toBeGreaterThan(20); // wrapped onto more than one line
    // The next action clears it: unlock in the object list.
    await page.locator('.seg-widget .seg-object-lock').first().click();
    await expect(message).toHaveText('');
    expect(await pyJSON(page, 'w.instances[0].locked')).toBe(false);
  });

  test('Ctrl+S saves to w.save_path and says so', async ({ page, tmpPath }) => {
    const canvas = await openWidgetCanvas(
      page,
      tmpPath,
      `${RAMP}\nimport os, tempfile\nfolder = tempfile.mkdtemp()\n` +
        'w = sw.SegmentationWidget(image, ["unlabelled", "sky"], width=480)\n' +
        'w.save_path = os.path.join(folder, "sky.png")'
    );
    await clickAt(page, canvas, [100, 100]); // a dab of the brush (and the canvas has focus)
    await expect.poll(() => pyJSON(page, 'int(w.mask.sum()) > 0')).toBe(true);
    await pressOnCanvas(page, canvas, 'Control+s');
    const message = page.locator('.seg-widget .seg-message');
    await expect(message).toContainText('✓ saved');
    await expect(message).toContainText('sky.png');
    expect(
      await pyJSON(
        page,
        'bool((sw.load_mask(w.save_path) == w.mask).all()) and sorted(os.listdir(folder)) == ["sky.png"]'
      )
    ).toBe(true);
    // The Save button does the same.
    await runPython(page, 'w.paint_stroke([(10, 10)], brush_size=5)');
    await page.locator('.seg-widget button', { hasText: 'Save' }).click();
    await expect
      .poll(() => pyJSON(page, 'bool((sw.load_mask(w.save_path) == w.mask).all())'))
      .toBe(true);
  });
});
