"""Timing and peak-memory helpers shared by the workloads."""

import os
import statistics
import time
import tracemalloc
from contextlib import contextmanager

_CLEAR_REFS = "/proc/self/clear_refs"


def _rss_kib(field):
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(field):
                return int(line.split()[1])
    return None


class PeakMemory:
    """Peak extra memory (MiB) of a block: RSS high-water mark on Linux, else tracemalloc.

    The RSS mark (``VmHWM``, reset through ``/proc/self/clear_refs``) sees every
    allocation, PyTorch's included; tracemalloc only sees NumPy and Python.
    """

    def __init__(self):
        self.mib = None

    def __enter__(self):
        self.use_rss = os.path.exists(_CLEAR_REFS) and _rss_kib("VmHWM") is not None
        if self.use_rss:
            try:
                with open(_CLEAR_REFS, "w") as f:
                    f.write("5")
            except OSError:
                self.use_rss = False
        if self.use_rss:
            self.start = _rss_kib("VmRSS")
        else:
            tracemalloc.start()
        return self

    def __exit__(self, *exc):
        if self.use_rss:
            self.mib = max(_rss_kib("VmHWM") - self.start, 0) / 1024
        else:
            self.mib = tracemalloc.get_traced_memory()[1] / 2**20
            tracemalloc.stop()
        return False


@contextmanager
def timer(record):
    """Append the block's wall time in seconds to the list ``record``."""
    start = time.perf_counter()
    yield
    record.append(time.perf_counter() - start)


def median(values):
    return statistics.median(values)
