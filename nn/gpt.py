"""A small GPT made of :class:`~autograd.Tensor` ops: embeddings, attention, blocks, sampling.

Every piece is a :class:`~nn.layers.TensorModule` built from the engine's ops (``@``,
broadcasting, ``mean``, ``softmax``, ``reshape``, ``transpose``, indexing), so its
gradient is the engine's ``backward()``, checked against finite differences in
``tests/test_gpt.py``. Shapes: ``B`` sequences of ``T`` tokens, ``C = d_model``
features, ``H`` heads of ``d_head = C / H``, a vocabulary of ``V`` tokens.

* :class:`Embedding` — a learned vector per integer index: ``weight[idx]``;
* :class:`LayerNorm` — each row normalised to mean 0, variance 1, then scaled and shifted;
* :class:`CausalSelfAttention` — ``H`` heads, each ``softmax(Q K^T / sqrt(d_head) + M) V``;
* :class:`MLP` — ``C -> 4C -> C`` with ReLU (or GELU);
* :class:`Block` — pre-norm residual: ``x + attn(ln1(x))``, then ``x + mlp(ln2(x))``;
* :class:`GPT` — token and position embeddings, blocks, a final LayerNorm, the
  language-model head: logits ``(B, T, V)`` for the next token at every position;
* :func:`generate` — text from a prompt, one sampled token at a time (temperature, top-k,
  seeded); :func:`mean_nll` — the loss over a whole token sequence;
  :func:`save_checkpoint` / :func:`load_checkpoint` — weights, configuration and vocabulary.
"""

from __future__ import annotations

import math
import os
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from autograd import Tensor, no_grad
from autograd.fused import cross_entropy, linear
from nn.checks import positive_int
from nn.layers import Linear, Seed, TensorModule, as_rng
from nn.serialize import load_state, save_state
from nn.text import CharTokenizer

__all__ = [
    "GPT",
    "MLP",
    "Block",
    "CausalSelfAttention",
    "Embedding",
    "GPTConfig",
    "LayerNorm",
    "gelu",
    "generate",
    "load_checkpoint",
    "mean_nll",
    "save_checkpoint",
]

#: The additive mask of the positions a token may not attend to (ahead of it): large and
#: negative, so ``softmax`` gives them weight exactly 0, yet finite (``-inf`` would make
#: ``0 * inf = nan`` in the arithmetic).
MASK_VALUE = -1e9
#: GPT-2's initialisation: weights ~ N(0, 0.02^2); residual projections scaled down.
INIT_STD = 0.02
ACTIVATIONS = ("relu", "gelu")


def _param(data: npt.NDArray[Any], dtype: Any, label: str) -> Tensor:
    return Tensor(data, requires_grad=True, dtype=dtype, label=label)


def _prefixed(prefix: str, module: TensorModule) -> list[tuple[str, Any]]:
    return [(f"{prefix}.{name}", p) for name, p in module.named_parameters()]


def _normal_linear(nin: int, nout: int, std: float, rng: np.random.Generator, dtype: Any) -> Linear:
    """A :class:`Linear` with weights ~ N(0, std^2) and zero biases."""
    layer = Linear(nin, nout, init="zeros", seed=rng, dtype=dtype)
    layer.weight.data[...] = rng.normal(0.0, std, (nout, nin))
    return layer


def gelu(x: Tensor) -> Tensor:
    """GELU, tanh form: ``0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))`` elementwise."""
    inner = (x + x**3 * 0.044715) * math.sqrt(2.0 / math.pi)
    return x * 0.5 * (inner.tanh() + 1.0)


class Embedding(TensorModule):
    """A table of ``num_embeddings`` learned vectors of size ``embedding_dim``.

    ``forward(idx)`` for integer indices of any shape ``S`` is ``weight[idx]``, shape
    ``(*S, embedding_dim)``; its gradient adds each row's gradient into the rows it
    was looked up from (repeated indices accumulate). ``weight`` ~ N(0, 0.02^2).

    Raises (forward):
        TypeError: indices that are not integers.
        IndexError: an index outside ``0..num_embeddings - 1``.
    """

    def __init__(
        self, num_embeddings: int, embedding_dim: int, seed: Seed = None, dtype: Any = np.float32
    ) -> None:
        self.num_embeddings = positive_int(num_embeddings, "Embedding: num_embeddings")
        self.embedding_dim = positive_int(embedding_dim, "Embedding: embedding_dim")
        rng = as_rng(seed)
        w = rng.normal(0.0, INIT_STD, (self.num_embeddings, self.embedding_dim))
        self.weight = _param(w, dtype, "embedding")

    def named_parameters(self) -> list[tuple[str, Any]]:
        """``[("weight", W)]``, ``W`` of shape ``(num_embeddings, embedding_dim)``."""
        return [("weight", self.weight)]

    def forward(self, idx: Any) -> Tensor:
        """``weight[idx]``: one row per index (see the class docstring)."""
        a: np.ndarray = np.asanyarray(idx)
        if a.dtype.kind not in "iu":
            raise TypeError(f"Embedding: indices must be integers, got dtype {a.dtype}")
        if a.size and (a.min() < 0 or a.max() >= self.num_embeddings):
            bad = a[(a < 0) | (a >= self.num_embeddings)].reshape(-1)[0]
            raise IndexError(
                f"Embedding: index {bad} is outside 0..{self.num_embeddings - 1} "
                f"(a table of {self.num_embeddings} vectors)"
            )
        return self.weight[a]

    def __repr__(self) -> str:
        return f"Embedding({self.num_embeddings}, {self.embedding_dim})"


class LayerNorm(TensorModule):
    r"""Each vector (the last axis, size ``normalized_shape``) to mean 0 and variance 1,
    then scaled and shifted by learned ``weight`` (gain, starts at 1) and ``bias`` (0):

    .. math::

        y = \frac{x - \mu}{\sqrt{\sigma^2 + \epsilon}} \, \gamma + \beta, \qquad
        \mu = \operatorname{mean}(x), \quad \sigma^2 = \operatorname{mean}((x - \mu)^2)

    (the biased variance, as PyTorch's ``LayerNorm``). Input ``(..., C)``, output the same.

    Raises (forward):
        ValueError: the last axis is not ``normalized_shape``.
    """

    def __init__(self, normalized_shape: int, eps: float = 1e-5, dtype: Any = np.float32) -> None:
        self.normalized_shape = positive_int(normalized_shape, "LayerNorm: normalized_shape")
        if not (isinstance(eps, (int, float)) and 0.0 < eps < math.inf):
            raise ValueError(f"LayerNorm: eps must be a finite number > 0, got {eps!r}")
        self.eps = float(eps)
        self.weight = _param(np.ones(self.normalized_shape), dtype, "gain")
        self.bias = _param(np.zeros(self.normalized_shape), dtype, "bias")

    def named_parameters(self) -> list[tuple[str, Any]]:
        """``[("weight", gamma), ("bias", beta)]``, each of shape ``(normalized_shape,)``."""
        return [("weight", self.weight), ("bias", self.bias)]

    def forward(self, x: Tensor) -> Tensor:
        """The normalised ``x`` (see the class docstring)."""
        if not x.shape or x.shape[-1] != self.normalized_shape:
            raise ValueError(
                f"LayerNorm({self.normalized_shape}): expected input with "
                f"{self.normalized_shape} features (last dim), got shape {tuple(x.shape)}"
            )
        centred = x - x.mean(axis=-1, keepdims=True)
        variance = (centred * centred).mean(axis=-1, keepdims=True)
        return centred / (variance + self.eps).sqrt() * self.weight + self.bias

    def __repr__(self) -> str:
        return f"LayerNorm({self.normalized_shape}, eps={self.eps:g})"


class CausalSelfAttention(TensorModule):
    r"""Multi-head causal self-attention: each position mixes the values of itself and
    the positions before it, with weights from how well its query matches their keys.

    For ``x`` of shape ``(B, T, C)``: one fused linear layer gives queries, keys and
    values, ``[Q K V] = x W_{qkv}^T + b`` (``W_qkv``: ``(3C, C)``); each is cut into ``H``
    heads of ``d = C / H`` features (reshape to ``(B, T, H, d)``, transpose to
    ``(B, H, T, d)``); per head

    .. math::

        A = \operatorname{softmax}\!\left(\frac{Q K^\top}{\sqrt{d}} + M\right), \qquad
        Y = A V, \qquad M_{ts} = \begin{cases} 0 & s \le t \\ -10^9 & s > t \end{cases}

    (``A``: ``(B, H, T, T)``, each row positive and summing to 1, zero above the
    diagonal: no position sees the future). The heads are put side by side again
    (``(B, T, C)``) and mixed by the output projection ``W_proj`` (``(C, C)``).
    After a forward pass ``last_attention`` holds ``A`` as an array (for pictures).

    Raises:
        ValueError: ``d_model`` not divisible by ``n_head``; (forward) an input that is not
            ``(B, T, d_model)`` or longer than ``block_size``.
    """

    def __init__(
        self,
        d_model: int,
        n_head: int,
        block_size: int,
        seed: Seed = None,
        dtype: Any = np.float32,
        proj_std: float = INIT_STD,
    ) -> None:
        self.d_model = positive_int(d_model, "CausalSelfAttention: d_model")
        self.n_head = positive_int(n_head, "CausalSelfAttention: n_head")
        self.block_size = positive_int(block_size, "CausalSelfAttention: block_size")
        if d_model % n_head:
            raise ValueError(
                f"CausalSelfAttention: d_model={d_model} is not divisible by n_head={n_head}"
            )
        rng = as_rng(seed)
        self.qkv = _normal_linear(d_model, 3 * d_model, INIT_STD, rng, dtype)
        self.proj = _normal_linear(d_model, d_model, proj_std, rng, dtype)
        future = np.triu(np.ones((block_size, block_size), dtype=bool), k=1)
        self.mask = np.where(future, MASK_VALUE, 0.0).astype(dtype)
        self.last_attention: npt.NDArray[Any] | None = None

    def named_parameters(self) -> list[tuple[str, Any]]:
        """``qkv.weight (3C, C), qkv.bias (3C,), proj.weight (C, C), proj.bias (C,)``."""
        return _prefixed("qkv", self.qkv) + _prefixed("proj", self.proj)

    def forward(self, x: Tensor) -> Tensor:
        """``(B, T, C) -> (B, T, C)`` (see the class docstring)."""
        if x.ndim != 3 or x.shape[2] != self.d_model:
            raise ValueError(
                f"CausalSelfAttention: expected input of shape (B, T, {self.d_model}), "
                f"got {tuple(x.shape)}"
            )
        b, t, c = x.shape
        if t > self.block_size:
            raise ValueError(
                f"CausalSelfAttention: {t} positions, more than block_size={self.block_size}"
            )
        h, d = self.n_head, c // self.n_head
        qkv = linear(x, self.qkv.weight, self.qkv.bias).reshape(b, t, 3, h, d)
        qkv = qkv.transpose(2, 0, 3, 1, 4)  # (3, B, H, T, d)
        q, k, v = qkv[0], qkv[1], qkv[2]
        scores = (q * (1.0 / math.sqrt(d))) @ k.transpose(0, 1, 3, 2)  # (B, H, T, T)
        weights = (scores + self.mask[:t, :t]).softmax(axis=-1)
        self.last_attention = weights.data
        y = (weights @ v).transpose(0, 2, 1, 3).reshape(b, t, c)  # heads side by side
        return linear(y, self.proj.weight, self.proj.bias)

    def __repr__(self) -> str:
        return f"CausalSelfAttention(d_model={self.d_model}, n_head={self.n_head})"


class MLP(TensorModule):
    """``proj(act(fc(x)))``: ``C -> 4C -> C``, applied to each position on its own.

    ``activation="relu"`` runs ``fc`` and the ReLU as one fused node
    (:func:`autograd.fused.linear`); ``"gelu"`` is :func:`gelu` (tanh form) from ops.
    """

    def __init__(
        self,
        d_model: int,
        activation: str = "relu",
        seed: Seed = None,
        dtype: Any = np.float32,
        proj_std: float = INIT_STD,
    ) -> None:
        if activation not in ACTIVATIONS:
            raise ValueError(f"MLP: activation must be one of {ACTIVATIONS}, got {activation!r}")
        self.activation = activation
        rng = as_rng(seed)
        self.fc = _normal_linear(d_model, 4 * d_model, INIT_STD, rng, dtype)
        self.proj = _normal_linear(4 * d_model, d_model, proj_std, rng, dtype)

    def named_parameters(self) -> list[tuple[str, Any]]:
        """``fc.weight (4C, C), fc.bias (4C,), proj.weight (C, 4C), proj.bias (C,)``."""
        return _prefixed("fc", self.fc) + _prefixed("proj", self.proj)

    def forward(self, x: Tensor) -> Tensor:
        """``(..., C) -> (..., C)``."""
        if self.activation == "relu":
            hidden = linear(x, self.fc.weight, self.fc.bias, "relu")
        else:
            hidden = gelu(self.fc(x))
        return self.proj(hidden)


class Block(TensorModule):
    """One transformer block, pre-norm: ``x = x + attn(ln1(x))``; ``x = x + mlp(ln2(x))``.

    The residual additions let each block add a correction to its input (and let the
    gradient reach the early blocks unchanged). Input and output ``(B, T, C)``.
    """

    def __init__(
        self,
        d_model: int,
        n_head: int,
        block_size: int,
        activation: str = "relu",
        seed: Seed = None,
        dtype: Any = np.float32,
        proj_std: float = INIT_STD,
    ) -> None:
        rng = as_rng(seed)
        self.ln1 = LayerNorm(d_model, dtype=dtype)
        self.attn = CausalSelfAttention(d_model, n_head, block_size, rng, dtype, proj_std)
        self.ln2 = LayerNorm(d_model, dtype=dtype)
        self.mlp = MLP(d_model, activation, rng, dtype, proj_std)

    def named_parameters(self) -> list[tuple[str, Any]]:
        """``ln1.*, attn.*, ln2.*, mlp.*`` (each module's own names after its prefix)."""
        return [
            item
            for name in ("ln1", "attn", "ln2", "mlp")
            for item in _prefixed(name, getattr(self, name))
        ]

    def forward(self, x: Tensor) -> Tensor:
        """``(B, T, C) -> (B, T, C)``."""
        x = x + self.attn(self.ln1(x))
        return x + self.mlp(self.ln2(x))


@dataclass(frozen=True)
class GPTConfig:
    """The sizes of a :class:`GPT` (what a checkpoint must record to rebuild it)."""

    vocab_size: int
    block_size: int
    n_layer: int = 2
    n_head: int = 4
    d_model: int = 64
    activation: str = "relu"


class GPT(TensorModule):
    """A decoder-only transformer: logits for the next token at every position.

    For token ids ``idx`` of shape ``(B, T)`` (``T <= block_size``)::

        x = token_embedding(idx) + position_embedding.weight[:T]      (B, T, C)
        x = blocks[n_layer - 1](... blocks[0](x))                     (B, T, C)
        logits = lm_head(ln_f(x))                                     (B, T, V)

    ``logits[b, t]`` scores every token as the one after ``idx[b, :t + 1]`` (softmax:
    probabilities). :meth:`loss` is the mean cross-entropy with the targets, in nats.

    **Weights are not tied**: ``lm_head`` has its own ``(V, C)`` weight (and a bias)
    rather than reusing the token embedding. With characters ``V`` is tiny (65), so
    tying would save under 1 % of the parameters, and untied weights keep one parameter
    per role (one state-dict key each, one gradient path each, easier to explain).

    Initialisation (GPT-2's): weights ~ N(0, 0.02^2), the two projections that write
    into the residual stream (``attn.proj``, ``mlp.proj``) ~ N(0, (0.02 / sqrt(2 n_layer))^2),
    biases 0, LayerNorm gains 1.

    Raises:
        ValueError: sizes that are not positive ints, ``d_model`` not divisible by
            ``n_head``, an unknown activation; (forward) see :meth:`forward`.
    """

    def __init__(self, config: GPTConfig, seed: Seed = None, dtype: Any = np.float32) -> None:
        if not isinstance(config, GPTConfig):
            raise TypeError(f"GPT: config must be a GPTConfig, got {type(config).__name__}")
        c = config
        for name in ("vocab_size", "block_size", "n_layer", "n_head", "d_model"):
            positive_int(getattr(c, name), f"GPT: {name}")
        if c.activation not in ACTIVATIONS:
            raise ValueError(f"GPT: activation must be one of {ACTIVATIONS}, got {c.activation!r}")
        self.config = c
        rng = as_rng(seed)
        proj_std = INIT_STD / math.sqrt(2 * c.n_layer)
        self.token_embedding = Embedding(c.vocab_size, c.d_model, rng, dtype)
        self.position_embedding = Embedding(c.block_size, c.d_model, rng, dtype)
        self.blocks = [
            Block(c.d_model, c.n_head, c.block_size, c.activation, rng, dtype, proj_std)
            for _ in range(c.n_layer)
        ]
        self.ln_f = LayerNorm(c.d_model, dtype=dtype)
        self.lm_head = _normal_linear(c.d_model, c.vocab_size, INIT_STD, rng, dtype)

    def named_parameters(self) -> list[tuple[str, Any]]:
        """``token_embedding.weight, position_embedding.weight, blocks.{i}.*, ln_f.*,
        lm_head.*``, input to output."""
        out = _prefixed("token_embedding", self.token_embedding)
        out += _prefixed("position_embedding", self.position_embedding)
        for i, block in enumerate(self.blocks):
            out += _prefixed(f"blocks.{i}", block)
        return out + _prefixed("ln_f", self.ln_f) + _prefixed("lm_head", self.lm_head)

    def no_decay_parameters(self) -> list[Tensor]:
        """The parameters weight decay should leave alone: biases, LayerNorm gains and
        biases (every 1-D parameter). Decay pulls weights toward 0; a gain of 0 or a
        forced bias is not "simpler", so only matrices and embeddings are decayed."""
        return [p for p in self.parameters() if p.data.ndim < 2]

    def forward(self, idx: Any) -> Tensor:
        """Logits ``(B, T, V)`` for integer token ids ``idx`` of shape ``(B, T)``.

        Raises:
            TypeError: ids that are not integers.
            ValueError: not 2-D (one sequence: ``idx[None]``), empty, longer than
                ``block_size`` (the model has no position embedding beyond it), or an id
                outside ``0..vocab_size - 1``.
        """
        a = self._check_ids(idx)
        t = a.shape[1]
        x = self.token_embedding(a) + self.position_embedding.weight[:t]
        for block in self.blocks:
            x = block(x)
        return self.lm_head(self.ln_f(x))

    def _check_ids(self, idx: Any) -> npt.NDArray[Any]:
        a: np.ndarray = np.asanyarray(idx)
        if a.dtype.kind not in "iu":
            raise TypeError(f"GPT: token ids must be integers, got dtype {a.dtype}")
        if a.ndim != 2 or a.shape[1] == 0:
            raise ValueError(
                f"GPT: token ids must have shape (B, T) with T >= 1, got {a.shape} "
                "(one sequence: idx[None])"
            )
        if a.shape[1] > self.config.block_size:
            raise ValueError(
                f"GPT: {a.shape[1]} tokens in a sequence, more than the block_size="
                f"{self.config.block_size} the model was built (and trained) for"
            )
        v = self.config.vocab_size
        if a.min() < 0 or a.max() >= v:
            bad = a[(a < 0) | (a >= v)].reshape(-1)[0]
            raise ValueError(f"GPT: token id {bad} is outside the vocabulary 0..{v - 1}")
        return a

    def loss(self, idx: Any, targets: Any) -> Tensor:
        """Mean cross-entropy (nats per token) of ``targets`` ``(B, T)`` given ``idx`` ``(B, T)``.

        Raises:
            ValueError: ``targets`` not of ``idx``'s shape (and what :meth:`forward` raises).
        """
        y: np.ndarray = np.asanyarray(targets)
        logits = self(idx)
        if y.shape != logits.shape[:2]:
            raise ValueError(f"GPT.loss: targets of shape {y.shape}, expected {logits.shape[:2]}")
        return cross_entropy(logits.reshape(-1, self.config.vocab_size), y.reshape(-1))

    def __repr__(self) -> str:
        c = self.config
        return (
            f"GPT(vocab_size={c.vocab_size}, block_size={c.block_size}, n_layer={c.n_layer}, "
            f"n_head={c.n_head}, d_model={c.d_model}, activation={c.activation!r}; "
            f"{self.num_parameters():,} parameters)"
        )


def mean_nll(model: GPT, ids: npt.NDArray[Any], batch_size: int = 64) -> float:
    """The mean loss, nats per token, of every token of ``ids`` after the first.

    Windows of ``block_size`` tokens overlap by half: the first window scores all its
    positions, each later one only the positions not scored yet, so every token of
    ``ids[1:]`` is predicted exactly once, with at least ``block_size // 2`` tokens of
    context (or all those before it, near the start). Full windows run ``batch_size``
    at a time, without recording a graph.

    Raises:
        ValueError: fewer than 2 tokens (and what :meth:`GPT.forward` raises).
    """
    n, t = len(ids), model.config.block_size
    if n < 2:
        raise ValueError(f"mean_nll: {n} tokens; at least 2 are needed (an input and a target)")
    batch_size = positive_int(batch_size, "mean_nll: batch_size")
    windows, scored, stride = [], 0, max(t // 2, 1)  # (start, length, first position scored)
    for s in range(0, n - 1, stride):
        w = min(t, n - 1 - s)  # inputs ids[s : s + w] predict targets ids[s + 1 : s + w + 1]
        if scored - s < w:
            windows.append((s, w, scored - s))
            scored = s + w
    total = 0.0
    with no_grad():
        for i in range(0, len(windows), batch_size):
            group = windows[i : i + batch_size]
            for w in sorted({w for _, w, _ in group}):  # one forward per window length
                same = [(s, first) for s, ww, first in group if ww == w]
                x = np.stack([ids[s : s + w] for s, _ in same])
                logits = model(x).data.astype(np.float64)
                for row, (s, first) in enumerate(same):
                    total += _nll_sum(logits[row, first:], ids[s + 1 + first : s + 1 + w])
    return total / (n - 1)


def _nll_sum(logits: npt.NDArray[Any], targets: npt.NDArray[Any]) -> float:
    """``-sum_t log softmax(logits_t)[targets_t]`` (log-sum-exp, stable)."""
    shifted = logits - logits.max(axis=1, keepdims=True)
    logz = np.log(np.exp(shifted).sum(axis=1))
    return float((logz - shifted[np.arange(len(targets)), targets]).sum())


def generate(
    model: GPT,
    prompt: Sequence[int] | npt.NDArray[Any],
    max_new_tokens: int,
    *,
    temperature: float = 1.0,
    top_k: int | None = None,
    seed: int | np.random.Generator | None = 0,
) -> npt.NDArray[np.int64]:
    """``prompt`` followed by ``max_new_tokens`` sampled tokens, one at a time.

    Each new token is drawn from ``softmax(logits / temperature)`` of the last position,
    the context being the last ``block_size`` tokens; ``top_k`` keeps only the ``k``
    most likely tokens (the rest get probability 0; a tie with the ``k``-th score is
    kept). Lower temperature: safer, more repetitive text; higher: more surprising, more
    mistakes. The same ``seed`` gives the same text.

    Raises:
        ValueError: an empty prompt, ids outside the vocabulary, a temperature that is not
            a finite number > 0, ``top_k`` not in ``1..vocab_size``.
    """
    ids = np.asarray(prompt)
    if ids.size == 0:
        raise ValueError("generate: the prompt is empty; give at least one token to start from")
    if ids.ndim != 1:
        raise ValueError(f"generate: the prompt must be one sequence (1-D), got shape {ids.shape}")
    if ids.dtype.kind not in "iu":
        raise TypeError(f"generate: the prompt must be integer token ids, got dtype {ids.dtype}")
    if ids.min() < 0 or ids.max() >= model.config.vocab_size:
        bad = ids[(ids < 0) | (ids >= model.config.vocab_size)][0]
        raise ValueError(
            f"generate: token id {bad} is outside the vocabulary 0..{model.config.vocab_size - 1}"
        )
    max_new_tokens = positive_int(max_new_tokens, "generate: max_new_tokens", minimum=0)
    if isinstance(temperature, bool) or not (
        isinstance(temperature, (int, float)) and 0.0 < temperature < math.inf
    ):
        raise ValueError(f"generate: temperature must be a finite number > 0, got {temperature!r}")
    v = model.config.vocab_size
    if top_k is not None:
        top_k = positive_int(top_k, "generate: top_k")
        if top_k > v:
            raise ValueError(f"generate: top_k={top_k} is more than the vocabulary of {v}")
    rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
    out = [int(i) for i in ids]
    with no_grad():
        for _ in range(max_new_tokens):
            context = np.asarray(out[-model.config.block_size :])[None]
            logits = model(context).data[0, -1].astype(np.float64) / temperature
            if top_k is not None and top_k < v:
                cutoff = np.partition(logits, v - top_k)[v - top_k]
                logits = np.where(logits < cutoff, -np.inf, logits)
            p = np.exp(logits - logits.max())
            out.append(int(rng.choice(v, p=p / p.sum())))
    return np.asarray(out, dtype=np.int64)


# ------------------------------------------------------------------ checkpoints

_CONFIG_KEYS = ("vocab_size", "block_size", "n_layer", "n_head", "d_model")


def save_checkpoint(path: str | os.PathLike[str], model: GPT, tokenizer: CharTokenizer) -> Path:
    """Write the model's weights, its :class:`GPTConfig` and the tokenizer's vocabulary to
    one ``.npz`` (atomically): everything :func:`load_checkpoint` needs to sample.

    Raises:
        ValueError: the tokenizer's vocabulary is not the model's size.
    """
    if tokenizer.vocab_size != model.config.vocab_size:
        raise ValueError(
            f"save_checkpoint: a tokenizer of {tokenizer.vocab_size} characters for a model "
            f"of vocab_size={model.config.vocab_size}"
        )
    state = {f"model.{k}": v for k, v in model.state_dict().items()}
    cfg = asdict(model.config)
    state["meta.config"] = np.array([cfg[k] for k in _CONFIG_KEYS], dtype=np.int64)
    state["meta.activation"] = np.array(ACTIVATIONS.index(cfg["activation"]), dtype=np.int64)
    state["meta.vocab"] = np.array([ord(c) for c in tokenizer.vocab], dtype=np.int64)
    return save_state(state, path)


def load_checkpoint(path: str | os.PathLike[str]) -> tuple[GPT, CharTokenizer]:
    """The model and tokenizer saved by :func:`save_checkpoint`.

    Every array's header is checked before its numbers are read
    (:func:`nn.serialize.load_state`), then the configuration, the vocabulary and every
    weight (names, shapes, finite numbers) before anything is used.

    Raises:
        FileNotFoundError: no file at ``path``.
        ValueError: not a readable checkpoint (truncated, corrupted, not a GPT's: the
            message names the file and what is wrong).
    """
    where = f"load_checkpoint: {str(path)!r}"
    state = load_state(path)
    meta = {k: state.pop(f"meta.{k}", None) for k in ("config", "activation", "vocab")}
    if any(v is None for v in meta.values()):
        missing = [f"meta.{k}" for k, v in meta.items() if v is None]
        raise ValueError(f"{where}: not a GPT checkpoint (missing {', '.join(missing)})")
    config = _config_of(meta["config"], meta["activation"], where)
    tokenizer = _tokenizer_of(meta["vocab"], config.vocab_size, where)
    model = GPT(config, seed=0, dtype=state.get("model.lm_head.weight", np.zeros(1)).dtype)
    try:
        model.load_state_dict({k.removeprefix("model."): v for k, v in state.items()})
    except (KeyError, TypeError, ValueError) as err:
        raise ValueError(f"{where}: its weights do not fit its configuration ({err})") from None
    return model, tokenizer


def _config_of(numbers: Any, activation: Any, where: str) -> GPTConfig:
    if numbers.shape != (len(_CONFIG_KEYS),) or numbers.dtype.kind not in "iu":
        raise ValueError(f"{where}: meta.config is not {len(_CONFIG_KEYS)} integers")
    if activation.shape != () or not 0 <= int(activation) < len(ACTIVATIONS):
        raise ValueError(f"{where}: meta.activation is not one of 0..{len(ACTIVATIONS) - 1}")
    values = {k: int(n) for k, n in zip(_CONFIG_KEYS, numbers, strict=True)}
    if min(values.values()) < 1 or values["d_model"] % values["n_head"]:
        raise ValueError(f"{where}: meta.config {values} is not a valid GPT configuration")
    return GPTConfig(**values, activation=ACTIVATIONS[int(activation)])


def _tokenizer_of(codes: Any, vocab_size: int, where: str) -> CharTokenizer:
    if codes.shape != (vocab_size,) or codes.dtype.kind not in "iu":
        raise ValueError(f"{where}: meta.vocab is not {vocab_size} character codes")
    if codes.min() < 0 or codes.max() > 0x10FFFF:
        raise ValueError(f"{where}: meta.vocab holds a code outside Unicode")
    try:
        return CharTokenizer("".join(chr(int(c)) for c in codes))
    except ValueError as err:
        raise ValueError(f"{where}: meta.vocab is not a vocabulary ({err})") from None
