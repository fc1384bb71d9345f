"""Solutions to notebook 01's exercises (numpy backprop)."""
import numpy as np


def mse_grad(y_pred, y):
    """dL/dy_pred for L = mean((y_pred − y)²), the mean over all entries."""
    return 2 * (y_pred - y) / y_pred.size


def tanh_backward(g_out, out):
    """dL/dh for out = tanh(h), given dL/dout and out: tanh'(h) = 1 − tanh(h)²."""
    return g_out * (1 - out ** 2)


def linear_relu_forward(x, w, b):
    """out = max(x @ w + b, 0), and what backward needs."""
    h = x @ w + b
    out = np.maximum(h, 0)
    return out, (x, w, h)


def linear_relu_backward(g_out, cache):
    """g_x, g_w, g_b from g_out = dL/dout."""
    x, w, h = cache
    g_h = g_out * (h > 0)           # the ReLU passes the gradient where it was active
    g_x = g_h @ w.T
    g_w = x.T @ g_h
    g_b = g_h.sum(axis=0)           # b is added to every row: its gradient sums over the rows
    return g_x, g_w, g_b
