"""benchmarks/instructions.py: reading cachegrind's totals and the per-step arithmetic
(no valgrind run here), and its workloads still run on this code."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))

import instructions

ROOT = instructions.ROOT

FAKE = """\
desc: I1 cache:         32768 B, 64 B, 8-way associative
cmd: python -c import sys, instructions; sys.exit(instructions.child(sys.argv[1:])) fused 20 {k}
events: Ir
fl=./csu/../csu/libc-start.c
fn=__libc_start_main@@GLIBC_2.34
128 2
fn=zlibVersion
0 2
summary: {ir}
"""


def test_parse_reads_the_summary_line() -> None:
    assert instructions.parse_cachegrind(FAKE.format(k=40, ir=670113197)) == {"Ir": 670113197}


def test_parse_names_every_event_of_a_cache_simulation() -> None:
    text = "events: Ir I1mr ILmr\nfn=f\n1 5 1 0\nsummary: 5 1 0\n"
    assert instructions.parse_cachegrind(text) == {"Ir": 5, "I1mr": 1, "ILmr": 0}


@pytest.mark.parametrize(
    "text", ["", "events: Ir\nfn=f\n1 5\n", "summary: 5\n", "events: Ir I1mr\nsummary: 5\n"]
)
def test_parse_rejects_what_is_not_a_cachegrind_output(text: str) -> None:
    with pytest.raises(ValueError, match="cachegrind"):
        instructions.parse_cachegrind(text)


def test_per_step_cancels_start_up_and_divides_by_the_extra_steps() -> None:
    start_up, step = 670_000_000, 751_500
    short = instructions.parse_cachegrind(FAKE.format(k=40, ir=start_up + 60 * step))["Ir"]
    long = instructions.parse_cachegrind(FAKE.format(k=120, ir=start_up + 140 * step))["Ir"]
    assert instructions.per_step(short, long, 40, 120) == step
    assert instructions.per_step(1_000, 1_350, 1, 3) == 175.0
    with pytest.raises(ValueError, match="more steps"):
        instructions.per_step(1_000, 1_350, 3, 3)


def test_median_and_spread_over_repeats() -> None:
    w = instructions.WORKLOADS[0]
    m = instructions.Measured(w, w.warmup, w.steps, [1000.0, 1010.0, 1001.0])
    assert m.median == 1001.0
    assert m.spread == f"{10 / 1001:.4%}"
    assert instructions.Measured(w, w.warmup, w.steps, [5.0]).spread == "-"


def test_without_valgrind_it_says_so_and_exits_2(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(shutil, "which", lambda name: None)
    assert instructions.main(["--repo", str(ROOT)]) == 2
    assert "valgrind not found" in capsys.readouterr().err


@pytest.mark.parametrize("workload", ["fused", "natural", "scalar"])
def test_each_workload_runs_on_this_code(workload: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "path", list(sys.path))  # the child puts the repo first
    assert instructions.child([workload, "0", "1", str(ROOT)]) == 0
