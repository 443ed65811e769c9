"""Every spelling of sigmoid is within 4 float32 ulps of the true value wherever that is
a normal float32 (inputs in [-87, 20]); the reference is computed in float64, whose
error (a few 1e-16, relative) is far below a float32 ulp (6e-8)."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest

import nn
from autograd import Tensor
from autograd.arrays import sigmoid
from autograd.fused import linear

GRID = np.unique(
    np.concatenate(
        [
            np.linspace(-87.0, 20.0, 400_001, dtype=np.float32),
            np.float32(-3.0) + np.arange(-2000, 2000, dtype=np.float32) * np.spacing(np.float32(3)),
        ]
    )
)

SPELLINGS: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    "arrays.sigmoid": sigmoid,
    "Tensor.sigmoid": lambda x: Tensor(x).sigmoid().data,
    "nn.Sigmoid": lambda x: nn.Sigmoid()(Tensor(x)).data,
    "fused linear": lambda x: linear(
        Tensor(x.reshape(-1, 1)), Tensor(np.ones((1, 1), np.float32)), None, "sigmoid"
    ).data.reshape(-1),
}


def reference(x: np.ndarray) -> np.ndarray:
    x64 = x.astype(np.float64)
    e = np.exp(-np.abs(x64))
    return np.where(x64 >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


@pytest.mark.parametrize("name", sorted(SPELLINGS))
def test_float32_sigmoid_within_4_ulps(name: str) -> None:
    got = SPELLINGS[name](GRID)
    assert got.dtype == np.float32
    ref = reference(GRID)
    normal = ref >= np.finfo(np.float32).tiny
    ulp = np.spacing(ref.astype(np.float32)).astype(np.float64)
    err = np.abs(got.astype(np.float64) - ref) / ulp
    worst = int(np.argmax(np.where(normal, err, 0)))
    assert err[normal].max() <= 4, (GRID[worst], got[worst], ref[worst], err[worst])


def test_the_examples() -> None:
    x = np.array([-20.0, -3.0], np.float32)
    np.testing.assert_allclose(sigmoid(x), [2.0611537e-09, 0.047425873], rtol=2e-7)
    # Far out, below the smallest normal float (where no accuracy is promised), the
    # result is a subnormal number or 0, and 1 on the positive side.
    for dtype in (np.float32, np.float64):
        low, high = sigmoid(np.array([-1000.0, 1000.0], dtype)).tolist()
        assert 0.0 <= low < np.finfo(dtype).tiny and high == 1.0


def test_float64_sigmoid_is_accurate_on_the_negative_side() -> None:
    x = np.array([-700.0, -30.0, -1.0])
    np.testing.assert_allclose(
        sigmoid(x),
        [np.exp(-700.0), np.exp(-30.0) / (1 + np.exp(-30.0)), 0.2689414213699951],
        rtol=4e-16,
    )
