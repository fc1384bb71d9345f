"""minitorch.profiler: what it records per op (phase, bytes allocated, bytes saved for backward), its
table and Chrome trace, static graphs profiled node by node, and the GPU clocks' bookkeeping."""
import json
import time

import numpy as np
import pytest
from threadpoolctl import threadpool_limits

import minitorch as mt
import minitorch.profiler as profiler
from minitorch.profiler.clocks import CudaEventClock, CudaSyncClock
from minitorch.profiler.events import Event
from helpers import training_step


def rows(prof, name, phase):
    return [r for r in prof.key_averages() if r.key == name and r.phase == phase]


def op_rows(averages):
    """The rows of ops (not of the Python between them)."""
    return [r for r in averages if r.key != '(Python between ops)']


def events(prof, name=None, phase=None):
    return [e for e in prof.events() if (name is None or e.name == name) and
            (phase is None or e.phase == phase)]


# --- memory ------------------------------------------------------------------------------------
def test_saved_bytes_of_mm_equal_the_saved_arrays(device):
    a = mt.randn(32, 48, device=device, requires_grad=True)
    b = mt.randn(48, 16, device=device, requires_grad=True)
    with profiler.profile() as prof:
        c = a.mm(b)
    saved = sum(t._data.nbytes for t in c.grad_fn.saved_tensors)
    assert saved == a._data.nbytes + b._data.nbytes
    (mm,) = events(prof, 'matmul', 'forward')
    assert mm.saved == saved
    assert mm.allocated == c._data.nbytes == 32 * 16 * 4


def test_saved_output_counts_its_array():
    x = mt.randn(100, requires_grad=True)
    with profiler.profile() as prof:
        y = x.exp()                         # exp saves its output
    (exp,) = events(prof, 'exp')
    assert exp.saved == y._data.nbytes == 400


def test_nothing_is_saved_under_no_grad_or_for_detached_inputs():
    x = mt.randn(64, 64, requires_grad=True)
    with profiler.profile() as prof:
        with mt.no_grad():
            x.mm(x)
        x.detach().mm(x.detach())
        x.mm(x)
    assert [e.saved for e in events(prof, 'matmul')] == [0, 0, 2 * x._data.nbytes]


def test_views_allocate_nothing():
    x = mt.randn(8, 6)
    with profiler.profile() as prof:
        x.reshape(6, 8)
        x.t()
        x + 1
    allocated = {e.name: e.allocated for e in prof.events()}
    assert allocated['add'] == 8 * 6 * 4
    assert [v for k, v in allocated.items() if k != 'add'] == [0, 0]


# --- phases --------------------------------------------------------------------------------------
def test_forward_and_backward_ops_are_separate_rows():
    a = mt.randn(5, 4, requires_grad=True)
    b = mt.randn(4, 3, requires_grad=True)
    with profiler.profile() as prof:
        loss = a.mm(b).sum()
        forward_events = len(prof.events())
        loss.backward()
    assert all(e.phase == 'forward' for e in prof.events()[:forward_events])
    assert rows(prof, 'matmul', 'forward')[0].count == 1
    assert rows(prof, 'matmul', 'backward')[0].count == 2     # one gradient per input
    backward = events(prof, phase='backward')
    assert backward and all(e.saved == 0 for e in backward)    # create_graph=False records nothing
    assert '  backward  ' in prof.table()


def test_record_shapes_groups_rows_by_input_shapes():
    x, y = mt.randn(2, 3), mt.randn(4, 3)
    with profiler.profile(record_shapes=True) as prof:
        x + x
        y + y
        y + y
    grouped = op_rows(prof.key_averages(group_by_input_shape=True))
    assert sorted((r.input_shapes, r.count) for r in grouped) == \
        [(((2, 3), (2, 3)), 1), (((4, 3), (4, 3)), 2)]
    assert [r.count for r in op_rows(prof.key_averages())] == [3]
    assert '[[4, 3], [4, 3]]' in prof.table()


def test_record_function_holds_its_ops():
    x = mt.randn(50, 50)
    with profiler.profile() as prof:
        with profiler.record_function('block'):
            x.mm(x)
            x.mm(x)
    (block,) = events(prof, 'block', 'user')
    inside = sum(e.duration for e in events(prof, 'matmul'))
    assert inside <= block.children <= inside + prof.overhead      # the profiler's time is apart
    assert 0 <= block.self_time < block.duration
    assert [e.depth for e in prof.events()] == [1, 1, 0]
    assert prof.self_cpu_time_total + prof.overhead + prof.between_ops_total == \
        pytest.approx(prof.wall_time)


def test_record_function_without_a_profiler_does_nothing():
    with profiler.record_function('nothing'):
        mt.ones(2) + 1


# --- the table and the trace --------------------------------------------------------------------
def profiled_training(n, d, h, steps):
    """A two-layer net's training steps, profiled; returns the profile and the wall-clock time of
    the same run, measured around it."""
    mt.manual_seed(0)
    x, y = mt.randn(n, d), mt.randn(n, 10)
    w1 = mt.randn(d, h, requires_grad=True)
    w2 = mt.randn(h, 10, requires_grad=True)
    with threadpool_limits(limits=1):
        start = time.perf_counter()
        with profiler.profile() as prof:
            for _ in range(steps):
                loss = (x.mm(w1).relu().mm(w2) - y).pow(2).sum()
                loss.backward()
                with mt.no_grad():
                    w1.sub_(1e-9 * w1.grad)
                    w2.sub_(1e-9 * w2.grad)
                w1.grad = w2.grad = None
        wall = time.perf_counter() - start
    return prof, wall


def test_table_total_matches_the_wall_clock_of_the_same_run():
    prof, wall = profiled_training(64, 1000, 100, steps=20)     # the course's seed net
    ops, between = prof.self_cpu_time_total, prof.between_ops_total
    assert 0.9 * wall <= ops + between <= wall
    assert ops + between + prof.overhead == pytest.approx(prof.wall_time)
    assert sum(r.self_cpu_time_total for r in prof.key_averages()) == pytest.approx(ops + between)
    text = prof.table()
    assert f'Self CPU time total: {profiler.format_time(ops)} in ops' in text
    assert '(Python between ops)  backward' in text


def test_ops_alone_match_the_wall_clock_when_they_do_the_work():
    # On a shared machine the process can be put aside between two ops, which only adds to the time
    # outside them; one run of three free of that is enough to show what the profiler measures.
    runs = [profiled_training(512, 512, 512, steps=4) for _ in range(3)]      # each op well over 100 us
    assert all(prof.self_cpu_time_total <= wall for prof, wall in runs)
    assert any(0.9 * wall <= prof.self_cpu_time_total for prof, wall in runs), \
        [(round(prof.self_cpu_time_total / wall, 3)) for prof, wall in runs]


def test_table_sorts_limits_and_names_its_keys():
    x = mt.randn(200, 200)
    with profiler.profile() as prof:
        x.mm(x)
        for _ in range(5):
            x.neg()
    by_time = prof.table(sort_by='cpu_time', row_limit=1)     # the mean per call
    assert 'matmul' in by_time and 'neg' not in by_time
    by_count = prof.key_averages().table(sort_by='count')
    assert by_count.index('neg') < by_count.index('matmul')
    with pytest.raises(ValueError, match='cannot sort by .cpu_tim.*self_cpu_time_total'):
        prof.table(sort_by='cpu_tim')
    assert 'CPU times: wall clock' in prof.table()


def test_chrome_trace_is_json_with_one_event_per_op(tmp_path):
    a = mt.randn(4, 4, requires_grad=True)
    with profiler.profile(record_shapes=True) as prof:
        (a * 2).sum().backward()
    path = tmp_path / 'trace.json'
    prof.export_chrome_trace(str(path))
    trace = json.loads(path.read_text())
    ops = [e for e in trace['traceEvents'] if e['ph'] == 'X']
    assert [(e['name'], e['cat']) for e in ops] == [(e.name, e.phase) for e in prof.events()]
    assert all(e['dur'] >= 0 and e['ts'] >= 0 for e in ops)
    assert ops[0]['args']['input shapes'] == [[4, 4], []]
    assert any(e['ph'] == 'M' for e in trace['traceEvents'])      # the thread is named


def test_formatting():
    assert profiler.format_time(12.3456e-6) == '12.346us'
    assert profiler.format_time(0.0123) == '12.300ms'
    assert profiler.format_bytes(0) == '0 B' and profiler.format_bytes(512) == '512 B'
    assert profiler.format_bytes(1536) == '1.50 KB' and profiler.format_bytes(3 << 20) == '3.00 MB'


def test_bad_cuda_timing_is_named():
    with pytest.raises(ValueError, match="cuda_timing must be one of .*'events'"):
        profiler.profile(cuda_timing='kernel')


# --- static graphs -----------------------------------------------------------------------------
def test_static_runs_are_profiled_per_node():
    w = mt.randn(6, 6, requires_grad=True)

    @mt.static.function
    def step(x):
        loss = (x.mm(w).tanh() * 2).sum()
        loss.backward()
        return loss

    step(mt.randn(3, 6))                # traced here, outside the profiler
    with profiler.profile() as prof:
        for _ in range(3):
            step(mt.randn(3, 6))
    nodes = [node.name for node in step.graph.nodes]
    static = [e.name for e in events(prof, phase='static') if not e.name.endswith('(graph)')]
    assert static == nodes * 3
    graphs = events(prof, 'step (graph)', 'static')
    assert len(graphs) == 3
    for run in graphs:
        inside = [e for e in events(prof, phase='static') if e.depth == 1 and
                  run.start <= e.start <= run.start + run.duration]
        assert run.children == pytest.approx(sum(e.duration for e in inside))
    matmuls = [e for e in events(prof, 'matmul', 'static')]
    assert matmuls and matmuls[0].allocated == 3 * 6 * 4


def test_static_results_are_the_same_when_profiled():
    mt.manual_seed(0)
    model = mt.nn.Sequential(mt.nn.Linear(4, 8), mt.nn.ReLU(), mt.nn.Linear(8, 1))
    opt = mt.optim.SGD(model.parameters(), lr=0.1)
    step = mt.static.function(training_step(model, opt))

    x, y = mt.randn(16, 4), mt.randn(16, 1)
    plain = [step(x, y).item() for _ in range(3)]
    with profiler.profile():
        profiled = [step(x, y).item() for _ in range(3)]
    later = [step(x, y).item() for _ in range(2)]
    losses = plain + profiled + later
    assert all(b < a for a, b in zip(losses, losses[1:]))       # training goes on, state written


def test_ops_traced_inside_the_profiler_are_marked_trace():
    @mt.static.function
    def double(x):
        return x * 2

    with profiler.profile() as prof:
        double(mt.ones(3))
        double(mt.ones(3))
    assert [e.name for e in events(prof, phase='trace')] == ['mul']
    assert [e.name for e in events(prof, phase='static')] == ['mul', 'double (graph)'] * 2


def test_instrumented_code_is_made_only_when_profiling():
    @mt.static.function
    def f(x):
        return x.exp() + 1

    f(mt.ones(2))
    f(mt.ones(2))
    compiled = f.last.compiled
    assert '_instrumented' not in compiled.__dict__     # unprofiled runs never make it
    with profiler.profile():
        f(mt.ones(2))
    assert '_p.start(0)' in compiled._source('g', profiled=True)
    assert '_instrumented' in compiled.__dict__


def test_session_runs_are_profiled_per_node():
    with mt.static.Graph('g') as g:
        x = mt.static.placeholder((None, 3), mt.float32, name='x')
        y = (x * 2).sum()
    sess = mt.static.Session(g)
    sess.run(y, feed={x: np.ones((2, 3), np.float32)})
    with profiler.profile() as prof:
        value = sess.run(y, feed={x: np.ones((2, 3), np.float32)})
    assert float(np.asarray(value)) == 12.0
    assert any(e.name.endswith('(graph)') for e in events(prof, phase='static'))
    assert len(events(prof, phase='static')) >= 2


# --- GPU clocks, with a stand-in for cupy -------------------------------------------------------
class FakeCupy:
    """What the CUDA clocks use of cupy: Event().record(stream), synchronize(), elapsed times."""

    def __init__(self):
        self.synchronized = 0
        self.clock = 0.0
        fake = self

        class Event_:
            def record(self, stream=None):
                fake.clock += 2.0           # each event 2 ms after the one before
                self.at = fake.clock

            def synchronize(self):
                fake.synchronized += 1

        class Device:
            def synchronize(self):
                fake.synchronized += 1

        class cuda:
            Event = Event_

            @staticmethod
            def get_current_stream():
                return None

            @staticmethod
            def get_elapsed_time(a, b):
                return b.at - a.at

        cuda.Device = Device
        self.cuda = cuda


def test_cuda_event_clock_reads_device_times_at_the_end():
    cupy = FakeCupy()
    clock = CudaEventClock(cupy)
    clock.begin()                                       # reference at 2 ms
    first, second = Event('a', 'forward'), Event('b', 'forward')
    for event in (first, second):
        token = clock.start()
        event.duration = clock.stop(token)
        clock.attach(event, token)
    assert first.device_time is None                    # nothing read before the end
    clock.resolve()
    assert (first.device_time, second.device_time) == (2e-3, 2e-3)
    starts = (first.device_start - clock.reference_cpu, second.device_start - clock.reference_cpu)
    assert starts == pytest.approx((2e-3, 6e-3))
    assert cupy.synchronized == 1                       # one wait, for the last event


def test_cuda_sync_clock_synchronises_around_each_op():
    cupy = FakeCupy()
    clock = CudaSyncClock(cupy)
    token = clock.start()
    assert clock.stop(token) >= 0
    assert cupy.synchronized == 2


@pytest.mark.cuda
@pytest.mark.skipif(not mt.cuda.is_available(), reason='no CUDA GPU')
@pytest.mark.parametrize('timing', ['events', 'sync'])
def test_cuda_ops_are_timed_on_the_device(timing):
    x = mt.randn(512, 512, device='cuda')
    with profiler.profile(cuda_timing=timing) as prof:
        for _ in range(3):
            x.mm(x)
    (row,) = rows(prof, 'matmul', 'forward')
    if timing == 'events':
        assert row.device_time_total is not None and row.device_time_total > 0
        assert 'CUDA events' in prof.table()
    else:
        assert row.device_time_total is None and 'synchronised' in prof.table()
