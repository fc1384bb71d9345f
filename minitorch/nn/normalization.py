"""LayerNorm (normalize each sample over its last dims) and BatchNorm1d (each channel over the batch,
with running statistics used in eval mode)."""
from ..creation import ones, zeros, tensor
from .. import dtypes
from . import functional as F
from .module import Module
from .parameter import Parameter


class LayerNorm(Module):
    """Normalize each sample over its last dims (normalized_shape) to mean 0 and variance 1
    (biased), then scale by weight and shift by bias (learned, of shape normalized_shape, when
    elementwise_affine=True).  eps is added to the variance."""

    def __init__(self, normalized_shape, eps=1e-5, elementwise_affine=True, bias=True, device=None,
                 dtype=None):
        super().__init__()
        shape = (normalized_shape,) if isinstance(normalized_shape, int) else tuple(normalized_shape)
        self.normalized_shape, self.eps, self.elementwise_affine = shape, eps, elementwise_affine
        if elementwise_affine:
            self.weight = Parameter(ones(shape, device=device, dtype=dtype))
            self.register_parameter('bias', Parameter(zeros(shape, device=device, dtype=dtype))
                                    if bias else None)
        else:
            self.register_parameter('weight', None)
            self.register_parameter('bias', None)

    def forward(self, input):
        """input of shape (*, *normalized_shape) -> the same shape, normalized over those dims."""
        return F.layer_norm(input, self.normalized_shape, self.weight, self.bias, self.eps)

    def extra_repr(self):
        return (f'{self.normalized_shape}, eps={self.eps}, '
                f'elementwise_affine={self.elementwise_affine}')


class BatchNorm1d(Module):
    """Input (N, C) or (N, C, L).  Training: normalize with the batch's mean and (biased) variance
    and update running_mean/running_var with `momentum`; eval: use the running statistics."""

    def __init__(self, num_features, eps=1e-5, momentum=0.1, affine=True,
                 track_running_stats=True, device=None, dtype=None):
        super().__init__()
        self.num_features, self.eps, self.momentum = num_features, eps, momentum
        self.affine, self.track_running_stats = affine, track_running_stats
        if affine:
            self.weight = Parameter(ones(num_features, device=device, dtype=dtype))
            self.bias = Parameter(zeros(num_features, device=device, dtype=dtype))
        else:
            self.register_parameter('weight', None)
            self.register_parameter('bias', None)
        if track_running_stats:
            self.register_buffer('running_mean', zeros(num_features, device=device, dtype=dtype))
            self.register_buffer('running_var', ones(num_features, device=device, dtype=dtype))
            self.register_buffer('num_batches_tracked',
                                 tensor(0, dtype=dtypes.int64, device=device))
        else:
            for name in ('running_mean', 'running_var', 'num_batches_tracked'):
                self.register_buffer(name, None)

    def forward(self, input):
        """input (N, C) or (N, C, L) -> the same shape, each channel normalized (batch statistics
        in training, which also updates the running ones; in eval mode the running statistics, when
        tracked), then scaled and shifted."""
        if input.ndim not in (2, 3) or input.shape[1] != self.num_features:
            raise ValueError(f'BatchNorm1d({self.num_features}): expected input of shape (N, '
                             f'{self.num_features}) or (N, {self.num_features}, L), got '
                             f'{list(input.shape)}')
        use_batch = self.training or self.running_mean is None
        if self.training and self.num_batches_tracked is not None:
            self.num_batches_tracked.add_(1)
        return F.batch_norm(input, self.running_mean, self.running_var, self.weight, self.bias,
                            use_batch, self.momentum, self.eps)

    def extra_repr(self):
        return (f'{self.num_features}, eps={self.eps}, momentum={self.momentum}, '
                f'affine={self.affine}, track_running_stats={self.track_running_stats}')
