// seg-widget's input layer: a transparent canvas over the ipycanvas view that answers the hand
// at once (brush cursor, stroke preview, lasso and polygon outlines, drawn in the next
// animation frame) and sends every pointer event to the kernel, one message per frame.
// The kernel stays the only truth: a preview is a promise, cleared when the kernel
// acknowledges the batch that carried its points. Messages: see input_layer.py.
import {
  brushFootprint,
  canvasToImage,
  editableLookup,
  footprintRects,
  imageToCanvas,
  pixelCenter,
  sameView
} from './geometry.js';
import {
  clickCount,
  isEditable,
  keyIsOurs,
  keyName,
  maySend,
  modifierBits,
  PointerBatcher,
  wheelPixels
} from './input.js';

const PROTOCOL_VERSION = 1;
const BRUSH_TOOLS = new Set(['brush', 'eraser']);
const CROSSHAIR_TOOLS = new Set(['lasso', 'polygon', 'fill', 'wand', 'pick', 'prompt']);
const CURSOR_COLOR = '#ffffff';
const CURSOR_SHADOW = '#000000';
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
    this.frameRequested = false;
    this.disposed = false;
    this.failed = false;
    // Preview state: brush dabs, lasso outlines and polygon vertices not yet acknowledged.
    this.dabs = [];
    this.newDabs = [];
    this.lassos = [];
    this.vertices = [];
    this.polygonClosing = 0;
    this.previewDirty = true;
    this.cursorDirty = true;
    // The gesture in progress: null, or {kind: 'stroke'|'lasso'|'pan'|'none', ...}.
    this.gesture = null;
    this.lastStrokeEnd = null;
    this.pointerXY = null;
    this.lastPress = null;
    this.spaceHeld = false;
    this.heldKeys = new Set();
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
    for (const canvas of [this.preview, this.top]) {
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
    on(window, 'keydown', this.onKeyDown, true);
    on(window, 'keyup', this.onKeyUp, true);
    on(window, 'blur', this.releaseKeys);

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
    this.model.on('change:shortcut_keys', () => this.readKeys());
    this.model.on('msg:custom', (msg, buffers) => this.guard(() => this.onMessage(msg, buffers)));

    this.readKeys();
    this.applyOpacity();
    this.viewChanged();
    this.observeSize();
  }

  dispose() {
    this.disposed = true;
    for (const remove of this.listeners) remove();
    this.listeners = [];
    if (this.resizeObserver) this.resizeObserver.disconnect();
    if (this.dprQuery) this.dprQuery.removeEventListener('change', this.onDprChange);
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
    for (const canvas of [this.preview, this.top]) {
      if (canvas.width !== width) canvas.width = width;
      if (canvas.height !== height) canvas.height = height;
      canvas.style.width = `${width / ratio}px`;
      canvas.style.height = `${height / ratio}px`;
    }
    this.el.style.width = `${width / ratio}px`;
    this.el.style.height = `${height / ratio}px`;
    for (const dab of this.dabs) dab.rects = null;
    this.previewDirty = true;
    this.redrawCursor();
  }

  applyOpacity() {
    // Dabs are drawn opaque and the whole preview canvas is blended once, as the kernel
    // blends its overlay: overlapping dabs never darken.
    this.preview.style.opacity = String(this.model.get('opacity'));
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
    this.startGesture(event, xy, clicks);
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
      this.continueGesture(xy);
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
    if (this.gesture !== null) {
      this.continueGesture(xy);
      this.endGesture();
    }
    this.redrawCursor();
  }

  onPointerCancel(event) {
    const rect = this.top.getBoundingClientRect();
    this.record('cancel', event, this.canvasPoint(event, rect), -1);
    this.endGesture();
    this.redrawCursor();
  }

  onPointerLeave(event) {
    const rect = this.top.getBoundingClientRect();
    this.record('leave', event, this.canvasPoint(event, rect), -1);
    this.pointerXY = null;
    this.redrawCursor();
  }

  /** What a press starts, by button, tool and Space; mirrors what the router will do. */
  startGesture(event, xy, clicks) {
    const tool = this.model.get('tool');
    const pan = event.button === 1 || this.spaceHeld || tool === 'pan';
    const batch = this.batcher.pending;
    if (pan) {
      this.gesture = { kind: 'pan' };
    } else if (event.button === 2) {
      const erase = this.model.get('right_button') === 'erase' && BRUSH_TOOLS.has(tool);
      this.gesture = erase ? this.startStroke(xy, true, false) : { kind: 'none' };
    } else if (event.button !== 0) {
      this.gesture = { kind: 'none' };
    } else if (BRUSH_TOOLS.has(tool)) {
      this.gesture = this.startStroke(xy, tool === 'eraser', event.shiftKey);
    } else if (tool === 'lasso') {
      this.gesture = { kind: 'lasso', item: { batch, points: [this.imagePoint(xy)] } };
      this.lassos.push(this.gesture.item);
    } else if (tool === 'polygon') {
      if (clicks >= 2) {
        this.polygonClosing = batch; // a double click closes: no vertex, no rubber band
      } else {
        const [col, row] = this.imagePoint(xy);
        this.vertices.push({ batch, col, row });
      }
      this.gesture = { kind: 'none' };
    } else {
      this.gesture = { kind: 'none' };
    }
  }

  startStroke(xy, erase, straight) {
    const gesture = { kind: 'stroke', erase, last: this.snapped(xy) };
    if (straight && this.lastStrokeEnd !== null) {
      // Shift+click: a straight line from where the last stroke ended.
      this.addDab(this.lastStrokeEnd, gesture.last, erase);
    } else {
      this.addDab(gesture.last, gesture.last, erase);
    }
    return gesture;
  }

  continueGesture(xy) {
    const gesture = this.gesture;
    if (gesture === null) return;
    if (gesture.kind === 'stroke') {
      const point = this.snapped(xy);
      if (point[0] !== gesture.last[0] || point[1] !== gesture.last[1]) {
        this.addDab(gesture.last, point, gesture.erase);
        gesture.last = point;
      }
    } else if (gesture.kind === 'lasso') {
      gesture.item.points.push(this.imagePoint(xy));
      gesture.item.batch = this.batcher.pending;
    }
  }

  endGesture() {
    const gesture = this.gesture;
    if (gesture !== null && gesture.kind === 'stroke') this.lastStrokeEnd = gesture.last;
    if (gesture !== null && gesture.kind === 'lasso') gesture.item.closed = true;
    this.gesture = null;
  }

  imagePoint(xy) {
    return canvasToImage(this.view, xy[0], xy[1]);
  }

  /** The snapped image point [row, col] the kernel's stroke goes through. */
  snapped(xy) {
    const [col, row] = this.imagePoint(xy);
    const [c, r] = pixelCenter(col, row);
    return [r, c];
  }

  addDab(startRC, endRC, erase) {
    const dab = {
      batch: this.batcher.pending,
      startRC,
      endRC,
      erase,
      diameter: this.model.get('brush_size'),
      color: this.model.get('color'),
      rects: null
    };
    this.dabs.push(dab);
    this.newDabs.push(dab);
    this.requestFrame();
  }

  // -- wheel and keys -----------------------------------------------------------------

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

  onKeyDown(event) {
    if (event.isComposing) return;
    const name = keyName(event);
    if (!this.keys.has(name)) return;
    const root = this.root();
    const focused = document.activeElement;
    const ours = keyIsOurs({
      editable: isEditable(focused) || isEditable(event.target),
      focusInside: focused !== null && root.contains(focused),
      hovered: root.matches(':hover')
    });
    if (!ours) return;
    event.preventDefault();
    event.stopPropagation();
    if (event.key === ' ') {
      if (this.spaceHeld) return; // auto-repeat of a held Space
      this.spaceHeld = true;
      this.redrawCursor();
    }
    this.heldKeys.add(event.key);
    this.flush(true); // pointer events first: the kernel sees input in the order it came
    this.model.send({ type: 'key', key: event.key, down: true, modifiers: modifierBits(event) });
  }

  onKeyUp(event) {
    if (!this.heldKeys.has(event.key)) return;
    event.preventDefault();
    event.stopPropagation();
    this.releaseKey(event.key, modifierBits(event));
  }

  releaseKey(key, modifiers) {
    this.heldKeys.delete(key);
    if (key === ' ') {
      this.spaceHeld = false;
      this.redrawCursor();
    }
    this.flush(true);
    this.model.send({ type: 'key', key, down: false, modifiers });
  }

  releaseKeys() {
    // The window lost focus: no key-up will come for keys held now.
    for (const key of [...this.heldKeys]) this.releaseKey(key, 0);
  }

  // -- messages -----------------------------------------------------------------------

  onMessage(msg, buffers) {
    if (msg.type === 'ack') {
      this.acknowledge(Number(msg.batch));
    } else if (msg.type === 'clear') {
      this.acknowledge(this.lastSent);
      this.dabs = [];
      this.newDabs = [];
      this.lassos = [];
      this.vertices = [];
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
      for (const dab of this.dabs) dab.rects = null;
      this.previewDirty = true;
      this.requestFrame();
    }
  }

  acknowledge(batch) {
    if (!(batch > this.lastAcked)) return;
    this.lastAcked = batch;
    this.dabs = this.dabs.filter(dab => dab.batch > batch);
    this.newDabs = this.newDabs.filter(dab => dab.batch > batch);
    this.lassos = this.lassos.filter(item => !(item.closed && item.batch <= batch));
    this.vertices = this.vertices.filter(vertex => vertex.batch > batch);
    if (this.polygonClosing <= batch) this.polygonClosing = 0;
    this.previewDirty = true;
    this.redrawCursor();
  }

  flush(force) {
    if (this.batcher.empty) return;
    const limit = this.model.get('max_in_flight') || 2;
    if (!force && !maySend(this.lastSent, this.lastAcked, limit)) return;
    const batch = this.batcher.take();
    this.lastSent = batch.batch;
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

  dabRects(dab) {
    if (dab.rects === null) {
      const shape = this.model.get('image_shape');
      const footprint = brushFootprint(dab.startRC, dab.endRC, dab.diameter, shape);
      const view = this.view;
      dab.rects =
        footprint === null
          ? []
          : footprintRects(footprint, view, [view.width, view.height], this.editableFor(dab.erase));
    }
    return dab.rects;
  }

  drawPreview() {
    const ctx = this.preview.getContext('2d');
    let dabs = this.newDabs;
    if (this.previewDirty) {
      ctx.clearRect(0, 0, this.preview.width, this.preview.height);
      dabs = this.dabs;
    }
    for (const dab of dabs) {
      ctx.fillStyle = dab.erase ? this.erasePattern(ctx) : dab.color;
      for (const [x, y, w, h] of this.dabRects(dab)) ctx.fillRect(x, y, w, h);
    }
    this.newDabs = [];
    this.previewDirty = false;
  }

  erasePattern(ctx) {
    // The eraser's preview: diagonal black and white stripes, unlike any class colour.
    if (!this.pattern) {
      const tile = document.createElement('canvas');
      tile.width = tile.height = 8;
      const t = tile.getContext('2d');
      t.fillStyle = CURSOR_SHADOW;
      t.fillRect(0, 0, 8, 8);
      t.strokeStyle = CURSOR_COLOR;
      t.lineWidth = 2.5;
      t.beginPath();
      t.moveTo(-2, 10);
      t.lineTo(10, -2);
      t.stroke();
      this.pattern = ctx.createPattern(tile, 'repeat');
    }
    return this.pattern;
  }

  drawCursor() {
    const ctx = this.top.getContext('2d');
    const ratio = this.model.get('pixel_ratio') || 1;
    const view = this.view;
    const tool = this.model.get('tool');
    ctx.clearRect(0, 0, this.top.width, this.top.height);
    const panning = this.spaceHeld || (this.gesture !== null && this.gesture.kind === 'pan');
    this.top.style.cursor = panning
      ? this.gesture !== null
        ? 'grabbing'
        : 'grab'
      : tool === 'pan'
        ? 'grab'
        : BRUSH_TOOLS.has(tool)
          ? 'none'
          : CROSSHAIR_TOOLS.has(tool)
            ? 'crosshair'
            : 'default';
    const color = this.model.get('color');
    for (const item of this.lassos) {
      this.strokePath(ctx, item.points, color, this.model.get('erase'), ratio, item.closed);
    }
    if (tool === 'polygon') this.drawPolygon(ctx, color, ratio);
    if (this.pointerXY !== null && BRUSH_TOOLS.has(tool) && !panning) {
      const [row, col] = this.snapped(this.pointerXY);
      const [x, y] = imageToCanvas(view, col, row);
      const radius = Math.max((this.model.get('brush_size') / 2) * view.zoom, 1);
      for (const [style, width] of [
        [CURSOR_SHADOW, 3],
        [CURSOR_COLOR, 1.5]
      ]) {
        ctx.beginPath();
        ctx.arc(x, y, radius, 0, 2 * Math.PI);
        ctx.lineWidth = width * ratio;
        ctx.strokeStyle = style;
        ctx.stroke();
      }
    }
  }

  drawPolygon(ctx, color, ratio) {
    if (this.polygonClosing) return;
    const points = (this.model.get('outline') || []).map(p => [p[0], p[1]]);
    for (const vertex of this.vertices) points.push([vertex.col, vertex.row]);
    if (points.length === 0) return;
    const path = points.slice();
    if (this.pointerXY !== null) path.push(this.imagePoint(this.pointerXY)); // rubber band
    this.strokePath(ctx, path, color, false, ratio, false);
    if (path.length >= 3) {
      ctx.globalAlpha = 0.5;
      this.strokePath(ctx, [path[path.length - 1], path[0]], color, true, ratio, false);
      ctx.globalAlpha = 1;
    }
    const view = this.view;
    for (const [col, row] of points) {
      const [x, y] = imageToCanvas(view, col, row);
      for (const [style, radius] of [
        [CURSOR_SHADOW, 4],
        [color, 3]
      ]) {
        ctx.beginPath();
        ctx.arc(x, y, radius * ratio, 0, 2 * Math.PI);
        ctx.fillStyle = style;
        ctx.fill();
      }
    }
  }

  strokePath(ctx, imagePoints, color, dashed, ratio, closed) {
    if (imagePoints.length === 0) return;
    const view = this.view;
    ctx.beginPath();
    imagePoints.forEach(([col, row], i) => {
      const [x, y] = imageToCanvas(view, col, row);
      if (i === 0) ctx.moveTo(x, y);
      else ctx.lineTo(x, y);
    });
    if (closed) ctx.closePath();
    ctx.setLineDash(dashed ? [6 * ratio, 4 * ratio] : []);
    for (const [style, width] of [
      [CURSOR_SHADOW, 3.5],
      [color, 2]
    ]) {
      ctx.lineWidth = width * ratio;
      ctx.strokeStyle = style;
      ctx.stroke();
    }
    ctx.setLineDash([]);
  }

  // -- size ---------------------------------------------------------------------------

  observeSize() {
    // The width the page offers the widget (its root element), the window's height and the
    // device pixel ratio; the kernel decides the canvas size from them.
    this.resizeObserver = new ResizeObserver(() => this.requestFrame());
    this.resizeObserver.observe(this.root());
    this.onDprChange = () => {
      this.watchDpr();
      this.requestFrame();
    };
    this.watchDpr();
    window.addEventListener('resize', this.onWindowResize = () => this.requestFrame());
    this.listeners.push(() => window.removeEventListener('resize', this.onWindowResize));
  }

  watchDpr() {
    if (this.dprQuery) this.dprQuery.removeEventListener('change', this.onDprChange);
    this.dprQuery = window.matchMedia(`(resolution: ${window.devicePixelRatio}dppx)`);
    this.dprQuery.addEventListener('change', this.onDprChange);
  }

  size() {
    const root = this.root();
    const style = getComputedStyle(root);
    const padding = parseFloat(style.paddingLeft) + parseFloat(style.paddingRight) || 0;
    return {
      css_width: Math.max(0, root.clientWidth - padding),
      css_height: window.innerHeight,
      device_pixel_ratio: window.devicePixelRatio || 1
    };
  }

  reportSize() {
    const size = this.size();
    const last = this.reported;
    if (
      last !== null &&
      last.css_width === size.css_width &&
      last.css_height === size.css_height &&
      last.device_pixel_ratio === size.device_pixel_ratio
    ) {
      return;
    }
    this.reported = size;
    if (last === null) {
      this.model.send({ type: 'ready', version: PROTOCOL_VERSION, ...size });
    } else {
      this.model.send({ type: 'resize', ...size });
    }
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
