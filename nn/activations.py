"""The activation functions a layer applies, by name, for both engines.

The names are the engine's activations (``autograd.Tensor.ACTIVATIONS``, each a
method of :class:`~autograd.Value` and :class:`~autograd.Tensor` alike:
``z.sigmoid()``), and ``"linear"`` for none (``a = z``: raw scores, logits). The
scalar neurons (:mod:`nn.scalar`) and the Tensor layers (:mod:`nn.layers`) read them here.
"""

from __future__ import annotations

from typing import Any

from autograd.tensor import Tensor

__all__ = ["ACTIVATIONS", "activate", "check_activation"]

#: Activation names accepted by every layer and network in ``nn``.
ACTIVATIONS = (*Tensor.ACTIVATIONS, "linear")


def check_activation(name: object, what: str = "activation") -> str:
    """``name`` if it is one of :data:`ACTIVATIONS`.

    Raises:
        ValueError: any other name, listing the choices.
    """
    if not isinstance(name, str) or name not in ACTIVATIONS:
        raise ValueError(
            f"{what}: unknown activation {name!r}; choose one of "
            f"{', '.join(map(repr, ACTIVATIONS))}"
        )
    return name


def activate(z: Any, name: str) -> Any:
    """``name(z)`` for a Value or a Tensor ``z``: ``z.sigmoid()``, ..., ``z`` for ``"linear"``."""
    return z if name == "linear" else getattr(z, name)()
