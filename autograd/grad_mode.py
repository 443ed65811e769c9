"""Grad mode: is the graph being recorded? Per thread, as in PyTorch: a ``no_grad()``
block in an evaluation thread does not switch recording off in a training thread."""

from __future__ import annotations

import functools
import inspect
import threading
from collections.abc import Callable, Generator
from typing import Any, TypeVar

__all__ = ["enable_grad", "is_grad_enabled", "no_grad", "set_grad_enabled"]

F = TypeVar("F", bound=Callable[..., Any])


class _Mode(threading.local):
    enabled = True  # every thread starts with recording on


_mode = _Mode()
# Every op reads the mode, and a threading.local read costs ~10x a global one. So ops
# test ``_all_on or _mode.enabled``: ``_all_on`` is True while no thread has recording
# off (nearly always). A thread that ends with recording off leaves it False: slower
# from then on, never wrong.
_all_on = True
_threads_off = 0
_lock = threading.Lock()


def is_grad_enabled() -> bool:
    """True unless this thread is inside :func:`no_grad` (or ``set_grad_enabled(False)``)."""
    return _all_on or _mode.enabled


def _set_mode(enabled: bool) -> bool:
    """Set this thread's grad mode; return the previous one."""
    global _all_on, _threads_off
    previous = _mode.enabled
    if enabled != previous:
        with _lock:
            _mode.enabled = enabled
            _threads_off += -1 if enabled else 1
            _all_on = _threads_off == 0
    return previous


class set_grad_enabled:
    """Set this thread's grad mode to ``mode``: at once, for a ``with`` block, or per call.

    ``set_grad_enabled(False)`` switches recording off now (until switched on again);
    ``with set_grad_enabled(is_training): ...`` restores the previous mode on exit;
    ``@set_grad_enabled(False)`` applies to each call of a function (each step of a
    generator function).

    Raises:
        TypeError: ``mode`` is not a bool, or the decorated function is async (the
            mode is per thread, and other tasks run in between).
    """

    def __init__(self, mode: bool) -> None:
        if not isinstance(mode, bool):
            raise TypeError(f"set_grad_enabled(mode): mode must be a bool, got {mode!r}")
        self.mode = mode
        self._stack: list[bool] = []  # the modes to restore: one object may be entered nested
        self._pending: bool | None = _set_mode(mode)  # the plain call takes effect now

    def __enter__(self) -> None:
        if self._pending is None:
            self._stack.append(_set_mode(self.mode))
        else:  # the constructor already switched: the block restores what it replaced
            self._stack.append(self._pending)
            self._pending = None

    def __exit__(self, *exc: object) -> None:
        _set_mode(self._stack.pop())

    def __call__(self, func: F) -> F:
        if self._pending is not None:  # as a decorator it switches only while func runs
            _set_mode(self._pending)
            self._pending = None
        if not callable(func):
            raise TypeError(
                f"{type(self).__name__}() as a decorator needs a function, got {func!r}"
            )
        if inspect.iscoroutinefunction(func) or inspect.isasyncgenfunction(func):
            raise TypeError(
                f"{type(self).__name__}() cannot decorate the async function "
                f"{func.__qualname__}: the mode is per thread, and other tasks run in between"
            )
        mode = self.mode
        if inspect.isgeneratorfunction(func):

            @functools.wraps(func)
            def steps(*args: Any, **kwargs: Any) -> Any:  # a generator function, as func is
                return (yield from _each_step(func(*args, **kwargs), mode))

            return steps  # type: ignore[return-value]

        @functools.wraps(func)
        def call(*args: Any, **kwargs: Any) -> Any:
            with set_grad_enabled(mode):
                return func(*args, **kwargs)

        return call  # type: ignore[return-value]


def _each_step(gen: Generator[Any, Any, Any], mode: bool) -> Generator[Any, Any, Any]:
    """Run ``gen`` with grad mode ``mode`` during each of its steps (not in between)."""
    resume: Callable[[Any], Any] = gen.send
    value = None
    while True:
        try:
            with set_grad_enabled(mode):
                request = resume(value)
        except StopIteration as stop:
            return stop.value
        try:
            value, resume = (yield request), gen.send
        except GeneratorExit:
            with set_grad_enabled(mode):
                gen.close()
            raise
        except BaseException as err:  # thrown into us: throw it into gen
            value, resume = err, gen.throw


class _Switch(set_grad_enabled):
    """A mode to switch to, used as ``with s():``, ``@s()`` or ``@s`` (no argument)."""

    _MODE: bool

    def __new__(cls, func: Callable[..., Any] | None = None) -> Any:
        ctx = super().__new__(cls)
        if func is None:
            return ctx
        cls.__init__(ctx)
        return ctx(func)  # ``@no_grad`` without parentheses: decorate ``func`` now

    def __init__(self, func: Callable[..., Any] | None = None) -> None:
        self.mode = self._MODE
        self._stack = []
        self._pending = None  # unlike set_grad_enabled(), switches only in a block or a call


class no_grad(_Switch):
    """Ops in this thread record no graph while it is active: for evaluation and updates::

    with no_grad():
        y = w * x      # y is a plain leaf: y._parents == ()

    @no_grad           # or @no_grad(): every call of predict() records nothing
    def predict(x): ...
    """

    _MODE = False


class enable_grad(_Switch):
    """Recording back on in this thread (inside a :class:`no_grad` block); used the same way."""

    _MODE = True
