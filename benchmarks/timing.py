"""The one timing helper the benchmark scripts share."""
import statistics
import time


def median_time(fn, repeat):
    """Median wall time of `repeat` calls of fn(), in seconds."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)
