// Tile geometry of a big image in the browser, the same rules as seg_widget/render/tiles.py:
// level k has ceil(H / 2**k) x ceil(W / 2**k) pixels, cut into square tiles of `size` level
// pixels; the zoom shows the coarsest level whose pixels are at most one canvas pixel wide.
// Plain functions (no DOM), tested with node --test.

/** Number of levels of an (H, W) image: down to a single pixel. */
export function tileLevelCount(shape) {
  let rest = Math.max(shape[0], shape[1]) - 1;
  let bits = 0; // (longest - 1).bit_length()
  while (rest > 0) {
    bits += 1;
    rest = Math.floor(rest / 2);
  }
  return 1 + bits;
}

/** The level the kernel draws at `zoom` (TileGrid.level_for_zoom). */
export function tileLevelForZoom(zoom, levelCount) {
  if (!(zoom > 0) || !Number.isFinite(zoom)) return levelCount - 1;
  if (zoom >= 1) return 0;
  return Math.min(levelCount - 1, Math.floor(-Math.log2(zoom)));
}

/** (rows, cols) of a level. */
export function tileLevelShape(shape, level) {
  const scale = 2 ** level;
  return [Math.ceil(shape[0] / scale), Math.ceil(shape[1] / scale)];
}

/** The tiles [row, col] of `level` showing any image pixel the view shows, row-major. */
export function tilesInView(view, shape, level, size) {
  const top = Math.max(0, Math.floor((0 - view.offsetY) / view.zoom));
  const left = Math.max(0, Math.floor((0 - view.offsetX) / view.zoom));
  const bottom = Math.min(shape[0], Math.ceil((view.height - view.offsetY) / view.zoom));
  const right = Math.min(shape[1], Math.ceil((view.width - view.offsetX) / view.zoom));
  if (bottom <= top || right <= left) return [];
  const scale = 2 ** level;
  const [rows, cols] = tileLevelShape(shape, level);
  const r0 = Math.floor(top / scale);
  const r1 = Math.min(rows, Math.ceil(bottom / scale));
  const c0 = Math.floor(left / scale);
  const c1 = Math.min(cols, Math.ceil(right / scale));
  const tiles = [];
  for (let row = Math.floor(r0 / size); row <= Math.floor((r1 - 1) / size); row++) {
    for (let col = Math.floor(c0 / size); col <= Math.floor((c1 - 1) / size); col++) {
      tiles.push([row, col]);
    }
  }
  return tiles;
}

/** Level-pixel box [row0, row1, col0, col1] of a tile (smaller at the level's edge). */
export function tileBox(shape, level, row, col, size) {
  const [rows, cols] = tileLevelShape(shape, level);
  return [row * size, Math.min(rows, (row + 1) * size), col * size, Math.min(cols, (col + 1) * size)];
}

/**
 * Canvas rectangle [x, y, w, h] of a tile, edges snapped to whole canvas pixels, so adjacent
 * tiles share their edges (no seam, no overlap).
 */
export function tileRect(view, shape, level, row, col, size) {
  const [r0, r1, c0, c1] = tileBox(shape, level, row, col, size);
  const scale = view.zoom * 2 ** level;
  const x0 = Math.round(view.offsetX + c0 * scale);
  const x1 = Math.round(view.offsetX + c1 * scale);
  const y0 = Math.round(view.offsetY + r0 * scale);
  const y1 = Math.round(view.offsetY + r1 * scale);
  return [x0, y0, x1 - x0, y1 - y0];
}

/** The key string of a tile, as the kernel's parts name it. */
export function tileKey(level, row, col) {
  return `${level}/${row}/${col}`;
}

/**
 * What shows tile (level, row, col): the tile itself if `has(key)`, else the part of the
 * nearest coarser tile held: {key, up, sx, sy, sw, sh} in that tile's pixels; null if none.
 */
export function tileSource(has, shape, level, row, col, size, levelCount) {
  const own = tileKey(level, row, col);
  const [r0, r1, c0, c1] = tileBox(shape, level, row, col, size);
  if (has(own)) return { key: own, up: 0, sx: 0, sy: 0, sw: c1 - c0, sh: r1 - r0 };
  for (let up = 1; level + up < levelCount; up++) {
    const key = tileKey(level + up, row >> up, col >> up);
    if (!has(key)) continue;
    const scale = 2 ** up;
    // This tile's box in the coarser level's pixels, relative to the coarser tile.
    const [pr0, , pc0] = tileBox(shape, level + up, row >> up, col >> up, size);
    const sx = c0 / scale - pc0;
    const sy = r0 / scale - pr0;
    const sw = Math.max((c1 - c0) / scale, 1 / scale);
    const sh = Math.max((r1 - r0) / scale, 1 / scale);
    return { key, up, sx, sy, sw, sh };
  }
  return null;
}

/** Grey (1), RGB (3) or RGBA (4) bytes -> RGBA bytes for ImageData. */
export function tileRGBA(bytes, pixels, channels) {
  if (channels === 4) return new Uint8ClampedArray(bytes.buffer, bytes.byteOffset, pixels * 4);
  const out = new Uint8ClampedArray(pixels * 4);
  if (channels === 3) {
    for (let i = 0, j = 0; i < pixels; i++, j += 3) {
      out[4 * i] = bytes[j];
      out[4 * i + 1] = bytes[j + 1];
      out[4 * i + 2] = bytes[j + 2];
      out[4 * i + 3] = 255;
    }
  } else {
    for (let i = 0; i < pixels; i++) {
      const v = bytes[i];
      out[4 * i] = v;
      out[4 * i + 1] = v;
      out[4 * i + 2] = v;
      out[4 * i + 3] = 255;
    }
  }
  return out;
}

/**
 * Colour a box of class ids through `lut` (Uint32 RGBA words, class 0 transparent): returns the
 * Uint32 words of a (h, w) image. `ids` is the whole tile (width `stride`).
 */
export function colorTileIds(ids, stride, row0, col0, h, w, lut) {
  const words = new Uint32Array(w * h);
  for (let r = 0; r < h; r++) {
    const base = (row0 + r) * stride + col0;
    for (let c = 0; c < w; c++) words[r * w + c] = lut[ids[base + c]] ?? 0;
  }
  return words;
}
