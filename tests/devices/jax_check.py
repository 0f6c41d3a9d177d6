"""Run by ``test_devices.py`` in a subprocess (the device count is set before JAX loads).

On 4 simulated CPU devices, for every loss with ``axis_name``: the value and the
gradient under ``jax.jit`` of ``shard_map`` (batch split over the devices, statistics summed with
``psum``) equal one device on the whole batch, and so does ``jax.jit`` on a batch
sharded with ``NamedSharding`` (no option needed: the arrays are global). For the
confusion-matrix metrics: each device counts its shard, the counts are ``psum``-ed, and
the metric read from the total equals one device's; so does the metric under ``jit``
on the sharded batch. Prints JSON.
"""

from __future__ import annotations

import os

os.environ["XLA_FLAGS"] = "--xla_force_host_platform_device_count=4"

import json

import jax
import jax.numpy as jnp
import numpy as np
from jax.sharding import AxisType, NamedSharding
from jax.sharding import PartitionSpec as P

import arrayloss as al

jax.config.update("jax_enable_x64", True)

METRICS = ["mean_iou", "iou_score", "dice_score", "f1_score", "precision", "recall"]
LOSSES = [
    "dice_loss",
    "jaccard_loss",
    "tversky_loss",
    "focal_tversky_loss",
    "log_cosh_dice_loss",
    "sensitivity_specificity_loss",
    "mcc_loss",
    "generalized_dice_loss",
]


def main() -> None:
    mesh = jax.make_mesh((4,), ("batch",))
    rng = np.random.default_rng(0)
    logits = rng.normal(size=(8, 6, 5, 3))
    labels = rng.integers(0, 3, size=(8, 6, 5))
    labels[:, 0, 0] = -1  # some ignored positions
    sharding = NamedSharding(mesh, P("batch"))
    x_sharded, y_sharded = jax.device_put(logits, sharding), jax.device_put(labels, sharding)
    worst: dict[str, float] = {}
    for name in LOSSES:
        fn = getattr(al, name)
        # every loss pooled and per sample; the sum and sharded jit on Dice (compile time)
        configs = [(True, "mean"), (False, "mean")]
        if name == "dice_loss":
            configs += [(True, "sum"), (False, "sum")]
        for batch_dice, reduction in configs:
            kw = {"batch_dice": batch_dice, "reduction": reduction, "ignore_index": -1}

            def one(x, y, fn=fn, kw=kw):  # type: ignore[no-untyped-def]
                return fn(x, y, **kw)

            def sharded(x, y, fn=fn, kw=kw):  # type: ignore[no-untyped-def]
                return fn(x, y, axis_name="batch", **kw)

            # one device, eagerly: the reference
            want = one(jnp.asarray(logits), jnp.asarray(labels))
            want_g = jax.grad(one)(jnp.asarray(logits), jnp.asarray(labels))
            mapped = jax.shard_map(
                sharded, mesh=mesh, in_specs=(P("batch"), P("batch")), out_specs=P()
            )
            with jax.set_mesh(mesh):
                # under jit, as a training step runs it (an eager shard_map dispatches
                # op by op: 6-11 s a loss here, against 0.3 s compiled)
                got, got_g = jax.jit(jax.value_and_grad(mapped))(x_sharded, y_sharded)
                jitted, jitted_g = got, got_g
                if name == "dice_loss":  # global arrays: no option needed
                    jitted = jax.jit(one)(x_sharded, y_sharded)
                    jitted_g = jax.jit(jax.grad(one))(x_sharded, y_sharded)
            key = f"{name} batch_dice={batch_dice} {reduction}"
            w, wg = np.asarray(want), np.asarray(want_g)
            worst[key] = max(
                float(np.abs(np.asarray(got) - w)),
                float(np.max(np.abs(np.asarray(got_g) - wg))),
                float(np.abs(np.asarray(jitted) - w)),
                float(np.max(np.abs(np.asarray(jitted_g) - wg))),
            )
    # the metrics: a confusion matrix is a sum over positions, so the shards' counts add
    preds = np.argmax(logits, axis=-1)
    p_sharded = jax.device_put(preds, sharding)

    def counts(p, y):  # type: ignore[no-untyped-def]
        return jax.lax.psum(al.confusion_matrix(p, y, 3, ignore_index=-1), "batch")

    metric_specs = {"mesh": mesh, "in_specs": (P("batch"), P("batch")), "out_specs": P()}
    with jax.set_mesh(mesh):
        total = jax.jit(jax.shard_map(counts, **metric_specs))(p_sharded, y_sharded)
    # jit on a sharded batch: an Auto mesh (make_mesh's default axis type, Explicit,
    # refuses the flattening reshape that counting needs; docs/devices.rst says so)
    auto = NamedSharding(jax.make_mesh((4,), ("batch",), axis_types=(AxisType.Auto,)), P("batch"))
    p_auto, y_auto = jax.device_put(preds, auto), jax.device_put(labels, auto)
    metrics: dict[str, float] = {}
    for name in METRICS:
        metric = getattr(al, name)

        def whole(p, y, metric=metric):  # type: ignore[no-untyped-def]
            return metric(p, y, 3, ignore_index=-1)

        want = np.asarray(whole(jnp.asarray(preds), jnp.asarray(labels)))
        jitted = np.asarray(jax.jit(whole)(p_auto, y_auto))
        summed_counts = np.asarray(metric(confusion=total))
        metrics[name] = max(
            float(np.max(np.abs(summed_counts - want))), float(np.max(np.abs(jitted - want)))
        )
    # the pitfall: a per-device Dice averaged over devices is not the global Dice
    probs = rng.uniform(size=(8, 64, 1))
    masks = (rng.uniform(size=(8, 64)) < np.linspace(0.05, 0.9, 8)[:, None]).astype(int)
    kw = {"mode": "binary", "from_logits": False, "batch_dice": True, "smooth": 0.0}

    def local_then_mean(p, g):  # type: ignore[no-untyped-def]
        return jax.lax.pmean(al.dice_loss(p, g, **kw), "batch")

    def summed(p, g):  # type: ignore[no-untyped-def]
        return al.dice_loss(p, g, axis_name="batch", **kw)

    specs = {"mesh": mesh, "in_specs": (P("batch"), P("batch")), "out_specs": P()}
    with jax.set_mesh(mesh):
        ps, ms = jax.device_put(probs, sharding), jax.device_put(masks, sharding)
        averaged = float(jax.jit(jax.shard_map(local_then_mean, **specs))(ps, ms))
        global_ = float(jax.jit(jax.shard_map(summed, **specs))(ps, ms))
    one_device = float(al.dice_loss(jnp.asarray(probs), jnp.asarray(masks), **kw))
    print(
        json.dumps(
            {
                "devices": len(jax.devices()),
                "worst": worst,
                "metrics": metrics,
                "averaged": averaged,
                "global": global_,
                "one_device": one_device,
            }
        )
    )


if __name__ == "__main__":
    main()
