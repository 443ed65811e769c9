"""The expression language of ``valuegrad graph``: a safe parser and its printer (pictures.expr)."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings

from autograd import Value
from autograd.backprop import topological_order
from autograd.checking.strategies import expressions
from autograd.pictures.expr import ExpressionError, parse, parse_assignments, print_expression


def test_parse_builds_the_graph_python_would() -> None:
    y = parse("tanh(w*x + b)", {"w": -3.0, "x": 2.0, "b": 1.0})
    assert y.data == math.tanh(-3.0 * 2.0 + 1.0)
    y.backward()
    leaves = {n.label: n for n in topological_order(y) if not n._parents}
    assert leaves["w"].grad == pytest.approx((1 - math.tanh(-5.0) ** 2) * 2.0)


def test_assignments_reuse_a_node() -> None:
    y = parse("z = w*x + b; tanh(z) * z", {"w": -3.0, "x": 2.0, "b": 1.0})
    zs = [n for n in topological_order(y) if n.label == "z"]
    assert len(zs) == 1  # one node, used twice (fan-out)
    assert sum(p is zs[0] for n in topological_order(y) for p in n._parents) == 2
    y.backward()
    z = -5.0
    assert zs[0].grad == pytest.approx((1 - math.tanh(z) ** 2) * z + math.tanh(z))


def test_final_assignment_labels_the_output() -> None:
    c = parse("a = sigmoid(w*x); C = (a - 1)**2", {"w": 0.5, "x": 2.0})
    assert c.label == "C" and c._op == "**2"


@pytest.mark.parametrize(
    ("source", "column", "words"),
    [
        ("__import__('os')", 0, "unknown function '__import__'"),
        ("x.real", 0, "attributes"),
        ("exp(x).__class__", 0, "attributes"),
        ("open(x)", 0, "unknown function 'open'"),
        ("x + (lambda: 1)()", 4, "only the functions"),
        ("lambda: x", 0, "lambda"),
        ("[x for y in z]", 0, "comprehensions"),
        ("x + sum(t for t in x)", 4, "unknown function 'sum'"),
        ("x + 'a'", 4, "str constant"),
        ("x[0]", 0, "subscripts"),
        ("x if x else x", 0, "conditional"),
        ("import os", 0, "import"),
        ("x % 2", 0, "Mod"),
        ("x +", 3, "syntax error"),
        ("y * 2", 0, "unknown variable 'y'"),
        ("tanh(x, x)", 0, "exactly one argument"),
        ("x = 1; x", 0, "'x' is a variable given"),
        ("log(x - 5)", 0, "log(-3.0) is undefined"),
        ("x / (x - x)", 2, "division"),  # at the "/"
    ],
)
def test_refuses_what_is_outside_the_language(source: str, column: int, words: str) -> None:
    with pytest.raises(ExpressionError) as info:
        parse(source, {"x": 2.0})
    assert words in str(info.value)
    assert info.value.column == column
    caret_line = str(info.value).splitlines()[-1]
    assert caret_line.index("^") - 4 == column  # the caret points at the column


def test_unused_and_bad_variables_are_errors() -> None:
    with pytest.raises(ExpressionError, match="q given a value but not used"):
        parse("x * 2", {"x": 1.0, "q": 3.0})
    with pytest.raises(ExpressionError, match="no variables"):
        parse("2 * 3")
    with pytest.raises(ExpressionError, match="name=number"):
        parse_assignments(["w:3"])
    with pytest.raises(ExpressionError, match="not a number"):
        parse_assignments(["w=three"])
    with pytest.raises(ExpressionError, match="finite"):
        parse_assignments(["w=inf"])
    assert parse_assignments(["w=-3", "x=2e-1"]) == {"w": -3.0, "x": 0.2}


def test_huge_constant_powers_do_not_hang() -> None:
    with pytest.raises(ExpressionError, match="too large"):
        parse("x * 10**10**10", {"x": 1.0})


def test_printer_names_shared_nodes() -> None:
    x = Value(2.0, label="x")
    y = x * 3.0
    out = y.tanh() * y + y
    text, at = print_expression(out)
    assert text == "v0 = x * 3.0; (tanh(v0) * v0) + v0"
    assert at == {"x": 2.0}


@settings(max_examples=200, deadline=None)
@given(expressions(max_ops=10))
def test_round_trip_gives_the_same_value_and_gradients(expr) -> None:  # type: ignore[no-untyped-def]
    f, inputs = expr
    root = f(*inputs)
    root.backward()
    source, at = print_expression(root)
    again = parse(source, at)
    assert again.data == root.data
    again.backward()
    leaves = {n.label: n for n in topological_order(again) if not n._parents and n.label}
    for x in inputs:
        assert leaves[x.label].grad == x.grad, source


def test_very_long_expressions_are_an_expression_error() -> None:
    """The parser and evaluator recurse on the tree: thousands of terms must be a clear
    error, not a RecursionError traceback; a few hundred still parse, exactly."""
    with pytest.raises(ExpressionError, match="nested too deeply"):
        parse("+".join(["x"] * 5000), {"x": 1.0})
    y = parse("+".join(["x"] * 300), {"x": 0.5})
    y.backward()
    assert y.data == 150.0
    x = next(n for n in topological_order(y) if n.label == "x")
    assert x.grad == 300.0
