"""Print the ratio table of ``docs/benchmarks.rst`` from benchmark CSV files.

``python benchmarks/table.py A.csv [B.csv ...]``: rows of a later file replace the
rows of an earlier one with the same (loss, peer, backend, size, mode), so a re-run
of a few losses can be layered over a full run.
"""

from __future__ import annotations

import csv
import sys


def _read(path: str) -> list[dict[str, str]]:
    with open(path) as fh:
        return list(csv.DictReader(line for line in fh if not line.startswith("#")))


def _mem(value: str) -> str:
    return f"{int(value) / 2**20:.1f}" if value else "-"


def main(paths: list[str]) -> None:
    rows: dict[tuple[str, ...], dict[str, str]] = {}
    for path in paths:
        for r in _read(path):
            rows[(r["loss"], r["peer"], r["backend"], r["size"], r["mode"])] = r
    print(".. list-table::")
    print("   :header-rows: 1")
    print()
    head = [
        "loss",
        "backend",
        "size",
        "mode",
        "peer",
        "ours",
        "peer time",
        "ratio [IQR]",
        "MiB ours/peer",
    ]
    print("   * - " + "\n     - ".join(head))
    for r in rows.values():
        cells = [
            f"``{r['loss']}``",
            r["backend"],
            f"{r['size']} {r['shape']}",
            r["mode"],
            r["peer"],
            f"{float(r['ours_s']) * 1e3:.3g} ms",
            f"{float(r['peer_s']) * 1e3:.3g} ms",
            f"{float(r['ratio']):.2f} [{float(r['ratio_q1']):.2f}-{float(r['ratio_q3']):.2f}]",
            f"{_mem(r['ours_mem'])}/{_mem(r['peer_mem'])}",
        ]
        print("   * - " + "\n     - ".join(cells))


if __name__ == "__main__":
    main(sys.argv[1:])
