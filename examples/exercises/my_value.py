"""Build your own Value: a scalar autodiff engine in twelve small exercises.

Fill in the bodies marked "Exercise N", in order, and after each one run

    python -m autograd.conformance --track examples/exercises/my_value.py

(or just ``python examples/exercises/my_value.py``): it checks your file with
property-based tests and says which exercise to do next, with the smallest
example it found that goes wrong. The walk-through is the docs appendix "Build
your own Value".

The design: every op computes its result *and* the local derivative of the result
with respect to each input, and stores both in the new Value:

    Value(data, _parents=(a, b), _local=(d out/da, d out/db), _op="*")

``backward()`` then needs no op-specific code at all: it is the chain rule,
``parent.grad += local * node.grad``, applied to the nodes in the right order.
"""

from __future__ import annotations

import math  # noqa: F401  (exercises 4-6 need it)


class Value:
    """A number that remembers how it was computed, so it can be differentiated."""

    def __init__(self, data, _parents=(), _local=(), _op=""):
        self.data = float(data)
        self.grad = 0.0
        self._parents = tuple(_parents)  # the Values this one was computed from
        self._local = tuple(_local)  # d self / d parent, one number per parent
        self._op = _op

    def __repr__(self):
        return f"Value({self.data!r}, grad={self.grad!r})"

    # ------------------------------------------------------------------ ops

    def __add__(self, other):
        other = other if isinstance(other, Value) else Value(other)
        # Exercise 1. out = a + b. What are d out/da and d out/db?
        # Return Value(<the sum>, (self, other), (<d out/da>, <d out/db>), "+").
        raise NotImplementedError("Exercise 1: __add__")

    def __mul__(self, other):
        other = other if isinstance(other, Value) else Value(other)
        # Exercise 2. out = a * b. The local derivative for each operand is the
        # data of the *other* operand.
        raise NotImplementedError("Exercise 2: __mul__")

    def __pow__(self, n):
        # Exercise 3. out = a ** n for a number n; d out/da = n * a ** (n - 1).
        # What should the derivative be when n == 0 (and a == 0)?
        raise NotImplementedError("Exercise 3: __pow__")

    def exp(self):
        # Exercise 4. d e^a / da = e^a (math.exp).
        raise NotImplementedError("Exercise 4: exp")

    def log(self):
        # Exercise 5. d ln(a) / da = 1 / a (math.log).
        raise NotImplementedError("Exercise 5: log")

    def tanh(self):
        # Exercise 6. With t = tanh(a) (math.tanh), d t / da = 1 - t ** 2.
        raise NotImplementedError("Exercise 6: tanh")

    def relu(self):
        # Exercise 7. max(0, a): the derivative is 1 where a > 0, else 0.
        raise NotImplementedError("Exercise 7: relu")

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

    def _topological_order(self):
        # Exercise 8 (and 10). Return every node this one depends on, each once,
        # with every node after its parents. A recursive depth-first search works
        # first; exercise 10 asks for one without recursion.
        raise NotImplementedError("Exercise 8: _topological_order")

    def backward(self):
        # Exercise 8 (and 9, 11). Set self.grad = 1.0, then go through the
        # topological order *backwards* and, for every node, add
        # local * node.grad into each parent's grad.
        raise NotImplementedError("Exercise 8: backward")

    def zero_grad(self):
        for node in self._topological_order():
            node.grad = 0.0


# Exercises 9-12 change the code above instead of adding new methods:
#  9. fan-out: a node used twice must get the sum of both paths (+=, not =).
# 10. depth: no recursion in _topological_order (use a list as a stack).
# 11. repeated backward(): reset the intermediate nodes' grads before the walk,
#     let the leaves' grads keep adding up.
# 12. domain errors: raise a clear error for log(0), (-1) ** 0.5 and for results
#     that overflow, instead of returning nan, inf or a complex number.

if __name__ == "__main__":
    import sys

    from autograd.conformance import run_track

    track = run_track(__file__)
    print(track)
    sys.exit(0 if track.passed else 1)
