"""Python's number protocols of a scalar node (:class:`~autograd.Value`'s base class),
and the comparisons of an array node (:class:`~autograd.Tensor`).

As on the float ``v.data`` (docs/refuses.md), except that a node is not converted to a
number while the graph is recorded: ``math.exp(w)`` would have no gradient, silently."""

from __future__ import annotations

import operator
from collections.abc import Callable
from numbers import Real
from typing import Any

import numpy as np

from autograd import grad_mode

__all__ = ["Number", "array_comparison"]


def array_comparison(ufunc: Any, sym: str) -> Callable[[Any, object], Any]:
    """A comparison of an array node: ``ufunc(node.data, other)`` as a plain bool array
    (nothing recorded: no gradient), with broadcasting errors naming both shapes."""

    def compare(self: Any, other: object) -> Any:
        o = other.data if isinstance(other, type(self)) else other
        try:
            return np.asarray(ufunc(self.data, o))
        except ValueError:
            shapes = f"{self.shape} {sym} {np.shape(o)}"  # type: ignore[arg-type]
            raise ValueError(f"compare: {shapes}: shapes do not broadcast") from None

    return compare


def _comparison(op: Callable[[Any, Any], Any]) -> Callable[[Number, object], bool]:
    """``v < w`` (``op``) on the numbers of a node and a node or a real number."""

    def compare(self: Number, other: object) -> bool:
        o = other.data if isinstance(other, Number) else other
        return bool(op(self.data, o)) if isinstance(o, Real) else NotImplemented

    return compare


class Number:
    """The protocols of a node holding one float, ``data``."""

    __slots__ = ()
    data: float

    def item(self) -> float:
        """The number this node holds, ``data``, as in NumPy and PyTorch (no gradient)."""
        return self.data

    def _number(self, what: str) -> float:
        if grad_mode._all_on or grad_mode._mode.enabled:
            raise TypeError(
                f"{what} of a Value would drop it from the graph (no gradient would reach "
                "it): read its number with v.data or v.item(), or keep differentiating "
                "with the Value's ops (v.exp(), v.tanh(), v ** 0.5, ...); under no_grad() "
                "a Value converts to a number"
            )
        return self.data

    def __float__(self) -> float:
        return self._number("float()")  # also math.exp(v), np.float64(v), ...

    def __int__(self) -> int:
        return int(self._number("int()"))

    def __round__(self, ndigits: int | None = None) -> float:
        return round(self._number("round()"), ndigits)

    def __abs__(self) -> float:
        return abs(self._number("abs()"))

    def __bool__(self) -> bool:
        return self.data != 0.0

    def __format__(self, spec: str) -> str:
        return format(self.data, spec) if spec else str(self)

    # Comparisons compare the numbers and record nothing (they have no gradient); the
    # hash is the identity (as for Tensor): a node is a dict key meaning *this node*.
    __eq__, __ne__ = _comparison(operator.eq), _comparison(operator.ne)
    __lt__, __le__ = _comparison(operator.lt), _comparison(operator.le)
    __gt__, __ge__ = _comparison(operator.gt), _comparison(operator.ge)
    __hash__ = object.__hash__
