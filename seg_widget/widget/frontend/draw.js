// Drawing on the layer's two canvases: stroke previews (exact footprints), the brush cursor,
// lasso and polygon outlines. Plain functions of a 2-D context and the view.
import { brushFootprint, footprintRects, imageToCanvas } from './geometry.js';

export const CURSOR_COLOR = '#ffffff';
export const CURSOR_SHADOW = '#000000';
export const BRUSH_TOOLS = new Set(['brush', 'eraser']);
const CROSSHAIR_TOOLS = new Set(['lasso', 'polygon', 'fill', 'wand', 'pick', 'prompt']);

/**
 * Canvas rectangles of a dab (a brush segment {startRC, endRC, diameter}) in `view`, clipped
 * to the image `shape` and to the pixels `editable(row, col)` allows (all when null).
 */
export function dabRects(dab, view, shape, editable) {
  const footprint = brushFootprint(dab.startRC, dab.endRC, dab.diameter, shape);
  return footprint === null ? [] : footprintRects(footprint, view, [view.width, view.height], editable);
}

/** Fill each dab's rectangles: its class colour, or the eraser's stripes. */
export function paintDabs(ctx, dabs, rectsOf) {
  for (const dab of dabs) {
    ctx.fillStyle = dab.erase ? erasePattern(ctx) : dab.color;
    for (const [x, y, w, h] of rectsOf(dab)) ctx.fillRect(x, y, w, h);
  }
}

const patterns = new WeakMap();

/** The eraser's preview: diagonal black and white stripes, unlike any class colour. */
function erasePattern(ctx) {
  if (!patterns.has(ctx)) {
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
    patterns.set(ctx, ctx.createPattern(tile, 'repeat'));
  }
  return patterns.get(ctx);
}

/** The CSS cursor over the layer: none where the layer draws the brush itself. */
export function cursorStyle(tool, panning, grabbing) {
  if (panning) return grabbing ? 'grabbing' : 'grab';
  if (tool === 'pan') return 'grab';
  if (BRUSH_TOOLS.has(tool)) return 'none';
  return CROSSHAIR_TOOLS.has(tool) ? 'crosshair' : 'default';
}

/** The brush outline at its true radius (canvas px), white over black, lines in CSS px. */
export function drawBrushCursor(ctx, [x, y], radius, ratio) {
  for (const [style, width] of [
    [CURSOR_SHADOW, 3],
    [CURSOR_COLOR, 1.5]
  ]) {
    ctx.beginPath();
    ctx.arc(x, y, Math.max(radius, 1), 0, 2 * Math.PI);
    ctx.lineWidth = width * ratio;
    ctx.strokeStyle = style;
    ctx.stroke();
  }
}

/** A polyline through image points (col, row), in `color` over a dark edge. */
export function strokeImagePath(ctx, view, imagePoints, color, { dashed = false, closed = false, ratio = 1 }) {
  if (imagePoints.length === 0) return;
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

/**
 * A polygon in progress: its vertices, the rubber band to the cursor (`cursor`, an image
 * point, or null) and, faint and dashed, the edge that would close it there.
 */
export function drawPolygon(ctx, view, vertices, cursor, color, ratio) {
  if (vertices.length === 0) return;
  const path = cursor === null ? vertices : [...vertices, cursor];
  strokeImagePath(ctx, view, path, color, { ratio });
  if (path.length >= 3) {
    ctx.globalAlpha = 0.5;
    strokeImagePath(ctx, view, [path[path.length - 1], path[0]], color, { dashed: true, ratio });
    ctx.globalAlpha = 1;
  }
  for (const [col, row] of vertices) {
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
