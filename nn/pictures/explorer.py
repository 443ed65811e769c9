"""The explorer: one self-contained HTML page where a learner draws a digit and watches
their own trained network think (forward) and learn (backward, one SGD step).

:func:`write_explorer` turns a trained model into that page. The page is the three
files in ``nn/pictures/explorer_page/`` (``explorer.html``, ``explorer.css``, ``explorer.js``:
plain JavaScript, no framework, no build step, meant to be read), inlined into one
file together with the model's weights and a few test digits, so it opens by
double-click and loads nothing from the network.

The model is read as a list of dense layers ``a_l = act_l(W_l a_{l-1} + b_l)``; the
page recomputes forward and backward passes itself in float64 from the embedded
weights (embedded bit for bit: float32 weights stay float32 values), and exposes them
to tests and curious learners as ``window.explorer`` (see ``explorer.js``).
"""

from __future__ import annotations

import base64
import os
import re
from collections.abc import Sequence
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from autograd.pictures.files import write_atomic
from autograd.pictures.text import html_text, script_json
from nn.layers import Identity, Linear, ReLU, Sequential, Sigmoid, Tanh, TensorMLP

__all__ = ["write_explorer"]

LOSSES = ("mse", "cross_entropy")
_ACTIVATION_NAMES: dict[type, str] = {
    Sigmoid: "sigmoid",
    ReLU: "relu",
    Tanh: "tanh",
    Identity: "identity",
}
# TensorMLP's activation names -> the page's names
_MLP_NAMES = {"sigmoid": "sigmoid", "relu": "relu", "tanh": "tanh", "linear": "identity"}
_PAGE = "explorer_page"


def dense_layers(model: Any) -> list[tuple[Linear, str]]:
    """``[(linear, activation name), ...]``: ``model`` as the page computes it.

    Accepts a :class:`~nn.TensorMLP` or a :class:`~nn.Sequential` of :class:`~nn.Linear`
    layers, each followed by at most one of :class:`~nn.Sigmoid`, :class:`~nn.ReLU`,
    :class:`~nn.Tanh`, :class:`~nn.Identity` (none means identity).

    Raises:
        TypeError: for any other model or module.
    """
    if isinstance(model, TensorMLP):
        return [
            (layer, _MLP_NAMES[act])
            for layer, act in zip(
                model.layers,
                [model.activation] * (len(model.layers) - 1) + [model.output_activation],
                strict=True,
            )
        ]
    if not isinstance(model, Sequential):
        raise TypeError(
            "write_explorer: the model must be an nn.TensorMLP or an nn.Sequential of Linear "
            f"and activation layers, got {type(model).__name__}"
        )
    layers: list[tuple[Linear, str]] = []
    for i, m in enumerate(model.modules):
        if isinstance(m, Linear):
            layers.append((m, "identity"))
            continue
        name = _ACTIVATION_NAMES.get(type(m))
        if name is None:
            raise TypeError(
                f"write_explorer: Sequential item {i} is a {type(m).__name__}; the page knows "
                "Linear, Sigmoid, ReLU, Tanh and Identity"
            )
        if i == 0 or not isinstance(model.modules[i - 1], Linear):
            raise TypeError(
                f"write_explorer: Sequential item {i} ({type(m).__name__}) must follow a Linear "
                "layer directly (one activation per Linear)"
            )
        layers[-1] = (layers[-1][0], name)
    if not layers:
        raise TypeError("write_explorer: the Sequential has no Linear layer")
    return layers


def _b64(a: NDArray[Any]) -> str:
    """Little-endian bytes of ``a`` (row-major), base64: exact, and 4/3 the binary size."""
    return base64.b64encode(
        np.ascontiguousarray(a, dtype=a.dtype.newbyteorder("<")).tobytes()
    ).decode("ascii")


def _array(a: NDArray[Any]) -> dict[str, str]:
    """An array as the page decodes it: ``{"dtype": "float32"|"float64"|"uint8", "b64": ...}``."""
    dtype = np.dtype(a.dtype).name
    if dtype not in ("float32", "float64", "uint8"):
        raise TypeError(f"write_explorer: cannot embed an array of dtype {dtype}")
    return {"dtype": dtype, "b64": _b64(a)}


def _images(images: Any, labels: Any) -> tuple[NDArray[Any], NDArray[np.int64]]:
    """Validate the test digits; pixels as uint8 ``round(255 x)`` when each is within 1e-6
    of ``k/255`` (MNIST's are), else as float32."""
    x = np.asarray(images)
    if x.ndim == 3 and x.shape[1:] == (28, 28):
        x = x.reshape(len(x), 784)
    if x.ndim != 2 or x.shape[1] != 784:
        raise ValueError(
            f"write_explorer: images must have shape (n, 784) or (n, 28, 28), got {x.shape}"
        )
    if labels is None:
        raise ValueError("write_explorer: images need their labels (labels=...)")
    y = np.asarray(labels)
    if y.shape != (len(x),) or y.dtype.kind not in "iu":
        raise ValueError(
            f"write_explorer: labels must be {len(x)} integers (one per image), got "
            f"shape {y.shape} of dtype {y.dtype}"
        )
    if len(y) and (y.min() < 0 or y.max() > 9):
        raise ValueError(f"write_explorer: labels must be in 0..9, got {y.min()}..{y.max()}")
    if x.dtype == np.uint8:
        return x, y.astype(np.int64)
    if x.dtype.kind not in "fiu":
        raise TypeError(f"write_explorer: images must be numbers, got dtype {x.dtype}")
    xf = x.astype(np.float64)
    if not np.all(np.isfinite(xf)) or (xf.size and (xf.min() < 0 or xf.max() > 1)):
        raise ValueError(
            "write_explorer: image pixels must be in [0, 1] (as nn.load_mnist gives them) "
            "or uint8 in 0..255"
        )
    q = np.rint(xf * 255)
    # MNIST pixels are k/255 rounded to float32: embed them as the bytes k (the page uses
    # k/255 in float64) when every pixel is within 1e-6 of one; else as float32.
    if np.all(np.abs(q / 255 - xf) <= 1e-6):
        return q.astype(np.uint8), y.astype(np.int64)
    return xf.astype(np.float32), y.astype(np.int64)


def explorer_data(
    model: Any,
    *,
    loss: str = "mse",
    images: Any = None,
    labels: Any = None,
    class_names: Sequence[str] | None = None,
    title: str | None = None,
) -> dict[str, Any]:
    """The JSON the page reads: layers (weights, biases, activations), loss, test digits."""
    if loss not in LOSSES:
        raise ValueError(f"write_explorer: loss must be 'mse' or 'cross_entropy', got {loss!r}")
    layers = dense_layers(model)
    sizes = [layers[0][0].nin] + [lin.nout for lin, _ in layers]
    if sizes[0] != 784 or sizes[-1] != 10:
        raise ValueError(
            f"write_explorer: the page needs 784 inputs (28x28 pixels) and 10 outputs, got a "
            f"{'-'.join(map(str, sizes))} network"
        )
    names = [str(c) for c in (class_names if class_names is not None else range(10))]
    if len(names) != 10:
        raise ValueError(f"write_explorer: class_names must name 10 classes, got {len(names)}")
    out_layers = []
    for i, (lin, act) in enumerate(layers):
        w = lin.weight.data
        if w.dtype not in (np.float32, np.float64):
            raise TypeError(f"write_explorer: weights must be float32 or float64, got {w.dtype}")
        b = lin.bias.data if lin.bias is not None else np.zeros(lin.nout, dtype=w.dtype)
        # The page trusts nin/nout to index W and b: a weight replaced by one of another
        # shape (a transposed load, a layer that does not chain) would read out of bounds.
        if w.shape != (lin.nout, sizes[i]) or b.shape != (lin.nout,):
            raise ValueError(
                f"write_explorer: layer {i} should have weight ({lin.nout}, {sizes[i]}) and "
                f"bias ({lin.nout},) to follow a {sizes[i]}-wide input, got weight {w.shape} "
                f"and bias {b.shape}"
            )
        if not (np.all(np.isfinite(w)) and np.all(np.isfinite(b))):
            raise ValueError("write_explorer: the model has non-finite weights (nan or inf)")
        out_layers.append(
            {"nin": sizes[i], "nout": lin.nout, "activation": act, "W": _array(w), "b": _array(b)}
        )
    data: dict[str, Any] = {
        "title": title or f"{'-'.join(map(str, sizes))} {layers[0][1]} network, {loss}",
        "loss": loss,
        "classNames": names,
        "layers": out_layers,
        "images": None,
    }
    if images is not None:
        x, y = _images(images, labels)
        data["images"] = {"count": len(x), "pixels": _array(x), "labels": y.tolist()}
    elif labels is not None:
        raise ValueError("write_explorer: labels given without images")
    return data


def _page_file(name: str) -> str:
    return (resources.files("nn.pictures") / _PAGE / name).read_text(encoding="utf-8")


def render_explorer(data: dict[str, Any]) -> str:
    """The page's HTML with its CSS, JavaScript and ``data`` inlined."""
    html = _page_file("explorer.html")
    parts = {
        "/*EXPLORER_CSS*/": _page_file("explorer.css"),
        "/*EXPLORER_JS*/": _page_file("explorer.js"),
        "EXPLORER_DATA": script_json(data),
        "EXPLORER_TITLE": html_text(data["title"]),
    }
    for marker in parts:
        if marker not in html:
            raise RuntimeError(f"the explorer template lost its {marker} marker")
    # One pass, so text put in (the script, the data) is never searched for markers.
    pattern = re.compile("|".join(re.escape(m) for m in parts))
    html = pattern.sub(lambda m: parts[m.group(0)], html)
    return html


def write_explorer(
    model: Any,
    path: str | os.PathLike[str],
    *,
    loss: str = "mse",
    images: Any = None,
    labels: Any = None,
    class_names: Sequence[str] | None = None,
    title: str | None = None,
) -> Path:
    """Write the explorer page for ``model``: one self-contained HTML file.

    The learner draws a digit (or picks one of ``images``) and sees every neuron's
    activation, what a first-layer neuron looks for, the gradient of the loss for a
    chosen label with respect to the pixels and every activation, and can take one
    SGD step on the drawing. The file needs no server and nothing from the network.

    Args:
        model: a :class:`~nn.TensorMLP`, or a :class:`~nn.Sequential` of
            :class:`~nn.Linear` layers each followed by at most one of
            :class:`~nn.Sigmoid`, :class:`~nn.ReLU`, :class:`~nn.Tanh`,
            :class:`~nn.Identity`; 784 inputs, 10 outputs. Weights are embedded
            exactly (float32 or float64).
        path: the ``.html`` file to write (its folder is created).
        loss: the cost the model was trained with, ``"mse"`` (one-hot targets, as
            :func:`nn.mse`) or ``"cross_entropy"`` (the outputs are logits, as
            :func:`nn.cross_entropy`); the page's backward pass and SGD step use it.
        images: test digits to embed, shape ``(n, 784)`` or ``(n, 28, 28)``, pixels in
            ``[0, 1]`` (as :func:`nn.load_mnist` gives them) or uint8. A few hundred
            keep the file small (each costs ~1 kB).
        labels: their true labels, ``n`` ints in ``0..9``.
        class_names: 10 names for the outputs (default ``0``..``9``; Fashion-MNIST's
            ``nn.data.FASHION_CLASSES``).
        title: the page's heading (default: the network's shape and loss).

    Returns:
        The path written.

    Raises:
        TypeError: a model the page cannot compute, or images that are not numbers.
        ValueError: not 784 inputs and 10 outputs, an unknown loss, non-finite
            weights, images of the wrong shape or range, labels that do not match.
    """
    html = render_explorer(
        explorer_data(
            model, loss=loss, images=images, labels=labels, class_names=class_names, title=title
        )
    )
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(out, html.encode("utf-8"))  # all or nothing: a failed write keeps the old page
    return out
