"""The public path of the conformance suite: see :mod:`autograd.checking.conformance`."""

from autograd.checking.conformance import *  # noqa: F403
from autograd.checking.conformance import __all__ as __all__
