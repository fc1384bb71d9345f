"""The size sweep: where the GPU and where fusion start to win.

Matmul (cpu_vs_gpu.py) and the 10-op elementwise chain (fusion.py) from tiny to large: CPU time of
each implementation as a ratio to numpy by hand, peak memory of the chain, and, on a GPU, the same
sizes there.  The crossover plot draws time against size; a crossover is the first size from which
a candidate stays faster than its baseline.  Without a GPU the plot shows the CPU alone and the
results carry the committed GPU reference figures (results/reference-gpu.json), labelled.

    python bench/sizes.py [quick]
"""
import json
import os

import cpu_vs_gpu
import fusion
from _report import Plot, Section, Table, run_alone
from _timing import one_blas_thread, torch_or_none

REFERENCE = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'results', 'reference-gpu.json')


def crossover(sizes, faster, slower, margin=0.95):
    """The first size from which faster[n] < margin * slower[n] (at least 5 % faster by default)
    for every larger size too (None if never)."""
    found = None
    for n in reversed(sizes):
        if faster[n] < margin * slower[n]:
            found = n
        else:
            break
    return found


def chain_sweep(config):
    sizes = fusion.CPU_SIZES if config.mode == 'full' else \
        [2 ** k for k in config.pick(None, (10, 14, 18, 20), (10, 12))]
    measured = {n: fusion.cpu_measure(n, None if config.mode == 'full' else 5) for n in sizes}
    rows = [fusion.cpu_row(n, m) for n, m in measured.items()]
    table = Table('Elementwise chain, CPU: time and peak memory (tracemalloc) as ratios to numpy '
                  'by hand', fusion.CPU_HEADERS, rows)
    gpu = {}
    if config.gpu:
        gpu_sizes = fusion.GPU_SIZES if config.mode == 'full' else fusion.GPU_SIZES[:3]
        gpu = {n: fusion.gpu_measure(n) for n in gpu_sizes}
    return measured, gpu, table


def gpu_chain_table(gpu, cpu):
    rows = []
    for n, t in gpu.items():
        moved = 2 * n * 4
        cpu_numpy = cpu[n]['time']['numpy'] if n in cpu else None
        rows.append([f'2^{n.bit_length() - 1}', f'{moved / t["copy"] / 1e9:.0f} GB/s'] +
                    [f'{t[k] * 1e6:.0f} us ({t["copy"] / t[k]:.0%})'
                     for k in ('CuPy by hand', 'minitorch eager', 'static fused')] +
                    [f'{cpu_numpy / t["static fused"]:.1f}x' if cpu_numpy else '-'])
    return Table('Elementwise chain, GPU: time (share of device-copy bandwidth)',
                 ['n', 'device copy', 'CuPy by hand', 'minitorch eager', 'static fused',
                  'fused GPU vs numpy CPU'], rows)


def suite(config):
    torch = torch_or_none()
    matmul_sizes = cpu_vs_gpu.MATMUL_SIZES if config.mode == 'full' else \
        config.pick(None, [16, 64, 256, 512], [16, 64])
    with one_blas_thread():
        matmul = {n: cpu_vs_gpu.matmul_measure(n, torch, config.gpu,
                                                None if config.mode == 'full' else 5)
                  for n in matmul_sizes}
        cpu_chain, gpu_chain, chain_table = chain_sweep(config)
        steps = {}
        if config.gpu:
            step_sizes = cpu_vs_gpu.STEP_SIZES if config.mode == 'full' else \
                cpu_vs_gpu.STEP_SIZES[:2]
            steps = {size: cpu_vs_gpu.step_measure(size, True) for size in step_sizes}
    rows, headers = cpu_vs_gpu.matmul_rows(matmul)
    items = [Table('Matmul, float32: time as a ratio to numpy (CPU: 1 BLAS thread)', headers,
                   rows), chain_table]
    if gpu_chain:
        items.append(gpu_chain_table(gpu_chain, cpu_chain))
    if steps:
        items.append(Table('Two-layer net training step, CPU against GPU',
                           ['size', 'CPU step', 'GPU step', 'GPU speed-up'],
                           [['x'.join(map(str, s)), f"{t['CPU'] * 1e3:.2f} ms",
                             f"{t['GPU'] * 1e3:.3f} ms", f"{t['CPU'] / t['GPU']:.1f}x"]
                            for s, t in steps.items()]))
    summary = summarize(matmul, cpu_chain, gpu_chain)
    items.append(Table('Crossovers (the first size from which the candidate stays at least 5 % '
                       'faster)',
                       ['candidate', 'against', 'from'], summary))
    if not config.gpu:
        items.append(reference_table())
    items.append(Plot('crossover', lambda fig: draw(fig, matmul, cpu_chain, gpu_chain),
                      'Crossovers: time as a ratio to numpy on the CPU, by size (a line below 1 '
                      'is faster; dashed: on the GPU)',
                      size=(11, 4.4)))
    section = Section('Size sweep: where the GPU and where fusion start to win',
                      'Tiny arrays measure dispatch, large ones memory bandwidth and arithmetic.',
                      items)
    section.data = {'matmul': {str(n): t for n, t in matmul.items()},
                    'chain_cpu': {str(n): m['time'] for n, m in cpu_chain.items()},
                    'chain_gpu': {str(n): t for n, t in gpu_chain.items()},
                    'steps': {'x'.join(map(str, s)): t for s, t in steps.items()}}
    return section


def summarize(matmul, cpu_chain, gpu_chain):
    def size_text(n, square=False):
        return '-' if n is None else f'{n}x{n}' if square else f'2^{n.bit_length() - 1}'
    rows = []
    sizes = sorted(matmul)
    pick = {k: {n: matmul[n][k] for n in sizes} for k in matmul[sizes[0]]}
    rows.append(['minitorch matmul (CPU) within 5% of numpy', 'numpy',
                 size_text(crossover(sizes, pick['minitorch CPU'], pick['numpy'], 1.05), True)])
    if 'minitorch GPU' in pick:
        rows.append(['minitorch matmul on the GPU', 'numpy on the CPU',
                     size_text(crossover(sizes, pick['minitorch GPU'], pick['numpy']), True)])
    chain_sizes = sorted(cpu_chain)
    t = {k: {n: cpu_chain[n]['time'][k] for n in chain_sizes} for k in fusion.CPU_KINDS}
    rows.append(['static fused chain (CPU)', 'minitorch eager',
                 size_text(crossover(chain_sizes, t['static fused'], t['eager']))])
    rows.append(['static fused chain (CPU)', 'numpy by hand',
                 size_text(crossover(chain_sizes, t['static fused'], t['numpy']))])
    if gpu_chain:
        gsizes = sorted(gpu_chain)
        g = {k: {n: gpu_chain[n][k] for n in gsizes} for k in fusion.GPU_KINDS}
        rows.append(['static fused chain (GPU)', 'minitorch eager (GPU)',
                     size_text(crossover(gsizes, g['static fused'], g['minitorch eager']))])
        common = [n for n in gsizes if n in cpu_chain]
        rows.append(['static fused chain (GPU)', 'numpy by hand (CPU)',
                     size_text(crossover(common, g['static fused'], t['numpy']))])
    return rows


def reference_table():
    with open(REFERENCE) as f:
        entries = json.load(f)['entries']
    rows = []
    for e in entries:
        for key, value in e.items():
            if key in ('machine', 'date', 'source', 'what'):
                continue
            rows.append([e['machine'], e['date'], e['what'], _figures(value), e['source']])
    return Table('GPU: no GPU here, so these are the committed reference figures '
                 '(bench/results/reference-gpu.json), not measured on this machine',
                 ['machine', 'date', 'what', 'figures', 'source'], rows)


def _figures(value):
    """{'64x1000': 1.8, ...} as '64x1000: 1.8; ...' (nested dicts as 'minitorch 1.71, PyTorch 1.47')."""
    if isinstance(value, dict):
        return '; '.join(f'{k}: {_figures(v)}' if not isinstance(v, dict) else
                         f'{k}: ' + ', '.join(f'{a} {b}' for a, b in v.items())
                         for k, v in value.items())
    return str(value)


STYLES = {'minitorch CPU': ('tab:blue', '-', 'o'), 'PyTorch CPU': ('tab:orange', '-', 'o'),
          'CuPy': ('0.4', '--', 's'), 'minitorch GPU': ('tab:blue', '--', 's'),
          'eager': ('tab:blue', '-', 'o'), 'static, no passes': ('tab:purple', ':', 'o'),
          'static unfused': ('tab:olive', ':', 'o'), 'static fused': ('tab:green', '-', 'o'),
          'CuPy by hand': ('0.4', '--', 's'), 'minitorch eager': ('tab:blue', '--', 's')}


def draw(fig, matmul, cpu_chain, gpu_chain):
    """Two panels, time as a ratio to numpy on the CPU at each size (below 1: faster than numpy);
    GPU lines dashed."""
    sizes = sorted(matmul)
    series = {k: {n: matmul[n][k] / matmul[n]['numpy'] for n in sizes}
              for k in matmul[sizes[0]] if k != 'numpy'}
    _panel(fig.add_subplot(1, 2, 1), sizes, series, 'matmul n x n @ n x n (float32)',
           [f'{n}' for n in sizes])
    sizes = sorted(cpu_chain)
    series = {k: {n: cpu_chain[n]['time'][k] / cpu_chain[n]['time']['numpy'] for n in sizes}
              for k in ('eager', 'static unfused', 'static fused')}
    if gpu_chain:
        for kind in ('CuPy by hand', 'minitorch eager', 'static fused'):
            series[f'{kind} (GPU)'] = {n: gpu_chain[n][kind] / cpu_chain[n]['time']['numpy']
                                       for n in sizes if n in gpu_chain}
    _panel(fig.add_subplot(1, 2, 2), sizes, series, '10-op elementwise chain, n float32 numbers',
           [f'2^{n.bit_length() - 1}' for n in sizes])


def _panel(ax, sizes, series, title, labels):
    for name, values in series.items():
        if not values:
            continue
        key = name.replace(' (GPU)', '')
        color, ls, marker = STYLES.get(key, ('k', '-', 'o'))
        if name.endswith('(GPU)'):
            ls, marker = '--', 's'
        xs = sorted(values)
        ax.plot(xs, [values[n] for n in xs], ls, color=color, marker=marker, ms=3, label=name)
    from matplotlib.ticker import FuncFormatter, NullLocator
    ax.axhline(1.0, color='0.3', lw=0.8)
    ax.text(sizes[0], 1.0, ' numpy by hand (CPU)', va='bottom', fontsize=7, color='0.3')
    ax.set_xscale('log', base=2)
    ax.set_yscale('log')
    ax.set_xticks(sizes, labels, fontsize=7)
    ax.xaxis.set_minor_locator(NullLocator())
    ratio = FuncFormatter(lambda v, _: f'{v:g}x')
    ax.yaxis.set_major_formatter(ratio)
    ax.yaxis.set_minor_formatter(ratio)
    ax.tick_params(axis='y', which='both', labelsize=7)
    ax.set_xlabel(title)
    ax.set_ylabel('time / numpy on the CPU (below 1: faster)')
    ax.legend(fontsize=7)

if __name__ == '__main__':
    run_alone(suite)
