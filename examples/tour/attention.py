"""Attention learns where to look (chapter 6 of the tour).

A single causal attention head, built from Tensor ops, learns a tiny task: at
every position, predict the token one step back. To do it, each position must
learn to attend to the position before it. The picture shows the attention
weights on one sequence before and after training.

    X = onehot(tokens) E + P                      (token and position embeddings)
    A = softmax(mask + (X W_Q)(X W_K)^T / sqrt(d))
    logits = (A X W_V) W_O,   cost = cross-entropy with the previous token

Several sequences are trained at once by stacking their rows and masking
attention between different sequences (a block-diagonal causal mask).

Usage::

    python examples/tour/attention.py --out docs/images
    python examples/tour/attention.py --quick --out /tmp/tour   # a second
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

import nn
from autograd import Tensor, no_grad
from nn.pictures.plots import save_figure

VOCAB = "ABCDEFGH"


class Head:
    """Embeddings, one causal attention head and an output projection."""

    def __init__(self, length: int, d: int, seed: int) -> None:
        rng = np.random.default_rng(seed)
        v = len(VOCAB)
        self.length, self.d = length, d

        def param(*shape: int, scale: float) -> Tensor:
            return Tensor(rng.normal(0.0, scale, size=shape), requires_grad=True)

        self.E = param(v, d, scale=1.0)
        self.P = param(length, d, scale=1.0)
        self.W_Q = param(d, d, scale=d**-0.5)
        self.W_K = param(d, d, scale=d**-0.5)
        self.W_V = param(d, d, scale=d**-0.5)
        self.W_O = param(d, v, scale=d**-0.5)

    def parameters(self) -> list[Tensor]:
        return [self.E, self.P, self.W_Q, self.W_K, self.W_V, self.W_O]

    def __call__(self, tokens: np.ndarray) -> tuple[Tensor, Tensor]:
        """Logits ``(batch * length, vocab)`` and attention weights for ``(batch, length)`` ints."""
        batch, length = tokens.shape
        onehot = np.eye(len(VOCAB))[tokens.reshape(-1)]
        positions = np.tile(np.eye(length), (batch, 1))  # row r -> position r % length
        x = Tensor(onehot) @ self.E + Tensor(positions) @ self.P
        scores = (x @ self.W_Q) @ (x @ self.W_K).T / np.sqrt(self.d)
        same_sequence = np.kron(np.eye(batch), np.ones((length, length)))
        allowed = same_sequence * np.tril(np.ones((batch * length, batch * length)))
        weights = (scores + Tensor((allowed - 1.0) * 1e9)).softmax(axis=-1)
        out = weights @ (x @ self.W_V)
        return out @ self.W_O, weights


def batch_of(rng: np.random.Generator, batch: int, length: int) -> tuple[np.ndarray, np.ndarray]:
    """Random sequences and, for positions 1.., the token one step back."""
    tokens = rng.integers(0, len(VOCAB), size=(batch, length))
    rows = np.array([b * length + t for b in range(batch) for t in range(1, length)])
    return tokens, rows


def main(argv: list[str] | None = None) -> Path:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--out", type=Path, default=Path("out/tour"), help="output folder (default: %(default)s)"
    )
    parser.add_argument(
        "--steps", type=int, default=300, help="training steps (default: %(default)s)"
    )
    parser.add_argument(
        "--length", type=int, default=8, help="tokens per sequence (default: %(default)s)"
    )
    parser.add_argument(
        "--batch", type=int, default=16, help="sequences per step (default: %(default)s)"
    )
    parser.add_argument(
        "--dim",
        type=int,
        default=16,
        help="size of the embeddings, queries and keys (default: %(default)s)",
    )
    parser.add_argument(
        "--lr", type=float, default=0.03, help="learning rate of Adam (default: %(default)s)"
    )
    parser.add_argument(
        "--seed", type=int, default=0, help="seed for data and weights (default: %(default)s)"
    )
    parser.add_argument(
        "--quick", action="store_true", help="a tiny run (10 steps), for the tests (default: off)"
    )
    args = parser.parse_args(argv)
    if args.quick:
        args.steps = 10

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rng = np.random.default_rng(args.seed)
    head = Head(args.length, args.dim, args.seed)
    sample = rng.integers(0, len(VOCAB), size=(1, args.length))
    with no_grad():
        before = head(sample)[1].data

    optimizer = nn.Adam(head.parameters(), lr=args.lr)
    losses = []
    for _ in range(args.steps):
        tokens, rows = batch_of(rng, args.batch, args.length)
        logits, _ = head(tokens)
        targets = tokens.reshape(-1)[rows - 1]  # the token one step back
        loss = nn.cross_entropy(logits[rows], targets)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(float(loss.data))

    with no_grad():
        logits, after_t = head(sample)
        after = after_t.data
        tokens, rows = batch_of(rng, 64, args.length)
        predicted = head(tokens)[0].data[rows].argmax(axis=1)
    accuracy = float((predicted == tokens.reshape(-1)[rows - 1]).mean())

    labels = [f"{t}:{VOCAB[c]}" for t, c in enumerate(sample[0])]
    # The two maps side by side, the cost under them; 8 inches wide at 110 dpi, shown at
    # nearly full size in a page column (tests/test_figures.py measures the labels).
    fig, panels = plt.subplot_mosaic(
        [["before", "after"], ["cost", "cost"]],
        figsize=(8, 8),
        layout="constrained",
        height_ratios=[1.3, 1],
    )
    axes = [panels["before"], panels["after"], panels["cost"]]
    for ax, w, title in [
        (axes[0], before, "before training: a blur"),
        (axes[1], after, f"after {args.steps} steps: look one back"),
    ]:
        ax.imshow(w, cmap="viridis", vmin=0.0, vmax=1.0)
        ax.set_xticks(range(args.length), labels, fontsize=10, rotation=90)
        ax.set_yticks(range(args.length), labels, fontsize=10)
        ax.set_xlabel("attends to (key position)")
        ax.set_ylabel("query position")
        ax.set_title(title)
    axes[2].plot(losses)
    axes[2].set_xlabel("step")
    axes[2].set_ylabel("cross-entropy")
    axes[2].set_title(f"training cost (held-out accuracy {accuracy:.0%})")
    axes[2].grid(alpha=0.3)

    args.out.mkdir(parents=True, exist_ok=True)
    path = args.out / "attention.png"
    save_figure(fig, path, dpi=110)
    plt.close(fig)
    print(f"wrote {path}: final cost {losses[-1]:.3f}, accuracy {accuracy:.1%}")
    return path


if __name__ == "__main__":
    main()
