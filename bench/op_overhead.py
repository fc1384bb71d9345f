"""Per-op overhead: 200 x `y = y * 1.001 + 0.001` on a 4x4 tensor (then backward, where timed).

The arrays are tiny, so the time is almost all the framework's own work per op: Python dispatch,
recording the graph forward and walking it backward.  Reported per forward op (400 ops; a
forward + backward figure includes the backward's share) and as a ratio to numpy doing the same ops
by hand.  Also: what the profiler costs while it records, and what its hook in a static graph's run
costs while it does not (Executable.run with and without the check, on the same compiled graph).
On a GPU: the same chain on CUDA against CuPy's own per-op cost (synchronised at the end of each run).

    python bench/op_overhead.py
"""
import numpy as np

import minitorch as mt
from minitorch.profiler import profile
from _report import Plot, Section, Table, run_alone
from _timing import alternate_median, cuda_sync, one_blas_thread, torch_or_none

ITERS = 200
OPS = 2 * ITERS


def chain(y):
    for _ in range(ITERS):
        y = y * 1.001 + 0.001
    return y


def by_hand(xp):
    y0 = xp.ones((4, 4), dtype=xp.float32)
    return lambda: chain(y0)


def eager(device='cpu', record=True, backward=False, profiled=False):
    def run():
        x = mt.ones(4, 4, device=device, requires_grad=record)
        y = chain(x)
        if backward:
            y.sum().backward()
    if not record:
        return lambda: _no_grad(run)
    if profiled:
        return lambda: _profiled(run)
    return run


def _no_grad(run):
    with mt.no_grad():
        run()


def _profiled(run):
    with profile():
        run()


def static(device='cpu'):
    """The chain traced once; each call runs the compiled graph (the chain's backward is a
    constant, 1.001^200, which the graph passes fold: static training is timed on the nets)."""
    x = mt.ones(4, 4, device=device)
    traced = mt.static.function(chain)
    return lambda: traced(x)


def torch_chain(torch, device='cpu', record=True, backward=False):
    def run():
        x = torch.ones(4, 4, device=device, requires_grad=record)
        y = chain(x)
        if backward:
            y.sum().backward()
    return run


def hook_check(config):
    """The same compiled graphs run by Executable.run (with the check for a watching profiler) and
    by a copy without it: ratio with/without, a 400-op graph and a 1-op graph."""
    rows = []
    for label, fn in (('the 400-op chain', chain), ('one op, x * 2', lambda x: x * 2)):
        traced = mt.static.function(fn)
        x = mt.ones(4, 4)
        traced(x)
        executable, arrays = traced.last, [x._data]
        times = alternate_median({'with': lambda: executable.run(arrays),
                                  'without': lambda: _run_without_hook(executable, arrays)},
                                 config.pick(2000, 300) if label.startswith('one') else
                                 config.pick(300, 50))
        rows.append([f'static graph run, {label}', f"{times['with'] * 1e6:.2f} us",
                     f"{times['without'] * 1e6:.2f} us",
                     f"{(times['with'] / times['without'] - 1) * 100:+.1f} %"])
    return Table('Cost of the profiler hook in a static graph run while nothing profiles',
                 ['graph', 'Executable.run', 'without the hook', 'difference'], rows,
                 'Eager ops: the profiler uses the dispatch hook every primitive already has (one '
                 'global read when no mode is installed) and adds no code to the eager path; that '
                 'hook\'s own price is measured by bench/dispatch_hook_cost.py (a section below).')


def _run_without_hook(executable, input_arrays):
    """Executable.run as it was before the profiler's check (reads state, runs, writes back)."""
    state_arrays = [read() for read in executable._reads]
    outputs, writes = executable.compiled.fn(*input_arrays, *state_arrays)
    for slot, array in zip(executable._slots, writes):
        slot.write(array)
    return outputs


def cpu_table(config, torch):
    candidates = {
        'numpy by hand, forward': by_hand(np),
        'minitorch forward, no graph (no_grad)': eager(record=False),
        'minitorch forward, recording the graph': eager(),
        'minitorch forward + backward': eager(backward=True),
        'minitorch static, forward': static(),
        'minitorch forward + backward, profiled': eager(backward=True, profiled=True),
    }
    if torch is not None:
        candidates['PyTorch forward, recording the graph'] = torch_chain(torch)
        candidates['PyTorch forward + backward'] = torch_chain(torch, backward=True)
    repeats = config.pick(300, 30, 3)
    times = alternate_median(candidates, repeats)
    base = times['numpy by hand, forward']
    rows = [[name, f'{t / OPS * 1e6:.2f} us', f'{t / base:.2f}x'] for name, t in times.items()]
    note = '' if torch is not None else '(PyTorch is not installed: its rows are left out)'
    return times, Table(f'CPU, per forward op ({OPS} ops; median of {repeats} alternated runs)',
                        ['what', 'per op', 'vs numpy'], rows, note)


def gpu_table(config, torch):
    import cupy
    candidates = {'CuPy by hand, forward': by_hand(cupy),
                  'minitorch forward, no graph (no_grad)': eager('cuda', record=False),
                  'minitorch forward, recording the graph': eager('cuda'),
                  'minitorch static, forward': static('cuda')}
    if torch is not None and torch.cuda.is_available():
        candidates['PyTorch forward, no graph'] = torch_chain(torch, 'cuda', record=False)
    repeats = config.pick(50, 10)
    times = alternate_median(candidates, repeats, warmup=2, sync=cuda_sync())
    base = times['CuPy by hand, forward']
    rows = [[name, f'{t / OPS * 1e6:.2f} us', f'{(t - base) / OPS * 1e6:+.2f} us',
             f'{t / base:.2f}x'] for name, t in times.items()]
    return times, Table(f'CUDA, per forward op on a 4x4 tensor (median of {repeats} runs, '
                        'synchronised at the end of each)', ['what', 'per op', 'vs CuPy', 'ratio'],
                        rows, 'Target: minitorch eager within 2 us of CuPy\'s own per-op cost.')


def suite(config):
    torch = torch_or_none()
    with one_blas_thread():
        cpu_times, cpu = cpu_table(config, torch)
        items = [cpu, hook_check(config)]
        gpu_times = None
        if config.gpu:
            gpu_times, gpu = gpu_table(config, torch)
            items.append(gpu)
    items.append(Plot('overhead', lambda fig: draw(fig, cpu_times, gpu_times),
                      'Per-op overhead: microseconds per forward op of a 4x4 elementwise chain'))
    return Section('Per-op overhead', f'{ITERS} x `y = y * 1.001 + 0.001` on 4x4 float32: the time '
                   'is the framework\'s own work per op.', items)


def draw(fig, cpu_times, gpu_times):
    panels = [('CPU', cpu_times)] + ([('CUDA', gpu_times)] if gpu_times else [])
    for i, (title, times) in enumerate(panels):
        ax = fig.add_subplot(1, len(panels), i + 1)
        names = list(times)[::-1]
        values = [times[n] / OPS * 1e6 for n in names]
        colors = ['0.6' if n.startswith(('numpy', 'CuPy')) else 'tab:orange' if 'PyTorch' in n
                  else 'tab:blue' for n in names]
        ax.barh(names, values, color=colors)
        for y, v in enumerate(values):
            ax.text(v, y, f' {v:.2f}', va='center', fontsize=7)
        ax.set_xlabel('microseconds per forward op')
        ax.set_title(title)
        ax.tick_params(axis='y', labelsize=7)


if __name__ == '__main__':
    run_alone(suite)
