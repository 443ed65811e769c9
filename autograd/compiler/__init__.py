"""``autograd.compile``: trace a training step once, replay it as straight-line NumPy.

::

    @autograd.compile
    def train_step(x, y):
        loss = ((model(x) - y) ** 2).sum() / (2 * len(x))
        model.zero_grad()
        loss.backward()
        opt.step()
        return loss

    loss = train_step(xb, yb)   # first call: runs eagerly and records the NumPy work
    loss = train_step(xb, yb)   # later calls: the recorded work, no graph nodes
    print(train_step.source)    # forward, backward and update, one NumPy call a line

**How.** While the first call runs, every array the step can reach (inputs,
parameters, gradients, optimizer state: found from the function's arguments, closure,
defaults and the globals it names) is a :class:`~autograd.compiler.record.Traced`
view that records each NumPy call made on it, with the op it came from; an
optimizer's numbers that change between steps (``lr``, Adam's step counts: its
``__compile_live__``) are recorded arithmetic, read anew on every call. The record
becomes a Python function (``.source``) that makes the same NumPy calls on the same
arrays in the same order, so it gives the same bits as the eager step.

**Right or refused.**

* A new shape or dtype of an argument, another grad mode, or state of another
  structure (an optimizer's first step creates its moments) traces again; each
  trace is kept.
* The step's own reads of values into Python (``float(loss)``, ``if loss.data > 1``,
  ``.item()``) are refused at trace time, naming the line (:class:`TraceError`): the
  replay would not redo the decision.
* The library's own checks (is every update finite? a divisor zero?) are guards:
  the replay checks them again, and a different answer runs that call eagerly, so
  it raises (or takes the other branch) exactly as eager code does.
* The first replay of each trace is checked: it runs on a copy of the state, the
  eager step runs too, and every result and every piece of state they write must
  agree bit for bit, else :class:`TraceError` says what differs and the step stays
  eager (e.g. random numbers drawn inside the step, or state compile cannot see).
"""

from __future__ import annotations

import functools
import inspect
import types
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np

from autograd import backprop, grad_mode
from autograd.compiler.record import Live, Node, Trace, Traced, TraceError, plain, start, stop
from autograd.compiler.source import AsTensor, Changed, Stale, source
from autograd.compiler.state import Slot, find_slots, kind, restore, swap_in
from autograd.tensor import Tensor

__all__ = ["Compiled", "TraceError", "compile"]


def compile(fn: Callable[..., Any], *, on_refusal: str = "raise") -> Compiled:
    """``fn`` traced on its first call and replayed as straight-line NumPy after.

    Args:
        fn: a step that takes arrays or Tensors (and Python numbers, read anew on every
            call) and returns a Tensor, an array, a number, or a tuple/list of them.
        on_refusal: what a step compile cannot replay does: ``"raise"`` a
            :class:`TraceError` (at the line that makes it so, when it can be seen
            there), or ``"eager"``: that call runs to its end eagerly and so do all
            later ones, with one warning saying why (what ``nn.fit`` uses).

    Returns:
        a callable with ``fn``'s signature; ``.source`` is the latest replay's code.

    Raises:
        TraceError: the step reads values into Python (at that line), changes Python
            state on every call, or its first replay differs from the eager step (that
            call's eager run has then been applied).
        ValueError: ``on_refusal`` is neither ``"raise"`` nor ``"eager"``.
    """
    if on_refusal not in ("raise", "eager"):
        raise ValueError(f'compile: on_refusal must be "raise" or "eager", got {on_refusal!r}')
    return Compiled(fn, on_refusal == "raise")


class Compiled:
    """A compiled step: its traces (one per argument shapes and dtypes), and ``source``."""

    def __init__(self, fn: Callable[..., Any], strict: bool = True) -> None:
        if not isinstance(fn, (types.FunctionType, types.MethodType)):
            raise TypeError(
                f"compile needs a function (def or lambda) or a bound method, got "
                f"{type(fn).__name__}; wrap it: compile(lambda x, y: f(x, y))"
            )
        functools.update_wrapper(self, fn)
        self.fn = fn
        self.strict = strict
        self.signature = inspect.signature(fn)
        if any(
            p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD) for p in self.signature.parameters.values()
        ):
            raise TypeError("compile: the step's arguments must be named (no *args or **kwargs)")
        self.params = list(self.signature.parameters)
        self.programs: dict[Any, Program] = {}
        self.latest: Program | None = None
        self.changed_once = False
        self.eager = ""  # why the step runs eagerly from now on ('' while it compiles)
        self.eager_calls = 0  # calls that ran the step's Python: traces, checks, fallbacks

    @property
    def source(self) -> str:
        """The Python of the latest trace's replay ('' before the first call); its first
        line calls ``_check_kinds``, whose code is :attr:`check_source`."""
        return self.latest.source if self.latest else ""

    @property
    def check_source(self) -> str:
        """``_check_kinds`` of the latest replay: what must hold for it to be valid."""
        return self.latest.check_source if self.latest else ""

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        if kwargs or len(args) != len(self.params):  # by name, or defaults left out
            bound = self.signature.bind(*args, **kwargs)
            bound.apply_defaults()
            args = tuple(bound.arguments[p] for p in self.params)
        program = self.latest
        if program is not None and program.verified:
            try:
                with backprop.lock:
                    return program.run(*args)  # its first lines check it fits these args
            except Changed:
                pass  # other shapes or state: find (or make) the trace that fits
            except Stale:
                return self.run_eagerly(args)  # a guard saw another branch
        if self.eager:
            return self.run_eagerly(args)
        return self.slow(args)

    def run_eagerly(self, args: tuple[Any, ...]) -> Any:
        self.eager_calls += 1
        return self.fn(*args)

    def slow(self, args: tuple[Any, ...]) -> Any:
        """The trace for these arguments and this state: found (and checked), or made."""
        key = _key(args)
        program = self.programs.get(key)
        if program is not None and program.structure() == program.expected:
            self.latest = program
            try:
                if not program.verified:
                    return program.verify(args)
                with backprop.lock:
                    return program.run(*args)
            except Changed:
                pass  # a place it walked through holds something else now: trace anew
            except Stale:
                return self.run_eagerly(args)
        program, result = self.trace(args)
        if program is not None:
            self.programs[key] = self.latest = program
        return result

    def refuse(self, why: str) -> None:
        """This step cannot be replayed: raise, or run eagerly from now on (one warning)."""
        if self.strict:
            raise TraceError(why)
        self.eager, self.latest = why, None
        warnings.warn(
            f"compile: {getattr(self.fn, '__name__', 'the step')} runs eagerly: {why}",
            stacklevel=3,
        )

    def trace(self, args: tuple[Any, ...]) -> tuple[Program | None, Any]:
        """Run the step eagerly, recording it; its program (None if refused), its result."""
        trace = Trace(self.fn.__code__, self.strict)
        for name, a in zip(self.params, args):  # noqa: B905
            if isinstance(a, Tensor) and a.requires_grad:
                raise TraceError(
                    f"compile: argument {name!r} is a Tensor that requires grad; a replay "
                    "writes gradients to the parameters it found, not to arguments: reach "
                    "it through the model (or the closure) instead"
                )
        roots: list[tuple[str, Any]] = []
        with backprop.lock:
            slots, python_changes, fixed = find_slots(self.fn, roots)
            structure = tuple(kind(s.get()) for s in slots)  # what this trace is valid for
            swap_in(slots, trace)
            traced_args = [_argument(trace, name, a) for name, a in zip(self.params, args)]  # noqa: B905
            versions = [(s, s.owner._version[0]) for s in slots if _is_data(s)]
            start(trace)
            self.eager_calls += 1
            try:
                result = self.fn(*traced_args)
            finally:
                stop()
                writes = restore(slots, trace)
                for a in args:
                    if isinstance(a, Tensor):
                        a.data = plain(a.data)
        changed = python_changes()
        refusal = trace.refused or (changed and self.changed_once and _changes_message(changed))
        refusal = refusal or _copied_input(trace)
        if any(isinstance(v, Tensor) for _, v in writes):
            refusal = refusal or (
                "the step leaves a Tensor with a graph in a .grad (backward(create_graph="
                "True)); a replay makes arrays, not graphs: set .grad = None after using "
                "it in the step, or differentiate with autograd.grad"
            )
        if len(self.programs) >= _MAX_TRACES:
            refusal = refusal or (
                f"{_MAX_TRACES} traces already (a number argument that changes every call? "
                "pass it as a 0-d array, or set it on the optimizer)"
            )
        if refusal:
            self.refuse(refusal + " (this call ran eagerly: its changes are made)")
            return None, _plain_result(result)
        self.changed_once = bool(changed)  # twice in a row: changed on every call
        _name_nodes(trace, result, writes)
        bumps = [s for s, v in versions if s.owner._version[0] != v]
        checks = (structure, tuple(map(_arg_kind, args)), fixed)
        program = Program(self, trace, slots, writes, bumps, _template(trace, result), checks)
        # Python state changed: maybe a cache filled on first use; trace again next call.
        program.expected = None if changed else structure
        program.eager_result = _plain_result(result)
        return program, program.eager_result


_MAX_TRACES = 32


def _copied_input(trace: Trace) -> str:
    """A constant of the trace equal to an argument: a copy made where the trace could
    not follow it (``np.array(x)``, ``np.ascontiguousarray(x)``), which a replay would
    keep from this call. ('' if none.)"""
    # Float arguments with at least two different numbers: a library constant (a row
    # index 0..n-1, zeros) can equal a small label array or a constant batch by chance.
    inputs = [
        n
        for n in trace.nodes.values()
        if n.kind == "input" and n.value.dtype.kind == "f" and np.ptp(n.value.view(np.ndarray)) > 0
    ]
    for node in trace.plain.values():
        c = node.value
        if node.kind != "const" or not isinstance(c, np.ndarray):
            continue
        for i in inputs:
            v = i.value.view(np.ndarray)
            if c.shape == v.shape and c.dtype == v.dtype and np.array_equal(c, v):
                return (
                    f"the step copies its argument {i.name!r} with a NumPy function compile "
                    "does not follow (np.array, np.ascontiguousarray, ...); a replay would "
                    f"keep this call's copy: use {i.name}.copy() or Tensor({i.name})"
                )
    return ""


def _arg_kind(a: Any) -> Any:
    """An argument's kind: a number is its value (a trace is made for each)."""
    return ("value", a) if kind(a) == "number" else kind(a)


def _changes_message(changed: str) -> str:
    return (
        f"the step changes Python state a replay would not change: {changed}; compile "
        "replays NumPy work and the arrays and numbers it follows (parameters, gradients, "
        "optimizer state): keep other changes outside the step"
    )


class Program:
    """One trace: its source, the function made from it, and the state it expects."""

    def __init__(
        self,
        owner: Compiled,
        trace: Trace,
        slots: list[Slot],
        writes: list[tuple[Slot, Any]],
        bumps: list[Slot],
        result: Any,
        checks: tuple[Any, Any, Any],
    ) -> None:
        self.owner = owner
        self.slots = slots
        self.writes = writes
        self.verified = False
        self.eager_result: Any = None
        reads = [(s, trace.ref(s.stand_in)) for s in slots]
        name = getattr(owner.fn, "__name__", "step")
        name = name if name.isidentifier() else "step"
        unwrap = [p for p in owner.params if p in trace.tensor_args]
        self.source, self.check_source, namespace = source(
            trace, name, owner.params, unwrap, reads, writes, bumps, result, checks
        )
        exec(self.source + "\n\n" + self.check_source, namespace)
        self.run: Callable[..., Any] = namespace[name]
        self.expected: tuple[Any, ...] | None = ()
        self.getters = [s.get for s in slots]
        for s in slots:  # the trace's arrays: not kept alive by the replay
            s.original = s.stand_in = None

    def structure(self) -> tuple[Any, ...] | None:
        """What each slot holds, in kind: a replay is valid for the structure it traced."""
        try:
            return tuple([kind(get()) for get in self.getters])
        except (LookupError, AttributeError):
            return None  # a slot gone (a list shortened): no longer this structure

    def verify(self, args: tuple[Any, ...]) -> Any:
        """The first replay, checked against the eager step on the same inputs and state."""
        with backprop.lock:
            before = [(s, s.get(), _copy(s.get())) for s in self.slots]
            inputs = [(a, a.copy()) for a in args if isinstance(a, np.ndarray)]
            try:
                replayed = self.run(*args)
            except Changed:
                _put_back(before)
                raise
            except Stale:
                _put_back(before)
                return self.owner.run_eagerly(args)
            after_replay = [_copy(s.get()) for s in self.slots]
            _put_back(before)
            for a, saved in inputs:  # a step that writes into its inputs writes once
                np.copyto(a, saved)
            eager = _plain_result(self.owner.run_eagerly(args))
            after_eager = [_copy(s.get()) for s in self.slots]
        problem = _differs(replayed, eager, "the result") or next(
            (
                _differs(r, e, f"{s.name or 'state'}")
                for s, r, e in zip(self.slots, after_replay, after_eager)  # noqa: B905
                if _differs(r, e, "")
            ),
            "",
        )
        if problem:
            self.owner.refuse(
                f"the replay of {getattr(self.owner.fn, '__name__', 'the step')} "
                f"differs from the eager step: {problem}. Something it reads is not "
                "followed: random numbers drawn inside the step, a plain NumPy array indexed "
                "with a traced one (np.eye(10)[y]: make it outside the step, or with ops on "
                "the traced array), or state it cannot reach (this call ran eagerly)"
            )
            return eager
        self.verified = True
        return eager


# ----------------------------------------------------------------- helpers


def _key(args: tuple[Any, ...]) -> tuple[Any, ...]:
    return tuple(map(_arg_kind, args)), grad_mode.is_grad_enabled()


def _argument(trace: Trace, name: str, a: Any) -> Any:
    if isinstance(a, Tensor):
        a.data = trace.traced(a.data, "input", name)
        trace.tensor_args.add(name)
        return a
    if isinstance(a, np.ndarray):
        return trace.traced(a, "input", name)
    return a  # a number: a constant of this trace (one trace per value)


def _is_data(s: Slot) -> bool:
    return s.attr and s.key == "data" and isinstance(s.owner, Tensor)


_OP_NAMES = {"+": "add", "-": "sub", "*": "mul", "/": "div", "@": "matmul", "getitem": "index"}


def _name_nodes(trace: Trace, result: Any, writes: list[tuple[Slot, Any]]) -> None:
    """Name results after the graph: a Tensor's array after its op (``sigmoid_2``), its
    gradient ``grad_sigmoid_2``, a parameter's new gradient ``grad_<its name>``."""
    outputs = [r for r in (result if isinstance(result, (tuple, list)) else [result])]
    seen: set[int] = set()
    for slot, value in writes:  # first: the names a reader looks for
        if slot.key == "grad" and isinstance(value, Node) and value.kind == "result":
            old = trace.nodes.get(id(slot.stand_in))
            if old is not None:
                old.name = trace.unique(f"{slot.name}_before")
            trace.taken.discard(f"grad_{slot.owner_name}")
            value.name = trace.unique(f"grad_{slot.owner_name}")
            seen.add(id(value))
    for out in outputs:
        if not isinstance(out, Tensor):
            continue
        for t in backprop.topological_order(out):
            node = trace.nodes.get(id(t.data))
            if node is None or id(node) in seen or node.kind != "result" or not t._op:
                continue
            seen.add(id(node))
            op = "pow" if t._op.startswith("**") else _OP_NAMES.get(t._op, t._op)
            node.name = trace.name(op)
            grad = trace.nodes.get(id(t.grad))
            if grad is not None and grad.kind == "result" and id(grad) not in seen:
                seen.add(id(grad))
                grad.name = trace.unique(f"grad_{node.name}")


def _template(trace: Trace, result: Any) -> Any:
    """What the replay returns, in nodes: a Tensor as a new Tensor of its array."""
    if isinstance(result, Tensor):
        return AsTensor(Tensor, trace.ref(result.data))
    if isinstance(result, (tuple, list)):
        return type(result)(_template(trace, r) for r in result)
    if isinstance(result, (Traced, Live)):
        return trace.ref(result)
    if isinstance(result, np.ndarray):
        raise TraceError("the step returns an array compile did not follow")
    return result


def _plain_result(result: Any) -> Any:
    if isinstance(result, Tensor):
        out = Tensor(plain(result.data))
        return out
    if isinstance(result, (tuple, list)):
        return type(result)(_plain_result(r) for r in result)
    return plain(result)


def _copy(x: Any) -> Any:
    if isinstance(x, np.ndarray):
        return x.copy()
    if isinstance(x, tuple):
        return tuple(_copy(i) for i in x)
    return x


def _put_back(before: list[tuple[Slot, Any, Any]]) -> None:
    """Each slot as it was: the same object, holding the same numbers."""
    for slot, obj, saved in before:
        _refill(obj, saved)
        slot.set(obj)


def _refill(obj: Any, saved: Any) -> None:
    if isinstance(obj, np.ndarray):
        np.copyto(obj, saved)
    elif isinstance(obj, tuple):
        for o, s in zip(obj, saved):  # noqa: B905
            _refill(o, s)


def _differs(a: Any, b: Any, what: str) -> str:
    if isinstance(a, Tensor) and isinstance(b, Tensor):
        return _differs(a.data, b.data, what)
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        a2, b2 = np.asarray(a), np.asarray(b)
        if a2.shape != b2.shape or a2.dtype != b2.dtype:
            return f"{what}: shape/dtype {a2.shape} {a2.dtype} vs eager {b2.shape} {b2.dtype}"
        same = np.array_equal(a2, b2, equal_nan=a2.dtype.kind in "fc")
        return "" if same else f"{what}: different numbers"
    if isinstance(a, (tuple, list)) and isinstance(b, (tuple, list)) and len(a) == len(b):
        return next((d for x, y in zip(a, b) if (d := _differs(x, y, what))), "")  # noqa: B905
    return "" if a == b or (a is None and b is None) else f"{what}: {a!r} vs eager {b!r}"
