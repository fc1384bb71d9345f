"""Pictures for notebook 01: the two-layer network, and its forward and backward graph."""
import matplotlib.pyplot as plt
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch

FORWARD, BACKWARD = 'black', 'tab:red'


def draw_network():
    """Three columns of units (a few of each, with their true counts) and every connection between
    neighbouring columns: each line of w1 and w2 is one weight."""
    layers = [('x', 'input', 1000, 6), ('h_relu', 'hidden, ReLU', 100, 5), ('y_pred', 'output', 10, 3)]
    fig, ax = plt.subplots(figsize=(7, 3.4))
    columns = []
    for col, (name, role, size, shown) in enumerate(layers):
        ys = [(shown - 1) / 2 - i for i in range(shown)]
        columns.append([(col * 3.0, y * 0.55) for y in ys])
        ax.text(col * 3.0, -2.05, f'{name}\n{role}: {size} units', ha='center', va='top', fontsize=9)
    for left, right, label in zip(columns, columns[1:], ['w1 (1000 × 100)', 'w2 (100 × 10)']):
        for x0, y0 in left:
            for x1, y1 in right:
                ax.plot([x0, x1], [y0, y1], color='0.75', lw=0.7, zorder=1)
        ax.text((left[0][0] + right[0][0]) / 2, 1.75, label, ha='center', fontsize=9)
    for points in columns:
        for x, y in points:
            ax.add_patch(plt.Circle((x, y), 0.17, color='tab:blue', zorder=2))
    ax.text(7.0, 0, 'loss = Σ (y_pred − y)²', va='center', fontsize=10)
    ax.annotate('', (6.9, 0), (6.3, 0), arrowprops=dict(arrowstyle='->'))
    ax.set_xlim(-0.8, 10.2)
    ax.set_ylim(-2.9, 2.1)
    ax.set_aspect('equal')
    ax.axis('off')
    ax.set_title('the two-layer network: N = 64 examples go through it at once', fontsize=10)
    fig.tight_layout()
    return fig


# the graph: (name, x, y, kind); kind 'value' (a box) or 'op' (a circle)
NODES = [
    ('x', 0, 0, 'value'), ('w1', 1.6, 1.5, 'value'), ('@', 1.6, 0, 'op'), ('h', 3.2, 0, 'value'),
    ('relu', 4.8, 0, 'op'), ('h_relu', 6.4, 0, 'value'), ('w2', 8.0, 1.5, 'value'), ('@ ', 8.0, 0, 'op'),
    ('y_pred', 9.6, 0, 'value'), ('y', 11.2, 1.5, 'value'), ('Σ(·−y)²', 11.2, 0, 'op'),
    ('loss', 12.8, 0, 'value'),
]
EDGES = [('x', '@'), ('w1', '@'), ('@', 'h'), ('h', 'relu'), ('relu', 'h_relu'), ('h_relu', '@ '),
         ('w2', '@ '), ('@ ', 'y_pred'), ('y_pred', 'Σ(·−y)²'), ('y', 'Σ(·−y)²'), ('Σ(·−y)²', 'loss')]
# each gradient: the value it belongs to, and how backward computes it from the one to its right
GRADIENTS = [
    ('loss', 'g_loss = 1'),
    ('y_pred', 'g_y_pred =\n2 (y_pred − y)'),
    ('h_relu', 'g_h_relu =\ng_y_pred @ w2.T'),
    ('h', 'g_h =\ng_h_relu * (h > 0)'),
    ('w2', 'g_w2 =\nh_relu.T @ g_y_pred'),
    ('w1', 'g_w1 =\nx.T @ g_h'),
]
BACKWARD_EDGES = [('loss', 'y_pred'), ('y_pred', 'h_relu'), ('y_pred', 'w2'), ('h_relu', 'h'),
                  ('h', 'w1')]


def _edge_ends(a, b, where, kinds):
    """Where an arrow from node a to node b leaves a and reaches b: at their borders."""
    (xa, ya), (xb, yb) = where[a], where[b]
    half = {'value': (0.55, 0.27), 'op': (0.42, 0.42)}
    if ya == yb:                                    # along the row
        return (xa + half[kinds[a]][0], ya), (xb - half[kinds[b]][0], yb)
    return (xa, ya - half[kinds[a]][1]), (xb, yb + half[kinds[b]][1])      # down into an op


def draw_graph():
    """The forward pass left to right (black) and the backward pass right to left (red): each value
    gets its gradient, of its own shape, from the value computed right after it."""
    where = {name: (x, y) for name, x, y, _ in NODES}
    kinds = {name: kind for name, _, _, kind in NODES}
    fig, ax = plt.subplots(figsize=(12, 4.4))
    for name, x, y, kind in NODES:
        if kind == 'op':
            ax.add_patch(plt.Circle((x, y), 0.42, facecolor='0.92', edgecolor='0.4', zorder=2))
        else:
            ax.add_patch(FancyBboxPatch((x - 0.5, y - 0.22), 1.0, 0.44, boxstyle='round,pad=0.05',
                                        facecolor='white', edgecolor='tab:blue', zorder=2))
        ax.text(x, y, name.strip(), ha='center', va='center', fontsize=9, zorder=3)
    for a, b in EDGES:
        start, end = _edge_ends(a, b, where, kinds)
        ax.add_patch(FancyArrowPatch(start, end, arrowstyle='-|>', mutation_scale=12, color=FORWARD,
                                     shrinkA=0, shrinkB=0, zorder=3))
    for a, b in BACKWARD_EDGES:
        (xa, ya), (xb, yb) = where[a], where[b]
        if yb == ya:                                # to the value before it: an arc below the row
            start, end, bend = (xa, ya - 0.3), (xb, yb - 0.3), -0.4
        else:                                       # up to the weight the value was computed from
            start, end, bend = (xa - 0.35, ya + 0.3), (xb + 0.58, yb), -0.3
        ax.add_patch(FancyArrowPatch(start, end, connectionstyle=f'arc3,rad={bend}', arrowstyle='-|>',
                                     mutation_scale=12, color=BACKWARD, shrinkA=0, shrinkB=0, lw=1.2))
    for name, text in GRADIENTS:
        x, y = where[name]
        ax.text(x, y + 0.4 if y > 0 else y - 1.15, text, ha='center', va='bottom' if y > 0 else 'top',
                fontsize=8.5, color=BACKWARD)
    ax.text(-0.6, -2.55, 'black: forward, values left to right', color=FORWARD, fontsize=9)
    ax.text(4.6, -2.55, 'red: backward, gradients right to left (each has its value\'s shape)',
            color=BACKWARD, fontsize=9)
    ax.set_xlim(-0.7, 13.5)
    ax.set_ylim(-2.75, 2.6)
    ax.set_aspect('equal')
    ax.axis('off')
    fig.tight_layout()
    return fig
