// The tiled display of a big image: a canvas under the input layer's previews that holds image
// and coded tiles by slot and draws the view itself. The kernel decides what is sent and into
// which slot (its BrowserTileCache model), so what is held here stays within the budget.
//
// Coded layers, drawn in this order over the image: "overlay" (class ids, or the codes of an
// overlay style; at the `opacity` trait), "missing" (show missing) and "proposal" (a proposal:
// its class inside, a white edge), each coloured through its own table, at its own alpha.
//
// Messages from the kernel (tile_view.py), handled strictly in order:
//   {type: "tile_lut", layer, alpha, rgba: [r, g, b, a, ...]}   a coded layer's colours (code 0
//       transparent); the tiles it holds are recoloured
//   {type: "tiles", parts: [{layer, key: [level, row, col], slot, h, w, channels, dtype,
//       deflate, exact, buffer}]} + buffers
//       image: raw grey/RGB/RGBA bytes -> an ImageBitmap in image slot `slot`
//       a coded layer: codes (deflated) -> coloured into a small canvas in that layer's slot
//   {type: "tile_patch", parts: [{layer, slot, row0, col0, h, w, dtype, deflate, buffer}]} +
//       buffers: new codes for a box of a held coded tile: only that box is recoloured
//   {type: "tile_drop", layer}                          forget every tile of a layer
// The view (zoom, offsets, canvas size) and the look (opacity, brightness, contrast) are the
// layer's traits: a zoom or pan redraws at once from what is held, a tile not held yet is
// drawn from the nearest coarser tile held (never a blank view), and tiles redraw as they land.
import {
  colorTileIds,
  tileKey,
  tileLevelCount,
  tileLevelForZoom,
  tileRect,
  tileRGBA,
  tileSource,
  tilesInView
} from './tilemath.js';

const TILE_BACKGROUND = '#3a3a3a';
export const CODE_LAYERS = ['overlay', 'missing', 'proposal'];

function codeLayer() {
  return { tiles: [], byKey: new Map(), lut: new Uint32Array(1), alpha: 1 };
}

function bytesOfBuffer(buffer) {
  if (buffer instanceof ArrayBuffer) return new Uint8Array(buffer);
  return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
}

async function inflateBytes(bytes) {
  const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream('deflate'));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

function idArray(bytes, dtype) {
  const copy = bytes.slice(); // aligned, and ours
  return dtype === 'uint16' ? new Uint16Array(copy.buffer) : copy;
}

export class TileView {
  constructor(model, canvas, view) {
    this.model = model;
    this.canvas = canvas;
    this.viewOf = view; // () => {zoom, offsetX, offsetY, width, height}
    this.image = []; // slot -> {key, bitmap, exact}
    this.imageByKey = new Map();
    // name -> {tiles: slot -> {key, canvas, ctx, ids, w, h}, byKey, lut, alpha}
    this.codes = Object.fromEntries(CODE_LAYERS.map(name => [name, codeLayer()]));
    this.queue = Promise.resolve();
    this.drawPending = false;
    this.received = 0; // bytes of tiles and patches received
  }

  dispose() {
    for (const entry of this.image) if (entry) entry.bitmap.close();
    this.image = [];
    for (const name of CODE_LAYERS) this.codes[name] = codeLayer();
  }

  onMessage(msg, buffers, onError) {
    this.queue = this.queue.then(() => this.handle(msg, buffers)).catch(onError);
  }

  async handle(msg, buffers) {
    if (msg.type === 'tile_lut') {
      const layer = this.codeLayer(msg.layer);
      layer.lut = new Uint32Array(new Uint8Array(msg.rgba).buffer);
      layer.alpha = msg.alpha ?? 1;
      for (const tile of layer.tiles) if (tile && tile.ids) this.paintIds(layer, tile, 0, 0, tile.h, tile.w);
    } else if (msg.type === 'tiles') {
      await Promise.all(msg.parts.map(part => this.receiveTile(part, bytesOfBuffer(buffers[part.buffer]))));
    } else if (msg.type === 'tile_patch') {
      for (const part of msg.parts) await this.receivePatch(part, bytesOfBuffer(buffers[part.buffer]));
    } else if (msg.type === 'tile_drop') {
      if (msg.layer === 'image') {
        for (const entry of this.image) if (entry) entry.bitmap.close();
        this.image = [];
        this.imageByKey.clear();
      } else {
        const layer = this.codeLayer(msg.layer);
        layer.tiles = [];
        layer.byKey.clear();
      }
    }
    this.requestDraw();
  }

  async receiveTile(part, bytes) {
    this.received += bytes.byteLength;
    const key = tileKey(...part.key);
    if (part.layer === 'image') {
      const rgba = tileRGBA(bytes, part.w * part.h, part.channels);
      const bitmap = await createImageBitmap(new ImageData(rgba, part.w, part.h));
      const old = this.image[part.slot];
      if (old) {
        old.bitmap.close();
        if (this.imageByKey.get(old.key) === part.slot) this.imageByKey.delete(old.key);
      }
      this.image[part.slot] = { key, bitmap, exact: part.exact !== false };
      this.imageByKey.set(key, part.slot);
      return;
    }
    const layer = this.codeLayer(part.layer);
    const ids = idArray(part.deflate ? await inflateBytes(bytes) : bytes, part.dtype);
    let tile = layer.tiles[part.slot];
    if (!tile) {
      const size = this.model.get('tile_size');
      const canvas = new OffscreenCanvas(size, size);
      tile = layer.tiles[part.slot] = { canvas, ctx: canvas.getContext('2d') };
    }
    if (tile.key && layer.byKey.get(tile.key) === part.slot) layer.byKey.delete(tile.key);
    Object.assign(tile, { key, ids, w: part.w, h: part.h });
    tile.ctx.clearRect(0, 0, tile.canvas.width, tile.canvas.height);
    this.paintIds(layer, tile, 0, 0, part.h, part.w);
    layer.byKey.set(key, part.slot);
  }

  codeLayer(name) {
    const layer = this.codes[name ?? 'overlay'];
    if (!layer) throw new Error(`unknown tile layer ${name}`);
    return layer;
  }

  async receivePatch(part, bytes) {
    this.received += bytes.byteLength;
    const layer = this.codeLayer(part.layer);
    const tile = layer.tiles[part.slot];
    if (!tile || !tile.ids) return;
    const ids = idArray(part.deflate ? await inflateBytes(bytes) : bytes, part.dtype);
    if (tile.ids instanceof Uint8Array && part.dtype === 'uint16') tile.ids = Uint16Array.from(tile.ids);
    for (let r = 0; r < part.h; r++) {
      tile.ids.set(ids.subarray(r * part.w, (r + 1) * part.w), (part.row0 + r) * tile.w + part.col0);
    }
    this.paintIds(layer, tile, part.row0, part.col0, part.h, part.w);
  }

  paintIds(layer, tile, row0, col0, h, w) {
    if (h <= 0 || w <= 0) return;
    const words = colorTileIds(tile.ids, tile.w, row0, col0, h, w, layer.lut);
    tile.ctx.putImageData(new ImageData(new Uint8ClampedArray(words.buffer), w, h), col0, row0);
  }

  requestDraw() {
    if (this.drawPending) return;
    this.drawPending = true;
    requestAnimationFrame(() => {
      this.drawPending = false;
      this.draw();
    });
  }

  draw() {
    const view = this.viewOf();
    const canvas = this.canvas;
    const ctx = canvas.getContext('2d');
    const shape = this.model.get('image_shape');
    const size = this.model.get('tile_size');
    const levels = tileLevelCount(shape);
    const level = tileLevelForZoom(view.zoom, levels);
    const tiles = tilesInView(view, shape, level, size);
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.globalAlpha = 1;
    ctx.filter = 'none';
    ctx.fillStyle = TILE_BACKGROUND;
    ctx.fillRect(0, 0, canvas.width, canvas.height);
    const brightness = this.model.get('brightness');
    const contrast = this.model.get('contrast');
    let complete = true;
    let exact = true;
    // Smooth only when minifying the photo; labels are never smoothed.
    ctx.imageSmoothingEnabled = view.zoom * 2 ** level < 1;
    if (brightness !== 1 || contrast !== 1) ctx.filter = `brightness(${brightness}) contrast(${contrast})`;
    const hasImage = key => this.imageByKey.has(key);
    for (const [row, col] of tiles) {
      const rect = tileRect(view, shape, level, row, col, size);
      const source = tileSource(hasImage, shape, level, row, col, size, levels);
      if (source === null || source.up > 0) complete = false;
      if (source === null) continue;
      const entry = this.image[this.imageByKey.get(source.key)];
      if (!entry.exact) exact = false;
      ctx.drawImage(entry.bitmap, source.sx, source.sy, source.sw, source.sh, ...rect);
    }
    ctx.filter = 'none';
    ctx.imageSmoothingEnabled = false;
    const shown = {};
    for (const name of CODE_LAYERS) {
      const layer = this.codes[name];
      if (name !== 'overlay' && layer.byKey.size === 0) continue;
      ctx.globalAlpha = name === 'overlay' ? this.model.get('opacity') : layer.alpha;
      const has = key => layer.byKey.has(key);
      let count = 0;
      for (const [row, col] of tiles) {
        const rect = tileRect(view, shape, level, row, col, size);
        const source = tileSource(has, shape, level, row, col, size, levels);
        if (name === 'overlay' && (source === null || source.up > 0)) complete = false;
        if (source === null) continue;
        const entry = layer.tiles[layer.byKey.get(source.key)];
        ctx.drawImage(entry.canvas, source.sx, source.sy, source.sw, source.sh, ...rect);
        count += 1;
      }
      shown[name] = count;
    }
    ctx.globalAlpha = 1;
    // For tests and benchmarks: what the last frame showed.
    Object.assign(canvas.dataset, {
      view: `${view.zoom} ${view.offsetX} ${view.offsetY}`,
      level: String(level),
      tiles: String(tiles.length),
      complete: complete ? '1' : '0',
      exact: complete && exact ? '1' : '0',
      held: String(this.imageByKey.size + CODE_LAYERS.reduce((n, name) => n + this.codes[name].byKey.size, 0)),
      proposalTiles: String(shown.proposal ?? 0),
      missingTiles: String(shown.missing ?? 0),
      received: String(this.received)
    });
  }
}
