"""Optimizers that scale each parameter's step by its gradient history (PyTorch's update rules).

Adam:    m = b1 m + (1 - b1) g;   v = b2 v + (1 - b2) g^2          (g includes weight_decay * p)
         p -= lr / (1 - b1^t) * m / (sqrt(v / (1 - b2^t)) + eps)
AdamW:   as Adam, with decoupled weight decay: p *= 1 - lr * weight_decay before the step
RMSprop: s = alpha s + (1 - alpha) g^2;   p -= lr * g / (sqrt(s) + eps)   (+ momentum, centered)
Adagrad: s += g^2;   p -= lr / (1 + (t - 1) lr_decay) * g / (sqrt(s) + eps)
"""
import math

from ..creation import zeros_like, full_like
from ..ops.inplace import observed
from ..ops.arithmetic import maximum
from .optimizer import Optimizer, step_counter


def _check(lr, eps=0.0, weight_decay=0.0):
    if lr < 0 or eps < 0 or weight_decay < 0:
        raise ValueError(f'Invalid hyper-parameter: lr={lr}, eps={eps}, weight_decay={weight_decay} '
                         f'(each must be >= 0)')


class Adam(Optimizer):
    """Adam (torch.optim.Adam): running averages of each parameter's gradient g and of g^2,
    m = b1 m + (1 - b1) g and v = b2 v + (1 - b2) g^2, and at step t the update
    p -= lr / (1 - b1^t) * m / (sqrt(v / (1 - b2^t)) + eps).

    betas: (b1, b2); eps: keeps the division finite; weight_decay: adds weight_decay * p to g (an
    L2 penalty; AdamW decouples it); amsgrad: use the largest v seen so far."""
    decoupled = False

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0,
                 amsgrad=False):
        _check(lr, eps, weight_decay)
        if not all(0 <= b < 1 for b in betas):
            raise ValueError(f'Invalid betas {betas}: each must be in [0, 1)')
        super().__init__(params, dict(lr=lr, betas=tuple(betas), eps=eps,
                                      weight_decay=weight_decay, amsgrad=amsgrad))

    def _init_state(self, p, group, state):
        state.update(step=step_counter(p), exp_avg=zeros_like(p), exp_avg_sq=zeros_like(p))
        if group['amsgrad']:
            state['max_exp_avg_sq'] = zeros_like(p)

    def _update(self, p, grad, group, state):
        lr, (b1, b2), wd = group['lr'], group['betas'], group['weight_decay']
        if wd and self.decoupled:
            p.mul_(1 - lr * wd)
        elif wd:
            grad = grad + wd * p
        t = _count(state['step'])
        m, v = state['exp_avg'], state['exp_avg_sq']
        m.mul_(b1).add_(grad * (1 - b1))
        v.mul_(b2).add_(grad * grad * (1 - b2))
        if group['amsgrad']:
            v = state['max_exp_avg_sq'].copy_(maximum(state['max_exp_avg_sq'], v))
        denom = (v.sqrt() / _sqrt(1 - b2 ** t)).add_(group['eps'])
        p.add_(m / denom * (-lr / (1 - b1 ** t)))


class AdamW(Adam):
    """Adam with decoupled weight decay: each step first shrinks p by a factor 1 - lr *
    weight_decay (default 0.01) instead of adding weight_decay * p to the gradient."""
    decoupled = True

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2,
                 amsgrad=False):
        super().__init__(params, lr, betas, eps, weight_decay, amsgrad)


class RMSprop(Optimizer):
    """RMSprop: p moves by -lr times the gradient divided by the root of a running mean (decay
    alpha) of its square, plus eps.  centered=True subtracts the square of the running mean of the
    gradient (estimating its variance); momentum > 0 keeps a momentum buffer of these steps;
    weight_decay is an L2 penalty."""

    def __init__(self, params, lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0, momentum=0,
                 centered=False):
        _check(lr, eps, weight_decay)
        super().__init__(params, dict(lr=lr, alpha=alpha, eps=eps, weight_decay=weight_decay,
                                      momentum=momentum, centered=centered))

    def _init_state(self, p, group, state):
        state.update(step=step_counter(p), square_avg=zeros_like(p))
        if group['momentum'] > 0:
            state['momentum_buffer'] = zeros_like(p)
        if group['centered']:
            state['grad_avg'] = zeros_like(p)

    def _update(self, p, grad, group, state):
        alpha = group['alpha']
        _count(state['step'])
        if group['weight_decay']:
            grad = grad + group['weight_decay'] * p
        square_avg = state['square_avg']
        square_avg.mul_(alpha).add_(grad * grad * (1 - alpha))
        avg = square_avg
        if group['centered']:
            grad_avg = state['grad_avg']
            grad_avg.mul_(alpha).add_(grad * (1 - alpha))
            avg = square_avg - grad_avg * grad_avg
        avg = avg.sqrt().add_(group['eps'])
        if group['momentum'] > 0:
            buf = state['momentum_buffer']
            buf.mul_(group['momentum']).add_(grad / avg)
            p.add_(buf * -group['lr'])
        else:
            p.add_(grad / avg * -group['lr'])


class Adagrad(Optimizer):
    """Adagrad: p moves by -lr times the gradient divided by the root of the sum of all its past
    squares (started at initial_accumulator_value) plus eps; the lr decays as
    lr / (1 + (t - 1) * lr_decay) at step t; weight_decay is an L2 penalty."""

    def __init__(self, params, lr=1e-2, lr_decay=0, weight_decay=0, initial_accumulator_value=0,
                 eps=1e-10):
        _check(lr, eps, weight_decay)
        super().__init__(params, dict(lr=lr, lr_decay=lr_decay, weight_decay=weight_decay,
                                      initial_accumulator_value=initial_accumulator_value, eps=eps))

    def _init_state(self, p, group, state):
        state.update(step=step_counter(p), sum=full_like(p, group['initial_accumulator_value']))

    def _update(self, p, grad, group, state):
        t = _count(state['step'])
        if group['weight_decay']:
            grad = grad + group['weight_decay'] * p
        clr = group['lr'] / (1 + (t - 1) * group['lr_decay'])
        state['sum'].add_(grad * grad)
        p.add_(grad / state['sum'].sqrt().add_(group['eps']) * -clr)


# --- the step count --------------------------------------------------------------------------
# The count is a tensor (optimizer.step_counter), so a traced training step counts on each run of
# its graph.  Eagerly the bias corrections use it as a Python number (as PyTorch's default path
# does); while a graph is being traced they are tensor ops the graph recomputes on every run.

def _count(step):
    """Add one to the step count; return it as a number (eager) or a tensor (traced)."""
    step.add_(1)
    return step.double() if observed() else step.item()   # float64 either way, as Python's floats


def _sqrt(x):
    return x.sqrt() if hasattr(x, 'sqrt') else math.sqrt(x)
