"""Per-op overhead: 200 x `y = y * 1.001 + 0.001` on a 4x4 tensor, then backward.

The arrays are tiny, so the time is almost all Python dispatch: recording the graph forward and
walking it backward.  Reported per op (400 ops), forward plus its share of backward.
"""
import sys

import minitorch as mt
from _timing import alternate, one_blas_thread, table, torch_or_none

ITERS = 200
OPS = 2 * ITERS


def chain(lib, backward=True):
    def run():
        x = lib.ones(4, 4, requires_grad=True)
        y = x
        for _ in range(ITERS):
            y = y * 1.001 + 0.001
        if backward:
            y.sum().backward()
    return run


def main(repeats=200):
    candidates = {'minitorch forward+backward': chain(mt), 'minitorch forward only': chain(mt, backward=False)}
    torch = torch_or_none()
    if torch is not None:
        candidates['PyTorch forward+backward'] = chain(torch)
        candidates['PyTorch forward only'] = chain(torch, backward=False)
    with one_blas_thread():
        best = alternate(candidates, repeats)
    print(f'{ITERS} x (y * 1.001 + 0.001) on 4x4 float32, then backward; best of {repeats} alternated '
          'runs, 1 BLAS thread')
    table([(name, f'{t * 1e3:.2f} ms', f'{t / OPS * 1e6:.2f} us') for name, t in best.items()],
          ['what', 'total', 'per op'])
    if torch is None:
        print('(PyTorch is not installed: its rows are left out)')


if __name__ == '__main__':
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 200)
