"""The scalar engine: ops, derivatives against closed forms, backward semantics, errors.

Derivatives here are checked against formulas written out with ``math`` (the
calculus a learner would do by hand), never against the engine itself; the
random-graph test checks the whole engine against finite differences.
"""

from __future__ import annotations

import math
import sys
from collections.abc import Callable

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from autograd import Value, gradcheck, is_grad_enabled, no_grad
from autograd.checking.strategies import expressions, finite_floats, positive_floats


def grad_of(build: Callable[[Value], Value], x: float) -> float:
    """d build(x) / dx from one backward pass."""
    v = Value(x)
    build(v).backward()
    return v.grad


def close(a: float, b: float, rel: float = 1e-12) -> bool:
    return math.isclose(a, b, rel_tol=rel, abs_tol=1e-300)


# ------------------------------------------------------------- construction


def test_value_holds_a_float_and_starts_with_zero_grad() -> None:
    v = Value(3, label="w")
    assert v.data == 3.0 and type(v.data) is float
    assert v.grad == 0.0 and v.label == "w"
    assert v._parents == () and v._op == ""


@pytest.mark.parametrize("data", [np.float32(1.5), np.float64(-2.0), np.int64(7), 10**20])
def test_value_accepts_real_numbers(data: object) -> None:
    assert Value(data).data == float(data)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("data", "name"),
    [
        ("a", "str"),
        (None, "NoneType"),
        ([1.0], "list"),
        (1 + 2j, "complex"),
        (np.ones(2), "ndarray"),
    ],
)
def test_value_rejects_non_numbers_with_type_error_naming_the_type(data: object, name: str) -> None:
    with pytest.raises(TypeError, match=rf"Value\(\) needs a real number.*got {name}"):
        Value(data)  # type: ignore[arg-type]


@pytest.mark.parametrize("data", [True, False, np.bool_(True)])
def test_value_rejects_bool(data: object) -> None:
    with pytest.raises(TypeError, match="got bool"):
        Value(data)  # type: ignore[arg-type]


@pytest.mark.parametrize("data", [math.nan, math.inf, -math.inf, np.float64("nan")])
def test_value_rejects_nan_and_inf(data: float) -> None:
    with pytest.raises(ValueError, match=r"Value\(\) needs a finite number, got (nan|inf|-inf)"):
        Value(data)


def test_operand_that_is_not_a_number_is_a_type_error() -> None:
    x = Value(1.0)
    with pytest.raises(TypeError, match="got str"):
        x + "a"  # type: ignore[operator]
    with pytest.raises(TypeError, match="got str"):
        "a" * x  # type: ignore[operator]
    with pytest.raises(TypeError, match=r"pow exponent needs a real number.*got str"):
        x ** "2"  # type: ignore[operator]
    with pytest.raises(ValueError, match="pow exponent needs a finite number"):
        x**math.nan


def test_repr_shows_data_grad_op_and_label() -> None:
    x = Value(2.0, label="x")
    assert repr(x) == "Value(2, grad=0, label='x')"
    y = x * 3.5
    y.label = "y"
    y.backward()
    assert repr(y) == "Value(7, grad=1, op='*', label='y')"
    assert repr(x) == "Value(2, grad=3.5, label='x')"
    assert "label" not in repr(Value(1.0))


# ---------------------------------------------------------------- forward


@given(finite_floats(), finite_floats(), positive_floats())
def test_forward_values_of_every_op(a: float, b: float, p: float) -> None:
    x, y = Value(a), Value(b)
    assert (x + y).data == a + b and (x + 2.5).data == a + 2.5 and (2.5 + x).data == 2.5 + a
    assert (x - y).data == a - b and (x - 2.5).data == a - 2.5 and (2.5 - x).data == 2.5 - a
    assert (x * y).data == a * b and (x * 2.5).data == a * 2.5 and (2.5 * x).data == 2.5 * a
    assert (x / 4.0).data == a / 4.0 and (4.0 / Value(p)).data == 4.0 / p
    assert (-x).data == -a
    assert (x**2).data == a**2 and (Value(p) ** 0.5).data == p**0.5
    assert close((Value(p) ** y).data, p**b) and close((2.0**x).data, 2.0**a)
    assert (x.exp()).data == math.exp(a) and Value(p).log().data == math.log(p)
    assert x.tanh().data == math.tanh(a)
    assert close(x.sigmoid().data, 1 / (1 + math.exp(-a)))
    assert x.relu().data == max(a, 0.0)


# --------------------------------------------- derivatives vs closed forms

C = 1.7  # a constant for the ops with a number on one side

# (name, op, closed-form derivative, domain of x)
OPS: list[tuple[str, Callable[[Value], Value], Callable[[float], float], str]] = [
    ("x + c", lambda x: x + C, lambda x: 1.0, "any"),
    ("c + x", lambda x: C + x, lambda x: 1.0, "any"),
    ("x - c", lambda x: x - C, lambda x: 1.0, "any"),
    ("c - x", lambda x: C - x, lambda x: -1.0, "any"),
    ("x * c", lambda x: x * C, lambda x: C, "any"),
    ("c * x", lambda x: C * x, lambda x: C, "any"),
    ("x / c", lambda x: x / C, lambda x: 1 / C, "any"),
    ("c / x", lambda x: C / x, lambda x: -C / x**2, "positive"),
    ("-x", lambda x: -x, lambda x: -1.0, "any"),
    ("x ** 3", lambda x: x**3, lambda x: 3 * x * x, "any"),
    ("x ** 2.0", lambda x: x**2.0, lambda x: 2 * x, "any"),
    ("x ** 0", lambda x: x**0, lambda x: 0.0, "any"),
    ("x ** -2", lambda x: x**-2, lambda x: -2 / x**3, "positive"),
    ("x ** 0.5", lambda x: x**0.5, lambda x: 0.5 / math.sqrt(x), "positive"),
    ("c ** x", lambda x: C**x, lambda x: C**x * math.log(C), "any"),
    ("x ** Value(c)", lambda x: x ** Value(C), lambda x: C * x ** (C - 1), "positive"),
    ("exp", lambda x: x.exp(), math.exp, "any"),
    ("log", lambda x: x.log(), lambda x: 1 / x, "positive"),
    ("tanh", lambda x: x.tanh(), lambda x: 1 / math.cosh(x) ** 2, "any"),
    ("sigmoid", lambda x: x.sigmoid(), lambda x: math.exp(-x) / (1 + math.exp(-x)) ** 2, "any"),
    ("relu", lambda x: x.relu(), lambda x: 1.0 if x > 0 else 0.0, "any"),
]


@pytest.mark.parametrize(("name", "op", "derivative", "domain"), OPS, ids=[o[0] for o in OPS])
@settings(max_examples=40)
@given(data=st.data())
def test_derivative_of_each_op_matches_its_closed_form(
    name: str,
    op: Callable[[Value], Value],
    derivative: Callable[[float], float],
    domain: str,
    data: st.DataObject,
) -> None:
    x = data.draw(positive_floats() if domain == "positive" else finite_floats())
    assert close(grad_of(op, x), derivative(x), rel=1e-10), name


@given(positive_floats(), finite_floats())
def test_value_exponent_differentiates_in_base_and_exponent(a: float, b: float) -> None:
    x, y = Value(a), Value(b)
    (x**y).backward()
    assert close(x.grad, b * a ** (b - 1), rel=1e-10)
    assert close(y.grad, a**b * math.log(a), rel=1e-10)


@given(finite_floats(), finite_floats())
def test_binary_ops_differentiate_in_both_arguments(a: float, b: float) -> None:
    for op, da, db in [
        (lambda x, y: x + y, 1.0, 1.0),
        (lambda x, y: x - y, 1.0, -1.0),
        (lambda x, y: x * y, b, a),
    ]:
        x, y = Value(a), Value(b)
        op(x, y).backward()
        assert (x.grad, y.grad) == (da, db)
    if abs(b) > 0.1:
        x, y = Value(a), Value(b)
        (x / y).backward()
        assert close(x.grad, 1 / b) and close(y.grad, -a / b**2, rel=1e-10)


def test_relu_derivative_at_zero_is_zero() -> None:
    assert grad_of(lambda x: x.relu(), 0.0) == 0.0


@given(finite_floats())
def test_product_rule(a: float) -> None:
    # d/dx [e^x tanh x] = e^x tanh x + e^x / cosh^2 x
    expected = math.exp(a) * math.tanh(a) + math.exp(a) / math.cosh(a) ** 2
    assert close(grad_of(lambda x: x.exp() * x.tanh(), a), expected, rel=1e-10)


@given(finite_floats())
def test_quotient_rule(a: float) -> None:
    # d/dx [x / (x^2 + 1)] = (1 - x^2) / (x^2 + 1)^2
    expected = (1 - a * a) / (a * a + 1) ** 2
    assert math.isclose(grad_of(lambda x: x / (x * x + 1), a), expected, abs_tol=1e-14)


@given(finite_floats())
def test_chain_rule(a: float) -> None:
    # d/dx sigmoid(log(x^2 + 1)) = s (1 - s) * 2x / (x^2 + 1)
    s = 1 / (1 + math.exp(-math.log(a * a + 1)))
    expected = s * (1 - s) * 2 * a / (a * a + 1)
    got = grad_of(lambda x: (x * x + 1).log().sigmoid(), a)
    assert math.isclose(got, expected, rel_tol=1e-10, abs_tol=1e-15)


@given(finite_floats(-1.5, 1.5))
def test_chain_rule_through_three_ops(a: float) -> None:
    # d/dx exp(tanh(3x)) = exp(tanh 3x) * 3 / cosh^2(3x); the range keeps tanh unsaturated
    # (the engine's 1 - tanh² loses digits where tanh is within 1e-8 of ±1)
    expected = math.exp(math.tanh(3 * a)) * 3 / math.cosh(3 * a) ** 2
    assert math.isclose(grad_of(lambda x: (3 * x).tanh().exp(), a), expected, rel_tol=1e-9)


# --------------------------------------------------------- backward semantics


@given(finite_floats())
def test_a_node_used_three_times_gets_the_sum_of_all_paths(a: float) -> None:
    assert grad_of(lambda x: x + x + x, a) == 3.0
    assert close(grad_of(lambda x: x * x * x, a), 3 * a * a)
    # a reused intermediate: t = 2x, y = t*t + t  ->  dy/dx = (2t + 1) * 2
    assert close(grad_of(lambda x: (lambda t: t * t + t)(2 * x), a), (4 * a + 1) * 2)


def test_reused_nodes_accumulate_in_leaves_and_intermediates() -> None:
    x, y = Value(3.0, label="x"), Value(-2.0, label="y")
    t = x * y  # used three times below
    z = t + t * t + t.tanh()
    z.backward()
    dz_dt = 1 + 2 * t.data + 1 / math.cosh(t.data) ** 2
    assert close(t.grad, dz_dt)
    assert close(x.grad, dz_dt * y.data) and close(y.grad, dz_dt * x.data)


def deep_graph_with_reuse(depth: int = 400) -> tuple[list[Value], Value, list[Value]]:
    """Layers h <- 0.5 h + 0.6 tanh(hw) - 0.1 hw sigmoid(hw) with hw = h * w.

    h is used twice and hw three times per layer; w in every layer.
    """
    x, w = Value(0.3, label="x"), Value(1.0, label="w")
    h = x
    inner = []
    for _ in range(depth):
        hw = h * w
        h = 0.5 * h + 0.6 * hw.tanh() - 0.1 * hw * hw.sigmoid()
        inner.append(h)
    return [x, w], h, inner


def test_backward_twice_gives_exactly_twice_the_leaf_grads_on_a_deep_graph() -> None:
    leaves, root, inner = deep_graph_with_reuse()
    root.backward()
    first = [v.grad for v in leaves]
    first_inner = [v.grad for v in inner]
    assert all(g != 0.0 for g in first)
    root.backward()
    assert [v.grad for v in leaves] == [2 * g for g in first]  # exact, not approximate
    assert [v.grad for v in inner] == first_inner  # intermediates are fresh each time
    root.backward()
    assert [v.grad for v in leaves] == [3 * g for g in first]


@settings(max_examples=60)
@given(expressions(max_ops=20))
def test_backward_twice_doubles_leaf_grads_on_random_graphs(expr: tuple) -> None:
    f, inputs = expr
    root = f(*inputs)
    root.backward()
    first = [x.grad for x in inputs]
    root.backward()
    assert [x.grad for x in inputs] == [2 * g for g in first]


def test_zero_grad_clears_the_whole_graph() -> None:
    leaves, root, inner = deep_graph_with_reuse(depth=10)
    root.backward()
    root.zero_grad()
    assert all(v.grad == 0.0 for v in [*leaves, *inner])


def test_backward_seed_scales_gradients_and_must_be_a_number() -> None:
    x = Value(2.0)
    (x * x).backward(3.0)
    assert x.grad == 12.0
    with pytest.raises(TypeError, match=r"backward\(grad\) needs a real number.*got str"):
        (x * x).backward("1")  # type: ignore[arg-type]


@settings(max_examples=300)
@given(expressions(max_inputs=4, max_ops=15))
def test_backward_matches_finite_differences_on_random_graphs(expr: tuple) -> None:
    f, inputs = expr
    assert gradcheck(f, inputs).ok


# ------------------------------------------------------------------ no_grad


def test_no_grad_records_nothing() -> None:
    x, y = Value(0.5), Value(2.0)
    with no_grad():
        assert not is_grad_enabled()
        outs = [
            x + y, x - y, x * y, x / y, x**y, 2.0**x, x**3, 1 - x, 2 / y, -x,
            x.exp(), y.log(), x.tanh(), x.sigmoid(), x.relu(),
        ]  # fmt: skip
    assert is_grad_enabled()
    for out in outs:
        assert (out._parents, out._local, out._op) == ((), (), "")
        out.backward()
    assert x.grad == 0.0 and y.grad == 0.0
    z = x * y  # recording is back on
    assert z._parents == (x, y) and z._op == "*"


def test_no_grad_nests_and_restores_after_an_exception() -> None:
    with no_grad():
        with no_grad():
            assert not is_grad_enabled()
        assert not is_grad_enabled()
    assert is_grad_enabled()
    with pytest.raises(ValueError), no_grad():
        Value(-1.0).log()
    assert is_grad_enabled()


# ------------------------------------------------------------- deep graphs


def test_a_million_node_chain_backward_with_the_default_recursion_limit() -> None:
    assert sys.getrecursionlimit() <= 1000 + 100  # we never raise it
    x = Value(0.25, label="x")
    y = x
    for _ in range(1_000_000):
        y = -y
    y.backward()
    assert x.grad == 1.0  # (-1) ** 1_000_000
    del y  # freeing a million-deep chain must not recurse either


# ------------------------------------------------------------------ errors


def test_log_of_zero_or_negative_is_a_value_error() -> None:
    with pytest.raises(ValueError, match=r"log: log\(0\.0\) is undefined; log needs a positive"):
        Value(0.0).log()
    with pytest.raises(ValueError, match=r"log: log\(-1\.0\) is undefined"):
        Value(-1).log()


def test_zero_to_a_negative_power_is_a_zero_division_error() -> None:
    with pytest.raises(ZeroDivisionError, match=r"pow: 0\.0 \*\* -1\.0 is undefined"):
        Value(0.0) ** -1
    with pytest.raises(ZeroDivisionError, match=r"pow: 0\.0 \*\* -0\.5 is undefined"):
        Value(0.0) ** -0.5


def test_division_by_zero_names_the_op_and_value() -> None:
    msg = r"div: 3\.0 / 0\.0 is undefined \(division by zero\)"
    with pytest.raises(ZeroDivisionError, match=msg):
        Value(3.0) / 0
    with pytest.raises(ZeroDivisionError, match=msg):
        3.0 / Value(0.0)
    with pytest.raises(ZeroDivisionError, match=msg):
        Value(3.0) / Value(-0.0)


def test_negative_base_with_fractional_exponent_is_a_value_error() -> None:
    with pytest.raises(ValueError, match=r"pow: -2\.0 \*\* 0\.5 is not a real number"):
        Value(-2.0) ** 0.5
    assert (Value(-2.0) ** 3).data == -8.0  # integer exponents are fine


@pytest.mark.parametrize("base", [0.0, -2.0])
def test_value_exponent_needs_a_positive_base(base: float) -> None:
    msg = rf"pow: {base!r} \*\* 2\.0 needs a positive base, because d/dn a\*\*n = a\*\*n \* ln\(a\)"
    with pytest.raises(ValueError, match=msg):
        Value(base) ** Value(2.0)
    with pytest.raises(ValueError, match="needs a positive base"):
        base ** Value(2.0)


def test_exp_overflow_is_a_clear_overflow_error() -> None:
    with pytest.raises(OverflowError, match=r"exp: exp\(1000\.0\) is too large for a float"):
        Value(1000.0).exp()
    assert Value(-1000.0).exp().data == 0.0
    with pytest.raises(OverflowError, match=r"pow: 1e\+200 \*\* 2\.0 is too large"):
        Value(1e200) ** 2


def test_arithmetic_overflow_is_an_error_not_a_silent_inf() -> None:
    with pytest.raises(OverflowError, match=r"\*: the result inf overflows a float"):
        Value(1e308) * 10
    with pytest.raises(OverflowError, match=r"\+: the result inf overflows a float"):
        Value(1.7e308) + 1.7e308
    with pytest.raises(OverflowError, match=r"/: the result -inf overflows a float"):
        Value(-1e308) / 1e-10


def test_fractional_power_of_zero_names_the_infinite_derivative() -> None:
    with pytest.raises(ValueError, match=r"pow: 0\.0 \*\* 0\.5 has an infinite derivative at 0"):
        Value(0.0) ** 0.5
    assert (Value(0.0) ** 2).data == 0.0  # integer powers of 0 are fine


def test_sigmoid_of_huge_inputs_saturates_without_error() -> None:
    hi, lo = Value(1000.0), Value(-1000.0)
    s_hi, s_lo = hi.sigmoid(), lo.sigmoid()
    assert (s_hi.data, s_lo.data) == (1.0, 0.0)
    s_hi.backward()
    s_lo.backward()
    assert (hi.grad, lo.grad) == (0.0, 0.0)
    assert Value(1000.0).tanh().data == 1.0


def test_pow_op_name_keeps_the_exact_exponent() -> None:
    # gradcheck's op table reads the exponent back from the op name
    for n in [3, 0.5, 0.123456789, -1e-7, 1 / 3]:
        assert float((Value(1.5) ** n)._op[2:]) == n
    assert (Value(1.5) ** 3)._op == "**3" and (Value(1.5) ** 0.5)._op == "**0.5"
