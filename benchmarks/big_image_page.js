// Injected by big_image_bench.py before JupyterLab loads: counts websocket bytes and times
// frames inside the page (window.__big).
(() => {
  window.__ws = { rx: 0 };
  const Native = window.WebSocket;
  class Counting extends Native {
    constructor(...args) {
      super(...args);
      this.addEventListener('message', (e) => {
        const d = e.data;
        window.__ws.rx += typeof d === 'string' ? d.length : (d.byteLength ?? d.size ?? 0);
      });
    }
  }
  window.WebSocket = Counting;
})();
window.__big = {
  panel() {
    const app = window.jupyterapp;
    const panel = Array.from(app.shell.widgets('main')).find(
      (w) => w.context && w.context.path === window.__notebookPath);
    if (panel && app.shell.currentWidget !== panel) app.shell.activateById(panel.id);
    return panel;
  },
  tiles() { return document.querySelector('.seg-widget canvas.seg-tile-view'); },
  scene() {
    return document.querySelector(
      '.seg-widget canvas:not(.seg-tile-view):not(.seg-input-preview):not(.seg-input-events)');
  },
  pixels(canvas) { return canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data; },
  drawnAt(data, width, points) {
    return points.every(([x, y]) => {
      const i = 4 * (y * width + x);
      return data[i + 3] === 255 && !(data[i] === 58 && data[i + 1] === 58 && data[i + 2] === 58);
    });
  },
  until(done, timeoutMs) {
    return new Promise((resolve) => {
      const start = performance.now();
      const tick = () => {
        let ok = false;
        try { ok = done(); } catch (e) { ok = false; }
        if (ok) { resolve({ ok: true, t: performance.now() }); return; }
        if (performance.now() - start > timeoutMs) { resolve({ ok: false, t: performance.now() }); return; }
        requestAnimationFrame(tick);
      };
      requestAnimationFrame(tick);
    });
  },
  complete(tiled, points, oldView, oldData) {
    if (tiled) {
      const c = this.tiles();
      return c !== null && c.dataset.complete === '1' && (oldView === null || c.dataset.view !== oldView);
    }
    const c = this.scene();
    if (c === null || c.width < 10) return false;
    const data = this.pixels(c);
    if (oldData !== null) {
      for (let i = 0; i < data.length; i += 4) if (data[i] !== oldData[i] || data[i + 1] !== oldData[i + 1]) return true;
      return false;
    }
    return this.drawnAt(data, c.width, points);
  },
  async first(code, points, tiled, timeoutMs) {
    const panel = this.panel();
    panel.content.widgets[1].model.sharedModel.setSource(code);
    panel.content.activeCellIndex = 1;
    const rx0 = window.__ws.rx;
    const t0 = performance.now();
    window.jupyterapp.commands.execute('notebook:run-cell');
    const first = await this.until(() => this.complete(tiled, points, null, null), timeoutMs);
    const bytes = window.__ws.rx - rx0;
    let exact = first;
    if (tiled && first.ok) exact = await this.until(() => this.tiles().dataset.exact === '1', timeoutMs);
    return { ok: first.ok, ms: first.t - t0, bytes, exactMs: exact.t - t0, exactBytes: window.__ws.rx - rx0 };
  },
  async change(code, tiled, timeoutMs) {
    const kernel = this.panel().sessionContext.session.kernel;
    const oldView = tiled ? this.tiles().dataset.view : null;
    const oldData = tiled ? null : this.pixels(this.scene());
    const rx0 = window.__ws.rx;
    const t0 = performance.now();
    const future = kernel.requestExecute({ code, silent: false, store_history: false });
    const r = await this.until(() => this.complete(tiled, null, oldView, oldData)
      && (!tiled || this.tiles().dataset.exact === '1'), timeoutMs);
    await future.done;
    return { ok: r.ok, ms: r.t - t0, bytes: window.__ws.rx - rx0 };
  },
};
