"""nn: neural networks built on the autograd engine.

* :mod:`nn.module` — :class:`Module`, the base class (parameters, state dicts).
* :mod:`nn.scalar` — :class:`Neuron`, :class:`Layer`, :class:`MLP` made of scalar Values.
* :mod:`nn.losses` — :func:`mse` (the series' cost) and :func:`cross_entropy`.
* :mod:`nn.optim` — :class:`SGD`, :class:`Adam`, :class:`AdamW`, :func:`warmup_cosine`.
* :mod:`nn.layers` — :class:`Linear`, activations, :class:`Sequential`, :class:`TensorMLP`
  made of Tensors (the fast twin of :class:`MLP`); ``save``/``load`` as ``.npz``.
* :mod:`nn.data` — :func:`load_mnist` (IDX files, checksums, download), :func:`batches`.
* :mod:`nn.text` — Tiny Shakespeare (:func:`load_shakespeare`), :class:`CharTokenizer`,
  :func:`get_batch`, the unigram and bigram baselines.
* :mod:`nn.gpt` — a small GPT from Tensor ops: :class:`Embedding`, :class:`LayerNorm`,
  :class:`CausalSelfAttention`, :class:`Block`, :class:`GPT`, :func:`generate`, checkpoints.
* :mod:`nn.train` — :func:`fit` (the training loop; :class:`History`), :func:`evaluate`.
* :mod:`nn.pictures.explorer` — :func:`write_explorer`: one HTML page to draw a digit and
  watch the model think (forward) and learn (backward, one SGD step).
* :mod:`nn.pictures.plots` — pictures of a run (matplotlib, imported on use).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

# First (it sorts first too): on import, nn.clash checks that `autograd` is valuegrad's.
from nn.clash import check_autograd  # noqa: F401
from nn.data import ChecksumError, DataError, batches, iterate_minibatches, load_mnist, one_hot
from nn.gpt import (
    GPT,
    Block,
    CausalSelfAttention,
    Embedding,
    GPTConfig,
    LayerNorm,
    generate,
    load_checkpoint,
    save_checkpoint,
)
from nn.layers import Identity, Linear, ReLU, Sequential, Sigmoid, Tanh, TensorMLP, TensorModule
from nn.losses import cross_entropy, mse
from nn.module import Module
from nn.optim import SGD, Adam, AdamW, Optimizer, warmup_cosine
from nn.scalar import MLP, Layer, Neuron
from nn.text import CharTokenizer, get_batch, load_shakespeare, train_val_split
from nn.train import History, evaluate, fit, predict

if TYPE_CHECKING:
    from nn.pictures.explorer import write_explorer

# The pictures (nn.pictures) are imported on first use: `nn.write_explorer`, `nn.plots`.
_LAZY = {
    "write_explorer": "nn.pictures.explorer",
    "plots": "nn.pictures",
    "explorer": "nn.pictures",
}


def __getattr__(name: str) -> Any:
    if name not in _LAZY:
        raise AttributeError(f"module 'nn' has no attribute {name!r}")
    value = getattr(importlib.import_module(_LAZY[name]), name, None)
    if value is None:  # a module of nn.pictures: `from nn import plots`
        value = importlib.import_module(f"{_LAZY[name]}.{name}")
    globals()[name] = value
    return value


__all__ = [
    "GPT",
    "MLP",
    "SGD",
    "Adam",
    "AdamW",
    "Block",
    "CausalSelfAttention",
    "CharTokenizer",
    "ChecksumError",
    "DataError",
    "Embedding",
    "GPTConfig",
    "History",
    "Identity",
    "Layer",
    "LayerNorm",
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
    "generate",
    "get_batch",
    "iterate_minibatches",
    "load_checkpoint",
    "load_mnist",
    "load_shakespeare",
    "mse",
    "one_hot",
    "predict",
    "save_checkpoint",
    "train_val_split",
    "warmup_cosine",
    "write_explorer",
]
