// Front-end of BitmapView (spike_views.py): holds tiles by slot and draws the view itself.
//
// Messages from the kernel, handled strictly in order:
//   {type: "lut", rgba: [r, g, b, a, ...]}                 class colours (class 0 transparent)
//   {type: "tiles", parts: [{layer, slot, h, w, channels, dtype, empty?, buffer}]} + buffers
//       image: raw grey/RGB/RGBA bytes -> ImageBitmap in image[slot]
//       overlay: raw class ids -> coloured into a small canvas in overlay[slot]
//   {type: "patch", parts: [{slot, row0, col0, h, w, dtype, buffer}]} + buffers
//       new class ids for a box of an overlay tile: only that box is recoloured
//   {type: "view", frame, exact, zoom, ox, oy, level, rows, cols, opacity, tiles: [[row, col,
//       imageSlot, overlaySlot], ...]}                    draw; then the frame marker
// The marker (3x3 at canvas 0,0) encodes the frame number, so a test can see a frame land.

const BACKGROUND = '#3a3a3a';

function bytesOf(buffer) {
  if (buffer instanceof ArrayBuffer) return new Uint8Array(buffer);
  return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
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
    const image = []; // slot -> ImageBitmap
    const overlay = []; // slot -> {canvas, ctx, ids, w, h}
    let lut = new Uint32Array(1);
    let view = null;
    let queue = Promise.resolve();

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
            const bytes = bytesOf(buffers[part.buffer]);
            if (part.layer === 'image') {
              const rgba = toRGBA(bytes, part.w, part.h, part.channels);
              const bitmap = await createImageBitmap(new ImageData(rgba, part.w, part.h));
              image[part.slot]?.close();
              image[part.slot] = bitmap;
            } else {
              const tile = overlayTile(part.slot);
              tile.w = part.w;
              tile.h = part.h;
              tile.ctx.clearRect(0, 0, size, size);
              if (part.empty) {
                tile.ids = new Uint8Array(part.w * part.h);
              } else {
                const copy = bytes.slice();
                tile.ids = part.dtype === 'uint16' ? new Uint16Array(copy.buffer) : copy;
                paintIds(tile, 0, 0, part.h, part.w);
              }
            }
          })
        );
      } else if (msg.type === 'patch') {
        for (const part of msg.parts) {
          const tile = overlay[part.slot];
          const bytes = bytesOf(buffers[part.buffer]);
          const ids = part.dtype === 'uint16' ? new Uint16Array(bytes.slice().buffer) : bytes;
          if (tile.ids instanceof Uint8Array && part.dtype === 'uint16') {
            tile.ids = Uint16Array.from(tile.ids);
          }
          for (let r = 0; r < part.h; r++) {
            tile.ids.set(ids.subarray(r * part.w, (r + 1) * part.w), (part.row0 + r) * tile.w + part.col0);
          }
          paintIds(tile, part.row0, part.col0, part.h, part.w);
        }
      } else if (msg.type === 'view') {
        view = msg;
        draw();
      }
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

    function draw() {
      if (!view) return;
      ctx.setTransform(1, 0, 0, 1, 0, 0);
      ctx.globalAlpha = 1;
      ctx.fillStyle = BACKGROUND;
      ctx.fillRect(0, 0, width, height);
      ctx.imageSmoothingEnabled = view.zoom * 2 ** view.level < 1;
      const rects = view.tiles.map(([row, col]) => destination(row, col));
      view.tiles.forEach(([, , slot], i) => {
        const bitmap = image[slot];
        if (bitmap) ctx.drawImage(bitmap, ...rects[i]);
      });
      ctx.imageSmoothingEnabled = false;
      ctx.globalAlpha = view.opacity;
      view.tiles.forEach(([, , , slot], i) => {
        const tile = overlay[slot];
        if (tile && tile.ids) ctx.drawImage(tile.canvas, 0, 0, tile.w, tile.h, ...rects[i]);
      });
      ctx.globalAlpha = 1;
      ctx.fillStyle = `rgb(${view.frame % 256},${view.exact ? 255 : 0},17)`;
      ctx.fillRect(0, 0, 3, 3);
    }

    model.on('msg:custom', (msg, buffers) => {
      queue = queue.then(() => handle(msg, buffers)).catch((error) => console.error(error));
    });
    model.send({ type: 'ready' });
    return () => {
      image.forEach((bitmap) => bitmap?.close());
    };
  }
};
