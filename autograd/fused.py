"""The fused hot-path ops: one graph node each, with its own VJP.

A network's forward pass written op by op (``x @ W.T``, ``+ b``, ``.sigmoid()``, the
loss) makes a node per op; these do the same math as one node, so the backward pass
has less Python bookkeeping per layer. Each is checked against the op-by-op
version in the tests.

* :func:`linear`: ``act(x @ W.T + b)``, a whole layer;
* :func:`mse`: the series' quadratic cost;
* :func:`cross_entropy`: from logits, via log-sum-exp.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from autograd.arrays import Array, _sigmoid, _sigmoid_vjp
from autograd.tensor import VJP, Tensor

__all__ = ["cross_entropy", "linear", "mse"]


def linear(
    x: Tensor | Array,
    weight: Tensor,
    bias: Tensor | None = None,
    activation: str | None = None,
) -> Tensor:
    """``y = x @ W.T + b`` as one node (the affine map of a layer), ``W`` of shape (nout, nin).

    For a batch ``x`` of shape (N, nin): ``dL/dx = g @ W``, ``dL/dW = g.T @ x``,
    ``dL/db = sum over the batch of g``. ``x`` may be a plain ndarray (a constant
    input: no gradient is computed for it; it is converted to the weight's dtype, so
    float64 or uint8 data fed to a float32 layer does not silently make the whole
    network float64). Extra leading dims are allowed.

    With ``activation`` (``"sigmoid"``, ``"relu"`` or ``"tanh"``) the node is the whole
    layer ``y = act(z)``, ``z = x @ W.T + b``. Its backward step first turns
    ``g = dL/dy`` into ``delta = dL/dz = g * act'(z)``, once (the node's ``_pre``, from
    the saved output: ``y (1 - y)``, ``[y > 0]``, ``1 - y^2``), then applies the three
    VJPs above to ``delta``. The same numbers as an activation node after a linear
    node, with half the bookkeeping.
    """
    if type(x) is np.ndarray:
        xt: Tensor | None = None
        xd = x
    elif isinstance(x, Tensor):
        xt = x if x.requires_grad else None  # a constant Tensor input is like an array
        xd = x.data
    else:
        xt = None
        xd = np.asarray(x)
    w = weight.data
    if xd.dtype is not w.dtype and xd.dtype != w.dtype and not isinstance(x, Tensor):
        xd = xd.astype(w.dtype)  # a constant array input takes the layer's dtype (no upcast)
    if xd.ndim == 0 or xd.shape[-1] != w.shape[1]:
        raise ValueError(
            f"linear: input of shape {xd.shape} has {xd.shape[-1] if xd.ndim else 'no'} features, "
            f"but the layer expects {w.shape[1]} (weight shape {w.shape}: (nout, nin))"
        )
    out = xd @ w.T
    if bias is not None:
        out += bias.data

    # Local derivatives (VJPs) of z = x W^T + b, given delta = dL/dz:
    # dL/dW = delta^T x, dL/db = sum_n delta_n, dL/dx = delta W. Called as vjp(d) on
    # arrays (the defaults), or as vjp(d, x, W, b, y) on nodes under create_graph.
    vjp_w: VJP
    vjp_b: VJP
    if xd.ndim == 2:
        vjp_w = lambda d, x=xd, *_: d.T @ x  # noqa: E731
        vjp_b = _sum_rows
    elif xd.ndim == 1:
        vjp_w = lambda d, x=xd, *_: d.reshape(-1, 1) @ x.reshape(1, -1)  # noqa: E731
        vjp_b = lambda d, *_: d * 1  # noqa: E731
    else:
        vjp_w = lambda d, x=xd, *_: d.reshape(-1, d.shape[-1]).T @ x.reshape(-1, x.shape[-1])  # noqa: E731
        vjp_b = lambda d, *_: _sum_rows(d.reshape(-1, d.shape[-1]))  # noqa: E731
    parents: tuple[Tensor, ...]
    vjps: tuple[VJP, ...]
    if xt is None:
        if bias is None:
            parents, vjps = (weight,), (vjp_w,)
        else:
            parents, vjps = (weight, bias), (vjp_w, vjp_b)
    else:
        vjp_x: VJP = lambda d, x=xd, w=w, *_: d @ w  # noqa: E731
        if bias is None:
            parents, vjps = (xt, weight), (vjp_x, vjp_w)
        else:
            parents, vjps = (xt, weight, bias), (vjp_x, vjp_w, vjp_b)
    inputs = (xd if xt is None else xt, weight, bias)  # what the VJPs take, in order

    saved = (weight,) if xt is None else (xt, weight)  # the VJPs read x and W
    if activation is None:
        return Tensor._node(out, "linear", parents, vjps, saved, inputs)
    try:
        op, forward, act_vjp = _FUSED_ACTIVATIONS[activation]
    except KeyError:
        raise ValueError(
            f"linear: unknown activation {activation!r}; choose one of "
            f"{', '.join(_FUSED_ACTIVATIONS)} or None"
        ) from None
    y = forward(out, out)  # y = act(z), in place: out is ours
    node = Tensor._node(y, op, parents, vjps, saved, inputs)
    if node._parents:
        node._pre = lambda g, y=y: act_vjp(g, y)  # delta = dL/dz = g * act'(z)
    return node


def _sum_rows(g: Any, *_: Any) -> Any:
    """``g.sum(axis=0)``; on arrays without the Python-level wrapper of ``ndarray.sum``."""
    if isinstance(g, Tensor):
        return g.sum(axis=0)
    return np.add.reduce(g, axis=0)


def _relu_vjp(g: Any, y: Any) -> Any:
    """``g * [y > 0]`` (y = relu(z): y > 0 exactly where z > 0); the mask is a constant."""
    return g * ((y.data if isinstance(y, Tensor) else y) > 0)


def _tanh_vjp(g: Any, y: Any) -> Any:
    """``g * (1 - y^2)`` with y = tanh(z): one temporary array, or graph ops on Tensors."""
    if isinstance(y, Tensor) or isinstance(g, Tensor):
        return g * (1 - y * y)
    t = np.multiply(y, y)
    np.subtract(1, t, out=t)
    t *= g
    return t


def _relu_inplace(z: Array, out: Array) -> Array:
    return np.maximum(z, 0, out=out)


def _tanh_inplace(z: Array, out: Array) -> Array:
    return np.tanh(z, out=out)


# activation -> (op name of the fused node, forward into ``out``, VJP from (g, saved output)).
_FUSED_ACTIVATIONS: dict[
    str, tuple[str, Callable[[Array, Array], Array], Callable[[Any, Any], Any]]
] = {
    "sigmoid": ("linear+sigmoid", _sigmoid, _sigmoid_vjp),
    "relu": ("linear+relu", _relu_inplace, _relu_vjp),
    "tanh": ("linear+tanh", _tanh_inplace, _tanh_vjp),
}


def mse(pred: Tensor, target: Tensor | Array | Sequence[Any]) -> Tensor:
    """``L = (1/N) sum_n sum_k (pred_nk - target_nk)^2``: squared error summed over the
    outputs, averaged over the N examples (rows; a 1-D ``pred`` is one example).

    ``target`` must have ``pred``'s shape (use one-hot rows for class labels: the
    series' cost compares the 10 outputs with the 10 desired activations).
    dL/dpred = g * 2 (pred - target) / N.  One fused node.
    """
    if not isinstance(pred, Tensor):
        raise TypeError(f"mse: predictions must be a Tensor, got {type(pred).__name__}")
    p = pred.data
    if isinstance(target, Tensor):
        tt: Tensor | None = target
        t = target.data
    else:
        tt = None
        t = target if type(target) is np.ndarray else np.asarray(target, dtype=p.dtype)
    if t.shape != p.shape:
        raise ValueError(
            f"mse: predictions of shape {p.shape} and targets of shape {t.shape} differ "
            "(targets must have the predictions' shape; e.g. one-hot rows for class labels)"
        )
    if t.dtype != p.dtype and tt is None:
        t = t.astype(p.dtype)  # constant targets take the predictions' dtype (no upcast)
    diff = p - t
    n = p.shape[0] if p.ndim >= 2 else 1
    flat = diff.reshape(-1)
    loss = np.array((flat @ flat) / n, dtype=diff.dtype)  # a dot product (np.dot, less overhead)
    scale = 2.0 / n

    # dL/dpred = g 2 (pred - target) / N;  dL/dtarget = -that. On arrays (g 0-d) the
    # saved difference is reused; on nodes (create_graph) it is recomputed as a graph.
    def vjp_pred(g: Any, pr: Any = None, tg: Any = None, *_: Any) -> Any:
        if pr is None:
            return diff * (float(g) * scale)
        return (pr - tg) * (g * scale)

    inputs = (pred, t if tt is None else tt)
    if tt is None:
        return Tensor._node(loss, "mse", (pred,), (vjp_pred,), (), inputs)
    return Tensor._node(
        loss,
        "mse",
        (pred, tt),
        (vjp_pred, lambda g, *args: -vjp_pred(g, *args)),
        (),
        inputs,
    )


def cross_entropy(logits: Tensor, labels: Array | Sequence[int] | int) -> Tensor:
    """``L = -(1/N) sum_n log softmax(logits_n)[y_n]``: the mean negative log-likelihood
    of the right classes, from raw scores (logits) of shape (N, C) and int labels (N,).

    Stable (log-sum-exp with the row max subtracted). One fused node:
    dL/dlogits = g (softmax(logits) - onehot(y)) / N. A 1-D ``logits`` with an int
    label is one example.
    """
    z = logits.data
    y = np.array(labels)  # a copy: the backward pass reads it, the caller may reuse theirs
    if y.dtype.kind not in "iu":
        raise TypeError(f"cross_entropy: labels must be integers, got dtype {y.dtype}")
    single = z.ndim == 1
    z2 = z[None, :] if single else z
    y1 = y.reshape(1) if single else y
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
    rows = np.arange(n)
    shifted = z2 - z2.max(axis=1, keepdims=True)
    e = np.exp(shifted)
    sums = e.sum(axis=1, keepdims=True)
    loss = np.asarray((np.log(sums).sum() - shifted[rows, y1].sum()) / n, dtype=z.dtype)

    def vjp(g: Any, zt: Any = None, *_: Any) -> Any:
        # dL/dz = g (softmax(z) - onehot(y)) / N: in place on arrays, as ops on nodes.
        if zt is None:
            d = e / sums
            d[rows, y1] -= 1
            d *= g / n
            return np.asarray(d.reshape(z.shape))
        onehot = np.zeros(z2.shape, dtype=z.dtype)
        onehot[rows, y1] = 1
        return ((zt.reshape(z2.shape).softmax(axis=1) - onehot) * (g / n)).reshape(z.shape)

    return Tensor._node(loss, "cross_entropy", (logits,), (vjp,))
