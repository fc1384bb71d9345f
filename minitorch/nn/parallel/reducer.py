"""The reducer: average gradients across ranks in buckets, overlapping backward.

Parameters are grouped into buckets of about `bucket_cap_mb` (in reverse order of registration, about
the order backward produces their gradients).  When backward has accumulated the gradient of every
parameter of a bucket (post-accumulate-grad hooks), the bucket's gradients are flattened into one
tensor and a non-blocking all-reduce (AVG) of it starts, while backward goes on computing earlier
layers' gradients.  Buckets start strictly in index order, so that every rank starts the same
all-reduces in the same order.  An end-of-backward callback starts what is left, waits for every
bucket and makes each parameter's .grad its slice of the averaged bucket (a view, as PyTorch's
gradient_as_bucket_view=True: no copy back).

MPI advances the all-reduces in flight while backward computes thanks to the process group's progress
thread (minitorch/distributed/progress.py); each gradient hook polls them too.

Every step is recorded in `timeline` as (seconds, event, bucket), in time order: 'grad' (a gradient
is ready), 'start' (a bucket's all-reduce starts), 'backward end', 'done' (a bucket's all-reduce
completed), 'written' (all averaged gradients are in .grad).
"""
import time

from ...autograd import no_grad, queue_callback
from ...creation import zeros
from ...ops.shape import cat
from ... import distributed as dist


class Bucket:
    def __init__(self, index, params):
        self.index = index
        self.params = params
        self.spans = []             # each parameter's [start, stop) in the flattened gradients
        offset = 0
        for p in params:
            self.spans.append((offset, offset + p.numel()))
            offset += p.numel()
        self.ready = set()          # indices into params whose gradient is in
        self.flat = None            # the flattened gradients being averaged
        self.work = None
        self.finished = False       # its all-reduce was seen to complete


def assign_buckets(params, cap_bytes, first_cap_bytes):
    """Consecutive groups of `params` (same dtype and device within a group) of at most about
    cap_bytes each; the first bucket is smaller, so communication starts early."""
    buckets, current, size = [], [], 0
    for p in params:
        cap = first_cap_bytes if not buckets else cap_bytes
        same_kind = not current or (p.dtype == current[0].dtype and p.device == current[0].device)
        if current and (size + p.numel() * p.element_size() > cap or not same_kind):
            buckets.append(Bucket(len(buckets), current))
            current, size = [], 0
        current.append(p)
        size += p.numel() * p.element_size()
    if current:
        buckets.append(Bucket(len(buckets), current))
    return buckets


class Reducer:
    def __init__(self, params, cap_bytes, first_cap_bytes, find_unused_parameters, names):
        self.buckets = assign_buckets(list(reversed(params)), cap_bytes, first_cap_bytes)
        self.where = {}             # id(param) -> (bucket, position)
        for bucket in self.buckets:
            for position, p in enumerate(bucket.params):
                self.where[id(p)] = (bucket, position)
        self.find_unused_parameters = find_unused_parameters
        self.names = names          # id(param) -> its name, for error messages
        self.enabled = True         # False inside no_sync()
        self.timeline = []
        self._in_pass = False
        self._next = 0              # the next bucket to start
        for p in params:
            p.register_post_accumulate_grad_hook(self._grad_ready)

    # --- during backward -------------------------------------------------------------------------
    def _grad_ready(self, param):
        if not self.enabled:
            return
        if not self._in_pass:
            self._begin_pass()
        bucket, position = self.where[id(param)]
        self._record('grad', bucket.index)
        bucket.ready.add(position)
        self._start_ready_buckets()
        self._make_progress()

    def _begin_pass(self):
        self._in_pass = True
        self._next = 0
        self.timeline = []
        for bucket in self.buckets:
            bucket.ready.clear()
            bucket.flat, bucket.work, bucket.finished = None, None, False
        queue_callback(self._finish_pass)

    def _start_ready_buckets(self):
        while self._next < len(self.buckets):
            bucket = self.buckets[self._next]
            if len(bucket.ready) < len(bucket.params):
                return
            self._start(bucket)
            self._next += 1

    def _start(self, bucket):
        with no_grad():
            bucket.flat = cat([p.grad.reshape(-1) for p in bucket.params])
        self._record('start', bucket.index)
        bucket.work = dist.collectives.all_reduce_unchecked(bucket.flat, dist.ReduceOp.AVG,
                                                            async_op=True)

    def _make_progress(self):
        """Poll the all-reduces in flight (the group's progress thread polls them too)."""
        for bucket in self.buckets[:self._next]:
            if not bucket.finished and bucket.work.is_completed():
                self._mark_done(bucket)

    def _mark_done(self, bucket):
        bucket.finished = True
        self.timeline.append((bucket.work.completed_at, 'done', bucket.index))

    # --- when backward has ended -----------------------------------------------------------------
    def _finish_pass(self):
        self._record('backward end', None)
        self._in_pass = False
        for bucket in self.buckets[self._next:]:
            self._fill_unused(bucket)
            self._start(bucket)
        self._next = len(self.buckets)
        for bucket in self.buckets:
            bucket.work.wait()
            if not bucket.finished:
                self._mark_done(bucket)
        self._write_back()
        self._record('written', None)
        self.timeline.sort(key=lambda event: event[0])

    def _fill_unused(self, bucket):
        missing = [p for i, p in enumerate(bucket.params) if i not in bucket.ready]
        if missing and not self.find_unused_parameters:
            names = ', '.join(self.names.get(id(p), '?') for p in missing)
            raise RuntimeError(f'DistributedDataParallel: backward produced no gradient for parameter(s)'
                               f' {names}, so their bucket could not be averaged. If the model does not '
                               f'use every parameter in every step, pass find_unused_parameters=True '
                               f'(their gradient then counts as zero on this rank).')
        for p in missing:
            if p.grad is None:
                p.grad = zeros(p.shape, dtype=p.dtype, device=p.device)

    def _write_back(self):
        """Each .grad becomes its slice of the averaged bucket (a view: nothing is copied back)."""
        with no_grad():
            for bucket in self.buckets:
                for p, (start, stop) in zip(bucket.params, bucket.spans):
                    p.grad = bucket.flat[start:stop].reshape(p.shape)
                bucket.flat, bucket.work = None, None

    def _record(self, event, bucket):
        self.timeline.append((time.perf_counter(), event, bucket))
