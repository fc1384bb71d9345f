"""Pipeline parallelism (GPipe) on a partitioned training step.

    graph = mt.static.trace_graph(step, x[:16], y[:16])        # traced on ONE micro-batch
    parts = mt.static.partition(graph, {'0': 0, '2': 1})
    pipe = mt.static.Pipeline(parts, microbatches=4, reduction='mean')
    loss, = pipe.step({'x': x, 'y': y})                        # a batch of 4 × 16: one training step
    schedule = pipe.gather_schedule()                          # every rank's tasks (a collective)

Each rank's part splits into three programs by the kind of its ops (placement.py): forward, backward
and update.  A step cuts every input the forward and backward passes read into m micro-batches along
dim 0 and runs, on every rank, forward 1 … m then backward m … 1 (fill–drain, as GPipe), then the
update once.  Ranks need no scheduler: a stage's forward of micro-batch i starts by receiving its
input, so it runs as soon as the stage before has sent it, while that stage goes on with i + 1.

Between the programs: what forward made and backward reads is kept per micro-batch (the stashed
activations); what backward hands to the update — the gradients — is summed over the micro-batches
(reduction='sum', for a loss summed over the batch) or averaged ('mean', for a mean loss), so the update
sees the gradient of the whole batch: the step equals one step on the whole batch.  Scalar outputs (the
loss) are combined the same way; other per-micro-batch outputs are concatenated along dim 0.
"""
import time

import numpy as np

from ..backend import CPU
from . import comm_ops
from .errors import StaticError
from .executable import Executable
from .ir import Graph
from .partition import clone
from .partition_session import check_world, checked_array, held_by_any, run_ranks, whole_outputs
from .placement import BACKWARD, FORWARD, UPDATE
from .schedule import Schedule, Task

LETTER = {FORWARD: 'F', BACKWARD: 'B', UPDATE: 'U'}


class Pipeline:
    """Runs this rank's part of a Partition as one stage of a GPipe pipeline (see the module doc)."""

    def __init__(self, partition, microbatches, reduction='mean', optimize=True, transport=None):
        if reduction not in ('mean', 'sum'):
            raise ValueError(f"Pipeline: reduction must be 'mean' (a loss averaged over the batch) or "
                             f"'sum' (a summed loss), not {reduction!r}")
        if not isinstance(microbatches, int) or microbatches < 1:
            raise ValueError(f'Pipeline: microbatches must be a positive int, not {microbatches!r}')
        self.partition, self.microbatches, self.reduction = partition, microbatches, reduction
        self.transport = transport or comm_ops.transport()
        check_world(partition, self.transport.size, 'Pipeline')
        self.rank = self.transport.rank
        self.stage = partition.stages.index(self.rank)
        self.units = split(partition, self.rank, optimize)
        self.tasks = []                 # this stage's Tasks of the last step
        self.microbatch_outputs = []    # the outputs of each micro-batch of the last step

    def step(self, feed):
        """One training step on a batch of `microbatches` micro-batches: feed {input name: array or
        tensor} (the whole batch).  Returns the whole graph's outputs (None for other ranks')."""
        m = self.microbatches
        slices, whole = self._feeds(feed)
        self.tasks, stash, results, sums = [], [None] * m, [[] for _ in range(m)], None
        with comm_ops.using(self.transport):
            self.transport.barrier()
            self._origin = time.perf_counter()
            for i in range(m):                              # fill: forward 1 … m
                outs = self._run(FORWARD, i, slices[i])
                stash[i] = outs[:len(self.units[FORWARD].carried)]
                results[i] += outs[len(stash[i]):]
            for i in reversed(range(m)):                    # drain: backward m … 1
                outs = self._run(BACKWARD, i, slices[i] + stash[i])
                stash[i] = None                             # its activations are no longer needed
                n = len(self.units[BACKWARD].carried)
                sums = _add(sums, outs[:n])
                results[i] += outs[n:]
            if self.reduction == 'mean' and sums:
                sums = [a / m for a in sums]
            final = self._run(UPDATE, None, whole + (sums or []))
            self.transport.flush()                          # this stage's sends still in flight
        self.microbatch_outputs = results
        return whole_outputs(self.partition, self.rank, self._combine(results, final))

    # --- running one program ---------------------------------------------------------------------
    def _run(self, phase, i, arrays):
        unit = self.units[phase]
        t = self.transport
        t.intervals = []
        start = time.perf_counter()
        outputs = unit.executable.run(arrays) if unit.executable is not None else []
        end = time.perf_counter()
        waits = [(a - self._origin, b - self._origin) for a, b in t.intervals]
        t.intervals = None
        busy = (end - start) - sum(b - a for a, b in waits)
        self.tasks.append(Task(self.stage, LETTER[phase], None if i is None else i + 1,
                               start - self._origin, end - self._origin, busy, waits))
        return list(outputs)

    def _feeds(self, feed):
        """(per micro-batch: the arrays of the forward/backward inputs, the update's own inputs)."""
        feed = dict(feed or {})
        by_name = {k: v for k, v in feed.items() if isinstance(k, str)}
        m = self.microbatches
        slices = [[] for _ in range(m)]
        for v in self.units[FORWARD].feeds:
            whole = feed.get(v, by_name.get(v.name))
            if whole is None:
                raise StaticError(f'Pipeline.step: rank {self.rank} needs input {v.name!r}; pass '
                                  f'{{{v.name!r}: ...}} (the whole batch)')
            if not v.shape:
                raise StaticError(f'Pipeline.step: input {v.name!r} is a scalar: micro-batches are '
                                  f'cut along dim 0')
            b = v.shape[0]
            array = checked_array(whole, v, (m * b,) + v.shape[1:])
            for i in range(m):
                slices[i].append(array[i * b:(i + 1) * b])
        whole = []
        for v in self.units[UPDATE].feeds:
            value = feed.get(v, by_name.get(v.name))
            if value is None:
                raise StaticError(f'Pipeline.step: rank {self.rank} needs input {v.name!r}')
            whole.append(checked_array(value, v))
        return slices, whole

    def _combine(self, results, final):
        """The part's outputs: per micro-batch ones combined, then the update's."""
        combined = []
        for values in zip(*results):
            if values[0].shape == ():
                total = np.sum(np.stack(values))
                combined.append(np.asarray(total / len(values) if self.reduction == 'mean'
                                           else total))
            else:
                combined.append(np.concatenate(values))
        order = self.units[FORWARD].outputs_at + self.units[BACKWARD].outputs_at + \
            self.units[UPDATE].outputs_at
        arrays = combined + list(final)
        return [arrays[order.index(k)] for k in range(len(order))]

    # --- the schedule ------------------------------------------------------------------------------
    def gather_schedule(self, title=None):
        """The last step's tasks of every stage, as a Schedule (a collective: every rank calls it;
        over MPI, all_gather_object)."""
        import minitorch.distributed as dist
        everyone = [None] * self.transport.size
        dist.all_gather_object(everyone, self.tasks)
        return Schedule.measured(everyone, title)


def _add(sums, arrays):
    """The running sums of what backward hands to the update (copies: the arrays are the program's)."""
    if sums is None:
        return [np.array(a, copy=True) for a in arrays]
    for total, a in zip(sums, arrays):
        total += a
    return sums


def run_pipeline_in_threads(partition, feed, microbatches, steps=1, reduction='mean',
                            optimize=True, timeout=30.0):
    """Every stage of a pipeline as a thread of this process (messages through queues): runs
    `steps` steps on the same feed; returns (the outputs of each step, the last step's Schedule)."""
    transports = comm_ops.threads_transport(partition.world_size, timeout)
    pipes = [Pipeline(partition, microbatches, reduction, optimize, t) for t in transports]

    def stage(pipe):
        return [pipe.step(feed) for _ in range(steps)]
    per_rank = run_ranks([lambda p=p: stage(p) for p in pipes], transports)
    outputs = [held_by_any([r[s] for r in per_rank]) for s in range(steps)]
    return outputs, Schedule.measured([p.tasks for p in pipes])


# --- splitting a part into its forward, backward and update programs ------------------------------
class Unit:
    """One program of a stage: `executable` (None when the phase has no op here); `feeds`: the
    graph inputs it reads; `carried`: the values it hands to a later program (stashed activations
    for backward, gradients for the update); `outputs_at`: the part outputs it makes (their
    positions among the part's outputs)."""

    def __init__(self, executable, feeds, carried, outputs_at):
        self.executable, self.feeds, self.carried, self.outputs_at = \
            executable, feeds, carried, outputs_at


def split(partition, rank, optimize=True):
    """{phase: Unit} of rank's part (see the module doc for what flows between them)."""
    part = partition.parts[rank]
    phase_of = {}
    for node in part.nodes:
        for v in node.outputs:
            phase_of[v] = node.note['phase']
    writes = _writes_by_phase(part, phase_of)
    reads = {p: _reads(part, p, writes[p]) for p in (FORWARD, BACKWARD, UPDATE)}
    _check_flows(part, phase_of, reads)
    outputs = {p: [k for k, v in enumerate(part.outputs) if phase_of.get(v) == p]
               for p in (FORWARD, BACKWARD, UPDATE)}
    per_microbatch = [v for v in part.inputs if v in reads[FORWARD] or v in reads[BACKWARD]]
    for k, v in enumerate(part.outputs):
        if phase_of.get(v) is None:
            raise StaticError(f'Pipeline: output {k} of rank {rank} is {v!r}, which no op makes; '
                              f'a pipeline returns what its ops compute')
    units, incoming = {}, []
    for p, later in ((FORWARD, (BACKWARD,)), (BACKWARD, (UPDATE,)), (UPDATE, ())):
        needed_later = {v for q in later for v in reads[q]}
        carried = [v for node in part.nodes if node.note['phase'] == p for v in node.outputs
                   if v in needed_later]
        feeds = per_microbatch if p != UPDATE else [v for v in part.inputs if v in reads[p]]
        g = Graph(f'{part.name}:{p}')
        g.inputs = feeds + incoming
        g.state = [v for v in part.state if v in reads[p]]
        g.nodes = [node for node in part.nodes if node.note['phase'] == p]
        g.outputs = carried + [part.outputs[k] for k in outputs[p]]
        g.writes = writes[p]
        g = clone(g)            # its own values: what an earlier program made has no producer here
        if optimize:
            from .passes import optimize as run_passes
            g = run_passes(g)
        executable = Executable(g, CPU, name=f'{p}_rank{rank}') if (g.nodes or g.outputs or
                                                                     g.writes) else None
        units[p] = Unit(executable, feeds, carried, outputs[p])
        incoming = carried
    if set(units[UPDATE].feeds) & set(per_microbatch):
        both = next(v for v in units[UPDATE].feeds if v in per_microbatch)
        raise StaticError(f'Pipeline: input {both.name!r} is read both per micro-batch and by the '
                          f'update; feed the update its own input')
    return units


def _writes_by_phase(part, phase_of):
    """State writes: all at the end of the update (a gradient written to .grad is the summed one);
    a state the forward or backward pass writes (running statistics) cannot be kept per micro-batch."""
    for w in part.writes:
        if phase_of.get(w.value) == FORWARD:
            raise StaticError(f'Pipeline: the forward pass writes state {w.slot} (running '
                              f'statistics?) — a pipeline cannot write it once per micro-batch; '
                              f'train without it, or run the partition without a pipeline')
    return {FORWARD: [], BACKWARD: [], UPDATE: list(part.writes)}


def _reads(part, phase, writes):
    read = []
    for node in part.nodes:
        if node.note['phase'] == phase:
            read += node.inputs
    if phase == UPDATE:
        read += [w.value for w in writes if w.value is not None]
    return list(dict.fromkeys(read))


def _check_flows(part, phase_of, reads):
    for v in reads[UPDATE]:
        if phase_of.get(v) == FORWARD:
            raise StaticError(f'Pipeline: the update reads {v!r}, made by the forward pass of each '
                              f'micro-batch; only what backward hands over (gradients) is summed '
                              f'over micro-batches')
    for v in reads[BACKWARD] + reads[FORWARD]:
        if v.kind == 'state' and getattr(v.slot, 'mode', None) is not None:
            raise StaticError(f'Pipeline: the step reads {v.slot} (it adds to .grad); call '
                              f'opt.zero_grad() at the start of the step: the pipeline sums the '
                              f'micro-batches\' gradients itself')
