// Injected by driver.py before JupyterLab loads (Page.addScriptToEvaluateOnNewDocument).
// Counts websocket bytes, records long tasks, and defines window.__spike, the in-page half of
// the measurement: everything is timed here, so the driver's own link costs nothing.
(() => {
  window.__ws = { rx: 0, tx: 0 };
  const Native = window.WebSocket;
  class Counting extends Native {
    constructor(...args) {
      super(...args);
      this.addEventListener('message', (e) => {
        const d = e.data;
        window.__ws.rx += typeof d === 'string' ? d.length : (d.byteLength ?? d.size ?? 0);
      });
    }
    send(d) {
      window.__ws.tx += typeof d === 'string' ? d.length : (d.byteLength ?? d.size ?? 0);
      return super.send(d);
    }
  }
  window.WebSocket = Counting;
  window.__longtasks = [];
  try {
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) window.__longtasks.push([e.startTime, e.duration]);
    }).observe({ type: 'longtask', buffered: true });
  } catch (e) {}
})();
window.__spike = {
  panel() {
    const app = window.jupyterapp;
    const panel = Array.from(app.shell.widgets('main')).find((w) => w.context && w.context.path === window.__notebookPath);
    if (panel && app.shell.currentWidget !== panel) app.shell.activateById(panel.id);
    return panel;
  },
  canvas() {
    return document.querySelector('canvas.spike-view') ||
      document.querySelector('.jp-OutputArea-output canvas');
  },
  read(canvas) {
    const ctx = canvas.getContext('2d');
    return ctx.getImageData(0, 0, canvas.width, canvas.height).data;
  },
  marker(data, width) { return [data[4 * (width + 1)], data[4 * (width + 1) + 1], data[4 * (width + 1) + 2]]; },
  samples(data, width, points) {
    return points.map(([x, y]) => { const i = 4 * (y * width + x); return [data[i], data[i + 1], data[i + 2], data[i + 3]]; });
  },
  // Opaque and not the background colour (a fresh canvas is transparent black).
  drawn(s) { return s[3] === 255 && !(s[0] === 58 && s[1] === 58 && s[2] === 58); },
  differs(a, b) {
    for (let i = 0; i < a.length; i += 4) if (a[i] !== b[i] || a[i + 1] !== b[i + 1] || a[i + 2] !== b[i + 2]) return true;
    return false;
  },
  // Resolve with the time of the first animation frame where done(state) holds.
  until(done, timeoutMs) {
    return new Promise((resolve) => {
      const start = performance.now();
      const tick = () => {
        const canvas = this.canvas();
        let state = null;
        if (canvas && this.canvasSeen === null) this.canvasSeen = performance.now();
        if (canvas) {
          const data = this.read(canvas);
          state = { canvas, data, width: canvas.width };
          if (done(state)) { resolve({ t: performance.now(), ok: true }); return; }
        }
        if (performance.now() - start > timeoutMs) { resolve({ t: performance.now(), ok: false }); return; }
        requestAnimationFrame(tick);
      };
      requestAnimationFrame(tick);
    });
  },
  async runCell(index, code, points, tiled, timeoutMs) {
    const panel = this.panel();
    const cell = panel.content.widgets[index];
    cell.model.sharedModel.setSource(code);
    panel.content.activeCellIndex = index;
    const rx0 = window.__ws.rx;
    const t0 = performance.now();
    this.canvasSeen = null;
    window.jupyterapp.commands.execute('notebook:run-cell');
    // A tiled view paints its marker only once every tile of the frame is in: that is the
    // criterion (sample colours could equal the background in a grey image). Today's widget
    // has no marker: every sample point of the fitted image must be drawn.
    const complete = (s) => {
      if (tiled) return this.marker(s.data, s.width)[2] === 17;
      return this.samples(s.data, s.width, points).every((p) => this.drawn(p));
    };
    const first = await this.until(complete, timeoutMs);
    const firstRx = window.__ws.rx - rx0;
    let exact = first;
    if (tiled && first.ok) {
      exact = await this.until((s) => this.marker(s.data, s.width)[1] === 255, timeoutMs);
    }
    const longest = window.__longtasks.filter(([s]) => s >= t0 && s <= first.t).reduce((m, [, d]) => Math.max(m, d), 0);
    let diag = null;
    if (!first.ok) {
      const c = this.canvas();
      diag = c ? { w: c.width, h: c.height, cls: c.className, samples: this.samples(this.read(c), c.width, points.slice(0, 5)), marker: this.marker(this.read(c), c.width) } : 'no canvas';
    }
    return { diag, ok: first.ok, ms: first.t - t0, bytes: firstRx, exactOk: exact.ok, exactMs: exact.t - t0,
             exactBytes: window.__ws.rx - rx0, longestTask: longest,
             canvasMs: this.canvasSeen === null ? null : this.canvasSeen - t0 };
  },
  // Run code in the kernel (no output), then wait for the canvas to show the result.
  async change(code, points, tiled, timeoutMs) {
    const kernel = this.panel().sessionContext.session.kernel;
    const canvas = this.canvas();
    const before = this.read(canvas);
    const width = canvas.width;
    const oldMarker = this.marker(before, width);
    const rx0 = window.__ws.rx;
    const t0 = performance.now();
    const future = kernel.requestExecute({ code, silent: false, store_history: false });
    const done = (s) => {
      if (tiled) {
        const m = this.marker(s.data, s.width);
        return m[0] !== oldMarker[0] && m[1] === 255 && m[2] === 17;
      }
      return this.differs(s.data, before);
    };
    const r = await this.until(done, timeoutMs);
    await future.done;
    return { ok: r.ok, ms: r.t - t0, bytes: window.__ws.rx - rx0 };
  },
};
