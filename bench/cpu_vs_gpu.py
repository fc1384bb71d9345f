"""The same training step on CPU (numpy) and GPU (CuPy): where does the GPU pay?

A two-layer net step (forward, backward, SGD update) at growing sizes, float32.  GPU times include a
synchronize at the end of each run, so queued kernels are counted.  Without a GPU it says so and
prints the CPU column alone.
"""
import sys
import time

import minitorch as mt
from _timing import one_blas_thread, table

SIZES = [(64, 1000, 100, 10), (512, 2048, 1024, 10), (4096, 4096, 4096, 100)]


def make_step(device, n, d_in, h, d_out):
    mt.manual_seed(0)
    x = mt.randn(n, d_in, device=device)
    y = mt.randn(n, d_out, device=device)
    w1 = mt.randn(d_in, h, device=device, requires_grad=True)
    w2 = mt.randn(h, d_out, device=device, requires_grad=True)

    def step():
        loss = (x.mm(w1).clamp(min=0).mm(w2) - y).pow(2).sum()
        loss.backward()
        with mt.no_grad():
            w1.sub_(1e-9 * w1.grad)
            w2.sub_(1e-9 * w2.grad)
            w1.grad = None
            w2.grad = None
        return loss
    return step


def time_steps(device, size, steps):
    step = make_step(device, *size)
    step()                                  # warm up: kernels compile, memory pools fill
    mt.cuda.synchronize()
    start = time.perf_counter()
    for _ in range(steps):
        step()
    mt.cuda.synchronize()
    return (time.perf_counter() - start) / steps


def main(steps=20):
    gpu = mt.cuda.is_available()
    rows = []
    with one_blas_thread():
        for size in SIZES:
            cpu_steps = steps if size[0] < 4096 else 2
            cpu = time_steps('cpu', size, cpu_steps)
            row = ['x'.join(map(str, size)), f'{cpu * 1e3:.2f} ms']
            if gpu:
                g = time_steps('cuda', size, steps)
                row += [f'{g * 1e3:.2f} ms', f'{cpu / g:.1f}x']
            rows.append(row)
    print('Two-layer net training step (N x D_in x H x D_out, float32); CPU with 1 BLAS thread')
    headers = ['size', 'CPU step'] + (['GPU step', 'GPU speed-up'] if gpu else [])
    table(rows, headers)
    if not gpu:
        print(f'No GPU here ({mt.cuda.why_unavailable()}): GPU columns left out.')


if __name__ == '__main__':
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 20)
