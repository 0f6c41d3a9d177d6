"""Private core: compat shim, dtypes, primitives, reduction and validation."""
