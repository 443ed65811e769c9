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
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from autograd import Tensor, Value

__all__ = ["SGD", "Adam", "Optimizer"]


class Optimizer:
    """Base class: keeps the parameter list, validates it, and zeroes gradients.

    Subclasses implement :meth:`step`. Per-parameter state (momentum buffers,
    Adam's moments) lives in ``self.state``, a list aligned with ``self.params``.
    """

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
        if not isinstance(lr, (int, float)) or isinstance(lr, bool) or not lr > 0:
            raise ValueError(f"learning rate must be a positive number, got lr={lr!r}")
        self.lr = float(lr)
        self.weight_decay = 0.0  # subclasses that take weight_decay set it
        self.state: list[Any] = [None] * len(self.params)

    def zero_grad(self) -> None:
        """Reset every parameter's gradient (``0.0`` for a Value, ``None`` for a Tensor).

        Needed before each ``backward()`` because leaf gradients accumulate.
        """
        for p in self.params:
            p.grad = 0.0 if isinstance(p, Value) else None

    def step(self) -> None:
        """Update every parameter from its current ``.grad``."""
        raise NotImplementedError

    def _grads(self) -> Iterator[tuple[int, Any, Any]]:
        """``(index, param, g)`` for each param with a gradient; ``g = grad + weight_decay * w``.

        Weight decay is the gradient of the L2 penalty ``(weight_decay / 2) ||w||^2``.
        """
        wd = self.weight_decay
        for i, p in enumerate(self.params):
            g = p.grad
            if g is None:
                continue
            if isinstance(g, (Value, Tensor)):  # a gradient from backward(create_graph=True)
                g = g.data
            yield i, p, (g + wd * p.data if wd else g)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({len(self.params)} parameters, lr={self.lr:g})"


def _update(p: Any, delta: Any) -> None:
    """``p.data -= delta``: a new float for a Value, in place for an array.

    An in-place write bumps the Tensor's version, so a graph that saved the old
    weights refuses to run ``backward()`` instead of mixing old and new numbers.
    (A Value's ops saved plain numbers at forward time: nothing to track.)
    """
    if isinstance(p.data, float):
        p.data = p.data - (delta.item() if isinstance(delta, Value) else float(delta))
    else:
        p.data -= delta
        if isinstance(p, Tensor):
            p._bump_version()


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
        super().__init__(params, lr)
        if not 0.0 <= momentum < 1.0:
            raise ValueError(f"momentum must be in [0, 1), got momentum={momentum!r}")
        if not weight_decay >= 0.0:
            raise ValueError(f"weight_decay must be >= 0, got weight_decay={weight_decay!r}")
        self.momentum = float(momentum)
        self.weight_decay = float(weight_decay)

    def step(self) -> None:
        """One update of every parameter from its ``.grad`` (the rule in the class docstring)."""
        lr, mu = self.lr, self.momentum
        for i, p, g in self._grads():
            if mu:
                v = self.state[i]
                # First step: v = g (a copy, so an array grad updated in place later
                # does not change the buffer).
                v = (g.copy() if hasattr(g, "copy") else g) if v is None else mu * v + g
                self.state[i] = v
                g = v
            _update(p, lr * g)

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
        super().__init__(params, lr)
        b1, b2 = betas
        if not (0.0 <= b1 < 1.0 and 0.0 <= b2 < 1.0):
            raise ValueError(f"betas must each be in [0, 1), got betas={betas!r}")
        if not eps > 0.0:
            raise ValueError(f"eps must be > 0, got eps={eps!r}")
        if not weight_decay >= 0.0:
            raise ValueError(f"weight_decay must be >= 0, got weight_decay={weight_decay!r}")
        self.betas = (float(b1), float(b2))
        self.eps = float(eps)
        self.weight_decay = float(weight_decay)

    def step(self) -> None:
        """One Adam update of every parameter from its ``.grad`` (rule in the class docstring)."""
        lr, (b1, b2), eps = self.lr, self.betas, self.eps
        for i, p, g in self._grads():
            state = self.state[i]
            if state is None:
                state = self.state[i] = [0, g * 0.0, g * 0.0]  # t, m, v (fresh, own dtype)
            state[0] += 1
            t = state[0]
            m = state[1] = b1 * state[1] + (1.0 - b1) * g
            v = state[2] = b2 * state[2] + (1.0 - b2) * (g * g)
            step_size = lr / (1.0 - b1**t)
            denom = (v / (1.0 - b2**t)) ** 0.5 + eps
            _update(p, step_size * m / denom)

    def __repr__(self) -> str:
        extra = f", weight_decay={self.weight_decay:g}" if self.weight_decay else ""
        return (
            f"Adam({len(self.params)} parameters, lr={self.lr:g}, betas={self.betas}, "
            f"eps={self.eps:g}{extra})"
        )
