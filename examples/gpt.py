"""Train a small GPT on Tiny Shakespeare, on one CPU core, with valuegrad's own Tensor ops.

    python examples/gpt.py                          # `make gpt`: the default preset, ~5 min
    python examples/gpt.py --preset best            # `make gpt PRESET=best`: ~20 min
    python examples/gpt.py --sample --prompt "ROMEO:" --temperature 0.8 --top-k 10

Training shows a progress bar with the training loss (a running average) and the
validation loss (on a fixed set of validation windows, every ``eval_every`` steps).
At the end it measures the loss over the WHOLE validation split (the last 10 % of the
text, nats per character) next to the unigram and bigram baselines, counted here on
the training split, and writes into ``--out``:

* ``model.npz`` — the checkpoint: weights, configuration and vocabulary;
* ``run.json`` — the configuration, the measured numbers and the loss history;
* ``gpt-loss.png`` — the loss curves; ``gpt-attention-<block>.png`` — every head's
  attention weights (first and last block) on the start of the validation text;
* ``samples.txt`` — text the model wrote.

Tiny Shakespeare comes from ``--data-dir``, else ``$SHAKESPEARE_DIR``, else the cache
``~/.cache/valuegrad/tinyshakespeare`` (downloaded and checked there when missing).
Run with one BLAS thread (``OMP_NUM_THREADS=1``; ``make gpt`` sets it) to measure one core.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import resource
import shutil
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np

import autograd
import nn
from autograd import Tensor, no_grad
from nn.gpt import GPT, GPTConfig, generate, load_checkpoint, mean_nll, save_checkpoint
from nn.text import (
    CharTokenizer,
    bigram_loss,
    get_batch,
    load_shakespeare,
    train_val_split,
    unigram_loss,
)

ROOT = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class Preset:
    """A model and how to train it."""

    block_size: int
    d_model: int
    n_layer: int
    n_head: int
    batch_size: int
    steps: int
    lr: float
    warmup: int = 100
    weight_decay: float = 0.1
    eval_every: int = 100
    eval_batches: int = 4
    activation: str = "relu"

    def describe(self) -> str:
        return (
            f"context {self.block_size}, d_model {self.d_model}, {self.n_layer} layers x "
            f"{self.n_head} heads, batch {self.batch_size}, {self.steps} steps, "
            f"AdamW lr {self.lr:g}"
        )


PRESETS = {
    "default": Preset(
        block_size=64, d_model=128, n_layer=4, n_head=4, batch_size=32, steps=800, lr=2e-3
    ),
    "best": Preset(
        block_size=128, d_model=128, n_layer=4, n_head=4, batch_size=32, steps=1300, lr=2e-3,
        eval_every=200,
    ),
    # For the tests: seconds, not minutes.
    "tiny": Preset(
        block_size=16, d_model=16, n_layer=1, n_head=2, batch_size=8, steps=30, lr=3e-3,
        warmup=5, eval_every=10, eval_batches=2,
    ),
}  # fmt: skip


def train(
    model: GPT,
    preset: Preset,
    train_ids: np.ndarray,
    val_ids: np.ndarray,
    seed: int,
    compiled: bool = True,
) -> dict[str, list[float]]:
    """Train ``model`` for ``preset.steps`` steps; the loss history (step, train, val).

    The step runs through ``autograd.compile`` (the same numbers as eagerly, bit for
    bit, in less time) unless ``compiled`` is False.
    """
    rng = np.random.default_rng(seed)
    opt = nn.AdamW(
        model.parameters(),
        lr=preset.lr,
        betas=(0.9, 0.99),
        weight_decay=preset.weight_decay,
        no_decay=model.no_decay_parameters(),
    )

    def train_step(x: np.ndarray, y: np.ndarray) -> Tensor:
        """One step: forward, backward, AdamW update; the batch's loss (nats/char)."""
        opt.zero_grad()
        loss = model.loss(x, y)
        loss.backward()
        opt.step()
        return loss

    step_fn = autograd.compile(train_step, on_refusal="eager") if compiled else train_step

    val_rng = np.random.default_rng(seed + 1)  # the same validation windows at every check
    val_batches = [
        get_batch(val_ids, preset.block_size, preset.batch_size, val_rng)
        for _ in range(preset.eval_batches)
    ]
    history: dict[str, list[float]] = {"step": [], "train": [], "val_step": [], "val": []}
    from nn.progress import progress_bar

    bar = progress_bar(iterable=range(preset.steps), desc="training", unit="step")
    running = math.nan
    for step in bar:
        opt.lr = nn.warmup_cosine(
            step,
            max_lr=preset.lr,
            warmup_steps=preset.warmup,
            total_steps=preset.steps,
            min_lr=preset.lr / 10,
        )
        loss = float(step_fn(*get_batch(train_ids, preset.block_size, preset.batch_size, rng)).data)
        running = loss if math.isnan(running) else 0.95 * running + 0.05 * loss
        history["step"].append(step + 1)
        history["train"].append(loss)
        if (step + 1) % preset.eval_every == 0 or step + 1 == preset.steps:
            history["val_step"].append(step + 1)
            history["val"].append(_estimate(model, val_batches))
        val = f"{history['val'][-1]:.3f}" if history["val"] else "-"
        bar.set_postfix_str(f"train {running:.3f}  val {val}", refresh=False)
    return history


def _estimate(model: GPT, batches: list[tuple[np.ndarray, np.ndarray]]) -> float:
    """The mean loss on a fixed set of validation windows (no graph recorded)."""
    with no_grad():
        return float(np.mean([float(model.loss(x, y).data) for x, y in batches]))


def sample_text(
    model: GPT,
    tok: CharTokenizer,
    prompt: str,
    length: int,
    temperature: float,
    top_k: int | None,
    seed: int,
) -> str:
    """``prompt`` and ``length`` characters the model writes after it (seeded)."""
    ids = generate(
        model, tok.encode(prompt), length, temperature=temperature, top_k=top_k, seed=seed
    )
    return tok.decode(ids)


def peak_memory_mb() -> float:
    """The process's peak resident memory so far, in MB (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run(args: argparse.Namespace) -> dict[str, Any]:
    """Train the preset, measure it, write the checkpoint, pictures and report."""
    preset = PRESETS[args.preset]
    if args.steps is not None:
        preset = Preset(**{**asdict(preset), "steps": args.steps})
    started, cpu_started = time.perf_counter(), time.process_time()
    text = load_shakespeare(args.data_dir)
    tok = CharTokenizer.from_text(text)
    train_ids, val_ids = train_val_split(tok.encode(text))
    config = GPTConfig(
        tok.vocab_size,
        preset.block_size,
        preset.n_layer,
        preset.n_head,
        preset.d_model,
        preset.activation,
    )
    model = GPT(config, seed=args.seed)
    print(f"{model}\npreset {args.preset}: {preset.describe()}", file=sys.stderr)
    history = train(model, preset, train_ids, val_ids, args.seed, compiled=not args.eager)
    train_seconds = time.perf_counter() - started
    val_loss = mean_nll(model, val_ids)
    result = {
        "preset": args.preset,
        "config": asdict(config),
        "training": asdict(preset),
        "parameters": model.num_parameters(),
        "val_loss": val_loss,
        "perplexity": math.exp(val_loss),
        "unigram": unigram_loss(train_ids, val_ids, tok.vocab_size),
        "bigram": bigram_loss(train_ids, val_ids, tok.vocab_size),
        "train_minutes": train_seconds / 60,
        "peak_mb": peak_memory_mb(),
        "blas_threads": os.environ.get("OMP_NUM_THREADS", "unset"),
        "history": history,
        "attention_text": tok.decode(val_ids[: min(ATTENTION_CHARS, preset.block_size)]),
        "samples": [
            sample_text(model, tok, prompt, 300, 0.8, 10, args.seed) for prompt in ("ROMEO:", "\n")
        ],
    }
    write_outputs(args.out, model, tok, result)
    # Everything, pictures included. CPU time is the time on one core (one BLAS thread),
    # whatever else the machine runs; wall-clock time is longer on a busy machine.
    result["total_minutes"] = (time.perf_counter() - started) / 60
    result["cpu_minutes"] = (time.process_time() - cpu_started) / 60
    result["peak_mb"] = peak_memory_mb()
    from autograd.pictures.files import write_atomic

    write_atomic(args.out / "run.json", (json.dumps(result, indent=1) + "\n").encode("utf-8"))
    return result


def write_outputs(out: Path, model: GPT, tok: CharTokenizer, result: dict[str, Any]) -> None:
    """The checkpoint, ``run.json``, ``samples.txt`` and the two pictures in ``out``."""
    from autograd.pictures.files import write_atomic

    out.mkdir(parents=True, exist_ok=True)
    save_checkpoint(out / "model.npz", model, tok)
    text = json.dumps(result, indent=1) + "\n"
    write_atomic(out / "run.json", text.encode("utf-8"))
    samples = "\n\n---\n\n".join(result["samples"]) + "\n"
    write_atomic(out / "samples.txt", samples.encode("utf-8"))
    draw_figures(out, model, tok, result)


def draw_figures(out: Path, model: GPT, tok: CharTokenizer, result: dict[str, Any]) -> list[Path]:
    """``gpt-loss.png`` from the run's history, ``gpt-attention-<block>.png`` from the model
    (every head of the first and of the last block, on the run's ``attention_text``: the
    first characters of the validation split)."""
    from nn.pictures.attention import plot_attention, plot_lm_history

    paths = [plot_lm_history(result, out / "gpt-loss.png")]
    for layer in sorted({0, model.config.n_layer - 1}):
        path = out / f"gpt-attention-{layer + 1}.png"
        paths.append(plot_attention(model, tok, result["attention_text"], path, layer))
    return paths


#: How many characters of validation text the attention pictures show.
ATTENTION_CHARS = 20


def report(result: dict[str, Any]) -> str:
    """The measured numbers, as printed at the end of a run."""
    return (
        f"val loss {result['val_loss']:.3f} nats/char over the whole validation split "
        f"(perplexity {result['perplexity']:.2f}); baselines from the training split: "
        f"unigram {result['unigram']:.3f}, bigram {result['bigram']:.3f}\n"
        f"{result['parameters']:,} parameters; trained in {result['train_minutes']:.1f} min; "
        f"{result['cpu_minutes']:.1f} min of CPU in all ({result['total_minutes']:.1f} min "
        f"wall-clock); peak memory {result['peak_mb']:.0f} MB; "
        f"BLAS threads: {result['blas_threads']}"
    )


TARGETS = {"default": (1.9, 5.0, 1024.0), "best": (1.6, 20.0, 4096.0)}


def record(result: dict[str, Any], out: Path) -> None:
    """Keep the run: rows in ``benchmarks/results.json`` (the README's Measured table),
    its report in ``docs/reports/``, the default preset's checkpoint in ``examples/models/``."""
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from results import Row
    from results import record as record_rows

    from autograd.pictures.files import write_atomic

    name = result["preset"]
    loss_max, minutes_max, mb_max = TARGETS[name]
    rows = [
        Row(
            f"GPT `{name}` on Tiny Shakespeare: val loss, nats/char (whole val split)",
            f"**{result['val_loss']:.3f}** (bigram {result['bigram']:.3f}, "
            f"unigram {result['unigram']:.3f})",
            f"<= {loss_max}",
            result["val_loss"] <= loss_max,
        ),
        Row(
            f"GPT `{name}`: minutes on one core (whole run, CPU time), peak memory",
            f"**{result['cpu_minutes']:.1f} min** ({result['total_minutes']:.1f} wall-clock), "
            f"{result['peak_mb']:.0f} MB",
            f"<= {minutes_max:g} min, < {mb_max:g} MB",
            result["cpu_minutes"] <= minutes_max and result["peak_mb"] < mb_max,
        ),
    ]
    record_rows(f"gpt-{name}", rows, command=f"make gpt PRESET={name}")
    text = json.dumps(result, indent=1) + "\n"
    write_atomic(ROOT / "docs" / "reports" / f"gpt-{name}.json", text.encode("utf-8"))
    if name == "default":  # the chapter's model (3 MB); the best one stays in --out
        shutil.copyfile(out / "model.npz", ROOT / "examples" / "models" / "gpt-default.npz")


def sample_main(args: argparse.Namespace) -> str:
    """Text from the checkpoint (``--sample``)."""
    model, tok = load_checkpoint(args.checkpoint)
    if not args.prompt:
        raise ValueError("--prompt is empty; give at least one character to start from")
    return sample_text(
        model, tok, args.prompt, args.length, args.temperature, args.top_k, args.seed
    )


def figures_main(args: argparse.Namespace) -> None:
    """The chapter's pictures from a recorded run and its checkpoint (``--figures``)."""
    model, tok = load_checkpoint(args.checkpoint)
    result = json.loads(Path(args.run).read_text(encoding="utf-8"))
    for path in draw_figures(args.out, model, tok, result):
        print(f"wrote {path}")


# (flag, what argparse takes): the options of training, then of sampling and pictures.
TRAINING_OPTIONS: list[tuple[str, dict[str, Any]]] = [
    (
        "--preset",
        {
            "choices": sorted(PRESETS),
            "default": "default",
            "help": "what to train (default: %(default)s)",
        },
    ),
    ("--steps", {"type": int, "help": "training steps (default: the preset's)"}),
    ("--out", {"type": Path, "help": "output folder (default: out/gpt-<preset>)"}),
    (
        "--data-dir",
        {"type": Path, "help": "folder of input.txt (default: $SHAKESPEARE_DIR, else the cache)"},
    ),
    (
        "--seed",
        {
            "type": int,
            "default": 0,
            "help": "seed of weights, batches and sampling (default: %(default)s)",
        },
    ),
    (
        "--eager",
        {
            "action": "store_true",
            "help": "train without autograd.compile: the same numbers, slower (default: off)",
        },
    ),
    (
        "--record",
        {
            "action": "store_true",
            "help": "keep the run in benchmarks/results.json, "
            "docs/reports and examples/models (default: off)",
        },
    ),
]
SAMPLING_OPTIONS: list[tuple[str, dict[str, Any]]] = [
    ("--sample", {"action": "store_true",
                  "help": "print text from --checkpoint instead of training (default: off)"}),
    ("--figures", {"action": "store_true", "help": "draw the pictures from --checkpoint and "
                   "--run into --out (default: off)"}),
    ("--checkpoint", {"type": Path, "default": Path("out/gpt-default/model.npz"),
                      "help": "checkpoint for --sample and --figures (default: %(default)s)"}),
    ("--run", {"type": Path, "default": ROOT / "docs" / "reports" / "gpt-default.json",
               "help": "a run's report for --figures (default: docs/reports/gpt-default.json)"}),
    ("--prompt", {"default": "ROMEO:",
                  "help": "text to start from, with --sample (default: %(default)r)"}),
    ("--length", {"type": int, "default": 500,
                  "help": "characters to write, with --sample (default: %(default)s)"}),
    ("--temperature", {"type": float, "default": 0.8,
                       "help": "sampling temperature (default: %(default)s)"}),
    ("--top-k", {"type": int, "default": 10, "help": "sample among the k likeliest "
                 "characters; 0: all (default: %(default)s)"}),
]  # fmt: skip


def parse(argv: list[str] | None) -> argparse.Namespace:
    """The command line (``--help`` lists the options and the presets)."""
    presets = "\n".join(f"  {k:8} {p.describe()}" for k, p in PRESETS.items())
    ap = argparse.ArgumentParser(
        description=__doc__.splitlines()[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=f"presets:\n{presets}",
    )
    for flag, kwargs in TRAINING_OPTIONS + SAMPLING_OPTIONS:
        ap.add_argument(flag, **kwargs)
    args = ap.parse_args(argv)
    args.top_k = args.top_k or None
    if args.out is None:
        args.out = Path(f"out/gpt-{args.preset}")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    try:
        if args.sample:
            print(sample_main(args))
        elif args.figures:
            figures_main(args)
        else:
            result = run(args)
            print(report(result))
            if args.record:
                record(result, args.out)
    except (ValueError, FileNotFoundError) as err:  # DataError is a ValueError
        print(f"gpt.py: error: {err}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
