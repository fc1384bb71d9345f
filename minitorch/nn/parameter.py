"""Parameter: a tensor that a Module learns.

Assigning a Parameter to a Module's attribute registers it, so `module.parameters()` finds it and an
optimizer can update it.  It is a leaf that requires grad; ops on it give ordinary tensors.
"""
from ..autograd.dispatch import INSTALLED, report_new_state
from ..tensor import Tensor


class Parameter(Tensor):
    """A tensor that a Module learns (torch.nn.Parameter): a leaf with requires_grad=True (unless
    requires_grad=False) sharing memory with data; assigning it to a module's attribute registers
    it, so module.parameters() and optimizers find it."""

    def __init__(self, data=None, requires_grad=True):
        if data is None:
            from ..creation import empty
            data = empty(0)
        if not isinstance(data, Tensor):
            raise TypeError(f'Parameter(data): data must be a Tensor, got {type(data).__name__}; '
                            f'wrap it first, e.g. nn.Parameter(mt.tensor(...))')
        self._adopt(data._data, data._device)       # shares memory with `data`, as in PyTorch
        if requires_grad:
            self.requires_grad = True
        if INSTALLED[0]:
            report_new_state(self)          # a static graph built now reads it as state

    def __repr__(self):
        return 'Parameter containing:\n' + super().__repr__()
