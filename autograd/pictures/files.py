"""Writing files all or nothing: :func:`write_atomic`, the one way valuegrad writes a file.

Every file the package writes goes through it: graph pictures (``save_graph``, the
GIF, the stepper page), checkpoints (:func:`nn.serialize.save_state`), plots, the
explorer page, ``History.save_json`` and downloads. So a write either completes or
leaves everything as it was:

* the data goes to a temporary file in the same folder, is flushed to disk
  (``fsync``) and only then renamed over the target (:func:`os.replace`, atomic on
  POSIX and Windows); an exception (a full disk, Ctrl-C) removes the temporary file;
* a target that is a **symlink** keeps its link: the file it points to is replaced;
* an existing target keeps its **permission bits**; a new file gets ``0o666 & ~umask``;
* a write killed outright (SIGKILL, power loss) can leave a temporary file behind.
  Its name says whose it was (``.{name}.{pid}.{random}.valuegrad-tmp``) and the next
  write to the same target removes those whose process is gone.
"""

from __future__ import annotations

import contextlib
import math
import os
import re
import stat
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

__all__ = ["TEXT_PX_KEY", "TMP_SUFFIX", "smallest_svg_text_px", "write_atomic"]

#: The PNG or GIF text entry in which a picture records the size of its smallest text,
#: in pixels of the file: shown at scale ``s`` on a page, that text is ``s`` times it
#: (the docs' tests check it is at least 11 px at 800 and 1280 px wide windows).
TEXT_PX_KEY = "valuegrad:smallest-text-px"


def smallest_svg_text_px(svg: str, dpi: float = 96) -> float:
    """The smallest ``font-size`` of a Graphviz SVG (in points), as pixels at ``dpi``."""
    sizes = [float(s) for s in re.findall(r'font-size="([\d.]+)"', svg)]
    return min(sizes, default=math.inf) * dpi / 72


#: How a temporary file of :func:`write_atomic` ends (so it is recognised and cleaned up).
TMP_SUFFIX = ".valuegrad-tmp"

Writer = Callable[[BinaryIO], None]


def write_atomic(path: str | os.PathLike[str], data: bytes | Writer) -> Path:
    """Write ``data`` to ``path`` through a temporary file and a rename: all or nothing.

    Args:
        path: the file to write (through a symlink: the file the link points to).
        data: the bytes, or a function that writes them into the open binary file
            it is given (e.g. ``lambda f: np.savez(f, **arrays)``); whatever it raises
            is raised here, with the old file untouched.

    Returns:
        ``path`` as a ``Path``.

    Raises:
        IsADirectoryError: ``path`` is a folder.
        FileNotFoundError: the folder ``path`` would be in does not exist.
        OSError: the disk is full, or the folder is not writable (old file untouched).
    """
    target = Path(path)
    real = Path(os.path.realpath(target))  # write the link's target, keep the link
    # Checked here, so that the error names the file asked for, not the temporary one.
    if real.is_dir():
        raise IsADirectoryError(f"cannot write {target}: it is a folder")
    if not real.parent.is_dir():
        raise FileNotFoundError(f"cannot write {target}: the folder {real.parent} does not exist")
    _remove_stale(real)
    mode = _mode_for(real)
    fd, tmp = tempfile.mkstemp(
        dir=real.parent, prefix=f".{real.name}.{os.getpid()}.", suffix=TMP_SUFFIX
    )
    try:
        with os.fdopen(fd, "wb") as f:
            if callable(data):
                data(f)
            else:
                f.write(data)
            f.flush()
            os.fsync(f.fileno())  # the bytes are on disk before the name points at them
        os.chmod(tmp, mode)  # mkstemp makes 0600 files
        os.replace(tmp, real)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    _fsync_dir(real.parent)
    return target


def _mode_for(real: Path) -> int:
    """The permission bits the written file gets: the old file's, else ``0o666 & ~umask``."""
    try:
        return stat.S_IMODE(os.stat(real).st_mode)
    except FileNotFoundError:
        return 0o666 & ~_umask()


def _umask() -> int:
    """The process's umask, read without changing it where the OS tells it (Linux:
    /proc), so that a file another thread creates meanwhile gets its usual mode."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:  # read-only
            for line in status:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    umask = os.umask(0)  # elsewhere it can only be read by setting it
    os.umask(umask)
    return umask


def _remove_stale(real: Path) -> None:
    """Delete temporary files of earlier writes to ``real`` whose process has died."""
    prefix = f".{real.name}."
    with contextlib.suppress(OSError), os.scandir(real.parent) as entries:
        for entry in entries:
            name = entry.name
            if not (name.startswith(prefix) and name.endswith(TMP_SUFFIX)):
                continue
            pid = name[len(prefix) :].split(".", 1)[0]
            if pid.isdigit() and not _alive(int(pid)):
                with contextlib.suppress(OSError):
                    os.unlink(entry.path)


def _alive(pid: int) -> bool:
    """Whether process ``pid`` exists (a process we may not signal exists too)."""
    if pid == os.getpid() or os.name != "posix":  # elsewhere os.kill(pid, 0) would kill it
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError):
        return True
    return True


def _fsync_dir(directory: Path) -> None:
    """Make the rename itself durable (best effort: not every OS lets you open a folder)."""
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
