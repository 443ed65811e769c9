"""Grad mode is per thread: no_grad, enable_grad, set_grad_enabled as blocks, calls, decorators."""

from __future__ import annotations

import threading
from typing import Any

import numpy as np
import pytest

import autograd
from autograd import Tensor, Value, enable_grad, is_grad_enabled, no_grad, set_grad_enabled


def test_no_grad_in_another_thread_does_not_switch_this_one_off() -> None:
    inside, release = threading.Event(), threading.Event()
    seen: list[bool] = []

    def evaluation() -> None:
        with no_grad():
            seen.append(is_grad_enabled())
            inside.set()
            release.wait(10)

    t = threading.Thread(target=evaluation)
    t.start()
    try:
        assert inside.wait(10)
        # A Value training step here, while the other thread is inside no_grad().
        x, w = Value(3.0), Value(2.0)
        loss = (w * x - 1.0) ** 2  # d/dw = 2 (w x - 1) x = 30
        loss.backward()
        assert w.grad == 30.0 and x.grad == 20.0
        p = Tensor([1.0, 2.0], requires_grad=True)
        (p * p).sum().backward()
        np.testing.assert_array_equal(p.grad, [2.0, 4.0])
        assert is_grad_enabled()
    finally:
        release.set()
        t.join()
    assert seen == [False]
    assert is_grad_enabled() and autograd.grad_mode._all_on


def test_a_new_thread_starts_with_grad_on_even_if_its_parent_has_it_off() -> None:
    seen: list[bool] = []
    with no_grad():
        t = threading.Thread(target=lambda: seen.append(is_grad_enabled()))
        t.start()
        t.join()
        assert not is_grad_enabled()
    assert seen == [True]


@pytest.mark.parametrize("deco", [no_grad, no_grad()], ids=["@no_grad", "@no_grad()"])
def test_no_grad_decorates_with_or_without_parentheses(deco: object) -> None:
    @deco  # type: ignore[operator]
    def double(v: Value) -> Value:
        """Doc kept."""
        assert not is_grad_enabled()
        return v * 2

    y = double(Value(1.0))
    assert y._parents == () and y.data == 2.0
    assert is_grad_enabled()
    assert double.__name__ == "double" and double.__doc__ == "Doc kept."
    double(Value(1.0))  # reusable: each call gets its own context


def test_decorated_generator_runs_each_step_in_the_mode() -> None:
    @no_grad
    def gen() -> object:
        got = yield is_grad_enabled()
        yield (got, is_grad_enabled())

    it = gen()
    assert next(it) is False  # type: ignore[call-overload]
    assert is_grad_enabled()  # between steps the caller's mode holds
    assert it.send("x") == ("x", False)  # type: ignore[attr-defined]
    assert is_grad_enabled()


def test_decorating_an_async_function_is_refused() -> None:
    async def f() -> None: ...

    with pytest.raises(TypeError, match="async"):
        no_grad(f)


def test_enable_grad_inside_no_grad_and_as_decorator() -> None:
    @enable_grad
    def recorded(v: Value) -> Value:
        return v * 3

    with no_grad():
        with enable_grad():
            assert is_grad_enabled()
            assert (Value(1.0) * 2)._parents
        assert not is_grad_enabled()
        assert recorded(Value(1.0))._parents
        assert not is_grad_enabled()
    assert is_grad_enabled()


def test_set_grad_enabled_as_call_block_and_decorator() -> None:
    set_grad_enabled(False)
    try:
        assert not is_grad_enabled()
    finally:
        set_grad_enabled(True)
    assert is_grad_enabled()
    with set_grad_enabled(False):
        assert not is_grad_enabled()
        with set_grad_enabled(True):
            assert is_grad_enabled()
        assert not is_grad_enabled()
    assert is_grad_enabled()

    @set_grad_enabled(False)
    def f() -> bool:
        return is_grad_enabled()

    assert is_grad_enabled()  # decorating does not leave the mode switched
    assert f() is False and is_grad_enabled()


def test_modes_restore_after_exceptions_and_nest() -> None:
    ctx = no_grad()
    with ctx:
        with ctx:
            assert not is_grad_enabled()
        assert not is_grad_enabled()
    assert is_grad_enabled()
    with pytest.raises(KeyError), no_grad():
        raise KeyError("x")
    assert is_grad_enabled()


def test_set_grad_enabled_needs_a_bool() -> None:
    with pytest.raises(TypeError, match="bool"):
        set_grad_enabled(1)  # type: ignore[arg-type]
    assert is_grad_enabled()


def test_exported_from_autograd() -> None:
    for name in ("no_grad", "enable_grad", "set_grad_enabled", "is_grad_enabled"):
        assert name in autograd.__all__ and hasattr(autograd, name)


def test_a_decorated_generator_function_is_still_one() -> None:
    import inspect

    @no_grad
    def steps() -> Any:
        yield is_grad_enabled()

    assert inspect.isgeneratorfunction(steps)  # e.g. a pytest fixture that yields
    assert list(steps()) == [False] and is_grad_enabled()


@pytest.mark.parametrize("make", [lambda: no_grad(5), lambda: no_grad()(5), lambda: enable_grad(5)])
def test_decorating_what_is_not_a_function_fails_at_once(make: Any) -> None:
    with pytest.raises(TypeError, match="as a decorator needs a function, got 5"):
        make()


def test_the_two_switches_are_not_one_another() -> None:
    assert not isinstance(enable_grad(), no_grad) and not isinstance(no_grad(), enable_grad)
