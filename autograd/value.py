"""``Value``: a scalar that remembers how it was computed, so it can be differentiated.

Every op below does two things side by side:

* the **forward** computation, ``out = f(a, b)``, and
* the **local derivatives** ``d out / d a`` and ``d out / d b``, written once as a
  small function ``d(a, b, out)`` (``d(a, out)`` for one input): its formula is in
  the op's docstring, its code in the block of derivatives after the class.

The forward pass calls ``d`` with the floats it has at hand and stores the numbers
(``_local``); reverse mode then needs nothing op-specific: the chain rule step for
any node is ``parent.grad += local * node.grad`` (see :meth:`Value._propagate`), and
the walk over the graph lives in :mod:`autograd.backprop`, shared with
:class:`~autograd.Tensor`.

``d`` is written with ordinary arithmetic, so the same expression also works on
Values. ``backward(create_graph=True)`` calls it with the nodes themselves
(:meth:`Value._propagate_graph`): the local derivatives, and so the gradients, are
then graph nodes too, and can be differentiated again (gradients of gradients).

Storing numbers instead of a closure per op (as micrograd does) keeps each node
small and each op a few lines of calculus you can read.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from numbers import Real
from typing import Any, TypeAlias

from autograd import backprop, grad_mode

__all__ = ["Value"]

Number: TypeAlias = "int | float"
Operand: TypeAlias = "Value | int | float"
# d(inputs..., out) -> local derivatives; called with floats or with Values.
Derivative: TypeAlias = "Callable[..., tuple[Any, ...]]"


def _check_real(data: object, what: str) -> float:
    """``float(data)`` for a finite real number, else a clear ``TypeError``/``ValueError``."""
    if isinstance(data, bool) or not isinstance(data, Real):
        raise TypeError(
            f"{what} needs a real number (int, float or NumPy scalar), "
            f"got {type(data).__name__}: {data!r}"
        )
    x = float(data)
    if not math.isfinite(x):
        raise ValueError(f"{what} needs a finite number, got {x!r}")
    return x


class Value:
    """A scalar node in a computation graph.

    >>> x = Value(2.0, label="x")
    >>> y = x * x + 3 * x          # y = x^2 + 3x
    >>> y.backward()               # dy/dx = 2x + 3
    >>> x.grad
    7.0

    Attributes:
        data: the number this node holds (a float).
        grad: ``dL/d(this node)`` after ``backward()``; starts at 0.0.
        label: an optional name, shown in ``repr`` and in graph pictures.
    """

    __slots__ = ("_d", "_local", "_op", "_parents", "data", "grad", "label")

    def __init__(self, data: float, label: str = "") -> None:
        if type(data) is not float or not math.isfinite(data):  # fast path for plain floats
            data = _check_real(data, "Value()")
        self.data: float = data
        self.grad: Any = 0.0  # a float; a Value after backward(create_graph=True)
        self.label = label
        self._parents: tuple[Value, ...] = ()
        self._local: tuple[float, ...] = ()
        self._d: Derivative | None = None
        self._op = ""

    @staticmethod
    def _node(
        data: float,
        op: str,
        parents: tuple[Value, ...],
        local: tuple[float, ...],
        d: Derivative | None = None,
    ) -> Value:
        """The result of an op: ``data`` plus, when grad is on, where it came from.

        ``local`` are the local derivatives as numbers (``d`` called with floats), ``d``
        the function that computed them, kept for ``backward(create_graph=True)`` (an op
        made without one can only be differentiated once).
        """
        if data - data != 0.0:  # inf or nan: the op overflowed (inputs are always finite)
            raise OverflowError(f"{op}: the result {data!r} overflows a float (max ~1.8e308)")
        out = Value.__new__(Value)
        out.data = data
        out.grad = 0.0
        out.label = ""
        if grad_mode._all_on or grad_mode._mode.enabled:
            out._parents = parents
            out._local = local
            out._d = d
            out._op = op
        else:
            out._parents = ()
            out._local = ()
            out._d = None
            out._op = ""
        return out

    # ---------------------------------------------------------------- ops
    # Each op: its forward value, then d(inputs..., out) -> (d out/d each input), in the
    # order of the parents. Each d uses only + - * / ** and Value methods, so it runs
    # on floats (here, to store numbers) and on Values (under create_graph).

    def __add__(self, other: Operand) -> Value:
        """``a + b``;  d/da = 1, d/db = 1."""
        o = other if isinstance(other, Value) else Value(other)
        a, b = self.data, o.data
        y = a + b
        return Value._node(y, "+", (self, o), _d_add(a, b, y), _d_add)

    def __mul__(self, other: Operand) -> Value:
        """``a * b``;  d/da = b, d/db = a."""
        o = other if isinstance(other, Value) else Value(other)
        a, b = self.data, o.data
        y = a * b
        return Value._node(y, "*", (self, o), _d_mul(a, b, y), _d_mul)

    def __sub__(self, other: Operand) -> Value:
        """``a - b``;  d/da = 1, d/db = -1."""
        o = other if isinstance(other, Value) else Value(other)
        a, b = self.data, o.data
        y = a - b
        return Value._node(y, "-", (self, o), _d_sub(a, b, y), _d_sub)

    def __truediv__(self, other: Operand) -> Value:
        """``a / b``;  d/da = 1/b, d/db = -a/b^2 = -out/b."""
        o = other if isinstance(other, Value) else Value(other)
        a, b = self.data, o.data
        if b == 0.0:
            raise ZeroDivisionError(f"div: {a!r} / 0.0 is undefined (division by zero)")
        y = a / b
        return Value._node(y, "/", (self, o), _d_div(a, b, y), _d_div)

    def __pow__(self, other: Operand) -> Value:
        """``a ** n``;  d/da = n a^(n-1), and for a Value exponent d/dn = a^n ln a."""
        a = self.data
        # The domain rules are the same for a Tensor, whatever the spelling: see _pow.
        if not isinstance(other, Value):
            n = _check_real(other, "pow exponent")
            y = _pow(a, n)
            if not backprop.is_grad_enabled():  # no derivative needed, none computed
                return Value._node(y, f"**{_fmt(n)}", (self,), ())
            if a == 0.0 and 0 < n < 1:
                raise ValueError(
                    f"pow: {a!r} ** {n!r} has an infinite derivative at 0 (d/da a**n = n a**(n-1))"
                )

            def d(a: Any, out: Any) -> tuple[Any]:  # n is a number here: d/da = n a^(n-1)
                return (_dpow(a, n, out),)

            return Value._node(y, f"**{_fmt(n)}", (self,), d(a, y), d)
        n = other.data
        _pow_domain(a, n)
        recording = backprop.is_grad_enabled()
        if recording and a <= 0.0:
            raise ValueError(
                f"pow: {a!r} ** {n!r} needs a positive base, because d/dn a**n = a**n * ln(a)"
            )
        y = _pow(a, n)
        if not recording:
            return Value._node(y, "**", (self, other), ())
        return Value._node(y, "**", (self, other), _d_pow(a, n, y), _d_pow)

    def __neg__(self) -> Value:
        """``-a``;  d/da = -1."""
        a = self.data
        return Value._node(-a, "neg", (self,), _d_neg(a, -a), _d_neg)

    # Reflected forms: a Python number on the left (``2 * x``, ``1 - x``, ``2 ** x``).
    def __radd__(self, other: Number) -> Value:
        return Value(other) + self

    def __rmul__(self, other: Number) -> Value:
        return Value(other) * self

    def __rsub__(self, other: Number) -> Value:
        return Value(other) - self

    def __rtruediv__(self, other: Number) -> Value:
        return Value(other) / self

    def __rpow__(self, other: Number) -> Value:
        return Value(other) ** self

    def exp(self) -> Value:
        """``e^a``;  d/da = e^a = out."""
        try:
            y = math.exp(self.data)
        except OverflowError:
            raise OverflowError(
                f"exp: exp({self.data!r}) is too large for a float (largest is about exp(709.78))"
            ) from None
        return Value._node(y, "exp", (self,), _d_exp(self.data, y), _d_exp)

    def log(self) -> Value:
        """``ln a``;  d/da = 1/a.  Needs a > 0."""
        a = self.data
        if a <= 0.0:
            raise ValueError(f"log: log({a!r}) is undefined; log needs a positive input")
        y = math.log(a)
        return Value._node(y, "log", (self,), _d_log(a, y), _d_log)

    def tanh(self) -> Value:
        """``tanh a``;  d/da = 1 - tanh^2 a = 1 - out^2."""
        a = self.data
        y = math.tanh(a)
        return Value._node(y, "tanh", (self,), _d_tanh(a, y), _d_tanh)

    def sigmoid(self) -> Value:
        """``s = 1 / (1 + e^-a)``;  d/da = s (1 - s).

        Computed so that ``e^x`` is only ever taken of ``x <= 0``: no overflow for
        any input, ``sigmoid(1000) == 1.0`` and ``sigmoid(-1000) == 0.0``.
        """
        a = self.data
        if a >= 0.0:
            s = 1.0 / (1.0 + math.exp(-a))
        else:
            e = math.exp(a)
            s = e / (1.0 + e)
        return Value._node(s, "sigmoid", (self,), _d_sigmoid(a, s), _d_sigmoid)

    def relu(self) -> Value:
        """``max(0, a)``;  d/da = 1 if a > 0 else 0 (we pick 0 at a = 0).

        relu' is a step, so relu'' = 0 wherever it exists (everywhere but 0, where
        the same convention gives 0).
        """
        a = self.data
        y = a if a > 0.0 else 0.0
        return Value._node(y, "relu", (self,), _d_relu(a, y), _d_relu)

    # ---------------------------------------------------------- backward

    def _propagate(self) -> None:
        """The chain rule for this node: ``parent.grad += d(self)/d(parent) * self.grad``."""
        g = self.grad
        for parent, local in zip(self._parents, self._local):  # noqa: B905 (same length)
            parent.grad += local * g

    def _propagate_graph(self) -> None:
        """The same chain rule, with the local derivatives recomputed as Values.

        ``self._d`` is called with the parent nodes and this node instead of their
        numbers, so every product and sum below is recorded: the gradients it leaves
        are graph nodes that depend on the inputs (``backward(create_graph=True)``).
        """
        if self._d is None:
            raise RuntimeError(
                f"backward(create_graph=True): op {self._op!r} stores only numbers for its "
                "local derivatives (it was made without a derivative function d), so its "
                "gradient cannot be differentiated again"
            )
        g = self.grad
        for parent, local in zip(self._parents, self._d(*self._parents, self), strict=True):
            c = g if type(local) is float and local == 1.0 else local * g
            parent.grad = c if parent.grad is None else parent.grad + c

    def backward(self, grad: float = 1.0, create_graph: bool = False) -> None:
        """Fill ``.grad`` of every node this one depends on with ``d self / d node``.

        Leaf gradients (inputs, parameters) **accumulate** across calls until
        :meth:`zero_grad`; gradients of intermediate nodes are recomputed from
        scratch on every call. So calling ``backward()`` twice gives exactly twice
        the leaf gradients, as in PyTorch. No recursion: graphs millions of nodes
        deep are fine.

        With ``create_graph=True`` every ``.grad`` left behind is a ``Value`` whose
        graph computes it from the inputs, so ``x.grad.backward()`` differentiates
        the gradient again (zero ``x.grad`` first: it accumulates, as in PyTorch; or
        use :func:`autograd.grad`, which never touches ``.grad``). Without it the
        gradients are plain floats and no graph is built.
        """
        seed = _check_real(grad, "backward(grad)")
        if create_graph:
            backprop.backward(self, Value(seed), None, create_graph=True)
        else:
            backprop.backward(self, seed, 0.0)

    def zero_grad(self) -> None:
        """Set ``grad = 0.0`` on this node and every node it depends on."""
        for node in backprop.topological_order(self):
            node.grad = 0.0

    def __float__(self) -> float:
        """``float(v)`` is ``v.data``: a gradient that is a Value reads as a number."""
        return self.data

    # ------------------------------------------------------------ display

    def __repr__(self) -> str:
        g = self.grad
        parts = [f"{self.data:.6g}", f"grad={'None' if g is None else format(float(g), '.6g')}"]
        if self._op:
            parts.append(f"op={self._op!r}")
        if self.label:
            parts.append(f"label={self.label!r}")
        return f"Value({', '.join(parts)})"


# ------------------------------------------------------ local derivatives
# d(inputs..., out) -> (d out / d each input) for each op above, in the order of its
# parents. Arithmetic only, so that the same expression gives numbers (called by the
# forward pass) or Values (called by backward(create_graph=True)). ``out`` is the
# op's result, used where the derivative is most simply written with it.


def _d_add(a: Any, b: Any, out: Any) -> tuple[Any, Any]:
    return 1.0, 1.0


def _d_mul(a: Any, b: Any, out: Any) -> tuple[Any, Any]:
    return b, a


def _d_sub(a: Any, b: Any, out: Any) -> tuple[Any, Any]:
    return 1.0, -1.0


def _d_div(a: Any, b: Any, out: Any) -> tuple[Any, Any]:
    return 1.0 / b, -out / b


def _d_pow(a: Any, n: Any, out: Any) -> tuple[Any, Any]:
    # a > 0 here (checked in the forward), so ln a exists.
    return _dpow(a, n, out), out * (a.log() if isinstance(a, Value) else math.log(a))


def _d_neg(a: Any, out: Any) -> tuple[Any]:
    return (-1.0,)


def _d_exp(a: Any, out: Any) -> tuple[Any]:
    return (out,)


def _d_log(a: Any, out: Any) -> tuple[Any]:
    return (1.0 / a,)


def _d_tanh(a: Any, out: Any) -> tuple[Any]:
    return (1.0 - out * out,)


def _d_sigmoid(a: Any, out: Any) -> tuple[Any]:
    return (out * (1.0 - out),)


def _d_relu(a: Any, out: Any) -> tuple[Any]:
    # A step: a constant even on Values (relu'' = 0); float() reads a Value's number.
    return (1.0 if float(a) > 0.0 else 0.0,)


def _pow(a: float, n: float) -> float:
    """``a ** n`` for reals, with clear errors where it has no real value."""
    _pow_domain(a, n)
    try:
        y = float(a**n)
    except OverflowError:
        raise OverflowError(f"pow: {a!r} ** {n!r} is too large for a float") from None
    return y


def _pow_domain(a: float, n: float) -> None:
    """Raise where ``a ** n`` has no real value (the same rules as for a Tensor)."""
    if a == 0.0 and n < 0:
        raise ZeroDivisionError(f"pow: 0.0 ** {n!r} is undefined (division by zero)")
    if a < 0.0 and not float(n).is_integer():
        raise ValueError(
            f"pow: {a!r} ** {n!r} is not a real number (negative base, non-integer exponent)"
        )


def _dpow(a: Any, n: Any, y: Any) -> Any:
    """``d/da a**n = n a**(n-1)`` (``y = a**n``), 0 for ``n == 0``; on Values, as Value ops.

    ``a**(n-1)`` alone can overflow where ``n a**(n-1)`` does not (``a = 1e-310``,
    ``n = 1e-300``: the derivative is 1e10); then it is ``n (y / a)``. A derivative
    that is itself beyond the float range is ``inf``, as IEEE rounding (and a
    Tensor) gives it.
    """
    if isinstance(a, Value):
        return n * a ** (n - 1) if not isinstance(n, float) or n != 0 else 0.0
    if n == 0:
        return 0.0
    try:
        p = float(a ** (n - 1))
    except OverflowError:
        p = math.inf
    return n * p if p - p == 0.0 else n * (y / a)


def _fmt(n: float) -> str:
    """The exponent as written in ``_op`` ("**3", "**0.5"): exact, so ``float()`` reads it back."""
    return str(int(n)) if n.is_integer() else repr(n)
