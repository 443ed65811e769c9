"""The GPT's pieces (nn.gpt): gradients against finite differences, forwards against an
independent NumPy forward, the causal mask, sampling, checkpoints and AdamW.

Gradients are checked with ``autograd.gradcheck`` (central differences) on tiny float64
models; the forwards are compared with NumPy code written here from the formulas (loops
over heads, ``np.tril`` masks), never with the engine itself.
"""

from __future__ import annotations

import itertools
import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import nn
from autograd import Tensor, gradcheck, no_grad
from autograd.checking.strategies import arrays
from nn.gpt import (
    GPT,
    MLP,
    Block,
    CausalSelfAttention,
    Embedding,
    GPTConfig,
    LayerNorm,
    gelu,
    generate,
    load_checkpoint,
    mean_nll,
    save_checkpoint,
)
from nn.text import CharTokenizer

F64 = np.float64


def weighted_sum(out: Tensor, seed: int = 1) -> Tensor:
    """A scalar that depends on every output entry differently (a random projection)."""
    r = np.random.default_rng(seed).normal(size=out.shape)
    return (out * Tensor(r)).sum()


def tiny_gpt(activation: str = "relu", seed: int = 0) -> GPT:
    return GPT(GPTConfig(7, 5, n_layer=2, n_head=2, d_model=8, activation=activation), seed, F64)


def perturbed(module: Any, seed: int = 3) -> Any:
    """Every parameter moved off its initial value (LayerNorm gains off 1, biases off 0),
    so a gradient that only works at the initialisation is caught."""
    rng = np.random.default_rng(seed)
    for p in module.parameters():
        p.data += rng.normal(0.0, 0.3, p.data.shape)
    return module


# ------------------------------------------------------------ NumPy forwards


def np_layernorm(x: np.ndarray, g: np.ndarray, b: np.ndarray, eps: float = 1e-5) -> np.ndarray:
    mu = x.mean(axis=-1, keepdims=True)
    var = x.var(axis=-1, keepdims=True)
    return (x - mu) / np.sqrt(var + eps) * g + b


def np_attention(x: np.ndarray, w: dict[str, np.ndarray], n_head: int) -> np.ndarray:
    """Head by head, with a boolean causal mask and an explicit softmax."""
    _, t, c = x.shape
    d = c // n_head
    qkv = x @ w["qkv.weight"].T + w["qkv.bias"]
    q, k, v = qkv[..., :c], qkv[..., c : 2 * c], qkv[..., 2 * c :]
    allowed = np.tril(np.ones((t, t), dtype=bool))
    heads = []
    for h in range(n_head):
        cols = slice(h * d, (h + 1) * d)
        scores = q[..., cols] @ np.swapaxes(k[..., cols], 1, 2) / math.sqrt(d)
        scores = np.where(allowed, scores, -np.inf)
        e = np.exp(scores - scores.max(axis=-1, keepdims=True))
        heads.append((e / e.sum(axis=-1, keepdims=True)) @ v[..., cols])
    return np.concatenate(heads, axis=-1) @ w["proj.weight"].T + w["proj.bias"]


def np_gelu(x: np.ndarray) -> np.ndarray:
    return 0.5 * x * (1 + np.tanh(np.sqrt(2 / np.pi) * (x + 0.044715 * x**3)))


def np_block(x: np.ndarray, w: dict[str, np.ndarray], n_head: int, act: str) -> np.ndarray:
    sub = {k.split(".", 1)[1]: v for k, v in w.items() if k.startswith("attn.")}
    x = x + np_attention(np_layernorm(x, w["ln1.weight"], w["ln1.bias"]), sub, n_head)
    hidden = np_layernorm(x, w["ln2.weight"], w["ln2.bias"]) @ w["mlp.fc.weight"].T
    hidden = hidden + w["mlp.fc.bias"]
    hidden = np.maximum(hidden, 0) if act == "relu" else np_gelu(hidden)
    return x + hidden @ w["mlp.proj.weight"].T + w["mlp.proj.bias"]


def np_gpt(idx: np.ndarray, w: dict[str, np.ndarray], config: GPTConfig) -> np.ndarray:
    t = idx.shape[1]
    x = w["token_embedding.weight"][idx] + w["position_embedding.weight"][np.arange(t)]
    for i in range(config.n_layer):
        prefix = f"blocks.{i}."
        sub = {k[len(prefix) :]: v for k, v in w.items() if k.startswith(prefix)}
        x = np_block(x, sub, config.n_head, config.activation)
    x = np_layernorm(x, w["ln_f.weight"], w["ln_f.bias"])
    return x @ w["lm_head.weight"].T + w["lm_head.bias"]


# ----------------------------------------------------------------- gradients


def test_embedding_gradcheck_with_repeated_indices() -> None:
    emb = Embedding(5, 3, seed=0, dtype=F64)
    idx = np.array([[0, 2, 2], [4, 0, 0]])  # repeats: their gradients must add up
    assert gradcheck(lambda w: weighted_sum(emb(idx)), [emb.weight])


@given(arrays((2, 3, 4), min_value=-3, max_value=3))
@settings(max_examples=25)
def test_layernorm_gradcheck(x: np.ndarray) -> None:
    ln = perturbed(LayerNorm(4, dtype=F64))
    xt = Tensor(x, requires_grad=True)
    # Nearly constant rows make the variance tiny and the check ill-conditioned.
    if np.ptp(x, axis=-1).min() < 0.5:
        return
    assert gradcheck(lambda x, g, b: weighted_sum(ln(x)), [xt, ln.weight, ln.bias])


@given(arrays((3, 6), min_value=-4, max_value=4))
@settings(max_examples=25)
def test_layernorm_normalises_each_row(x: np.ndarray) -> None:
    if np.ptp(x, axis=-1).min() < 0.1:
        return
    out = LayerNorm(6, eps=1e-12, dtype=F64)(Tensor(x)).data
    np.testing.assert_allclose(out.mean(axis=-1), 0.0, atol=1e-9)
    np.testing.assert_allclose(out.var(axis=-1), 1.0, rtol=1e-6)


def test_gelu_gradcheck_and_values() -> None:
    x = Tensor(np.linspace(-4, 4, 11), requires_grad=True)
    assert gradcheck(lambda x: weighted_sum(gelu(x)), [x])
    np.testing.assert_allclose(gelu(x).data, np_gelu(x.data), rtol=1e-12)


def test_attention_gradcheck() -> None:
    attn = perturbed(CausalSelfAttention(8, 2, block_size=4, seed=0, dtype=F64))
    x = Tensor(np.random.default_rng(0).normal(size=(2, 4, 8)), requires_grad=True)
    assert gradcheck(lambda x, *p: weighted_sum(attn(x)), [x, *attn.parameters()])


@pytest.mark.parametrize("activation", ["relu", "gelu"])
def test_mlp_gradcheck(activation: str) -> None:
    mlp = perturbed(MLP(4, activation, seed=0, dtype=F64))
    x = Tensor(np.random.default_rng(1).normal(size=(2, 3, 4)), requires_grad=True)
    assert gradcheck(lambda x, *p: weighted_sum(mlp(x)), [x, *mlp.parameters()])


def test_block_gradcheck() -> None:
    block = perturbed(Block(8, 2, block_size=3, activation="gelu", seed=0, dtype=F64))
    x = Tensor(np.random.default_rng(2).normal(size=(2, 3, 8)), requires_grad=True)
    assert gradcheck(lambda x, *p: weighted_sum(block(x)), [x, *block.parameters()])


def test_gpt_loss_gradcheck() -> None:
    """The whole model, two blocks (smaller than tiny_gpt: one forward per nudged entry)."""
    model = perturbed(
        GPT(GPTConfig(5, 3, n_layer=2, n_head=2, d_model=4, activation="gelu"), 0, F64)
    )
    rng = np.random.default_rng(4)
    idx, targets = rng.integers(0, 5, (2, 3)), rng.integers(0, 5, (2, 3))
    assert gradcheck(lambda *p: model.loss(idx, targets), model.parameters())


# ------------------------------------------------- forwards against NumPy


@pytest.mark.parametrize("activation", ["relu", "gelu"])
def test_block_forward_matches_numpy(activation: str) -> None:
    block = perturbed(Block(12, 3, block_size=6, activation=activation, seed=5, dtype=F64))
    x = np.random.default_rng(6).normal(size=(3, 6, 12))
    expected = np_block(x, block.state_dict(), 3, activation)
    np.testing.assert_allclose(block(Tensor(x)).data, expected, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("activation", ["relu", "gelu"])
def test_gpt_forward_matches_numpy(activation: str) -> None:
    model = perturbed(tiny_gpt(activation, seed=7))
    idx = np.random.default_rng(8).integers(0, 7, (3, 5))
    expected = np_gpt(idx, model.state_dict(), model.config)
    np.testing.assert_allclose(model(idx).data, expected, rtol=1e-10, atol=1e-12)
    # A shorter sequence uses the first position embeddings only.
    np.testing.assert_allclose(
        model(idx[:, :2]).data, np_gpt(idx[:, :2], model.state_dict(), model.config), rtol=1e-10
    )


def test_the_future_does_not_change_the_past() -> None:
    """Causality: changing token t changes no logits before t (and does change some at t)."""
    model = perturbed(tiny_gpt())
    idx = np.array([[1, 2, 3, 4, 5]])
    base = model(idx).data
    for t in range(5):
        changed = idx.copy()
        changed[0, t] = (changed[0, t] + 1) % 7
        out = model(changed).data
        np.testing.assert_array_equal(out[0, :t], base[0, :t])
        assert not np.allclose(out[0, t], base[0, t])


def test_attention_rows_sum_to_one_and_ignore_the_future() -> None:
    attn = CausalSelfAttention(8, 4, block_size=6, seed=0, dtype=F64)
    attn(Tensor(np.random.default_rng(0).normal(size=(2, 6, 8))))
    a = attn.last_attention
    assert a is not None and a.shape == (2, 4, 6, 6)
    np.testing.assert_allclose(a.sum(axis=-1), 1.0, rtol=1e-12)
    assert np.all(np.triu(a, k=1) == 0.0)


def test_float32_model_stays_float32() -> None:
    model = GPT(GPTConfig(7, 4, 1, 2, 8), seed=0)
    x = np.zeros((1, 4), dtype=np.int64)
    logits = model(x)
    assert logits.dtype == np.float32
    loss = model.loss(x, x)
    loss.backward()
    assert all(p.grad.dtype == np.float32 for p in model.parameters())


# ------------------------------------------------------------- refusals


def test_bad_inputs_are_named() -> None:
    model = tiny_gpt()
    with pytest.raises(ValueError, match="more than the block_size=5"):
        model(np.zeros((1, 6), dtype=np.int64))
    with pytest.raises(ValueError, match=r"token id 7 is outside the vocabulary 0\.\.6"):
        model(np.array([[1, 7]]))
    with pytest.raises(ValueError, match=r"shape \(B, T\).*idx\[None\]"):
        model(np.array([1, 2]))
    with pytest.raises(TypeError, match="integers"):
        model(np.array([[1.0, 2.0]]))
    with pytest.raises(ValueError, match="targets of shape"):
        model.loss(np.array([[1, 2]]), np.array([[1, 2, 3]]))
    with pytest.raises(ValueError, match="not divisible by n_head=3"):
        GPT(GPTConfig(7, 5, 1, 3, 8))
    with pytest.raises(ValueError, match="activation"):
        GPT(GPTConfig(7, 5, 1, 2, 8, activation="swish"))
    with pytest.raises(TypeError, match="GPTConfig"):
        GPT({"vocab_size": 7})  # type: ignore[arg-type]
    with pytest.raises(IndexError, match=r"index 5 is outside 0\.\.4"):
        Embedding(5, 2)(np.array([5]))


# --------------------------------------------------------------- sampling


def test_generate_is_seeded_and_respects_top_k() -> None:
    model = perturbed(tiny_gpt())
    a = generate(model, [1, 2], 12, seed=3)
    assert a.shape == (14,) and list(a[:2]) == [1, 2]
    np.testing.assert_array_equal(a, generate(model, [1, 2], 12, seed=3))
    assert not np.array_equal(a, generate(model, [1, 2], 12, seed=4))
    # top_k=1 is greedy: always the most likely next token (longer than block_size too).
    greedy = generate(model, [1], 8, top_k=1, seed=0)
    for t in range(1, len(greedy)):
        context = greedy[max(0, t - 5) : t]
        with no_grad():
            assert greedy[t] == model(context[None]).data[0, -1].argmax()


def test_low_temperature_concentrates_on_the_likeliest_token() -> None:
    model = perturbed(tiny_gpt())
    with no_grad():
        best = int(model(np.array([[3]])).data[0, -1].argmax())
    draws = [generate(model, [3], 1, temperature=1e-3, seed=s)[-1] for s in range(20)]
    assert draws == [best] * 20


def test_generate_refuses_bad_arguments() -> None:
    model = tiny_gpt()
    with pytest.raises(ValueError, match="prompt is empty"):
        generate(model, [], 5)
    with pytest.raises(ValueError, match="token id 9 is outside"):
        generate(model, [1, 9], 5)
    with pytest.raises(ValueError, match="temperature"):
        generate(model, [1], 5, temperature=0.0)
    with pytest.raises(ValueError, match="temperature"):
        generate(model, [1], 5, temperature=math.nan)
    with pytest.raises(ValueError, match="top_k=8 is more than the vocabulary of 7"):
        generate(model, [1], 5, top_k=8)


# --------------------------------------------------------------- mean_nll


@given(st.integers(2, 40), st.integers(1, 4))
@settings(max_examples=30)
def test_mean_nll_scores_every_token_once(n: int, batch_size: int) -> None:
    """Against a brute force: each token predicted from (up to block_size) tokens before it,
    as many as the half-overlapping windows give (at least block_size // 2)."""
    model = perturbed(tiny_gpt())
    ids = np.random.default_rng(n).integers(0, 7, n)
    t, stride = 5, 2
    total = 0.0
    for j in range(1, n):  # target ids[j]; its window starts at the last s <= j - 1 scoring it
        s = 0 if j <= t else ((j - 1 - t) // stride + 1) * stride
        s = min(s, j - 1)
        with no_grad():
            logits = model(ids[None, s:j]).data[0, -1]
        total -= logits[ids[j]] - np.log(np.exp(logits - logits.max()).sum()) - logits.max()
    assert mean_nll(model, ids, batch_size) == pytest.approx(total / (n - 1), rel=1e-10)


# ------------------------------------------------------------- checkpoints


def test_checkpoint_round_trip(tmp_path: Path) -> None:
    model = perturbed(tiny_gpt("gelu"))
    tok = CharTokenizer("abcdefg")
    save_checkpoint(tmp_path / "m.npz", model, tok)
    loaded, tok2 = load_checkpoint(tmp_path / "m.npz")
    assert loaded.config == model.config and tok2.vocab == tok.vocab
    idx = np.array([[0, 3, 6]])
    np.testing.assert_array_equal(loaded(idx).data, model(idx).data)


def test_truncated_or_foreign_checkpoint_is_refused(tmp_path: Path) -> None:
    model, tok = tiny_gpt(), CharTokenizer("abcdefg")
    good = save_checkpoint(tmp_path / "m.npz", model, tok)
    blob = good.read_bytes()
    (tmp_path / "cut.npz").write_bytes(blob[: len(blob) // 2])
    with pytest.raises(ValueError, match=r"cut\.npz.*not a readable \.npz"):
        load_checkpoint(tmp_path / "cut.npz")
    nn.TensorMLP(2, [3]).save(tmp_path / "mlp.npz")
    with pytest.raises(ValueError, match="not a GPT checkpoint"):
        load_checkpoint(tmp_path / "mlp.npz")
    with pytest.raises(FileNotFoundError):
        load_checkpoint(tmp_path / "none.npz")
    with pytest.raises(ValueError, match="tokenizer of 3 characters"):
        save_checkpoint(tmp_path / "x.npz", model, CharTokenizer("abc"))


def test_checkpoint_with_wrong_shapes_is_refused(tmp_path: Path) -> None:
    from nn.serialize import load_state, save_state

    model, tok = tiny_gpt(), CharTokenizer("abcdefg")
    path = save_checkpoint(tmp_path / "m.npz", model, tok)
    state = load_state(path)
    state["meta.config"] = np.array([7, 6, 2, 2, 8])  # block_size 6, but 5 positions saved
    save_state(state, tmp_path / "bad.npz")
    with pytest.raises(ValueError, match=r"do not fit its configuration.*position_embedding"):
        load_checkpoint(tmp_path / "bad.npz")


# ----------------------------------------------------------- AdamW, schedule


def test_adamw_decouples_weight_decay() -> None:
    """With a zero gradient Adam's step is 0, so AdamW only shrinks: w (1 - lr wd);
    parameters in no_decay stay; with a gradient it is Adam's step plus the decay."""
    w = Tensor(np.array([1.0, -2.0]), requires_grad=True)
    b = Tensor(np.array([3.0]), requires_grad=True)
    opt = nn.AdamW([w, b], lr=0.1, weight_decay=0.5, no_decay=[b])
    w.grad, b.grad = np.zeros(2), np.zeros(1)
    opt.step()
    np.testing.assert_allclose(w.data, [0.95, -1.9])
    np.testing.assert_allclose(b.data, [3.0])
    v = Tensor(np.array([1.0]), requires_grad=True)
    u = Tensor(np.array([1.0]), requires_grad=True)
    adamw, adam = nn.AdamW([v], lr=0.1, weight_decay=0.5), nn.Adam([u], lr=0.1)
    v.grad, u.grad = np.array([0.3]), np.array([0.3])
    adamw.step()
    adam.step()
    np.testing.assert_allclose(v.data, u.data - 0.1 * 0.5 * 1.0)


def test_adamw_refusals() -> None:
    w = Tensor(np.ones(2), requires_grad=True)
    other = Tensor(np.ones(2), requires_grad=True)
    with pytest.raises(ValueError, match="no_decay parameter"):
        nn.AdamW([w], no_decay=[other])
    with pytest.raises(ValueError, match="weight_decay"):
        nn.AdamW([w], weight_decay=-1.0)
    opt = nn.AdamW([w], lr=1e300, weight_decay=1e300)
    w.grad = np.ones(2)
    with pytest.raises(FloatingPointError, match="no parameter was changed"):
        opt.step()
    np.testing.assert_array_equal(w.data, [1.0, 1.0])


def test_warmup_cosine() -> None:
    lr = [
        nn.warmup_cosine(s, max_lr=1.0, warmup_steps=4, total_steps=12, min_lr=0.1)
        for s in range(14)
    ]
    assert lr[:4] == [0.25, 0.5, 0.75, 1.0]
    assert lr[4] == 1.0 and lr[8] == pytest.approx(0.55) and lr[12] == lr[13] == 0.1
    assert all(a >= b for a, b in itertools.pairwise(lr[4:]))
    with pytest.raises(ValueError, match="warmup_steps < total_steps"):
        nn.warmup_cosine(0, max_lr=1.0, warmup_steps=5, total_steps=5)
    with pytest.raises(ValueError, match="min_lr <= max_lr"):
        nn.warmup_cosine(0, max_lr=1.0, warmup_steps=0, total_steps=5, min_lr=2.0)


def test_a_tiny_gpt_learns_a_repeating_text() -> None:
    """Training works end to end: a repeating 6-character text is learned (loss far below
    log 6), in a few dozen steps."""
    text = "abcdef" * 40
    tok = CharTokenizer.from_text(text)
    ids = tok.encode(text)
    model = GPT(GPTConfig(6, 8, 1, 2, 16), seed=0)
    opt = nn.AdamW(model.parameters(), lr=1e-2, no_decay=model.no_decay_parameters())
    rng = np.random.default_rng(0)
    for _ in range(60):
        x, y = nn.get_batch(ids, 8, 8, rng)
        opt.zero_grad()
        loss = model.loss(x, y)
        loss.backward()
        opt.step()
    assert mean_nll(model, ids) < 0.1 < math.log(6)
    assert tok.decode(generate(model, tok.encode("abc"), 9, top_k=1)) == "abcdefabcdef"
