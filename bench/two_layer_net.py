"""The seed's two-layer net: hand-written backprop against minitorch (eager and static) and PyTorch.

N=64, D_in=1000, H=100, D_out=10, float32, 500 SGD steps at lr 1e-6 from the same weights, one BLAS
thread, every implementation alternated in one process; the median of the runs as a ratio to the
hand-written numpy.  minitorch static is the same step under @mt.static.function (traced once);
torch.compile compiles PyTorch's loss (forward and, through AOTAutograd, backward) when it works here.
On a GPU: the same at the seed's size and at large ones, against hand-written CuPy.

    python bench/two_layer_net.py [quick]
"""
import numpy as np

import minitorch as mt
from _report import Plot, Section, Table, run_alone
from _timing import alternate_median, cuda_sync, one_blas_thread, torch_or_none

SEED_SIZE = (64, 1000, 100, 10)
LR = 1e-6


def data(size, seed=0):
    n, d_in, h, d_out = size
    rng = np.random.default_rng(seed)
    return [rng.standard_normal(s).astype(np.float32)
            for s in [(n, d_in), (n, d_out), (d_in, h), (h, d_out)]]


def by_hand(xp, steps):
    """Hand-written forward and backward on the array module xp (numpy or cupy)."""
    def run(x, y, w1, w2):
        w1, w2 = w1.copy(), w2.copy()
        for _ in range(steps):
            h = x.dot(w1)
            h_relu = xp.maximum(h, 0)
            y_pred = h_relu.dot(w2)
            loss = xp.square(y_pred - y).sum()
            grad_y_pred = 2.0 * (y_pred - y)
            grad_w2 = h_relu.T.dot(grad_y_pred)
            grad_h_relu = grad_y_pred.dot(w2.T)
            grad_h = grad_h_relu.copy()
            grad_h[h < 0] = 0
            grad_w1 = x.T.dot(grad_h)
            w1 -= LR * grad_w1
            w2 -= LR * grad_w2
        return float(loss)
    return run


def autograd(lib, steps, set_to_none=False, device='cpu', compile_loss=False):
    """The same loop for minitorch and PyTorch (same names and semantics).  set_to_none: drop the
    gradients after each step instead of zeroing them, so backward stores fresh ones."""
    def loss_of(x, y, w1, w2):
        return (x.mm(w1).clamp(min=0).mm(w2) - y).pow(2).sum()
    loss_fn = lib.compile(loss_of) if compile_loss else loss_of

    def run(x, y, w1, w2):
        # arrays already on the device are used in place (as_tensor); weights are fresh copies
        x, y = lib.as_tensor(x, device=device), lib.as_tensor(y, device=device)
        w1 = lib.as_tensor(w1, device=device).clone().requires_grad_(True)
        w2 = lib.as_tensor(w2, device=device).clone().requires_grad_(True)
        for _ in range(steps):
            loss = loss_fn(x, y, w1, w2)
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


def static(steps, arrays, device='cpu'):
    """The step under @mt.static.function: weights are state the graph reads and writes back; each
    run copies the initial weights in, then calls the compiled step `steps` times."""
    x0, y0, w10, w20 = [mt.as_tensor(a, device=device) for a in arrays]
    w1 = mt.zeros(*w10.shape, device=device, requires_grad=True)
    w2 = mt.zeros(*w20.shape, device=device, requires_grad=True)

    @mt.static.function
    def step(x, y):
        loss = (x.mm(w1).clamp(min=0).mm(w2) - y).pow(2).sum()
        loss.backward()
        with mt.no_grad():
            w1.sub_(LR * w1.grad)
            w2.sub_(LR * w2.grad)
            w1.grad = w2.grad = None
        return loss

    def run(*_):
        with mt.no_grad():
            w1.copy_(w10)
            w2.copy_(w20)
        for _ in range(steps):
            loss = step(x0, y0)
        return loss.item()
    return run


def candidates(torch, steps, arrays, with_compile):
    runs = {'numpy, hand-written backward': by_hand(np, steps),
            'minitorch eager': autograd(mt, steps),
            'minitorch eager, grads set to None': autograd(mt, steps, set_to_none=True),
            'minitorch static': static(steps, arrays)}
    notes = []
    if torch is None:
        notes.append('PyTorch is not installed: its rows are left out.')
        return runs, notes
    runs['PyTorch eager'] = autograd(torch, steps)
    runs['PyTorch eager, grads set to None'] = autograd(torch, steps, set_to_none=True)
    if with_compile:
        compiled = autograd(torch, steps, set_to_none=True, compile_loss=True)
        try:
            compiled(*arrays)           # compiles here, outside the timed runs
            runs['torch.compile (loss; grads set to None)'] = compiled
        except Exception as err:        # no C++ compiler, an unsupported Python, ...
            notes.append(f'torch.compile does not work here ({type(err).__name__}: '
                         f'{str(err).splitlines()[0][:120]}): its row is left out.')
    else:
        notes.append('torch.compile is left out of quick runs (it compiles for ~30 s).')
    return runs, notes


def cpu_table(config, torch):
    steps, repeats = config.pick(500, 200, 5), config.pick(11, 5, 1)
    arrays = data(SEED_SIZE)
    runs, notes = candidates(torch, steps, arrays, with_compile=config.mode == 'full')
    losses = {name: fn(*arrays) for name, fn in runs.items()}
    times = alternate_median({name: (lambda fn=fn: fn(*arrays)) for name, fn in runs.items()},
                             repeats, warmup=0)
    base = times['numpy, hand-written backward']
    rows = [[name, f'{t * 1e3:.0f} ms', f'{t / base:.2f}x', f'{losses[name]:.4g}']
            for name, t in times.items()]
    title = (f'CPU: {steps} SGD steps, N x D_in x H x D_out = {"x".join(map(str, SEED_SIZE))}, '
             f'float32 (median of {repeats} alternated runs)')
    return times, Table(title, ['implementation', 'time', 'vs numpy', 'final loss'], rows,
                        ' '.join(notes))


GPU_SIZES = [((64, 1000, 100, 10), 200), ((4096, 4096, 4096, 100), 20),
             ((8192, 8192, 8192, 1000), 10)]


def gpu_table(config, torch):
    import cupy
    sizes = GPU_SIZES if config.mode == 'full' else GPU_SIZES[:2]
    rows = []
    for size, steps in sizes:
        arrays = [cupy.asarray(a) for a in data(size)]     # made once, on the device
        runs = {'CuPy, hand-written backward': by_hand(cupy, steps),
                'minitorch eager, grads set to None': autograd(mt, steps, True, 'cuda'),
                'minitorch static': static(steps, arrays, 'cuda')}
        if torch is not None and torch.cuda.is_available():
            runs['PyTorch eager, grads set to None'] = autograd(torch, steps, True, 'cuda')
        runs = {name: (lambda fn=fn: fn(*arrays)) for name, fn in runs.items()}
        times = alternate_median(runs, config.pick(5, 3), warmup=1, sync=cuda_sync())
        base = times['CuPy, hand-written backward']
        for name, t in times.items():
            rows.append(['x'.join(map(str, size)), steps, name, f'{t / steps * 1e3:.3f} ms',
                         f'{t / base:.2f}x'])
    return Table('CUDA: the same training steps against hand-written CuPy (median of alternated '
                 'runs, synchronised at the end of each; the data made on the device once)',
                 ['size', 'steps', 'implementation', 'per step', 'vs CuPy'], rows)


def suite(config):
    torch = torch_or_none()
    with one_blas_thread():
        times, cpu = cpu_table(config, torch)
        items = [cpu]
        if config.gpu:
            items.append(gpu_table(config, torch))
    items.append(Plot('two_layer_net', lambda fig: draw(fig, times),
                      'The seed net: time of each implementation as a ratio to hand-written numpy'))
    return Section('The seed two-layer net',
                   'One training step is two matmuls forward, three backward, and a dozen small '
                   'ops: at this size dispatch is a visible share of the time.', items)


def draw(fig, times):
    ax = fig.add_subplot(1, 1, 1)
    base = times['numpy, hand-written backward']
    names = list(times)[::-1]
    values = [times[n] / base for n in names]
    colors = ['0.6' if n.startswith('numpy') else 'tab:orange' if 'torch' in n.lower() and
              not n.startswith('minitorch') else 'tab:green' if 'static' in n else 'tab:blue'
              for n in names]
    ax.barh(names, values, color=colors)
    ax.axvline(1.0, color='0.3', lw=0.8, ls='--')
    for y, v in enumerate(values):
        ax.text(v, y, f' {v:.2f}x', va='center', fontsize=8)
    ax.set_xlabel('time / hand-written numpy (lower is faster)')
    ax.tick_params(axis='y', labelsize=8)


if __name__ == '__main__':
    run_alone(suite)
