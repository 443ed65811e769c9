"""autograd: reverse-mode automatic differentiation, for scalars and for arrays."""

from autograd.graph import is_grad_enabled, no_grad
from autograd.value import Value

__all__ = ["Value", "is_grad_enabled", "no_grad"]
