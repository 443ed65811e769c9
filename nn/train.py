"""Training loop: mini-batch gradient descent over epochs, with a progress bar and a history.

One *step* is the series' recipe on one mini-batch::

    optimizer.zero_grad()               # leaf gradients accumulate: start from 0
    loss = loss_fn(model(x_batch), y_batch)
    loss.backward()                     # dL/dw for every weight and bias
    optimizer.step()                    # w <- w - lr * dL/dw (or momentum / Adam)

and one *epoch* is one pass over the shuffled training set (see :func:`nn.batches`).
:func:`fit` runs epochs, measures accuracy after each one, and returns a
:class:`History`; :func:`evaluate` and :func:`predict` run the model without
recording a graph (``no_grad``), a batch at a time.

Runs are deterministic given ``seed``: the shuffling comes from
``numpy.random.default_rng(seed)``, and BLAS is held to one thread (via
``threadpoolctl`` when it is installed), which also is the fastest setting for the
small matrices of these networks.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, NoReturn

import numpy as np
import numpy.typing as npt

from autograd import Tensor, no_grad
from nn.checks import batch_of, int_labels, positive_int
from nn.data import batches, num_batches, one_hot
from nn.losses import cross_entropy, mse

__all__ = [
    "LOSSES",
    "History",
    "evaluate",
    "fit",
    "get_loss",
    "predict",
    "save_model",
]

LossFn = Callable[[Tensor, npt.NDArray[Any]], Tensor]
Batch = npt.NDArray[Any]
Augment = Callable[[Batch, np.random.Generator], Batch]


def _mse_one_hot(outputs: Tensor, labels: npt.NDArray[Any]) -> Tensor:
    """The series' quadratic cost: ``mean_n sum_k (a_nk - onehot(y_n)_k)^2``."""
    out: Tensor = mse(outputs, one_hot(labels, outputs.shape[-1], dtype=outputs.dtype))
    return out


def _cross_entropy(outputs: Tensor, labels: npt.NDArray[Any]) -> Tensor:
    """Softmax cross-entropy from logits, averaged over the batch."""
    out: Tensor = cross_entropy(outputs, labels)
    return out


#: Losses by name; each takes (model outputs, int labels) and returns a scalar Tensor.
LOSSES: dict[str, LossFn] = {
    "mse": _mse_one_hot,
    "quadratic": _mse_one_hot,
    "cross_entropy": _cross_entropy,
    "ce": _cross_entropy,
}


def get_loss(loss: str | LossFn) -> LossFn:
    """A loss function from its name (``"mse"``, ``"cross_entropy"``) or the function itself.

    ``"mse"`` compares the outputs with one-hot rows of the int labels (the series'
    cost); ``"cross_entropy"`` treats the outputs as logits.
    """
    if callable(loss):
        return loss
    try:
        return LOSSES[loss]
    except KeyError:
        raise ValueError(f"unknown loss {loss!r}; choose one of {', '.join(LOSSES)}") from None


@dataclass
class History:
    """What :func:`fit` measured, one entry per epoch (lists are aligned).

    Attributes:
        epoch: 1, 2, ...
        loss: mean training loss over the epoch's mini-batches (while it trained).
        train_acc: accuracy on the training set (or its first ``eval_train``
            examples) after the epoch, or the running accuracy during the epoch
            when fit was called with ``eval_train=False``.
        test_acc, test_loss: on the test set after the epoch (NaN without test data).
        lr: learning rate used during the epoch.
        time: seconds the epoch took, training and evaluation.
    """

    epoch: list[int] = field(default_factory=list)
    loss: list[float] = field(default_factory=list)
    train_acc: list[float] = field(default_factory=list)
    test_acc: list[float] = field(default_factory=list)
    test_loss: list[float] = field(default_factory=list)
    lr: list[float] = field(default_factory=list)
    time: list[float] = field(default_factory=list)

    @property
    def total_time(self) -> float:
        """Seconds for all epochs."""
        return float(sum(self.time))

    def to_dict(self) -> dict[str, Any]:
        """Plain lists (JSON-able), plus ``total_time``; NaN becomes ``None``."""
        d: dict[str, Any] = {
            k: [None if isinstance(v, float) and math.isnan(v) else v for v in vs]
            for k, vs in asdict(self).items()
        }
        d["total_time"] = self.total_time
        return d

    def save_json(self, path: str | os.PathLike[str]) -> Path:
        """Write :meth:`to_dict` as JSON, atomically (a failed write leaves the old file)."""
        from autograd.pictures.files import write_atomic  # the one writer; not on `import nn`

        text = json.dumps(self.to_dict(), indent=1) + "\n"
        return write_atomic(path, text.encode("utf-8"))


@contextlib.contextmanager
def _blas_threads(n: int | None) -> Iterator[None]:
    """Limit BLAS to ``n`` threads while inside (no-op without threadpoolctl or n=None)."""
    if n is None:
        yield
        return
    try:
        from threadpoolctl import threadpool_limits  # type: ignore[import-untyped]
    except ImportError:  # optional at run time
        yield
        return
    with threadpool_limits(limits=n, user_api="blas"):
        yield


def _check_xy(x: npt.NDArray[Any], y: npt.NDArray[Any], what: str) -> None:
    """Refuse inputs that are not a batch (one example per row), labels that are not
    one integer per example, and different lengths."""
    batch_of(x, what)
    labels = int_labels(y, what)
    if labels.ndim != 1:
        raise ValueError(
            f"{what}: labels must be one int per example, shape (n,), got {labels.shape}"
        )
    if len(x) != len(y):
        raise ValueError(f"{what}: {len(x)} inputs but {len(y)} labels")


def _evaluate(
    model: Any,
    x: npt.NDArray[Any],
    y: npt.NDArray[Any] | None,
    batch_size: int,
    loss_fn: LossFn | None,
) -> tuple[npt.NDArray[np.int64], float]:
    """(predicted classes, mean loss or NaN), batch by batch, without a graph."""
    batch_of(x, "predict" if y is None else "evaluate")
    batch_size = positive_int(batch_size, "batch_size")
    preds = np.empty(len(x), dtype=np.int64)
    total = 0.0
    with no_grad():
        for start in range(0, len(x), batch_size):
            xb = x[start : start + batch_size]
            out = model(xb)
            preds[start : start + len(xb)] = np.asarray(out.data).argmax(axis=-1)
            if loss_fn is not None and y is not None:
                total += float(loss_fn(out, y[start : start + len(xb)]).item()) * len(xb)
    return preds, (total / len(x) if loss_fn is not None and len(x) else math.nan)


def predict(model: Any, x: npt.NDArray[Any], batch_size: int = 1000) -> npt.NDArray[np.int64]:
    """The class with the largest output for each row of ``x`` (no graph recorded)."""
    preds, _ = _evaluate(model, x, None, batch_size, None)
    return preds


def evaluate(model: Any, x: npt.NDArray[Any], y: npt.NDArray[Any], batch_size: int = 1000) -> float:
    """Accuracy: the fraction of rows of ``x`` whose largest output is at the label ``y``.

    Runs under ``no_grad`` in batches of ``batch_size`` (memory stays small).
    """
    _check_xy(x, y, "evaluate")
    if len(x) == 0:
        raise ValueError("evaluate: no examples")
    preds, _ = _evaluate(model, x, None, batch_size, None)
    return float(np.mean(preds == y))


def save_model(model: Any, path: str | os.PathLike[str]) -> Path:
    """``model.save(path)`` (atomic ``.npz``), or the same for any module with a state dict."""
    if hasattr(model, "save"):
        model.save(path)
        return Path(path)
    from nn.serialize import save_state

    return save_state(model.state_dict(), path)


def fit(
    model: Any,
    loss: str | LossFn,
    optimizer: Any,
    x_train: npt.NDArray[Any],
    y_train: npt.NDArray[Any],
    x_test: npt.NDArray[Any] | None = None,
    y_test: npt.NDArray[Any] | None = None,
    *,
    epochs: int = 1,
    batch_size: int = 32,
    seed: int | None = 0,
    lr_schedule: float | Callable[[int], float] | None = None,
    checkpoint: str | os.PathLike[str] | None = None,
    progress: bool = True,
    eval_train: bool | int = True,
    eval_batch_size: int = 1000,
    blas_threads: int | None = 1,
    callback: Callable[[int, History], None] | None = None,
    augment: Callable[[npt.NDArray[Any], np.random.Generator], npt.NDArray[Any]] | None = None,
    compile: bool = True,
) -> History:
    """Train ``model`` by mini-batch gradient descent; return the per-epoch :class:`History`.

    Args:
        model: a Tensor network (e.g. :class:`nn.TensorMLP`): ``model(x_batch)`` gives
            outputs of shape ``(batch, classes)``.
        loss: ``"mse"`` (outputs vs one-hot labels: the series' cost), ``"cross_entropy"``
            (outputs are logits), or a function ``(outputs, labels) -> scalar Tensor``.
        optimizer: e.g. ``nn.SGD(model.parameters(), lr=2.0)``; needs ``zero_grad()``,
            ``step()`` and an ``lr`` attribute (for ``lr_schedule``).
        x_train, y_train: inputs ``(n, features)`` and int labels ``(n,)``.
        x_test, y_test: optional held-out data, evaluated after every epoch.
        epochs, batch_size: passes over the data (at least 1); examples per step
            (a positive int; the last batch of an epoch keeps the remainder).
        seed: seeds the shuffling (``None``: fresh entropy, not reproducible).
        lr_schedule: a float ``gamma`` multiplies the learning rate by ``gamma`` after
            each epoch; a function ``epoch -> lr`` (from 0) sets it before each epoch.
        checkpoint: an ``.npz`` the model is saved to, atomically, after every epoch.
        progress: show a tqdm bar per epoch with the running loss.
        eval_train: accuracy on the whole training set after each epoch (``True``), on
            its first ``n`` examples (an int: cheaper), or the running one (``False``).
        eval_batch_size: examples per forward pass when measuring accuracy and test loss.
        blas_threads: limit BLAS to this many threads (``None``: leave it alone); one
            is fastest for small layers and keeps runs bit-for-bit reproducible.
        callback: called as ``callback(epoch, history)`` after each epoch.
        augment: ``augment(x_batch, rng) -> x_batch`` applied to every training batch
            (e.g. :func:`nn.data.random_shift`), ``rng`` seeded from ``seed`` too.
        compile: run the training step through :func:`autograd.compile` (the same
            numbers, bit for bit, with less Python per step); a step it cannot follow
            runs eagerly, with a warning that says why. ``False``: always eagerly.

    Raises:
        ValueError: an unknown loss, a count below 1, inputs not a batch (a single
            image), inputs and labels of different lengths, or no training examples.
        TypeError: a count that is not an int (``2.5``, ``True``), non-integer labels.
        FloatingPointError: the loss became NaN or infinite (checked before the step,
            so the model keeps the last good weights; the message names epoch, batch
            and likely causes), or a step would make a weight non-finite.
    """
    _check_counts(epochs, batch_size, eval_batch_size, eval_train)
    loss_fn = get_loss(loss)
    _check_data(x_train, y_train, x_test, y_test)
    rng = np.random.default_rng(seed)
    augment_batch = _augmenter(augment, rng)
    scores = _Scores(model, loss_fn, x_train, y_train, x_test, y_test, eval_train, eval_batch_size)
    n_batches = num_batches(len(x_train), batch_size)
    history = History()
    step = _training_step(model, loss_fn, optimizer, compile)
    with _blas_threads(blas_threads):
        for epoch in range(epochs):
            _schedule_lr(optimizer, lr_schedule, epoch)
            meter = _EpochMeter(epoch, epochs, n_batches, progress, eval_train is False)
            for xb, yb in batches(x_train, y_train, batch_size, seed=rng):
                meter.add(*_checked(step, augment_batch(xb), yb, meter, optimizer), yb)
            _end_epoch(history, meter, scores, optimizer, checkpoint, callback)
    return history


def _checked(
    step: Any, xb: Any, yb: Any, meter: _EpochMeter, optimizer: Any
) -> tuple[Tensor, Tensor]:
    """``step(xb, yb)``; a NaN or infinite loss stops fit, naming epoch and batch."""
    try:
        return step(xb, yb)  # type: ignore[no-any-return]
    except _NonFiniteLoss as bad:
        meter.refuse(bad.value, optimizer)


class _NonFiniteLoss(FloatingPointError):
    def __init__(self, value: float) -> None:
        super().__init__(f"the loss is {value}")
        self.value = value


def _check_loss(loss: Tensor) -> None:
    """Raise ``_NonFiniteLoss`` for a NaN or infinite loss (a guard in a compiled step)."""
    if not np.isfinite(loss.data):
        raise _NonFiniteLoss(float(loss.data))


def _training_step(model: Any, loss_fn: LossFn, optimizer: Any, compiled: bool) -> Any:
    """One step on a batch: ``(loss, outputs)``, the loss checked before ``backward()``
    and the step, so a NaN loss stops with the last good weights."""

    def train_step(xb: npt.NDArray[Any], yb: npt.NDArray[Any]) -> tuple[Tensor, Tensor]:
        optimizer.zero_grad()
        pred = model(xb)
        batch_loss = loss_fn(pred, yb)
        _check_loss(batch_loss)
        batch_loss.backward()
        optimizer.step()
        return batch_loss, pred

    if not compiled:
        return train_step
    from autograd.compiler import compile

    # A step compile cannot replay (a custom loss that reads values, ...) runs eagerly,
    # with one warning saying why.
    return compile(train_step, on_refusal="eager")


# --------------------------------------------------------------------------- fit's parts


def _check_counts(epochs: Any, batch_size: Any, eval_batch_size: Any, eval_train: Any) -> None:
    """Refuse any count that is not an int >= 1 (naming it); ``2.5`` is not truncated."""
    positive_int(epochs, "fit: epochs")
    positive_int(batch_size, "fit: batch_size")
    positive_int(eval_batch_size, "fit: eval_batch_size")
    if eval_train is not True and eval_train is not False:
        positive_int(eval_train, "fit: eval_train (True, False or a number of examples)")


def _check_data(
    x_train: npt.NDArray[Any],
    y_train: npt.NDArray[Any],
    x_test: npt.NDArray[Any] | None,
    y_test: npt.NDArray[Any] | None,
) -> None:
    """Refuse inputs and labels of different lengths, test inputs without test labels
    (or the reverse: they would be ignored), or no training data (``ValueError``)."""
    _check_xy(x_train, y_train, "fit (train)")
    if (x_test is None) != (y_test is None):
        given = "x_test" if y_test is None else "y_test"
        raise ValueError(f"fit: {given} given alone; pass x_test and y_test together")
    if x_test is not None and y_test is not None:
        _check_xy(x_test, y_test, "fit (test)")
    if len(x_train) == 0:
        raise ValueError("fit: no training examples")


def _augmenter(augment: Augment | None, rng: np.random.Generator) -> Callable[[Batch], Batch]:
    """``augment`` with its own generator seeded from ``rng`` (without augment: no change).

    The generator is drawn from ``rng`` only when augmenting, so runs without
    ``augment`` shuffle exactly as they always did.
    """
    if augment is None:
        return lambda xb: xb
    aug_rng = np.random.default_rng(rng.integers(2**63))
    return lambda xb: augment(xb, aug_rng)


def _schedule_lr(
    optimizer: Any, lr_schedule: float | Callable[[int], float] | None, epoch: int
) -> None:
    """Set the learning rate of ``epoch`` (from 0): ``lr_schedule(epoch)``, or times gamma."""
    if callable(lr_schedule):
        optimizer.lr = float(lr_schedule(epoch))
    elif lr_schedule is not None and epoch > 0:
        optimizer.lr = optimizer.lr * float(lr_schedule)


class _EpochMeter:
    """One epoch's running loss (and accuracy), its clock, and its progress bar."""

    def __init__(
        self, epoch: int, epochs: int, n_batches: int, progress: bool, count_correct: bool
    ) -> None:
        self.start = time.perf_counter()
        self.epoch = epoch + 1
        self.count_correct = count_correct  # the running accuracy, for eval_train=False
        self.loss_sum, self.correct, self.seen, self.batches = 0.0, 0, 0, 0
        desc, last = f"epoch {epoch + 1}/{epochs}", epoch + 1 == epochs
        self.bar = _progress_bar(n_batches, desc, last) if progress else None

    @property
    def loss(self) -> float:
        """The mean loss per example so far."""
        return self.loss_sum / self.seen

    def refuse(self, value: float, optimizer: Any) -> NoReturn:
        """Stop: this batch's loss is NaN or infinite (``FloatingPointError`` naming the
        epoch, the batch and the likely causes)."""
        self.close()
        raise FloatingPointError(
            f"fit: the loss became {value} at epoch {self.epoch}, batch {self.batches + 1}, "
            "before this batch's step; the model keeps the weights of the last good "
            f"step. Possible causes: the learning rate ({optimizer.lr:g}) is too large "
            "(the weights grew step by step until the outputs overflowed), or this "
            "batch's inputs hold NaN or infinite values, or the loss function does."
        )

    def add(self, batch_loss: Tensor, pred: Tensor, labels: npt.NDArray[Any]) -> None:
        """Count one batch (its loss is finite: the step checked it)."""
        value = float(batch_loss.data)
        self.loss_sum += value * len(labels)
        self.seen += len(labels)
        if self.count_correct:
            self.correct += int(np.count_nonzero(pred.data.argmax(axis=-1) == labels))
        if self.bar is not None:
            self.bar.update(1)
            if self.batches % 100 == 0:
                self.bar.set_postfix_str(f"loss {self.loss:.4f}", refresh=False)
        self.batches += 1

    def close(self, summary: str = "") -> None:
        """Close the bar, showing ``summary`` on it."""
        if self.bar is None:
            return
        if summary:
            self.bar.set_postfix_str(summary, refresh=False)
        self.bar.close()


def _progress_bar(n_batches: int, desc: str, last: bool) -> Any:
    from nn.progress import progress_bar  # tqdm is imported only when a bar is shown

    return progress_bar(
        last,
        total=n_batches,
        desc=desc,
        unit="batch",
        mininterval=0.25,
        leave=True,
        dynamic_ncols=True,
    )


@dataclass(frozen=True)
class _Scores:
    """What fit measures after each epoch, and on which data."""

    model: Any
    loss_fn: LossFn
    x_train: npt.NDArray[Any]
    y_train: npt.NDArray[Any]
    x_test: npt.NDArray[Any] | None
    y_test: npt.NDArray[Any] | None
    eval_train: bool | int
    batch_size: int

    def train_accuracy(self, meter: _EpochMeter) -> float:
        """On the training set (or its first ``eval_train`` examples), or the running one."""
        if self.eval_train is False:
            return meter.correct / meter.seen
        n = len(self.x_train) if self.eval_train is True else int(self.eval_train)
        preds = predict(self.model, self.x_train[:n], self.batch_size)
        return float(np.mean(preds == self.y_train[:n]))

    def test_scores(self) -> tuple[float, float]:
        """``(accuracy, mean loss)`` on the test set; NaN without one."""
        if self.x_test is None or self.y_test is None:
            return math.nan, math.nan
        preds, test_loss = _evaluate(
            self.model, self.x_test, self.y_test, self.batch_size, self.loss_fn
        )
        return float(np.mean(preds == self.y_test)), test_loss


def _end_epoch(
    history: History,
    meter: _EpochMeter,
    scores: _Scores,
    optimizer: Any,
    checkpoint: str | os.PathLike[str] | None,
    callback: Callable[[int, History], None] | None,
) -> None:
    """After an epoch: measure the model, record the epoch in ``history``, close the bar
    with the scores, save the checkpoint, then call ``callback``."""
    train_acc = scores.train_accuracy(meter)
    test_acc, test_loss = scores.test_scores()
    history.epoch.append(meter.epoch)
    history.loss.append(meter.loss)
    history.train_acc.append(train_acc)
    history.test_acc.append(test_acc)
    history.test_loss.append(test_loss)
    history.lr.append(float(optimizer.lr))
    history.time.append(time.perf_counter() - meter.start)
    summary = f"loss {meter.loss:.4f}, train {100 * train_acc:.2f}%"
    if scores.x_test is not None and scores.y_test is not None:
        summary += f", test {100 * test_acc:.2f}%"
    meter.close(summary)
    if checkpoint is not None:
        save_model(scores.model, checkpoint)
    if callback is not None:
        callback(meter.epoch, history)
