"""ReduceOp: how all_reduce, reduce and reduce_scatter combine the ranks' values."""
import enum


class ReduceOp(enum.IntEnum):
    """SUM, AVG (the sum divided by the world size; floating dtypes only), PRODUCT, MIN, MAX.
    On bool tensors SUM and MAX are a logical or, PRODUCT and MIN a logical and (as PyTorch's NCCL
    backend does)."""
    SUM = 0
    AVG = 1
    PRODUCT = 2
    MIN = 3
    MAX = 4


def as_reduce_op(op, where):
    if isinstance(op, ReduceOp):
        return op
    if isinstance(op, str) and op.upper() in ReduceOp.__members__:
        return ReduceOp[op.upper()]
    raise ValueError(f'{where}: op must be a dist.ReduceOp (SUM, AVG, PRODUCT, MIN, MAX), got {op!r}')
