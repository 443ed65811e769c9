"""Where ``a ** n`` has no real value, or no derivative: one set of rules for both engines.

:class:`~autograd.Value` calls :func:`check_pow` with two floats, :class:`~autograd.Tensor`
with arrays (or an array and a number); the rules and their words are the same, so
``Value(-8.0) ** (1/3)`` and ``Tensor([-8.0]) ** (1/3)`` fail alike.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from autograd.arrays import entries, first_bad

__all__ = ["Refused", "check_pow"]

# (error, a test of the exponent n, a test of the base a, why). The exponent is tested
# first, so a number exponent that rules a case out costs no work on the base.
Test = Callable[[Any], Any]
_RULES: tuple[tuple[type[Exception], Test, Test, str], ...] = (
    (ZeroDivisionError, lambda n: n < 0, lambda a: a == 0, "is undefined (division by zero)"),
    (
        ValueError,
        lambda n: n % 1 != 0,
        lambda a: a < 0,
        "is not a real number (negative base, non-integer exponent)",
    ),
)
# Only where the base needs its gradient: d/da a**n = n a**(n-1) is infinite at a = 0.
_BASE_GRAD = (
    ValueError,
    lambda n: (n > 0) & (n < 1),
    lambda a: a == 0,
    "has an infinite derivative at 0 (d/da a**n = n a**(n-1))",
)
# Only where the exponent needs its gradient: d/dn a**n = a**n ln a needs a > 0.
_EXPONENT_GRAD = (
    ValueError,
    lambda n: n == n,  # every exponent
    lambda a: a <= 0,
    "needs a positive base, because d/dn a**n = a**n * ln(a)",
)


def check_pow(a: Any, n: Any, base_grad: bool, exponent_grad: bool) -> None:
    """Raise the error for the first entry of ``a ** n`` outside the domain.

    ``ZeroDivisionError`` for ``0 ** negative``; ``ValueError`` for a negative base
    with a non-integer exponent, for ``0 ** n`` with ``0 < n < 1`` when the base
    needs its gradient, and for a base ``<= 0`` when the exponent needs its gradient.
    """
    rules = list(_RULES)
    if base_grad:
        rules.append(_BASE_GRAD)
    if exponent_grad:
        rules.append(_EXPONENT_GRAD)
    for error, exponent_test, base_test, why in rules:
        bad = exponent_test(n)
        if not _any(bad):
            continue
        bad = bad & base_test(a)
        if _any(bad):
            raise error(_message(a, n, bad, why))


def _any(mask: Any) -> bool:
    return mask if type(mask) is bool else bool(np.any(mask))


def _message(a: Any, n: Any, bad: Any, why: str) -> str:
    if type(bad) is bool:  # two numbers
        return f"pow: {float(a)!r} ** {float(n)!r} {why}"
    bad = np.asarray(bad)
    count, idx = first_bad(bad)
    av = float(np.broadcast_to(a, bad.shape)[idx])
    nv = float(np.broadcast_to(n, bad.shape)[idx])
    where = "" if bad.size == 1 else f"; {entries(count, 'such', bad, idx)}"
    return f"pow: {av!r} ** {nv!r} {why}{where}"


class Refused(ValueError):
    """A Value's local derivative that does not exist: using it in the chain rule raises it."""

    def __mul__(self, other: object) -> Any:
        raise self

    __rmul__ = __mul__
