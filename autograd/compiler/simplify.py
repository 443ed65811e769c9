"""Fewer NumPy calls in a replay, each rewrite exact (the same bits as the eager step).

A replay makes the eager step's NumPy calls; a few of those exist only because the
eager code cannot know what comes next. Knowing the whole step, the replay can
skip them:

* **copies of fresh arrays**: the engine copies a gradient before keeping it as a
  parameter's ``.grad`` (the array might be shared); an array made by this step and
  used only by that copy is kept itself instead.
* **a scatter whose rows are ``0, 1, ..., n-1``** (the gradient of ``logp[np.arange(n),
  labels]``) adds by assignment (``g[rows, labels] += ...``): no two entries meet.
* **``x ** 1``** is ``x`` (the derivative of a square, ``2 a**1``).
* **one finiteness check for all updates**: an optimizer checks each update is
  finite (``x·x`` finite) before writing any; the replay writes the updates into one
  flat buffer and checks it once. A sum of squares is finite only if every square
  is, so the check passes exactly when every one did (and when it fails the call
  runs eagerly, which checks one by one).
"""

from __future__ import annotations

import operator
from collections import Counter
from typing import Any

import numpy as np

from autograd.compiler.record import Node, Statement, nodes_in

__all__ = ["simplify"]

_ALLOCATING = (np.matmul, np.dot, np.zeros_like, np.empty_like, np.ones_like, np.full_like)
_VIEWS = {"reshape", "transpose", "swapaxes", "ravel", "squeeze", "view", operator.getitem}


def simplify(body: list[Statement], roots: set[int], namespace: dict[str, Any]) -> list[Statement]:
    """``body`` with the rewrites above (``roots``: nodes returned or written back)."""
    body = _drop_copies(body, roots)
    body = _drop_power_one(body)
    body = _scatter_by_assignment(body)
    return _one_finiteness_check(body, roots, namespace)


def _uses(body: list[Statement]) -> Counter[int]:
    count: Counter[int] = Counter()
    for s in body:
        for n in nodes_in(s.args) + nodes_in(s.kwargs) + s.writes:
            count[id(n)] += 1
    return count


def _allocates(s: Statement) -> bool:
    """Whether ``s`` makes a new array of its own (a ufunc or product, not a view)."""
    if s.kind != "call" or s.func in _VIEWS or "out" in s.kwargs or len(s.targets) != 1:
        return False
    owner = getattr(s.func, "__self__", None)
    return (
        isinstance(s.func, np.ufunc)
        or isinstance(owner, np.ufunc)
        or s.func in _ALLOCATING
        or s.func == "copy"
    )


def _drop_copies(body: list[Statement], roots: set[int]) -> list[Statement]:
    """A copy nobody needs: of a fresh array used only by the copy (kept under the
    copy's name), or of an array that neither it nor its copy is written afterwards
    (read as it is: ``Tensor(x)`` of the step's input)."""
    uses, made_by = _uses(body), {id(t): s for s in body for t in s.targets}
    same: dict[int, Node] = {}
    out = []
    for i, s in enumerate(body):
        s.args, s.kwargs = _swap(s.args, same), _swap(s.kwargs, same)
        src = s.args[0] if s.func == "copy" and len(s.args) == 1 else None
        maker = made_by.get(id(src)) if isinstance(src, Node) else None
        if maker is not None and _allocates(maker) and uses[id(src)] == 1 and id(src) not in roots:
            maker.targets = s.targets  # the array itself, under the copy's name
            continue
        if (
            isinstance(src, Node)
            and not {id(src), id(s.targets[0])} & roots
            and not _written_after(body, i, made_by, (src, s.targets[0]))
        ):
            same[id(s.targets[0])] = src
            continue
        out.append(s)
    return out


def _written_after(
    body: list[Statement], i: int, made_by: dict[int, Statement], nodes: tuple[Node, ...]
) -> bool:
    """Whether anything after statement ``i`` writes into one of ``nodes`` or into a view
    (whose memory may be theirs)."""
    for s in body[i + 1 :]:
        for w in s.writes:
            maker = made_by.get(id(w))
            if any(w is n for n in nodes) or (maker is not None and not _allocates(maker)):
                return True
    return False


def _scatter_by_assignment(body: list[Statement]) -> list[Statement]:
    """``np.add.at(zeros, (np.arange(n), labels), g)`` as ``zeros[rows, labels] += g``: the
    rows are all different, so no two entries meet and adding at each is adding once
    (what the engine cannot know without checking every call)."""
    for s in body:
        add_at = getattr(s.func, "__self__", None) is np.add and s.func.__name__ == "at"
        idx = s.args[1] if add_at and len(s.args) == 3 else None
        rows = idx[0] if isinstance(idx, tuple) and len(idx) == 2 else None
        if (
            isinstance(rows, Node)
            and rows.kind == "const"
            and rows.value.ndim == 1
            and np.array_equal(rows.value, np.arange(len(rows.value)))
        ):
            s.func, s.args = "index_add", s.args
    return body


def _drop_power_one(body: list[Statement]) -> list[Statement]:
    same: dict[int, Node] = {}
    out = []
    for s in body:
        s.args, s.kwargs = _swap(s.args, same), _swap(s.kwargs, same)
        if s.func is np.power and isinstance(s.args[0], Node) and _is_one(s.args[1]):
            value = s.args[0].value
            if isinstance(value, np.ndarray) and value.dtype == s.targets[0].value.dtype:
                same[id(s.targets[0])] = s.args[0]
                continue
        out.append(s)
    return out


def _is_one(x: Any) -> bool:
    return isinstance(x, int) and not isinstance(x, bool) and x == 1


def _one_finiteness_check(
    body: list[Statement], roots: set[int], namespace: dict[str, Any]
) -> list[Statement]:
    """The optimizer's per-update checks ``isfinite(dot(d.reshape(-1), ...))`` as one."""
    made_by = {id(t): s for s in body for t in s.targets}
    checks = []  # (reshape, dot, isfinite, guard, d)
    for i, s in enumerate(body):
        if s.kind != "guard" or not s.expected or i < 3:
            continue
        r, dot, fin = body[i - 3 : i]
        d = r.args[0] if r.func == "reshape" and r.args[1:] == (-1,) else None
        if (
            isinstance(d, Node)
            and dot.func is np.dot
            and dot.args == (r.targets[0], r.targets[0])
            and fin.func is np.isfinite
            and fin.args == (dot.targets[0],)
            and s.args == (fin.targets[0],)
            and id(d) not in roots
            and id(d) in made_by
            and _allocates(made_by[id(d)])
        ):
            checks.append((r, dot, fin, s, d))
    dtypes = {c[4].value.dtype for c in checks}
    if len(checks) < 2 or len(dtypes) != 1:
        return body
    return _rewrite_checks(body, checks, made_by, namespace, dtypes.pop())


def _rewrite_checks(
    body: list[Statement],
    checks: list[Any],
    made_by: dict[int, Statement],
    namespace: dict[str, Any],
    dtype: Any,
) -> list[Statement]:
    size = sum(c[4].value.size for c in checks)
    flat = np.empty(size, dtype)  # the updates, side by side: kept from call to call
    buffer = Node("_updates", "buffer", flat)
    namespace["_updates"] = flat
    start = 0
    for *_, d in checks:
        view = flat[start : start + d.value.size].reshape(d.value.shape)
        start += d.value.size
        maker = made_by[id(d)]
        part = Node(f"_update_{len(namespace)}", "buffer", view)
        namespace[part.name] = view
        maker.kwargs = {**maker.kwargs, "out": (part,)}
        maker.writes, maker.targets = [part], []
        d.name = part.name  # every later use reads the buffer
    drop = {id(x) for c in checks for x in c[:4]}
    last = checks[-1][3]
    total = Node("updates_dot", "result", None)
    ok = Node("updates_finite", "result", None)
    phase, where = last.phase, last.where
    merged = [
        Statement("call", [total], np.dot, (buffer, buffer), {}, phase, where),
        Statement("call", [ok], np.isfinite, (total,), {}, phase, where),
        Statement("guard", [], None, (ok,), {}, phase, where, True),
    ]
    out = []
    for s in body:
        if id(s) in drop:
            if s is last:
                out.extend(merged)
            continue
        out.append(s)
    return out


def _swap(x: Any, same: dict[int, Node]) -> Any:
    if isinstance(x, Node):
        return same.get(id(x), x)
    if isinstance(x, tuple):
        return tuple(_swap(i, same) for i in x)
    if isinstance(x, list):
        return [_swap(i, same) for i in x]
    if isinstance(x, dict):
        return {k: _swap(v, same) for k, v in x.items()}
    return x
