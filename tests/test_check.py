"""gradcheck: passes on right gradients, reports wrong ones, and names the wrong op."""

from __future__ import annotations

import doctest
import math
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

from autograd import (
    GradcheckError,
    GradcheckResult,
    Tensor,
    Value,
    backprop,
    grad_mode,
    gradcheck,
    no_grad,
)
from autograd.checking.gradcheck import check_local_derivatives


def corrupt(node: Value, *local: float) -> Value:
    """Overwrite a node's stored local derivatives (when a graph is being recorded)."""
    if node._parents:
        node._local = local
    return node


def xy() -> list[Value]:
    return [Value(0.7, label="x"), Value(-1.3, label="y")]


# ------------------------------------------------------------------ passing


def test_gradcheck_passes_on_correct_gradients() -> None:
    result = gradcheck(lambda x, y: (x * y).tanh() + x.exp() / (y * y + 1) - y.sigmoid(), xy())
    assert isinstance(result, GradcheckResult)
    assert result.ok and bool(result) and result.mismatches == ()
    assert result.checked == 2 and result.max_abs_diff < 1e-8
    assert result.report().startswith("gradcheck passed: 2 gradient entries agree")


def test_gradcheck_accepts_a_single_input_and_every_op() -> None:
    x = Value(1.3, label="x")
    ops: list[Callable[[Value], Value]] = [
        lambda x: x + 2, lambda x: 2 + x, lambda x: x - 2, lambda x: 2 - x, lambda x: 3 * x,
        lambda x: x / 3, lambda x: 3 / x, lambda x: x**3, lambda x: x**0.5, lambda x: 2**x,
        lambda x: x**x, lambda x: -x, lambda x: x.exp(), lambda x: x.log(), lambda x: x.tanh(),
        lambda x: x.sigmoid(), lambda x: x.relu(),
    ]  # fmt: skip
    for op in ops:
        assert gradcheck(op, x).ok


def test_gradcheck_restores_inputs_grad_and_data() -> None:
    x, y = xy()
    x.grad, y.grad = 5.0, -1.0
    gradcheck(lambda x, y: x * y, [x, y])
    assert (x.data, y.data, x.grad, y.grad) == (0.7, -1.3, 5.0, -1.0)
    with pytest.raises(GradcheckError):
        gradcheck(lambda x, y: corrupt(x * y, 1.0, 1.0), [x, y])
    assert (x.data, y.data, x.grad, y.grad) == (0.7, -1.3, 5.0, -1.0)


def test_gradcheck_works_inside_no_grad() -> None:
    with no_grad():
        assert gradcheck(lambda x: x * x, Value(3.0)).ok
        assert not grad_mode.is_grad_enabled()


def test_rounding_noise_of_f_is_not_reported_as_a_bug() -> None:
    # f(x) = (x + 1e9) - 1e9: the sum rounds to ~1e-7, so the finite difference is
    # only good to ~0.1, though the gradient (1) is exact. The roundoff estimate
    # u * sum |grad * data| over the ops covers that; a real error is still caught.
    big = Value(1e9)
    result = gradcheck(lambda x: (x + big) - big, Value(0.123))
    assert result.ok and result.roundoff > 1e-8
    with pytest.raises(GradcheckError):
        gradcheck(
            lambda x: corrupt((x + big) - big, 1.0, -1.0) * 1.5 + corrupt(x * 2, 3.0), Value(0.123)
        )


# ------------------------------------------------------------------ failing


def test_failure_names_input_index_label_and_both_gradients() -> None:
    x, y = xy()
    with pytest.raises(GradcheckError) as info:
        # d(x*y)/dy stored as 1 instead of x; x's gradient (y) is right
        gradcheck(lambda x, y: corrupt(x * y, y.data, 1.0), [x, y])
    err = info.value
    assert isinstance(err, AssertionError)
    msg = str(err)
    assert msg.startswith("gradcheck failed: 1 of 2 gradient entries disagree")
    assert "input 1 'y': analytic 1, numeric 0.7, abs diff 0.3, rel diff 0.3" in msg
    assert "abs diff 0.3, rel diff 0.3" in msg
    assert "input 0" not in msg
    (m,) = err.result.mismatches
    assert (m.index, m.label, m.element) == (1, "y", None)
    assert m.analytic == 1.0 and m.numeric == pytest.approx(0.7)
    assert m.abs_diff == pytest.approx(0.3) and m.rel_diff == pytest.approx(0.3)


def test_raise_exception_false_returns_the_result() -> None:
    result = gradcheck(lambda x, y: corrupt(x * y, 0.0, 0.0), xy(), raise_exception=False)
    assert not result.ok and not result
    assert [m.index for m in result.mismatches] == [0, 1]
    assert result.culprit is not None and result.culprit.op == "*"
    assert "gradcheck failed: 2 of 2" in result.report() == str(result)


def test_localization_names_the_first_wrong_op_in_topological_order() -> None:
    def f(x: Value, y: Value) -> Value:
        a = x * y  # fine
        b = corrupt(a.tanh(), 0.5)  # wrong: the first bad op
        c = corrupt(b.exp(), 2.0)  # also wrong, but later
        return c + a

    with pytest.raises(GradcheckError) as info:
        gradcheck(f, xy())
    result = info.value.result
    culprit = result.culprit
    assert culprit is not None
    assert (culprit.op, culprit.kind, culprit.parent, culprit.stored) == (
        "tanh",
        "derivative",
        0,
        0.5,
    )
    t = math.tanh(0.7 * -1.3)
    assert culprit.expected == pytest.approx(1 - t * t)
    assert [m.op for m in result.op_mismatches] == ["tanh", "exp"]
    msg = str(info.value)
    assert "First op in the graph (inputs first) that disagrees" in msg
    assert "op 'tanh' (node 3 in topological order" in msg
    assert "stored local derivative d out/d arg0 = 0.5, numerical 0.47996827 at arg0 = -0.91" in msg
    assert "check the local derivative of 'tanh'" in msg
    assert "later ops that also disagree: 'exp'" in msg


def test_localization_finds_a_wrong_derivative_written_by_a_learner(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def my_sigmoid(self: Value) -> Value:
        s = 1 / (1 + math.exp(-self.data))
        return Value._node(
            s, "sigmoid", (self,), lambda a, s: (s * s,)
        )  # bug: should be s * (1 - s)

    monkeypatch.setattr(Value, "sigmoid", my_sigmoid)
    with pytest.raises(
        GradcheckError, match=r"op 'sigmoid' .*check the local derivative of 'sigmoid'"
    ):
        gradcheck(lambda x, y: (x * y + 1).sigmoid() * y, xy())


def test_localization_points_at_the_right_argument_of_a_binary_op(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def my_mul(self: Value, other: Any) -> Value:
        o = other if isinstance(other, Value) else Value(other)
        return Value._node(
            self.data * o.data, "*", (self, o), lambda a, b, out: (b, b)
        )  # bug in d/db

    monkeypatch.setattr(Value, "__mul__", my_mul)
    result = gradcheck(lambda x, y: (x + 1) * y, xy(), raise_exception=False)
    assert result.culprit is not None
    assert (result.culprit.op, result.culprit.parent) == ("*", 1)
    assert "d out/d arg1 = -1.3, numerical 1.7" in str(result)


@pytest.mark.parametrize(
    ("op", "build", "wrong"),
    [
        ("**3", lambda x: x**3, 1.0),
        ("**0.25", lambda x: x**0.25, 1.0),
        ("**", lambda x: x ** (x + 1), 0.0),
        ("/", lambda x: 1 / x, 5.0),
        ("log", lambda x: x.log(), 2.0),
        ("relu", lambda x: x.relu(), 0.0),
        ("neg", lambda x: -x, 1.0),
    ],
)
def test_localization_knows_every_op(
    op: str, build: Callable[[Value], Value], wrong: float
) -> None:
    def f(x: Value) -> Value:
        out = build(x)
        return corrupt(out, *((wrong,) * len(out._parents))) * 1.0

    result = gradcheck(f, Value(1.7, label="x"), raise_exception=False)
    assert not result.ok
    assert result.culprit is not None and result.culprit.op == op


def test_a_wrong_forward_value_is_reported_as_such(monkeypatch: pytest.MonkeyPatch) -> None:
    def my_exp(self: Value) -> Value:
        y = math.exp(self.data)
        return Value._node(1.01 * y, "exp", (self,), lambda a, out: (y,))  # forward off by 1%

    monkeypatch.setattr(Value, "exp", my_exp)
    result = gradcheck(lambda x: x.exp() * 2, Value(0.5), raise_exception=False)
    assert result.culprit is not None and result.culprit.kind == "forward"
    assert "check the forward computation of 'exp'" in str(result)


def test_when_every_op_is_right_the_report_says_to_look_at_propagation(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def my_propagate(self: Value) -> None:  # bug: only the first parent gets its share
        self._parents[0].grad += self._local[0] * self.grad

    monkeypatch.setattr(Value, "_propagate", my_propagate)
    result = gradcheck(lambda x, y: x * y, xy(), raise_exception=False)
    assert not result.ok and result.culprit is None
    assert "look at how gradients are propagated (_propagate)" in str(result)


def test_unknown_ops_are_listed_as_not_checked() -> None:
    def sin(x: Value) -> Value:
        return Value._node(
            math.sin(x.data), "sin", (x,), lambda a, out: (2.0,)
        )  # wrong, and unknown

    result = gradcheck(lambda x: sin(x) * 3, Value(0.4), raise_exception=False)
    assert not result.ok and result.culprit is None and result.unchecked_ops == ("sin",)
    assert "Ops not checked (unknown to the op table): ['sin']" in str(result)


def test_check_local_derivatives_on_a_built_graph() -> None:
    x = Value(0.3)
    y = (x * 2).tanh()
    assert check_local_derivatives(y) == []
    y._local = (0.1,)
    assert [m.op for m in check_local_derivatives(y)] == ["tanh"]


def test_a_function_that_ignores_its_inputs_data_fails() -> None:
    x = Value(2.0, label="x")
    fixed = x * x  # built once: re-evaluating cannot see the nudged input
    result = gradcheck(lambda x: fixed, x, raise_exception=False)
    assert not result.ok and result.mismatches[0].numeric == 0.0


# --------------------------------------------------------------- bad calls


def test_bad_arguments_are_reported() -> None:
    x = Value(1.0)
    with pytest.raises(ValueError, match="inputs is empty"):
        gradcheck(lambda: x, [])
    with pytest.raises(TypeError, match=r"input 1 must be a node .* got float: 2\.0"):
        gradcheck(lambda a, b: a, [x, 2.0])
    with pytest.raises(TypeError, match=r"f must return a scalar node .* got float"):
        gradcheck(lambda a: 3.0, [x])
    with pytest.raises(ValueError, match="eps must be a positive finite number"):
        gradcheck(lambda a: a, [x], eps=0.0)
    with pytest.raises(ValueError, match="rtol and atol must be >= 0"):
        gradcheck(lambda a: a, [x], atol=-1.0)


def test_inputs_that_do_not_require_grad_are_skipped() -> None:
    w, v = Arr([1.0, 2.0], label="w"), Arr([3.0, -1.0], label="v")
    v.requires_grad = False
    assert gradcheck(lambda w, v: (w * v).sum(), [w, v]).checked == 2
    w.requires_grad = False
    with pytest.raises(ValueError, match="no input requires grad"):
        gradcheck(lambda w, v: (w * v).sum(), [w, v])


def test_docstring_examples_run() -> None:
    import autograd.checking.gradcheck
    import autograd.checking.strategies

    for module in (autograd.checking.gradcheck, autograd.checking.strategies):
        assert doctest.testmod(module).failed == 0


def test_an_error_while_nudging_names_the_input_and_eps() -> None:
    with pytest.raises(ValueError, match=r"gradcheck: f raised while evaluating input 0 - eps"):
        gradcheck(lambda a: a.log(), Value(1e-7), eps=1e-6)


# ------------------------------------------------------------ array inputs


class Arr:
    """A minimal array node (the Tensor protocol) to test gradcheck's array path."""

    def __init__(self, data: Any, parents: tuple[Arr, ...] = (), vjps: tuple = (), label: str = ""):
        self.data = np.asarray(data, dtype=np.float64)
        self.grad: Any = None
        self.requires_grad = True
        self.label = label
        self._parents = parents
        self._vjps = vjps

    def _propagate(self) -> None:
        for p, vjp in zip(self._parents, self._vjps, strict=True):
            g = vjp(self.grad)
            p.grad = g if p.grad is None else p.grad + g

    def backward(self) -> None:
        backprop.backward(self, np.ones_like(self.data), None)

    def __mul__(self, other: Arr) -> Arr:
        a, b = self.data, other.data
        return Arr(a * b, (self, other), (lambda g: g * b, lambda g: g * a))

    def square_with_a_bug(self) -> Arr:
        a = self.data

        def vjp(g: Any) -> Any:
            out = 2 * a * g
            out[1, 0] *= 3  # wrong in one element
            return out

        return Arr(a * a, (self,), (vjp,))

    def sum(self) -> Arr:
        shape = self.data.shape
        return Arr(self.data.sum(), (self,), (lambda g: np.broadcast_to(g, shape),))


def test_array_inputs_are_checked_element_by_element() -> None:
    w = Arr(np.arange(6.0).reshape(3, 2) / 4 - 0.6, label="W")
    v = Arr([[1.5, -2.0], [0.5, 1.0], [-1.0, 2.5]], label="v")
    assert gradcheck(lambda w, v: (w * v).sum(), [w, v]).checked == 12
    with pytest.raises(GradcheckError) as info:
        gradcheck(lambda w, v: (w.square_with_a_bug() * v).sum(), [w, v])
    msg = str(info.value)
    assert "1 of 12 gradient entries disagree" in msg
    assert "input 0 'W' element (1, 0): analytic" in msg
    assert "only the inputs are reported" in msg
    assert w.grad is None and v.grad is None  # restored


def test_array_inputs_must_be_float64() -> None:
    w = Arr([1.0, 2.0])
    w.data = w.data.astype(np.float32)
    with pytest.raises(TypeError, match=r"input 0 has dtype float32; .* need float64"):
        gradcheck(lambda w: w.sum(), [w])


def test_gradcheck_on_tensors() -> None:
    tensor = pytest.importorskip("autograd.tensor")
    rng = np.random.default_rng(0)
    a = tensor.Tensor(rng.normal(size=(3, 4)), requires_grad=True, label="a")
    b = tensor.Tensor(rng.normal(size=(4,)), requires_grad=True, label="b")
    c = tensor.Tensor(rng.normal(size=(2, 3)))  # a constant: not an input
    assert gradcheck(lambda a, b: (c @ (a * b).tanh()).sigmoid().sum(), [a, b]).checked == 16
    with pytest.raises(
        ValueError, match=r"f must return a scalar; got an array node of shape \(3, 4\)"
    ):
        gradcheck(lambda a, b: a * b, [a, b])


def test_every_value_op_is_known_to_the_checkers_by_an_independent_reference() -> None:
    """The op list comes from the engine's registry; the math they check against does not."""
    from autograd.checking.conformance.ops import math_of
    from autograd.checking.gradcheck import REFERENCE
    from autograd.checking.strategies import OPS as DRAWN
    from autograd.value import OPS

    assert set(DRAWN) == set(OPS)
    assert set(REFERENCE) == set(OPS) - {"**n"}  # "**3" is REFERENCE["**"] with n = 3
    for name, op in OPS.items():
        _, derivatives = math_of(name, 0.7, 2.0 if len(op.formulas) == 2 else 3.0)
        assert len(derivatives) == len(op.formulas), name


def test_a_repeated_input_is_checked_at_each_position() -> None:
    x = Value(0.5, label="x")
    assert gradcheck(lambda a, b: (a * b).tanh(), [x, x]).checked == 2
    assert gradcheck(lambda a, b: (a * b).tanh(), [x, x], order=2).checked == 4


def test_a_right_sigmoid_far_in_its_tail_is_not_blamed() -> None:
    """The reference sigmoid keeps its relative accuracy at -40 (e^-40 ~ 4e-18)."""
    result = gradcheck(
        lambda x, w: x.sigmoid() * 1e18 + w * w.data,
        [Value(-40.0), Value(3.0)],
        atol=0,
        rtol=1e-9,
        raise_exception=False,
    )
    assert result.culprit is None or result.culprit.op != "sigmoid"


# ------------------------------------------------------------------ noise never hides a bug
def tanh_off_by(factor: float, name: str = "tanh") -> Callable[[Value], Value]:
    """tanh whose stored derivative is ``factor`` times the right one."""

    def op(x: Value) -> Value:
        t = math.tanh(x.data)
        return Value._node(t, name, (x,), d=lambda a, out: ((1 - out * out) * factor,))

    return op


@pytest.mark.parametrize("x0", [0.3, 1.0, -0.7])
def test_a_wrong_derivative_inside_cancelling_large_terms_fails(x0: float) -> None:
    # x*1e10 - x*1e10 makes f's rounding noise ~1 at eps=1e-6: a tanh derivative 10 %
    # off used to pass inside it. The op-by-op check (no cancellation there) names it.
    bad = tanh_off_by(1.1)
    result = gradcheck(lambda x: bad(x) + x * 1e10 - x * 1e10, Value(x0), raise_exception=False)
    assert not result.ok and result.culprit is not None and result.culprit.op == "tanh"
    with pytest.raises(GradcheckError, match="local derivative of 'tanh'"):
        gradcheck(lambda x: bad(x) + x * 1e10 - x * 1e10, Value(x0))
    # ... and the right derivative in the same noise still passes.
    assert gradcheck(lambda x: x.tanh() + x * 1e10 - x * 1e10, Value(x0)).ok


def test_noise_with_no_op_check_to_decide_is_undecided_never_a_pass() -> None:
    # An op the table does not know, and a Tensor graph: nothing checks the ops one by
    # one, so an entry inside the noise is reported as undecided (not ok), saying why.
    bad = tanh_off_by(1.1, name="my_tanh")
    result = gradcheck(lambda x: bad(x) + x * 1e10 - x * 1e10, Value(0.3), raise_exception=False)
    assert not result.ok and not result.mismatches and len(result.undecided) == 1
    assert "cannot decide" in str(result) and "my_tanh" in str(result)
    with pytest.raises(GradcheckError, match="cannot decide at this input"):
        gradcheck(lambda x: bad(x) + x * 1e10 - x * 1e10, Value(0.3))
    t = Tensor(np.array([0.3, 1.0]), requires_grad=True)
    result = gradcheck(lambda t: (t.tanh() + t * 1e10 - t * 1e10).sum(), [t], raise_exception=False)
    assert not result.ok and len(result.undecided) == 2
    assert "only Value graphs are checked op by op" in str(result)
    # Smaller intermediate values: decided, and right.
    assert gradcheck(lambda t: (t.tanh() + t * 10.0 - t * 10.0).sum(), [t]).ok
