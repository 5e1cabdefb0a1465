// The layer's promises: which previews a press starts and when the kernel's acknowledgement
// ends them (sequence numbers, not timers).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Gestures } from '../../seg_widget/widget/frontend/gestures.js';

function scene(settings = {}) {
  const state = { batch: 5 };
  const values = { tool: 'brush', right_button: 'erase', brush_size: 3, color: '#ff0000', ...settings };
  const gestures = new Gestures({
    get: name => values[name],
    view: () => ({ zoom: 2, offsetX: 0, offsetY: 0, width: 100, height: 100 }),
    pending: () => state.batch
  });
  return { gestures, state, values };
}

test('a brush drag promises one dab per snapped segment, tagged with its batch', () => {
  const { gestures, state } = scene();
  gestures.start(0, false, [11, 11], 1, false); // image (5.5, 5.5): pixel centre (5.5, 5.5)
  gestures.move([11.5, 11.9]); // same pixel: no new dab
  state.batch = 6;
  gestures.move([21, 11]);
  gestures.end();
  assert.deepEqual(
    gestures.dabs.map(d => [d.batch, d.startRC, d.endRC, d.erase]),
    [
      [5, [5.5, 5.5], [5.5, 5.5], false],
      [6, [5.5, 5.5], [5.5, 10.5], false]
    ]
  );
  gestures.acknowledge(5);
  assert.deepEqual(gestures.dabs.map(d => d.batch), [6]);
  gestures.acknowledge(6);
  assert.equal(gestures.dabs.length, 0);
});

test('the right button previews an eraser stroke; the middle button and Space pan', () => {
  const { gestures } = scene();
  gestures.start(2, false, [11, 11], 1, false);
  assert.equal(gestures.dabs[0].erase, true);
  gestures.end();
  gestures.start(1, false, [11, 11], 1, false);
  assert.equal(gestures.panning, true);
  gestures.end();
  gestures.start(0, false, [31, 31], 1, true);
  assert.equal(gestures.panning, true);
  gestures.move([41, 41]);
  gestures.end();
  assert.equal(gestures.dabs.length, 1, 'no dab from either pan');
});

test('with right_button "none" a right-drag promises nothing', () => {
  const { gestures } = scene({ right_button: 'none' });
  gestures.start(2, false, [11, 11], 1, false);
  gestures.move([31, 11]);
  assert.equal(gestures.dabs.length, 0);
});

test('shift+click draws a straight line from where the last stroke ended', () => {
  const { gestures } = scene();
  gestures.start(0, false, [11, 11], 1, false);
  gestures.end();
  gestures.start(0, true, [51, 31], 1, false);
  assert.deepEqual(gestures.dabs[1].startRC, [5.5, 5.5]);
  assert.deepEqual(gestures.dabs[1].endRC, [15.5, 25.5]);
});

test('a lasso outline stays until the batch that closed it is acknowledged', () => {
  const { gestures, state } = scene({ tool: 'lasso' });
  gestures.start(0, false, [10, 10], 1, false);
  state.batch = 7;
  gestures.move([30, 10]);
  gestures.acknowledge(6);
  assert.equal(gestures.lassos.length, 1, 'open outline');
  gestures.move([30, 30]);
  gestures.end();
  gestures.acknowledge(6);
  assert.equal(gestures.lassos.length, 1, 'closing batch not acknowledged yet');
  gestures.acknowledge(7);
  assert.equal(gestures.lassos.length, 0);
});

test('polygon clicks add vertices until acknowledged; a double click closes without one', () => {
  const { gestures, state } = scene({ tool: 'polygon' });
  gestures.start(0, false, [10, 10], 1, false);
  state.batch = 6;
  gestures.start(0, false, [30, 10], 1, false);
  assert.deepEqual(gestures.vertices.map(v => [v.batch, v.col, v.row]), [
    [5, 5, 5],
    [6, 15, 5]
  ]);
  state.batch = 7;
  gestures.start(0, false, [30, 10], 2, false);
  assert.equal(gestures.vertices.length, 2);
  assert.equal(gestures.polygonClosing, 7);
  gestures.acknowledge(7);
  assert.equal(gestures.vertices.length, 0);
  assert.equal(gestures.polygonClosing, 0);
});
