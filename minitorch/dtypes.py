"""The dtype table and PyTorch's type-promotion rules.

Tensors store numpy/cupy arrays; an mt.dtype names one of the supported array dtypes.  Promotion
follows PyTorch, not numpy: categories bool < integer < floating; a dimensioned tensor outranks a
zero-dim tensor, which outranks a Python scalar, and a lower-ranked operand only matters when it is of
a higher category (int32 tensor + 2.5 -> float32, float16 tensor + float64 scalar tensor -> float16).
"""
import numpy as np


class dtype:
    """The type of a tensor's elements (torch.dtype): mt.float32, mt.int64, mt.bool, ...
    Attributes: name, is_floating_point, is_bool, itemsize (bytes per element) and np, the numpy
    dtype it stores as."""
    __slots__ = ('name', 'np', 'is_floating_point', 'is_bool', 'itemsize', 'category')

    def __init__(self, name, np_dtype, category):
        self.name = name
        self.np = np.dtype(np_dtype)
        self.category = category                 # 0 bool, 1 integer, 2 floating
        self.is_floating_point = category == 2
        self.is_bool = category == 0
        self.itemsize = self.np.itemsize

    def __repr__(self):
        return f'minitorch.{self.name}'

    def __reduce__(self):
        return self.name


bool_ = dtype('bool', np.bool_, 0)
uint8 = dtype('uint8', np.uint8, 1)
int8 = dtype('int8', np.int8, 1)
int16 = dtype('int16', np.int16, 1)
int32 = dtype('int32', np.int32, 1)
int64 = dtype('int64', np.int64, 1)
float16 = dtype('float16', np.float16, 2)
float32 = dtype('float32', np.float32, 2)
float64 = dtype('float64', np.float64, 2)

ALL = (bool_, uint8, int8, int16, int32, int64, float16, float32, float64)
FROM_NUMPY = {d.np: d for d in ALL}
BY_NAME = {d.name: d for d in ALL}
BY_NAME.update({'float': float32, 'double': float64, 'half': float16, 'int': int32, 'long': int64,
                'short': int16})


def default_float():
    """The dtype of floating point tensors made without a dtype (float32)."""
    return float32


def to_dtype(spec):
    """mt.float32, 'float32', np.float32, float, int, bool -> an mt.dtype."""
    if isinstance(spec, dtype):
        return spec
    if spec is float:
        return float32
    if spec is int:
        return int64
    if spec is bool:
        return bool_
    if isinstance(spec, str) and spec in BY_NAME:
        return BY_NAME[spec]
    try:
        found = FROM_NUMPY.get(np.dtype(spec))
    except TypeError:
        found = None
    if found is None:
        raise TypeError(f'unsupported dtype {spec!r}: use one of '
                        f"{', '.join(d.name for d in ALL)}")
    return found


def of_array(array):
    """The mt.dtype of a numpy/cupy array; TypeError for a dtype minitorch does not support."""
    found = FROM_NUMPY.get(array.dtype)
    if found is None:
        raise TypeError(f'arrays of dtype {array.dtype} are not supported: use one of '
                        f"{', '.join(d.name for d in ALL)}")
    return found


def _wider(a, b):
    """The promoted dtype of two dtypes, as torch.promote_types."""
    if a is b:
        return a
    if a.category != b.category:
        return a if a.category > b.category else b
    if a.category == 2:
        return a if a.itemsize >= b.itemsize else b
    if a.category == 0:
        return a
    promoted = np.promote_types(a.np, b.np)
    return FROM_NUMPY.get(promoted, int64)


def promote_types(a, b):
    """The dtype an op on tensors of dtypes a and b gives, by PyTorch's rules
    (torch.promote_types): bool < integers < floating types, and within a category the smallest
    type that holds both (uint8 and int8 give int16)."""
    return _wider(to_dtype(a), to_dtype(b))


def scalar_category(value):
    """The category of a Python number: 0 bool, 1 integer, 2 floating point."""
    if isinstance(value, (bool, np.bool_)):
        return 0
    if isinstance(value, (int, np.integer)):
        return 1
    if isinstance(value, (float, np.floating)):
        return 2
    raise TypeError(f'expected a tensor or a Python number, got {type(value).__name__}')


_SCALAR_DTYPE = {0: bool_, 1: int64, 2: float32}


def result_type(dims, zero_dims, scalar_categories):
    """Promote dtypes of dimensioned tensors, then zero-dim tensors, then scalars (as categories)."""
    result = None
    for group in (dims, zero_dims):
        group_type = None
        for d in group:
            group_type = d if group_type is None else _wider(group_type, d)
        if group_type is not None and (result is None or group_type.category > result.category):
            result = group_type
    if scalar_categories:
        top = max(scalar_categories)
        if result is None:
            result = _SCALAR_DTYPE[top]
        elif top > result.category:
            result = default_float() if top == 2 else _SCALAR_DTYPE[top]
    return result


def _range_text(dt):
    if dt.category == 0:
        return 'bool holds False and True (a number becomes its truth)'
    if dt.category == 2:
        big = float(np.finfo(dt.np).max)
        return f'{dt.name} holds -{big:g} to {big:g}, inf and nan'
    info = np.iinfo(dt.np)
    wrap = f' (ints down to -{info.max} wrap around: -1 is {info.max})' if info.min == 0 else ''
    return f'{dt.name} holds {info.min} to {info.max}{wrap}'


def element(value, dt, op):
    """The Python number `value` as an element of dtype dt, converted as PyTorch converts a fill
    value (full, full_like, fill_): any number into bool is its truth; a float into an integer dtype
    is truncated; an int into uint8 from -255 up wraps around (-1 is 255), as in PyTorch.  A value
    the dtype cannot hold (300 into uint8, 2**40 into int32, inf or nan into an integer, 1e6 into
    float16) is refused with RuntimeError, and an int outside 64 bits with OverflowError."""
    if isinstance(value, int) and not -2 ** 63 <= value < 2 ** 64:
        raise OverflowError(f'{op}(): the value {value} does not fit in 64 bits, so no dtype holds '
                            f'it; {_range_text(dt)}')
    if dt.category == 0 or isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        value = int(value)
        if dt.category == 2:
            bad = abs(value) > float(np.finfo(dt.np).max)
        else:
            info = np.iinfo(dt.np)
            bad = value > info.max or (value < -info.max if info.min == 0 else value < info.min)
    elif isinstance(value, (float, np.floating)):
        value = float(value)
        if dt.category == 2:
            bad = float(np.finfo(dt.np).max) < abs(value) < float('inf')      # inf and nan are kept
        else:
            info = np.iinfo(dt.np)
            bad = not (float(info.min) <= value <= float(info.max))      # also inf and nan
            value = int(value) if not bad else value
    else:
        raise TypeError(f'{op}(): the value must be a number, got {type(value).__name__} '
                        f'{value!r}')
    if bad:
        raise RuntimeError(f'{op}(): the value {value!r} cannot be converted to {dt.name} without '
                           f'overflow: {_range_text(dt)}; use a value in that range, or a dtype '
                           f'that holds it')
    if dt.category == 1:
        bits = 8 * dt.itemsize
        low = 0 if np.iinfo(dt.np).min == 0 else -2 ** (bits - 1)
        value = (value - low) % 2 ** bits + low
    return value
