"""Sphinx configuration of the arrayloss documentation.

Build with ``sphinx-build -W -b html docs docs/_build/html``. Sphinx's own
extensions and theme, plus ``sphinx-mathjax-offline``: MathJax is copied into the
built site (``_static/mathjax``) instead of loaded from a CDN, so the formulas render
offline.

The API reference lists every name of ``arrayloss.__all__``, grouped by the family
the registry (``arrayloss._registry``) gives it. The grouping and one page per
function are written here, into ``docs/api/generated/`` (not tracked), each time
the docs are built, so a new loss appears without editing the docs.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

import arrayloss
from arrayloss import _registry

HERE = Path(__file__).resolve().parent

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
    "sphinx-mathjax-offline",  # serves MathJax from _static/mathjax, not a CDN
]

autosummary_generate = False  # the pages are written below
autodoc_typehints = "none"  # the numpydoc Parameters sections say the types
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


# -- API pages ------------------------------------------------------------------------

GENERATED = HERE / "api" / "generated"


def api_sections() -> list[tuple[str, list[str]]]:
    """``(title, names)`` for every family, then the public names the catalogue lacks."""
    public = list(arrayloss.__all__)
    groups: dict[str, list[str]] = {family: [] for family in _registry.FAMILIES}
    for info in _registry.LOSSES:
        if info.name in public:
            groups.setdefault(info.family, []).append(info.name)
    listed = {name for names in groups.values() for name in names}
    other = [name for name in public if name not in listed]
    sections = [(family.capitalize(), names) for family, names in groups.items() if names]
    if other:
        sections.append(("Other", other))
    return sections


def _write(path: Path, text: str) -> None:
    """Write ``text`` unless ``path`` already holds it (keeps rebuilds incremental)."""
    if not path.exists() or path.read_text(encoding="utf-8") != text:
        path.write_text(text, encoding="utf-8")


def write_api_pages() -> None:
    GENERATED.mkdir(parents=True, exist_ok=True)
    sections = api_sections()
    names = [name for _, group in sections for name in group]
    for stale in GENERATED.glob("*.rst"):
        if stale.stem.removeprefix("arrayloss.") not in names:
            stale.unlink()
    for name in names:
        title = "arrayloss." + name.replace("_", r"\_")
        _write(
            GENERATED / f"arrayloss.{name}.rst",
            f"{title}\n{'=' * len(title)}\n\n.. currentmodule:: arrayloss\n\n"
            f".. autofunction:: {name}\n",
        )
    blocks = []
    for heading, group in sections:
        entries = "".join(f"   {name}\n" for name in group)
        blocks.append(
            f"{heading}\n{'-' * len(heading)}\n\n.. autosummary::\n"
            f"   :toctree: api/generated\n   :nosignatures:\n\n{entries}"
        )
    _write(GENERATED / "sections.inc", "\n".join(blocks))


def write_adapter_table() -> None:
    """The adapters page's table: each registered loss, its torch and Keras class or why not."""
    from arrayloss import _adapters

    rows = []
    for info in _registry.LOSSES:
        name = _adapters.class_name(info.name)
        torch_reason = _adapters.not_applicable(info)
        keras_reason = _adapters.keras_not_applicable(info)
        rows.append(
            f"   * - :func:`~arrayloss.{info.name}`\n"
            f"     - {'``' + name + '``' if torch_reason is None else torch_reason}\n"
            f"     - {'``' + name + '``' if keras_reason is None else keras_reason}\n"
        )
    _write(
        GENERATED / "adapters.inc",
        ".. list-table::\n   :header-rows: 1\n   :widths: 30 35 35\n\n"
        "   * - function\n     - ``arrayloss.torch``\n     - ``arrayloss.keras``\n"
        + "".join(rows),
    )


write_api_pages()
write_adapter_table()
