"""Test configuration shared by the suite and the doctests.

The ``backend`` fixture (and its namespace, ``xp``) parametrizes a test over every
backend of the conformance suite; see ``tests/support/backends.py``.
"""

from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import settings

sys.path.insert(0, str(Path(__file__).parent / "tests"))
# Keras reads its backend once, at import: JAX unless the caller chose (never TensorFlow,
# which has no Array API namespace). The Keras adapter tests run each backend in its
# own process.
os.environ.setdefault("KERAS_BACKEND", "jax")

# the adapters import their framework: no doctest collection where it is missing
collect_ignore = [
    f"src/arrayloss/{module}.py"
    for module in ("torch", "keras")
    if importlib.util.find_spec(module) is None
]

from support.backends import ALL_BACKENDS, Backend, make_backend, skip_reason  # noqa: E402

# Property tests draw the same examples on every run: CI must not turn red on a
# new random draw. HYPOTHESIS_PROFILE=explore searches afresh.
settings.register_profile("deterministic", derandomize=True, deadline=None)
settings.register_profile("explore", deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "deterministic"))


def _backend_params() -> list[Any]:
    params = []
    for name in ALL_BACKENDS:
        reason = skip_reason(name)
        marks = [pytest.mark.skip(reason=reason)] if reason else []
        params.append(pytest.param(name, id=name, marks=marks))
    return params


@pytest.fixture(params=_backend_params(), scope="session")
def backend(request: pytest.FixtureRequest) -> Backend:
    """Every backend of the conformance suite that can run here."""
    return make_backend(request.param)


@pytest.fixture
def xp(backend: Backend) -> Any:
    """The Array API namespace arrayloss infers for ``backend``'s arrays."""
    return backend.xp


@pytest.fixture(autouse=True)
def _doctest_namespace(doctest_namespace: dict[str, Any]) -> None:
    import numpy as np

    import arrayloss

    doctest_namespace["np"] = np
    doctest_namespace["al"] = arrayloss
