"""Training calls in any order give the defined gradient or a clear error, not a wrong one.

A Hypothesis state machine drives a small Tensor model through forward passes,
``backward()``, optimizer steps, ``zero_grad()``, ``load_state_dict()`` and
``no_grad()`` forwards, in any order. The model of what must happen is the
semantics in :func:`autograd.backprop.backward`'s docstring: leaves accumulate, and
a ``backward()`` adds the gradient of its loss *as computed in its forward pass*
(checked against central finite differences at the weights of that pass), unless
a weight the pass saved was changed in place since, which must be a
``RuntimeError`` naming the change.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import Bundle, RuleBasedStateMachine, invariant, rule

import nn
from autograd import Tensor, no_grad

X = np.array([[0.5, -1.0], [1.5, 0.25], [-0.75, 2.0]])
T = np.array([[1.0], [0.0], [0.5]])
NAMES = ["0.weight", "0.bias", "2.weight", "2.bias"]
SAVED = ["0.weight", "2.weight"]  # the fused linear nodes read W, not b


def make_model() -> nn.Sequential:
    return nn.Sequential(
        nn.Linear(2, 2, seed=0, dtype=np.float64),
        nn.Tanh(),
        nn.Linear(2, 1, seed=1, dtype=np.float64),
    )


def loss_of(model: nn.Sequential, kind: str) -> Tensor:
    out = model(X)
    return nn.mse(out, T) if kind == "mse" else (out * out).sum()


def fd_gradient(state: dict[str, np.ndarray], kind: str) -> dict[str, np.ndarray]:
    """Central differences of the loss at the weights ``state`` (a fresh model, float64)."""
    model = make_model()
    grads = {}
    for name in NAMES:
        g = np.zeros_like(state[name])
        for idx in np.ndindex(g.shape):
            vals = []
            for sign in (1.0, -1.0):
                s = {k: v.copy() for k, v in state.items()}
                s[name][idx] += sign * 1e-6
                model.load_state_dict(s)
                with no_grad():
                    vals.append(float(loss_of(model, kind).data))
            g[idx] = (vals[0] - vals[1]) / 2e-6
        grads[name] = g
    return grads


@dataclass
class Pass:
    loss: Tensor
    kind: str
    state: dict[str, np.ndarray]  # the weights of the forward pass
    versions: dict[str, int]  # how often each parameter had been written, then
    recorded: bool


class TrainingCalls(RuleBasedStateMachine):
    passes = Bundle("passes")

    def __init__(self) -> None:
        super().__init__()
        self.model = make_model()
        self.params = dict(self.model.named_parameters())
        self.opt = nn.SGD(self.model.parameters(), lr=0.1, momentum=0.5)
        self.expected: dict[str, np.ndarray | None] = dict.fromkeys(NAMES)
        self.writes = dict.fromkeys(NAMES, 0)

    def _pass(self, kind: str, recorded: bool) -> Pass:
        state = {k: v.copy() for k, v in self.model.state_dict().items()}
        if recorded:
            loss = loss_of(self.model, kind)
        else:
            with no_grad():
                loss = loss_of(self.model, kind)
        return Pass(loss, kind, state, dict(self.writes), recorded)

    @rule(target=passes, kind=st.sampled_from(["mse", "sumsq"]))
    def forward(self, kind: str) -> Pass:
        return self._pass(kind, recorded=True)

    @rule(target=passes, kind=st.sampled_from(["mse", "sumsq"]))
    def forward_under_no_grad(self, kind: str) -> Pass:
        return self._pass(kind, recorded=False)

    @rule(p=passes)
    def backward(self, p: Pass) -> None:
        stale = [n for n in SAVED if self.writes[n] != p.versions[n]]
        try:
            p.loss.backward()
        except RuntimeError as err:
            msg = str(err)
            if not p.recorded:
                assert "does not require grad" in msg
            else:
                assert stale and "changed in place" in msg, msg
            return
        assert p.recorded and not stale, "a backward() that should have been refused ran"
        for name, g in fd_gradient(p.state, p.kind).items():
            before = self.expected[name]
            self.expected[name] = g if before is None else before + g

    @rule()
    def step(self) -> None:
        for name, p in self.params.items():
            if p.grad is not None:
                self.writes[name] += 1
        self.opt.step()

    @rule()
    def zero_grad(self) -> None:
        self.opt.zero_grad() if self.writes["0.bias"] % 2 else self.model.zero_grad()
        self.expected = dict.fromkeys(NAMES)

    @rule(scale=st.sampled_from([0.5, -1.0, 2.0]))
    def load_state_dict(self, scale: float) -> None:
        self.model.load_state_dict({k: v * scale for k, v in self.model.state_dict().items()})
        for name in NAMES:
            self.writes[name] += 1

    @invariant()
    def gradients_are_the_defined_ones(self) -> None:
        for name, p in self.params.items():
            want = self.expected[name]
            if want is None:
                assert p.grad is None, name
            else:
                assert p.grad is not None, name
                np.testing.assert_allclose(p.grad, want, rtol=1e-6, atol=1e-8, err_msg=name)


TrainingCalls.TestCase.settings = settings(max_examples=60, stateful_step_count=12, deadline=None)
test_training_calls = TrainingCalls.TestCase
