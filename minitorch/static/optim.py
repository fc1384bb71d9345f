"""Optimizers for define-then-run graphs: `mt.static.optim.SGD(0.1).minimize(loss)` returns the
Operation that updates every trainable Variable (tf.train.GradientDescentOptimizer.minimize).

minimize traces the gradients, then runs minitorch's own eager optimizer (mt.optim.SGD, Adam, ...) on
the symbolic gradients while the graph records it: the update rules are written once, in mt.optim,
and the optimizer's buffers (momentum, Adam's moments and step count) become state of the graph.
"""
from .. import optim as eager_optim
from ..tensor import set_grad
from .errors import StaticError
from .gradients import gradients
from .graph_api import Operation, _writes_of, current_graph
from .slots import TensorSlot


class Minimizer:
    """Base: `eager` is the mt.optim class whose update rule is recorded."""
    eager = None

    def __init__(self, lr, **hyperparameters):
        self.lr, self.hyperparameters = lr, hyperparameters

    def minimize(self, loss, var_list=None):
        """The Operation that takes one step on loss for var_list (default: every Variable and
        parameter that requires grad and that the graph has read so far)."""
        g = current_graph('minimize()')
        variables = list(var_list) if var_list is not None else trainable(g)
        if not variables:
            raise StaticError('minimize: the graph reads no Variable that requires grad: make the '
                              'loss from Variables (mt.static.Variable) or a model\'s parameters')
        grads = gradients(loss, variables)
        optimizer = self.eager([v for v, gr in zip(variables, grads) if gr is not None], lr=self.lr,
                               **self.hyperparameters)

        def step():
            for v, gr in zip(variables, grads):
                set_grad(v, gr)
            optimizer.step()
            for v in variables:
                set_grad(v, None)
        writes = _writes_of(g, step)
        return Operation(g, writes, f'{type(self).__name__}.minimize')


def trainable(g):
    """The state tensors a graph has read that require grad, in the order it read them."""
    return [v.slot.tensor for v in g.ir.state
            if isinstance(v.slot, TensorSlot) and v.slot.tensor.requires_grad]


class SGD(Minimizer):
    """Gradient descent (mt.optim.SGD's rule: momentum, dampening, nesterov, weight_decay)."""
    eager = eager_optim.SGD


class Adam(Minimizer):
    """Adam (mt.optim.Adam's rule: betas, eps, weight_decay, amsgrad)."""
    eager = eager_optim.Adam


class AdamW(Minimizer):
    """AdamW (mt.optim.AdamW's rule: decoupled weight decay)."""
    eager = eager_optim.AdamW


class RMSprop(Minimizer):
    """RMSprop (mt.optim.RMSprop's rule)."""
    eager = eager_optim.RMSprop
