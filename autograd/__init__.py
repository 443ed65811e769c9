"""autograd: reverse-mode automatic differentiation, for scalars and for arrays."""

from autograd.check import GradcheckError, GradcheckResult, gradcheck
from autograd.clash import check_package
from autograd.functional import grad, hessian, hvp, value_and_grad
from autograd.graph import enable_grad, is_grad_enabled, no_grad, set_grad_enabled
from autograd.save import save_graph
from autograd.tensor import Tensor
from autograd.value import Value
from autograd.viz import draw_graph

__all__ = [
    "GradcheckError",
    "GradcheckResult",
    "Tensor",
    "Value",
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

# Files of the PyPI package also named autograd mixed into this folder? Say so.
check_package()
