"""Do all ranks make the same call?  A cheap check before every collective.

MPI trusts that every rank passes buffers of the same size and type; when they do not, it may hang,
fail with a message about truncated messages, or silently reduce mismatched bytes.  So before each
collective, every rank shares a 15-number fingerprint of its call (which collective, reduce op, root,
dtype, device type, shape) in one small all-gather, and all ranks raise the same clear error, naming
what each rank passed, when the fingerprints differ.

Cost: one extra all-gather of 120 bytes per collective: about 4 microseconds between 2 processes of
a 2-core machine, where a small all_reduce takes 4 without it and 8 with it (bench/allreduce.py).
Set MINITORCH_DISTRIBUTED_CHECKS=0 in the environment of all ranks to skip it.  DistributedDataParallel
checks the model once, when it is built, and skips the check for its gradient buckets.
"""
import numpy as np

from .. import dtypes
from .errors import DistError
from .reduce_op import ReduceOp
from .work import wait_until

OPS = ('all_reduce', 'broadcast', 'reduce', 'all_gather', 'all_gather_into_tensor',
       'reduce_scatter', 'reduce_scatter_tensor', 'send')
DEVICE_TYPES = ('cpu', 'cuda')
SHAPE_DIMS = 7
LENGTH = 8 + SHAPE_DIMS


def fingerprint(op_name, tensor, reduce_op=None, root=None, count=1):
    """The call as 15 int64: op, reduce op, root, list length, dtype, device type, ndim, numel, dims."""
    shape = tuple(tensor.shape)
    device_type = tensor.device.type
    code = np.full(LENGTH, -1, dtype=np.int64)
    code[:8] = [OPS.index(op_name), -1 if reduce_op is None else int(reduce_op),
                -1 if root is None else root, count, dtypes.ALL.index(tensor.dtype),
                DEVICE_TYPES.index(device_type) if device_type in DEVICE_TYPES else len(DEVICE_TYPES),
                len(shape), tensor.numel()]
    code[8:8 + min(len(shape), SHAPE_DIMS)] = shape[:SHAPE_DIMS]
    return code


def describe(code):
    op, reduce_op, root, count = (int(c) for c in code[:4])
    args = [f'op={ReduceOp(reduce_op).name}'] if reduce_op >= 0 else []
    if root >= 0:
        args.append(f'{"dst" if OPS[op] == "reduce" else "src"}={root}')
    what = describe_tensor(code)
    if count > 1:
        what = f'{count} tensors like {what}'
    return f'{OPS[op]}({", ".join(args)}) with {what}'


def describe_tensor(code):
    dtype, device, ndim = (int(c) for c in code[4:7])
    dims = [int(d) for d in code[8:8 + min(ndim, SHAPE_DIMS)]] + (['...'] if ndim > SHAPE_DIMS else [])
    device_name = DEVICE_TYPES[device] if device < len(DEVICE_TYPES) else 'another device'
    name = dtypes.ALL[dtype].name
    article = 'an' if name[0] in 'aeiou' else 'a'
    return f'{article} {name} tensor of shape [{", ".join(map(str, dims))}] on {device_name}'


def check_same_call(group, op_name, tensor, reduce_op=None, root=None, count=1):
    """All-gather every rank's fingerprint of this call and raise DistError (on every rank) when they
    differ.  Nothing is computed when the checks are off or the group is this process alone."""
    if not group.checks or group.size == 1:
        return
    code = fingerprint(op_name, tensor, reduce_op, root, count)
    everyone = np.empty((group.size, LENGTH), dtype=np.int64)
    request = group.comm.Iallgather(code, everyone)
    wait_until(request.Test, group.timeout,
               lambda: f'{op_name} (checking the call) on rank {group.rank} of {group.size}',
               group.spin)
    if (everyone == everyone[0]).all():
        return
    raise DistError(f'{op_name}: the ranks made different calls — {_by_rank(everyone)}. Every rank '
                    f'must call the same collective with tensors of the same shape and dtype.')


def _by_rank(everyone):
    groups = {}
    for rank, code in enumerate(everyone):
        groups.setdefault(describe(code), []).append(rank)
    parts = []
    for text, ranks in groups.items():
        who = f'rank {ranks[0]}' if len(ranks) == 1 else 'ranks ' + ', '.join(map(str, ranks))
        parts.append(f'{who}: {text}')
    return '; '.join(parts)
