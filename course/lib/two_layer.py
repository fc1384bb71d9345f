"""The two-layer network of notebook 01: its data, and its training loop with a hand-written backward.

Notebook 02 writes this loop in its cells; notebook 03 compares automatic differentiation with it;
notebooks 07 and 08 draw their data with make_data.
"""
import numpy as np

N, D_in, H, D_out = 64, 1000, 100, 10   # batch size, input size, hidden size, output size


def make_data(seed=0):
    """x, y, w1, w2 as float64 numpy arrays, drawn exactly as notebook 01 draws them."""
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((N, D_in))
    y = rng.standard_normal((N, D_out))
    w1 = rng.standard_normal((D_in, H))
    w2 = rng.standard_normal((H, D_out))
    return x, y, w1, w2


def train_by_hand(x, y, w1, w2, learning_rate=1e-6, steps=500):
    """Gradient descent on minitorch tensors, backward written by hand; updates w1, w2 in place.
    Returns the loss (a Python float) before each step."""
    losses = []
    for _ in range(steps):
        h = x.mm(w1)
        h_relu = h.clamp(min=0)
        y_pred = h_relu.mm(w2)
        loss = (y_pred - y).pow(2).sum()
        losses.append(loss.item())

        grad_y_pred = 2.0 * (y_pred - y)
        grad_w2 = h_relu.t().mm(grad_y_pred)
        grad_h_relu = grad_y_pred.mm(w2.t())
        grad_h = grad_h_relu.clone()
        grad_h[h < 0] = 0
        grad_w1 = x.t().mm(grad_h)

        w1 -= learning_rate * grad_w1
        w2 -= learning_rate * grad_w2
    return losses
