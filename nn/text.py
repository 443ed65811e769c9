"""Text for language models: Tiny Shakespeare, a character tokenizer, batches, baselines.

**The corpus.** Tiny Shakespeare is one file, ``input.txt``: 1,115,394 characters
(65 distinct) of Shakespeare's plays, as published with char-rnn. :func:`load_shakespeare`
looks for it where :func:`nn.load_mnist` looks for MNIST, in order:

1. the ``data_dir`` argument,
2. the ``SHAKESPEARE_DIR`` environment variable (an empty value counts as unset). A
   folder named by 1 or 2 must exist: a typo is an error naming it, never a new folder,
3. a per-user cache: ``$XDG_CACHE_HOME/valuegrad/tinyshakespeare`` (or
   ``~/.cache/valuegrad/tinyshakespeare``),

and downloads it into the cache when it is missing (unless ``download=False``), from
:data:`SHAKESPEARE_URL`, keeping it only if its SHA-256 is :data:`SHAKESPEARE_SHA256`.
A file found on disk is checked the same way (``verify=False`` for a corpus of your
own), so a truncated or corrupted copy is an error naming it, not a quietly smaller
data set.

**Tokens.** :class:`CharTokenizer` maps each distinct character to an integer
(sorted by code point): ``decode(encode(s)) == s``. :func:`train_val_split` keeps the
first 90 % for training and the last 10 % for validation (a fixed split, no shuffle:
the validation text is a part of the plays the model never saw).

**Baselines.** :func:`unigram_loss` and :func:`bigram_loss` are the cross-entropies, in
nats per character, of the two simplest models (character frequencies; frequencies
given the previous character), counted on the training split: what a GPT must beat.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from nn.checks import positive_int
from nn.data import ChecksumError, DataError, download_verified, named_dir, user_cache_dir

__all__ = [
    "SHAKESPEARE_SHA256",
    "SHAKESPEARE_SIZE",
    "SHAKESPEARE_URL",
    "CharTokenizer",
    "bigram_loss",
    "find_shakespeare_dir",
    "get_batch",
    "load_shakespeare",
    "load_text",
    "shakespeare_available",
    "train_val_split",
    "unigram_loss",
]

#: Where the corpus is published (char-rnn's repository).
SHAKESPEARE_URL = (
    "https://raw.githubusercontent.com/karpathy/char-rnn/master/data/tinyshakespeare/input.txt"
)
#: SHA-256 of ``input.txt`` as published.
SHAKESPEARE_SHA256 = "86c4e6aa9db7c042ec79f339dcb96d42b0075e16b8fc2e86bf0ca57e2dc565ed"
#: Its size in bytes (all ASCII: also its length in characters).
SHAKESPEARE_SIZE = 1_115_394
FILE_NAME = "input.txt"
ENV_VAR = "SHAKESPEARE_DIR"
#: The largest text file :func:`load_text` reads unless told otherwise (64 MiB).
MAX_TEXT_BYTES = 1 << 26


def find_shakespeare_dir(data_dir: str | os.PathLike[str] | None = None) -> Path:
    """The folder :func:`load_shakespeare` reads: ``data_dir``, else ``$SHAKESPEARE_DIR``,
    else the cache (which may not exist yet).

    Raises:
        FileNotFoundError: a folder named by ``data_dir`` or the variable does not exist.
    """
    cache = user_cache_dir("tinyshakespeare")
    return named_dir(data_dir, ENV_VAR, "Tiny Shakespeare", cache) or cache


def shakespeare_available(data_dir: str | os.PathLike[str] | None = None) -> Path | None:
    """The folder :func:`load_shakespeare` would read if ``input.txt`` is there, else
    ``None`` (never downloads; a named folder that does not exist still raises)."""
    directory = find_shakespeare_dir(data_dir)
    return directory.resolve() if (directory / FILE_NAME).is_file() else None


def load_shakespeare(
    data_dir: str | os.PathLike[str] | None = None,
    *,
    download: bool = True,
    verify: bool = True,
    progress: bool = True,
) -> str:
    """Tiny Shakespeare as one string (1,115,394 characters), found as the module doc says.

    Args:
        data_dir: the folder holding ``input.txt``; ``None``: ``$SHAKESPEARE_DIR``, else
            the cache.
        download: fetch the file into the folder when it is missing (checked against
            :data:`SHAKESPEARE_SHA256` before it is kept); ``False``: an error instead.
        verify: check the SHA-256 of a file found on disk (``False``: any UTF-8 text).
        progress: a progress bar while downloading.

    Raises:
        FileNotFoundError: a named folder does not exist, or the file is missing and
            not downloadable (the message says where to put it).
        ChecksumError: the file is not the published one (truncated, corrupted, edited).
        DataError: the file is empty, too large, or not UTF-8 text.
    """
    directory = find_shakespeare_dir(data_dir)
    path = directory / FILE_NAME
    if not path.is_file():
        if not download:
            raise FileNotFoundError(_missing(directory, "download=False"))
        directory.mkdir(parents=True, exist_ok=True)  # only the default cache can be missing
        try:
            download_verified(
                SHAKESPEARE_URL,
                path,
                lambda blob: _check_sha256(blob, SHAKESPEARE_URL),
                limit=SHAKESPEARE_SIZE,
                progress=progress,
            )
        except (OSError, DataError) as err:
            raise FileNotFoundError(_missing(directory, f"{SHAKESPEARE_URL}: {err}")) from err
    return load_text(path, sha256=SHAKESPEARE_SHA256 if verify else None)


def _missing(directory: Path, why: str) -> str:
    return (
        f"Tiny Shakespeare ({FILE_NAME}) is not in {directory} and could not be downloaded "
        f"({why}). Put {FILE_NAME} from {SHAKESPEARE_URL} into {directory}, or into any "
        f"folder and set {ENV_VAR}=/that/folder (or pass data_dir=...)."
    )


def _check_sha256(blob: bytes, name: str) -> None:
    """Refuse ``blob`` unless it is the published corpus (:class:`ChecksumError`)."""
    digest = hashlib.sha256(blob).hexdigest()
    if digest != SHAKESPEARE_SHA256:
        size = (
            f"{len(blob):,} bytes instead of {SHAKESPEARE_SIZE:,} (truncated?)"
            if len(blob) != SHAKESPEARE_SIZE
            else f"{len(blob):,} bytes, the right size, but different content"
        )
        raise ChecksumError(
            f"{name}: not Tiny Shakespeare as published: SHA-256 {digest}, expected "
            f"{SHAKESPEARE_SHA256}; {size}. Delete it (it will be downloaded again), or "
            "pass verify=False for a corpus of your own."
        )


def load_text(
    path: str | os.PathLike[str], *, sha256: str | None = None, max_bytes: int = MAX_TEXT_BYTES
) -> str:
    """A UTF-8 text file as a string, its size checked before it is read.

    Args:
        sha256: when given, the file's SHA-256 must be this (only the published Tiny
            Shakespeare is accepted this way).
        max_bytes: the largest file accepted.

    Raises:
        FileNotFoundError: no such file.
        ChecksumError: a ``sha256`` mismatch (the message says whether the size differs).
        DataError: an empty file, one over ``max_bytes``, or bytes that are not UTF-8.
    """
    p = Path(path)
    size = p.stat().st_size
    if size > max_bytes:
        raise DataError(f"{p}: {size:,} bytes, more than the {max_bytes:,} accepted")
    blob = p.read_bytes()
    if sha256 is not None:
        _check_sha256(blob, str(p))
    if not blob:
        raise DataError(f"{p}: an empty file; a language model needs text to learn from")
    try:
        return blob.decode("utf-8")
    except UnicodeDecodeError as err:
        raise DataError(
            f"{p}: not UTF-8 text (byte {blob[err.start]:#04x} at offset {err.start:,})"
        ) from None


class CharTokenizer:
    """Characters to integers and back: token ``i`` is the ``i``-th character of ``vocab``.

    ``CharTokenizer.from_text(text)`` takes every distinct character of ``text``, sorted
    by code point (Tiny Shakespeare: 65, ``"\\n"`` first, then ``" "``, ``"!"``, ...).

    >>> tok = CharTokenizer.from_text("hello")
    >>> tok.vocab, tok.encode("hole").tolist(), tok.decode([3, 1])
    ('ehlo', [1, 3, 2, 0], 'oh')

    Raises:
        ValueError: an empty vocabulary or one with a repeated character.
    """

    def __init__(self, vocab: str) -> None:
        if not isinstance(vocab, str) or not vocab:
            raise ValueError(f"CharTokenizer: vocab must be a non-empty str, got {vocab!r}")
        if len(set(vocab)) != len(vocab):
            repeated = sorted({c for c in vocab if vocab.count(c) > 1})
            raise ValueError(f"CharTokenizer: repeated characters in the vocabulary: {repeated}")
        self.vocab = vocab
        self._index = {c: i for i, c in enumerate(vocab)}
        self._chars = np.array(list(vocab))

    @classmethod
    def from_text(cls, text: str) -> CharTokenizer:
        """The tokenizer of every distinct character of ``text``, sorted by code point."""
        return cls("".join(sorted(set(text))))

    @property
    def vocab_size(self) -> int:
        """How many distinct tokens (characters)."""
        return len(self.vocab)

    def encode(self, text: str) -> npt.NDArray[np.int64]:
        """``text`` as token ids, shape ``(len(text),)``, int64.

        Raises:
            TypeError: ``text`` is not a str.
            ValueError: a character outside the vocabulary (each one named, with where
                it first occurs).
        """
        if not isinstance(text, str):
            raise TypeError(f"encode: text must be a str, got {type(text).__name__}")
        try:
            return np.fromiter((self._index[c] for c in text), dtype=np.int64, count=len(text))
        except KeyError:
            unknown = sorted({c for c in text if c not in self._index})
            first = min(text.index(c) for c in unknown)
            raise ValueError(
                f"encode: {len(unknown)} character(s) not in the vocabulary of "
                f"{self.vocab_size}: {', '.join(repr(c) for c in unknown[:10])} (first at "
                f"position {first}); the model only knows the characters it was trained on"
            ) from None

    def decode(self, ids: Sequence[int] | npt.NDArray[Any]) -> str:
        """Token ids (any integer sequence) back to text.

        Raises:
            TypeError: ids that are not integers.
            ValueError: an id outside ``0..vocab_size - 1``.
        """
        a = np.asarray(ids)
        if a.size == 0:
            return ""
        if a.dtype.kind not in "iu":
            raise TypeError(f"decode: ids must be integers, got dtype {a.dtype}")
        if a.min() < 0 or a.max() >= self.vocab_size:
            bad = a[(a < 0) | (a >= self.vocab_size)].reshape(-1)[0]
            raise ValueError(f"decode: id {bad} is outside 0..{self.vocab_size - 1}")
        return "".join(self._chars[a.reshape(-1)].tolist())

    def __repr__(self) -> str:
        return f"CharTokenizer({self.vocab_size} characters)"


def train_val_split(
    ids: npt.NDArray[Any], train_fraction: float = 0.9
) -> tuple[npt.NDArray[Any], npt.NDArray[Any]]:
    """``(first 90 %, last 10 %)`` of a token sequence (``train_fraction`` of it first).

    Raises:
        ValueError: a fraction outside ``(0, 1)``, or a split with fewer than 2 tokens.
    """
    if not 0.0 < float(train_fraction) < 1.0:
        raise ValueError(f"train_val_split: train_fraction must be in (0, 1), got {train_fraction}")
    n = int(len(ids) * train_fraction)
    if n < 2 or len(ids) - n < 2:
        raise ValueError(
            f"train_val_split: {len(ids)} tokens give {n} and {len(ids) - n}: each split "
            "needs at least 2 (one input and its next token)"
        )
    return ids[:n], ids[n:]


def get_batch(
    ids: npt.NDArray[Any], block_size: int, batch_size: int, rng: np.random.Generator
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """``batch_size`` random windows of ``block_size`` tokens and their next tokens.

    Returns ``(x, y)``, each of shape ``(batch_size, block_size)``, with
    ``y[b, t] = ids[start_b + t + 1]``: at every position the target is the next token.

    Raises:
        TypeError, ValueError: sizes that are not ints >= 1, or a sequence shorter than
            ``block_size + 1`` tokens.
    """
    block_size = positive_int(block_size, "get_batch: block_size")
    batch_size = positive_int(batch_size, "get_batch: batch_size")
    if len(ids) < block_size + 1:
        raise ValueError(
            f"get_batch: {len(ids)} tokens are too few for windows of {block_size} "
            "(and the token after them)"
        )
    starts = rng.integers(0, len(ids) - block_size, size=batch_size)
    rows = starts[:, None] + np.arange(block_size)
    return ids[rows].astype(np.int64), ids[rows + 1].astype(np.int64)


def unigram_loss(train: npt.NDArray[Any], val: npt.NDArray[Any], vocab_size: int) -> float:
    """Cross-entropy, nats per token, of ``val[1:]`` under the token frequencies of ``train``.

    ``p(c) = (count(c) + 1) / (n + V)`` (add-one smoothing: a character unseen in training
    still gets a small probability); the loss is ``-mean log p(val[t])`` for ``t >= 1``
    (the tokens a language model predicts).
    """
    counts = np.bincount(train, minlength=vocab_size).astype(np.float64) + 1.0
    logp = np.log(counts / counts.sum())
    return float(-logp[val[1:]].mean())


def bigram_loss(train: npt.NDArray[Any], val: npt.NDArray[Any], vocab_size: int) -> float:
    """Cross-entropy, nats per token, of ``val[1:]`` given each previous token, with the
    pair frequencies of ``train``: ``p(b | a) = (count(a, b) + 1) / (count(a) + V)``."""
    pairs = np.zeros((vocab_size, vocab_size))
    np.add.at(pairs, (train[:-1], train[1:]), 1.0)
    pairs += 1.0
    logp = np.log(pairs / pairs.sum(axis=1, keepdims=True))
    return float(-logp[val[:-1], val[1:]].mean())
