"""What the suite found, for a learner: one line per check, and for a failure the
smallest example hypothesis could find, printed as code you can paste and run."""

from __future__ import annotations

import textwrap
from dataclasses import dataclass, field

__all__ = ["Check", "ConformanceError", "ConformanceReport"]


@dataclass(frozen=True)
class Check:
    """The outcome of one check.

    Attributes:
        name: what was checked, e.g. ``"op *"``, ``"chain rule: random DAGs"``, ``"depth"``.
        passed: whether the engine did what the check expects.
        message: one or a few sentences: what was checked, or expected vs got.
        example: for a failure, the (shrunk) failing case as Python code, else ``None``.
        op: for a wrong value or derivative, the op that is wrong (``"*"``), else ``None``.
        group: the part of an engine it tests: ``"ops"``, ``"walk"``, ``"fan-out"``,
            ``"depth"``, ``"repeated"``, ``"domain"`` (or ``"vjp"``).
    """

    name: str
    passed: bool
    message: str
    example: str | None = None
    op: str | None = None
    group: str = ""

    def __str__(self) -> str:
        lines = [f"{'PASS' if self.passed else 'FAIL'}  {self.name}: {self.message}"]
        if self.example:
            lines.append("      smallest failing example:")
            lines.append(textwrap.indent(self.example, "          "))
        return "\n".join(lines)


@dataclass
class ConformanceReport:
    """All checks of one run. ``str(report)`` is the printed report.

    Attributes:
        engine: the engine's name (``"micrograd.engine.Value"``).
        semantics: the ``backward`` semantics the engine promised.
        ops: the ops that were checked.
        missing: ops the engine lacks, with the reason (they are not checks).
        checks: every check, in the order they ran.
    """

    engine: str
    semantics: str
    ops: tuple[str, ...] = ()
    missing: dict[str, str] = field(default_factory=dict)
    checks: list[Check] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        """True when every check passed (and there was at least one)."""
        return bool(self.checks) and all(c.passed for c in self.checks)

    @property
    def failures(self) -> list[Check]:
        return [c for c in self.checks if not c.passed]

    def __bool__(self) -> bool:
        return self.passed

    def __str__(self) -> str:
        lines = [
            f"Conformance of {self.engine} (promised backward semantics: {self.semantics!r})",
            f"ops checked: {' '.join(self.ops) if self.ops else '(none)'}",
        ]
        if self.missing:
            lines.append(f"ops not found (not checked): {' '.join(self.missing)}")
        lines.append("")
        lines += [str(c) for c in self.checks]
        lines.append("")
        n = len(self.checks)
        if self.passed:
            lines.append(f"All {n} checks passed.")
        else:
            wrong = [c.op for c in self.failures if c.op]
            names = f" (wrong ops: {', '.join(dict.fromkeys(wrong))})" if wrong else ""
            lines.append(f"{n - len(self.failures)} of {n} checks passed{names}.")
        return "\n".join(lines)


class ConformanceError(AssertionError):
    """Raised by ``assert_conforms`` and ``check_vjp``; the message is the report."""
