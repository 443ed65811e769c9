"""NumPy helpers of the Tensor ops, with no graph in them.

* **coercion**: what ``Tensor(data)`` accepts (float32/float64 arrays; ints become
  float64; bools, complex, float16 and ragged lists are refused with a ``TypeError``);
* **shapes and axes**: undoing broadcasting in a gradient (:func:`unbroadcast`),
  normalising ``axis`` arguments, checking ``@`` and broadcasting with messages that
  name both shapes;
* **messages** that point at the first bad entry of an array;
* **a stable sigmoid** that never overflows (the forward of :meth:`Tensor.sigmoid
  <autograd.Tensor.sigmoid>` and of the fused layer).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray

Array = NDArray[Any]

DTYPES = (np.dtype(np.float32), np.dtype(np.float64))


def float_array(data: object, dtype: Any, copy: bool = True) -> Array:
    """``data`` as a float32/float64 ndarray; integers become float64 (or ``dtype``).

    Bools, complex numbers, float16/longdouble arrays (without an explicit
    ``dtype``) and ragged nested lists are rejected with a ``TypeError``.
    """
    if dtype is None and isinstance(data, np.ndarray) and data.dtype in DTYPES:
        return data.copy() if copy else data  # the common case: a float32/float64 array
    dt = None
    if dtype is not None:
        dt = np.dtype(dtype)
        if dt not in DTYPES:
            raise TypeError(
                f"Tensor dtype must be a floating type; only float32 and float64 are "
                f"supported, got {dt}"
            )
    try:
        arr: Array = np.asanyarray(data)
    except (TypeError, ValueError) as err:
        ragged = _ragged(data)
        if ragged:
            raise TypeError(
                f"Tensor() needs a rectangular array of numbers; got a ragged "
                f"{type(data).__name__}: {ragged}"
            ) from None
        raise TypeError(
            f"Tensor() needs numbers or an array of numbers, got {type(data).__name__}: {err}"
        ) from None
    kind = arr.dtype.kind
    if kind == "b":
        raise TypeError(
            f"Tensor() does not take bools (got {type(data).__name__} of dtype bool), as "
            "Value(True) does not; convert explicitly, e.g. Tensor(mask.astype(np.float64))"
        )
    if kind not in "iuf":
        raise TypeError(
            f"Tensor() needs real numbers, got an array of dtype {arr.dtype} "
            f"(from {type(data).__name__})"
        )
    if dt is None:
        if kind != "f":
            return arr.astype(np.float64)  # a fresh array: no copy needed
        if arr.dtype not in DTYPES:
            raise TypeError(
                f"Tensor() supports only float32 and float64 data, got an array of dtype "
                f"{arr.dtype}; convert it first or pass dtype=np.float32 / np.float64"
            )
    elif arr.dtype != dt:
        return arr.astype(dt)
    if copy and (arr is data or arr.base is not None or not arr.flags.owndata):
        own: Array = arr.copy()  # the caller's memory (an array from a list is ours already)
        return own
    return arr


def _ragged(data: object) -> str:
    """Why a nested list is not rectangular ('' if it is not a ragged sequence)."""
    level = [data]
    depth = 0
    while level:
        seqs = [x for x in level if isinstance(x, (list, tuple, np.ndarray))]
        if not seqs:
            return ""
        if len(seqs) != len(level):
            return f"it mixes numbers and sequences at depth {depth}"
        lengths = list(dict.fromkeys(len(x) for x in seqs))
        if len(lengths) > 1:
            return (
                f"the sequences at depth {depth} have different lengths "
                f"({lengths[0]} and {lengths[1]})"
            )
        level = [y for x in seqs for y in x]
        depth += 1
    return ""


def unbroadcast(g: Array, shape: tuple[int, ...]) -> Array:
    """Sum ``g`` over the axes NumPy broadcast, so that it has ``shape`` again.

    Leading axes that broadcasting added are summed away; axes where the operand
    had size 1 are summed with ``keepdims``.
    """
    if g.shape == shape:
        return g
    lead = g.ndim - len(shape)
    if lead:
        g = g.sum(axis=tuple(range(lead)))
    axes = tuple(i for i, n in enumerate(shape) if n == 1 and g.shape[i] != 1)
    if axes:
        g = g.sum(axis=axes, keepdims=True)
    return g.reshape(shape)


def normalize_axis(axis: int | Sequence[int] | None, ndim: int, op: str) -> tuple[int, ...]:
    """``axis`` as a tuple of non-negative ints (all axes for ``None``)."""
    if axis is None:
        return tuple(range(ndim))
    axes = (axis,) if isinstance(axis, (int, np.integer)) else tuple(axis)
    out = []
    for ax in axes:
        if not isinstance(ax, (int, np.integer)) or isinstance(ax, bool):
            raise TypeError(f"{op}: axis must be an int or a tuple of ints, got {axis!r}")
        if not -ndim <= ax < ndim or (ndim == 0 and ax not in (0, -1)):
            raise ValueError(f"{op}: axis {ax} is out of range for a tensor with {ndim} dims")
        out.append(int(ax) % max(ndim, 1))
    if len(set(out)) != len(out):
        raise ValueError(f"{op}: repeated axis in {axis!r}")
    return tuple(out)


def expand(g: Array, axes: tuple[int, ...], keepdims: bool) -> Array:
    """Put the reduced ``axes`` back into ``g`` as size-1 dims (inverse of keepdims=False)."""
    if keepdims or not axes or g.ndim == 0:  # a 0-d g (every axis reduced) broadcasts as is
        return g
    shape = list(g.shape)
    for ax in sorted(axes):
        shape.insert(ax, 1)
    return g.reshape(shape)


def first_bad(mask: Array) -> tuple[int, tuple[int, ...]]:
    """(how many entries of ``mask`` are True, the index of the first one)."""
    idx = tuple(int(i[0]) for i in np.nonzero(mask)) if mask.ndim else ()
    return int(np.count_nonzero(mask)), idx


def entries(n: int, what: str, mask: Array, idx: tuple[int, ...]) -> str:
    """'2 zero entries of 6, first at index (0, 1)'."""
    return f"{n} {what} entr{'y' if n == 1 else 'ies'} of {mask.size}, first at index {idx}"


def cast(c: Any, dtype: np.dtype[Any]) -> Array:
    """``c`` as an ndarray of ``dtype`` (NumPy returns scalars for 0-d results)."""
    arr: Array = np.asanyarray(c)
    return arr if arr.dtype == dtype else arr.astype(dtype)


def broadcast_op(ufunc: Any, a: Array, b: Array, name: str, sym: str) -> Array:
    """``ufunc(a, b)`` with a broadcasting error that names both shapes."""
    try:
        return np.asanyarray(ufunc(a, b))
    except ValueError:
        broadcast_shapes(a.shape, b.shape, name, sym)
        raise


def broadcast_shapes(sa: tuple[int, ...], sb: tuple[int, ...], name: str, sym: str) -> None:
    """Raise the error of :func:`broadcast_op` if shapes ``sa`` and ``sb`` do not broadcast."""
    try:
        np.broadcast_shapes(sa, sb)
    except ValueError:
        raise ValueError(
            f"{name}: {sa} {sym} {sb}: shapes do not broadcast "
            "(aligned from the right, each pair of sizes must be equal or one of them 1)"
        ) from None


def check_matmul(sa: tuple[int, ...], sb: tuple[int, ...]) -> None:
    if len(sa) == 0 or len(sb) == 0:
        raise ValueError(f"matmul: {sa} @ {sb}: operands must have at least 1 dimension")
    ka = sa[-1]
    kb = sb[0] if len(sb) == 1 else sb[-2]
    if ka != kb:
        raise ValueError(f"matmul: {sa} @ {sb}: inner dimensions {ka} and {kb} differ")
    if len(sa) > 2 or len(sb) > 2:
        try:
            np.broadcast_shapes(sa[:-2], sb[:-2])
        except ValueError:
            raise ValueError(
                f"matmul: {sa} @ {sb}: batch dimensions {sa[:-2]} and {sb[:-2]} do not broadcast"
            ) from None


def sigmoid(a: Array) -> Array:
    """``1 / (1 + e^-a)`` as a new array, a few ulps from the truth: ``sigmoid(-20)`` is
    2.06e-9 in float32. ``-a`` is capped below ``exp``'s overflow (``_EXP_CAP``: 88 in
    float32), where the result is subnormal (``sigmoid(-1000)`` is 6e-39, not 0)."""
    e = np.asanyarray(np.negative(a))  # an array even for 0-d (not a NumPy scalar)
    np.minimum(e, _EXP_CAP[e.dtype], out=e)
    np.exp(e, e)
    e += 1
    return np.reciprocal(e, e)


_EXP_CAP = {t: np.floor(np.log(np.finfo(t).max)).astype(t) for t in map(np.dtype, "efdg")}
