"""Write the explorer page for a trained model, and optionally a screenshot of it.

``make mnist`` already writes ``explorer.html`` next to the run's pictures; this
script writes one for any saved 3b1b-shaped model (default: the small committed one,
``examples/models/mnist-3b1b.npz``, trained by ``make mnist`` and copied by
``make figures``), with 300 MNIST test digits when MNIST is on this machine.

::

    python examples/explorer.py --out out/explorer.html
    python examples/explorer.py --screenshot docs/images/explorer.png   # the README's picture

The screenshot draws a "7" with the mouse, hovers a first-layer neuron, asks what the
network wants for "7" and shows the nudges, in headless Chromium (Debian's
``chromium``, driven by Playwright's Python package; nothing is downloaded).
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import nn
from nn.data import DataError

HERE = Path(__file__).resolve().parent
MODEL = HERE / "models" / "mnist-3b1b.npz"
DIGITS = 300

# A hand-drawn "7" on the 280x280 pad: the top bar, then the slanted stem.
SEVEN = [(75, 55), (120, 52), (165, 50), (205, 50), (180, 100), (150, 165), (120, 245)]


def load_model(path: Path) -> nn.TensorMLP:
    """The series' network (784-16-16-10 sigmoid) with weights from ``path``."""
    model = nn.TensorMLP(784, [16, 16, 10], activation="sigmoid")
    model.load(path)
    return model


def write(model_path: Path, out: Path, data_dir: Path | None = None) -> Path:
    """Write the explorer for the model at ``model_path``, with MNIST test digits if present."""
    try:
        _, _, x, y = nn.load_mnist(data_dir, download=False, progress=False)
        images, labels = x[:DIGITS], y[:DIGITS]
    except (DataError, FileNotFoundError) as err:
        print(f"no MNIST here ({err}); the page will have no test digits", file=sys.stderr)
        images = labels = None
    return nn.write_explorer(
        load_model(model_path),
        out,
        loss="mse",
        images=images,
        labels=labels,
        title="The series' network (784-16-16-10 sigmoid, mse), trained by make mnist",
    )


def screenshot(page_path: Path, png: Path, browser: Any = None) -> Path:
    """Draw a 7 on the page in headless Chromium and save a picture of the page.

    ``browser``: a Playwright Chromium browser to use (default: launch Debian's chromium).
    """
    if browser is None:
        from playwright.sync_api import sync_playwright

        chromium = shutil.which("chromium") or shutil.which("chromium-browser")
        if chromium is None:
            sys.exit("error: the screenshot needs Debian's chromium (apt-get install chromium)")
        with sync_playwright() as pw:
            own = pw.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
            try:
                return screenshot(page_path, png, own)
            finally:
                own.close()
    png.parent.mkdir(parents=True, exist_ok=True)
    # 840 px wide: in the README's ~800 px column the page's smallest text (12 px) stays
    # above 11 px; the panels wrap to fit.
    page = browser.new_page(viewport={"width": 840, "height": 900})
    # Nothing may come from the network: only the file itself loads.
    page.route("**/*", lambda r: r.continue_() if r.request.url.startswith("file:") else r.abort())
    page.goto(page_path.resolve().as_uri())
    box = page.locator("#draw").bounding_box()
    page.mouse.move(box["x"] + SEVEN[0][0], box["y"] + SEVEN[0][1])
    page.mouse.down()
    for x, y in SEVEN[1:]:
        page.mouse.move(box["x"] + x, box["y"] + y, steps=8)
    page.mouse.up()
    page.evaluate("() => { explorer.setLabel(7); explorer.selectNeuron(3); }")
    page.check("#show-nudges")
    page.screenshot(path=str(png), full_page=True)
    record_smallest_text(png, min(page.evaluate(SMALLEST_TEXT), CANVAS_TEXT_PX))
    page.close()
    return png


# The smallest font size (CSS px) of any visible element with text of its own; the
# page's canvases draw their labels at 12 px (OUT_FONT in explorer.js).
SMALLEST_TEXT = """() => Math.min(...[...document.querySelectorAll('body *')]
    .filter(e => e.getClientRects().length && [...e.childNodes]
        .some(n => n.nodeType === Node.TEXT_NODE && n.textContent.trim()))
    .map(e => parseFloat(getComputedStyle(e).fontSize)))"""
CANVAS_TEXT_PX = 12.0


def record_smallest_text(png: Path, px: float) -> None:
    """Write ``px`` into the PNG as its smallest text (see ``autograd.pictures.files``)."""
    from PIL import Image
    from PIL.PngImagePlugin import PngInfo

    from autograd.pictures.files import TEXT_PX_KEY

    info = PngInfo()
    info.add_text(TEXT_PX_KEY, f"{px:.2f}")
    with Image.open(png) as im:
        im.load()
        im.save(png, pnginfo=info)


def main(argv: Sequence[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    ap.add_argument(
        "--model",
        type=Path,
        default=MODEL,
        help="a saved 784-16-16-10 model (default: the one committed in examples/models/)",
    )
    ap.add_argument("--out", type=Path, help="the page to write (default: a temporary file)")
    ap.add_argument("--data-dir", type=Path, help="MNIST folder (default: $MNIST_DIR or cache)")
    ap.add_argument(
        "--screenshot", type=Path, help="also save a PNG of the page here (default: none)"
    )
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        out = args.out if args.out is not None else Path(tmp) / "explorer.html"
        page = write(args.model, out, args.data_dir)
        print(f"wrote {page}")
        if args.screenshot is not None:
            print(f"wrote {screenshot(page, args.screenshot)}")


if __name__ == "__main__":
    main()
