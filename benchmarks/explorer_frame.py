"""The explorer page's update time, in headless Chromium: is it fast enough for every frame?

Target: forward pass plus redraw of everything under 16 ms (one animation frame at
60 Hz) for the series' 784-16-16-10 network. Measured for three updates:

* ``pixels``: ``explorer.setPixels(x)``: forward, backward for the chosen label (panel
  4 and the nudges are on), and every canvas redrawn; the canvas is then read back
  one pixel, which forces Chromium to actually paint it (no deferred work hides);
* ``stroke``: the same after a drawing changed: the strokes' MNIST preprocessing
  (two 280x280 renderings, read back and averaged to 28x28) comes first;
* ``frames``: one ``setPixels`` per ``requestAnimationFrame`` for 120 frames: the
  median time between frames (16.7 ms when every frame is made in time).

Also for a 784-512-256-10 ReLU network (the ``best`` preset's shape), to show how the
page scales. Medians of several rounds; Chromium uses its own threads, so these are
wall times.

    python benchmarks/explorer_frame.py [--rounds 7]
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any

import numpy as np

import nn

ROOT = Path(__file__).resolve().parents[1]
MEASURE = """async ({xs, strokes, rounds}) => {
  const net = document.getElementById('net').getContext('2d');
  const per = (f) => { const t = []; for (let r = 0; r < rounds; r++) {
      const t0 = performance.now(); f(); t.push((performance.now() - t0) / xs.length); }
    return t.sort((a, b) => a - b)[Math.floor(t.length / 2)]; };
  const paint = () => net.getImageData(0, 0, 1, 1);  // forces the canvas to be painted
  const pixels = per(() => { for (const x of xs) { explorer.setPixels(x); paint(); } });
  const stroke = per(() => { for (const x of xs) { explorer.drawStrokes(strokes); paint(); } });
  const dts = await new Promise(done => { let i = 0, last = null; const t = [];
    const frame = (now) => { if (last !== null) t.push(now - last); last = now;
      explorer.setPixels(xs[i++ % xs.length]);
      if (i <= 120) requestAnimationFrame(frame); else done(t); };
    requestAnimationFrame(frame); });
  dts.sort((a, b) => a - b);
  return {pixels, stroke, frames: dts[Math.floor(dts.length / 2)]};
}"""
SEVEN = [[[75, 50], [205, 50], [120, 245]]]


def measure(page: Any, model: Any, loss: str, xs: list[list[float]], rounds: int) -> Any:
    with tempfile.TemporaryDirectory() as tmp:
        path = nn.write_explorer(model, Path(tmp) / "e.html", loss=loss)
        page.goto(path.as_uri())
        page.evaluate("() => { explorer.setLabel(3); explorer.showNudges(true); }")
        return page.evaluate(MEASURE, {"xs": xs, "strokes": SEVEN, "rounds": rounds})


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    ap.add_argument("--rounds", type=int, default=7)
    args = ap.parse_args()
    from playwright.sync_api import sync_playwright

    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        sys.exit("error: needs Debian's chromium (apt-get install chromium)")
    rng = np.random.default_rng(0)
    xs = (rng.random((20, 784)) * (rng.random((20, 784)) < 0.2)).tolist()
    small = nn.TensorMLP(784, [16, 16, 10])
    small.load(ROOT / "examples" / "models" / "mnist-3b1b.npz")
    big = nn.TensorMLP(784, [512, 256, 10], activation="relu", output_activation="linear")
    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=chromium, headless=True, args=["--disable-gpu", "--no-sandbox"]
        )
        page = browser.new_page(viewport={"width": 1180, "height": 900})
        for name, model, loss in (
            ("784-16-16-10", small, "mse"),
            ("784-512-256-10", big, "cross_entropy"),
        ):
            r = measure(page, model, loss, xs, args.rounds)
            print(
                f"{name}: update {r['pixels']:.2f} ms, after a stroke {r['stroke']:.2f} ms, "
                f"frame interval {r['frames']:.1f} ms (target: update < 16 ms)"
            )
        browser.close()


if __name__ == "__main__":
    main()
