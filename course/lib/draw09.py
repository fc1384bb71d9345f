"""Pictures for notebook 09: the ring all-reduce step by step, and DDP's timeline of one backward pass."""
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.patches import Rectangle


def contributors(value):
    """Worker i starts with 2**i in every element, so a partial sum names who is in it, bit by bit."""
    value = int(round(value))
    return [i for i in range(value.bit_length()) if value >> i & 1]


def draw_ring_steps(frames):
    """frames: (title, table, arrows), table[w][c] = the value worker w holds in chunk c, arrows a list
    of (from worker, to worker, chunk) sent in that step.  One panel per step: a cell's colour is how many
    workers' values it holds, its label which ones; a red frame marks a chunk just received."""
    n = len(frames[0][1])
    fig, axes = plt.subplots(1, len(frames), figsize=(2.1 * len(frames), 2.5))
    for ax, (title, table, arrows) in zip(axes, frames):
        held = np.array([[len(contributors(v)) for v in row] for row in table])
        ax.imshow(held, cmap='Blues', vmin=0, vmax=n * 1.25)
        for w in range(n):
            for c in range(n):
                who = contributors(table[w][c])
                label = 'all' if len(who) == n else '+'.join(map(str, who))
                ax.text(c, w, label, ha='center', va='center', fontsize=8)
        for _, dst, chunk in arrows:
            ax.add_patch(Rectangle((chunk - 0.5, dst - 0.5), 1, 1, fill=False, edgecolor='red', lw=2))
        ax.set_title(title, fontsize=9)
        ax.set_xticks(range(n), [f'chunk {c}' for c in range(n)], fontsize=6)
        ax.set_yticks(range(n), [f'w{w}' for w in range(n)], fontsize=7)
    axes[0].set_ylabel('worker')
    fig.tight_layout()
    return fig


def draw_timeline(timeline):
    """timeline: {'buckets': [[names]], 'events': [(seconds, event, bucket)]} from DDP's timeline.
    Top row: when backward produced each gradient (coloured by bucket); one row per bucket: its
    all-reduce, from its start to when it was seen to be done; dashed: backward's end."""
    events = [(t * 1e3, event, bucket) for t, event, bucket in timeline['events']]
    n = len(timeline['buckets'])
    colours = plt.cm.viridis(np.linspace(0, 0.85, n))
    fig, ax = plt.subplots(figsize=(9, 0.5 * n + 1.8))
    for t, event, bucket in events:
        if event == 'grad':
            ax.plot([t], [0], '|', color=colours[bucket], markersize=18, mew=2)
    for bucket in range(n):
        start = next(t for t, e, b in events if e == 'start' and b == bucket)
        done = next(t for t, e, b in events if e == 'done' and b == bucket)
        ax.barh(bucket + 1, done - start, left=start, height=0.6, color=colours[bucket])
    for t, event, _ in events:
        if event in ('backward end', 'written'):
            ax.axvline(t, color='black' if event == 'backward end' else 'grey', ls='--', lw=1)
            ax.text(t, -0.7, event, fontsize=8, ha='right' if event == 'backward end' else 'left')
    names = [f'bucket {b}: ' + ', '.join(names) for b, names in enumerate(timeline['buckets'])]
    ax.set_yticks(range(n + 1), ['backward: gradient ready'] + names, fontsize=8)
    ax.set_ylim(n + 0.6, -1.0)                  # backward on top, buckets below it
    ax.set_xlabel('milliseconds since the first gradient (rank 0)')
    fig.tight_layout()
    return fig


def draw_bubble(measured, stages=2):
    """measured: {'microbatches': [m, ...], 'bubble': [share idle, ...], 'seconds': [step time, ...]}.
    Left: the measured bubble against m beside GPipe's (p−1)/(m+p−1); right: the step time."""
    ms = np.array(measured['microbatches'])
    fine = np.linspace(1, ms.max(), 200)
    fig, axes = plt.subplots(1, 2, figsize=(10, 3.6))
    axes[0].plot(fine, (stages - 1) / (fine + stages - 1), '-', label='model (p−1)/(m+p−1), equal stages')
    axes[0].plot(ms, measured['bubble'], 'o', label=f'measured, {stages} processes')
    axes[0].set_xscale('log', base=2)
    axes[0].set_xticks(ms, [str(m) for m in ms])
    axes[0].set_ylim(0, 1)
    axes[0].set_xlabel('micro-batches m')
    axes[0].set_ylabel('bubble (share of stage time idle)')
    axes[0].legend()
    axes[1].plot(ms, 1e3 * np.array(measured['seconds']), 'o-')
    axes[1].set_xscale('log', base=2)
    axes[1].set_xticks(ms, [str(m) for m in ms])
    axes[1].set_ylim(bottom=0)
    axes[1].set_xlabel('micro-batches m')
    axes[1].set_ylabel('step time (ms)')
    fig.tight_layout()
    return fig
