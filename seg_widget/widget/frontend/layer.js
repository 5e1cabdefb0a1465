// seg-widget's input layer: a transparent canvas over the ipycanvas view that answers the hand
// at once (brush cursor, stroke preview, lasso and polygon outlines, drawn in the next
// animation frame) and sends every pointer event to the kernel, one message per frame.
// The kernel stays the only truth: a preview is a promise, cleared when the kernel
// acknowledges the batch that carried its points. Messages: see input_layer.py.
import { editableLookup, imageToCanvas, sameView } from './geometry.js';
import {
  BRUSH_TOOLS,
  cursorStyle,
  dabRects,
  drawBrushCursor,
  drawPolygon,
  paintDabs,
  strokeImagePath
} from './draw.js';
import { clickCount, maySend, modifierBits, PointerBatcher, wheelPixels } from './input.js';
import { Gestures } from './gestures.js';
import { Keyboard } from './keyboard.js';
import { SizeWatcher } from './size.js';
import { TileView } from './tiles.js';

const PROTOCOL_VERSION = 1;
// Batches are numbered across every view of the page, so acknowledgements stay ordered.
const COUNTER = Symbol.for('seg_widget.input_layer.next_batch');

function nextBatchNumber() {
  const next = globalThis[COUNTER] ?? 1;
  globalThis[COUNTER] = next + 1;
  return next;
}

class InputLayer {
  constructor(model, el) {
    this.model = model;
    this.el = el;
    this.batcher = new PointerBatcher(nextBatchNumber);
    this.lastSent = 0;
    this.lastAcked = 0;
    this.lastSendTime = 0;
    this.frameRequested = false;
    this.disposed = false;
    this.failed = false;
    this.gestures = new Gestures({
      get: name => this.model.get(name),
      view: () => this.view,
      pending: () => this.batcher.pending
    });
    this.previewDirty = true;
    this.cursorDirty = true;
    this.pointerXY = null;
    this.lastPress = null;
    this.spaceHeld = false;
    this.wheel = null;
    this.editable = null;
    this.reported = null;
    this.build();
  }

  // -- DOM ----------------------------------------------------------------------------

  build() {
    const el = this.el;
    el.classList.add('seg-input-layer');
    Object.assign(el.style, { position: 'relative', lineHeight: '0', userSelect: 'none' });
    this.preview = document.createElement('canvas');
    this.top = document.createElement('canvas');
    this.tiles = null;
    this.canvases = [this.preview, this.top];
    if (this.model.get('tile_size') > 0) {
      // A big image: image and labels are drawn here from tiles, under the previews.
      const tileCanvas = document.createElement('canvas');
      tileCanvas.className = 'seg-tile-view';
      tileCanvas.style.pointerEvents = 'none';
      this.tiles = new TileView(this.model, tileCanvas, () => this.view);
      this.canvases.unshift(tileCanvas);
    }
    for (const canvas of this.canvases) {
      Object.assign(canvas.style, { position: 'absolute', left: '0', top: '0' });
      el.appendChild(canvas);
    }
    this.preview.style.pointerEvents = 'none';
    this.preview.className = 'seg-input-preview';
    this.top.className = 'seg-input-events';
    // No browser gestures (scroll, pinch) on the canvas, and focusable without a tab stop.
    this.top.style.touchAction = 'none';
    this.top.tabIndex = -1;
    this.top.style.outline = 'none';

    const on = (target, type, handler, options) => {
      const guarded = event => this.guard(() => handler.call(this, event));
      target.addEventListener(type, guarded, options);
      this.listeners.push(() => target.removeEventListener(type, guarded, options));
    };
    this.listeners = [];
    on(this.top, 'pointerdown', this.onPointerDown);
    on(this.top, 'pointermove', this.onPointerMove);
    on(this.top, 'pointerup', this.onPointerUp);
    on(this.top, 'pointercancel', this.onPointerCancel);
    on(this.top, 'pointerleave', this.onPointerLeave);
    // Right button: never the browser's nor JupyterLab's context menu (Lumino listens on
    // the document, so the event must not bubble there either).
    on(this.top, 'contextmenu', event => {
      event.preventDefault();
      event.stopPropagation();
    });
    on(this.top, 'wheel', this.onWheel, { passive: false });
    // Keys: capture phase on the window, before JupyterLab's document listener and before
    // any focused element; keyIsOurs() decides (see keyboard notes in input_layer.py).
    this.keyboard = new Keyboard({
      root: () => this.root(),
      names: () => this.keys,
      send: (key, down, modifiers) => {
        this.flush(true); // pointer events first: the kernel sees input in the order it came
        this.model.send({ type: 'key', key, down, modifiers });
      },
      space: held => {
        this.spaceHeld = held;
        this.redrawCursor();
      }
    });
    this.keyboard.listen((target, type, handler, options) => on(target, type, handler, options));

    for (const name of [
      'zoom',
      'offset_x',
      'offset_y',
      'canvas_width',
      'canvas_height',
      'pixel_ratio',
      'image_shape'
    ]) {
      this.model.on(`change:${name}`, () => this.viewChanged());
    }
    for (const name of ['tool', 'brush_size', 'color', 'erase', 'paint_mode', 'outline']) {
      this.model.on(`change:${name}`, () => this.redrawCursor());
    }
    this.model.on('change:opacity', () => this.applyOpacity());
    for (const name of ['brightness', 'contrast']) {
      this.model.on(`change:${name}`, () => this.tiles && this.tiles.requestDraw());
    }
    this.model.on('change:shortcut_keys', () => this.readKeys());
    this.model.on('msg:custom', (msg, buffers) => this.guard(() => this.onMessage(msg, buffers)));

    this.readKeys();
    this.applyOpacity();
    this.viewChanged();
    this.sizes = new SizeWatcher(() => this.root(), () => this.requestFrame());
  }

  dispose() {
    this.disposed = true;
    for (const remove of this.listeners) remove();
    this.listeners = [];
    if (this.sizes) this.sizes.dispose();
    if (this.tiles) this.tiles.dispose();
  }

  /** Run `work`; on an error, say so to the kernel once and step aside for ipycanvas. */
  guard(work) {
    if (this.failed || this.disposed) return;
    try {
      work();
    } catch (error) {
      this.failed = true;
      console.error('seg-widget input layer failed', error);
      try {
        this.model.send({ type: 'error', message: String(error && error.message ? error.message : error) });
      } finally {
        this.dispose();
        this.el.replaceChildren(); // events fall through to the ipycanvas canvas below
        this.el.style.pointerEvents = 'none';
      }
    }
  }

  root() {
    const selector = this.model.get('root_selector');
    return (selector && this.el.closest(selector)) || this.el.parentElement || this.el;
  }

  // -- view ---------------------------------------------------------------------------

  get view() {
    const m = this.model;
    return {
      zoom: m.get('zoom'),
      offsetX: m.get('offset_x'),
      offsetY: m.get('offset_y'),
      width: m.get('canvas_width'),
      height: m.get('canvas_height')
    };
  }

  viewChanged() {
    const { width, height } = this.view;
    const ratio = this.model.get('pixel_ratio') || 1;
    for (const canvas of this.canvases) {
      if (canvas.width !== width) canvas.width = width;
      if (canvas.height !== height) canvas.height = height;
      canvas.style.width = `${width / ratio}px`;
      canvas.style.height = `${height / ratio}px`;
    }
    this.el.style.width = `${width / ratio}px`;
    this.el.style.height = `${height / ratio}px`;
    for (const dab of this.gestures.dabs) dab.rects = null;
    this.previewDirty = true;
    this.redrawCursor();
    if (this.tiles) this.tiles.requestDraw();
  }

  applyOpacity() {
    // Dabs are drawn opaque and the whole preview canvas is blended once, as the kernel
    // blends its overlay: overlapping dabs never darken.
    this.preview.style.opacity = String(this.model.get('opacity'));
    if (this.tiles) this.tiles.requestDraw();
  }

  readKeys() {
    this.keys = new Set((this.model.get('shortcut_keys') || []).map(k => String(k).toLowerCase()));
  }

  redrawCursor() {
    this.cursorDirty = true;
    this.requestFrame();
  }

  canvasPoint(event, rect) {
    const { width, height } = this.view;
    return [
      ((event.clientX - rect.left) * width) / rect.width,
      ((event.clientY - rect.top) * height) / rect.height
    ];
  }

  // -- pointer ------------------------------------------------------------------------

  record(kind, event, xy, button, clicks = 0) {
    this.batcher.push([
      kind,
      xy[0],
      xy[1],
      button,
      event.buttons ?? 0,
      modifierBits(event),
      event.timeStamp,
      clicks
    ]);
  }

  onPointerDown(event) {
    // Pressing does not select text, start the browser's autoscroll (middle button) or
    // send the notebook a mousedown; the canvas takes the keyboard focus itself.
    event.preventDefault();
    this.top.focus({ preventScroll: true });
    try {
      this.top.setPointerCapture(event.pointerId);
    } catch (error) {
      // A synthetic event's pointer is not active: nothing to capture, nothing lost.
    }
    const rect = this.top.getBoundingClientRect();
    const xy = this.canvasPoint(event, rect);
    const cssX = event.clientX - rect.left;
    const cssY = event.clientY - rect.top;
    const clicks = clickCount(this.lastPress, event.button, event.timeStamp, cssX, cssY);
    this.lastPress = { button: event.button, time: event.timeStamp, x: cssX, y: cssY, count: clicks };
    this.pointerXY = xy;
    this.record('down', event, xy, event.button, clicks);
    this.gestures.start(event.button, event.shiftKey, xy, clicks, this.spaceHeld);
    this.redrawCursor();
  }

  onPointerMove(event) {
    const rect = this.top.getBoundingClientRect();
    // Every point the browser saw since the last frame, not only the last one.
    const events = event.getCoalescedEvents ? event.getCoalescedEvents() : [];
    for (const one of events.length ? events : [event]) {
      const xy = this.canvasPoint(one, rect);
      this.pointerXY = xy;
      this.record('move', one, xy, -1);
      this.gestures.move(xy);
    }
    this.redrawCursor();
  }

  onPointerUp(event) {
    const rect = this.top.getBoundingClientRect();
    // With pointer capture this arrives even when released outside the canvas: the
    // stroke ends where the button was released.
    const xy = this.canvasPoint(event, rect);
    const clicks = this.lastPress && this.lastPress.button === event.button ? this.lastPress.count : 1;
    this.record('up', event, xy, event.button, clicks);
    this.gestures.move(xy);
    this.gestures.end();
    this.redrawCursor();
  }

  onPointerCancel(event) {
    const rect = this.top.getBoundingClientRect();
    this.record('cancel', event, this.canvasPoint(event, rect), -1);
    this.gestures.end();
    this.redrawCursor();
  }

  onPointerLeave(event) {
    const rect = this.top.getBoundingClientRect();
    this.record('leave', event, this.canvasPoint(event, rect), -1);
    this.pointerXY = null;
    this.redrawCursor();
  }

  // -- wheel -----------------------------------------------------------------

  onWheel(event) {
    event.preventDefault(); // the notebook does not scroll while the wheel zooms
    const rect = this.top.getBoundingClientRect();
    const xy = this.canvasPoint(event, rect);
    const dx = wheelPixels(event.deltaX, event.deltaMode);
    const dy = wheelPixels(event.deltaY, event.deltaMode);
    if (this.wheel === null) {
      this.wheel = { x: xy[0], y: xy[1], dx: 0, dy: 0, modifiers: 0 };
    }
    this.wheel.x = xy[0];
    this.wheel.y = xy[1];
    this.wheel.dx += dx;
    this.wheel.dy += dy;
    this.wheel.modifiers = modifierBits(event);
    this.requestFrame();
  }

  // -- messages -----------------------------------------------------------------------

  onMessage(msg, buffers) {
    if (this.tiles && String(msg.type).startsWith('tile')) {
      this.tiles.onMessage(msg, buffers, error => this.guard(() => {
        throw error;
      }));
    } else if (msg.type === 'ack') {
      this.acknowledge(Number(msg.batch));
    } else if (msg.type === 'clear') {
      this.acknowledge(this.lastSent);
      this.gestures.clear();
      this.previewDirty = true;
      this.redrawCursor();
    } else if (msg.type === 'editable') {
      const [rows, cols, paintBits, eraseBits] = (buffers || []).map(b =>
        b instanceof DataView ? new Uint8Array(b.buffer, b.byteOffset, b.byteLength) : new Uint8Array(b)
      );
      const int32 = bytes => new Int32Array(bytes.slice().buffer);
      const shape = this.model.get('image_shape');
      const rowList = Array.from(int32(rows));
      const colList = Array.from(int32(cols));
      const [zoom, offsetX, offsetY, width, height] = msg.view;
      this.editable = {
        view: { zoom, offsetX, offsetY, width, height },
        paint: editableLookup(rowList, colList, paintBits, shape),
        erase: editableLookup(rowList, colList, eraseBits, shape)
      };
      for (const dab of this.gestures.dabs) dab.rects = null;
      this.previewDirty = true;
      this.requestFrame();
    }
  }

  acknowledge(batch) {
    if (!(batch > this.lastAcked)) return;
    this.lastAcked = batch;
    this.gestures.acknowledge(batch);
    this.previewDirty = true;
    this.redrawCursor();
  }

  flush(force) {
    if (this.batcher.empty) return;
    const limit = this.model.get('max_in_flight') || 2;
    const sinceSend = performance.now() - this.lastSendTime;
    if (!force && !maySend(this.lastSent, this.lastAcked, limit, sinceSend)) return;
    const batch = this.batcher.take();
    this.lastSent = batch.batch;
    this.lastSendTime = performance.now();
    this.model.send({ type: 'pointer', batch: batch.batch, events: batch.events });
  }

  // -- frames -------------------------------------------------------------------------

  requestFrame() {
    if (this.frameRequested || this.disposed) return;
    this.frameRequested = true;
    requestAnimationFrame(() => this.guard(() => this.frame()));
  }

  frame() {
    this.frameRequested = false;
    this.flush(false);
    if (this.wheel !== null) {
      this.flush(true);
      this.model.send({ type: 'wheel', ...this.wheel });
      this.wheel = null;
    }
    this.drawPreview();
    if (this.cursorDirty) this.drawCursor();
    this.cursorDirty = false;
    // Events held back by flow control go out in a later frame.
    if (!this.batcher.empty) this.requestFrame();
    this.reportSize();
  }

  /** Which pixels a dab may show: all, or in "preserve" mode only those the kernel sent. */
  editableFor(erase) {
    if (this.model.get('paint_mode') !== 'preserve') return null;
    const mask = this.editable;
    if (mask === null || !sameView(mask.view, this.view)) return () => false;
    return erase ? mask.erase : mask.paint;
  }

  drawPreview() {
    const ctx = this.preview.getContext('2d');
    const gestures = this.gestures;
    let dabs = gestures.newDabs;
    if (this.previewDirty) {
      ctx.clearRect(0, 0, this.preview.width, this.preview.height);
      dabs = gestures.dabs;
    }
    const view = this.view;
    const shape = this.model.get('image_shape');
    // Rectangles are kept per dab until the view or the editable mask changes.
    paintDabs(ctx, dabs, dab => (dab.rects ??= dabRects(dab, view, shape, this.editableFor(dab.erase))));
    gestures.newDabs = [];
    this.previewDirty = false;
  }

  drawCursor() {
    const ctx = this.top.getContext('2d');
    const ratio = this.model.get('pixel_ratio') || 1;
    const view = this.view;
    const tool = this.model.get('tool');
    const color = this.model.get('color');
    ctx.clearRect(0, 0, this.top.width, this.top.height);
    const gestures = this.gestures;
    const panning = this.spaceHeld || gestures.panning;
    this.top.style.cursor = cursorStyle(tool, panning, gestures.gesture !== null);
    for (const item of gestures.lassos) {
      const dashed = this.model.get('erase');
      strokeImagePath(ctx, view, item.points, color, { dashed, closed: item.closed, ratio });
    }
    if (tool === 'polygon' && !gestures.polygonClosing) {
      const vertices = (this.model.get('outline') || []).map(p => [p[0], p[1]]);
      for (const vertex of gestures.vertices) vertices.push([vertex.col, vertex.row]);
      const cursor = this.pointerXY === null ? null : gestures.imagePoint(this.pointerXY);
      drawPolygon(ctx, view, vertices, cursor, color, ratio);
    }
    if (this.pointerXY !== null && BRUSH_TOOLS.has(tool) && !panning) {
      const [row, col] = gestures.snapped(this.pointerXY);
      const radius = (this.model.get('brush_size') / 2) * view.zoom;
      drawBrushCursor(ctx, imageToCanvas(view, col, row), radius, ratio);
    }
  }

  reportSize() {
    const report = this.sizes.take();
    if (report === null) return;
    const type = report.first ? 'ready' : 'resize';
    this.model.send({ type, ...(report.first ? { version: PROTOCOL_VERSION } : {}), ...report.size });
  }
}

function render({ model, el }) {
  let layer = null;
  try {
    layer = new InputLayer(model, el);
    layer.requestFrame();
  } catch (error) {
    console.error('seg-widget input layer could not start', error);
    el.replaceChildren();
    model.send({ type: 'error', message: String(error && error.message ? error.message : error) });
  }
  return () => {
    if (layer !== null) layer.dispose();
  };
}

export default { render };
