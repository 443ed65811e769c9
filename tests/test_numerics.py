"""Accurate to the result, not to the inputs' size: both engines against a precise reference.

Each elementwise op and each loss, on large-but-finite inputs (magnitudes up to
1e300 where the result is finite), must be within 4 ulps of the true result or
1e-15 absolute, whichever is larger (float64). For float32 the same bound in
float32 units: 4 float32 ulps, or 1e-15 scaled by float32's epsilon over
float64's (~5.4e-7, about 4.5 ulps of 1). Losses add a reduction: they may also be
off by the summation error bound, ``(n - 1) * eps * sum |terms|``.

The reference is computed in :mod:`decimal` with 60 digits (or exactly, with
:class:`fractions.Fraction`), then rounded once to a float.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from decimal import Decimal, localcontext
from fractions import Fraction
from typing import Any

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import nn
from autograd import Tensor, Value

BIG = 1e300
big = st.floats(min_value=-BIG, max_value=BIG, allow_nan=False, allow_infinity=False)
wide = st.one_of(big, st.floats(-50, 50), st.floats(-1e-300, 1e-300))
F32_BIG = float(np.float32(1e38))
EPS32_OVER_64 = float(np.finfo(np.float32).eps / np.finfo(np.float64).eps)


def close(got: float, ref: float, dtype: type = np.float64, terms: float = 0.0) -> bool:
    """|got - ref| <= max(4 ulp(ref), floor) + summation error of ``terms`` (sum of |terms|)."""
    if dtype is np.float32:
        ulp = float(np.spacing(np.float32(abs(ref)))) if ref else 0.0
        floor = 1e-15 * EPS32_OVER_64
        eps = float(np.finfo(np.float32).eps)
    else:
        ulp = math.ulp(ref)
        floor = 1e-15
        eps = float(np.finfo(np.float64).eps)
    return abs(got - ref) <= max(4 * ulp, floor) + eps * terms


def dec_exp(x: Decimal) -> Decimal:
    with localcontext() as ctx:
        ctx.prec, ctx.Emax, ctx.Emin = 60, 10**8, -(10**8)
        if x < -(10**6):
            return Decimal(0)
        return x.exp()


def ref(f: Callable[[Decimal], Decimal], *xs: float) -> float:
    with localcontext() as ctx:
        ctx.prec, ctx.Emax, ctx.Emin = 60, 10**8, -(10**8)
        return float(f(*(Decimal(x) for x in xs)))


def r_tanh(a: Decimal) -> Decimal:
    if abs(a) > 50:
        return Decimal(1 if a > 0 else -1) * (1 - 2 * dec_exp(-2 * abs(a)))
    e = dec_exp(2 * a)
    return (e - 1) / (e + 1)


def r_sigmoid(a: Decimal) -> Decimal:
    if a >= 0:
        return 1 / (1 + dec_exp(-a))
    e = dec_exp(a)
    return e / (1 + e)


UNARY: dict[str, tuple[Callable[[Decimal], Decimal], Callable[[float], bool]]] = {
    "exp": (dec_exp, lambda a: a < 709),
    "log": (lambda a: a.ln(), lambda a: a > 0),
    "tanh": (r_tanh, lambda a: True),
    "sigmoid": (r_sigmoid, lambda a: True),
    "relu": (lambda a: max(a, Decimal(0)), lambda a: True),
    "neg": (lambda a: -a, lambda a: True),
}


def unary(x: Value | Tensor, op: str) -> Value | Tensor:
    return -x if op == "neg" else getattr(x, op)()


@pytest.mark.parametrize("op", sorted(UNARY))
@settings(max_examples=150)
@given(a=wide)
def test_unary_ops_both_engines_float64(op: str, a: float) -> None:
    f, domain = UNARY[op]
    assume(domain(a))
    want = ref(f, a)
    got_v = unary(Value(a), op).data
    got_t = float(unary(Tensor(a, requires_grad=True), op).data)
    assert close(got_v, want), (op, a, got_v, want)
    assert close(got_t, want), (op, a, got_t, want)


@pytest.mark.parametrize("op", sorted(UNARY))
@settings(max_examples=100)
@given(a=st.floats(-F32_BIG, F32_BIG, width=32))
def test_unary_ops_float32(op: str, a: float) -> None:
    f, domain = UNARY[op]
    assume(domain(a) and (op != "exp" or a < 88))
    want = float(np.float32(ref(f, a)))
    got = float(unary(Tensor(np.float32(a), requires_grad=True), op).data)
    assert close(got, want, np.float32), (op, a, got, want)


BINARY: dict[str, Callable[[Decimal, Decimal], Decimal]] = {
    "+": lambda a, b: a + b,
    "-": lambda a, b: a - b,
    "*": lambda a, b: a * b,
    "/": lambda a, b: a / b,
}


OPERATORS: dict[str, Callable[[Any, Any], Any]] = {
    "+": lambda x, y: x + y,
    "-": lambda x, y: x - y,
    "*": lambda x, y: x * y,
    "/": lambda x, y: x / y,
}


@pytest.mark.parametrize("op", sorted(BINARY))
@given(a=wide, b=wide)
def test_binary_ops_both_engines(op: str, a: float, b: float) -> None:
    assume(not (op == "/" and b == 0))
    want = ref(BINARY[op], a, b)
    assume(math.isfinite(want) and abs(want) < 1e300)
    f = OPERATORS[op]
    got_v = f(Value(a), Value(b)).data
    got_t = float(f(Tensor(a), Tensor(b)).data)
    assert close(got_v, want), (a, b, got_v, want)
    assert close(got_t, want), (a, b, got_t, want)


@given(a=st.floats(1e-300, 1e300), n=st.floats(-30, 30))
def test_pow_both_engines(a: float, n: float) -> None:
    with localcontext() as ctx:
        ctx.prec = 60
        lg = Decimal(a).ln() * Decimal(n)
    assume(-700 < lg < 700)
    want = ref(lambda x, k: dec_exp(k * x.ln()), a, n)
    assert close((Value(a) ** n).data, want)
    assert close(float((Tensor(a) ** n).data), want)
    assert close(float((Tensor(a) ** Tensor(n)).data), want)


# ------------------------------------------------------------------ losses


def ce_reference(z: list[float], y: int) -> float:
    """ln sum_k e^(z_k - m) - (z_y - m), in 60 digits (z_k - m exact in Decimal)."""
    with localcontext() as ctx:
        ctx.prec, ctx.Emax, ctx.Emin = 60, 10**8, -(10**8)
        d = [Decimal(v) for v in z]
        m = max(d)
        s = sum((dec_exp(v - m) for v in d), Decimal(0))
        return float(s.ln() - (d[y] - m))


def test_issue_example_cross_entropy_of_huge_equal_logits() -> None:
    for big_logit in (1e8, 1e16, 1e300):
        v = nn.cross_entropy([Value(big_logit), Value(big_logit)], 0).data
        t = nn.cross_entropy(Tensor([big_logit, big_logit]), 0).data
        assert v == pytest.approx(math.log(2), abs=1e-15)
        assert float(t) == pytest.approx(math.log(2), abs=1e-15)


@given(
    z=st.lists(wide, min_size=1, max_size=6),
    data=st.data(),
)
def test_cross_entropy_both_engines_on_extreme_logits(z: list[float], data: st.DataObject) -> None:
    y = data.draw(st.integers(0, len(z) - 1))
    want = ce_reference(z, y)
    assume(math.isfinite(want))
    got_v = nn.cross_entropy([Value(v) for v in z], y).data
    got_t = float(nn.cross_entropy(Tensor(z), y).data)
    terms = math.log(len(z)) + abs(want)  # the sum of exps is in [1, K]
    assert close(got_v, want, terms=terms), (z, y, got_v, want)
    assert close(got_t, want, terms=terms), (z, y, got_t, want)


@given(
    pairs=st.lists(st.tuples(big, st.floats(-1e150, 1e150)), min_size=1, max_size=5),
)
def test_mse_both_engines_on_extreme_inputs(pairs: list[tuple[float, float]]) -> None:
    outs = [a for a, _ in pairs]
    tgts = [a + d for a, d in pairs]
    sq = [(Fraction(a) - Fraction(t)) ** 2 for a, t in zip(outs, tgts, strict=True)]
    exact = sum(sq, Fraction(0))
    assume(exact < Fraction(1e300))
    want = float(exact)
    got_v = nn.mse([Value(a) for a in outs], tgts).data
    got_t = float(nn.mse(Tensor(outs), np.array(tgts)).data)
    terms = float(sum(sq, Fraction(0))) * 3  # each square is rounded, then summed
    assert close(got_v, want, terms=terms), (pairs, got_v, want)
    assert close(got_t, want, terms=terms), (pairs, got_t, want)
