"""Every loss under the transformations of CONVENTIONS section 8.

JAX: ``jax.jit`` (hyperparameters static) equals eager, ``jax.grad`` equals central
finite differences in float64, ``jax.vmap`` equals a Python loop.
PyTorch: ``torch.autograd.gradcheck`` in float64, ``torch.func.grad`` equals
autograd, ``torch.func.vmap`` equals a loop, and ``torch.compile(fullgraph=True)``
with zero graph breaks equals eager (value and gradient).

Value validation is skipped where values are traced: an out-of-range label is a
``ValueError`` on eager CPU arrays and a NaN loss for that element elsewhere.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pytest

import arrayloss as al
from support.backends import Backend
from support.registry import ROWS as CASES
from support.registry import Row as Case

CASE_PARAMS = [pytest.param(c, id=c.id) for c in CASES]

# one compile test per public loss (Case.compile). Graph breaks are found by dynamo
# whatever the compiler backend; inductor's C++ code generation costs seconds a graph
# on this CPU, so most rows use "aot_eager" (dynamo + AOTAutograd).
COMPILE_CASES = [pytest.param(c, c.compile, id=f"{c.id}-{c.compile}") for c in CASES if c.compile]


def _batched(case: Case, size: int = 3) -> tuple[np.ndarray, np.ndarray, dict[str, np.ndarray]]:
    """``size`` independent draws of ``case``'s data stacked on a new leading axis."""
    draws = [case.data(seed) for seed in range(size)]
    preds = np.stack([d[0] for d in draws])
    target = np.stack([d[1] for d in draws])
    extra = {k: np.stack([d[2][k] for d in draws]) for k in draws[0][2]}
    return preds, target, extra


def _cotangent(shape: tuple[int, ...]) -> np.ndarray:
    """A fixed random direction that turns an unreduced loss into a scalar."""
    return np.random.default_rng(123).normal(size=shape)


# -- JAX -------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def jax() -> Any:
    jax = pytest.importorskip("jax")
    jax.config.update("jax_enable_x64", True)
    return jax


def _jax_inputs(jax: Any, preds: Any, target: Any, extra: dict[str, Any]) -> tuple[Any, ...]:
    jnp = jax.numpy
    return jnp.asarray(preds), jnp.asarray(target), {k: jnp.asarray(v) for k, v in extra.items()}


def _assert_jax_array(jax: Any, out: Any, dtype: Any, shape: tuple[int, ...]) -> np.ndarray:
    assert isinstance(out, jax.Array)
    assert out.dtype == dtype
    assert tuple(out.shape) == shape
    assert out.devices() == {jax.devices("cpu")[0]}
    return np.asarray(out)


# Eager JAX compiles every operation on first use, seconds a case here: jit == eager runs
# on the cases whose eager path differs (integer labels are range-checked eagerly) and
# one per remaining loss. Every case is jitted in the grad and vmap tests below.
EAGER_CASES = [p for p, c in zip(CASE_PARAMS, CASES, strict=True) if c.eager_jit]


@pytest.mark.parametrize("case", EAGER_CASES)
def test_jax_jit_equals_eager(jax: Any, case: Case) -> None:
    p, t, ex = _jax_inputs(jax, *case.data())
    eager = case.fn(p, t, **ex, **case.kwargs)
    # the user's spelling: the loss itself, hyperparameters static, option arrays traced
    jitted = jax.jit(case.fn, static_argnames=tuple(case.kwargs))(p, t, **ex, **case.kwargs)
    want = _assert_jax_array(jax, eager, p.dtype, tuple(eager.shape))
    got = _assert_jax_array(jax, jitted, p.dtype, tuple(eager.shape))
    assert np.all(np.isfinite(want))
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("case", CASE_PARAMS)
def test_jax_grad_matches_finite_differences(jax: Any, case: Case) -> None:
    preds, target, extra = case.data()
    p, t, ex = _jax_inputs(jax, preds, target, extra)
    cot = jax.numpy.asarray(
        _cotangent(tuple(jax.eval_shape(lambda p: case.fn(p, t, **ex, **case.kwargs), p).shape))
    )

    def scalar(p: Any) -> Any:
        return jax.numpy.sum(case.fn(p, t, **ex, **case.kwargs) * cot)

    # jitted once (eager jax.grad is the reference of the vmap-of-grad test below)
    value_and_grad = jax.jit(jax.value_and_grad(scalar))
    _, grad = value_and_grad(p)
    g = _assert_jax_array(jax, grad, p.dtype, preds.shape)
    assert np.all(np.isfinite(g))
    assert np.any(g != 0)

    h = 1e-6
    rng = np.random.default_rng(7)
    for _ in range(4):
        v = rng.normal(size=preds.shape)
        fd = (float(value_and_grad(p + h * v)[0]) - float(value_and_grad(p - h * v)[0])) / (2 * h)
        np.testing.assert_allclose(np.sum(g * v), fd, rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("case", CASE_PARAMS)
def test_jax_vmap_equals_loop(jax: Any, case: Case) -> None:
    preds, target, extra = _batched(case)
    p, t, ex = _jax_inputs(jax, preds, target, extra)

    def loss(p: Any, t: Any, ex: dict[str, Any]) -> Any:
        return case.fn(p, t, **ex, **case.kwargs)

    # both jitted (one compile each); jit == eager is test_jax_jit_equals_eager
    got = jax.jit(jax.vmap(loss))(p, t, ex)
    single = jax.jit(loss)
    loop = [single(p[i], t[i], {k: v[i] for k, v in ex.items()}) for i in range(p.shape[0])]
    want = np.stack([np.asarray(x) for x in loop])
    got_np = _assert_jax_array(jax, got, p.dtype, want.shape)
    assert np.all(np.isfinite(want))
    np.testing.assert_allclose(got_np, want, rtol=1e-12, atol=1e-12)


def test_jax_vmap_of_grad_gives_per_example_gradients(jax: Any) -> None:
    case = next(c for c in CASES if c.id == "ce-class-weights-ignore-smoothing")
    preds, target, extra = _batched(case)
    p, t, ex = _jax_inputs(jax, preds, target, extra)

    def loss(p: Any, t: Any, ex: dict[str, Any]) -> Any:
        return case.fn(p, t, **ex, **case.kwargs)

    got = jax.jit(jax.vmap(jax.grad(loss)))(p, t, ex)
    grad = jax.grad(loss)  # eager
    want = np.stack(
        [np.asarray(grad(p[i], t[i], {k: v[i] for k, v in ex.items()})) for i in range(3)]
    )
    got_np = _assert_jax_array(jax, got, p.dtype, preds.shape)
    np.testing.assert_allclose(got_np, want, rtol=1e-12, atol=1e-12)


# -- PyTorch ---------------------------------------------------------------------------
@pytest.fixture(scope="module")
def torch() -> Any:
    return pytest.importorskip("torch")


def _torch_inputs(torch: Any, preds: Any, target: Any, extra: dict[str, Any]) -> tuple[Any, ...]:
    return (
        torch.asarray(preds),
        torch.asarray(target),
        {k: torch.asarray(v) for k, v in extra.items()},
    )


def _assert_torch_tensor(torch: Any, out: Any, dtype: Any, shape: tuple[int, ...]) -> np.ndarray:
    assert isinstance(out, torch.Tensor)
    assert out.dtype == dtype
    assert tuple(out.shape) == shape
    assert out.device == torch.device("cpu")
    return out.detach().numpy()


@pytest.mark.parametrize("case", CASE_PARAMS)
def test_torch_gradcheck(torch: Any, case: Case) -> None:
    preds, target, extra = case.data()
    p, t, ex = _torch_inputs(torch, preds, target, extra)
    p.requires_grad_(True)
    assert torch.autograd.gradcheck(
        lambda p: case.fn(p, t, **ex, **case.kwargs), (p,), eps=1e-6, atol=1e-7, rtol=1e-5
    )


@pytest.mark.parametrize("case", CASE_PARAMS)
def test_torch_func_grad_equals_autograd(torch: Any, case: Case) -> None:
    preds, target, extra = case.data()
    p, t, ex = _torch_inputs(torch, preds, target, extra)
    cot = torch.asarray(_cotangent(tuple(case.fn(p, t, **ex, **case.kwargs).shape)))

    def scalar(p: Any) -> Any:
        return torch.sum(case.fn(p, t, **ex, **case.kwargs) * cot)

    got = torch.func.grad(scalar)(p)
    leaf = p.clone().requires_grad_(True)
    (want,) = torch.autograd.grad(scalar(leaf), leaf)
    got_np = _assert_torch_tensor(torch, got, p.dtype, preds.shape)
    assert np.all(np.isfinite(got_np))
    assert np.any(got_np != 0)
    np.testing.assert_allclose(got_np, want.numpy(), rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("case", CASE_PARAMS)
def test_torch_func_vmap_equals_loop(torch: Any, case: Case) -> None:
    preds, target, extra = _batched(case)
    p, t, ex = _torch_inputs(torch, preds, target, extra)
    got = torch.func.vmap(lambda p, t, ex: case.fn(p, t, **ex, **case.kwargs))(p, t, ex)
    want = np.stack(
        [
            case.fn(p[i], t[i], **{k: v[i] for k, v in ex.items()}, **case.kwargs).numpy()
            for i in range(p.shape[0])
        ]
    )
    got_np = _assert_torch_tensor(torch, got, p.dtype, want.shape)
    assert np.all(np.isfinite(want))
    np.testing.assert_allclose(got_np, want, rtol=1e-12, atol=1e-12)


def test_torch_vmap_of_grad_gives_per_example_gradients(torch: Any) -> None:
    case = next(c for c in CASES if c.id == "focal-ignore")
    preds, target, extra = _batched(case)
    p, t, _ = _torch_inputs(torch, preds, target, extra)

    def loss(p: Any, t: Any) -> Any:
        return case.fn(p, t, **case.kwargs)

    got = torch.func.vmap(torch.func.grad(loss))(p, t)
    want = []
    for i in range(p.shape[0]):
        leaf = p[i].clone().requires_grad_(True)
        want.append(torch.autograd.grad(loss(leaf, t[i]), leaf)[0].numpy())
    got_np = _assert_torch_tensor(torch, got, p.dtype, preds.shape)
    np.testing.assert_allclose(got_np, np.stack(want), rtol=1e-12, atol=1e-14)


@pytest.fixture(scope="module")
def warm_compiler(torch: Any) -> None:
    """Compile a trivial function once per process with each compiler backend.

    torch's own one-time warnings (deprecations inside its compiler stack) fire on the
    first compile in a process; after this warm-up, compiling a loss must be silent.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for backend in {c.compile for c in CASES if c.compile}:
            x = torch.ones(2, requires_grad=True)
            y = torch.compile(lambda x: (x * 2).sum(), fullgraph=True, backend=backend)(x)
            torch.autograd.grad(y, x)


@pytest.mark.slow
@pytest.mark.parametrize(("case", "compiler"), COMPILE_CASES)
def test_torch_compile_fullgraph_no_graph_breaks(
    torch: Any, warm_compiler: None, case: Case, compiler: str
) -> None:
    """One graph, no graph break, no warning (issue: 25 UserWarnings once), eager values."""
    import torch._dynamo

    preds, target, extra = case.data()
    p, t, ex = _torch_inputs(torch, preds.astype(np.float32), target, extra)
    # float32 like the prediction; integer options (CTC's lengths) stay integers
    ex = {k: v.float() if v.is_floating_point() else v for k, v in ex.items()}

    def loss(p: Any, t: Any, ex: dict[str, Any]) -> Any:
        return torch.sum(case.fn(p, t, **ex, **case.kwargs))

    torch._dynamo.reset()
    torch._dynamo.utils.counters.clear()
    compiled = torch.compile(loss, fullgraph=True, backend=compiler)
    leaf = p.clone().requires_grad_(True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        got = compiled(leaf, t, ex)
        (got_grad,) = torch.autograd.grad(got, leaf)
    assert sum(torch._dynamo.utils.counters["graph_break"].values()) == 0

    ref_leaf = p.clone().requires_grad_(True)
    want = loss(ref_leaf, t, ex)
    (want_grad,) = torch.autograd.grad(want, ref_leaf)
    got_np = _assert_torch_tensor(torch, got, torch.float32, ())
    np.testing.assert_allclose(got_np, want.detach().numpy(), rtol=1e-5, atol=1e-6)
    grad_np = _assert_torch_tensor(torch, got_grad, torch.float32, preds.shape)
    np.testing.assert_allclose(grad_np, want_grad.numpy(), rtol=1e-5, atol=1e-6)

    if case.fn in (al.cross_entropy, al.focal_loss, al.dice_loss):
        # same graph, new values: a label out of range is NaN, not an error
        bad = t.clone()
        bad.view(-1)[0] = 99
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            assert torch.isnan(compiled(p, bad, ex))
    torch._dynamo.reset()


# -- value validation under transformations --------------------------------------------
@dataclass(frozen=True)
class OutOfRange:
    """A loss call with one invalid label, and the ``"none"`` entries that must be NaN."""

    fn: Callable[..., Any]
    logits_shape: tuple[int, ...]
    labels_shape: tuple[int, ...]
    kwargs: dict[str, Any]
    bad_at: tuple[int, ...]
    bad_value: int
    nan_at: tuple[Any, ...]
    none_shape: tuple[int, ...]

    def data(self) -> tuple[np.ndarray, np.ndarray, dict[str, Any]]:
        rng = np.random.default_rng(3)
        logits = rng.normal(size=self.logits_shape)
        multilabel = self.kwargs.get("mode") == "multilabel"
        high = 2 if multilabel else self.logits_shape[self.kwargs.get("axis", -1)]
        labels = rng.integers(0, high, size=self.labels_shape)
        labels[self.bad_at] = self.bad_value
        return logits, labels, dict(self.kwargs)


OUT_OF_RANGE = [
    pytest.param(
        OutOfRange(al.cross_entropy, (4, 3), (4,), {}, (1,), 3, (1,), (4,)), id="ce-too-high"
    ),
    pytest.param(
        OutOfRange(
            al.cross_entropy,
            (2, 3, 4),
            (2, 4),
            {"axis": 1, "ignore_index": -100, "class_weights": np.array([1.0, 2.0, 3.0])},
            (1, 2),
            -3,
            (1, 2),
            (2, 4),
        ),
        id="ce-negative-axis1-class-weights",
    ),
    pytest.param(
        OutOfRange(al.focal_loss, (4, 3), (4,), {"gamma": 2.0}, (2,), -1, (2,), (4,)),
        id="focal-negative",
    ),
    pytest.param(
        # a bad label poisons its whole sample: every class's Dice of sample 1
        OutOfRange(al.dice_loss, (2, 5, 3), (2, 5), {}, (1, 3), 7, (1, slice(None)), (2, 3)),
        id="dice-multiclass",
    ),
    pytest.param(
        OutOfRange(
            al.dice_loss,
            (2, 3, 5),
            (2, 3, 5),
            {"mode": "multilabel", "axis": 1},
            (0, 1, 4),
            2,
            (0, 1),
            (2, 3),
        ),
        id="dice-multilabel",
    ),
]


def _expected_nan(case: OutOfRange) -> np.ndarray:
    expected = np.zeros(case.none_shape, dtype=bool)
    expected[case.nan_at] = True
    return expected


@pytest.mark.parametrize("case", OUT_OF_RANGE)
def test_out_of_range_label_is_an_error_eagerly_and_nan_when_traced(
    backend: Backend, case: OutOfRange
) -> None:
    logits, labels, kw = case.data()
    arrays = {k: backend.asarray(v) for k, v in kw.items() if isinstance(v, np.ndarray)}
    static = {k: v for k, v in kw.items() if k not in arrays}
    x, y = backend.asarray(logits), backend.asarray(labels)
    if not backend.jit and not backend.lazy and not backend.name.endswith(("cuda", "gpu")):
        # eager host arrays: the values are read and the label is rejected
        with pytest.raises(ValueError, match=r"labels contains class indices outside"):
            case.fn(x, y, **arrays, **static, reduction="none")
        return
    # jax.jit, Dask, GPUs: no value read, the affected losses are NaN, the rest finite
    out = backend.call(case.fn, x, y, **arrays, **static, reduction="none")
    got = backend.check_result(out, dtype=x.dtype, shape=case.none_shape)
    np.testing.assert_array_equal(np.isnan(got), _expected_nan(case))
    total = backend.call(case.fn, x, y, **arrays, **static)
    assert np.isnan(backend.check_result(total, dtype=x.dtype, shape=()))


@pytest.mark.parametrize("case", OUT_OF_RANGE)
def test_out_of_range_label_is_nan_under_torch_vmap(torch: Any, case: OutOfRange) -> None:
    logits, labels, kw = case.data()
    kw = {k: torch.asarray(v) if isinstance(v, np.ndarray) else v for k, v in kw.items()}
    x, y = torch.asarray(logits[None]), torch.asarray(labels[None])
    out = torch.func.vmap(lambda a, b: case.fn(a, b, **kw, reduction="none"))(x, y)
    got = _assert_torch_tensor(torch, out, torch.float64, (1, *case.none_shape))
    np.testing.assert_array_equal(np.isnan(got[0]), _expected_nan(case))


def test_ignore_index_is_not_out_of_range_under_jit(jax: Any) -> None:
    """The ignored label -100 is outside [0, C) but is masked, not NaN-poisoned."""
    logits = np.random.default_rng(0).normal(size=(3, 4))
    labels = np.array([0, -100, 3])
    f = jax.jit(lambda x, y: al.cross_entropy(x, y, ignore_index=-100, reduction="none"))
    got = _assert_jax_array(
        jax, f(jax.numpy.asarray(logits), jax.numpy.asarray(labels)), jax.numpy.float64, (3,)
    )
    assert got[1] == 0.0
    assert np.all(np.isfinite(got))
