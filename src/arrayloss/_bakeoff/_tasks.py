"""The bake-off's data: ``digits-lt``, ``shapes-seg`` and the user's ``.npz``.

Every task is a :class:`Task` of NumPy arrays: float32 inputs (``(N, F)`` features
or ``(N, channels, H, W)`` images) and int64 labels (``(N,)`` or ``(N, H, W)``).
Everything is drawn from a NumPy generator seeded by the task's seed, so a task is
the same on every run on one machine.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

__all__ = ["TASKS", "Task", "digits_lt", "load_npz", "long_tail_counts", "make_task", "shapes_seg"]

TASKS = ("digits-lt", "shapes-seg")


@dataclass(frozen=True)
class Task:
    """A train/test split: ``kind`` is ``"classification"`` or ``"segmentation"``."""

    name: str
    kind: str
    x: np.ndarray
    y: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    num_classes: int
    class_names: tuple[str, ...]
    ratio: float

    @property
    def counts(self) -> np.ndarray:
        """Training count (samples or pixels) of each class."""
        return np.bincount(self.y.reshape(-1), minlength=self.num_classes)

    @property
    def rarest(self) -> int:
        """The class with the fewest training samples (pixels)."""
        return int(np.argmin(self.counts))


def long_tail_counts(n_max: int, num_classes: int, ratio: float) -> list[int]:
    """:math:`n_c = \\lfloor n_{max} R^{-c/(C-1)} \\rfloor`, at least 1 (Cui et al. 2019)."""
    if ratio < 1:
        raise ValueError(f"--imbalance: the ratio must be >= 1, got {ratio}")
    out = []
    for c in range(num_classes):
        n = n_max * ratio ** (-c / (num_classes - 1)) if num_classes > 1 else n_max
        out.append(max(1, math.floor(n + 1e-9)))
    return out


def digits_lt(ratio: float = 100.0, *, seed: int = 0, test_per_class: int = 50) -> Task:
    """scikit-learn's 8x8 digits, long-tailed in training, balanced in test.

    Each class keeps ``test_per_class`` images for the test split; class ``c`` keeps
    ``n_c`` of the rest for training (:func:`long_tail_counts`, ``n_max`` the smallest
    class's remainder).
    """
    from sklearn.datasets import load_digits

    data = load_digits()
    x = (data.data / 16.0).astype(np.float32)
    y = data.target.astype(np.int64)
    rng = np.random.default_rng(seed)
    by_class = [rng.permutation(np.flatnonzero(y == c)) for c in range(10)]
    n_max = min(len(i) for i in by_class) - test_per_class
    counts = long_tail_counts(n_max, 10, ratio)
    train = np.concatenate(
        [i[test_per_class : test_per_class + n] for i, n in zip(by_class, counts, strict=True)]
    )
    test = np.concatenate([i[:test_per_class] for i in by_class])
    train, test = np.sort(train), np.sort(test)
    return Task(
        "digits-lt",
        "classification",
        x[train],
        y[train],
        x[test],
        y[test],
        10,
        tuple(str(c) for c in range(10)),
        ratio,
    )


SHAPES_CLASSES = ("background", "region", "disc", "dot", "line")


def _shapes_image(
    rng: np.random.Generator, size: int, rare: bool
) -> tuple[np.ndarray, np.ndarray]:
    yy, xx = np.mgrid[0:size, 0:size]
    label = np.zeros((size, size), np.int64)
    # large region: a half-plane cut by a random line through the image
    angle = rng.uniform(0, 2 * np.pi)
    offset = rng.uniform(-0.2, 0.2) * size
    side = (xx - size / 2) * np.cos(angle) + (yy - size / 2) * np.sin(angle) > offset
    label[side] = 1
    # one or two discs of medium size
    for _ in range(int(rng.integers(1, 3))):
        cy, cx = rng.uniform(4, size - 4, 2)
        r = rng.uniform(2.5, 4.5)
        label[(yy - cy) ** 2 + (xx - cx) ** 2 <= r * r] = 2
    if rare:
        # small dots (2x2) and one thin line (1 pixel wide): the rare classes
        for _ in range(int(rng.integers(1, 4))):
            cy, cx = rng.integers(0, size - 2, 2)
            label[cy : cy + 2, cx : cx + 2] = 3
        if rng.random() < 0.5:
            row = int(rng.integers(1, size - 1))
            a, b = sorted(rng.integers(0, size, 2))
            label[row, a : max(b, a + size // 3)] = 4
        else:
            col = int(rng.integers(1, size - 1))
            a, b = sorted(rng.integers(0, size, 2))
            label[a : max(b, a + size // 3), col] = 4
    # intensities: the rare classes look alike the disc but for their shape and texture
    level = np.array([0.0, 0.45, 0.9, 0.9, 0.75], np.float32)
    image = level[label] + rng.normal(0, 0.3, (size, size)).astype(np.float32)
    return image[None].astype(np.float32), label


def shapes_seg(
    ratio: float = 1.0, *, seed: int = 0, n_train: int = 192, n_test: int = 64, size: int = 32
) -> Task:
    """Generated segmentation: background, a large region, discs, rare dots and thin lines.

    The rare classes (2x2 dots, 1-pixel lines) are present in every test image and in
    a fraction ``1/ratio`` of the training images (``--imbalance``).
    """
    if ratio < 1:
        raise ValueError(f"--imbalance: the ratio must be >= 1, got {ratio}")
    rng = np.random.default_rng(10_000 + seed)
    train = [_shapes_image(rng, size, rng.random() < 1.0 / ratio) for _ in range(n_train)]
    test = [_shapes_image(rng, size, True) for _ in range(n_test)]
    return Task(
        "shapes-seg",
        "segmentation",
        np.stack([a for a, _ in train]),
        np.stack([b for _, b in train]),
        np.stack([a for a, _ in test]),
        np.stack([b for _, b in test]),
        len(SHAPES_CLASSES),
        SHAPES_CLASSES,
        ratio,
    )


def _labels(name: str, y: Any, path: Path) -> np.ndarray:
    y = np.asarray(y)
    if y.dtype.kind == "f" and np.all(y == np.round(y)):
        y = y.astype(np.int64)
    if y.dtype.kind not in "iu":
        raise ValueError(f"--data: {path}: {name!r} must hold integer class labels, got {y.dtype}")
    if y.size and y.min() < 0:
        raise ValueError(
            f"--data: {path}: {name!r} has label {int(y.min())}, outside the classes 0..C-1"
        )
    out: np.ndarray = y.astype(np.int64)
    return out


def load_npz(path: str | Path, *, seed: int = 0) -> Task:
    """The user's data: ``x``, ``y`` and optional ``x_test``, ``y_test``, ``num_classes``.

    ``y`` of shape ``(N,)`` is classification (``x`` is flattened to features); ``y``
    of shape ``(N, H, W)`` is segmentation (``x`` is ``(N, H, W)`` or channels-first
    ``(N, channels, H, W)``). Without a test split, a quarter is held out.
    """
    path = Path(path)
    if not path.is_file():
        raise ValueError(f"--data: no file {str(path)!r}")
    try:
        data = dict(np.load(path, allow_pickle=False))
    except Exception as exc:
        raise ValueError(f"--data: {path} is not a readable .npz file ({exc})") from None
    missing = [k for k in ("x", "y") if k not in data]
    if missing:
        raise ValueError(
            f"--data: {path} has no {' or '.join(missing)!r} array; it needs 'x' and 'y' "
            f"(optional 'x_test', 'y_test', 'num_classes'); it has {sorted(data) or 'nothing'}"
        )
    if ("x_test" in data) != ("y_test" in data):
        raise ValueError(f"--data: {path} needs both 'x_test' and 'y_test', or neither")
    x, y = np.asarray(data["x"], np.float32), _labels("y", data["y"], path)
    if "x_test" in data:
        xt, yt = np.asarray(data["x_test"], np.float32), _labels("y_test", data["y_test"], path)
    else:
        order = np.random.default_rng(seed).permutation(len(x))
        cut = max(1, len(x) // 4)
        xt, yt, x, y = x[order[:cut]], y[order[:cut]], x[order[cut:]], y[order[cut:]]
    if len(x) != len(y) or len(xt) != len(yt):
        raise ValueError(f"--data: {path}: x and y (x_test and y_test) differ in length")
    seg = y.ndim == 3
    if y.ndim not in (1, 3):
        raise ValueError(
            f"--data: {path}: 'y' must be (N,) class labels or (N, H, W) masks, got {y.shape}"
        )
    if seg:
        x = x[:, None] if x.ndim == 3 else x
        xt = xt[:, None] if xt.ndim == 3 else xt
        if x.shape[2:] != y.shape[1:]:
            raise ValueError(f"--data: {path}: x {x.shape} and masks y {y.shape} differ in H, W")
    else:
        x, xt = x.reshape(len(x), -1), xt.reshape(len(xt), -1)
    found = int(max(y.max(), yt.max())) + 1
    num_classes = int(data["num_classes"]) if "num_classes" in data else found
    if found > num_classes:
        raise ValueError(
            f"--data: {path}: label {found - 1} is outside the classes 0..{num_classes - 1} "
            "('num_classes')"
        )
    unseen = sorted(set(np.unique(yt).tolist()) - set(np.unique(y).tolist()))
    if unseen:
        raise ValueError(
            f"--data: {path}: y_test has classes {unseen} that the training labels y never have"
        )
    return Task(
        path.stem,
        "segmentation" if seg else "classification",
        x,
        y,
        xt,
        yt,
        num_classes,
        tuple(str(c) for c in range(num_classes)),
        1.0,
    )


def make_task(
    name: str, ratio: float | None, *, seed: int = 0, data: str | None = None, quick: bool = False
) -> Task:
    """The task called ``name`` at imbalance ``ratio`` (``None``: its default)."""
    if data is not None:
        return load_npz(data, seed=seed)
    if name == "digits-lt":
        return digits_lt(100.0 if ratio is None else ratio, seed=seed)
    if name == "shapes-seg":
        r = 1.0 if ratio is None else ratio
        return shapes_seg(
            r,
            seed=seed,
            n_train=64 if quick else 192,
            n_test=32 if quick else 64,
            size=24 if quick else 32,
        )
    raise ValueError(f"--task: unknown task {name!r}; choose from {', '.join(TASKS)}")
