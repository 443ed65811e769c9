"""MNIST (and Fashion-MNIST): reading IDX files, checking them, finding or downloading them.

The data set is four files in the IDX format (LeCun et al.): a big-endian header,
then raw bytes::

    offset 0   magic: 0x00 0x00 <dtype code> <ndim>   (0x08 = unsigned byte)
           4   ndim big-endian uint32 sizes           (n) for labels, (n, 28, 28) for images
           ... n * prod(sizes) bytes of data

so the images file starts with the magic number 2051 (``0x00000803``: ubyte, 3 dims)
and the labels file with 2049 (``0x00000801``: ubyte, 1 dim).

:func:`load_mnist` finds the four files (``.gz`` or raw), checks every header, size
and label, verifies checksums, and returns float32 images in ``[0, 1]`` and int64
labels. Where it looks, in order:

1. the ``data_dir`` argument,
2. the ``MNIST_DIR`` environment variable (``FASHION_MNIST_DIR`` for Fashion-MNIST;
   an empty value counts as unset). A folder named by 1 or 2 must exist: a typo is an
   error naming it (``MNIST_DIR=/x/y: no such folder``), never a new empty folder,
3. for Fashion-MNIST only, ``/usr/share/datasets/fashion-mnist`` (the Debian package
   ``dataset-fashion-mnist``) when the files are there,
4. a per-user cache: ``$XDG_CACHE_HOME/valuegrad/mnist`` or ``~/.cache/valuegrad/mnist``.

Missing files are downloaded into that directory from public mirrors (unless
``download=False``), through a temporary file that is renamed into place only after
its checksum matched, so an interrupted or corrupted download never leaves a file
that a later run would accept. Without network the error says where to put the files.

:func:`batches` cuts arrays into shuffled mini-batches.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import math
import os
import zlib
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO, NamedTuple
from urllib.request import urlopen

import numpy as np
import numpy.typing as npt

from nn.checks import int_labels, positive_int

__all__ = [
    "DATASETS",
    "FASHION_CLASSES",
    "ChecksumError",
    "DataError",
    "Dataset",
    "MNISTData",
    "batches",
    "default_data_dir",
    "download_mnist",
    "download_verified",
    "idx_header",
    "iterate_minibatches",
    "load_mnist",
    "named_dir",
    "num_batches",
    "one_hot",
    "parse_idx",
    "random_shift",
    "read_idx",
    "user_cache_dir",
]

IMAGES_MAGIC = 2051  # 0x00000803: unsigned bytes, 3 dimensions (n, rows, cols)
LABELS_MAGIC = 2049  # 0x00000801: unsigned bytes, 1 dimension (n,)

#: The four files, in the order :func:`load_mnist` returns their arrays.
FILES = (
    "train-images-idx3-ubyte",
    "train-labels-idx1-ubyte",
    "t10k-images-idx3-ubyte",
    "t10k-labels-idx1-ubyte",
)


class DataError(ValueError):
    """A data file is missing a piece, malformed, or does not match its partner."""


class ChecksumError(DataError):
    """A data file's checksum is not one of the expected ones."""


@dataclass(frozen=True)
class Dataset:
    """Where an IDX data set lives and how to recognise its files.

    ``checksums`` maps each file stem (``"train-images-idx3-ubyte"``) to the digests
    that identify it: 32 hex digits = MD5 of the ``.gz`` file as distributed, 64 hex
    digits = SHA-256 of the decompressed IDX content (which also checks raw files).
    A file passes when either matches.
    """

    name: str
    env_var: str
    cache_name: str
    mirrors: tuple[str, ...]
    checksums: Mapping[str, tuple[str, ...]]
    sizes: Mapping[str, int]
    system_dirs: tuple[str, ...] = ()


DATASETS: dict[str, Dataset] = {
    "mnist": Dataset(
        name="MNIST",
        env_var="MNIST_DIR",
        cache_name="mnist",
        # Well-known public copies of the original files (the original host,
        # yann.lecun.com, now often refuses downloads; it is tried last).
        mirrors=(
            "https://ossci-datasets.s3.amazonaws.com/mnist/",
            "https://storage.googleapis.com/cvdf-datasets/mnist/",
            "http://yann.lecun.com/exdb/mnist/",
        ),
        checksums={
            # Published MD5s of the original .gz files; SHA-256 of the decompressed files.
            "train-images-idx3-ubyte": (
                "f68b3c2dcbeaaa9fbdd348bbdeb94873",
                "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db",
            ),
            "train-labels-idx1-ubyte": (
                "d53e105ee54ea40749a09fcbcd1e9432",
                "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5",
            ),
            "t10k-images-idx3-ubyte": (
                "9fb629c4189551a2d022fa330f9573f3",
                "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7",
            ),
            "t10k-labels-idx1-ubyte": (
                "ec29112dd5afa0611ce80d1b7f02629c",
                "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2",
            ),
        },
        sizes={FILES[0]: 60000, FILES[1]: 60000, FILES[2]: 10000, FILES[3]: 10000},
    ),
    "fashion": Dataset(
        name="Fashion-MNIST",
        env_var="FASHION_MNIST_DIR",
        cache_name="fashion-mnist",
        mirrors=(
            "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/",
            "https://storage.googleapis.com/tensorflow/tf-keras-datasets/",
        ),
        checksums={
            # MD5s: as published in Zalando's fashion-mnist README (copied from the
            # README shipped in the Debian package dataset-fashion-mnist; not checked
            # against a download, there being no network where this was written).
            # SHA-256s: of the decompressed files in that Debian package, which
            # re-compresses them (so its .gz MD5s differ from the published ones);
            # label counts checked: 6,000 per class in train, 1,000 in test.
            "train-images-idx3-ubyte": (
                "8d4fb7e6c68d591d4c3dfef9ec88bf0d",
                "c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888",
            ),
            "train-labels-idx1-ubyte": (
                "25c81989df183df01b3e8a0aad5dffbe",
                "bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9",
            ),
            "t10k-images-idx3-ubyte": (
                "bef4ecab320f06d8554ea6380940ec79",
                "5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b",
            ),
            "t10k-labels-idx1-ubyte": (
                "bb300cfdad3c16e7a12a480ee83cd310",
                "0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34",
            ),
        },
        sizes={FILES[0]: 60000, FILES[1]: 60000, FILES[2]: 10000, FILES[3]: 10000},
        system_dirs=("/usr/share/datasets/fashion-mnist",),
    ),
}
DATASETS["fashion-mnist"] = DATASETS["fashion"]

#: Fashion-MNIST's class names, label 0 to 9.
FASHION_CLASSES = (
    "T-shirt/top",
    "Trouser",
    "Pullover",
    "Dress",
    "Coat",
    "Sandal",
    "Shirt",
    "Sneaker",
    "Bag",
    "Ankle boot",
)


class MNISTData(NamedTuple):
    """What :func:`load_mnist` returns; unpacks as ``x_train, y_train, x_test, y_test``."""

    x_train: npt.NDArray[np.float32]
    y_train: npt.NDArray[np.int64]
    x_test: npt.NDArray[np.float32]
    y_test: npt.NDArray[np.int64]


# --------------------------------------------------------------------------- IDX


def idx_header(raw: bytes, name: str = "<bytes>") -> tuple[tuple[int, ...], int]:
    """``(shape, header length)`` from the start of an IDX blob of unsigned bytes.

    Only the header is read (``4 + 4 * ndim`` bytes), so the size the file claims
    can be checked before its data is read.

    Raises:
        DataError: a bad magic number, a dtype other than unsigned byte, or a
            header cut short (naming ``name``).
    """
    if len(raw) < 4:
        raise DataError(f"{name}: {len(raw)} bytes, too short for an IDX header")
    zero, dtype_code, ndim = int.from_bytes(raw[:2], "big"), raw[2], raw[3]
    magic = int.from_bytes(raw[:4], "big")
    if zero != 0 or ndim == 0:
        raise DataError(
            f"{name}: not an IDX file (magic number {magic} = 0x{magic:08x}; "
            f"expected {IMAGES_MAGIC} for images or {LABELS_MAGIC} for labels)"
        )
    if dtype_code != 0x08:
        raise DataError(f"{name}: IDX data type 0x{dtype_code:02x}, expected 0x08 (unsigned byte)")
    header = 4 + 4 * ndim
    if len(raw) < header:
        raise DataError(f"{name}: truncated IDX header ({len(raw)} of {header} bytes)")
    dims = tuple(int.from_bytes(raw[4 + 4 * i : 8 + 4 * i], "big") for i in range(ndim))
    return dims, header


def _check_length(name: str, raw: bytes, dims: tuple[int, ...], actual: int) -> None:
    """Refuse content of ``actual`` bytes when the header (at the start of ``raw``) claims
    another size: "truncated" (with a byte-order hint) or "trailing bytes"."""
    expected = 4 + 4 * len(dims) + math.prod(dims)  # Python ints: no overflow
    if actual < expected:
        hint = ""
        if any(d >= 1 << 24 for d in dims):
            little = tuple(
                int.from_bytes(raw[4 + 4 * i : 8 + 4 * i], "little") for i in range(len(dims))
            )
            hint = f" (sizes written little-endian? read that way the shape would be {little})"
        raise DataError(
            f"{name}: truncated: header claims {expected:,} bytes (shape {dims}), "
            f"file has {actual:,}{hint}"
        )
    if actual > expected:
        raise DataError(
            f"{name}: has trailing bytes: header claims {expected:,} bytes (shape {dims}), "
            f"file has {actual:,}"
        )


def parse_idx(raw: bytes, name: str = "<bytes>") -> npt.NDArray[np.uint8]:
    """The array in an IDX blob of unsigned bytes, after checking header and length.

    Raises :class:`DataError` (naming ``name``) for a bad magic number, a dtype
    other than unsigned byte, or a length that does not match the header.
    """
    dims, header = idx_header(raw, name)
    _check_length(name, raw, dims, len(raw))
    return np.frombuffer(raw, dtype=np.uint8, offset=header).reshape(dims)


def _digests_match(blob: bytes, raw: bytes, expected: Sequence[str]) -> tuple[bool, str, str]:
    """(matched, md5 of blob, sha256 of raw); the SHA-256 is only computed if needed."""
    md5 = hashlib.md5(blob, usedforsecurity=False).hexdigest()
    wanted = {e.lower() for e in expected}
    if md5 in wanted:
        return True, md5, ""
    sha = hashlib.sha256(raw).hexdigest()
    return sha in wanted, md5, sha


#: The most bytes :func:`read_idx` reads from one file unless told otherwise (1 GiB:
#: full MNIST's largest file is 47 MB). A header claiming more is refused unread.
MAX_IDX_BYTES = 1 << 30


def read_idx(
    path: str | os.PathLike[str],
    *,
    magic: int | None = None,
    checksums: Sequence[str] | None = None,
    shape: Sequence[int | None] | None = None,
    max_bytes: int = MAX_IDX_BYTES,
) -> npt.NDArray[np.uint8]:
    """Read one IDX file (gzip-compressed or raw) into a read-only ``uint8`` array.

    The header is read first and everything is checked against the size it claims
    before the data is read (or decompressed): the magic number, ``shape``, the
    claimed size against ``max_bytes``, against the file's size (raw) or the size
    the gzip trailer records (``.gz``). Then at most the claimed size plus one byte
    is read, so a gzip bomb or a file with junk appended is refused without being
    kept in memory.

    Args:
        path: the file. One starting with gzip's magic bytes (a ``.gz``) is
            decompressed as it is read.
        magic: when given, the file's magic number must equal it (2051 for
            images, 2049 for labels).
        checksums: when given, the file must match one of these digests: MD5 of the
            file as stored (32 hex digits) or SHA-256 of the decompressed content
            (64 hex digits). ``None`` skips the check.
        shape: when given, the shape the header must claim; ``None`` entries match
            any size (e.g. ``(None, 28, 28)`` for images).
        max_bytes: the largest content accepted (the header's claim is checked).

    Raises:
        FileNotFoundError: no such file.
        DataError: truncated, corrupted, wrong magic number, shape or size, or too
            large (the message names the file); :class:`ChecksumError` for a digest
            mismatch.
    """
    p = Path(path)
    with p.open("rb") as f:
        raw, blob = _read_idx_from(f, str(p), magic, shape, max_bytes)
        array = parse_idx(raw, str(p))
        stored = blob() if checksums is not None else b""
    if checksums is not None:
        ok, md5, sha = _digests_match(stored, raw, checksums)
        if not ok:
            raise ChecksumError(
                f"{p}: checksum mismatch (MD5 {md5}, SHA-256 of content {sha}); "
                f"expected one of {', '.join(checksums)}. The file is corrupted or is "
                "not the expected data set: delete it (it will be downloaded again) "
                "or pass verify=False for your own files."
            )
    return array


def _read_idx_from(
    f: BinaryIO,
    name: str,
    magic: int | None,
    shape: Sequence[int | None] | None,
    max_bytes: int,
) -> tuple[bytes, Callable[[], bytes]]:
    """``(IDX content, a function giving the stored bytes)`` of an open, seekable file
    (gzip, known by its magic bytes, or raw): the header is checked before the data is
    read or decompressed."""
    gz = f.read(2) == b"\x1f\x8b"
    stored = f.seek(0, os.SEEK_END)
    size = stored
    if gz and stored >= 18:
        f.seek(-4, os.SEEK_END)
        size = int.from_bytes(f.read(4), "little")  # the gzip trailer's size, modulo 2**32
    f.seek(0)
    try:
        stream: Any = gzip.GzipFile(fileobj=f, mode="rb") if gz else f
        raw = _read_idx_stream(stream, name, gz, size, magic, shape, max_bytes)
    except EOFError as e:
        raise DataError(f"{name}: truncated gzip file (the download was cut short?)") from e
    except (OSError, zlib.error) as e:  # gzip.BadGzipFile is an OSError
        if not gz:
            raise
        raise DataError(f"{name}: corrupted gzip file ({e})") from e

    def blob() -> bytes:
        """The stored bytes, for their MD5; a .gz larger than its content needs is refused."""
        limit = len(raw) + len(raw) // 100 + (1 << 16)  # deflate adds < 1 % when it can't compress
        if gz and stored > limit:
            raise DataError(f"{name}: {stored:,} bytes, more than its content can need")
        f.seek(0)
        return f.read() if gz else raw

    return raw, blob


def _read_idx_stream(
    stream: Any,
    name: str,
    gz: bool,
    size: int,
    magic: int | None,
    shape: Sequence[int | None] | None,
    max_bytes: int,
) -> bytes:
    """The IDX content of an open stream of ``size`` bytes (for gzip: as its trailer
    records), its header checked before its data is read."""
    head = _read_at_most(stream, 4)
    if len(head) == 4:
        head += _read_at_most(stream, 4 * head[3])
    dims, header = idx_header(head, name)
    found = int.from_bytes(head[:4], "big")
    if magic is not None and found != magic:
        raise DataError(f"{name}: magic number {found}, expected {magic}")
    if shape is not None and (
        len(shape) != len(dims) or any(w not in (None, d) for w, d in zip(shape, dims, strict=True))
    ):
        if len(shape) == len(dims) and shape[0] is None:  # any count of fixed-shape items
            raise DataError(
                f"{name}: header claims items of shape {dims[1:]}, expected "
                f"{tuple(shape[1:])} (shape {dims})"
            )
        want = tuple("any" if w is None else w for w in shape)
        raise DataError(f"{name}: header claims shape {dims}, expected {want}")
    expected = header + math.prod(dims)  # Python ints: no overflow, whatever the header says
    if expected > max_bytes:
        raise DataError(
            f"{name}: header claims {expected:,} bytes (shape {dims}), more than the "
            f"{max_bytes:,} accepted (pass max_bytes= for larger files)"
        )
    if not gz:
        _check_length(name, head, dims, size)
    elif size != expected % 2**32:
        raise DataError(
            f"{name}: truncated or corrupted gzip file, or not what its header says: the "
            f"header claims {expected:,} bytes (shape {dims}), the gzip trailer records "
            f"{size:,}; refused before decompressing"
        )
    # At most one byte more than claimed: enough to notice trailing junk.
    return head + _read_at_most(stream, expected - header + 1)


def _read_at_most(stream: Any, n: int) -> bytes:
    """Up to ``n`` bytes, in chunks (never asking for a buffer larger than the data)."""
    chunks, left = [], n
    while left > 0:
        chunk = stream.read(min(left, 1 << 20))
        if not chunk:
            break
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


# --------------------------------------------------------------------- locating


def default_data_dir(dataset: str = "mnist") -> Path:
    """Where :func:`load_mnist` looks when given no directory (see the module doc).

    The folder may not exist (the cache before the first download); use
    :func:`find_data_dir`, which checks a folder the user named.
    """
    spec = _dataset(dataset)
    env = os.environ.get(spec.env_var, "")
    if env:
        return Path(env).expanduser()
    for d in spec.system_dirs:
        if all(_find(Path(d), stem) is not None for stem in FILES):
            return Path(d)
    return _cache_dir(spec)


def find_data_dir(data_dir: str | os.PathLike[str] | None = None, dataset: str = "mnist") -> Path:
    """The folder every MNIST consumer reads: ``data_dir``, else ``$MNIST_DIR``, else the cache.

    The one place that decides (examples, benchmarks, tests and the docs build call it,
    through :func:`load_mnist` or directly). A folder the user named (``data_dir`` /
    ``--data-dir``, or the environment variable) must exist: a typo is an error naming
    it, never a new empty folder. Only the default cache folder may be missing (it is
    created when files are downloaded into it).

    Raises:
        FileNotFoundError: the named folder does not exist (or is not a folder).
    """
    spec = _dataset(dataset)
    named = named_dir(data_dir, spec.env_var, spec.name, _cache_dir(spec))
    return named if named is not None else default_data_dir(dataset)


def named_dir(
    data_dir: str | os.PathLike[str] | None, env_var: str, what: str, cache: Path
) -> Path | None:
    """The folder the user named: ``data_dir``, else ``$env_var`` (empty counts as unset);
    ``None`` when neither is given. Shared by every data set's loader (MNIST, text).

    Raises:
        FileNotFoundError: the named folder does not exist (or is not a folder): a typo
            is an error naming it, never a new empty folder.
    """
    if data_dir is not None:
        directory = Path(data_dir).expanduser()
        if not directory.is_dir():
            raise FileNotFoundError(
                f"data_dir={data_dir}: no such folder (the {what} folder given with "
                "--data-dir or data_dir=...); fix the path, or leave it out to use "
                f"${env_var} or the cache {cache}"
            )
        return directory
    env = os.environ.get(env_var, "")
    if env and not Path(env).expanduser().is_dir():
        raise FileNotFoundError(
            f"{env_var}={env}: no such folder; fix it, or unset {env_var} to use the cache {cache}"
        )
    return Path(env).expanduser() if env else None


def user_cache_dir(name: str) -> Path:
    """``$XDG_CACHE_HOME/valuegrad/<name>`` (``~/.cache/valuegrad/<name>`` by default)."""
    cache = os.environ.get("XDG_CACHE_HOME", "") or str(Path("~/.cache").expanduser())
    return Path(cache) / "valuegrad" / name


def mnist_available(
    data_dir: str | os.PathLike[str] | None = None, dataset: str = "mnist"
) -> Path | None:
    """The folder :func:`load_mnist` would read if all four files are there, else None.

    Looks where :func:`find_data_dir` does and never downloads; a named folder that
    does not exist still raises ``FileNotFoundError`` (a typo is not "no data").
    """
    directory = find_data_dir(data_dir, dataset)
    if all(_find(directory, stem) is not None for stem in FILES):
        return directory.resolve()
    return None


def _cache_dir(spec: Dataset) -> Path:
    return user_cache_dir(spec.cache_name)


def _dataset(name: str) -> Dataset:
    try:
        return DATASETS[name.lower()]
    except KeyError:
        raise ValueError(f"unknown dataset {name!r}; choose from {sorted(DATASETS)}") from None


def _candidates(stem: str) -> list[str]:
    # "train-images-idx3-ubyte(.gz)" as distributed; "train-images.idx3-ubyte" as
    # some unpackers name it.
    dotted = stem.replace("-idx", ".idx")
    return [stem + ".gz", stem, dotted + ".gz", dotted]


def _find(directory: Path, stem: str) -> Path | None:
    for name in _candidates(stem):
        p = directory / name
        if p.is_file():
            return p
    return None


# ------------------------------------------------------------------- download


def _download_one(
    url: str, dest: Path, checksums: Sequence[str], progress: bool, timeout: float, limit: int
) -> None:
    """Fetch ``url`` (at most ``limit`` bytes) and write it to ``dest`` only after its
    checksum matched (through the one atomic writer: an interruption leaves no file)."""

    def verify(blob: bytes) -> None:
        # A .gz download is identified by its published MD5; otherwise it is checked as
        # read_idx checks a file: its structure and the SHA-256 of its content.
        if hashlib.md5(blob, usedforsecurity=False).hexdigest() not in {
            c.lower() for c in checksums
        }:
            _check_download(blob, url, checksums, limit)

    download_verified(url, dest, verify, limit=limit, progress=progress, timeout=timeout)


def download_verified(
    url: str,
    dest: Path,
    verify: Callable[[bytes], None],
    *,
    limit: int,
    progress: bool = True,
    timeout: float = 30.0,
) -> None:
    """Fetch ``url`` (at most ``limit`` bytes), call ``verify(blob)`` (which raises
    :class:`DataError` / :class:`ChecksumError` for a wrong file), and only then write
    it to ``dest`` through the one atomic writer: an interrupted or refused download
    leaves no file. Shared by every data set (MNIST, text).

    Raises:
        OSError: the download failed (``URLError``, timeouts).
        DataError: more than ``limit`` bytes, or what ``verify`` raises.
    """
    from autograd.pictures.files import write_atomic  # the one writer; not on `import nn`

    with urlopen(url, timeout=timeout) as response:
        headers = getattr(response, "headers", None)
        announced = str(headers.get("Content-Length") or "") if headers is not None else ""
        total = int(announced) if announced.isdigit() else None  # a bad header is ignored
        if total is not None and total > limit:
            raise DataError(f"{url}: {total:,} bytes, more than the {limit:,} expected")
        blob = _fetch(response, dest.name, limit, total, progress)
    if len(blob) > limit:
        raise DataError(f"{url}: more than the {limit:,} bytes expected; download stopped")
    verify(blob)
    write_atomic(dest, blob)


def _fetch(response: Any, name: str, limit: int, total: int | None, progress: bool) -> bytes:
    """The response's bytes, stopping after ``limit + 1`` (enough to tell it is too long)."""
    bar: Any = None
    if progress:
        from nn.progress import progress_bar

        bar = progress_bar(total=total, unit="B", unit_scale=True, desc=name, leave=False)
    chunks, size = [], 0
    try:
        while size <= limit and (chunk := response.read(min(1 << 16, limit + 1 - size))):
            chunks.append(chunk)
            size += len(chunk)
            if bar is not None:
                bar.update(len(chunk))
    finally:
        if bar is not None:
            bar.close()
    return b"".join(chunks)


def _check_download(blob: bytes, url: str, checksums: Sequence[str], limit: int) -> None:
    """Check a download whose MD5 is not a published one, as :func:`read_idx` checks a
    file: its structure (bounded reads) and the SHA-256 of its content."""
    name = url.rsplit("/", 1)[-1]
    raw, _ = _read_idx_from(io.BytesIO(blob), name, None, None, limit)
    parse_idx(raw, name)
    ok, md5, sha = _digests_match(blob, raw, checksums)
    if not ok:
        raise ChecksumError(
            f"{url}: checksum mismatch (MD5 {md5}, SHA-256 of content {sha}); "
            f"expected one of {', '.join(checksums)}: not the expected file"
        )


def _download_limit(spec: Dataset, stem: str) -> int:
    """The most bytes a download of ``stem`` may have: its content's size plus gzip's
    worst-case overhead (deflate adds under 1 % to data it cannot compress)."""
    n = spec.sizes[stem]
    content = 16 + n * 28 * 28 if "images" in stem else 8 + n
    return content + content // 100 + (1 << 16)


def download_mnist(
    data_dir: str | os.PathLike[str] | None = None,
    *,
    dataset: str = "mnist",
    mirrors: Sequence[str] | None = None,
    checksums: Mapping[str, Sequence[str]] | None = None,
    progress: bool = True,
    timeout: float = 30.0,
) -> Path:
    """Download whichever of the four files are missing from ``data_dir``; return the dir.

    Each file is tried from each mirror in turn (``mirrors``: base URLs; default
    the data set's well-known ones), written to a temporary file in ``data_dir`` and
    renamed into place only after its checksum matched (``checksums``: as in
    :func:`load_mnist`; default the published ones; a download is never accepted
    unchecked). Raises ``FileNotFoundError`` saying where to put the files when no
    mirror delivers.
    """
    spec = _dataset(dataset)
    expected = {**spec.checksums, **(checksums or {})}
    directory = find_data_dir(data_dir, dataset)  # a named folder must exist
    urls = tuple(mirrors) if mirrors is not None else spec.mirrors
    directory.mkdir(parents=True, exist_ok=True)  # only the default cache can be missing
    for stem in FILES:
        if _find(directory, stem) is not None:
            continue
        dest = directory / (stem + ".gz")
        errors: list[str] = []
        for base in urls:
            url = base.rstrip("/") + "/" + dest.name
            try:
                limit = _download_limit(spec, stem)
                _download_one(url, dest, expected[stem], progress, timeout, limit)
                break
            except (OSError, DataError) as e:  # URLError, HTTPError, timeouts are OSErrors
                errors.append(f"  {url}: {e}")
        else:
            raise FileNotFoundError(_missing_message(spec, directory, stem, errors))
    return directory


def _missing_message(spec: Dataset, directory: Path, stem: str, errors: list[str]) -> str:
    tried = "\n".join(errors) if errors else "  (download disabled)"
    return (
        f"{spec.name} file {stem}.gz is not in {directory} and could not be downloaded:\n"
        f"{tried}\n"
        f"Put the four files {', '.join(f + '.gz' for f in FILES)} (or uncompressed) "
        f"into {directory}, or into any folder and set {spec.env_var}=/that/folder "
        "(or pass data_dir=...)."
    )


# ----------------------------------------------------------------------- load


def load_mnist(
    data_dir: str | os.PathLike[str] | None = None,
    *,
    dataset: str = "mnist",
    flatten: bool = True,
    verify: bool = True,
    checksums: Mapping[str, Sequence[str]] | None = None,
    download: bool = True,
    mirrors: Sequence[str] | None = None,
    progress: bool = True,
) -> MNISTData:
    """Load MNIST (or Fashion-MNIST) as ``(x_train, y_train, x_test, y_test)``.

    Images are float32 in ``[0, 1]`` (pixel / 255), shape ``(n, 784)`` with
    ``flatten=True`` (the input layer of the series' network: row by row, 28
    pixels a row) or ``(n, 28, 28)``; labels are int64 digits 0..9.
    Full MNIST: 60,000 training and 10,000 test examples.

    Args:
        data_dir: folder holding the four IDX files (``.gz`` or raw). ``None``:
            ``$MNIST_DIR`` (``$FASHION_MNIST_DIR``), else a per-user cache dir
            (see :func:`default_data_dir`).
        dataset: ``"mnist"`` or ``"fashion"`` (Fashion-MNIST, same format).
        flatten: return images as rows of 784 instead of 28x28.
        verify: check each file's checksum against ``checksums``.
        checksums: file stem (``"train-images-idx3-ubyte"``) -> accepted digests
            (MD5 of the stored file or SHA-256 of its content); ``None`` = the data
            set's published ones. Stems left out are not checked (handy for
            small files of your own).
        download: fetch missing files from public mirrors (with a progress bar
            when ``progress``), verified against ``checksums`` (or the published
            ones) even when ``verify=False``; ``False`` raises ``FileNotFoundError``
            instead.
        mirrors: base URLs to try instead of the built-in ones.

    Raises:
        FileNotFoundError: files missing and not downloadable; the message says
            where to put them.
        DataError: a file is truncated, corrupted, has a wrong magic number or
            size, labels outside 0..9, or images and labels of different counts;
            :class:`ChecksumError` when a checksum does not match.
    """
    spec = _dataset(dataset)
    directory = find_data_dir(data_dir, dataset)
    if download and any(_find(directory, stem) is None for stem in FILES):
        download_mnist(  # data_dir as given: only the default cache may be created
            data_dir, dataset=dataset, mirrors=mirrors, checksums=checksums, progress=progress
        )
    paths = [_found(spec, directory, stem) for stem in FILES]
    expected = spec.checksums if checksums is None else checksums
    want = [expected.get(stem) if verify else None for stem in FILES]
    x_train = _read_images(paths[0], want[0], flatten)
    y_train = _read_labels(paths[1], want[1])
    x_test = _read_images(paths[2], want[2], flatten)
    y_test = _read_labels(paths[3], want[3])
    _check_counts("train", (x_train, y_train), (paths[0], paths[1]))
    _check_counts("test", (x_test, y_test), (paths[2], paths[3]))
    return MNISTData(x_train, y_train, x_test, y_test)


def _found(spec: Dataset, directory: Path, stem: str) -> Path:
    """The file ``stem`` in ``directory`` (``.gz`` or raw), or an error saying where to put it."""
    found = _find(directory, stem)
    if found is None:
        raise FileNotFoundError(_missing_message(spec, directory, stem, []))
    return found


def _read_images(
    path: Path, checksums: Sequence[str] | None, flatten: bool
) -> npt.NDArray[np.float32]:
    """An images file as float32 in ``[0, 1]``, ``(n, 784)`` (or ``(n, 28, 28)``)."""
    # The header must claim 28x28 images before any pixel is read (bounded reads).
    a = read_idx(path, magic=IMAGES_MAGIC, checksums=checksums, shape=(None, 28, 28))
    x = a.reshape(len(a), 784) if flatten else a
    # One pass uint8 -> float32, then an in-place scale.
    xf = x.astype(np.float32)
    xf *= np.float32(1.0 / 255.0)
    return xf


def _read_labels(path: Path, checksums: Sequence[str] | None) -> npt.NDArray[np.int64]:
    """A labels file as int64 digits, each checked to be 0..9."""
    a = read_idx(path, magic=LABELS_MAGIC, checksums=checksums, shape=(None,))
    if a.size and int(a.max()) > 9:
        raise DataError(f"{path}: label {int(a.max())} outside 0..9")
    return a.astype(np.int64)


def _check_counts(split: str, arrays: tuple[Any, Any], paths: tuple[Path, Path]) -> None:
    """Refuse a split whose images and labels differ in count (:class:`DataError`)."""
    (x, y), (x_path, y_path) = arrays, paths
    if len(x) != len(y):
        raise DataError(
            f"{split} images and labels differ in count: {x_path} has "
            f"{len(x):,} images, {y_path} has {len(y):,} labels"
        )


# ------------------------------------------------------------------- batches


def num_batches(n: int, batch_size: int, drop_last: bool = False) -> int:
    """How many mini-batches :func:`batches` yields for ``n`` examples.

    Raises:
        TypeError, ValueError: ``n`` or ``batch_size`` is not a whole number (>= 0, >= 1).
    """
    n = positive_int(n, "num_batches: n", minimum=0)
    batch_size = positive_int(batch_size, "batch_size")
    return n // batch_size if drop_last else -(-n // batch_size)


def batches(
    x: npt.NDArray[Any],
    y: npt.NDArray[Any] | None = None,
    batch_size: int = 32,
    *,
    shuffle: bool = True,
    seed: int | np.random.Generator | None = None,
    drop_last: bool = False,
) -> Iterator[tuple[npt.NDArray[Any], npt.NDArray[Any]]]:
    """Yield ``(x_batch, y_batch)`` mini-batches covering every example once (one epoch).

    With ``shuffle`` the order is a random permutation drawn from ``seed`` (an int,
    a ``numpy.random.Generator`` to continue across epochs, or ``None`` for fresh
    entropy). The last batch keeps the remainder (``n % batch_size`` examples)
    unless ``drop_last``. Each batch is gathered by index (``np.take``), so only
    one batch is ever copied, never the whole shuffled array. With ``y=None``
    the second element of each pair is the index array of the batch.

    Raises:
        TypeError, ValueError: ``batch_size`` is not an int >= 1 (``2.5`` is refused, not
            truncated); ``x`` and ``y`` differ in length.
    """
    batch_size = positive_int(batch_size, "batch_size")
    n = len(x)
    if y is not None and len(y) != n:
        raise ValueError(f"x and y differ in length: {n} and {len(y)}")
    if shuffle:
        rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
        order = rng.permutation(n)
    else:
        order = np.arange(n)
    stop = num_batches(n, batch_size, drop_last) * batch_size
    for start in range(0, stop, batch_size):
        idx = order[start : start + batch_size]
        xb = np.take(x, idx, axis=0)
        yield xb, (np.take(y, idx, axis=0) if y is not None else idx)


#: Alias with the name some tutorials use.
iterate_minibatches = batches


def one_hot(labels: npt.ArrayLike, num_classes: int = 10, dtype: Any = np.float32) -> Any:
    """Rows of zeros with a 1 at each label: ``one_hot([2], 4) == [[0, 0, 1, 0]]``.

    The target vectors of the series' quadratic cost (the desired output layer).

    Raises:
        TypeError: labels that are not integers (``2.7``, ``True``: refused, never
            truncated), or a ``num_classes`` that is not an int.
        ValueError: a label outside ``0..num_classes - 1``.
    """
    num_classes = positive_int(num_classes, "one_hot: num_classes")
    y = int_labels(labels, "one_hot")
    if y.size and (y.min() < 0 or y.max() >= num_classes):
        raise ValueError(f"labels must lie in 0..{num_classes - 1}, got {y.min()}..{y.max()}")
    return (y[..., None] == np.arange(num_classes)).astype(dtype)


def random_shift(
    x: npt.NDArray[Any], rng: np.random.Generator, max_shift: int = 2, side: int = 28
) -> npt.NDArray[Any]:
    """Each image moved by its own random offset of up to ``max_shift`` pixels in x and y.

    Data augmentation for :func:`nn.fit` (``augment=random_shift``): the network
    sees a slightly different copy of each digit every epoch, which makes it rely
    less on exact pixel positions. Pixels shifted in from outside are 0. Works on
    rows of ``side * side`` pixels or on ``(n, side, side)`` images; returns a new
    array of the same shape.
    """
    max_shift = positive_int(max_shift, "random_shift: max_shift", minimum=0)
    side = positive_int(side, "random_shift: side")
    n = len(x)
    images = x.reshape(n, side, side)
    m = max_shift
    padded = np.zeros((n, side + 2 * m, side + 2 * m), dtype=x.dtype)
    padded[:, m : m + side, m : m + side] = images
    oy = rng.integers(0, 2 * m + 1, n)
    ox = rng.integers(0, 2 * m + 1, n)
    grid = np.arange(side)
    rows = (oy[:, None] + grid)[:, :, None]
    cols = (ox[:, None] + grid)[:, None, :]
    out: npt.NDArray[Any] = padded[np.arange(n)[:, None, None], rows, cols]
    return out.reshape(x.shape)
