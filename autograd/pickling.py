"""Pickling a graph: the functions its nodes hold, by their code.

A node keeps how to differentiate it: a Value its ``d``, a Tensor its ``vjp``, most of
them lambdas written inside the op (closures over the op's settings, such as ``n`` of
``x ** n``). ``pickle`` stores a function by its name, which a lambda does not have,
so a node stores each such function as :class:`Picklable`: its compiled code
(``marshal``), its module and the values it closed over. A graph pickled this way
loads in the same Python version (``marshal``'s format is Python's own).
"""

from __future__ import annotations

import importlib
import marshal
import types
from typing import Any

__all__ = ["Picklable"]


class Picklable:
    """A function that pickles (and deep-copies) by its code; loads as the function."""

    __slots__ = ("fn",)

    def __init__(self, fn: types.FunctionType) -> None:
        self.fn = fn

    def __reduce__(self) -> tuple[Any, ...]:
        fn = self.fn
        cells = tuple(_wrap(c.cell_contents) for c in fn.__closure__ or ())
        code = marshal.dumps(fn.__code__)
        return (_function, (code, fn.__module__, fn.__name__, fn.__defaults__, cells))


def _wrap(x: Any) -> Any:
    return Picklable(x) if isinstance(x, types.FunctionType) else x


def _function(
    code: bytes, module: str, name: str, defaults: tuple[Any, ...] | None, cells: tuple[Any, ...]
) -> types.FunctionType:
    closure = tuple(types.CellType(c) for c in cells) or None
    globs = vars(importlib.import_module(module))
    return types.FunctionType(marshal.loads(code), globs, name, defaults, closure)


def picklable_state(obj: Any, slots: tuple[str, ...], functions: tuple[str, ...]) -> Any:
    """``obj``'s state for pickle and copy, each of ``functions`` as a :class:`Picklable`."""
    state = {name: getattr(obj, name) for name in slots if hasattr(obj, name)}
    for name in functions:
        state[name] = _wrap(state.get(name))
    return (None, state)
