"""The registry's record types: :class:`Case`, :class:`Row`, :class:`Bench` and :class:`LossInfo`.

Each family's ``_cases.py`` holds one :class:`LossInfo` per public loss: the function,
its small deterministic float64 inputs (:class:`Case`), the rows that are smooth
enough for the transformation suite (:class:`Row`) and, where a native peer exists,
how ``arrayloss bench`` times it (:class:`Bench`). ``arrayloss list``/``check``, the
cross-cutting test suites and the bench all read that one registry.

A loss's description and paper are read from its own docstring (the summary line and
the first entry under ``References``) and its family from the package it lives in,
so nothing here restates the docstring. This module imports nothing of arrayloss and
no framework; NumPy is imported only when a case's inputs are built.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np

__all__ = ["Bench", "Case", "Data", "LossInfo", "Row", "generator"]

#: What a row's factory draws: the prediction, the target and the array-valued options.
Data = tuple[Any, Any, dict[str, Any]]


def generator(seed: int) -> np.random.Generator:
    """NumPy's generator for ``seed`` (NumPy is imported here, not at module import)."""
    import numpy as np

    return np.random.default_rng(seed)


@dataclass(frozen=True)
class Case:
    """One call of a loss: positional arrays and keyword arguments.

    Floating arrays are float64 and integer arrays int64. Keyword values that are
    arrays (``weights``, ``class_weights``, ...) are converted to the backend like
    the positional ones; the others are passed as they are (static under
    ``jax.jit``). ``grad`` marks a case whose value is one smooth piece around its
    first argument (finite differences apply): the transformation suite runs it
    under ``jax.grad``/``vmap``, torch ``gradcheck``/``torch.func``; ``jit`` adds the
    (slow, eager JAX) ``jax.jit`` == eager test; ``compile`` names the
    ``torch.compile`` backend of its fullgraph test. ``make`` draws new inputs of
    the same kind from a generator (the vmap tests stack several draws).
    """

    label: str
    args: tuple[Any, ...]
    kwargs: Mapping[str, Any] = field(default_factory=dict)
    grad: bool = False
    jit: bool = False
    compile: str | None = None
    make: Callable[[np.random.Generator], Data] | None = field(
        default=None, compare=False, repr=False
    )

    def redraw(self, seed: int) -> Case:
        """The same case on a new draw (the case itself when it has no factory)."""
        if self.make is None:
            return self
        preds, target, extra = self.make(generator(seed))
        static = {k: v for k, v in self.kwargs.items() if not _is_array(v)}
        return Case(
            self.label,
            _positional(preds, target),
            {**extra, **static},
            self.grad,
            self.jit,
            self.compile,
            self.make,
        )


@dataclass(frozen=True)
class Row:
    """A transformation-suite row: inputs drawn from ``make`` at seed 0, static ``kwargs``.

    ``make`` returns ``(prediction, target, array_options)``; a ``None`` target is
    left out of the call (losses of one array, such as ``inverseform_loss``).
    """

    label: str
    make: Callable[[np.random.Generator], Data]
    kwargs: Mapping[str, Any] = field(default_factory=dict)
    jit: bool = False
    compile: str | None = None

    def case(self) -> Case:
        preds, target, extra = self.make(generator(0))
        return Case(
            self.label,
            _positional(preds, target),
            {**extra, **self.kwargs},
            grad=True,
            jit=self.jit,
            compile=self.compile,
            make=self.make,
        )


@dataclass(frozen=True)
class Bench:
    """How ``arrayloss bench`` times a loss.

    ``kinds`` are the input kinds of the bench's sizes it runs on (``"probe"``,
    ``"probe-focal"``, ``"cls"``, ``"seg"``, ``"seg3d"``), ``inputs`` the kind of
    target it takes (``"index"``, ``"binary"``, ``"regression"``, ``"seg"``),
    ``kwargs`` our hyperparameters (the peers are given the same), and ``peers``
    builds the native peers of one backend (``"torch"``, ``"jax"``, ``"numpy"``):
    ``peers(backend, kwargs)`` returns ``{name: callable(x, y[, onehot])}``.
    """

    kinds: tuple[str, ...]
    inputs: str
    peers: Callable[[str, Mapping[str, Any]], dict[str, Callable[..., Any]]]
    kwargs: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class LossInfo:
    """A public loss and its cases.

    ``function`` is the public object (its name, docstring and package give the
    name, description, paper and family). ``call`` builds what is actually called
    when that differs (``combine`` is a factory: its cases run the loss it builds).
    ``returns_state`` marks a loss that returns ``(loss, new_state)`` and ``state`` names
    the argument that takes the state back in (the adapters keep it between calls);
    ``static`` names
    the numeric keyword arguments that must stay Python values (they set shapes or
    branches), which the hyperparameter suite then does not trace.
    """

    function: Callable[..., Any]
    make_cases: Callable[[], list[Case]] | None = field(default=None, compare=False)
    rows: tuple[Row, ...] = ()
    bench: Bench | None = None
    call: Callable[[], Callable[..., Any]] | None = field(default=None, compare=False)
    returns_state: bool = False
    static: tuple[str, ...] = ()
    state: str | None = None

    @property
    def name(self) -> str:
        return str(self.function.__name__)

    @property
    def family(self) -> str:
        """The family package the function lives in (``arrayloss.<family>._module``)."""
        return str(self.function.__module__).split(".")[1]

    @property
    def description(self) -> str:
        """The docstring's summary line, without its final full stop."""
        doc = inspect.getdoc(self.function) or ""
        first = doc.strip().split("\n\n", 1)[0]
        return " ".join(first.split()).rstrip(".")

    @property
    def paper(self) -> str:
        """The first entry under the docstring's ``References`` heading, on one line."""
        return first_reference(inspect.getdoc(self.function) or "")

    @property
    def citation(self) -> str:
        """The paper in a few words: ``"Lin et al. 2017, arXiv:1708.02002"``."""
        return short_citation(self.paper)

    def loss(self) -> Callable[..., Any]:
        """What the suites call: the function, or what ``call`` builds."""
        return self.function if self.call is None else self.call()

    def cases(self) -> list[Case]:
        """The loss's cases, then its transformation rows (builds NumPy arrays)."""
        made = [] if self.make_cases is None else self.make_cases()
        return made + [row.case() for row in self.rows]


_REFERENCE = re.compile(r"^\.\. \[1\]\s*(.*)$")


def first_reference(doc: str) -> str:
    """The text of ``.. [1]`` under ``References`` in a numpydoc docstring, on one line."""
    lines = doc.splitlines()
    for i, line in enumerate(lines):
        match = _REFERENCE.match(line.strip())
        if not match:
            continue
        parts = [match.group(1)]
        for more in lines[i + 1 :]:
            if not more.strip() or more.strip().startswith(".. ["):
                break
            parts.append(more.strip())
        return " ".join(" ".join(parts).split())
    return ""


_ARXIV = re.compile(r"arxiv\.org/abs/([\w.\-/]+?)(?:v\d+)?(?:[\s,;)]|$)")
_DOI = re.compile(r"doi\.org/(\S+?)\.?(?:\s|$)")
_YEAR = re.compile(r"\b(1[6-9]\d\d|20\d\d)\b")


def short_citation(reference: str) -> str:
    """``"Surname [et al.] Year, arXiv:ID"`` (or ``doi:ID``) from a numpydoc reference."""
    if not reference:
        return ""
    authors = reference.split('"', 1)[0].strip().rstrip(",")
    several = " et al" in authors
    authors = authors.replace(" et al.", "").replace(" et al", "")
    names = [a.strip() for a in re.split(r",| and ", authors) if a.strip()]
    tokens = names[0].split() if names else []
    initials = [i for i, t in enumerate(tokens) if t.endswith(".")]
    surname = " ".join(tokens[initials[-1] + 1 :] if initials else tokens) or " ".join(tokens)
    who = f"{surname} et al." if several or len(names) > 1 else surname
    if '"' not in reference:  # not an author list: documentation or software
        who = names[0] if names else ""
    rest = reference.split('"', 2)[-1] if '"' in reference else reference
    years = _YEAR.findall(re.sub(r"https?://\S+", "", rest))
    year = years[0] if years else ""
    where = ""
    if match := _ARXIV.search(reference + " "):
        where = f"arXiv:{match.group(1)}"
    elif match := _DOI.search(reference + " "):
        where = f"doi:{match.group(1)}"
    head = " ".join(x for x in (who, year) if x)
    return ", ".join(x for x in (head, where) if x)


def _positional(preds: Any, target: Any) -> tuple[Any, ...]:
    return (preds,) if target is None else (preds, target)


def _is_array(value: object) -> bool:
    return hasattr(value, "shape") and hasattr(value, "dtype")
