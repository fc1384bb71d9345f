"""nn.functional: the layers and losses as plain functions of tensors (F.relu(x), F.cross_entropy(...)).

Most are a few tensor operations (so autograd differentiates them with no extra code); convolution,
pooling, erf and log-sigmoid are primitives in minitorch/ops/nn_ops.py.  Modules in minitorch.nn hold
the parameters and call these.
"""
import functools
import math

from .. import dtypes
from ..autograd import grad_mode
from ..creation import eye, rand
from ..ops import checks
from ..ops.arguments import not_a_tensor
from ..ops.selection import where
from ..ops.softmax import softmax as _softmax, log_softmax as _log_softmax
from ..ops.unary import relu, tanh, sigmoid, rsqrt, erf  # noqa: F401  (F.relu, F.tanh, ...)
from ..ops import nn_ops
from ..ops.linalg import MatMul
from ..tensor import Tensor
from .functional_loss import (mse_loss, l1_loss, nll_loss, cross_entropy,  # noqa: F401
                              binary_cross_entropy, binary_cross_entropy_with_logits)


def _pair(value, name, op, least=None):
    """(value, value) for an int, or the pair given; each at least `least` (stride, dilation and
    kernel sizes are at least 1, padding at least 0)."""
    pair = (value, value) if isinstance(value, int) else tuple(value)
    if len(pair) != 2 or not all(isinstance(v, int) and not isinstance(v, bool) for v in pair):
        raise ValueError(f'{op}: {name} must be an int or a pair of ints, got {value!r}')
    if least is not None and any(v < least for v in pair):
        raise RuntimeError(f'{op}: {name} must be at least {least} in each dim, got {value!r}'
                           + (' (a stride of 0 never moves the window)' if name == 'stride' else ''))
    return pair


# --- activations -----------------------------------------------------------------------------
def softmax(input, dim, dtype=None):
    """exp(input) / sum(exp(input)) along dim: each slice along dim becomes a probability
    distribution.  dtype: cast the input to it first (needed for integer inputs)."""
    return _softmax(input, dim, dtype=dtype)


def log_softmax(input, dim, dtype=None):
    """log(softmax(input, dim)), computed directly (more accurate); dtype: cast the input first."""
    return _log_softmax(input, dim, dtype=dtype)


def _floating(input, op):
    """Refuse an integer or bool input, as PyTorch does for the activations it computes for floating
    dtypes only (it has no integer kernel for them); and anything but a tensor."""
    if not isinstance(input, Tensor) or not input.is_floating_point():
        if not isinstance(input, Tensor):
            raise not_a_tensor(op, input)
        raise NotImplementedError(f'{op}: not implemented for {input.dtype} tensors (as in PyTorch); '
                                  f'convert first, e.g. {op}(x.float())')


def logsigmoid(input):
    """log(sigmoid(input)) elementwise, without overflow for large negative inputs."""
    _floating(input, 'logsigmoid')
    return nn_ops.LogSigmoid.apply(input)


def leaky_relu(input, negative_slope=0.01):
    """input where it is positive, negative_slope * input elsewhere."""
    _floating(input, 'leaky_relu')
    return where(input > 0, input, input * negative_slope)


def gelu(input, approximate='none'):
    """input * Φ(input), Φ the standard normal CDF (through erf, accurate to float64 rounding);
    approximate='tanh' uses the tanh formula of the GELU paper instead."""
    _floating(input, 'gelu')
    if approximate == 'none':
        return 0.5 * input * (1 + erf(input * (1 / math.sqrt(2))))
    if approximate == 'tanh':
        inner = math.sqrt(2 / math.pi) * (input + 0.044715 * input * input * input)
        return 0.5 * input * (1 + inner.tanh())
    raise ValueError(f"gelu: approximate must be 'none' or 'tanh', got {approximate!r}")


# --- linear, dropout, embedding --------------------------------------------------------------
def linear(input, weight, bias=None):
    """input @ weight.T + bias: input (..., in_features), weight (out_features, in_features),
    bias (out_features,) or None; the result is (..., out_features).  A 1-d weight (in_features,)
    gives input @ weight, of shape (...), and its bias is 0-d."""
    if not isinstance(input, Tensor):
        raise not_a_tensor('linear', input)
    if input.ndim == 0 or not 0 < weight.ndim < 3 or input.shape[-1] != weight.shape[-1]:
        raise _linear_shapes(input, weight)
    if input.dtype != weight.dtype:
        if not isinstance(weight, Tensor):
            raise not_a_tensor('linear', weight, 'weight', 2)
        raise RuntimeError(f'linear: input is {input.dtype} but the weight is {weight.dtype}; convert '
                           f'one, e.g. x.to({weight.dtype!r}) (or model.to(dtype))')
    if weight.ndim == 1:
        if bias is not None and bias.ndim:
            raise RuntimeError(f'linear: a 1-d weight (in_features,) gives one output per row, so its '
                               f'bias must be 0-d, got shape {list(bias.shape)}')
        out = MatMul.apply(input, weight, False, False)    # input @ weight: the last dim summed
    else:
        out = MatMul.apply(input, weight, False, True)     # input @ weight.T, no transpose op
    return out + bias if bias is not None else out


def _linear_shapes(input, weight):
    if not isinstance(weight, Tensor):
        return not_a_tensor('linear', weight, 'weight', 2)
    if not 0 < weight.ndim < 3:
        return RuntimeError(f'linear: weight must be (out_features, in_features) or (in_features,), '
                            f'got shape {list(weight.shape)}')
    return RuntimeError(f'linear: input of shape {list(input.shape)} does not fit a weight of shape '
                        f'{list(weight.shape)}: the last dim of the input must be in_features = '
                        f'{weight.shape[-1]}')


def dropout(input, p=0.5, training=True):
    """Each element zeroed with probability p and the rest scaled by 1 / (1 - p), when training;
    input unchanged otherwise.  The mask is drawn from minitorch's generator (mt.manual_seed)."""
    if not isinstance(input, Tensor):
        raise not_a_tensor('dropout', input)
    if not 0 <= p <= 1:
        raise ValueError(f'dropout probability has to be between 0 and 1, but got {p}')
    if not training or p == 0:
        return input
    if p == 1:
        return input * 0
    if not input.is_floating_point():
        raise RuntimeError(f'dropout: a {input.dtype} input cannot hold x / (1 - p) (PyTorch refuses '
                           f'it too); convert first, e.g. dropout(x.float(), p)')
    keep = rand(input.shape, dtype=input.dtype, device=input.device) >= p       # 0-d too
    return input * (keep.to(input.dtype) * (1 / (1 - p)))


def embedding(input, weight, padding_idx=None):
    """Rows of weight picked by input: weight[input].

    input: an integer tensor of indices in [0, num_embeddings) (negative ones are refused, as in
    PyTorch, not counted from the end); weight: (num_embeddings, embedding_dim); padding_idx: the
    row that gets no gradient."""
    if not isinstance(input, Tensor):
        raise not_a_tensor('embedding', input)
    if not isinstance(weight, Tensor):
        raise not_a_tensor('embedding', weight, 'weight', 2)
    if input.is_floating_point() or input.dtype is dtypes.bool_:
        raise TypeError(f'embedding: indices must be an integer tensor, got {input.dtype}')
    rows = weight.shape[0]
    ok = (input >= 0) & (input < rows)
    checks.check(ok, IndexError, functools.partial(_bad_index, 'embedding', rows), input, ok)
    out = weight[input]
    if padding_idx is not None:         # the padding row gets no gradient
        pad = (input == (padding_idx % weight.shape[0])).unsqueeze(-1)
        out = where(pad, out.detach(), out)
    return out


def one_hot(tensor, num_classes=-1):
    """An int64 tensor of shape tensor.shape + (num_classes,), 1 at each class index and 0 elsewhere.

    tensor: int64 class indices in [0, num_classes); num_classes: -1 infers it as the largest index
    plus one (which needs a non-empty tensor)."""
    if not isinstance(tensor, Tensor):
        raise not_a_tensor('one_hot', tensor, 'tensor')
    if tensor.dtype is not dtypes.int64:
        raise RuntimeError(f'one_hot: expected an int64 tensor of class indices, got {tensor.dtype} '
                           f'(convert it with .long())')
    if num_classes < 0:
        if tensor.numel() == 0:
            raise RuntimeError('one_hot: cannot infer the number of classes from an empty tensor; '
                               'give num_classes')
        num_classes = int(tensor.max().item()) + 1
    ok = (tensor >= 0) & (tensor < num_classes)
    checks.check(ok, RuntimeError, functools.partial(_bad_index, 'one_hot', num_classes), tensor,
                 ok)
    return eye(num_classes, dtype=dtypes.int64, device=tensor.device)[tensor]


def _bad_index(op, size, indices, ok):
    """The message of an index out of [0, size): it names the first one."""
    value = int(indices[~ok].reshape(-1)[0])
    what = 'class values' if op == 'one_hot' else 'indices'
    return (f'{op}: {what} must be in [0, {size}), got {value}'
            + (' (negative indices are not counted from the end here)' if value < 0 else
               f' (too few classes: num_classes is {size})' if op == 'one_hot' else ''))


# --- normalization ---------------------------------------------------------------------------
def layer_norm(input, normalized_shape, weight=None, bias=None, eps=1e-5):
    """input normalized over its last dims (those of normalized_shape) to mean 0 and variance 1
    (the biased variance, plus eps), then scaled by weight and shifted by bias (both of
    normalized_shape, or None)."""
    if not isinstance(input, Tensor):
        raise not_a_tensor('layer_norm', input)
    shape = (normalized_shape,) if isinstance(normalized_shape, int) else tuple(normalized_shape)
    if not shape:
        raise RuntimeError('layer_norm: normalized_shape must name at least one dim (got []): the '
                           'statistics are taken over those last dims, e.g. [features]')
    if tuple(input.shape[input.ndim - len(shape):]) != shape:
        raise RuntimeError(f'layer_norm: normalized_shape {list(shape)} must match the last dims of '
                           f'the input, shape {list(input.shape)}')
    dims = tuple(range(input.ndim - len(shape), input.ndim))
    centred = input - input.mean(dims, keepdim=True)
    out = centred * rsqrt((centred * centred).mean(dims, keepdim=True) + eps)
    if weight is not None:
        out = out * weight
    return out + bias if bias is not None else out


def batch_norm(input, running_mean, running_var, weight=None, bias=None, training=False,
               momentum=0.1, eps=1e-5):
    """Each channel (dim 1) of a (N, C) or (N, C, L) input normalized over the batch (and length).

    training: use the batch's statistics and update running_mean / running_var in place (with
    momentum; the variance unbiased, as in PyTorch); otherwise use the running statistics.  weight
    and bias (C,) scale and shift the result."""
    if not isinstance(input, Tensor):
        raise not_a_tensor('batch_norm', input)
    if input.ndim not in (2, 3):
        raise ValueError(f'batch_norm: expected a 2D (N, C) or 3D (N, C, L) input, got shape '
                         f'{list(input.shape)}')
    dims = (0,) if input.ndim == 2 else (0, 2)
    view = (1, -1) if input.ndim == 2 else (1, -1, 1)
    if training:
        n = input.numel() // input.shape[1]
        if n <= 1:
            raise ValueError(f'batch_norm: expected more than 1 value per channel when training, got '
                             f'input of shape {list(input.shape)}')
        mean = input.mean(dims, keepdim=True)
        centred = input - mean
        var = (centred * centred).mean(dims, keepdim=True)
        if running_mean is not None:
            with grad_mode.no_grad():
                running_mean.mul_(1 - momentum).add_(mean.reshape(-1) * momentum)
                running_var.mul_(1 - momentum).add_(var.reshape(-1) * (momentum * n / (n - 1)))
    else:
        if running_mean is None:
            raise RuntimeError('batch_norm: running_mean and running_var are needed in eval mode')
        centred = input - running_mean.reshape(view)
        var = running_var.reshape(view)
    out = centred * rsqrt(var + eps)
    if weight is not None:
        out = out * weight.reshape(view)
    return out + bias.reshape(view) if bias is not None else out


# --- convolution and pooling -----------------------------------------------------------------
def _image_input(input, op):
    if not isinstance(input, Tensor):
        raise not_a_tensor(op, input)
    if input.ndim == 3:
        return input.unsqueeze(0), True
    if input.ndim != 4:
        raise RuntimeError(f'{op}: expected a 4D input (N, C, H, W) or a 3D one (C, H, W), got '
                           f'shape {list(input.shape)}')
    return input, False


def _conv_padding(padding, kernel, dilation):
    if padding == 'valid':
        return (0, 0)
    if padding == 'same':
        total = [d * (k - 1) for k, d in zip(kernel, dilation)]
        if any(t % 2 for t in total):
            raise ValueError("conv2d: padding='same' needs an odd (dilated) kernel size here")
        return tuple(t // 2 for t in total)
    return _pair(padding, 'padding', 'conv2d', least=0)


def conv2d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """The 2-D cross-correlation of input (N, C_in, H, W) or (C_in, H, W) with weight
    (C_out, C_in, kh, kw), plus bias (C_out,).  stride and dilation (>= 1) and padding (>= 0) are
    ints or pairs; padding may also be 'valid' or 'same'; groups must be 1."""
    if groups != 1:
        raise NotImplementedError('conv2d: groups other than 1 are not supported in minitorch')
    x, unbatched = _image_input(input, 'conv2d')
    if not isinstance(weight, Tensor):
        raise not_a_tensor('conv2d', weight, 'weight', 2)
    if weight.ndim == 4 and weight.shape[0] == 0:
        raise RuntimeError(f'conv2d: the weight of shape {list(weight.shape)} has 0 output channels; '
                           f'it needs at least 1 (weight is (out_channels, in_channels, kh, kw))')
    if weight.ndim != 4 or x.shape[1] != weight.shape[1]:
        raise RuntimeError(f'conv2d: input of shape {list(input.shape)} has {x.shape[1]} channels '
                           f'but the weight of shape {list(weight.shape)} expects '
                           f'{weight.shape[1] if weight.ndim == 4 else "a 4D weight and"} (weight '
                           f'is (out_channels, in_channels, kh, kw))')
    for t in (weight, bias):
        if t is not None and t.dtype is not x.dtype:
            if not isinstance(t, Tensor):
                raise not_a_tensor('conv2d', t, 'bias', 3)
            raise RuntimeError(f'conv2d: input is {x.dtype} but a parameter is {t.dtype}; convert '
                               f'one (e.g. model.to(x.dtype) or x.to(weight.dtype))')
    kernel = tuple(weight.shape[2:])
    stride = _pair(stride, 'stride', 'conv2d', least=1)
    dilation = _pair(dilation, 'dilation', 'conv2d', least=1)
    padding = _conv_padding(padding, kernel, dilation)
    oh, ow = nn_ops._geometry(x.shape, kernel, stride, padding, dilation)
    if oh < 1 or ow < 1:
        raise RuntimeError(f'conv2d: input of shape {list(input.shape)} is too small for a '
                           f'{kernel[0]}x{kernel[1]} kernel (padding {padding}, dilation '
                           f'{dilation}): the output would be {oh}x{ow}')
    out = nn_ops.Conv2d.apply(x, weight, bias, stride, padding, dilation)
    return out.squeeze(0) if unbatched else out


def max_pool2d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
               return_indices=False):
    """The largest value in each window of input (N, C, H, W) or (C, H, W); with
    return_indices=True also where each came from (an index into the flattened H*W plane)."""
    if ceil_mode:
        raise NotImplementedError('max_pool2d: ceil_mode=True is not supported in minitorch; pad the '
                                  'input instead')
    x, unbatched = _image_input(input, 'max_pool2d')
    kernel = _pair(kernel_size, 'kernel_size', 'max_pool2d', least=1)
    stride = kernel if stride is None else _pair(stride, 'stride', 'max_pool2d', least=1)
    padding = _pair(padding, 'padding', 'max_pool2d', least=0)
    dilation = _pair(dilation, 'dilation', 'max_pool2d', least=1)
    if any(p > k // 2 for p, k in zip(padding, kernel)):
        raise ValueError(f'max_pool2d: padding {padding} should be at most half the kernel size '
                         f'{kernel}')
    oh, ow = nn_ops._geometry(x.shape, kernel, stride, padding, dilation)
    if oh < 1 or ow < 1:
        raise RuntimeError(f'max_pool2d: input of shape {list(input.shape)} is too small for a '
                           f'{kernel[0]}x{kernel[1]} window')
    out, indices = nn_ops.MaxPool2d.apply(x, kernel, stride, padding, dilation)
    if unbatched:
        out, indices = out.squeeze(0), indices.squeeze(0)
    return (out, indices) if return_indices else out


def unfold(input, kernel_size, dilation=1, padding=0, stride=1):
    """im2col: (N, C, H, W) -> (N, C*kh*kw, L), one column per position of the kernel window
    (L positions); kernel_size, dilation, padding and stride are ints or pairs."""
    if not isinstance(input, Tensor):
        raise not_a_tensor('unfold', input)
    if input.ndim != 4:
        raise RuntimeError(f'unfold: expected a 4D input, got shape {list(input.shape)}')
    return nn_ops.Im2Col.apply(input, _pair(kernel_size, 'kernel_size', 'unfold', least=1),
                               _pair(stride, 'stride', 'unfold', least=1),
                               _pair(padding, 'padding', 'unfold', least=0),
                               _pair(dilation, 'dilation', 'unfold', least=1))


def fold(input, output_size, kernel_size, dilation=1, padding=0, stride=1):
    """col2im, the adjoint of unfold: (N, C*kh*kw, L) -> (N, C, *output_size), the values of
    overlapping windows added up."""
    if not isinstance(input, Tensor):
        raise not_a_tensor('fold', input)
    kernel = _pair(kernel_size, 'kernel_size', 'fold', least=1)
    if input.ndim != 3:
        raise RuntimeError(f'fold: expected a 3D input (N, C*kh*kw, L), got shape {list(input.shape)}')
    n, k, _ = input.shape
    c = k // (kernel[0] * kernel[1])
    shape = (n, c) + _pair(output_size, 'output_size', 'fold', least=1)
    return nn_ops.Col2Im.apply(input, shape, kernel, _pair(stride, 'stride', 'fold', least=1),
                               _pair(padding, 'padding', 'fold', least=0),
                               _pair(dilation, 'dilation', 'fold', least=1))


def flatten(input, start_dim=0, end_dim=-1):
    """input with dims start_dim..end_dim merged into one (torch.flatten)."""
    if not isinstance(input, Tensor):
        raise not_a_tensor('flatten', input)
    return input.flatten(start_dim, end_dim)

