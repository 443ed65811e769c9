"""Does your autodiff engine do what it should? Property-based checks for any
micrograd-style scalar engine, and for the vector-Jacobian products of array ops.

>>> from autograd.checking.conformance import run          # doctest: +SKIP
>>> print(run(MyValue))                           # doctest: +SKIP

or ``python -m autograd.conformance mypackage.engine:Value``; for the
vector-Jacobian product of a custom array op, :func:`check_vjp`. Needs hypothesis:
``pip install 'valuegrad[testing]'``.
"""

try:
    import hypothesis  # noqa: F401
except ImportError as e:  # pragma: no cover - depends on the environment
    raise ImportError(
        "autograd.checking.conformance needs hypothesis, which is not installed: "
        "pip install 'valuegrad[testing]' (or pip install hypothesis)"
    ) from e

from autograd.checking.conformance.adapter import Adapter, EngineError, Semantics, load_engine
from autograd.checking.conformance.report import Check, ConformanceError, ConformanceReport
from autograd.checking.conformance.suite import GROUPS, assert_conforms, run
from autograd.checking.conformance.track import run_track
from autograd.checking.conformance.vjp import check_vjp

__all__ = [
    "GROUPS",
    "Adapter",
    "Check",
    "ConformanceError",
    "ConformanceReport",
    "EngineError",
    "Semantics",
    "assert_conforms",
    "check_vjp",
    "load_engine",
    "run",
    "run_track",
]
