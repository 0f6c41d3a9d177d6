"""Training with PyTorch: the models of :mod:`._models`, Adam, the loss of a spec."""

from __future__ import annotations

from typing import Any

import numpy as np

from ._models import DILATIONS
from ._spec import LossSpec
from ._state import map_state

__all__ = ["TorchTrainer"]


class TorchTrainer:
    """One model, its Adam optimiser and one loss; ``step`` trains on a batch."""

    def __init__(
        self, kind: str, params: dict[str, np.ndarray], spec: LossSpec, num_classes: int, lr: float
    ) -> None:
        import torch

        torch.set_num_threads(1)  # deterministic, and polite on a shared CPU
        self.torch = torch
        self.kind = kind
        self.spec = spec
        self.num_classes = num_classes
        self.params = {k: torch.tensor(v, requires_grad=True) for k, v in params.items()}
        self.opt = torch.optim.Adam(list(self.params.values()), lr=lr)
        self.loss_fn = spec.info.loss()
        self.state: Any = None

    def logits(self, x: Any) -> Any:
        """Channels-last logits: ``(N, C)`` or ``(N, H, W, C)``."""
        f = self.torch.nn.functional
        p = self.params
        if self.kind == "classification":
            return f.linear(f.relu(f.linear(x, p["w1"], p["b1"])), p["w2"], p["b2"])
        h = x
        for i, d in enumerate(DILATIONS):
            h = f.relu(f.conv2d(h, p[f"conv{i}"], p[f"bias{i}"], padding=d, dilation=d))
        return f.conv2d(h, p["head"], p["head_bias"]).permute(0, 2, 3, 1)

    def loss(self, logits: Any, labels: Any) -> Any:
        """The spec's loss on channels-last logits; threads a stateful loss's state."""
        torch = self.torch
        if self.spec.target == "probabilities":
            a = torch.softmax(logits, dim=-1)
            b = torch.nn.functional.one_hot(labels, self.num_classes).to(a.dtype)
        elif self.spec.target == "onehot":
            a = logits
            b = torch.nn.functional.one_hot(labels, self.num_classes).to(a.dtype)
        else:
            a, b = logits, labels
        kwargs = {
            k: torch.as_tensor(v) if isinstance(v, np.ndarray) else v
            for k, v in self.spec.kwargs.items()
        }
        info = self.spec.info
        if info.returns_state and info.state and self.state is not None:
            kwargs[info.state] = self.state
        out = self.loss_fn(a, b, **kwargs)
        if info.returns_state:
            out, state = out
            self.state = map_state(state, lambda t: t.detach())
        return out

    def step(self, x: np.ndarray, y: np.ndarray) -> float:
        torch = self.torch
        self.opt.zero_grad()
        value = self.loss(self.logits(torch.from_numpy(x)), torch.from_numpy(y))
        value.backward()
        self.opt.step()
        return float(value.detach())

    def predict(self, x: np.ndarray) -> np.ndarray:
        with self.torch.no_grad():
            out: np.ndarray = self.logits(self.torch.from_numpy(x)).argmax(-1).numpy()
        return out

    def trial(self, x: np.ndarray, y: np.ndarray) -> Any:
        """The loss on a tiny batch (raises when the loss does not fit the task)."""
        value = self.loss(self.logits(self.torch.from_numpy(x)), self.torch.from_numpy(y))
        self.state = None
        return tuple(value.shape)
