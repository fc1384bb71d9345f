"""Specs of nn.functional's functions that are not rows of the op table (minitorch/nn/functional.py,
functional_loss.py): activations, linear, layer_norm, batch_norm, conv2d, unfold, fold and the
losses, dropout.  max_pool2d, one_hot and embedding return indices or refuse by index: they have
tests of their own (functional_cases.py)."""
import math

import numpy as np
from hypothesis import strategies as st

from . import reference as R
from .registry import Case, RandomCheck, spec

_erf = np.vectorize(math.erf, otypes=[np.float64])


def functional(lib):
    return lib.nn.functional


def _call(name):
    return lambda lib, *args, **kwargs: getattr(functional(lib), name)(*args, **kwargs)


def _spec(name, draw, reference, **options):
    spec(name, draw, reference, table=False, call=_call(name), **options)


def _f64(*arrays):
    return [None if a is None else a.astype(np.float64) for a in arrays]


def _scale(*args, **kwargs):
    return R.magnitude(*args)


# --- activations -----------------------------------------------------------------------------------
def draw_floats(d):
    """A float input; now and then one of any dtype (integers and bool are refused)."""
    return d.array(dtype=d.dtype(R.ALL) if d.rarely() else d.dtype(R.FLOATS))


def _floating(x, op):
    if x.dtype.kind != 'f':
        raise R.Refused(f'{op} of {x.dtype}: PyTorch computes it for floats only',
                        (NotImplementedError,))


def draw_gelu(d):
    x = draw_floats(d)
    return Case(x, approximate=d.sampled(('none', 'tanh'))) if d.boolean() else Case(x)


def ref_gelu(x, approximate='none'):
    _floating(x, 'gelu')
    v = x.astype(np.float64)
    if approximate == 'tanh':
        values = 0.5 * v * (1 + np.tanh(math.sqrt(2 / math.pi) * (v + 0.044715 * v ** 3)))
    else:
        values = 0.5 * v * (1 + _erf(v / math.sqrt(2)))
    return R.as_result(values, x.dtype)


def d_gelu(upstream, x, approximate='none'):
    if approximate == 'tanh':
        inner = math.sqrt(2 / math.pi) * (x + 0.044715 * x ** 3)
        slope = 0.5 * (1 + np.tanh(inner)) + 0.5 * x * (1 - np.tanh(inner) ** 2) * \
            math.sqrt(2 / math.pi) * (1 + 3 * 0.044715 * x ** 2)
    else:
        slope = 0.5 * (1 + _erf(x / math.sqrt(2))) + x * np.exp(-x * x / 2) / math.sqrt(2 * math.pi)
    return (upstream * slope,)


def draw_leaky_relu(d):
    x = draw_floats(d)
    return Case(x, d.sampled((0.01, 0.2, 1.5, -0.5))) if d.boolean() else Case(x)


def ref_leaky_relu(x, negative_slope=0.01):
    _floating(x, 'leaky_relu')
    v = x.astype(np.float64)
    return R.as_result(np.where(v > 0, v, v * negative_slope), x.dtype)


def d_leaky_relu(upstream, x, negative_slope=0.01):
    return (upstream * np.where(x > 0, 1.0, negative_slope),)


def _log_sigmoid(v):
    return np.where(v < 0, v - np.log1p(np.exp(v)), -np.log1p(np.exp(-v)))


def ref_logsigmoid(x):
    _floating(x, 'logsigmoid')
    return R.as_result(_log_sigmoid(x.astype(np.float64)), x.dtype)


def d_logsigmoid(upstream, x):
    return (upstream / (1 + np.exp(x)),)


def draw_dropout(d):
    """An input (0-d too), p in [0, 1] (rarely outside, refused), training or not."""
    p = d.sampled((0.0, 0.25, 0.5, 1.0)) if not d.rarely() else 1.5
    return Case(d.array(d.shape(), d.dtype(R.FLOATS)), p, d.boolean())


def ref_dropout(x, p, training):
    if not 0 <= p <= 1:
        raise R.Refused('dropout: p outside [0, 1]', (ValueError,))
    if not training or p == 0:
        return x.copy()
    if p == 1:
        return R.as_result(x * 0.0, x.dtype)
    scaled = x.astype(np.float64) / (1 - p)

    def check(values):
        kept = np.isclose(values.astype(np.float64), scaled, rtol=R.RTOL[x.dtype], equal_nan=True)
        if not (kept | (values == 0) | ~np.isfinite(scaled)).all():
            return f'values neither 0 nor x / (1 - p): {values}'
        return None
    return RandomCheck(x.shape, x.dtype, check)


def _seeded_dropout(lib, *args, **kwargs):
    """dropout from a fixed seed: the same mask on every call, for the gradient checks."""
    lib.manual_seed(0)
    return functional(lib).dropout(*args, **kwargs)


# --- linear ----------------------------------------------------------------------------------------
def draw_linear(d):
    """input (..., in) (1-d or batched, 0-size batches too), weight (out, in) or, now and then, a 1-d
    (in,) one, bias (out,) or None (None for a 1-d weight: PyTorch 2.13 refuses its 0-d bias with a
    2-d input but takes it with others); now and then a weight of another dtype (refused)."""
    dtype = d.dtype(R.FLOATS)
    n_in, n_out = d.integer(1, 3), d.integer(1, 3)
    x = d.array(d.shape(0, 2) + (n_in,), dtype)
    one_d = d.integer(0, 3) == 0
    weight = d.array((n_in,) if one_d else (n_out, n_in), d.dtype(R.FLOATS) if d.rarely() else dtype)
    bias = d.array((n_out,), dtype) if not one_d and d.boolean() else None
    return Case(x, weight, bias)


def ref_linear(x, weight, bias):
    if x.dtype != weight.dtype:
        raise R.Refused('linear of two dtypes')
    v, w, b = _f64(x, weight, bias)
    out = v @ w.T + (b if b is not None else 0)
    return R.as_result(out, x.dtype)


def d_linear(upstream, x, weight, bias):
    if weight.ndim == 1:            # out = x @ weight, of shape x.shape[:-1]
        return upstream[..., None] * weight, upstream.reshape(-1) @ x.reshape(-1, weight.shape[0])
    up = upstream.reshape(-1, weight.shape[0])
    rows = x.reshape(-1, weight.shape[1])
    grads = ((upstream @ weight).reshape(x.shape), up.T @ rows)
    return grads + ((up.sum(0),) if bias is not None else ())


# --- layer_norm, batch_norm ------------------------------------------------------------------------
def draw_layer_norm(d):
    """input of 1 to 3 dims, normalized over its last 1 or 2 dims, weight and bias or None."""
    dtype = d.dtype((np.float32, np.float64))
    x = d.array(d.shape(1, 3), dtype)
    shape = x.shape[x.ndim - d.integer(1, min(2, x.ndim)):]
    weight = d.array(shape, dtype) if d.boolean() else None
    bias = d.array(shape, dtype) if d.boolean() else None
    return Case(x, shape, weight, bias, eps=d.sampled((1e-5, 0.1)))


def ref_layer_norm(x, normalized_shape, weight, bias, eps=1e-5):
    v, w, b = _f64(x, weight, bias)
    dims = tuple(range(x.ndim - len(normalized_shape), x.ndim))
    with np.errstate(all='ignore'):
        centred = v - v.mean(dims, keepdims=True)
        out = centred / np.sqrt((centred ** 2).mean(dims, keepdims=True) + eps)
    out = out * (w if w is not None else 1) + (b if b is not None else 0)
    return R.as_result(out, x.dtype)


def draw_batch_norm(d):
    """(N, C) or (N, C, L) input; eval mode with running statistics, or training mode with them or
    without (one value per channel is refused in training)."""
    dtype = d.dtype((np.float32, np.float64))
    n, c = d.integer(1, 3), d.integer(1, 3)
    x = d.array((n, c) + ((d.integer(1, 3),) if d.boolean() else ()), dtype)
    training = d.boolean()
    mean = var = None
    if not training or d.boolean():
        mean = d.array((c,), dtype)
        var = R.as_result(np.abs(np.nan_to_num(d.array((c,), dtype))) + 0.5, dtype)
    weight = d.array((c,), dtype) if d.boolean() else None
    bias = d.array((c,), dtype) if d.boolean() else None
    return Case(x, mean, var, weight, bias, training=training, eps=d.sampled((1e-5, 0.1)))


def ref_batch_norm(x, running_mean, running_var, weight, bias, training=False, eps=1e-5):
    v, m, var, w, b = _f64(x, running_mean, running_var, weight, bias)
    dims = (0,) + tuple(range(2, x.ndim))
    view = (1, -1) + (1,) * (x.ndim - 2)
    if training:
        if x.size // x.shape[1] <= 1:
            raise R.Refused('batch_norm: one value per channel in training', (ValueError,))
        with np.errstate(all='ignore'):
            m, var = v.mean(dims), v.var(dims)
    with np.errstate(all='ignore'):
        out = (v - m.reshape(view)) / np.sqrt(var.reshape(view) + eps)
    out = out * (w.reshape(view) if w is not None else 1) + (b.reshape(view) if b is not None else 0)
    return R.as_result(out, x.dtype)


# --- conv2d, unfold, fold --------------------------------------------------------------------------
def _geometry(d):
    """kernel, stride, padding (at most half the kernel), dilation and an image size they fit."""
    kernel = (d.integer(1, 3), d.integer(1, 3))
    stride = (d.integer(1, 2), d.integer(1, 2))
    dilation = (d.integer(1, 2), d.integer(1, 2))
    padding = (d.integer(0, kernel[0] // 2), d.integer(0, kernel[1] // 2))
    image = tuple(max(1, dl * (k - 1) + 1 - 2 * p) + d.integer(0, 2)
                  for k, dl, p in zip(kernel, dilation, padding))
    return kernel, stride, padding, dilation, image


def _windows(x, kernel, stride, padding, dilation):
    """(N, C, kh, kw, oh, ow): the input under each kernel position of each window (zero-padded)."""
    (kh, kw), (sh, sw), (ph, pw), (dh, dw) = kernel, stride, padding, dilation
    padded = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)))
    oh = (padded.shape[2] - dh * (kh - 1) - 1) // sh + 1
    ow = (padded.shape[3] - dw * (kw - 1) - 1) // sw + 1
    out = np.empty(x.shape[:2] + (kh, kw, oh, ow), dtype=x.dtype)
    for a in range(kh):
        for b in range(kw):
            out[:, :, a, b] = padded[:, :, a * dh:a * dh + sh * (oh - 1) + 1:sh,
                                     b * dw:b * dw + sw * (ow - 1) + 1:sw]
    return out


def _pair_or_int(d, pair):
    return pair[0] if pair[0] == pair[1] and d.boolean() else pair


def draw_conv2d(d):
    """(N, C, H, W) (N = 0 too) or unbatched (C, H, W) input, weight (O, C, kh, kw), bias or None,
    and stride, padding (a pair, an int, 'valid' or 'same' with stride 1 and an odd kernel) and
    dilation; now and then a stride of 0 or a weight of 0 output channels (refused)."""
    dtype = d.dtype(R.FLOATS)
    kernel, stride, padding, dilation, image = _geometry(d)
    c, o = d.integer(1, 2), d.integer(1, 2) if not d.rarely() else 0
    lead = (d.integer(0, 2),) if d.boolean() else ()
    x = d.array(lead + (c,) + image, dtype)
    weight = d.array((o, c) + kernel, dtype)
    bias = d.array((o,), dtype) if d.boolean() else None
    options = dict(stride=_pair_or_int(d, stride), dilation=_pair_or_int(d, dilation))
    options['padding'] = _pair_or_int(d, padding)
    if d.boolean():
        options['padding'] = 'valid'
    elif all(k % 2 for k in kernel) and d.boolean():
        options['padding'], options['stride'] = 'same', 1
    if d.rarely():
        options['stride'] = 0
    return Case(x, weight, bias, **options)


def _pair(value):
    return (value, value) if isinstance(value, int) else tuple(value)


def ref_conv2d(x, weight, bias, stride=1, padding=0, dilation=1):
    stride, dilation = _pair(stride), _pair(dilation)
    if min(stride) < 1:
        raise R.Refused('conv2d: a stride of 0')
    if weight.shape[0] == 0:
        raise R.Refused('conv2d: a weight of 0 output channels', (RuntimeError,))
    kernel = weight.shape[2:]
    if padding == 'valid':
        padding = 0
    elif padding == 'same':
        padding = tuple(dl * (k - 1) // 2 for k, dl in zip(kernel, dilation))
    padding = _pair(padding)
    if any(size + 2 * p - dl * (k - 1) < 1 for size, p, dl, k in zip(x.shape[-2:], padding,
                                                                        dilation, kernel)):
        raise R.Refused('conv2d: the input is smaller than the kernel')
    v, w, b = _f64(x, weight, bias)
    v4 = v[None] if x.ndim == 3 else v
    windows = _windows(v4, kernel, stride, padding, dilation)
    out = np.einsum('ncabij,ocab->noij', windows, w)
    if b is not None:
        out = out + b[:, None, None]
    return R.as_result(out[0] if x.ndim == 3 else out, x.dtype)


def draw_unfold(d):
    dtype = d.dtype(R.FLOATS)
    kernel, stride, padding, dilation, image = _geometry(d)
    x = d.array((d.integer(1, 2), d.integer(1, 2)) + image, dtype)
    return Case(x, _pair_or_int(d, kernel), dilation=_pair_or_int(d, dilation),
                padding=_pair_or_int(d, padding), stride=_pair_or_int(d, stride))


def ref_unfold(x, kernel_size, dilation=1, padding=0, stride=1):
    windows = _windows(x, _pair(kernel_size), _pair(stride), _pair(padding), _pair(dilation))
    n, c, kh, kw, oh, ow = windows.shape
    return windows.reshape(n, c * kh * kw, oh * ow)


def draw_fold(d):
    """The adjoint of a drawn unfold: an (N, C*kh*kw, L) input and the image size it folds into."""
    dtype = d.dtype(R.FLOATS)
    kernel, stride, padding, dilation, image = _geometry(d)
    n, c = d.integer(1, 2), d.integer(1, 2)
    blocks = np.prod(ref_unfold(np.zeros((1, 1) + image), kernel, dilation, padding, stride).shape)
    x = d.array((n, c * kernel[0] * kernel[1], int(blocks) // (kernel[0] * kernel[1])), dtype)
    return Case(x, image, _pair_or_int(d, kernel), dilation=dilation, padding=padding,
                stride=stride)


def ref_fold(x, output_size, kernel_size, dilation=1, padding=0, stride=1):
    (kh, kw), (sh, sw), (ph, pw), (dh, dw) = (_pair(kernel_size), _pair(stride), _pair(padding),
                                              _pair(dilation))
    n, k, _ = x.shape
    c = k // (kh * kw)
    h, w = output_size
    out = np.zeros((n, c, h + 2 * ph, w + 2 * pw))
    oh = (h + 2 * ph - dh * (kh - 1) - 1) // sh + 1
    ow = (w + 2 * pw - dw * (kw - 1) - 1) // sw + 1
    cols = x.astype(np.float64).reshape(n, c, kh, kw, oh, ow)
    for a in range(kh):
        for b in range(kw):
            out[:, :, a * dh:a * dh + sh * (oh - 1) + 1:sh,
                b * dw:b * dw + sw * (ow - 1) + 1:sw] += cols[:, :, a, b]
    return R.as_result(out[:, :, ph:ph + h, pw:pw + w], x.dtype)


# --- losses ----------------------------------------------------------------------------------------
REDUCTIONS = ('mean', 'sum', 'none')


def _reduced(losses, reduction, dtype):
    with np.errstate(all='ignore'):
        out = losses.mean() if reduction == 'mean' else losses.sum() if reduction == 'sum' else losses
    return R.as_result(out, dtype)


def _reduction(d, options):
    if d.boolean():
        options['reduction'] = d.sampled(REDUCTIONS)
    return options


def draw_pointwise_loss(d):
    """input and target of one shape (0-d and 0-size included), each of a float dtype."""
    shape = d.shape()
    return Case(d.array(shape, d.dtype(R.FLOATS)), d.array(shape, d.dtype(R.FLOATS)),
                **_reduction(d, {}))


def _pointwise_loss(distance):
    def reference(input, target, reduction='mean'):
        v, t = _f64(input, target)
        return _reduced(distance(v - t), reduction, R.promote_types(input.dtype, target.dtype))
    return reference


def d_mse_loss(upstream, input, target, reduction='mean'):
    grad = 2 * (input - target) * _upstream(upstream, reduction, input.size)
    return grad, -grad


def d_l1_loss(upstream, input, target, reduction='mean'):
    grad = np.sign(input - target) * _upstream(upstream, reduction, input.size)
    return grad, -grad


def _upstream(upstream, reduction, count):
    return upstream / count if reduction == 'mean' else upstream


PROBABILITIES = (0.0, 0.25, 0.5, 1.0, 0.1, 0.9, 0.75)


def draw_bce(d):
    """probabilities p (0 and 1 included; now and then one outside [0, 1], refused), targets in
    [0, 1], weight (broadcast to them) or None."""
    shape = d.shape()
    dtype = d.dtype(R.FLOATS)
    inside = st.floats(0.05, 0.95) if d.grad else st.sampled_from(PROBABILITIES)
    p = d.array(shape, dtype, elements=inside)
    if d.rarely() and p.size:
        p.reshape(-1)[0] = 1.5
    t = d.array(shape, dtype, elements=st.floats(0, 1) if d.grad else st.sampled_from(PROBABILITIES))
    weight = d.array(shape[d.integer(0, len(shape)):], dtype) if d.boolean() else None
    return Case(p, t, weight, **_reduction(d, {}))


def ref_bce(input, target, weight=None, reduction='mean'):
    if not ((input >= 0) & (input <= 1)).all():        # nan too, as in PyTorch
        raise R.Refused('binary_cross_entropy of a value outside [0, 1]', (RuntimeError,))
    p, t, w = _f64(input, target, weight)
    with np.errstate(all='ignore'):
        losses = -(t * np.maximum(np.log(p), -100) + (1 - t) * np.maximum(np.log(1 - p), -100))
    return _reduced(losses * (w if w is not None else 1), reduction, input.dtype)


def draw_bce_with_logits(d):
    shape = d.shape()
    dtype = d.dtype(R.FLOATS)
    x = d.array(shape, dtype)
    t = d.array(shape, dtype, elements=st.floats(0, 1) if d.grad else st.sampled_from(PROBABILITIES))
    weight = d.array(shape[d.integer(0, len(shape)):], dtype) if d.boolean() else None
    options = _reduction(d, {})
    if d.boolean():
        options['pos_weight'] = d.array(shape[len(shape) - (1 if shape else 0):], dtype)
    return Case(x, t, weight, **options)


def ref_bce_with_logits(input, target, weight=None, reduction='mean', pos_weight=None):
    x, t, w, pw = _f64(input, target, weight, pos_weight)
    with np.errstate(all='ignore'):
        losses = -((pw if pw is not None else 1) * t * _log_sigmoid(x) +
                   (1 - t) * _log_sigmoid(-x))
    return _reduced(losses * (w if w is not None else 1), reduction, input.dtype)


def draw_classes(d, soft=False):
    """scores (C,), (N, C) or (N, C, d) (N may be 0), int64 class targets (now and then
    ignore_index or, rarely, a class out of range: refused), class weights or None."""
    dtype = d.dtype(R.FLOATS)
    c = d.integer(1, 3)
    form = d.sampled(('single', 'batch', 'spatial'))
    n = d.integer(0, 3)
    lead = {'single': (), 'batch': (n,), 'spatial': (n,)}[form]
    extra = (d.integer(1, 2),) if form == 'spatial' else ()
    scores = d.array(lead + (c,) + extra, dtype)
    options = {}
    if soft and d.boolean():
        target = np.abs(d.array(scores.shape, dtype)) if not d.grad else \
            d.array(scores.shape, dtype, elements=st.floats(0.05, 1))
        target = R.as_result(np.nan_to_num(target, posinf=1), dtype)
    else:
        target = d.index_array(lead + extra, c)
        if target.size and d.boolean():
            first = int(target.reshape(-1)[0])
            options['ignore_index'] = -100 if d.grad else d.sampled((-100, first))
            target.reshape(-1)[0] = options['ignore_index']
        if d.rarely() and target.size:
            target.reshape(-1)[-1] = d.sampled((-1, c))
    weight = d.array((c,), dtype, elements=st.floats(0.25, 2)) if d.boolean() else None
    if soft and d.boolean():
        options['label_smoothing'] = d.sampled((0.1, 0.5))
    return Case(scores, target, weight, **_reduction(d, options))


def _log_softmax(v, axis):
    top = np.max(v, axis=axis, keepdims=True) if v.size else 0
    shifted = v - top
    return shifted - np.log(np.exp(shifted).sum(axis=axis, keepdims=True))


def _classes_last(x, target):
    """(rows, C) scores and (rows,) targets: the class dim moved last and the rest flattened."""
    c = x.shape[0 if x.ndim == 1 else 1]
    return np.moveaxis(x, 0 if x.ndim == 1 else 1, -1).reshape(-1, c), target.reshape(-1), c


def ref_nll_loss(input, target, weight=None, ignore_index=-100, reduction='mean',
                 label_smoothing=0.0, log_probs=None):
    x, w = _f64(input, weight)
    rows, flat, c = _classes_last(x if log_probs is None else log_probs, target)
    keep = flat != ignore_index
    if ((flat[keep] < 0) | (flat[keep] >= c)).any():
        raise R.Refused('a class out of range', (IndexError, RuntimeError))
    safe = np.where(keep, flat, 0)
    weights = (w[safe] if w is not None else np.ones(len(flat))) * keep
    picked = -rows[np.arange(len(flat)), safe] * weights
    if label_smoothing:
        smooth = (-rows * (w if w is not None else 1)).sum(1) / c
        picked = (1 - label_smoothing) * picked + label_smoothing * smooth
    picked = np.where(keep, picked, 0)      # an ignored row's loss is 0, whatever its scores
    if reduction == 'none':
        return R.as_result(picked.reshape(target.shape), input.dtype)
    with np.errstate(all='ignore'):
        total = picked.sum()
        return R.as_result(total / weights.sum() if reduction == 'mean' else total, input.dtype)


def ref_cross_entropy(input, target, weight=None, ignore_index=-100, reduction='mean',
                      label_smoothing=0.0):
    class_dim = 0 if input.ndim == 1 else 1
    log_probs = _log_softmax(input.astype(np.float64), class_dim)
    if target.dtype.kind != 'f':
        return ref_nll_loss(input, target, weight, ignore_index, reduction, label_smoothing,
                            log_probs)
    t, w = _f64(target, weight)
    c = input.shape[class_dim]
    t = t * (1 - label_smoothing) + label_smoothing / c
    shape = [1] * input.ndim
    shape[class_dim] = c
    terms = -log_probs * t * (w.reshape(shape) if w is not None else 1)
    return _reduced(terms.sum(class_dim), reduction, input.dtype)


_spec('gelu', draw_gelu, ref_gelu, derivative=d_gelu)
_spec('leaky_relu', draw_leaky_relu, ref_leaky_relu, derivative=d_leaky_relu)
_spec('logsigmoid', lambda d: Case(draw_floats(d)), ref_logsigmoid, derivative=d_logsigmoid)
spec('dropout', draw_dropout, ref_dropout, table=False, call=_seeded_dropout)
_spec('linear', draw_linear, ref_linear, derivative=d_linear, scale=_scale)
_spec('layer_norm', draw_layer_norm, ref_layer_norm, grad=(0, 2, 3), scale=_scale)
_spec('batch_norm', draw_batch_norm, ref_batch_norm, grad=(0, 3, 4), scale=_scale)
_spec('conv2d', draw_conv2d, ref_conv2d, scale=_scale)
_spec('unfold', draw_unfold, ref_unfold)
_spec('fold', draw_fold, ref_fold, scale=_scale)
_spec('mse_loss', draw_pointwise_loss, _pointwise_loss(np.square), derivative=d_mse_loss,
      scale=lambda x, t, **_: R.magnitude(x, t) ** 2)
_spec('l1_loss', draw_pointwise_loss, _pointwise_loss(np.abs), derivative=d_l1_loss, scale=_scale)
_spec('binary_cross_entropy', draw_bce, ref_bce, grad=(0,), scale=lambda *a, **k: 100.0 * a[0].size)
_spec('binary_cross_entropy_with_logits', draw_bce_with_logits, ref_bce_with_logits, grad=(0,),
      scale=_scale)
_spec('nll_loss', draw_classes, ref_nll_loss, grad=(0,), scale=_scale)
_spec('cross_entropy', lambda d: draw_classes(d, soft=True), ref_cross_entropy, grad=(0,), scale=_scale)
