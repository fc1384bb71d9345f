"""Pictures for notebook 02: strided views of one flat storage (transpose, slices, broadcasting)."""
import itertools

import matplotlib.pyplot as plt

CELL = 0.9


def _positions(view):
    """{index: storage position} for every element of a 1-d or 2-d view."""
    return {index: view.offset + sum(i * s for i, s in zip(index, view.strides))
            for index in itertools.product(*(range(n) for n in view.shape))}


def _colour(position):
    return plt.cm.tab20(position % 20)


def draw_views(views, storage_label='storage'):
    """views: (title, view) pairs; a view has storage, shape (1-d or 2-d), strides and offset.
    Each panel shows the flat storage on top and the view's grid below it; a cell's colour and its
    small number say which storage slot it reads, so a transpose reorders colours, a slice skips
    some and a stride of 0 repeats them."""
    fig, axes = plt.subplots(1, len(views), figsize=(3.3 * len(views), 3.6))
    axes = [axes] if len(views) == 1 else list(axes)
    for ax, (title, view) in zip(axes, views):
        _draw_view(ax, title, view, storage_label)
    fig.tight_layout()
    return fig


def _draw_view(ax, title, view, storage_label):
    n = len(view.storage)
    where = _positions(view)
    used = set(where.values())
    width = max(n * 0.45, 4 * CELL)
    slot = width / n
    for p in range(n):                                   # the storage, one thin cell per slot
        ax.add_patch(plt.Rectangle((p * slot, 0), slot, 0.5, facecolor=_colour(p) if p in used else
                                   'white', edgecolor='0.3', lw=0.6, alpha=1 if p in used else 0.5))
        ax.text((p + 0.5) * slot, 0.25, str(view.storage[p]), ha='center', va='center', fontsize=6.5)
    ax.text(0, 0.65, storage_label, fontsize=8, color='0.3')
    rows, cols = (1, view.shape[0]) if len(view.shape) == 1 else view.shape
    left = (width - cols * CELL) / 2
    for index, p in where.items():                       # the view's grid, reading those slots
        r, c = (0, index[0]) if len(index) == 1 else index
        x, y = left + c * CELL, -0.9 - (r + 1) * CELL
        ax.add_patch(plt.Rectangle((x, y), CELL, CELL, facecolor=_colour(p), edgecolor='white', lw=1.5))
        ax.text(x + CELL / 2, y + CELL * 0.55, str(view.storage[p]), ha='center', va='center', fontsize=9)
        ax.text(x + CELL * 0.92, y + CELL * 0.1, f'@{p}', ha='right', va='bottom', fontsize=5.5,
                color='0.25')
    shape = tuple(view.shape)
    ax.set_title(f'{title}\nshape {shape}, strides {tuple(view.strides)}, offset {view.offset}',
                 fontsize=8.5)
    ax.set_xlim(-0.1, width + 0.1)
    ax.set_ylim(-1.0 - 4.2 * CELL, 0.9)
    ax.set_aspect('equal')
    ax.axis('off')
