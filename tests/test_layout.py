"""The package's layout keeps the rules of CONTRIBUTING.md (read with ``ast``, nothing run).

- no import circle between the package's modules;
- loss code never imports a framework: only ``_lib/`` (and the adapters, which exist
  to import one) may name torch, jax, cupy, dask or keras;
- a family module imports another family only through its public package or its
  ``_common.py``;
- no module named after when it was written, no docstring naming an issue;
- every family has its ``_cases.py`` and is in the registry.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from arrayloss import _registry

SRC = Path(__file__).resolve().parents[1] / "src" / "arrayloss"
FRAMEWORKS = {"torch", "jax", "jaxlib", "cupy", "dask", "keras", "tensorflow", "flax", "optax"}
# modules that exist to bind one framework: the compat layer and the adapters
FRAMEWORK_MODULES = ("_lib", "torch.py", "keras.py", "_bench.py", "_cli.py", "_bakeoff")
HISTORY_WORDS = re.compile(r"(extra|survey|paper|catalogue|round\d|new|old|misc|more)")


def _modules() -> dict[str, Path]:
    out = {}
    for path in sorted(SRC.rglob("*.py")):
        parts = path.relative_to(SRC.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        out[name] = path
    return out


MODULES = _modules()


def _imports(name: str, path: Path) -> list[tuple[str, bool]]:
    """``(module, at_import_time)`` for each import of the module at ``path``."""
    tree = ast.parse(path.read_text())
    package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    top = {id(n) for n in tree.body}
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(a.name, id(node) in top) for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            if node.module is None:  # from . import x: x may be a module
                found += [(f"{module}.{a.name}", id(node) in top) for a in node.names]
            else:
                found.append((module, id(node) in top))
    return found


def _internal(target: str) -> str | None:
    while target and target not in MODULES:
        target = target.rpartition(".")[0]
    return target or None


def test_no_import_circle() -> None:
    graph = {
        name: {
            t
            for imp, eager in _imports(name, path)
            if eager and (t := _internal(imp)) and t != name and not name.startswith(t + ".")
        }
        for name, path in MODULES.items()
    }
    state: dict[str, int] = {}

    def visit(node: str, stack: list[str]) -> None:
        state[node] = 1
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                cycle = [*stack[stack.index(nxt) :], nxt] if nxt in stack else [node, nxt]
                pytest.fail("import circle: " + " -> ".join(cycle))
            if nxt not in state:
                visit(nxt, [*stack, nxt])
        state[node] = 2

    for name in graph:
        if name not in state:
            visit(name, [name])


@pytest.mark.parametrize("name", sorted(MODULES))
def test_loss_code_imports_no_framework(name: str) -> None:
    path = MODULES[name]
    relative = path.relative_to(SRC).as_posix()
    if relative.startswith(FRAMEWORK_MODULES):
        return
    named = {imp.split(".")[0] for imp, _ in _imports(name, path)} & FRAMEWORKS
    assert not named, f"{relative} imports {sorted(named)}: backend branches belong in _lib/"


@pytest.mark.parametrize("family", _registry.FAMILIES)
def test_family_imports_other_families_only_through_their_public_names(family: str) -> None:
    for name, path in MODULES.items():
        if not name.startswith(f"arrayloss.{family}."):
            continue
        for imp, _ in _imports(name, path):
            parts = imp.split(".")
            if len(parts) < 3 or parts[0] != "arrayloss" or parts[1] in (family, "_lib"):
                continue
            if parts[1] in _registry.FAMILIES:
                assert parts[2] in ("_common", "__init__") or not parts[2].startswith("_"), (
                    f"{name} imports {imp}: use arrayloss.{parts[1]}'s public names or _common"
                )


@pytest.mark.parametrize("name", sorted(MODULES))
def test_module_names_say_what_they_hold(name: str) -> None:
    stem = name.rsplit(".", 1)[-1].lstrip("_")
    assert not HISTORY_WORDS.search(stem), f"{name}: a module is named by what it holds"
    text = MODULES[name].read_text()
    assert not re.search(r"\bissue\s+#?\d+", text, re.I), f"{name} names an issue"


@pytest.mark.parametrize("family", _registry.FAMILIES)
def test_every_family_has_cases_and_is_registered(family: str) -> None:
    assert (SRC / family / "_cases.py").is_file()
    assert (SRC / family / "__init__.py").is_file()
    assert any(info.family == family for info in _registry.LOSSES)
    packages = {p.parent.name for p in SRC.glob("*/_cases.py")}
    assert packages == set(_registry.FAMILIES)
