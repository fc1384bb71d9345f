"""Shared bench helpers: one BLAS thread, alternated repeats, a plain table."""
import time
from contextlib import contextmanager


@contextmanager
def one_blas_thread():
    """Pin BLAS/OpenMP to one thread: on a 2-core machine two threads are often slower and noisier."""
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        print('(threadpoolctl is missing: BLAS threads not pinned)')
        yield
        return
    with threadpool_limits(limits=1):
        yield


def best_of(fn, repeats):
    """Minimum wall time of `repeats` calls (the least disturbed by other load)."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def alternate(candidates, repeats):
    """Time each candidate `repeats` times, interleaved, so drifting machine load hits all alike.
    Returns {name: best time}."""
    best = {name: float('inf') for name in candidates}
    for _ in range(repeats):
        for name, fn in candidates.items():
            start = time.perf_counter()
            fn()
            best[name] = min(best[name], time.perf_counter() - start)
    return best


def table(rows, headers):
    widths = [max(len(str(h)), *(len(str(r[i])) for r in rows)) for i, h in enumerate(headers)]
    line = '  '.join(str(h).ljust(w) for h, w in zip(headers, widths))
    print(line)
    print('-' * len(line))
    for r in rows:
        print('  '.join(str(c).ljust(w) for c, w in zip(r, widths)))


def torch_or_none():
    try:
        import torch
        torch.set_num_threads(1)
        return torch
    except ImportError:
        return None
