"""Fused ops: a whole layer, or a whole loss, as one graph node with one VJP.

Written op by op (``x @ W.T``, ``+ b``, ``.sigmoid()``, the loss) a network makes a
node per op; these do the same math as one node each, so the backward pass has
less bookkeeping per layer. They are ops like those of :class:`~autograd.Tensor`:
a forward, then ``vjp(g, *inputs, out)``, run on arrays or (``create_graph``) on
Tensors. The tests check each against the op-by-op version.

* :func:`linear`: ``act(x @ W.T + b)``, a whole layer;
* :func:`mse`: the series' quadratic cost;
* :func:`cross_entropy`: from logits, via log-sum-exp.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from autograd.arrays import Array, cast
from autograd.tensor import OUTPUT, Tensor, number, softmax, sum_rows

__all__ = ["cross_entropy", "linear", "mse"]


def linear(
    x: Tensor | Array,
    weight: Tensor,
    bias: Tensor | None = None,
    activation: str | None = None,
) -> Tensor:
    """``y = act(x @ W.T + b)`` as one node: a layer, ``W`` of shape (nout, nin).

    For ``z = x W^T + b`` and ``delta = dL/dz = g act'(z)`` (``act'`` written with
    the output, see ``Tensor.ACTIVATIONS``): ``dL/dx = delta W``,
    ``dL/dW = delta^T x``, ``dL/db = sum over the batch of delta``.

    ``x`` has shape (..., nin): a Tensor, or a plain ndarray (a constant input: no
    gradient, used in place, and converted to the weight's dtype, so float64 or
    uint8 data does not silently make a float32 network float64).
    ``activation``: ``None``, ``"sigmoid"``, ``"relu"`` or ``"tanh"``.

    Raises:
        ValueError: ``x``'s last dimension is not ``nin``, or an unknown activation.
    """
    xt = x if isinstance(x, Tensor) else _layer_input(x, weight)
    nout, nin = weight.data.shape
    shape = xt.data.shape
    if not shape or shape[-1] != nin:
        raise ValueError(
            f"linear: input of shape {shape} has {shape[-1] if shape else 'no'} features, "
            f"but the layer expects {nin} (weight shape {(nout, nin)}: (nout, nin))"
        )
    if activation is not None and activation not in Tensor.ACTIVATIONS:
        raise ValueError(
            f"linear: unknown activation {activation!r}; choose one of "
            f"{', '.join(Tensor.ACTIVATIONS)} or None"
        )
    z = xt.data @ weight.data.T
    if bias is not None:
        z += bias.data
    forward, derivative = Tensor.ACTIVATIONS[activation] if activation else (None, None)
    need_x = xt.requires_grad  # a batch of data needs no gradient: no product for it

    def vjp(g: Any, x: Any, w: Any, *bias_and_y: Any) -> tuple[Any, ...]:
        delta = g if derivative is None else derivative(g, bias_and_y[-1])  # dL/dz
        gx = delta @ w if need_x else None
        if delta.ndim != 2:  # one example, or more leading dims: rows of a matrix
            delta, x = delta.reshape(-1, w.shape[0]), x.reshape(-1, w.shape[1])
        gw = delta.T @ x
        return (gx, gw) if len(bias_and_y) == 1 else (gx, gw, sum_rows(delta))

    inputs = (xt, weight) if bias is None else (xt, weight, bias)
    op = "linear" if activation is None else f"linear+{activation}"
    saved = (xt, weight) if forward is None else (xt, weight, OUTPUT)  # not b: its VJP reads no b
    return Tensor._node(z if forward is None else forward(z), op, inputs, vjp, saved)


def _layer_input(x: Array, weight: Tensor) -> Tensor:
    """A constant array input as a Tensor of the layer's dtype (no upcast)."""
    xd = x if type(x) is np.ndarray else np.asanyarray(x)
    if xd.dtype is not weight.data.dtype and xd.dtype != weight.data.dtype:
        xd = xd.astype(weight.data.dtype)
    return Tensor._leaf(xd)


def mse(pred: Tensor, target: Tensor | Array | Sequence[Any]) -> Tensor:
    """``L = (1/N) sum_n sum_k (pred_nk - target_nk)^2``: squared error summed over the
    outputs, averaged over the N examples (rows; a 1-D ``pred`` is one example).

    dL/dpred = g 2 (pred - target) / N, dL/dtarget = -that. One fused node.

    Raises:
        TypeError: ``pred`` is not a Tensor.
        ValueError: ``target`` has another shape (use one-hot rows for class labels:
            the series' cost compares the 10 outputs with the 10 desired activations).
    """
    if not isinstance(pred, Tensor):
        raise TypeError(f"mse: predictions must be a Tensor, got {type(pred).__name__}")
    p = pred.data
    # Constant targets take the predictions' dtype (no upcast).
    tt = target if isinstance(target, Tensor) else Tensor._leaf(cast(target, p.dtype))
    if tt.shape != p.shape:
        raise ValueError(
            f"mse: predictions of shape {p.shape} and targets of shape {tt.shape} differ "
            "(targets must have the predictions' shape; e.g. one-hot rows for class labels)"
        )
    n = p.shape[0] if p.ndim >= 2 else 1
    flat = (p - tt.data).reshape(-1)
    loss = np.asanyarray((flat @ flat) / n)
    need_target = tt.requires_grad

    def vjp(g: Any, p: Any, t: Any, out: Any) -> tuple[Any, Any]:
        d = (p - t) * (number(g) * (2.0 / n))
        return d, (-d if need_target else None)

    return Tensor._node(loss, "mse", (pred, tt), vjp, saved=(pred, tt))


def cross_entropy(logits: Tensor, labels: Array | Sequence[int] | int) -> Tensor:
    """``L = -(1/N) sum_n log softmax(logits_n)[y_n]``: the mean negative log-likelihood
    of the right classes, from raw scores (logits) of shape (N, C) and int labels (N,).

    Stable (log-sum-exp with the row max subtracted). One fused node:
    dL/dlogits = g (softmax(logits) - onehot(y)) / N. A 1-D ``logits`` with an int
    label is one example.

    Raises:
        TypeError: labels are not integers.
        ValueError: labels of the wrong shape, or outside ``[0, C)``.
    """
    z = logits.data
    y = np.asanyarray(labels).copy()  # a copy: the caller may reuse theirs
    if y.dtype.kind not in "iu":
        raise TypeError(f"cross_entropy: labels must be integers, got dtype {y.dtype}")
    z2 = z.reshape(1, -1) if z.ndim == 1 else z
    y1 = y.reshape(-1) if z.ndim == 1 else y
    if z2.ndim != 2 or y1.shape != (z2.shape[0],):
        raise ValueError(
            f"cross_entropy: logits of shape {z.shape} need labels of shape {z2.shape[:1]}, "
            f"got labels of shape {y.shape}"
        )
    n, c = z2.shape
    if n and (y1.min() < 0 or y1.max() >= c):
        raise ValueError(
            f"cross_entropy: labels must be in [0, {c}), got range [{y1.min()}, {y1.max()}]"
        )
    shifted = z2 - z2.max(axis=1, keepdims=True)
    log_sums = np.log(np.exp(shifted).sum(axis=1))
    loss = np.asanyarray((log_sums.sum() - shifted[np.arange(n), y1].sum()) / n, dtype=z.dtype)
    onehot = (np.arange(c) == y1[:, None]).astype(z.dtype)

    def vjp(g: Any, z: Any, out: Any) -> tuple[Any]:
        return ((softmax(z, -1) - onehot.reshape(z.shape)) * (g / n),)

    return Tensor._node(loss, "cross_entropy", (logits,), vjp, saved=(logits,))
