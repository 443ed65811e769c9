"""The state a step can reach: found by walking from the step's function, swapped for
traced stand-ins while it is traced, and put back after.

A step reaches its model and optimizer through its arguments, closure, defaults and
the module globals its code names (and, through those, attributes, lists, dicts and
tuples). Each place that holds an array (a parameter's ``data`` and ``grad``, a
momentum buffer) or a live number (``__compile_live__``: an optimizer's ``_lr`` and
``state``) is a :class:`Slot`. The replay reads every slot it uses anew on each call,
so a parameter replaced by ``load_state_dict`` or a new learning rate is seen.
"""

from __future__ import annotations

import dis
import itertools
import re
import sys
import types
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np

from autograd.compiler.record import Live, Trace, Traced, plain
from autograd.tensor import Tensor
from autograd.value import Value

__all__ = ["Slot", "find_slots", "restore", "swap_in"]

_MAX_OBJECTS = 20_000  # a walk that finds more stops there (a step reaching a whole program)


@dataclass
class Slot:
    """A place holding state: ``getattr(owner, key)`` (``attr``) or ``owner[key]`` (``item``)."""

    owner: Any
    key: Any
    attr: bool
    name: str  # for the replay's variable names: "layers_0_weight"
    live: bool  # numbers in it are read anew on every call
    original: Any = None  # what it held before the trace
    stand_in: Any = None  # what it held during the trace
    owner_name: str = ""  # the owner's name (a tensor's for its data and grad slots)

    def get(self) -> Any:
        return getattr(self.owner, self.key) if self.attr else self.owner[self.key]

    def set(self, value: Any) -> None:
        if self.attr:
            setattr(self.owner, self.key, value)
        else:
            self.owner[self.key] = value


def find_slots(fn: Any, roots: list[tuple[str, Any]]) -> tuple[list[Slot], Any, Any]:
    """Every slot reachable from ``fn`` (closure, defaults, globals it names; a bound
    method's object) and ``roots``; a function that says which other Python state
    changed since (``""``: none); and what the replay must find unchanged: the other
    places walked, with what they held, and the containers with their lengths."""
    walk = _Walk()
    if isinstance(fn, types.MethodType):
        walk.visit(fn.__self__, "self")
        fn = fn.__func__
    walk.function(fn, "")
    for name, obj in roots:
        walk.visit(obj, name)
    slotted = {(id(s.owner), s.key) for s in walk.slots}
    fixed = [p for p in walk.places if (id(p[0]), p[1]) not in slotted]
    lengths = [(c, n) for c, _, n in walk.containers if isinstance(c, list)]
    return walk.slots, lambda: _changed(walk), (fixed, lengths)


class _Walk:
    def __init__(self) -> None:
        self.slots: list[Slot] = []
        self.seen: set[int] = set()
        self.names: dict[int, str] = {}  # id(parameter) -> its name in its module
        # Every place visited, with what it held, and each container's keys: Python
        # state the step changes beyond its slots is what a replay would not redo.
        self.places: list[tuple[Any, Any, bool, str, Any]] = []
        self.containers: list[tuple[Any, str, Any]] = []

    def function(self, fn: Any, prefix: str) -> None:
        """What ``fn`` reaches: its closure, the globals its code reads, its defaults."""
        self.seen.add(id(fn))
        code = fn.__code__
        for name, cell in zip(code.co_freevars, fn.__closure__ or ()):  # noqa: B905
            try:
                self.place(cell, "cell_contents", True, name, False)
            except ValueError:  # an empty cell
                continue
        g = fn.__globals__
        for name in sorted(_names(code)):
            if name in g:
                self.place(g, name, False, name, False)
        cells = {n: c.cell_contents for n, c in zip(code.co_freevars, fn.__closure__ or ())  # noqa: B905
                 if _filled(c)}  # fmt: skip
        for module_name, attr in sorted(_module_attributes(code)):
            module = cells.get(module_name, g.get(module_name))
            if (  # cfg.W: a module used as a namespace
                isinstance(module, types.ModuleType)
                and not _is_library(module)
                and hasattr(module, attr)
            ):
                self.place(module, attr, True, f"{module_name}_{attr}", False)
        for i, default in enumerate(fn.__defaults__ or ()):
            self.visit(default, f"{prefix}default_{i}")

    def place(
        self, owner: Any, key: Any, attr: bool, name: str, live: bool, owner_name: str = ""
    ) -> None:
        value = getattr(owner, key) if attr else owner[key]
        self.places.append((owner, key, attr, name, value))
        if isinstance(value, np.ndarray) or (live and not isinstance(value, (list, dict))):
            self.slots.append(Slot(owner, key, attr, name, live, owner_name=owner_name))
        elif isinstance(value, tuple) and _holds_state(value, live):
            self.slots.append(Slot(owner, key, attr, name, live, owner_name=owner_name))
            self.visit(value, name)
        else:
            self.visit(value, name, live)

    def visit(self, obj: Any, name: str, live: bool = False) -> None:
        if id(obj) in self.seen or len(self.seen) > _MAX_OBJECTS or _is_number(obj):
            return
        if isinstance(obj, type):
            self.class_numbers(obj)
            return
        if isinstance(obj, (str, bytes, types.ModuleType, np.ndarray, np.generic)):
            return
        if type(obj).__module__.startswith("autograd.compiler"):
            return  # a compiled step (its traces are not the step's state)
        self.seen.add(id(obj))
        if isinstance(obj, Value):
            from autograd.compiler.record import TraceError

            raise TraceError(
                f"the step reaches a Value ({name or 'an argument'}): compile follows NumPy "
                "arrays (Tensors); a Value's arithmetic is Python's, which it cannot replay"
            )
        if isinstance(obj, Tensor):
            name = self.names.get(id(obj), name)
            self.places.append((obj, "requires_grad", True, name, obj.requires_grad))
            self.slots.append(Slot(obj, "data", True, name, False, owner_name=name))
            if obj.requires_grad or isinstance(obj.grad, np.ndarray):
                self.slots.append(
                    Slot(obj, "grad", True, _join("grad", name), False, owner_name=name)
                )
            return
        if isinstance(obj, types.FunctionType):
            self.function(obj, name)
        elif isinstance(obj, types.MethodType):
            self.visit(obj.__self__, name)
            self.visit(obj.__func__, name)
        elif isinstance(obj, list):
            self.containers.append((obj, name, len(obj)))
            for i in range(len(obj)):
                self.place(obj, i, False, _join(name, str(i)), live, name)
        elif isinstance(obj, dict):
            self.containers.append((obj, name, set(obj)))
            for k in list(obj):
                self.place(obj, k, False, _join(name, str(k)), live, name)
        elif isinstance(obj, tuple):
            for i, item in enumerate(obj):
                self.visit(item, _join(name, str(i)), live)
        else:
            named = getattr(obj, "named_parameters", None)
            if callable(named) and not isinstance(obj, type):  # a module: its own names
                for key, p in named():  # "layers.0.weight"; a Sequential's "0.weight"
                    key = _join("", key)
                    self.names.setdefault(id(p), key if key[:1].isalpha() else _join(name, key))
            self.attributes(obj, name)

    def class_numbers(self, cls: type) -> None:
        """A user class's numbers (a counter kept on the class is state too)."""
        if id(cls) in self.seen or _is_library(sys.modules.get(cls.__module__)):
            return
        self.seen.add(id(cls))
        for key, value in vars(cls).items():
            if _is_number(value) or isinstance(value, (str, bool)):
                self.places.append((cls, key, True, f"{cls.__name__}_{key}", value))

    def attributes(self, obj: Any, name: str) -> None:
        cls = type(obj)
        if id(cls) not in self.seen and not _is_library(
            __import__("sys").modules.get(cls.__module__, None) or types.ModuleType("x")
        ):
            self.seen.add(id(cls))
            for key, value in vars(cls).items():  # a counter kept on the class
                if _is_number(value) or isinstance(value, (str, bool)):
                    self.places.append((cls, key, True, f"{cls.__name__}_{key}", value))
        declared = set(getattr(type(obj), "__compile_live__", ()))
        attrs = dict(getattr(obj, "__dict__", {}))
        if hasattr(obj, "__dict__"):
            self.containers.append((obj.__dict__, name or type(obj).__name__, set(attrs)))
        for cls in type(obj).__mro__:
            for slot in getattr(cls, "__slots__", ()):
                if slot not in ("__dict__", "__weakref__") and hasattr(obj, slot):
                    attrs[slot] = getattr(obj, slot)
        for key in attrs:
            if key.startswith("__"):
                continue
            self.place(obj, key, True, _join(name, key.lstrip("_")), key in declared, name)


def scrub(x: Any, seen: set[int] | None = None) -> Any:
    """``x`` with no traced array or live number left in it (what the step stored in
    lists, dicts, objects and Tensors, and their graphs, while it was traced)."""
    seen = set() if seen is None else seen
    if isinstance(x, (Traced, Live)):
        return plain(x)
    if id(x) in seen or isinstance(x, (str, bytes, type, types.ModuleType, np.ndarray)):
        return x
    seen.add(id(x))
    if isinstance(x, Tensor):
        from autograd.backprop import topological_order

        for t in topological_order(x) if x._parents else [x]:
            t.data, t.grad = plain(t.data), scrub(t.grad, seen)
    elif isinstance(x, list):
        x[:] = [scrub(i, seen) for i in x]
    elif isinstance(x, dict):
        for k in list(x):
            x[k] = scrub(x[k], seen)
    elif isinstance(x, tuple):
        return tuple(scrub(i, seen) for i in x)
    elif hasattr(x, "__dict__") and not callable(x):
        for k, v in list(vars(x).items()):
            setattr(x, k, scrub(v, seen))
    return x


def _changed(walk: _Walk) -> str:
    """The first Python state the step changed outside its slots, named ('' if none)."""
    slots = {(id(s.owner), s.key) for s in walk.slots}
    found = ""
    for owner, key, attr, name, before in walk.places:
        if (id(owner), key) in slots:
            continue
        try:
            now = getattr(owner, key) if attr else owner[key]
        except (AttributeError, KeyError, IndexError, ValueError):
            found = found or f"{name or key} (removed)"
            continue
        if now is not before:
            found = found or f"{name or key} (set to a new {type(now).__name__})"
            new = scrub(now)  # a traced array kept there must not outlive the trace
            if new is not now:
                if attr:
                    setattr(owner, key, new)
                else:
                    owner[key] = new
    for container, name, before in walk.containers:
        now = set(container) if isinstance(container, dict) else len(container)
        if now != before:
            found = found or f"{name or 'a container'} (an item added or removed)"
            scrub(container)
    return found


def _module_attributes(code: types.CodeType) -> Iterator[tuple[str, str]]:
    """``(name, attribute)`` for each ``name.attribute`` read from a global ``name``."""
    ins = [i for i in dis.get_instructions(code) if i.opname not in ("COPY", "DUP_TOP")]
    for a, b in itertools.pairwise(ins):
        if a.opname in ("LOAD_GLOBAL", "LOAD_DEREF") and b.opname in ("LOAD_ATTR", "LOAD_METHOD"):
            yield a.argval, b.argval
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            yield from _module_attributes(const)


def _filled(cell: Any) -> bool:
    try:
        cell.cell_contents  # noqa: B018
    except ValueError:  # an empty cell
        return False
    return True


def _is_library(module: types.ModuleType | None) -> bool:
    """NumPy, valuegrad, the standard library: modules whose attributes are not state."""
    from autograd.compiler.record import is_library

    path = getattr(module, "__file__", None)
    if module is not None and path is None:
        return module.__name__ in sys.builtin_module_names
    return path is None or is_library(path)


def _names(code: types.CodeType) -> Iterator[str]:
    """The global names ``code`` reads (not its attribute names: ``opt.step`` is no global)."""
    for ins in dis.get_instructions(code):
        if ins.opname in ("LOAD_GLOBAL", "LOAD_NAME"):
            yield ins.argval
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            yield from _names(const)


def _is_number(x: Any) -> bool:
    return isinstance(x, (int, float)) and not isinstance(x, bool)


def _holds_state(t: tuple[Any, ...], live: bool) -> bool:
    return any(isinstance(i, np.ndarray) or (live and _is_number(i)) for i in t)


def _join(name: str, key: str) -> str:
    key = key.removeprefix("cell_contents")
    return re.sub(r"\W+", "_", f"{name}_{key}" if name and key else name or key).strip("_")


# -------------------------------------------------------------- swapping


def swap_in(slots: list[Slot], trace: Trace) -> None:
    """Put a traced stand-in into every slot, remembering what it held."""
    for slot in slots:
        slot.original = value = slot.get()
        slot.stand_in = _stand_in(value, slot, trace, slot.name)
        slot.set(slot.stand_in)


def _stand_in(value: Any, slot: Slot, trace: Trace, name: str) -> Any:
    if isinstance(value, np.ndarray):
        return trace.traced(value, "state", name or "state")
    if slot.live and _is_number(value):
        live = Live(value)
        live.node = trace.add(live, "live", name or "number")
        return live
    if isinstance(value, tuple):
        return tuple(_stand_in(v, slot, trace, _join(name, str(i))) for i, v in enumerate(value))
    return value


def restore(slots: list[Slot], trace: Trace) -> list[tuple[Slot, Any]]:
    """Put back each slot's own value; return the slots the step set, with what it set
    (traced nodes, live numbers, tuples of them): the replay's writes."""
    writes = []
    for slot in slots:
        now = slot.get()
        if now is slot.stand_in:
            slot.set(slot.original)
            continue
        writes.append((slot, trace.ref(now)))
        slot.set(plain(now))
    return writes


def kind(x: Any) -> Any:
    """What a trace depends on in ``x``: an array's shape and dtype, a Tensor's, a
    number (any value: read anew), ``None``, a tuple's kinds, else the object itself."""
    cls = type(x)
    if cls is np.ndarray:
        return ("array", x.shape, x.dtype)
    if cls is float or cls is int:
        return "number"
    if x is None or cls is bool or cls is str:
        return x
    if cls is Tensor:
        return ("tensor", x.data.shape, x.data.dtype)
    if cls is tuple:
        return ("tuple", *map(kind, x))
    if isinstance(x, np.ndarray):
        return ("array", x.shape, x.dtype)
    return ("object", id(x))
