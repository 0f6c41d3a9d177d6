"""Nox sessions: ``nox -l`` lists them, ``nox -s tests`` runs one.

* ``lint``: ruff check, ruff format --check, mypy --strict on ``src``.
* ``tests(backend='<name>')``, one per backend (numpy, array_api_strict, torch,
  jax, dask): the test-suite with ``ARRAYLOSS_BACKENDS=<name>``, in an environment
  with just that backend and the test tools installed (``nox -s tests`` runs all).
* ``doctests``: the examples in the docstrings.
* ``docs``: the Sphinx build, warnings as errors.
* ``bench``: ``arrayloss bench`` against the native peers (not a default session);
  arguments after ``--`` go to it, e.g. ``nox -s bench -- --full --compile``.
"""

from __future__ import annotations

import nox

nox.options.default_venv_backend = "venv"
nox.options.sessions = ["lint", "tests", "doctests", "docs"]

# torch is pinned: that CPU wheel is what the suite is tested with, and an unpinned
# torch pulls the newest CUDA build (several GB).
TORCH = "torch==2.13.0"

BACKENDS = {
    "numpy": [".[test]"],
    "array_api_strict": [".[test]"],
    "torch": [TORCH, ".[test]"],
    "jax": [".[test,jax]"],
    "dask": [".[test,dask]"],
}


@nox.session
def lint(session: nox.Session) -> None:
    session.install("-e", ".[lint,bakeoff]")  # matplotlib for the plots' types
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", ".")
    session.run("mypy", "src/arrayloss")


@nox.session
@nox.parametrize("backend", list(BACKENDS))
def tests(session: nox.Session, backend: str) -> None:
    session.install(*BACKENDS[backend])
    session.run(
        "python",
        "-m",
        "pytest",
        "tests",
        *session.posargs,
        env={"ARRAYLOSS_BACKENDS": backend},
    )


@nox.session
def doctests(session: nox.Session) -> None:
    session.install(".[test]")
    session.run("python", "-m", "pytest", "src/arrayloss", *session.posargs)


@nox.session
def docs(session: nox.Session) -> None:
    session.install("-e", ".[docs]")
    session.run("sphinx-build", "-W", "--keep-going", "-b", "html", "docs", "docs/_build/html")


@nox.session
def bench(session: nox.Session) -> None:
    session.install(TORCH, "-e", ".[test,jax,peers]")
    session.run(
        "arrayloss", "bench", "--csv", "benchmarks/results/cpu-quick.csv", *session.posargs
    )
