"""From a trace to Python: one NumPy statement per line, forward, backward, update.

The replay is a plain Python function. It reads every slot it uses (parameters,
gradients, optimizer state, live numbers), runs the recorded NumPy calls in their
order (the same calls on the same arrays as the eager step, so the same bits),
re-checks every guard, and writes back what the step set.
"""

from __future__ import annotations

import math
import operator
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from autograd.compiler.record import Node, Statement, Trace, identifier, nodes_in
from autograd.compiler.simplify import simplify
from autograd.compiler.state import Slot
from autograd.grad_mode import is_grad_enabled
from autograd.tensor import Tensor

__all__ = ["Stale", "source"]


class Stale(Exception):
    """A guard of the replay saw another answer than the trace: run this call eagerly."""


class Changed(Exception):
    """The arguments or the state are not of the kind the trace was made for."""


_OPERATORS = {
    operator.add: "+",
    operator.sub: "-",
    operator.mul: "*",
    operator.truediv: "/",
    operator.pow: "**",
}


# NumPy's operators are these ufuncs (same loops, same bits), and read as the math.
_INFIX = {np.add: "+", np.subtract: "-", np.multiply: "*", np.true_divide: "/", np.matmul: "@"}


@dataclass
class AsTensor:
    """A returned Tensor: a new one (a copy of its array) on every call."""

    cls: Any
    node: Any


@dataclass
class Writer:
    """Names for everything the source mentions that is not a NumPy name."""

    trace: Trace
    namespace: dict[str, Any] = field(default_factory=dict)
    bound: dict[int, str] = field(default_factory=dict)

    def bind(self, obj: Any, hint: str) -> str:
        """A name for ``obj`` in the replay's namespace: ``_<hint>`` (numbered if taken)."""
        if id(obj) not in self.bound:
            name = f"_{hint}"
            if name in self.namespace or hint in ("const", "obj", "f", "dtype", "state"):
                name = f"_{hint}{len(self.bound)}"
            self.bound[id(obj)] = name
            self.namespace[name] = obj
        return self.bound[id(obj)]

    def value(self, x: Any) -> str:
        """Python source for an argument."""
        if isinstance(x, AsTensor):  # an array made by this call: a new Tensor holds it
            if x.node.kind == "result":  # (a 0-d result is a NumPy scalar: as an array)
                return f"{self.bind(x.cls._leaf, 'Tensor')}(np.asarray({self.value(x.node)}))"
            return f"{self.bind(x.cls, 'Tensor')}({self.value(x.node)})"
        if isinstance(x, Node):
            if x.kind == "const":
                return self.bind(x.value, "const")
            return x.name
        if isinstance(x, tuple):
            inner = ", ".join(self.value(i) for i in x)
            return f"({inner},)" if len(x) == 1 else f"({inner})"
        if isinstance(x, list):
            return "[" + ", ".join(self.value(i) for i in x) + "]"
        if isinstance(x, slice):
            return f"slice({self.value(x.start)}, {self.value(x.stop)}, {self.value(x.step)})"
        if x is None or x is Ellipsis or isinstance(x, (bool, int, str)):
            return repr(x)
        if isinstance(x, float):
            return repr(x) if math.isfinite(x) else f"float({str(x)!r})"
        if isinstance(x, np.dtype):
            return f"np.{x.name}" if hasattr(np, x.name) else self.bind(x, "dtype")
        type_name = str(getattr(x, "__name__", ""))
        if isinstance(x, type) and getattr(np, type_name, None) is x:
            return f"np.{type_name}"
        return self.bind(x, "obj")

    def function(self, f: Any) -> str:
        name = getattr(f, "__name__", "")
        owner = getattr(f, "__self__", None)
        owner_name = str(getattr(owner, "__name__", ""))
        if isinstance(owner, np.ufunc) and getattr(np, owner_name, None) is owner:
            return f"np.{owner_name}.{name}"
        if getattr(np, name, None) is f:
            return f"np.{name}"
        return self.bind(f, "f")

    def index(self, idx: Any) -> str:
        items = idx if isinstance(idx, tuple) else (idx,)
        parts = []
        for i in items:
            if isinstance(i, slice):
                parts.append(
                    ":".join("" if p is None else self.value(p) for p in (i.start, i.stop))
                    + ("" if i.step is None else f":{self.value(i.step)}")
                )
            elif i is Ellipsis:
                parts.append("...")
            else:
                parts.append(self.value(i))
        return ", ".join(parts) if parts else "()"

    def call(self, s: Statement) -> str:
        args = list(s.args)
        if s.func is operator.getitem:
            return f"{self.value(args[0])}[{self.index(args[1])}]"
        if s.func is operator.setitem:
            return f"{self.value(args[0])}[{self.index(args[1])}] = {self.value(args[2])}"
        if s.func == "index_add":  # np.add.at with indices that never repeat
            return f"{self.value(args[0])}[{self.index(args[1])}] += {self.value(args[2])}"
        rendered = [self.value(a) for a in args]
        if s.func in _INFIX and len(args) == 2 and not s.kwargs:  # a * b: np.multiply(a, b)
            return f"{rendered[0]} {_INFIX[s.func]} {rendered[1]}"
        if s.func is np.negative and len(args) == 1 and not s.kwargs:
            return f"-{rendered[0]}"
        rendered += [f"{k}={self.value(v)}" for k, v in s.kwargs.items() if not _default(k, v)]
        if s.func == "transpose" and len(args) == 1 and args[0].value.ndim == 2:
            return f"{rendered[0]}.T"  # the same view, as the math writes it
        if isinstance(s.func, str):
            return f"{rendered[0]}.{s.func}({', '.join(rendered[1:])})"
        return f"{self.function(s.func)}({', '.join(rendered)})"

    def statement(self, s: Statement, k: int) -> str:
        if s.kind == "guard":
            test = self.value(s.args[0])
            return f"if {'not ' if s.expected else ''}{test}: raise _Stale({k})"
        if s.kind == "live":
            if s.func is operator.neg:
                expr = f"-{self.value(s.args[0])}"
            else:
                a, b = (self.value(x) for x in s.args)
                expr = f"{a} {_OPERATORS[s.func]} {b}"
            return f"{s.targets[0].name} = {expr}"
        text = self.call(s)
        if s.func is operator.setitem or not s.targets:
            return text
        return f"{', '.join(t.name for t in s.targets)} = {text}"


def _default(key: str, value: Any) -> bool:
    """A keyword NumPy's methods pass on with its default value (``ndarray.sum``'s)."""
    return (key, value) in (("dtype", None), ("out", None), ("where", True)) and (
        type(value) is not int
    )


def needed(statements: list[Statement], roots: set[int]) -> list[Statement]:
    """The statements that something returned, written back or checked depends on."""
    need = set(roots)
    kept = []
    for s in reversed(statements):
        makes = {id(t) for t in s.targets} | {id(w) for w in s.writes}
        writes_state = any(w.kind == "state" for w in s.writes)
        if s.kind == "guard" or writes_state or makes & need:
            kept.append(s)
            need |= {id(n) for n in nodes_in(s.args) + nodes_in(s.kwargs)} | {
                id(w) for w in s.writes
            }
    return kept[::-1]


def source(
    trace: Trace,
    name: str,
    params: list[str],
    unwrap: list[str],
    reads: list[tuple[Slot, Any]],
    writes: list[tuple[Slot, Any]],
    bumps: list[Slot],
    result: Any,
    checks: tuple[Any, Any, Any],
) -> tuple[str, str, dict[str, Any]]:
    """The replay's source, its ``_check_kinds`` and the names they refer to."""
    w = Writer(trace)
    w.namespace.update(
        np=np, _Stale=Stale, _Changed=Changed, _ndarray=np.ndarray, _grad_on=is_grad_enabled
    )
    roots = {id(n) for n in nodes_in(result)} | {id(n) for _, v in writes for n in nodes_in(v)}
    body = simplify(needed(trace.statements, roots), roots, w.namespace)
    used = {id(n) for s in body for n in nodes_in(s.args) + nodes_in(s.kwargs) + s.writes}
    used |= roots
    lines = [f"def {name}({', '.join(params)}):"]
    lines.append(f"    _check_kinds({', '.join(params)})  # as traced (else: trace again)")
    lines.append("    # read on every call: the state this step uses")
    lines += [f"    {p} = {p}.data" for p in unwrap]
    for slot, node in reads:
        if not isinstance(node, (Node, tuple)):
            continue  # None: nothing to read
        if isinstance(node, Node) and id(node) not in used:
            continue
        if isinstance(node, tuple) and not any(id(n) in used for n in nodes_in(node)):
            continue
        target = w.value(node) if isinstance(node, Node) else _unpack(w, node)
        lines.append(f"    {target} = {_slot(w, slot)}")
    phase = ""
    free = _last_uses(body, roots)
    for k, s in enumerate(body):
        if s.phase != phase:
            phase = s.phase
            lines.append(f"    # {phase}")
        line = w.statement(s, k)
        comment = f"  # {s.where}" if s.where else ""
        lines.append(f"    {line}{comment}")
        if free.get(k):  # big arrays no longer needed: their memory is reused, as eagerly
            lines.append(f"    del {', '.join(free[k])}")
    if writes or bumps:
        lines.append("    # write back what the step set")
    for slot, value in writes:
        lines.append(f"    {_slot(w, slot)} = {w.value(value)}")
    if bumps:  # written in place: graphs that saved the old numbers refuse backward()
        first, *rest = (w.bind(s.owner, s.owner_name or "state") for s in bumps)
        lines.append(f"    {first}._bump_version()")
        if rest:
            same = " = ".join(f"{t}._version[0]" for t in rest)
            lines.append(f"    {same} = {first}._version[0]")
    lines.append(f"    return {w.value(result)}")
    check = "\n".join(_checks(w, params, reads, checks, used)) + "\n"
    return "\n".join(lines) + "\n", check, w.namespace


def _checks(
    w: Writer, params: list[str], reads: list[Any], checks: tuple[Any, Any, Any], used: set[int]
) -> list[str]:
    """``_check_kinds``: the arguments and the state are of the kinds traced, and every
    other place the trace walked through holds what it held (the same model, layers,
    optimizer settings, parameter lists of the same lengths). A slot the replay never
    reads (a gradient the step sets to None first) only has to be None, or not, as it
    was: its shape decides nothing. A place gone (a key deleted) is a change too."""
    structure, arg_kinds, (fixed, lengths) = checks
    tests = [f"len({w.bind(c, 'list')}) != {n}" for c, n in lengths]
    tests += [t for p, k in zip(params, arg_kinds) if (t := _is_not(w, p, k))]  # noqa: B905
    for owner, key, attr, name, value in fixed:
        place = f"{w.bind(owner, 'state')}.{key}" if attr else f"{w.bind(owner, 'state')}[{key!r}]"
        if value is None or isinstance(value, bool):
            tests.append(f"{place} is not {value!r}")
        else:
            tests.append(f"{place} is not {w.bind(value, identifier(name))}")
    for (slot, node), k in zip(reads, structure):  # noqa: B905
        v = _slot(w, slot)
        if isinstance(node, Node) and id(node) not in used and isinstance(k, tuple):
            tests.append(f"{v} is None")  # an array that is not read
        elif t := _is_not(w, v, k):
            tests.append(t)
    tests.append("not _grad_on()")
    body = " or\n        ".join(tests)
    return [
        f"def _check_kinds({', '.join(params)}):",
        '    """The arguments and the state are of the kinds traced (else: a new trace)."""',
        "    try:",
        f"        changed = (\n            {body.replace(chr(10), chr(10) + '    ')}\n        )",
        "    except (LookupError, AttributeError):  # a place gone: changed",
        "        changed = True",
        "    if changed:",
        "        raise _Changed",
    ]


def _is_not(w: Writer, v: str, k: Any) -> str:
    """A test that ``v`` is not of kind ``k`` (see ``state.kind``)."""
    if k is None:
        return f"{v} is not None"
    if k == "number":
        return f"type({v}) is not float and type({v}) is not int"
    if isinstance(k, tuple) and k[0] == "value":  # a number argument: this trace's value
        return f"{v} != {k[1]!r}"
    if isinstance(k, (bool, str)):
        return f"{v} != {k!r}"
    tag = k[0]
    if tag == "array":
        dt = w.bind(k[2], "dtype")
        return (
            f"type({v}) is not _ndarray or {v}.shape != {k[1]!r} or "
            f"({v}.dtype is not {dt} and {v}.dtype != {dt})"  # identity first: cheaper
        )
    if tag == "tensor":
        dt, tensor = w.bind(k[2], "dtype"), w.bind(Tensor, "Tensor")
        return f"type({v}) is not {tensor} or {v}.data.shape != {k[1]!r} or {v}.data.dtype != {dt}"
    if tag == "tuple":
        parts = [f"type({v}) is not tuple", f"len({v}) != {len(k) - 1}"]
        parts += [t for i, ki in enumerate(k[1:]) if (t := _is_not(w, f"{v}[{i}]", ki))]
        return " or ".join(parts)
    return f"id({v}) != {k[1]}"  # another object: the trace saw this one


_BIG = 1 << 16  # bytes: an array worth freeing as soon as it is dead


def _last_uses(body: list[Statement], roots: set[int]) -> dict[int, list[str]]:
    """For each statement, the big arrays this call made whose last use it is (a replay
    would otherwise keep every one alive to its end: the eager step frees them as it
    goes, and NumPy reuses their memory)."""
    last: dict[int, int] = {}
    made: dict[int, Node] = {}
    for k, s in enumerate(body):
        for t in s.targets:
            made[id(t)] = t
        for n in nodes_in(s.args) + nodes_in(s.kwargs) + s.writes + s.targets:
            last[id(n)] = k
    free: dict[int, list[str]] = {}
    for key, node in made.items():
        value = node.value
        if key in roots or node.kind != "result" or not isinstance(value, np.ndarray):
            continue
        if value.nbytes >= _BIG:
            free.setdefault(last[key], []).append(node.name)
    return {k: sorted(set(v)) for k, v in free.items()}


def _slot(w: Writer, slot: Slot) -> str:
    owner = w.bind(slot.owner, slot.owner_name or "state")
    return f"{owner}.{slot.key}" if slot.attr else f"{owner}[{slot.key!r}]"


def _unpack(w: Writer, t: tuple[Any, ...]) -> str:
    names = [
        _unpack(w, i) if isinstance(i, tuple) else (w.value(i) if isinstance(i, Node) else "_")
        for i in t
    ]
    return f"({', '.join(names)},)" if len(names) == 1 else f"({', '.join(names)})"
