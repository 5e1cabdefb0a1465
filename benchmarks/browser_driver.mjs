// Browser side of benchmarks/browser_bench.py: open a notebook in real JupyterLab + Chromium,
// run it, then measure what a user feels, from the page itself:
//   latency  = a dispatched DOM event's timeStamp -> the first animation frame at which a 3x3
//              box of a watched canvas at the event's point changes and shows paint
//              (getImageData each frame; see painted()),
//              subjects interleaved sample by sample in one page and one kernel;
//   trailing = a 60 Hz drag of N moves (one synthetic event per animation frame), then
//              mouse-up -> the kernel-drawn pixel at the last point changes.
// Usage: node browser_driver.mjs CONFIG.json  (prints one JSON line of results)
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const config = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const require = createRequire(config.nodeModules + '/');
const { chromium } = require('playwright-core');

const browser = await chromium.launch({
  executablePath: config.chromium,
  headless: true,
  args: [
    '--no-sandbox',
    '--disable-gpu',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--no-first-run',
    '--disable-quic'
  ]
});
const results = {};
try {
  const page = await browser.newPage({ viewport: { width: 1400, height: 2400 } });
  page.setDefaultTimeout(180_000);
  // ?reset: a fresh workspace, so only this notebook is open.
  await page.goto(`${config.url}/lab/tree/${config.notebook}?reset`);
  await page.waitForFunction(() => {
    const app = window.jupyterapp;
    const kernel = app?.shell?.currentWidget?.sessionContext?.session?.kernel;
    return kernel && kernel.status === 'idle' && kernel.connectionStatus === 'connected';
  });
  await page.evaluate(() => window.jupyterapp.commands.execute('notebook:run-all-cells'));
  await page.waitForFunction(
    subjects =>
      subjects.every(s => {
        const panel = window.jupyterapp.shell.currentWidget.node;
        const cell = panel.querySelectorAll('.jp-Notebook .jp-Cell')[s.cell];
        const canvas = cell && cell.querySelector(s.watch[Object.keys(s.watch)[0]]);
        return canvas && canvas.getBoundingClientRect().width > 0;
      }),
    config.subjects,
    { timeout: 300_000 }
  );
  await page.waitForTimeout(1500); // first frames, image bands
  await page.evaluate(installProbe);
  if (config.latency) {
    results.latency = await page.evaluate(
      ([subjects, latency]) => window.probe.latency(subjects, latency),
      [config.subjects, config.latency]
    );
  }
  if (config.trailing) {
    results.trailing = await page.evaluate(
      ([subject, trailing]) => window.probe.trailing(subject, trailing),
      [config.subjects[config.trailing.subject], config.trailing]
    );
  }
} finally {
  await browser.close();
}
console.log(JSON.stringify(results));

/** Installed in the page: the measuring code (runs in the browser). */
function installProbe() {
  const frame = () => new Promise(resolve => requestAnimationFrame(resolve));
  const sleep = ms => new Promise(resolve => setTimeout(resolve, ms));

  function output(subject) {
    const panel = window.jupyterapp.shell.currentWidget.node;
    return panel.querySelectorAll('.jp-Notebook .jp-Cell')[subject.cell].querySelector('.jp-OutputArea');
  }

  function canvases(subject) {
    const out = {};
    for (const [name, selector] of Object.entries(subject.watch)) {
      out[name] = output(subject).querySelector(selector);
    }
    return out;
  }

  function box(canvas, point) {
    // Canvas pixels of the 3x3 box around a page (CSS) point.
    const r = canvas.getBoundingClientRect();
    const x = Math.round(((point[0] - r.left) * canvas.width) / r.width) - 1;
    const y = Math.round(((point[1] - r.top) * canvas.height) / r.height) - 1;
    return Array.from(canvas.getContext('2d').getImageData(x, y, 3, 3).data).join(',');
  }

  /**
   * Whether the 3x3 box at the point shows paint: a saturated colour (the class colour, or the
   * echo's red) in any of its pixels. The brush ring the kernel draws (white over black) and
   * the grey or black images are not, so a ring drawn over the point is never taken for the
   * stroke, and the ring (centred on the snapped pixel, not on the point) never hides it.
   */
  function painted(canvas, point) {
    const r = canvas.getBoundingClientRect();
    const x = Math.round(((point[0] - r.left) * canvas.width) / r.width) - 1;
    const y = Math.round(((point[1] - r.top) * canvas.height) / r.height) - 1;
    const data = canvas.getContext('2d').getImageData(x, y, 3, 3).data;
    for (let i = 0; i < data.length; i += 4) {
      const [red, green, blue, alpha] = data.subarray(i, i + 4);
      if (alpha > 0 && Math.max(red, green, blue) - Math.min(red, green, blue) > 40) return true;
    }
    return false;
  }

  function dispatch(subject, type, point, buttons) {
    // `target`: the element the subject listens on (e.g. the ipycanvas canvas under the
    // widget's front-end layer); by default whatever is under the point.
    const target = subject.target
      ? output(subject).querySelector(subject.target)
      : document.elementFromPoint(point[0], point[1]);
    const init = {
      bubbles: true,
      cancelable: true,
      composed: true,
      clientX: point[0],
      clientY: point[1],
      button: 0,
      buttons,
      view: window
    };
    let event;
    if (subject.events === 'pointer') {
      event = new PointerEvent(`pointer${type}`, { ...init, pointerId: 1, pointerType: 'mouse', isPrimary: true });
    } else {
      event = new MouseEvent(`mouse${type}`, init);
    }
    target.dispatchEvent(event);
    return event.timeStamp;
  }

  /** Wait for each watched canvas to change at `point`; latencies in ms from `start`. */
  async function watch(watched, point, before, start, timeoutMs) {
    const out = {};
    const deadline = performance.now() + timeoutMs;
    // The first check runs in the frame after the event, after the layer's own frame
    // callback (registered while the event was dispatched).
    while (Object.keys(out).length < Object.keys(watched).length && performance.now() < deadline) {
      await frame();
      const now = performance.now();
      for (const [name, canvas] of Object.entries(watched)) {
        if (!(name in out) && box(canvas, point) !== before[name] && painted(canvas, point)) {
          out[name] = now - start;
        }
      }
    }
    return out;
  }

  function grid(subject, count, perRow) {
    const r = canvases(subject)[Object.keys(subject.watch)[0]].getBoundingClientRect();
    if (r.top < 0 || r.bottom > window.innerHeight) {
      throw new Error(`${subject.name} is not in the viewport (${r.top}..${r.bottom})`);
    }
    const rows = [];
    const step = 24;
    for (let row = 0; rows.length * (perRow - 1) < count; row++) {
      const y = r.top + 20 + row * step;
      if (y > r.bottom - 20) throw new Error('canvas too small for the samples');
      rows.push(Array.from({ length: perRow }, (_, i) => [r.left + 20 + i * step, y]));
    }
    return rows;
  }

  async function latency(subjects, { samples, perRow, gapMs }) {
    const results = Object.fromEntries(subjects.map(s => [s.name, {}]));
    const grids = subjects.map(s => grid(s, samples, perRow));
    const down = subjects.map(() => false);
    for (let k = 0; k < samples; k++) {
      const row = Math.floor(k / (perRow - 1));
      const col = (k % (perRow - 1)) + 1;
      for (let i = 0; i < subjects.length; i++) {
        const subject = subjects[i];
        const points = grids[i][row];
        if (subject.drag && col === 1) {
          if (down[i]) dispatch(subject, 'up', grids[i][row - 1][perRow - 1], 0);
          dispatch(subject, 'down', points[0], 1);
          down[i] = true;
          await sleep(150);
        }
        const watched = canvases(subject);
        const before = Object.fromEntries(Object.entries(watched).map(([n, c]) => [n, box(c, points[col])]));
        const start = dispatch(subject, 'move', points[col], subject.drag ? 1 : 0);
        const got = await watch(watched, points[col], before, start, 5000);
        for (const name of Object.keys(watched)) {
          (results[subject.name][name] ??= []).push(got[name] ?? null);
        }
        await sleep(gapMs + Math.random() * gapMs);
      }
    }
    subjects.forEach((subject, i) => {
      if (down[i]) dispatch(subject, 'up', grids[i][grids[i].length - 1][perRow - 1], 0);
    });
    return results;
  }

  async function trailing(subject, { moves, rows, repeats }) {
    const out = [];
    for (let k = 0; k < repeats; k++) out.push(await stroke(subject, moves, rows, 10 * k));
    return out;
  }

  async function stroke(subject, moves, rows, shift) {
    // A zigzag over the canvas, one move per animation frame; its end is a fresh point
    // (each repeat is shifted down by `shift` px).
    const canvas = canvases(subject)[subject.kernelWatch];
    const r = canvas.getBoundingClientRect();
    const perRow = Math.ceil((moves + 1) / rows);
    const path = [];
    for (let i = 0; i <= moves; i++) {
      const row = Math.floor(i / perRow);
      const t = (i % perRow) / (perRow - 1);
      const x = r.left + 20 + (row % 2 === 0 ? t : 1 - t) * (r.width - 40);
      path.push([x, r.top + 20 + shift + (row * (r.height - 60)) / Math.max(rows - 1, 1)]);
    }
    const last = path[path.length - 1];
    // Wait until the picture is complete (big images arrive in bands, the previous stroke
    // settles): the pixel at the end of the path unchanged for a second.
    let before = box(canvas, last);
    for (let stable = 0, waited = 0; stable < 4 && waited < 120; waited++) {
      await sleep(250);
      const now = box(canvas, last);
      stable = now === before ? stable + 1 : 0;
      before = now;
    }
    dispatch(subject, 'down', path[0], 1);
    for (const point of path.slice(1)) {
      await frame();
      dispatch(subject, 'move', point, 1);
    }
    const upAt = dispatch(subject, 'up', last, 0);
    const deadline = performance.now() + 60_000;
    while (performance.now() < deadline) {
      if (box(canvas, last) !== before && painted(canvas, last)) {
        return Math.max(0, performance.now() - upAt);
      }
      await frame();
    }
    return null;
  }

  window.probe = { latency, trailing };
}
