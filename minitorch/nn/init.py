"""Initialisation: fill a tensor in place (under no_grad) from a distribution, as torch.nn.init does.

The scale matters: with fan_in inputs each of variance 1, a sum of fan_in products has variance
fan_in * Var(w); keeping that near 1 (times a gain for the nonlinearity) keeps signals and gradients
from exploding or vanishing through many layers.  Random numbers come from minitorch's seeded
generator for the tensor's device, so mt.manual_seed makes them reproducible.
"""
import functools
import math

from ..autograd import grad_mode
from ..autograd.dispatch import suspended
from ..creation import rand, randn


def _outside_graphs(init):
    """Initialising is not part of a computation: it runs eagerly even while a static graph is being
    built (a model made inside `with mt.static.Graph()` gets real initial values)."""
    @functools.wraps(init)
    def eager(*args, **kwargs):
        with suspended():
            return init(*args, **kwargs)
    return eager


def calculate_gain(nonlinearity, param=None):
    """The factor by which a nonlinearity shrinks the standard deviation (PyTorch's values)."""
    linear = ('linear', 'conv1d', 'conv2d', 'conv3d', 'conv_transpose1d', 'conv_transpose2d',
              'conv_transpose3d', 'sigmoid')
    if nonlinearity in linear:
        return 1.0
    if nonlinearity == 'tanh':
        return 5.0 / 3
    if nonlinearity == 'relu':
        return math.sqrt(2.0)
    if nonlinearity == 'leaky_relu':
        slope = 0.01 if param is None else param
        if isinstance(slope, bool) or not isinstance(slope, (int, float)):
            raise ValueError(f'calculate_gain: negative_slope {param!r} is not a number')
        return math.sqrt(2.0 / (1 + slope ** 2))
    if nonlinearity == 'selu':
        return 3.0 / 4
    raise ValueError(f'calculate_gain: unsupported nonlinearity {nonlinearity!r}; expected one of '
                     f"{', '.join(linear)}, 'tanh', 'relu', 'leaky_relu', 'selu'")


def _calculate_fan_in_and_fan_out(tensor):
    if tensor.ndim < 2:
        raise ValueError(f'fan in and fan out need a tensor with at least 2 dims, got shape '
                         f'{list(tensor.shape)}')
    receptive = 1
    for s in tensor.shape[2:]:
        receptive *= s
    return tensor.shape[1] * receptive, tensor.shape[0] * receptive


def _fan(tensor, mode):
    if mode not in ('fan_in', 'fan_out'):
        raise ValueError(f"mode must be 'fan_in' or 'fan_out', got {mode!r}")
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    return fan_in if mode == 'fan_in' else fan_out


def _fill(tensor, values):
    with grad_mode.no_grad():
        tensor.copy_(values)
    return tensor


def _draw(tensor, kind, generator):
    factory = rand if kind == 'uniform' else randn
    dtype = tensor.dtype if tensor.is_floating_point() else None
    return factory(*tensor.shape, dtype=dtype, device=tensor.device, generator=generator)


@_outside_graphs
def uniform_(tensor, a=0.0, b=1.0, generator=None):
    """Fill tensor in place with draws from U(a, b); returns it."""
    return _fill(tensor, _draw(tensor, 'uniform', generator) * (b - a) + a)


@_outside_graphs
def normal_(tensor, mean=0.0, std=1.0, generator=None):
    """Fill tensor in place with draws from N(mean, std^2); returns it."""
    return _fill(tensor, _draw(tensor, 'normal', generator) * std + mean)


@_outside_graphs
def constant_(tensor, val):
    """Fill tensor in place with val; returns it."""
    with grad_mode.no_grad():
        tensor.fill_(val)
    return tensor


@_outside_graphs
def zeros_(tensor):
    """Fill tensor in place with zeros; returns it."""
    return constant_(tensor, 0)


@_outside_graphs
def ones_(tensor):
    """Fill tensor in place with ones; returns it."""
    return constant_(tensor, 1)


@_outside_graphs
def xavier_uniform_(tensor, gain=1.0, generator=None):
    """Glorot initialisation: U(-b, b) with b = gain * sqrt(6 / (fan_in + fan_out)), in place;
    returns tensor (at least 2-d: fan_in = size(1) * receptive field, fan_out = size(0) * receptive
    field)."""
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    bound = gain * math.sqrt(6.0 / (fan_in + fan_out))
    return uniform_(tensor, -bound, bound, generator)


@_outside_graphs
def xavier_normal_(tensor, gain=1.0, generator=None):
    """Glorot initialisation: N(0, std^2) with std = gain * sqrt(2 / (fan_in + fan_out)), in place;
    returns tensor."""
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    return normal_(tensor, 0.0, gain * math.sqrt(2.0 / (fan_in + fan_out)), generator)


@_outside_graphs
def kaiming_uniform_(tensor, a=0, mode='fan_in', nonlinearity='leaky_relu', generator=None):
    """He initialisation: U(-b, b) with b = sqrt(3) * gain / sqrt(fan), in place; returns tensor.

    a: the negative slope of leaky_relu (for the gain); mode: 'fan_in' (keeps the forward signal's
    scale) or 'fan_out' (the gradients'); nonlinearity: what calculate_gain is asked about."""
    std = calculate_gain(nonlinearity, a) / math.sqrt(_fan(tensor, mode))
    bound = math.sqrt(3.0) * std
    return uniform_(tensor, -bound, bound, generator)


@_outside_graphs
def kaiming_normal_(tensor, a=0, mode='fan_in', nonlinearity='leaky_relu', generator=None):
    """He initialisation: N(0, std^2) with std = gain / sqrt(fan), in place; returns tensor.  a,
    mode and nonlinearity as in kaiming_uniform_."""
    std = calculate_gain(nonlinearity, a) / math.sqrt(_fan(tensor, mode))
    return normal_(tensor, 0.0, std, generator)


def default_layer_init_(weight, bias, fan_in):
    """PyTorch's default for Linear and ConvNd: W ~ kaiming_uniform(a=sqrt(5)), i.e.
    U(-1/sqrt(fan_in), 1/sqrt(fan_in)), and b ~ U(-1/sqrt(fan_in), 1/sqrt(fan_in))."""
    kaiming_uniform_(weight, a=math.sqrt(5))
    if bias is not None:
        bound = 1 / math.sqrt(fan_in) if fan_in > 0 else 0
        uniform_(bias, -bound, bound)
