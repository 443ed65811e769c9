"""Tiny Shakespeare and the character tokenizer (nn.text): where the corpus is found,
what is refused (a typo in a folder, a truncated or corrupted copy, a failed or wrong
download), the tokenizer's round trip, batches, the split and the baselines.

The real corpus is read from where every consumer finds it (``$SHAKESPEARE_DIR``, which
CI sets to the shared copy, else the cache); those tests are skipped without it. The
rest run on small texts written here.
"""

from __future__ import annotations

import io
import shutil
import urllib.error
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nn import data, text
from nn.data import ChecksumError, DataError
from nn.text import (
    SHAKESPEARE_SIZE,
    CharTokenizer,
    bigram_loss,
    get_batch,
    load_shakespeare,
    load_text,
    shakespeare_available,
    train_val_split,
    unigram_loss,
)

SHARED = shakespeare_available()
needs_corpus = pytest.mark.skipif(
    SHARED is None,
    reason="Tiny Shakespeare not found in $SHAKESPEARE_DIR or ~/.cache/valuegrad/tinyshakespeare",
)


@pytest.fixture
def no_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """No SHAKESPEARE_DIR, a fresh cache, and no network (a download attempt fails)."""
    monkeypatch.delenv("SHAKESPEARE_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))

    def offline(*args: object, **kwargs: object) -> None:
        raise urllib.error.URLError("no network in the tests")

    monkeypatch.setattr(data, "urlopen", offline)
    return tmp_path


# ------------------------------------------------------------- the real corpus


@needs_corpus
def test_the_shared_corpus_is_the_published_one() -> None:
    t = load_shakespeare(SHARED)
    assert len(t) == SHAKESPEARE_SIZE
    tok = CharTokenizer.from_text(t)
    assert tok.vocab_size == 65 and tok.vocab[:2] == "\n "
    ids = tok.encode(t)
    assert tok.decode(ids) == t
    train, val = train_val_split(ids)
    assert len(train) == 1_003_854 and len(val) == 111_540
    assert tok.decode(train[:12]) == "First Citize"  # the first 90 %, in order
    assert bigram_loss(train, val, 65) == pytest.approx(2.48, abs=0.03)
    assert unigram_loss(train, val, 65) == pytest.approx(3.33, abs=0.05)


@needs_corpus
def test_a_truncated_or_edited_copy_is_refused(tmp_path: Path) -> None:
    assert SHARED is not None
    blob = (SHARED / "input.txt").read_bytes()
    (tmp_path / "input.txt").write_bytes(blob[:-1000])
    with pytest.raises(ChecksumError, match=r"input\.txt: not Tiny Shakespeare.*truncated"):
        load_shakespeare(tmp_path)
    (tmp_path / "input.txt").write_bytes(blob.replace(b"ROMEO", b"JULIO", 1))
    with pytest.raises(ChecksumError, match="the right size, but different content"):
        load_shakespeare(tmp_path)
    assert "JULIO" in load_shakespeare(tmp_path, verify=False)  # a corpus of one's own


@needs_corpus
def test_env_var_then_cache(no_env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert SHARED is not None
    monkeypatch.setenv("SHAKESPEARE_DIR", str(SHARED))
    assert len(load_shakespeare()) == SHAKESPEARE_SIZE
    monkeypatch.setenv("SHAKESPEARE_DIR", "")  # empty counts as unset: the cache
    cache = no_env / "cache" / "valuegrad" / "tinyshakespeare"
    assert text.find_shakespeare_dir() == cache
    cache.mkdir(parents=True)
    shutil.copy(SHARED / "input.txt", cache / "input.txt")
    assert len(load_shakespeare()) == SHAKESPEARE_SIZE


# ------------------------------------------------------- finding and downloading


def test_a_typo_in_the_folder_is_named_and_nothing_created(
    no_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    typo = no_env / "no" / "such"
    with pytest.raises(FileNotFoundError, match=f"data_dir={typo}: no such folder"):
        load_shakespeare(typo)
    monkeypatch.setenv("SHAKESPEARE_DIR", str(typo))
    with pytest.raises(FileNotFoundError, match=f"SHAKESPEARE_DIR={typo}: no such folder"):
        load_shakespeare()
    assert not (no_env / "no").exists() and not (no_env / "cache").exists()


def test_missing_and_offline_says_where_to_put_it(no_env: Path) -> None:
    with pytest.raises(FileNotFoundError, match=r"Put input\.txt from https://.* into"):
        load_shakespeare(progress=False)
    folder = no_env / "mine"
    folder.mkdir()
    with pytest.raises(FileNotFoundError, match="download=False"):
        load_shakespeare(folder, download=False)
    assert list(folder.iterdir()) == []


class Served(io.BytesIO):
    """What ``urlopen`` returns, enough for the downloader (no Content-Length)."""

    def __init__(self, blob: bytes) -> None:
        super().__init__(blob)
        self.headers = {"Content-Length": ""}


def test_a_download_is_kept_only_if_its_checksum_matches(
    no_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(data, "urlopen", lambda url, timeout=0: Served(b"not shakespeare"))
    with pytest.raises(FileNotFoundError, match="not Tiny Shakespeare as published"):
        load_shakespeare(progress=False)
    cache = no_env / "cache" / "valuegrad" / "tinyshakespeare"
    assert list(cache.iterdir()) == []  # nothing half-written, nothing wrong kept
    if SHARED is not None:
        blob = (SHARED / "input.txt").read_bytes()
        monkeypatch.setattr(data, "urlopen", lambda url, timeout=0: Served(blob))
        assert len(load_shakespeare(progress=False)) == SHAKESPEARE_SIZE
        assert (cache / "input.txt").read_bytes() == blob


def test_load_text_refusals(tmp_path: Path) -> None:
    (tmp_path / "empty.txt").write_bytes(b"")
    with pytest.raises(DataError, match="empty file"):
        load_text(tmp_path / "empty.txt")
    (tmp_path / "latin1.txt").write_bytes("caf\xe9".encode("latin-1"))
    with pytest.raises(DataError, match=r"not UTF-8 text \(byte 0xe9 at offset 3\)"):
        load_text(tmp_path / "latin1.txt")
    (tmp_path / "big.txt").write_bytes(b"x" * 100)
    with pytest.raises(DataError, match="more than the 10 accepted"):
        load_text(tmp_path / "big.txt", max_bytes=10)


# --------------------------------------------------------------- the tokenizer


@given(st.text(alphabet="abc \n:XYZ", max_size=50))
@settings(max_examples=50)
def test_encode_decode_round_trip(s: str) -> None:
    tok = CharTokenizer("\n :XYZabc")
    ids = tok.encode(s)
    assert ids.dtype == np.int64 and ids.shape == (len(s),)
    assert tok.decode(ids) == s


def test_characters_outside_the_vocabulary_are_named() -> None:
    tok = CharTokenizer.from_text("hello world")
    with pytest.raises(ValueError, match=r"2 character\(s\) not in the vocabulary of 8: 'H', 'é' "
                       r"\(first at position 0\)"):  # fmt: skip
        tok.encode("Hé")
    with pytest.raises(ValueError, match=r"id 8 is outside 0\.\.7"):
        tok.decode([1, 8])
    with pytest.raises(TypeError, match="integers"):
        tok.decode(np.array([1.0]))
    with pytest.raises(ValueError, match="repeated characters"):
        CharTokenizer("abca")
    with pytest.raises(ValueError, match="non-empty"):
        CharTokenizer("")


# --------------------------------------------------- batches, split, baselines


@given(st.integers(1, 8), st.integers(1, 5), st.integers(0, 2**32 - 1))
@settings(max_examples=40)
def test_get_batch_targets_are_the_next_tokens(block: int, batch: int, seed: int) -> None:
    ids = np.arange(20) * 3  # distinct: a window is identified by its first token
    x, y = get_batch(ids, block, batch, np.random.default_rng(seed))
    assert x.shape == y.shape == (batch, block)
    starts = x[:, 0] // 3
    np.testing.assert_array_equal(x, ids[starts[:, None] + np.arange(block)])
    np.testing.assert_array_equal(y, ids[starts[:, None] + np.arange(block) + 1])


def test_get_batch_and_split_refusals() -> None:
    with pytest.raises(ValueError, match="too few for windows of 5"):
        get_batch(np.arange(5), 5, 2, np.random.default_rng(0))
    with pytest.raises(TypeError, match="block_size"):
        get_batch(np.arange(50), 2.5, 2, np.random.default_rng(0))  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="each split needs at least 2"):
        train_val_split(np.arange(10), 0.95)
    a, b = train_val_split(np.arange(20))
    assert list(a) == list(range(18)) and list(b) == [18, 19]


def test_baselines_against_hand_counts() -> None:
    train = np.array([0, 1, 0, 1, 0, 0])
    val = np.array([0, 1, 1])
    # unigram: counts 4, 2 (+1 each) over 8: p(0) = 5/8, p(1) = 3/8; val[1:] = 1, 1.
    assert unigram_loss(train, val, 2) == pytest.approx(-np.log(3 / 8))
    # bigram: pairs (0,1) x2, (1,0) x2, (0,0) x1; p(1|0) = 3/5, p(1|1) = 1/4.
    assert bigram_loss(train, val, 2) == pytest.approx(-(np.log(3 / 5) + np.log(1 / 4)) / 2)
