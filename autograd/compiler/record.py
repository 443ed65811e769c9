"""Recording a step's NumPy work: the arrays and numbers a trace follows.

While :func:`autograd.compile` traces a step, every array the step can reach is a
:class:`Traced` view of itself, and every number an object declares live
(``__compile_live__``, e.g. an optimizer's learning rate) is a :class:`Live`. The
step runs as usual, on real numbers; each NumPy call it makes on a traced array is
also written down as one :class:`Statement`, which :mod:`autograd.compiler.source`
turns into straight-line Python.

What a trace cannot follow is refused (:class:`TraceError`), never guessed:

* reading a traced number into Python (``float``, ``bool``, ``.item()``, ``int``) in
  the step's own code: its value could steer Python that the replay would not redo;
* a branch on a live number (``if opt.lr > 1``).

A ``bool`` that the library itself reads (a check such as "is every update finite?")
becomes a **guard**: the replay checks it again, and a different answer runs the
step eagerly instead (where the check raises, or takes its other branch).
"""

from __future__ import annotations

import keyword
import operator
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

__all__ = [
    "Live",
    "Node",
    "Statement",
    "Trace",
    "TraceError",
    "Traced",
    "active",
    "nodes_in",
    "plain",
    "start",
    "stop",
]


class TraceError(RuntimeError):
    """A step that :func:`autograd.compile` cannot replay faithfully (the message says why)."""


# The trace being recorded (one at a time: tracing holds autograd.backprop.lock).
_active: list[Trace] = []


def active() -> Trace:
    """The trace being recorded."""
    if not _active:
        raise TraceError(
            "an array from inside a compiled step's trace was used after the trace ended "
            "(kept somewhere compile could not see?); use .copy() of it inside the step"
        )
    return _active[-1]


def start(trace: Trace) -> None:
    """Record into ``trace`` (until :func:`stop`)."""
    _active.append(trace)


def stop() -> None:
    _active.pop()


@dataclass(eq=False)  # nodes are compared by identity
class Node:
    """One value of the trace: an input, a piece of state, a constant or a result."""

    name: str
    kind: str  # "input", "state", "const", "result", "live"
    value: Any  # the Traced array or Live number (kept alive: ids stay unique)


@dataclass
class Statement:
    """One line of the replay: ``targets = call(args)`` (or a guard, or an in-place write)."""

    kind: str  # "call", "setitem", "guard", "live"
    targets: list[Node]
    func: Any  # what is called: a ufunc, ufunc method, function, method name or operator
    args: tuple[Any, ...]
    kwargs: dict[str, Any]
    phase: str  # "forward", "backward", "update"
    where: str  # the op it came from, for the comment
    expected: bool = True  # a guard's value when traced
    writes: list[Node] = field(default_factory=list)  # arrays it writes into


class Traced(np.ndarray):  # type: ignore[type-arg,unused-ignore]
    """An array whose NumPy operations the active trace records (and still computes)."""

    def __array_ufunc__(self, ufunc: Any, method: str, *inputs: Any, **kwargs: Any) -> Any:
        if any(_foreign(type(x)) for x in inputs):
            return NotImplemented  # a Tensor operand: its own operator takes this array
        func = ufunc if method == "__call__" else getattr(ufunc, method)
        return active().call(func, inputs, kwargs)

    def __array_function__(self, func: Any, types: Any, args: Any, kwargs: Any) -> Any:
        if any(_foreign(t) for t in types):
            return NotImplemented
        return active().call(func, args, kwargs)

    def __getitem__(self, index: Any) -> Any:
        return active().call(operator.getitem, (self, index), {})

    def __setitem__(self, index: Any, value: Any) -> None:
        active().call(operator.setitem, (self, index, value), {}, writes=self)

    def _method(name: str) -> Callable[..., Any]:  # type: ignore[misc]
        def method(self: Traced, *args: Any, **kwargs: Any) -> Any:
            return active().call(name, (self, *args), kwargs)

        method.__name__ = name
        return method

    reshape = _method("reshape")
    transpose = _method("transpose")
    swapaxes = _method("swapaxes")
    astype = _method("astype")
    copy = _method("copy")
    ravel = _method("ravel")
    flatten = _method("flatten")
    squeeze = _method("squeeze")
    fill = _method("fill")
    del _method

    @property
    def T(self) -> Any:
        return self.transpose()

    def view(self, *args: Any, **kwargs: Any) -> Any:
        if (args and args[0] is np.ndarray) or kwargs.get("type") is np.ndarray:
            return super().view(*args, **kwargs)  # the tracer's own unwrapping
        return active().call("view", (self, *args), kwargs)

    # Reading the numbers into Python.
    def __bool__(self) -> bool:
        return active().read_bool(self)

    def __float__(self) -> float:
        return float(active().read(self, "float()"))

    def __int__(self) -> int:
        return int(active().read(self, "int()"))

    def __index__(self) -> int:
        return operator.index(active().read(self, "an index"))

    def item(self, *args: Any) -> Any:
        return active().read(self, ".item()").item(*args)

    def __repr__(self) -> str:
        return repr(active().read(self, "repr()"))

    def __str__(self) -> str:
        return str(active().read(self, "str()"))

    def __format__(self, spec: str) -> str:
        return format(active().read(self, "format()"), spec)

    def tobytes(self, *args: Any, **kwargs: Any) -> bytes:
        return bytes(active().read(self, ".tobytes()").tobytes(*args, **kwargs))

    def tolist(self) -> Any:
        return active().read(self, ".tolist()").tolist()


def _foreign(cls: type) -> bool:
    """A type with NumPy overrides of its own (a Tensor), which decides for itself."""
    return (
        not issubclass(cls, np.ndarray)
        and cls is not Live
        and getattr(cls, "__array_ufunc__", None) is not None
    )


class Live:
    """A Python number a step reads anew on every call (``opt.lr``, Adam's step count).

    Arithmetic on it is recorded (``t + 1``, ``0.9 ** t``); a NumPy call takes its
    value; a comparison or ``bool`` (a branch the replay would not redo) is refused.
    """

    __slots__ = ("node", "number")

    def __init__(self, number: float, node: Node | None = None) -> None:
        self.number = number
        self.node = node

    def _op(name: str, func: Callable[[Any, Any], Any], flip: bool = False) -> Callable[..., Any]:  # type: ignore[misc]
        def method(self: Live, other: Any) -> Any:
            if isinstance(other, np.ndarray):
                return NotImplemented  # the array's operator records the NumPy call
            args = (other, self) if flip else (self, other)
            return active().live(func, args)

        method.__name__ = name
        return method

    __add__, __radd__ = _op("add", operator.add), _op("radd", operator.add, True)
    __sub__, __rsub__ = _op("sub", operator.sub), _op("rsub", operator.sub, True)
    __mul__, __rmul__ = _op("mul", operator.mul), _op("rmul", operator.mul, True)
    __truediv__ = _op("truediv", operator.truediv)
    __rtruediv__ = _op("rtruediv", operator.truediv, True)
    __pow__, __rpow__ = _op("pow", operator.pow), _op("rpow", operator.pow, True)
    del _op

    def __neg__(self) -> Any:
        return active().live(operator.neg, (self,))

    def _branch(op: Callable[..., Any]) -> Callable[..., Any]:  # type: ignore[misc]
        def method(self: Live, *other: Any) -> Any:
            numbers = [o.number if isinstance(o, Live) else o for o in other]
            return active().refuse(
                f"a branch on {self.node.name if self.node else 'a live number'} "
                f"({_user_line()}): compile reads this number anew on every call, so a "
                "decision made on it once would go stale; compute with it instead",
                lambda: op(self.number, *numbers),
            )

        return method

    __bool__ = _branch(bool)
    __lt__, __le__ = _branch(operator.lt), _branch(operator.le)
    __gt__, __ge__ = _branch(operator.gt), _branch(operator.ge)
    __eq__, __ne__ = _branch(operator.eq), _branch(operator.ne)  # type: ignore[assignment,unused-ignore]
    del _branch
    __hash__ = None  # type: ignore[assignment]

    def __float__(self) -> float:
        return float(self.number)

    def __int__(self) -> int:
        return int(self.number)

    def __repr__(self) -> str:
        return f"Live({self.number!r})"

    def __format__(self, spec: str) -> str:  # an error message's number
        return format(self.number, spec)

    def __array_ufunc__(self, ufunc: Any, method: str, *inputs: Any, **kwargs: Any) -> Any:
        func = ufunc if method == "__call__" else getattr(ufunc, method)
        return active().call(func, inputs, kwargs)


# ------------------------------------------------------------- whose code is it?

_LIBRARY_DIRS: list[str] = []


def library_dirs() -> list[str]:
    """The folders of valuegrad's own code (autograd and nn) and of NumPy."""
    if not _LIBRARY_DIRS:
        here = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
        # nn, installed beside autograd: its optimizers' checks are the library's too.
        nn_dir = os.path.join(os.path.dirname(here), "nn")
        _LIBRARY_DIRS.extend([here, nn_dir, os.path.dirname(np.__file__)])
        _LIBRARY_DIRS.append(os.path.dirname(os.__file__))  # the standard library
    return _LIBRARY_DIRS


def is_library(filename: str) -> bool:
    path = os.path.abspath(filename)
    return any(path.startswith(d + os.sep) for d in library_dirs())


def _user_line() -> str:
    frame = sys._getframe(2)
    while frame is not None and is_library(frame.f_code.co_filename):
        frame = frame.f_back  # type: ignore[assignment]
    return "the library" if frame is None else _where(frame)


def _where(frame: Any) -> str:
    return f"{os.path.basename(frame.f_code.co_filename)}, line {frame.f_lineno}"


# Library functions whose job is to hand numbers to Python: a call to one from the
# step's own code is the step reading a value.
_READERS = {
    "__repr__",
    "__str__",
    "tobytes",
    "__float__",
    "__int__",
    "__bool__",
    "__index__",
    "__complex__",
    "__format__",
    "item",
    "tolist",
    "_one",
}


_READ_NAMES = {
    "item": ".item()",
    "tolist": ".tolist()",
    "__format__": "format()",
    "_one": "float()",
    "__bool__": "bool()",
    "__int__": "int()",
}


def read_by_step(step_code: Any) -> tuple[bool, str, str]:
    """Whether the value read happening now is the step's own (and on which line).

    The step's code is ``step_code`` and any code outside the library. A read is the
    step's when that code made it directly, or called a library function whose job
    is to read numbers (``float(t)``, ``t.item()``); a read inside an op (a check, an
    error message) is the library's.
    """
    frame: Any = sys._getframe(2)
    callee = None
    while frame is not None:
        code = frame.f_code
        if code is step_code or not is_library(code.co_filename):
            return callee is None or callee in _READERS, _where(frame), callee or ""
        callee = code.co_name
        frame = frame.f_back
    return False, "the library", ""


# ------------------------------------------------------------------ the trace

_SYMBOLS = {
    "__add__": "+",
    "__sub__": "-",
    "__mul__": "*",
    "__truediv__": "/",
    "__pow__": "**",
    "__matmul__": "@",
    "__neg__": "neg",
    "__getitem__": "index",
}


class Trace:
    """The statements of one step, and the nodes they read and write."""

    def __init__(self, step_code: Any, strict: bool = True) -> None:
        self.step_code = step_code
        self.strict = strict  # refuse by raising; else note it and let the eager run finish
        self.refused = ""
        self.statements: list[Statement] = []
        self.nodes: dict[int, Node] = {}  # id(Traced or Live) -> its node
        self.owners: dict[int, Any] = {}  # id(memory owner) -> owner, of every traced array
        self.plain: dict[int, Node] = {}  # id(untraced array) -> node: constants, fresh copies
        self.counts: dict[str, int] = {}
        self.taken: set[str] = set()
        self.keep: list[Any] = []  # everything named, alive: ids stay unique
        self.writes_seen = False
        self.guarded: set[tuple[int, bool]] = set()
        self.tensor_args: set[str] = set()  # arguments given as Tensors (the replay reads .data)

    # ---- nodes
    def name(self, base: str) -> str:
        """``base_1``, ``base_2``, ...: a new name for a result."""
        base = identifier(base)
        n = self.counts.get(base, 0) + 1
        while f"{base}_{n}" in self.taken:
            n += 1
        self.counts[base] = n
        self.taken.add(f"{base}_{n}")
        return f"{base}_{n}"

    def unique(self, name: str) -> str:
        """``name`` itself if it is free, else ``name_2``, ``name_3``, ..."""
        name = identifier(name)
        if name in self.taken:
            return self.name(name)
        self.taken.add(name)
        return name

    def add(self, value: Any, kind: str, name: str) -> Node:
        node = Node(name if kind == "result" else self.unique(name), kind, value)
        self.nodes[id(value)] = node
        self.keep.append(value)
        if isinstance(value, np.ndarray):
            owner: Any = value.base if value.base is not None else value
            while getattr(owner, "base", None) is not None:
                owner = owner.base
            self.owners[id(owner)] = owner
        return node

    def traced(self, array: Any, kind: str, name: str) -> Traced:
        """``array`` as a traced view, recorded as a node (inputs and state)."""
        view = np.asarray(array).view(Traced)
        self.add(view, kind, name)
        return view

    def ref(self, x: Any) -> Any:
        """``x`` with every array and live number replaced by its node."""
        if isinstance(x, Traced):
            node = self.nodes.get(id(x))
            if node is None:
                raise TraceError(
                    f"an array of shape {x.shape} was made by a NumPy operation compile does "
                    f"not follow ({_user_line()}); use NumPy functions, operators and "
                    "reshape/transpose/astype/copy/indexing"
                )
            return node
        if isinstance(x, Live):
            return x.node
        if isinstance(x, np.ndarray):
            return self.constant(x)
        if isinstance(x, (tuple, list)):
            return type(x)(self.ref(i) for i in x)
        if isinstance(x, dict):
            return {k: self.ref(v) for k, v in x.items()}
        return x

    def constant(self, x: Any) -> Node:
        node = self.plain.get(id(x))
        if node is not None:
            return node
        owner: Any = x if x.base is None else x.base
        while getattr(owner, "base", None) is not None:
            owner = owner.base
        if id(owner) in self.owners:
            for candidate in self.nodes.values():  # np.asarray() of a traced array: its twin
                v = candidate.value
                if (
                    isinstance(v, np.ndarray)
                    and v.shape == x.shape
                    and v.dtype == x.dtype
                    and v.strides == x.strides
                    and v.__array_interface__["data"][0] == x.__array_interface__["data"][0]
                ):
                    self.plain[id(x)] = candidate
                    self.keep.append(x)
                    return candidate
            raise TraceError(
                f"compile lost track of an array of shape {x.shape} ({_user_line()}): it is "
                "a view of a traced array made outside NumPy's functions (np.asarray of a "
                "slice?); use np.asanyarray or the array's own methods"
            )
        node = Node(self.name("const"), "const", x)
        self.plain[id(x)] = node
        self.keep.append(x)
        return node

    # ---- recording
    def call(self, func: Any, args: Any, kwargs: dict[str, Any], writes: Any = None) -> Any:
        """Run ``func`` on the plain arrays and record it; return traced results."""
        phase, where = self.origin()
        targets = [writes] if writes is not None else []
        out = kwargs.get("out")
        if out is not None:
            targets.extend(out if isinstance(out, tuple) else (out,))
        if func in _WRITE_FIRST or getattr(func, "__name__", "") == "at":
            targets.append(args[0])  # ufunc.at, np.copyto, ...: write into their first argument
        written = [self.written(t) for t in targets]
        node_args, node_kwargs = self.ref(tuple(args)), self.ref(dict(kwargs))
        result = invoke(func, plain(args), plain(kwargs))
        if written:
            self.writes_seen = self.writes_seen or any(n.kind == "state" for n in written)
        outs = self.results(result, func, targets)
        self.statements.append(
            Statement("call", outs[1], func, node_args, node_kwargs, phase, where, True, written)
        )
        return outs[0]

    def written(self, target: Any) -> Node:
        """The node an in-place write goes into (a traced array, never a plain one)."""
        if isinstance(target, Traced):
            return self.ref(target)  # type: ignore[no-any-return]
        node = self.plain.get(id(target))
        if node is not None and node.kind != "const":
            return node
        raise TraceError(
            f"{_user_line()}: traced numbers are written into an array made outside the "
            "trace (np.empty, np.zeros, ...), whose later use compile could not follow; "
            "make it from a traced array (np.empty_like, np.zeros_like) or with a NumPy call"
        )

    def results(self, result: Any, func: Any, targets: list[Any]) -> tuple[Any, list[Node]]:
        """Traced results of a call, and their nodes (none for an in-place write)."""
        if result is None or (targets and _same_memory(result, targets)):
            return (targets[0] if targets else None), []
        if isinstance(result, tuple):
            pairs = [self.results(r, func, []) for r in result]
            return tuple(p[0] for p in pairs), [n for p in pairs for n in p[1]]
        if isinstance(result, (np.ndarray, np.generic)):
            view = np.asarray(result).view(Traced)
            node = self.add(view, "result", self.name(_short(func)))
            return view, [node]
        if getattr(func, "__name__", "") in _STATIC or isinstance(result, (type, np.dtype)):
            return result, []  # a shape, a dtype: known from the trace's kinds
        return self.read_python(result, func), []

    def read_python(self, value: Any, func: Any) -> Any:
        """A NumPy function that hands the numbers to Python (``np.array2string``,
        ``np.array_equal``): the step's own call is a value read, refused."""
        mine, where, callee = read_by_step(self.step_code)
        if mine:
            name = getattr(func, "__name__", "a NumPy function")
            return self.refuse(
                f"{where}: the step reads values with {_READ_NAMES.get(callee, name)}; "
                "compile replays NumPy work, not Python decisions or numbers taken from "
                "arrays, so this would go stale. Return the value instead",
                lambda: value,
            )
        return value

    def read(self, x: Traced, what: str) -> Any:
        """A number read into Python: the step's own read is refused."""
        mine, where, callee = read_by_step(self.step_code)
        if mine:
            what = _READ_NAMES.get(callee, what)
            return self.refuse(
                f"{where}: the step reads a value with {what}; compile replays NumPy work, "
                "not Python decisions or numbers taken from arrays, so this would go stale. "
                "Return the value instead (compute with Tensor or NumPy ops inside the step)",
                lambda: x.view(np.ndarray),
            )
        return x.view(np.ndarray)

    def refuse(self, why: str, value: Callable[[], Any]) -> Any:
        """A step compile cannot replay: ``TraceError`` now (``strict``), or the value,
        the run goes on eagerly to its end, and the step stays eager (``refused``)."""
        if self.strict:
            raise TraceError(why)
        self.refused = self.refused or why
        return value()

    def read_bool(self, x: Traced) -> bool:
        """A branch: the step's own is refused; the library's (a check) becomes a guard."""
        value = bool(self.read(x, "bool() (an if or a comparison)"))
        if self.refused or (id(x), value) in self.guarded:
            return value  # checked already (``bool(a or b)`` asks twice)
        if self.writes_seen:  # a replay that fails this check would have to undo writes
            return bool(
                self.refuse(
                    f"{_user_line()}: the step checks values after it has written its "
                    "parameters (two updates in one step?); a replay could not fall back to "
                    "the eager step there without writing twice: one update per step",
                    lambda: value,
                )
            )
        self.guarded.add((id(x), value))
        phase, where = self.origin()
        self.statements.append(
            Statement("guard", [], None, (self.ref(x),), {}, phase, where, value)
        )
        return value

    def live(self, func: Any, args: tuple[Any, ...]) -> Live:
        numbers = [a.number if isinstance(a, Live) else a for a in args]
        result = Live(func(*numbers))
        result.node = self.add(result, "live", self.name("number"))
        phase, where = self.origin()
        self.statements.append(
            Statement("live", [result.node], func, self.ref(args), {}, phase, where)
        )
        return result

    def origin(self) -> tuple[str, str]:
        """The phase (forward, backward, update) and the op the current call is part of."""
        frame = sys._getframe(2)
        op, phase, line = "", "forward", ""
        while frame is not None and frame.f_code is not self.step_code:
            code = frame.f_code
            qual = _qualname(frame).split(".<locals>")[0]
            if not op and (qual.startswith("Tensor.") or code.co_filename.endswith("fused.py")):
                op = qual
            if code.co_name in ("_propagate", "_propagate_graph") and phase == "forward":
                phase, node_op = "backward", getattr(frame.f_locals.get("self"), "_op", "")
                op = op if node_op == "" else f"Tensor.{node_op}"
            if code.co_name == "step" and hasattr(frame.f_locals.get("self"), "__compile_live__"):
                phase, op = "update", qual
            frame = frame.f_back  # type: ignore[assignment]
        if frame is not None:
            line = f"line {frame.f_lineno}"
        if phase == "backward" and op:
            return phase, f"backward of {_pretty(op)}"
        return phase, ", ".join(p for p in (_pretty(op), line if phase == "forward" else "") if p)


# NumPy functions whose Python result is a shape or a kind, not the numbers.
_STATIC = {
    "shape",
    "ndim",
    "size",
    "result_type",
    "may_share_memory",
    "shares_memory",
    "iscomplexobj",
    "isrealobj",
    "broadcast_shapes",
    "normalize_axis_index",
}

# NumPy functions that write into their first argument.
_WRITE_FIRST = {np.copyto, np.put, np.put_along_axis, np.putmask, np.place, np.fill_diagonal}


def _qualname(frame: Any) -> str:
    """``Tensor.__add__``: the code's qualified name (Python 3.10: from ``self``)."""
    code = frame.f_code
    qual = getattr(code, "co_qualname", None)
    if qual is not None:
        return str(qual)
    owner = frame.f_locals.get("self")
    return code.co_name if owner is None else f"{type(owner).__name__}.{code.co_name}"


def identifier(text: str) -> str:
    """``text`` as a Python name: other characters as ``_``, a prefix if it must."""
    name = "".join(c if c.isalnum() else "_" for c in text).strip("_") or "value"
    return name if name.isidentifier() and not keyword.iskeyword(name) else f"v_{name}"


def nodes_in(x: Any) -> list[Node]:
    """Every node in a statement's arguments (tuples, lists, dicts, slices, a returned
    Tensor's ``node``)."""
    if isinstance(x, Node):
        return [x]
    if isinstance(getattr(x, "node", None), Node):
        return [x.node]
    if isinstance(x, (tuple, list)):
        return [n for i in x for n in nodes_in(i)]
    if isinstance(x, dict):
        return [n for v in x.values() for n in nodes_in(v)]
    if isinstance(x, slice):
        return nodes_in((x.start, x.stop, x.step))
    return []


def _pretty(qual: str) -> str:
    cls, _, method = qual.rpartition(".")
    if cls != "Tensor":
        return qual
    return _SYMBOLS.get(method, method.strip("_") if method.startswith("__") else method)


def _short(func: Any) -> str:
    if isinstance(func, str):
        return func
    if func is operator.getitem:
        return "index"
    name = getattr(func, "__name__", "value")
    ufunc = getattr(func, "__self__", None)
    if isinstance(ufunc, np.ufunc):
        return {"reduce": "sum" if ufunc is np.add else f"{ufunc.__name__}_{name}"}.get(name, name)
    return str(name)


def plain(x: Any) -> Any:
    """``x`` with traced arrays as plain arrays and live numbers as numbers (inside
    tuples, lists and dicts too): what a traced call computes on, and what a trace
    leaves behind."""
    if isinstance(x, Traced):
        return x.view(np.ndarray)
    if isinstance(x, Live):
        return x.number
    if isinstance(x, tuple):
        return tuple(plain(i) for i in x)
    if isinstance(x, list):
        return [plain(i) for i in x]
    if isinstance(x, dict):
        return {k: plain(v) for k, v in x.items()}
    return x


def invoke(func: Any, args: Any, kwargs: dict[str, Any]) -> Any:
    """Call what a statement calls: a NumPy callable, an operator, or a method by name."""
    if isinstance(func, str):
        return getattr(args[0], func)(*args[1:], **kwargs)
    return func(*args, **kwargs)


def _same_memory(result: Any, targets: list[Any]) -> bool:
    if not isinstance(result, np.ndarray):
        return False
    return any(
        isinstance(t, np.ndarray)
        and t.shape == result.shape
        and t.__array_interface__["data"][0] == result.__array_interface__["data"][0]
        for t in targets
    )
