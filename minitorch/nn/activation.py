"""Activation layers: each is the function of the same name in nn.functional, as a Module."""
from . import functional as F
from .module import Module


class ReLU(Module):
    """max(x, 0) elementwise, as a module (F.relu)."""

    def forward(self, input):
        """The activation applied elementwise to input (any shape); same shape out."""
        return F.relu(input)


class Tanh(Module):
    """tanh(x) elementwise, as a module (F.tanh)."""

    def forward(self, input):
        """The activation applied elementwise to input (any shape); same shape out."""
        return F.tanh(input)


class Sigmoid(Module):
    """1 / (1 + exp(-x)) elementwise, as a module (F.sigmoid)."""

    def forward(self, input):
        """The activation applied elementwise to input (any shape); same shape out."""
        return F.sigmoid(input)


class LeakyReLU(Module):
    """x where x >= 0, negative_slope * x elsewhere, as a module (F.leaky_relu)."""

    def __init__(self, negative_slope=0.01):
        super().__init__()
        self.negative_slope = negative_slope

    def forward(self, input):
        """The activation applied elementwise to input (any shape); same shape out."""
        return F.leaky_relu(input, self.negative_slope)

    def extra_repr(self):
        return f'negative_slope={self.negative_slope}'


class GELU(Module):
    """x * Phi(x), Phi the standard normal CDF, as a module (F.gelu); approximate='tanh' uses the
    tanh formula."""

    def __init__(self, approximate='none'):
        super().__init__()
        self.approximate = approximate

    def forward(self, input):
        """The activation applied elementwise to input (any shape); same shape out."""
        return F.gelu(input, self.approximate)

    def extra_repr(self):
        return f'approximate={self.approximate!r}'


class Softmax(Module):
    """exp(x) / sum(exp(x)) along dim, as a module (F.softmax): the values along dim are positive
    and sum to 1.  Give dim; without it PyTorch's legacy choice is made (0 for 0-, 1- and 3-d
    inputs, else 1)."""

    def __init__(self, dim=None):
        super().__init__()
        self.dim = dim

    def forward(self, input):
        """input (any shape) -> the same shape, normalized along self.dim."""
        return F.softmax(input, _dim(self.dim, input, 'Softmax'))

    def extra_repr(self):
        return f'dim={self.dim}'


class LogSoftmax(Module):
    """log(softmax(x)) along dim, computed stably, as a module (F.log_softmax).  Give dim; without
    it PyTorch's legacy choice is made (0 for 0-, 1- and 3-d inputs, else 1)."""

    def __init__(self, dim=None):
        super().__init__()
        self.dim = dim

    def forward(self, input):
        """input (any shape) -> the same shape, normalized along self.dim."""
        return F.log_softmax(input, _dim(self.dim, input, 'LogSoftmax'))

    def extra_repr(self):
        return f'dim={self.dim}'


def _dim(dim, input, name):
    if dim is not None:
        return dim
    return 0 if input.ndim in (0, 1, 3) else 1     # PyTorch's legacy choice when dim is omitted
