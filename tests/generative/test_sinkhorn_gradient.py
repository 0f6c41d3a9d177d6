"""The Sinkhorn divergence's gradient comes from the entropic dual objective at the
final potentials (the envelope theorem), not from backpropagating through the
iterations: at convergence it equals central differences of the float64 reference
(run to convergence, ``tests/generative/reference.py``) in the points, the weights and
epsilon, and its autograd graph does not grow with the number of iterations."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import arrayloss as al

from .reference import sinkhorn_divergence as reference

torch = pytest.importorskip("torch")


def _clouds() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(3)
    x, y = rng.uniform(size=(6, 2)), 0.4 + rng.uniform(size=(5, 2))
    a, b = rng.uniform(0.5, 1.5, size=6), rng.uniform(0.5, 1.5, size=5)
    return x, y, a / a.sum(), b / b.sum()


@pytest.mark.parametrize("debias", [True, False])
def test_gradient_equals_central_differences_of_the_reference(debias: bool) -> None:
    x, y, a, b = _clouds()
    eps = 0.3

    def ref(xv: np.ndarray, yv: np.ndarray, av: np.ndarray, bv: np.ndarray, e: float) -> float:
        return float(reference(xv, yv, epsilon=e, a=av, b=bv, debias=debias))

    tx, ty, ta, tb = (torch.asarray(v, requires_grad=True) for v in (x, y, a, b))
    te = torch.asarray(eps, dtype=torch.float64, requires_grad=True)
    out = al.sinkhorn_divergence(tx, ty, epsilon=te, a=ta, b=tb, iterations=400, debias=debias)
    out.backward()
    np.testing.assert_allclose(float(out.detach()), ref(x, y, a, b, eps), rtol=1e-10)
    h = 1e-6
    for arr, grad, i in ((x, tx.grad, 0), (y, ty.grad, 1), (a, ta.grad, 2), (b, tb.grad, 3)):
        want = np.zeros_like(arr)
        for idx in np.ndindex(arr.shape):
            up, down = [v.copy() for v in (x, y, a, b)], [v.copy() for v in (x, y, a, b)]
            up[i][idx] += h
            down[i][idx] -= h
            # the weights are normalised inside: a perturbed weight stays unnormalised
            want[idx] = (ref(*up, eps) - ref(*down, eps)) / (2 * h)
        np.testing.assert_allclose(grad.numpy(), want, rtol=1e-5, atol=1e-8)
    want_eps = (ref(x, y, a, b, eps + h) - ref(x, y, a, b, eps - h)) / (2 * h)
    np.testing.assert_allclose(float(te.grad), want_eps, rtol=1e-5, atol=1e-8)


def _graph_size(out: Any) -> int:
    seen, stack = set(), [out.grad_fn]
    while stack:
        node = stack.pop()
        if node is None or node in seen:
            continue
        seen.add(node)
        stack.extend(next_fn for next_fn, _ in node.next_functions)
    return len(seen)


def test_autograd_graph_does_not_grow_with_iterations() -> None:
    # backpropagating through the iterations kept every step (1.2 GiB for 1024 points
    # and 100 iterations on the CPU bench); the dual objective needs one (n, m) pass
    x, y, _, _ = _clouds()
    sizes = []
    for iterations in (10, 200):
        tx = torch.asarray(x, requires_grad=True)
        out = al.sinkhorn_divergence(tx, torch.asarray(y), epsilon=0.3, iterations=iterations)
        sizes.append(_graph_size(out))
    assert sizes[0] == sizes[1]
    assert sizes[0] < 120
