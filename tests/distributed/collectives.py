"""Every collective against a numpy reference, on N ranks (run by tests/test_distributed_mpi.py as
`mpiexec -n N python tests/distributed/collectives.py`).

Each rank can compute every rank's input (they are seeded by rank), so each checks its own result
against numpy on all inputs.  Tensors: every dtype, 0-d and empty shapes, a strided view; on 'cpu'
(MPI uses the tensor's memory) and on the stand-in GPU 'fakegpu' (host staging).
"""
import os
import sys

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..'))
import minitorch as mt  # noqa: E402
import minitorch.distributed as dist  # noqa: E402
from minitorch.backend import register_backend  # noqa: E402
import fake_gpu  # noqa: E402

register_backend(fake_gpu.FakeGpuBackend())
DTYPES = ['float64', 'float32', 'float16', 'int64', 'int32', 'int16', 'int8', 'uint8', 'bool']
SHAPES = [(), (0,), (5,), (2, 3)]
Op = dist.ReduceOp


def values(rank, shape, dtype, small=False):
    rng = np.random.default_rng(1000 + rank)
    if dtype == 'bool':
        return rng.random(shape) > 0.5
    if dtype.startswith('float'):
        return (rng.integers(-4, 5, shape) if small else rng.standard_normal(shape)).astype(dtype)
    low = 0 if dtype == 'uint8' else -2
    return rng.integers(low, 3, shape).astype(dtype)


def reference(op, inputs, dtype):
    stack = np.stack(inputs)
    if dtype == 'bool':
        return stack.any(0) if op in (Op.SUM, Op.MAX) else stack.all(0)
    wide = np.float64 if dtype.startswith('float') else dtype
    if op in (Op.SUM, Op.AVG):
        total = np.add.reduce(stack.astype(wide), axis=0, dtype=wide)
        return (total / len(inputs) if op is Op.AVG else total).astype(dtype)
    if op is Op.PRODUCT:
        return np.multiply.reduce(stack.astype(wide), axis=0, dtype=wide).astype(dtype)
    return (stack.min(0) if op is Op.MIN else stack.max(0)).astype(dtype)


def same(got, expected, what):
    got = got.cpu().numpy() if isinstance(got, mt.Tensor) else got
    assert got.shape == expected.shape and got.dtype == expected.dtype, \
        f'{what}: got {got.dtype} {got.shape}, expected {expected.dtype} {expected.shape}'
    tolerance = {'float16': 2e-3, 'float32': 1e-6}.get(str(expected.dtype), 1e-12)
    if expected.dtype.kind == 'f':
        np.testing.assert_allclose(got, expected, rtol=tolerance, atol=tolerance, err_msg=what)
    else:
        np.testing.assert_array_equal(got, expected, err_msg=what)


def on(device, array):
    return mt.tensor(array, device=device)


def check_all_reduce(rank, world, device):
    for dtype in DTYPES:
        for op in Op:
            if op is Op.AVG and dtype in ('bool', 'int64', 'int32', 'int16', 'int8', 'uint8'):
                continue
            for shape in SHAPES:
                small = op is Op.PRODUCT
                t = on(device, values(rank, shape, dtype, small))
                dist.all_reduce(t, op=op)
                inputs = [values(r, shape, dtype, small) for r in range(world)]
                same(t, reference(op, inputs, dtype), f'all_reduce {op.name} {dtype} {shape} {device}')


def check_integer_avg_is_refused():
    try:
        dist.all_reduce(mt.tensor([1, 2]), op=Op.AVG)
    except TypeError as error:
        assert 'floating' in str(error)
    else:
        raise AssertionError('AVG on int64 should be refused')


def check_zero_copy_and_version(rank, world):
    array = np.full(4, float(rank))
    t = mt.from_numpy(array)
    version = t._version
    dist.all_reduce(t)
    assert array[0] == sum(range(world)), 'the numpy array under a CPU tensor is the MPI buffer'
    assert t._version > version, 'an in-place collective bumps the version counter'


def check_strided_view(rank, world, device):
    base = on(device, values(rank, (3, 4), 'float64'))
    view = base.t()
    dist.all_reduce(view)
    expected = reference(Op.SUM, [values(r, (3, 4), 'float64') for r in range(world)], 'float64').T
    same(view, expected, f'all_reduce on a transposed view, {device}')


def check_async(rank, world, device):
    a, b = on(device, values(rank, (6,), 'float32')), on(device, values(rank, (2, 2), 'int32'))
    works = [dist.all_reduce(a, op=Op.MAX, async_op=True), dist.all_reduce(b, async_op=True)]
    for work in works:
        assert work.wait() is True and work.is_completed()
    same(a, reference(Op.MAX, [values(r, (6,), 'float32') for r in range(world)], 'float32'), 'async a')
    same(b, reference(Op.SUM, [values(r, (2, 2), 'int32') for r in range(world)], 'int32'), 'async b')


def check_broadcast_and_reduce(rank, world, device):
    for root in range(world):
        for dtype in ('float64', 'int16', 'bool', 'float16'):
            t = on(device, values(rank, (2, 3), dtype))
            dist.broadcast(t, src=root)
            same(t, values(root, (2, 3), dtype), f'broadcast from {root} {dtype} {device}')
        t = on(device, values(rank, (4,), 'float64'))
        dist.reduce(t, dst=root, op=Op.SUM)
        expected = reference(Op.SUM, [values(r, (4,), 'float64') for r in range(world)], 'float64') \
            if rank == root else values(rank, (4,), 'float64')
        same(t, expected, f'reduce to {root} {device}')
    scalar = on(device, values(rank, (), 'float64'))
    dist.broadcast(scalar, src=world - 1, async_op=True).wait()
    same(scalar, values(world - 1, (), 'float64'), '0-d broadcast')


def check_gathers(rank, world, device):
    for dtype, shape in [('float32', (2, 3)), ('int8', ()), ('float64', (0,)), ('bool', (3,))]:
        mine = on(device, values(rank, shape, dtype))
        outputs = [on(device, np.zeros(shape, dtype)) for _ in range(world)]
        dist.all_gather(outputs, mine)
        for r in range(world):
            same(outputs[r], values(r, shape, dtype), f'all_gather[{r}] {dtype} {shape} {device}')
        stacked = on(device, np.zeros((world,) + shape, dtype))
        dist.all_gather_into_tensor(stacked, mine)
        same(stacked, np.stack([values(r, shape, dtype) for r in range(world)]),
             f'all_gather_into_tensor {dtype} {device}')


def check_reduce_scatters(rank, world, device):
    def inputs_of(r):
        return [values(10 * r + k, (2, 2), 'float64') for k in range(world)]
    for op in (Op.SUM, Op.AVG, Op.MAX):
        output = on(device, np.zeros((2, 2)))
        dist.reduce_scatter(output, [on(device, a) for a in inputs_of(rank)], op=op)
        expected = reference(op, [inputs_of(r)[rank] for r in range(world)], 'float64')
        same(output, expected, f'reduce_scatter {op.name} {device}')
        output = on(device, np.zeros((2, 2)))
        dist.reduce_scatter_tensor(output, on(device, np.concatenate(inputs_of(rank))), op=op)
        same(output, expected, f'reduce_scatter_tensor {op.name} {device}')


def check_send_recv(rank, world, device):
    right, left = (rank + 1) % world, (rank - 1) % world
    outgoing = on(device, values(rank, (3,), 'float32'))
    incoming = on(device, np.zeros(3, 'float32'))
    work = dist.isend(outgoing, right, tag=3)
    assert dist.recv(incoming, src=left, tag=3) == left
    work.wait()
    same(incoming, values(left, (3,), 'float32'), f'send/recv around the ring {device}')
    if rank == 0:
        got = on(device, np.zeros((2, 2), 'int64'))
        senders = sorted(dist.recv(got, src=None) for _ in range(world - 1))
        assert senders == list(range(1, world)), senders
    else:
        dist.send(on(device, np.full((2, 2), rank, 'int64')), dst=0)


def check_objects(rank, world):
    gathered = [None] * world
    dist.all_gather_object(gathered, {'rank': rank, 'name': 'x' * rank})
    assert gathered == [{'rank': r, 'name': 'x' * r} for r in range(world)], gathered
    shared = [rank, 'local'] if rank == 1 else [None, None]
    dist.broadcast_object_list(shared, src=1)
    assert shared == [1, 'local'], shared


def main():
    dist.init_process_group('mpi')
    rank, world = dist.get_rank(), dist.get_world_size()
    assert dist.is_initialized() and dist.get_backend() == 'mpi'
    check_integer_avg_is_refused()
    check_zero_copy_and_version(rank, world)
    check_objects(rank, world)
    for device in ('cpu', 'fakegpu'):
        check_all_reduce(rank, world, device)
        check_strided_view(rank, world, device)
        check_async(rank, world, device)
        check_broadcast_and_reduce(rank, world, device)
        check_gathers(rank, world, device)
        check_reduce_scatters(rank, world, device)
        check_send_recv(rank, world, device)
    dist.barrier()
    dist.destroy_process_group()
    assert not dist.is_initialized()
    if rank == 0:
        print(f'collectives ok on {world} ranks')


if __name__ == '__main__':
    main()
