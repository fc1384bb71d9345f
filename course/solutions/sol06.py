"""Solutions to notebook 06's exercises (modules, optimizers and data)."""
import numpy as np

import minitorch as mt


# --- exercise 1: names for the hand-built module's parameters ----------------------------------------
def named_parameters(module):
    """(dotted name, parameter) pairs: a module's own parameters, then each child's, recursively;
    a parameter shared by two modules is listed once, under the first name met."""
    seen = set()
    for name, p in _walk(module, ''):
        if id(p) not in seen:
            seen.add(id(p))
            yield name, p


def _walk(module, prefix):
    for name, p in module._params.items():
        yield prefix + name, p
    for name, child in module._children.items():
        yield from _walk(child, prefix + name + '.')


# --- exercise 2: RMSprop by hand ----------------------------------------------------------------------
class HandOptimizer:
    """The notebook's base class: the parameters, a learning rate, zero_grad()."""

    def __init__(self, params, lr):
        self.params, self.lr = list(params), lr

    def zero_grad(self):
        for p in self.params:
            p.grad = None


class HandRMSprop(HandOptimizer):
    def __init__(self, params, lr=1e-2, alpha=0.99, eps=1e-8):
        super().__init__(params, lr)
        self.alpha, self.eps = alpha, eps
        self.square_avg = [mt.zeros_like(p) for p in self.params]

    def step(self):
        with mt.no_grad():
            for p, s in zip(self.params, self.square_avg):
                if p.grad is None:
                    continue
                s.mul_(self.alpha).add_((1 - self.alpha) * p.grad ** 2)
                p -= self.lr * p.grad / (s.sqrt() + self.eps)


# --- exercise 3: build a convolution from im2col -----------------------------------------------------
def conv2d_by_hand(x, weight, bias, stride=1, padding=0):
    """F.conv2d in numpy: x (N, C, H, W), weight (C_out, C, kh, kw), bias (C_out,)."""
    n, c, h, w = x.shape
    c_out, _, kh, kw = weight.shape
    x = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
    oh = (h + 2 * padding - kh) // stride + 1
    ow = (w + 2 * padding - kw) // stride + 1
    sn, sc, sy, sx = x.strides
    windows = np.lib.stride_tricks.as_strided(          # a view: (N, C, kh, kw, oh, ow), no copy
        x, shape=(n, c, kh, kw, oh, ow), strides=(sn, sc, sy, sx, sy * stride, sx * stride))
    columns = windows.reshape(n, c * kh * kw, oh * ow)  # the copy: kh·kw times the input
    out = weight.reshape(c_out, -1) @ columns + bias.reshape(c_out, 1)
    return out.reshape(n, c_out, oh, ow)
