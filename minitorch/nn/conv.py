"""Conv2d and MaxPool2d: images (N, C, H, W) through im2col + one matrix product, and window maxima."""

from ..creation import empty
from . import functional as F
from . import init
from .module import Module
from .parameter import Parameter


class Conv2d(Module):
    """out[n, o] = bias[o] + sum over c, i, j of weight[o, c, i, j] * x[n, c, h*s + i, w*s + j].
    Weight (out_channels, in_channels, kh, kw) ~ kaiming_uniform(a=sqrt(5)); bias ~ U(±1/sqrt(fan_in))
    with fan_in = in_channels * kh * kw, as in PyTorch."""

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0, dilation=1,
                 groups=1, bias=True, padding_mode='zeros', device=None, dtype=None):
        super().__init__()
        if groups != 1 or padding_mode != 'zeros':
            raise NotImplementedError("Conv2d: only groups=1 and padding_mode='zeros' are supported")
        self.in_channels, self.out_channels = in_channels, out_channels
        self.kernel_size = F._pair(kernel_size, 'kernel_size', 'Conv2d')
        self.stride = F._pair(stride, 'stride', 'Conv2d')
        self.padding = padding if isinstance(padding, str) else F._pair(padding, 'padding', 'Conv2d')
        self.dilation = F._pair(dilation, 'dilation', 'Conv2d')
        self.weight = Parameter(empty(out_channels, in_channels, *self.kernel_size, device=device,
                                      dtype=dtype))
        if bias:
            self.bias = Parameter(empty(out_channels, device=device, dtype=dtype))
        else:
            self.register_parameter('bias', None)
        self.reset_parameters()

    def reset_parameters(self):
        """Draw weight and bias afresh from the default initialisation (see the class)."""
        fan_in = self.in_channels * self.kernel_size[0] * self.kernel_size[1]
        init.default_layer_init_(self.weight, self.bias, fan_in)

    def forward(self, input):
        """input (N, in_channels, H, W) or (in_channels, H, W) -> (N, out_channels, H_out, W_out)
        (or without N)."""
        return F.conv2d(input, self.weight, self.bias, self.stride, self.padding, self.dilation)

    def extra_repr(self):
        text = (f'{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, '
                f'stride={self.stride}')
        if self.padding not in ((0, 0), 'valid'):
            text += f', padding={self.padding}'
        if self.dilation != (1, 1):
            text += f', dilation={self.dilation}'
        if self.bias is None:
            text += ', bias=False'
        return text


class MaxPool2d(Module):
    """The largest value in each kernel_size window, moved by stride (default: kernel_size), of
    images (N, C, H, W) or (C, H, W), as a module (F.max_pool2d); ceil_mode=True is not supported.
    return_indices=True also returns where each maximum came from."""

    def __init__(self, kernel_size, stride=None, padding=0, dilation=1, return_indices=False,
                 ceil_mode=False):
        super().__init__()
        if ceil_mode:
            raise NotImplementedError('MaxPool2d: ceil_mode=True is not supported in minitorch')
        self.return_indices = return_indices
        self.kernel_size = kernel_size
        self.stride = kernel_size if stride is None else stride
        self.padding, self.dilation = padding, dilation

    def forward(self, input):
        """input (N, C, H, W) or (C, H, W) -> the window maxima (N, C, H_out, W_out), and their
        indices into each H*W plane if return_indices."""
        return F.max_pool2d(input, self.kernel_size, self.stride, self.padding, self.dilation,
                            return_indices=self.return_indices)

    def extra_repr(self):
        return (f'kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}, '
                f'dilation={self.dilation}, ceil_mode=False')
