"""Peak memory of a training step: eager, eager under no_grad, a static graph with and without its
memory planning.

tracemalloc sees every numpy array's buffer, so the peak of one call (what it allocates beyond what
existed before it; the parameters and the batch are not counted) is the most memory the step's
arrays held at once.  Eager training keeps each op's saved tensors until backward frees them; under
no_grad nothing is saved (the forward alone, for inference); a static graph frees each value after
its last use, and memory planning also writes results into dying buffers and updates state in
place.  Median of repeated calls, as ratios to the eager step.  `python bench/memory.py [quick]`.
"""
import statistics
import sys

import minitorch as mt
from minitorch import nn
from fusion import peak_bytes
from pipeline import seed, step_of
from _report import Config, Plot, Section, Table
from _timing import one_blas_thread


def seed_net():
    model, batch, d_in, d_out, _ = seed()
    return model, mt.randn(batch, d_in), mt.randn(batch, d_out), 'seed net 64x1000x100x10'


def digits_cnn():
    from digits import cnn
    mt.manual_seed(0)
    return cnn(), mt.randn(64, 1, 8, 8), mt.randn(64, 10), 'digits CNN, batch 64'


def kinds(model, x, y):
    step = step_of(model, nn.functional.mse_loss, lr=1e-3)

    def inference(x, y):
        with mt.no_grad():
            return model(x)

    planned = mt.static.function(step)
    unplanned = mt.static.function(step, optimize=False)
    return {'eager training step': lambda: step(x, y),
            'eager forward under no_grad': lambda: inference(x, y),
            'static step, no passes': lambda: unplanned(x, y),
            'static step, memory planning': lambda: planned(x, y)}


def measure(make, repeats):
    model, x, y, label = make()
    peaks = {}
    for name, fn in kinds(model, x, y).items():
        fn()                                    # traced / warmed up outside the measurement
        peaks[name] = statistics.median(peak_bytes(fn) for _ in range(repeats))
    return label, peaks


def suite(config):
    repeats = config.pick(5, 3, 1)
    with one_blas_thread():
        results = dict(measure(make, repeats) for make in (seed_net, digits_cnn))
    rows = []
    for label, peaks in results.items():
        base = peaks['eager training step']
        rows += [[label, name, f'{peak / 2 ** 20:.2f} MB', f'{peak / base:.2f}x']
                 for name, peak in peaks.items()]
    table = Table(f'Peak memory of one call beyond what existed before it (tracemalloc; median of '
                  f'{repeats})', ['model', 'what runs', 'peak', 'vs eager step'], rows)
    section = Section('Peak memory of a training step', 'Parameters and the batch exist before '
                      'the call and are not counted.',
                      [table, Plot('memory', lambda fig: draw(fig, results),
                                   'Peak memory of a training step as a ratio to eager')])
    section.data = results
    return section


def draw(fig, results):
    for i, (label, peaks) in enumerate(results.items()):
        ax = fig.add_subplot(1, len(results), i + 1)
        names = list(peaks)[::-1]
        values = [peaks[n] / 2 ** 20 for n in names]
        colors = ['tab:green' if 'static' in n else 'tab:blue' for n in names]
        ax.barh(names, values, color=colors)
        for k, v in enumerate(values):
            ax.text(v, k, f' {v:.2f}', va='center', fontsize=7)
        ax.set_xlabel('MB at the peak')
        ax.set_title(label, fontsize=9)
        ax.tick_params(axis='y', labelsize=7)
        if i:
            ax.set_yticklabels([])


def main():
    suite(Config(sys.argv[1] if len(sys.argv) > 1 else 'full')).print()


if __name__ == '__main__':
    main()
