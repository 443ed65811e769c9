"""The autodiff core shared by :class:`~autograd.Value` and :class:`~autograd.Tensor`.

Reverse-mode differentiation is two steps:

1. order the nodes of the graph so that every node comes after the nodes it was
   computed from (a *topological order*), and
2. walk that order backwards, letting each node hand its gradient to its parents
   through the chain rule: ``dL/dparent += dL/dnode * dnode/dparent``.

Both steps live here, once, for any node with ``_parents`` (empty for a leaf),
``grad`` and ``_propagate()`` (its chain-rule step; :class:`Node`). A
:class:`~autograd.Value` stores its local derivatives as numbers, a
:class:`~autograd.Tensor` a function (its Jacobian is too big to keep); the walk
does not care which.
"""

from __future__ import annotations

import threading
from typing import Any, Protocol

from autograd.grad_mode import enable_grad

__all__ = ["Node", "backward", "lock", "topological_order"]

# One pass at a time: two threads' passes adding into a shared leaf's .grad would lose
# a sum. (nn's optimizers take it too, for their read-modify-write of .data.)
lock = threading.RLock()


class Node(Protocol):
    """What the graph walk needs from a node (Value and Tensor both qualify)."""

    _parents: tuple[Any, ...]
    grad: Any

    def _propagate(self) -> None:
        """Add ``self.grad * d(self)/d(parent)`` into each parent's ``grad``."""
        ...

    def _propagate_graph(self) -> None:
        """The same, computed with (and recorded as) graph nodes: ``create_graph``."""
        ...


def topological_order(root: Node) -> list[Any]:
    """Every node that ``root`` depends on, each once, parents before children.

    A depth-first search with a stack of its own, so depth is limited by memory, not
    by Python's recursion limit (a 784-input neuron is already ~800 deep); a node is
    appended after all of its parents (post-order): a topological order.
    """
    try:
        order = _walk(root, by_id=False)
        if _hash_by_identity(set(map(type, order))):
            return order
    except Exception:  # a node class that hashes or compares oddly: retry by id()
        pass
    return _walk(root, by_id=True)  # some node class has a hash of its own: key by id()


_IDENTITY_HASH: Any = object.__hash__


def _hash_by_identity(classes: set[type]) -> bool:
    # Asked on every walk (not cached): a class may be given a hash of its own later.
    return all(cls.__hash__ is _IDENTITY_HASH for cls in classes)


def _walk(root: Any, by_id: bool) -> list[Any]:
    # The nodes seen: the nodes themselves where their hash is their identity (cheaper
    # than id(), which makes a new int per call), else their id().
    visited: set[Any] = set()
    order: list[Any] = []
    stack: list[tuple[Any, bool]] = [(root, False)]  # (node, True): its parents are done
    while stack:
        node, parents_done = stack.pop()
        if parents_done:
            order.append(node)
            continue
        key = id(node) if by_id else node
        if key in visited:
            continue
        visited.add(key)
        stack.append((node, True))
        for parent in node._parents:
            if (id(parent) if by_id else parent) not in visited:
                stack.append((parent, False))
    return order


def backward(root: Node, seed: Any, zero: Any, create_graph: bool = False) -> None:
    """Reverse-mode pass from ``root``, seeding ``d root / d root = seed``.

    Semantics (the same as PyTorch's):

    * **Leaves accumulate.** A leaf's ``grad`` (inputs, parameters) is *added to* on
      every call until someone zeroes it: two calls give exactly twice the gradient.
      (It is summed from ``zero`` on its own and added once, at the end: float
      addition is not associative, so adding path by path would differ in the last bits.)
    * **Intermediates are fresh.** Every other node's ``grad`` is reset to ``zero``
      before the pass: a stale gradient from an earlier call never leaks in.
    * **Reused nodes sum.** A node used by several others gets the sum over all paths.
    * **All or nothing.** If a node's step raises (e.g. data it saved was changed in
      place), every leaf keeps the gradient it had before the call.
    * **One at a time.** Passes hold :data:`lock`: threads sharing a leaf get the sum.

    With ``create_graph`` each node takes its step with ``_propagate_graph()``: the same
    chain rule computed with graph nodes, recorded (even inside :func:`no_grad`), so
    the gradients can be differentiated again. ``zero`` is then ``None``, ``seed`` a node.
    """
    with lock:
        order = topological_order(root)
        leaves = [(node, node.grad) for node in order if not node._parents]
        for node in order:
            node.grad = zero
        root.grad = seed
        try:
            if create_graph:
                with enable_grad():
                    for node in reversed(order):
                        if node._parents:
                            node._propagate_graph()
                    _accumulate(leaves, create_graph)
            else:
                for node in reversed(order):
                    if node._parents:
                        node._propagate()
                _accumulate(leaves, create_graph)
        except BaseException:
            for leaf, before in leaves:  # a refused pass leaves every stored gradient as it was
                leaf.grad = before
            raise


def _accumulate(leaves: list[tuple[Any, Any]], create_graph: bool) -> None:
    """Add each leaf's gradient from this pass (now in ``.grad``) to the one it had."""
    for leaf, before in leaves:
        if before is None or (create_graph and type(before) is float and before == 0.0):
            continue  # nothing to add to (adding a Value leaf's 0.0 would only add a node)
        leaf.grad = before if leaf.grad is None else before + leaf.grad
