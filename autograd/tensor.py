"""``Tensor``: the :class:`~autograd.Value` design over NumPy arrays.

Every op below does two things side by side, exactly as in :mod:`autograd.value`:

* the **forward** computation, ``out = f(a, b)`` on ``ndarray`` data, and
* the **local derivative** of ``out`` with respect to each parent, stored as a
  *vector-Jacobian product* (VJP): a function ``g -> g @ d out / d parent`` that
  turns ``dL/d out`` (shape of ``out``) into ``dL/d parent`` (shape of the parent).

A Value can store its local derivative as a number; the Jacobian of an array op is
a huge matrix (a 32x784 input to a 784x100 product has a 2.5-billion-entry
Jacobian), so we store the product with it instead, which is never bigger than the
arrays themselves. The graph walk (:func:`autograd.backprop.backward`) is the same,
unchanged, for both node types.

Broadcasting: when NumPy stretches an operand (a bias of shape ``(10,)`` added to a
batch ``(32, 10)``), the operand was *used* 32 times, so its gradient is the sum of
the 32 row gradients: :func:`_unbroadcast` sums the gradient back to the
operand's shape.

Only parents that require a gradient are recorded, so constants (inputs, targets,
Python numbers) cost nothing in the backward pass, and inside
:func:`autograd.no_grad` nothing is recorded at all.

The NumPy helpers with no graph in them (operand coercion, axes, broadcasting
errors, a stable sigmoid) are in :mod:`autograd.arrays`; the fused hot-path ops
(``linear`` with its activation, ``mse``, ``cross_entropy``) in :mod:`autograd.fused`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from numbers import Real
from typing import Any, Union

import numpy as np

from autograd import backprop, grad_mode
from autograd.arrays import (
    FLOAT_KINDS,
    Array,
    _broadcast_op,
    _cast,
    _check_matmul,
    _entries,
    _expand,
    _first_bad,
    _float_array,
    _normalize_axis,
    _sigmoid,
    _sigmoid_vjp,
    _unbroadcast,
)

__all__ = ["Tensor"]

# g -> dL/d parent; called as vjp(g) on arrays, or vjp(g, *inputs, out) on nodes.
VJP = Callable[..., Any]
Operand = Union["Tensor", int, float, np.ndarray, Sequence[Any]]


class Tensor:
    """An array node in a computation graph (the array version of :class:`~autograd.Value`).

    >>> w = Tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    >>> x = Tensor([1.0, -1.0])
    >>> y = (w @ x).sum()          # y = sum_i sum_j w_ij x_j
    >>> y.backward()               # dy/dw_ij = x_j
    >>> w.grad
    array([[ 1., -1.],
           [ 1., -1.]])

    Attributes:
        data: the ``numpy.ndarray`` this node holds (float32 or float64).
        grad: ``dL/d(this node)`` after ``backward()``, an array of ``data``'s shape and
            dtype, or ``None`` before any gradient has reached it.
        requires_grad: whether gradients flow to (and are recorded for) this node.
        label: an optional name, shown in ``repr`` and in graph pictures.

    ``Tensor(data)`` keeps a floating ``data`` array's dtype (float32 stays float32;
    integer input becomes float64 unless ``dtype`` is given). Only float32 and
    float64 are supported: a float16 or longdouble array needs an explicit
    ``dtype``; bools and ragged nested lists are rejected with a ``TypeError``.
    ``Tensor(x)`` copies an ndarray ``x`` (as ``torch.tensor`` does): the graph may
    keep the data until ``backward()``, and the caller may reuse their array. A plain
    ndarray passed straight to an op or a layer (``w * x``, ``model(x)``) is used in
    place, not copied (as ``torch.from_numpy``): do not overwrite it before
    ``backward()``. Writes the engine makes or offers (optimizer steps,
    ``load_state_dict``, ``w -= ...`` under ``no_grad()``) bump a version counter,
    and ``backward()`` refuses to use data changed since its forward pass.

    Python numbers in ops are "weak": ``float32_tensor * 2.0`` stays float32. Two
    tensors of different dtypes follow NumPy's promotion (float32 + float64 is
    float64); each operand's gradient comes back in its own dtype.
    """

    __slots__ = (
        "__weakref__",
        "_inputs",
        "_op",
        "_parents",
        "_pre",
        "_saved",
        "_version",
        "_vjps",
        "data",
        "grad",
        "label",
        "requires_grad",
    )

    # Make NumPy defer to Tensor's reflected ops: ``ndarray + Tensor`` -> Tensor.__radd__.
    __array_ufunc__ = None

    def __init__(
        self,
        data: object,
        requires_grad: bool = False,
        dtype: Any = None,
        label: str = "",
    ) -> None:
        if isinstance(data, Tensor):
            data = data.data
        self.data: Array = _float_array(data, dtype, copy=True)
        self.grad: Array | None = None
        self.requires_grad: bool = bool(requires_grad)
        self.label = label
        self._parents: tuple[Tensor, ...] = ()
        self._vjps: tuple[VJP, ...] = ()
        self._pre: VJP | None = None
        self._inputs: tuple[Any, ...] = ()
        self._op = ""
        self._version = [0]
        self._saved: tuple[tuple[Tensor, int], ...] = ()

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
        """A new leaf sharing ``data``, with no history and no gradient."""
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
        return bool((self.data == _plain(x)).any())

    def _one(self, what: str) -> Array:
        if self.data.size != 1:
            raise TypeError(f"{what}() needs a one-element tensor, got shape {self.shape}")
        return self.data.reshape(())

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
    def __lt__(self, other: object) -> Array:
        return _compare(np.less, self, other, "<")

    def __le__(self, other: object) -> Array:
        return _compare(np.less_equal, self, other, "<=")

    def __gt__(self, other: object) -> Array:
        return _compare(np.greater, self, other, ">")

    def __ge__(self, other: object) -> Array:
        return _compare(np.greater_equal, self, other, ">=")

    def __eq__(self, other: object) -> Array:  # type: ignore[override]
        return _compare(np.equal, self, other, "==")

    def __ne__(self, other: object) -> Array:  # type: ignore[override]
        return _compare(np.not_equal, self, other, "!=")

    # ``==`` is elementwise, so the hash is the identity (as in PyTorch): a Tensor
    # can be a dict key or a set member, meaning *this node*, not its numbers.
    __hash__ = object.__hash__

    def __array__(self, dtype: object = None, copy: object = None) -> Array:
        raise TypeError(
            "a Tensor is not converted to a NumPy array implicitly, so that NumPy "
            "functions never silently drop it from the graph; use t.data (or t.numpy()) "
            "for its array, or a Tensor op"
        )

    def __setitem__(self, index: object, value: object) -> None:
        raise TypeError(
            "Tensors do not support item assignment (the graph could not follow it); "
            "build a new tensor from ops, e.g. with a mask: t * mask"
        )

    # ------------------------------------------------------- construction

    @staticmethod
    def _leaf(data: Array) -> Tensor:
        out = Tensor.__new__(Tensor)
        out.data = data
        out.grad = None
        out.requires_grad = False
        out.label = ""
        out._parents = ()
        out._vjps = ()
        out._pre = None
        out._inputs = ()
        out._op = ""
        out._version = [0]
        out._saved = ()
        return out

    @staticmethod
    def _node(
        data: Array,
        op: str,
        parents: tuple[Tensor, ...],
        vjps: tuple[VJP, ...],
        saved: tuple[Tensor, ...] = (),
        inputs: tuple[Any, ...] | None = None,
    ) -> Tensor:
        """The result of an op: ``data`` plus, when grad is on, the parents that need grad.

        ``saved`` lists the tensors whose ``data`` the VJPs read: their versions are
        recorded now and checked by :meth:`_propagate`, so an in-place write in
        between (an optimizer step) is an error, not a wrong gradient. ``inputs`` are
        the op's operands in the order its VJPs take them (by default ``parents``,
        before those that need no gradient are dropped), for ``create_graph``.
        """
        out = Tensor.__new__(Tensor)
        out.data = data
        out.grad = None
        out.label = ""
        out._op = op
        out._pre = None
        out._inputs = parents if inputs is None else inputs
        out._version = [0]
        if grad_mode._all_on or grad_mode._mode.enabled:
            out._saved = tuple([(t, t._version[0]) for t in saved]) if saved else ()
            for p in parents:
                if not p.requires_grad:
                    break
            else:  # the usual case: every parent needs its gradient
                out._parents = parents
                out._vjps = vjps
                out.requires_grad = True
                return out
            kept = [(p, vjp) for p, vjp in zip(parents, vjps, strict=True) if p.requires_grad]
            if kept:
                kept_parents, kept_vjps = zip(*kept, strict=True)  # two tuples
                out._parents, out._vjps = kept_parents, kept_vjps
                out.requires_grad = True
                return out
        out._parents = ()  # a constant result: nothing to record
        out._inputs = ()
        out._vjps = ()
        out._op = ""
        out._saved = ()
        out.requires_grad = False
        return out

    def _view(self, out: Tensor) -> Tensor:
        """Mark ``out`` as a view of this tensor's data: they share one version counter."""
        out._version = self._version
        return out

    def _bump_version(self) -> None:
        """Record an in-place write into ``data`` (optimizers, ``load_state_dict``).

        Every op that saved this tensor (or a view of it) for its backward step then
        refuses to run it, instead of mixing old and new numbers.
        """
        self._version[0] += 1

    def _other(self, other: object, op: str) -> Tensor:
        """The other operand of a binary op as a Tensor (a constant unless it already is one).

        Python numbers and lists take this tensor's dtype (no float32 -> float64 upcast);
        a floating ndarray keeps its own dtype, as in NumPy.
        """
        if type(other) is Tensor:
            return other
        if type(other) is float or type(other) is int:  # the common constant: a Python number
            return Tensor._leaf(np.asarray(other, dtype=self.data.dtype))
        if isinstance(other, Tensor):
            return other
        if isinstance(other, bool) or other is None:
            raise TypeError(f"{op}: unsupported operand type {type(other).__name__} for Tensor")
        if isinstance(other, (Real, np.number)):
            return Tensor._leaf(np.asarray(other, dtype=self.data.dtype))
        if isinstance(other, np.ndarray) and other.dtype.kind == FLOAT_KINDS:
            return Tensor._leaf(other)  # used in place, not copied: see docs/refuses.md
        if isinstance(other, (np.ndarray, list, tuple)):
            try:
                arr = np.asarray(other, dtype=self.data.dtype)
            except (TypeError, ValueError):
                raise TypeError(
                    f"{op}: cannot use {type(other).__name__} {other!r:.60} as a numeric array"
                ) from None
            return Tensor._leaf(arr)
        raise TypeError(f"{op}: unsupported operand type {type(other).__name__} for Tensor")

    # ---------------------------------------------------------------- ops
    # Each op: forward data, then one VJP per parent (same order as the parents):
    # g = dL/d out  ->  dL/d parent.

    def __add__(self, other: Operand) -> Tensor:
        """``a + b``;  dL/da = g, dL/db = g (each summed back to its shape)."""
        o = self._other(other, "add")
        a, b = self.data, o.data
        out = _broadcast_op(np.add, a, b, "add", "+")
        sa, sb = a.shape, b.shape
        return Tensor._node(
            out,
            "+",
            (self, o),
            (lambda g, *_: _unbroadcast(g, sa), lambda g, *_: _unbroadcast(g, sb)),
        )

    def __sub__(self, other: Operand) -> Tensor:
        """``a - b``;  dL/da = g, dL/db = -g."""
        o = self._other(other, "sub")
        a, b = self.data, o.data
        out = _broadcast_op(np.subtract, a, b, "sub", "-")
        sa, sb = a.shape, b.shape
        return Tensor._node(
            out,
            "-",
            (self, o),
            (lambda g, *_: _unbroadcast(g, sa), lambda g, *_: _unbroadcast(-g, sb)),
        )

    def __mul__(self, other: Operand) -> Tensor:
        """``a * b`` (elementwise);  dL/da = g b, dL/db = g a."""
        o = self._other(other, "mul")
        a, b = self.data, o.data
        out = _broadcast_op(np.multiply, a, b, "mul", "*")
        return Tensor._node(
            out,
            "*",
            (self, o),
            (
                lambda g, a=a, b=b, *_: _unbroadcast(g * b, a.shape),
                lambda g, a=a, b=b, *_: _unbroadcast(g * a, b.shape),
            ),
            (self, o),
        )

    def __truediv__(self, other: Operand) -> Tensor:
        """``a / b``;  dL/da = g / b, dL/db = -g a / b^2.  No zero entries in ``b``."""
        o = self._other(other, "div")
        a, b = self.data, o.data
        zero = b == 0
        if zero.any():
            raise _zero_division(a, zero)
        out = _broadcast_op(np.divide, a, b, "div", "/")
        return Tensor._node(
            out,
            "/",
            (self, o),
            (
                lambda g, a=a, b=b, *_: _unbroadcast(g / b, a.shape),
                lambda g, a=a, b=b, out=out: _unbroadcast(-g * out / b, b.shape),
            ),
            (o,),
        )

    def __pow__(self, other: Operand) -> Tensor:
        """``a ** n``;  dL/da = g n a^(n-1), and for a Tensor exponent dL/dn = g a^n ln a.

        The domain is the same as for :class:`~autograd.Value`, whatever the spelling
        (number, array or Tensor exponent; ``2 ** t``): ``ZeroDivisionError`` for
        ``0 ** negative``; ``ValueError`` for a negative base with a non-integer
        exponent, for ``0 ** n`` with ``0 < n < 1`` when the base needs its gradient
        (infinite derivative), and for a base ``<= 0`` when the exponent needs its
        gradient (``ln a``).
        """
        a = self.data
        recording = backprop.is_grad_enabled()
        if isinstance(other, (Tensor, np.ndarray, list, tuple)):
            return self._pow_tensor(self._other(other, "pow"), recording)
        if isinstance(other, bool) or not isinstance(other, (Real, np.number)):
            raise TypeError(
                f"pow: exponent must be a number or a Tensor, got {type(other).__name__}"
            )
        n = float(other)
        _pow_domain(a, n, self.requires_grad and recording, False)
        k: int | float = int(n) if n.is_integer() else n
        out = np.asarray(a**k)
        op = f"**{k}"
        if k == 0:  # a ** 0 == 1: constant, derivative 0 (also at a == 0)
            return Tensor._node(out, op, (self,), (lambda g, *_: g * 0,))
        if k == 2:
            return Tensor._node(out, op, (self,), (lambda g, a=a, *_: g * (2 * a),), (self,))
        return Tensor._node(
            out, op, (self,), (lambda g, a=a, out=out: g * _dpow(a, k, out),), (self,)
        )

    def _pow_tensor(self, o: Tensor, recording: bool) -> Tensor:
        """``a ** b`` with a Tensor exponent (broadcasting); the same domain as ``a ** n``."""
        a, b = self.data, o.data
        try:
            np.broadcast_shapes(a.shape, b.shape)
        except ValueError:
            _broadcast_op(np.power, a, b, "pow", "**")  # raises the error naming both shapes
        _pow_domain(a, b, self.requires_grad and recording, o.requires_grad and recording)
        out = np.asarray(np.power(a, b))

        return Tensor._node(
            out,
            "**",
            (self, o),
            (
                lambda g, a=a, b=b, out=out: _unbroadcast(g * _dpow(a, b, out), a.shape),
                lambda g, a=a, b=b, out=out: _unbroadcast(g * out * _log(a), b.shape),
            ),
            (self, o),
        )

    def __neg__(self) -> Tensor:
        """``-a``;  dL/da = -g."""
        return Tensor._node(np.asarray(-self.data), "neg", (self,), (lambda g, *_: -g,))

    def __radd__(self, other: Operand) -> Tensor:
        return self._other(other, "add") + self

    def __rsub__(self, other: Operand) -> Tensor:
        return self._other(other, "sub") - self

    def __rmul__(self, other: Operand) -> Tensor:
        return self._other(other, "mul") * self

    def __rtruediv__(self, other: Operand) -> Tensor:
        return self._other(other, "div") / self

    def __rpow__(self, other: Operand) -> Tensor:
        return self._other(other, "pow") ** self

    def __matmul__(self, other: Operand) -> Tensor:
        """``a @ b`` (1-D, 2-D, or batched with broadcasting batch dims).

        For 2-D: dL/da = g @ b.T, dL/db = a.T @ g. 1-D operands are treated as a row
        (left) or a column (right) and the extra axis dropped again, as in NumPy.
        """
        o = self._other(other, "matmul")
        a, b = self.data, o.data
        _check_matmul(a.shape, b.shape)
        out = a @ b
        if a.ndim == 2 and b.ndim == 2:
            return Tensor._node(
                out,
                "matmul",
                (self, o),
                (lambda g, a=a, b=b, *_: g @ b.T, lambda g, a=a, b=b, *_: a.T @ g),
                (self, o),
            )
        a2 = a[None, :] if a.ndim == 1 else a
        b2 = b[:, None] if b.ndim == 1 else b
        batch = np.broadcast_shapes(a2.shape[:-2], b2.shape[:-2])
        out_shape2 = (*batch, a2.shape[-2], b2.shape[-1])

        def vjp_a(g: Any, a: Any = a, b: Any = b, *_: Any) -> Any:
            g2 = g.reshape(out_shape2)
            return _unbroadcast(g2 @ _mT(b.reshape(b2.shape)), a2.shape).reshape(a.shape)

        def vjp_b(g: Any, a: Any = a, b: Any = b, *_: Any) -> Any:
            g2 = g.reshape(out_shape2)
            return _unbroadcast(_mT(a.reshape(a2.shape)) @ g2, b2.shape).reshape(b.shape)

        return Tensor._node(np.asarray(out), "matmul", (self, o), (vjp_a, vjp_b), (self, o))

    def __rmatmul__(self, other: Operand) -> Tensor:
        return self._other(other, "matmul") @ self

    # In-place updates (``w -= lr * w.grad`` under ``no_grad()``): they write into
    # ``data`` and bump the version, so a graph that saved the old numbers refuses
    # ``backward()``. Refused where the graph itself would be wrong: on a tensor that
    # requires grad while recording, and on the result of an op.

    def _inplace(self, other: Operand, ufunc: Any, op: str, sym: str) -> Tensor:
        if self._parents:
            raise RuntimeError(
                f"{op}: in-place {sym}= on the result of op {self._op!r} is refused (its "
                "backward step may need the old numbers); write t = t {sym} ... instead"
            )
        if self.requires_grad and backprop.is_grad_enabled():
            raise RuntimeError(
                f"{op}: in-place {sym}= on a tensor that requires grad, while the graph is "
                f"recorded; do updates under no_grad(), e.g. with no_grad(): w -= lr * w.grad"
            )
        b = self._other(other, op).data
        if op == "div" and (b == 0).any():
            raise _zero_division(self.data, b == 0)
        if np.broadcast_shapes(self.shape, b.shape) != self.shape:
            raise ValueError(f"{op}: in-place {self.shape} {sym}= {b.shape} would change the shape")
        ufunc(self.data, b, out=self.data)
        self._bump_version()
        return self

    def __iadd__(self, other: Operand) -> Tensor:
        return self._inplace(other, np.add, "add", "+")

    def __isub__(self, other: Operand) -> Tensor:
        return self._inplace(other, np.subtract, "sub", "-")

    def __imul__(self, other: Operand) -> Tensor:
        return self._inplace(other, np.multiply, "mul", "*")

    def __itruediv__(self, other: Operand) -> Tensor:
        return self._inplace(other, np.divide, "div", "/")

    # ---------------------------------------------------------- reductions

    def sum(self, axis: int | Sequence[int] | None = None, keepdims: bool = False) -> Tensor:
        """Sum over ``axis`` (all by default);  dL/da = g broadcast back over the summed axes."""
        a = self.data
        axes = _normalize_axis(axis, a.ndim, "sum")
        # np.add.reduce is what a.sum() calls, without the Python-level wrapper in between.
        out = np.asarray(np.add.reduce(a, axis=axes, keepdims=keepdims))  # type: ignore[call-overload]
        shape = a.shape
        return Tensor._node(
            out,
            "sum",
            (self,),
            (lambda g, *_: _broadcast_to(_expand(g, axes, keepdims), shape),),
        )

    def mean(self, axis: int | Sequence[int] | None = None, keepdims: bool = False) -> Tensor:
        """Mean over ``axis``;  dL/da = g / n broadcast back (n = number of entries averaged)."""
        a = self.data
        axes = _normalize_axis(axis, a.ndim, "mean")
        n = 1
        for ax in axes:
            n *= a.shape[ax]
        if n == 0:
            raise ValueError(f"mean: no entries to average over axis {axis} of shape {a.shape}")
        out = np.asarray(np.add.reduce(a, axis=axes, keepdims=keepdims) / n)  # type: ignore[call-overload]
        shape = a.shape
        return Tensor._node(
            out,
            "mean",
            (self,),
            (lambda g, *_: _broadcast_to(_expand(g, axes, keepdims) / n, shape),),
        )

    def max(self, axis: int | Sequence[int] | None = None, keepdims: bool = False) -> Tensor:
        """Max over ``axis``;  dL/da = g at the maximal entries (split evenly between ties).

        Ties: each of the ``c`` maximal entries gets ``g / c`` (as ``torch.amax``). The
        derivative is piecewise constant in ``a``, so its own derivative is 0.
        """
        a = self.data
        axes = _normalize_axis(axis, a.ndim, "max")
        if a.size == 0:
            raise ValueError(f"max: empty tensor of shape {a.shape} has no maximum")
        m = a.max(axis=axes, keepdims=True)
        out = np.asarray(
            m if keepdims else m.reshape([n for i, n in enumerate(m.shape) if i not in axes])
        )

        def vjp(g: Any, *_: Any) -> Any:
            mask = np.asarray(a == m)  # from the arrays even under create_graph: a constant
            count = mask.sum(axis=axes, keepdims=True)
            return mask * (_expand(g, axes, keepdims) / count)

        return Tensor._node(out, "max", (self,), (vjp,), (self,))

    # ----------------------------------------------------------- reshaping

    def reshape(self, *shape: int | Sequence[int]) -> Tensor:
        """Same entries, new shape;  dL/da = g reshaped back."""
        a = self.data
        new = shape[0] if len(shape) == 1 and not isinstance(shape[0], (int, np.integer)) else shape
        try:
            out = a.reshape(new)
        except (ValueError, TypeError):
            raise ValueError(
                f"reshape: cannot reshape a tensor of shape {a.shape} ({a.size} entries) "
                f"into shape {tuple(new)}"
            ) from None
        shp = a.shape
        return self._view(Tensor._node(out, "reshape", (self,), (lambda g, *_: g.reshape(shp),)))

    def transpose(self, *axes: int) -> Tensor:
        """Permute axes (reverse them by default);  dL/da = g with the inverse permutation."""
        a = self.data
        perm = tuple(axes[0]) if len(axes) == 1 and not isinstance(axes[0], int) else axes
        if not perm:
            perm = tuple(reversed(range(a.ndim)))
        if sorted(int(p) % max(a.ndim, 1) for p in perm) != list(range(a.ndim)):
            raise ValueError(
                f"transpose: {perm} is not a permutation of the axes of shape {a.shape}"
            )
        inverse = tuple(np.argsort([int(p) % a.ndim for p in perm]))
        return self._view(
            Tensor._node(
                a.transpose(perm), "transpose", (self,), (lambda g, *_: g.transpose(inverse),)
            )
        )

    @property
    def T(self) -> Tensor:
        """All axes reversed (the matrix transpose for 2-D)."""
        return self.transpose()

    def __getitem__(self, index: Any) -> Tensor:
        """Indexing and slicing as in NumPy;  dL/da = g scattered back into zeros.

        Repeated indices (``t[[0, 0]]``) accumulate, via ``np.add.at``. As in NumPy,
        basic indexing (ints, slices), ``reshape`` and ``transpose`` give views that
        share ``data`` with the input (the engine never writes into ``data``).
        """
        a = self.data
        idx = _index(index)
        try:
            out = np.asarray(a[idx])
        except IndexError as err:
            raise IndexError(f"index {index!r} into a tensor of shape {a.shape}: {err}") from None
        basic = _is_basic(idx)
        shape = a.shape
        node = Tensor._node(
            out, "getitem", (self,), (lambda g, *_: _scatter(g, shape, idx, basic),)
        )
        return self._view(node) if basic else node

    # ---------------------------------------------------- elementwise math

    def exp(self) -> Tensor:
        """``e^a``;  dL/da = g e^a (the saved output).

        An entry too large for the dtype (``e^a`` of ``a`` above ~709.78 for float64,
        ~88.72 for float32) raises ``OverflowError`` instead of giving ``inf``.
        """
        a = self.data
        with np.errstate(over="ignore"):
            y = np.asarray(np.exp(a))
        if np.isinf(y).any():
            over = np.isinf(y) & ~np.isinf(a)  # exp(inf) = inf is not an overflow
            if over.any():
                c, idx = _first_bad(over)
                dt = a.dtype
                raise OverflowError(
                    f"exp: exp({float(a[idx])!r}) is too large for {dt} (largest is about "
                    f"exp({float(np.log(np.finfo(dt).max)):.2f})); "
                    f"{c} of the {a.size} entries overflow, first at index {idx}"
                )
        return Tensor._node(y, "exp", (self,), (lambda g, a=a, out=y: g * out,))

    def log(self) -> Tensor:
        """``ln a``;  dL/da = g / a.  Every entry must be positive."""
        a = self.data
        bad = a <= 0
        if bad.any():
            c, idx = _first_bad(bad)
            where = "" if a.size == 1 else f"; {_entries(c, 'such', bad, idx)}"
            raise ValueError(
                f"log: log({float(a[idx])!r}) is undefined; log needs a positive input{where}"
            )
        return Tensor._node(
            np.asarray(np.log(a)), "log", (self,), (lambda g, a=a, *_: g / a,), (self,)
        )

    def tanh(self) -> Tensor:
        """``tanh a``;  dL/da = g (1 - tanh^2 a) (from the saved output)."""
        a = self.data
        t = np.asarray(np.tanh(a))
        return Tensor._node(t, "tanh", (self,), (lambda g, a=a, out=t: g * (1 - out * out),))

    def sigmoid(self) -> Tensor:
        """``s = 1 / (1 + e^-a)``;  dL/da = g s (1 - s) (from the saved output).

        Nothing overflows and no warning is raised for any input: float32 computes
        ``0.5 + 0.5 tanh(a / 2)``; float64 caps ``-a`` at 709 before ``e^-a``.
        ``sigmoid(1000)`` is exactly 1 and ``sigmoid(-1000)`` 0 (float32) or ~1e-308
        (float64).
        """
        a = self.data
        s = _sigmoid(a)
        return Tensor._node(s, "sigmoid", (self,), (lambda g, a=a, out=s: _sigmoid_vjp(g, out),))

    def relu(self) -> Tensor:
        """``max(0, a)``;  dL/da = g where a > 0, else 0 (0 at a = 0, as for Value)."""
        a = self.data
        out = np.asarray(np.maximum(a, 0))
        return Tensor._node(out, "relu", (self,), (lambda g, *_: g * np.asarray(a > 0),), (self,))

    def softmax(self, axis: int = -1) -> Tensor:
        """``s_i = e^(a_i) / sum_j e^(a_j)`` along ``axis`` (max subtracted first: no overflow);
        dL/da = s * (g - sum(g s)).
        """
        a = self.data
        (ax,) = _normalize_axis(axis, a.ndim, "softmax")
        e = np.exp(a - a.max(axis=ax, keepdims=True))
        s = e / e.sum(axis=ax, keepdims=True)
        return Tensor._node(
            s,
            "softmax",
            (self,),
            (lambda g, a=a, out=s: out * (g - (g * out).sum(axis=ax, keepdims=True)),),
        )

    def log_softmax(self, axis: int = -1) -> Tensor:
        """``a_i - log sum_j e^(a_j)`` (log-sum-exp with the max subtracted: stable);
        dL/da = g - softmax(a) * sum(g).
        """
        a = self.data
        (ax,) = _normalize_axis(axis, a.ndim, "log_softmax")
        # The reductions as ufunc calls: what a.max() / a.sum() run, minus a Python wrapper.
        shifted = a - np.maximum.reduce(a, axis=ax, keepdims=True)
        e = np.exp(shifted)
        sums = np.add.reduce(e, axis=ax, keepdims=True)
        out = shifted - np.log(sums)
        return Tensor._node(
            out,
            "log_softmax",
            (self,),
            (lambda g, a=a, y=out: g - _exp(y) * g.sum(axis=ax, keepdims=True),),
        )

    # ---------------------------------------------------------- backward

    def _propagate(self) -> None:
        """The chain rule for this node: ``parent.grad += vjp(self.grad)`` for each parent.

        A parent's first gradient is stored as is (intermediate nodes) or as an owned
        copy (leaves: a leaf's ``grad`` never shares memory with another node's grad);
        later ones are added without writing into the existing array, so no array
        is ever modified in place behind anyone's back.
        """
        g = self.grad
        if g is None:
            return
        for t, version in self._saved:
            if t._version[0] != version:
                raise _modified_error(self, t, version)
        if self._pre is not None:  # a fused node's elementwise part, applied once
            g = self._pre(g)
        for parent, vjp in zip(self._parents, self._vjps):  # noqa: B905 (same length)
            c = vjp(g)  # on the arrays: the VJP's defaults
            if type(c) is not np.ndarray or c.dtype is not parent.data.dtype:
                c = _cast(c, parent.data.dtype)  # 0-d results, mixed dtypes
            pg = parent.grad
            if pg is not None:
                parent.grad = np.asarray(pg + c)
            elif parent._parents or (c.base is None and c is not g):
                parent.grad = c  # an intermediate, or a fresh array nobody else holds
            else:
                parent.grad = c.copy()  # a leaf gets its own array

    def _propagate_graph(self) -> None:
        """The same chain rule, with the VJPs called on nodes: ``backward(create_graph=True)``.

        Each VJP gets this node's inputs and the node itself in place of their
        arrays, so the gradients it leaves are Tensors recorded in a graph.
        """
        g = self.grad
        if g is None:
            return
        for t, version in self._saved:
            if t._version[0] != version:
                raise _modified_error(self, t, version)
        args = (*self._inputs, self)
        if self._pre is not None:
            g = self._pre(g, self)
        for parent, vjp in zip(self._parents, self._vjps):  # noqa: B905 (same length)
            c = vjp(g, *args)
            parent.grad = c if parent.grad is None else parent.grad + c

    def backward(self, grad: object = None, create_graph: bool = False) -> None:
        """Fill ``.grad`` of every node this one depends on with ``d self / d node``.

        On a one-element tensor (a loss) the seed is 1. On any other tensor pass
        ``grad``, an array of this tensor's shape (the gradient of some scalar with
        respect to this tensor). Leaf gradients accumulate across calls until
        ``zero_grad``; intermediate ones are recomputed on each call (see
        :func:`autograd.backprop.backward`, the walk shared with Value).

        With ``create_graph=True`` the gradients left in ``.grad`` are Tensors whose
        graph computes them from the inputs, so they can be differentiated again
        (zero ``.grad`` before that: it accumulates; or use :func:`autograd.grad`).
        Without it they are plain arrays and no graph is built.
        """
        if not self.requires_grad:
            raise RuntimeError(
                "backward(): this tensor does not require grad (it was made from constants "
                "or under no_grad()), so there is nothing to differentiate"
            )
        data = self.data
        if grad is None:
            if data.size != 1:
                raise ValueError(
                    f"backward() without a gradient needs a one-element tensor (a scalar loss), "
                    f"but this tensor has shape {data.shape}; pass grad= (an array of that "
                    "shape: dL/d this tensor), or reduce it first, e.g. t.sum().backward()"
                )
            seed = np.array(1, dtype=data.dtype) if data.ndim == 0 else np.ones_like(data)
        else:
            if isinstance(grad, Tensor):
                grad = grad.data
            seed = np.array(grad, dtype=data.dtype)  # a copy: never alias the caller's array
            if seed.shape != data.shape:
                raise ValueError(
                    f"backward(grad): grad has shape {seed.shape} but this tensor has shape "
                    f"{data.shape}; they must match"
                )
        if create_graph:
            backprop.backward(self, Tensor._leaf(seed), None, create_graph=True)
        else:
            backprop.backward(self, seed, None)

    def zero_grad(self) -> None:
        """Set ``grad = None`` on this node and every node it depends on."""
        for node in backprop.topological_order(self):
            node.grad = None


# ------------------------------------------- helpers for arrays and Tensors alike
# What a VJP needs beyond operators, for an ndarray (first-order pass) or a Tensor
# (create_graph), so that each VJP is written once.


def _exp(x: Any) -> Any:
    return x.exp() if isinstance(x, Tensor) else np.exp(x)


def _log(x: Any) -> Any:
    return x.log() if isinstance(x, Tensor) else np.log(x)


def _mT(x: Any) -> Any:
    """Swap the last two axes (the matrix transpose of a batch of matrices)."""
    return x.transpose((*range(x.ndim - 2), x.ndim - 1, x.ndim - 2))


def _broadcast_to(g: Any, shape: tuple[int, ...]) -> Any:
    """``g`` stretched to ``shape``; on a Tensor, ``g + 0`` (whose VJP sums back)."""
    if isinstance(g, Tensor):
        return g + np.zeros(shape, dtype=g.dtype)
    return np.broadcast_to(g, shape)


def _scatter(g: Any, shape: tuple[int, ...], idx: Any, basic: bool) -> Any:
    """Zeros of ``shape`` with ``g`` added at ``idx``: the VJP of ``a[idx]``.

    Repeated indices add up (``np.add.at``). On a Tensor it is an op of its own,
    whose VJP is indexing again: ``h -> h[idx]``.
    """
    if isinstance(g, Tensor):
        data = _scatter(g.data, shape, idx, basic)
        return Tensor._node(data, "scatter", (g,), (lambda h, *_: h[idx],))
    full = np.zeros(shape, dtype=g.dtype)
    if basic:
        full[idx] = g
    else:
        np.add.at(full, idx, g)
    return full


def _dpow(a: Any, n: Any, y: Any) -> Any:
    """``d/da a**n = n a**(n-1)`` (``y = a**n``): 0 where ``n == 0``, and ``n (y / a)``
    where ``a**(n-1)`` alone overflows (``a = 1e-310, n = 1e-300``: 1e10), as for Value.
    On Tensors (create_graph) it is ``n a**(n-1)`` as graph ops.
    """
    if isinstance(a, Tensor) or isinstance(n, Tensor):
        return n * a ** (n - 1) if not isinstance(n, (int, float)) or n != 0 else a * 0
    with np.errstate(over="ignore", divide="ignore", invalid="ignore"):
        d = np.asarray(n * a ** (n - 1))
        bad = ~np.isfinite(d) & (a != 0)
        if bad.any():
            d = np.where(bad, n * (y / np.where(a == 0, 1, a)), d)
    zero = np.equal(n, 0)
    return np.asarray(np.where(zero, 0.0, d)) if np.any(zero) else d


def _zero_division(a: Array, zero: Array) -> ZeroDivisionError:
    """The error for ``a / b`` with zeros in ``b`` (the same words as for Value)."""
    c, idx = _first_bad(zero)
    num = repr(float(a.reshape(-1)[0])) if a.size == 1 else "x"
    where = "" if zero.size == 1 else f"; the divisor has {_entries(c, 'zero', zero, idx)}"
    return ZeroDivisionError(f"div: {num} / 0.0 is undefined (division by zero){where}")


def _pow_domain(a: Array, b: Array | float, base_grad: bool, exponent_grad: bool) -> None:
    """Raise the error for the first entry of ``a ** b`` outside the domain (see ``__pow__``)."""
    # With a number exponent, skip the rules that cannot apply (no array work).
    n = b if isinstance(b, float) else None
    rules: list[tuple[type[Exception], Any, str]] = []
    if n is None or n < 0:
        rules.append((ZeroDivisionError, (a == 0) & (b < 0), "is undefined (division by zero)"))
    if n is None or not n.is_integer():
        rules.append(
            (
                ValueError,
                (a < 0) & (np.floor(b) != b),
                "is not a real number (negative base, non-integer exponent)",
            )
        )
    if base_grad and (n is None or 0 < n < 1):
        rules.append(
            (
                ValueError,
                (a == 0) & (b > 0) & (b < 1),
                "has an infinite derivative at 0 (d/da a**n = n a**(n-1))",
            )
        )
    if exponent_grad:
        rules.append(
            (
                ValueError,
                (a <= 0) | np.zeros(np.shape(b), bool),
                "needs a positive base, because d/dn a**n = a**n * ln(a)",
            )
        )
    for error, bad, why in rules:
        if not np.any(bad):
            continue
        bad = np.asarray(bad)
        c, idx = _first_bad(bad)
        av = float(np.broadcast_to(a, bad.shape)[idx])
        bv = float(np.broadcast_to(b, bad.shape)[idx])
        where = "" if bad.size == 1 else f"; {_entries(c, 'such', bad, idx)}"
        raise error(f"pow: {av!r} ** {bv!r} {why}{where}")


def _modified_error(node: Tensor, saved: Tensor, version: int) -> RuntimeError:
    """The error for a saved tensor that was written in place before ``backward()``."""
    name = f"{saved.label!r} " if saved.label else ""
    kind = "a parameter" if saved.requires_grad and not saved._parents else "a tensor"
    return RuntimeError(
        f"backward(): {kind} {name}of shape {saved.shape} (dtype {saved.dtype}) was changed "
        f"in place after op {node._op!r} saved it for the backward pass (version "
        f"{version} then, {saved._version[0]} now: an optimizer step(), load_state_dict() "
        "or load() in between?). Its gradient would mix old and new numbers. Run "
        "backward() before changing it, or redo the forward pass after."
    )


# ----------------------------------------------------------------- indexing


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
        return np.asarray(
            [_index(i) for i in index] if any(isinstance(i, Tensor) for i in index) else index
        )
    return index


def _plain(x: object) -> object:
    """A comparison operand: a Tensor's data, anything else as given."""
    return x.data if isinstance(x, Tensor) else x


def _compare(ufunc: Any, t: Tensor, other: object, sym: str) -> Array:
    """``ufunc(t.data, other)`` as a plain bool array, with broadcasting errors naming shapes."""
    o: Any = _plain(other)
    try:
        return np.asarray(ufunc(t.data, o))
    except ValueError:
        raise ValueError(
            f"compare: {t.shape} {sym} {np.shape(o)}: shapes do not broadcast"
        ) from None


def _is_basic(idx: Any) -> bool:
    """True for basic indexing (ints, slices, None, ...): no entry can be picked twice."""
    items = idx if isinstance(idx, tuple) else (idx,)
    return all(
        i is None or i is Ellipsis or isinstance(i, (slice, int, np.integer)) for i in items
    ) and not any(isinstance(i, bool) for i in items)
