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

import math
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
        """Set every parameter's gradient to ``None``: "no gradient", Values and Tensors alike.

        The next ``backward()`` fills it; an optimizer's ``step()`` skips a parameter
        whose gradient is ``None`` (see :mod:`nn.optim`).
        """
        for p in self.parameters():
            p.grad = None

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

        Keys must match exactly, shapes must match, and every number must be finite.
        Lists and arrays are both accepted. Everything is checked before anything is
        written: a refused state dict changes no parameter.

        Raises:
            KeyError: missing or unexpected keys (named).
            TypeError: a value that is not numbers (its key named).
            ValueError: a wrong shape, or a NaN or infinity (its key named).
        """
        params = dict(self.named_parameters())
        check_keys(state, params.keys(), type(self).__name__)
        staged = [(p, _checked(p, state[name], name)) for name, p in params.items()]
        for p, value in staged:
            if isinstance(p, Value):
                p.data = value
            else:
                p.data[...] = value
                p._bump_version()  # graphs that saved the old weights must not run backward()


def _checked(p: Any, value: Any, name: str) -> Any:
    """``value`` as the new data of parameter ``p``: a finite float, or an array of its shape."""
    if isinstance(p, Value):
        return to_float(value, name)
    import numpy as np

    try:
        arr = np.asarray(value)
    except ValueError as err:  # ragged nested lists
        raise ValueError(f"load_state_dict: {name!r} is not an array of numbers ({err})") from None
    if arr.dtype.kind not in "iuf":  # not bools, strings or objects
        raise TypeError(f"load_state_dict: {name!r} needs numbers, got an array of {arr.dtype}")
    if arr.shape != p.data.shape:
        raise ValueError(
            f"load_state_dict: {name!r} has shape {arr.shape}, expected {tuple(p.data.shape)}"
        )
    with np.errstate(over="ignore"):
        cast = arr.astype(p.data.dtype)
    if not np.isfinite(cast).all():
        bad = tuple(int(i) for i in np.argwhere(~np.isfinite(cast))[0])
        why = "is not finite" if not np.isfinite(arr[bad]) else f"overflows {p.data.dtype}"
        raise ValueError(
            f"load_state_dict: {name!r} holds {arr[bad].item()!r} at index {bad}, which {why}; "
            "parameters must be finite numbers"
        )
    return cast


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
    """``float(x)`` for a finite real number or a one-element array, with a clear error otherwise.

    Raises:
        TypeError: not a real number (a bool, a string, ...), naming ``name``.
        ValueError: NaN or infinite, naming ``name``.
    """
    if hasattr(x, "item") and getattr(x, "size", None) == 1:
        x = x.item()
    if isinstance(x, bool) or not isinstance(x, numbers.Real):
        raise TypeError(f"load_state_dict: {name!r} needs a number, got {type(x).__name__}: {x!r}")
    value = float(x)
    if not math.isfinite(value):
        raise ValueError(f"load_state_dict: {name!r} is {value}; parameters must be finite numbers")
    return value
