/**
 * seg-widget's instances (objects) in a real JupyterLab + Chromium: objects made with the real
 * M key and real brush drags, then selected, hidden, shown, locked and unlocked with real clicks
 * in the object list; every result is checked against the kernel (`w.instances`, `w.mask`,
 * `w.instance_mask`) and, for hiding, against the pixels the browser shows.
 *
 * The scene is the gradient of scene.ts (130 x 90, fitted into a 560 px wide view, brush 9,
 * classes unlabelled / cat / dog / bird), with no initial mask. Brush strokes are checked
 * exactly, as in widget.spec.ts: the README's painting rule applied with plain numpy to the
 * positions the kernel received, here with the instance map too and with the pixels of locked
 * or hidden objects left alone (the documented protection).
 *
 * Object list DOM (seg_widget/widget/object_panel.py): one `.seg-object-row` per object; its
 * name button `.seg-object-name` (title "#<id>: <name> — click to select"; button style "info",
 * i.e. class mod-info, when active), the show/hide toggle `.seg-object-visible` (icon eye /
 * eye-slash) and the lock toggle `.seg-object-lock` (icon lock / unlock). The icons and the
 * button style are set by the kernel after it applied a click, so waiting for them waits for
 * the kernel.
 */
import { expect, test } from '@jupyterlab/galata';
import type { Locator } from '@playwright/test';
import { canvasPixels, drag, type LabPage, type Point, pyJSON } from './helpers';
import {
  expectPixelShows,
  gradientScene,
  KERNEL_HELPERS,
  mouseAway,
  openWidgetCanvas,
  pressOnCanvas,
  py,
  rgbDiff,
  TOL_PX,
  TOL_RGB
} from './scene';

/** The gradient scene, KERNEL_HELPERS and the instance checks (all computed in the kernel). */
const SCENE = `\
${gradientScene()}

${KERNEL_HELPERS}


def object_table():
    """w.instances as plain lists: [id, class_id, name, visible, locked]."""
    return [[i.id, i.class_id, i.name, i.visible, i.locked] for i in w.instances]


def snapshot():
    """Remember the class mask, the instance map and the ids no tool may change (locked or
    hidden objects) before a drag or a click."""
    global _mask0, _ids0, _protected0
    _mask0 = w.mask.copy()
    _ids0 = w.instance_mask.copy()
    _protected0 = [i.id for i in w.instances if i.locked or not i.visible]


def unchanged():
    """[class mask unchanged, instance map unchanged] since the snapshot."""
    return [bool((w.mask == _mask0).all()), bool((w.instance_mask == _ids0).all())]


def stroke_report(path, value, instance_id):
    """Compare w.mask and w.instance_mask after a real brush drag along canvas points \`path\`
    with the painting rule applied to the positions the kernel received: every pixel of the
    footprint gets class \`value\` and object \`instance_id\`, except the pixels of objects that
    were locked or hidden at the snapshot, which keep both."""
    positions, ended_by = last_drag()
    snapped = [
        (math.floor(c) + 0.5, math.floor(r) + 0.5)
        for c, r in (w.canvas_to_image(x, y) for x, y in positions)
    ]
    footprint = distance_to_polyline(snapped) <= w.brush_size / 2 + 1e-9
    protected = np.isin(_ids0, _protected0)
    writes = footprint & ~protected
    changed = (w.mask != _mask0) | (w.instance_mask != _ids0)
    return {
        "ended_by": ended_by,
        "n_positions": len(positions),
        "max_position_offset": max(canvas_distance(p, path) for p in positions),
        "n_footprint": int(footprint.sum()),
        "n_protected_under": int((footprint & protected).sum()),
        "n_writes_were_other_object": int((writes & (_ids0 != 0) & (_ids0 != instance_id)).sum()),
        "n_changed": int(changed.sum()),
        "n_protected_changed": int((changed & protected).sum()),
        "n_mask_mismatch": int((w.mask != np.where(writes, value, _mask0)).sum()),
        "n_ids_mismatch": int((w.instance_mask != np.where(writes, instance_id, _ids0)).sum()),
    }


def shown_rgb(x, y):
    """expected_rgb, except that the pixels of hidden objects show the bare image."""
    col, row = w.canvas_to_image(x + 0.5, y + 0.5)
    c, r = math.floor(col), math.floor(row)
    if 0 <= r < H and 0 <= c < W:
        iid = int(w.instance_mask[r, c])
        if iid and not next(i for i in w.instances if i.id == iid).visible:
            rgb = np.minimum(255.0, image[r, c].astype(float) * w.brightness)
            return [round(float(v)) for v in rgb]
    return expected_rgb(x, y)`;

/** Strokes in image (col, row) coordinates; the kernel converts them to canvas points. */
const STROKES = {
  // Two horizontal strokes of class 1, each its own object (rows 16-24 and 61-69).
  first: [
    [15.5, 20.5],
    [70.5, 20.5]
  ],
  second: [
    [15.5, 65.5],
    [70.5, 65.5]
  ],
  // Vertical strokes with the second object active, crossing the first object.
  hiddenLocked: [
    [30.5, 5.5],
    [30.5, 45.5]
  ],
  locked: [
    [55.5, 5.5],
    [55.5, 45.5]
  ],
  unlocked: [
    [45.5, 5.5],
    [45.5, 45.5]
  ]
} as const;
type StrokeName = keyof typeof STROKES;

/**
 * Image pixels (col, row) whose canvas colour is watched: the first object away from the
 * vertical strokes, the second object, and pixels painted by the vertical strokes outside
 * the first object.
 */
const PROBES = {
  first: [
    [22, 20],
    [41, 19],
    [64, 21]
  ],
  second: [[40, 65]],
  paintedHiddenLocked: [[30, 35]],
  paintedLocked: [[55, 35]]
} as const;
type ProbeName = keyof typeof PROBES;

interface StrokeReport {
  ended_by: string;
  n_positions: number;
  max_position_offset: number;
  n_footprint: number;
  n_protected_under: number;
  n_writes_were_other_object: number;
  n_changed: number;
  n_protected_changed: number;
  n_mask_mismatch: number;
  n_ids_mismatch: number;
}

/** A stroke matched the painting rule exactly (protected objects left alone). */
function expectStroke(r: StrokeReport, minChanged: number): void {
  const text = JSON.stringify(r);
  expect(r.ended_by, text).toBe('up');
  expect(r.n_positions, text).toBeGreaterThanOrEqual(10);
  expect(r.max_position_offset, text).toBeLessThanOrEqual(TOL_PX);
  expect(r.n_changed, text).toBeGreaterThanOrEqual(minChanged);
  expect(r.n_mask_mismatch, text).toBe(0);
  expect(r.n_ids_mismatch, text).toBe(0);
  expect(r.n_protected_changed, text).toBe(0);
}

/** The object list row of instance `id`, found by its name button's tooltip. */
function objectRow(page: LabPage, id: number): Locator {
  return page
    .locator('.seg-widget .seg-object-row')
    .filter({ has: page.locator(`.seg-object-name[title^="#${id}:"]`) });
}

test.describe('seg-widget instances in JupyterLab', () => {
  test('objects by M + brush; hide, show, lock in the object list; locked keeps its pixels', async ({
    page,
    tmpPath
  }) => {
    const canvas = await openWidgetCanvas(page, tmpPath, SCENE);
    const geo = await pyJSON<{
      paths: Record<StrokeName, Point[]>;
      probes: Record<ProbeName, Point[]>;
      state: [string, number, string, number];
    }>(
      page,
      `{"paths": {k: [w.image_to_canvas(c, r) for c, r in v] for k, v in ${JSON.stringify(
        STROKES
      )}.items()}, ` +
        `"probes": {k: [canvas_of_pixel(c, r) for c, r in v] for k, v in ${JSON.stringify(
          PROBES
        )}.items()}, ` +
        '"state": [w.tool, w.label, w.paint_mode, len(w.instances)]}'
    );
    expect(geo.state, 'brush, class 1 (cat), overwrite, no objects yet').toEqual([
      'brush',
      1,
      'overwrite',
      0
    ]);
    const rows = page.locator('.seg-widget .seg-object-row');
    const row1 = objectRow(page, 1);
    const row2 = objectRow(page, 2);
    const name1 = row1.locator('.seg-object-name');
    const name2 = row2.locator('.seg-object-name');
    const eye1 = row1.locator('.seg-object-visible');
    const lock1 = row1.locator('.seg-object-lock');
    await expect(rows.filter({ visible: true })).toHaveCount(0);

    /** Drag a stroke (after a kernel snapshot), then return its report. */
    const stroke = async (name: StrokeName, instanceId: number): Promise<StrokeReport> => {
      await pyJSON(page, '(snapshot(), 0)[1]');
      const path = geo.paths[name];
      await drag(page, canvas, path, { steps: 20 });
      return pyJSON<StrokeReport>(
        page,
        `stroke_report(${JSON.stringify(path)}, 1, ${instanceId})`
      );
    };
    /** Wait until every probe shows what the kernel says it should (hidden objects: image). */
    const expectProbesShown = async (names: ProbeName[]): Promise<void> => {
      await mouseAway(page);
      const at = names.flatMap(n => geo.probes[n]);
      const rgbs = await pyJSON<number[][]>(
        page,
        `[shown_rgb(x, y) for x, y in ${JSON.stringify(at)}]`
      );
      for (let i = 0; i < at.length; i++) {
        await expectPixelShows(canvas, at[i], rgbs[i]);
      }
    };
    const readProbes = async (name: ProbeName): Promise<number[][]> => {
      const out: number[][] = [];
      for (const [x, y] of geo.probes[name]) {
        out.push(await canvasPixels(canvas, x, y));
      }
      return out;
    };

    // --- 1. Two objects of class 1: M, stroke; M, another stroke elsewhere. ---
    await pressOnCanvas(page, canvas, 'm');
    await expect(name1).toBeVisible();
    await expect(name1).toHaveClass(/mod-info/); // the new object is the active one
    const s1 = await stroke('first', 1);
    expectStroke(s1, 400);
    expect(s1.n_protected_under).toBe(0);
    // Running the report cell took the focus away from the canvas: focus it again.
    await pressOnCanvas(page, canvas, 'm');
    await expect(name2).toBeVisible();
    await expect(name2).toHaveClass(/mod-info/);
    await expect(name1).not.toHaveClass(/mod-info/);
    const s2 = await stroke('second', 2);
    expectStroke(s2, 400);
    expect(s2.n_changed, 'the strokes do not overlap').toBe(s2.n_footprint);

    const made = await pyJSON<{
      table: any[];
      active: number;
      ids: number[];
      counts: number[];
      pixels: number[];
    }>(
      page,
      '{"table": object_table(), "active": w.instance, ' +
        '"ids": np.unique(w.instance_mask).tolist(), ' +
        '"counts": [int((w.instance_mask == k).sum()) for k in (1, 2)], ' +
        '"pixels": [w.instance_pixels(1), w.instance_pixels(2)]}'
    );
    expect(made.table).toEqual([
      [1, 1, 'cat 1', true, false],
      [2, 1, 'cat 2', true, false]
    ]);
    expect(made.active).toBe(2);
    expect(made.ids, 'the instance map holds the two ids').toEqual([0, 1, 2]);
    expect(made.counts).toEqual([s1.n_changed, s2.n_changed]);
    expect(made.pixels).toEqual(made.counts);
    await expect(rows.filter({ visible: true })).toHaveCount(2);

    // The browser shows both objects in the class colour; remember those colours.
    await expectProbesShown(['first', 'second']);
    const first0 = await readProbes('first');
    const second0 = await readProbes('second');

    // --- 2. Select the first object by clicking its row's name. ---
    await name1.click();
    await expect(name1).toHaveClass(/mod-info/);
    await expect(name2).not.toHaveClass(/mod-info/);
    expect(await py(page, 'snapshot()', '[w.instance, w.label]')).toEqual([1, 1]);

    // --- 3. Hide it with its eye button: gone from the canvas, kept in the kernel. ---
    await expect(eye1.locator('i.fa-eye')).toBeVisible();
    await eye1.click();
    await expect(eye1.locator('i.fa-eye-slash')).toBeVisible();
    const hidden = await pyJSON<{ table: any[]; unchanged: boolean[] }>(
      page,
      '{"table": object_table(), "unchanged": unchanged()}'
    );
    expect(hidden.table[0]).toEqual([1, 1, 'cat 1', false, false]);
    expect(hidden.unchanged, 'w.mask and w.instance_mask unchanged by hiding').toEqual([
      true,
      true
    ]);
    await expectProbesShown(['first', 'second']);
    const firstHidden = await readProbes('first');
    firstHidden.forEach((rgb, i) => {
      const text = `first object's pixel ${geo.probes.first[i]}: ${first0[i]} -> ${rgb}`;
      expect(rgbDiff(rgb, first0[i]), text).toBeGreaterThanOrEqual(30);
    });
    (await readProbes('second')).forEach((rgb, i) => {
      const text = `second object's pixel ${geo.probes.second[i]}: ${second0[i]} -> ${rgb}`;
      expect(rgbDiff(rgb, second0[i]), text).toBeLessThanOrEqual(TOL_RGB);
    });

    // --- 4. Lock it. ---
    await expect(lock1.locator('i.fa-unlock')).toBeVisible();
    await lock1.click();
    await expect(lock1.locator('i.fa-lock')).toBeVisible();
    const locked = await pyJSON<{ table: any[]; unchanged: boolean[] }>(
      page,
      '{"table": object_table(), "unchanged": unchanged()}'
    );
    expect(locked.table[0]).toEqual([1, 1, 'cat 1', false, true]);
    expect(locked.unchanged).toEqual([true, true]);

    // --- 5. Second object active (click its row), overwrite mode: paint across the first. ---
    await name2.click();
    await expect(name2).toHaveClass(/mod-info/);
    expect(await pyJSON(page, '[w.instance, w.label, w.tool, w.paint_mode]')).toEqual([
      2,
      1,
      'brush',
      'overwrite'
    ]);
    const s3 = await stroke('hiddenLocked', 2);
    expectStroke(s3, 150);
    expect(s3.n_protected_under, 'the stroke crossed the first object').toBeGreaterThanOrEqual(30);
    const after3 = await pyJSON<{ table: any[]; first: number }>(
      page,
      '{"table": object_table(), "first": int((w.instance_mask == 1).sum())}'
    );
    expect(after3.first, "the first object's pixel count").toBe(s1.n_changed);
    expect(after3.table).toEqual([
      [1, 1, 'cat 1', false, true],
      [2, 1, 'cat 2', true, false]
    ]);
    // Still hidden where crossed; the stroke is drawn where it painted.
    await expectProbesShown(['first', 'second', 'paintedHiddenLocked']);

    // --- 6. Show it again: its pixels are drawn again, as before hiding. ---
    await pyJSON(page, '(snapshot(), 0)[1]');
    await eye1.click();
    await expect(eye1.locator('i.fa-eye')).toBeVisible();
    expect(await pyJSON(page, 'unchanged()'), 'showing changes no pixel').toEqual([true, true]);
    await expectProbesShown(['first', 'second', 'paintedHiddenLocked']);
    (await readProbes('first')).forEach((rgb, i) => {
      const text = `first object's pixel ${geo.probes.first[i]} again: ${first0[i]} -> ${rgb}`;
      expect(rgbDiff(rgb, first0[i]), text).toBeLessThanOrEqual(TOL_RGB);
    });

    // --- 7. Visible but locked: a stroke across it still leaves it alone. ---
    const s4 = await stroke('locked', 2);
    expectStroke(s4, 150);
    expect(s4.n_protected_under, 'the stroke crossed the first object').toBeGreaterThanOrEqual(30);
    expect(await pyJSON(page, 'int((w.instance_mask == 1).sum())')).toBe(s1.n_changed);
    await expectProbesShown(['first', 'paintedLocked']);

    // --- 8. Unlock: the same kind of stroke now takes the first object's pixels (control). ---
    await lock1.click();
    await expect(lock1.locator('i.fa-unlock')).toBeVisible();
    const s5 = await stroke('unlocked', 2);
    expectStroke(s5, 150);
    expect(s5.n_protected_under).toBe(0);
    expect(
      s5.n_writes_were_other_object,
      "overwrite mode moves the first object's pixels to the active one"
    ).toBeGreaterThanOrEqual(30);
    expect(await pyJSON(page, 'int((w.instance_mask == 1).sum())')).toBe(
      s1.n_changed - s5.n_writes_were_other_object
    );
    // No click was refused (a refusal shows a ⚠ message in the object list).
    const panel = page.locator('.seg-widget .seg-objects');
    await expect(panel).toBeVisible();
    await expect(panel).not.toContainText('⚠');
  });
});
