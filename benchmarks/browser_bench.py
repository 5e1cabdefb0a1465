"""What a user feels, in real JupyterLab + Chromium: pen latency and stroke trailing.

    python benchmarks/browser_bench.py            # ~10 min: latency direct and behind the
                                                  # proxy, 60 Hz trailing at 2048² and 8192²
    python benchmarks/browser_bench.py --quick    # fewer samples, 2048² only

Subjects, interleaved sample by sample in one page and one kernel:

* ``echo``: a bare ipycanvas mouse → Python → pixel echo (the transport's floor);
* ``widget``: SegmentationWidget on the ipycanvas path only (mouse events dispatched to the
  ipycanvas canvas under its front-end layer, as when the layer cannot load): the kernel
  draws the pen, the baseline the layer is compared with;
* ``layer``: another SegmentationWidget driven through its front-end input layer (pointer
  events on the layer, as a real mouse): the layer's own preview and the kernel-confirmed
  pixels. `LAYER` below picks what the layer sits in: the real widget (``WIDGET_WITH_LAYER``)
  or the standalone demo over a plain canvas (``LAYER_DEMO``).

Latency = a dispatched DOM event's timeStamp → the first animation frame at which a 3×3 box
of the watched canvas at the event's point changes (see browser_driver.mjs). The second pass
goes through a proxy adding 25 ms each way. Trailing = a drag of 500 moves at 60 Hz (one
synthetic event per frame), then mouse-up → the kernel-drawn pixel at the last point.
Needs Chromium at /usr/bin/chromium (or CHROMIUM_PATH) and `npm ci` in js/.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field, replace
from pathlib import Path

from delay_proxy import DelayProxy

from seg_widget.widget.tile_view import is_tiled

REPO = Path(__file__).resolve().parent.parent
DRIVER = Path(__file__).resolve().parent / "browser_driver.mjs"
KERNEL_CANVAS = "canvas:not(.seg-input-preview):not(.seg-input-events)"
#: The widget's ipycanvas canvas (the scene the kernel draws on, under the front-end layer).
WIDGET_CANVAS = "canvas.seg-widget-canvas"
#: The layer's tile canvas: where a big image (tiled) and its labels are drawn.
TILE_CANVAS = "canvas.seg-tile-view"


@dataclass
class Subject:
    """Something the benchmark drives: how to build it, where to look, which events."""

    name: str
    setup: str  #: Python that builds it (``{size}``, ``{zoom}``, ``{brush}`` are filled in)
    display: str  #: the expression displaying it
    watch: dict[str, str]  #: watched canvases: name -> CSS selector inside its output
    events: str = "mouse"  #: "mouse" (ipycanvas listens) or "pointer" (the layer listens)
    drag: bool = True  #: the button is held (a pen), or not (the echo draws on hover)
    kernel_watch: str = "kernel"  #: the watched canvas the kernel draws
    target: str = ""  #: CSS selector of the element events go to (default: under the point)
    extra: dict = field(default_factory=dict)


ECHO = Subject(
    "echo",
    """\
import ipycanvas
echo = ipycanvas.Canvas(width={width}, height={height})
echo.fill_style = "#202020"
echo.fill_rect(0, 0, {width}, {height})
echo.fill_style = "#ff3030"
echo.on_mouse_move(lambda x, y: echo.fill_rect(x - 2, y - 2, 5, 5))""",
    "echo",
    {"kernel": "canvas"},
    drag=False,
)
WIDGET = Subject(
    "widget",
    """\
import numpy as np
import seg_widget as sw
w = sw.SegmentationWidget(
    np.full(({size}, {size_w}, 3), 90, np.uint8), classes=["unlabelled", "paint"],
    width={width}, height={height}, brush_size={brush},
)""",
    "w",
    {"kernel": WIDGET_CANVAS},
    target=WIDGET_CANVAS,  # ipycanvas' own listeners, under the layer: the kernel-only path
)
LAYER_DEMO = Subject(
    "layer",
    """\
from seg_widget.widget.layer_demo import LayerDemo
d = LayerDemo(({size}, {size_w}), ({width}, {height}), zoom={zoom}, brush_size={brush})""",
    "d",
    {"preview": ".seg-input-preview", "kernel": KERNEL_CANVAS},
    events="pointer",
)
#: The real widget, driven through its front-end layer (pointer events on the layer).
WIDGET_WITH_LAYER = Subject(
    "layer",
    WIDGET.setup.replace("w = ", "wl = "),
    "wl",
    {"preview": ".seg-input-preview", "kernel": WIDGET_CANVAS},
    events="pointer",
)
#: What the layer figures measure: the real widget (LAYER_DEMO: the standalone demo).
LAYER = WIDGET_WITH_LAYER


def notebook(cells: list[str]) -> str:
    """Return nbformat-4 JSON of code cells."""
    return json.dumps(
        {
            "cells": [
                {
                    "cell_type": "code",
                    "execution_count": None,
                    "id": f"c{i}",
                    "metadata": {},
                    "outputs": [],
                    "source": source,
                }
                for i, source in enumerate(cells)
            ],
            "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3"}},
            "nbformat": 4,
            "nbformat_minor": 5,
        }
    )


class Server:
    """A stock JupyterLab server (Nagle left on, as users run it) in a throw-away home."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.home = Path(tempfile.mkdtemp(prefix="seg-bench-"))
        self.root = self.home / "root"
        self.root.mkdir()
        env = {
            **os.environ,
            "HOME": str(self.home),
            "XDG_CONFIG_HOME": str(self.home / ".config"),
            "XDG_CACHE_HOME": str(self.home / ".cache"),
            "XDG_DATA_HOME": str(self.home / ".local"),
            "JUPYTER_RUNTIME_DIR": str(self.home / "runtime"),
            "IPYTHONDIR": str(self.home / "ipython"),
            "PYTHONPATH": os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")]),
        }
        for name in ("JUPYTER_CONFIG_DIR",):
            env.pop(name, None)
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "jupyterlab",
                "--no-browser",
                f"--port={port}",
                "--ServerApp.port_retries=0",
                "--ServerApp.token=",
                "--ServerApp.password=",
                "--ServerApp.disable_check_xsrf=True",
                "--ServerApp.allow_root=True",
                f"--ServerApp.root_dir={self.root}",
                "--LabApp.expose_app_in_browser=True",
                "--LabApp.news_url=None",
                "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
            ],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=open(self.home / "server.log", "w"),
        )
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/api", timeout=2)
                return
            except OSError:
                time.sleep(0.5)
        self.close()
        raise RuntimeError(f"jupyter lab did not start on port {port}")

    def shutdown_kernels(self) -> None:
        """Stop every kernel (big images hold gigabytes)."""
        base = f"http://127.0.0.1:{self.port}/api/kernels"
        for kernel in json.load(urllib.request.urlopen(base, timeout=10)):
            request = urllib.request.Request(f"{base}/{kernel['id']}", method="DELETE")
            urllib.request.urlopen(request, timeout=30)

    def close(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(20)
        except subprocess.TimeoutExpired:
            self.process.kill()
        shutil.rmtree(self.home, ignore_errors=True)


def run_driver(server: Server, url: str, name: str, cells: list[str], config: dict) -> dict:
    """Write the notebook, run the browser driver on it, return its results."""
    (server.root / f"{name}.ipynb").write_text(notebook(cells))
    config = {
        "url": url,
        "notebook": f"{name}.ipynb",
        "chromium": os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"),
        "nodeModules": str(REPO / "js" / "node_modules"),
        **config,
    }
    config_path = server.home / f"{name}.json"
    config_path.write_text(json.dumps(config))
    done = subprocess.run(
        ["node", str(DRIVER), str(config_path)], capture_output=True, text=True, check=False
    )
    server.shutdown_kernels()
    if done.returncode != 0:
        raise RuntimeError(f"browser driver failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def driver_subject(subject: Subject, cell: int) -> dict:
    return {
        "name": subject.name,
        "cell": cell,
        "watch": subject.watch,
        "events": subject.events,
        "drag": subject.drag,
        "kernelWatch": subject.kernel_watch,
        "target": subject.target,
    }


def latency_run(server: Server, url: str, name: str, samples: int) -> dict:
    """Interleaved latency samples of echo, widget and layer in one page and kernel."""
    subjects = [ECHO, WIDGET, LAYER]
    values = {"size": 192, "size_w": 256, "width": 480, "height": 360, "zoom": 1.875, "brush": 3}
    cells = ["\n\n".join(s.setup.format(**values) for s in subjects)]
    cells += [s.display for s in subjects]
    config = {
        "subjects": [driver_subject(s, i + 1) for i, s in enumerate(subjects)],
        "latency": {"samples": samples, "perRow": 9, "gapMs": 40},
    }
    return run_driver(server, url, name, cells, config)["latency"]


def trailing_run(
    server: Server, url: str, subject: Subject, size: int, moves: int, repeats: int
) -> list:
    """Mouse-up -> last kernel-drawn stroke pixel of 60 Hz drags of `moves` moves, in ms."""
    width = 640
    values = {
        "size": size,
        "size_w": size,
        "width": width,
        "height": width,
        "zoom": width / size,
        # 7 canvas px: the widget's brush ring (drawn by the kernel into the same canvas) then
        # never covers the centre of the last point nor, one move earlier, the point itself.
        "brush": round(7 * size / width),
    }
    cells = [subject.setup.format(**values), subject.display]
    if subject is not ECHO and is_tiled((size, size)):
        # A big image is drawn by the layer from tiles: the kernel's pixels land there.
        subject = replace(subject, watch={**subject.watch, "kernel": TILE_CANVAS})
    config = {
        "subjects": [driver_subject(subject, 1)],
        "trailing": {"subject": 0, "moves": moves, "rows": 5, "repeats": repeats},
    }
    return run_driver(server, url, f"trail_{subject.name}_{size}", cells, config)["trailing"]


def percentiles(values: list) -> tuple[float, float, int]:
    """(p50, p95, missing) of latencies; None entries (no change seen in 5 s) are missing."""
    seen = sorted(v for v in values if v is not None)
    if not seen:
        return float("nan"), float("nan"), len(values)
    p95 = seen[min(len(seen) - 1, round(0.95 * (len(seen) - 1)))]
    return statistics.median(seen), p95, len(values) - len(seen)


def print_latency(title: str, latency: dict) -> dict:
    rows = {
        "bare ipycanvas echo": latency["echo"]["kernel"],
        "widget, ipycanvas path: pen pixel": latency["widget"]["kernel"],
        "layer: preview pixel": latency["layer"]["preview"],
        "layer: kernel-confirmed pixel": latency["layer"]["kernel"],
    }
    print(f"\n{title}")
    print(f"  {'what':34} {'p50 ms':>8} {'p95 ms':>8} {'missed':>7}")
    stats = {}
    for what, values in rows.items():
        p50, p95, missed = percentiles(values)
        stats[what] = (p50, p95)
        print(f"  {what:34} {p50:8.1f} {p95:8.1f} {missed:7d}")
    echo = stats["bare ipycanvas echo"][0]
    base = stats["widget, ipycanvas path: pen pixel"]
    print(
        f"  ratios to the echo (p50): widget {base[0] / echo:.2f}, "
        f"preview {stats['layer: preview pixel'][0] / echo:.2f}, "
        f"kernel-confirmed {stats['layer: kernel-confirmed pixel'][0] / echo:.2f}"
    )
    print(
        "  ratios to the widget's ipycanvas path (p50 / p95): preview "
        f"{stats['layer: preview pixel'][0] / base[0]:.2f} / "
        f"{stats['layer: preview pixel'][1] / base[1]:.2f}, kernel-confirmed "
        f"{stats['layer: kernel-confirmed pixel'][0] / base[0]:.2f} / "
        f"{stats['layer: kernel-confirmed pixel'][1] / base[1]:.2f}"
    )
    return stats


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer samples, 2048² only")
    parser.add_argument("--port", type=int, default=int(os.environ.get("SEG_BENCH_PORT", 8894)))
    parser.add_argument("--proxy-port", type=int, default=0, help="default: port + 10")
    parser.add_argument("--delay-ms", type=float, default=25.0)
    parser.add_argument(
        "--parts", default="latency,far,trailing", help="comma-separated: latency, far, trailing"
    )
    args = parser.parse_args()
    parts = set(args.parts.split(","))
    samples = 15 if args.quick else 40
    repeats = 1 if args.quick else 3
    sizes = (2048,) if args.quick else (2048, 8192)
    proxy_port = args.proxy_port or args.port + 10

    server = Server(args.port)
    proxy = DelayProxy(proxy_port, args.port, args.delay_ms)
    try:
        if "latency" in parts:
            direct = latency_run(server, f"http://127.0.0.1:{args.port}", "latency", samples)
            print_latency("Pen latency, stock server (DOM event -> pixel at the point)", direct)
        if "far" in parts:
            far = latency_run(server, f"http://127.0.0.1:{proxy_port}", "latency_far", samples)
            print_latency(f"Same behind a proxy adding {args.delay_ms:g} ms each way", far)
        if "trailing" in parts:
            print("\n60 Hz drag of 500 moves: mouse-up -> last kernel-drawn stroke pixel (ms)")
        for size in sizes if "trailing" in parts else ():
            figures, medians = [], {}
            for subject in (ECHO, WIDGET, LAYER):
                url = f"http://127.0.0.1:{args.port}"
                trails = trailing_run(server, url, subject, size, 500, repeats)
                p50, _, missed = percentiles(trails)
                worst = max((t for t in trails if t is not None), default=float("nan"))
                never = f" ({missed} never)" if missed else ""
                figures.append(f"{subject.name} {p50:.0f} (max {worst:.0f}){never}")
                medians[subject.name] = p50
            ratio = medians["layer"] / medians["widget"]
            print(
                f"  {size}² (median of {repeats}): "
                + ", ".join(figures)
                + f"; layer / widget {ratio:.2f}"
            )
    finally:
        proxy.close()
        server.close()


if __name__ == "__main__":
    main()
