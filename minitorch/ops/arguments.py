"""The error of an op given something that is not a tensor where it needs one.

A numpy array or a list passed to mt.relu, mt.sum or F.softmax would otherwise fail deep inside the
op on a missing attribute.  The ops read their input's attributes inside `try`, which costs nothing
while no error is raised, and raise this instead (PyTorch: "relu(): argument 'input' (position 1)
must be Tensor, not numpy.ndarray").
"""


def not_a_tensor(op, value, name='input', position=1):
    """The TypeError for op given `value` as its tensor argument `name`."""
    kind = type(value)
    given = kind.__name__ if kind.__module__ == 'builtins' else f'{kind.__module__}.{kind.__name__}'
    make = ('mt.from_numpy(x) (shares its memory) or mt.tensor(x) (a copy)'
            if given == 'numpy.ndarray' else 'mt.tensor(x)')
    return TypeError(f"{op}(): argument '{name}' (position {position}) must be a Tensor, not {given}; "
                     f'make one with {make}')
