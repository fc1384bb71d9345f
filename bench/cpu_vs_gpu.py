"""CPU (numpy) against GPU (CuPy) by size: a matmul, and a two-layer net's training step.

Matmul: n x n @ n x n float32 from tiny to large, numpy by hand, minitorch eager and PyTorch on the
CPU (one BLAS thread), CuPy by hand and minitorch on the GPU; the median of alternated runs (GPU
runs synchronised at their end), as ratios to numpy.  Training step: forward, backward and an SGD
update at growing sizes, CPU against GPU.  Without a GPU the CPU columns are printed alone.

    python bench/cpu_vs_gpu.py [quick]
"""
import sys

import numpy as np

import minitorch as mt
from _report import Config
from _timing import alternate_median, cuda_sync, one_blas_thread, table, torch_or_none

MATMUL_SIZES = [16, 32, 64, 128, 256, 512, 1024, 2048]
STEP_SIZES = [(64, 1000, 100, 10), (512, 2048, 1024, 10), (4096, 4096, 4096, 100)]


# --- matmul ------------------------------------------------------------------------------------
def matmul_measure(n, torch=None, gpu=False, repeats=None):
    """{kind: median seconds} of one n x n @ n x n float32 product."""
    rng = np.random.default_rng(0)
    a, b = (rng.standard_normal((n, n)).astype(np.float32) for _ in range(2))
    x, w = mt.tensor(a), mt.tensor(b)
    candidates = {'numpy': lambda: a @ b, 'minitorch CPU': lambda: x.mm(w)}
    if torch is not None:
        ta, tb = torch.from_numpy(a), torch.from_numpy(b)
        candidates['PyTorch CPU'] = lambda: ta @ tb
    repeats = repeats or max(3, min(200, int(2e8 // n ** 3)))
    times = alternate_median(candidates, repeats)
    if gpu:
        import cupy
        ga, gb = cupy.asarray(a), cupy.asarray(b)
        gx, gw = x.to('cuda'), w.to('cuda')
        times.update(alternate_median({'CuPy': lambda: ga @ gb, 'minitorch GPU': lambda: gx.mm(gw)},
                                      max(repeats, 20), warmup=3, sync=cuda_sync()))
    return times


def matmul_rows(measured):
    kinds = list(next(iter(measured.values())))
    rows = []
    for n, times in measured.items():
        base = times['numpy']
        rows.append([f'{n}x{n}', f'{2 * n ** 3 / base / 1e9:.1f} GFLOP/s', f'{base * 1e6:.1f} us'] +
                    [f'{times[k] / base:.2f}x' for k in kinds if k != 'numpy'])
    return rows, ['n x n @ n x n', 'numpy speed', 'numpy time'] + [k for k in kinds if k != 'numpy']


# --- a training step ---------------------------------------------------------------------------
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


def step_measure(size, gpu, repeats=5):
    """{'CPU': seconds, 'GPU': seconds} per training step (median; the CPU only at 4096^3 does
    2 steps per run)."""
    times = alternate_median({'CPU': make_step('cpu', *size)}, repeats if size[0] < 4096 else 2)
    if gpu:
        times.update(alternate_median({'GPU': make_step('cuda', *size)}, max(repeats, 10),
                                      warmup=2, sync=cuda_sync()))
    return times


def main():
    config = Config(sys.argv[1] if len(sys.argv) > 1 else 'full')
    sizes = MATMUL_SIZES if config.mode == 'full' else MATMUL_SIZES[:6]
    with one_blas_thread():
        measured = {n: matmul_measure(n, torch_or_none(), config.gpu) for n in sizes}
        print('Matmul, float32, as ratios to numpy (CPU: 1 BLAS thread)')
        rows, headers = matmul_rows(measured)
        table(rows, headers)
        print('\nTwo-layer net training step (N x D_in x H x D_out, float32)')
        step_rows = []
        for size in STEP_SIZES if config.mode == 'full' else STEP_SIZES[:2]:
            t = step_measure(size, config.gpu)
            step_rows.append(['x'.join(map(str, size)), f"{t['CPU'] * 1e3:.2f} ms"] +
                             ([f"{t['GPU'] * 1e3:.2f} ms", f"{t['CPU'] / t['GPU']:.1f}x"]
                              if config.gpu else []))
        table(step_rows, ['size', 'CPU step'] + (['GPU step', 'GPU speed-up'] if config.gpu else []))
    if not config.gpu:
        print(f'No GPU here ({mt.cuda.why_unavailable()}): GPU columns left out.')


if __name__ == '__main__':
    main()
