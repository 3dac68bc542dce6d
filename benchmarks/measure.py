"""Timing and peak-memory helpers shared by the workloads."""

import statistics
import time
import tracemalloc
from contextlib import contextmanager


@contextmanager
def peak_memory(record):
    """Store in ``record["mib"]`` the peak MiB traced while the block ran.

    tracemalloc sees every NumPy and Python allocation exactly, so it measures
    skscratch and scikit-learn; PyTorch allocates outside its view, so its rows
    say n/a. (The process's RSS high-water mark was tried first: freed memory
    the allocator keeps makes it read near zero after the first repeat.)
    It slows allocation a little, so it never wraps a timed run.
    """
    tracemalloc.start()
    try:
        yield
    finally:
        record["mib"] = tracemalloc.get_traced_memory()[1] / 2**20
        tracemalloc.stop()


@contextmanager
def timer(record):
    """Append the block's wall time in seconds to the list ``record``."""
    start = time.perf_counter()
    yield
    record.append(time.perf_counter() - start)


def median(values):
    return statistics.median(values)
