"""The "build your own Value" exercise track: run the suite on a learner's file and
say which exercise to do next.

The exercises (``examples/exercises/my_value.py``, and the docs appendix "Build your
own Value") come in the order an engine is built: the ops, then the backward walk,
then fan-out, depth, repeated ``backward()`` and the domain errors. Each exercise
is passed when the checks that test it pass; the first one that is not is next.

Ops are checked through the local derivatives the learner stores (``_parents`` and
``_local``, differentiated by the suite's own walk), so exercises 1-7 can be
done before ``backward()`` exists.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from autograd.checking.conformance.adapter import load_engine
from autograd.checking.conformance.depth import DEPTHS
from autograd.checking.conformance.report import Check, ConformanceReport
from autograd.checking.conformance.suite import plan, start

__all__ = ["EXERCISES", "TRACK_OPS", "Exercise", "TrackReport", "run_track"]

TRACK_OPS: tuple[str, ...] = ("+", "*", "neg", "-", "**n", "/", "exp", "log", "tanh", "relu")
"""The ops a learner's ``Value`` has (``neg``, ``-`` and ``/`` come written, from the others)."""


@dataclass(frozen=True)
class Exercise:
    """One step of the track: the checks that pass once it is done, and a hint."""

    number: int
    title: str
    checks: tuple[str, ...]
    hint: str


EXERCISES: tuple[Exercise, ...] = (
    Exercise(
        1,
        "__add__: a + b",
        ("construct", "op +"),
        "out = a + b, and d out/da = d out/db = 1: "
        "return Value(self.data + other.data, (self, other), (1.0, 1.0), '+').",
    ),
    Exercise(
        2,
        "__mul__: a * b",
        ("op *", "op neg", "op -"),
        "d(a b)/da = b and d(a b)/db = a: the local derivative of each operand is the "
        "*other* operand's data. (-x and a - b are written for you from * and +.)",
    ),
    Exercise(
        3,
        "__pow__: a ** n for a number n",
        ("op **n", "op /"),
        "d(a^n)/da = n a^(n-1). Careful at n = 0: a ** 0 is 1 everywhere, so its "
        "derivative is 0 (do not compute 0 * a ** -1 at a = 0). (a / b is written for "
        "you as a * b ** -1.)",
    ),
    Exercise(4, "exp", ("op exp",), "d e^a/da = e^a: the result itself."),
    Exercise(5, "log", ("op log",), "d ln a/da = 1/a. (Exercise 12 deals with a <= 0.)"),
    Exercise(6, "tanh", ("op tanh",), "with t = tanh a, d t/da = 1 - t^2; math.tanh gives t."),
    Exercise(
        7,
        "relu",
        ("op relu",),
        "max(0, a); its derivative is 1 for a > 0 and 0 for a < 0 (pick 0 at a = 0).",
    ),
    Exercise(
        8,
        "backward(): the walk",
        ("chain rule: chains",),
        "order the nodes so that every node comes after its parents (a topological "
        "order), set the root's grad to 1, then go through that order backwards and do "
        "parent.grad += local * node.grad for each parent.",
    ),
    Exercise(
        9,
        "fan-out",
        ("chain rule: random DAGs", "fan-out"),
        "a node used twice (a * a, or a in f(a) + g(a)) must receive the SUM of both "
        "paths: add into parent.grad (+=), never assign it (=), and visit each node once.",
    ),
    Exercise(
        10,
        "depth",
        ("depth",),
        "a recursive topological sort stops near 1,000 nodes (RecursionError). Use a "
        "list as an explicit stack of (node, parents_done) pairs instead of recursion.",
    ),
    Exercise(
        11,
        "repeated backward()",
        ("repeated backward",),
        "calling backward() twice must give exactly twice the leaf gradients: before "
        "the walk, set every non-leaf node's grad to 0 (intermediates are recomputed "
        "each time) and let leaves (no parents) keep adding up until zero_grad().",
    ),
    Exercise(
        12,
        "domain errors",
        ("domain edges",),
        "never return nan, inf or a complex number: raise a ValueError (log of a "
        "number <= 0, a negative number to a fractional power) or an OverflowError "
        "(a result too large for a float) that says what is wrong.",
    ),
)


@dataclass
class TrackReport:
    """Where a learner stands: every exercise with its checks, and the next one to do."""

    path: str
    report: ConformanceReport

    @property
    def checks(self) -> dict[str, Check]:
        return {c.name: c for c in self.report.checks}

    def failures_of(self, exercise: Exercise) -> list[Check]:
        """The exercise's checks that fail (a check that did not run counts as failing)."""
        found = self.checks
        return [
            found.get(n, Check(n, False, "not run: an earlier step is missing"))
            for n in exercise.checks
            if n not in found or not found[n].passed
        ]

    @property
    def next(self) -> Exercise | None:
        """The first exercise with a failing check, or None when all are done."""
        return next((e for e in EXERCISES if self.failures_of(e)), None)

    @property
    def passed(self) -> bool:
        return self.next is None

    def __str__(self) -> str:
        lines = [f"Build your own Value: {self.path}", ""]
        upcoming = self.next
        for e in EXERCISES:
            mark = "[ ]" if self.failures_of(e) else "[x]"
            arrow = "   <- next" if e is upcoming else ""
            lines.append(f"  {mark} {e.number:2d}. {e.title}{arrow}")
        if upcoming is not None and upcoming is not EXERCISES[-1]:
            lines.append("  (exercises after the next one are checked once it passes)")
        lines.append("")
        if upcoming is None:
            lines.append("Every exercise passes: your Value conforms. Well done!")
            return "\n".join(lines)
        lines.append(f"Next: exercise {upcoming.number}, {upcoming.title}")
        lines.append(f"Hint: {upcoming.hint}")
        lines.append("")
        lines += [str(c) for c in self.failures_of(upcoming)]
        return "\n".join(lines)


def run_track(
    path: str | Path,
    *,
    max_examples: int = 50,
    depths: Sequence[int] = DEPTHS,
    timeout: float = 60.0,
) -> TrackReport:
    """Run the exercises' checks on a learner's file (``my_value.py`` or ``file.py:Class``),
    in order, stopping at the first exercise that fails (later ones are not run yet).

    Raises:
        EngineError: the file cannot be loaded or has no such class.
    """
    spec = str(path)
    adapter, report = start(load_engine(spec), ops=TRACK_OPS, parents="_parents", local="_local")
    steps = dict(plan(adapter, TRACK_OPS, max_examples, depths, timeout))
    track = TrackReport(spec, report)
    for exercise in EXERCISES:
        for name in exercise.checks:
            if name in steps and name not in track.checks:
                report.checks.append(steps[name]())
        if track.failures_of(exercise):
            break
    return track
