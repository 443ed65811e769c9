"""``Value``: a scalar that remembers how it was computed, so it can be differentiated.

Each op below is registered by :func:`op` with its **local derivatives**, a small
function ``d(a, b, out) -> (d out/d a, d out/d b)`` (``d(a, out)`` for one input),
in the line above its **forward** computation. The forward pass calls ``d`` with
the numbers at hand and stores the results (``_local``); the chain rule for any node
is then one line, ``parent.grad += local * node.grad``, and the walk over the graph
(:mod:`autograd.backprop`) is shared with :class:`~autograd.Tensor`.

``d`` uses only arithmetic and Value methods, so ``backward(create_graph=True)``
calls it with the nodes themselves: the gradients are then nodes, differentiable
again. The registry ``OPS`` is what the rest of the package reads about an op.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from functools import partialmethod
from numbers import Real
from typing import Any, TypeAlias, TypeVar

from autograd import backprop, grad_mode
from autograd.domain import Refused, check_pow
from autograd.number_protocols import Number
from autograd.pickling import picklable_state

__all__ = ["OPS", "Op", "Value", "op"]

Operand: TypeAlias = "Value | int | float"
Derivative: TypeAlias = "Callable[..., tuple[Any, ...]]"  # d(inputs..., out) -> locals
F = TypeVar("F", bound=Callable[..., Any])


@dataclass(frozen=True, slots=True)
class Op:
    """What the package knows about one op of :class:`Value`.

    Attributes:
        name: as in a node's ``_op`` (``"**n"`` stands for ``"**2"``, ``"**0.5"``, ...).
        formulas: ``d out / d`` each input as text, for captions: ``{a}``, ``{b}`` are the
            inputs' names (``{a_bare}`` without enclosing parentheses).
        d: the local derivatives, on numbers or Values; ``None`` where the op passes its
            own (``"**n"``: ``d`` needs the exponent).
        method: the op itself (``Value.tanh``; ``Value.__pow__`` for ``"**n"``).
    """

    name: str
    formulas: tuple[str, ...]
    d: Derivative | None
    method: Callable[..., Value]


OPS: dict[str, Op] = {}


def op(name: str, d: Derivative | None, *formulas: str) -> Callable[[F], F]:
    """Register the method below as op ``name``: local derivatives ``d``, as text ``formulas``."""

    def register(method: F) -> F:
        OPS[name] = Op(name, formulas, d, method)
        return method

    return register


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


class Value(Number):
    """A scalar node in a computation graph (number protocols: :mod:`~autograd.number_protocols`).

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
        self._local: tuple[Any, ...] = ()
        self._d: Derivative | None = None
        self._op = ""

    @staticmethod
    def _node(
        data: float, op: str, parents: tuple[Value, ...], d: Derivative | None = None
    ) -> Value:
        """The result of op ``op``: ``data`` plus, when grad is on, where it came from.

        ``d`` (by default the op's registered one, ``OPS[op].d``) is called here with
        the parents' numbers and ``data``; its results are stored as the local
        derivatives, and ``d`` itself for ``create_graph``.
        """
        if data - data != 0.0:  # inf or nan: the op overflowed (inputs are always finite)
            raise OverflowError(f"{op}: the result {data!r} overflows a float (max ~1.8e308)")
        out = Value.__new__(Value)
        out.data = data
        out.grad = 0.0
        out.label = ""
        if grad_mode._all_on or grad_mode._mode.enabled:
            if d is None:
                d = OPS[op].d
                assert d is not None, f"op {op!r} registered no derivative: pass d"
            out._parents = parents
            if len(parents) == 1:
                out._local = d(parents[0].data, data)
            else:
                out._local = d(parents[0].data, parents[1].data, data)
            out._d = d
            out._op = op
        else:
            out._parents = ()
            out._local = ()
            out._d = None
            out._op = ""
        return out

    # ---------------------------------------------------------------- ops
    # Each op: its local derivatives d(inputs..., out) in the line above it, then its
    # forward value.

    @op("+", lambda a, b, out: (1.0, 1.0), "1", "1")
    def __add__(self, other: Operand) -> Value:
        """``a + b``;  d/da = 1, d/db = 1."""
        o = other if isinstance(other, Value) else Value(other)
        return Value._node(self.data + o.data, "+", (self, o))

    @op("-", lambda a, b, out: (1.0, -1.0), "1", "−1")
    def __sub__(self, other: Operand) -> Value:
        """``a - b``;  d/da = 1, d/db = -1."""
        o = other if isinstance(other, Value) else Value(other)
        return Value._node(self.data - o.data, "-", (self, o))

    @op("*", lambda a, b, out: (b, a), "{b}", "{a}")
    def __mul__(self, other: Operand) -> Value:
        """``a * b``;  d/da = b, d/db = a."""
        o = other if isinstance(other, Value) else Value(other)
        return Value._node(self.data * o.data, "*", (self, o))

    @op("/", lambda a, b, out: (1.0 / b, -out / b), "1/{b}", "−{a}/{b}²")
    def __truediv__(self, other: Operand) -> Value:
        """``a / b``;  d/da = 1/b, d/db = -a/b² = -out/b.  Needs b ≠ 0."""
        o = other if isinstance(other, Value) else Value(other)
        if o.data == 0.0:
            raise ZeroDivisionError(f"div: {self.data!r} / 0.0 is undefined (division by zero)")
        out = self.data / o.data
        return Value._node(out, "/", (self, o))

    @op("**n", None, "n·{a}^(n−1)")
    @op(
        "**",
        lambda a, n, out: (_dpow(a, n, out), out * _ln(a)),
        "{b}·{a}^({b}−1)",
        "{a}^{b}·ln {a}",
    )
    def __pow__(self, other: Operand) -> Value:
        """``a ** n``;  d/da = n a^(n-1), and for a Value exponent d/dn = a^n ln a.

        The domain is :func:`autograd.domain.check_pow`'s, the same as a Tensor's.
        """
        if isinstance(other, Value):
            check_pow(self.data, other.data, False, grad_mode.is_grad_enabled())
            return Value._node(_pow(self.data, other.data), "**", (self, other))
        n = _check_real(other, "pow exponent")
        check_pow(self.data, n, grad_mode.is_grad_enabled(), False)
        name = f"**{int(n) if n.is_integer() else n!r}"  # exact, so float() reads n back
        return Value._node(_pow(self.data, n), name, (self,), lambda a, out: (_dpow(a, n, out),))

    @op("neg", lambda a, out: (-1.0,), "−1")
    def __neg__(self) -> Value:
        """``-a``;  d/da = -1."""
        return Value._node(-self.data, "neg", (self,))

    # Reflected forms: a number (or, for a subclass, a Value) on the left: ``2 * x``.
    def _reflected(self, other: Operand, op: Callable[[Value, Operand], Value]) -> Value:
        return op(other if isinstance(other, Value) else Value(other), self)

    __radd__ = partialmethod(_reflected, op=__add__)
    __rsub__ = partialmethod(_reflected, op=__sub__)
    __rmul__ = partialmethod(_reflected, op=__mul__)
    __rtruediv__ = partialmethod(_reflected, op=__truediv__)
    __rpow__ = partialmethod(_reflected, op=__pow__)

    @op("exp", lambda a, out: (out,), "exp({a_bare})")
    def exp(self) -> Value:
        """``e^a``;  d/da = e^a = out."""
        try:
            out = math.exp(self.data)
        except OverflowError:
            raise OverflowError(
                f"exp: exp({self.data!r}) is too large for a float (largest is about exp(709.78))"
            ) from None
        return Value._node(out, "exp", (self,))

    @op("log", lambda a, out: (1.0 / a,), "1/{a}")
    def log(self) -> Value:
        """``ln a``;  d/da = 1/a.  Needs a > 0."""
        if self.data <= 0.0:
            raise ValueError(f"log: log({self.data!r}) is undefined; log needs a positive input")
        return Value._node(math.log(self.data), "log", (self,))

    @op("tanh", lambda a, out: (1.0 - out * out,), "1 − tanh²")
    def tanh(self) -> Value:
        """``tanh a``;  d/da = 1 - tanh² a = 1 - out²."""
        out = math.tanh(self.data)
        return Value._node(out, "tanh", (self,))

    @op("sigmoid", lambda a, out: (out * (1.0 - out),), "σ(1 − σ)")
    def sigmoid(self) -> Value:
        """``σ(a) = 1 / (1 + e^-a)``;  d/da = σ (1 - σ) = out (1 - out).

        ``e^x`` is only ever taken of ``x <= 0``: no overflow for any input,
        ``sigmoid(1000) == 1.0`` and ``sigmoid(-1000) == 0.0``.
        """
        a = self.data
        if a >= 0.0:
            out = 1.0 / (1.0 + math.exp(-a))
        else:
            e = math.exp(a)
            out = e / (1.0 + e)
        return Value._node(out, "sigmoid", (self,))

    @op("relu", lambda a, out: (1.0 if a > 0.0 else 0.0,), "[{a_bare} > 0]")
    def relu(self) -> Value:
        """``max(0, a)``;  d/da = 1 if a > 0 else 0 (we pick 0 at a = 0).

        relu' is a step: a constant even on Values (``a > 0`` compares a Value's
        number), so relu'' = 0 wherever it exists (and, by the same choice, at 0).
        """
        out = self.data if self.data > 0.0 else 0.0
        return Value._node(out, "relu", (self,))

    @op("abs", lambda a, out: (1.0 if a > 0.0 else -1.0 if a < 0.0 else 0.0,), "sign({a_bare})")
    def abs(self) -> Value:
        """``|a|``;  d/da = sign(a): 1 if a > 0, -1 if a < 0 (we pick 0 at a = 0, as PyTorch).

        ``abs(v)`` is this op too. The derivative is a step, constant on Values, so
        abs'' = 0 (and, by the same choice, at 0).
        """
        return Value._node(math.fabs(self.data), "abs", (self,))

    __abs__ = abs  # abs(v): a Value, differentiable (not a float)

    # ---------------------------------------------------------- backward

    def _propagate(self) -> None:
        """The chain rule for this node: ``parent.grad += d(self)/d(parent) * self.grad``."""
        g = self.grad
        for parent, local in zip(self._parents, self._local):  # noqa: B905 (same length)
            if local:  # a zero derivative passes 0 on, even for an infinite g (inf * 0 = nan)
                parent.grad += local * g

    def _propagate_graph(self) -> None:
        """The same chain rule, with the local derivatives recomputed as Values.

        ``self._d`` is called with the parent nodes and this node instead of their
        numbers, so every product and sum below is recorded: the gradients it leaves
        are graph nodes that depend on the inputs (``backward(create_graph=True)``).
        """
        g = self.grad
        for parent, local in zip(self._parents, self._d(*self._parents, self), strict=True):  # type: ignore[misc]
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
        use :func:`autograd.grad`, which never touches ``.grad``).

        Raises:
            TypeError, ValueError: ``grad`` is not a finite real number.
        """
        seed = _check_real(grad, "backward(grad)")
        if create_graph:
            backprop.backward(self, Value(seed), None, create_graph=True)
        else:
            backprop.backward(self, seed, 0.0)

    def __getstate__(self) -> Any:
        """For pickle and ``copy``: ``d`` (often a lambda) is stored by its code."""
        return picklable_state(self, Value.__slots__, "_d")

    def zero_grad(self) -> None:
        """Set ``grad = 0.0`` on this node and every node it depends on."""
        for node in backprop.topological_order(self):
            node.grad = 0.0

    def __repr__(self) -> str:
        g = self.grad
        g = g.data if isinstance(g, Value) else g
        parts = [f"{self.data:.6g}", f"grad={'None' if g is None else format(g, '.6g')}"]
        if self._op:
            parts.append(f"op={self._op!r}")
        if self.label:
            parts.append(f"label={self.label!r}")
        return f"Value({', '.join(parts)})"


def _pow(a: float, n: float) -> float:
    """``a ** n`` for reals in the domain (checked before), as a float."""
    try:
        return float(a**n)
    except OverflowError:
        raise OverflowError(f"pow: {a!r} ** {n!r} is too large for a float") from None


def _dpow(a: Any, n: Any, out: Any) -> Any:
    """``d/da a**n = n a**(n-1)`` (``out = a**n``), 0 for ``n == 0``; on Values, as Value ops.

    Where ``a**(n-1)`` alone overflows it is ``n out / a`` (``a = 1e-310``, ``n = 1e-300``:
    1e10); beyond the float range, ``inf`` (as IEEE rounding, and a Tensor, give it).
    """
    if isinstance(n, Value):  # then a is a Value too, and a > 0 (checked in the forward)
        return n * a ** (n - 1)
    if isinstance(a, Value):  # create_graph: the number below, as a node of its own whose
        d = _dpow(a.data, n, out.data)  # derivative is refused only when it is used
        return Value._node(d, "dpow", (a,), lambda a, out: (_d2pow(a, n),)) if n else 0.0
    if n == 0:
        return 0.0
    try:
        p = float(a ** (n - 1))
    except OverflowError:
        p = math.inf
    return n * p if p - p == 0.0 else n * out / a  # n * out first: out / a may overflow


def _d2pow(a: Any, n: float) -> Any:
    """``d/da n a**(n-1) = n (n-1) a**(n-2)``; infinite at ``a = 0`` for ``1 < n < 2``: then
    refused when used (on Values by ``a ** (n-1)``'s own domain rule), not before."""
    if not isinstance(a, Value) and a == 0 and 0 < n - 1 < 1:
        return Refused(f"pow: the derivative of {n!r} a**{n - 1!r} at a = 0 is infinite")
    try:
        return n * _dpow(a, n - 1, a ** (n - 1) if isinstance(a, Value) else float(a ** (n - 1)))
    except OverflowError:  # a**(n-1), so n (n-1) a**(n-2), is beyond the float range
        return math.copysign(math.inf, n * (n - 1))


def _ln(a: Any) -> Any:
    return a.log() if isinstance(a, Value) else math.log(a)
