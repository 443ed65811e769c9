"""How the suite talks to an engine: build a node, read data and grad, call backward, apply ops.

A micrograd-style engine needs no adapter options at all: ``Value(2.0)`` builds a
leaf, ``.data`` and ``.grad`` are attributes, ``y.backward()`` runs the pass, and the
ops are Python operators (``+ - * / **``, unary ``-``) and methods (``x.exp()``,
``x.log()``, ``x.tanh()``, ``x.sigmoid()``, ``x.relu()``). An engine spelled
differently says so with the options of :class:`Adapter`.

The op names are those of :mod:`autograd.checking.strategies`: ``"+" "-" "*" "/"`` (between two
nodes, or a node and a number on either side), ``"**"`` (a node exponent,
``x ** y``), ``"**n"`` (a number exponent, ``x ** 3``), ``"neg"``, ``"exp"``,
``"log"``, ``"tanh"``, ``"sigmoid"``, ``"relu"``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from autograd.checking.conformance.loader import EngineError, load_engine
from autograd.checking.strategies import BINARY_OPS, OPS, Step, run_step

__all__ = ["Adapter", "EngineError", "Semantics", "load_engine"]

Semantics = Literal["accumulate", "micrograd"]
"""What ``backward()`` promises when it is called again.

* ``"accumulate"`` (PyTorch, valuegrad): leaf gradients add up over calls until
  they are zeroed, intermediate gradients are recomputed from scratch each call, so
  two calls on the same graph give exactly twice the leaf gradients.
* ``"micrograd"``: only one ``backward()`` per graph is promised; leaf gradients add
  up over passes on freshly built graphs (the training loop rebuilds the graph
  every step). A second call on the same graph is reported, not judged.
"""

SEMANTICS: tuple[str, ...] = ("accumulate", "micrograd")

CHECK_ORDER: tuple[str, ...] = (
    "+", "*", "**n", "neg", "-", "/", "**", "exp", "log", "tanh", "sigmoid", "relu"
)  # fmt: skip
"""Ops in the order they are checked: building blocks first (``a - b`` is often
``a + (-b)``, ``a / b`` often ``a * b ** -1``), so the first op that fails is the
one to fix."""

_SAMPLE = (0.7, 1.3)  # inside every op's domain, away from relu's kink


@dataclass
class Adapter:
    """The few things the suite needs to know about an engine.

    Args:
        cls: the engine's node class (used for ``isinstance`` and in printed code).
        make: builds a leaf from a float; default ``cls(x)``.
        data, grad: attribute names of a node's value and gradient.
        backward_method: name of the method that runs the backward pass (no arguments).
        ops: the ops the engine has (names in the module doc). ``None``: find out by
            trying each op on sample nodes; an explicit list is *required*, so an op
            that raises (``NotImplementedError``) fails its check.
        methods: method names for the unary ops, where they differ
            (``{"exp": "exponential"}``).
        backward: the repeated-``backward()`` semantics the engine promises
            (:data:`Semantics`).
        parents, local: attribute names of a node's parents and of its local
            derivatives stored as numbers (valuegrad's design: ``"_parents"``,
            ``"_local"``). When both are given, the per-op checks differentiate each
            op with the suite's own walk over them, so an op can be checked before the
            engine's ``backward()`` works (the exercise track does this).

    Raises:
        ValueError: an unknown op name or semantics.
    """

    cls: type[Any]
    make: Callable[[float], Any] | None = None
    data: str = "data"
    grad: str = "grad"
    backward_method: str = "backward"
    ops: Sequence[str] | None = None
    methods: Mapping[str, str] = field(default_factory=dict)
    backward: Semantics = "accumulate"
    parents: str | None = None
    local: str | None = None

    def __post_init__(self) -> None:
        if self.backward not in SEMANTICS:
            raise ValueError(
                f"backward must be one of {SEMANTICS} (the semantics the engine promises), "
                f"got {self.backward!r}"
            )
        if self.ops is not None:
            unknown = [op for op in self.ops if op not in OPS]
            if unknown:
                raise ValueError(f"unknown ops {unknown}; the suite knows {list(OPS)}")
            self.ops = tuple(self.ops)

    @property
    def name(self) -> str:
        """The class name, as printed in the report's code (``Value``)."""
        return str(self.cls.__name__)

    # ---------------------------------------------------------------- nodes

    def leaf(self, x: float) -> Any:
        """A fresh leaf node holding ``x``."""
        return self.make(x) if self.make is not None else self.cls(x)

    def value(self, node: Any) -> Any:
        """The node's data as the engine stores it (may be int, complex, ...)."""
        return getattr(node, self.data)

    def grad_of(self, node: Any) -> Any:
        """The node's gradient as the engine stores it."""
        return getattr(node, self.grad)

    def set_grad(self, node: Any, g: float) -> None:
        setattr(node, self.grad, g)

    def run_backward(self, node: Any) -> None:
        """Call the engine's backward pass on ``node``."""
        getattr(node, self.backward_method)()

    def is_node(self, obj: object) -> bool:
        return isinstance(obj, self.cls)

    # ------------------------------------------------------------------ ops

    def apply(self, op: str, args: Sequence[Any], power: float | None = None) -> Any:
        """Run one op with the engine; ``args`` are nodes or Python numbers."""
        if op in self.methods:
            return getattr(args[0], self.methods[op])()
        # autograd.checking.strategies's dispatcher: operators for + - * / ** and -x, else methods
        return run_step(Step(op, tuple(range(len(args))), power), args)

    def supported_ops(self) -> tuple[tuple[str, ...], dict[str, str]]:
        """``(ops the engine has, {op it lacks: why})``.

        With ``ops`` given, those are the answer. Otherwise each op is tried once on
        sample nodes (binary ops between two nodes, ``**n`` with exponent 2): it counts
        when it returns a node without raising.
        """
        if self.ops is not None:
            return tuple(self.ops), {op: "not in ops=" for op in OPS if op not in self.ops}
        have: list[str] = []
        missing: dict[str, str] = {}
        for op in CHECK_ORDER:
            try:
                args = [self.leaf(x) for x in _SAMPLE[: 2 if op in BINARY_OPS else 1]]
                out = self.apply(op, args, 2.0)
            except Exception as e:
                missing[op] = f"{type(e).__name__}: {e}".strip().rstrip(":")
                continue
            if self.is_node(out):
                have.append(op)
            else:
                missing[op] = f"returned {type(out).__name__}, not a {self.name}"
        return tuple(have), missing

    # --------------------------------------------- the suite's own walk (local mode)

    @property
    def reads_local_derivatives(self) -> bool:
        return self.parents is not None and self.local is not None

    def local_gradients(self, root: Any, leaves: Iterable[Any]) -> list[float]:
        """``d root / d leaf`` for each leaf, by the suite's own chain rule over the
        engine's stored parents and local derivatives (not the engine's backward)."""
        assert self.parents is not None and self.local is not None
        order: list[Any] = []
        seen: set[int] = set()
        stack: list[tuple[Any, bool]] = [(root, False)]
        while stack:
            node, done = stack.pop()
            if done:
                order.append(node)
            elif id(node) not in seen:
                seen.add(id(node))
                stack.append((node, True))
                stack.extend((p, False) for p in getattr(node, self.parents))
        grads: dict[int, float] = {id(root): 1.0}
        for node in reversed(order):
            g = grads.get(id(node), 0.0)
            parents = tuple(getattr(node, self.parents))
            local = tuple(getattr(node, self.local))
            if len(local) != len(parents):
                raise ValueError(
                    f"node {node!r} has {len(parents)} parents but {len(local)} local derivatives"
                )
            for p, d in zip(parents, local, strict=True):
                grads[id(p)] = grads.get(id(p), 0.0) + float(d) * g
        return [grads.get(id(x), 0.0) for x in leaves]


def as_float(x: Any) -> float:
    """A real float from whatever the engine stores, or ``nan`` if it is not a real number."""
    if isinstance(x, (complex, bool)):
        return math.nan
    try:
        return float(x)
    except (TypeError, ValueError):
        return math.nan
