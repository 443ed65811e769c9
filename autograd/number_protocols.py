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

__all__ = ["Number", "array_comparison", "numpy_function", "numpy_ufunc"]


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


# NumPy's operators on an array node: ``ndarray + t`` calls ``np.add(ndarray, t)``, which
# is ``t.__radd__(ndarray)``; a comparison with the array on the left is its mirror image.
_OPERATORS = {
    "add": ("__add__", "__radd__"),
    "subtract": ("__sub__", "__rsub__"),
    "multiply": ("__mul__", "__rmul__"),
    "divide": ("__truediv__", "__rtruediv__"),
    "power": ("__pow__", "__rpow__"),
    "matmul": ("__matmul__", "__rmatmul__"),
    "less": ("__lt__", "__gt__"),
    "less_equal": ("__le__", "__ge__"),
    "greater": ("__gt__", "__lt__"),
    "greater_equal": ("__ge__", "__le__"),
    "equal": ("__eq__", "__eq__"),
    "not_equal": ("__ne__", "__ne__"),
}
_METHOD_NAMES = {"absolute": "abs", "amax": "max", "true_divide": "__truediv__"}


def numpy_ufunc(cls: type, ufunc: Any, method: str, inputs: Any, kwargs: Any) -> Any:
    """``__array_ufunc__`` of an array node class ``cls``: NumPy's operators as ``cls``'s
    own (reflected) ops; any other use of a ufunc a ``TypeError`` (:func:`numpy_function`)."""
    names = _OPERATORS.get(ufunc.__name__)
    if names and method == "__call__" and not kwargs and len(inputs) == 2:
        a, b = inputs
        return getattr(a, names[0])(b) if isinstance(a, cls) else getattr(b, names[1])(a)
    if kwargs.get("out"):  # ndarray += t
        raise TypeError(
            f"np.{ufunc.__name__}(..., out=...) with a {cls.__name__}: NumPy cannot write "
            f"a {cls.__name__} into an array; write a = a + t (a new {cls.__name__}) instead"
        )
    return numpy_function(cls, ufunc)


def numpy_function(cls: type, func: Any) -> Any:
    """``__array_function__`` of ``cls``: a ``TypeError`` naming the method to use instead
    (NumPy would compute on the numbers and drop the node from the graph, silently)."""
    name = getattr(func, "__name__", str(func))
    method = _METHOD_NAMES.get(name, name)
    what = f"np.{name}() does not take a {cls.__name__}: NumPy would drop it from the graph"
    if hasattr(cls, method) and not method.startswith("_"):
        call = "" if isinstance(getattr(cls, method), property) else "()"  # t.shape, t.sum()
        raise TypeError(f"{what}; use the {cls.__name__} method instead: t.{method}{call}")
    raise TypeError(
        f"{what}; {cls.__name__} has no {name}: write it with {cls.__name__} ops "
        "(t.exp(), t.sum(), t.abs(), ...), or use t.data for the array (no gradient)"
    )


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
