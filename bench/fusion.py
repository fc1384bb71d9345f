"""Elementwise fusion: the 10-op chain log(sqrt(|tanh(1.5x+0.5)·x − 0.25|)+1)·2 at growing sizes.

CPU (float32, 1 BLAS thread): eager minitorch; the static graph compiled without passes (each
intermediate freed after its last use); with the default passes but no fusion (memory planning
writes each op into its dying input); fused into one node; and numpy written by hand.  Time and
peak memory (tracemalloc, during one call, the input not counted) as ratios to numpy.  On the CPU a
fused node runs the same numpy calls as the unfused graph, so what it changes there is memory (one
result buffer, whatever the passes around it), not speed.

GPU (when present): CuPy written by hand (one kernel per op), the fused static graph (one generated
kernel), and their bandwidth (one read of x and one write of the result) against a device copy.
"""
import tracemalloc

import numpy as np

import minitorch as mt
from minitorch.static.codegen import Compiled
from minitorch.static.passes import DEFAULT, optimize
from _timing import alternate_median, one_blas_thread, table

CPU_SIZES = [2 ** k for k in range(10, 25, 2)]
GPU_SIZES = [2 ** k for k in (16, 20, 24, 26)]


def chain(x):
    return ((1.5 * x + 0.5).tanh() * x - 0.25).abs().sqrt().add(1).log() * 2


def by_hand(xp):
    def run(x):
        return xp.log(xp.sqrt(xp.abs(xp.tanh(1.5 * x + 0.5) * x - 0.25)) + 1) * 2
    return run


def compiled(x, passes):
    """The chain's graph through `passes`, compiled: a function of the input array."""
    traced = mt.static.function(chain, optimize=False)
    traced(x)
    code = Compiled(optimize(traced.graph, passes=passes), np)
    return lambda array: code.fn(array)[0][0]


def peak_bytes(fn, *args):
    fn(*args)                           # warm: anything made once is made before measuring
    tracemalloc.start()
    try:
        base = tracemalloc.get_traced_memory()[0]
        fn(*args)
        return tracemalloc.get_traced_memory()[1] - base
    finally:
        tracemalloc.stop()


CPU_KINDS = ('eager', 'static, no passes', 'static unfused', 'static fused', 'numpy')


def cpu_measure(n, repeats=None):
    """{'time': {kind: median seconds}, 'peak': {kind: bytes}, 'nbytes': input bytes} for the chain
    on n float32 numbers, every kind alternated with numpy by hand (checked against it first)."""
    x = mt.tensor(np.random.default_rng(0).standard_normal(n).astype(np.float32))
    array = x._data
    unfused = [p for p in DEFAULT if p != 'fuse_elementwise']
    candidates = {'eager': (chain, x), 'static, no passes': (compiled(x, ()), array),
                  'static unfused': (compiled(x, unfused), array),
                  'static fused': (compiled(x, DEFAULT), array), 'numpy': (by_hand(np), array)}
    want = by_hand(np)(array)
    for name, (fn, arg) in candidates.items():
        got = fn(arg)
        np.testing.assert_allclose(getattr(got, '_data', got), want, rtol=1e-6, err_msg=name)
    repeats = repeats or max(5, min(300, (1 << 22) // n))
    times = alternate_median({name: (lambda f=fn, a=arg: f(a))
                              for name, (fn, arg) in candidates.items()}, repeats)
    peaks = {name: peak_bytes(fn, arg) for name, (fn, arg) in candidates.items()}
    return {'time': times, 'peak': peaks, 'nbytes': array.nbytes}


def cpu_row(n, measured=None):
    m = measured or cpu_measure(n)
    times, peaks = m['time'], m['peak']
    row = [f'2^{n.bit_length() - 1}', f'{times["numpy"] * 1e6:.0f} us']
    row += [f'{times[name] / times["numpy"]:.2f}x' for name in CPU_KINDS if name != 'numpy']
    row += [f'{peaks["numpy"] / m["nbytes"]:.1f}']
    row += [f'{peaks[name] / peaks["numpy"]:.2f}x' for name in CPU_KINDS if name != 'numpy']
    return row


CPU_HEADERS = ['n', 'numpy time', 'eager', 'no passes', 'unfused', 'fused',
               'numpy peak (arrays)', 'eager peak', 'no passes', 'unfused', 'fused']


GPU_KINDS = ('copy', 'CuPy by hand', 'minitorch eager', 'static fused')


def gpu_measure(n, repeats=20):
    """{kind: median seconds} on the GPU for n float32 numbers (device copy for reference)."""
    import cupy
    x = mt.randn(n, device='cuda')
    fused = mt.static.function(chain)
    copy_target = cupy.empty_like(x._data)
    candidates = {'copy': lambda: cupy.copyto(copy_target, x._data),
                  'CuPy by hand': lambda: by_hand(cupy)(x._data),
                  'minitorch eager': lambda: chain(x),
                  'static fused': lambda: fused(x)}
    return alternate_median(candidates, repeats, warmup=2, sync=mt.cuda.synchronize)


def gpu_rows(sizes=None):
    rows = []
    for n in sizes or GPU_SIZES:
        times = gpu_measure(n)
        moved = 2 * n * 4                               # read x once, write the result once
        row = [f'2^{n.bit_length() - 1}', f'{moved / times["copy"] / 1e9:.0f} GB/s']
        for name in ('CuPy by hand', 'minitorch eager', 'static fused'):
            row += [f'{times[name] * 1e6:.0f} us {times["copy"] / times[name]:.0%}']
        rows.append(row)
    return rows


def main():
    """Print the CPU table (and the GPU one when a GPU is present)."""
    with one_blas_thread():
        rows = [cpu_row(n) for n in CPU_SIZES]
    print('10-op chain log(sqrt(|tanh(1.5x+0.5)*x - 0.25|)+1)*2, float32, CPU, 1 BLAS thread; '
          'time and peak memory as ratios to numpy by hand')
    table(rows, CPU_HEADERS)
    if not mt.cuda.is_available():
        print(f'No GPU here ({mt.cuda.why_unavailable()}): GPU columns left out.')
        return
    print('\nGPU: time and share of the device copy bandwidth (2 x n x 4 bytes moved)')
    table(gpu_rows(), ['n', 'device copy', 'CuPy by hand', 'minitorch eager', 'static fused'])


if __name__ == '__main__':
    main()
