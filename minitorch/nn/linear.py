"""Layers that hold weights or reshape: Identity, Linear, Flatten, Embedding, Dropout."""

from ..creation import empty
from . import functional as F
from . import init
from .module import Module
from .parameter import Parameter


class Identity(Module):
    """Returns its input unchanged; any constructor arguments are ignored."""

    def __init__(self, *args, **kwargs):
        super().__init__()

    def forward(self, input):
        """input (any shape), returned unchanged."""
        return input


class Linear(Module):
    """y = x W^T + b, W of shape (out_features, in_features).  Initialised as PyTorch does:
    W ~ kaiming_uniform(a=sqrt(5)), i.e. U(-1/sqrt(in), 1/sqrt(in)), and b ~ U(-1/sqrt(in), ...)."""

    def __init__(self, in_features, out_features, bias=True, device=None, dtype=None):
        super().__init__()
        self.in_features, self.out_features = in_features, out_features
        self.weight = Parameter(empty(out_features, in_features, device=device, dtype=dtype))
        if bias:
            self.bias = Parameter(empty(out_features, device=device, dtype=dtype))
        else:
            self.register_parameter('bias', None)
        self.reset_parameters()

    def reset_parameters(self):
        """Draw weight and bias afresh from the default initialisation (see the class)."""
        init.default_layer_init_(self.weight, self.bias, self.in_features)

    def forward(self, input):
        """input of shape (*, in_features) -> input @ weight.T + bias, shape (*, out_features)."""
        return F.linear(input, self.weight, self.bias)

    def extra_repr(self):
        return (f'in_features={self.in_features}, out_features={self.out_features}, '
                f'bias={self.bias is not None}')


class Flatten(Module):
    """Flattens dims start_dim..end_dim into one (by default all but the batch dim)."""

    def __init__(self, start_dim=1, end_dim=-1):
        super().__init__()
        self.start_dim, self.end_dim = start_dim, end_dim

    def forward(self, input):
        """input of shape (N, d1, ..., dk) -> dims start_dim..end_dim flattened into one."""
        return input.flatten(self.start_dim, self.end_dim)

    def extra_repr(self):
        return f'start_dim={self.start_dim}, end_dim={self.end_dim}'


class Embedding(Module):
    """A table of num_embeddings vectors; embedding(indices) looks rows up.  Weight ~ N(0, 1)."""

    def __init__(self, num_embeddings, embedding_dim, padding_idx=None, device=None, dtype=None):
        super().__init__()
        if padding_idx is not None and not -num_embeddings <= padding_idx < num_embeddings:
            raise ValueError(f'Embedding: padding_idx {padding_idx} must be within num_embeddings '
                             f'({num_embeddings})')
        self.num_embeddings, self.embedding_dim = num_embeddings, embedding_dim
        self.padding_idx = None if padding_idx is None else padding_idx % num_embeddings
        self.weight = Parameter(empty(num_embeddings, embedding_dim, device=device, dtype=dtype))
        self.reset_parameters()

    def reset_parameters(self):
        """Draw weight afresh from N(0, 1); the padding_idx row, if any, is set to zero."""
        init.normal_(self.weight)
        if self.padding_idx is not None:
            from ..autograd import no_grad
            with no_grad():
                self.weight[self.padding_idx] = 0

    def forward(self, input):
        """input: an integer tensor of indices, any shape -> weight[input], of shape (*input.shape,
        embedding_dim); the padding_idx row gets no gradient."""
        return F.embedding(input, self.weight, self.padding_idx)

    def extra_repr(self):
        pad = f', padding_idx={self.padding_idx}' if self.padding_idx is not None else ''
        return f'{self.num_embeddings}, {self.embedding_dim}{pad}'


class Dropout(Module):
    """In training, zeroes each element with probability p and scales the rest by 1/(1-p);
    in eval mode it does nothing."""

    def __init__(self, p=0.5):
        super().__init__()
        if not 0 <= p <= 1:
            raise ValueError(f'dropout probability has to be between 0 and 1, but got {p}')
        self.p = p

    def forward(self, input):
        """input with each element zeroed with probability p and the rest scaled by 1/(1-p) in
        training mode; input itself in eval mode."""
        return F.dropout(input, self.p, self.training)

    def extra_repr(self):
        return f'p={self.p}, inplace=False'
