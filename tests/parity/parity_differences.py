"""Where minitorch deliberately answers otherwise than PyTorch 2.13, and why.  Each entry sees a
case (the arguments as numpy arrays) and returns True when the case falls under it; the parity test
then does not compare that case."""
import numpy as np


def _empty(case):
    return any(isinstance(a, np.ndarray) and a.size == 0 for a in case.args)


def _has_dim(case, position, value):
    return len(case.args) > position and isinstance(case.args[position], tuple) and \
        case.args[position] == value


KNOWN_DIFFERENCES = [
    ('tensor', lambda case: _numpy_scalar_torch_cannot_convert(case),
     'a numpy bool scalar into an integer dtype, or a numpy float16/float32 scalar into a bool or '
     'integer dtype, is converted as the Python number would be (PyTorch 2.13 refuses these: '
     '"\'numpy.bool\' object cannot be interpreted as an integer"; numpy int and float64 scalars '
     'it converts)'),
    ('as_tensor', lambda case: _numpy_scalar_torch_cannot_convert(case), 'as tensor'),
    ('all', lambda case: _has_dim(case, 1, ()),
     'dim=() reduces over every dim, as in sum, mean, amax (the issue asks for it); PyTorch 2.13\'s '
     'all/any(dim=()) reduce nothing'),
    ('any', lambda case: _has_dim(case, 1, ()),
     'dim=() reduces over every dim (as all)'),
    ('logsumexp', lambda case: _has_dim(case, 1, ()),
     'dim=() reduces over every dim; PyTorch 2.13 fails on it ("output with shape [] doesn\'t '
     'match the broadcast shape")'),
    ('prod', lambda case: len(case.args) > 1 and isinstance(case.args[1], tuple),
     'prod takes a tuple of dims too (PyTorch\'s prod takes one dim)'),
    ('matmul', lambda case: _empty(case),
     'operands of bool or of two dtypes are refused even when empty (PyTorch refuses them only when '
     'there is something to compute)'),
    ('bmm', _empty, 'as matmul'), ('mm', _empty, 'as matmul'), ('mv', _empty, 'as matmul'),
    ('dot', _empty, 'as matmul'),
    ('gather', lambda case: case.args[2].size == 0,
     'the index dtype is checked even for an empty index (PyTorch skips its checks then)'),
    ('cat', lambda case: any(x.shape == (0,) for x in case.args[0]),
     'no legacy skipping of 1-d empty tensors: they must fit the others like any tensor (PyTorch '
     'still skips tensors of shape (0,))'),
    ('prod', lambda case: case.args[0].dtype == np.float16 and _overflows_float16(case.args[0]),
     'float16 products that overflow part way: the result depends on the order of the '
     'multiplications (numpy\'s and PyTorch\'s differ)'),
    ('rand_like', lambda case: _empty(case), 'a float draw into a non-float dtype is refused even '
     'when empty (PyTorch draws nothing and so does not check)'),
    ('rand', lambda case: 0 in _size(case), 'as rand_like'),
    ('randn', lambda case: 0 in _size(case), 'as rand_like'),
    ('randn_like', lambda case: _empty(case), 'as rand_like'),
    ('bernoulli', _empty, 'as rand_like'),
    ('scatter', lambda case: case.args[2].size == 0,
     'the value is checked against the dtype even for an empty index (PyTorch writes nothing and '
     'does not check)'),
    ('where', lambda case: case.args[0].dtype == np.uint8,
     'a uint8 condition is refused (PyTorch takes it, with a deprecation warning)'),
    ('setitem', lambda case: isinstance(case.args[2], np.ndarray) and
     case.args[2].dtype != case.args[0].dtype,
     'x[index] = value casts the value to x\'s dtype for every index (PyTorch casts it for basic '
     'indices and refuses another dtype for advanced ones)'),
    ('clamp', lambda case: _number_and_tensor_bounds(case),
     'clamp takes a number and a tensor bound together (PyTorch refuses that combination of '
     'arguments)'),
    ('norm', lambda case: case.kwargs.get('p', 'fro') == 'fro' and _dims_count(case) > 2,
     "norm(p='fro') over any number of dims is the 2-norm of the elements (PyTorch computes a "
     "matrix norm, over 2 dims only)"),
]

GRADIENT_DIFFERENCES = [
    ('scatter_add', lambda case: case.args[2].shape != case.args[3].shape,
     'PyTorch 2.13 fails on the gradient of a src larger than the index (or with an empty index): '
     '"ScatterAddBackward0 returned an invalid gradient"; minitorch gives src\'s shape, zero '
     'where src is not read'),
    ('scatter', lambda case: len(case.args) > 3 and case.args[2].shape != case.args[3].shape,
     'as scatter_add'),
    ('var', lambda case: _has_dim(case, 1, ()),
     "PyTorch 2.13's gradient of var(dim=()) is twice the right one (its values are right)"),
    ('std', lambda case: _has_dim(case, 1, ()), 'as var'),
    ('clamp', lambda case: any(isinstance(b, np.ndarray) and np.broadcast_shapes(
        b.shape, case.args[0].shape) != case.args[0].shape for b in _bounds(case)),
     'PyTorch 2.13 fails on the gradient when a tensor bound broadcasts the input ("output '
     'with shape [] doesn\'t match the broadcast shape")'),
    ('dropout', lambda case: case.args[2] and 0 < case.args[1] < 1,
     "the two libraries' random masks differ (each keeps its own generator)"),
    ('remainder', lambda case: not isinstance(case.args[0], np.ndarray),
     'PyTorch has no derivative for remainder(number, tensor); minitorch has (-floor(a / b))'),
]


def _overflows_float16(x):
    magnitudes = np.abs(x.astype(np.float64))
    return bool(np.prod(magnitudes[magnitudes > 1]) > 65504)


IN_PLACE_DIFFERENCES = [
    ('cumsum', lambda case: case.args[0].dtype == bool,
     'bool.cumsum_() is refused: the running sum is int64, which a bool tensor cannot hold '
     '(PyTorch sums in bool)'),
    ('cumsum', lambda case: 'dtype' in case.kwargs and case.kwargs['dtype'] != case.args[0].dtype,
     'x.cumsum_(dim, dtype=) with another dtype sums in that dtype and writes back into x '
     '(PyTorch refuses)'),
]


def _size(case):
    size = case.args[0] if len(case.args) == 1 and isinstance(case.args[0], tuple) else case.args
    return tuple(size)


def _bounds(case):
    low = case.kwargs.get('min', case.args[1] if len(case.args) > 1 else None)
    high = case.kwargs.get('max', case.args[2] if len(case.args) > 2 else None)
    return low, high


def _number_and_tensor_bounds(case):
    kinds = {isinstance(b, np.ndarray) for b in _bounds(case) if b is not None}
    return len(kinds) == 2


def _dims_count(case):
    dim = case.kwargs.get('dim')
    x = case.args[0]
    if dim is None or dim == ():
        return x.ndim
    return len(dim) if isinstance(dim, tuple) else 1


def _numpy_scalar_torch_cannot_convert(case):
    dtype = case.kwargs.get('dtype')
    if dtype is None:
        return False
    target = np.dtype(dtype).kind

    def refused(x):
        if isinstance(x, (list, tuple)):
            return any(refused(item) for item in x)
        return (isinstance(x, np.bool_) and target in 'iu') or \
            (isinstance(x, (np.float16, np.float32)) and target in 'biu')
    return refused(case.args[0])


def known_difference(name, case, differences=KNOWN_DIFFERENCES):
    """The reason of the deliberate difference the case falls under, or None."""
    for op, applies, reason in differences:
        if op == name and applies(case):
            return reason
    return None
