"""Checks of arguments that must be what they seem: whole numbers, integer labels, batches.

A count given as ``2.7``, a label given as ``2.7`` or ``True``, a single example given
where a batch is expected: each would be silently truncated or reinterpreted by
NumPy (``int(2.7) == 2``, a 784-pixel image read as 784 one-number examples). These
helpers refuse them with a message naming the argument, for every public function
of :mod:`nn` that takes such an argument.
"""

from __future__ import annotations

from numbers import Integral
from typing import Any

import numpy as np
import numpy.typing as npt

__all__ = ["batch_of", "int_labels", "positive_int"]


def positive_int(value: Any, what: str, minimum: int = 1) -> int:
    """``value`` as an ``int`` if it is a whole number ``>= minimum`` (a Python or NumPy int).

    Raises:
        TypeError: a float (even ``3.0``), a bool, a string, ... (naming ``what``).
        ValueError: an int below ``minimum``.
    """
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, Integral):
        raise TypeError(f"{what} must be an int, got {type(value).__name__}: {value!r}")
    if value < minimum:
        raise ValueError(f"{what} must be >= {minimum} (an int), got {value!r}")
    return int(value)


def int_labels(labels: Any, what: str, num_classes: int | None = None) -> npt.NDArray[Any]:
    """``labels`` as an integer array, refusing floats, bools and strings (never truncated)
    and, with ``num_classes``, labels outside ``0..num_classes - 1``.

    Raises:
        TypeError: labels that are not integers (naming ``what`` and an example).
        ValueError: a label out of range (naming it).
    """
    y: npt.NDArray[Any] = np.asanyarray(labels)
    if y.size == 0:
        return y.astype(np.int64)
    if y.dtype.kind not in "iu":
        first = y.reshape(-1)[0]
        raise TypeError(
            f"{what}: labels must be integers, got dtype {y.dtype} (e.g. {first.item()!r}); "
            "a float or bool label is refused, not truncated"
        )
    if num_classes is not None and (y.min() < 0 or y.max() >= num_classes):
        bad = y[(y < 0) | (y >= num_classes)].reshape(-1)[0]
        raise ValueError(
            f"{what}: label {bad} is out of range for {num_classes} classes "
            f"(0..{num_classes - 1}); labels seen {y.min()}..{y.max()}"
        )
    return y


def batch_of(x: Any, what: str) -> None:
    """Refuse ``x`` unless it is a batch: an array with one example per row (2-D or more).

    Raises:
        TypeError: not an array.
        ValueError: a single example (1-D) or a number (0-D), where a batch is expected.
    """
    shape = getattr(x, "shape", None)
    if shape is None:
        raise TypeError(f"{what}: inputs must be an array of examples, got {type(x).__name__}")
    if len(shape) < 2:
        raise ValueError(
            f"{what}: inputs of shape {tuple(shape)} are not a batch: one example per row is "
            "expected, shape (n, features); for a single example use x[None] (shape (1, ...))"
        )
