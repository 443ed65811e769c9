"""The public path of the hypothesis strategies: see :mod:`autograd.checking.strategies`."""

from autograd.checking.strategies import *  # noqa: F403
from autograd.checking.strategies import __all__ as __all__
