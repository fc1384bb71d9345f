"""Primitives that neural-network layers need: convolution via im2col, max pooling, log-sigmoid.

As everywhere in minitorch, forward works on raw arrays with their own array module (numpy or cupy)
and backward is written with tensor operations, so it can be differentiated again.

im2col turns every k×k window of an image into one column, so a convolution becomes one matrix
product.  The windows are read through a strided *view* of the (padded) input, without copying; the
reshape that follows makes the one copy.  col2im, its adjoint, adds the columns back into an image
(windows overlap, so values add up); the backward of each is the other.
"""
import math

from ..autograd.function import Primitive
from ..backend import array_module
from .indexing import scatter_add_into_zeros


def conv_output_size(size, kernel, stride, padding, dilation):
    return (size + 2 * padding - dilation * (kernel - 1) - 1) // stride + 1


def _pad(xp, x, padding, value=0):
    ph, pw = padding
    if not ph and not pw:
        return x
    return xp.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)), constant_values=value)


def _windows(xp, x, kernel, stride, dilation, out_hw, order):
    """A strided view of x (N, C, H, W) holding every window, axes named by `order` from
    N, C, i, j (offsets inside the window) and h, w (window position)."""
    (kh, kw), (sh, sw), (dh, dw), (oh, ow) = kernel, stride, dilation, out_hw
    sn, sc, sy, sx = x.strides
    axes = {'N': (x.shape[0], sn), 'C': (x.shape[1], sc), 'i': (kh, sy * dh), 'j': (kw, sx * dw),
            'h': (oh, sy * sh), 'w': (ow, sx * sw)}
    shape = tuple(axes[a][0] for a in order)
    strides = tuple(axes[a][1] for a in order)
    return xp.lib.stride_tricks.as_strided(x, shape=shape, strides=strides)


def _geometry(x_shape, kernel, stride, padding, dilation):
    oh = conv_output_size(x_shape[2], kernel[0], stride[0], padding[0], dilation[0])
    ow = conv_output_size(x_shape[3], kernel[1], stride[1], padding[1], dilation[1])
    return oh, ow


def im2col(x, kernel, stride, padding, dilation, order='NCijhw'):
    """The windows of x as an array laid out by `order` (a copy), and the output size (oh, ow)."""
    xp = array_module(x)
    out_hw = _geometry(x.shape, kernel, stride, padding, dilation)
    view = _windows(xp, _pad(xp, x, padding), kernel, stride, dilation, out_hw, order)
    return xp.ascontiguousarray(view), out_hw


def col2im(cols, x_shape, kernel, stride, padding, dilation):
    """Adjoint of im2col: cols (N, C*kh*kw, oh*ow) added back into an image of shape x_shape."""
    xp = array_module(cols)
    n, c, h, w = x_shape
    (kh, kw), (sh, sw), (ph, pw), (dh, dw) = kernel, stride, padding, dilation
    oh, ow = _geometry(x_shape, kernel, stride, padding, dilation)
    cols = cols.reshape(n, c, kh, kw, oh, ow)
    out = xp.zeros((n, c, h + 2 * ph, w + 2 * pw), dtype=cols.dtype)
    for i in range(kh):             # one slice-add per kernel offset (kh*kw of them, not per pixel)
        for j in range(kw):
            out[:, :, i * dh:i * dh + sh * (oh - 1) + 1:sh,
                j * dw:j * dw + sw * (ow - 1) + 1:sw] += cols[:, :, i, j]
    return xp.ascontiguousarray(out[:, :, ph:ph + h, pw:pw + w])


class Im2Col(Primitive):
    """x (N, C, H, W) -> columns (N, C*kh*kw, oh*ow), as torch.nn.functional.unfold."""

    @staticmethod
    def forward(ctx, x, kernel, stride, padding, dilation):
        ctx.meta = (x.shape, kernel, stride, padding, dilation)
        cols, (oh, ow) = im2col(x, kernel, stride, padding, dilation)
        n, c = x.shape[:2]
        return cols.reshape(n, c * kernel[0] * kernel[1], oh * ow)

    @staticmethod
    def backward(ctx, grad):
        return Col2Im.apply(grad, *ctx.meta), None, None, None, None


class Col2Im(Primitive):
    """columns (N, C*kh*kw, oh*ow) -> x (N, C, H, W), overlaps summed, as torch's fold."""

    @staticmethod
    def forward(ctx, cols, x_shape, kernel, stride, padding, dilation):
        ctx.meta = (kernel, stride, padding, dilation)
        return col2im(cols, x_shape, kernel, stride, padding, dilation)

    @staticmethod
    def backward(ctx, grad):
        return Im2Col.apply(grad, *ctx.meta), None, None, None, None, None


class Conv2d(Primitive):
    """out = weight ⋆ x + bias: im2col of x, then one matrix product (C*kh*kw is the inner dim)."""

    @staticmethod
    def forward(ctx, x, weight, bias, stride, padding, dilation):
        xp = array_module(x)
        out_c, in_c, kh, kw = weight.shape
        n = x.shape[0]
        ctx.meta = (x.shape, (kh, kw), stride, padding, dilation)
        ctx.save_for_backward(x, weight)
        cols, (oh, ow) = im2col(x, (kh, kw), stride, padding, dilation, order='CijNhw')
        k = in_c * kh * kw              # sizes written out, not -1: a batch of 0 images has 0 columns
        out = weight.reshape(out_c, k) @ cols.reshape(k, n * oh * ow)       # (out_c, N*oh*ow)
        if bias is not None:
            out += bias.reshape(out_c, 1)
        return xp.ascontiguousarray(out.reshape(out_c, n, oh, ow).transpose(1, 0, 2, 3))

    @staticmethod
    def backward(ctx, grad):
        x, weight = ctx.saved_tensors
        x_shape, kernel, stride, padding, dilation = ctx.meta
        need = ctx.needs_input_grad
        n, out_c, oh, ow = grad.shape
        k = math.prod(weight.shape[1:])         # sizes written out, not -1 (0 images: 0 columns)
        g = grad.reshape(n, out_c, oh * ow)                                 # (N, out_c, L)
        grad_x = grad_w = grad_b = None
        if need[0]:
            cols = weight.reshape(out_c, k).t() @ g                         # (N, C*kh*kw, L)
            grad_x = Col2Im.apply(cols, x_shape, kernel, stride, padding, dilation)
        if need[1]:
            cols = Im2Col.apply(x, kernel, stride, padding, dilation)       # (N, C*kh*kw, L)
            flat_g = g.permute(1, 0, 2).reshape(out_c, n * oh * ow)
            grad_w = (flat_g @ cols.permute(1, 0, 2).reshape(k, n * oh * ow).t()).reshape(weight.shape)
        if need[2]:
            grad_b = grad.sum((0, 2, 3))
        return grad_x, grad_w, grad_b, None, None, None


class MaxPool2d(Primitive):
    """The largest value of each window, and where it was (the index into each flattened H*W plane,
    as PyTorch's return_indices gives); the gradient goes to the element that won."""

    @staticmethod
    def forward(ctx, x, kernel, stride, padding, dilation):
        xp = array_module(x)
        n, c, h, w = x.shape
        fill = -xp.inf if x.dtype.kind == 'f' else xp.iinfo(x.dtype).min
        oh, ow = _geometry(x.shape, kernel, stride, padding, dilation)
        view = _windows(xp, _pad(xp, x, padding, fill), kernel, stride, dilation, (oh, ow), 'NChwij')
        windows = xp.ascontiguousarray(view).reshape(n, c, oh, ow, -1)
        best = windows.argmax(-1)
        values = xp.take_along_axis(windows, best[..., None], -1)[..., 0]
        i, j = best // kernel[1], best % kernel[1]
        rows = xp.arange(oh).reshape(oh, 1) * stride[0] + i * dilation[0] - padding[0]
        cols = xp.arange(ow) * stride[1] + j * dilation[1] - padding[1]
        ctx.meta = (x.shape,)
        index = (rows * w + cols).astype(xp.int64).reshape(n, c, oh, ow)
        ctx.mark_non_differentiable(index)
        ctx.save_for_backward(index)
        return values, index        # the winners' flat positions: an output, read by backward

    @staticmethod
    def backward(ctx, grad, _grad_index):
        index, = ctx.saved_tensors
        index = index.reshape(index.shape[0], index.shape[1], -1)
        (n, c, h, w), = ctx.meta
        flat = scatter_add_into_zeros(grad.reshape(n, c, -1), index, 2, (n, c, h * w))
        return flat.reshape(n, c, h, w), None, None, None, None


# --- elementwise pieces of losses ----------------------------------------------------------
class LogSigmoid(Primitive):
    """log(sigmoid(x)) = -log(1 + exp(-x)), computed without overflow for large |x|."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return -array_module(x).logaddexp(0, -x).astype(x.dtype, copy=False)

    @staticmethod
    def backward(ctx, grad):
        x, = ctx.saved_tensors
        return grad * (-x).sigmoid()
