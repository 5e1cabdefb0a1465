/**
 * seg-widget's magic wand in a real JupyterLab + Chromium (issue 6): real keys, a real toolbar
 * click and real canvas clicks; every result checked against the kernel.
 *
 * The scene: a 130 x 90 RGB image of coloured noise (R 20..120, G 80..200, B 120..220, seeded)
 * with two flat objects of the same yellow (230, 200, 40), not connected: an ellipse (centre
 * row 45, col 35, semi-axes 14 x 20) and a 30 x 20 px rectangle (rows 30..49, cols 85..114).
 * Fitted into a 560 px wide view (zoom 4.31); every mouse down/up the kernel receives is
 * recorded in `events`.
 *
 * Expectations are computed in the kernel:
 * - the proposal: exactly `seg_widget.core.assist.wand_region(to_display(w.image, w.contrast_limits), seed,
 *   w.wand_tolerance)` (the README's rule) for the pixel under the mouse-down the kernel
 *   received; in this scene that is exactly the clicked object (the noise is far from yellow);
 * - colours: expected_rgb (image + committed overlay at w.opacity) and, for a pending
 *   proposal, that colour with the proposal drawn over it at PROPOSAL_ALPHA: the class colour
 *   inside, white on its 1-px edge (pixels with a 4-neighbour outside).
 */
import { expect, test } from '@jupyterlab/galata';
import type { Locator } from '@playwright/test';
import { type LabPage, type Point, pyJSON, toPage } from './helpers';
import {
  expectCanvasShows,
  expectPixelShows,
  KERNEL_HELPERS,
  mouseAway,
  openWidgetCanvas,
  pressOnCanvas,
  py,
  rgbDiff,
  toolButton
} from './scene';

const SCENE = `\
import json
import math

import numpy as np
import seg_widget as sw
from seg_widget.core.assist import wand_region
from seg_widget.render.display import to_display
from seg_widget.widget.scene import PROPOSAL_ALPHA

H, W = 90, 130
_rng = np.random.default_rng(6)
image = np.stack(
    [_rng.integers(lo, hi, (H, W)) for lo, hi in ((20, 121), (80, 201), (120, 221))], axis=-1
).astype(np.uint8)
_rr, _cc = np.mgrid[0:H, 0:W]
ELLIPSE = ((_rr - 45) / 14) ** 2 + ((_cc - 35) / 20) ** 2 <= 1
RECT = np.zeros((H, W), bool)
RECT[30:50, 85:115] = True
image[ELLIPSE | RECT] = (230, 200, 40)
w = sw.SegmentationWidget(
    image, classes=["unlabelled", "cat", "dog", "bird"], width=560, brush_size=9
)

# Every pointer down/up the kernel receives, in order (recorded after the widget's handlers).
from seg_widget.testing import record_pointer_events

events = []
record_pointer_events(w, events, ("down", "up"))

${KERNEL_HELPERS}


def edge_of(region):
    """Pixels of region with a 4-neighbour outside it (the image border counts as outside)."""
    p = np.pad(region, 1)
    return region & ~(p[:-2, 1:-1] & p[2:, 1:-1] & p[1:-1, :-2] & p[1:-1, 2:])


def proposal_rgb(x, y, region, label):
    """expected_rgb(x, y) with a proposal of \`label\` over \`region\` drawn at PROPOSAL_ALPHA."""
    rgb = np.asarray(expected_rgb(x, y), float)
    col, row = w.canvas_to_image(x + 0.5, y + 0.5)
    r, c = math.floor(row), math.floor(col)
    if not region[r, c]:
        return [round(float(v)) for v in rgb]
    white = edge_of(region)[r, c] or label == 0
    colour = np.array([255.0] * 3) if white else np.asarray(w.classes[label].color[:3], float)
    return [round(float(v)) for v in rgb * (1 - PROPOSAL_ALPHA) + colour * PROPOSAL_ALPHA]


def wand_report(mark, obj, other):
    """Check the pending proposal against the wand rule for the last mouse-down received."""
    x, y = [e[1:] for e in events[mark:] if e[0] == "down"][-1]
    col, row = w.canvas_to_image(x, y)
    seed = (math.floor(row), math.floor(col))
    bbox, footprint = wand_region(to_display(w.image, w.contrast_limits), seed, w.wand_tolerance)
    p = w.proposal
    out = {"seed": list(seed), "n_downs": sum(e[0] == "down" for e in events[mark:]),
           "has_proposal": p is not None, "mask_zero": bool((w.mask == 0).all()),
           "edits": w.edit_count, "can_undo": w.can_undo}
    if p is not None:
        pbox, values, pfoot = p
        full = np.zeros((H, W), bool)
        full[pbox.slices] = pfoot
        out.update({
            "rule_bbox": tuple(bbox) == tuple(pbox),
            "rule_footprint": pfoot.shape == footprint.shape and bool((pfoot == footprint).all()),
            "values": sorted({int(v) for v in values[pfoot]}),
            "n_proposed": int(full.sum()),
            "is_object": bool((full == obj).all()),
            "n_other": int((full & other).sum()),
        })
    return out`;

interface WandReport {
  seed: Point;
  n_downs: number;
  has_proposal: boolean;
  mask_zero: boolean;
  edits: number;
  can_undo: boolean;
  rule_bbox?: boolean;
  rule_footprint?: boolean;
  values?: number[];
  n_proposed?: number;
  is_object?: boolean;
  n_other?: number;
}

interface Spot {
  at: Point;
  before: number[];
  proposal: number[];
}

/** Real click at a canvas-pixel point, the canvas scrolled into view first. */
async function click(page: LabPage, canvas: Locator, p: Point): Promise<void> {
  await canvas.scrollIntoViewIfNeeded();
  const [x, y] = await toPage(canvas, p);
  await page.mouse.click(x, y);
}

/**
 * The canvas pixels at the centres of image pixels (col, row), with their colour now (no
 * proposal) and with a proposal of `label` over `region` (Python names).
 */
async function spots(
  page: LabPage,
  pixels: readonly Point[],
  region: string,
  label: number
): Promise<Spot[]> {
  return pyJSON<Spot[]>(
    page,
    `[{"at": (_p := canvas_of_pixel(c, r)), "before": expected_rgb(*_p), ` +
      `"proposal": proposal_rgb(*_p, ${region}, ${label})} for c, r in ${JSON.stringify(pixels)}]`
  );
}

/** Move the mouse away, then wait until every spot shows its `key` colour (±TOL_RGB). */
async function expectSpots(
  page: LabPage,
  canvas: Locator,
  list: readonly Spot[],
  key: 'before' | 'proposal'
): Promise<void> {
  await canvas.scrollIntoViewIfNeeded();
  await mouseAway(page);
  for (const s of list) {
    const message = `canvas pixel ${s.at} should show the ${key} colour ${s[key]}`;
    await expectPixelShows(canvas, s.at, s[key], message);
  }
}

test.describe('seg-widget assisted labelling in JupyterLab', () => {
  test("wand: 'w', a real click proposes the connected object; Enter accepts; Ctrl+Z undoes", async ({
    page,
    tmpPath
  }) => {
    // Image pixels (col, row): ellipse interior, its left-edge and top-edge pixels, the
    // background just left of it, the rectangle's centre (same colour, not connected).
    const pixels: Point[] = [
      [35, 45],
      [25, 50],
      [15, 45],
      [35, 31],
      [14, 45],
      [100, 40]
    ];
    const canvas = await openWidgetCanvas(page, tmpPath, SCENE);
    await expectCanvasShows(page, canvas, pixels, { scroll: true });

    // The real 'w' key on the focused canvas selects the wand; class 1 (cat, red).
    await expect(toolButton(page, 'Wand')).not.toHaveClass(/mod-active/);
    await pressOnCanvas(page, canvas, 'w', '1');
    await expect(toolButton(page, 'Wand')).toHaveClass(/mod-active/);
    await expect(toolButton(page, 'Brush')).not.toHaveClass(/mod-active/);
    const s = await spots(page, pixels, 'ELLIPSE', 1);
    expect(
      await py(
        page,
        '_mark = len(events); _edits = w.edit_count',
        '[w.tool, w.label, w.wand_tolerance]'
      )
    ).toEqual(['wand', 1, 0.1]);
    // The expected colours are far apart (so the pixel checks below can tell them apart):
    // inside leans to the class colour, the edge to white, outside the ellipse unchanged.
    const colours = JSON.stringify(s);
    for (const i of [0, 1]) {
      expect(rgbDiff(s[i].proposal, s[i].before), colours).toBeGreaterThanOrEqual(100);
      expect(rgbDiff(s[i].proposal, [230, 25, 75]), colours).toBeLessThanOrEqual(45);
    }
    for (const i of [2, 3]) {
      expect(Math.min(...s[i].proposal), colours).toBeGreaterThanOrEqual(200);
      expect(rgbDiff(s[i].proposal, s[0].proposal), colours).toBeGreaterThanOrEqual(100);
    }
    expect([s[4].proposal, s[5].proposal], colours).toEqual([s[4].before, s[5].before]);

    // A real click inside the ellipse: a proposal, exactly the wand rule; w.mask untouched.
    await click(page, canvas, s[0].at);
    const r = await py<WandReport>(page, '', 'wand_report(_mark, ELLIPSE, RECT)');
    const rt = JSON.stringify(r);
    expect(r.n_downs, rt).toBe(1);
    expect(r.seed, `the clicked pixel (row, col): ${rt}`).toEqual([45, 35]);
    expect(r.has_proposal, rt).toBe(true);
    expect(r.rule_bbox, rt).toBe(true);
    expect(r.rule_footprint, rt).toBe(true);
    expect(r.values, rt).toEqual([1]);
    expect(r.n_other, `nothing of the unconnected rectangle: ${rt}`).toBe(0);
    expect(r.is_object, `the proposal is exactly the ellipse: ${rt}`).toBe(true);
    expect(r.n_proposed, rt).toBe(877);
    expect([r.mask_zero, r.edits, r.can_undo], `not in w.mask yet: ${rt}`).toEqual([
      true,
      0,
      false
    ]);
    // The canvas shows it: class colour inside, white edge, nothing outside or on the rectangle.
    await expectSpots(page, canvas, s, 'proposal');

    // Enter on the canvas accepts: w.mask is the label exactly on the footprint, one undo step.
    await pressOnCanvas(page, canvas, 'Enter');
    const a = await pyJSON<{ exact: boolean; proposal: boolean; edits: number; canUndo: boolean }>(
      page,
      '{"exact": bool((w.mask == np.where(ELLIPSE, 1, 0)).all()), ' +
        '"proposal": w.proposal is not None, "edits": w.edit_count - _edits, ' +
        '"canUndo": w.can_undo}'
    );
    expect(a).toEqual({ exact: true, proposal: false, edits: 1, canUndo: true });
    // The committed overlay (w.opacity 0.5) replaces the proposal's colours and white edge.
    const committed = await expectCanvasShows(page, canvas, pixels, { scroll: true });
    expect(committed.zoom).toBeCloseTo(560 / 130, 3);
    await expectPixelShows(canvas, s[0].at, [230, 112, 58], 'cat over yellow at opacity 0.5');

    // Ctrl+Z on the canvas: the empty mask again, and the image colours on the canvas.
    await pressOnCanvas(page, canvas, 'Control+z');
    expect(
      await pyJSON(page, '[bool((w.mask == 0).all()), w.can_undo, w.can_redo, w.proposal is None]')
    ).toEqual([true, false, true, true]);
    await expectSpots(page, canvas, s, 'before');
  });

  test('wand from the toolbar button, then Escape rejects the proposal', async ({
    page,
    tmpPath
  }) => {
    // The rectangle's centre and its top-left edge pixel; the ellipse's centre.
    const pixels: Point[] = [
      [100, 40],
      [85, 30],
      [35, 45]
    ];
    const canvas = await openWidgetCanvas(page, tmpPath, SCENE);
    await expectCanvasShows(page, canvas, pixels, { scroll: true });
    await toolButton(page, 'Wand').click();
    await expect(toolButton(page, 'Wand')).toHaveClass(/mod-active/);
    const s = await spots(page, pixels, 'RECT', 1);
    expect(await py(page, '_mark = len(events)', 'w.tool')).toBe('wand');
    await click(page, canvas, s[0].at);
    const r = await py<WandReport>(page, '', 'wand_report(_mark, RECT, ELLIPSE)');
    const rt = JSON.stringify(r);
    expect([r.rule_footprint, r.is_object, r.n_proposed, r.mask_zero], rt).toEqual([
      true,
      true,
      600,
      true
    ]);
    await expectSpots(page, canvas, s, 'proposal');

    await pressOnCanvas(page, canvas, 'Escape');
    expect(
      await pyJSON(
        page,
        '[w.proposal is None, bool((w.mask == 0).all()), w.edit_count, w.can_undo]'
      )
    ).toEqual([true, true, 0, false]);
    await expectSpots(page, canvas, s, 'before');
  });
});
