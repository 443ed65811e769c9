"""Pickling a graph: a node's ``d`` or VJP, often a lambda with no name to pickle it by,
is stored by its code (``marshal``: same Python version), module and closed-over values."""

from __future__ import annotations

import importlib
import marshal
import types
from typing import Any

__all__ = ["picklable_state"]


class _Function:
    """A function that pickles (and deep-copies) by its code; loads as the function."""

    def __init__(self, fn: types.FunctionType) -> None:
        self.fn = fn

    def __reduce__(self) -> tuple[Any, ...]:
        fn = self.fn
        cells = tuple(_wrap(c.cell_contents) for c in fn.__closure__ or ())
        return (_load, (marshal.dumps(fn.__code__), fn.__module__, fn.__defaults__, cells))


def _wrap(x: Any) -> Any:
    return _Function(x) if isinstance(x, types.FunctionType) else x


def _load(code: bytes, module: str, defaults: Any, cells: tuple[Any, ...]) -> Any:
    closure = tuple(types.CellType(c) for c in cells) or None
    globs = vars(importlib.import_module(module))
    return types.FunctionType(marshal.loads(code), globs, None, defaults, closure)


def picklable_state(obj: Any, slots: tuple[str, ...], function: str) -> Any:
    """``obj``'s state for pickle and copy, with its ``function`` stored by its code."""
    state = {name: getattr(obj, name) for name in slots}
    state[function] = _wrap(state[function])
    return (None, state)
