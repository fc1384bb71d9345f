"""Activation layers: each is the function of the same name in nn.functional, as a Module."""
from . import functional as F
from .module import Module


class ReLU(Module):
    def forward(self, input):
        return F.relu(input)


class Tanh(Module):
    def forward(self, input):
        return F.tanh(input)


class Sigmoid(Module):
    def forward(self, input):
        return F.sigmoid(input)


class LeakyReLU(Module):
    def __init__(self, negative_slope=0.01):
        super().__init__()
        self.negative_slope = negative_slope

    def forward(self, input):
        return F.leaky_relu(input, self.negative_slope)

    def extra_repr(self):
        return f'negative_slope={self.negative_slope}'


class GELU(Module):
    def __init__(self, approximate='none'):
        super().__init__()
        self.approximate = approximate

    def forward(self, input):
        return F.gelu(input, self.approximate)

    def extra_repr(self):
        return f'approximate={self.approximate!r}'


class Softmax(Module):
    def __init__(self, dim=None):
        super().__init__()
        self.dim = dim

    def forward(self, input):
        return F.softmax(input, _dim(self.dim, input, 'Softmax'))

    def extra_repr(self):
        return f'dim={self.dim}'


class LogSoftmax(Module):
    def __init__(self, dim=None):
        super().__init__()
        self.dim = dim

    def forward(self, input):
        return F.log_softmax(input, _dim(self.dim, input, 'LogSoftmax'))

    def extra_repr(self):
        return f'dim={self.dim}'


def _dim(dim, input, name):
    if dim is not None:
        return dim
    return 0 if input.ndim in (0, 1, 3) else 1     # PyTorch's legacy choice when dim is omitted
