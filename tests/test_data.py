"""nn.data: IDX parsing and checks, checksums, locating and downloading files, mini-batches.

Most tests write small IDX files of their own into ``tmp_path``; the tests on the
real MNIST files run when MNIST is in ``MNIST_DIR`` (CI sets it) or the cache.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import urllib.error
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import nn
from nn import data
from nn.data import FILES, ChecksumError, DataError, batches, load_mnist, num_batches, read_idx

# ----------------------------------------------------------------- helpers


def idx_bytes(array: np.ndarray, magic: int | None = None) -> bytes:
    """An IDX blob (unsigned bytes) holding ``array``; ``magic`` overrides the header's."""
    a = np.ascontiguousarray(array, dtype=np.uint8)
    m = magic if magic is not None else 0x0800 + a.ndim
    header = m.to_bytes(4, "big") + b"".join(d.to_bytes(4, "big") for d in a.shape)
    return header + a.tobytes()


def fake_arrays(n_train: int = 50, n_test: int = 20, seed: int = 0) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    return {
        FILES[0]: rng.integers(0, 256, (n_train, 28, 28), dtype=np.uint8),
        FILES[1]: rng.integers(0, 10, n_train, dtype=np.uint8),
        FILES[2]: rng.integers(0, 256, (n_test, 28, 28), dtype=np.uint8),
        FILES[3]: rng.integers(0, 10, n_test, dtype=np.uint8),
    }


def write_fake(directory: Path, gz: bool = True, **kw: Any) -> dict[str, np.ndarray]:
    """Write a small fake MNIST (four IDX files) into ``directory``; return the arrays."""
    arrays = fake_arrays(**kw)
    directory.mkdir(parents=True, exist_ok=True)
    for stem, a in arrays.items():
        blob = idx_bytes(a)
        if gz:
            (directory / f"{stem}.gz").write_bytes(gzip.compress(blob, mtime=0))
        else:
            (directory / stem).write_bytes(blob)
    return arrays


def md5(path: Path) -> str:
    return hashlib.md5(path.read_bytes(), usedforsecurity=False).hexdigest()


# ---------------------------------------------------------------- parsing


@pytest.mark.parametrize("gz", [True, False])
def test_load_small_files(tmp_path: Path, gz: bool) -> None:
    arrays = write_fake(tmp_path, gz=gz)
    x_train, y_train, x_test, y_test = load_mnist(tmp_path, verify=False, download=False)
    assert x_train.shape == (50, 784) and x_test.shape == (20, 784)
    assert x_train.dtype == np.float32 and y_train.dtype == np.int64
    np.testing.assert_array_equal(y_train, arrays[FILES[1]])
    np.testing.assert_array_equal(y_test, arrays[FILES[3]])
    # Pixel p becomes p / 255: row-major, 28 pixels per row.
    np.testing.assert_allclose(x_train, arrays[FILES[0]].reshape(50, 784) / 255.0, rtol=1e-6)
    assert x_train.min() >= 0.0 and x_train.max() <= 1.0


def test_unflattened_and_named_fields(tmp_path: Path) -> None:
    write_fake(tmp_path)
    d = load_mnist(tmp_path, verify=False, flatten=False, download=False)
    assert d.x_train.shape == (50, 28, 28) and d.x_test.shape == (20, 28, 28)
    assert len(d.y_train) == 50


def test_dotted_file_names_are_found(tmp_path: Path) -> None:
    write_fake(tmp_path)
    for stem in FILES:
        (tmp_path / f"{stem}.gz").rename(tmp_path / (stem.replace("-idx", ".idx") + ".gz"))
    assert len(load_mnist(tmp_path, verify=False, download=False).x_train) == 50


def test_truncated_gzip_names_the_file(tmp_path: Path) -> None:
    write_fake(tmp_path)
    path = tmp_path / f"{FILES[0]}.gz"
    path.write_bytes(path.read_bytes()[:-100])
    with pytest.raises(DataError, match=r"train-images-idx3-ubyte\.gz.*truncated"):
        load_mnist(tmp_path, verify=False, download=False)


def test_truncated_raw_file_names_the_file(tmp_path: Path) -> None:
    write_fake(tmp_path, gz=False)
    path = tmp_path / FILES[2]
    path.write_bytes(path.read_bytes()[:-1])
    with pytest.raises(DataError, match=r"t10k-images-idx3-ubyte: truncated"):
        load_mnist(tmp_path, verify=False, download=False)


def test_trailing_bytes_rejected(tmp_path: Path) -> None:
    write_fake(tmp_path, gz=False)
    with (tmp_path / FILES[3]).open("ab") as f:
        f.write(b"\0")
    with pytest.raises(DataError, match="trailing bytes"):
        load_mnist(tmp_path, verify=False, download=False)


def test_corrupted_gzip_names_the_file(tmp_path: Path) -> None:
    write_fake(tmp_path)
    path = tmp_path / f"{FILES[1]}.gz"
    blob = bytearray(path.read_bytes())
    blob[len(blob) // 2] ^= 0xFF
    path.write_bytes(bytes(blob))
    with pytest.raises(DataError, match=r"train-labels-idx1-ubyte\.gz"):
        load_mnist(tmp_path, verify=False, download=False)


def test_wrong_magic_number(tmp_path: Path) -> None:
    write_fake(tmp_path, gz=False)
    # Magic 0x00000903: IDX with 3 dims of *signed* bytes, not what MNIST stores.
    path = tmp_path / FILES[0]
    raw = path.read_bytes()
    path.write_bytes((0x0903).to_bytes(4, "big") + raw[4:])
    with pytest.raises(DataError, match=r"train-images-idx3-ubyte: IDX data type 0x09"):
        load_mnist(tmp_path, verify=False, download=False)


def test_labels_where_images_belong(tmp_path: Path) -> None:
    write_fake(tmp_path, gz=False)
    (tmp_path / FILES[2]).write_bytes(idx_bytes(np.zeros(20, np.uint8)))  # magic 2049
    with pytest.raises(
        DataError, match=r"t10k-images-idx3-ubyte: magic number 2049, expected 2051"
    ):
        load_mnist(tmp_path, verify=False, download=False)


def test_not_an_idx_file(tmp_path: Path) -> None:
    write_fake(tmp_path, gz=False)
    (tmp_path / FILES[1]).write_bytes(b"<html>Not Found</html>")
    with pytest.raises(DataError, match=r"train-labels-idx1-ubyte: not an IDX file"):
        load_mnist(tmp_path, verify=False, download=False)


def test_wrong_image_size(tmp_path: Path) -> None:
    write_fake(tmp_path, gz=False)
    (tmp_path / FILES[0]).write_bytes(idx_bytes(np.zeros((50, 14, 14), np.uint8)))
    with pytest.raises(DataError, match=r"\(14, 14\), expected \(28, 28\)"):
        load_mnist(tmp_path, verify=False, download=False)


def test_mismatched_counts(tmp_path: Path) -> None:
    write_fake(tmp_path, gz=False)
    (tmp_path / FILES[1]).write_bytes(idx_bytes(np.zeros(49, np.uint8)))
    with pytest.raises(DataError, match=r"train images and labels differ in count.*50.*49"):
        load_mnist(tmp_path, verify=False, download=False)


def test_label_out_of_range(tmp_path: Path) -> None:
    write_fake(tmp_path, gz=False)
    (tmp_path / FILES[3]).write_bytes(idx_bytes(np.full(20, 10, np.uint8)))
    with pytest.raises(DataError, match=r"label 10 outside 0\.\.9"):
        load_mnist(tmp_path, verify=False, download=False)


def test_read_idx_directly(tmp_path: Path) -> None:
    a = np.arange(24, dtype=np.uint8).reshape(2, 3, 4)
    (tmp_path / "a.idx").write_bytes(idx_bytes(a))
    np.testing.assert_array_equal(read_idx(tmp_path / "a.idx"), a)
    with pytest.raises(FileNotFoundError):
        read_idx(tmp_path / "missing.idx")


# -------------------------------------------------------------- checksums


def test_published_checksums_reject_other_files(tmp_path: Path) -> None:
    write_fake(tmp_path)
    with pytest.raises(ChecksumError, match=r"train-images-idx3-ubyte\.gz: checksum mismatch"):
        load_mnist(tmp_path, download=False)  # verify=True with MNIST's published digests


def test_own_checksums_md5_of_gz_and_sha256_of_content(tmp_path: Path) -> None:
    arrays = write_fake(tmp_path)
    sums: dict[str, list[str]] = {
        stem: [md5(tmp_path / f"{stem}.gz")] for stem in FILES[:2]
    }  # MD5 of the file as stored
    for stem in FILES[2:]:  # SHA-256 of the decompressed content
        sums[stem] = [hashlib.sha256(idx_bytes(arrays[stem])).hexdigest().upper()]
    d = load_mnist(tmp_path, checksums=sums, download=False)
    assert len(d.x_test) == 20
    bad = dict(sums, **{FILES[3]: ["0" * 64]})
    with pytest.raises(ChecksumError, match=r"t10k-labels-idx1-ubyte\.gz: checksum mismatch"):
        load_mnist(tmp_path, checksums=bad, download=False)
    # Stems left out of the mapping are not checked.
    assert len(load_mnist(tmp_path, checksums={}, download=False).y_train) == 50


def test_published_md5s_match_sha256sums_file() -> None:
    """The SHA-256s in the code are the ones in shared/data/mnist/SHA256SUMS."""
    sums = Path(__file__).resolve().parents[2] / "shared" / "data" / "mnist" / "SHA256SUMS"
    if not sums.exists():
        pytest.skip("no shared/data/mnist/SHA256SUMS beside the repo")
    for line in sums.read_text().splitlines():
        digest, name = line.split()
        assert digest in data.DATASETS["mnist"].checksums[name]


# ------------------------------------------------------- locating the files


def test_directory_from_env_then_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write_fake(tmp_path / "env")
    monkeypatch.setenv("MNIST_DIR", str(tmp_path / "env"))
    assert len(load_mnist(verify=False, download=False).y_test) == 20
    # An empty MNIST_DIR counts as unset: the per-user cache under XDG_CACHE_HOME.
    monkeypatch.setenv("MNIST_DIR", "")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    assert data.default_data_dir() == tmp_path / "cache" / "valuegrad" / "mnist"
    write_fake(tmp_path / "cache" / "valuegrad" / "mnist", n_train=7)
    assert len(load_mnist(verify=False, download=False).y_train) == 7
    assert data.mnist_available() == (tmp_path / "cache" / "valuegrad" / "mnist").resolve()


@pytest.mark.parametrize("how", ["env", "argument"])
def test_a_named_folder_that_does_not_exist_is_an_error_never_created(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, how: str
) -> None:
    """A typo in MNIST_DIR or --data-dir is named; nothing is created or downloaded."""
    typo = tmp_path / "no" / "such"
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setattr(data, "urlopen", lambda *a, **k: pytest.fail("tried to download"))
    if how == "env":
        monkeypatch.setenv("MNIST_DIR", str(typo))
        arg, said = None, f"MNIST_DIR={typo}: no such folder"
    else:
        monkeypatch.delenv("MNIST_DIR", raising=False)
        arg, said = typo, f"data_dir={typo}: no such folder"
    for call in (
        lambda: load_mnist(arg),
        lambda: data.download_mnist(arg),
        lambda: data.mnist_available(arg),
    ):
        with pytest.raises(FileNotFoundError) as err:
            call()
        assert said in str(err.value)
    assert not (tmp_path / "no").exists() and not (tmp_path / "cache").exists()
    # A file is not a folder either.
    (tmp_path / "file").write_text("x")
    with pytest.raises(FileNotFoundError, match="no such folder"):
        load_mnist(tmp_path / "file")


def test_only_the_default_cache_is_created(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MNIST_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    with pytest.raises(FileNotFoundError, match="could not be downloaded"):
        data.download_mnist(mirrors=[(tmp_path / "nowhere").as_uri()], progress=False)
    assert (tmp_path / "cache" / "valuegrad" / "mnist").is_dir()


def test_missing_files_without_download_say_where(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError) as err:
        (tmp_path / "nowhere").mkdir()  # an empty folder (one that does not exist: an error)
        load_mnist(tmp_path / "nowhere", download=False)
    message = str(err.value)
    assert str(tmp_path / "nowhere") in message and "MNIST_DIR" in message
    assert "train-images-idx3-ubyte.gz" in message


def test_unknown_dataset() -> None:
    with pytest.raises(ValueError, match="unknown dataset 'cifar'"):
        load_mnist(dataset="cifar")


# ---------------------------------------------------------------- download


class FakeResponse(io.BytesIO):
    """What ``urlopen`` returns, enough for the downloader (``read``, ``headers``)."""

    def __init__(self, blob: bytes, fail_after: int | None = None) -> None:
        super().__init__(blob)
        self.headers = {"Content-Length": str(len(blob))}
        self.fail_after = fail_after

    def read(self, size: int | None = -1) -> bytes:
        if self.fail_after is not None and self.tell() >= self.fail_after:
            raise ConnectionResetError("connection reset by peer")
        return super().read(size)


def served_files(tmp_path: Path) -> tuple[dict[str, bytes], dict[str, list[str]]]:
    """Gzipped fake files by name, and their MD5s as a checksums mapping."""
    src = tmp_path / "server"
    write_fake(src)
    blobs = {p.name: p.read_bytes() for p in src.iterdir()}
    sums = {stem: [md5(src / f"{stem}.gz")] for stem in FILES}
    return blobs, sums


def test_download_verifies_and_renames(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blobs, sums = served_files(tmp_path)
    urls: list[str] = []

    def fake_urlopen(url: str, timeout: float = 0) -> FakeResponse:
        urls.append(url)
        if url.startswith("https://down.example/"):
            raise urllib.error.URLError("mirror down")
        return FakeResponse(blobs[url.rsplit("/", 1)[1]])

    monkeypatch.setattr(data, "urlopen", fake_urlopen)
    target = tmp_path / "cache"
    target.mkdir()  # a folder the user names must exist (only the default cache is created)
    d = load_mnist(
        target,
        checksums=sums,
        mirrors=["https://down.example/mnist/", "https://ok.example/mnist"],
        progress=False,
    )
    assert len(d.x_train) == 50
    assert sorted(p.name for p in target.iterdir()) == sorted(f"{s}.gz" for s in FILES)
    # Each file: the first mirror failed, the second delivered.
    assert urls[:2] == [
        "https://down.example/mnist/train-images-idx3-ubyte.gz",
        "https://ok.example/mnist/train-images-idx3-ubyte.gz",
    ]
    # Already there: no second download.
    urls.clear()
    load_mnist(target, checksums=sums, mirrors=["https://ok.example/"], progress=False)
    assert urls == []


def test_download_shows_progress(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    blobs, sums = served_files(tmp_path)
    monkeypatch.setattr(
        data, "urlopen", lambda url, timeout=0: FakeResponse(blobs[url.rsplit("/", 1)[1]])
    )
    (tmp_path / "d").mkdir()
    data.download_mnist(tmp_path / "d", checksums=sums, mirrors=["https://ok.example/"])
    assert "train-images-idx3-ubyte.gz" in capsys.readouterr().err


@pytest.mark.parametrize("failure", ["corrupted", "other data", "cut"])
def test_bad_download_leaves_no_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, failure: str
) -> None:
    blobs, sums = served_files(tmp_path)

    def fake_urlopen(url: str, timeout: float = 0) -> FakeResponse:
        blob = blobs[url.rsplit("/", 1)[1]]
        if failure == "corrupted":
            return FakeResponse(blob[:-10] + b"0123456789")
        if failure == "other data":  # a valid IDX file, just not the expected one
            return FakeResponse(gzip.compress(idx_bytes(np.zeros((3, 28, 28), np.uint8))))
        return FakeResponse(blob, fail_after=len(blob) // 2)

    monkeypatch.setattr(data, "urlopen", fake_urlopen)
    target = tmp_path / "cache"
    target.mkdir()  # a folder the user names must exist (only the default cache is created)
    with pytest.raises(FileNotFoundError) as err:
        load_mnist(target, checksums=sums, mirrors=["https://a.example/"], progress=False)
    expected = {
        "corrupted": "corrupted gzip file",
        "other data": "checksum mismatch",
        "cut": "connection reset",
    }[failure]
    assert expected in str(err.value)
    assert list(target.iterdir()) == []  # no partial file, no temp file


def test_offline_error_says_where_to_put_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def offline(url: str, timeout: float = 0) -> FakeResponse:
        raise urllib.error.URLError("[Errno -2] Name or service not known")

    monkeypatch.setattr(data, "urlopen", offline)
    monkeypatch.delenv("MNIST_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    with pytest.raises(FileNotFoundError) as err:
        load_mnist(progress=False)
    message = str(err.value)
    cache = str(tmp_path / "valuegrad" / "mnist")
    assert "could not be downloaded" in message and "Name or service not known" in message
    assert f"into {cache}" in message and "MNIST_DIR" in message
    assert "ossci-datasets" in message  # the default mirrors were tried
    assert [p.name for p in Path(cache).iterdir()] == []


# --------------------------------------------------------- the real files


# Where every MNIST consumer looks: $MNIST_DIR, else the cache.
needs_mnist = pytest.mark.skipif(
    data.mnist_available() is None,
    reason="MNIST not found in $MNIST_DIR or the cache ~/.cache/valuegrad/mnist",
)


@needs_mnist
def test_real_mnist() -> None:
    x_train, y_train, x_test, y_test = load_mnist(download=False)  # checksums verified
    assert x_train.shape == (60000, 784) and x_test.shape == (10000, 784)
    assert x_train.dtype == np.float32 and y_train.dtype == np.int64
    assert x_train.min() == 0.0 and x_train.max() == 1.0
    train_counts = [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]
    test_counts = [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]
    assert np.bincount(y_train).tolist() == train_counts
    assert np.bincount(y_test).tolist() == test_counts
    assert abs(float(x_train.mean(dtype=np.float64)) * 255 - 33.3184) < 1e-3


@pytest.mark.skipif(
    not (data.default_data_dir("fashion") / "train-images-idx3-ubyte.gz").exists(),
    reason="no Fashion-MNIST: set FASHION_MNIST_DIR or install Debian's dataset-fashion-mnist",
)
def test_real_fashion_mnist() -> None:
    d = load_mnist(dataset="fashion", download=False)
    assert d.x_train.shape == (60000, 784)
    assert np.bincount(d.y_train).tolist() == [6000] * 10
    assert np.bincount(d.y_test).tolist() == [1000] * 10


# ---------------------------------------------------------------- batches


@given(n=st.integers(1, 60), batch_size=st.integers(1, 70), seed=st.integers(0, 2**32 - 1))
def test_batches_cover_every_example_once(n: int, batch_size: int, seed: int) -> None:
    x = np.arange(n * 2).reshape(n, 2)
    y = np.arange(n)
    parts = list(batches(x, y, batch_size, seed=seed))
    assert len(parts) == num_batches(n, batch_size)
    sizes = [len(yb) for _, yb in parts]
    assert all(s == batch_size for s in sizes[:-1]) and sizes[-1] == n - batch_size * (
        len(parts) - 1
    )  # last partial batch kept
    seen = np.concatenate([yb for _, yb in parts])
    assert sorted(seen.tolist()) == list(range(n))
    for xb, yb in parts:  # rows stay paired with their labels
        np.testing.assert_array_equal(xb[:, 0], 2 * yb)


def test_batches_seeded_and_ordered() -> None:
    x = np.arange(100)
    order = lambda **kw: np.concatenate([b for b, _ in batches(x, x, 32, **kw)])  # noqa: E731
    np.testing.assert_array_equal(order(seed=3), order(seed=3))
    assert not np.array_equal(order(seed=3), order(seed=4))
    np.testing.assert_array_equal(order(shuffle=False), x)
    assert not np.array_equal(order(seed=0), x)
    # A Generator continues: two epochs from one generator differ.
    rng = np.random.default_rng(0)
    assert not np.array_equal(order(seed=rng), order(seed=rng))
    assert [len(b) for b, _ in batches(x, x, 32, drop_last=True)] == [32, 32, 32]
    # Without labels, the second item is the batch's indices.
    _, idx = next(iter(batches(x * 10, None, 5, shuffle=False)))
    np.testing.assert_array_equal(idx, [0, 1, 2, 3, 4])
    assert nn.iterate_minibatches is batches


def test_batches_are_copies_of_one_batch_only() -> None:
    x = np.arange(20.0).reshape(10, 2)
    xb, _ = next(iter(batches(x, None, 4, seed=0)))
    assert xb.shape == (4, 2) and not np.shares_memory(xb, x)


def test_batches_errors() -> None:
    with pytest.raises(ValueError, match="batch_size must be >= 1"):
        next(iter(batches(np.zeros(3), None, 0)))
    with pytest.raises(ValueError, match="differ in length: 3 and 2"):
        next(iter(batches(np.zeros(3), np.zeros(2), 1)))


def test_one_hot() -> None:
    np.testing.assert_array_equal(nn.one_hot([2, 0], 3), [[0, 0, 1], [1, 0, 0]])
    assert nn.one_hot(np.array([1]), 10).dtype == np.float32
    with pytest.raises(ValueError, match=r"labels must lie in 0..2"):
        nn.one_hot([3], 3)


def test_random_shift_moves_each_image_within_bounds() -> None:
    x = np.zeros((50, 784), np.float32)
    x[:, 14 * 28 + 14] = 1.0  # one lit pixel in the middle of each image
    out = data.random_shift(x, np.random.default_rng(0), max_shift=2)
    assert out.shape == x.shape and out.dtype == x.dtype
    rows, cols = np.divmod(out.argmax(axis=1), 28)
    assert out.sum(axis=1).tolist() == [1.0] * 50  # moved, not lost
    assert set(rows.tolist()) <= set(range(12, 17)) and set(cols.tolist()) <= set(range(12, 17))
    assert len(set(zip(rows.tolist(), cols.tolist(), strict=True))) > 5  # offsets vary
    same = data.random_shift(x, np.random.default_rng(0), max_shift=2)
    np.testing.assert_array_equal(out, same)
    np.testing.assert_array_equal(data.random_shift(x, np.random.default_rng(1), 0), x)
    images = x.reshape(50, 28, 28)
    assert data.random_shift(images, np.random.default_rng(0)).shape == (50, 28, 28)


def test_little_endian_sizes_say_truncated_with_both_byte_counts() -> None:
    # A hand-written IDX file with its sizes little-endian: the header claims a
    # shape of ~1e27 bytes, which overflows int64 (it used to say "trailing bytes").
    dims = (60000, 28, 28)
    raw = (
        b"\0\0\x08\x03"
        + b"".join(d.to_bytes(4, "little") for d in dims)
        + bytes(60000 * 28 * 28 // 1000)
    )
    claimed = 16 + int.from_bytes((60000).to_bytes(4, "little"), "big") * (28 << 24) ** 2
    with pytest.raises(DataError) as err:
        data.parse_idx(raw, "x.idx")
    msg = str(err.value)
    assert f"truncated: header claims {claimed:,} bytes" in msg
    assert f"file has {len(raw):,}" in msg and "little-endian" in msg
    assert "(60000, 28, 28)" in msg
