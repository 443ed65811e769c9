"""Hypothesis strategies for property-based tests of gradients.

Import these in your own tests to check an engine (this one, or one you are
writing) on many random inputs instead of a few hand-picked ones::

    from hypothesis import given
    from autograd import gradcheck
    from autograd.checking.strategies import expressions

    @given(expressions())
    def test_backward_matches_finite_differences(expr):
        f, inputs = expr
        gradcheck(f, inputs)

What is here:

* :func:`finite_floats`, :func:`positive_floats`: floats in a safe range (no nan,
  no inf, no subnormals), and :func:`values`: leaf ``Value``\\ s built from them.
* :func:`expressions`: random expression graphs over every ``Value`` op, with
  shared sub-expressions, reused non-leaf nodes and constants on either side of
  an op, built so that every op stays inside its domain and finite differences
  are well conditioned. Each example is ``(f, inputs)``: ``f(*inputs)`` rebuilds
  the graph and returns its root, and ``f`` prints as readable code. It is an
  :class:`Expression`, a list of :class:`Step`\\ s (:func:`run_step` runs one).
* :func:`arrays`, :func:`broadcastable_shapes`, :func:`broadcastable_arrays`,
  :func:`matmul_shapes`: NumPy arrays and shapes for array (Tensor) engines.

Hypothesis is needed here only: ``pip install 'valuegrad[testing]'``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Literal, cast

import numpy as np
import numpy.typing as npt

try:
    from hypothesis import strategies as st
    from hypothesis.extra import numpy as hnp
except ImportError as e:  # pragma: no cover - depends on the environment
    raise ImportError(
        "autograd.testing needs hypothesis: pip install 'valuegrad[testing]' (or hypothesis)"
    ) from e

from autograd.grad_mode import no_grad
from autograd.value import OPS as VALUE_OPS
from autograd.value import Value

__all__ = [
    "BINARY_OPS",
    "OPS",
    "UNARY_OPS",
    "Expression",
    "Step",
    "arrays",
    "broadcastable_arrays",
    "broadcastable_shapes",
    "expressions",
    "finite_floats",
    "matmul_shapes",
    "positive_floats",
    "run_step",
    "values",
]

# ------------------------------------------------------------------ floats


def finite_floats(min_value: float = -5.0, max_value: float = 5.0) -> st.SearchStrategy[float]:
    """Floats in ``[min_value, max_value]``: never nan, inf or subnormal.

    >>> from hypothesis import given
    >>> @given(finite_floats())
    ... def test_square_is_non_negative(x):
    ...     assert x * x >= 0
    """
    return st.floats(
        min_value=min_value,
        max_value=max_value,
        allow_nan=False,
        allow_infinity=False,
        allow_subnormal=False,
    )


def positive_floats(min_value: float = 0.1, max_value: float = 5.0) -> st.SearchStrategy[float]:
    """Floats in ``[min_value, max_value]`` with ``min_value > 0``: safe for log, 1/x, x**0.5.

    >>> from hypothesis import given
    >>> from autograd import Value
    >>> @given(positive_floats())
    ... def test_log_of_positive(x):
    ...     Value(x).log()
    """
    if not min_value > 0:
        raise ValueError(f"positive_floats: min_value must be > 0, got {min_value!r}")
    return finite_floats(min_value, max_value)


def values(
    min_value: float = -5.0, max_value: float = 5.0, label: str = ""
) -> st.SearchStrategy[Value]:
    """Leaf ``Value``\\ s with data from :func:`finite_floats`.

    >>> from hypothesis import given
    >>> @given(values(), values())
    ... def test_add_commutes(a, b):
    ...     assert (a + b).data == (b + a).data
    """
    return finite_floats(min_value, max_value).map(lambda x: Value(x, label=label))


# ------------------------------------------------------------- expressions

# Read from the engine's registry of Value ops (a new op is drawn as soon as it exists).
BINARY_OPS: tuple[str, ...] = tuple(n for n, o in VALUE_OPS.items() if len(o.formulas) == 2)
"""Binary ops of :func:`expressions`; ``"**"`` has a Value exponent (``x ** y``, ``2.0 ** x``)."""
UNARY_OPS: tuple[str, ...] = tuple(
    sorted((n for n, o in VALUE_OPS.items() if len(o.formulas) == 1), key=lambda n: n == "**n")
)  # "**n" last: hypothesis shrinks towards the first
"""Unary ops of :func:`expressions`; ``"**n"`` is a number exponent (``x ** 3``, ``x ** 0.5``)."""
OPS: tuple[str, ...] = BINARY_OPS + UNARY_OPS
"""Every op :func:`expressions` draws from by default."""

_BOUND = 10.0  # largest |value| a drawn op may produce (guard nodes may reach ~100)
_MARGIN = 0.5  # distance from a domain edge (log, division, pow) a direct op needs
_KINK = 0.05  # distance from the kink at 0 a relu (abs) input needs
_EXPONENTS: tuple[int | float, ...] = (2, 3, -1, 0.5, 1.5, -2, 0, 1, 2.0, -0.5)

Operand = int | float  # an int is a node index, a float is a constant


@dataclass(frozen=True)
class Step:
    """One op of an :class:`Expression`: ``Step("*", (0, 2.5))`` is ``x0 * 2.5``.

    Attributes:
        op: an op of :data:`OPS` (``"+"``, ``"tanh"``...), or ``"**n"`` for a power
            by a number.
        args: the operands: an int is the index of an earlier node (the inputs
            first, then each step's result), a float a constant. ``"**n"`` has
            one operand, its exponent being ``power``.
        power: the exponent of ``"**n"`` (None for the other ops).
    """

    op: str
    args: tuple[Operand, ...]
    power: int | float | None = None


def run_step(step: Step, nodes: Sequence[Value]) -> Value:
    """Run one step on ``nodes`` with their own operators, so any engine's Value type works.

    Constants stay Python floats (so ``2.5 - x`` goes through ``__rsub__``).

    Raises:
        AttributeError: ``op`` names a method the nodes do not have.
    """
    args: list[Any] = [nodes[a] if type(a) is int else a for a in step.args]
    op = step.op
    if op == "+":
        return args[0] + args[1]  # type: ignore[no-any-return]
    if op == "-":
        return args[0] - args[1]  # type: ignore[no-any-return]
    if op == "*":
        return args[0] * args[1]  # type: ignore[no-any-return]
    if op == "/":
        return args[0] / args[1]  # type: ignore[no-any-return]
    if op == "**":
        return args[0] ** args[1]  # type: ignore[no-any-return]
    a: Value = args[0]
    if op == "**n":
        assert step.power is not None
        return a**step.power
    if op == "neg":
        return -a
    method: Callable[[], Value] = getattr(a, op)
    return method()


class Expression:
    """A recorded expression: ``f(*inputs)`` rebuilds the graph and returns its root.

    Made by :func:`expressions`. Calling it runs the same sequence of ``Value`` ops
    on whatever inputs it is given, so finite differences can re-evaluate it with
    nudged inputs. ``repr`` (what Hypothesis prints for a failing example) and
    :attr:`source` show the steps as Python code.

    >>> from autograd import Value
    >>> e = Expression(2, [Step("*", (0, 1)), Step("-", (2.5, 2))])
    >>> e(Value(2.0), Value(3.0)).data      # 2.5 - x0 * x1
    -3.5
    >>> print(e.source)
    def f(x0, x1):
        v2 = x0 * x1
        v3 = 2.5 - v2
        return v3
    """

    def __init__(self, n_inputs: int, steps: Sequence[Step]) -> None:
        self.n_inputs = n_inputs
        self.steps: tuple[Step, ...] = tuple(steps)

    def __call__(self, *inputs: Value) -> Value:
        if len(inputs) != self.n_inputs:
            raise TypeError(f"this expression takes {self.n_inputs} inputs, got {len(inputs)}")
        nodes = list(inputs)
        for step in self.steps:
            nodes.append(run_step(step, nodes))
        return nodes[-1]

    @property
    def ops(self) -> list[str]:
        """The op of every step, in order (``"**n"`` for number exponents)."""
        return [s.op for s in self.steps]

    def _name(self, arg: Operand) -> str:
        if type(arg) is int:
            return f"x{arg}" if arg < self.n_inputs else f"v{arg}"
        return repr(arg)

    def _line(self, step: Step) -> str:
        names = [self._name(a) for a in step.args]
        if step.op in BINARY_OPS:
            return f"{names[0]} {step.op} {names[1]}"
        if step.op == "**n":
            return f"{names[0]} ** {step.power!r}"
        if step.op == "neg":
            return f"-{names[0]}"
        return f"{names[0]}.{step.op}()"

    @property
    def statements(self) -> list[str]:
        """One assignment per step, ``"v2 = x0 * x1"``, in order."""
        return [f"v{self.n_inputs + k} = {self._line(s)}" for k, s in enumerate(self.steps)]

    @property
    def root_name(self) -> str:
        """The name of the node ``f`` returns (``"v3"``, or ``"x0"`` with no steps)."""
        return self._name(self.n_inputs + len(self.steps) - 1)

    @property
    def source(self) -> str:
        """The expression as the body of a Python function."""
        params = ", ".join(f"x{i}" for i in range(self.n_inputs))
        lines = [f"def f({params}):", *(f"    {s}" for s in self.statements)]
        lines.append(f"    return {self.root_name}")
        return "\n".join(lines)

    def __repr__(self) -> str:
        body = "; ".join(self.statements)
        s = "" if self.n_inputs == 1 else "s"
        return f"Expression({self.n_inputs} input{s}: {body})"


class _Builder:
    """Draws steps, evaluating them as it goes so every op is kept in its domain."""

    def __init__(
        self,
        draw: st.DrawFn,
        inputs: list[float],
        constants: st.SearchStrategy[float],
        ops: tuple[str, ...] = OPS,
    ):
        self.draw = draw
        self.ops = ops
        self.n_inputs = len(inputs)
        with no_grad():
            self.nodes: list[Value] = [Value(x) for x in inputs]
        self.steps: list[Step] = []
        self.used: list[bool] = [False] * len(inputs)
        self.constants = constants

    def data(self, arg: Operand) -> float:
        return self.nodes[arg].data if type(arg) is int else float(arg)

    def push(self, op: str, args: tuple[Operand, ...], power: int | float | None = None) -> int:
        step = Step(op, args, power)
        with no_grad():
            self.nodes.append(run_step(step, self.nodes))
        self.steps.append(step)
        self.used.append(False)
        for a in args:
            if type(a) is int:
                self.used[a] = True
        return len(self.nodes) - 1

    def node(self) -> int:
        """A node index; counting back from the newest, so shrinking makes chains."""
        back = self.draw(st.integers(0, len(self.nodes) - 1))
        return len(self.nodes) - 1 - back

    def constant(self) -> float:
        return float(self.draw(self.constants))

    def guarded_positive(self, a: int) -> int:
        """``a * a + 1``: a node that is >= 1 whatever ``a`` is (and reuses ``a``)."""
        return self.push("+", (self.push("*", (a, a)), 1.0))

    def would_be_ok(self, step: Step) -> bool:
        try:
            with no_grad():
                value = run_step(step, self.nodes).data
        except (ArithmeticError, ValueError):
            return False
        return abs(value) <= _BOUND

    def emit(self, op: str) -> None:
        a = self.node()
        if op in ("+", "-", "*", "/", "**"):
            side = self.draw(st.sampled_from(("none", "left", "right")))
            if op == "**" and side == "right":
                side = "none"  # a number exponent is the "**n" op
            args: tuple[Operand, Operand]
            if side == "left":
                args = (self.constant(), a)
            elif side == "right":
                args = (a, self.constant())
            else:
                args = (a, self.node())
            if op == "/" and abs(self.data(args[1])) < _MARGIN:
                b = args[1]
                args = (
                    args[0],
                    self.guarded_positive(b) if isinstance(b, int) else 1.0 + float(b) ** 2,
                )
            if op == "**" and self.data(args[0]) < _MARGIN:  # a Value exponent needs base > 0
                base = args[0]
                base = self.guarded_positive(base) if isinstance(base, int) else abs(base) + _MARGIN
                args = (base, args[1])
            step = Step(op, args)
        elif op == "**n":
            n = self.draw(st.sampled_from(_EXPONENTS))
            x = self.data(a)
            needs_guard = (n < 0 and abs(x) < _MARGIN) or (
                not float(n).is_integer() and x < _MARGIN
            )
            step = Step(op, (self.guarded_positive(a) if needs_guard else a,), n)
        elif op == "log":
            step = Step(op, (a if self.data(a) >= _MARGIN else self.guarded_positive(a),))
        elif op in ("relu", "abs") and abs(self.data(a)) < _KINK:
            if "sigmoid" not in self.ops:
                return  # an engine without sigmoid: just skip this relu (abs)
            step = Step("sigmoid", (a,))
        elif op in UNARY_OPS:
            step = Step(op, (a,))
        else:
            raise ValueError(f"expressions: unknown op {op!r}; choose from {OPS}")
        if not self.would_be_ok(step):
            if "tanh" not in self.ops:
                return  # an engine without tanh: skip the step instead
            step = Step("tanh", (a,))  # always defined, always small
        self.push(step.op, step.args, step.power)

    def finish(self) -> Expression:
        """Sum every node nothing else used, so every input and step reaches the root."""
        sinks = [i for i, used in enumerate(self.used) if not used]
        root = sinks[0]
        for s in sinks[1:]:
            root = self.push("+", (root, s))
        return Expression(self.n_inputs, self.steps)


@st.composite
def _expressions(
    draw: st.DrawFn,
    min_inputs: int,
    max_inputs: int,
    min_ops: int,
    max_ops: int,
    ops: tuple[str, ...],
    leaves: st.SearchStrategy[float],
    constants: st.SearchStrategy[float],
) -> tuple[Expression, list[Value]]:
    n_inputs = draw(st.integers(min_inputs, max_inputs))
    xs = [float(draw(leaves)) for _ in range(n_inputs)]
    builder = _Builder(draw, xs, constants, ops)
    for _ in range(draw(st.integers(min_ops, max_ops))):
        builder.emit(draw(st.sampled_from(ops)))
    expression = builder.finish()
    return expression, [Value(x, label=f"x{i}") for i, x in enumerate(xs)]


def expressions(
    *,
    min_inputs: int = 1,
    max_inputs: int = 3,
    min_ops: int = 1,
    max_ops: int = 12,
    ops: Sequence[str] = OPS,
    leaves: st.SearchStrategy[float] | None = None,
    constants: st.SearchStrategy[float] | None = None,
) -> st.SearchStrategy[tuple[Expression, list[Value]]]:
    """Random expression graphs over the ``Value`` ops, with the inputs they depend on.

    Each example is ``(f, inputs)``: ``inputs`` is a list of fresh leaf Values
    labelled ``"x0"``, ``"x1"``, ...; ``f`` is an :class:`Expression` and
    ``f(*inputs)`` builds the graph and returns its root. Build it as often as you
    like (``gradcheck`` calls it again with nudged inputs).

    The graphs are DAGs, not trees: operands are drawn from every node so far
    (inputs and intermediate results), so sub-expressions are shared and non-leaf
    nodes reused; binary ops get a Python-number constant on the left
    (``2.5 - x``, reflected ops) or right about a third of the time each; every
    node nothing else uses is summed into the root, so every input matters.

    Domains are respected where the example is drawn, with a margin so finite
    differences stay well conditioned: ``log(a)`` and ``a ** 0.5`` only for
    ``a >= 0.5`` (else ``log(a*a + 1)``, ``(a*a + 1) ** 0.5``), division only by
    ``|b| >= 0.5`` (else by ``b*b + 1``), Value exponents only on a base >= 0.5,
    ``relu`` and ``abs`` only away from their kink at 0 (else ``sigmoid``), and any op whose
    result would exceed 10 in size (``exp(5)``, ``x ** 3``) becomes ``tanh`` instead.
    When ``ops`` has no ``sigmoid`` (or no ``tanh``), such a step is left out, so the
    graph only uses ``ops`` plus the ``+`` and ``*`` of the guards and the final sum.

    Args:
        min_inputs, max_inputs: how many input Values.
        min_ops, max_ops: how many ops to draw (guards and the final sum add more).
        ops: op names to draw from, a subset of :data:`OPS`.
        leaves: strategy for the inputs' data; default ``finite_floats(-2, 2)``.
        constants: strategy for constants; default ``finite_floats(-3, 3)``.

    >>> from hypothesis import given
    >>> from autograd import gradcheck
    >>> @given(expressions())
    ... def test_gradients(expr):
    ...     f, inputs = expr
    ...     gradcheck(f, inputs)
    """
    unknown = [op for op in ops if op not in OPS]
    if unknown or not ops:
        raise ValueError(f"expressions: ops must be a non-empty subset of {OPS}, got {ops!r}")
    if not 1 <= min_inputs <= max_inputs:
        raise ValueError(
            f"expressions: need 1 <= min_inputs <= max_inputs, got {min_inputs}, {max_inputs}"
        )
    if not 0 <= min_ops <= max_ops:
        raise ValueError(f"expressions: need 0 <= min_ops <= max_ops, got {min_ops}, {max_ops}")
    return _expressions(
        min_inputs,
        max_inputs,
        min_ops,
        max_ops,
        tuple(ops),
        finite_floats(-2.0, 2.0) if leaves is None else leaves,
        finite_floats(-3.0, 3.0) if constants is None else constants,
    )


# ------------------------------------------------------------------ arrays

Shape = tuple[int, ...]
FloatArray = npt.NDArray[np.floating[Any]]


def _float_dtype(dtype: npt.DTypeLike) -> np.dtype[Any]:
    dt = np.dtype(dtype)
    if dt.kind != "f":
        raise ValueError(f"arrays: dtype must be a float type, got {dt}")
    return dt


def _shape_strategy(
    shape: int | Shape | st.SearchStrategy[Shape] | None,
    min_dims: int,
    max_dims: int,
    min_side: int,
    max_side: int,
) -> st.SearchStrategy[Shape]:
    if shape is None:
        return hnp.array_shapes(
            min_dims=min_dims, max_dims=max_dims, min_side=min_side, max_side=max_side
        )
    if isinstance(shape, st.SearchStrategy):
        return shape
    return st.just((shape,) if isinstance(shape, int) else tuple(shape))


def arrays(
    shape: int | Shape | st.SearchStrategy[Shape] | None = None,
    *,
    dtype: npt.DTypeLike = np.float64,
    min_value: float = -5.0,
    max_value: float = 5.0,
    min_dims: int = 0,
    max_dims: int = 3,
    min_side: int = 1,
    max_side: int = 4,
) -> st.SearchStrategy[FloatArray]:
    """NumPy float arrays with finite elements in ``[min_value, max_value]``.

    ``shape`` is a fixed shape (``3`` or ``(2, 3)``), a strategy of shapes (e.g.
    from :func:`broadcastable_shapes`), or ``None`` for any shape with
    ``min_dims..max_dims`` dimensions of ``min_side..max_side`` each (0 dims is a
    0-d array). Elements are drawn at the dtype's precision (float32 elements are
    exactly representable in float32).

    >>> from hypothesis import given
    >>> import numpy as np
    >>> @given(arrays((2, 3)), arrays(dtype=np.float32, max_dims=2))
    ... def test_shapes(a, b):
    ...     assert a.shape == (2, 3) and b.dtype == np.float32
    """
    dt = _float_dtype(dtype)
    elements = st.floats(
        min_value=min_value,
        max_value=max_value,
        allow_nan=False,
        allow_infinity=False,
        allow_subnormal=False,
        width=cast(Literal[16, 32, 64], dt.itemsize * 8),
    )
    shapes = _shape_strategy(shape, min_dims, max_dims, min_side, max_side)
    return hnp.arrays(dt, shapes, elements=elements)


def broadcastable_shapes(
    num_shapes: int = 2,
    *,
    min_dims: int = 0,
    max_dims: int = 3,
    min_side: int = 1,
    max_side: int = 4,
) -> st.SearchStrategy[tuple[Shape, ...]]:
    """Tuples of ``num_shapes`` shapes that broadcast together (``(3, 1)`` and ``(4,)``).

    >>> from hypothesis import given
    >>> import numpy as np
    >>> @given(broadcastable_shapes())
    ... def test_broadcast(shapes):
    ...     np.broadcast_shapes(*shapes)
    """
    return hnp.mutually_broadcastable_shapes(
        num_shapes=num_shapes,
        min_dims=min_dims,
        max_dims=max_dims,
        min_side=min_side,
        max_side=max_side,
    ).map(lambda b: tuple(b.input_shapes))


@st.composite
def _broadcastable_arrays(
    draw: st.DrawFn,
    num_arrays: int,
    dtype: npt.DTypeLike,
    min_value: float,
    max_value: float,
    max_dims: int,
    max_side: int,
) -> tuple[FloatArray, ...]:
    shapes = draw(broadcastable_shapes(num_arrays, max_dims=max_dims, max_side=max_side))
    return tuple(
        draw(arrays(s, dtype=dtype, min_value=min_value, max_value=max_value)) for s in shapes
    )


def broadcastable_arrays(
    num_arrays: int = 2,
    *,
    dtype: npt.DTypeLike = np.float64,
    min_value: float = -5.0,
    max_value: float = 5.0,
    max_dims: int = 3,
    max_side: int = 4,
) -> st.SearchStrategy[tuple[FloatArray, ...]]:
    """Tuples of ``num_arrays`` float arrays whose shapes broadcast together.

    >>> from hypothesis import given
    >>> @given(broadcastable_arrays())
    ... def test_add_broadcasts(ab):
    ...     a, b = ab
    ...     (a + b).shape
    """
    _float_dtype(dtype)
    return _broadcastable_arrays(num_arrays, dtype, min_value, max_value, max_dims, max_side)


def matmul_shapes(
    *, min_side: int = 1, max_side: int = 4
) -> st.SearchStrategy[tuple[Shape, Shape]]:
    """Pairs ``((m, n), (n, p))`` of 2-d shapes that can be matrix-multiplied.

    >>> from hypothesis import given
    >>> import numpy as np
    >>> @given(matmul_shapes())
    ... def test_matmul_shape(shapes):
    ...     (m, n), (_, p) = shapes
    ...     assert (np.ones((m, n)) @ np.ones((n, p))).shape == (m, p)
    """
    side = st.integers(min_side, max_side)
    return st.tuples(side, side, side).map(lambda mnp: ((mnp[0], mnp[1]), (mnp[1], mnp[2])))
