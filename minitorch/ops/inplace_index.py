"""x[index] = value: an IndexPut op (x's values with value written at index) assigned back to x."""
from ..tensor import Tensor
from .index_args import fill_template, parse_index
from .indexing import IndexPut
from .inplace import recording, recording_alias, store, observed, write
from .selection import fits, as_value


def setitem(self, index, value):
    """x[index] = value, value a number or a tensor broadcastable to x[index]."""
    value = _value(self, value)
    template, tensors = parse_index(self, index)
    if recording(self, 'index_put_ (x[index] = value)', value):
        store(self, IndexPut.apply(recording_alias(self), value, template, *tensors),
              'x[index] = value')
        return
    if not observed():      # nothing watches: write the array directly
        where = fill_template(template, [t._data for t in tensors])
        try:
            self._data[where] = value._data if isinstance(value, Tensor) else value
        except (ValueError, IndexError) as error:
            _explain(self, value, error)
        self._bump_version()
        return
    try:
        result = IndexPut.apply(self, value, template, *tensors)      # nothing is recorded here
    except (ValueError, IndexError) as error:
        _explain(self, value, error)
    write(self, result, 'x[index] = value')
    self._bump_version()


def _value(self, value):
    if isinstance(value, Tensor):
        if value._device is not self._device:
            raise RuntimeError(f'index_put: the value is on {value.device} but the tensor is on '
                               f'{self.device}; move it with .to({str(self.device)!r})')
        return value.to(self.dtype)
    if value is None:
        raise TypeError('x[index] = None: a tensor element cannot be None; assign a number or a '
                        'tensor')
    if isinstance(value, (bool, int, float)):
        fits(value, self.dtype, 'x[index] = value')
        return as_value(value, self._data.dtype) if not self.is_floating_point() else value
    if isinstance(value, (list, tuple)) or hasattr(value, '__array__'):
        from ..creation import tensor
        return tensor(value, dtype=self.dtype, device=self.device)
    raise TypeError(f'x[index] = value: value must be a number or a tensor, got '
                    f'{type(value).__name__}')


def _explain(self, value, error):
    raise type(error)(f'x[index] = value: {error} (tensor of shape {list(self.shape)}, value of '
                      f'shape {list(getattr(value, "shape", ()))})') from None
