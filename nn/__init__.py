"""nn: neural networks built on the autograd engine.

* :mod:`nn.module` — :class:`Module`, the base class (parameters, state dicts).
* :mod:`nn.scalar` — :class:`Neuron`, :class:`Layer`, :class:`MLP` made of scalar Values.
* :mod:`nn.losses` — :func:`mse` (the series' cost) and :func:`cross_entropy`.
* :mod:`nn.optim` — :class:`SGD` (and friends).
* :mod:`nn.layers` — :class:`Linear`, activations, :class:`Sequential`, :class:`TensorMLP`
  made of Tensors (the fast twin of :class:`MLP`); ``save``/``load`` as ``.npz``.
* :mod:`nn.data` — :func:`load_mnist` (IDX files, checksums, download), :func:`batches`.
* :mod:`nn.train` — :func:`fit` (the training loop; :class:`History`), :func:`evaluate`.
* :mod:`nn.explorer` — :func:`write_explorer`: one HTML page to draw a digit and watch the
  model think (forward) and learn (backward, one SGD step).
* :mod:`nn.plots` — pictures of a run (matplotlib, imported on use: ``from nn import plots``).
"""

# First (it sorts first too): on import, nn.clash checks that `autograd` is valuegrad's.
from nn.clash import check_autograd  # noqa: F401
from nn.data import ChecksumError, DataError, batches, iterate_minibatches, load_mnist, one_hot
from nn.explorer import write_explorer
from nn.layers import Identity, Linear, ReLU, Sequential, Sigmoid, Tanh, TensorMLP, TensorModule
from nn.losses import cross_entropy, mse
from nn.module import Module
from nn.optim import SGD, Adam, Optimizer
from nn.scalar import MLP, Layer, Neuron
from nn.train import History, evaluate, fit, predict

__all__ = [
    "MLP",
    "SGD",
    "Adam",
    "ChecksumError",
    "DataError",
    "History",
    "Identity",
    "Layer",
    "Linear",
    "Module",
    "Neuron",
    "Optimizer",
    "ReLU",
    "Sequential",
    "Sigmoid",
    "Tanh",
    "TensorMLP",
    "TensorModule",
    "batches",
    "cross_entropy",
    "evaluate",
    "fit",
    "iterate_minibatches",
    "load_mnist",
    "mse",
    "one_hot",
    "predict",
    "write_explorer",
]
