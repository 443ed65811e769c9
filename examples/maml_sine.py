"""MAML on sine waves: learning an initialisation by differentiating through an update.

Each task is a sine wave ``y = A sin(x + phase)`` (A in [0.1, 5], phase in [0, pi]),
seen through 10 points. A 1-40-40-1 tanh network adapts to a task with one step of
gradient descent from its shared weights theta::

    theta' = theta - alpha * grad L_train(theta)          (the inner update)
    meta-loss = L_val(theta')                             (how good the adapted net is)

MAML (Finn et al., 2017) trains theta on the meta-loss. Its gradient goes *through*
the inner update, so it has a second-order term::

    d L_val(theta') / d theta = (I - alpha H_train(theta)) grad L_val(theta')

The engine computes it because the inner gradient is built with ``create_graph=True``
(``autograd.grad`` always does): ``theta'`` is then a function of theta that the
outer backward pass can differentiate. With the inner gradient taken as plain
numbers (``first_order=True``) the H term silently vanishes: "first-order MAML".

The script checks both meta-gradients against a finite difference of the meta-loss
along a random direction (only the true one agrees), then meta-trains and reports
how well one adaptation step fits new sine waves, before and after.

    python examples/maml_sine.py                  # 300 meta-steps, progress bar
    python examples/maml_sine.py --quick          # a few seconds (the tests)
"""

from __future__ import annotations

import argparse
import itertools
from collections.abc import Sequence

import numpy as np
from tqdm import tqdm

import nn
from autograd import Tensor, grad
from autograd.fused import linear

Params = list[Tensor]
Task = tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]  # x_train, y_train, x_val, y_val


def init(sizes: Sequence[int], rng: np.random.Generator) -> Params:
    """Weights (nout, nin) and biases of a tanh MLP, float64 (for the finite-difference check)."""
    params = []
    for nin, nout in itertools.pairwise(sizes):
        params.append(Tensor(rng.normal(0, 1 / np.sqrt(nin), (nout, nin)), requires_grad=True))
        params.append(Tensor(np.zeros(nout), requires_grad=True))
    return params


def forward(params: Sequence[Tensor], x: Tensor | np.ndarray) -> Tensor:
    h: Tensor | np.ndarray = x
    n = len(params) // 2
    for i in range(n):
        h = linear(h, params[2 * i], params[2 * i + 1], "tanh" if i < n - 1 else None)
    assert isinstance(h, Tensor)
    return h


def loss(params: Sequence[Tensor], x: np.ndarray, y: np.ndarray) -> Tensor:
    return nn.mse(forward(params, x), y)


def adapt(
    params: Sequence[Tensor], x: np.ndarray, y: np.ndarray, alpha: float, first_order: bool
) -> Params:
    """One inner step, theta' = theta - alpha grad L(theta), as a graph built from theta."""
    grads = grad(lambda *ps: loss(ps, x, y), argnums=tuple(range(len(params))))(*params)
    if first_order:  # the classic accident: the gradient as plain numbers, no graph
        grads = tuple(Tensor(g.data) for g in grads)
    return [p - alpha * g for p, g in zip(params, grads, strict=True)]


def meta_loss(
    params: Sequence[Tensor], tasks: Sequence[Task], alpha: float, first_order: bool = False
) -> Tensor:
    """Mean over tasks of the validation loss after one adaptation step."""
    total: Tensor | None = None
    for xt, yt, xv, yv in tasks:
        val = loss(adapt(params, xt, yt, alpha, first_order), xv, yv)
        total = val if total is None else total + val
    assert total is not None
    return total / len(tasks)


def meta_gradient(
    params: Params, tasks: Sequence[Task], alpha: float, first_order: bool = False
) -> list[np.ndarray]:
    """d meta-loss / d theta, one array per parameter."""
    gs = grad(
        lambda *ps: meta_loss(ps, tasks, alpha, first_order), argnums=tuple(range(len(params)))
    )(*params)
    return [g.data for g in gs]


def sample_tasks(rng: np.random.Generator, n: int, k: int = 10) -> list[Task]:
    """``n`` sine tasks, each with ``k`` training and ``k`` validation points in [-5, 5]."""
    tasks = []
    for _ in range(n):
        amplitude, phase = rng.uniform(0.1, 5.0), rng.uniform(0, np.pi)
        xs = rng.uniform(-5, 5, (2 * k, 1))
        ys = amplitude * np.sin(xs + phase)
        tasks.append((xs[:k], ys[:k], xs[k:], ys[k:]))
    return tasks


def directional_check(
    params: Params, tasks: Sequence[Task], alpha: float, rng: np.random.Generator
) -> dict[str, float]:
    """Meta-gradient . v, true and first-order, against a central difference along v."""
    v = [rng.normal(size=p.shape) for p in params]
    eps = 1e-5

    def at(sign: float) -> float:
        moved = [Tensor(p.data + sign * eps * d) for p, d in zip(params, v, strict=True)]
        return float(meta_loss(moved, tasks, alpha).data)

    numeric = (at(1.0) - at(-1.0)) / (2 * eps)
    dot = {
        name: float(sum(np.sum(g * d) for g, d in zip(gs, v, strict=True)))
        for name, gs in (
            ("second_order", meta_gradient(params, tasks, alpha)),
            ("first_order", meta_gradient(params, tasks, alpha, first_order=True)),
        )
    }
    return {"numeric": numeric, **dot}


def main(argv: Sequence[str] | None = None) -> dict[str, float]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--steps", type=int, default=300, help="meta-training steps (default: %(default)s)"
    )
    parser.add_argument(
        "--tasks", type=int, default=5, help="tasks per meta-step (default: %(default)s)"
    )
    parser.add_argument(
        "--alpha", type=float, default=0.01, help="inner learning rate (default: %(default)s)"
    )
    parser.add_argument(
        "--lr", type=float, default=0.001, help="meta learning rate of Adam (default: %(default)s)"
    )
    parser.add_argument(
        "--seed", type=int, default=0, help="seed for tasks and weights (default: %(default)s)"
    )
    parser.add_argument(
        "--quick", action="store_true", help="a tiny run, for the tests (default: off)"
    )
    args = parser.parse_args(argv)
    sizes = [1, 40, 40, 1]
    if args.quick:
        args.steps, sizes = 20, [1, 16, 16, 1]

    rng = np.random.default_rng(args.seed)
    params = init(sizes, rng)
    test_tasks = sample_tasks(np.random.default_rng(args.seed + 1), 20)

    check = directional_check(params, sample_tasks(rng, 2), args.alpha, rng)
    print(
        "meta-gradient . v along a random v: "
        f"finite difference {check['numeric']:.8f}, "
        f"true (second-order) {check['second_order']:.8f}, "
        f"first-order {check['first_order']:.8f}"
    )

    before = float(meta_loss(params, test_tasks, args.alpha).data)
    optimizer = nn.Adam(params, lr=args.lr)
    for _ in tqdm(range(args.steps), desc="meta-training", disable=args.quick):
        tasks = sample_tasks(rng, args.tasks)
        for p, g in zip(params, meta_gradient(params, tasks, args.alpha), strict=True):
            p.grad = g
        optimizer.step()
    after = float(meta_loss(params, test_tasks, args.alpha).data)
    print(
        f"loss on 20 new sine waves after one adaptation step: {before:.3f} before "
        f"meta-training, {after:.3f} after {args.steps} MAML steps"
    )
    return {"before": before, "after": after, **check}


if __name__ == "__main__":
    main()
