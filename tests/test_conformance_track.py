"""The "build your own Value" track: the solution passes every exercise, the untouched
skeleton's first failure is exercise 1, and a solution with one exercise undone is
sent back to exactly that exercise."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from autograd.checking.conformance.track import EXERCISES, run_track

ROOT = Path(__file__).resolve().parents[1]
SKELETON = ROOT / "examples" / "exercises" / "my_value.py"
SOLUTION = Path(__file__).with_name("exercise_solution.py")
FAST = {"max_examples": 15, "depths": (10, 100, 1_000, 10_000)}

RECURSIVE_SORT = """    def _topological_order(self):
        order, visited = [], set()

        def visit(node):
            if node not in visited:
                visited.add(node)
                for parent in node._parents:
                    visit(parent)
                order.append(node)

        visit(self)
        return order

    def _unused(self):  # Exercises 8 and 10"""


def undone(tmp_path: Path, old: str, new: str) -> Path:
    """The solution with ``old`` (which must occur once) replaced by ``new``."""
    text = SOLUTION.read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    path = tmp_path / "my_value.py"
    path.write_text(text.replace(old, new), encoding="utf-8")
    return path


def test_solution_passes_every_exercise() -> None:
    track = run_track(SOLUTION, max_examples=20)
    assert track.passed, str(track)
    assert track.next is None
    assert "Every exercise passes" in str(track)
    assert str(track).count("[x]") == len(EXERCISES)


def test_untouched_skeleton_starts_at_exercise_1() -> None:
    track = run_track(SKELETON)
    assert track.next is not None and track.next.number == 1
    # the appendix shows this run (regenerate with `make figures`)
    track.path = "examples/exercises/my_value.py"
    shown = (ROOT / "docs" / "reports" / "track-skeleton.txt").read_text(encoding="utf-8")
    assert shown == str(track) + "\n"
    text = str(track)
    assert "Next: exercise 1, __add__" in text
    assert "NotImplementedError: Exercise 1: __add__" in text
    assert "out = x + y" in text  # the failing example, as code


@pytest.mark.parametrize(
    ("exercise", "old", "new", "said"),
    [
        (2, "(other.data, self.data)", "(other.data, 1.0)", "wrong derivative of '*'"),
        (4, '(self,), (y,), "exp"', '(self,), (1.0,), "exp"', "wrong derivative of 'exp'"),
        (8, "        self.grad = 1.0\n", "", "backward walk"),
        (9, "parent.grad += local", "parent.grad = local", "+="),
        (
            10,
            "    def _topological_order(self):  # Exercises 8 and 10",
            RECURSIVE_SORT,
            "RecursionError",
        ),
        (
            11,
            "            if node._parents:  # intermediates",
            "            if False:  # intermediates",
            "stale",
        ),
        (12, "        if not math.isfinite(self.data):  # Exercise 12", "        if False:", "inf"),
    ],
)
def test_one_exercise_undone_is_the_next_one(
    tmp_path: Path, exercise: int, old: str, new: str, said: str
) -> None:
    track = run_track(undone(tmp_path, old, new), **FAST)
    assert track.next is not None and track.next.number == exercise, str(track)
    assert said in str(track)
    for e in EXERCISES[: exercise - 1]:
        assert not track.failures_of(e), e


def test_track_command(tmp_path: Path) -> None:
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "autograd.checking.conformance",
            "--track",
            str(SKELETON),
            "--max-examples",
            "5",
        ],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=ROOT,
    )
    assert proc.returncode == 1, proc.stderr
    assert "Next: exercise 1" in proc.stdout
    missing = subprocess.run(
        [
            sys.executable,
            "-m",
            "autograd.checking.conformance",
            "--track",
            str(tmp_path / "nope.py"),
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert missing.returncode == 2 and "no such file" in missing.stderr


def test_skeleton_runs_as_a_script() -> None:
    """``python examples/exercises/my_value.py`` runs the track on itself."""
    proc = subprocess.run(
        [sys.executable, str(SKELETON)], capture_output=True, text=True, timeout=300, cwd=ROOT
    )
    assert proc.returncode == 1, proc.stderr
    assert "Next: exercise 1" in proc.stdout


def test_the_failing_example_runs_before_backward_exists(tmp_path: Path) -> None:
    """Issue 20: the example of exercises 1-7 ended with ``out.backward()``, exercise 8,
    so pasting it raised NotImplementedError; it prints the stored local derivatives."""
    path = undone(tmp_path, "(other.data, self.data)", "(other.data, 1.0)")
    text = path.read_text(encoding="utf-8").replace(
        "    def backward(self):  # Exercises 8, 9 and 11\n",
        "    def backward(self):  # Exercises 8, 9 and 11\n"
        '        raise NotImplementedError("Exercise 8")\n',
    )
    path.write_text(text, encoding="utf-8")
    track = run_track(path, **FAST)
    assert track.next is not None and track.next.number == 2, str(track)
    check = next(c for c in track.report.checks if c.example and "out = " in c.example)
    code = [line for line in check.example.splitlines() if not line.startswith("#")]
    assert not [line for line in code if "backward" in line], check.example
    namespace: dict[str, object] = {}
    exec(compile(path.read_text(encoding="utf-8"), str(path), "exec"), namespace)
    exec(check.example, namespace)  # runs: prints out.data and out._local
