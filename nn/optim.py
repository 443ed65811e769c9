"""Optimizers: turn gradients into parameter updates.

An optimizer holds a list of parameters (anything with ``.data`` and ``.grad``:
scalar :class:`~autograd.Value` s, whose ``data`` is a float, or
:class:`~autograd.Tensor` s, whose ``data`` is an array updated **in place**), and
after each ``loss.backward()`` its :meth:`~Optimizer.step` moves every parameter a
little way down its gradient::

    opt = nn.SGD(model.parameters(), lr=0.1, momentum=0.9)
    for x, y in data:
        opt.zero_grad()
        loss = nn.mse(model(x), y)
        loss.backward()
        opt.step()

Updates are made with gradient recording off (plain arithmetic on ``.data``), so
they never become part of a graph. A gradient left by ``backward(create_graph=True)``
is itself a graph node (a Value or Tensor); the optimizers use its value.

**No gradient: ``grad is None``, in both engines** (PyTorch's rule). A parameter
whose ``grad`` is ``None`` is skipped by ``step()``: no weight decay, no momentum,
no Adam step count. :meth:`Optimizer.zero_grad` and :meth:`nn.Module.zero_grad` set
``None`` for Values and Tensors alike. A Value starts with ``grad = 0.0`` (the
engine's convention); the optimizer reads a Value's ``0.0`` at the moment it is
handed over as "no gradient yet" and sets it to ``None``, as a new Tensor's. (A
``0.0`` that a later ``backward()`` computes is a real gradient of zero: it is
used, as a Tensor's array of zeros is.)

**A step either completes or changes nothing.** Every new value (parameters and
the optimizer's state) is computed first; if any parameter would become NaN or
infinite the step raises ``FloatingPointError`` naming the parameter and whether
its gradient or the step size (``lr``) is to blame, and nothing is written.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Iterable, Iterator
from typing import Any

import numpy as np

from autograd import Tensor, Value
from autograd.backprop import lock

__all__ = ["SGD", "Adam", "AdamW", "Optimizer", "warmup_cosine"]


class Optimizer:
    """Base class: keeps the parameter list, validates it, and zeroes gradients.

    Subclasses implement :meth:`step`. Per-parameter state (momentum buffers,
    Adam's moments) lives in ``self.state``, a list aligned with ``self.params``.
    ``lr`` is checked when it is set (a finite number > 0), so a schedule that sets a
    bad one is refused at that line.
    """

    # The numbers a step reads that may change between steps (a learning-rate schedule,
    # Adam's step counts): autograd.compile reads these on every call, never freezing them.
    __compile_live__ = ("_lr", "state")

    def __init__(self, params: Iterable[Any], lr: float) -> None:
        self.params: list[Any] = list(params)
        if not self.params:
            raise ValueError(
                "optimizer got an empty parameter list; pass model.parameters() "
                "(did the model get built, and is this the right model?)"
            )
        seen: set[int] = set()
        for i, p in enumerate(self.params):
            if not (hasattr(p, "data") and hasattr(p, "grad")):
                raise TypeError(
                    f"optimizer: parameter {i} is a {type(p).__name__}, not a Value or Tensor "
                    "(it needs .data and .grad)"
                )
            if getattr(p, "_parents", ()):
                raise ValueError(
                    f"optimizer: parameter {i} was computed by op {getattr(p, '_op', '?')!r}; "
                    "only leaves (tensors made with requires_grad=True, Values you created) "
                    "can be parameters"
                )
            if id(p) in seen:
                raise ValueError(f"optimizer: parameter {i} appears twice in the parameter list")
            seen.add(id(p))
        self.lr = lr  # checked by the setter
        for p in self.params:  # after every check: a refused optimizer changes nothing
            if isinstance(p, Value) and type(p.grad) is float and p.grad == 0.0:
                p.grad = None  # a Value's starting 0.0: no gradient yet (see the module doc)
        self.weight_decay = 0.0  # subclasses that take weight_decay set it
        self.state: list[Any] = [None] * len(self.params)

    @property
    def lr(self) -> float:
        """The learning rate (step size) :math:`\\eta > 0`."""
        return self._lr

    @lr.setter
    def lr(self, value: float) -> None:
        self._lr = check_lr(value)

    def zero_grad(self) -> None:
        """Set every parameter's gradient to ``None`` ("no gradient"), Values and Tensors alike.

        Needed before each ``backward()`` because leaf gradients accumulate; a
        ``step()`` right after it changes nothing (there are no gradients).
        """
        for p in self.params:
            p.grad = None

    def step(self) -> None:
        """Update every parameter from its current ``.grad``."""
        raise NotImplementedError

    def _grads(self) -> Iterator[tuple[int, Any, Any]]:
        """``(index, param, g)`` for each param with a gradient; ``g = grad + weight_decay * w``.

        Weight decay is the gradient of the L2 penalty ``(weight_decay / 2) ||w||^2``.
        Parameters whose ``grad`` is ``None`` are skipped (no gradient computed).
        """
        wd = self.weight_decay
        for i, p in enumerate(self.params):
            g = p.grad
            if g is None:
                continue
            if isinstance(g, (Value, Tensor)):  # a gradient from backward(create_graph=True)
                g = g.data
            yield i, p, (g + wd * p.data if wd else g)

    def _commit(self, updates: list[tuple[int, Any, Any, Any]]) -> None:
        """Apply ``(index, param, delta, new state)`` for every update, ``data -= delta``,
        after checking every change is finite: a step that would make a parameter NaN
        or infinite raises ``FloatingPointError`` and changes nothing.

        (The weights are finite, as every step checks, so a finite ``delta`` keeps them
        finite, except for an array entry that overflows the float range in the
        subtraction, ``|delta|`` near half of it: that weight becomes infinite, and the
        next step refuses. Checking ``delta``, not the new weights,
        costs one pass over each parameter instead of two plus a copy.)"""
        for i, p, delta, _ in updates:  # a Value's new number is checked itself: it is free
            if not _finite(delta) or (type(p.data) is float and not math.isfinite(p.data - delta)):
                raise FloatingPointError(self._blame(i, p))
        for i, p, delta, state in updates:
            self.state[i] = state
            if isinstance(p.data, float):
                p.data = float(p.data - delta)
            else:
                p.data -= delta
                if isinstance(p, Tensor):
                    # Graphs that saved the old weights refuse backward() instead of
                    # mixing old and new numbers. (A Value's ops saved plain numbers.)
                    p._bump_version()

    def _blame(self, i: int, p: Any) -> str:
        """Why parameter ``i``'s update is not finite: its gradient, or the step size."""
        g = p.grad.data if isinstance(p.grad, (Value, Tensor)) else p.grad
        name = f"parameter {i}" + (f" ({p.label!r})" if getattr(p, "label", "") else "")
        if not _finite(g):
            cause = (
                "its gradient is not finite (a NaN or infinity from the loss or the "
                "backward pass: check the inputs and the loss)"
            )
        else:
            cause = f"the step overflowed (learning rate {self.lr:g} too large?)"
        return (
            f"{type(self).__name__}.step: the update would make {name} NaN or infinite: "
            f"{cause}; no parameter was changed"
        )

    def __repr__(self) -> str:
        return f"{type(self).__name__}({len(self.params)} parameters, lr={self.lr:g})"


def check_lr(lr: Any) -> float:
    """``lr`` as a float, or ``ValueError`` unless it is a finite number > 0 (not a bool)."""
    if type(lr) is float and 0 < lr < math.inf:  # every step asks: the common case first
        return lr
    if isinstance(lr, bool) or not isinstance(lr, numbers.Real) or not 0 < float(lr) < math.inf:
        raise ValueError(f"learning rate must be a finite number > 0, got lr={lr!r}")
    return float(lr)


def _in_range(x: Any, name: str, low: float, high: float, low_open: bool = False) -> float:
    """``x`` as a float if it is a real number (not a bool) in ``[low, high)`` (or
    ``(low, high)``), else ``ValueError`` naming the setting."""
    ok = isinstance(x, numbers.Real) and not isinstance(x, bool)
    if ok:
        v = float(x)
        ok = (low < v if low_open else low <= v) and v < high
    if not ok:
        bracket = "(" if low_open else "["
        raise ValueError(f"{name} must be a number in {bracket}{low:g}, {high:g}), got {x!r}")
    return float(x)


def _finite(x: Any) -> bool:
    """Whether a float or an array is entirely finite.

    For an array, one sum first (a single pass, no temporary array: this runs for
    every parameter at every step): NaN and infinities propagate through a sum, so a
    finite sum means every entry is finite. Only a sum that is not finite (which
    finite entries near the float limit can also give) is looked at entry by entry.
    """
    if isinstance(x, float):
        return math.isfinite(x)
    # x·x, one BLAS dot (vectorised: ~1 instruction per entry, a third of a sum's): a
    # NaN or infinity makes it non-finite; so can huge finite entries, looked at below.
    flat = x.reshape(-1)
    return bool(np.dot(flat, flat) < math.inf or np.isfinite(x).all())


class SGD(Optimizer):
    r"""Stochastic gradient descent, with optional momentum and weight decay.

    For each parameter :math:`w` with gradient :math:`g`:

    .. math::

        g &\leftarrow g + \lambda w   && \text{(weight decay } \lambda\text{)} \\
        v &\leftarrow \mu v + g       && \text{(momentum } \mu\text{; } v_0 = 0\text{)} \\
        w &\leftarrow w - \eta v      && \text{(learning rate } \eta\text{)}

    With ``momentum=0`` this is the series' rule :math:`w \leftarrow w - \eta
    \nabla C`: a step along the negative gradient. (The same convention as
    PyTorch's ``SGD``.) Parameters whose ``grad`` is ``None`` are skipped.

    Args:
        params: the parameters to update, e.g. ``model.parameters()``.
        lr: learning rate :math:`\eta > 0`.
        momentum: :math:`\mu \in [0, 1)`.
        weight_decay: :math:`\lambda \ge 0` (L2 penalty :math:`\tfrac\lambda2 \|w\|^2`).
    """

    def __init__(
        self,
        params: Iterable[Any],
        lr: float,
        momentum: float = 0.0,
        weight_decay: float = 0.0,
    ) -> None:
        # Every setting is checked before the base class touches the parameters.
        self.momentum = _in_range(momentum, "momentum", 0.0, 1.0)
        wd = _in_range(weight_decay, "weight_decay", 0.0, math.inf)
        super().__init__(params, lr)
        self.weight_decay = wd

    def step(self) -> None:
        """One update of every parameter from its ``.grad`` (the rule in the class docstring)."""
        lr, mu = self._lr, self.momentum
        # The lock: a step reads and writes every parameter and its state; steps from
        # several threads (or a step during another's backward()) take turns.
        with lock, np.errstate(over="ignore", invalid="ignore"):  # overflow: refused on commit
            updates = [self._sgd_update(i, p, g, lr, mu) for i, p, g in self._grads()]
            self._commit(updates)

    def _sgd_update(self, i: int, p: Any, g: Any, lr: float, mu: float) -> tuple[Any, ...]:
        """``(i, p, delta, new momentum buffer)`` for one parameter (nothing written)."""
        v = None
        if mu:
            v = self.state[i]
            # First step: v = g (a copy, so an array grad updated in place later does
            # not change the buffer); then a new buffer, written on commit.
            v = (g.copy() if hasattr(g, "copy") else g) if v is None else mu * v + g
            g = v
        return i, p, lr * g, v

    def __repr__(self) -> str:
        extra = ""
        if self.momentum:
            extra += f", momentum={self.momentum:g}"
        if self.weight_decay:
            extra += f", weight_decay={self.weight_decay:g}"
        return f"SGD({len(self.params)} parameters, lr={self.lr:g}{extra})"


# Adam (and any other optimizer) subclasses Optimizer below, using self.state for its moments.


class Adam(Optimizer):
    r"""Adam: per-parameter step sizes from running averages of the gradient and its square.

    For each parameter :math:`w` with gradient :math:`g`, at step :math:`t = 1, 2, \dots`:

    .. math::

        g &\leftarrow g + \lambda w                         && \text{(weight decay, L2)} \\
        m &\leftarrow \beta_1 m + (1 - \beta_1) g            && \text{(mean of } g\text{)} \\
        v &\leftarrow \beta_2 v + (1 - \beta_2) g^2          && \text{(mean of } g^2\text{)} \\
        w &\leftarrow w - \eta \, \frac{m / (1 - \beta_1^t)}{\sqrt{v / (1 - \beta_2^t)} + \epsilon}

    (Kingma & Ba, 2015; the same as PyTorch's ``Adam``.) Works on Values and on
    Tensors (arrays updated in place). Parameters whose ``grad`` is ``None`` are
    skipped and do not advance their step count.
    """

    def __init__(
        self,
        params: Iterable[Any],
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0.0,
    ) -> None:
        # Every setting is checked before the base class touches the parameters.
        b1, b2 = betas
        self.betas = (_in_range(b1, "betas[0]", 0.0, 1.0), _in_range(b2, "betas[1]", 0.0, 1.0))
        self.eps = _in_range(eps, "eps", 0.0, math.inf, low_open=True)
        wd = _in_range(weight_decay, "weight_decay", 0.0, math.inf)
        super().__init__(params, lr)
        self.weight_decay = wd

    def step(self) -> None:
        """One Adam update of every parameter from its ``.grad`` (rule in the class docstring)."""
        lr, (b1, b2), eps = self._lr, self.betas, self.eps
        updates = []
        # The lock: a step reads and writes every parameter and its state; steps from
        # several threads (or a step during another's backward()) take turns.
        with lock, np.errstate(over="ignore", invalid="ignore"):  # overflow: refused on commit
            for i, p, g in self._grads():
                t, m, v = self.state[i] or (0, g * 0.0, g * 0.0)  # fresh moments, g's dtype
                t += 1
                m = b1 * m + (1.0 - b1) * g
                v = b2 * v + (1.0 - b2) * (g * g)
                step_size = lr / (1.0 - b1**t)
                denom = (v / (1.0 - b2**t)) ** 0.5 + eps
                delta = self._decoupled(i, p, step_size * m / denom, lr)
                updates.append((i, p, delta, (t, m, v)))
            self._commit(updates)

    def _decoupled(self, i: int, p: Any, delta: Any, lr: float) -> Any:
        """The step ``delta`` plus any decoupled weight decay (:class:`AdamW`'s; none here)."""
        return delta

    def __repr__(self) -> str:
        extra = f", weight_decay={self.weight_decay:g}" if self.weight_decay else ""
        return (
            f"Adam({len(self.params)} parameters, lr={self.lr:g}, betas={self.betas}, "
            f"eps={self.eps:g}{extra})"
        )


class AdamW(Adam):
    r"""Adam with *decoupled* weight decay (Loshchilov & Hutter, 2019; PyTorch's ``AdamW``).

    The Adam step of :class:`Adam` (with no L2 term in the gradient), and each weight
    shrinks by a fixed fraction of itself, outside the adaptive scaling:

    .. math::

        w \leftarrow w - \eta \left( \frac{\hat m}{\sqrt{\hat v} + \epsilon}
                                   + \lambda w \right)

    (with L2 in :class:`Adam`, the decay is divided by :math:`\sqrt{\hat v}` like the
    gradient, so weights with large gradients are hardly decayed at all).

    Args:
        params, lr, betas, eps: as for :class:`Adam`.
        weight_decay: :math:`\lambda \ge 0` (default 0.01, as PyTorch's).
        no_decay: parameters among ``params`` that are not decayed (biases and
            LayerNorm gains, usually: :meth:`nn.gpt.GPT.no_decay_parameters`).

    Raises:
        ValueError: a setting out of range, or a ``no_decay`` parameter that is not one of
            ``params``.
    """

    def __init__(
        self,
        params: Iterable[Any],
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0.01,
        no_decay: Iterable[Any] = (),
    ) -> None:
        wd = _in_range(weight_decay, "weight_decay", 0.0, math.inf)
        super().__init__(params, lr, betas, eps, 0.0)  # no L2 term in the gradient
        skip = {id(p) for p in no_decay}
        unknown = skip - {id(p) for p in self.params}
        if unknown:
            raise ValueError(
                f"AdamW: {len(unknown)} no_decay parameter(s) are not among the parameters"
            )
        self.decoupled_weight_decay = wd
        self._decays = [id(p) not in skip for p in self.params]

    def _decoupled(self, i: int, p: Any, delta: Any, lr: float) -> Any:
        wd = self.decoupled_weight_decay
        return delta + (lr * wd) * p.data if wd and self._decays[i] else delta

    def __repr__(self) -> str:
        kept = sum(self._decays)
        return (
            f"AdamW({len(self.params)} parameters, lr={self.lr:g}, betas={self.betas}, "
            f"eps={self.eps:g}, weight_decay={self.decoupled_weight_decay:g} on {kept})"
        )


def warmup_cosine(
    step: int, *, max_lr: float, warmup_steps: int, total_steps: int, min_lr: float = 0.0
) -> float:
    r"""The learning rate at ``step`` (0-based): a linear warm-up, then a cosine decay.

    .. math::

        \eta(s) = \begin{cases}
            \eta_{max} \, \frac{s + 1}{W} & s < W \\
            \eta_{min} + \tfrac12 (\eta_{max} - \eta_{min})
                (1 + \cos(\pi \frac{s - W}{S - W})) & W \le s < S \\
            \eta_{min} & s \ge S
        \end{cases}

    (``W = warmup_steps``, ``S = total_steps``.) Warm-up keeps the first steps, taken
    while Adam's moment estimates are still poor, small; the decay lets the last steps
    settle. Set it before each step: ``opt.lr = warmup_cosine(step, ...)``.

    Raises:
        ValueError: ``step`` or ``warmup_steps`` < 0, ``total_steps`` <= ``warmup_steps``,
            or rates that are not ``0 <= min_lr <= max_lr`` (``max_lr`` > 0, finite).
    """
    check_lr(max_lr)
    if not 0 <= min_lr <= max_lr:
        raise ValueError(f"warmup_cosine: need 0 <= min_lr <= max_lr, got {min_lr!r}, {max_lr!r}")
    if step < 0 or warmup_steps < 0 or total_steps <= warmup_steps:
        raise ValueError(
            "warmup_cosine: need step >= 0 and 0 <= warmup_steps < total_steps, got "
            f"step={step!r}, warmup_steps={warmup_steps!r}, total_steps={total_steps!r}"
        )
    if step < warmup_steps:
        return float(max_lr * (step + 1) / warmup_steps)
    if step >= total_steps:
        return float(min_lr)
    progress = (step - warmup_steps) / (total_steps - warmup_steps)
    return float(min_lr + 0.5 * (max_lr - min_lr) * (1.0 + math.cos(math.pi * progress)))
