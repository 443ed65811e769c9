"""Networks made of scalar :class:`~autograd.Value` s: the series' picture, neuron by neuron.

A neuron computes a weighted sum of its inputs, adds its bias, and squishes:

.. math::  z = \\sum_j w_j x_j + b, \\qquad a = \\sigma(z)

A :class:`Layer` is ``nout`` neurons reading the same inputs, which is the
series' condensed equation :math:`a^1 = \\sigma(W a^0 + b)`: row ``k`` of ``W`` is
the weights of neuron ``k``. An :class:`MLP` is layers in a row.

Every weight and every product is its own Value, so ``backward()`` gives you
:math:`\\partial C/\\partial w` for each single knob, and :func:`autograd.draw_graph`
can draw it. That is slow on purpose (one Python object per number); the Tensor
network in :mod:`nn.layers` is the fast twin with the same state-dict keys.

**Initialisation.** Weights and biases are drawn uniformly from
:math:`[-1/\\sqrt{n_{in}}, 1/\\sqrt{n_{in}}]` (fan-in scaling, PyTorch's default
for ``Linear``), so a neuron's weighted sum stays of order 1 however many inputs
it has. Draws come from a ``random.Random`` made from ``seed`` (an ``int``, or pass
your own generator); the same seed gives the same network, draw order neuron by
neuron, weights then bias.

**Labels** (shown in graph pictures) follow the series: in an :class:`MLP`,
``layers[i]`` computes :math:`a^{i+1} = \\sigma(W^{i+1} a^i + b^{i+1})`, so its
Values are labelled ``W1[k,j]``, ``b1[k]``, ``z1[k]``, ``a1[k]`` for ``i = 0``, and
inputs given as plain numbers become ``x[j]``.
"""

from __future__ import annotations

import math
import random
from collections.abc import Mapping, Sequence
from numbers import Integral
from typing import Any

import numpy as np

from autograd import Value
from nn.activations import ACTIVATIONS, activate, check_activation
from nn.module import Module, check_keys, to_float

__all__ = ["ACTIVATIONS", "MLP", "Layer", "Neuron"]

Seed = int | random.Random | None
Input = Value | float | int


def _rng(seed: Seed) -> random.Random:
    if isinstance(seed, random.Random):
        return seed
    if seed is None or (isinstance(seed, int) and not isinstance(seed, bool)):
        return random.Random(seed)
    raise TypeError(f"seed must be None, an int or a random.Random, got {type(seed).__name__}")


def _check_size(n: object, what: str) -> int:
    if isinstance(n, bool) or not isinstance(n, Integral) or n < 1:
        raise ValueError(f"{what} must be a positive int, got {n!r}")
    return int(n)


def _as_inputs(x: Any, nin: int, owner: str, label: str) -> list[Value]:
    """Check the input count and turn plain numbers into labelled leaf Values (once)."""
    if isinstance(x, Value) or not hasattr(x, "__len__") or isinstance(x, (str, bytes)):
        raise TypeError(
            f"{owner} takes a sequence of {nin} numbers or Values, got {type(x).__name__}"
        )
    if getattr(x, "ndim", 1) != 1:  # a batch (or an image) where one example is expected
        raise ValueError(
            f"{owner} takes one example, a flat sequence of {nin} numbers; got an array of "
            f"shape {x.shape} (for several examples call it on each row)"
        )
    if len(x) != nin:
        raise ValueError(f"{owner} expected {nin} inputs, got {len(x)}")
    return [
        xj if type(xj) is Value else Value(xj, label=label.format(j=j)) for j, xj in enumerate(x)
    ]


class Neuron(Module):
    """One neuron: ``a = activation(w · x + b)``.

    >>> n = Neuron(2, activation="tanh", seed=0)
    >>> a = n([1.0, -2.0])
    >>> a.backward()          # n.w[0].grad == (1 - a**2) * 1.0, n.b.grad == 1 - a**2

    Parameters, in order: ``weight.0 .. weight.{nin-1}``, then ``bias``.

    Args:
        nin: number of inputs.
        activation: ``"sigmoid"`` (the series' squishing function), ``"relu"``,
            ``"tanh"`` or ``"linear"`` (no squishing: ``a = z``).
        seed: ``int``, ``random.Random`` or ``None`` (fresh randomness).
    """

    def __init__(self, nin: int, activation: str = "sigmoid", seed: Seed = None) -> None:
        self.nin = _check_size(nin, "nin")
        self.activation = check_activation(activation)
        rng = _rng(seed)
        bound = 1.0 / math.sqrt(nin)
        self.w = [Value(rng.uniform(-bound, bound), label=f"w[{j}]") for j in range(nin)]
        self.b = Value(rng.uniform(-bound, bound), label="b")
        self._zlabel = "z"
        self._alabel = "a"
        self._xlabel = "x[{j}]"

    def forward(self, x: Sequence[Input]) -> Value:
        """``activation(sum_j w_j x_j + b)`` for ``nin`` inputs (numbers or Values)."""
        return self._forward(_as_inputs(x, self.nin, type(self).__name__, self._xlabel))

    def _forward(self, xs: list[Value]) -> Value:
        w = self.w
        s = w[0] * xs[0]
        for j in range(1, self.nin):
            s = s + w[j] * xs[j]
        z = s + self.b  # the bias add is the neuron's last "+": z = w·x + b
        z.label = self._zlabel
        if self.activation == "linear":
            return z
        a: Value = activate(z, self.activation)
        a.label = self._alabel
        return a

    def named_parameters(self) -> list[tuple[str, Value]]:
        return [(f"weight.{j}", w) for j, w in enumerate(self.w)] + [("bias", self.b)]

    def state_dict(self) -> dict[str, Any]:
        """``{"weight": [nin floats], "bias": float}``."""
        return {"weight": [w.data for w in self.w], "bias": self.b.data}

    def load_state_dict(self, state: Mapping[str, Any]) -> None:
        """Load ``{"weight": nin numbers, "bias": number}``; all checked before any is written."""
        check_keys(state, ["weight", "bias"], type(self).__name__)
        weights = _floats(state["weight"], "weight", self.nin)
        bias = to_float(state["bias"], "bias")
        _assign([*self.w, self.b], [*weights, bias])

    def __repr__(self) -> str:
        return f"Neuron({self.nin} inputs, {self.activation})"


class Layer(Module):
    """``nout`` neurons reading the same ``nin`` inputs: ``a = activation(W x + b)``.

    Returns a list of ``nout`` Values. Parameters, in order: the weight matrix
    row by row (``weight.{k}.{j}`` is the weight from input ``j`` into neuron
    ``k``), then the biases ``bias.{k}``; the same layout as the state dict's
    ``weight`` (``nout x nin``) and ``bias`` (``nout``).
    """

    def __init__(self, nin: int, nout: int, activation: str = "sigmoid", seed: Seed = None) -> None:
        self.nin = _check_size(nin, "nin")
        self.nout = _check_size(nout, "nout")
        self.activation = check_activation(activation)
        rng = _rng(seed)
        self.neurons = [Neuron(nin, activation, rng) for _ in range(nout)]
        self._xlabel = "x[{j}]"
        self._name(None)

    def _name(self, index: int | None) -> None:
        """Label the Values of this layer: ``W[k,j]`` alone, ``W{index}[k,j]`` in an MLP."""
        s = "" if index is None else str(index)
        for k, n in enumerate(self.neurons):
            for j, w in enumerate(n.w):
                w.label = f"W{s}[{k},{j}]"
            n.b.label = f"b{s}[{k}]"
            n._zlabel = f"z{s}[{k}]"
            n._alabel = f"a{s}[{k}]"

    def forward(self, x: Sequence[Input]) -> list[Value]:
        """The ``nout`` activations for ``nin`` inputs (numbers or Values)."""
        return self._forward(_as_inputs(x, self.nin, type(self).__name__, self._xlabel))

    def _forward(self, xs: list[Value]) -> list[Value]:
        return [n._forward(xs) for n in self.neurons]

    def named_parameters(self) -> list[tuple[str, Value]]:
        weights = [
            (f"weight.{k}.{j}", w) for k, n in enumerate(self.neurons) for j, w in enumerate(n.w)
        ]
        return weights + [(f"bias.{k}", n.b) for k, n in enumerate(self.neurons)]

    def state_dict(self) -> dict[str, Any]:
        """``{"weight": nout lists of nin floats, "bias": nout floats}``."""
        return {
            "weight": [[w.data for w in n.w] for n in self.neurons],
            "bias": [n.b.data for n in self.neurons],
        }

    def load_state_dict(self, state: Mapping[str, Any]) -> None:
        """Load ``{"weight": nout x nin, "bias": nout}``; all checked before any is written."""
        check_keys(state, ["weight", "bias"], type(self).__name__)
        _assign(self.parameters(), self._checked(state["weight"], state["bias"], ""))

    def _checked(self, weight: Any, bias: Any, prefix: str) -> list[float]:
        """The new values of :meth:`parameters` (same order), or an error naming the entry."""
        rows = _rows(weight, f"{prefix}weight")
        if len(rows) != self.nout:
            raise ValueError(
                f"load_state_dict: {prefix}weight has shape ({len(rows)}, ...), "
                f"expected ({self.nout}, {self.nin})"
            )
        biases = _floats(bias, f"{prefix}bias", self.nout)
        weights = [
            v for k, row in enumerate(rows) for v in _floats(row, f"{prefix}weight[{k}]", self.nin)
        ]
        return weights + biases

    def __repr__(self) -> str:
        return (
            f"Layer({self.nin} -> {self.nout}, {self.activation}, "
            f"{self.num_parameters():,} parameters)"
        )


class MLP(Module):
    """A multi-layer perceptron of Values: the series' network, neuron by neuron.

    >>> mlp = MLP(784, [16, 16, 10], activation="sigmoid", seed=0)
    >>> mlp
    MLP(784 -> 16 -> 16 -> 10, sigmoid, 13,002 parameters)
    >>> mlp.num_parameters()
    13002

    Calling it on ``nin`` numbers (or Values) returns a list of ``nouts[-1]``
    Values. Parameters, in order: layer by layer, each layer's weight matrix row by
    row and then its biases; names are ``layers.{i}.weight.{k}.{j}`` and
    ``layers.{i}.bias.{k}``. :meth:`state_dict` groups them as
    ``layers.{i}.weight`` (``nout x nin`` nested lists) and ``layers.{i}.bias``
    (``nout`` floats): plain JSON, the same keys as :class:`nn.TensorMLP`.

    Args:
        nin: number of inputs (784 for 28x28 MNIST pixels).
        nouts: the size of each layer, e.g. ``[16, 16, 10]``.
        activation: ``"sigmoid"`` (the series), ``"relu"``, ``"tanh"`` or ``"linear"``.
        output_activation: activation of the last layer; ``None`` means the same as
            ``activation`` (every neuron squishes, as in the series); pass
            ``"linear"`` for raw scores (logits) to feed :func:`nn.cross_entropy`.
        seed: ``int``, ``random.Random`` or ``None``; the same seed gives the same
            network.
        squeeze: with one output neuron, return that Value itself instead of a list of
            one (micrograd's convention). Needs ``nouts[-1] == 1``.

    **Coming from micrograd** (docs: "Coming from micrograd"): micrograd's
    ``MLP(2, [16, 16, 1])`` is ReLU hidden layers, a linear output and one Value out::

        MLP(2, [16, 16, 1], activation="relu", output_activation="linear", squeeze=True)

    The defaults are the series' network instead (sigmoid everywhere, a list out): a
    sigmoid output lies in (0, 1), so a ±1 max-margin loss ``(1 - y * score).relu()``
    can never be met for ``y = +1`` and training stalls.

    Raises:
        ValueError: a size is not a positive int, an unknown activation, or
            ``squeeze=True`` with more than one output.
    """

    def __init__(
        self,
        nin: int,
        nouts: Sequence[int] | np.ndarray[Any, Any],
        activation: str = "sigmoid",
        output_activation: str | None = None,
        seed: Seed = None,
        squeeze: bool = False,
    ) -> None:
        self.nin = _check_size(nin, "nin")
        if isinstance(nouts, np.ndarray) and nouts.ndim == 1:
            nouts = nouts.tolist()  # array-like sizes, as a list
        if isinstance(nouts, int) or not isinstance(nouts, Sequence) or not nouts:
            raise ValueError(f"nouts must be a non-empty list of layer sizes, got {nouts!r}")
        sizes = [self.nin] + [_check_size(n, "each layer size in nouts") for n in nouts]
        self.activation = check_activation(activation)
        self.output_activation = check_activation(
            activation if output_activation is None else output_activation
        )
        rng = _rng(seed)
        last = len(nouts) - 1
        self.layers = [
            Layer(
                sizes[i],
                sizes[i + 1],
                self.output_activation if i == last else self.activation,
                rng,
            )
            for i in range(len(nouts))
        ]
        for i, layer in enumerate(self.layers):
            layer._name(i + 1)
        if squeeze and sizes[-1] != 1:
            raise ValueError(
                f"squeeze=True returns the one output Value, but the last layer has "
                f"{sizes[-1]} outputs; use squeeze=False for a list of them"
            )
        self.squeeze = bool(squeeze)

    @property
    def sizes(self) -> list[int]:
        """``[nin, *nouts]``, e.g. ``[784, 16, 16, 10]``."""
        return [self.nin] + [layer.nout for layer in self.layers]

    def forward(self, x: Sequence[Input]) -> list[Value] | Value:
        """The output layer's activations for ``nin`` inputs (numbers or Values): a list,
        or with ``squeeze=True`` the one output Value."""
        xs = _as_inputs(x, self.nin, type(self).__name__, "x[{j}]")
        for layer in self.layers:
            xs = layer._forward(xs)
        return xs[0] if self.squeeze else xs

    def named_parameters(self) -> list[tuple[str, Value]]:
        return [
            (f"layers.{i}.{name}", p)
            for i, layer in enumerate(self.layers)
            for name, p in layer.named_parameters()
        ]

    def state_dict(self) -> dict[str, Any]:
        """``{"layers.{i}.weight": [[...], ...], "layers.{i}.bias": [...]}``, plain JSON."""
        out: dict[str, Any] = {}
        for i, layer in enumerate(self.layers):
            sd = layer.state_dict()
            out[f"layers.{i}.weight"] = sd["weight"]
            out[f"layers.{i}.bias"] = sd["bias"]
        return out

    def load_state_dict(self, state: Mapping[str, Any]) -> None:
        """Load weights saved by :meth:`state_dict` (lists, JSON) or a TensorMLP (arrays).

        Values are copied bit-exactly (``float64``; ``float32`` arrays convert exactly).
        Every key, shape and number (finite) is checked before any parameter is
        written, so a refused state dict leaves the model as it was.
        """
        n = len(self.layers)
        keys = [f"layers.{i}.{kind}" for i in range(n) for kind in ("weight", "bias")]
        check_keys(state, keys, type(self).__name__)
        # Every layer is checked before any parameter is written: a refused state
        # dict (a wrong shape in the last layer, a NaN) changes nothing.
        values = []
        for i, layer in enumerate(self.layers):
            p = f"layers.{i}."
            values += layer._checked(state[p + "weight"], state[p + "bias"], p)
        _assign(self.parameters(), values)

    def __repr__(self) -> str:
        shape = " -> ".join(str(s) for s in self.sizes)
        acts = self.activation
        if self.output_activation != self.activation:
            acts += f", output {self.output_activation}"
        return f"MLP({shape}, {acts}, {self.num_parameters():,} parameters)"


def _rows(x: Any, name: str, length: int | None = None) -> list[Any]:
    """A list (or array) as a Python list, checking its length when given."""
    if hasattr(x, "tolist"):
        x = x.tolist()
    if not isinstance(x, (list, tuple)):
        raise TypeError(f"load_state_dict: {name} must be a list or array, got {type(x).__name__}")
    if length is not None and len(x) != length:
        raise ValueError(f"load_state_dict: {name} has {len(x)} entries, expected {length}")
    return list(x)


def _floats(row: Any, name: str, length: int) -> list[float]:
    """``length`` finite floats from a list or array, or an error naming the entry."""
    return [to_float(v, f"{name}[{j}]") for j, v in enumerate(_rows(row, name, length))]


def _assign(params: list[Value], values: list[float]) -> None:
    """Write checked values into the parameters (only after every value was checked)."""
    for p, v in zip(params, values, strict=True):
        p.data = v
