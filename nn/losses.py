"""Loss functions: how wrong a network's outputs are, as one number to differentiate.

Both losses take either scalar :class:`~autograd.Value` outputs (the network made
of Values in :mod:`nn.scalar`) or :class:`~autograd.Tensor` outputs (the array
network in :mod:`nn.layers`), and return a single node you can call
``backward()`` on.

Value inputs come in two shapes:

* **one example**: a list of output Values (``mlp(x)``) with a list of target
  floats (``mse``) or an ``int`` class label (``cross_entropy``);
* **several examples**: a list of such lists, with a list of targets / labels.
  The loss is then the mean over the examples.

A list, a tuple or a NumPy array is the same thing everywhere (one example's
outputs may be a 1-D array, several examples' a 2-D one; a label may be a NumPy
int). Labels must be integers (``2.7`` or ``True`` is refused, never truncated)
and in range; targets must be real numbers (bools and strings are refused).

Tensor inputs are ``(batch, outputs)`` arrays; see the Tensor branches below.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from numbers import Integral, Real
from typing import Any

import numpy as np

from autograd import Value
from autograd.fused import cross_entropy as _tensor_cross_entropy
from autograd.fused import mse as _tensor_mse
from autograd.tensor import Tensor

__all__ = ["cross_entropy", "mse"]


def _is_tensor(x: object) -> bool:
    """True for an :class:`autograd.tensor.Tensor` (the batched, fused loss branch)."""
    return isinstance(x, Tensor)


def _as_examples(outputs: Any) -> Any:
    """Plain NumPy outputs as lists: a 1-D array is one example's outputs, a 2-D array
    one row per example (the same as the list spellings). Anything else is unchanged."""
    if isinstance(outputs, np.ndarray):
        if outputs.ndim > 2:
            raise ValueError(
                f"outputs of shape {outputs.shape}: one example is 1-D (k outputs), "
                "several are 2-D (examples, outputs)"
            )
        return outputs.tolist()
    return outputs


def _is_batch(outputs: Sequence[Any]) -> bool:
    """A list of examples (a list of lists) rather than one example's outputs."""
    return len(outputs) > 0 and isinstance(outputs[0], (list, tuple, np.ndarray))


def _as_value_list(outputs: object, what: str) -> list[Value]:
    """One example's outputs as a list of Values (a single Value counts as one output)."""
    if isinstance(outputs, Value):
        return [outputs]
    if isinstance(outputs, np.ndarray) and outputs.ndim <= 1:
        outputs = outputs.reshape(-1).tolist()
    if not isinstance(outputs, (list, tuple)):
        raise TypeError(
            f"{what}: outputs must be a Value, a list of Values (one example) or a list of "
            f"such lists (several examples), got {type(outputs).__name__}"
        )
    return [o if isinstance(o, Value) else Value(o) for o in outputs]


def _check_targets(targets: Any) -> None:
    """Refuse targets that are not real numbers (bools, strings) in both engines: a
    ``True`` is not the float it would silently become."""
    if isinstance(targets, (Value, Tensor)):
        return
    if isinstance(targets, (list, tuple)) and any(isinstance(t, (Value, Tensor)) for t in targets):
        return  # targets that are nodes themselves (checked by the ops)
    try:
        kind = np.asanyarray(targets).dtype.kind
    except ValueError:  # ragged lists: the lengths are checked and named later
        return
    if kind not in "iuf":
        raise TypeError(
            f"mse: targets must be real numbers, got {type(targets).__name__} "
            f"{targets!r:.60} (dtype kind {kind!r}; bools and strings are refused)"
        )


# ---------------------------------------------------------------------------- mse


def mse(outputs: Any, targets: Any) -> Any:
    r"""The series' cost: sum of squared differences, averaged over examples.

    For one example with outputs :math:`a_j` and desired outputs :math:`y_j`,

    .. math::  C_0 = \sum_j (a_j - y_j)^2

    and for :math:`n` examples the cost is the average :math:`C = \frac1n \sum_i C_i`.
    (Note: summed over outputs, *not* averaged over them, as in the series; this
    differs from PyTorch's ``MSELoss``, which also averages over outputs.)

    >>> from autograd import Value
    >>> mse([Value(0.5), Value(1.0)], [1.0, 1.0]).data
    0.25

    Args:
        outputs: a Value or a list of Values (one example), a list of such lists
            (several examples), or a Tensor of shape ``(batch, k)`` or ``(k,)``.
        targets: matching floats: a list (one example) or a list of lists; for a
            Tensor, an array (or Tensor) of the same shape.
    """
    _check_targets(targets)
    if _is_tensor(outputs):
        return _mse_tensor(outputs, targets)
    outputs = _as_examples(outputs)
    if isinstance(outputs, (list, tuple)) and _is_batch(outputs):
        return _mean_over_examples(_mse_one, outputs, targets, "mse", "outputs", "target list")
    return _mse_one(outputs, targets)


def _mse_one(outputs: Any, targets: Any) -> Value:
    """:math:`\\sum_j (a_j - y_j)^2` for one example."""
    outs = _as_value_list(outputs, "mse")
    tgts: list[Any]
    if isinstance(targets, (Value, Real)):
        tgts = [targets]
    elif isinstance(targets, np.ndarray):
        if targets.ndim > 1:
            raise ValueError(
                f"mse: {len(outs)} outputs (one example) but targets of shape {targets.shape}; "
                "for several examples pass a list of per-example output lists, "
                "e.g. [[o] for o in outputs]"
            )
        tgts = [targets.item()] if targets.ndim == 0 else targets.tolist()
    elif isinstance(targets, Sequence) or hasattr(targets, "__len__"):
        tgts = list(targets)
    else:
        raise TypeError(f"mse: targets must be numbers, got {type(targets).__name__}")
    if len(outs) != len(tgts):
        raise ValueError(
            f"mse: {len(outs)} outputs but {len(tgts)} targets; they must match one to one"
        )
    if not outs:
        raise ValueError("mse: no outputs given")
    total: Value | None = None
    for a, y in zip(outs, tgts, strict=True):
        d = a - y
        sq = d * d
        total = sq if total is None else total + sq
    assert total is not None
    return total


def _mse_tensor(outputs: Any, targets: Any) -> Any:
    """Tensor branch of :func:`mse`: one fused node, see :func:`autograd.fused.mse`.

    ``targets`` (an array, list or Tensor) must have the outputs' shape: one-hot rows
    for class labels (the series' cost); int labels are not one-hot encoded for you.
    """
    return _tensor_mse(outputs, targets)


def _mean_over_examples(
    one: Callable[[Any, Any], Value],
    outputs: Sequence[Any],
    targets: Any,
    op: str,
    what: str,
    target: str,
) -> Value:
    """``(1/n) sum_i one(outputs[i], targets[i])``: a per-example loss averaged over examples.

    ``targets`` may be a list, a tuple or a NumPy array (one row or entry per example).
    """
    listlike = isinstance(targets, Sequence) and not isinstance(targets, (str, bytes))
    array = isinstance(targets, np.ndarray) and targets.ndim >= 1
    count = len(targets) if listlike or array else None
    if count != len(outputs):
        got = f"{count} {target}s" if count is not None else f"a {type(targets).__name__}"
        raise ValueError(
            f"{op}: got {len(outputs)} examples of {what} but {got}; pass one {target} per example"
        )
    total = one(outputs[0], targets[0])
    for out, tgt in zip(outputs[1:], targets[1:], strict=True):
        total = total + one(out, tgt)
    return total / len(outputs) if len(outputs) > 1 else total


# -------------------------------------------------------------------- cross_entropy


def cross_entropy(logits: Any, labels: Any) -> Any:
    r"""Softmax cross-entropy from raw scores (logits), averaged over examples.

    For one example with logits :math:`z_1..z_K` and true class :math:`y`,

    .. math::  L = -\log \operatorname{softmax}(z)_y
               = \log \sum_k e^{z_k} - z_y

    computed stably as :math:`\log\sum_k e^{z_k - m} - (z_y - m)` with
    :math:`m = \max_k z_k` (every exponent is :math:`\le 0`, so nothing
    overflows, and no large :math:`m` is added and subtracted again; :math:`m` is a
    constant, which does not change the gradient
    :math:`\partial L/\partial z_k = \operatorname{softmax}(z)_k - [k = y]`).

    >>> from autograd import Value
    >>> round(cross_entropy([Value(0.0), Value(0.0)], 1).data, 6)  # log 2
    0.693147

    Args:
        logits: a list of Values (one example), a list of such lists (several
            examples), or a Tensor of shape ``(batch, K)``.
        labels: an ``int`` class index (one example), a list of ints, or for a
            Tensor an integer array of shape ``(batch,)``.
    """
    if _is_tensor(logits):
        return _cross_entropy_tensor(logits, labels)
    logits = _as_examples(logits)
    if isinstance(logits, (list, tuple)) and _is_batch(logits):
        return _mean_over_examples(
            _cross_entropy_one, logits, labels, "cross_entropy", "logits", "int label"
        )
    return _cross_entropy_one(logits, labels)


def _cross_entropy_one(logits: Any, label: Any) -> Value:
    zs = _as_value_list(logits, "cross_entropy")
    if isinstance(label, np.ndarray) and label.ndim == 0 and label.dtype.kind in "iu":
        label = int(label)
    if isinstance(label, bool) or not isinstance(label, Integral):
        raise TypeError(
            f"cross_entropy: a label must be an int class index, got {type(label).__name__}: "
            f"{label!r}"
        )
    y = int(label)
    if not 0 <= y < len(zs):
        raise ValueError(
            f"cross_entropy: label {y} is out of range for {len(zs)} classes (0..{len(zs) - 1})"
        )
    m = max(z.data for z in zs)
    total: Value | None = None
    for z in zs:
        e = (z - m).exp()
        total = e if total is None else total + e
    assert total is not None
    # log(sum) - (z_y - m), not log(sum) + m - z_y: the shifted logit z_y - m is
    # exact when z_y is near m, so 1e16-sized logits do not cancel to 0.
    return total.log() - (zs[y] - m)


def _cross_entropy_tensor(logits: Any, labels: Any) -> Any:
    """Tensor branch of :func:`cross_entropy`: one fused, stable node, see
    :func:`autograd.fused.cross_entropy` (``(batch, K)`` logits, int labels ``(batch,)``).
    """
    return _tensor_cross_entropy(logits, labels)
