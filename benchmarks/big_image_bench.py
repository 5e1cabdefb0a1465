"""Big images in real JupyterLab + Chromium: the tiled display against the whole-image path.

    python benchmarks/big_image_bench.py                          # 2048² .. 32768², 3 runs
    python benchmarks/big_image_bench.py --sizes 4096,16384 --repeat 1
    python benchmarks/big_image_bench.py --baseline-sizes 2048,4096,8192,16384

Per (path, size, run), in a fresh headless Chromium and a fresh kernel: a setup cell makes a
random-noise RGB image (grey uint8 from ``--grey-from``; noise so no encoder can shrink it);
the path is forced with
``seg_widget.widget.tile_view.TILED_ABOVE_PIXELS``. Then, measured inside the page (Chromium
driven over a bare CDP websocket, Runtime domain only, so the driver copies no frames):

- first frame: from running the cell that builds and displays ``w`` (the constructor is timed
  too: the whole-image path sends its image as soon as the widget exists) to the first
  animation frame showing
  the complete fitted view (tiled: every tile of the view at its level, previews allowed; whole:
  every one of 900 sample points of the image drawn); "exact": until the previews are refined;
- bytes: websocket bytes the page received meanwhile;
- 1:1: ``w.zoom = 1.0`` until that view is complete; pan: ``w.pan(-1000, 0)`` (one view width)
  then ``w.pan(2000, 0)``, each until the new view is complete (median), with its bytes;
- memory: growth of Chromium's PSS (all its processes) from before the display to the end.

Medians over the runs are printed per path and size. Needs jupyterlab, anywidget, ipycanvas,
websocket-client and /usr/bin/chromium.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import socket
import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE / "browser_tiles"))

from driver import Browser, Server, _http, _notebook  # noqa: E402

CANVAS = (1000, 700)
#: Pans at 1:1 from the image centre (canvas px): each shows pixels not seen before.
PANS = (-CANVAS[0], 2 * CANVAS[0])

IN_PAGE = (HERE / "big_image_page.js").read_text()


def _sample_points(size: int) -> list[list[int]]:
    """A 30x30 grid over the fitted image's canvas rectangle."""
    width, height = CANVAS
    zoom = min(width / size, height / size)
    shown = size * zoom
    x0, y0 = (width - shown) / 2, (height - shown) / 2
    return [
        [int(x0 + 4 + (shown - 8) * i / 29), int(y0 + 4 + (shown - 8) * j / 29)]
        for i in range(30)
        for j in range(30)
    ]


WAIT_FOR_LAB = """new Promise((resolve, reject) => {
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
})"""


def run_one(server: Server, tiled: bool, size: int, channels: int, timeout_s: float) -> dict:
    name = f"big_{'tiled' if tiled else 'whole'}_{size}.ipynb"
    _http(f"{server.url}/api/contents/{name}", "PUT", {"type": "notebook", "content": _notebook()})
    profile = Path(tempfile.mkdtemp(prefix="big-image-chromium-"))
    browser = Browser(profile)
    result: dict = {"path": "tiled" if tiled else "whole", "size": size, "channels": channels}
    try:
        cdp = browser.cdp
        cdp.call("Page.enable")
        cdp.call("Page.addScriptToEvaluateOnNewDocument", source=IN_PAGE)
        cdp.call("Page.navigate", url=f"{server.url}/lab/tree/{name}?reset")
        time.sleep(1.0)
        cdp.evaluate(f"window.__notebookPath = {json.dumps(name)}")
        cdp.evaluate(WAIT_FOR_LAB, 150)
        shape = f"({size}, {size})" if channels == 1 else f"({size}, {size}, 3)"
        setup = (
            "import gc, time, numpy as np, seg_widget as sw\n"
            "from seg_widget.widget import tile_view\n"
            f"tile_view.TILED_ABOVE_PIXELS = {0 if tiled else 2**62}\n"
            f"image = np.random.default_rng(0).integers(0, 256, {shape}, dtype=np.uint8)\n"
            "gc.collect()"
        )
        # The constructor is timed with the display: the whole-image path sends its image as
        # soon as the widget exists, before it is displayed.
        show = (
            "t0 = time.perf_counter()\n"
            f"w = sw.SegmentationWidget(image, ['u', 'a', 'b'], width={CANVAS[0]}, "
            f"height={CANVAS[1]})\n"
            "constructor_s = time.perf_counter() - t0\n"
            "w"
        )
        cdp.evaluate(
            f"""(async () => {{
                 const panel = window.__big.panel();
                 panel.content.widgets[0].model.sharedModel.setSource({json.dumps(setup)});
                 panel.content.activeCellIndex = 0;
                 await window.jupyterapp.commands.execute('notebook:run-cell');
                 const kernel = panel.sessionContext.session.kernel;
                 await kernel.requestExecute({{code: 'pass'}}).done;
                 return true;
               }})()""",
            timeout_s,
        )
        time.sleep(1.0)
        before = browser.memory()
        result["first"] = cdp.evaluate(
            f"window.__big.first({json.dumps(show)}, {json.dumps(_sample_points(size))}, "
            f"{json.dumps(tiled)}, {int(timeout_s * 1000)})",
            timeout_s + 30,
        )
        result["constructor_s"] = _kernel_float(cdp, "constructor_s", timeout_s)
        if result["first"]["ok"]:
            result["one_to_one"] = _change(cdp, "w.zoom = 1.0", tiled, timeout_s)
            # One view width to the right, then two to the left: both show unseen pixels.
            result["pans"] = [_change(cdp, f"w.pan({dx}, 0)", tiled, timeout_s) for dx in PANS]
        time.sleep(1.5)
        result["memory_growth"] = browser.memory() - before
        return result
    finally:
        browser.close()
        shutil.rmtree(profile, ignore_errors=True)
        server.shutdown_kernels()
        _http(f"{server.url}/api/contents/{name}", "DELETE")


def _change(cdp, code: str, tiled: bool, timeout_s: float) -> dict:
    return cdp.evaluate(
        f"window.__big.change({json.dumps(code)}, {json.dumps(tiled)}, {int(timeout_s * 1000)})",
        timeout_s + 30,
    )


def _kernel_float(cdp, name: str, timeout_s: float) -> float:
    text = cdp.evaluate(
        f"""(async () => {{
             const kernel = window.__big.panel().sessionContext.session.kernel;
             let out = '';
             const future = kernel.requestExecute({{code: 'print({name})'}});
             future.onIOPub = (msg) => {{ if (msg.content.text) out += msg.content.text; }};
             await future.done;
             return out;
           }})()""",
        timeout_s,
    )
    return float(text.strip())


def _median(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else float("nan")


def table(results: list[dict]) -> str:
    """A Markdown table: medians per (size, path)."""
    header = (
        "| image | path | runs | constructor | first frame | exact | first bytes | 1:1 | "
        "pan one view | pan bytes | Chromium memory |\n"
        "|---|---|---|---|---|---|---|---|---|---|---|"
    )
    lines = [header]
    groups: dict[tuple[int, str], list[dict]] = {}
    for result in results:
        groups.setdefault((result["size"], result["path"]), []).append(result)
    for (size, path), runs in sorted(groups.items()):
        done = [r for r in runs if r["first"]["ok"]]
        grey = " grey" if runs[0]["channels"] == 1 else ""
        if not done:
            lines.append(
                f"| {size}²{grey} | {path} | {len(runs)} | | no complete frame | | | | | | |"
            )
            continue

        def med(get, done=done):
            return _median([get(r) for r in done])

        pan_ms = med(lambda r: _median([p["ms"] for p in r["pans"] if p["ok"]]))
        pan_bytes = med(lambda r: _median([p["bytes"] for p in r["pans"] if p["ok"]]))
        exact = f"{med(lambda r: r['first']['exactMs']) / 1e3:.2f} s" if path == "tiled" else ""
        lines.append(
            f"| {size}²{grey} | {path} | {len(done)} | {med(lambda r: r['constructor_s']):.2f} s"
            f" | {med(lambda r: r['first']['ms']) / 1e3:.2f} s | {exact}"
            f" | {med(lambda r: r['first']['bytes']) / 1e6:.1f} MB"
            f" | {med(lambda r: r['one_to_one']['ms']):.0f} ms"
            f" | {pan_ms:.0f} ms | {pan_bytes / 1e6:.2f} MB"
            f" | {med(lambda r: r['memory_growth']) / 1e9:+.2f} GB |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="2048,4096,8192,16384,32768")
    parser.add_argument(
        "--baseline-sizes",
        default="2048,4096,8192",
        help="sizes also run on the whole-image path (over 16384² Chromium's canvas limit)",
    )
    parser.add_argument("--grey-from", type=int, default=32768, help="grey uint8 from this size")
    parser.add_argument("--repeat", type=int, default=3, help="runs per path and size")
    parser.add_argument(
        "--port", type=int, default=int(os.environ.get("SEG_WIDGET_TEST_PORT", 8914))
    )
    parser.add_argument("--timeout", type=float, default=240.0, help="seconds per step")
    parser.add_argument("--json", type=Path, help="also write every result here")
    args = parser.parse_args()
    baseline = {int(s) for s in args.baseline_sizes.split(",") if s}
    with socket.socket() as probe:
        if probe.connect_ex(("127.0.0.1", args.port)) == 0:
            parser.error(f"--port {args.port}: a server already listens there")
    # A terminated run still stops its server, browser and kernel (the finally blocks).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))
    root = Path(tempfile.mkdtemp(prefix="big-image-root-"))
    server = Server(args.port, root)
    results = []
    try:
        for size in [int(s) for s in args.sizes.split(",")]:
            channels = 1 if size >= args.grey_from else 3
            for _ in range(args.repeat):
                for tiled in (True, False) if size in baseline else (True,):
                    result = run_one(server, tiled, size, channels, args.timeout)
                    results.append(result)
                    first = result["first"]
                    print(
                        f"{result['path']:5s} {size:6d}: first {first['ms'] / 1e3:.2f} s "
                        f"{first['bytes'] / 1e6:.1f} MB, memory "
                        f"{result['memory_growth'] / 1e9:+.2f} GB",
                        flush=True,
                    )
                    if args.json:
                        args.json.write_text(json.dumps(results, indent=1))
        print()
        print(table(results))
    finally:
        server.stop()
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
