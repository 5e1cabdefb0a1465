/**
 * The pen of the real widget answers the hand before the kernel does, and keeps its promise:
 * while the kernel sleeps in an `on_edit` callback, the layer's preview already shows the
 * stroke, exactly the pixels the kernel will paint (in "preserve" mode: never over labelled
 * pixels the kernel will not change); once the kernel has caught up, the visible canvas is
 * the kernel's image and mask, pixel for pixel, and no preview is left.
 */
import { expect, test } from '@jupyterlab/galata';
import { type Point, pyJSON, runPython } from './helpers';
import {
  compareSnapshot,
  dragThrough,
  expectShowsKernel,
  frames,
  imageToPage,
  keepScene,
  openPen,
  penScene,
  type PenView,
  sceneChangedSinceKept,
  snapshotPreview
} from './layer_scene';
import type { LabPage } from './helpers';

/**
 * Seconds the kernel sleeps in the first edit of a stroke. A sleeping cell would not do: with
 * JupyterLab 4.6 and ipykernel 7 the widgets' comm messages run on a kernel subshell (its own
 * thread), so the widget keeps answering while a cell runs; the edit callback holds the very
 * thread that handles the pen.
 */
const BUSY_S = 4;

/**
 * Drag through image points while the kernel sleeps in the stroke's first edit; return how
 * many preview pixels were painted before the kernel drew anything (checked: nothing).
 */
async function strokeWhileBusy(
  page: LabPage,
  view: PenView,
  points: readonly Point[],
  button: 'left' | 'right' = 'left'
): Promise<number> {
  await runPython(page, `before = w.mask.copy()\nbusy.append(${BUSY_S})`);
  const toPage = await imageToPage(page, view);
  const path = await toPage(points);
  await keepScene(view);
  await dragThrough(page, path, { button });
  await frames(page, 2);
  const previewed = await snapshotPreview(view);
  expect(await sceneChangedSinceKept(view), 'the kernel has drawn nothing yet').toBe(0);
  return previewed;
}

/** The snapshot of the preview against the pixels the kernel changed (stroke caught up). */
async function expectPreviewWasFootprint(page: LabPage, view: PenView, previewed: number) {
  await expectShowsKernel(page, view);
  const footprint = await compareSnapshot(view, await pyJSON(page, 'changed_view(before)'));
  expect(footprint).toEqual({ both: previewed, onlyPreview: 0, onlyKernel: 0 });
}

test.describe('the pen of the real widget', () => {
  test('the preview shows the exact stroke while the kernel is busy, then the canvas is the kernel mask', async ({
    page,
    tmpPath
  }) => {
    const view = await openPen(page, tmpPath, penScene());
    await expectShowsKernel(page, view);
    const previewed = await strokeWhileBusy(page, view, [
      [10.3, 20.6],
      [60.1, 35.2],
      [118.7, 70.4]
    ]);
    expect(previewed, 'preview pixels under a 110-pixel stroke of diameter 9').toBeGreaterThan(2000);
    await expectPreviewWasFootprint(page, view, previewed);
    const painted = await pyJSON<number[]>(page, 'np.bincount(w.mask.ravel(), minlength=4).tolist()');
    expect(painted[1], `class 1 painted: ${painted}`).toBeGreaterThan(900);
  });

  test('in preserve mode the preview never shows paint or erasing the kernel will not do', async ({
    page,
    tmpPath
  }) => {
    const view = await openPen(page, tmpPath, penScene({ start: 'start = np.zeros((H, W), np.uint8)\nstart[30:60, 50:80] = 2' }));
    await runPython(page, 'w.paint_mode = "preserve"');
    // Across the class-2 block: painted left and right of it, never on it.
    const painted = await strokeWhileBusy(page, view, [
      [20.5, 45.5],
      [110.5, 45.5]
    ]);
    await expectPreviewWasFootprint(page, view, painted);
    expect(await pyJSON(page, '[int((w.mask[30:60, 50:80] == 2).sum()), int((w.mask == 1).sum()) > 400]')).toEqual([
      900,
      true
    ]);
    // A right-drag erases the selected class only: across the stroke and the block.
    const erased = await strokeWhileBusy(
      page,
      view,
      [
        [35.5, 25.5],
        [65.5, 65.5]
      ],
      'right'
    );
    expect(erased, 'the eraser previews the class-1 pixels it crosses').toBeGreaterThan(100);
    await expectPreviewWasFootprint(page, view, erased);
    expect(await pyJSON(page, '[int((w.mask[30:60, 50:80] == 2).sum()), int((before == 1).sum() - (w.mask == 1).sum()) > 20]')).toEqual([
      900,
      true
    ]);
  });
});
