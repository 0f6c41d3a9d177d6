"""Run the benchmark suite: a thin wrapper of ``arrayloss bench`` (same options).

``python benchmarks/run.py --csv benchmarks/results/cpu-quick.csv`` times every loss
against its native peers; ``--full`` adds the 3-D segmentation size, ``--compile``
adds ``torch.compile``. The suite itself is ``arrayloss._bench`` so that it ships
with the package.
"""

from __future__ import annotations

import sys

from arrayloss._cli import main

if __name__ == "__main__":
    sys.exit(main(["bench", *sys.argv[1:]]))
