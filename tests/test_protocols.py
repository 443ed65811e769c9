"""A Tensor takes part in Python's protocols as a NumPy array of its shape, or raises clearly."""

from __future__ import annotations

import numpy as np
import pytest

from autograd import Tensor


@pytest.mark.parametrize("index", [[1.0, 0.0, 1.0, 0.0], [1.7, -0.5]])
def test_a_tensor_index_is_an_index_error(index: list[float]) -> None:
    a = Tensor(np.arange(8.0).reshape(4, 2))
    with pytest.raises(IndexError, match="cannot be an index"):
        a[Tensor(index)]
    with pytest.raises(IndexError, match="cannot be an index"):
        a[0, Tensor(0.0)]
    with pytest.raises(IndexError):  # floats as a plain list: NumPy's rule
        a[index]
    np.testing.assert_array_equal(a[np.array([1, 0])].data, [[2.0, 3.0], [0.0, 1.0]])
    np.testing.assert_array_equal(a[np.array([True, False, True, False])].data[:, 0], [0, 4])


def test_len_and_iteration_follow_numpy() -> None:
    t = Tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    assert len(t) == 2
    rows = list(t)
    assert [r.shape for r in rows] == [(2,), (2,)]
    (rows[0] * 2 + rows[1]).sum().backward()  # rows stay in the graph
    np.testing.assert_array_equal(t.grad, [[2.0, 2.0], [1.0, 1.0]])
    s = Tensor(3.0)
    with pytest.raises(TypeError, match="0-d"):
        len(s)
    with pytest.raises(TypeError, match="0-d"):
        iter(s)
    assert 3.0 in Tensor([1.0, 3.0]) and 2.0 not in Tensor([1.0, 3.0])


@pytest.mark.parametrize("shape", [(), (1,), (1, 1)])
def test_bool_int_float_of_one_element(shape: tuple[int, ...]) -> None:
    t = Tensor(np.full(shape, 2.5))
    assert float(t) == 2.5 and int(t) == 2 and bool(t) is True and complex(t) == 2.5
    assert bool(Tensor(np.zeros(shape))) is False  # not "an object is truthy"


def test_bool_int_float_of_several_elements_raise_as_numpy() -> None:
    t = Tensor([1.0, 2.0])
    with pytest.raises(ValueError, match="ambiguous"):
        bool(t)
    with pytest.raises(ValueError, match="ambiguous"):
        bool(Tensor(np.zeros(0)))
    for conv in (int, float):
        with pytest.raises(TypeError, match="one-element"):
            conv(t)


def test_comparisons_give_plain_bool_arrays_and_no_graph() -> None:
    a = Tensor([1.0, 2.0, 3.0], requires_grad=True)
    b = Tensor([3.0, 2.0, 1.0], requires_grad=True)
    for got, want in [
        (a < b, [True, False, False]),
        (a <= 2.0, [True, True, False]),
        (a > np.array([0.0, 5.0, 0.0]), [True, False, True]),
        (a >= b, [False, True, True]),
        (a == b, [False, True, False]),
        (a != 2.0, [True, False, True]),
        (np.array([2.0, 2.0, 2.0]) < a, [False, False, True]),  # reflected
        (a == 2.0, [False, True, False]),
    ]:
        assert type(got) is np.ndarray and got.dtype == np.bool_
        np.testing.assert_array_equal(got, want)
    with pytest.raises(ValueError, match="broadcast"):
        a < np.ones(2)  # noqa: B015


def test_tensors_hash_by_identity() -> None:
    a, b = Tensor([1.0]), Tensor([1.0])
    d = {a: "a", b: "b"}
    assert d[a] == "a" and d[b] == "b" and len({a, b, a}) == 2


def test_numpy_conversion_is_refused_with_the_way_out() -> None:
    t = Tensor([1.0, 2.0], requires_grad=True)
    for convert in (np.asarray, np.array, lambda x: np.dot(x, np.ones(2))):
        with pytest.raises(TypeError, match=r"t\.data"):
            convert(t)
    with pytest.raises(TypeError):
        np.exp(t)  # ufuncs defer to Tensor, which has no such method
    np.testing.assert_array_equal(np.asarray(t.data), [1.0, 2.0])


def test_item_assignment_is_refused() -> None:
    t = Tensor([1.0, 2.0])
    with pytest.raises(TypeError, match="item assignment"):
        t[0] = 5.0
