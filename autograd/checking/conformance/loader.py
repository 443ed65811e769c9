"""Find an engine class from a name: ``package.module:Class`` or ``path/to/file.py:Class``.

Only the standard library is used here, so the depth check's fresh interpreter
(:mod:`autograd.checking.conformance.depth_worker`) can load an engine without importing
numpy or hypothesis.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
from pathlib import Path
from typing import Any

__all__ = ["EngineError", "load_engine", "load_file", "load_object"]


class EngineError(Exception):
    """The engine cannot be loaded or used at all (a usage error, not a failed check)."""


def load_engine(spec: str) -> type[Any]:
    """The class named by ``"package.module:Class"`` or ``"path/to/file.py:Class"``.

    A file path without ``:Class`` means its class ``Value``. Raises
    :class:`EngineError` with what went wrong (no such module, file or attribute).
    """
    obj = load_object(spec, default="Value")
    if not isinstance(obj, type):
        raise EngineError(f"{spec} is a {type(obj).__name__}, not a class")
    return obj


def load_object(spec: str, default: str = "") -> Any:
    """The object named by ``"package.module:name"`` or ``"file.py:name"``."""
    target, _, attr = spec.rpartition(":") if spec.count(":") else (spec, "", "")
    if _is_drive(target):  # "C:/x.py" with no attribute
        target, attr = spec, ""
    if not target:
        raise EngineError(f"give the engine as module:Class or file.py:Class, got {spec!r}")
    if target.endswith(".py") or "/" in target or "\\" in target:
        module = load_file(Path(target))
        attr = attr or default
    else:
        if not attr:
            raise EngineError(
                f"give the class too, e.g. {target}:Value (got only the module {target!r})"
            )
        try:
            module = importlib.import_module(target)
        except ImportError as e:
            raise EngineError(f"cannot import {target!r}: {e}") from e
    if not attr:
        raise EngineError(f"name the class in {spec!r}, e.g. {spec}:Value")
    obj: Any = module
    for part in attr.split("."):
        try:
            obj = getattr(obj, part)
        except AttributeError:
            raise EngineError(f"{target} has no {attr!r}") from None
    return obj


def _is_drive(target: str) -> bool:
    return len(target) == 1 and target.isalpha()


def load_file(path: Path) -> Any:
    """Import a Python file as a module (not as ``__main__``, so its demo code stays quiet)."""
    path = path.resolve()
    if not path.is_file():
        raise EngineError(f"no such file: {path}")
    name = f"_conformance_{path.stem}_{abs(hash(str(path))):x}"
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise EngineError(f"cannot load {path} as Python")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses and pickling look the module up by name
    try:
        spec.loader.exec_module(module)
    except Exception as e:
        del sys.modules[name]
        raise EngineError(f"{path} raised while loading: {type(e).__name__}: {e}") from e
    return module
