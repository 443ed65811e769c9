"""Check a hand-written vector-Jacobian product of an array op against finite differences,
over broadcastable shapes and several dtypes.

An array op ``out = forward(x0, x1, ...)`` needs, for backward, its VJP: given the
gradient ``g = dL/d out`` (the shape of ``out``), the gradients ``dL/d xk`` (the
shape of each *input*: where an input was broadcast, the VJP must sum over the
broadcast axes). With ``L = sum(forward(x) * g)``, ``dL/d xk[i]`` is what a central
finite difference of ``L`` in ``xk[i]`` estimates, which is what is checked here.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt
from hypothesis import strategies as st

from autograd.checking.conformance.checks import falsify
from autograd.checking.conformance.ops import Failure, describe_error
from autograd.checking.conformance.report import Check, ConformanceError
from autograd.checking.strategies import broadcastable_arrays

__all__ = ["check_vjp"]

Array = npt.NDArray[Any]
_EPS = 1e-6
# (rtol, atol) per dtype: the VJP runs in that dtype; the finite difference in float64.
_TOLERANCE = {np.dtype(np.float64): (1e-5, 1e-6), np.dtype(np.float32): (2e-3, 2e-3)}


@st.composite
def _cases(
    draw: st.DrawFn,
    num_inputs: int,
    dtypes: tuple[np.dtype[Any], ...],
    min_value: float,
    max_value: float,
    max_dims: int,
    max_side: int,
) -> tuple[tuple[Array, ...], int]:
    dtype = draw(st.sampled_from(dtypes))
    xs = draw(
        broadcastable_arrays(
            num_inputs,
            dtype=dtype,
            min_value=min_value,
            max_value=max_value,
            max_dims=max_dims,
            max_side=max_side,
        )
    )
    return xs, draw(st.integers(0, 2**32 - 1))


def _loss(forward: Callable[..., Any], xs: Sequence[Array], g: Array) -> float:
    return float(np.sum(np.asarray(forward(*xs), dtype=np.float64) * g))


def _numeric(forward: Callable[..., Any], xs: list[Array], k: int, g: Array) -> Array:
    """Central differences of ``sum(forward(xs) * g)`` in every element of ``xs[k]`` (float64)."""
    x = xs[k]
    grad = np.zeros(x.shape)
    for idx in np.ndindex(x.shape):
        orig = x[idx]
        h = _EPS * max(1.0, abs(orig))
        x[idx] = orig + h
        plus = _loss(forward, xs, g)
        x[idx] = orig - h
        minus = _loss(forward, xs, g)
        x[idx] = orig
        grad[idx] = (plus - minus) / (2 * h)
    return grad


def _code(xs: Sequence[Array], g: Array) -> str:
    lines = [f"x{k} = np.{x!r}" for k, x in enumerate(xs)]
    lines.append(f"g = np.{g!r}   # dL/d out, the shape of forward(...)")
    names = ", ".join(f"x{k}" for k in range(len(xs)))
    lines.append(f"grads = vjp(g, {names})")
    return "\n".join(lines)


def _test(
    forward: Callable[..., Any],
    vjp: Callable[..., Sequence[Any]],
    case: tuple[tuple[Array, ...], int],
) -> None:
    xs, seed = case
    dtype = xs[0].dtype
    shapes = ", ".join(f"x{k}: {x.shape}" for k, x in enumerate(xs))
    where = f"shapes {shapes}, dtype {dtype}"
    try:
        out = np.asarray(forward(*xs))
    except Exception as e:
        raise Failure(f"forward raised {describe_error(e)} ({where})") from None
    g = np.random.default_rng(seed).uniform(-1.0, 1.0, size=out.shape).astype(dtype)
    example = _code(xs, g)
    try:
        grads = list(vjp(g, *xs))
    except Exception as e:
        raise Failure(f"vjp raised {describe_error(e)} ({where})", example) from None
    if len(grads) != len(xs):
        raise Failure(f"vjp returned {len(grads)} gradients for {len(xs)} inputs", example)
    rtol, atol = _TOLERANCE.get(np.dtype(dtype), _TOLERANCE[np.dtype(np.float32)])
    wide = [x.astype(np.float64) for x in xs]
    g64 = g.astype(np.float64)
    for k, (x, grad) in enumerate(zip(xs, grads, strict=True)):
        got = np.asarray(grad)
        if got.shape != x.shape:
            hint = ""
            if got.shape == out.shape:
                hint = f" (x{k} was broadcast to {out.shape}: sum the gradient over those axes)"
            raise Failure(
                f"the gradient of x{k} has shape {got.shape}, but x{k} has shape {x.shape}"
                f"{hint} ({where})",
                example,
            )
        if got.dtype.kind != "f":
            raise Failure(
                f"the gradient of x{k} has dtype {got.dtype}, not a float ({where})", example
            )
        expected = _numeric(forward, wide, k, g64)
        bad = np.abs(got.astype(np.float64) - expected) > atol + rtol * np.abs(expected)
        if bad.any():
            i = tuple(int(j) for j in np.argwhere(bad)[0])
            raise Failure(
                f"gradient of x{k} at {i}: expected {expected[i]:.8g} (finite differences), "
                f"got {got[i]!r}; {int(bad.sum())} of {bad.size} entries wrong ({where})",
                example,
            )


def check_vjp(
    forward: Callable[..., Any],
    vjp: Callable[..., Sequence[Any]],
    *,
    num_inputs: int = 2,
    dtypes: Sequence[npt.DTypeLike] = (np.float64, np.float32),
    max_examples: int = 50,
    min_value: float = -3.0,
    max_value: float = 3.0,
    max_dims: int = 3,
    max_side: int = 4,
    raise_exception: bool = True,
) -> Check:
    """Check ``vjp`` against central finite differences of ``forward``.

    Args:
        forward: ``forward(x0, x1, ...) -> out``, NumPy arrays in and out; inputs of
            broadcastable shapes (``(3, 1)`` and ``(4,)``).
        vjp: ``vjp(g, x0, x1, ...) -> (dL/dx0, dL/dx1, ...)`` for ``g = dL/d out`` (the
            shape of ``out``); each gradient must have its input's shape.
        num_inputs: how many arrays ``forward`` takes.
        dtypes: float dtypes to try; the inputs and ``g`` are of one of them, and the
            VJP's result is compared with a float64 finite difference (tolerance
            ``1e-5`` relative for float64, ``2e-3`` for float32).
        max_examples: random examples (hypothesis; the failing one is shrunk).
        min_value, max_value: range of the elements (keep ``forward`` in its domain).
        max_dims, max_side: largest number of dimensions and size of each.
        raise_exception: raise :class:`ConformanceError` (an ``AssertionError``) on failure.

    Returns:
        A :class:`Check` named ``"vjp"``; on failure its message names the input, the
        shapes and dtype, and its example is the smallest failing case as code.

    >>> import numpy as np
    >>> check_vjp(lambda a, b: a * b, lambda g, a, b: (g * b, g * a), max_examples=5,
    ...           max_dims=0).passed
    True
    """
    if num_inputs < 1:
        raise ValueError(f"num_inputs must be at least 1, got {num_inputs}")
    kinds = tuple(np.dtype(d) for d in dtypes)
    if not kinds or any(d.kind != "f" for d in kinds):
        raise ValueError(f"dtypes must be float dtypes, got {list(dtypes)}")
    strategy = _cases(num_inputs, kinds, min_value, max_value, max_dims, max_side)
    failure = falsify(strategy, lambda case: _test(forward, vjp, case), max_examples)
    if failure is None:
        check = Check(
            "vjp",
            True,
            f"agrees with finite differences on {max_examples} random broadcastable inputs "
            f"({', '.join(str(d) for d in kinds)})",
            group="vjp",
        )
    else:
        check = Check("vjp", False, failure.message, failure.example, group="vjp")
    if not check.passed and raise_exception:
        raise ConformanceError(str(check))
    return check
