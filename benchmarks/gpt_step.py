"""The GPT of chapter 6 (``make gpt``'s default model): training steps per second, in
tokens per second, eager and through ``autograd.compile``, side by side in one run.

One step is ``make gpt``'s: a batch of 32 windows of 64 characters (2,048 tokens),
forward, cross-entropy, backward and an AdamW update, float32, one BLAS thread. The
two engines train copies of the same model on the same batches, alternating within
every round; each round times ``--steps`` steps of each (CPU time). The compiled step
is traced, checked and replayed first, outside the timing, and its weights must equal
the eager ones bit for bit at the end (else the script stops: nothing is recorded).
PyTorch eager is timed on the same model (same shapes and math, its own weights) when
it is installed (``pip install -e '.[bench]'``).

    python benchmarks/gpt_step.py [--rounds 5] [--steps 10] [--record]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import autograd
import nn
from nn.gpt import GPT, GPTConfig

BATCH, BLOCK = 32, 64
CONFIG = GPTConfig(65, BLOCK, 4, 4, 128, "relu")  # make gpt's default model


def make_step(model: GPT) -> Any:
    opt = nn.AdamW(model.parameters(), lr=1e-3, betas=(0.9, 0.99), weight_decay=0.1,
                   no_decay=model.no_decay_parameters())  # fmt: skip

    def train_step(x: Any, y: Any) -> Any:
        opt.zero_grad()
        loss = model.loss(x, y)
        loss.backward()
        opt.step()
        return loss

    return train_step


def batches(n: int, seed: int) -> list[tuple[Any, Any]]:
    rng = np.random.default_rng(seed)
    ids = rng.integers(0, CONFIG.vocab_size, (n, BATCH, BLOCK + 1))
    return [(b[:, :-1], b[:, 1:]) for b in ids]


def timed(step: Any, data: list[tuple[Any, Any]]) -> float:
    t0 = time.process_time()
    for x, y in data:
        step(x, y)
    return time.process_time() - t0


def torch_step() -> Any:
    """The same model and step in PyTorch (None when torch is not installed)."""
    try:
        import torch
    except ImportError:
        return None
    torch.set_num_threads(1)
    d, h, t = CONFIG.d_model, CONFIG.n_head, BLOCK

    class Block(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.ln1, self.ln2 = torch.nn.LayerNorm(d), torch.nn.LayerNorm(d)
            self.qkv, self.proj = torch.nn.Linear(d, 3 * d), torch.nn.Linear(d, d)
            self.mlp = torch.nn.Sequential(
                torch.nn.Linear(d, 4 * d), torch.nn.ReLU(), torch.nn.Linear(4 * d, d)
            )
            self.register_buffer("mask", torch.triu(torch.full((t, t), -1e9), 1))

        def forward(self, x: Any) -> Any:
            b = x.shape[0]
            q, k, v = self.qkv(self.ln1(x)).split(d, dim=-1)
            q, k, v = (z.view(b, t, h, d // h).transpose(1, 2) for z in (q, k, v))
            att = (q @ k.transpose(-1, -2) / (d // h) ** 0.5 + self.mask).softmax(-1)
            x = x + self.proj((att @ v).transpose(1, 2).reshape(b, t, d))
            return x + self.mlp(self.ln2(x))

    class Model(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.tok = torch.nn.Embedding(CONFIG.vocab_size, d)
            self.pos = torch.nn.Embedding(t, d)
            self.blocks = torch.nn.Sequential(*[Block() for _ in range(CONFIG.n_layer)])
            self.ln, self.head = torch.nn.LayerNorm(d), torch.nn.Linear(d, CONFIG.vocab_size)

        def forward(self, idx: Any, y: Any) -> Any:
            x = self.tok(idx) + self.pos(torch.arange(t))
            logits = self.head(self.ln(self.blocks(x)))
            return torch.nn.functional.cross_entropy(
                logits.reshape(-1, logits.shape[-1]), y.reshape(-1)
            )

    model = Model()
    opt = torch.optim.AdamW(model.parameters(), lr=1e-3, betas=(0.9, 0.99), weight_decay=0.1)

    def step(x: Any, y: Any) -> Any:
        opt.zero_grad()
        loss = model(torch.from_numpy(x), torch.from_numpy(y))
        loss.backward()
        opt.step()
        return loss

    return step


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    ap.add_argument("--rounds", type=int, default=5, help="timed rounds (%(default)s)")
    ap.add_argument("--steps", type=int, default=10, help="steps per engine per round")
    ap.add_argument("--record", action="store_true", help="write the rows into results.json")
    args = ap.parse_args(argv)
    models = [GPT(CONFIG, seed=0) for _ in range(2)]
    eager, compiled = make_step(models[0]), autograd.compile(make_step(models[1]))
    for x, y in batches(4, seed=1):  # traced, traced again (gradients now exist), checked
        eager(x, y), compiled(x, y)
    torch_fn = torch_step()
    times: dict[str, list[float]] = {"eager": [], "compiled": [], "torch": []}
    for r in range(args.rounds):
        data = batches(args.steps, seed=10 + r)
        times["eager"].append(timed(eager, data))
        times["compiled"].append(timed(compiled, data))
        if torch_fn is not None:
            times["torch"].append(timed(torch_fn, data))
    same = all(
        p.data.tobytes() == q.data.tobytes()
        for p, q in zip(models[0].parameters(), models[1].parameters())  # noqa: B905
    )
    rate = {k: BATCH * BLOCK * args.steps / statistics.median(v) for k, v in times.items() if v}
    spread = {k: (min(v), max(v)) for k, v in times.items() if v}
    speedup = [e / c for e, c in zip(times["eager"], times["compiled"])]  # noqa: B905
    for k, v in rate.items():
        lo, hi = spread[k]
        print(f"GPT step ({k:8}): {v:8,.0f} tokens/s  (rounds {args.steps / hi:.2f}-"
              f"{args.steps / lo:.2f} steps/s)")  # fmt: skip
    print(f"compiled vs eager: {statistics.median(speedup):.2f}x faster (rounds "
          f"{min(speedup):.2f}-{max(speedup):.2f}x); weights bit for bit: {same}")  # fmt: skip
    if not same:
        print("the compiled weights differ from the eager ones: nothing recorded")
        return 2
    if args.record:
        from results import Row, record

        what = "GPT training step (chapter 6, 818k parameters, 32 x 64 tokens, AdamW)"
        rows = [
            Row(
                f"{what}: eager vs `autograd.compile`",
                f"{rate['eager']:,.0f} vs **{rate['compiled']:,.0f} tokens/s** "
                f"({statistics.median(speedup):.2f}x, rounds "
                f"{min(speedup):.2f}-{max(speedup):.2f}x; the same weights bit for bit)",
                "compiled >= eager",
                statistics.median(speedup) >= 1.0,
            ),
            Row(
                f"{what}: PyTorch eager, same model and shapes",
                f"{rate['torch']:,.0f} tokens/s" if "torch" in rate else "not installed",
                "-",
                None,
            ),
        ]
        record("gpt_step", rows, command="python benchmarks/gpt_step.py")
    return 0


if __name__ == "__main__":
    sys.exit(main())
