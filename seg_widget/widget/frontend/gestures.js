// What the layer has promised and the kernel not yet confirmed: brush dabs, lasso outlines,
// polygon vertices, each tagged with the number of the batch that carries its points. A press
// starts a gesture by button, tool and Space, mirroring what the kernel's router will do.
import { BRUSH_TOOLS } from './draw.js';
import { canvasToImage, pixelCenter } from './geometry.js';

export class Gestures {
  /** get(name): a model setting; view(): the current view; pending(): the batch being filled. */
  constructor({ get, view, pending }) {
    this.get = get;
    this.view = view;
    this.pending = pending;
    this.dabs = [];
    this.newDabs = [];
    this.lassos = [];
    this.vertices = [];
    this.polygonClosing = 0;
    // The gesture in progress: null, or {kind: 'stroke'|'lasso'|'pan'|'none', ...}.
    this.gesture = null;
    this.lastStrokeEnd = null;
  }

  get panning() {
    return this.gesture !== null && this.gesture.kind === 'pan';
  }

  /** A button press at canvas point xy (Space held: a pan, as for the middle button). */
  start(button, shiftKey, xy, clicks, spaceHeld) {
    const tool = this.get('tool');
    const batch = this.pending();
    if (button === 1 || spaceHeld || tool === 'pan') {
      this.gesture = { kind: 'pan' };
    } else if (button === 2) {
      const erase = this.get('right_button') === 'erase' && BRUSH_TOOLS.has(tool);
      this.gesture = erase ? this.startStroke(xy, true, false) : { kind: 'none' };
    } else if (button !== 0) {
      this.gesture = { kind: 'none' };
    } else if (BRUSH_TOOLS.has(tool)) {
      this.gesture = this.startStroke(xy, tool === 'eraser', shiftKey);
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

  /** The pointer moved to canvas point xy (every coalesced point). */
  move(xy) {
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
      gesture.item.batch = this.pending();
    }
  }

  end() {
    const gesture = this.gesture;
    if (gesture !== null && gesture.kind === 'stroke') this.lastStrokeEnd = gesture.last;
    if (gesture !== null && gesture.kind === 'lasso') gesture.item.closed = true;
    this.gesture = null;
  }

  imagePoint(xy) {
    return canvasToImage(this.view(), xy[0], xy[1]);
  }

  /** The snapped image point [row, col] the kernel's stroke goes through. */
  snapped(xy) {
    const [col, row] = this.imagePoint(xy);
    const [c, r] = pixelCenter(col, row);
    return [r, c];
  }

  addDab(startRC, endRC, erase) {
    const dab = {
      batch: this.pending(),
      startRC,
      endRC,
      erase,
      diameter: this.get('brush_size'),
      color: this.get('color'),
      rects: null
    };
    this.dabs.push(dab);
    this.newDabs.push(dab);
  }

  /** The kernel applied and drew every batch up to `batch`: forget what they promised. */
  acknowledge(batch) {
    this.dabs = this.dabs.filter(dab => dab.batch > batch);
    this.newDabs = this.newDabs.filter(dab => dab.batch > batch);
    this.lassos = this.lassos.filter(item => !(item.closed && item.batch <= batch));
    this.vertices = this.vertices.filter(vertex => vertex.batch > batch);
    if (this.polygonClosing <= batch) this.polygonClosing = 0;
  }

  clear() {
    this.dabs = [];
    this.newDabs = [];
    this.lassos = [];
    this.vertices = [];
    this.polygonClosing = 0;
  }
}
