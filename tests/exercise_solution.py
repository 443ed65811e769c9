"""A complete solution of examples/exercises/my_value.py (kept in the tests, not in
examples/, so a learner meets the skeleton first). tests/test_conformance_track.py
runs the track on it (every exercise passes) and on versions of it with one
exercise undone.
"""

from __future__ import annotations

import math


class Value:
    """A number that remembers how it was computed, so it can be differentiated."""

    def __init__(self, data, _parents=(), _local=(), _op=""):
        self.data = float(data)
        if not math.isfinite(self.data):  # Exercise 12
            raise OverflowError(f"{_op or 'Value'}: {self.data!r} is not a finite number")
        self.grad = 0.0
        self._parents = tuple(_parents)  # the Values this one was computed from
        self._local = tuple(_local)  # d self / d parent, one number per parent
        self._op = _op

    def __repr__(self):
        return f"Value({self.data!r}, grad={self.grad!r})"

    # ------------------------------------------------------------------ ops

    def __add__(self, other):  # Exercise 1
        other = other if isinstance(other, Value) else Value(other)
        return Value(self.data + other.data, (self, other), (1.0, 1.0), "+")

    def __mul__(self, other):  # Exercise 2
        other = other if isinstance(other, Value) else Value(other)
        return Value(self.data * other.data, (self, other), (other.data, self.data), "*")

    def __pow__(self, n):  # Exercise 3 (and 12: the domain errors)
        if not isinstance(n, (int, float)):
            raise TypeError(f"only number exponents are supported, got {type(n).__name__}")
        a = self.data
        if a < 0 and not float(n).is_integer():
            raise ValueError(f"{a!r} ** {n!r} is not a real number")
        if a == 0 and n < 0:
            raise ZeroDivisionError(f"0.0 ** {n!r} divides by zero")
        if a == 0 and 0 < n < 1:
            raise ValueError(f"0.0 ** {n!r} has an infinite derivative")
        local = n * a ** (n - 1) if n != 0 else 0.0
        return Value(a**n, (self,), (local,), f"**{n}")

    def exp(self):  # Exercise 4
        y = math.exp(self.data)  # raises OverflowError above ~709.78
        return Value(y, (self,), (y,), "exp")

    def log(self):  # Exercise 5 (and 12)
        a = self.data
        if a <= 0:
            raise ValueError(f"log({a!r}) is undefined: log needs a positive number")
        return Value(math.log(a), (self,), (1.0 / a,), "log")

    def tanh(self):  # Exercise 6
        t = math.tanh(self.data)
        return Value(t, (self,), (1.0 - t * t,), "tanh")

    def relu(self):  # Exercise 7
        a = self.data
        return Value(max(a, 0.0), (self,), (1.0 if a > 0 else 0.0,), "relu")

    # Written for you: the other ops, from the ones above.
    def __neg__(self):
        return self * -1.0

    def __sub__(self, other):
        return self + (-other)

    def __truediv__(self, other):
        return self * other**-1

    def __radd__(self, other):
        return self + other

    def __rmul__(self, other):
        return self * other

    def __rsub__(self, other):
        return other + (-self)

    def __rtruediv__(self, other):
        return other * self**-1

    # ------------------------------------------------------------- backward

    def _topological_order(self):  # Exercises 8 and 10
        """Every node this one depends on, each once, parents before children."""
        order, visited = [], set()
        stack = [(self, False)]  # (node, are its parents done?)
        while stack:
            node, parents_done = stack.pop()
            if parents_done:
                order.append(node)
                continue
            if node in visited:
                continue
            visited.add(node)
            stack.append((node, True))
            for parent in node._parents:
                if parent not in visited:
                    stack.append((parent, False))
        return order

    def backward(self):  # Exercises 8, 9 and 11
        order = self._topological_order()
        for node in order:
            if node._parents:  # intermediates start again from 0; leaves accumulate
                node.grad = 0.0
        self.grad = 1.0
        for node in reversed(order):
            for parent, local in zip(node._parents, node._local, strict=True):
                parent.grad += local * node.grad  # += : a node used twice gets both paths

    def zero_grad(self):
        for node in self._topological_order():
            node.grad = 0.0
