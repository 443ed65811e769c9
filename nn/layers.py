"""Layers made of :class:`~autograd.Tensor` s: the array twin of :mod:`nn.scalar`.

The scalar network computes one neuron at a time; here a whole layer of neurons
for a whole batch of examples is one matrix product. For a batch ``x`` of shape
``(N, nin)`` (one example per row), the series' ``a1 = sigmoid(W a0 + b)`` becomes

    a1 = sigmoid(x @ W.T + b)        W: (nout, nin), row k = weights into neuron k

:class:`Linear` computes ``x @ W.T + b`` as one fused graph node
(:func:`autograd.fused.linear`), so a layer costs one node in the graph, not
``nout * nin`` as with Values.

:class:`TensorMLP` has the same constructor and the same state-dict keys
(``"layers.{i}.weight"``, ``"layers.{i}.bias"``) as the scalar :class:`nn.MLP`, so
``twin.load_state_dict(mlp.state_dict())`` moves weights between the two engines.
"""

from __future__ import annotations

import itertools
import math
import os
from collections.abc import Callable, Iterator, Sequence
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from autograd.fused import linear
from autograd.tensor import Tensor
from nn.activations import activate, check_activation
from nn.module import Module
from nn.serialize import load_state, save_state

__all__ = [
    "Identity",
    "Linear",
    "ReLU",
    "Sequential",
    "Sigmoid",
    "Tanh",
    "TensorMLP",
    "TensorModule",
]

Seed = int | np.random.Generator | None
Input = Tensor | NDArray[Any]

INITS = ("xavier", "he", "lecun", "uniform", "zeros")


def as_rng(seed: Seed) -> np.random.Generator:
    """``seed`` as a ``numpy.random.Generator``: a Generator as is (shared between
    layers), an int or ``None`` as a new one (``TypeError`` for anything else)."""
    if isinstance(seed, np.random.Generator):
        return seed
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, (int, np.integer))):
        raise TypeError(
            f"seed must be None, an int or a numpy Generator, got {type(seed).__name__}"
        )
    return np.random.default_rng(seed)


def _as_input(x: Any, what: str) -> Tensor:
    if isinstance(x, Tensor):
        return x
    if isinstance(x, np.ndarray):
        return Tensor(x)
    raise TypeError(f"{what}: input must be a Tensor or a numpy array, got {type(x).__name__}")


class TensorModule(Module):
    """A :class:`Module` whose parameters are Tensors; adds ``save``/``load`` (``.npz``)."""

    def save(self, path: str | os.PathLike[str]) -> Path:
        """Write :meth:`state_dict` to ``path`` as ``.npz``, atomically (temp file + rename)."""
        return save_state(self.state_dict(), path)

    def load(self, path: str | os.PathLike[str]) -> None:
        """Load parameters saved by :meth:`save` (keys and shapes must match).

        Names and shapes are checked from the file's headers before any numbers are
        read; then :meth:`load_state_dict` checks the numbers (finite) before writing
        any parameter. A refused file changes nothing.
        """
        expected = {name: tuple(p.data.shape) for name, p in self.named_parameters()}
        self.load_state_dict(load_state(path, expected))

    def forward(self, x: Any) -> Tensor:
        """The output Tensor for input ``x`` (``module(x)`` calls this); subclasses override it."""
        raise NotImplementedError(f"{type(self).__name__} must implement forward()")

    def __call__(self, x: Any) -> Tensor:
        return self.forward(x)


class Linear(TensorModule):
    """``y = x @ W.T + b``: ``nout`` neurons, each a weighted sum of ``nin`` inputs plus a bias.

    Args:
        nin, nout: input and output widths. ``weight`` has shape ``(nout, nin)`` (row
            ``k`` holds the weights into neuron ``k``), ``bias`` shape ``(nout,)``.
        init: weight initialisation, scaled so activations keep a sensible size:
            ``"xavier"`` (Glorot uniform, ``U(-a, a)``, ``a = sqrt(6 / (nin + nout))``;
            good for sigmoid/tanh), ``"he"`` (normal, std ``sqrt(2 / nin)``; for ReLU),
            ``"lecun"`` (normal, std ``sqrt(1 / nin)``), ``"uniform"`` (``U(-1, 1)``,
            like the scalar neurons), ``"zeros"``. Biases start at 0.
        bias: whether to have a bias.
        seed: None, an int, or a ``numpy.random.Generator`` (shared between layers).
        dtype: float32 (default) or float64.
    """

    def __init__(
        self,
        nin: int,
        nout: int,
        init: str = "xavier",
        bias: bool = True,
        seed: Seed = None,
        dtype: Any = np.float32,
    ) -> None:
        for name, n in (("nin", nin), ("nout", nout)):
            if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
                raise ValueError(f"Linear: {name} must be a positive int, got {n!r}")
        if init not in INITS:
            raise ValueError(f"Linear: unknown init {init!r}; choose one of {', '.join(INITS)}")
        self.nin, self.nout, self.init = int(nin), int(nout), init
        rng = as_rng(seed)
        shape = (self.nout, self.nin)
        if init == "xavier":
            a = math.sqrt(6.0 / (nin + nout))
            w = rng.uniform(-a, a, shape)
        elif init == "he":
            w = rng.normal(0.0, math.sqrt(2.0 / nin), shape)
        elif init == "lecun":
            w = rng.normal(0.0, math.sqrt(1.0 / nin), shape)
        elif init == "uniform":
            w = rng.uniform(-1.0, 1.0, shape)
        else:
            w = np.zeros(shape)
        self.weight = Tensor(w, requires_grad=True, dtype=dtype, label="weight")
        self.bias: Tensor | None = (
            Tensor(np.zeros(self.nout), requires_grad=True, dtype=dtype, label="bias")
            if bias
            else None
        )

    def named_parameters(self) -> list[tuple[str, Any]]:
        """``[("weight", W), ("bias", b)]``."""
        if self.bias is None:
            return [("weight", self.weight)]
        return [("weight", self.weight), ("bias", self.bias)]

    def parameters(self) -> list[Any]:
        """``[W, b]`` (as :meth:`named_parameters`, without building the names)."""
        return [self.weight] if self.bias is None else [self.weight, self.bias]

    def forward(self, x: Input) -> Tensor:
        """``x @ W.T + b`` for ``x`` of shape ``(..., nin)`` (a Tensor or a plain array)."""
        return self._forward(x, None)

    def _forward(self, x: Input, activation: str | None) -> Tensor:
        """``activation(x @ W.T + b)`` as one fused node (``None``: no activation)."""
        if not isinstance(x, (Tensor, np.ndarray)):
            raise TypeError(
                f"Linear: input must be a Tensor or a numpy array, got {type(x).__name__}"
            )
        shape = x.shape
        if not shape or shape[-1] != self.nin:
            raise ValueError(
                f"Linear({self.nin}, {self.nout}): expected input with {self.nin} features "
                f"(last dim), got shape {tuple(shape)}"
            )
        return linear(x, self.weight, self.bias, activation)

    def __repr__(self) -> str:
        dt = np.dtype(self.weight.dtype).name
        return f"Linear({self.nin}, {self.nout}, bias={self.bias is not None}, dtype={dt})"


class _Activation(TensorModule):
    """A parameter-free elementwise function: ``name`` in :data:`nn.activations.ACTIVATIONS`."""

    name = "linear"

    def named_parameters(self) -> list[tuple[str, Any]]:
        return []

    def parameters(self) -> list[Any]:
        return []

    def forward(self, x: Input) -> Tensor:
        """The activation applied elementwise to ``x`` (see the class docstring)."""
        return activate(_as_input(x, type(self).__name__), self.name)  # type: ignore[no-any-return]

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


class Sigmoid(_Activation):
    """``sigmoid(x) = 1 / (1 + e^-x)`` elementwise (the series' squishing function)."""

    name = "sigmoid"


class ReLU(_Activation):
    """``relu(x) = max(0, x)`` elementwise."""

    name = "relu"


class Tanh(_Activation):
    """``tanh(x) = (e^x - e^-x) / (e^x + e^-x)`` elementwise."""

    name = "tanh"


class Identity(_Activation):
    """``x`` unchanged (the "linear" output activation: raw scores / logits; no new node)."""

    name = "linear"


def _activation(name: str, what: str) -> _Activation:
    """The module for activation ``name``."""
    check_activation(name, what)
    return next(cls() for cls in (Sigmoid, ReLU, Tanh, Identity) if cls.name == name)


def _fusable(module: TensorModule) -> str | None:
    """The activation a preceding Linear fuses with. Only these exact classes fuse: a
    subclass may compute something else (its own ``forward`` or ``__call__``)."""
    return module.name if type(module) in (Sigmoid, ReLU, Tanh) else None  # type: ignore[attr-defined]


class Sequential(TensorModule):
    """Modules applied one after another: ``Sequential(f, g, h)(x) == h(g(f(x)))``.

    Parameter names are ``"{index}.{name}"`` (e.g. ``"0.weight"``), in module order.

    **Fusion.** A :class:`Linear` directly followed by a :class:`Sigmoid`, :class:`ReLU`
    or :class:`Tanh` runs as one graph node, ``act(x @ W.T + b)``
    (:func:`autograd.fused.linear`): the same numbers as the two modules one after
    the other, with half the graph bookkeeping. The node's op says what was fused
    (``"linear+sigmoid"``, also in :func:`~autograd.draw_graph`), and ``repr`` marks
    the fused pairs. Only these exact classes are fused (a subclass with its own
    ``forward`` runs as written); ``fuse=False`` keeps one node per module, e.g. to
    show the pre-activation node in a picture of the graph.
    """

    def __init__(self, *modules: TensorModule, fuse: bool = True) -> None:
        for i, m in enumerate(modules):
            if not isinstance(m, Module):
                raise TypeError(f"Sequential: item {i} is a {type(m).__name__}, not a Module")
        self.modules: list[TensorModule] = list(modules)
        self.fuse = fuse
        self._planned: tuple[bool, list[TensorModule]] | None = None  # what _plan was made for
        self._plan: list[Callable[[Any], Any]] = []

    def named_parameters(self) -> list[tuple[str, Any]]:
        return [
            (f"{i}.{name}", p)
            for i, m in enumerate(self.modules)
            for name, p in m.named_parameters()
        ]

    def parameters(self) -> list[Any]:
        """Every parameter, module by module (as :meth:`named_parameters`, without the names)."""
        return [p for m in self.modules for p in m.parameters()]

    def fused(self) -> list[tuple[int, int, str]]:
        """``(i, i + 1, op)`` for each Linear at ``i`` fused with the activation at ``i + 1``."""
        if not self.fuse:
            return []
        return [
            (i, i + 1, f"linear+{_fusable(b)}")
            for i, (a, b) in enumerate(itertools.pairwise(self.modules))
            if type(a) is Linear and _fusable(b)
        ]

    def forward(self, x: Input) -> Tensor:
        """Each module applied in turn to the previous output: ``m_k(...m_1(m_0(x)))``."""
        if self._planned != (self.fuse, self.modules):  # first call, or fuse/modules changed
            self._plan = self._make_plan()
            self._planned = (self.fuse, list(self.modules))
        out: Any = x
        for step in self._plan:
            out = step(out)
        return _as_input(out, "Sequential")

    def _make_plan(self) -> list[Callable[[Any], Any]]:
        """The calls ``forward`` makes: each module, but one call per fused pair."""
        fused = {i: op.split("+")[1] for i, _, op in self.fused()}
        plan: list[Callable[[Any], Any]] = []
        skip = False
        for i, m in enumerate(self.modules):
            if not skip:
                if type(m) is Linear:  # straight to the layer's op (with the fused activation)
                    plan.append(partial(m._forward, activation=fused.get(i)))
                else:
                    plan.append(m)
            skip = i in fused
        return plan

    def __getitem__(self, i: int) -> TensorModule:
        return self.modules[i]

    def __len__(self) -> int:
        return len(self.modules)

    def __iter__(self) -> Iterator[TensorModule]:
        return iter(self.modules)

    def __repr__(self) -> str:
        marks = {i: f"  # fused with ({j}): one {op!r} node" for i, j, op in self.fused()}
        n = len(self.modules)
        inner = "\n".join(
            f"  ({i}): {m!r}{',' if i < n - 1 else ''}{marks.get(i, '')}"
            for i, m in enumerate(self.modules)
        )
        return f"Sequential(\n{inner}\n)"


class TensorMLP(TensorModule):
    """A multi-layer perceptron of :class:`Linear` layers: the Tensor twin of ``nn.MLP``.

    ``TensorMLP(784, [16, 16, 10])`` is the series' network: 784 inputs, two hidden
    layers of 16, 10 outputs, every layer ``a = activation(W a_prev + b)``.

    Args:
        nin: input width.
        nouts: widths of the layers, the last one being the output layer.
        activation: ``"sigmoid"``, ``"relu"`` or ``"tanh"`` for the hidden layers.
        output_activation: for the last layer; ``None`` means the same as
            ``activation`` (every neuron squishes, as in the series); ``"linear"`` gives
            raw scores (logits, for :func:`nn.cross_entropy`).
        init: weight init (see :class:`Linear`); ``None`` picks ``"he"`` for ReLU and
            ``"xavier"`` otherwise.
        seed: None, an int or a ``numpy.random.Generator``.
        dtype: float32 (default, fast) or float64 (for exact comparisons).

    Parameters are named ``"layers.{i}.weight"`` / ``"layers.{i}.bias"`` as in the
    scalar ``nn.MLP``.
    """

    def __init__(
        self,
        nin: int,
        nouts: Sequence[int] | NDArray[Any],
        activation: str = "sigmoid",
        output_activation: str | None = None,
        init: str | None = None,
        seed: Seed = None,
        dtype: Any = np.float32,
    ) -> None:
        # Array-like widths as a list (as nn.MLP takes them); a bare int is refused.
        widths: Any = nouts.tolist() if isinstance(nouts, np.ndarray) else nouts
        if not isinstance(widths, (list, tuple)) or not widths:
            raise ValueError(f"TensorMLP: nouts must list at least one layer width, got {nouts!r}")
        sizes = [nin, *widths]
        check_activation(activation, "TensorMLP")
        out_name = check_activation(
            activation if output_activation is None else output_activation, "TensorMLP"
        )
        if init is None:
            init = "he" if activation == "relu" else "xavier"
        rng = as_rng(seed)
        self.activation, self.output_activation = activation, out_name
        self.layers: list[Linear] = [
            Linear(a, b, init=init, seed=rng, dtype=dtype) for a, b in itertools.pairwise(sizes)
        ]
        for i, layer in enumerate(self.layers):  # the series' names, as in the scalar MLP
            layer.weight.label = f"W{i + 1}"
            if layer.bias is not None:
                layer.bias.label = f"b{i + 1}"
        n = len(self.layers)
        self.activations: list[_Activation] = [
            _activation(activation if i < n - 1 else out_name, "TensorMLP") for i in range(n)
        ]
        # The forward pass calls the fused op and the Tensor method directly (no
        # module dispatch per layer): it runs once per mini-batch, thousands of times.
        # Each layer is one fused graph node, act(x @ W.T + b) (see autograd.fused.linear).
        self._steps = [
            (layer, _fusable(act) or None)
            for layer, act in zip(self.layers, self.activations, strict=True)
        ]

    @property
    def sizes(self) -> list[int]:
        """Layer widths, input to output: ``[nin, hidden..., nout]``, e.g. ``[784, 16, 16, 10]``."""
        return [self.layers[0].nin] + [layer.nout for layer in self.layers]

    def named_parameters(self) -> list[tuple[str, Any]]:
        """``layers.0.weight, layers.0.bias, layers.1.weight, ...`` (input to output)."""
        return [
            (f"layers.{i}.{name}", p)
            for i, layer in enumerate(self.layers)
            for name, p in layer.named_parameters()
        ]

    def forward(self, x: Input) -> Tensor:
        """The outputs for a batch ``x`` of shape ``(N, nin)`` (or one example ``(nin,)``)."""
        if not isinstance(x, (Tensor, np.ndarray)):
            raise TypeError(
                f"TensorMLP: input must be a Tensor or a numpy array, got {type(x).__name__}"
            )
        nin = self.layers[0].nin
        if not x.shape or x.shape[-1] != nin:
            raise ValueError(
                f"TensorMLP: expected input with {nin} features (last dim), got shape "
                f"{tuple(x.shape)}"
            )
        out: Any = x
        for layer, act in self._steps:
            out = linear(out, layer.weight, layer.bias, act)
        return out  # type: ignore[no-any-return]

    def __repr__(self) -> str:
        dt = np.dtype(self.layers[0].weight.dtype).name
        return (
            f"TensorMLP({self.sizes[0]}, {self.sizes[1:]}, activation={self.activation!r}, "
            f"output_activation={self.output_activation!r}, dtype={dt})"
        )
