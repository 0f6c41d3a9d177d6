"""Sphinx configuration of the arrayloss documentation.

Build with ``sphinx-build -W -b html docs docs/_build/html``. Only Sphinx's own
extensions and theme are used: no dependency beyond Sphinx and the package.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

import arrayloss

project = "arrayloss"
author = "arrayloss developers"
copyright = "arrayloss developers"
release = arrayloss.__version__
version = ".".join(release.split(".")[:2])

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.napoleon",
    "sphinx.ext.mathjax",
]

autosummary_generate = True
autodoc_typehints = "none"  # the numpydoc Parameters sections say the types
autodoc_member_order = "bysource"
napoleon_google_docstring = False
napoleon_numpy_docstring = True
napoleon_use_rtype = False

# The numpydoc "References" sections list footnotes (``.. [1] ...``) that the text
# does not always cite; an unreferenced footnote is not an error there.
suppress_warnings = ["ref.footnote"]

exclude_patterns = ["_build"]
templates_path: list[str] = []
html_theme = "alabaster"
html_static_path: list[str] = []
html_theme_options = {
    "description": "Loss functions written once against the Python Array API standard.",
}
