/**
 * The real SegmentationWidget's input through its front-end layer, with a real mouse and
 * keyboard in real JupyterLab: the right button erases (and opens no menu), Space-drag and
 * middle-drag pan, a release outside the canvas ends the stroke where it happened, keys work
 * after a click on the widget's own controls while JupyterLab keeps its keys outside the
 * widget, the canvas fits the page and re-fits, and a devicePixelRatio of 2 is drawn at
 * device resolution with strokes on the right pixels.
 *
 * One notebook per test; each test checks one group of gestures in steps, so the suite opens
 * few notebooks (a notebook costs ~10 s on the 2-core machines).
 */
import { expect, test } from '@jupyterlab/galata';
import type { Locator } from '@playwright/test';
import { type LabPage, pyJSON, runPython } from './helpers';
import {
  canvasSize,
  dragThrough,
  expectShowsKernel,
  imageToPage,
  openPen,
  paintedPixels,
  penScene,
  type PenView
} from './layer_scene';

/** A class-1 band over rows 40..49 of the 130 x 90 image: something to erase. */
const BAND = 'start = np.zeros((H, W), np.uint8)\nstart[40:50, :] = 1';

/** Wait until the layer has no stroke in flight (every batch acknowledged), then query. */
async function settled(page: LabPage, view: PenView): Promise<void> {
  await expect.poll(() => paintedPixels(view.preview), { message: 'no preview left' }).toBe(0);
}

/** The kernel's view origin (canvas px of image pixel (0, 0)) and zoom. */
async function origin(page: LabPage): Promise<number[]> {
  return pyJSON<number[]>(page, '[*w.image_to_canvas(0, 0), w.zoom]');
}

test.describe('the real widget: buttons and gestures', () => {
  test('right-drag erases without a menu; Space-drag and middle-drag pan; a release outside ends the stroke', async ({
    page,
    tmpPath
  }) => {
    const view = await openPen(page, tmpPath, penScene({ start: BAND }));

    await test.step('a right-drag erases along its path and opens no context menu', async () => {
      const toPage = await imageToPage(page, view);
      await dragThrough(page, await toPage([[20.5, 44.5], [100.5, 44.5]]), { button: 'right' });
      await settled(page, view);
      // Neither the browser's menu nor JupyterLab's (Lumino) over the notebook.
      await expect(page.locator('.lm-Menu')).toHaveCount(0);
      // Brush 9 along row 44 (pixel centres within 4.5 of the path): rows 40..48 erased from
      // column 20 to 100, row 49 (5 away) and the band beyond the caps kept, nothing painted.
      expect(
        await pyJSON(
          page,
          '[int(w.mask[40:49, 20:101].sum()), int(w.mask[49].sum()), int(w.mask[40:50, :12].sum()), int(w.mask[40:50, 110:].sum()), int((w.mask > 1).sum())]'
        )
      ).toEqual([0, 130, 120, 200, 0]);
      await expectShowsKernel(page, view);
    });

    await test.step('w.right_button = "none": a right-drag does nothing, still no menu', async () => {
      await runPython(page, 'w.right_button = "none"\nbefore = w.mask.copy()');
      const toPage = await imageToPage(page, view);
      await dragThrough(page, await toPage([[4.5, 46.5], [15.5, 46.5]]), { button: 'right' });
      await expect(page.locator('.lm-Menu')).toHaveCount(0);
      expect(await paintedPixels(view.preview), 'nothing previewed').toBe(0);
      expect(await pyJSON<number>(page, 'int((w.mask != before).sum())')).toBe(0);
      await runPython(page, 'w.right_button = "erase"');
    });

    await test.step('Space + drag pans by the dragged distance and paints nothing', async () => {
      await runPython(page, 'before = w.mask.copy()');
      const [x0, y0] = await origin(page);
      const toPage = await imageToPage(page, view);
      const [a, b] = await toPage([[60, 20], [60, 20]]);
      const to: [number, number] = [b[0] + 60, b[1] + 40];
      await page.mouse.move(a[0], a[1]);
      await page.keyboard.down(' ');
      await page.mouse.down();
      await page.mouse.move(to[0], to[1], { steps: 6 });
      expect(await paintedPixels(view.preview), 'no preview while Space is held').toBe(0);
      await page.mouse.up();
      await page.keyboard.up(' ');
      await expect
        .poll(async () => {
          const [x, y] = await origin(page);
          return [Math.round(x - x0), Math.round(y - y0)];
        })
        .toEqual([60, 40]);
      expect(await pyJSON<number>(page, 'int((w.mask != before).sum())')).toBe(0);
    });

    await test.step('a middle-drag pans back, whatever the tool, and paints nothing', async () => {
      const [x0, y0] = await origin(page);
      const toPage = await imageToPage(page, view);
      const [a] = await toPage([[60, 20]]);
      await dragThrough(page, [a, [a[0] - 60, a[1] - 40]], { button: 'middle', steps: 6 });
      await expect
        .poll(async () => {
          const [x, y] = await origin(page);
          return [Math.round(x - x0), Math.round(y - y0)];
        })
        .toEqual([-60, -40]);
      expect(await pyJSON<number>(page, 'int((w.mask != before).sum())')).toBe(0);
      await expectShowsKernel(page, view);
    });

    await test.step('a release outside the canvas ends the stroke where it happened', async () => {
      await runPython(page, 'before = w.mask.copy()\nevents.clear()');
      const toPage = await imageToPage(page, view);
      const [from] = await toPage([[100.5, 15.5]]);
      const box = (await view.events.boundingBox())!;
      // Out past the right edge, down a little, released there; then back in, no button.
      const outside: [number, number] = [box.x + box.width + 60, from[1] + 30];
      await dragThrough(page, [from, outside], { steps: 12 });
      const [back, across] = await toPage([[120.5, 75.5], [40.5, 75.5]]);
      await page.mouse.move(back[0], back[1], { steps: 4 });
      await page.mouse.move(across[0], across[1], { steps: 8 });
      await settled(page, view);
      const [width] = await canvasSize(view.scene);
      const ups = await pyJSON<number[][]>(page, '[[x, y] for kind, x, y in events if kind == "up"]');
      expect(ups, 'one release, reported where it happened (right of the canvas)').toHaveLength(1);
      expect(ups[0][0]).toBeGreaterThan(width + 40);
      // The stroke reached the image's right edge; the hover back across row 75 painted nothing.
      expect(await pyJSON(page, '[int((w.mask[:, 129] == 1).sum()) > 0, int((w.mask[70:81] != before[70:81]).sum())]')).toEqual([
        true,
        0
      ]);
      await expectShowsKernel(page, view);
    });
  });
});

/** The tool selector's button labelled `name` (the widget's toolbar). */
function toolButton(view: PenView, name: string): Locator {
  return view.root.locator('.widget-toggle-buttons button', { hasText: name });
}

/** Sources of the notebook's cells (to tell whether JupyterLab inserted one). */
async function cellSources(page: LabPage): Promise<string[]> {
  return page.evaluate(() => {
    const cells = (window as any).galata.app.shell.currentWidget.content.model.sharedModel.cells;
    return cells.map((cell: any) => cell.getSource());
  });
}

test.describe('the real widget: keyboard', () => {
  test('keys work after a toolbar click without clicking the canvas; JupyterLab keeps its keys outside; text fields keep theirs', async ({
    page,
    tmpPath
  }) => {
    const view = await openPen(page, tmpPath, penScene());

    await test.step('after a click on a toolbar button, keys reach the widget with the pointer away', async () => {
      const toPage = await imageToPage(page, view);
      await dragThrough(page, await toPage([[20.5, 30.5], [80.5, 30.5]]));
      await settled(page, view);
      await expect.poll(() => pyJSON<number>(page, 'int((w.mask == 1).sum())')).toBeGreaterThan(400);
      // From the click on, no cell runs (a cell run takes the focus): the toolbar shows the tool.
      await toolButton(view, 'Fill').click();
      await expect(toolButton(view, 'Fill')).toHaveClass(/mod-active/);
      await page.mouse.move(5, 5); // away from the widget: the focus alone decides
      await page.keyboard.press('e');
      await expect(toolButton(view, 'Eraser')).toHaveClass(/mod-active/);
      await page.keyboard.press('Control+z');
      await page.keyboard.press('2');
      // Keys and the cell the query runs reach the kernel in order.
      expect(await pyJSON(page, '[w.tool, w.label, int(w.mask.sum())]'), 'undone; nothing painted by a click').toEqual([
        'eraser',
        2,
        0
      ]);
      await runPython(page, 'w.tool = "brush"');
    });

    await test.step("outside the widget JupyterLab's own keys work and the widget ignores them", async () => {
      const cells = (await cellSources(page)).length;
      await page.locator('.jp-Cell .jp-InputPrompt').last().click();
      await page.keyboard.press('Escape');
      await page.keyboard.press('b'); // JupyterLab: insert a cell below
      await expect.poll(async () => (await cellSources(page)).length).toBe(cells + 1);
      expect(await pyJSON<string>(page, 'w.tool'), 'B outside the widget is not the brush key').toBe('brush');
      await runPython(page, 'w.tool = "fill"');
    });

    await test.step('over the widget, without a click, the same key is the widget’s', async () => {
      const cells = (await cellSources(page)).length;
      await view.events.scrollIntoViewIfNeeded();
      const [over] = await (await imageToPage(page, view))([[60, 60]]);
      await page.mouse.move(over[0], over[1]);
      await page.keyboard.press('b');
      await expect.poll(() => pyJSON<string>(page, 'w.tool')).toBe('brush');
      // Only the query cells were added, no cell by B.
      const sources = await cellSources(page);
      expect(sources.filter(source => source === '')).toHaveLength(1);
      expect(sources.length).toBeGreaterThan(cells);
    });

    await test.step('typing in a text field of the panel is never taken, even over the canvas', async () => {
      await view.root.getByText('Find what is missing').click();
      const field = view.root.locator('.widget-inline-hbox', { hasText: 'Max px' }).locator('input');
      const [over] = await (await imageToPage(page, view))([[60, 60]]); // runs a cell: first
      await field.click();
      await field.press('End');
      await page.mouse.move(over[0], over[1]);
      await page.keyboard.type('3');
      await expect(field).toHaveValue('643');
      expect(await pyJSON(page, '[w.label, w.tool, int(w.mask.sum())]'), 'class 3 not selected, nothing painted').toEqual([2, 'brush', 0]);
    });
  });
});

/** CSS boxes of the canvas, the side panel and the widget's root. */
async function layout(view: PenView) {
  return view.root.evaluate((root: HTMLElement) => {
    const box = (el: Element | null) => {
      const r = el!.getBoundingClientRect();
      return { left: r.left, right: r.right, top: r.top, bottom: r.bottom, width: r.width };
    };
    const canvas = root.querySelector('canvas.seg-widget-canvas');
    const panel = root.querySelector('.seg-class-list')!.parentElement;
    const style = getComputedStyle(root);
    const inner = root.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
    return { canvas: box(canvas), panel: box(panel), root: box(root), inner, overflow: root.scrollWidth - root.clientWidth };
  });
}

/**
 * The canvas takes the width the page offers: the root's width less the 288 px side panel
 * when that leaves the canvas ≥ 420 px (the panel beside it), else the whole width (the panel
 * below), 4 px of slack, at most 3/4 of the window's height for the 130 x 90 image; nothing
 * sticks out; the kernel, the scene canvas and the layer agree on the size.
 */
async function expectFitted(page: LabPage, view: PenView): Promise<number> {
  let width = 0;
  await expect
    .poll(
      async () => {
        const l = await layout(view);
        const windowHeight = await page.evaluate(() => window.innerHeight);
        const [kernelWidth] = await pyJSON<number[]>(page, '[w.canvas.width, w.canvas.height]');
        const [sceneWidth, , sceneCss] = await canvasSize(view.scene);
        const [layerWidth] = await canvasSize(view.events);
        const beside = l.inner - 288 >= 420;
        const offered = Math.floor(beside ? l.inner - 288 : l.inner) - 4;
        const expected = Math.round(Math.min(offered, (0.75 * windowHeight * 130) / 90));
        width = l.canvas.width;
        return {
          width: Math.abs(width - expected) <= 1 ? 'fitted' : `${width} px, expected ${expected} (root ${l.inner})`,
          panel: beside
            ? l.panel.left >= l.canvas.right && l.panel.top < l.canvas.bottom
            : l.panel.top >= l.canvas.bottom,
          inside: l.panel.right <= l.root.right + 1 && l.canvas.right <= l.root.right + 1 && l.overflow <= 0,
          agree: kernelWidth === sceneWidth && sceneWidth === layerWidth && Math.abs(sceneCss - sceneWidth) <= 1
        };
      },
      { message: 'the canvas fits the page' }
    )
    .toEqual({ width: 'fitted', panel: true, inside: true, agree: true });
  return width;
}

/** Run a JupyterLab command (e.g. toggling the left sidebar). */
async function command(page: LabPage, id: string): Promise<void> {
  await page.evaluate(name => (window as any).galata.app.commands.execute(name), id);
}

test.describe('the real widget: page size', () => {
  test('the canvas fits the page width and re-fits when the window or the left sidebar changes it', async ({
    page,
    tmpPath
  }) => {
    const view = await openPen(page, tmpPath, penScene());
    const leftOpen = () => page.evaluate(() => !(window as any).galata.app.shell.leftCollapsed);
    if (await leftOpen()) await command(page, 'application:toggle-left-area');
    await expect.poll(leftOpen).toBe(false);
    const wide = await expectFitted(page, view);

    await test.step('the left sidebar opens: narrower again; it closes: back', async () => {
      await command(page, 'application:toggle-left-area');
      await expect.poll(leftOpen).toBe(true);
      await expect.poll(async () => (await layout(view)).canvas.width).toBeLessThan(wide - 100);
      await expectFitted(page, view);
      await command(page, 'application:toggle-left-area');
      await expect.poll(leftOpen).toBe(false);
      await expect.poll(async () => Math.abs((await expectFitted(page, view)) - wide)).toBeLessThanOrEqual(1);
    });

    await test.step('the window narrows: the canvas narrows with it', async () => {
      await page.setViewportSize({ width: 1000, height: 900 });
      // JupyterLab lays the page out again a few frames later: until then the old layout
      // is still "fitted", so wait for the narrower one.
      await expect.poll(() => expectFitted(page, view)).toBeLessThan(wide - 200);
      // The left sidebar opens at this width: too narrow for the panel beside the canvas, so
      // the panel goes below and the canvas takes the whole width.
      await command(page, 'application:toggle-left-area');
      await expect.poll(leftOpen).toBe(true);
      await expect
        .poll(async () => {
          const l = await layout(view);
          return l.panel.top > l.canvas.bottom;
        })
        .toBe(true);
      await expectFitted(page, view);
    });

    await test.step('after the re-fits a stroke is still drawn where the kernel puts it', async () => {
      const toPage = await imageToPage(page, view);
      await dragThrough(page, await toPage([[10.5, 10.5], [120.5, 80.5]]));
      await expectShowsKernel(page, view);
      expect(await pyJSON<number>(page, 'int((w.mask == 1).sum())')).toBeGreaterThan(900);
    });
  });
});

test.describe('the real widget: high-DPI', () => {
  test.use({ deviceScaleFactor: 2 });

  test('at devicePixelRatio 2 the canvases are drawn at device resolution and strokes land on the right pixels', async ({
    page,
    tmpPath
  }) => {
    const view = await openPen(page, tmpPath, penScene());
    await expect.poll(() => page.evaluate(() => window.devicePixelRatio)).toBe(2);
    for (const canvas of [view.scene, view.preview, view.events]) {
      await expect
        .poll(async () => {
          const [width, height, cssWidth, cssHeight] = await canvasSize(canvas);
          return [width > 400, Math.abs(width - 2 * cssWidth) <= 1, Math.abs(height - 2 * cssHeight) <= 1];
        })
        .toEqual([true, true, true]);
    }
    const [width, height] = await canvasSize(view.scene);
    expect(await pyJSON<number[]>(page, '[w.canvas.width, w.canvas.height]')).toEqual([width, height]);
    const toPage = await imageToPage(page, view);
    await dragThrough(page, await toPage([[20.5, 30.5], [100.5, 30.5]]));
    await expect.poll(() => paintedPixels(view.preview), { message: 'stroke acknowledged' }).toBe(0);
    // Brush 9 along row 30 from column 20 to 100: rows 26..34 painted there; rows 25 and 35
    // (5 away) and the columns beyond the caps (4 away) not.
    expect(
      await pyJSON(
        page,
        '[bool((w.mask[26:35, 20:101] == 1).all()), int(w.mask[25].sum() + w.mask[35].sum()), int(w.mask[:, :16].sum() + w.mask[:, 105:].sum())]'
      )
    ).toEqual([true, 0, 0]);
    // Every device pixel of the canvas shows the kernel's image and mask (sharp: one image
    // pixel is a block of device pixels, no blur across its edges).
    await expectShowsKernel(page, view);
  });
});
