// The layer's input bookkeeping: batches per frame, click counts, key names and routing.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  clickCount,
  controlOwnsKey,
  focusIsInside,
  isEditable,
  keyIsOurs,
  keyName,
  maySend,
  modifierBits,
  PointerBatcher,
  sequence,
  wheelPixels
} from '../../seg_widget/widget/frontend/input.js';

const move = (x, buttons, t) => ['move', x, 0, -1, buttons, 0, t, 0];

test('a frame of drag moves keeps every point, in order, in one numbered batch', () => {
  const batcher = new PointerBatcher();
  batcher.push(['down', 1, 0, 0, 1, 0, 10, 1]);
  for (let i = 2; i < 7; i++) batcher.push(move(i, 1, 10 + i));
  batcher.push(['up', 7, 0, 0, 0, 0, 20, 1]);
  const batch = batcher.take();
  assert.equal(batch.batch, 1);
  assert.deepEqual(batch.events.map(e => e[1]), [1, 2, 3, 4, 5, 6, 7]);
  assert.deepEqual(batch.events.map(e => e[6]), [10, 12, 13, 14, 15, 16, 20]);
  assert.equal(batcher.take(), null, 'nothing left');
  batcher.push(move(8, 0, 30));
  assert.equal(batcher.take().batch, 2, 'the next batch has the next number');
});

test('hover moves of one frame are coalesced to the last', () => {
  const batcher = new PointerBatcher();
  for (let i = 0; i < 5; i++) batcher.push(move(i, 0, i));
  batcher.push(['down', 5, 0, 0, 1, 0, 5, 1]);
  batcher.push(move(6, 1, 6));
  batcher.push(move(7, 1, 7));
  assert.deepEqual(batcher.take().events.map(e => [e[0], e[1]]), [
    ['move', 4],
    ['down', 5],
    ['move', 6],
    ['move', 7]
  ]);
});

test('the batch being filled is the one previews are tagged with', () => {
  const batcher = new PointerBatcher(sequence(41));
  assert.equal(batcher.pending, 41);
  batcher.push(move(1, 1, 1));
  assert.equal(batcher.take().batch, 41);
  assert.equal(batcher.pending, 42);
});

test('a second press within 500 ms and 4 px is a double click; a third a triple', () => {
  let press = null;
  const presses = [
    [0, 0, 10, 10],
    [0, 300, 12, 11],
    [0, 600, 12, 11],
    [0, 1400, 12, 11],
    [2, 1500, 12, 11],
    [2, 1600, 30, 11]
  ];
  const counts = presses.map(([button, time, x, y]) => {
    const count = clickCount(press, button, time, x, y);
    press = { button, time, x, y, count };
    return count;
  });
  assert.deepEqual(counts, [1, 2, 3, 1, 1, 1]);
});

test('key names: lower case, ctrl (or cmd) and shift+ctrl combinations, space', () => {
  const key = (k, mods = {}) => keyName({ key: k, ctrlKey: false, metaKey: false, shiftKey: false, altKey: false, ...mods });
  assert.equal(key('B', { shiftKey: true }), 'b');
  assert.equal(key('+', { shiftKey: true }), '+');
  assert.equal(key('Escape'), 'escape');
  assert.equal(key(' '), ' ');
  assert.equal(key('z', { ctrlKey: true }), 'ctrl+z');
  assert.equal(key('z', { metaKey: true }), 'ctrl+z');
  assert.equal(key('Z', { ctrlKey: true, shiftKey: true }), 'ctrl+shift+z');
  assert.equal(key('x', { altKey: true }), 'alt+x');
});

test('keys belong to the widget when focus is inside or the pointer over it, never in a text field', () => {
  assert.equal(keyIsOurs({ editable: false, focusInside: true, hovered: false }), true);
  assert.equal(keyIsOurs({ editable: false, focusInside: false, hovered: true }), true);
  assert.equal(keyIsOurs({ editable: false, focusInside: false, hovered: false }), false);
  assert.equal(keyIsOurs({ editable: true, focusInside: true, hovered: true }), false);
});

test('the focus stays the widget\'s when its focused control is re-rendered, until it goes elsewhere', () => {
  const inside = { tagName: 'BUTTON' };
  const outside = { tagName: 'DIV' };
  const body = { tagName: 'BODY' };
  const root = { contains: element => element === inside };
  assert.equal(focusIsInside({ root, focused: inside, body, kept: false }), true);
  assert.equal(focusIsInside({ root, focused: outside, body, kept: true }), false);
  // The focused button was replaced: the browser put the focus on <body>.
  assert.equal(focusIsInside({ root, focused: body, body, kept: true }), true);
  assert.equal(focusIsInside({ root, focused: null, body, kept: true }), true);
  // <body> after a press or a focus outside the widget.
  assert.equal(focusIsInside({ root, focused: body, body, kept: false }), false);
});

test('text inputs, text areas, selects and editors are editable; buttons and checkboxes not', () => {
  assert.equal(isEditable({ tagName: 'INPUT', type: 'text' }), true);
  assert.equal(isEditable({ tagName: 'INPUT', type: 'number' }), true);
  assert.equal(isEditable({ tagName: 'INPUT', type: 'checkbox' }), false);
  assert.equal(isEditable({ tagName: 'TEXTAREA' }), true);
  assert.equal(isEditable({ tagName: 'DIV', isContentEditable: true }), true);
  assert.equal(isEditable({ tagName: 'BUTTON' }), false);
  assert.equal(isEditable(null), false);
});

test('a focused slider keeps its arrow and page keys; other keys and controls do not', () => {
  const slider = { tagName: 'DIV', getAttribute: name => (name === 'role' ? 'slider' : null) };
  assert.equal(controlOwnsKey(slider, 'ArrowRight'), true);
  assert.equal(controlOwnsKey(slider, 'PageDown'), true);
  assert.equal(controlOwnsKey(slider, 'b'), false); // the tool keys still reach the widget
  assert.equal(controlOwnsKey({ tagName: 'INPUT', type: 'range' }, 'ArrowLeft'), true);
  const button = { tagName: 'BUTTON', getAttribute: () => null };
  assert.equal(controlOwnsKey(button, 'ArrowLeft'), false); // the arrows pan the view
  assert.equal(controlOwnsKey(null, 'ArrowLeft'), false);
});

test('modifier bits: shift 1, ctrl 2, alt 4, meta 8', () => {
  assert.equal(modifierBits({ shiftKey: true, ctrlKey: false, altKey: true, metaKey: false }), 5);
  assert.equal(modifierBits({ shiftKey: false, ctrlKey: true, altKey: false, metaKey: true }), 10);
});

test('wheel deltas in lines and pages become pixels', () => {
  assert.deepEqual([wheelPixels(3, 0), wheelPixels(3, 1), wheelPixels(1, 2)], [3, 120, 800]);
});

test('flow control: at most max in flight unacknowledged batches', () => {
  assert.equal(maySend(10, 9, 2), true);
  assert.equal(maySend(11, 9, 2), false);
  assert.equal(maySend(11, 11, 2), true);
  assert.equal(maySend(11, 9, 2, 1500), true, 'a kernel silent for 1.5 s gets one anyway');
});
