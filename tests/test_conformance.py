"""Conformance: every registered loss x case x backend against its float64 reference.

For each :class:`~arrayloss._lib._case.LossInfo` in ``arrayloss._registry.LOSSES``
and each of its cases, the loss runs on every backend that can run here (NumPy,
array-api-strict, torch, JAX, Dask; CuPy, torch-cuda and JAX-on-GPU where there is a
GPU; ``ARRAYLOSS_BACKENDS`` selects) on the case's float64 inputs, and its result is
checked in the array-api-extra order: namespace, dtype, shape and device first (a
wrong one fails with that message, not with a value diff), then the value against
``REFERENCES[name](*case.args, **case.kwargs)``, the independent float64 NumPy
implementation in ``tests/<family>/reference.py`` of the loss's family.

The reference module is found by the loss's family (the package it lives in), so a
new family plugs in by adding its ``tests/<family>/reference.py`` with a
``REFERENCES`` dict; a registered loss without an entry fails here.

``jax.jit`` is not a backend of this suite: ``jit == eager`` is the transformation
suite's test (``tests/test_transformations.py``), on the cases marked ``jit``.
"""

from __future__ import annotations

import functools
import importlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from arrayloss._lib._case import LossInfo
from support.backends import Backend
from support.reference import TOLERANCE, is_light
from support.registry import CASES, LOSSES, Row, is_array

TESTS = Path(__file__).resolve().parent


# -- the references, found by family ---------------------------------------------------------
@functools.cache
def references(family: str) -> dict[str, Callable[..., Any]]:
    """``REFERENCES`` of ``tests/<family>/reference.py`` (fails when there is none)."""
    path = TESTS / family / "reference.py"
    if not path.is_file():
        pytest.fail(f"family {family!r} has no {path.relative_to(TESTS.parent)}")
    module = importlib.import_module(f"{family}.reference")
    refs = getattr(module, "REFERENCES", None)
    if not isinstance(refs, dict):
        pytest.fail(f"{family}/reference.py defines no REFERENCES dict")
    return refs


def reference_of(info: LossInfo) -> Callable[..., Any]:
    refs = references(info.family)
    if info.name not in refs:
        pytest.fail(
            f"{info.name} is registered but tests/{info.family}/reference.py has no "
            f"REFERENCES[{info.name!r}]: every registered loss needs a float64 reference"
        )
    return refs[info.name]


def _copy(value: Any) -> Any:
    return value.copy() if isinstance(value, np.ndarray) else value


@functools.cache
def expected(index: int) -> Any:
    """The reference result of ``CASES[index]`` (computed once, on copies of its inputs)."""
    row = CASES[index]
    ref = reference_of(row.info)
    args = tuple(_copy(a) for a in row.case.args)
    kwargs = {k: _copy(v) for k, v in row.case.kwargs.items()}
    return ref(*args, **kwargs)


# -- calling a loss on a backend ---------------------------------------------------------------
def _to_backend(backend: Backend, value: Any) -> Any:
    """NumPy arrays become the backend's (float64 stays float64, integers keep theirs)."""
    return backend.asarray(value) if isinstance(value, np.ndarray) else value


def _leaves(value: Any) -> list[Any]:
    """The arrays of a result: a loss's array, or each array of a ``(loss, state)`` tuple."""
    if isinstance(value, tuple | list):
        return [leaf for v in value for leaf in _leaves(v)]
    if isinstance(value, dict):
        return [leaf for k in sorted(value) for leaf in _leaves(value[k])]
    return [value]


def _backend_dtype(backend: Backend, want: np.ndarray) -> Any:
    kind = want.dtype.kind
    if kind == "f":
        return backend.dtype("float64")
    if kind == "b":
        return backend.dtype("bool")
    return backend.dtype(want.dtype.name)


def _params() -> list[Any]:
    return [
        pytest.param(i, id=f"{row.info.name}[{row.case.label}]") for i, row in enumerate(CASES)
    ]


#: The index in CASES of each loss's first case: what the light backends run.
FIRST: frozenset[int] = frozenset(
    next(i for i, row in enumerate(CASES) if row.info is info) for info in LOSSES
)


# -- the suite ---------------------------------------------------------------------------------
@pytest.mark.parametrize("info", LOSSES, ids=lambda info: info.name)
def test_every_registered_loss_has_a_reference(info: LossInfo) -> None:
    assert callable(reference_of(info))


@pytest.mark.parametrize("family", sorted({info.family for info in LOSSES}))
def test_references_name_only_registered_losses(family: str) -> None:
    """A stale entry (a renamed or removed loss) would silently test nothing."""
    registered = {info.name for info in LOSSES if info.family == family}
    assert set(references(family)) <= registered, sorted(set(references(family)) - registered)


@pytest.mark.parametrize("index", _params())
def test_loss_matches_its_reference(backend: Backend, index: int) -> None:
    if backend.jit:
        pytest.skip("jit == eager is tests/test_transformations.py's test")
    if is_light(backend) and index not in FIRST:
        # eager JAX compiles every primitive per shape, Dask builds a graph per call:
        # there, each loss's first case (every loss, every family helper it calls)
        pytest.skip(f"{backend.name}: each loss's first case only (runtime)")
    row: Row = CASES[index]
    want = [np.asarray(w) for w in _leaves(expected(index))]
    args = tuple(_to_backend(backend, a) for a in row.case.args)
    kwargs = {k: _to_backend(backend, v) if is_array(v) else v for k, v in row.case.kwargs.items()}
    refusal = ""
    try:
        result = backend.call(row.info.loss(), *args, **kwargs)
    except NotImplementedError as error:
        if backend.name != "dask":
            raise
        refusal = str(error)
    if refusal:
        # the documented refusal of a sort on Dask (CONVENTIONS section 1): it names Dask
        assert "Dask" in refusal, refusal
        pytest.skip(f"{row.info.name} refuses Dask arrays: {refusal}")
    out = _leaves(result)
    assert len(out) == len(want), f"{len(out)} result arrays, the reference gives {len(want)}"
    for i, (got_arr, want_arr) in enumerate(zip(out, want, strict=True)):
        got = backend.check_result(
            got_arr, dtype=_backend_dtype(backend, want_arr), shape=want_arr.shape
        )
        if want_arr.dtype.kind in "biu":
            np.testing.assert_array_equal(got, want_arr, err_msg=f"result {i}")
        else:
            np.testing.assert_allclose(
                got, want_arr, err_msg=f"result {i}", **TOLERANCE["float64"]
            )
