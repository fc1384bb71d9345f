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
