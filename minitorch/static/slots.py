"""State slots: the places outside a graph that it reads at the start of a run and writes at the end.

A TensorSlot is the values of one tensor object that existed before the graph was traced (a
parameter, a buffer, an optimizer's momentum); writing it changes that tensor in place, as an eager
in-place op would.  A GradSlot is the .grad of a tensor: reading it reads whatever tensor .grad holds
at that moment; writing sets a new gradient tensor (as backward does after zero_grad) or None.
"""
from ..tensor import Tensor, set_grad


class TensorSlot:
    """The values of `tensor`."""
    input_index = None

    def __init__(self, tensor, name):
        self.tensor, self.name = tensor, name

    def read(self):
        """The tensor's array, now."""
        return self.tensor._data

    def write(self, array):
        """Copy array into the tensor's memory (in place, as an eager in-place op would)."""
        t = self.tensor
        if array is not t._data:
            t._data[...] = array
        t._bump_version()

    def __repr__(self):
        return self.name


class GradSlot:
    """The .grad of `tensor`: mode 'set' puts a new gradient tensor there (or None), 'assign' writes
    into the gradient tensor already there, 'accumulate' adds to it (or sets one when there is
    none)."""
    input_index = None

    def __init__(self, tensor, name, mode='set'):
        self.tensor, self.name, self.mode = tensor, name, mode

    def read(self):
        grad = self.tensor._grad
        if grad is None:
            from .errors import StaticError
            raise StaticError(f'{self.name}.grad is None, but the graph reads it: run backward() '
                              f'first, or let the traced function compute it')
        return grad._data

    def write(self, array):
        """Set, add to ('accumulate': as backward adds to a .grad that exists) or write into the
        tensor's .grad; None clears it."""
        t = self.tensor
        if array is None:
            set_grad(t, None)
        elif self.mode == 'accumulate' and t._grad is not None:
            t._grad._data += array
            t._grad._bump_version()
        elif self.mode == 'assign' and t._grad is not None:
            if array is not t._grad._data:
                t._grad._data[...] = array
            t._grad._bump_version()
        else:
            set_grad(t, Tensor._make(array, t._device))

    def __repr__(self):
        return f'{self.name}.grad'
