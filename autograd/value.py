"""``Value``: a scalar that remembers how it was computed, so it can be differentiated.

Every op below does two things side by side:

* the **forward** computation, ``out = f(a, b)``, and
* the **local derivatives** ``d out / d a`` and ``d out / d b``, stored as numbers.

Reverse mode then needs nothing op-specific: the chain rule step for any node is
``parent.grad += local * node.grad`` (see :meth:`Value._propagate`), and the walk
over the graph lives in :mod:`autograd.graph`, shared with :class:`~autograd.Tensor`.

Storing numbers instead of a closure per op (as micrograd does) keeps each node
small and each op a single line of calculus you can read.
"""

from __future__ import annotations

import math
from numbers import Real
from typing import TypeAlias

from autograd import graph

__all__ = ["Value"]

Number: TypeAlias = "int | float"
Operand: TypeAlias = "Value | int | float"


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

    __slots__ = ("_local", "_op", "_parents", "data", "grad", "label")

    def __init__(self, data: float, label: str = "") -> None:
        if type(data) is not float or not math.isfinite(data):  # fast path for plain floats
            data = _check_real(data, "Value()")
        self.data: float = data
        self.grad: float = 0.0
        self.label = label
        self._parents: tuple[Value, ...] = ()
        self._local: tuple[float, ...] = ()
        self._op = ""

    @staticmethod
    def _node(data: float, op: str, parents: tuple[Value, ...], local: tuple[float, ...]) -> Value:
        """The result of an op: ``data`` plus, when grad is on, where it came from."""
        if data - data != 0.0:  # inf or nan: the op overflowed (inputs are always finite)
            raise OverflowError(f"{op}: the result {data!r} overflows a float (max ~1.8e308)")
        out = Value.__new__(Value)
        out.data = data
        out.grad = 0.0
        out.label = ""
        if graph._all_on or graph._mode.enabled:
            out._parents = parents
            out._local = local
            out._op = op
        else:
            out._parents = ()
            out._local = ()
            out._op = ""
        return out

    # ---------------------------------------------------------------- ops
    # Each op: forward value, then (d out/d each parent), in the same order as parents.

    def __add__(self, other: Operand) -> Value:
        """``a + b``;  d/da = 1, d/db = 1."""
        o = other if isinstance(other, Value) else Value(other)
        return Value._node(self.data + o.data, "+", (self, o), (1.0, 1.0))

    def __mul__(self, other: Operand) -> Value:
        """``a * b``;  d/da = b, d/db = a."""
        o = other if isinstance(other, Value) else Value(other)
        return Value._node(self.data * o.data, "*", (self, o), (o.data, self.data))

    def __sub__(self, other: Operand) -> Value:
        """``a - b``;  d/da = 1, d/db = -1."""
        o = other if isinstance(other, Value) else Value(other)
        return Value._node(self.data - o.data, "-", (self, o), (1.0, -1.0))

    def __truediv__(self, other: Operand) -> Value:
        """``a / b``;  d/da = 1/b, d/db = -a/b^2."""
        o = other if isinstance(other, Value) else Value(other)
        b = o.data
        if b == 0.0:
            raise ZeroDivisionError(f"div: {self.data!r} / 0.0 is undefined (division by zero)")
        q = self.data / b
        return Value._node(q, "/", (self, o), (1.0 / b, -q / b))

    def __pow__(self, other: Operand) -> Value:
        """``a ** n``;  d/da = n a^(n-1), and for a Value exponent d/dn = a^n ln a."""
        a = self.data
        # The domain rules are the same for a Tensor, whatever the spelling: see _pow.
        if not isinstance(other, Value):
            n = _check_real(other, "pow exponent")
            y = _pow(a, n)
            if not graph.is_grad_enabled():  # no derivative needed, none computed
                return Value._node(y, f"**{_fmt(n)}", (self,), ())
            if a == 0.0 and 0 < n < 1:
                raise ValueError(
                    f"pow: {a!r} ** {n!r} has an infinite derivative at 0 (d/da a**n = n a**(n-1))"
                )
            return Value._node(y, f"**{_fmt(n)}", (self,), (_dpow(a, n, y),))
        n = other.data
        _pow_domain(a, n)
        recording = graph.is_grad_enabled()
        if recording and a <= 0.0:
            raise ValueError(
                f"pow: {a!r} ** {n!r} needs a positive base, because d/dn a**n = a**n * ln(a)"
            )
        y = _pow(a, n)
        if not recording:
            return Value._node(y, "**", (self, other), ())
        return Value._node(y, "**", (self, other), (_dpow(a, n, y), y * math.log(a)))

    def __neg__(self) -> Value:
        """``-a``;  d/da = -1."""
        return Value._node(-self.data, "neg", (self,), (-1.0,))

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
        """``e^a``;  d/da = e^a."""
        try:
            y = math.exp(self.data)
        except OverflowError:
            raise OverflowError(
                f"exp: exp({self.data!r}) is too large for a float (largest is about exp(709.78))"
            ) from None
        return Value._node(y, "exp", (self,), (y,))

    def log(self) -> Value:
        """``ln a``;  d/da = 1/a.  Needs a > 0."""
        a = self.data
        if a <= 0.0:
            raise ValueError(f"log: log({a!r}) is undefined; log needs a positive input")
        return Value._node(math.log(a), "log", (self,), (1.0 / a,))

    def tanh(self) -> Value:
        """``tanh a``;  d/da = 1 - tanh^2 a."""
        t = math.tanh(self.data)
        return Value._node(t, "tanh", (self,), (1.0 - t * t,))

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
        return Value._node(s, "sigmoid", (self,), (s * (1.0 - s),))

    def relu(self) -> Value:
        """``max(0, a)``;  d/da = 1 if a > 0 else 0 (we pick 0 at a = 0)."""
        a = self.data
        return Value._node(a if a > 0.0 else 0.0, "relu", (self,), (1.0 if a > 0.0 else 0.0,))

    # ---------------------------------------------------------- backward

    def _propagate(self) -> None:
        """The chain rule for this node: ``parent.grad += d(self)/d(parent) * self.grad``."""
        g = self.grad
        for parent, local in zip(self._parents, self._local, strict=False):
            parent.grad += local * g

    def backward(self, grad: float = 1.0) -> None:
        """Fill ``.grad`` of every node this one depends on with ``d self / d node``.

        Leaf gradients (inputs, parameters) **accumulate** across calls until
        :meth:`zero_grad`; gradients of intermediate nodes are recomputed from
        scratch on every call. So calling ``backward()`` twice gives exactly twice
        the leaf gradients, as in PyTorch. No recursion: graphs millions of nodes
        deep are fine.
        """
        graph.backward(self, _check_real(grad, "backward(grad)"), 0.0)

    def zero_grad(self) -> None:
        """Set ``grad = 0.0`` on this node and every node it depends on."""
        for node in graph.topological_order(self):
            node.grad = 0.0

    # ------------------------------------------------------------ display

    def __repr__(self) -> str:
        parts = [f"{self.data:.6g}", f"grad={self.grad:.6g}"]
        if self._op:
            parts.append(f"op={self._op!r}")
        if self.label:
            parts.append(f"label={self.label!r}")
        return f"Value({', '.join(parts)})"

    def _repr_mimebundle_(self, include: object = None, exclude: object = None) -> dict[str, str]:
        """Jupyter shows a Value as the picture of its graph (graphviz is imported lazily)."""
        from autograd.viz import notebook_bundle

        return notebook_bundle(self, include, exclude)


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


def _dpow(a: float, n: float, y: float) -> float:
    """``d/da a**n = n a**(n-1)`` (``y = a**n``), 0 for ``n == 0``.

    ``a**(n-1)`` alone can overflow where ``n a**(n-1)`` does not (``a = 1e-310``,
    ``n = 1e-300``: the derivative is 1e10); then it is ``n (y / a)``. A derivative
    that is itself beyond the float range is ``inf``, as IEEE rounding (and a
    Tensor) gives it.
    """
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
