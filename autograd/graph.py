"""The autodiff core shared by :class:`~autograd.Value` and :class:`~autograd.Tensor`.

Reverse-mode differentiation is two steps:

1. order the nodes of the graph so that every node comes after the nodes it was
   computed from (a *topological order*), and
2. walk that order backwards, letting each node hand its gradient to its parents
   through the chain rule: ``dL/dparent += dL/dnode * dnode/dparent``.

Both steps live here, once. A node type plugs in by having

* ``_parents``: the tuple of nodes it was computed from (empty for a leaf),
* ``_id``: its creation number, from :func:`next_id` when it is made (so a
  node's number is larger than its parents'),
* ``grad``: its gradient ``dL/dnode``, and
* ``_propagate()``: the chain-rule step for that node, which adds
  ``node.grad * local derivative`` into each parent's ``grad``.

A scalar :class:`~autograd.Value` stores its local derivatives as plain numbers; a
:class:`~autograd.Tensor` stores a function (a vector-Jacobian product), because the
Jacobian of an array op is too big to keep. The walk below does not care which.

The only global state in the package is the no-grad switch, also here.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from contextlib import contextmanager
from operator import attrgetter
from typing import Any, Protocol

__all__ = ["Node", "backward", "is_grad_enabled", "no_grad", "topological_order"]


class Node(Protocol):
    """What the graph walk needs from a node (Value and Tensor both qualify)."""

    _parents: tuple[Any, ...]
    _id: int  # creation number, from next_id(): larger than every parent's
    grad: Any

    def _propagate(self) -> None:
        """Add ``self.grad * d(self)/d(parent)`` into each parent's ``grad``."""
        ...


_grad_enabled = True

# Creation numbers: every node takes the next one when it is made (see topological_order).
next_id = itertools.count().__next__
_creation_number = attrgetter("_id")


def is_grad_enabled() -> bool:
    """True unless we are inside a :func:`no_grad` block."""
    return _grad_enabled


@contextmanager
def no_grad() -> Iterator[None]:
    """Context manager: ops inside record no graph (no parents, no derivatives).

    Use it for evaluation and for parameter updates, where nobody will call
    ``backward()`` and building the graph would only cost time and memory::

        with no_grad():
            y = w * x      # y is a plain leaf: y._parents == ()
    """
    global _grad_enabled
    previous = _grad_enabled
    _grad_enabled = False
    try:
        yield
    finally:
        _grad_enabled = previous


def topological_order(root: Node) -> list[Any]:
    """Every node that ``root`` depends on, each once, parents before children.

    A node is always created after its parents, so its creation number ``_id`` is
    larger than theirs: the nodes reachable from ``root``, sorted by ``_id``, are in
    a topological order (cheaper than a depth-first post-order sort: one visit per
    node, no bookkeeping of which parents are done, and the sort runs in C).
    """
    interior, leaves = _reachable(root)
    nodes = leaves + interior
    nodes.sort(key=_creation_number)
    return nodes


def _reachable(root: Node) -> tuple[list[Any], list[Any]]:
    """The nodes ``root`` depends on, each once, in no particular order: (ops, leaves).

    A walk with an explicit stack, so the depth of the graph is limited by memory,
    not by Python's recursion limit (a recursive walk fails near 1,000 nodes deep;
    a 784-input neuron is ~800 deep).
    """
    # Creation numbers identify nodes too: reading one is twice as fast as id(), which
    # makes a new int object on every call.
    seen = {root._id}
    interior: list[Any] = []
    leaves: list[Any] = []
    stack = [root]
    while stack:
        node = stack.pop()
        parents = node._parents
        if not parents:
            leaves.append(node)
            continue
        interior.append(node)
        for parent in parents:
            key = parent._id
            if key not in seen:
                seen.add(key)
                stack.append(parent)
    return interior, leaves


def backward(root: Node, seed: Any, zero: Any) -> None:
    """Reverse-mode pass from ``root``, seeding ``d root / d root = seed``.

    Semantics (the same as PyTorch's):

    * **Leaves accumulate.** A leaf's ``grad`` (a node with no parents: inputs,
      parameters) is *added to* on every call, until someone zeroes it. Two calls
      give exactly twice the gradient.
    * **Intermediates are fresh.** Every non-leaf node's ``grad`` is reset to
      ``zero`` before the pass, so a stale gradient from an earlier call never
      leaks into this one.
    * **Reused nodes sum.** A node used by several others receives the sum over all
      paths, because every child adds (``+=``) its share.

    A leaf's gradient from this pass is summed on its own (from ``zero``) and added
    to the stored one once, at the end: floating-point addition is not associative,
    so adding each path straight into the stored gradient would make the second
    call's result differ from twice the first in the last bits.
    """
    ops, leaves = _reachable(root)
    ops.sort(key=_creation_number)  # only the ops propagate, children before parents
    before = [leaf.grad for leaf in leaves]
    for node in ops:
        node.grad = zero
    for leaf in leaves:
        leaf.grad = zero
    root.grad = seed
    for node in reversed(ops):
        node._propagate()
    for leaf, old in zip(leaves, before):  # noqa: B905 (same length)
        if old is not None:
            leaf.grad = old if leaf.grad is None else old + leaf.grad
