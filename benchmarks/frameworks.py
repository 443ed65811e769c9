"""The MNIST-epoch steps in PyTorch (eager and ``torch.compile``) and JAX (``jax.jit``).

Reference rows for ``mnist_epoch.py``: the same networks, the same math as its
natural code (float32, loss written from ops, plain SGD), the same initial weights
and the same batches, gathered by index from the same arrays, one thread. Each
runner is built on its first call (compiled there, outside any timing: round 0 of
``mnist_epoch.py`` is a warm-up that also sees every batch shape), then every call
sets the weights back to the initial ones, trains one epoch over ``order`` and
returns the parameters as NumPy arrays, in the order of ``TensorMLP``'s state dict.

The packages are optional (``pip install -e '.[bench]'``); without them, building a
runner raises :class:`Unavailable` and the benchmark prints "not installed".
"""

from __future__ import annotations

import contextlib
import os
from typing import Any

import numpy as np

Array = Any
INSTALL = "not installed (pip install -e '.[bench]')"


class Unavailable(Exception):
    """The framework cannot run here (not installed): a row says so, nothing is timed."""


def activations(nouts: tuple[int, ...], act: str, out_act: str | None) -> list[str]:
    """The activation after each layer: ``act``, and ``out_act`` (if given) after the last."""
    return [act if i < len(nouts) - 1 else (out_act or act) for i in range(len(nouts))]


# ------------------------------------------------------------------ PyTorch


def import_torch() -> Any:
    try:
        import torch
    except ImportError as err:
        raise Unavailable(INSTALL) from err
    torch.set_num_threads(1)
    with contextlib.suppress(RuntimeError):  # only allowed before any parallel work
        torch.set_num_interop_threads(1)
    return torch


class TorchRunner:
    """The natural step in PyTorch: ``nn.Sequential`` of ``Linear`` and activations, the
    loss from ops, ``zero_grad``/``backward``/``SGD.step``; ``compiled``: the whole step
    function in ``torch.compile``, as ``autograd.compile`` takes it. Dynamo breaks that
    graph at ``zero_grad()`` and ``backward()`` (torch 2.x): the forward and loss are
    one compiled graph (its backward compiled by AOTAutograd), the SGD update another,
    which is what compiling the model and ``opt.step`` separately would give too."""

    def __init__(
        self, net: Any, state: dict[str, Array], x: Array, t: Array, bs: int, compiled: bool
    ) -> None:
        self.net, self.state, self.x, self.t, self.bs = net, state, x, t, bs
        self.compiled = compiled
        self.step: Any = None

    def build(self) -> None:
        torch = self.torch = import_torch()
        net = self.net
        sizes = [784, *net.nouts]
        layers: list[Any] = []
        for i, act in enumerate(activations(net.nouts, net.act, net.out_act)):
            layers.append(torch.nn.Linear(sizes[i], sizes[i + 1]))
            if act != "linear":
                layers.append({"sigmoid": torch.nn.Sigmoid, "relu": torch.nn.ReLU}[act]())
        model = torch.nn.Sequential(*layers)  # float32 parameters
        self.params = list(model.parameters())  # weight, bias of each Linear, in order
        self.init = [torch.from_numpy(np.array(w, dtype=np.float32)) for w in self.state.values()]
        opt = torch.optim.SGD(model.parameters(), lr=net.lr)
        self.xt = torch.from_numpy(self.x)
        self.tt = torch.from_numpy(self.t)

        if net.loss == "mse":

            def step(x: Any, y: Any) -> Any:
                loss = ((model(x) - y) ** 2).sum() * (1.0 / len(x))
                opt.zero_grad()
                loss.backward()
                opt.step()
                return loss

        else:

            def step(x: Any, y: Any) -> Any:  # y: the labels
                n = len(x)
                loss = -(torch.log_softmax(model(x), dim=1)[torch.arange(n), y].mean())
                opt.zero_grad()
                loss.backward()
                opt.step()
                return loss

        if self.compiled:
            # A fresh start: every runner compiles this same code again (another model),
            # and past the recompile limit torch.compile would silently run it eagerly.
            torch.compiler.reset()
            step = torch.compile(step)
        self.step = step

    def __call__(self, order: Array) -> list[Array]:
        if self.step is None:
            self.build()
        torch = self.torch
        with torch.no_grad():
            for p, w in zip(self.params, self.init, strict=True):
                p.copy_(w)
        step, x, t, bs = self.step, self.xt, self.tt, self.bs
        order_t = torch.from_numpy(order)
        for start in range(0, len(order), bs):
            idx = order_t[start : start + bs]
            step(x[idx], t[idx])
        return [p.detach().numpy().copy() for p in self.params]


# ---------------------------------------------------------------------- JAX


def import_jax() -> tuple[Any, Any]:
    # One thread, CPU only: read when JAX starts its backend, so set before the import.
    os.environ.setdefault(
        "XLA_FLAGS", "--xla_cpu_multi_thread_eigen=false intra_op_parallelism_threads=1"
    )
    os.environ.setdefault("JAX_PLATFORMS", "cpu")
    try:
        import jax
        import jax.numpy as jnp
    except ImportError as err:
        raise Unavailable(INSTALL) from err
    return jax, jnp


class JaxRunner:
    """The same step as a pure function of the parameters, ``jax.value_and_grad`` and the
    SGD update inside one ``jax.jit``."""

    def __init__(self, net: Any, state: dict[str, Array], x: Array, t: Array, bs: int) -> None:
        self.net, self.state, self.x, self.bs = net, state, x, bs
        # JAX computes in int32 unless x64 is on: the labels as it would take them.
        self.t = t.astype(np.int32) if t.dtype.kind in "iu" else t
        self.step: Any = None

    def build(self) -> None:
        jax, jnp = import_jax()
        self.jax = jax
        net = self.net
        acts = activations(net.nouts, net.act, net.out_act)
        fns = {"sigmoid": jax.nn.sigmoid, "relu": jax.nn.relu, "linear": lambda h: h}

        def forward(params: Any, x: Any) -> Any:
            h = x
            for i, act in enumerate(acts):
                w, b = params[2 * i], params[2 * i + 1]
                h = fns[act](h @ w.T + b)
            return h

        if net.loss == "mse":

            def loss_fn(params: Any, x: Any, y: Any) -> Any:
                return jnp.sum((forward(params, x) - y) ** 2) * (1.0 / x.shape[0])

        else:

            def loss_fn(params: Any, x: Any, y: Any) -> Any:  # y: the labels
                logp = jax.nn.log_softmax(forward(params, x), axis=1)
                return -jnp.mean(logp[jnp.arange(x.shape[0]), y])

        lr = net.lr

        def step(params: Any, x: Any, y: Any) -> Any:
            loss, grads = jax.value_and_grad(loss_fn)(params, x, y)
            return tuple(p - lr * g for p, g in zip(params, grads, strict=True)), loss

        self.step = jax.jit(step)
        self.init = tuple(jnp.asarray(np.array(w, dtype=np.float32)) for w in self.state.values())

    def __call__(self, order: Array) -> list[Array]:
        if self.step is None:
            self.build()
        params = self.init
        step, x, t, bs = self.step, self.x, self.t, self.bs
        for start in range(0, len(order), bs):
            idx = order[start : start + bs]
            params, _ = step(params, x[idx], t[idx])
        self.jax.block_until_ready(params)  # JAX dispatches asynchronously
        return [np.asarray(p) for p in params]
