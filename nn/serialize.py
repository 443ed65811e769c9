"""Saving and loading state dicts as ``.npz`` files, atomically.

:func:`save_state` never leaves a half-written checkpoint in place of a good one:
it writes to a temporary file in the same directory, flushes it to disk
(``fsync``), and only then renames it over the target with :func:`os.replace`,
which is atomic on POSIX and Windows. If anything fails before the rename (a full
disk, an exception, Ctrl-C), the previous file at ``path`` is untouched and the
temporary file is removed.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
import zipfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

__all__ = ["load_state", "save_state"]


def save_state(state: Mapping[str, Any], path: str | os.PathLike[str]) -> Path:
    """Write ``{name: array}`` to ``path`` as an uncompressed ``.npz``, atomically.

    The file name is used as given (no ``.npz`` is appended). Returns the path.
    """
    target = Path(path)
    arrays = {str(k): np.asarray(v) for k, v in state.items()}
    for k, v in arrays.items():
        if v.dtype == object:
            raise TypeError(f"save_state: {k!r} is not a numeric array (dtype object)")
    directory = target.parent if str(target.parent) else Path(".")
    directory.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=directory)
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as f:
            np.savez(f, **arrays)  # type: ignore[arg-type]
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
    _fsync_dir(directory)
    return target


def _fsync_dir(directory: Path) -> None:
    """Make the rename itself durable (best effort: not every OS lets you open a dir)."""
    try:
        dfd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(dfd)
    except OSError:
        pass
    finally:
        os.close(dfd)


def load_state(path: str | os.PathLike[str]) -> dict[str, NDArray[Any]]:
    """Read a ``.npz`` written by :func:`save_state` back into ``{name: array}``."""
    target = Path(path)
    if not target.exists():
        raise FileNotFoundError(f"load_state: no checkpoint at {str(target)!r}")
    try:
        with np.load(target, allow_pickle=False) as npz:
            return {k: npz[k] for k in npz.files}
    except (ValueError, OSError, zipfile.BadZipFile, EOFError) as err:
        raise ValueError(
            f"load_state: {str(target)!r} is not a readable .npz checkpoint ({err})"
        ) from None
