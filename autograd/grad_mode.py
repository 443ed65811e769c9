"""Grad mode: is the graph being recorded? Per thread, as in PyTorch.

A ``no_grad()`` block in an evaluation thread does not switch recording off in a
training thread. The ops of :class:`~autograd.Value` and :class:`~autograd.Tensor`
read the mode on every call, so reading it is made cheap (see ``_all_on``).
This is the only state in the package outside the nodes.
"""

from __future__ import annotations

import functools
import inspect
import threading
from collections.abc import Callable, Generator
from types import TracebackType
from typing import Any, TypeVar

__all__ = ["enable_grad", "is_grad_enabled", "no_grad", "set_grad_enabled"]

F = TypeVar("F", bound=Callable[..., Any])


class _GradMode(threading.local):
    """This thread's grad mode (every thread starts with recording on)."""

    enabled = True


_mode = _GradMode()
# Reading a threading.local attribute costs several times a module global, and
# every op reads the mode. So ops test ``graph._all_on or graph._mode.enabled``:
# ``_all_on`` is True while no thread has recording off (nearly always), and only
# otherwise is this thread's own mode read. (A thread that ends with recording off
# leaves ``_all_on`` False: slower from then on, never wrong.)
_all_on = True
_off_threads = 0
_lock = threading.Lock()


def is_grad_enabled() -> bool:
    """True unless this thread is inside :func:`no_grad` (or ``set_grad_enabled(False)``)."""
    return _all_on or _mode.enabled


def _set_mode(enabled: bool) -> bool:
    """Set this thread's grad mode; return the previous one."""
    global _all_on, _off_threads
    previous = _mode.enabled
    if enabled != previous:
        with _lock:
            _mode.enabled = enabled
            _off_threads += -1 if enabled else 1
            _all_on = _off_threads == 0
    return previous


class _GradModeContext:
    """Sets this thread's grad mode for a ``with`` block, or for every call of a function.

    As a decorator (``@no_grad()``, ``@no_grad``) each call of the function runs
    in the mode; for a generator function, each step of the generator does.
    """

    enabled: bool

    def __init__(self) -> None:
        self._previous: list[bool] = []  # a stack: the same object may be entered nested

    def __enter__(self) -> None:
        self._previous.append(_set_mode(self.enabled))

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        _set_mode(self._previous.pop())

    def _fresh(self) -> _GradModeContext:
        """A new context with the same mode (each call of a decorated function gets its own)."""
        ctx = _GradModeContext.__new__(type(self))
        _GradModeContext.__init__(ctx)
        ctx.enabled = self.enabled
        return ctx

    def __call__(self, func: F) -> F:
        if not callable(func):
            raise TypeError(
                f"{type(self).__name__}() as a decorator needs a function, "
                f"got {type(func).__name__}"
            )
        if inspect.iscoroutinefunction(func) or inspect.isasyncgenfunction(func):
            raise TypeError(
                f"{type(self).__name__}() cannot decorate the async function "
                f"{func.__qualname__}: the mode is per thread, and other tasks run in between"
            )
        if inspect.isgeneratorfunction(func):
            return functools.wraps(func)(self._generator(func))  # type: ignore[return-value]

        @functools.wraps(func)
        def call(*args: Any, **kwargs: Any) -> Any:
            with self._fresh():
                return func(*args, **kwargs)

        return call  # type: ignore[return-value]

    def _generator(self, func: Callable[..., Generator[Any, Any, Any]]) -> Callable[..., Any]:
        def steps(*args: Any, **kwargs: Any) -> Generator[Any, Any, Any]:
            with self._fresh():
                gen = func(*args, **kwargs)
                request = next(gen, _DONE)
            try:
                while request is not _DONE:
                    try:
                        response = yield request
                    except GeneratorExit:
                        with self._fresh():
                            gen.close()
                        raise
                    except BaseException as err:
                        with self._fresh():
                            request = gen.throw(err)
                    else:
                        with self._fresh():
                            request = gen.send(response)
            except StopIteration as stop:
                return stop.value
            return None

        return steps


_DONE = object()


class _SwitchTo(_GradModeContext):
    """A mode context that takes no argument, so ``@ctx`` works as well as ``@ctx()``."""

    def __new__(cls, func: Callable[..., Any] | None = None) -> Any:
        ctx = super().__new__(cls)
        if func is None:
            return ctx
        _GradModeContext.__init__(ctx)
        return ctx(func)  # ``@no_grad`` without parentheses: decorate ``func`` now

    def __init__(self, func: Callable[..., Any] | None = None) -> None:
        super().__init__()


class no_grad(_SwitchTo):
    """Ops in this thread record no graph (no parents, no derivatives) while it is active.

    Use it for evaluation and for parameter updates, where nobody will call
    ``backward()`` and building the graph would only cost time and memory::

        with no_grad():
            y = w * x      # y is a plain leaf: y._parents == ()

        @no_grad           # or @no_grad(): every call of predict() records nothing
        def predict(x): ...

    Per thread, as in PyTorch: other threads keep their own mode.
    """

    enabled = False


class enable_grad(_SwitchTo):
    """Turn graph recording back on in this thread (e.g. inside a :class:`no_grad` block).

    Same uses as :class:`no_grad`: a ``with`` block, ``@enable_grad`` or ``@enable_grad()``.
    """

    enabled = True


class set_grad_enabled(_GradModeContext):
    """Set this thread's grad mode to ``mode``: as a plain call, or for a ``with`` block.

    ``set_grad_enabled(False)`` switches recording off at once (until switched on
    again); ``with set_grad_enabled(is_training): ...`` restores the previous mode on
    exit; ``@set_grad_enabled(False)`` applies to each call of a function.

    Raises:
        TypeError: ``mode`` is not a bool.
    """

    _pending: bool | None = None  # the mode before the constructor switched it

    def __init__(self, mode: bool) -> None:
        if not isinstance(mode, bool):
            raise TypeError(f"set_grad_enabled(mode): mode must be a bool, got {mode!r}")
        super().__init__()
        self.enabled = mode
        self._pending = _set_mode(mode)  # takes effect now: the plain-call form

    def __enter__(self) -> None:
        if self._pending is None:
            super().__enter__()
        else:  # the constructor already switched: the block restores what it replaced
            self._previous.append(self._pending)
            self._pending = None

    def __call__(self, func: F) -> F:
        if self._pending is not None:  # as a decorator it must not stay switched
            _set_mode(self._pending)
            self._pending = None
        return super().__call__(func)
