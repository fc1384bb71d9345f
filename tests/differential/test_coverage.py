"""Every row of the op table has a spec, and every spec is a row: a new op without a spec fails here
(add its spec in the specs_*.py module of its family)."""
from minitorch.ops.table import OPS

from .specs import REGISTRY


def test_every_op_of_the_table_has_a_spec():
    names = {op.name for op in OPS}
    missing = sorted(names - set(REGISTRY))
    assert not missing, f'ops of minitorch/ops/table.py without a spec in tests/differential: {missing}'


def test_every_spec_is_an_op_of_the_table():
    unknown = sorted(set(REGISTRY) - {op.name for op in OPS})
    assert not unknown, f'specs of ops that are not in the table: {unknown}'


# public functions outside the table that need no spec here, and why
ELSEWHERE = {
    'max_pool2d': 'test_functional.py (values and indices)', 'one_hot': 'test_functional.py',
    'embedding': 'test_functional.py',
    'softmax': "the table's softmax", 'log_softmax': "the table's log_softmax",
    'flatten': "the table's flatten",
}


def test_every_public_function_outside_the_table_has_a_spec():
    import inspect

    import minitorch as mt
    from minitorch.nn import functional as F

    from .specs import OUTSIDE_TABLE
    names = {n for n, f in vars(F).items() if inspect.isfunction(f) and not n.startswith('_') and
             f.__module__.startswith('minitorch.nn')}
    names |= set(mt.linalg.__all__) | {'fill_', 'zero_', 'copy_'}
    names |= {'zeros', 'ones', 'empty', 'full', 'zeros_like', 'ones_like', 'empty_like',
              'full_like', 'arange', 'linspace', 'eye', 'tensor', 'as_tensor'}
    missing = sorted(names - set(OUTSIDE_TABLE) - set(ELSEWHERE))
    assert not missing, f'public functions without a spec in tests/differential: {missing}'


def test_aliases_run_the_code_of_their_op():
    """An alias (mt.subtract, Tensor.clip_, ...) is tested through its op's spec: it must be that op."""
    import minitorch as mt
    for op in OPS:
        for alias in op.aliases:
            if op.function:
                assert getattr(mt, alias) is op.fn, f'mt.{alias} is not mt.{op.name}'
            pairs = ([(alias, op.name)] if op.method else []) + \
                ([(f'{alias}_', f'{op.name}_')] if op.inplace else [])
            for name, own in pairs:
                assert getattr(mt.Tensor, name).__code__ is getattr(mt.Tensor, own).__code__, \
                    f'Tensor.{name} does not run the code of Tensor.{own}'
