"""The dispatch-bound RNN: a training step of an Elman RNN (batch 8, input 8, hidden 16, 50 steps),
in minitorch eager and as one @mt.static.function, and in PyTorch eager.

Every op works on an 8x16 array, so the arithmetic is nothing and the time is the framework's work
per op: 50 time steps of a few ops forward, as many backward, and the SGD update.  The static graph
replays the unrolled loop as straight-line code.  Median of alternated runs of `STEPS` training
steps; ratios to minitorch eager.  `python bench/rnn.py [quick]`.
"""
import time

import minitorch as mt
from _report import Plot, Section, Table, run_alone
from _timing import alternate_median, one_blas_thread, torch_or_none

BATCH, INPUT, HIDDEN, LENGTH = 8, 8, 16, 50


def model_and_data(lib):
    lib.manual_seed(0)
    rnn = lib.nn.RNN(INPUT, HIDDEN)
    head = lib.nn.Linear(HIDDEN, 1)
    x = lib.randn(LENGTH, BATCH, INPUT)
    y = lib.randn(BATCH, 1)
    params = list(rnn.parameters()) + list(head.parameters())
    return rnn, head, x, y, lib.optim.SGD(params, lr=0.01)


def step_of(lib):
    rnn, head, x, y, opt = model_and_data(lib)

    def step(x, y):
        opt.zero_grad()
        out, h = rnn(x)
        loss = lib.nn.functional.mse_loss(head(h[-1]), y)
        loss.backward()
        opt.step()
        return loss
    return step, x, y


def runs(torch, steps):
    found = {}
    for name, lib, traced in (('minitorch eager', mt, False), ('minitorch static', mt, True),
                              ('PyTorch eager', torch, False)):
        if lib is None:
            continue
        step, x, y = step_of(lib)
        if traced:
            step = mt.static.function(step)

        def run(step=step, x=x, y=y):
            for _ in range(steps):
                loss = step(x, y)
            return loss.item()
        found[name] = run
    return found


def trace_seconds():
    """The price of the static graph: tracing, optimizing and compiling it on the first call."""
    step, x, y = step_of(mt)
    traced = mt.static.function(step)
    start = time.perf_counter()
    traced(x, y)
    return time.perf_counter() - start, len(traced.graph.nodes)


def suite(config):
    torch = torch_or_none()
    steps, repeats = config.pick(30, 10, 1), config.pick(15, 5, 1)
    with one_blas_thread():
        candidates = runs(torch, steps)
        losses = {name: fn() for name, fn in candidates.items()}
        times = alternate_median(candidates, repeats)
        compile_time, nodes = trace_seconds()
    base = times['minitorch eager']
    rows = [[name, f'{t / steps * 1e3:.2f} ms', f'{t / base:.2f}x', f'{base / t:.1f}x',
             f'{losses[name]:.4f}'] for name, t in times.items()]
    table = Table(f'Training step (forward over {LENGTH} steps, backward, SGD); median of {repeats} '
                  f'alternated runs of {steps} steps',
                  ['implementation', 'per step', 'vs minitorch eager', 'speed-up', 'loss after'],
                  rows, f'Tracing, optimizing and compiling the static step once: '
                  f'{compile_time:.2f} s ({nodes} graph nodes), paid back after '
                  f'{compile_time / max(base / steps - times["minitorch static"] / steps, 1e-9):.0f}'
                  f' steps.')
    plot = Plot('rnn', lambda fig: draw(fig, times, steps),
                f'RNN (batch {BATCH}, input {INPUT}, hidden {HIDDEN}, {LENGTH} steps): one '
                f'training step', size=(8, 3.2))
    return Section('Dispatch-bound RNN', f'An Elman RNN, batch {BATCH}, input {INPUT}, hidden '
                   f'{HIDDEN}, {LENGTH} time steps: many tiny ops.', [table, plot])


def draw(fig, times, steps):
    ax = fig.add_subplot(1, 1, 1)
    names = list(times)[::-1]
    values = [times[n] / steps * 1e3 for n in names]
    colors = ['tab:orange' if 'PyTorch' in n else 'tab:green' if 'static' in n else 'tab:blue'
              for n in names]
    ax.barh(names, values, color=colors)
    for y, v in enumerate(values):
        ax.text(v, y, f' {v:.2f} ms', va='center', fontsize=8)
    ax.set_xlabel('milliseconds per training step')


if __name__ == '__main__':
    run_alone(suite)
