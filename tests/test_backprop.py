"""The graph walk shared by Value and Tensor: topological order and the backward pass.

A tiny node type defined here (not Value) shows that :mod:`autograd.backprop` needs
only ``_parents``, ``grad`` and ``_propagate()``.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from autograd import Value, backprop, grad_mode, is_grad_enabled, no_grad
from autograd.checking.strategies import expressions


class Node:
    """A minimal graph node: y = sum of parents times fixed weights."""

    def __init__(self, name: str, parents: tuple[Node, ...] = (), weights: tuple[float, ...] = ()):
        self.name = name
        self._parents = parents
        self.weights = weights
        self.grad: Any = None
        self.propagated = 0

    def _propagate(self) -> None:
        self.propagated += 1
        for p, w in zip(self._parents, self.weights, strict=True):
            g = w * self.grad
            p.grad = g if p.grad is None else p.grad + g

    def __repr__(self) -> str:
        return self.name


@st.composite
def dags(draw: st.DrawFn) -> list[Node]:
    """Random DAGs; the last node is the root, and it depends on every node."""
    n_leaves = draw(st.integers(1, 4))
    nodes = [Node(f"x{i}") for i in range(n_leaves)]
    for k in range(draw(st.integers(0, 25))):
        parents = draw(st.lists(st.sampled_from(nodes), min_size=1, max_size=3))
        weights = tuple(float(draw(st.integers(-3, 3))) for _ in parents)
        nodes.append(Node(f"v{k}", tuple(parents), weights))
    root_parents = tuple(nodes)  # so that everything reaches the root
    nodes.append(Node("root", root_parents, tuple(1.0 for _ in root_parents)))
    return nodes


@given(dags())
def test_topological_order_lists_each_ancestor_once_parents_first(nodes: list[Node]) -> None:
    root = nodes[-1]
    order = backprop.topological_order(root)
    assert len(order) == len({id(n) for n in order}) == len(nodes)
    position = {id(n): i for i, n in enumerate(order)}
    for n in order:
        for p in n._parents:
            assert position[id(p)] < position[id(n)]
    assert order[-1] is root


def test_topological_order_of_a_leaf_is_just_the_leaf() -> None:
    x = Node("x")
    assert backprop.topological_order(x) == [x]


def test_topological_order_only_contains_ancestors() -> None:
    a, b = Node("a"), Node("b")
    c = Node("c", (a,), (1.0,))
    Node("d", (b, c), (1.0, 1.0))  # a child of c: not an ancestor
    assert backprop.topological_order(c) == [a, c]


def test_topological_order_is_iterative_on_a_very_deep_graph() -> None:
    node = Node("x")
    for i in range(50_000):
        node = Node(f"v{i}", (node,), (1.0,))
    assert len(backprop.topological_order(node)) == 50_001


@given(dags())
def test_backward_on_any_node_type_sums_paths_and_propagates_once(nodes: list[Node]) -> None:
    root = nodes[-1]
    backprop.backward(root, 1.0, None)
    assert root.grad == 1.0
    for n in nodes:
        if n._parents:
            assert n.propagated == 1
    # d root / d node = sum over children of weight * d root / d child, i.e. all paths
    expected: dict[int, float] = {id(root): 1.0}
    for n in reversed(backprop.topological_order(root)):
        for p, w in zip(n._parents, n.weights, strict=True):
            expected[id(p)] = expected.get(id(p), 0.0) + w * expected[id(n)]
    for n in nodes:
        assert n.grad == pytest.approx(expected[id(n)])


@given(dags())
def test_backward_twice_doubles_leaves_exactly_and_refreshes_intermediates(
    nodes: list[Node],
) -> None:
    root = nodes[-1]
    backprop.backward(root, 1.0, None)
    first = {id(n): n.grad for n in nodes}
    backprop.backward(root, 1.0, None)
    for n in nodes:
        g = first[id(n)]
        if n._parents:
            assert n.grad == g
        else:
            assert n.grad == (None if g is None else 2 * g)


def test_backward_on_a_leaf_root_accumulates() -> None:
    x = Value(3.0)
    x.backward()
    x.backward()
    assert x.grad == 2.0


def test_leaf_grads_set_by_hand_are_kept_and_added_to() -> None:
    x = Value(2.0)
    x.grad = 10.0
    (x * x).backward()
    assert x.grad == 14.0


@given(expressions())
def test_intermediate_grads_do_not_leak_between_calls(expr: tuple) -> None:
    f, inputs = expr
    root = f(*inputs)
    root.backward()
    order = backprop.topological_order(root)
    first = [n.grad for n in order]
    for n in order:  # scribble on every intermediate gradient
        if n._parents:
            n.grad = 1e6
    root.backward()
    for n, g in zip(order, first, strict=True):
        if n._parents:
            assert n.grad == g


def test_no_grad_switch() -> None:
    assert is_grad_enabled() and grad_mode._all_on
    with no_grad():
        assert not is_grad_enabled()
    assert is_grad_enabled()


class _ComparedValue(Value):
    """A learner's Value that compares by value: __eq__ without __hash__ (unhashable)."""

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Value) and self.data == other.data


class _EqualNode:
    """A stand-in node that hashes and compares by value (every one equal)."""

    def __init__(self, name: str, parents: tuple[Any, ...] = ()) -> None:
        self.name, self._parents = name, parents

    def __eq__(self, other: object) -> bool:
        return True

    def __hash__(self) -> int:
        return 0


def test_the_walk_takes_nodes_that_do_not_hash_by_identity() -> None:
    x = _ComparedValue(2.0)
    (x * x + x).backward()
    assert x.grad == 5.0  # 2x + 1
    a, b = _EqualNode("a"), _EqualNode("b")
    assert [n.name for n in backprop.topological_order(_EqualNode("c", (b, a)))] == ["a", "b", "c"]
