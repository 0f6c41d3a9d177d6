"""The one module that talks to ``array_api_compat`` and to backend internals.

Everything backend-specific that is not a primitive lives here: namespace and
device resolution, backend predicates, and the question "may this array's values
be read right now without a trace, a device sync or a graph break?".

No framework is imported at module level. A framework module is looked up in
``sys.modules`` only after an array of that framework has been seen, so importing
``arrayloss`` never imports torch, JAX, CuPy or Dask.
"""

from __future__ import annotations

import sys
from types import ModuleType
from typing import Any

import array_api_compat as _aac

Array = Any
Namespace = ModuleType

__all__ = [
    "Array",
    "Namespace",
    "array_namespace",
    "array_or_none",
    "device_of",
    "is_array",
    "is_cupy_namespace",
    "is_dask_namespace",
    "is_jax_namespace",
    "is_numpy_namespace",
    "is_strict_namespace",
    "is_torch_namespace",
    "library_name",
    "values_readable",
]

# The namespace predicates compare module names, as array-api-compat's do, but without
# its functools.lru_cache wrappers: torch.compile warns once for every cached helper
# it traces through. They are cheap string tests either way.
_NUMPY = frozenset({"numpy", "array_api_compat.numpy"})
_TORCH = frozenset({"torch", "array_api_compat.torch"})
_JAX = frozenset({"jax.numpy", "jax.experimental.array_api"})
_CUPY = frozenset({"cupy", "array_api_compat.cupy"})
_DASK = frozenset({"dask.array", "array_api_compat.dask.array"})


def is_numpy_namespace(xp: Namespace) -> bool:
    """Whether ``xp`` is NumPy (itself or array-api-compat's wrapper)."""
    return xp.__name__ in _NUMPY


def is_torch_namespace(xp: Namespace) -> bool:
    """Whether ``xp`` is PyTorch (itself or array-api-compat's wrapper)."""
    return xp.__name__ in _TORCH


def is_jax_namespace(xp: Namespace) -> bool:
    """Whether ``xp`` is ``jax.numpy``."""
    return xp.__name__ in _JAX


def is_cupy_namespace(xp: Namespace) -> bool:
    """Whether ``xp`` is CuPy (itself or array-api-compat's wrapper)."""
    return xp.__name__ in _CUPY


def is_dask_namespace(xp: Namespace) -> bool:
    """Whether ``xp`` is Dask's array module (itself or array-api-compat's wrapper)."""
    return xp.__name__ in _DASK


def is_strict_namespace(xp: Namespace) -> bool:
    """Whether ``xp`` is array-api-strict."""
    return xp.__name__ == "array_api_strict"


def is_array(x: object) -> bool:
    """Whether ``x`` is an array of a supported library (a tracer included)."""
    if isinstance(x, _NOT_ARRAYS):
        return False  # Python values (hyperparameters, options) need no library lookup
    if _known_namespace(type(x)) is not None:
        return True
    return bool(_aac.is_array_api_obj(x))


_NOT_ARRAYS = (int, float, complex, str, bytes, list, tuple, dict, type(None))


def library_name(x: object) -> str:
    """Return the top-level package that owns ``x`` (``"torch"``, ``"jax"``, ...)."""
    return library_name_of_type(type(x))


def library_name_of_type(kind: type) -> str:
    """Return the top-level package that defines the array type ``kind``."""
    module = kind.__module__ or ""
    root = module.split(".", 1)[0]
    if root == "jaxlib":
        return "jax"
    return root or kind.__name__


# Libraries whose namespace depends on the array type alone (array-api-strict and
# Dask wrappers are left out: their namespaces can depend on flags and versions).
_CACHED_LIBRARIES = frozenset({"numpy", "torch", "jax", "cupy"})
_NAMESPACE_CACHE: dict[type, Namespace] = {}


def array_namespace(*, required: tuple[str, ...] = (), **arrays: object) -> Namespace:
    """Return the Array API namespace shared by the named array arguments.

    Arguments that are ``None`` are skipped unless their name is in ``required``.

    Raises
    ------
    TypeError
        If an argument is not an array (the message names it), or if the arrays
        come from different libraries (the message names the arguments and both
        libraries).
    """
    kinds = {type(a) for a in arrays.values() if a is not None}
    if len(kinds) == 1 and all(arrays.get(k) is not None for k in required):
        # one array type: its namespace was resolved before (the per-call cost of
        # the overhead probes was ~7 us here; array_api_compat re-derives it each time)
        kind = next(iter(kinds))
        cached = _NAMESPACE_CACHE.get(kind)
        if cached is not None:
            return cached
        known = _known_namespace(kind)
        if known is not None:
            _NAMESPACE_CACHE[kind] = known
            return known
    present = {k: a for k, a in arrays.items() if a is not None or k in required}
    for name, a in present.items():
        if not is_array(a):
            raise TypeError(
                f"{name} must be an array (NumPy, PyTorch, JAX, CuPy, Dask or any Array "
                f"API library), got {type(a).__module__}.{type(a).__qualname__}"
            )
    known_all = {_known_namespace(type(a)) for a in present.values()}
    if len(known_all) == 1 and None not in known_all:
        # several array types of one library (a JAX array and a tracer, a tensor
        # subclass): no need for array-api-compat's cached type checks either
        return next(iter(known_all))  # type: ignore[return-value]
    try:
        xp = _aac.array_namespace(*present.values())
    except TypeError:
        owners = ", ".join(f"{k} from {library_name(a)}" for k, a in present.items())
        libraries = sorted({library_name(a) for a in present.values()})
        raise TypeError(
            "all array arguments must come from one library, got a mix of "
            + " and ".join(libraries)
            + f" ({owners}); convert them to one library first"
        ) from None
    if len(kinds) == 1:
        kind = next(iter(kinds))
        if library_name_of_type(kind) in _CACHED_LIBRARIES:
            _NAMESPACE_CACHE[kind] = xp
    return xp


def _known_namespace(kind: type) -> Namespace | None:
    """The namespace of a torch/NumPy/CuPy/JAX array type, or ``None`` for the others.

    The same modules ``array_api_compat.array_namespace`` returns, found with import
    statements only: array-api-compat's type checks are ``functools.lru_cache``-wrapped,
    and ``torch.compile`` warns once per cached helper it traces through (25 warnings
    on a first compiled call). The modules are imported by now: the caller holds an
    array of that library.
    """
    if _subclass(kind, "torch", "Tensor"):
        from array_api_compat import torch as torch_xp

        return torch_xp
    if _subclass(kind, "numpy", "ndarray"):
        from array_api_compat import numpy as numpy_xp

        return numpy_xp
    if _subclass(kind, "jax", "Array") or _subclass(kind, "jax.core", "Tracer"):
        import jax.numpy as jnp

        return jnp
    if _subclass(kind, "cupy", "ndarray"):  # pragma: no cover - needs a GPU
        from array_api_compat import cupy as cupy_xp

        return cupy_xp
    return None


def _subclass(kind: type, module: str, name: str) -> bool:
    owner = sys.modules.get(module)
    base = getattr(owner, name, None)
    return isinstance(base, type) and issubclass(kind, base)


def array_or_none(value: object) -> Array | None:
    """``value`` if it is an array, else ``None``: for options that take an array or
    a Python value (class weights as a list, ``pos_weight`` as a float), so that only
    arrays join namespace inference."""
    return value if is_array(value) else None


def device_of(x: Array) -> Any:
    """Return the device of ``x`` in the form its namespace's creation functions accept."""
    if _subclass(type(x), "torch", "Tensor"):
        return x.device  # array-api-compat's device() runs cached type checks first
    where = _aac.device(x)
    if _subclass(type(where), "jax", "NamedSharding"):
        # a batch sharded over a mesh: new arrays (class indices, constants) of any rank
        # are replicated on that mesh; the array's own spec fits only arrays of its rank
        jax = sys.modules["jax"]
        return jax.sharding.NamedSharding(where.mesh, jax.sharding.PartitionSpec())
    return where


def _torch_values_readable(x: Array) -> bool:
    torch = sys.modules["torch"]
    if x.device.type != "cpu":
        return False  # reading would synchronise with the accelerator
    if torch.compiler.is_compiling():
        return False  # a data-dependent read is a graph break
    functorch = getattr(torch._C, "_functorch", None)
    if functorch is not None and functorch.is_functorch_wrapped_tensor(x):
        return False  # torch.func.vmap/grad: values are batched or traced
    return not x.is_meta


def _jax_values_readable(x: Array) -> bool:
    jax = sys.modules["jax"]
    if isinstance(x, jax.core.Tracer):
        return False  # under jit, grad, vmap: no concrete value
    try:
        platforms = {d.platform for d in x.devices()}
    except Exception:  # pragma: no cover - committed-less or deleted arrays
        return False
    return platforms == {"cpu"}


def values_readable(x: Array, xp: Namespace) -> bool:
    """Whether reading ``x``'s values is cheap and legal right now.

    True only for eager arrays in host memory: NumPy, array-api-strict, torch CPU
    tensors outside ``torch.compile`` and ``torch.func`` transforms, and concrete
    JAX arrays on the CPU. Everything else (tracers, GPU arrays, Dask graphs) would
    need a trace-time error, a device sync or a compute, so value checks are skipped
    there and invalid values surface as NaN instead.
    """
    # keyed by the module's name: torch.compile cannot hash a module object
    name = xp.__name__
    kind = _READABLE_KIND.get(name)
    if kind is None:
        kind = _readable_kind(xp)
        _READABLE_KIND[name] = kind
    if kind == "torch":
        return _torch_values_readable(x)
    if kind == "jax":
        return _jax_values_readable(x)
    return kind == "host"


# namespace name -> how its values are read (the predicates depend on the name only);
# cached because the namespace predicates cost ~1 us each on the eager overhead probes
_READABLE_KIND: dict[str, str] = {}


def _readable_kind(xp: Namespace) -> str:
    if is_numpy_namespace(xp) or is_strict_namespace(xp):
        return "host"
    if is_torch_namespace(xp):
        return "torch"
    if is_jax_namespace(xp):
        return "jax"
    return "never"
