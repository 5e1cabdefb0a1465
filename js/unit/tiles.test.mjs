// The browser's tile geometry against the kernel's (seg_widget.render.tiles.TileGrid and the
// Viewport's visible box), on random views; and the pure drawing helpers.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import {
  colorTileIds,
  tileLevelCount,
  tileLevelForZoom,
  tileRect,
  tileRGBA,
  tileSource,
  tilesInView
} from '../../seg_widget/widget/frontend/tilemath.js';

const repo = fileURLToPath(new URL('../../', import.meta.url));

// Random views (zoom, offsets, canvas, image shape), and the kernel's answers for them.
const KERNEL = `
import json, sys
import numpy as np
from seg_widget.render import TileGrid, Viewport
rng = np.random.default_rng(7)
cases = []
for _ in range(300):
    shape = (int(rng.integers(1, 40000)), int(rng.integers(1, 40000)))
    canvas = (int(rng.integers(50, 2500)), int(rng.integers(50, 1600)))
    view = Viewport(shape, canvas)
    view.set_zoom(float(2.0 ** rng.uniform(-12, 5)))
    view.pan_by(float(rng.uniform(-3000, 3000)), float(rng.uniform(-3000, 3000)))
    grid = TileGrid(shape, tile_size=256)
    level = grid.level_for_zoom(view.zoom)
    keys = grid.view_tiles(level, view.visible_bbox())
    cases.append({
        "shape": shape, "zoom": view.zoom, "ox": view.offset_x, "oy": view.offset_y,
        "canvas": canvas, "levels": grid.level_count, "level": level,
        "tiles": [[k.row, k.col] for k in keys],
    })
sys.stdout.write(json.dumps(cases))
`;

const cases = JSON.parse(
  execFileSync(process.env.PYTHON ?? 'python', ['-c', KERNEL], {
    cwd: repo,
    env: { ...process.env, PYTHONPATH: repo },
    encoding: 'utf8',
    maxBuffer: 64 * 2 ** 20
  })
);

test('levels, the level for a zoom and the tiles in view agree with the kernel', () => {
  for (const c of cases) {
    const view = { zoom: c.zoom, offsetX: c.ox, offsetY: c.oy, width: c.canvas[0], height: c.canvas[1] };
    assert.equal(tileLevelCount(c.shape), c.levels, JSON.stringify(c.shape));
    assert.equal(tileLevelForZoom(c.zoom, c.levels), c.level, String(c.zoom));
    assert.deepEqual(tilesInView(view, c.shape, c.level, 256), c.tiles, JSON.stringify(c));
  }
});

test('neighbouring tiles share their snapped canvas edges', () => {
  const view = { zoom: 0.3371, offsetX: 12.7, offsetY: -40.2, width: 900, height: 700 };
  const shape = [5000, 7000];
  const a = tileRect(view, shape, 1, 2, 3, 256);
  const right = tileRect(view, shape, 1, 2, 4, 256);
  const below = tileRect(view, shape, 1, 3, 3, 256);
  assert.equal(a[0] + a[2], right[0]);
  assert.equal(a[1] + a[3], below[1]);
});

test('a missing tile is drawn from the nearest coarser tile held, at its place in it', () => {
  const shape = [4096, 4096];
  const held = new Set(['3/0/0']);
  const source = tileSource(key => held.has(key), shape, 1, 1, 0, 256, 13);
  // Level-1 tile (1, 0) is rows 256..512 of level 1 = rows 64..128 of level 3's tile (0, 0).
  assert.deepEqual(source, { key: '3/0/0', up: 2, sx: 0, sy: 64, sw: 64, sh: 64 });
  assert.equal(tileSource(() => false, shape, 1, 1, 0, 256, 13), null);
  assert.equal(tileSource(key => key === '1/1/0', shape, 1, 1, 0, 256, 13).up, 0);
});

test('grey and RGB bytes become opaque RGBA, class ids their LUT colours', () => {
  assert.deepEqual(Array.from(tileRGBA(new Uint8Array([7, 9]), 2, 1)), [7, 7, 7, 255, 9, 9, 9, 255]);
  assert.deepEqual(Array.from(tileRGBA(new Uint8Array([1, 2, 3]), 1, 3)), [1, 2, 3, 255]);
  const lut = new Uint32Array([0, 0xff0000ff]);
  const ids = new Uint8Array([0, 1, 1, 0, 0, 1]); // a 2 x 3 tile
  assert.deepEqual(Array.from(colorTileIds(ids, 3, 0, 1, 2, 2, lut)), [0xff0000ff, 0xff0000ff, 0, 0xff0000ff]);
});
