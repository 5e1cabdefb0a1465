/**
 * The same SegmentationWidget in Notebook 7 and in Voilà: it renders with its front-end layer,
 * a real mouse drag paints, and the kernel's w.mask has the stroke.
 *
 * Each test starts its own server (Notebook 7: `jupyter notebook`, Voilà: `voila pen.ipynb`)
 * on SEG_WIDGET_TEST_PORT + 1000 / + 2000, in a folder under TMPDIR, and stops it at the end;
 * the JupyterLab server Playwright starts for the other specs is not used here. The notebook
 * shows, under the widget, a label the kernel rewrites after every edit from w.mask (what
 * Voilà, which has no cells to run, can be read through); in Notebook 7 a cell run after the
 * stroke also reads w.mask.
 */
import { expect, type Page, test } from '@playwright/test';
import { type ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { buildNotebook, type Point } from './helpers';
import { canvasSize, dragThrough, paintedPixels, penView } from './layer_scene';

const BASE_PORT = Number(process.env.SEG_WIDGET_TEST_PORT ?? '8888');

/**
 * A 130 x 90 grey image shown at a fixed 520 CSS px (zoom 4, no pan) so the test can aim
 * without asking the kernel, and `report`: a label the kernel rewrites from w.mask after
 * every edit (JSON: edits, class-1 pixels, their box, whether the brush-9 stroke along row 30
 * from column 20 to 100 is all class 1, the class colour and the opacity).
 */
const SETUP = `\
import json

import ipywidgets
import numpy as np
import seg_widget as sw

H, W = 90, 130
w = sw.SegmentationWidget(
    np.full((H, W, 3), 90, np.uint8), classes=["unlabelled", "cat", "dog"], width=520, brush_size=9
)
report = ipywidgets.HTML()
report.add_class("seg-report")


def show(_change=None):
    painted = np.argwhere(w.mask == 1)
    box = [*painted.min(0).tolist(), *painted.max(0).tolist()] if len(painted) else []
    report.value = json.dumps({
        "edits": w.edit_count,
        "painted": len(painted),
        "box": box,
        "path": bool((w.mask[26:35, 20:101] == 1).all()),
        "color": [int(c) for c in w.classes[1].color[:3]],
        "opacity": w.opacity,
    })


w.observe(show, "edit_count")
show()
ipywidgets.VBox([w, report])`;

/** Read by a cell run after the stroke (Notebook 7). */
const QUERY = 'print(json.dumps([int((w.mask == 1).sum()), bool((w.mask[26:35, 20:101] == 1).all())]))';

interface Report {
  edits: number;
  painted: number;
  box: number[];
  path: boolean;
  color: number[];
  opacity: number;
}

/** A server process of this spec: started in a fresh folder, stopped by `stop`. */
class Server {
  readonly dir: string;
  private process: ChildProcess | null = null;
  private log: number;

  constructor(readonly name: string, readonly port: number) {
    this.dir = fs.mkdtempSync(path.join(os.tmpdir(), `seg-${name}-`));
    this.log = fs.openSync(path.join(this.dir, 'server.log'), 'w');
    fs.writeFileSync(path.join(this.dir, 'pen.ipynb'), JSON.stringify(buildNotebook([SETUP, QUERY])));
  }

  /** Start `command args` in the folder; resolve once the port accepts connections. */
  async start(command: string, args: string[]): Promise<void> {
    this.process = spawn(command, args, { cwd: this.dir, env: process.env, stdio: ['ignore', this.log, this.log] });
    const deadline = Date.now() + 120_000;
    while (Date.now() < deadline) {
      if (this.process.exitCode !== null) break;
      if (await portOpen(this.port)) return;
      await new Promise(resolve => setTimeout(resolve, 250));
    }
    throw new Error(`${this.name} did not start on port ${this.port}:\n${this.tail()}`);
  }

  /** SIGTERM (the server shuts its kernels down), SIGKILL after 15 s. */
  async stop(): Promise<void> {
    const child = this.process;
    this.process = null;
    if (child !== null && child.exitCode === null) {
      const exited = new Promise(resolve => child.once('exit', resolve));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(timer);
    }
    fs.closeSync(this.log);
  }

  tail(): string {
    return fs.readFileSync(path.join(this.dir, 'server.log'), 'utf8').split('\n').slice(-40).join('\n');
  }
}

function portOpen(port: number): Promise<boolean> {
  return new Promise(resolve => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** The report label's JSON. */
async function report(page: Page): Promise<Report> {
  return JSON.parse((await page.locator('.seg-report').innerText()).trim()) as Report;
}

/**
 * Wait for the widget and its layer (the layer's canvas laid out at the kernel's size), drag
 * a real mouse along row 30 from column 20 to column 100, and check what the page shows: the
 * report (the kernel's w.mask) and the canvas pixels under the stroke.
 */
async function paintAndCheck(page: Page): Promise<void> {
  const view = penView(page);
  await view.events.scrollIntoViewIfNeeded();
  await expect(view.events).toBeVisible({ timeout: 120_000 });
  await expect
    .poll(async () => {
      const [scene, layer] = await Promise.all([canvasSize(view.scene), canvasSize(view.events)]);
      return [scene.join(), layer.join()];
    })
    .toEqual(['520,360,520,360', '520,360,520,360']);
  expect(await report(page)).toMatchObject({ edits: 0, painted: 0 });
  const box = (await view.events.boundingBox())!;
  // Image (col, row) → page: 4 CSS px per image pixel from the canvas' corner.
  const at = ([col, row]: Point): Point => [box.x + 4 * col, box.y + 4 * row];
  await dragThrough(page, [at([20.5, 30.5]), at([60.5, 30.5]), at([100.5, 30.5])]);
  await expect.poll(() => paintedPixels(view.preview), { message: 'stroke acknowledged' }).toBe(0);
  await expect.poll(() => report(page).then(r => [r.path, r.box])).toEqual([true, [26, 16, 34, 104]]);
  const { color, opacity } = await report(page);
  // The canvas under the middle of the stroke shows the class colour over the grey image.
  const expected = color.map(c => 90 * (1 - opacity) + c * opacity);
  const shown = await view.scene.evaluate(
    (el: HTMLCanvasElement) => Array.from(el.getContext('2d')!.getImageData(242, 122, 1, 1).data)
  );
  expect(shown.slice(0, 3).every((v, i) => Math.abs(v - expected[i]) <= 2), `${shown} ~ ${expected}`).toBe(true);
}

test.describe('other front-ends', () => {
  test('Notebook 7: the widget renders, a real drag paints, and w.mask has the stroke', async ({ page }) => {
    const server = new Server('notebook7', BASE_PORT + 1000);
    try {
      await server.start('jupyter', [
        'notebook',
        '--no-browser',
        `--port=${server.port}`,
        '--ServerApp.port_retries=0',
        '--IdentityProvider.token=',
        '--ServerApp.password=',
        '--ServerApp.disable_check_xsrf=True',
        '--ServerApp.allow_root=True',
        `--ServerApp.root_dir=${server.dir}`,
        '--JupyterNotebookApp.expose_app_in_browser=True'
      ]);
      await page.goto(`http://127.0.0.1:${server.port}/notebooks/pen.ipynb`);
      await page.waitForFunction(
        () => (window as any).jupyterapp?.shell?.currentWidget?.sessionContext?.session?.kernel?.status === 'idle',
        null,
        { timeout: 120_000 }
      );
      await page.evaluate(() => (window as any).jupyterapp.commands.execute('notebook:run-all-cells'));
      const queryOutput = page.locator('.jp-Notebook .jp-Cell').nth(1).locator('.jp-OutputArea-output');
      await expect(queryOutput).toHaveText('[0, false]', { timeout: 120_000 });
      await paintAndCheck(page);
      // A cell run after the stroke reads the kernel's mask.
      await page.evaluate(() => {
        const app = (window as any).jupyterapp;
        app.shell.currentWidget.content.activeCellIndex = 1;
        return app.commands.execute('notebook:run-cell');
      });
      const painted = (await report(page)).painted;
      await expect(queryOutput).toHaveText(`[${painted}, true]`);
    } catch (error) {
      throw new Error(`${error}\n---- server log ----\n${server.tail()}`);
    } finally {
      await server.stop();
    }
  });

  test('Voilà: the widget renders, a real drag paints, and the kernel reports the stroke', async ({ page }) => {
    const server = new Server('voila', BASE_PORT + 2000);
    try {
      await server.start('voila', [
        'pen.ipynb',
        '--no-browser',
        `--port=${server.port}`,
        '--Voila.ip=127.0.0.1',
        '--Voila.port_retries=0'
      ]);
      await page.goto(`http://127.0.0.1:${server.port}/`, { timeout: 120_000 });
      await expect(page.locator('.seg-report')).toBeVisible({ timeout: 120_000 });
      await paintAndCheck(page);
    } catch (error) {
      throw new Error(`${error}\n---- server log ----\n${server.tail()}`);
    } finally {
      await server.stop();
    }
  });
});
