"""Small datasets made from a formula and a seeded generator: no download, the same every run."""
import numpy as np

from ..creation import from_numpy


def _tensors(x, y):
    return from_numpy(np.ascontiguousarray(x, dtype=np.float32)), from_numpy(np.asarray(y))


def make_spirals(n_per_class=100, n_classes=3, noise=0.2, seed=0):
    """Interleaved spiral arms in the plane, one per class: X (N, 2) float32, y (N,) int64.
    Not linearly separable, so a linear classifier fails and a small MLP succeeds."""
    rng = np.random.default_rng(seed)
    xs, ys = [], []
    for k in range(n_classes):
        r = np.linspace(0.0, 1.0, n_per_class)
        t = np.linspace(k * 4.0, (k + 1) * 4.0, n_per_class) + rng.standard_normal(n_per_class) * noise
        xs.append(np.stack([r * np.sin(t), r * np.cos(t)], axis=1))
        ys.append(np.full(n_per_class, k, dtype=np.int64))
    return _tensors(np.concatenate(xs), np.concatenate(ys))


def make_moons(n_samples=200, noise=0.1, seed=0):
    """Two interleaving half circles (as scikit-learn's make_moons): X (N, 2) float32, y (N,) int64."""
    rng = np.random.default_rng(seed)
    n_out = n_samples // 2
    n_in = n_samples - n_out
    outer = np.linspace(0, np.pi, n_out)
    inner = np.linspace(0, np.pi, n_in)
    x = np.concatenate([np.stack([np.cos(outer), np.sin(outer)], 1),
                        np.stack([1 - np.cos(inner), 0.5 - np.sin(inner)], 1)])
    x = x + rng.standard_normal(x.shape) * noise
    y = np.concatenate([np.zeros(n_out, dtype=np.int64), np.ones(n_in, dtype=np.int64)])
    return _tensors(x, y)


def make_sine_sequences(n_sequences=64, seq_len=20, seed=0):
    """Sine waves of random frequency and phase, for next-step prediction with an RNN:
    inputs (n, seq_len, 1) and targets (n, seq_len, 1), targets[:, t] = inputs[:, t + 1] (batch first).
    """
    rng = np.random.default_rng(seed)
    freq = rng.uniform(0.1, 0.5, size=(n_sequences, 1))
    phase = rng.uniform(0, 2 * np.pi, size=(n_sequences, 1))
    t = np.arange(seq_len + 1)[None, :]
    waves = np.sin(freq * t + phase)[..., None]
    return (from_numpy(np.ascontiguousarray(waves[:, :-1], dtype=np.float32)),
            from_numpy(np.ascontiguousarray(waves[:, 1:], dtype=np.float32)))
