"""Loss functions (re-exported by nn.functional): each returns per-element losses reduced by
reduction='mean' (the default), 'sum' or 'none', as in PyTorch."""
import functools
import warnings

from ..ops.arguments import not_a_tensor
from ..ops.checks import check
from ..ops.selection import where
from ..ops import nn_ops
from ..tensor import Tensor


def _reduce(loss, reduction, op):
    if reduction == 'mean':
        return loss.mean()
    if reduction == 'sum':
        return loss.sum()
    if reduction == 'none':
        return loss
    raise ValueError(f"{op}: reduction must be 'mean', 'sum' or 'none', got {reduction!r}")


def _check_same_shape(op, input, target, strict):
    if not isinstance(input, Tensor):
        raise not_a_tensor(op, input)
    if not isinstance(target, Tensor):
        raise not_a_tensor(op, target, 'target', 2)
    if input.shape == target.shape:
        return
    message = (f'{op}: target of shape {list(target.shape)} and input of shape '
               f'{list(input.shape)} differ')
    if strict:
        raise ValueError(message + '; give them the same shape')
    warnings.warn(message + '; they will be broadcast, which is probably not what you want '
                  '(reshape one, e.g. target.view_as(input))', stacklevel=3)


def mse_loss(input, target, reduction='mean'):
    """The squared differences (input - target) ** 2, averaged ('mean'), summed ('sum') or kept
    ('none').  target should have input's shape (they are broadcast, with a warning)."""
    _check_same_shape('mse_loss', input, target, strict=False)
    diff = input - target
    return _reduce(diff * diff, reduction, 'mse_loss')


def l1_loss(input, target, reduction='mean'):
    """The absolute differences |input - target|, averaged ('mean'), summed ('sum') or kept
    ('none').  target should have input's shape (they are broadcast, with a warning)."""
    _check_same_shape('l1_loss', input, target, strict=False)
    return _reduce((input - target).abs(), reduction, 'l1_loss')


# --- classification from class indices ---------------------------------------------------------
def _classes_last(input, target, op):
    """(M, C) scores and (M,) targets from (C,)/(), (N, C)/(N,) or (N, C, d1, ...)/(N, d1, ...)."""
    if not isinstance(input, Tensor):
        raise not_a_tensor(op, input)
    if not isinstance(target, Tensor):
        raise not_a_tensor(op, target, 'target', 2)
    if input.ndim == 0:
        raise ValueError(f'{op}: input must have a class dim, got a 0-d tensor')
    if target.is_floating_point():
        raise TypeError(f'{op}: target must hold class indices (an integer tensor, e.g. '
                        f'target.long()), got {target.dtype}')
    class_dim = 0 if input.ndim == 1 else 1
    expected = tuple(s for i, s in enumerate(input.shape) if i != class_dim)
    if tuple(target.shape) != expected:
        raise ValueError(f'{op}: input of shape {list(input.shape)} needs a target of shape '
                         f'{list(expected)} (one class index per row), got {list(target.shape)}')
    n_classes = input.shape[class_dim]
    if input.ndim == 1:
        return input.unsqueeze(0), target.reshape(1), n_classes
    if input.ndim > 2:
        order = (0,) + tuple(range(2, input.ndim)) + (1,)
        input = input.permute(order).reshape(-1, n_classes)
    return input, target.reshape(-1), n_classes


def _check_range(target, n_classes, ignore_index, op):
    """An IndexError naming the first target out of [0, n_classes) (ignore_index aside); a check op,
    so a static graph checks each run's targets."""
    ok = ((target >= 0) & (target < n_classes)) | (target == ignore_index)
    check(ok, IndexError, functools.partial(_out_of_range, op, n_classes, ignore_index), target, ok)


def _out_of_range(op, n_classes, ignore_index, target, ok):
    value = int(target[~ok].reshape(-1)[0])
    return (f'{op}: target {value} is out of bounds for {n_classes} classes (class indices go from '
            f'0 to {n_classes - 1}; ignore_index is {ignore_index})')


def _picked_and_weights(log_probs, target, weight, ignore_index):
    """-log p[target] per row, each row's weight (0 where target == ignore_index) and the rows kept
    (target != ignore_index)."""
    keep = target != ignore_index
    safe = where(keep, target, 0)
    picked = -log_probs.gather(1, safe.unsqueeze(1)).squeeze(1)
    w = keep.to(log_probs.dtype)
    if weight is not None:
        w = w * weight[safe]
    return picked, w, keep


def _finish(losses, w, keep, reduction, target_shape, op):
    # an ignored row's loss is 0 and so is its gradient, even when its scores are not finite or
    # every row is ignored (the mean is then 0 / 0, nan, and 1 / 0 reaches each row), as in PyTorch
    losses = where(keep, losses, 0)
    if reduction == 'mean':
        return losses.sum() / w.sum()
    if reduction == 'none':
        return losses.reshape(target_shape)
    return _reduce(losses, reduction, op)


def nll_loss(input, target, weight=None, ignore_index=-100, reduction='mean'):
    """-input[target] (input holds log-probabilities), weighted; 'mean' divides by the weight sum."""
    log_probs, flat_target, n_classes = _classes_last(input, target, 'nll_loss')
    _check_range(flat_target, n_classes, ignore_index, 'nll_loss')
    picked, w, keep = _picked_and_weights(log_probs, flat_target, weight, ignore_index)
    return _finish(picked * w, w, keep, reduction, target.shape, 'nll_loss')


def cross_entropy(input, target, weight=None, ignore_index=-100, reduction='mean',
                  label_smoothing=0.0):
    """log_softmax over the class dim (1) followed by nll_loss; target holds class indices, or class
    probabilities of the input's shape.  label_smoothing=ε mixes in ε/C of every class."""
    if not 0 <= label_smoothing <= 1:
        raise ValueError(f'cross_entropy: label_smoothing must be in [0, 1], got {label_smoothing}')
    if isinstance(target, Tensor) and target.is_floating_point():
        return _cross_entropy_soft(input, target, weight, reduction, label_smoothing)
    scores, flat_target, n_classes = _classes_last(input, target, 'cross_entropy')
    _check_range(flat_target, n_classes, ignore_index, 'cross_entropy')
    log_probs = scores.log_softmax(1)
    picked, w, keep = _picked_and_weights(log_probs, flat_target, weight, ignore_index)
    losses = picked * w
    if label_smoothing > 0:
        per_class = -log_probs if weight is None else -log_probs * weight
        smooth = per_class.sum(1) / n_classes
        losses = (1 - label_smoothing) * losses + label_smoothing * smooth
    return _finish(losses, w, keep, reduction, target.shape, 'cross_entropy')


def _cross_entropy_soft(input, target, weight, reduction, label_smoothing):
    if not isinstance(input, Tensor):
        raise not_a_tensor('cross_entropy', input)
    if input.shape != target.shape:
        raise ValueError(f'cross_entropy: a target of class probabilities must have the input\'s '
                         f'shape {list(input.shape)}, got {list(target.shape)}')
    class_dim = 0 if input.ndim == 1 else 1
    n_classes = input.shape[class_dim]
    if label_smoothing > 0:
        target = target * (1 - label_smoothing) + label_smoothing / n_classes
    terms = -input.log_softmax(class_dim) * target
    if weight is not None:
        shape = [1] * input.ndim
        shape[class_dim] = n_classes
        terms = terms * weight.reshape(shape)
    return _reduce(terms.sum(class_dim), reduction, 'cross_entropy')


# --- binary ------------------------------------------------------------------------------------
def binary_cross_entropy(input, target, weight=None, reduction='mean'):
    """-(t log p + (1 - t) log(1 - p)) for probabilities p; each log is clamped at -100, as PyTorch
    does, so p = 0 or 1 gives a large finite loss rather than inf."""
    _check_same_shape('binary_cross_entropy', input, target, strict=True)
    ok = (input >= 0) & (input <= 1)        # a check op: a static graph checks each run's input
    check(ok, RuntimeError, _not_probabilities, input, ok)
    loss = -(target * input.log().clamp(min=-100) + (1 - target) * (1 - input).log().clamp(min=-100))
    if weight is not None:
        loss = loss * weight
    return _reduce(loss, reduction, 'binary_cross_entropy')


def _not_probabilities(input, ok):
    value = float(input[~ok].reshape(-1)[0])
    return (f'binary_cross_entropy: all elements of input should be between 0 and 1 '
            f'(probabilities), got {value}; for raw scores use binary_cross_entropy_with_logits')


def binary_cross_entropy_with_logits(input, target, weight=None, reduction='mean',
                                     pos_weight=None):
    """binary_cross_entropy(sigmoid(x), t) computed stably from the logits x via log-sigmoid."""
    _check_same_shape('binary_cross_entropy_with_logits', input, target, strict=True)
    positive = target * nn_ops.LogSigmoid.apply(input)
    if pos_weight is not None:
        positive = positive * pos_weight
    loss = -(positive + (1 - target) * nn_ops.LogSigmoid.apply(-input))
    if weight is not None:
        loss = loss * weight
    return _reduce(loss, reduction, 'binary_cross_entropy_with_logits')
