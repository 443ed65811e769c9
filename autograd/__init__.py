"""autograd: reverse-mode automatic differentiation, for scalars and for arrays.

The engine is the modules at this level (read them in this order: ``backprop``,
``grad_mode``, ``value``, ``tensor``, ``fused``, ``functional``). Two subpackages
build on it and are imported only when one of their names is first used:

* :mod:`autograd.pictures`: ``draw_graph``, ``save_graph``, films, the stepper, the CLI;
* :mod:`autograd.checking`: ``gradcheck``, hypothesis strategies, the conformance suite;
* :mod:`autograd.compiler`: ``compile``, a training step traced once and replayed as
  straight-line NumPy.
"""

from __future__ import annotations

import importlib
import sys
from typing import TYPE_CHECKING, Any

from autograd.clash import check_package
from autograd.functional import grad, hessian, hvp, value_and_grad
from autograd.grad_mode import enable_grad, is_grad_enabled, no_grad, set_grad_enabled
from autograd.tensor import Tensor
from autograd.value import Value

if TYPE_CHECKING:
    from autograd.checking.gradcheck import GradcheckError, GradcheckResult, gradcheck
    from autograd.compiler import TraceError, compile
    from autograd.pictures.draw import draw_graph
    from autograd.pictures.save import save_graph

__all__ = [
    "GradcheckError",
    "GradcheckResult",
    "Tensor",
    "TraceError",
    "Value",
    "compile",
    "draw_graph",
    "enable_grad",
    "grad",
    "gradcheck",
    "hessian",
    "hvp",
    "is_grad_enabled",
    "no_grad",
    "save_graph",
    "set_grad_enabled",
    "value_and_grad",
]

# name -> the module that defines it, imported on first use (PEP 562).
_LAZY = {
    "GradcheckError": "autograd.checking.gradcheck",
    "GradcheckResult": "autograd.checking.gradcheck",
    "gradcheck": "autograd.checking.gradcheck",
    "compile": "autograd.compiler",
    "TraceError": "autograd.compiler",
    "draw_graph": "autograd.pictures.draw",
    "save_graph": "autograd.pictures.save",
}


def __getattr__(name: str) -> Any:
    if name not in _LAZY:
        raise AttributeError(f"module 'autograd' has no attribute {name!r}")
    value = getattr(importlib.import_module(_LAZY[name]), name)
    globals()[name] = value
    return value


def _show_graphs_in_jupyter() -> None:
    """Jupyter shows a Value or Tensor as the picture of its graph.

    The engine knows nothing of pictures, so the picture is registered here with
    IPython's display system, which calls it only when a node is displayed.
    """
    ipython = sys.modules.get("IPython")
    shell = ipython.get_ipython() if ipython is not None else None
    if shell is None:
        return

    def bundle(node: Any, include: Any = None, exclude: Any = None) -> Any:
        from autograd.pictures.draw import notebook_bundle

        return notebook_bundle(node, include, exclude)

    formatter = shell.display_formatter.mimebundle_formatter
    formatter.for_type(Value, bundle)
    formatter.for_type(Tensor, bundle)


# Files of the PyPI package also named autograd mixed into this folder? Say so.
check_package()
_show_graphs_in_jupyter()
