"""DistributedDataParallel: the same model on every process, each on its own part of the batch.

    dist.init_process_group('mpi')
    model = DistributedDataParallel(make_model())      # rank 0's parameters are copied to all ranks
    loss_fn(model(x_local), y_local).backward()        # .grad is now the average over all ranks
    optimizer.step()                                   # the same step on every rank

Since every rank starts from the same parameters and applies the same averaged gradient, the replicas
stay identical, and one step equals one step of a single process on the whole batch (when the local
batches are of equal size and the loss is a mean).  How the averaging overlaps backward: reducer.py.
"""
import contextlib

from ..module import Module
from ... import distributed as dist
from .reducer import Reducer

FIRST_BUCKET_MB = 1     # as PyTorch: a small first bucket so that communication starts early


class DistributedDataParallel(Module):
    """Wrap `module` for data-parallel training (PyTorch's arguments; device_ids, output_device, dim are
    accepted and unused: the module runs where its parameters are).  bucket_cap_mb: the size of a
    gradient bucket; find_unused_parameters: let parameters that got no gradient count as zero;
    broadcast_buffers: copy rank 0's buffers (BatchNorm statistics) to all ranks before each forward."""

    def __init__(self, module, device_ids=None, output_device=None, dim=0, broadcast_buffers=True,
                 process_group=None, bucket_cap_mb=25, find_unused_parameters=False):
        super().__init__()
        if not dist.is_initialized():
            raise RuntimeError('DistributedDataParallel: call dist.init_process_group() first (in every '
                               'process started by mpiexec)')
        self.module = module
        self.broadcast_buffers = broadcast_buffers
        self.require_backward_grad_sync = True
        named = [(name, p) for name, p in module.named_parameters() if p.requires_grad]
        _check_same_model(named)
        self._sync_module_states()
        self.reducer = Reducer([p for _, p in named], int(bucket_cap_mb * 2**20),
                               int(min(FIRST_BUCKET_MB, bucket_cap_mb) * 2**20),
                               find_unused_parameters, {id(p): name for name, p in named})

    def forward(self, *inputs, **kwargs):
        """The wrapped module's forward; its backward will average gradients (unless no_sync()),
        after rank 0's buffers were copied to every rank (broadcast_buffers)."""
        self.reducer.enabled = self.require_backward_grad_sync
        if self.broadcast_buffers and self.require_backward_grad_sync:
            for buffer in self.module.buffers():
                dist.broadcast(buffer, src=0)
        return self.module(*inputs, **kwargs)

    @contextlib.contextmanager
    def no_sync(self):
        """Backward passes run in here only accumulate local gradients (no communication); the first
        backward after it averages everything accumulated (gradient accumulation)."""
        previous = self.require_backward_grad_sync
        self.require_backward_grad_sync = False
        try:
            yield
        finally:
            self.require_backward_grad_sync = previous

    @property
    def timeline(self):
        """The last synchronized backward pass, as (seconds, event, bucket) tuples (see reducer.py)."""
        return list(self.reducer.timeline)

    @property
    def bucket_sizes(self):
        """How many parameters each bucket holds, in the order the buckets are averaged."""
        return [len(bucket.params) for bucket in self.reducer.buckets]

    def _sync_module_states(self):
        for tensor in list(self.module.parameters()) + list(self.module.buffers()):
            dist.broadcast(tensor, src=0)


def _check_same_model(named):
    """Every rank must wrap the same architecture: compare names, shapes and dtypes once, here, so
    that the bucket all-reduces need no per-call check."""
    mine = [(name, tuple(p.shape), str(p.dtype)) for name, p in named]
    everyone = [None] * dist.get_world_size()
    dist.all_gather_object(everyone, mine)
    for rank, theirs in enumerate(everyone):
        if theirs != mine:
            differ = next(((a, b) for a, b in zip(mine, theirs) if a != b), None)
            detail = (f'rank {dist.get_rank()} has {differ[0]}, rank {rank} has {differ[1]}' if differ
                      else f'rank {dist.get_rank()} has {len(mine)} parameters, rank {rank} '
                           f'{len(theirs)}')
            raise RuntimeError(f'DistributedDataParallel: the model differs across ranks ({detail}); '
                               f'build the same model on every rank')
