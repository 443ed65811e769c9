"""Writing picture files all or nothing: :func:`write_atomic`.

Every writer of :mod:`autograd.pictures` (``save_graph``, the GIF, the stepper page)
goes through it, so an interrupted or failed write never leaves a half-written file
where a good one was.
"""

from __future__ import annotations

import math
import os
import re
import tempfile
from pathlib import Path

__all__ = ["TEXT_PX_KEY", "smallest_svg_text_px", "write_atomic"]

#: The PNG or GIF text entry in which a picture records the size of its smallest text,
#: in pixels of the file: shown at scale ``s`` on a page, that text is ``s`` times it
#: (the docs' tests check it is at least 11 px at 800 and 1280 px wide windows).
TEXT_PX_KEY = "valuegrad:smallest-text-px"


def smallest_svg_text_px(svg: str, dpi: float = 96) -> float:
    """The smallest ``font-size`` of a Graphviz SVG (in points), as pixels at ``dpi``."""
    sizes = [float(s) for s in re.findall(r'font-size="([\d.]+)"', svg)]
    return min(sizes, default=math.inf) * dpi / 72


def write_atomic(path: str | os.PathLike[str], data: bytes) -> Path:
    """Write ``data`` to ``path`` through a temporary file and a rename: all or nothing.

    Returns:
        ``path`` as a ``Path``.

    Raises:
        IsADirectoryError: ``path`` is a folder.
        FileNotFoundError: the folder ``path`` would be in does not exist.
    """
    target = Path(path)
    # Checked here, so that the error names the file asked for, not the temporary one.
    if target.is_dir():
        raise IsADirectoryError(f"cannot write {target}: it is a folder")
    if not target.parent.is_dir():
        raise FileNotFoundError(f"cannot write {target}: the folder {target.parent} does not exist")
    fd, tmp = tempfile.mkstemp(dir=target.parent or ".", prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        umask = os.umask(0)  # read the umask (it can only be read by setting it)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp makes 0600 files; give the usual mode
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return target
