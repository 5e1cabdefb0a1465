/**
 * Smoke test of the browser-test chain, without seg-widget: JupyterLab server + kernel +
 * ipywidgets/ipycanvas front end + Debian chromium + real mouse events.
 *
 * A plain ipycanvas.Canvas records mouse_down/mouse_move positions in a Python list and draws
 * the stroke; a real drag crosses it; the recorded positions must lie on the dragged path and
 * the stroke must show up in the browser's pixels (kernel -> browser echo).
 */
import * as path from 'path';
import { expect, test } from '@jupyterlab/galata';
import {
  canvasPixels,
  distanceToSegment,
  drag,
  ipycanvas,
  openNotebook,
  type Point,
  pyJSON,
  runPython
} from './helpers';

const SETUP = `\
import ipycanvas

events = []
pen = {"down": False}
canvas = ipycanvas.Canvas(width=200, height=150)
canvas.fill_style = "#ffffff"
canvas.fill_rect(0, 0, 200, 150)
canvas.stroke_style = "#ff0000"
canvas.line_width = 5


def on_down(x, y):
    events.append(("down", x, y))
    pen["down"] = True
    pen["last"] = (x, y)


def on_move(x, y):
    events.append(("move", x, y))
    if pen["down"]:
        canvas.stroke_line(*pen["last"], x, y)
        pen["last"] = (x, y)


def on_up(x, y):
    events.append(("up", x, y))
    pen["down"] = False


canvas.on_mouse_down(on_down)
canvas.on_mouse_move(on_move)
canvas.on_mouse_up(on_up)`;

test.describe('smoke: ipycanvas in JupyterLab', () => {
  test('a real drag reaches the kernel along the dragged path', async ({ page, tmpPath }, testInfo) => {
    await openNotebook(page, tmpPath, [SETUP, 'canvas']);

    const canvas = await ipycanvas(page, 0, 1);
    expect(await canvas.evaluate((el: HTMLCanvasElement) => [el.width, el.height])).toEqual([
      200, 150
    ]);

    const start: Point = [20, 30];
    const end: Point = [180, 120];
    await drag(page, canvas, [start, end], { steps: 30 });

    // A cell run after the drag sees all of the drag's events (same ordered channel).
    const events = await pyJSON<[string, number, number][]>(page, 'events');
    const downAt = events.findIndex(e => e[0] === 'down');
    expect(downAt, JSON.stringify(events)).toBeGreaterThanOrEqual(0);
    const [, dx, dy] = events[downAt];
    expect(Math.abs(dx - start[0])).toBeLessThanOrEqual(2);
    expect(Math.abs(dy - start[1])).toBeLessThanOrEqual(2);

    const upAt = events.findIndex(e => e[0] === 'up');
    expect(upAt).toBeGreaterThan(downAt);
    const moves = events.slice(downAt + 1, upAt).filter(e => e[0] === 'move');
    expect(moves.length).toBeGreaterThanOrEqual(20);
    for (const [, x, y] of moves) {
      expect(distanceToSegment([x, y], start, end), `move (${x}, ${y}) off the path`).toBeLessThanOrEqual(2);
    }
    const [, lx, ly] = moves[moves.length - 1];
    expect(Math.abs(lx - end[0])).toBeLessThanOrEqual(2);
    expect(Math.abs(ly - end[1])).toBeLessThanOrEqual(2);
    // Moves progress monotonically along the drag.
    for (let i = 1; i < moves.length; i++) {
      expect(moves[i][1]).toBeGreaterThanOrEqual(moves[i - 1][1] - 0.5);
    }

    // Printed text output of a new cell.
    expect((await runPython(page, 'print(len(events) > 0)')).trim()).toBe('True');

    // The kernel's stroke came back to the browser: the path's midpoint (100, 75) is red.
    await expect
      .poll(async () => (await canvasPixels(canvas, 100, 75)).slice(0, 3), { timeout: 30_000 })
      .toEqual([255, 0, 0]);
    // ... and a pixel far from the path is still white.
    expect((await canvasPixels(canvas, 180, 20)).slice(0, 3)).toEqual([255, 255, 255]);

    // The kernel runs the repo's package (editable install), found without importing it.
    const origin = await pyJSON<string>(
      page,
      '__import__("importlib.util").util.find_spec("seg_widget").origin'
    );
    expect(origin.startsWith(path.resolve(__dirname, '..', '..', 'seg_widget'))).toBe(true);

    await canvas.screenshot({ path: testInfo.outputPath('smoke-canvas.png') });
  });
});
