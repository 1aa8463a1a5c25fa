"""CPU timing for the tests that compare times within one run (never absolute times)."""
from __future__ import annotations

import time
from typing import Callable


def cpu_best(fn: Callable[[], object], repeat: int = 3) -> float:
    """The least CPU time of ``repeat`` calls: CPU time of this process is robust to a loaded machine."""
    best = float("inf")
    for _ in range(repeat):
        t0 = time.process_time()
        fn()
        best = min(best, time.process_time() - t0)
    return best
