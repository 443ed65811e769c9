"""MkDocs hook: serve MathJax from the site itself, so formulas typeset offline.

The MathJax build comes from an installed Python package (the ``docs`` extra
installs ``django-static-mathjax``, a plain copy of MathJax 3's files), not from a
CDN and not committed here. ``tex-svg-full.js`` is one self-contained file: every
TeX extension and the SVG font are inside it, so nothing else is fetched later, from
a server or from ``file:``.
"""

from __future__ import annotations

from importlib.util import find_spec
from pathlib import Path
from typing import Any

from mkdocs.exceptions import PluginError
from mkdocs.structure.files import File, Files

#: Where the page's <script> tag points (listed in mkdocs.yml's extra_javascript).
SITE_PATH = "javascripts/mathjax/tex-svg-full.js"


def mathjax_file() -> Path:
    """The installed ``tex-svg-full.js``; a clear error if the package is missing."""
    spec = find_spec("mathjax")
    if spec is None or spec.origin is None:
        raise PluginError(
            "MathJax is not installed: pip install -e '.[docs]' (it brings "
            "django-static-mathjax, a copy of MathJax 3 that the site serves itself)"
        )
    path = Path(spec.origin).parent / "static" / "mathjax" / "es5" / "tex-svg-full.js"
    if not path.is_file():
        raise PluginError(f"{path} is missing: reinstall django-static-mathjax")
    return path


def on_files(files: Files, config: Any) -> Files:
    files.append(File.generated(config, SITE_PATH, abs_src_path=str(mathjax_file())))
    return files
