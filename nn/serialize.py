"""Saving and loading state dicts as ``.npz`` files: atomic writes, bounded reads.

:func:`save_state` never leaves a half-written checkpoint in place of a good one:
it writes through :func:`autograd.pictures.files.write_atomic` (a temporary file in
the same directory, flushed to disk, then renamed over the target), so if anything
fails (a full disk, an exception, Ctrl-C) the previous file at ``path`` is untouched,
with its permissions and, when it is a symlink, its link.

:func:`load_state` reads every array's header (shape and dtype, from the ``.npy``
header inside the zip) before reading its numbers, so a checkpoint whose arrays are
not the expected ones, or whose sizes do not add up, is refused without loading it.
"""

from __future__ import annotations

import os
import zipfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any, BinaryIO

import numpy as np
from numpy.typing import NDArray

from nn.module import check_keys

__all__ = ["load_state", "save_state"]

#: ``{name: shape}`` a checkpoint must hold (e.g. from a model's parameters).
Shapes = Mapping[str, tuple[int, ...]]


def save_state(state: Mapping[str, Any], path: str | os.PathLike[str]) -> Path:
    """Write ``{name: array}`` to ``path`` as an uncompressed ``.npz``, atomically.

    The file name is used as given (no ``.npz`` is appended); missing folders are
    made. Returns the path.

    Raises:
        TypeError: a value is not a numeric array (nothing is written).
        OSError: the write failed (the old file is untouched).
    """
    # The writer lives with the pictures (one helper for every file the package
    # writes); imported here so that `import nn` does not load the pictures.
    from autograd.pictures.files import write_atomic

    target = Path(path)
    arrays = {str(k): np.asarray(v) for k, v in state.items()}
    for k, v in arrays.items():
        if v.dtype == object:
            raise TypeError(f"save_state: {k!r} is not a numeric array (dtype object)")
    directory = target.parent if str(target.parent) else Path(".")
    directory.mkdir(parents=True, exist_ok=True)

    def write(f: BinaryIO) -> None:
        np.savez(f, **arrays)  # type: ignore[arg-type]

    return write_atomic(target, write)


#: The most bytes of arrays :func:`load_state` reads unless told otherwise (1 GiB).
MAX_STATE_BYTES = 1 << 30


def load_state(
    path: str | os.PathLike[str],
    expected: Shapes | None = None,
    max_bytes: int = MAX_STATE_BYTES,
) -> dict[str, NDArray[Any]]:
    """Read a ``.npz`` written by :func:`save_state` back into ``{name: array}``.

    Each array's ``.npy`` header is read first: its shape and dtype must account for
    exactly the bytes the zip says it holds, all arrays together at most
    ``max_bytes``, and with ``expected`` the names and shapes must be those, all
    before any array's numbers are read (or decompressed).

    Raises:
        FileNotFoundError: no file at ``path``.
        ValueError: not a readable ``.npz``; an array whose header does not match its
            size; with ``expected``, a wrong shape (the message names the array).
        KeyError: with ``expected``, missing or unexpected names.
    """
    target = Path(path)
    if not target.exists():
        raise FileNotFoundError(f"load_state: no checkpoint at {str(target)!r}")
    where = f"load_state: {str(target)!r}"
    try:
        with zipfile.ZipFile(target) as zf:
            total = sum(info.file_size for info in zf.infolist())  # from the zip's directory
            if total > max_bytes:
                raise ValueError(
                    f"{where}: holds {total:,} bytes of arrays, more than the {max_bytes:,} "
                    "accepted (pass max_bytes= for a larger checkpoint)"
                )
            shapes = {name: _member_shape(zf, info, where) for name, info in _members(zf, where)}
            if expected is not None:
                _check_shapes(shapes, expected, where)
        with np.load(target, allow_pickle=False) as npz:
            return {k: npz[k] for k in npz.files}
    except (OSError, zipfile.BadZipFile, EOFError, ValueError) as err:
        if str(err).startswith(where):
            raise  # one of ours, already naming the file and the array

        raise ValueError(f"{where} is not a readable .npz checkpoint ({err})") from None


def _members(zf: zipfile.ZipFile, where: str) -> list[tuple[str, zipfile.ZipInfo]]:
    """``(array name, zip entry)`` for each ``name.npy`` in the archive."""
    out = []
    for info in zf.infolist():
        if not info.filename.endswith(".npy"):
            raise ValueError(f"{where}: holds {info.filename!r}, which is not an array (.npy)")
        out.append((info.filename[: -len(".npy")], info))
    return out


def _member_shape(zf: zipfile.ZipFile, info: zipfile.ZipInfo, where: str) -> tuple[int, ...]:
    """The shape in one member's ``.npy`` header, after checking that it sizes the member."""
    name = info.filename.removesuffix(".npy")  # the array's name, as in the state dict
    try:
        with zf.open(info) as f:
            version = np.lib.format.read_magic(f)
            if version == (1, 0):
                shape, _, dtype = np.lib.format.read_array_header_1_0(f)
            else:
                shape, _, dtype = np.lib.format.read_array_header_2_0(f)
            header_len = f.tell()
    except ValueError as err:
        raise ValueError(f"{where}: {name!r} has no valid .npy header ({err})") from None
    if dtype.hasobject:
        raise ValueError(f"{where}: {name!r} holds Python objects, not numbers")
    data_bytes = int(np.prod(shape, dtype=object)) * dtype.itemsize  # Python ints: no overflow
    if info.file_size != header_len + data_bytes:
        raise ValueError(
            f"{where}: {name!r} claims shape {shape} of {dtype} ({data_bytes:,} bytes) "
            f"but holds {info.file_size - header_len:,} bytes"
        )
    return tuple(int(d) for d in shape)


def _check_shapes(found: Mapping[str, tuple[int, ...]], expected: Shapes, where: str) -> None:
    """Refuse missing or unexpected names (``KeyError``) and wrong shapes (``ValueError``)."""
    check_keys(found, list(expected), where)
    for k, shape in expected.items():
        if tuple(found[k]) != tuple(shape):
            raise ValueError(f"{where}: {k!r} has shape {found[k]}, expected {tuple(shape)}")
