"""Gradient checking: does ``backward()`` agree with finite differences?

The derivative of ``f`` with respect to an input ``x`` can be estimated without
any calculus, from two evaluations of ``f`` (a *central difference*)::

    df/dx  ≈  (f(x + eps) - f(x - eps)) / (2 eps)          (error ~ eps²)

:func:`gradcheck` computes every input's gradient both ways, analytically with
``backward()`` and numerically with the formula above, and reports each entry
where they disagree: which input (index and label, and the element index for an
array input), the two numbers and their absolute and relative difference.

When the check fails on a graph of :class:`~autograd.Value` nodes it goes one step
further and **localizes** the error: it walks the graph in topological order
(inputs first) and, for every op, recomputes the op on its parents' values nudged
by ``±eps`` and compares that numerical derivative with the local derivative the
node stored (``node._local``). The first op that disagrees is named in the report,
so a wrong ``_local`` in a hand-written op is pointed at directly. Tensor graphs
store vector-Jacobian functions instead of numbers, so for them only the inputs
are reported.

**Second derivatives** (``order=2``): the analytic Hessian comes from
differentiating the gradient again (``create_graph=True``), the numeric one from
central differences *of the first gradient* (a backward pass at ``x ± eps``). On a
Value graph a failure is localized the same way: for every op, its derivative
function ``d`` is evaluated on Values and differentiated, and compared with central
differences of ``d`` evaluated on floats; the first op whose local derivative does
not differentiate correctly is named.

How close is close enough? An entry fails when::

    |analytic - numeric|  >  atol + rtol * |numeric| + roundoff / eps

``roundoff`` is the rounding error of evaluating ``f`` itself, estimated from the
same backward pass as ``u * Σ |node.grad * node.data|`` over the op nodes (``u`` is
the float64 unit roundoff, ~1.1e-16): each op rounds its result by a relative
``u``, and ``node.grad`` says how much that moves ``f``. A finite difference
cannot be more accurate than that error divided by the step, so differences
below it are noise, not bugs. For well-scaled functions it is far below ``atol``.

That noise must never hide a wrong derivative. ``x.tanh() + x*1e10 - x*1e10`` has a
roundoff near 1e-6, noise near 1 at ``eps=1e-6``: a tanh derivative off by 10 %
would fit inside it. So an entry that agrees only *within the noise* (its difference
is above ``atol + rtol * |numeric|``) is not a pass by itself. On a Value graph
every op is then checked on its own inputs, where no large terms cancel: the check
passes if they all agree and fails naming the op if one does not. Otherwise (a
Tensor graph, or ops the table does not know) the result is **undecided**: not ok,
and the report says why and what to try.
"""

from __future__ import annotations

import math
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from numbers import Real
from typing import Any, Literal

import numpy as np

from autograd import backprop, grad_mode
from autograd.value import OPS, Value

__all__ = [
    "GradcheckError",
    "GradcheckResult",
    "InputMismatch",
    "OpMismatch",
    "check_local_derivatives",
    "gradcheck",
]

_UNIT_ROUNDOFF = sys.float_info.epsilon / 2


class GradcheckError(AssertionError):
    """Raised by :func:`gradcheck` when gradients disagree; ``.result`` has the details."""

    def __init__(self, result: GradcheckResult) -> None:
        super().__init__(result.report())
        self.result = result


@dataclass(frozen=True)
class InputMismatch:
    """One gradient entry where ``backward()`` and finite differences disagree.

    Attributes:
        index: position of the input in the ``inputs`` list.
        label: the input's ``label`` ("" if it has none).
        element: the element index inside an array input, ``None`` for a scalar.
        analytic: the gradient from ``backward()``.
        numeric: the central finite difference.
        tolerance: the largest difference that would have passed.
        wrt: for a second derivative ``d^2 f / (d a d b)``: ``(index, label, element)``
            of ``b`` (``a`` is the input above); ``None`` for a first derivative.
    """

    index: int
    label: str
    element: tuple[int, ...] | None
    analytic: float
    numeric: float
    tolerance: float
    wrt: tuple[int, str, tuple[int, ...] | None] | None = None

    @property
    def abs_diff(self) -> float:
        """``|analytic - numeric|``."""
        return abs(self.analytic - self.numeric)

    @property
    def rel_diff(self) -> float:
        """``|analytic - numeric| / max(|analytic|, |numeric|)`` (0 when both are 0)."""
        return _rel_diff(self.analytic, self.numeric)

    def __str__(self) -> str:
        name = _input_name(self.index, self.label, self.element)
        if self.wrt is not None:
            name = f"d2f/d({name}) d({_input_name(*self.wrt)})"
        return (
            f"{name}: analytic {self.analytic:.8g}, numeric {self.numeric:.8g}, "
            f"abs diff {self.abs_diff:.3g}, rel diff {self.rel_diff:.3g} "
            f"(tolerance {self.tolerance:.3g})"
        )


def _input_name(index: int, label: str, element: tuple[int, ...] | None) -> str:
    name = f"input {index}"
    if label:
        name += f" {label!r}"
    if element is not None:
        name += f" element {element}"
    return name


@dataclass(frozen=True)
class OpMismatch:
    """An op node whose stored result disagrees with a recomputation of the op.

    Attributes:
        position: the node's position in topological order (0 = first computed).
        op: the node's ``_op`` string, e.g. ``"tanh"`` or ``"**3"``.
        node: the node itself.
        parent: which argument (0 for ``a`` in ``a * b``, 1 for ``b``); ``None`` for
            a forward mismatch.
        kind: ``"derivative"``: ``node._local[parent]`` is not ``d node / d parent``;
            ``"forward"``: ``node.data`` is not the op applied to the parents' data;
            ``"second derivative"``: the local derivative ``d node / d parent``, as
            the node's derivative function computes it on Values, has the wrong
            derivative in argument ``wrt``.
        stored: what the node holds (``_local[parent]`` or ``data``), or the
            analytic second derivative.
        expected: the numerical derivative, or the recomputed forward value.
        wrt: for a second derivative, the argument it is taken in.
    """

    position: int
    op: str
    node: Any
    parent: int | None
    kind: Literal["derivative", "forward", "second derivative"]
    stored: float
    expected: float
    wrt: int | None = None

    def __str__(self) -> str:
        if self.kind == "forward":
            return (
                f"op {self.op!r} (node {self.position} in topological order) computed "
                f"{self.stored:.8g} but {self.op!r} of its inputs "
                f"{_parent_data(self.node)} is {self.expected:.8g}; "
                f"check the forward computation of {self.op!r}"
            )
        assert self.parent is not None
        parent = self.node._parents[self.parent]
        if self.kind == "second derivative":
            return (
                f"op {self.op!r} (node {self.position} in topological order, {self.node!r}): "
                f"d/d arg{self.wrt} of its local derivative d out/d arg{self.parent} is "
                f"{self.stored:.8g}, numerical {self.expected:.8g} at args "
                f"{_parent_data(self.node)}; check that the derivative function of "
                f"{self.op!r} is differentiable (written with Value arithmetic, no float())"
            )
        return (
            f"op {self.op!r} (node {self.position} in topological order, {self.node!r}): "
            f"stored local derivative d out/d arg{self.parent} = {self.stored:.8g}, "
            f"numerical {self.expected:.8g} at arg{self.parent} = {parent.data:.8g}; "
            f"check the local derivative of {self.op!r}"
        )


@dataclass(frozen=True)
class GradcheckResult:
    """What :func:`gradcheck` found. ``bool(result)`` is ``result.ok``.

    Attributes:
        ok: every gradient entry passed (none failed, none undecided).
        mismatches: the entries that failed, in input order.
        undecided: the entries that agree only within the rounding noise of ``f``
            where no op-by-op check could decide (see the module doc).
        checked: how many gradient entries were compared.
        max_abs_diff: the largest ``|analytic - numeric|`` over all entries.
        max_rel_diff: the largest relative difference over all entries.
        roundoff: the estimated rounding error of evaluating ``f`` (see the module doc).
        op_mismatches: on failure of a Value graph, every op whose stored result or
            local derivative disagrees with a recomputation, in topological order.
        unchecked_ops: op names met during localization that the op table does not
            know (custom ops), so could not be checked.
        localized: whether op localization ran (only on failure or noise, only for Values).
        eps, rtol, atol: the settings used.
        order: 1 (gradients) or 2 (second derivatives).
    """

    ok: bool
    mismatches: tuple[InputMismatch, ...]
    undecided: tuple[InputMismatch, ...]
    checked: int
    max_abs_diff: float
    max_rel_diff: float
    roundoff: float
    op_mismatches: tuple[OpMismatch, ...]
    unchecked_ops: tuple[str, ...]
    localized: bool
    eps: float
    rtol: float
    atol: float
    order: int = 1

    @property
    def culprit(self) -> OpMismatch | None:
        """The first op (in topological order) that disagrees, or ``None``."""
        return self.op_mismatches[0] if self.op_mismatches else None

    def __bool__(self) -> bool:
        return self.ok

    def report(self) -> str:
        """A readable, multi-line account of the check."""
        settings = f"eps={self.eps:g}, rtol={self.rtol:g}, atol={self.atol:g}"
        what = "gradient" if self.order == 1 else "second-derivative (Hessian)"
        numeric = "" if self.order == 1 else " of the gradient"
        if self.ok:
            return (
                f"gradcheck passed: {self.checked} {what} entries agree with central "
                f"finite differences{numeric} ({settings}; max abs diff {self.max_abs_diff:.3g})"
            )
        if not self.mismatches:
            return self._undecided_report(settings, what)
        lines = [
            f"gradcheck failed: {len(self.mismatches)} of {self.checked} {what} entries "
            f"disagree with central finite differences{numeric} ({settings})",
        ]
        shown = self.mismatches[:10]
        lines += [f"  {m}" for m in shown]
        if len(self.mismatches) > len(shown):
            lines.append(f"  ... and {len(self.mismatches) - len(shown)} more")
        if not self.localized:
            lines.append(
                "Op localization only runs on Value graphs; for other nodes (Tensor) "
                "only the inputs are reported."
            )
        elif self.culprit is not None:
            lines.append(
                "First op in the graph (inputs first) that disagrees with a numerical check:"
            )
            lines.append(f"  {self.culprit}")
            if len(self.op_mismatches) > 1:
                later = ", ".join(repr(m.op) for m in self.op_mismatches[1:6])
                lines.append(f"  (later ops that also disagree: {later})")
        else:
            lines.append(
                "Every op's stored value and local derivative agree with a numerical "
                "check, so look at how gradients are propagated (_propagate), at f "
                "(does it recompute from the inputs' .data?), or at the ops not checked."
            )
        if self.unchecked_ops:
            lines.append(f"Ops not checked (unknown to the op table): {list(self.unchecked_ops)}")
        return "\n".join(lines)

    def _undecided_report(self, settings: str, what: str) -> str:
        why = (
            f"ops {list(self.unchecked_ops)} are not in the op table"
            if self.localized
            else "only Value graphs are checked op by op"
        )
        lines = [
            f"gradcheck cannot decide at this input: {len(self.undecided)} of {self.checked} "
            f"{what} entries differ from central finite differences ({settings}) by more "
            "than the tolerance, but by less than the rounding noise of evaluating f "
            f"(roundoff {self.roundoff:.3g} / eps = {self.roundoff / self.eps:.3g}).",
            "f's intermediate values are large (they cancel), so its finite differences "
            f"are noise at this scale; and the op-by-op check cannot run: {why}.",
            "Try an input where f's intermediate values are smaller, or a larger eps "
            "(the noise falls as 1/eps).",
        ]
        return "\n".join(lines + [f"  {m}" for m in self.undecided[:10]])

    def __str__(self) -> str:
        return self.report()


def gradcheck(
    f: Callable[..., Any],
    inputs: Sequence[Any] | Any,
    eps: float = 1e-6,
    rtol: float = 1e-5,
    atol: float = 1e-8,
    raise_exception: bool = True,
    order: int = 1,
) -> GradcheckResult:
    """Check ``backward()`` gradients of ``f(*inputs)`` against central finite differences.

    Args:
        f: called as ``f(*inputs)``; returns a scalar node (a ``Value``, or a
            one-element ``Tensor``). It must recompute from the inputs' ``.data``
            on every call, because the numerical check calls it again (under
            :func:`~autograd.no_grad`) with each input entry nudged by ``±eps``.
        inputs: the nodes to differentiate with respect to: ``Value``\\ s, or nodes
            whose ``.data`` is a float64 NumPy array (every element is checked;
            ``requires_grad=False`` inputs are skipped). A single node is allowed.
        eps: the finite-difference step.
        rtol, atol: an entry fails when
            ``|analytic - numeric| > atol + rtol * |numeric| + roundoff / eps``.
        raise_exception: raise :class:`GradcheckError` (an ``AssertionError``) on
            failure; with ``False``, return the result and let the caller look at ``ok``.
        order: 1 checks the gradient; 2 checks every second derivative
            ``d^2 f / (d a d b)`` (``a``, ``b`` entries of the inputs), computed by
            differentiating the gradient (``create_graph=True``), against central
            differences of the gradient; on a Value graph a failure names the op whose
            local derivative does not differentiate correctly.

    Returns:
        A :class:`GradcheckResult` (truthy when the check passed).

    The inputs' ``.grad`` and ``.data`` are restored afterwards.

    >>> from autograd import Value, gradcheck
    >>> x, y = Value(0.5, label="x"), Value(-1.5, label="y")
    >>> gradcheck(lambda x, y: (x * y).tanh() + x.exp() / (y * y + 1), [x, y]).ok
    True
    >>> gradcheck(lambda x, y: (x * y).tanh() + x.exp() / (y * y + 1), [x, y], order=2).ok
    True
    """
    nodes, wrt = _check_arguments(inputs, eps, rtol, atol, order)
    # The same procedure for both orders. For order 1 the function differentiated
    # numerically is f, for order 2 it is f's gradient; "targets" are its outputs.
    if order == 1:
        out, analytic, roundoff = _analytic_gradient(f, nodes, wrt)
        targets: list[tuple[Any, Any]] = [(None, None)]
    else:
        out, analytic, roundoff = _analytic_hessian(f, nodes, wrt, eps)
        targets = [(i, e) for i in wrt for e in _elements(nodes[i])]
    numeric = _numeric_derivatives(f, nodes, wrt, eps, order)
    mismatches, noisy, checked, max_abs, max_rel = _compare(
        nodes, analytic, numeric, targets, atol, rtol, roundoff / eps
    )
    localized = bool(mismatches or noisy) and isinstance(out, Value)
    op_mismatches, unchecked = _blame(out, order, eps, rtol, atol) if localized else ((), ())
    undecided = _within_noise(noisy, mismatches, bool(op_mismatches), localized and not unchecked)
    result = GradcheckResult(
        ok=not (mismatches or undecided),
        mismatches=tuple(mismatches),
        undecided=tuple(undecided),
        checked=checked,
        max_abs_diff=max_abs,
        max_rel_diff=max_rel,
        roundoff=roundoff,
        op_mismatches=op_mismatches,
        unchecked_ops=unchecked,
        localized=localized,
        eps=eps,
        rtol=rtol,
        atol=atol,
        order=order,
    )
    if not result.ok and raise_exception:
        raise GradcheckError(result)
    return result


def _within_noise(
    noisy: list[InputMismatch], mismatches: list[InputMismatch], op_wrong: bool, ops_known: bool
) -> list[InputMismatch]:
    """Decide the entries that agree only within f's rounding noise (see the module
    doc): failed (added to ``mismatches``) when an op's own check failed, passed when
    every op was checked and agreed, else returned as undecided."""
    if op_wrong:
        mismatches += noisy
        return []
    return [] if ops_known else noisy


def check_local_derivatives(
    root: Value, eps: float = 1e-6, rtol: float = 1e-5, atol: float = 1e-8
) -> list[OpMismatch]:
    """Every op node in ``root``'s graph whose stored data or local derivative is wrong.

    Each op is recomputed from its parents' ``data`` with a small table of the ops
    (keyed by ``node._op``), and each stored local derivative ``node._local[k]`` is
    compared with the central difference of the op in argument ``k``. Nodes are
    visited in topological order (inputs first), so the first entry is the op
    closest to the inputs. Ops the table does not know are skipped.

    >>> from autograd import Value
    >>> y = Value(1.0).tanh()
    >>> y._local = (0.5,)           # a wrong derivative (the right one is 1 - tanh² 1)
    >>> [m.op for m in check_local_derivatives(y)]
    ['tanh']
    """
    return list(_localize(root, eps, rtol, atol)[0])


# ------------------------------------------------- the procedure's pieces


def _blame(
    out: Value, order: int, eps: float, rtol: float, atol: float
) -> tuple[tuple[OpMismatch, ...], tuple[str, ...]]:
    """The ops whose derivatives are wrong (to first, or also second, order), inputs
    first, and the ops that could not be checked."""
    found, unchecked = _localize(out, eps, rtol, atol)
    if order == 2:
        seconds, unknown = _localize_second(out, eps, rtol, atol)
        found = tuple(sorted(found + seconds, key=lambda m: m.position))
        unchecked = tuple(dict.fromkeys(unchecked + unknown))
    return found, unchecked


def _check_arguments(
    inputs: Sequence[Any] | Any, eps: float, rtol: float, atol: float, order: int
) -> tuple[list[Any], list[int]]:
    """The input nodes, and the positions of those that require grad (to check)."""
    if not (eps > 0 and math.isfinite(eps)):
        raise ValueError(f"gradcheck: eps must be a positive finite number, got {eps!r}")
    if rtol < 0 or atol < 0:
        raise ValueError(f"gradcheck: rtol and atol must be >= 0, got rtol={rtol!r}, atol={atol!r}")
    if order not in (1, 2):
        raise ValueError(f"gradcheck: order must be 1 or 2, got order={order!r}")
    nodes = _as_input_list(inputs)
    wrt = [i for i, x in enumerate(nodes) if getattr(x, "requires_grad", True)]
    if not wrt:
        raise ValueError("gradcheck: no input requires grad, so there is nothing to check")
    return nodes, wrt


# A derivative table maps each input entry (node, element) to the derivatives of the
# targets with respect to it, as one float64 vector (one entry per target).

Table = dict[tuple[int, Any], np.ndarray[Any, np.dtype[np.float64]]]


def _analytic_gradient(
    f: Callable[..., Any], nodes: list[Any], wrt: list[int]
) -> tuple[Any, Table, float]:
    """``f``'s output, its gradient from one ``backward()``, and the rounding error of f."""
    out, grads = _plain_gradients(f, nodes, [nodes[i] for i in wrt])
    table = {
        (i, e): np.array([g[() if e is None else e]])
        for i, g in zip(wrt, grads, strict=True)
        for e in _elements(nodes[i])
    }
    return out, table, roundoff_of(out)  # the graph's own .grad are still there to read


def _analytic_hessian(
    f: Callable[..., Any], nodes: list[Any], wrt: list[int], eps: float
) -> tuple[Any, Table, float]:
    """``f``'s output, its Hessian (the gradient as a graph, each entry differentiated
    again), and the rounding error of one gradient entry: ~ u * nodes * |grad|."""
    from autograd.functional import gradients

    with grad_mode.enable_grad():
        out = f(*nodes)
    _check_output(out)
    xs = [nodes[i] for i in wrt]
    first = gradients(out, xs)
    rows = []  # one per target: d(gradient entry)/d each input
    for x, g in zip(xs, first, strict=True):
        for e in _elements(x):
            rows.append(gradients(g if e is None else g[e], xs))
    table = {
        (i, ej): np.array(
            [float(_as_float_array(row[j], xs[j])[() if ej is None else ej]) for row in rows]
        )
        for j, i in enumerate(wrt)
        for ej in _elements(xs[j])
    }
    size = len(backprop.topological_order(out))
    gmax = max(
        float(np.max(np.abs(_as_float_array(g, x)), initial=0.0))
        for g, x in zip(first, xs, strict=True)
    )
    return out, table, _UNIT_ROUNDOFF * size * max(gmax, 1.0)


def _numeric_derivatives(
    f: Callable[..., Any], nodes: list[Any], wrt: list[int], eps: float, order: int
) -> Table:
    """Central differences of the targets (f, or its gradient) in each input entry."""

    def targets(where: str) -> np.ndarray[Any, np.dtype[np.float64]]:
        try:
            if order == 1:
                with grad_mode.no_grad():
                    return np.array([_scalar(f(*nodes))])
            grads = _plain_gradients(f, nodes, [nodes[i] for i in wrt])[1]
            return np.concatenate([g.reshape(-1) for g in grads])
        except (ArithmeticError, ValueError) as e:
            raise type(e)(f"gradcheck: f raised while evaluating {where} (eps={eps:g}): {e}") from e

    table: Table = {}
    for i in wrt:
        x = nodes[i]
        for e in _elements(x):
            at = f"input {i}" if e is None else f"input {i} element {e}"
            with _nudged(x, e, eps):
                plus = targets(f"{at} + eps")
            with _nudged(x, e, -eps):
                minus = targets(f"{at} - eps")
            table[(i, e)] = (plus - minus) / (2 * eps)
    return table


def _compare(
    nodes: list[Any],
    analytic: Table,
    numeric: Table,
    targets: list[tuple[Any, Any]],
    atol: float,
    rtol: float,
    slack: float,
) -> tuple[list[InputMismatch], list[InputMismatch], int, float, float]:
    """The entries where the two tables disagree, those that agree only within the
    rounding noise ``slack``, how many were checked, the largest absolute and
    relative differences."""
    mismatches: list[InputMismatch] = []
    noisy: list[InputMismatch] = []
    max_abs = max_rel = 0.0
    for (i, e), n_row in numeric.items():
        for (t, te), a_entry, n_entry in zip(targets, analytic[(i, e)], n_row, strict=True):
            a, n = float(a_entry), float(n_entry)
            diff = abs(a - n)
            max_abs, max_rel = max(max_abs, diff), max(max_rel, _rel_diff(a, n))
            tolerance = atol + rtol * abs(n)
            if diff <= tolerance:  # not "diff > tolerance": nan fails too
                continue
            found = noisy if diff <= tolerance + slack else mismatches
            if t is None:  # order 1: the entry e of input i is what is wrong
                found.append(InputMismatch(i, _label(nodes[i]), e, a, n, tolerance + slack))
            else:  # order 2: the gradient's entry (t, te), differentiated in input i's entry e
                where = (i, _label(nodes[i]), e)
                found.append(InputMismatch(t, _label(nodes[t]), te, a, n, tolerance + slack, where))
    checked = sum(len(row) for row in numeric.values())
    return mismatches, noisy, checked, max_abs, max_rel


def _elements(x: Any) -> list[Any]:
    """The entries of an input: ``[None]`` for a Value, every index for an array."""
    if isinstance(x.data, np.ndarray):
        return list(np.ndindex(x.data.shape))
    return [None]


def _label(x: Any) -> str:
    label = getattr(x, "label", "")
    return label if isinstance(label, str) else ""


def _as_float_array(g: Any, x: Any) -> np.ndarray[Any, np.dtype[np.float64]]:
    """A gradient (float, Value, array or Tensor) as a float64 array of ``x``'s shape."""
    data = g.data if hasattr(g, "data") else g
    arr: np.ndarray[Any, np.dtype[np.float64]] = np.asarray(data, dtype=np.float64)
    shape: tuple[int, ...] = np.shape(x.data)
    return arr.reshape(shape)


@contextmanager
def _nudged(x: Any, element: tuple[int, ...] | None, delta: float) -> Iterator[None]:
    """Inside the block, ``x`` (or its entry ``element``) is moved by ``delta``."""
    if element is None:
        orig = x.data
        x.data = orig + delta
        try:
            yield
        finally:
            x.data = orig
    else:
        arr = x.data
        orig = arr[element]
        arr[element] = orig + delta
        try:
            yield
        finally:
            arr[element] = orig


def _plain_gradients(
    f: Callable[..., Any], nodes: list[Any], wrt: list[Any]
) -> tuple[Any, list[np.ndarray[Any, np.dtype[np.float64]]]]:
    """``f(*nodes)`` and its gradients for ``wrt`` by ``backward()``; the inputs' grads restored."""
    saved = [x.grad for x in nodes]
    try:
        for x in nodes:
            x.grad = _zero_like(x)
        with grad_mode.enable_grad():
            out = f(*nodes)
        _check_output(out)
        out.backward()
        return out, [_grad_array(x) for x in wrt]
    finally:
        for x, g in zip(nodes, saved, strict=True):
            x.grad = g


# ---------------------------------------------------------------- helpers


def _as_input_list(inputs: Sequence[Any] | Any) -> list[Any]:
    nodes = [inputs] if hasattr(inputs, "data") else list(inputs)
    if not nodes:
        raise ValueError("gradcheck: inputs is empty; pass the nodes to check, e.g. [x, y]")
    for i, x in enumerate(nodes):
        data = getattr(x, "data", None)
        if isinstance(data, np.ndarray):
            if data.dtype != np.float64:
                raise TypeError(
                    f"gradcheck: input {i} has dtype {data.dtype}; finite differences with a "
                    f"small eps need float64 data (float32 resolves only ~1e-7), e.g. "
                    f"build it from x.astype(np.float64)"
                )
        elif isinstance(data, bool) or not isinstance(data, Real):
            raise TypeError(
                f"gradcheck: input {i} must be a node with float or float64-array .data "
                f"(a Value or Tensor), got {type(x).__name__}: {x!r}"
            )
    return nodes


def _zero_like(x: Any) -> Any:
    """The 'no gradient yet' value of a node: 0.0 for Value, None for array nodes."""
    return None if isinstance(x.data, np.ndarray) else 0.0


def _check_output(out: Any) -> None:
    data = getattr(out, "data", None)
    if data is None or not hasattr(out, "backward"):
        raise TypeError(
            f"gradcheck: f must return a scalar node (Value or one-element Tensor), "
            f"got {type(out).__name__}: {out!r}"
        )
    if isinstance(data, np.ndarray) and data.size != 1:
        raise ValueError(
            f"gradcheck: f must return a scalar; got an array node of shape {data.shape} "
            f"(reduce it first, e.g. with .sum())"
        )


def _grad_array(x: Any) -> np.ndarray[Any, np.dtype[np.float64]]:
    g = x.grad
    if g is None:
        return np.zeros(np.shape(x.data), dtype=np.float64)
    arr: np.ndarray[Any, np.dtype[np.float64]] = np.asarray(g, dtype=np.float64)
    shape: tuple[int, ...] = np.shape(x.data)
    return arr.reshape(shape)


def _scalar(out: Any) -> float:
    return float(np.asarray(out.data, dtype=np.float64).reshape(-1)[0])


def roundoff_of(out: Any) -> float:
    """Estimated rounding error of computing ``out``: ``u * Σ |grad * data|`` over op nodes."""
    total = 0.0
    for node in backprop.topological_order(out):
        if node._parents and node.grad is not None:
            total += float(np.sum(np.abs(np.asarray(node.grad) * np.asarray(node.data))))
    return _UNIT_ROUNDOFF * total


def _rel_diff(a: float, n: float) -> float:
    scale = max(abs(a), abs(n))
    return abs(a - n) / scale if scale > 0 else 0.0


# ------------------------------------------------------- op localization
# The reference forward of every Value op (``OPS`` in autograd.value lists them), on
# plain floats, written apart from the engine on purpose: a checker never checks the
# engine against itself. math.pow raises ValueError where the result is complex.

REFERENCE: dict[str, Callable[..., float]] = {
    "+": lambda a, b: a + b,
    "-": lambda a, b: a - b,
    "*": lambda a, b: a * b,
    "/": lambda a, b: a / b,
    "**": math.pow,
    "neg": lambda a: -a,
    "exp": math.exp,
    "log": math.log,
    "tanh": math.tanh,
    "sigmoid": lambda a: 1.0 / (1.0 + math.exp(-a)),  # overflows (skipped) below a ~ -709
    "relu": lambda a: a if a > 0.0 else 0.0,
    "abs": lambda a: a if a >= 0.0 else -a,
}


def _op_function(op: str) -> Callable[..., float] | None:
    """The float function for an ``_op`` string; ``"**3"`` means ``a ** 3.0``."""
    if op in REFERENCE:
        return REFERENCE[op]
    if op.startswith("**"):
        try:
            n = float(op[2:])
        except ValueError:
            return None
        return lambda a: math.pow(a, n)
    return None


def _parent_data(node: Any) -> list[float]:
    return [p.data for p in node._parents]


def _safe_call(fn: Callable[..., float], args: list[float]) -> float | None:
    try:
        return fn(*args)
    except (ArithmeticError, ValueError):
        return None


def _localize(
    root: Value, eps: float, rtol: float, atol: float
) -> tuple[tuple[OpMismatch, ...], tuple[str, ...]]:
    found: list[OpMismatch] = []
    unknown: dict[str, None] = {}
    for position, node in enumerate(backprop.topological_order(root)):
        if not node._parents:
            continue
        fn = _op_function(node._op)
        if fn is None or len(node._local) != len(node._parents):
            unknown[node._op] = None
            continue
        args = _parent_data(node)
        expected = _safe_call(fn, args)
        if expected is None:
            continue
        noise = 4 * _UNIT_ROUNDOFF * abs(expected)
        if not abs(node.data - expected) <= atol + rtol * abs(expected) + noise:
            found.append(OpMismatch(position, node._op, node, None, "forward", node.data, expected))
            continue
        for k, stored in enumerate(node._local):
            numeric = _local_derivative(fn, args, k, eps, node._op)
            if numeric is None:
                continue
            value, noise = numeric
            if not abs(stored - value) <= atol + rtol * abs(value) + noise:
                found.append(OpMismatch(position, node._op, node, k, "derivative", stored, value))
                break
    return tuple(found), tuple(unknown)


def _localize_second(
    root: Value, eps: float, rtol: float, atol: float
) -> tuple[tuple[OpMismatch, ...], tuple[str, ...]]:
    """Ops whose derivative function ``d``, run on Values, has the wrong derivative.

    For each op node: fresh leaves at its parents' values, the op redone on them, and
    its ``_d`` called with those Values; each local derivative it returns is
    differentiated (``create_graph``) and compared with central differences of the
    same ``_d`` run on floats (whose values the first-order check vouches for).
    """
    from autograd.functional import gradients

    found: list[OpMismatch] = []
    unknown: dict[str, None] = {}
    for position, node in enumerate(backprop.topological_order(root)):
        if not node._parents:
            continue
        fn = _op_function(node._op)
        vfn = _value_op(node._op)
        d = node._d
        if fn is None or vfn is None or d is None:
            unknown[node._op] = None
            continue
        args = _parent_data(node)
        if _safe_call(fn, args) is None:
            continue
        leaves = [Value(a) for a in args]
        with grad_mode.enable_grad():
            locals_ = d(*leaves, vfn(*leaves))
        for k, local in enumerate(locals_):
            if isinstance(local, Value):
                second = [h.data for h in gradients(local, leaves)]
            else:
                second = [0.0] * len(leaves)  # a constant: its derivative is 0

            def local_k(*xs: float, k: int = k, d: Any = d, fn: Any = fn) -> float:
                return float(d(*xs, fn(*xs))[k])

            for j, stored in enumerate(second):
                numeric = _local_derivative(local_k, args, j, eps, node._op)
                if numeric is None:
                    continue
                value, noise = numeric
                if not abs(stored - value) <= atol + rtol * abs(value) + noise:
                    found.append(
                        OpMismatch(
                            position, node._op, node, k, "second derivative", stored, value, j
                        )
                    )
                    break
            else:
                continue
            break
    return tuple(found), tuple(unknown)


def _value_op(op: str) -> Callable[..., Value] | None:
    """The Value op for an ``_op`` string (from the engine's registry, ``OPS``), to redo a
    node's op on fresh leaves; ``"**3"`` is ``a ** 3.0``."""
    if op in OPS:
        return OPS[op].method
    if op.startswith("**") and _op_function(op) is not None:
        n = float(op[2:])
        return lambda a: OPS["**n"].method(a, n)
    return None


def _local_derivative(
    fn: Callable[..., float], args: list[float], k: int, eps: float, op: str
) -> tuple[float, float] | None:
    """Central (or, at a domain edge, one-sided) difference of ``fn`` in argument ``k``.

    Returns (derivative, its rounding noise), or None where no difference is defined
    (the kink at 0 of relu and abs, or both sides outside the domain).
    """
    x = args[k]
    h = eps * max(1.0, abs(x))
    if op in ("relu", "abs") and abs(x) <= h:
        return None  # not differentiable at 0; value.py picks 0 there
    plus = _safe_call(fn, [*args[:k], x + h, *args[k + 1 :]])
    minus = _safe_call(fn, [*args[:k], x - h, *args[k + 1 :]])
    center = _safe_call(fn, args)
    if center is None:
        return None
    if plus is not None and minus is not None:
        value, step, scale = (plus - minus) / (2 * h), 2 * h, max(abs(plus), abs(minus))
    elif plus is not None:
        value, step, scale = (plus - center) / h, h, max(abs(plus), abs(center))
    elif minus is not None:
        value, step, scale = (center - minus) / h, h, max(abs(minus), abs(center))
    else:
        return None
    # Each evaluation is within a few ulps; one-sided differences also carry ~h f''.
    noise = 8 * _UNIT_ROUNDOFF * scale / step
    if step == h:
        noise += 1e3 * h * max(1.0, abs(value))
    return value, noise
