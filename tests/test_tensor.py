"""Tensor: construction, dtypes, graph bookkeeping, backward semantics and error messages.

Gradients against finite differences (hypothesis) are in ``test_tensor_grad.py``.
"""

from __future__ import annotations

import operator
import warnings
from typing import Any

import numpy as np
import pytest

from autograd import Tensor, Value, backprop, no_grad
from autograd.fused import cross_entropy, linear, mse

# ------------------------------------------------------------ construction


def test_construction_and_attributes() -> None:
    t = Tensor([[1.0, 2.0], [3.0, 4.0]], label="t")
    assert t.shape == (2, 2) and t.ndim == 2 and t.dtype == np.float64 and t.size == 4
    assert t.grad is None and not t.requires_grad and t.label == "t"
    assert t._parents == () and t._op == ""
    assert len(t) == 2
    assert "label='t'" in repr(t)


def test_dtypes_are_kept() -> None:
    assert Tensor(np.ones(3, np.float32)).dtype == np.float32
    assert Tensor(np.ones(3)).dtype == np.float64
    assert Tensor([1, 2, 3]).dtype == np.float64  # ints become floats
    assert Tensor([1, 2], dtype=np.float32).dtype == np.float32
    with pytest.raises(TypeError, match="floating type; only float32 and float64"):
        Tensor([1, 2], dtype=np.int32)


@pytest.mark.parametrize("bad", ["abc", {"a": 1}, [1 + 2j], None])
def test_bad_data_is_a_type_error_naming_the_type(bad: object) -> None:
    with pytest.raises(TypeError):
        Tensor(bad)


def test_requires_grad_copies_and_constants_wrap() -> None:
    a = np.ones(3)
    p = Tensor(a, requires_grad=True)
    p.data += 1  # an optimizer step must not change the caller's array
    assert a[0] == 1.0
    c = Tensor(a)
    a[0] = 5.0  # the caller reuses their array: the tensor keeps what it was given
    assert c.data[0] == 1.0 and not np.shares_memory(c.data, a)


def test_python_scalars_do_not_upcast_float32() -> None:
    x = Tensor(np.ones((2, 3), np.float32), requires_grad=True)
    for y in (x * 2.0, 2.0 * x, x + 1, 1 - x, x / 3.0, 3.0 / x, x**2, x * np.float64(2.0), -x):
        assert y.dtype == np.float32, y._op
    y = (x * 2.5 + [1.0, 2.0, 3.0]).sum()
    y.backward()
    assert x.grad is not None and x.grad.dtype == np.float32


def test_mixed_dtypes_promote_and_grads_come_back_in_own_dtype() -> None:
    a = Tensor(np.ones(3, np.float32), requires_grad=True)
    b = Tensor(np.ones(3, np.float64), requires_grad=True)
    y = a * b
    assert y.dtype == np.float64
    y.sum().backward()
    assert a.grad is not None and a.grad.dtype == np.float32
    assert b.grad is not None and b.grad.dtype == np.float64


def test_ndarray_on_the_left_defers_to_tensor() -> None:
    x = Tensor([1.0, 2.0], requires_grad=True)
    y = np.array([3.0, 4.0]) * x
    assert isinstance(y, Tensor)
    y.sum().backward()
    np.testing.assert_array_equal(x.grad, [3.0, 4.0])


@pytest.mark.parametrize(
    "op", [operator.add, operator.sub, operator.mul, operator.truediv, operator.matmul, pow]
)
def test_unsupported_operand_is_a_type_error_naming_the_type(op: Any) -> None:
    x = Tensor([1.0, 2.0])
    with pytest.raises(TypeError, match="str"):
        op(x, "a")
    with pytest.raises(TypeError, match="str"):
        op("a", x)


# ------------------------------------------------------------ graph bookkeeping


def test_only_parents_that_require_grad_are_recorded() -> None:
    w = Tensor([1.0, 2.0], requires_grad=True)
    c = Tensor([3.0, 4.0])
    y = w * c + 1.0
    assert y.requires_grad and y._op == "+"
    (mul,) = y._parents
    assert mul._op == "*" and mul._parents == (w,)
    z = c * c
    assert not z.requires_grad and z._parents == ()


def test_no_grad_records_nothing() -> None:
    w = Tensor([1.0, 2.0], requires_grad=True)
    with no_grad():
        y = (w * w).sigmoid().sum()
        z = linear(np.ones((3, 2)), w.reshape(1, 2), None, "relu")
    assert y._parents == () and not y.requires_grad
    assert z._parents == () and z._vjp is None
    with pytest.raises(RuntimeError, match="does not require grad"):
        y.backward()


def test_backward_uses_the_shared_graph_walk() -> None:
    w = Tensor(np.arange(6.0).reshape(2, 3), requires_grad=True)
    y = (w * w).sum()
    order = backprop.topological_order(y)
    assert order[0] is w and order[-1] is y
    y.backward()
    np.testing.assert_array_equal(w.grad, 2 * w.data)


def test_leaves_accumulate_intermediates_are_fresh() -> None:
    x = Tensor([1.0, -2.0, 3.0], requires_grad=True)
    h = x * x
    y = h.sum()
    y.backward()
    first_h = h.grad
    y.backward()
    np.testing.assert_array_equal(x.grad, 2 * (2 * x.data))  # twice the gradient
    np.testing.assert_array_equal(h.grad, np.ones(3))  # recomputed, not accumulated
    assert first_h is not None
    y.zero_grad()
    assert x.grad is None and h.grad is None


def test_leaf_grads_never_alias_other_grads() -> None:
    a = Tensor([1.0, 2.0], requires_grad=True)
    b = Tensor([3.0, 4.0], requires_grad=True)
    s = a + b
    s.backward(np.array([1.0, 1.0]))
    assert a.grad is not None and b.grad is not None
    assert not np.shares_memory(a.grad, b.grad)
    assert not np.shares_memory(a.grad, s.grad)
    a.grad += 10  # in-place edits of one leaf's grad leave the others alone
    np.testing.assert_array_equal(b.grad, [1.0, 1.0])


def test_backward_seed_is_copied() -> None:
    x = Tensor([1.0, 2.0], requires_grad=True)
    seed = np.array([1.0, 1.0])
    x.backward(seed)
    assert x.grad is not None and not np.shares_memory(x.grad, seed)
    x.grad += 1
    np.testing.assert_array_equal(seed, [1.0, 1.0])


def test_reused_node_sums_over_paths() -> None:
    x = Tensor([2.0], requires_grad=True)
    h = x * 3.0
    y = (h * h + h).sum()  # dy/dx = (2h + 1) * 3
    y.backward()
    np.testing.assert_allclose(x.grad, [(2 * 6.0 + 1) * 3])


def test_backward_on_non_scalar_needs_a_gradient() -> None:
    x = Tensor(np.ones((3, 4)), requires_grad=True)
    y = x * 2.0
    with pytest.raises(ValueError, match=r"shape \(3, 4\).*grad="):
        y.backward()
    with pytest.raises(ValueError, match=r"grad has shape \(4,\)"):
        y.backward(np.ones(4))
    y.backward(np.full((3, 4), 0.5))
    np.testing.assert_array_equal(x.grad, np.ones((3, 4)))


def test_one_element_tensor_backward_and_item() -> None:
    x = Tensor([[3.0]], requires_grad=True)
    y = x * x
    y.backward()
    np.testing.assert_array_equal(x.grad, [[6.0]])
    assert y.item() == 9.0
    with pytest.raises(ValueError, match="one-element"):
        Tensor([1.0, 2.0]).item()


def test_deep_graph_has_no_recursion_limit() -> None:
    x = Tensor([1.0], requires_grad=True)
    y = x
    for _ in range(5000):
        y = y * 1.0
    y.sum().backward()
    np.testing.assert_array_equal(x.grad, [1.0])


def test_value_and_tensor_share_the_engine() -> None:
    v = Value(0.5)
    t = Tensor([0.5], requires_grad=True, dtype=np.float64)
    yv = (v * v).sigmoid()
    yt = (t * t).sigmoid().sum()
    yv.backward()
    yt.backward()
    assert t.grad is not None
    assert abs(float(yt.data) - yv.data) < 1e-15
    assert abs(float(t.grad[0]) - v.grad) < 1e-15


# ------------------------------------------------------------ ops: values


def test_sigmoid_is_stable_for_large_magnitudes() -> None:
    for dtype in (np.float32, np.float64):
        x = Tensor(np.array([-1000.0, -50.0, 0.0, 50.0, 1000.0], dtype), requires_grad=True)
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            y = x.sigmoid()
            y.sum().backward()
        assert y.dtype == dtype
        assert np.all(np.isfinite(y.data)) and np.all(np.isfinite(x.grad))  # type: ignore[arg-type]
        assert y.data[-1] == 1.0 and y.data[0] < 1e-30 and y.data[2] == 0.5
    np.testing.assert_allclose(Tensor([-30.0]).sigmoid().data, [1 / (1 + np.exp(30.0))], rtol=1e-12)


def test_softmax_and_log_softmax_are_stable() -> None:
    z = Tensor([[1000.0, 1000.0, -1000.0], [0.0, 1.0, 2.0]], requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        s = z.softmax(axis=1)
        ls = z.log_softmax(axis=1)
        ce = cross_entropy(z, np.array([0, 2]))
        ce.backward()
    np.testing.assert_allclose(s.data[0], [0.5, 0.5, 0.0])
    np.testing.assert_allclose(ls.data[0, :2], [np.log(0.5)] * 2)
    np.testing.assert_allclose(np.exp(ls.data).sum(axis=1), [1.0, 1.0])
    assert np.isfinite(ce.data) and np.all(np.isfinite(z.grad))  # type: ignore[arg-type]


def test_cross_entropy_matches_log_softmax_and_value_engine() -> None:
    rng = np.random.default_rng(0)
    z = rng.normal(size=(4, 5))
    y = np.array([0, 4, 2, 2])
    a = Tensor(z, requires_grad=True)
    b = Tensor(z, requires_grad=True)
    ce = cross_entropy(a, y)
    ref = -(b.log_softmax(axis=1)[np.arange(4), y]).mean()
    ce.backward()
    ref.backward()
    np.testing.assert_allclose(ce.data, ref.data, rtol=1e-12)
    np.testing.assert_allclose(a.grad, b.grad, rtol=1e-10, atol=1e-14)  # type: ignore[arg-type]
    one = cross_entropy(Tensor(z[1]), 4)  # one example: 1-D logits, int label
    np.testing.assert_allclose(one.data, -(z[1] - np.log(np.exp(z[1]).sum()))[4])


def test_mse_definition() -> None:
    p = Tensor([[0.5, 1.0], [0.0, 0.0]], requires_grad=True)
    t = np.array([[1.0, 1.0], [0.0, 1.0]])
    loss = mse(p, t)  # ((0.25 + 0) + (0 + 1)) / 2 examples
    assert loss.item() == pytest.approx(0.625)
    loss.backward()
    np.testing.assert_allclose(p.grad, 2 * (p.data - t) / 2)  # type: ignore[arg-type]
    assert mse(Tensor([0.5, 1.0]), [1.0, 1.0]).item() == pytest.approx(0.25)  # one example


def test_getitem_repeated_indices_accumulate() -> None:
    x = Tensor([1.0, 2.0, 3.0], requires_grad=True)
    x[[0, 0, 2, 0]].sum().backward()
    np.testing.assert_array_equal(x.grad, [3.0, 0.0, 1.0])
    y = Tensor(np.arange(12.0).reshape(3, 4), requires_grad=True)
    y[1:, ::2].sum().backward()
    np.testing.assert_array_equal(y.grad, [[0, 0, 0, 0], [1, 0, 1, 0], [1, 0, 1, 0]])


def test_max_splits_gradient_between_ties() -> None:
    x = Tensor([[1.0, 3.0, 3.0], [2.0, 0.0, 1.0]], requires_grad=True)
    x.max(axis=1).sum().backward()
    np.testing.assert_array_equal(x.grad, [[0, 0.5, 0.5], [1, 0, 0]])


def test_relu_derivative_at_zero_is_zero() -> None:
    x = Tensor([-1.0, 0.0, 2.0], requires_grad=True)
    x.relu().sum().backward()
    np.testing.assert_array_equal(x.grad, [0.0, 0.0, 1.0])


def test_transpose_reshape_and_T() -> None:
    x = Tensor(np.arange(24.0).reshape(2, 3, 4), requires_grad=True)
    y = x.transpose(2, 0, 1)
    assert y.shape == (4, 2, 3) and x.T.shape == (4, 3, 2)
    (y.reshape(4, 6) * np.arange(6.0)).sum().backward()
    expect = np.broadcast_to(np.arange(6.0).reshape(2, 3), (4, 2, 3)).transpose(1, 2, 0)
    np.testing.assert_array_equal(x.grad, expect)


# ------------------------------------------------------------ error messages


def test_matmul_shape_error_names_both_shapes() -> None:
    a = Tensor(np.ones((32, 784)))
    b = Tensor(np.ones((100, 10)))
    with pytest.raises(ValueError) as err:
        a @ b
    assert str(err.value) == "matmul: (32, 784) @ (100, 10): inner dimensions 784 and 100 differ"
    with pytest.raises(ValueError, match=r"matmul: \(3,\) @ \(4,\)"):
        Tensor(np.ones(3)) @ Tensor(np.ones(4))
    with pytest.raises(ValueError, match="batch dimensions"):
        Tensor(np.ones((2, 3, 4))) @ Tensor(np.ones((3, 4, 5)))


def test_broadcast_error_names_both_shapes() -> None:
    with pytest.raises(ValueError, match=r"add: \(3, 2\) \+ \(3,\): shapes do not broadcast"):
        Tensor(np.ones((3, 2))) + Tensor(np.ones(3))
    with pytest.raises(ValueError, match=r"mul: \(4,\) \* \(5,\)"):
        Tensor(np.ones(4)) * np.ones(5)


def test_domain_errors_name_the_entries() -> None:
    with pytest.raises(ValueError) as err:
        Tensor([[1.0, 0.0], [-1.0, 2.0]]).log()
    assert str(err.value) == (
        "log: log(0.0) is undefined; log needs a positive input; "
        "2 such entries of 4, first at index (0, 1)"
    )
    with pytest.raises(
        ValueError, match=r"^log: log\(-3\.0\) is undefined; log needs a positive input$"
    ):
        Tensor(-3.0).log()
    with pytest.raises(ZeroDivisionError) as zerr:
        Tensor([1.0, 2.0]) / Tensor([1.0, 0.0])
    assert str(zerr.value) == (
        "div: x / 0.0 is undefined (division by zero); "
        "the divisor has 1 zero entry of 2, first at index (1,)"
    )
    with pytest.raises(
        ZeroDivisionError, match=r"^div: x / 0\.0 is undefined \(division by zero\)$"
    ):
        Tensor([1.0, 2.0]) / 0.0
    with pytest.raises(
        ZeroDivisionError,
        match=r"pow: 0\.0 \*\* -1\.0 is undefined \(division by zero\); 2 such entries of 3",
    ):
        Tensor([0.0, 1.0, 0.0]) ** -1
    with pytest.raises(ValueError) as verr:
        Tensor([-1.0, 2.0]) ** 0.5
    assert str(verr.value) == (
        "pow: -1.0 ** 0.5 is not a real number (negative base, non-integer exponent); "
        "1 such entry of 2, first at index (0,)"
    )
    with pytest.raises(
        ValueError, match=r"positive base.*1 such entry of 2, first at index \(0,\)"
    ):
        Tensor([-1.0, 2.0]) ** Tensor([2.0], requires_grad=True)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_exp_overflow_is_an_error_naming_the_entry(dtype: Any) -> None:
    x = Tensor(np.array([1.0, 1000.0, 2000.0], dtype), requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no NumPy RuntimeWarning either
        with pytest.raises(OverflowError) as err:
            x.exp()
    cap = "709.78" if dtype is np.float64 else "88.72"
    assert str(err.value) == (
        f"exp: exp(1000.0) is too large for {np.dtype(dtype)} (largest is about exp({cap})); "
        "2 of the 3 entries overflow, first at index (1,)"
    )
    with pytest.raises(OverflowError, match=r"exp: exp\(1000\.0\) is too large for float64"):
        Tensor([1000.0]).exp()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        y = Tensor([-1000.0, 0.0, np.inf]).exp()  # underflow to 0 and exp(inf) are fine
    np.testing.assert_array_equal(y.data, [0.0, 1.0, np.inf])


@pytest.mark.parametrize("dtype", [np.float16, np.longdouble, np.int32, np.complex128])
def test_unsupported_dtype_argument_is_rejected(dtype: Any) -> None:
    with pytest.raises(TypeError) as err:
        Tensor(np.ones(3), dtype=dtype)
    assert str(err.value) == (
        "Tensor dtype must be a floating type; only float32 and float64 are supported, "
        f"got {np.dtype(dtype)}"
    )


@pytest.mark.parametrize("dtype", [np.float16, np.longdouble])
def test_unsupported_float_arrays_are_rejected(dtype: Any) -> None:
    with pytest.raises(TypeError) as err:
        Tensor(np.ones(3, dtype))
    assert str(err.value) == (
        f"Tensor() supports only float32 and float64 data, got an array of dtype "
        f"{np.dtype(dtype)}; convert it first or pass dtype=np.float32 / np.float64"
    )
    # an explicit supported dtype converts
    t = Tensor(np.ones(3, dtype), dtype=np.float32)
    assert t.dtype == np.float32 and t.data.tolist() == [1.0, 1.0, 1.0]


@pytest.mark.parametrize(
    "data", [[True, False], True, np.array([True]), np.bool_(False), [[True], [False]]]
)
def test_bools_are_rejected(data: object) -> None:
    for dtype in (None, np.float32):
        with pytest.raises(
            TypeError, match=r"^Tensor\(\) does not take bools \(got \w+ of dtype bool\)"
        ):
            Tensor(data, dtype=dtype)
    with pytest.raises(TypeError, match="real number"):
        Value(True)  # the scalar engine rejects bools too


@pytest.mark.parametrize(
    ("data", "why"),
    [
        ([[1, 2], [3]], "the sequences at depth 1 have different lengths (2 and 1)"),
        ([[[1, 2]], [[3, 4], [5, 6]]], "the sequences at depth 1 have different lengths (1 and 2)"),
        ([[1, 2], 3], "it mixes numbers and sequences at depth 1"),
        (
            [[[1, 2], [3]], [[4, 5], [6, 7]]],
            "the sequences at depth 2 have different lengths (2 and 1)",
        ),
    ],
)
def test_ragged_input_is_a_clear_error(data: object, why: str) -> None:
    with pytest.raises(TypeError) as err:
        Tensor(data)
    assert (
        str(err.value) == f"Tensor() needs a rectangular array of numbers; got a ragged list: {why}"
    )
    assert "inhomogeneous" not in str(err.value)


def test_fractional_pow_at_zero_needs_no_grad() -> None:
    x = Tensor([4.0, 0.0, 0.0], requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(ValueError) as err:
            x**0.5
    assert str(err.value) == (
        "pow: 0.0 ** 0.5 has an infinite derivative at 0 (d/da a**n = n a**(n-1)); "
        "2 such entries of 3, first at index (1,)"
    )
    # forward-only uses are fine: a constant base, or under no_grad
    np.testing.assert_array_equal((Tensor([4.0, 0.0]) ** 0.5).data, [2.0, 0.0])
    with no_grad():
        np.testing.assert_array_equal((x**0.5).data, [2.0, 0.0, 0.0])
    # exponents >= 1 (finite derivative 0 at 0) and away from zero are unaffected
    (x**1.5).sum().backward()
    np.testing.assert_allclose(x.grad, [3.0, 0.0, 0.0])  # type: ignore[arg-type]
    y = Tensor([4.0], requires_grad=True)
    (y**0.5).sum().backward()
    np.testing.assert_allclose(y.grad, [0.25])  # type: ignore[arg-type]


def test_reduction_and_reshape_errors() -> None:
    x = Tensor(np.ones((2, 3)))
    with pytest.raises(ValueError, match="axis 2 is out of range"):
        x.sum(axis=2)
    with pytest.raises(ValueError, match=r"cannot reshape a tensor of shape \(2, 3\)"):
        x.reshape(4, 2)
    with pytest.raises(IndexError, match=r"shape \(2, 3\)"):
        x[5]


def test_loss_errors() -> None:
    with pytest.raises(ValueError, match=r"mse: predictions of shape \(2, 3\) and targets"):
        mse(Tensor(np.ones((2, 3))), np.ones((2, 4)))
    with pytest.raises(TypeError, match="integers"):
        cross_entropy(Tensor(np.ones((2, 3))), np.array([0.0, 1.0]))
    with pytest.raises(ValueError, match=r"labels must be in \[0, 3\)"):
        cross_entropy(Tensor(np.ones((2, 3))), np.array([0, 3]))
    with pytest.raises(ValueError, match=r"labels of shape \(3,\)"):
        cross_entropy(Tensor(np.ones((2, 3))), np.array([0, 1, 2]))


def test_linear_width_error() -> None:
    w = Tensor(np.ones((10, 784)), requires_grad=True)
    with pytest.raises(ValueError, match="has 100 features, but the layer expects 784"):
        linear(np.ones((32, 100)), w)
    with pytest.raises(ValueError, match="unknown activation 'softplus'"):
        linear(np.ones((32, 784)), w, None, "softplus")


def test_zero_d_results_are_arrays() -> None:
    x = Tensor(2.0, requires_grad=True)
    for y in (x.exp(), x.log(), x.tanh(), x.relu(), -x, x**3, x.sigmoid(), x * x, x.sum(), x[()]):
        assert type(y.data) is np.ndarray, y._op
    (x.exp() * x.sigmoid()).backward()
    assert type(x.grad) is np.ndarray and x.grad.shape == ()


def test_linear_casts_constant_input_to_the_layer_dtype() -> None:
    w = Tensor(np.ones((2, 3), np.float32), requires_grad=True)
    y = linear(np.ones((4, 3), np.float64), w)
    assert y.dtype == np.float32
    y = linear(np.ones((4, 3), np.uint8), w, None, "sigmoid")
    assert y.dtype == np.float32 and y._op == "linear+sigmoid"
    y.sum().backward()
    assert w.grad is not None and w.grad.dtype == np.float32
