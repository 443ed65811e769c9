"""Derivatives as functions: ``grad``, ``value_and_grad``, ``hessian``, ``hvp``.

``backward()`` answers "what is dL/dx for every x in this graph, right now?" and
leaves the answers in ``.grad``. The functions here answer the question the math
asks, "what is the function f'?", in the style of HIPS autograd and JAX::

    from autograd import grad
    f = lambda x: x.tanh()
    df = grad(f)          # x -> f'(x)
    d2f = grad(df)        # x -> f''(x)
    d2f(0.5).item()       # -2 tanh(0.5) (1 - tanh(0.5)^2) = -0.7233...

Every derivative is computed with ``create_graph=True``, so what ``grad`` returns is
itself a graph node, and another ``grad`` can differentiate it. They are pure: the
arguments' ``.grad`` is never read or changed (every ``.grad`` the pass touches is
put back), so they can be used in the middle of a training step.

Arguments may be numbers or Values (f then gets Values), or arrays or Tensors (f
gets Tensors); ``f`` must return a scalar: a ``Value`` or a one-element ``Tensor``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from numbers import Real
from typing import Any

import numpy as np

from autograd import backprop, grad_mode
from autograd.tensor import Tensor
from autograd.value import Value

__all__ = ["grad", "hessian", "hvp", "value_and_grad"]

Function = Callable[..., Any]


def grad(f: Function, argnums: int | Sequence[int] = 0) -> Function:
    """The function ``x -> df/dx``: the gradient of ``f`` with respect to argument ``argnums``.

    ``grad(f)(*args)`` has the type and shape of ``args[argnums]``: a ``Value`` for a
    number or Value, a ``Tensor`` of the same shape for an array or Tensor (a tuple
    of them for a tuple ``argnums``). The result is a graph node, so ``grad(grad(f))``
    is the second derivative, and ``.item()`` of a Value result is a number.
    A function that does not depend on the argument has gradient 0.

    >>> from autograd import grad
    >>> grad(lambda x: x * x * x)(2.0).item()        # 3 x^2
    12.0
    >>> grad(grad(lambda x: x * x * x))(2.0).item()  # 6 x
    12.0
    """
    value_grad = value_and_grad(f, argnums)

    def df(*args: Any) -> Any:
        return value_grad(*args)[1]

    df.__name__ = f"grad({getattr(f, '__name__', 'f')})"
    df.__doc__ = f"The gradient of {getattr(f, '__name__', 'f')} in argument(s) {argnums}."
    return df


def value_and_grad(f: Function, argnums: int | Sequence[int] = 0) -> Function:
    """The function ``args -> (f(*args), grad(f, argnums)(*args))``, from one forward pass.

    >>> from autograd import value_and_grad
    >>> y, dy = value_and_grad(lambda x, w: (w * x).tanh(), argnums=(0, 1))(1.0, 0.5)
    >>> round(y.item(), 6), [round(g.item(), 6) for g in dy]
    (0.462117, [0.39322, 0.786448])
    """
    nums = (argnums,) if isinstance(argnums, int) else tuple(argnums)
    many = not isinstance(argnums, int)

    def value_grad(*args: Any) -> tuple[Any, Any]:
        for k in nums:
            if not -len(args) <= k < len(args):
                raise IndexError(
                    f"grad: argnums {k} is out of range for a function called with "
                    f"{len(args)} argument(s)"
                )
        call = list(args)
        for k in nums:
            call[k] = _as_node(args[k], k)
        wrt = [call[k] for k in nums]
        with grad_mode.enable_grad():
            out = f(*call)
        grads = gradients(out, wrt)
        return out, (tuple(grads) if many else grads[0])

    return value_grad


def hessian(f: Function) -> Callable[..., np.ndarray[Any, np.dtype[np.float64]]]:
    """The function ``args -> H``, the matrix of second derivatives of ``f``, as float64.

    * ``n`` scalar arguments (numbers or Values): ``H`` has shape ``(n, n)``,
      ``H[i, j] = d^2 f / (dx_i dx_j)``;
    * one array argument of shape ``s``: ``H`` has shape ``s + s``,
      ``H[i..., j...] = d^2 f / (dx[i...] dx[j...])``.

    Computed row by row: one backward pass for the gradient (with its graph), then
    one per entry of it. ``H`` is symmetric for a twice continuously differentiable f.
    """

    def hess(*args: Any) -> np.ndarray[Any, np.dtype[np.float64]]:
        if not args:
            raise TypeError("hessian: the function needs at least one argument")
        arrays = [a for a in args if isinstance(a, (Tensor, np.ndarray, list, tuple))]
        if arrays and len(args) != 1:
            raise TypeError(
                "hessian: takes either scalar arguments or one array argument, "
                f"got {len(args)} arguments of which {len(arrays)} are arrays"
            )
        xs = [_as_node(a, k) for k, a in enumerate(args)]
        with grad_mode.enable_grad():
            out = f(*xs)
        gs = gradients(out, xs)
        if arrays:  # one array x: row H[i...] is the gradient of gs[0][i...]
            h = np.zeros(xs[0].shape * 2)
            for idx in np.ndindex(*xs[0].shape):
                h[idx] = gradients(gs[0][idx], xs)[0].data
            return h
        return np.array([[d.data for d in gradients(gi, xs)] for gi in gs])

    return hess


def hvp(f: Function, x: Any, v: Any) -> Any:
    """The Hessian of ``f`` at ``x`` times the vector ``v``, without forming the Hessian.

    ``H v = d/dx (grad f(x) . v)``: the gradient of the scalar "first gradient dotted
    with v", two backward passes whatever the size of x (the Hessian of n numbers
    would take n + 1). ``x``: a number or Value (then ``v`` is a number), or an array
    or Tensor (``v`` an array of the same shape). Returns a Value or a Tensor of
    ``x``'s shape.

    >>> import numpy as np
    >>> from autograd import hvp
    >>> hvp(lambda x: (x * x * x).sum(), np.array([1.0, 2.0]), np.array([1.0, 1.0])).data
    array([ 6., 12.])
    """
    node = _as_node(x, 0)
    with grad_mode.enable_grad():
        out = f(node)
    g = gradients(out, [node])[0]
    if isinstance(node, Tensor):
        vd = np.asarray(v.data if isinstance(v, Tensor) else v, dtype=node.dtype)
        if vd.shape != node.shape:
            raise ValueError(f"hvp: v has shape {vd.shape} but x has shape {node.shape}")
        with grad_mode.enable_grad():
            gv = (g * vd).sum()
    else:
        with grad_mode.enable_grad():
            gv = g * (v.data if isinstance(v, Value) else float(v))
    return gradients(gv, [node])[0]


# ---------------------------------------------------------------- helpers


def _as_node(a: Any, k: int) -> Any:
    """An argument as a **new** node, the variable: a node ``a`` becomes ``a + 0``, so other
    uses of ``a`` (captured by ``f``, another argument, an enclosing ``grad``'s variable) do
    not add to the derivative ("perturbation confusion"), while an enclosing grad sees a."""
    if isinstance(a, Value) or (isinstance(a, Tensor) and a.requires_grad):
        with grad_mode.enable_grad():
            return a + 0.0
    if isinstance(a, Tensor):
        return Tensor(a.data, requires_grad=True)
    if isinstance(a, (np.ndarray, list, tuple)):
        return Tensor(a, requires_grad=True)
    if isinstance(a, Real):
        return Value(a)  # type: ignore[arg-type]  # Value() rejects bools, nan and inf
    raise TypeError(
        f"grad: argument {k} must be a number, Value, array or Tensor to differentiate "
        f"with respect to it, got {type(a).__name__}"
    )


def gradients(out: Any, wrt: list[Any]) -> list[Any]:
    """``d out / d w`` for each node ``w`` in ``wrt``, as graph nodes; every ``.grad`` restored."""
    if isinstance(out, Tensor):
        if out.size != 1:
            raise ValueError(
                f"grad: f must return a scalar, got a Tensor of shape {out.shape} "
                "(reduce it, e.g. with .sum())"
            )
        if not out.requires_grad:  # f does not depend on anything we differentiate
            return [_zeros(w) for w in wrt]
        seed: Any = Tensor(np.ones_like(out.data))
    elif isinstance(out, Value):
        seed = Value(1.0)
    else:
        raise TypeError(
            f"grad: f must return a Value or a one-element Tensor, got {type(out).__name__}"
        )
    order = backprop.topological_order(out)
    saved = [(node, node.grad) for node in order] + [(w, w.grad) for w in wrt]
    try:
        for node, _ in saved:
            node.grad = None  # leaves start from nothing: no accumulation into them
        backprop.backward(out, seed, None, create_graph=True)
        return [_zeros(w) if w.grad is None else w.grad for w in wrt]
    finally:
        for node, g in saved:
            node.grad = g


def _zeros(w: Any) -> Any:
    """A zero gradient for ``w`` (f does not depend on it): 0 has no derivative either."""
    if isinstance(w, Tensor):
        return Tensor(np.zeros_like(w.data))
    return Value(0.0)
