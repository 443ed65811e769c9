"""Progress bars: tqdm's notebook widget where it can be drawn, a text bar elsewhere.

``tqdm.auto`` picks the widget in Jupyter, but when ``ipywidgets`` is not installed it
warns ("IProgress not found") before falling back to text. We make the same choice
without the warning: the widget only when ``ipywidgets`` is importable.
"""

from __future__ import annotations

from importlib.util import find_spec
from typing import Any


def progress_bar(last: bool = True, **kwargs: Any) -> Any:
    """A ``tqdm`` bar (keyword arguments as for ``tqdm.tqdm``), widget or text as above.

    ``last=False`` (an epoch before the last): in a notebook the widget goes away when
    it is closed (``leave=False``), so a cell shows one bar that moves on, not one per
    epoch stacked up; a text bar stays, one line per epoch.
    """
    if find_spec("ipywidgets") is None:
        from tqdm.std import tqdm
    else:
        from tqdm.auto import tqdm
        from tqdm.notebook import tqdm as widget

        if not last and issubclass(tqdm, widget):
            kwargs["leave"] = False
    return tqdm(**kwargs)
