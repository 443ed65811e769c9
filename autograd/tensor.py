"""``Tensor``: the :class:`~autograd.Value` design over NumPy arrays.

Every op below is its **forward** line followed by its **VJP** (vector-Jacobian
product), ``vjp(g, *inputs, out) -> dL/d each input`` with ``g = dL/d out``: the
Jacobian of an array op is far too big to store (a 32x784 batch through a 784x100
layer has a 2.5-billion-entry one), so a Tensor stores the product with it.

The walk (:mod:`autograd.backprop`, shared with Value) calls a VJP on the arrays
for ``backward()`` and on the Tensors (recording) for ``create_graph=True``; each is
written with operators and helpers that take either, so it is written once.
An operand NumPy broadcast (a bias ``(10,)`` added to a batch ``(32, 10)``) was used
32 times: its gradient is the sum of the 32 rows (:func:`~autograd.arrays.unbroadcast`).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Sequence
from functools import partialmethod
from numbers import Real
from operator import attrgetter
from typing import Any, ClassVar, Union

import numpy as np

from autograd import backprop, grad_mode
from autograd.arrays import (
    Array,
    broadcast_op,
    broadcast_shapes,
    cast,
    check_matmul,
    entries,
    expand,
    first_bad,
    float_array,
    normalize_axis,
    sigmoid,
    unbroadcast,
)
from autograd.domain import check_pow
from autograd.number_protocols import array_comparison, numpy_function, numpy_ufunc
from autograd.pickling import picklable_state

__all__ = ["OUTPUT", "Tensor"]

# vjp(g, *inputs, out) -> one gradient per input (None: not needed); arrays or Tensors.
VJP = Callable[..., tuple[Any, ...]]
Operand = Union["Tensor", int, float, np.ndarray, Sequence[Any]]


class Tensor:
    """An array node in a computation graph (the array version of :class:`~autograd.Value`).

    >>> w = Tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    >>> y = (w @ Tensor([1.0, -1.0])).sum()   # y = sum_i sum_j w_ij x_j
    >>> y.backward()                          # dy/dw_ij = x_j
    >>> w.grad
    array([[ 1., -1.],
           [ 1., -1.]])

    Attributes:
        data: the ``numpy.ndarray`` this node holds (float32 or float64).
        grad: ``dL/d(this node)`` after ``backward()`` (an array of ``data``'s shape
            and dtype), or ``None`` before any gradient has reached it.
        requires_grad: whether gradients flow to (and are recorded for) this node.
        label: an optional name, shown in ``repr`` and in graph pictures.

    float32 stays float32, integers become float64 (unless ``dtype``), anything else
    is a ``TypeError``. ``Tensor(x)`` copies ``x``; an ndarray given to an op is used in
    place, and ``backward()`` refuses data written in place since the forward pass
    (``docs/refuses.md``). Python numbers are "weak" (``float32 * 2.0`` is float32);
    Tensors follow NumPy's promotion, each gradient in its operand's dtype.
    """

    __slots__ = (
        "__weakref__",
        "_clock",
        "_inputs",
        "_op",
        "_parents",
        "_saved",
        "_version",
        "_vjp",
        "data",
        "grad",
        "label",
        "requires_grad",
    )

    def __init__(
        self, data: object, requires_grad: bool = False, dtype: Any = None, label: str = ""
    ) -> None:
        self.data: Array = float_array(data.data if isinstance(data, Tensor) else data, dtype)
        self.grad: Any = None  # an array; a Tensor after backward(create_graph=True)
        self.requires_grad: bool = bool(requires_grad)
        self.label = label
        self._parents: tuple[Tensor, ...] = ()
        self._inputs: tuple[Tensor, ...] = ()
        self._vjp: VJP | None = None
        self._clock: int | None = None
        self._saved: Saved = ()
        self._op = ""
        self._version = [0]

    @staticmethod
    def _node(
        data: Array, op: str, inputs: tuple[Tensor, ...], vjp: VJP, saved: Saved = ()
    ) -> Tensor:
        """The result of an op: ``data`` plus, when grad is on, how to differentiate it.

        ``inputs`` are the op's operands, in the order ``vjp`` takes them; the
        parents are those that require grad. ``saved``: the inputs whose numbers the
        VJP reads (``OUTPUT``: its own result), which ``backward()`` checks were not
        written in place since: that is an error, not a wrong gradient.
        """
        if grad_mode._all_on or grad_mode._mode.enabled:
            for x in inputs:
                if not x.requires_grad:
                    parents = tuple([x for x in inputs if x.requires_grad])
                    break
            else:
                parents = inputs  # the usual case: every input needs its gradient
            if parents:
                out = Tensor.__new__(Tensor)
                out.data = data
                out.grad = None
                out.label = ""
                out._version = [0]
                out.requires_grad = True
                out._parents = parents
                out._inputs = inputs
                out._vjp = vjp
                out._saved = saved
                out._clock = _writes[0] if saved else None
                out._op = op
                return out
        return Tensor._leaf(data)  # a constant: nothing to record

    # ---------------------------------------------------------------- ops
    # Each op: the forward array, then vjp(g, *inputs, out) -> dL/d each input.

    def __add__(self, other: Operand) -> Tensor:
        """``a + b``;  dL/da = g, dL/db = g (each summed back to its shape)."""
        o = _operand(self, other, "add")
        out = broadcast_op(np.add, self.data, o.data, "add", "+")
        need_a, need_b = self.requires_grad, o.requires_grad  # a constant needs no gradient
        vjp: VJP = lambda g, a, b, out: (  # noqa: E731
            unbroadcast(g, a.shape) if need_a else None,
            unbroadcast(g, b.shape) if need_b else None,
        )
        return Tensor._node(out, "+", (self, o), vjp)

    def __sub__(self, other: Operand) -> Tensor:
        """``a - b``;  dL/da = g, dL/db = -g."""
        o = _operand(self, other, "sub")
        out = broadcast_op(np.subtract, self.data, o.data, "sub", "-")
        need_a, need_b = self.requires_grad, o.requires_grad  # a constant needs no gradient
        vjp: VJP = lambda g, a, b, out: (  # noqa: E731
            unbroadcast(g, a.shape) if need_a else None,
            unbroadcast(-g, b.shape) if need_b else None,
        )
        return Tensor._node(out, "-", (self, o), vjp)

    def __mul__(self, other: Operand) -> Tensor:
        """``a * b`` (elementwise);  dL/da = g b, dL/db = g a."""
        o = _operand(self, other, "mul")
        out = broadcast_op(np.multiply, self.data, o.data, "mul", "*")
        need_a, need_b = self.requires_grad, o.requires_grad  # a constant needs no gradient
        vjp: VJP = lambda g, a, b, out: (  # noqa: E731
            unbroadcast(_times(g, b), a.shape) if need_a else None,
            unbroadcast(_times(g, a), b.shape) if need_b else None,
        )
        return Tensor._node(out, "*", (self, o), vjp, saved=(self, o))

    def __truediv__(self, other: Operand) -> Tensor:
        """``a / b``;  dL/da = g / b, dL/db = -g a / b² = -g out / b.  No zero in ``b``."""
        o = _operand(self, other, "div")
        _check_divisor(self.data, o.data)
        out = broadcast_op(np.divide, self.data, o.data, "div", "/")
        need_a, need_b = self.requires_grad, o.requires_grad  # a constant needs no gradient
        vjp: VJP = lambda g, a, b, out: (  # noqa: E731
            unbroadcast(g / b, a.shape) if need_a else None,
            unbroadcast(_times(-g, out) / b, b.shape) if need_b else None,
        )
        return Tensor._node(out, "/", (self, o), vjp, saved=(o, OUTPUT))

    def __pow__(self, other: Operand) -> Tensor:
        """``a ** n``;  dL/da = g n a^(n-1), and for a Tensor exponent dL/dn = g a^n ln a.

        The domain is :func:`autograd.domain.check_pow`'s, the same as a Value's,
        whatever the spelling (number, array or Tensor exponent; ``2 ** t``).
        """
        recording = grad_mode.is_grad_enabled()
        if isinstance(other, (Tensor, np.ndarray, list, tuple)):  # an array exponent
            o = _operand(self, other, "pow")
            broadcast_shapes(self.shape, o.shape, "pow", "**")
            need_a, need_n = self.requires_grad and recording, o.requires_grad and recording
            check_pow(self.data, o.data, need_a, need_n)
            out = np.asanyarray(np.power(self.data, o.data))
            return Tensor._node(
                out,
                "**",
                (self, o),
                lambda g, a, n, out: (
                    unbroadcast(_times(g, _dpow(a, n, out)), a.shape) if need_a else None,
                    unbroadcast(_times(g, out * _log(a)), n.shape) if need_n else None,
                ),
                saved=(self, o, OUTPUT),
            )
        if isinstance(other, bool) or not isinstance(other, (Real, np.number)):
            raise TypeError(
                f"pow: exponent must be a number or a Tensor, got {type(other).__name__}"
            )
        n = float(other)
        check_pow(self.data, n, self.requires_grad and recording, False)
        k = int(n) if n.is_integer() else n  # a**2 squares exactly, as NumPy's int power does
        out = np.asanyarray(self.data**k)
        vjp: VJP = lambda g, a, out: (_times(g, _dpow(a, k, out)),)  # noqa: E731
        return Tensor._node(out, f"**{k}", (self,), vjp, saved=(self, OUTPUT))

    def __neg__(self) -> Tensor:
        """``-a``;  dL/da = -g."""
        return Tensor._node(np.asanyarray(-self.data), "neg", (self,), lambda g, a, out: (-g,))

    # Reflected forms: a number or an array (or, for a subclass, a Tensor) on the left.
    def _reflected(self, other: Operand, name: str, op: Callable[..., Tensor]) -> Tensor:
        return op(_operand(self, other, name), self)

    __radd__ = partialmethod(_reflected, name="add", op=__add__)
    __rsub__ = partialmethod(_reflected, name="sub", op=__sub__)
    __rmul__ = partialmethod(_reflected, name="mul", op=__mul__)
    __rtruediv__ = partialmethod(_reflected, name="div", op=__truediv__)
    __rpow__ = partialmethod(_reflected, name="pow", op=__pow__)

    def __matmul__(self, other: Operand) -> Tensor:
        """``a @ b`` (1-D, 2-D, or batched with broadcasting batch dims).

        For 2-D: dL/da = g @ bᵀ, dL/db = aᵀ @ g. A 1-D operand is a row (left) or a
        column (right), its extra axis dropped again, as in NumPy.
        """
        o = _operand(self, other, "matmul")
        check_matmul(self.shape, o.shape)
        shape_a = (1, self.shape[0]) if self.ndim == 1 else self.shape  # a row
        shape_b = (o.shape[0], 1) if o.ndim == 1 else o.shape  # a column
        shape_out = (*np.broadcast_shapes(shape_a[:-2], shape_b[:-2]), shape_a[-2], shape_b[-1])
        need_a, need_b = self.requires_grad, o.requires_grad  # a constant costs no product

        def vjp(g: Any, a: Any, b: Any, out: Any) -> tuple[Any, Any]:
            g, a2, b2 = g.reshape(shape_out), a.reshape(shape_a), b.reshape(shape_b)
            ga = unbroadcast(g @ _mT(b2), shape_a).reshape(a.shape) if need_a else None
            gb = unbroadcast(_mT(a2) @ g, shape_b).reshape(b.shape) if need_b else None
            return ga, gb

        out = np.asanyarray(self.data @ o.data)
        return Tensor._node(out, "matmul", (self, o), vjp, saved=(self, o))

    __rmatmul__ = partialmethod(_reflected, name="matmul", op=__matmul__)

    # ---------------------------------------------------------- reductions

    def sum(self, axis: int | Sequence[int] | None = None, keepdims: bool = False) -> Tensor:
        """Sum over ``axis`` (all by default);  dL/da = g spread back over the summed axes."""
        axes = normalize_axis(axis, self.data.ndim, "sum")
        # np.add.reduce is what a.sum() calls, without the Python-level wrapper in between.
        out = np.asanyarray(np.add.reduce(self.data, axis=axes, keepdims=keepdims))  # type: ignore[call-overload]
        return Tensor._node(
            out,
            "sum",
            (self,),
            lambda g, a, out: (_broadcast_to(expand(g, axes, keepdims), a.shape),),
        )

    def mean(self, axis: int | Sequence[int] | None = None, keepdims: bool = False) -> Tensor:
        """Mean over ``axis``;  dL/da = g / n spread back (n = number of entries averaged)."""
        axes = normalize_axis(axis, self.ndim, "mean")
        n = int(np.prod([self.shape[ax] for ax in axes]))
        if n == 0:
            raise ValueError(f"mean: no entries to average over axis {axis} of shape {self.shape}")
        return self.sum(axis, keepdims) / n

    def max(self, axis: int | Sequence[int] | None = None, keepdims: bool = False) -> Tensor:
        """Max over ``axis``;  dL/da = g at the maximal entries (split evenly between ties).

        Each of ``c`` tied maxima gets ``g / c`` (as ``torch.amax``). The derivative
        is piecewise constant in ``a``, so its own derivative is 0.
        """
        axes = normalize_axis(axis, self.ndim, "max")
        if self.size == 0:
            raise ValueError(f"max: empty tensor of shape {self.shape} has no maximum")
        out = np.asanyarray(self.data.max(axis=axes, keepdims=keepdims))

        def vjp(g: Any, a: Any, out: Any) -> tuple[Any]:
            mask = np.asanyarray(_data(a) == expand(_data(out), axes, keepdims))  # a constant
            return (_select(mask, expand(g, axes, keepdims) / mask.sum(axis=axes, keepdims=True)),)

        return Tensor._node(out, "max", (self,), vjp, saved=(self, OUTPUT))

    # ----------------------------------------------------------- reshaping

    def reshape(self, *shape: int | Sequence[int]) -> Tensor:
        """Same entries, new shape (a view of ``data``);  dL/da = g reshaped back."""
        new = shape[0] if len(shape) == 1 and not isinstance(shape[0], (int, np.integer)) else shape
        try:
            out = self.data.reshape(new)
        except (ValueError, TypeError):
            raise ValueError(
                f"reshape: cannot reshape a tensor of shape {self.shape} ({self.size} entries) "
                f"into shape {tuple(new)}"
            ) from None
        node = Tensor._node(out, "reshape", (self,), lambda g, a, out: (g.reshape(a.shape),))
        return self._view(node)

    def transpose(self, *axes: int) -> Tensor:
        """Permute axes (reverse them by default; a view);  dL/da = g, inversely permuted."""
        perm = tuple(axes[0]) if len(axes) == 1 and not isinstance(axes[0], int) else axes
        perm = perm or tuple(reversed(range(self.ndim)))
        if sorted(int(p) % max(self.ndim, 1) for p in perm) != list(range(self.ndim)):
            raise ValueError(f"transpose: {perm} is not a permutation of the axes of {self.shape}")
        inverse = tuple(int(i) for i in np.argsort([int(p) % self.ndim for p in perm]))
        out = self.data.transpose(perm)
        node = Tensor._node(out, "transpose", (self,), lambda g, a, out: (g.transpose(inverse),))
        return self._view(node)

    @property
    def T(self) -> Tensor:
        """All axes reversed (the matrix transpose for 2-D)."""
        return self.transpose()

    def __getitem__(self, index: Any) -> Tensor:
        """Indexing and slicing as in NumPy;  dL/da = g added into zeros at ``index``.

        Repeated indices (``t[[0, 0]]``) accumulate. Basic indexing (ints, slices)
        gives a view that shares ``data`` (and its version) with the input.
        """
        idx = _index(index)
        try:
            out = np.asanyarray(self.data[idx])
        except IndexError as err:
            raise IndexError(
                f"index {index!r} into a tensor of shape {self.shape}: {err}"
            ) from None
        basic = _is_basic(idx)
        node = Tensor._node(
            out, "getitem", (self,), lambda g, a, out: (_scatter(g, a, idx, basic),)
        )
        return self._view(node) if basic else node

    # ---------------------------------------------------- elementwise math

    def exp(self) -> Tensor:
        """``e^a``;  dL/da = g e^a = g out.

        An entry too large for the dtype (``e^a`` of ``a`` above ~709.78 for float64,
        ~88.72 for float32) raises ``OverflowError`` instead of giving ``inf``.
        """
        with np.errstate(over="ignore"):
            out = np.asanyarray(np.exp(self.data))
        _check_overflow(self.data, out)
        return Tensor._node(out, "exp", (self,), lambda g, a, out: (g * out,), saved=(OUTPUT,))

    def log(self) -> Tensor:
        """``ln a``;  dL/da = g / a.  Every entry must be positive."""
        a = self.data
        bad = a <= 0
        if bad.any():
            count, idx = first_bad(bad)
            where = "" if a.size == 1 else f"; {entries(count, 'such', bad, idx)}"
            raise ValueError(
                f"log: log({float(a[idx])!r}) is undefined; log needs a positive input{where}"
            )
        out = np.asanyarray(np.log(a))
        return Tensor._node(out, "log", (self,), lambda g, a, out: (g / a,), saved=(self,))

    def abs(self) -> Tensor:
        """``|a|``;  dL/da = g sign(a): g where a > 0, -g where a < 0, and 0 at a = 0
        (our choice at the kink, as PyTorch's). sign is a step: abs'' = 0. ``abs(t)`` too.
        """
        sign = np.sign(self.data)
        vjp: VJP = lambda g, a, out: (_times(g, sign),)  # noqa: E731
        return Tensor._node(np.asanyarray(np.abs(self.data)), "abs", (self,), vjp)

    __abs__ = abs

    def sqrt(self) -> Tensor:
        """``√a``, which is ``a ** 0.5``: dL/da = g / (2 √a), with pow's domain (no
        negative entry; an entry 0 only where no gradient is needed: √'(0) is infinite)."""
        return self**0.5

    def clip(self, min: float | None = None, max: float | None = None) -> Tensor:
        """Entries below ``min`` set to ``min``, above ``max`` to ``max`` (NumPy's ``clip``,
        PyTorch's ``clamp``); dL/da = g where min <= a <= max (bounds included, as in
        PyTorch), else 0. The derivative is a step: clip'' = 0.

        Raises:
            TypeError: a bound is not a real number (or ``None``: no bound).
            ValueError: no bound at all, or ``min > max``.
        """
        lo, hi = (_bound(b, name) for b, name in ((min, "min"), (max, "max")))
        if lo is None and hi is None:
            raise ValueError("clip: give min, max or both (None means no bound on that side)")
        if lo is not None and hi is not None and lo > hi:
            raise ValueError(f"clip: min {lo!r} is larger than max {hi!r}")
        a = self.data
        inside = (a >= (-np.inf if lo is None else lo)) & (a <= (np.inf if hi is None else hi))
        out = np.asanyarray(np.clip(a, lo, hi), a.dtype)
        return Tensor._node(out, "clip", (self,), lambda g, a, out: (_select(inside, g),))

    # The activations: a forward on an array, and the VJP written with the output
    # y = act(a): g -> g act'(a), on arrays or Tensors. The methods below and the fused
    # layer (autograd.fused.linear) read them here.
    ACTIVATIONS: ClassVar[dict[str, tuple[Callable[[Array], Array], Callable[..., Any]]]] = {
        "sigmoid": (sigmoid, lambda g, y: g * (y * (1 - y))),  # σ' = σ (1 - σ)
        "relu": (lambda a: np.maximum(a, 0), lambda g, y: _select(_data(y) > 0, g)),  # step
        "tanh": (np.tanh, lambda g, y: g * (1 - y * y)),  # tanh' = 1 - tanh²
    }

    def tanh(self) -> Tensor:
        """``tanh a``;  dL/da = g (1 - tanh² a) = g (1 - out²)."""
        return self._activation("tanh")

    def sigmoid(self) -> Tensor:
        """``σ(a) = 1 / (1 + e^-a)``;  dL/da = g σ (1 - σ) = g out (1 - out).

        Nothing overflows for any input (see :func:`autograd.arrays.sigmoid`):
        ``sigmoid(1000)`` is exactly 1.
        """
        return self._activation("sigmoid")

    def relu(self) -> Tensor:
        """``max(0, a)``;  dL/da = g where a > 0, else 0 (0 at a = 0, as for Value)."""
        return self._activation("relu")

    def _activation(self, name: str) -> Tensor:
        """``act(a)`` with the forward and derivative of ``ACTIVATIONS[name]``."""
        forward, derivative = Tensor.ACTIVATIONS[name]
        out = np.asanyarray(forward(self.data))
        vjp: VJP = lambda g, a, out: (derivative(g, out),)  # noqa: E731
        return Tensor._node(out, name, (self,), vjp, saved=(OUTPUT,))

    def softmax(self, axis: int = -1) -> Tensor:
        """``s_i = e^(a_i) / sum_j e^(a_j)`` along ``axis`` (max subtracted: no overflow);
        dL/da = s (g - sum(g s)).
        """
        (ax,) = normalize_axis(axis, self.ndim, "softmax")
        out = softmax(self.data, ax)
        return Tensor._node(
            out,
            "softmax",
            (self,),
            lambda g, a, s: (s * (g - (g * s).sum(axis=ax, keepdims=True)),),
            saved=(OUTPUT,),
        )

    def log_softmax(self, axis: int = -1) -> Tensor:
        """``a_i - log sum_j e^(a_j)`` (log-sum-exp, max subtracted: stable);
        dL/da = g - softmax(a) sum(g).
        """
        (ax,) = normalize_axis(axis, self.ndim, "log_softmax")
        shifted = self.data - np.maximum.reduce(self.data, axis=ax, keepdims=True)
        out = shifted - np.log(np.add.reduce(np.exp(shifted), axis=ax, keepdims=True))
        return Tensor._node(
            out,
            "log_softmax",
            (self,),
            lambda g, a, out: (g - _exp(out) * g.sum(axis=ax, keepdims=True),),
            saved=(OUTPUT,),
        )

    # ---------------------------------------------------------- backward

    def _propagate(self) -> None:
        """The chain rule for this node: ``x.grad += vjp(g)`` for each input ``x`` needing it.

        The VJP runs on the arrays. A leaf's first gradient is an array of its own (a
        copy where the VJP handed back one that another node holds); later ones are
        added without writing into any existing array.
        """
        g = self.grad
        if g is None:
            return
        inputs, clock = self._inputs, self._clock
        if clock is not None and _writes[0] > clock:  # its VJP reads data; writes happened since
            self._check_versions()
        vjp, out = self._vjp, self.data
        # Positional calls for the usual arities: a call with *args costs more.
        if len(inputs) == 1:
            grads = vjp(g, inputs[0].data, out)  # type: ignore[misc]
        elif len(inputs) == 2:
            grads = vjp(g, inputs[0].data, inputs[1].data, out)  # type: ignore[misc]
        elif len(inputs) == 3:
            grads = vjp(g, inputs[0].data, inputs[1].data, inputs[2].data, out)  # type: ignore[misc]
        else:
            grads = vjp(g, *map(_DATA, inputs), out)  # type: ignore[misc]
        for x, c in zip(inputs, grads):  # noqa: B905 (same length)
            if c is None or not x.requires_grad:
                continue
            if type(c) is not np.ndarray or c.dtype is not x.data.dtype:
                c = cast(c, x.data.dtype)  # 0-d results, mixed dtypes
            if x.grad is not None:
                x.grad = np.asanyarray(x.grad + c)
            elif x._parents or (c.base is None and c is not g):
                x.grad = c
            else:
                x.grad = c.copy()

    def _propagate_graph(self) -> None:
        """The same chain rule with the VJP run on the Tensors: ``create_graph=True``.

        The gradients it leaves are Tensors recorded in a graph, so they can be
        differentiated again.
        """
        g = self.grad
        if g is None:
            return
        if self._clock is not None and _writes[0] > self._clock:
            self._check_versions()
        grads = self._vjp(g, *self._inputs, self)  # type: ignore[misc]
        for x, c in zip(self._inputs, grads):  # noqa: B905 (same length)
            if c is not None and x.requires_grad:
                if c.data.dtype != x.data.dtype:  # as _propagate: each gradient in x's dtype
                    c = _astype(c, x.data.dtype)
                x.grad = c if x.grad is None else x.grad + c

    def _check_versions(self) -> None:
        """Refuse to differentiate through data the VJP reads that was written in place
        since this node was made (its own too, through a view such as ``detach()``)."""
        for x in self._saved:
            t = self if x is OUTPUT else x
            if t._version[0] > self._clock:  # type: ignore[operator]
                raise _modified_error(self, t)

    def backward(self, grad: object = None, create_graph: bool = False) -> None:
        """Fill ``.grad`` of every node this one depends on with ``d self / d node``.

        On a one-element tensor (a loss) the seed is 1; on any other pass ``grad``,
        an array of this tensor's shape (dL/d this tensor). Leaf gradients accumulate
        across calls until ``zero_grad``; intermediate ones are fresh on each call
        (:func:`autograd.backprop.backward`, the walk shared with Value).

        With ``create_graph=True`` the gradients left in ``.grad`` are Tensors whose
        graph computes them from the inputs, so they can be differentiated again
        (zero ``.grad`` first: it accumulates; or use :func:`autograd.grad`).

        Raises:
            RuntimeError: this tensor does not require grad, or data it depends on
                was changed in place since the forward pass.
            ValueError: no ``grad`` for a tensor of more than one element, or ``grad``
                of another shape.
        """
        if not self.requires_grad:
            raise RuntimeError(
                "backward(): this tensor does not require grad (it was made from constants "
                "or under no_grad()), so there is nothing to differentiate"
            )
        seed = _seed(self.data, grad)
        if create_graph:
            backprop.backward(self, Tensor._leaf(seed), None, create_graph=True)
        else:
            backprop.backward(self, seed, None)

    def zero_grad(self) -> None:
        """Set ``grad = None`` on this node and every node it depends on."""
        for node in backprop.topological_order(self):
            node.grad = None

    # ------------------------------------------------------------ basics

    @property
    def shape(self) -> tuple[int, ...]:
        """The shape of ``data``, a tuple of ints (``()`` for a 0-d tensor)."""
        return self.data.shape

    @property
    def ndim(self) -> int:
        """The number of dimensions of ``data`` (``len(shape)``)."""
        return self.data.ndim

    @property
    def dtype(self) -> np.dtype[Any]:
        """The NumPy dtype of ``data`` (float32 or float64)."""
        return self.data.dtype

    @property
    def size(self) -> int:
        """The number of entries in ``data`` (the product of ``shape``)."""
        return self.data.size

    def item(self) -> float:
        """The single number in a one-element tensor, as a Python float."""
        if self.data.size != 1:
            raise ValueError(f"item() needs a one-element tensor, got shape {self.shape}")
        return float(self.data.reshape(()))

    def numpy(self) -> Array:
        """The data array (not a copy)."""
        return self.data

    def detach(self) -> Tensor:
        """A new leaf sharing ``data`` (and its version), with no history and no gradient."""
        return self._view(Tensor._leaf(self.data))

    def __repr__(self) -> str:
        parts = [np.array2string(self.data, precision=4, threshold=20, separator=", ")]
        if self.data.dtype != np.float64:
            parts.append(f"dtype={self.data.dtype}")
        if self.requires_grad:
            parts.append("requires_grad=True")
        if self._op:
            parts.append(f"op={self._op!r}")
        if self.label:
            parts.append(f"label={self.label!r}")
        return f"Tensor({', '.join(parts)})"

    @staticmethod
    def _leaf(data: Array) -> Tensor:
        """A constant leaf holding ``data`` itself (no copy, no checks)."""
        out = Tensor.__new__(Tensor)
        out.data = data
        out.grad = None
        out.requires_grad = False
        out.label = ""
        out._parents = out._inputs = ()
        out._vjp = out._clock = None
        out._saved = ()
        out._op = ""
        out._version = [0]
        return out

    def __getstate__(self) -> Any:
        """For pickle and ``copy``: the VJP (often a lambda) is stored by its code."""
        return picklable_state(self, Tensor.__slots__[1:], "_vjp")  # not __weakref__

    def __setstate__(self, state: tuple[None, dict[str, Any]]) -> None:
        """Unpickled (or copied). The stamp of its last in-place write counts the writes
        of the process that made it; here, nothing can be older than this process's count."""
        for name, value in state[1].items():
            object.__setattr__(self, name, value)
        self._version[0] = min(self._version[0], _writes[0])

    def _view(self, out: Tensor) -> Tensor:
        """Mark ``out`` as a view of this tensor's data: they share one version counter."""
        out._version = self._version
        return out

    def _bump_version(self) -> None:
        """Record an in-place write into ``data`` (optimizers, ``load_state_dict``)."""
        self._version[0] = _writes[0] = _writes[0] + 1

    # --------------------------------------------------- Python protocols
    # As on a NumPy array of the same shape, or the same kind of error with a
    # clearer message; the table is in docs/refuses.md.

    def __len__(self) -> int:
        if self.data.ndim == 0:
            raise TypeError("len() of a 0-d tensor (it is one number: use item())")
        return len(self.data)

    def __iter__(self) -> Iterator[Tensor]:
        """The rows ``t[0], t[1], ...`` (each a Tensor in the graph), as NumPy iterates."""
        if self.data.ndim == 0:
            raise TypeError("iteration over a 0-d tensor (it is one number: use item())")
        return (self[i] for i in range(len(self.data)))

    def __contains__(self, x: object) -> bool:
        return bool((self.data == _data(x)).any())

    def _one(self, what: str) -> Array:
        if self.data.size != 1:
            raise TypeError(f"{what}() needs a one-element tensor, got shape {self.shape}")
        if self.requires_grad and grad_mode.is_grad_enabled():  # math.exp(t) and the like
            raise TypeError(
                f"{what}() of a tensor that requires grad would drop it from the graph (no "
                "gradient would reach it): read its number with t.item() or t.data, or keep "
                "differentiating with the Tensor's ops (t.exp(), ...)"
            )
        return self.data.reshape(())

    def __format__(self, spec: str) -> str:
        """As its number for a one-element tensor (``f"{loss:.4f}"``); else as NumPy."""
        if spec and self.data.size == 1:
            return format(self.data.reshape(()).item(), spec)
        return format(self.data, spec) if spec else str(self)

    def __bool__(self) -> bool:
        if self.data.size != 1:  # NumPy's error kind: ValueError, not TypeError
            raise ValueError(
                f"the truth value of a tensor of shape {self.shape} is ambiguous; "
                "bool() needs a one-element tensor (compare, then use .any() or .all())"
            )
        return bool(self.data.reshape(()))

    def __float__(self) -> float:
        return float(self._one("float"))

    def __int__(self) -> int:
        return int(self._one("int"))

    def __complex__(self) -> complex:
        return complex(self._one("complex"))

    # Comparisons give a plain boolean array and record nothing (they have no gradient).
    __lt__, __le__ = array_comparison(np.less, "<"), array_comparison(np.less_equal, "<=")
    __gt__, __ge__ = array_comparison(np.greater, ">"), array_comparison(np.greater_equal, ">=")
    __eq__ = array_comparison(np.equal, "==")
    __ne__ = array_comparison(np.not_equal, "!=")

    # ``==`` is elementwise, so the hash is the identity (as in PyTorch): a Tensor
    # can be a dict key or a set member, meaning *this node*, not its numbers.
    __hash__ = object.__hash__

    def __array_ufunc__(self, ufunc: Any, method: str, *inputs: Any, **kwargs: Any) -> Any:
        """``ndarray + Tensor`` (NumPy's operators) is the Tensor's reflected op; any other
        ufunc (``np.exp(t)``) is a ``TypeError`` naming the Tensor method to use."""
        return numpy_ufunc(Tensor, ufunc, method, inputs, kwargs)

    def __array_function__(self, func: Any, types: Any, args: Any, kwargs: Any) -> Any:
        """``np.sum(t)`` and every NumPy function: a ``TypeError`` naming ``t.sum()``."""
        return numpy_function(Tensor, func)

    def __array__(self, dtype: object = None, copy: object = None) -> Array:
        raise TypeError(
            "a Tensor is not converted to a NumPy array implicitly, so that NumPy "
            "functions never silently drop it from the graph; use t.data (or t.numpy()) "
            "for its array, t.item() for a one-element tensor's number, or a Tensor op"
        )

    def __setitem__(self, index: object, value: object) -> None:
        raise TypeError(
            "Tensors do not support item assignment (the graph could not follow it); "
            "build a new tensor from ops, e.g. with a mask: t * mask"
        )

    # In-place updates (``w -= lr * w.grad`` under ``no_grad()``) write into ``data``
    # and bump the version, so a graph that read the old numbers refuses backward().

    def _inplace(self, other: Operand, ufunc: Any, op: str, sym: str) -> Tensor:
        if self._parents:
            raise RuntimeError(
                f"{op}: in-place {sym}= on the result of op {self._op!r} is refused (its "
                f"backward step may need the old numbers); write t = t {sym} ... instead"
            )
        if self.requires_grad and grad_mode.is_grad_enabled():
            raise RuntimeError(
                f"{op}: in-place {sym}= on a tensor that requires grad, while the graph is "
                f"recorded; do updates under no_grad(), e.g. with no_grad(): w -= lr * w.grad"
            )
        b = _operand(self, other, op).data
        if op == "div":
            _check_divisor(self.data, b)
        if np.broadcast_shapes(self.shape, b.shape) != self.shape:
            raise ValueError(f"{op}: in-place {self.shape} {sym}= {b.shape} would change the shape")
        ufunc(self.data, b, out=self.data)
        self._bump_version()
        return self

    __iadd__ = partialmethod(_inplace, ufunc=np.add, op="add", sym="+")
    __isub__ = partialmethod(_inplace, ufunc=np.subtract, op="sub", sym="-")
    __imul__ = partialmethod(_inplace, ufunc=np.multiply, op="mul", sym="*")
    __itruediv__ = partialmethod(_inplace, ufunc=np.divide, op="div", sym="/")


_DATA = attrgetter("data")
# In-place writes, counted: a write stamps the tensor (and its views, which share the
# stamp, ``_version``) with the count, and a node whose VJP reads data records the
# count when it is made (``_clock``). Data stamped later was written in between.
_writes = [0]


class _Output:
    def __reduce__(self) -> str:
        return "OUTPUT"  # pickled and copied as this one object


# In an op's ``saved``: the op's own result (which does not exist yet when it is named).
OUTPUT: Any = _Output()
Saved = tuple[Any, ...]  # Tensors, and OUTPUT


# ------------------------------------ helpers that take arrays or Tensors alike
# What a VJP needs beyond operators, on an ndarray (backward) or a Tensor
# (create_graph), so that each VJP is written once.


def _data(x: Any) -> Any:
    """A Tensor's array; anything else as it is."""
    return x.data if isinstance(x, Tensor) else x


def _exp(x: Any) -> Any:
    return x.exp() if isinstance(x, Tensor) else np.exp(x)


def _log(x: Any) -> Any:
    return x.log() if isinstance(x, Tensor) else np.log(x)


def softmax(x: Any, axis: int) -> Any:
    """``e^x / sum e^x`` along ``axis`` (the max subtracted first) of an array or a Tensor."""
    if isinstance(x, Tensor):
        return x.softmax(axis)
    e = np.exp(x - np.maximum.reduce(x, axis=axis, keepdims=True))
    return e / np.add.reduce(e, axis=axis, keepdims=True)


def number(x: Any) -> Any:
    """A 0-d array as a Python float (its arithmetic with arrays costs no ufunc call of
    its own, and keeps their dtype); a Tensor as it is."""
    return float(x) if type(x) is np.ndarray else x


def sum_rows(x: Any) -> Any:
    """``x.sum(axis=0)`` of an array or a Tensor (on arrays without ``ndarray.sum``'s
    Python-level wrapper: this sums a bias gradient in every step)."""
    return x.sum(axis=0) if isinstance(x, Tensor) else np.add.reduce(x, axis=0)


def _select(mask: Array, g: Any) -> Any:
    """``g`` where ``mask``, else 0, in the shape of both. Not ``g * mask``: where an op's
    derivative is 0 its gradient is 0, even for an infinite ``g`` (``inf * 0`` is nan)."""
    if isinstance(g, Tensor):  # create_graph: g * mask, with these numbers
        return _times(g, cast(mask, g.dtype))
    return np.where(mask, g, 0)


def _times(g: Any, d: Any) -> Any:
    """``g * d``, 0 wherever the local derivative ``d`` is 0 even for an infinite ``g``; on
    Tensors those numbers, differentiated as ``g * d`` (a mask would cut the path via d)."""
    if isinstance(g, Tensor) or isinstance(d, Tensor):
        with np.errstate(invalid="ignore"):  # inf * 0: these numbers are replaced below
            out = g * d
        out.data = _times(_data(g), _data(d))
        return out
    finite = abs(np.add.reduce(g, axis=None)) < math.inf  # else an inf * 0 would be nan
    return g * d if finite else np.where(d != 0, g, 0) * d


def _astype(t: Tensor, dtype: np.dtype[Any]) -> Tensor:
    """``t`` converted to ``dtype``, recorded (the gradient goes back in ``t``'s dtype)."""
    return Tensor._node(t.data.astype(dtype), "astype", (t,), lambda h, t, out: (h,))


def _mT(x: Any) -> Any:
    """Swap the last two axes (the matrix transpose of a batch of matrices)."""
    return x.transpose((*range(x.ndim - 2), x.ndim - 1, x.ndim - 2))


def _broadcast_to(g: Any, shape: tuple[int, ...]) -> Any:
    """``g`` stretched to ``shape``; on a Tensor, ``g + 0`` (whose VJP sums back)."""
    if isinstance(g, Tensor):
        return g + np.zeros(shape, dtype=g.dtype)
    return np.broadcast_to(g, shape)


def _scatter(g: Any, a: Any, idx: Any, basic: bool) -> Any:
    """Zeros like ``a`` with ``g`` added at ``idx``: the VJP of ``a[idx]``.

    Repeated indices add up (``np.add.at``). On a Tensor it is an op of its own,
    whose VJP is indexing again: ``h -> h[idx]``. (The zeros are made *like* ``a``, so
    a trace that follows ``a``, autograd.compile's, follows them.)
    """
    if isinstance(g, Tensor):
        full = _scatter(g.data, _data(a), idx, basic)
        return Tensor._node(full, "scatter", (g,), lambda h, g, out: (h[idx],))
    full = np.zeros_like(a, dtype=g.dtype)
    if basic:
        full[idx] = g
    else:
        np.add.at(full, idx, g)
    return full


def _dpow(a: Any, n: Any, out: Any) -> Any:
    """``d/da a**n = n a**(n-1)`` (``out = a**n``): 0 where ``n == 0``, ``n out / a`` where
    ``a**(n-1)`` alone overflows (``a = 1e-310, n = 1e-300``: 1e10), as for Value."""
    if isinstance(n, Tensor) and n.requires_grad:  # then a > 0 (checked in the forward)
        return n * a ** (n - 1)
    if isinstance(a, Tensor):  # create_graph: the numbers below, as a node of their own
        n = _data(n)  # whose derivative n (n-1) a**(n-2) is refused only when asked for
        return Tensor._node(
            _dpow(a.data, n, a.data**n), "dpow", (a,), lambda h, a, out: (h * _d2pow(a, n),)
        )
    if isinstance(n, (int, float)) and n >= 1:  # |a|^(n-1) <= max(1, |a|^n): cannot overflow
        return n * a ** (n - 1)
    with np.errstate(over="ignore", divide="ignore", invalid="ignore"):
        d = np.asanyarray(n * a ** (n - 1))
        bad = ~np.isfinite(d) & (a != 0)
        if bad.any():  # n * out first: out / a may overflow
            d = np.where(bad, n * out / np.where(a == 0, 1, a), d)
    zero = np.equal(n, 0)
    return np.asanyarray(np.where(zero, 0.0, d)) if np.any(zero) else d


def _d2pow(a: Any, n: Any) -> Any:
    """``d/da n a**(n-1) = n (n-1) a**(n-2)``, refused where it is infinite (as a**n's)."""
    n = np.where(np.equal(n, 0), 1.0, n)  # n a**(n-1) is 0 for n = 0, and so for n = 1
    check_pow(_data(a), n - 1, True, False)
    return n * _dpow(a, n - 1, a ** (n - 1))


# --------------------------------------------------------------- the rest


def _operand(t: Tensor, other: object, op: str) -> Tensor:
    """The other operand of a binary op as a Tensor (a constant unless it already is one).

    Python numbers and lists take ``t``'s dtype (no float32 -> float64 upcast); a
    floating ndarray keeps its own dtype and is used in place, as in NumPy.
    """
    if isinstance(other, Tensor):
        return other
    if type(other) is float or type(other) is int:  # the common constant: a Python number
        return Tensor._leaf(cast(other, t.data.dtype))
    if isinstance(other, bool) or other is None:
        raise TypeError(f"{op}: unsupported operand type {type(other).__name__} for Tensor")
    if isinstance(other, (Real, np.number)):
        return Tensor._leaf(cast(other, t.data.dtype))
    if isinstance(other, np.ndarray) and other.dtype.kind == "f":
        return Tensor._leaf(other)  # used in place, not copied: see docs/refuses.md
    if isinstance(other, (np.ndarray, list, tuple)):
        try:
            return Tensor._leaf(cast(other, t.data.dtype))
        except (TypeError, ValueError):
            raise TypeError(
                f"{op}: cannot use {type(other).__name__} {other!r:.60} as a numeric array"
            ) from None
    raise TypeError(f"{op}: unsupported operand type {type(other).__name__} for Tensor")


def _seed(data: Array, grad: object) -> Array:
    """The gradient ``backward(grad)`` starts from: 1 for a one-element tensor, else ``grad``."""
    if grad is None:
        if data.size != 1:
            raise ValueError(
                f"backward() without a gradient needs a one-element tensor (a scalar loss), "
                f"but this tensor has shape {data.shape}; pass grad= (an array of that "
                "shape: dL/d this tensor), or reduce it first, e.g. t.sum().backward()"
            )
        return np.ones(data.shape, data.dtype)
    seed: Array = np.asanyarray(_data(grad)).astype(data.dtype)  # a copy, never the caller's
    if seed.shape != data.shape:
        raise ValueError(
            f"backward(grad): grad has shape {seed.shape} but this tensor has shape "
            f"{data.shape}; they must match"
        )
    return seed


def _check_divisor(a: Array, b: Array) -> None:
    """Raise for ``a / b`` with zeros in ``b`` (the same words as for Value)."""
    zero = b == 0
    if not zero.any():
        return
    count, idx = first_bad(zero)
    num = repr(float(a.reshape(-1)[0])) if a.size == 1 else "x"
    where = "" if zero.size == 1 else f"; the divisor has {entries(count, 'zero', zero, idx)}"
    raise ZeroDivisionError(f"div: {num} / 0.0 is undefined (division by zero){where}")


def _check_overflow(a: Array, out: Array) -> None:
    """Raise for entries where ``exp(a)`` overflowed (``exp(inf) = inf`` is no overflow)."""
    over = np.isinf(out) & ~np.isinf(a)
    if over.any():
        count, idx = first_bad(over)
        top = float(np.log(np.finfo(a.dtype).max))
        raise OverflowError(
            f"exp: exp({float(a[idx])!r}) is too large for {a.dtype} (largest is about "
            f"exp({top:.2f})); {count} of the {a.size} entries overflow, first at index {idx}"
        )


def _modified_error(node: Tensor, saved: Tensor) -> RuntimeError:
    """The error for an input that was written in place before ``backward()``."""
    name = f"{saved.label!r} " if saved.label else ""
    kind = "a parameter" if saved.requires_grad and not saved._parents else "a tensor"
    return RuntimeError(
        f"backward(): {kind} {name}of shape {saved.shape} (dtype {saved.dtype}) was changed "
        f"in place after op {node._op!r} saved it for the backward pass (an optimizer "
        "step(), load_state_dict() or load() in between?). Its gradient would mix old and "
        "new numbers. Run backward() before changing it, or redo the forward pass after."
    )


def _index(index: Any) -> Any:
    """``index`` for NumPy; a Tensor in it is an ``IndexError`` (Tensors hold floats)."""
    if isinstance(index, Tensor):
        raise IndexError(
            f"a Tensor (dtype {index.dtype}) cannot be an index: Tensors hold floats, and "
            "float indices are refused as in NumPy; index with an int array, e.g. "
            "t[idx.data.astype(int)], or a bool mask array"
        )
    if isinstance(index, tuple):
        return tuple(_index(i) for i in index)
    if isinstance(index, np.ndarray):
        return index.copy()  # the backward pass scatters with it: the caller may reuse theirs
    if isinstance(index, list):
        return np.asanyarray(
            [_index(i) for i in index] if any(isinstance(i, Tensor) for i in index) else index
        )
    return index


def _bound(b: object, name: str) -> float | None:
    if b is None:
        return None
    if isinstance(b, bool) or not isinstance(b, (Real, np.number)):
        raise TypeError(f"clip: {name} must be a real number or None, got {type(b).__name__}")
    return float(b)


def _is_basic(idx: Any) -> bool:
    """True for basic indexing (ints, slices, None, ...): no entry can be picked twice."""
    items = idx if isinstance(idx, tuple) else (idx,)
    return all(
        i is None or i is Ellipsis or isinstance(i, (slice, int, np.integer)) for i in items
    ) and not any(isinstance(i, bool) for i in items)
