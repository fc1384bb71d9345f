"""The seed's two-layer net: minitorch autograd against hand-written numpy backprop (and PyTorch).

N=64, D_in=1000, H=100, D_out=10, float32, 500 SGD steps at lr 1e-6, one BLAS thread, the three
implementations alternated in one process.  Prints the time of each and its ratio to numpy.
"""
import sys

import numpy as np

import minitorch as mt
from _timing import alternate, one_blas_thread, table, torch_or_none

N, D_IN, H, D_OUT, STEPS, LR = 64, 1000, 100, 10, 500, 1e-6


def data():
    rng = np.random.default_rng(0)
    return [rng.standard_normal(s).astype(np.float32) for s in [(N, D_IN), (N, D_OUT), (D_IN, H),
                                                                  (H, D_OUT)]]


def numpy_run(x, y, w1, w2):
    w1, w2 = w1.copy(), w2.copy()
    for _ in range(STEPS):
        h = x.dot(w1)
        h_relu = np.maximum(h, 0)
        y_pred = h_relu.dot(w2)
        loss = np.square(y_pred - y).sum()
        grad_y_pred = 2.0 * (y_pred - y)
        grad_w2 = h_relu.T.dot(grad_y_pred)
        grad_h_relu = grad_y_pred.dot(w2.T)
        grad_h = grad_h_relu.copy()
        grad_h[h < 0] = 0
        grad_w1 = x.T.dot(grad_h)
        w1 -= LR * grad_w1
        w2 -= LR * grad_w2
    return float(loss)


def autograd_run(lib, set_to_none=False):
    """The same loop for minitorch and PyTorch: the names and semantics are the same.
    set_to_none: drop the gradients after each step instead of zeroing them in place, so backward
    stores fresh ones rather than adding into zeros (what zero_grad(set_to_none=True) does)."""
    def run(x, y, w1, w2):
        x, y = lib.from_numpy(x), lib.from_numpy(y)
        w1 = lib.tensor(w1, requires_grad=True)
        w2 = lib.tensor(w2, requires_grad=True)
        for _ in range(STEPS):
            y_pred = x.mm(w1).clamp(min=0).mm(w2)
            loss = (y_pred - y).pow(2).sum()
            loss.backward()
            with lib.no_grad():
                w1 -= LR * w1.grad
                w2 -= LR * w2.grad
                if set_to_none:
                    w1.grad = w2.grad = None
                else:
                    w1.grad.zero_()
                    w2.grad.zero_()
        return loss.item()
    return run


def main(repeats=5):
    arrays = data()
    runs = {'numpy, hand-written backward': numpy_run, 'minitorch autograd': autograd_run(mt),
            'minitorch, grads set to None': autograd_run(mt, set_to_none=True)}
    torch = torch_or_none()
    if torch is not None:
        runs['PyTorch eager autograd'] = autograd_run(torch)
        runs['PyTorch, grads set to None'] = autograd_run(torch, set_to_none=True)
    losses = {name: fn(*arrays) for name, fn in runs.items()}
    with one_blas_thread():
        best = alternate({name: (lambda fn=fn: fn(*arrays)) for name, fn in runs.items()}, repeats)
    base = best['numpy, hand-written backward']
    print(f'Two-layer net, {STEPS} SGD steps (N={N}, D_in={D_IN}, H={H}, D_out={D_OUT}, float32), '
          f'1 BLAS thread, best of {repeats} alternated runs')
    table([(name, f'{t * 1e3:.0f} ms', f'{t / base:.2f}x', f'{losses[name]:.4g}')
           for name, t in best.items()], ['implementation', 'time', 'vs numpy', 'final loss'])
    if torch is None:
        print('(PyTorch is not installed: its row is left out)')


if __name__ == '__main__':
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 5)
