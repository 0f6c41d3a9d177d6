"""Per-call overhead of the small-shape probes, torch eager, single-threaded.

``python benchmarks/probe_overhead.py [OLD_SRC]`` times arrayloss and the native
peer interleaved (medians of 60 rounds of 50 calls each), and, given the ``src``
folder of another arrayloss checkout (e.g. ``git archive HEAD src | tar -x -C
/tmp/old``, then ``/tmp/old/src``), that version too in the same process: a
before/after comparison free of the machine's drift. One thread, because on a
loaded machine torch's intra-op threads time-slice with other jobs and swamp the
microseconds being measured.
"""

from __future__ import annotations

import importlib.util
import statistics
import sys
import time
from collections.abc import Callable
from types import ModuleType
from typing import Any


def _load_old(src: str) -> ModuleType:
    init = f"{src}/arrayloss/__init__.py"
    spec = importlib.util.spec_from_file_location(
        "arrayloss_old", init, submodule_search_locations=[f"{src}/arrayloss"]
    )
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["arrayloss_old"] = module
    spec.loader.exec_module(module)
    return module


def main(argv: list[str]) -> None:
    import numpy as np
    import torch
    import torch.nn.functional as F  # noqa: N812

    import arrayloss

    torch.set_num_threads(1)
    versions: dict[str, Any] = {"ours": arrayloss}
    if argv:
        versions = {"old": _load_old(argv[0]), "ours": arrayloss}
    rng = np.random.default_rng(0)
    x = torch.asarray(rng.normal(size=(8, 10)).astype(np.float32))
    y = torch.asarray(rng.integers(0, 10, 8))
    xb = torch.asarray(rng.normal(size=(256, 100)).astype(np.float32))
    yb = torch.asarray((rng.random((256, 100)) < 0.3).astype(np.float32))
    yf = torch.asarray(rng.integers(0, 100, 256))
    # (ours(module, logits), peer(logits), logits, backward?)
    cases: dict[str, tuple[Callable[..., Any], Callable[..., Any], Any, bool]] = {
        "CE 8x10 fwd": (
            lambda m, v: m.cross_entropy(v, y, axis=1),
            lambda v: F.cross_entropy(v, y),
            x,
            False,
        ),
        "CE 8x10 fwd+bwd": (
            lambda m, v: m.cross_entropy(v, y, axis=1),
            lambda v: F.cross_entropy(v, y),
            x,
            True,
        ),
        "BCE 256x100 fwd+bwd": (
            lambda m, v: m.binary_cross_entropy(v, yb),
            lambda v: F.binary_cross_entropy_with_logits(v, yb),
            xb,
            True,
        ),
    }
    try:
        import kornia

        cases["focal 256x100 fwd"] = (
            lambda m, v: m.focal_loss(v, yf, axis=1, alpha=None),
            lambda v: kornia.losses.focal_loss(v, yf, alpha=None, reduction="mean"),
            xb,
            False,
        )
    except ImportError:
        pass
    for name, (ours, peer, inp, backward) in cases.items():

        def call(f: Callable[[Any], Any], inp: Any = inp, backward: bool = backward) -> None:
            if backward:
                v = inp.detach().requires_grad_(True)
                f(v).backward()
            else:
                f(inp)

        fns: dict[str, Callable[[], None]] = {
            k: (lambda m=m, ours=ours, call=call: call(lambda z: ours(m, z)))
            for k, m in versions.items()
        }
        fns["peer"] = lambda peer=peer, call=call: call(peer)
        for f in fns.values():
            for _ in range(200):
                f()
        times: dict[str, list[float]] = {k: [] for k in fns}
        for _ in range(60):
            for k, f in fns.items():
                start = time.perf_counter()
                for _ in range(50):
                    f()
                times[k].append((time.perf_counter() - start) / 50 * 1e6)
        med = {k: statistics.median(v) for k, v in times.items()}
        cols = "  ".join(f"{k} {v:7.1f} us" for k, v in med.items())
        over = "  ".join(f"{k}-peer {med[k] - med['peer']:6.1f} us" for k in versions)
        print(f"{name:22s} {cols}  {over}")


if __name__ == "__main__":
    main(sys.argv[1:])
