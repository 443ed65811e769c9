"""autograd.checking.conformance: valuegrad passes, micrograd's real faults are found (each one
re-checked by hand here), and engines with one broken op get that op named."""

from __future__ import annotations

import math
import subprocess
import sys
from pathlib import Path

import micrograd.engine
import pytest

from autograd import Value
from autograd.checking.conformance import (
    ConformanceError,
    EngineError,
    assert_conforms,
    load_engine,
    run,
)

ROOT = Path(__file__).resolve().parents[1]
SOLUTION = Path(__file__).with_name("exercise_solution.py")
FAST = {"max_examples": 15, "depths": (10, 1_000, 10_000)}


def mutant(tmp_path: Path, source: Path, old: str, new: str, name: str = "mutant") -> type:
    """The engine in ``source`` with ``old`` replaced by ``new`` (exactly once)."""
    text = source.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"{old!r} is not in {source.name} exactly once"
    path = tmp_path / f"{name}.py"
    path.write_text(text.replace(old, new), encoding="utf-8")
    return load_engine(f"{path}:Value")


# ---------------------------------------------------------------- valuegrad


def test_valuegrad_value_passes_every_check() -> None:
    report = run(Value, max_examples=20)
    assert report.passed, str(report)
    names = [c.name for c in report.checks]
    for expected in ("op tanh", "op **n", "chain rule: random DAGs", "fan-out", "depth"):
        assert expected in names
    assert "100,000" in next(c.message for c in report.checks if c.name == "depth")
    assert "All" in str(report) and "checks passed" in str(report)
    assert not report.missing


def test_assert_conforms() -> None:
    assert assert_conforms(Value, **FAST).passed
    with pytest.raises(ConformanceError, match="repeated backward") as info:
        assert_conforms(micrograd.engine.Value, max_examples=10, only=("ops", "repeated"))
    assert isinstance(info.value, AssertionError)


# ---------------------------------------------------------------- micrograd


@pytest.fixture(scope="module")
def micrograd_report():  # type: ignore[no-untyped-def]
    """The default run: the one the docs show (examples/tour/conformance_report.py)."""
    return run(micrograd.engine.Value)


def test_the_docs_show_this_run(micrograd_report) -> None:  # type: ignore[no-untyped-def]
    """docs/reports/micrograd-conformance.txt is what the suite prints (derandomized:
    the same every run); regenerate it with `make figures`."""
    shown = (ROOT / "docs" / "reports" / "micrograd-conformance.txt").read_text(encoding="utf-8")
    assert shown == str(micrograd_report) + "\n"


def test_micrograd_findings(micrograd_report) -> None:  # type: ignore[no-untyped-def]
    report = micrograd_report
    assert set(report.ops) == {"+", "-", "*", "/", "neg", "relu", "**n"}
    assert set(report.missing) == {"**", "exp", "log", "tanh", "sigmoid"}
    failed = {c.name: c for c in report.failures}
    expected = {"op **n", "depth", "repeated backward", "domain edges"}
    assert expected <= set(failed), str(report)
    # anything else must be the same x ** 0 fault, met inside a bigger graph
    for name in set(failed) - expected:
        assert failed[name].op == "**n" and "x ** 0" in failed[name].message, failed[name]

    # Each finding, checked by hand against micrograd itself:
    # 1. x ** 0 at x = 0: the forward value is 1, but backward() divides by zero
    #    (it computes 0 * 0.0 ** -1) instead of giving the derivative 0.
    assert "x ** 0" in failed["op **n"].message and failed["op **n"].op == "**n"
    x = micrograd.engine.Value(0.0)
    y = x**0
    assert y.data == 1.0
    with pytest.raises(ZeroDivisionError):
        y.backward()

    # 2. Depth: the recursive topological sort fails between 100 and 1,000 nodes.
    depth = failed["depth"].message
    assert "works up to 100 nodes" in depth and "1,000" in depth and "RecursionError" in depth
    x = micrograd.engine.Value(0.5)
    y = x
    for _ in range(100):
        y = y + 1.0
    y.backward()
    assert x.grad == 1.0
    for _ in range(900):
        y = y + 1.0
    with pytest.raises(RecursionError):
        y.backward()

    # 3. A second backward() on the same graph leaks the stale intermediate gradients.
    assert "leaks stale gradients" in failed["repeated backward"].message
    x = micrograd.engine.Value(1.5)
    v1 = x * x
    v2 = v1 * 3.0
    out = v2 + v1
    out.backward()
    first = x.grad  # d/dx (3x² + x²) = 8x = 12
    out.backward()
    assert first == 12.0 and x.grad != 2 * first  # 45.0, not 24.0

    # 4. Domain edges: a complex number and infinities, silently.
    domain = failed["domain edges"]
    assert "complex" in domain.message or "complex" in (domain.example or "")
    assert isinstance((micrograd.engine.Value(-1.0) ** 0.5).data, complex)
    assert math.isinf((micrograd.engine.Value(1e200) * micrograd.engine.Value(1e200)).data)
    assert math.isinf((micrograd.engine.Value(1e308) + micrograd.engine.Value(1e308)).data)
    assert (domain.example or "").count("\n") == 2  # exactly these three cases


def test_micrograd_with_its_own_semantics() -> None:
    report = run(micrograd.engine.Value, backward="micrograd", max_examples=10, depths=(10,))
    repeated = next(c for c in report.checks if c.name == "repeated backward")
    assert repeated.passed, repeated
    assert "leaks stale gradients" in repeated.message  # still reported, not judged


# ------------------------------------------------------------------ mutants

# (op, text in the solution, broken replacement): one wrong op each.
SOLUTION_MUTANTS = [
    ("+", '(self, other), (1.0, 1.0), "+"', '(self, other), (1.0, 0.0), "+"'),
    ("*", "(other.data, self.data)", "(other.data, other.data)"),
    ("**n", "local = n * a ** (n - 1) if n != 0", "local = n * a**n if n != 0"),
    ("exp", '(self,), (y,), "exp"', '(self,), (self.data,), "exp"'),
    ("log", "(1.0 / a,)", "(1.0 / (a * a),)"),
    ("tanh", "(1.0 - t * t,)", "(1.0 - t,)"),
    ("tanh", "t = math.tanh(self.data)", "t = math.tanh(self.data) * 0.999"),
    ("relu", "(1.0 if a > 0 else 0.0,)", "(1.0,)"),
]


@pytest.mark.parametrize(("op", "old", "new"), SOLUTION_MUTANTS, ids=lambda x: str(x)[:20])
def test_a_broken_op_is_named(tmp_path: Path, op: str, old: str, new: str) -> None:
    cls = mutant(tmp_path, SOLUTION, old, new)
    report = run(cls, max_examples=15, only=("ops",))
    assert not report.passed
    first = report.failures[0]
    assert first.op == op, str(report)
    assert first.name.startswith("op ")
    assert first.example and "out = " in first.example
    assert f"wrong ops: {op}" in str(report)


def test_an_op_built_from_a_broken_one_names_the_broken_one(tmp_path: Path) -> None:
    """a / b is a * b ** -1: a wrong ** shows up first in '/', and is named there."""
    cls = mutant(
        tmp_path, SOLUTION, "local = n * a ** (n - 1) if n != 0", "local = n * a**n if n != 0"
    )
    report = run(cls, max_examples=15, ops=("+", "*", "/", "**n"), only=("ops",))
    division = next(c for c in report.checks if c.name == "op /")
    assert not division.passed and division.op == "**n"
    assert "built from '**-1" in division.message


def test_a_broken_op_is_named_by_the_graph_checks_too(tmp_path: Path) -> None:
    """The chain-rule check on a mutant points at the same op, re-checked on its own."""
    cls = mutant(tmp_path, SOLUTION, "(other.data, self.data)", "(other.data, other.data)")
    report = run(cls, max_examples=10, ops=("+", "*"), only=("ops", "walk"))
    failed = {c.name: c for c in report.failures}
    assert failed["op *"].op == "*"
    chains = failed["chain rule: chains"]
    assert chains.op == "*" and "on its own, x * " in chains.message, chains


MICROGRAD = Path(micrograd.engine.__file__)


@pytest.mark.parametrize(
    ("op", "old", "new"),
    [
        ("*", "self.grad += other.data * out.grad", "self.grad += self.data * out.grad"),
        ("relu", "self.grad += (out.data > 0) * out.grad", "self.grad += out.grad"),
        ("**n", "(other * self.data**(other-1))", "(other * self.data**other)"),
    ],
)
def test_a_broken_micrograd_op_is_named(tmp_path: Path, op: str, old: str, new: str) -> None:
    """micrograd keeps closures, not numbers: the op is named by checking ops one by one."""
    cls = mutant(tmp_path, MICROGRAD, old, new)
    report = run(cls, max_examples=15, only=("ops",))
    # Besides micrograd's own x ** 0 fault, the first op to fail (building blocks are
    # checked first) is the broken one; ops built from it (a / b = a * b**-1) follow.
    own = [c for c in report.failures if c.message.startswith("x ** 0:")]
    assert len(own) <= 1  # (the broken ** computes no 0.0 ** -1 any more)
    first = next(c for c in report.failures if c not in own)
    assert first.op == op and first.name == f"op {op}", str(report)


def test_fan_out_bug_is_a_walk_fault_not_an_op(tmp_path: Path) -> None:
    cls = mutant(
        tmp_path, SOLUTION, "parent.grad += local * node.grad", "parent.grad = local * node.grad"
    )
    report = run(cls, max_examples=25, only=("ops", "walk", "fan-out"))
    failed = {c.name: c for c in report.failures}
    assert "fan-out" in failed and "chain rule: chains" not in failed, str(report)
    assert not any(c.name.startswith("op ") for c in report.failures)
    assert failed["fan-out"].op is None and "+=" in failed["fan-out"].message


# ------------------------------------------------------------------- depth


def test_depth_reports_a_crash_and_a_timeout(tmp_path: Path) -> None:
    hook = "        order = self._topological_order()\n"
    crash = mutant(
        tmp_path,
        SOLUTION,
        hook,
        hook + "        if len(order) > 5000:\n            import os; os.abort()\n",
        "crashes",
    )
    check = run(crash, **FAST, only=("depth",)).checks[-1]
    assert not check.passed
    assert "works up to 1,000 nodes" in check.message and "10,000" in check.message
    assert "crashed" in check.message and "SIGABRT" in check.message

    slow = mutant(
        tmp_path,
        SOLUTION,
        hook,
        hook + "        if len(order) > 5000:\n            import time; time.sleep(60)\n",
        "slow",
    )
    check = run(slow, **FAST, timeout=8, only=("depth",)).checks[-1]
    assert (
        not check.passed and "time limit" in check.message and "works up to 1,000" in check.message
    )


def test_depth_of_a_class_a_subprocess_cannot_import() -> None:
    namespace: dict[str, object] = {"__name__": "not_a_module"}
    exec(MICROGRAD.read_text(encoding="utf-8"), namespace)
    cls = namespace["Value"]
    assert isinstance(cls, type)
    check = run(cls, **FAST, only=("depth",)).checks[-1]
    assert check.name == "depth" and not check.passed
    assert "RecursionError" in check.message and "in this process" in check.message


# ----------------------------------------------------------------- adapter


def test_an_engine_with_other_names_via_adapter_options(tmp_path: Path) -> None:
    text = SOLUTION.read_text(encoding="utf-8")
    text = text.replace(".data", ".val").replace("def backward(", "def backprop(")
    text = text.replace("def exp(", "def exponential(")
    path = tmp_path / "other_names.py"
    path.write_text(text, encoding="utf-8")
    cls = load_engine(str(path))
    report = run(
        cls,
        max_examples=10,
        depths=(10, 10_000),
        data="val",
        backward_method="backprop",
        methods={"exp": "exponential"},
    )
    assert report.passed, str(report)
    assert "exp" in report.ops


def test_bad_options_are_usage_errors() -> None:
    with pytest.raises(ValueError, match="backward must be one of"):
        run(Value, backward="sometimes")
    with pytest.raises(ValueError, match="unknown ops"):
        run(Value, ops=["sin"])
    with pytest.raises(ValueError, match="only= takes"):
        run(Value, only=("everything",))
    with pytest.raises(EngineError, match="give the class too"):
        load_engine("micrograd.engine")
    with pytest.raises(EngineError, match="has no"):
        load_engine("micrograd.engine:Nope")


# --------------------------------------------------------------- the command


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "autograd.conformance", *args],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=ROOT,
    )


def test_command_exit_status() -> None:
    ok = _cli("autograd.value:Value", "--max-examples", "5", "--max-depth", "1000")
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert "All" in ok.stdout
    bad = _cli("micrograd.engine:Value", "--max-depth", "1000", "--only", "depth")
    assert bad.returncode == 1 and "FAIL  depth" in bad.stdout
    assert _cli("no.such.module:Value").returncode == 2
    assert _cli().returncode == 2
    assert _cli("autograd.value:Value", "--ops", "sin").returncode == 2


def test_missing_hypothesis_is_a_clear_error() -> None:
    code = "import sys; sys.modules['hypothesis'] = None; import autograd.checking.conformance"
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert proc.returncode != 0
    assert "valuegrad[testing]" in proc.stderr and "hypothesis" in proc.stderr


_HANGS = """
class Value:
    def __init__(self, data):
        self.data, self.grad = data, 0.0
    def __add__(self, other):
        return Value(self.data + getattr(other, "data", other))
    def __mul__(self, other):
        return Value(self.data * getattr(other, "data", other))
    def backward(self):
        while True:  # a walk of the graph that never ends
            pass
"""


def test_an_engine_whose_backward_hangs_is_stopped_by_the_time_limit(tmp_path: Path) -> None:

    (tmp_path / "hangs.py").write_text(_HANGS)
    cmd = [
        sys.executable,
        "-m",
        "autograd.checking.conformance",
        "hangs.py:Value",
        "--timeout",
        "2",
    ]
    done = subprocess.run(cmd, cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert done.returncode == 1, done.stderr
    assert "took longer than timeout=2 s" in done.stdout
