"""A tiny expression language for graphs: parse ``"tanh(w*x + b)"`` into Values, and print back.

The language is Python syntax restricted to what a :class:`~autograd.Value` can do:

* numbers, and variables whose values are given separately (``at={"w": -3.0}``);
* ``+ - * / **`` and unary ``-`` (and ``+``);
* the functions ``exp log tanh sigmoid relu``, each of one argument;
* assignments, to name a node and use it more than once (fan-out):
  ``"z = w*x + b; tanh(z) * z"``. Statements are separated by ``;`` or newlines;
  the last one is the output (an expression, or an assignment whose name labels it).

It is parsed with :mod:`ast` and evaluated by walking a whitelist of node types;
nothing is ever passed to ``eval``. Anything else (attributes, other calls,
lambdas, comprehensions, strings, subscripts...) is an :class:`ExpressionError`
that names the problem and points at its column.

:func:`print_expression` is the inverse: it writes any Value graph in this
language, with an assignment for every node used more than once, so
``parse(*print_expression(root))`` rebuilds a graph with the same value and gradients.
"""

from __future__ import annotations

import ast
import keyword
import math
from collections.abc import Mapping

from autograd.backprop import topological_order
from autograd.value import Value

__all__ = ["FUNCTIONS", "ExpressionError", "parse", "parse_assignments", "print_expression"]

#: The functions the language knows, each the Value method of the same name.
FUNCTIONS: tuple[str, ...] = ("exp", "log", "tanh", "sigmoid", "relu", "abs")

_LANGUAGE = (
    "the expression language has numbers, variables, + - * / **, unary minus, "
    "the functions " + ", ".join(FUNCTIONS) + " and assignments (name = ...; ...)"
)

# What each refused kind of syntax is called in an error message.
_REFUSED: dict[type[ast.AST], str] = {
    ast.Attribute: "attributes (a.b)",
    ast.Lambda: "lambda",
    ast.ListComp: "comprehensions",
    ast.SetComp: "comprehensions",
    ast.DictComp: "comprehensions",
    ast.GeneratorExp: "comprehensions",
    ast.Subscript: "subscripts (a[i])",
    ast.Compare: "comparisons",
    ast.BoolOp: "and/or",
    ast.IfExp: "conditional expressions",
    ast.Import: "import",
    ast.ImportFrom: "import",
    ast.List: "lists",
    ast.Tuple: "tuples",
    ast.Dict: "dicts",
    ast.Set: "sets",
    ast.JoinedStr: "strings",
    ast.NamedExpr: "walrus assignments (:=)",
    ast.Starred: "starred expressions",
    ast.Await: "await",
    ast.Yield: "yield",
}

_BINARY: dict[type[ast.operator], str] = {
    ast.Add: "+",
    ast.Sub: "-",
    ast.Mult: "*",
    ast.Div: "/",
    ast.Pow: "**",
}


class ExpressionError(ValueError):
    """A bad expression; ``str()`` shows the message, the source line and a caret at the column.

    Attributes:
        message: what is wrong.
        source: the whole expression text.
        line, column: where (1-based line, 0-based column), or ``None`` when
            the problem has no single place (e.g. an unused variable).
    """

    def __init__(
        self, message: str, source: str = "", line: int | None = None, column: int | None = None
    ) -> None:
        self.message = message
        self.source = source
        self.line = line
        self.column = column
        super().__init__(self._render())

    def _render(self) -> str:
        if self.line is None or self.column is None:
            return self.message
        lines = self.source.splitlines() or [""]
        text = lines[min(self.line, len(lines)) - 1]
        where = f"line {self.line}, column {self.column + 1}"
        return f"{self.message} (at {where})\n    {text}\n    {' ' * self.column}^"


def _is_name(s: str) -> bool:
    return s.isidentifier() and not keyword.iskeyword(s)


def parse_assignments(pairs: list[str] | tuple[str, ...]) -> dict[str, float]:
    """``["w=-3", "x=2"]`` -> ``{"w": -3.0, "x": 2.0}`` (the command line's ``--at``).

    Raises:
        ExpressionError: a pair is not ``name=number``, a name repeats, or a number is not finite.
    """
    at: dict[str, float] = {}
    for pair in pairs:
        name, eq, number = pair.partition("=")
        name = name.strip()
        if not eq or not _is_name(name):
            raise ExpressionError(f"--at wants name=number, got {pair!r}")
        if name in at:
            raise ExpressionError(f"--at gives {name!r} twice")
        try:
            x = float(number)
        except ValueError:
            raise ExpressionError(f"--at {name}: {number.strip()!r} is not a number") from None
        if not math.isfinite(x):
            raise ExpressionError(f"--at {name}: needs a finite number, got {number.strip()!r}")
        at[name] = x
    return at


def parse(source: str, at: Mapping[str, float] | None = None) -> Value:
    """Build the graph of ``source`` and return its output (the last statement).

    >>> y = parse("z = w*x + b; tanh(z) * z", {"w": -3.0, "x": 2.0, "b": 1.0})
    >>> round(y.data, 6), y._op
    (4.999546, '*')

    Args:
        source: statements in the expression language (see the module docstring).
        at: the value of every variable; each becomes a leaf Value labelled with its name.

    Returns:
        the output Value; an assignment's name labels its node (``z`` above), and
        a final assignment (``"C = (a - y)**2"``) labels the output.

    Raises:
        ExpressionError: a syntax error, anything outside the language, an unknown
            or unused variable, a name assigned twice, or an op outside its domain
            (``log(-1)``, division by zero); the message points at the column.
    """
    at = dict(at or {})
    for name, x in at.items():
        if not _is_name(name) or name in FUNCTIONS:
            raise ExpressionError(f"{name!r} cannot be a variable name")
        if isinstance(x, bool) or not isinstance(x, (int, float)) or not math.isfinite(x):
            raise ExpressionError(f"variable {name!r} needs a finite number, got {x!r}")
    try:
        tree = ast.parse(source, mode="exec")
        return _Evaluator(source, at).run(tree)
    except SyntaxError as e:
        raise ExpressionError(
            f"syntax error: {e.msg}", source, e.lineno or 1, max(0, (e.offset or 1) - 1)
        ) from None
    except (RecursionError, MemoryError):
        # The parser and the evaluator recurse on the syntax tree: "x+x+...+x" with
        # thousands of terms is as deep as it is long.
        raise ExpressionError(
            "the expression is nested too deeply to read (thousands of operations in one "
            "line); split it into assignments, z1 = ...; z2 = ...; ..."
        ) from None


class _Evaluator:
    """Walks the tree, allowing only the whitelisted node types."""

    def __init__(self, source: str, at: dict[str, float]) -> None:
        self.source = source
        self.variables = {name: Value(float(x), label=name) for name, x in at.items()}
        self.names: dict[str, Value | float] = dict(self.variables)
        self.used: set[str] = set()

    def error(self, message: str, node: ast.AST) -> ExpressionError:
        line = getattr(node, "lineno", 1)
        col = getattr(node, "col_offset", 0)
        return ExpressionError(message, self.source, line, col)

    def run(self, tree: ast.Module) -> Value:
        if not tree.body:
            raise ExpressionError("empty expression: nothing to draw", self.source, 1, 0)
        result: Value | float = 0.0
        for k, stmt in enumerate(tree.body):
            last = k == len(tree.body) - 1
            if isinstance(stmt, ast.Expr):
                if not last:
                    raise self.error("only the last statement may be a bare expression", stmt)
                result = self.eval(stmt.value)
            elif isinstance(stmt, ast.Assign):
                result = self.assign(stmt)
            else:
                raise self.error(self.refused(stmt), stmt)
        unused = sorted(set(self.variables) - self.used)
        if unused:
            raise ExpressionError(
                f"variable{'s' if len(unused) > 1 else ''} {', '.join(unused)} given a value "
                "but not used in the expression (a typo?)"
            )
        if not isinstance(result, Value):
            raise ExpressionError(
                f"the expression is the constant {result!r}: it has no variables, "
                "so there is no graph to draw (give some with --at name=value)"
            )
        return result

    def assign(self, stmt: ast.Assign) -> Value | float:
        if len(stmt.targets) != 1 or not isinstance(stmt.targets[0], ast.Name):
            raise self.error("an assignment needs one name on the left (z = ...)", stmt)
        name = stmt.targets[0].id
        if name in FUNCTIONS:
            raise self.error(f"{name!r} is a function; pick another name", stmt.targets[0])
        if name in self.names:
            what = "a variable given with --at" if name in self.variables else "assigned already"
            raise self.error(f"{name!r} is {what}; each name is assigned once", stmt.targets[0])
        value = self.eval(stmt.value)
        if isinstance(value, Value) and not value.label:
            value.label = name
        self.names[name] = value
        return value

    def refused(self, node: ast.AST) -> str:
        kind = _REFUSED.get(type(node), f"{type(node).__name__} syntax")
        return f"{kind} not allowed: {_LANGUAGE}"

    def eval(self, node: ast.expr) -> Value | float:
        if isinstance(node, ast.Constant):
            v = node.value
            if isinstance(v, bool) or not isinstance(v, (int, float)):
                kind = type(v).__name__
                raise self.error(f"{kind} constant {v!r} not allowed: {_LANGUAGE}", node)
            return float(v)  # floats only: no huge-integer arithmetic (10**10**10) to hang on
        if isinstance(node, ast.Name):
            if node.id in self.names:
                if node.id in self.variables:
                    self.used.add(node.id)
                return self.names[node.id]
            if node.id in FUNCTIONS:
                raise self.error(f"{node.id} is a function: call it, {node.id}(...)", node)
            raise self.error(
                f"unknown variable {node.id!r}: give it a value (--at {node.id}=...) "
                "or assign it first",
                node,
            )
        if isinstance(node, ast.BinOp) and type(node.op) in _BINARY:
            a, b = self.eval(node.left), self.eval(node.right)
            return self.apply(_BINARY[type(node.op)], (a, b), node)
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
            a = self.eval(node.operand)
            return a if isinstance(node.op, ast.UAdd) else self.apply("neg", (a,), node)
        if isinstance(node, ast.Call):
            return self.call(node)
        if isinstance(node, (ast.BinOp, ast.UnaryOp)):
            return self.refused_op(node)
        raise self.error(self.refused(node), node)

    def refused_op(self, node: ast.BinOp | ast.UnaryOp) -> Value | float:
        op = type(node.op).__name__
        raise self.error(f"operator {op} not allowed: {_LANGUAGE}", node)

    def call(self, node: ast.Call) -> Value | float:
        if not isinstance(node.func, ast.Name):
            raise self.error(
                f"only the functions {', '.join(FUNCTIONS)} can be called: {_LANGUAGE}", node
            )
        name = node.func.id
        if name not in FUNCTIONS:
            raise self.error(
                f"unknown function {name!r}: only {', '.join(FUNCTIONS)} can be called", node
            )
        if node.keywords or len(node.args) != 1 or isinstance(node.args[0], ast.Starred):
            raise self.error(f"{name} takes exactly one argument: {name}(x)", node)
        return self.apply(name, (self.eval(node.args[0]),), node)

    def apply(self, op: str, args: tuple[Value | float, ...], node: ast.AST) -> Value | float:
        try:
            return _apply(op, args)
        except (ArithmeticError, ValueError) as e:
            message = str(e) if str(e).startswith(op) else f"{op}: {e}"
            if isinstance(node, ast.BinOp):  # the caret at the operator: x/y at its "/"
                col = _operator_column(self.source, node, op)
                if col is not None:
                    raise ExpressionError(message, self.source, node.lineno, col) from None
            raise self.error(message, node) from None


def _operator_column(source: str, node: ast.BinOp, op: str) -> int | None:
    """The 0-based column of ``node``'s operator symbol ``op``, between its operands (on
    one line), or ``None`` when it cannot be found there."""
    left, right = node.left, node.right
    if left.end_lineno != right.lineno or left.end_col_offset is None:
        return None
    text = source.splitlines()[right.lineno - 1].encode()  # ast columns count UTF-8 bytes
    between = text[left.end_col_offset : right.col_offset].decode(errors="replace")
    k = between.find(op)
    return None if k < 0 else len(text[: left.end_col_offset].decode(errors="replace")) + k


def _apply(op: str, args: tuple[Value | float, ...]) -> Value | float:
    """One op with the engine's own operators (so ``2 - x`` is ``Value(2) - x``, as in Python)."""
    if op == "neg":
        return -args[0]
    if op in FUNCTIONS:
        a = args[0]
        if isinstance(a, Value):
            result: Value = getattr(a, op)()
            return result
        return _apply_number(op, a)
    a, b = args
    if op == "+":
        return a + b
    if op == "-":
        return a - b
    if op == "*":
        return a * b
    if op == "/":
        if not isinstance(a, Value) and not isinstance(b, Value) and b == 0.0:
            raise ZeroDivisionError("division by zero")
        return a / b
    if isinstance(a, Value) or isinstance(b, Value):
        return a**b
    return _pow_number(a, b)


def _apply_number(op: str, x: float) -> float:
    """A function of a constant is folded to a number, with the Value op's own checks."""
    result: Value = getattr(Value(x), op)()
    return result.data


def _pow_number(a: float, b: float) -> float:
    return (Value(a) ** b).data


# ------------------------------------------------------------------ printing


def print_expression(root: Value) -> tuple[str, dict[str, float]]:
    """The graph of ``root`` in the expression language, and the values of its variables.

    Every labelled leaf is a variable (its label, or ``x0``, ``x1``... when the
    label is not a usable name or is shared by two different leaves); every
    unlabelled leaf is a number. A node used more than once, or whose label is a
    name, gets an assignment, so the printed graph has the same shape and
    ``parse(*print_expression(root))`` gives the same value and gradients.

    >>> x = Value(2.0, label="x")
    >>> z = x * 3.0; z.label = "z"
    >>> print_expression(z.tanh() * z)
    ('z = x * 3.0; tanh(z) * z', {'x': 2.0})
    """
    order = topological_order(root)
    uses: dict[int, int] = {}
    for n in order:
        for p in n._parents:
            uses[id(p)] = uses.get(id(p), 0) + 1
    taken = set(FUNCTIONS)
    names: dict[int, str] = {}
    at: dict[str, float] = {}
    leaves = [n for n in order if not n._parents and n.label]
    counts: dict[str, int] = {}
    for n in leaves:
        counts[n.label] = counts.get(n.label, 0) + 1
    for n in leaves:
        if _is_name(n.label) and counts[n.label] == 1 and n.label not in taken:
            names[id(n)] = n.label
            taken.add(n.label)
    for n in leaves:
        if id(n) not in names:
            names[id(n)] = _fresh("x", taken)
        at[names[id(n)]] = n.data
    lines: list[str] = []
    inline: dict[int, str] = {}
    for n in order:
        if not n._parents:
            if id(n) not in names:
                inline[id(n)] = repr(n.data)
            continue
        text = _format_op(n, [names.get(id(p)) or inline[id(p)] for p in n._parents])
        labelled = _is_name(n.label) and n.label not in taken
        if n is not root and (uses.get(id(n), 0) > 1 or labelled):
            name = n.label if labelled else _fresh("v", taken)
            taken.add(name)
            names[id(n)] = name
            lines.append(f"{name} = {text}")
        elif n is root and labelled and lines:
            lines.append(f"{n.label} = {text}")
        else:
            inline[id(n)] = text
            if n is root:
                lines.append(text)
    return "; ".join(lines), at


def _fresh(prefix: str, taken: set[str]) -> str:
    k = 0
    while f"{prefix}{k}" in taken:
        k += 1
    taken.add(f"{prefix}{k}")
    return f"{prefix}{k}"


def _atom(text: str) -> bool:
    """Text that needs no parentheses as an operand: a name, a call, a non-negative number."""
    if text.isidentifier():
        return True
    if text[0].isdigit() and all(c.isdigit() or c in ".e+-" for c in text):
        return not any(c in "+-" for c in text.replace("e+", "").replace("e-", ""))
    return text.endswith(")") and text.split("(", 1)[0] in FUNCTIONS and _balanced(text)


def _balanced(text: str) -> bool:
    """``f(...)`` whose first ``(`` closes at the very end."""
    depth = 0
    for i, c in enumerate(text):
        depth += c == "("
        depth -= c == ")"
        if depth == 0 and c == ")" and i != len(text) - 1:
            return False
    return True


def _format_op(n: Value, args: list[str]) -> str:
    wrapped = [a if _atom(a) else f"({a})" for a in args]
    op = n._op
    if op in ("+", "-", "*", "/", "**"):
        return f"{wrapped[0]} {op} {wrapped[1]}"
    if op.startswith("**"):
        return f"{wrapped[0]} ** {_exponent(op[2:])}"
    if op == "neg":
        return f"-{wrapped[0]}"
    if op in FUNCTIONS:
        return f"{op}({args[0]})"
    raise ValueError(f"print_expression: the op {op!r} has no form in the expression language")


def _exponent(text: str) -> str:
    x = float(text)
    return repr(x) if x >= 0 else f"({x!r})"
