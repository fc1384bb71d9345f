"""SGD with momentum, dampening, Nesterov momentum and weight decay (PyTorch's update rule):

    g = grad + weight_decay * p
    b = g (first step), else momentum * b + (1 - dampening) * g
    g = g + momentum * b  (nesterov)  or  b  (momentum > 0)
    p = p - lr * g
"""
from ..creation import zeros_like
from .optimizer import Optimizer, required, step_counter


class SGD(Optimizer):
    """Stochastic gradient descent (torch.optim.SGD): p -= lr * g with g = grad + weight_decay * p;
    with momentum, g is replaced by a buffer b = momentum * b + (1 - dampening) * g (b = g at the
    first step), or by g + momentum * b with nesterov=True.

        opt = mt.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
        loss.backward(); opt.step(); opt.zero_grad()"""

    def __init__(self, params, lr=1e-3, momentum=0, dampening=0, weight_decay=0, nesterov=False):
        if lr is not required and lr < 0:
            raise ValueError(f'Invalid learning rate: {lr}')
        if momentum < 0 or weight_decay < 0:
            raise ValueError(f'Invalid momentum {momentum} or weight_decay {weight_decay}')
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError('Nesterov momentum requires a momentum and zero dampening')
        super().__init__(params, dict(lr=lr, momentum=momentum, dampening=dampening,
                                      weight_decay=weight_decay, nesterov=nesterov))

    def _init_state(self, p, group, state):
        if group['momentum']:
            state['momentum_buffer'] = zeros_like(p)
            state['step'] = step_counter(p)

    def _update(self, p, grad, group, state):
        if group['weight_decay']:
            grad = grad + group['weight_decay'] * p
        momentum = group['momentum']
        if momentum:
            # the buffer starts at 0, so b = momentum * 0 + (1 - dampening) * g; with dampening,
            # the first step adds dampening * g back: b = g, as PyTorch's first step
            buf, step = state['momentum_buffer'], state['step']
            step.add_(1)
            buf.mul_(momentum).add_(grad * (1 - group['dampening']))
            if group['dampening']:
                buf.add_(grad * (step == 1) * group['dampening'])
            grad = grad + momentum * buf if group['nesterov'] else buf
        p.add_(grad * -group['lr'])
