"""Every file valuegrad writes is written all or nothing (issue 19, item 4).

Each writer of the package (checkpoints, History JSON, plots, the explorer page,
graph pictures in every format, downloads) is run over an existing file while a
fault is injected at each step of the write: the data write, the fsync, the chmod,
the rename, an exception or Ctrl-C from inside, and a full disk (``RLIMIT_FSIZE`` in
a subprocess). Afterwards the old file must be byte-identical, keep its permission
bits and, when it was reached through a symlink, the link; no temporary file may be
left behind. A write killed with SIGKILL leaves its temporary file, which the next
write to the same target removes.
"""

from __future__ import annotations

import errno
import gzip
import hashlib
import io
import os
import signal
import stat
import subprocess
import sys
import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import nn
from autograd import Value
from autograd.pictures import files
from autograd.pictures.files import TMP_SUFFIX, write_atomic
from nn import data
from nn.serialize import save_state
from tests.tools import require

ROOT = Path(__file__).resolve().parents[1]
OLD = b"the old file, which must survive\n"


def _graph() -> Value:
    x = Value(2.0, label="x")
    y = (x * x).tanh()
    y.backward()
    return y


def _history() -> nn.History:
    return nn.History(
        epoch=[1, 2],
        loss=[0.5, 0.4],
        train_acc=[0.8, 0.9],
        test_acc=[0.7, 0.8],
        test_loss=[0.6, 0.5],
        lr=[0.1, 0.1],
        time=[1.0, 1.0],
    )


def _download(path: Path) -> None:
    """download_mnist of one file (the others present), served by a fake urlopen."""
    content = gzip.compress(bytes(8) + bytes(range(10)) * 3)
    for stem in data.FILES:
        if not path.name.startswith(stem):
            (path.parent / f"{stem}.gz").write_bytes(b"present")
    stem = path.name.removesuffix(".gz")
    sums = {stem: [hashlib.md5(content).hexdigest()]}
    data.download_mnist(path.parent, checksums=sums, mirrors=["https://x.example/"], progress=False)


#: Every writer of the package, by name: ``(file name, write(path))``.
WRITERS: dict[str, tuple[str, Callable[[Path], Any]]] = {
    "save_state": ("ckpt.npz", lambda p: save_state({"w": np.ones(3)}, p)),
    "TensorModule.save": ("model.npz", lambda p: nn.TensorMLP(2, [3], seed=0).save(p)),
    "History.save_json": ("h.json", lambda p: _history().save_json(p)),
    "plot_history": ("curves.png", lambda p: nn.plots.plot_history(_history(), p)),
    "write_explorer": (
        "e.html",
        lambda p: nn.write_explorer(nn.TensorMLP(784, [10], seed=0), p),
    ),
    "save_graph .dot": ("g.dot", lambda p: _save_graph(p)),
    "save_graph .svg": ("g.svg", lambda p: _save_graph(p)),
    "save_graph .tex": ("g.tex", lambda p: _save_graph(p)),
    "save_graph .html": ("g.html", lambda p: _save_graph(p)),
    "save_graph .gif": ("g.gif", lambda p: _save_graph(p)),
    "Graph.render": ("g.svg", lambda p: _render(p)),
    "download_mnist": ("train-labels-idx1-ubyte.gz", _download),
}


def _render(p: Path) -> None:
    """graphviz's ``render`` on a drawn graph: writes ``g.svg`` (the source is cleaned up)."""
    from autograd.pictures.draw import draw_graph

    draw_graph(_graph()).render(p.with_suffix(""), format="svg", cleanup=True)


def _save_graph(p: Path) -> None:
    from autograd.pictures.save import save_graph

    save_graph(_graph(), p)


def _needs_dot(writer: str) -> bool:
    """Every picture but DOT source is made with Graphviz's ``dot`` (TikZ: ``dot -Tjson``)."""
    return writer == "Graph.render" or (
        writer.startswith("save_graph") and not writer.endswith(".dot")
    )


def _skip_without_dot(writer: str) -> None:
    if _needs_dot(writer):
        require("dot")


class Fault(Exception):
    """The injected failure."""


def _raise(*args: Any, **kwargs: Any) -> None:
    raise Fault("injected")


class _FailingFile(io.FileIO):
    """A file that writes half of the first chunk, then fails as a full disk does."""

    def write(self, b: Any) -> int:
        super().write(bytes(memoryview(b)[: max(1, len(b) // 2)]))
        raise OSError(errno.ENOSPC, "No space left on device (injected)")


def _inject(point: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Make step ``point`` of every atomic write fail."""
    if point == "write":
        real = os.fdopen

        def fdopen(fd: int, mode: str = "r", *args: Any, **kwargs: Any) -> Any:
            return _FailingFile(fd, "w") if "w" in mode else real(fd, mode, *args, **kwargs)

        monkeypatch.setattr(files.os, "fdopen", fdopen)
    elif point == "interrupt":

        def fsync(fd: int) -> None:
            raise KeyboardInterrupt

        monkeypatch.setattr(files.os, "fsync", fsync)
    else:
        monkeypatch.setattr(files.os, point, _raise)


def _prepare(tmp_path: Path, name: str, via_link: bool) -> tuple[Path, Path]:
    """An old file (mode 0o640) at ``name``, or behind a symlink ``name``; (path, real file)."""
    real = tmp_path / ("real-" + name if via_link else name)
    real.write_bytes(OLD)
    os.chmod(real, 0o640)
    path = tmp_path / name
    if via_link:
        path.symlink_to(real.name)
    return path, real


def _assert_untouched(tmp_path: Path, path: Path, real: Path, via_link: bool) -> None:
    assert real.read_bytes() == OLD
    assert stat.S_IMODE(real.stat().st_mode) == 0o640
    if via_link:
        assert path.is_symlink() and os.readlink(path) == real.name
    leftovers = [p.name for p in tmp_path.iterdir() if p.name.endswith(TMP_SUFFIX)]
    assert leftovers == []


@pytest.mark.parametrize("via_link", [False, True], ids=["file", "symlink"])
@pytest.mark.parametrize("point", ["write", "fsync", "chmod", "replace", "interrupt"])
@pytest.mark.parametrize("writer", list(WRITERS))
def test_a_failed_write_leaves_the_old_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, writer: str, point: str, via_link: bool
) -> None:
    _skip_without_dot(writer)
    name, write = WRITERS[writer]
    path, real = _prepare(tmp_path, name, via_link)
    if writer == "download_mnist":
        real.unlink()  # a download only fetches missing files; the old file is elsewhere
        path = tmp_path / "dl" / name
        path.parent.mkdir()
        real = tmp_path / "dl" / "unrelated"
        real.write_bytes(OLD)
        os.chmod(real, 0o640)
        via_link = False
    _inject(point, monkeypatch)
    with pytest.raises((Fault, OSError, KeyboardInterrupt, FileNotFoundError)):
        write(path)
    _assert_untouched(path.parent, path, real, via_link)
    if writer == "download_mnist":
        assert not path.exists()


@pytest.mark.parametrize("writer", list(WRITERS))
def test_a_good_write_keeps_mode_and_symlink(tmp_path: Path, writer: str) -> None:
    _skip_without_dot(writer)
    if writer == "download_mnist":
        pytest.skip("a download never overwrites a file")
    name, write = WRITERS[writer]
    path, real = _prepare(tmp_path, name, via_link=True)
    write(path)
    assert path.is_symlink() and os.readlink(path) == real.name  # the link is kept
    assert real.read_bytes() != OLD  # the target was written
    assert stat.S_IMODE(real.stat().st_mode) == 0o640  # with its old permission bits
    assert [p for p in tmp_path.iterdir() if p.name.endswith(TMP_SUFFIX)] == []


FULL_DISK = textwrap.dedent(
    """
    import os, resource, signal, sys
    sys.path.insert(0, sys.argv[1])
    import tests.test_atomic_writes as t
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails with EFBIG
    names = sys.argv[3:]
    resource.setrlimit(resource.RLIMIT_FSIZE, (len(t.OLD) + 16, resource.RLIM_INFINITY))
    for name in names:
        file_name, write = t.WRITERS[name]
        path = os.path.join(sys.argv[2], name.replace(" ", "_"), file_name)
        try:
            write(t.Path(path))
        except OSError as err:
            print(name, "refused:", err.errno)
        else:
            print(name, "WROTE")
    """
)


def test_a_full_disk_leaves_the_old_files(tmp_path: Path) -> None:
    """RLIMIT_FSIZE makes every write past a few bytes fail, as a full disk would."""
    names = [n for n in WRITERS if n != "download_mnist"]  # a download writes no old file
    if any(_needs_dot(n) for n in names):
        require("dot")
    reals = {}
    for name in names:
        folder = tmp_path / name.replace(" ", "_")
        folder.mkdir()
        reals[name] = _prepare(folder, WRITERS[name][0], via_link=False)
    done = subprocess.run(
        [sys.executable, "-c", FULL_DISK, str(ROOT), str(tmp_path), *names],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=ROOT,
    )
    assert done.returncode == 0, done.stderr
    for name in names:
        assert f"{name} refused: {errno.EFBIG}" in done.stdout, done.stdout + done.stderr
        path, real = reals[name]
        _assert_untouched(path.parent, path, real, via_link=False)


KILLED = textwrap.dedent(
    """
    import sys, time
    sys.path.insert(0, sys.argv[1])
    from autograd.pictures.files import write_atomic

    def slow(f):
        f.write(b"half of the new file")
        f.flush()
        print("writing", flush=True)
        time.sleep(60)

    write_atomic(sys.argv[2], slow)
    """
)


def test_a_killed_write_leaves_a_temporary_file_the_next_write_removes(tmp_path: Path) -> None:
    path = tmp_path / "ckpt.npz"
    path.write_bytes(OLD)
    proc = subprocess.Popen(
        [sys.executable, "-c", KILLED, str(ROOT), str(path)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert proc.stdout is not None and proc.stdout.readline().strip() == "writing"
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait(30)
    stale = [p for p in tmp_path.iterdir() if p.name.endswith(TMP_SUFFIX)]
    assert len(stale) == 1 and str(proc.pid) in stale[0].name
    assert path.read_bytes() == OLD  # the kill came before the rename
    save_state({"w": np.zeros(2)}, path)
    assert [p for p in tmp_path.iterdir() if p.name.endswith(TMP_SUFFIX)] == []
    np.testing.assert_array_equal(nn.serialize.load_state(path)["w"], np.zeros(2))


def test_a_temporary_file_of_a_live_writer_is_left_alone(tmp_path: Path) -> None:
    mine = tmp_path / f".x.bin.{os.getpid()}.abc{TMP_SUFFIX}"
    mine.write_bytes(b"in progress")
    write_atomic(tmp_path / "x.bin", b"data")
    assert mine.exists()


def test_write_atomic_names_the_file_asked_for(tmp_path: Path) -> None:
    with pytest.raises(IsADirectoryError, match="it is a folder"):
        write_atomic(tmp_path, b"x")
    with pytest.raises(FileNotFoundError, match="does not exist"):
        write_atomic(tmp_path / "nope" / "x", b"x")
    assert list(tmp_path.iterdir()) == []


def _all_writers_known() -> Iterator[str]:
    """Source lines of the package that write a file without the atomic writer."""
    sources = [*ROOT.joinpath("nn").rglob("*.py"), *ROOT.joinpath("autograd").rglob("*.py")]
    for path in sorted(sources):
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            code = line.split("#", 1)[0]
            writes = ("write_text(", "write_bytes(", "open(", "np.save", "savefig(", ".save(")
            if any(w in code for w in writes):
                yield f"{path.relative_to(ROOT)}:{n}: {line.strip()}"


def test_no_writer_bypasses_write_atomic() -> None:
    """A new writer must use write_atomic: this lists every other way to open a file."""
    allowed = (
        "autograd/pictures/files.py",  # the writer itself
        "Image.open(",  # reading pictures
        ".open(io.BytesIO(",  # reading a picture from memory
        "savefig(f, ",  # into write_atomic's file
        "np.savez(f, ",  # into write_atomic's file
        "frames[0].save(",  # the GIF, into a buffer that write_atomic writes
        "model.save(",  # save_model: a module's own save (TensorModule.save is atomic)
        'p.open("rb")',  # reading
        "urlopen(",
        "gzip.GzipFile(",
        "zf.open(",
        "os.open(directory, os.O_RDONLY)",
        "f.open(",
        "resources",
        "importlib",
    )
    found = [w for w in _all_writers_known() if not any(a in w for a in allowed)]
    assert found == [], "\n".join(found)


def test_a_new_file_gets_the_mode_the_umask_gives(tmp_path: Path) -> None:
    old = os.umask(0o027)
    try:
        write_atomic(tmp_path / "new.bin", b"x")
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "new.bin").stat().st_mode) == 0o640
