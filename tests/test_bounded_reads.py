"""Files are bounded by the size they should have (issue 19, item 5).

Everything valuegrad reads (IDX files, downloads, ``.npz`` checkpoints) is checked
against the size its header or the model implies before the bytes are
decompressed or kept, and reading stops at that size. A gzip bomb must be refused
with memory staying small; truncated and oversized files get a clear error.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import tracemalloc
import zipfile
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import nn
from nn import data
from nn.data import DataError, read_idx
from nn.serialize import load_state, save_state

MB = 1 << 20


def gzip_stream(path: Path, head: bytes, zeros: int) -> None:
    """A gzip file of ``head`` followed by ``zeros`` zero bytes, written in chunks."""
    with path.open("wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", compresslevel=9) as f:
        f.write(head)
        chunk = bytes(MB)
        for _ in range(zeros // MB):
            f.write(chunk)


def idx_head(*dims: int) -> bytes:
    return bytes([0, 0, 8, len(dims)]) + b"".join(d.to_bytes(4, "big") for d in dims)


def peak(run: Callable[[], Any]) -> tuple[int, BaseException | None]:
    """The peak of Python memory allocated while ``run()`` runs, and what it raised."""
    tracemalloc.start()
    try:
        run()
        error = None
    except BaseException as err:
        error = err
    _, top = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return top, error


def test_a_gzip_of_zeros_is_refused_after_its_header(tmp_path: Path) -> None:
    """The issue's example: a small gzip of zeros (here 256 MB of them) as an images file."""
    path = tmp_path / "train-images-idx3-ubyte.gz"
    gzip_stream(path, b"", 256 * MB)
    assert path.stat().st_size < MB
    top, err = peak(lambda: read_idx(path))
    assert isinstance(err, DataError) and "not an IDX file" in str(err)
    assert top < 4 * MB


def test_a_gzip_bomb_behind_a_valid_header_is_refused_before_decompressing(
    tmp_path: Path,
) -> None:
    """A plausible header (60,000 images) followed by far more bytes than it claims."""
    path = tmp_path / "train-images-idx3-ubyte.gz"
    gzip_stream(path, idx_head(60000, 28, 28), 256 * MB)
    top, err = peak(lambda: read_idx(path, shape=(None, 28, 28)))
    assert isinstance(err, DataError)
    assert "header claims 47,040,016 bytes" in str(err) and "refused before decompressing" in str(
        err
    )
    assert top < 4 * MB


def test_load_mnist_checks_the_image_shape_before_reading_pixels(tmp_path: Path) -> None:
    """Images of another size: refused from the header, without reading the data."""
    path = tmp_path / "train-images-idx3-ubyte.gz"
    gzip_stream(path, idx_head(1000, 280, 280), 76 * MB)
    top, err = peak(lambda: read_idx(path, shape=(None, 28, 28)))
    assert isinstance(err, DataError) and "items of shape (280, 280), expected (28, 28)" in str(err)
    assert top < 4 * MB


def test_a_header_claiming_more_than_max_bytes_is_refused_unread(tmp_path: Path) -> None:
    path = tmp_path / "big.idx.gz"
    path.write_bytes(gzip.compress(idx_head(10**6, 28, 28) + bytes(100)))
    with pytest.raises(DataError, match=r"header claims 784,000,016 bytes.*more than the 1,000"):
        read_idx(path, max_bytes=1000)


@pytest.mark.parametrize("gz", [False, True], ids=["raw", "gzip"])
@pytest.mark.parametrize("change", ["truncated", "trailing"])
def test_truncated_and_oversized_files_are_named(tmp_path: Path, gz: bool, change: str) -> None:
    content = idx_head(3, 2, 2) + bytes(range(12))
    content = content[:-5] if change == "truncated" else content + b"junk"
    path = tmp_path / ("x.idx.gz" if gz else "x.idx")
    path.write_bytes(gzip.compress(content) if gz else content)
    expected = {
        (False, "truncated"): r"x\.idx: truncated: header claims 28 bytes .* file has 23",
        (False, "trailing"): r"x\.idx: has trailing bytes: header claims 28 bytes .* file has 32",
        (True, "truncated"): r"x\.idx\.gz: truncated or corrupted gzip file.*records 23",
        (True, "trailing"): r"x\.idx\.gz: truncated or corrupted gzip file.*records 32",
    }[gz, change]
    with pytest.raises(DataError, match=expected):
        read_idx(path)


def test_a_good_file_still_reads(tmp_path: Path) -> None:
    a = np.arange(12, dtype=np.uint8).reshape(3, 2, 2)
    for name, blob in (
        ("a.idx", idx_head(3, 2, 2) + a.tobytes()),
        ("a.idx.gz", gzip.compress(idx_head(3, 2, 2) + a.tobytes())),
    ):
        (tmp_path / name).write_bytes(blob)
        np.testing.assert_array_equal(read_idx(tmp_path / name, shape=(None, 2, 2)), a)


class EndlessResponse(io.RawIOBase):
    """A server that never stops sending zeros; counts what was read."""

    def __init__(self) -> None:
        self.sent = 0
        self.headers: dict[str, str] = {}

    def read(self, size: int = -1) -> bytes:
        n = 1 << 16 if size is None or size < 0 else size
        self.sent += n
        return bytes(n)

    def __enter__(self) -> EndlessResponse:
        return self


def test_a_download_stops_at_the_expected_size(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    responses: list[EndlessResponse] = []

    def urlopen(url: str, timeout: float = 0) -> EndlessResponse:
        responses.append(EndlessResponse())
        return responses[-1]

    monkeypatch.setattr(data, "urlopen", urlopen)
    for stem in data.FILES[:2] + data.FILES[3:]:
        (tmp_path / f"{stem}.gz").write_bytes(b"present")
    with pytest.raises(FileNotFoundError, match=r"more than the .* bytes expected"):
        data.download_mnist(tmp_path, mirrors=["https://x.example/"], progress=False)
    limit = 16 + 10000 * 784
    assert responses and all(r.sent <= limit + limit // 100 + (1 << 16) + 1 for r in responses)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        f"{s}.gz" for s in data.FILES if s != data.FILES[2]
    )


def test_a_download_announcing_too_many_bytes_is_not_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    response = EndlessResponse()
    response.headers = {"Content-Length": str(10**12)}
    monkeypatch.setattr(data, "urlopen", lambda url, timeout=0: response)
    for stem in data.FILES[1:]:
        (tmp_path / f"{stem}.gz").write_bytes(b"present")
    with pytest.raises(FileNotFoundError, match="1,000,000,000,000 bytes, more than"):
        data.download_mnist(tmp_path, mirrors=["https://x.example/"], progress=False)
    assert response.sent == 0


def test_a_download_of_another_file_is_checked_with_bounded_reads(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blob = gzip.compress(idx_head(2) + bytes(2))
    monkeypatch.setattr(data, "urlopen", lambda url, timeout=0: io.BufferedReader(io.BytesIO(blob)))
    for stem in data.FILES[1:]:
        (tmp_path / f"{stem}.gz").write_bytes(b"present")
    sha = hashlib.sha256(idx_head(2) + bytes(2)).hexdigest()
    checksums = {data.FILES[0]: [sha]}
    data.download_mnist(
        tmp_path, mirrors=["https://x.example/"], checksums=checksums, progress=False
    )
    assert (tmp_path / f"{data.FILES[0]}.gz").read_bytes() == blob


# ---------------------------------------------------------------------- checkpoints


def test_a_compressed_checkpoint_bomb_is_refused_from_its_headers(tmp_path: Path) -> None:
    """An .npz whose member inflates to 200 MB: refused by the model's shapes, unread."""
    path = tmp_path / "bomb.npz"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        with zf.open("layers.0.weight.npy", "w", force_zip64=True) as f:
            np.lib.format.write_array_header_1_0(
                f, {"descr": "<f8", "fortran_order": False, "shape": (50 * MB // 8 * 8,)}
            )
            for _ in range(200):
                f.write(bytes(MB))
        zf.writestr("layers.0.bias.npy", b"")
    model = nn.TensorMLP(3, [2], seed=0)
    top, err = peak(lambda: model.load(path))
    assert isinstance(err, ValueError) and "bomb.npz" in str(err)
    assert top < 4 * MB
    top, err = peak(lambda: load_state(path, max_bytes=10 * MB))
    assert isinstance(err, ValueError) and "more than the 10,485,760 accepted" in str(err)
    assert top < 4 * MB


def test_a_checkpoint_with_a_foreign_member_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "m.npz"
    save_state({"w": np.zeros(2)}, path)
    with zipfile.ZipFile(path, "a") as zf:
        zf.writestr("notes.txt", "hello")
    with pytest.raises(ValueError, match=r"holds 'notes\.txt', which is not an array"):
        load_state(path)


def test_zlib_is_what_the_bomb_tests_think() -> None:
    """The bombs above are small on disk (else the tests would test nothing)."""
    assert len(zlib.compress(bytes(16 * MB), 9)) < MB // 32
