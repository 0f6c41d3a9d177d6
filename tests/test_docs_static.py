"""docs/conventions.rst lists every loss's static hyperparameters (LossInfo.static).

The list in the "Static hyperparameters" subsection is written by hand; this test
reads the registry so that it cannot drift: every ``(loss, name)`` pair of every
``LossInfo.static`` has a bullet naming both, and every bullet names a registered
loss whose ``static`` holds the names it lists.
"""

from __future__ import annotations

import re
from pathlib import Path

from support.registry import LOSSES

PAGE = Path(__file__).resolve().parents[1] / "docs" / "conventions.rst"


def _section() -> str:
    text = PAGE.read_text(encoding="utf-8")
    start = text.index("Static hyperparameters\n~~~")
    end = text.index("\nErrors\n------", start)
    return text[start:end]


def _bullets() -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for line in _section().splitlines():
        m = re.match(r"\* :func:`(\w+)`: (.*)", line)
        if m:
            out[m.group(1)] = set(re.findall(r"``(\w+)``", m.group(2)))
    return out


def test_every_static_hyperparameter_is_listed() -> None:
    bullets = _bullets()
    for info in LOSSES:
        for name in info.static:
            assert name in bullets.get(info.name, set()), (
                f"docs/conventions.rst does not list {info.name}'s static {name!r}"
            )


def test_every_listed_static_hyperparameter_is_registered() -> None:
    static = {info.name: set(info.static) for info in LOSSES}
    for loss, names in _bullets().items():
        assert loss in static, f"docs list {loss}, which is not registered"
        assert names <= static[loss], f"docs list {names - static[loss]} for {loss}"
