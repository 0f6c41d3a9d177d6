"""Training with JAX and optax: the models of :mod:`._models`, Adam, the loss of a spec."""

from __future__ import annotations

from typing import Any

import numpy as np

from ._models import DILATIONS
from ._spec import LossSpec
from ._state import map_state

__all__ = ["JaxTrainer"]

_PREDICT: dict[str, Any] = {}


class JaxTrainer:
    """One model, optax's Adam and one loss; ``step`` (under ``jax.jit``) trains on a batch."""

    def __init__(
        self, kind: str, params: dict[str, np.ndarray], spec: LossSpec, num_classes: int, lr: float
    ) -> None:
        import jax
        import jax.numpy as jnp
        import optax

        self.jax, self.jnp = jax, jnp
        self.kind = kind
        self.spec = spec
        self.num_classes = num_classes
        self.params = {k: jnp.asarray(v) for k, v in params.items()}
        self.opt = optax.adam(lr)
        self.opt_state = self.opt.init(self.params)
        self.loss_fn = spec.info.loss()
        self.state: Any = None

        def objective(params: Any, x: Any, y: Any, state: Any) -> tuple[Any, Any]:
            return self._loss(self._logits(params, x), y, state)

        def step(params: Any, opt_state: Any, x: Any, y: Any, state: Any) -> Any:
            (value, new_state), grads = jax.value_and_grad(objective, has_aux=True)(
                params, x, y, state
            )
            updates, opt_state = self.opt.update(grads, opt_state, params)
            return optax.apply_updates(params, updates), opt_state, value, new_state

        self._step = jax.jit(step)  # retraces once when a stateful loss's state appears
        if kind not in _PREDICT:  # one compiled prediction per model, shared by the losses
            _PREDICT[kind] = jax.jit(
                lambda params, x: jnp.argmax(self._logits(params, x), axis=-1)
            )
        self._predict = _PREDICT[kind]

    def _logits(self, p: Any, x: Any) -> Any:
        jax, jnp = self.jax, self.jnp
        if self.kind == "classification":
            h = jax.nn.relu(x @ p["w1"].T + p["b1"])
            return h @ p["w2"].T + p["b2"]
        dims = ("NCHW", "OIHW", "NCHW")
        h = x
        for i, d in enumerate(DILATIONS):
            h = jax.lax.conv_general_dilated(
                h,
                p[f"conv{i}"],
                (1, 1),
                [(d, d), (d, d)],
                rhs_dilation=(d, d),
                dimension_numbers=dims,
            )
            h = jax.nn.relu(h + p[f"bias{i}"][None, :, None, None])
        out = jax.lax.conv_general_dilated(h, p["head"], (1, 1), "VALID", dimension_numbers=dims)
        return jnp.transpose(out + p["head_bias"][None, :, None, None], (0, 2, 3, 1))

    def _loss(self, logits: Any, labels: Any, state: Any) -> tuple[Any, Any]:
        jax = self.jax
        if self.spec.target == "probabilities":
            a = jax.nn.softmax(logits, axis=-1)
            b = jax.nn.one_hot(labels, self.num_classes, dtype=a.dtype)
        elif self.spec.target == "onehot":
            a = logits
            b = jax.nn.one_hot(labels, self.num_classes, dtype=a.dtype)
        else:
            a, b = logits, labels
        kwargs = {
            k: self.jnp.asarray(v) if isinstance(v, np.ndarray) else v
            for k, v in self.spec.kwargs.items()
        }
        info = self.spec.info
        if info.returns_state and info.state and state is not None:
            kwargs[info.state] = state
        out = self.loss_fn(a, b, **kwargs)
        if info.returns_state:
            value, new_state = out
            return value, map_state(new_state, jax.lax.stop_gradient)
        return out, None

    def _as_pytree(self, state: Any) -> Any:
        # a state dataclass that JAX does not know yet becomes a pytree of its fields
        import dataclasses

        tree = self.jax.tree_util
        if dataclasses.is_dataclass(state) and tree.tree_leaves(state) == [state]:
            names = [f.name for f in dataclasses.fields(state) if f.init]
            tree.register_dataclass(type(state), data_fields=names, meta_fields=[])
        return state

    def step(self, x: np.ndarray, y: np.ndarray) -> float:
        self.state = self._as_pytree(self.state)
        self.params, self.opt_state, value, new_state = self._step(
            self.params, self.opt_state, x, y, self.state
        )
        if self.spec.info.returns_state:
            self.state = new_state
        return float(value)

    def predict(self, x: np.ndarray) -> np.ndarray:
        return np.asarray(self._predict(self.params, x))

    def trial(self, x: np.ndarray, y: np.ndarray) -> Any:
        """The loss on a tiny batch (raises when the loss does not fit the task)."""
        jnp = self.jnp
        value, _ = self._loss(self._logits(self.params, jnp.asarray(x)), jnp.asarray(y), None)
        return tuple(value.shape)
