"""``Module``: the base class of every network, scalar or Tensor.

A module owns *parameters* (the knobs training turns: weights and biases) and
lists them by name, in a stable, documented order. Everything else here is
built on that one method, :meth:`Module.named_parameters`:

* :meth:`~Module.parameters` — the parameter objects, same order, for optimizers;
* :meth:`~Module.zero_grad` — reset their gradients before a ``backward()``;
* :meth:`~Module.num_parameters` — how many numbers the model has (13,002 for the
  series' 784-16-16-10 network);
* :meth:`~Module.state_dict` / :meth:`~Module.load_state_dict` — save and restore.

State-dict keys are shared by the scalar :class:`nn.MLP` and its Tensor twin
:class:`nn.TensorMLP`: ``"layers.{i}.weight"`` (shape ``(nout, nin)``, row ``k`` is
the weights into neuron ``k``) and ``"layers.{i}.bias"`` (shape ``(nout,)``), so
weights move between the two with ``twin.load_state_dict(mlp.state_dict())``.
"""

from __future__ import annotations

import numbers
from collections.abc import Mapping
from typing import Any

from autograd import Value

__all__ = ["Module"]


class Module:
    """Base class for networks and layers.

    Subclasses implement :meth:`named_parameters` and :meth:`forward`; the
    defaults of :meth:`state_dict` / :meth:`load_state_dict` handle modules whose
    named parameters are each one Value or one array (Tensor modules). The scalar
    modules in :mod:`nn.scalar` override them to group Values into weight matrices.
    """

    def named_parameters(self) -> list[tuple[str, Any]]:
        """``[(name, parameter), ...]`` in this module's documented order."""
        raise NotImplementedError(f"{type(self).__name__} must implement named_parameters()")

    def forward(self, *args: Any, **kwargs: Any) -> Any:
        """The module's output for its inputs (``module(x)`` calls this); subclasses override it."""
        raise NotImplementedError(f"{type(self).__name__} must implement forward()")

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self.forward(*args, **kwargs)

    def parameters(self) -> list[Any]:
        """Every parameter, in the order of :meth:`named_parameters`."""
        return [p for _, p in self.named_parameters()]

    def zero_grad(self) -> None:
        """Reset every parameter's gradient: ``0.0`` for a Value, ``None`` for a Tensor."""
        for p in self.parameters():
            p.grad = 0.0 if isinstance(p, Value) else None

    def num_parameters(self) -> int:
        """How many numbers the parameters hold (a Value counts 1, an array its size)."""
        return sum(1 if isinstance(p, Value) else int(p.data.size) for p in self.parameters())

    def state_dict(self) -> dict[str, Any]:
        """``{name: value}``: a float for a Value parameter, an array copy for a Tensor one."""
        return {
            name: p.data if isinstance(p, Value) else p.data.copy()
            for name, p in self.named_parameters()
        }

    def load_state_dict(self, state: Mapping[str, Any]) -> None:
        """Copy values from ``state`` (as made by :meth:`state_dict`) into the parameters.

        Keys must match exactly; shapes must match. Lists and arrays are both accepted.
        """
        import numpy as np

        params = dict(self.named_parameters())
        check_keys(state, params.keys(), type(self).__name__)
        for name, p in params.items():
            if isinstance(p, Value):
                p.data = to_float(state[name], name)
                continue
            arr = np.asarray(state[name], dtype=p.data.dtype)
            if arr.shape != p.data.shape:
                raise ValueError(
                    f"load_state_dict: {name!r} has shape {arr.shape}, "
                    f"expected {tuple(p.data.shape)}"
                )
            p.data[...] = arr
            p._bump_version()  # graphs that saved the old weights must not run backward()


def check_keys(state: Mapping[str, Any], expected: Any, owner: str) -> None:
    """Raise a ``KeyError`` naming missing and unexpected keys of a state dict."""
    if not isinstance(state, Mapping):
        raise TypeError(
            f"load_state_dict needs a dict of name -> values, got {type(state).__name__}"
        )
    want = list(expected)
    missing = [k for k in want if k not in state]
    unexpected = [k for k in state if k not in set(want)]
    if missing or unexpected:
        parts = []
        if missing:
            parts.append(f"missing keys {missing}")
        if unexpected:
            parts.append(f"unexpected keys {unexpected}")
        raise KeyError(f"load_state_dict for {owner}: " + "; ".join(parts))


def to_float(x: Any, name: str) -> float:
    """``float(x)`` for a real number or a one-element array, with a clear error otherwise."""
    if hasattr(x, "item") and getattr(x, "size", None) == 1:
        x = x.item()
    if isinstance(x, bool) or not isinstance(x, numbers.Real):
        raise TypeError(f"load_state_dict: {name!r} needs a number, got {type(x).__name__}: {x!r}")
    return float(x)
