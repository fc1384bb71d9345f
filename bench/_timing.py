"""Shared bench helpers: one BLAS thread, candidates alternated in one process, medians, a table.

Every figure the suite reports is the median over repeated runs of a candidate, the candidates run in
turn (A B C A B C ...) so that drifting machine load hits all alike, and is given as a ratio to the
baseline timed in the same rounds.  As Python's timeit does, the garbage collector is off while the
rounds run (it collects once before them): a collection of everything a process holds (PyTorch's
modules included) costs milliseconds and would land on whichever candidate happened to trigger it.
"""
import gc
import statistics
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


def alternate(candidates, repeats):
    """Time each candidate `repeats` times, interleaved, so drifting machine load hits all alike.
    Returns {name: best time}."""
    return {name: min(times) for name, times in alternate_all(candidates, repeats).items()}


def alternate_all(candidates, repeats, warmup=1, sync=None):
    """Every time of each candidate: `warmup` untimed rounds, then `repeats` timed rounds, each
    round calling every candidate once in turn.  sync(): called before reading the clock (a GPU's
    synchronize, so that queued work is counted).  Returns {name: [seconds, ...]}."""
    for _ in range(warmup):
        for fn in candidates.values():
            fn()
    if sync is not None:
        sync()
    times = {name: [] for name in candidates}
    collecting = gc.isenabled()
    gc.collect()
    gc.disable()
    try:
        for _ in range(repeats):
            for name, fn in candidates.items():
                start = time.perf_counter()
                fn()
                if sync is not None:
                    sync()
                times[name].append(time.perf_counter() - start)
    finally:
        if collecting:
            gc.enable()
    return times


def alternate_median(candidates, repeats, warmup=1, sync=None):
    """{name: median seconds} over `repeats` alternated rounds (see alternate_all)."""
    return {name: statistics.median(times)
            for name, times in alternate_all(candidates, repeats, warmup, sync).items()}


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


def cuda_sync():
    """A function that waits for the GPU (None without one)."""
    import minitorch as mt
    if not mt.cuda.is_available():
        return None
    return mt.cuda.synchronize

