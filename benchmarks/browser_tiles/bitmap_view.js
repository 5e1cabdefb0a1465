// Front-end of BitmapView (spike_views.py): holds tiles by slot and draws the view itself.
//
// Messages from the kernel, handled strictly in order:
//   {type: "lut", rgba: [r, g, b, a, ...]}                 class colours (class 0 transparent)
//   {type: "tiles", parts: [{layer, key, slot, h, w, channels, dtype, empty?, deflate?,
//       buffer}]} + buffers
//       image: raw grey/RGB/RGBA bytes -> ImageBitmap in image[slot]
//       overlay: class ids (deflated) -> coloured into a small canvas in overlay[slot]
//   {type: "patch", parts: [{slot, row0, col0, h, w, dtype, deflate, buffer}]} + buffers
//       new class ids for a box of an overlay tile: only that box is recoloured
//   {type: "view", frame, exact, zoom, ox, oy, level, rows, cols, opacity, tiles: [[row, col,
//       imageSlot, overlaySlot], ...]}                    draw now, redraw as tiles land
// A tile not there yet is drawn from a coarser tile held (never a blank view). Once every tile
// of the view is its own, a 3x3 marker at canvas (0, 0) encodes the frame number, so a test
// can see the complete frame land.

const BACKGROUND = '#3a3a3a';

function bytesOf(buffer) {
  if (buffer instanceof ArrayBuffer) return new Uint8Array(buffer);
  return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
}

async function inflate(bytes) {
  const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream('deflate'));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

function idsOf(bytes, dtype) {
  const copy = bytes.slice(); // aligned, and ours
  return dtype === 'uint16' ? new Uint16Array(copy.buffer) : copy;
}

function toRGBA(bytes, w, h, channels) {
  if (channels === 4) return new Uint8ClampedArray(bytes.buffer, bytes.byteOffset, w * h * 4);
  const out = new Uint8ClampedArray(w * h * 4);
  if (channels === 3) {
    for (let i = 0, j = 0; i < w * h; i++, j += 3) {
      out[4 * i] = bytes[j];
      out[4 * i + 1] = bytes[j + 1];
      out[4 * i + 2] = bytes[j + 2];
      out[4 * i + 3] = 255;
    }
  } else {
    for (let i = 0; i < w * h; i++) {
      const v = bytes[i];
      out[4 * i] = v;
      out[4 * i + 1] = v;
      out[4 * i + 2] = v;
      out[4 * i + 3] = 255;
    }
  }
  return out;
}

export default {
  render({ model, el }) {
    const width = model.get('canvas_width');
    const height = model.get('canvas_height');
    const size = model.get('tile_size');
    const canvas = document.createElement('canvas');
    canvas.width = width;
    canvas.height = height;
    canvas.className = 'spike-view';
    canvas.style.width = `${width}px`;
    canvas.style.height = `${height}px`;
    el.appendChild(canvas);
    const ctx = canvas.getContext('2d');
    const image = []; // slot -> {key, bitmap}
    const overlay = []; // slot -> {key, canvas, ctx, ids, w, h}
    const imageByKey = new Map(); // "level/row/col" -> slot
    const overlayByKey = new Map();
    let lut = new Uint32Array(1);
    let view = null;
    let queue = Promise.resolve();
    let redrawPending = false;

    function overlayTile(slot) {
      let tile = overlay[slot];
      if (!tile) {
        const c = new OffscreenCanvas(size, size);
        tile = overlay[slot] = { canvas: c, ctx: c.getContext('2d'), ids: null, w: 0, h: 0 };
      }
      return tile;
    }

    function paintIds(tile, row0, col0, h, w) {
      const pixels = new ImageData(w, h);
      const words = new Uint32Array(pixels.data.buffer);
      for (let r = 0; r < h; r++) {
        const base = (row0 + r) * tile.w + col0;
        for (let c = 0; c < w; c++) words[r * w + c] = lut[tile.ids[base + c]] ?? 0;
      }
      tile.ctx.putImageData(pixels, col0, row0);
    }

    async function handle(msg, buffers) {
      if (msg.type === 'lut') {
        lut = new Uint32Array(new Uint8Array(msg.rgba).buffer);
      } else if (msg.type === 'tiles') {
        await Promise.all(
          msg.parts.map(async (part) => {
            let bytes = bytesOf(buffers[part.buffer]);
            const key = part.key.join('/');
            if (part.layer === 'image') {
              const rgba = toRGBA(bytes, part.w, part.h, part.channels);
              const bitmap = await createImageBitmap(new ImageData(rgba, part.w, part.h));
              const old = image[part.slot];
              if (old) {
                old.bitmap.close();
                if (imageByKey.get(old.key) === part.slot) imageByKey.delete(old.key);
              }
              image[part.slot] = { key, bitmap };
              imageByKey.set(key, part.slot);
            } else {
              if (part.deflate) bytes = await inflate(bytes);
              const tile = overlayTile(part.slot);
              if (tile.key && overlayByKey.get(tile.key) === part.slot) overlayByKey.delete(tile.key);
              tile.key = key;
              tile.w = part.w;
              tile.h = part.h;
              tile.ctx.clearRect(0, 0, size, size);
              if (part.empty) {
                tile.ids = new Uint8Array(part.w * part.h);
              } else {
                tile.ids = idsOf(bytes, part.dtype);
                paintIds(tile, 0, 0, part.h, part.w);
              }
              overlayByKey.set(key, part.slot);
            }
          })
        );
        scheduleDraw();
      } else if (msg.type === 'patch') {
        for (const part of msg.parts) {
          const tile = overlay[part.slot];
          let bytes = bytesOf(buffers[part.buffer]);
          if (part.deflate) bytes = await inflate(bytes);
          const ids = idsOf(bytes, part.dtype);
          if (tile.ids instanceof Uint8Array && part.dtype === 'uint16') {
            tile.ids = Uint16Array.from(tile.ids);
          }
          for (let r = 0; r < part.h; r++) {
            const row = ids.subarray(r * part.w, (r + 1) * part.w);
            tile.ids.set(row, (part.row0 + r) * tile.w + part.col0);
          }
          paintIds(tile, part.row0, part.col0, part.h, part.w);
        }
        scheduleDraw();
      } else if (msg.type === 'view') {
        view = msg;
        draw();
      }
    }

    function scheduleDraw() {
      if (redrawPending) return;
      redrawPending = true;
      requestAnimationFrame(() => {
        redrawPending = false;
        draw();
      });
    }

    function destination(row, col) {
      // Same rule as the kernel: level box -> canvas, edges snapped to whole pixels.
      const scale = view.zoom * 2 ** view.level;
      const r0 = row * size;
      const r1 = Math.min(view.rows, r0 + size);
      const c0 = col * size;
      const c1 = Math.min(view.cols, c0 + size);
      const x0 = Math.round(view.ox + c0 * scale);
      const x1 = Math.round(view.ox + c1 * scale);
      const y0 = Math.round(view.oy + r0 * scale);
      const y1 = Math.round(view.oy + r1 * scale);
      return [x0, y0, x1 - x0, y1 - y0];
    }

    // The source (held tile and the rectangle of it) showing view tile (row, col): its own
    // tile, else the part of the nearest coarser tile held, else null.
    function source(slots, byKey, row, col, slot) {
      const own = `${view.level}/${row}/${col}`;
      if (slots[slot] && slots[slot].key === own) return [slots[slot], 0, 0, null, null];
      for (let up = 1; up <= 6; up++) {
        const key = `${view.level + up}/${row >> up}/${col >> up}`;
        const held = byKey.get(key);
        if (held === undefined || !slots[held] || slots[held].key !== key) continue;
        const part = size >> up; // this tile's edge in the coarser tile's pixels
        return [slots[held], (col - ((col >> up) << up)) * part, (row - ((row >> up) << up)) * part, part, up];
      }
      return null;
    }

    function blit(entry, drawable, w, h, rect) {
      const [, sx, sy, part, up] = entry;
      if (part === null) ctx.drawImage(drawable, 0, 0, w, h, ...rect);
      else ctx.drawImage(drawable, sx, sy, Math.max(1, w >> up), Math.max(1, h >> up), ...rect);
    }

    function draw() {
      if (!view) return;
      ctx.setTransform(1, 0, 0, 1, 0, 0);
      ctx.globalAlpha = 1;
      ctx.fillStyle = BACKGROUND;
      ctx.fillRect(0, 0, width, height);
      ctx.imageSmoothingEnabled = view.zoom * 2 ** view.level < 1;
      let complete = true;
      const rects = view.tiles.map(([row, col]) => destination(row, col));
      const dims = view.tiles.map(([row, col]) => [
        Math.min(size, view.cols - col * size),
        Math.min(size, view.rows - row * size)
      ]);
      view.tiles.forEach(([row, col, slot], i) => {
        const entry = source(image, imageByKey, row, col, slot);
        if (!entry || entry[3] !== null) complete = false;
        if (entry) blit(entry, entry[0].bitmap, dims[i][0], dims[i][1], rects[i]);
      });
      ctx.imageSmoothingEnabled = false;
      ctx.globalAlpha = view.opacity;
      view.tiles.forEach(([row, col, , slot], i) => {
        const entry = source(overlay, overlayByKey, row, col, slot);
        if (!entry || entry[3] !== null) complete = false;
        if (entry && entry[0].ids) blit(entry, entry[0].canvas, dims[i][0], dims[i][1], rects[i]);
      });
      ctx.globalAlpha = 1;
      if (complete) {
        ctx.fillStyle = `rgb(${view.frame % 256},${view.exact ? 255 : 0},17)`;
        ctx.fillRect(0, 0, 3, 3);
      }
    }

    model.on('msg:custom', (msg, buffers) => {
      queue = queue.then(() => handle(msg, buffers)).catch((error) => console.error(error));
    });
    model.send({ type: 'ready' });
    return () => {
      image.forEach((entry) => entry?.bitmap.close());
    };
  }
};
