"""Browser measurement of ways to hold and draw tiles: real JupyterLab, Debian's Chromium.

    python benchmarks/browser_tiles/driver.py                      # every design and size
    python benchmarks/browser_tiles/driver.py --designs atlas,bitmap --sizes 1024,4096
    python benchmarks/browser_tiles/driver.py --grey-from 32768    # grey uint8 from that size

Per (design, size), in a fresh headless Chromium and a fresh kernel: a setup cell makes a
random-noise image (so no encoder can shrink it) and a mask with three labelled regions; then
the timed cell builds the view and displays it (see spike_views.py). Everything is measured
inside the page, so the driver's own link costs nothing: Chromium is driven over a bare CDP
websocket with only the Runtime domain in use (no network events: frames are not copied to the
driver). Figures:

- first frame: from the cell's run request to the first animation frame in which the view's
  canvas shows its complete frame (all sample points of the image drawn, and for the tiled
  views the frame marker); "exact" when nearest-neighbour previews were refined;
- bytes: websocket bytes the page received in that time (all kernel traffic);
- zoom to 1:1, pan by one view width (1000 px), 10 small pans (40 px) and fit again:
  time (request to frame on screen) and bytes;
- longest main-thread task (PerformanceObserver longtask) during the first frame;
- Chromium memory growth: PSS of all its processes after everything, minus before the view.

Needs: jupyterlab, ipycanvas, anywidget, websocket-client, /usr/bin/chromium.
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import websocket

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
CANVAS = (1000, 700)

IN_PAGE = (HERE / "in_page.js").read_text()


class CDP:
    """A bare Chrome DevTools Protocol client over one websocket (Runtime only)."""

    def __init__(self, url: str) -> None:
        self._ws = websocket.create_connection(url, timeout=600, suppress_origin=True)
        self._id = 0

    def call(self, method: str, **params):
        self._id += 1
        self._ws.send(json.dumps({"id": self._id, "method": method, "params": params}))
        while True:
            reply = json.loads(self._ws.recv())
            if reply.get("id") == self._id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply.get("result", {})

    def evaluate(self, expression: str, timeout_s: float = 600):
        result = self.call(
            "Runtime.evaluate",
            expression=expression,
            awaitPromise=True,
            returnByValue=True,
            timeout=int(timeout_s * 1000),
        )
        if "exceptionDetails" in result:
            raise RuntimeError(json.dumps(result["exceptionDetails"])[:2000])
        return result.get("result", {}).get("value")

    def close(self) -> None:
        self._ws.close()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _http(url: str, method: str = "GET", body: object | None = None):
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, method=method)
    request.add_header("Content-Type", "application/json")
    with urllib.request.urlopen(request, timeout=60) as response:
        text = response.read()
        return json.loads(text) if text else None


def _pss_bytes(marker: str) -> int:
    """Sum of PSS of the processes whose command line contains `marker` (our Chromium)."""
    total = 0
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
            if marker.encode() not in cmdline:
                continue
            for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
                if line.startswith("Pss:"):
                    total += int(line.split()[1]) * 1024
        except OSError:
            continue
    return total


class Server:
    """jupyter lab with the browser-test configuration (no token), on `port`."""

    def __init__(self, port: int, root: Path) -> None:
        self.port = port
        self.url = f"http://127.0.0.1:{port}"
        env = dict(os.environ)
        env.update(
            SEG_WIDGET_TEST_PORT=str(port),
            JUPYTERLAB_GALATA_ROOT_DIR=str(root),
            PYTHONPATH=os.pathsep.join([str(REPO), str(HERE), env.get("PYTHONPATH", "")]),
        )
        self.log = open(root / "server.log", "w")
        self.process = subprocess.Popen(
            ["jupyter", "lab", "--config", str(REPO / "js" / "jupyter_server_test_config.py")],
            cwd=REPO / "js",
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        for _ in range(240):
            try:
                _http(f"{self.url}/api/status")
                return
            except OSError:
                time.sleep(0.5)
        raise RuntimeError("jupyter server did not start")

    def stop(self) -> None:
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
        self.log.close()

    def shutdown_kernels(self) -> None:
        for session in _http(f"{self.url}/api/sessions") or []:
            _http(f"{self.url}/api/sessions/{session['id']}", method="DELETE")


class Browser:
    """Headless Chromium with its own profile, driven over CDP."""

    def __init__(self, profile: Path) -> None:
        self.profile = profile
        port = _free_port()
        self.process = subprocess.Popen(
            [
                "/usr/bin/chromium",
                "--headless=new",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
                "--disable-quic",
                "--window-size=1400,1300",
                f"--user-data-dir={profile}",
                f"--remote-debugging-port={port}",
                "about:blank",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        for _ in range(120):
            try:
                targets = _http(f"http://127.0.0.1:{port}/json/list")
                page = next(t for t in targets if t["type"] == "page")
                break
            except (OSError, StopIteration):
                time.sleep(0.25)
        else:
            raise RuntimeError("chromium did not start")
        self.cdp = CDP(page["webSocketDebuggerUrl"])

    def memory(self) -> int:
        return _pss_bytes(str(self.profile))

    def close(self) -> None:
        try:
            self.cdp.close()
        finally:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)


def _notebook() -> dict:
    cells = [
        {"cell_type": "code", "execution_count": None, "metadata": {}, "outputs": [], "source": ""}
        for _ in range(2)
    ]
    for i, cell in enumerate(cells):
        cell["id"] = f"cell-{i}"
    return {
        "cells": cells,
        "metadata": {
            "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"}
        },
        "nbformat": 4,
        "nbformat_minor": 5,
    }


def _sample_points(size: int) -> list[list[int]]:
    """A 30x30 grid over the fitted image's canvas rectangle (the first frame)."""
    width, height = CANVAS
    zoom = min(width / size, height / size)
    shown = size * zoom
    x0, y0 = (width - shown) / 2, (height - shown) / 2
    return [
        [int(x0 + 4 + (shown - 8) * i / 29), int(y0 + 4 + (shown - 8) * j / 29)]
        for i in range(30)
        for j in range(30)
    ]


def _full_points() -> list[list[int]]:
    width, height = CANVAS
    return [
        [int(8 + (width - 16) * i / 29), int(8 + (height - 16) * j / 29)]
        for i in range(30)
        for j in range(30)
    ]


def _save_canvas(cdp: CDP, path: Path) -> None:
    url = cdp.evaluate("window.__spike.canvas().toDataURL('image/png')")
    path.write_bytes(base64.b64decode(url.split(",", 1)[1]))


def run_one(
    server: Server,
    design: str,
    size: int,
    channels: int,
    timeout_s: float,
    screenshots: Path | None = None,
) -> dict:
    name = f"spike_{design}_{size}.ipynb"
    _http(f"{server.url}/api/contents/{name}", "PUT", {"type": "notebook", "content": _notebook()})
    profile = Path(tempfile.mkdtemp(prefix="spike-chromium-"))
    browser = Browser(profile)
    result: dict = {"design": design, "size": size, "channels": channels}
    try:
        cdp = browser.cdp
        cdp.call("Page.enable")
        cdp.call("Page.addScriptToEvaluateOnNewDocument", source=IN_PAGE)
        cdp.call("Page.navigate", url=f"{server.url}/lab/tree/{name}?reset")
        time.sleep(1.0)
        cdp.evaluate(f"window.__notebookPath = {json.dumps(name)}")
        cdp.evaluate(
            """new Promise((resolve, reject) => {
                 const start = Date.now();
                 const check = () => {
                   const app = window.jupyterapp;
                   const panel = app && Array.from(app.shell.widgets('main')).find(
                     (w) => w.context && w.context.path === window.__notebookPath);
                   if (panel && app.shell.currentWidget !== panel) app.shell.activateById(panel.id);
                   const kernel = panel && panel.sessionContext && panel.sessionContext.session
                     && panel.sessionContext.session.kernel;
                   if (kernel && kernel.connectionStatus === 'connected' && kernel.status === 'idle'
                       && panel.content.widgets.length === 2) { resolve(true); return; }
                   if (Date.now() - start > 120000) { reject(new Error('lab not ready')); return; }
                   setTimeout(check, 200);
                 };
                 check();
               })""",
            150,
        )
        setup = (
            "import gc, spike_views as sv\n"
            f"image = sv.noise_image({size}, {channels})\n"
            f"mask = sv.demo_mask({size})\n"
            "gc.collect()"
        )
        cdp.evaluate(
            f"""(async () => {{
                 const panel = window.__spike.panel();
                 panel.content.widgets[0].model.sharedModel.setSource({json.dumps(setup)});
                 panel.content.activeCellIndex = 0;
                 await window.jupyterapp.commands.execute('notebook:run-cell');
                 const kernel = panel.sessionContext.session.kernel;
                 const reply = await kernel.requestExecute({{code: 'pass'}}).done;
                 return reply.content.status;
               }})()""",
            timeout_s,
        )
        time.sleep(1.0)
        before = browser.memory()
        tiled = design != "today"
        code = f"v = sv.VIEWS[{design!r}](image, mask); v.widget"
        first = cdp.evaluate(
            f"window.__spike.runCell(1, {json.dumps(code)}, "
            f"{json.dumps(_sample_points(size))}, {json.dumps(tiled)}, {int(timeout_s * 1000)})",
            timeout_s + 30,
        )
        result["first"] = first
        if screenshots:
            _save_canvas(cdp, screenshots / f"{design}_{size}_first.png")
        if not first["ok"]:
            result["memory_growth"] = browser.memory() - before
            return result
        points = _full_points()
        changes = [("zoom 1:1", "v.zoom_to(1.0)"), ("pan 1 view", "v.pan(-1000, 0)")]
        changes += [(f"small pan {i}", f"v.pan({-40 if i % 2 else 40}, 0)") for i in range(10)]
        changes += [("paint", "v.paint_at_centre()"), ("fit", "v.fit()")]
        for label, code in changes:
            check = points if label != "fit" else _sample_points(size)
            result[label] = cdp.evaluate(
                f"window.__spike.change({json.dumps(code)}, {json.dumps(check)}, "
                f"{json.dumps(tiled)}, {int(timeout_s * 1000)})",
                timeout_s + 30,
            )
            if screenshots and label in ("pan 1 view", "paint", "fit"):
                _save_canvas(cdp, screenshots / f"{design}_{size}_{label.replace(' ', '_')}.png")
        time.sleep(1.5)
        result["memory_growth"] = browser.memory() - before
        return result
    finally:
        browser.close()
        shutil.rmtree(profile, ignore_errors=True)
        server.shutdown_kernels()
        _http(f"{server.url}/api/contents/{name}", "DELETE")


def _median(values):
    values = sorted(values)
    return values[len(values) // 2] if values else float("nan")


def summary(result: dict) -> str:
    first = result["first"]
    mb = 1e6
    line = (
        f"{result['design']:7s} {result['size']:6d}{'g' if result['channels'] == 1 else ' '} "
        f"first {first['ms'] / 1e3:6.2f} s {first['bytes'] / mb:7.1f} MB"
    )
    if not first["ok"]:
        return (
            line
            + f"  (no complete frame before the timeout: {first.get('diag')})"
            + (f"  mem {result.get('memory_growth', 0) / 1e9:+.2f} GB")
        )
    if first.get("exactMs") and first["exactMs"] - first["ms"] > 1:
        line += f" | exact {first['exactMs'] / 1e3:5.2f} s {first['exactBytes'] / mb:6.1f} MB"
    line += f" | longest task {first['longestTask']:5.0f} ms"
    zoom, pan = result["zoom 1:1"], result["pan 1 view"]
    small = [result[f"small pan {i}"] for i in range(10)]
    line += (
        f" | 1:1 {zoom['ms']:5.0f} ms {zoom['bytes'] / mb:5.2f} MB"
        f" | pan {pan['ms']:5.0f} ms {pan['bytes'] / mb:5.2f} MB"
        f" | small pan {_median([s['ms'] for s in small]):4.0f} ms "
        f"{_median([s['bytes'] for s in small]) / 1e3:5.1f} KB"
        f" | paint {result['paint']['ms']:4.0f} ms {result['paint']['bytes'] / 1e3:5.1f} KB"
        f" | fit {result['fit']['ms']:5.0f} ms {result['fit']['bytes'] / 1e3:7.1f} KB"
        f" | mem {result['memory_growth'] / 1e9:+.2f} GB"
    )
    late = [k for k, v in result.items() if isinstance(v, dict) and not v.get("ok", True)]
    if late:
        line += f"  (timed out: {', '.join(late)})"
    return line


def medians(results: list[dict]) -> str:
    """One line per (design, size): medians of the figures over its runs."""
    lines = []
    groups: dict[tuple[str, int], list[dict]] = {}
    for result in results:
        groups.setdefault((result["design"], result["size"]), []).append(result)
    for (design, size), runs in groups.items():
        done = [r for r in runs if r["first"]["ok"] and "pan 1 view" in r]
        if not done:
            lines.append(f"{design:7s} {size:6d}  no complete frame in {len(runs)} run(s)")
            continue

        def med(get, done=done):
            return _median([get(r) for r in done])

        def small_pans(r, what):
            return _median([r[f"small pan {i}"][what] for i in range(10)])

        lines.append(
            f"{design:7s} {size:6d}{'g' if done[0]['channels'] == 1 else ' '} n={len(done)}"
            f" | first {med(lambda r: r['first']['ms']) / 1e3:5.2f} s"
            f" {med(lambda r: r['first']['bytes']) / 1e6:5.1f} MB"
            f" | exact {med(lambda r: r['first']['exactMs']) / 1e3:5.2f} s"
            f" | longest task {med(lambda r: r['first']['longestTask']):4.0f} ms"
            f" | 1:1 {med(lambda r: r['zoom 1:1']['ms']):4.0f} ms"
            f" | pan {med(lambda r: r['pan 1 view']['ms']):4.0f} ms"
            f" {med(lambda r: r['pan 1 view']['bytes']) / 1e6:4.2f} MB"
            f" | small pan {med(lambda r: small_pans(r, 'ms')):4.0f} ms"
            f" {med(lambda r: small_pans(r, 'bytes')) / 1e3:4.1f} KB"
            f" | paint {med(lambda r: r['paint']['ms']):4.0f} ms"
            f" {med(lambda r: r['paint']['bytes']) / 1e3:4.1f} KB"
            f" | mem {med(lambda r: r['memory_growth']) / 1e9:+.2f} GB"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--designs", default="today,atlas,pool,bitmap")
    parser.add_argument("--sizes", default="1024,4096,8192,16384,32768")
    parser.add_argument("--grey-from", type=int, default=32768, help="grey uint8 from this size")
    parser.add_argument(
        "--port", type=int, default=int(os.environ.get("SEG_WIDGET_TEST_PORT", 8895))
    )
    parser.add_argument("--timeout", type=float, default=240.0, help="seconds per step")
    parser.add_argument("--json", type=Path, help="also write every result here")
    parser.add_argument("--repeat", type=int, default=1, help="runs per tiled design and size")
    parser.add_argument("--screenshots", type=Path, help="save the canvas after each step here")
    args = parser.parse_args()
    root = Path(tempfile.mkdtemp(prefix="spike-root-"))
    server = Server(args.port, root)
    results = []
    try:
        for size in [int(s) for s in args.sizes.split(",")]:
            for repeat in range(args.repeat):
                for design in args.designs.split(","):
                    if design == "today" and repeat > 0:
                        continue  # the baseline is slow and its figures are far from the others
                    channels = 1 if size >= args.grey_from else 3
                    result = run_one(server, design, size, channels, args.timeout, args.screenshots)
                    results.append(result)
                    print(summary(result), flush=True)
                    if args.json:
                        args.json.write_text(json.dumps(results, indent=1))
        if args.repeat > 1:
            print("\nMedians over the repeats:")
            print(medians(results))
    finally:
        server.stop()
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    sys.path.insert(0, str(HERE))
    main()
