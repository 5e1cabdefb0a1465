// Pure geometry of the input layer: the view transform, pixel snapping, the brush footprint
// and the canvas spans that show it. No DOM here, so node's test runner imports it as is.
//
// Spaces: canvas points are (x, y) in device pixels of the visible canvas; image points are
// continuous (col, row), pixel (row, col) covering [col, col + 1) x [row, row + 1).
// The view is `canvas = image * zoom + offset` on each axis, as seg_widget.render.viewport.

/** Image point [col, row] under canvas point (x, y) (Viewport.canvas_to_image). */
export function canvasToImage(view, x, y) {
  return [(x - view.offsetX) / view.zoom, (y - view.offsetY) / view.zoom];
}

/** Canvas point [x, y] of image point (col, row) (Viewport.image_to_canvas). */
export function imageToCanvas(view, col, row) {
  return [col * view.zoom + view.offsetX, row * view.zoom + view.offsetY];
}

/** Centre [col, row] of the pixel containing (col, row) (core.raster.pixel_center). */
export function pixelCenter(col, row) {
  return [Math.floor(col) + 0.5, Math.floor(row) + 0.5];
}

// core.raster._TOLERANCE: pixel centres exactly on the brush edge count as inside.
const TOLERANCE = 1e-9;

/**
 * The pixels a round brush of `diameter` paints when swept from startRC to endRC, clipped to
 * the image `shape` [H, W]: {row0, row1, col0, col1, inside} with `inside` a Uint8Array of the
 * tight box (row-major, 1 = painted), or null. The same rule and the same floating-point
 * operations, in the same order, as core.raster.brush_footprint, so the two agree bit for bit.
 */
export function brushFootprint(startRC, endRC, diameter, shape) {
  const [rowA, colA] = startRC;
  const [rowB, colB] = endRC;
  const radius = diameter / 2 + TOLERANCE;
  const [height, width] = shape;
  const row0 = Math.max(Math.ceil(Math.min(rowA, rowB) - radius - 0.5), 0);
  const row1 = Math.min(Math.floor(Math.max(rowA, rowB) + radius - 0.5) + 1, height);
  const col0 = Math.max(Math.ceil(Math.min(colA, colB) - radius - 0.5), 0);
  const col1 = Math.min(Math.floor(Math.max(colA, colB) + radius - 0.5) + 1, width);
  if (row0 >= row1 || col0 >= col1) {
    return null;
  }
  const rows = row1 - row0;
  const cols = col1 - col0;
  const inside = new Uint8Array(rows * cols);
  const deltaRow = rowB - rowA;
  const deltaCol = colB - colA;
  const lengthSquared = deltaRow * deltaRow + deltaCol * deltaCol;
  const radiusSquared = radius * radius;
  const stepRow = deltaRow / lengthSquared;
  const stepCol = deltaCol / lengthSquared;
  let top = rows;
  let bottom = -1;
  let left = cols;
  let right = -1;
  for (let i = 0; i < rows; i++) {
    const r = row0 + i + (0.5 - rowA);
    for (let j = 0; j < cols; j++) {
      const c = col0 + j + (0.5 - colA);
      let distanceSquared;
      if (lengthSquared === 0) {
        distanceSquared = r * r + c * c;
      } else {
        // Closest point of the segment, its parameter clamped to the end points.
        let t = r * stepRow + c * stepCol;
        t = t < 0 ? 0 : t > 1 ? 1 : t;
        const offRow = r - t * deltaRow;
        const offCol = c - t * deltaCol;
        distanceSquared = offRow * offRow + offCol * offCol;
      }
      if (distanceSquared <= radiusSquared) {
        inside[i * cols + j] = 1;
        if (i < top) top = i;
        bottom = i;
        if (j < left) left = j;
        if (j > right) right = j;
      }
    }
  }
  if (bottom < 0) {
    return null;
  }
  const tightCols = right - left + 1;
  const tight = new Uint8Array((bottom - top + 1) * tightCols);
  for (let i = top; i <= bottom; i++) {
    tight.set(inside.subarray(i * cols + left, i * cols + right + 1), (i - top) * tightCols);
  }
  return {
    row0: row0 + top,
    row1: row0 + bottom + 1,
    col0: col0 + left,
    col1: col0 + right + 1,
    inside: tight
  };
}

/**
 * Canvas pixels [first, end) that show image pixels [index0, index1) on one axis. Labels are
 * drawn without smoothing, so canvas pixel x shows image pixel floor((x + 0.5 - offset) / zoom).
 */
export function canvasSpan(index0, index1, zoom, offset) {
  return [Math.ceil(index0 * zoom + offset - 0.5), Math.ceil(index1 * zoom + offset - 0.5)];
}

/**
 * Rectangles [x, y, w, h] in canvas pixels covering the footprint's pixels where
 * `editable(row, col)` holds (all of them when it is null), clipped to the canvas
 * [width, height]. One rectangle per run of a row: O(footprint), whatever the zoom.
 */
export function footprintRects(footprint, view, canvasSize, editable = null) {
  const rects = [];
  const { row0, row1, col0, col1, inside } = footprint;
  const cols = col1 - col0;
  const [width, height] = canvasSize;
  for (let row = row0; row < row1; row++) {
    let [y0, y1] = canvasSpan(row, row + 1, view.zoom, view.offsetY);
    y0 = Math.max(y0, 0);
    y1 = Math.min(y1, height);
    if (y0 >= y1) continue; // a row no canvas pixel shows (minified, or off-screen)
    const base = (row - row0) * cols;
    let j = 0;
    while (j < cols) {
      while (j < cols && !(inside[base + j] && (editable === null || editable(row, col0 + j)))) j++;
      if (j >= cols) break;
      const start = j;
      while (j < cols && inside[base + j] && (editable === null || editable(row, col0 + j))) j++;
      let [x0, x1] = canvasSpan(col0 + start, col0 + j, view.zoom, view.offsetX);
      x0 = Math.max(x0, 0);
      x1 = Math.min(x1, width);
      if (x0 < x1) rects.push([x0, y0, x1 - x0, y1 - y0]);
    }
  }
  return rects;
}

/**
 * A lookup `editable(row, col)` over the kernel's bit mask of the shown pixels: `rows` and
 * `cols` are the image indices the canvas shows (input_layer.InputLayer.shown_indices), `bits` the mask packed row-major, most significant bit
 * first (numpy.packbits). Pixels the mask does not cover are not editable.
 */
export function editableLookup(rows, cols, bits, imageShape) {
  const rowIndex = new Int32Array(imageShape[0]).fill(-1);
  const colIndex = new Int32Array(imageShape[1]).fill(-1);
  rows.forEach((row, i) => {
    rowIndex[row] = i;
  });
  cols.forEach((col, j) => {
    colIndex[col] = j;
  });
  const stride = cols.length;
  return (row, col) => {
    const i = row >= 0 && row < rowIndex.length ? rowIndex[row] : -1;
    const j = col >= 0 && col < colIndex.length ? colIndex[col] : -1;
    if (i < 0 || j < 0) return false;
    const bit = i * stride + j;
    return ((bits[bit >> 3] >> (7 - (bit & 7))) & 1) === 1;
  };
}

/** True when two views have the same transform and canvas size (exact comparison). */
export function sameView(a, b) {
  return (
    a.zoom === b.zoom &&
    a.offsetX === b.offsetX &&
    a.offsetY === b.offsetY &&
    a.width === b.width &&
    a.height === b.height
  );
}
