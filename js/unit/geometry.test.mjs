// The layer's geometry against the kernel's answers (fixtures written by
// scripts/make_layer_fixtures.py from seg_widget.core.raster and the viewport formula).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import {
  brushFootprint,
  canvasSpan,
  canvasToImage,
  editableLookup,
  footprintRects,
  imageToCanvas,
  pixelCenter,
  sameView
} from '../../seg_widget/widget/frontend/geometry.js';

const fixtures = JSON.parse(readFileSync(new URL('./fixtures/layer.json', import.meta.url)));

function runs(footprint) {
  const out = [];
  const cols = footprint.col1 - footprint.col0;
  for (let row = footprint.row0; row < footprint.row1; row++) {
    let j = 0;
    while (j < cols) {
      while (j < cols && !footprint.inside[(row - footprint.row0) * cols + j]) j++;
      if (j >= cols) break;
      const start = j;
      while (j < cols && footprint.inside[(row - footprint.row0) * cols + j]) j++;
      out.push([row, footprint.col0 + start, footprint.col0 + j]);
    }
  }
  return out;
}

function viewOf(v) {
  return { zoom: v.zoom, offsetX: v.offset_x, offsetY: v.offset_y };
}

test('strokes snap to the same pixel centres as the kernel', () => {
  for (const stroke of fixtures.strokes) {
    const view = viewOf(stroke.view);
    const snapped = stroke.points_xy.map(([x, y]) => {
      const [col, row] = canvasToImage(view, x, y);
      const [c, r] = pixelCenter(col, row);
      return [r, c];
    });
    assert.deepEqual(snapped, stroke.snapped_rc);
  }
});

test('the brush footprint equals core.raster.brush_footprint pixel for pixel', () => {
  let compared = 0;
  for (const stroke of fixtures.strokes) {
    const points = stroke.snapped_rc;
    stroke.segments.forEach((expected, i) => {
      const start = points[Math.max(i - 1, 0)];
      const footprint = brushFootprint(start, points[i], stroke.diameter, stroke.shape);
      const what = `d=${stroke.diameter} ${JSON.stringify(start)} -> ${JSON.stringify(points[i])}`;
      if (expected === null) {
        assert.equal(footprint, null, what);
        return;
      }
      assert.notEqual(footprint, null, what);
      assert.deepEqual(
        [footprint.row0, footprint.row1, footprint.col0, footprint.col1],
        expected.box,
        what
      );
      assert.deepEqual(runs(footprint), expected.runs, what);
      compared += 1;
    });
  }
  assert.ok(compared > 100, `compared ${compared} non-empty footprints`);
});

test('the fixtures cover diameters up to 200 and zooms from 0.1 to 32', () => {
  const diameters = fixtures.strokes.map(s => s.diameter);
  const zooms = fixtures.strokes.map(s => s.view.zoom);
  assert.ok(Math.min(...diameters) === 1 && Math.max(...diameters) === 200);
  assert.ok(Math.min(...zooms) < 0.2 && Math.max(...zooms) > 16);
});

test('pixel centres match core.raster.pixel_center', () => {
  for (const { point, centre } of fixtures.pixel_centres) {
    assert.deepEqual(pixelCenter(point[0], point[1]), centre);
  }
});

test('a diameter-1 dab is one pixel, diameter 2 a plus, diameter 3 a square', () => {
  const sizes = [1, 2, 3].map(d => {
    const f = brushFootprint([5.5, 5.5], [5.5, 5.5], d, [20, 20]);
    return [f.row1 - f.row0, f.col1 - f.col0, f.inside.reduce((a, b) => a + b, 0)];
  });
  assert.deepEqual(sizes, [
    [1, 1, 1],
    [3, 3, 5],
    [3, 3, 9]
  ]);
});

test('view transforms invert each other', () => {
  const view = { zoom: 4.3125, offsetX: -17.25, offsetY: 33.5 };
  const [x, y] = imageToCanvas(view, 12.5, 7.25);
  assert.deepEqual([x, y], [12.5 * 4.3125 - 17.25, 7.25 * 4.3125 + 33.5]);
  const [col, row] = canvasToImage(view, x, y);
  assert.ok(Math.abs(col - 12.5) < 1e-12 && Math.abs(row - 7.25) < 1e-12);
});

test('canvas spans follow nearest-neighbour sampling', () => {
  // Canvas pixel x shows image pixel floor((x + 0.5 - offset) / zoom).
  for (const [zoom, offset] of [
    [4, 0],
    [4.31, -3.7],
    [0.37, 12.2],
    [1, 0.5]
  ]) {
    for (let index = 0; index < 40; index++) {
      const [first, end] = canvasSpan(index, index + 1, zoom, offset);
      for (let x = first - 2; x < end + 2; x++) {
        const shown = Math.floor((x + 0.5 - offset) / zoom);
        assert.equal(shown === index, x >= first && x < end, `zoom ${zoom} x ${x} index ${index}`);
      }
    }
  }
});

test('footprint rectangles cover exactly the canvas pixels that show footprint pixels', () => {
  const view = { zoom: 3.7, offsetX: -5.2, offsetY: 8.9 };
  const size = [200, 150];
  const footprint = brushFootprint([10.5, 12.5], [30.5, 50.5], 9, [60, 70]);
  const covered = new Uint8Array(size[0] * size[1]);
  for (const [x, y, w, h] of footprintRects(footprint, view, size)) {
    for (let yy = y; yy < y + h; yy++) for (let xx = x; xx < x + w; xx++) covered[yy * size[0] + xx] += 1;
  }
  const cols = footprint.col1 - footprint.col0;
  for (let y = 0; y < size[1]; y++) {
    for (let x = 0; x < size[0]; x++) {
      const row = Math.floor((y + 0.5 - view.offsetY) / view.zoom);
      const col = Math.floor((x + 0.5 - view.offsetX) / view.zoom);
      const inBox = row >= footprint.row0 && row < footprint.row1 && col >= footprint.col0 && col < footprint.col1;
      const inside = inBox && footprint.inside[(row - footprint.row0) * cols + col - footprint.col0] === 1;
      assert.equal(covered[y * size[0] + x], inside ? 1 : 0, `canvas (${x}, ${y})`);
    }
  }
});

test('footprint rectangles skip pixels that are not editable', () => {
  const view = { zoom: 2, offsetX: 0, offsetY: 0 };
  const footprint = brushFootprint([5.5, 5.5], [5.5, 5.5], 5, [20, 20]);
  const all = footprintRects(footprint, view, [40, 40]);
  const left = footprintRects(footprint, view, [40, 40], (row, col) => col < 5);
  const area = rects => rects.reduce((sum, [, , w, h]) => sum + w * h, 0);
  assert.ok(area(left) > 0 && area(left) < area(all));
  assert.ok(left.every(([x, , w]) => x + w <= 10));
});

test('the editable lookup reads numpy.packbits of the shown pixels', () => {
  const { shape, rows, cols, bits, true_rc: trueRC } = fixtures.editable;
  const lookup = editableLookup(rows, cols, Uint8Array.from(bits), shape);
  const expected = new Set(trueRC.map(([r, c]) => `${r},${c}`));
  let checked = 0;
  for (let row = -1; row <= shape[0]; row++) {
    for (let col = -1; col <= shape[1]; col += 7) {
      assert.equal(lookup(row, col), expected.has(`${row},${col}`), `(${row}, ${col})`);
      checked++;
    }
  }
  for (const [r, c] of trueRC) assert.equal(lookup(r, c), true);
  assert.ok(checked > 1000);
});

test('views compare exactly', () => {
  const a = { zoom: 2, offsetX: 1, offsetY: 0, width: 10, height: 5 };
  assert.equal(sameView(a, { ...a }), true);
  assert.equal(sameView(a, { ...a, offsetX: 1 + 1e-12 }), false);
});
