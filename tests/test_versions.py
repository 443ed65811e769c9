"""Data changed in place between forward and backward is an error, never a wrong gradient."""

from __future__ import annotations

import numpy as np
import pytest

import nn
from autograd import Tensor, Value, no_grad


def two_losses() -> tuple[nn.Sequential, nn.SGD, Tensor, Tensor]:
    model = nn.Sequential(nn.Linear(3, 2, seed=0), nn.Sigmoid(), nn.Linear(2, 1, seed=1))
    opt = nn.SGD(model.parameters(), lr=0.5)
    h = model(Tensor(np.array([[0.5, -1.0, 2.0]], np.float32)))
    return model, opt, h.sum(), (h**2).sum()


def test_issue_example_step_between_two_backwards_is_refused() -> None:
    _, opt, loss_a, loss_b = two_losses()
    loss_a.backward()
    opt.step()  # the weights change in place
    with pytest.raises(RuntimeError, match=r"'weight' of shape \(1, 2\).*op 'linear'"):
        loss_b.backward()


def test_without_the_step_both_backwards_are_right() -> None:
    model, _, loss_a, loss_b = two_losses()
    loss_a.backward()
    loss_b.backward()  # fine: nothing changed in between
    w = model.parameters()[2]
    assert w.grad is not None and np.all(np.isfinite(w.grad))


@pytest.mark.parametrize("write", ["step", "adam", "load_state_dict", "load", "iadd", "view"])
def test_every_in_place_write_the_package_offers_is_detected(write: str, tmp_path: object) -> None:
    model = nn.TensorMLP(3, [4, 2], seed=0)
    x = np.array([[0.5, -1.0, 2.0]], np.float32)
    loss = model(x).sum()
    state = {k: v + 1 for k, v in model.state_dict().items()}
    w = model.parameters()[0]
    w.grad = np.ones_like(w.data)
    if write == "step":
        nn.SGD(model.parameters(), lr=0.1).step()
    elif write == "adam":
        nn.Adam(model.parameters(), lr=0.1).step()
    elif write == "load_state_dict":
        model.load_state_dict(state)
    elif write == "load":
        path = f"{tmp_path}/m.npz"
        model.save(path)
        model.load(path)
    elif write == "iadd":
        with no_grad():
            w += 1.0
    else:  # a detached view shares the counter of the array it views
        with no_grad():
            v = w.detach()
            v -= 0.5
    with pytest.raises(RuntimeError, match="changed in place"):
        loss.backward()


@pytest.mark.parametrize("view", ["T", "reshape", "basic index", "detach"])
def test_views_share_the_version_of_the_array_they_view(view: str) -> None:
    w = Tensor(np.arange(6.0).reshape(2, 3), requires_grad=True)
    v = {
        "T": lambda: w.T,
        "reshape": lambda: w.reshape(3, 2),
        "basic index": lambda: w[0:2],
        "detach": lambda: w.detach(),
    }[view]()
    x = Tensor(np.ones(v.shape), requires_grad=True)
    y = (v * x).sum()  # dL/dx = v: the op saved the view
    with no_grad():
        w -= 1.0
    with pytest.raises(RuntimeError, match="changed in place"):
        y.backward()


def test_ops_that_saved_nothing_do_not_complain() -> None:
    w = Tensor([1.0, 2.0], requires_grad=True)
    y = (w + 3.0).sum()  # d/dw = 1 whatever w is: the add saved no data
    with no_grad():
        w -= 1.0
    y.backward()
    np.testing.assert_array_equal(w.grad, [1.0, 1.0])


def test_scalar_engine_is_immune_it_stored_numbers() -> None:
    w, x = Value(2.0), Value(3.0)
    h = w * x
    loss_a, loss_b = h * 1.0, h * h
    loss_a.backward()
    nn.SGD([w, x], lr=0.5).step()  # Values get new numbers; the graph kept the old ones
    w.grad = x.grad = 0.0
    loss_b.backward()  # d(h^2)/dw = 2 h x with the forward-time numbers: 2 * 6 * 3
    assert w.grad == 36.0 and x.grad == 24.0


def test_tensor_of_an_array_copies_it_so_reusing_the_array_is_harmless() -> None:
    buf = np.array([[1.0, 2.0]])
    w = Tensor([[3.0], [4.0]], requires_grad=True)
    y = (Tensor(buf) @ w).sum()
    buf[...] = 100.0  # the next batch written into the same buffer
    y.backward()
    np.testing.assert_array_equal(w.grad, [[1.0], [2.0]])


def test_cross_entropy_keeps_its_own_labels() -> None:
    labels = np.array([0, 1])
    z = Tensor([[1.0, 2.0], [3.0, 0.5]], requires_grad=True)
    loss = nn.cross_entropy(z, labels)
    labels[:] = [1, 0]
    loss.backward()
    p = np.exp(z.data) / np.exp(z.data).sum(axis=1, keepdims=True)
    np.testing.assert_allclose(z.grad, (p - np.eye(2)) / 2, rtol=1e-12)


def test_in_place_updates_are_refused_where_the_graph_would_be_wrong() -> None:
    w = Tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(RuntimeError, match="no_grad"):
        w -= 1.0
    y = w.exp()
    with pytest.raises(RuntimeError, match="result of op 'exp'"), no_grad():
        y *= 2.0
    with no_grad():
        w -= np.array([0.5, 0.5])
        w /= 2.0
        with pytest.raises(ZeroDivisionError):
            w /= 0.0
        with pytest.raises(ValueError, match="change the shape"):
            w += np.ones((2, 2))
    np.testing.assert_array_equal(w.data, [0.25, 0.75])


def test_optimizer_refuses_a_non_leaf_parameter() -> None:
    w = Tensor([1.0], requires_grad=True)
    with pytest.raises(ValueError, match="computed by op"):
        nn.SGD([w * 2.0], lr=0.1)


def test_a_refused_backward_leaves_every_gradient_as_it_was() -> None:
    _, opt, loss_a, loss_b = two_losses()
    loss_a.backward()
    before = [None if p.grad is None else p.grad.copy() for p in opt.params]
    opt.step()
    with pytest.raises(RuntimeError):
        loss_b.backward()
    for p, g in zip(opt.params, before, strict=True):
        np.testing.assert_array_equal(p.grad, g)


def test_an_index_array_reused_after_the_forward_pass_is_harmless() -> None:
    x = Tensor([1.0, 2.0, 3.0], requires_grad=True)
    idx = np.array([0, 0, 2])
    y = x[idx].sum()
    idx[:] = 1  # reused for something else before backward()
    y.backward()
    np.testing.assert_array_equal(x.grad, [2.0, 0.0, 1.0])


def test_an_output_written_through_a_view_is_refused() -> None:
    """exp's derivative is its output: written in place through detach(), it would be wrong."""
    x = Tensor([0.5, 1.0], requires_grad=True)
    y = x.exp()
    loss = y.sum()  # sum reads no data: only exp's own check can see the write
    with no_grad():
        view = y.detach()
        view += 1.0  # a leaf that shares y's data
    with pytest.raises(RuntimeError, match="changed in place after op 'exp'"):
        loss.backward()


def test_writes_to_data_no_backward_step_reads_are_not_refused() -> None:
    """Exactly what a VJP reads is checked: d(w/2)/dw, d(3a)/da and a layer's bias
    gradient read neither w, a's product nor the bias, so their gradients stay right."""
    w = Tensor([1.0, 2.0], requires_grad=True)
    y = (w / 2.0).sum()
    with no_grad():
        w -= 1.0
    y.backward()
    np.testing.assert_array_equal(w.grad, [0.5, 0.5])
    a = Tensor([1.0, 2.0], requires_grad=True)
    prod = a * 3.0
    s = prod.sum()
    with no_grad():
        prod.detach().__iadd__(1.0)  # the product's own data: mul's step does not read it
    s.backward()
    np.testing.assert_array_equal(a.grad, [3.0, 3.0])
    layer = nn.Linear(2, 1, seed=0, dtype=np.float64)
    out = layer(np.array([[1.0, 2.0]])).sum()
    with no_grad():
        layer.bias -= 1.0  # type: ignore[operator]
    out.backward()
    np.testing.assert_array_equal(layer.weight.grad, [[1.0, 2.0]])


def test_a_target_the_loss_gradient_reads_is_refused() -> None:
    p = Tensor([1.0, 2.0], requires_grad=True)
    t = Tensor([0.0, 0.0])
    loss = nn.mse(p * 1.0, t)
    with no_grad():
        t += 1.0
    with pytest.raises(RuntimeError, match="changed in place after op 'mse'"):
        loss.backward()


def test_an_unpickled_tensor_is_not_refused_for_another_process_writes() -> None:
    """A version counts the writes of the process that made it; pickled into one that
    has written less, the tensor must not look written after graphs made here."""
    import pickle

    from autograd import tensor as tensor_module

    w = Tensor([1.0, 2.0], requires_grad=True)
    w._version[0] = tensor_module._writes[0] + 1000  # as if from a busier process
    w = pickle.loads(pickle.dumps(w))
    y = (w * w).sum()
    with no_grad():
        Tensor([0.0]).__iadd__(1.0)  # some other write: backward() looks at the versions
    y.backward()
    np.testing.assert_array_equal(w.grad, [2.0, 4.0])
