"""mt.static.partition, PartitionedSession and Pipeline.

In this process: where each op goes (placement rules), the Send/Recv pairs, the parts' state, the
bad placements, and running the parts as threads (messages through queues) against the whole graph.
On real processes (mpiexec -n 2, skipped without mpi4py): the scripts tests/distributed/partition_*.py.
"""
import numpy as np
import pytest

import minitorch as mt
from minitorch import nn
from minitorch.static import StaticError
from minitorch.static.comm_ops import Recv, Send, threads_transport
from minitorch.static.placement import BACKWARD, FORWARD, UPDATE
from test_distributed_support import needs_mpi, run

RNG = np.random.default_rng(0)
X, Y = RNG.standard_normal((16, 10)), RNG.standard_normal((16, 3))


def mlp(*sizes, relu=True):
    mt.manual_seed(0)
    layers = []
    for a, b in zip(sizes, sizes[1:]):
        layers += [nn.Linear(a, b), nn.ReLU()] if relu else [nn.Linear(a, b)]
    return nn.Sequential(*(layers[:-1] if relu else layers)).double()


def train_step(model, optimizer='sgd'):
    opt = {'sgd': lambda p: mt.optim.SGD(p, lr=0.1, momentum=0.9),
           'adam': lambda p: mt.optim.Adam(p, lr=0.01),
           'adamw': lambda p: mt.optim.AdamW(p, lr=0.01),
           'none': lambda p: None}[optimizer](model.parameters())

    def step(x, y):
        model.zero_grad()
        loss = nn.functional.mse_loss(model(x), y)
        loss.backward()
        if opt is not None:
            opt.step()
        return loss
    return step


def traced(model, optimizer='sgd', batch=16):
    return mt.static.trace_graph(train_step(model, optimizer), mt.tensor(X[:batch]),
                                 mt.tensor(Y[:batch]))


def state_names(parts, rank):
    return {v.name for v in parts.parts[rank].state}


def comm_nodes(part):
    return [n for n in part.nodes if n.op in (Send, Recv)]


# --- where ops go --------------------------------------------------------------------------------------
def test_forward_by_scope_backward_with_its_parameters_update_with_what_it_updates():
    model = mlp(10, 6, 3)                  # Linear '0', ReLU '1', Linear '2'
    graph = traced(model)
    parts = mt.static.partition(graph, {'0': 0, '2': 1})
    where, phase = parts.placement.rank, parts.placement.phase
    by_kind = {}
    for node in graph.nodes:
        by_kind.setdefault((phase[node], node.name, node.scope), set()).add(where[node])
    assert by_kind[(FORWARD, 'relu', '1')] == {0}            # follows its input
    assert by_kind[(FORWARD, 'mean', '')] == {1}             # the loss follows the last layer
    assert by_kind[(BACKWARD, 'le', '1')] == {0}             # relu's gradient, where relu ran
    assert by_kind[(BACKWARD, 'where', '1')] == {0}
    assert by_kind[(BACKWARD, 'matmul', '0')] == {0}         # each weight's gradient with it
    assert by_kind[(BACKWARD, 'matmul', '2')] == {1}
    assert {where[n] for n in graph.nodes if phase[n] == UPDATE} == {0, 1}
    assert parts.stages == [0, 1]
    # each rank reads only its layer's parameters and their optimizer buffers
    assert {'0.weight', '0.bias'} <= state_names(parts, 0)
    assert not {'2.weight', '2.bias'} & state_names(parts, 0)
    assert {'2.weight', '2.bias'} <= state_names(parts, 1)
    assert not {'0.weight', '0.bias'} & state_names(parts, 1)
    assert len(parts.parts[0].state) == len(parts.parts[1].state) == 6     # + 2 momenta, 2 counters
    written = [{str(w.slot) for w in p.writes} for p in parts.parts]
    assert '0.weight' in written[0] and '0.weight.grad' in written[0]
    assert '2.weight' in written[1] and not written[0] & written[1]


def test_one_send_recv_pair_per_crossing_value_forward_and_backward():
    parts = mt.static.partition(traced(mlp(10, 6, 3)), {'0': 0, '2': 1})
    assert [(e.src, e.dst, e.phase, e.value.shape) for e in parts.edges] == [
        (0, 1, FORWARD, (16, 6)), (1, 0, BACKWARD, (16, 6))]
    assert [e.tag for e in parts.edges] == [0, 1]
    for rank, part in enumerate(parts.parts):
        nodes = comm_nodes(part)
        assert [n.kwargs['tag'] for n in nodes] == [0, 1]         # in the graph's order on both
        for n in nodes:
            edge = parts.edges[n.kwargs['tag']]
            if n.op is Send:
                assert (edge.src, n.kwargs['dst']) == (rank, edge.dst)
            else:
                assert (edge.dst, n.kwargs['src']) == (rank, edge.src)
                assert n.outputs[0].shape == edge.value.shape == n.kwargs['shape']
    text = repr(parts)
    assert 'send' in text and 'recv src=0 tag=0' in text and '2 Send/Recv pairs' in text
    assert "tag 0: rank 0 → rank 1  f64[16,6]  forward  (relu in '1' → matmul in '2')" in text


def test_a_value_read_by_several_ops_of_a_rank_crosses_once():
    model = mlp(10, 6, 3, relu=False)        # Linear '0', Linear '1': the cut between two matmuls
    parts = mt.static.partition(traced(model, 'none'), {'0': 0, '1': 1})
    # the activation is read by the forward matmul and by the weight's gradient: one pair
    assert [(e.src, e.dst, e.phase) for e in parts.edges] == [(0, 1, FORWARD), (1, 0, BACKWARD)]
    phase, where = parts.placement.phase, parts.placement.rank
    grads = [n for n in parts.graph.nodes if phase[n] == BACKWARD and n.name == 'matmul']
    assert sorted(where[n] for n in grads) == [0, 1, 1]     # dW0 on 0; dW1, dx1 on 1


def test_scopes_match_themselves_and_their_sub_scopes_and_nodes_can_be_placed_alone():
    model = nn.Sequential(nn.Sequential(nn.Linear(10, 6), nn.Tanh()),
                          nn.Sequential(nn.Linear(6, 3))).double()
    graph = traced(model, 'none')
    parts = mt.static.partition(graph, {'0': 0, '1': 1, '0.1': 1})
    where = parts.placement.rank
    scopes = {n.scope: where[n] for n in graph.nodes if n.scope}
    assert scopes == {'0.0': 0, '0.1': 1, '1.0': 1}          # the longest placed scope wins
    loss_node = next(n for n in graph.nodes if n.name == 'mean')
    parts = mt.static.partition(graph, {'0': 0, '1': 0, loss_node: 1})
    assert [n.name for n in graph.nodes if parts.placement.rank[n] == 1] == ['mean']
    assert [(e.src, e.dst) for e in parts.edges] == [(0, 1)]     # the loss's gradient needs no value


def test_placements_that_name_what_is_not_there_are_refused():
    graph = traced(mlp(10, 6, 3))
    cases = [({'5': 1}, "scope '5'", "its scopes are '0', '1', '2'"),
             ({'0': 0, '2': 2}, 'rank 1 gets no op', 'number the ranks 0 … n−1'),
             ({'0': -1}, "'0' → -1 is not a rank", 'dist.get_rank()'),
             ({'0': 'gpu'}, "'0' → 'gpu' is not a rank", ''),
             ({0: 1}, 'key 0', 'module path'),
             ({}, 'non-empty dict', '')]
    for placement, first, second in cases:
        with pytest.raises(StaticError) as info:
            mt.static.partition(graph, placement)
        assert first in str(info.value) and second in str(info.value), str(info.value)
    with pytest.raises(StaticError, match=r"'2' → rank 2 is unknown: with world_size=2"):
        mt.static.partition(graph, {'0': 0, '2': 2}, world_size=2)
    other = traced(mlp(10, 6, 3)).nodes[0]
    with pytest.raises(StaticError, match='is not a node of graph'):
        mt.static.partition(graph, {other: 0, '2': 1})


def test_a_cycle_between_ranks_is_refused_naming_the_values_on_it():
    graph = traced(mlp(10, 6, 3))
    with pytest.raises(StaticError) as info:
        mt.static.partition(graph, {'0': 0, '1': 1, '2': 0})
    text = str(info.value)
    assert 'cycle between ranks' in text and 'deadlock' in text
    assert "rank 0 → rank 1 (add in '0' feeds relu in '1')" in text
    assert "rank 1 → rank 0 (relu in '1' feeds matmul in '2')" in text


def test_an_optimized_graph_is_refused():
    step = mt.static.function(train_step(mlp(10, 6, 3)))
    step(mt.tensor(X), mt.tensor(Y))
    with pytest.raises(StaticError, match='optimize=False'):
        mt.static.partition(step, {'0': 0, '2': 1})


# --- running the parts ------------------------------------------------------------------------------------
def whole_graph_reference(optimizer, steps, batch=16):
    model = mlp(10, 6, 3)
    step = mt.static.function(train_step(model, optimizer))
    losses = [step(mt.tensor(X[:batch]), mt.tensor(Y[:batch])).item() for _ in range(steps)]
    return losses, model


def assert_same_parameters(a, b, tolerance=1e-12):
    for (name, p), q in zip(a.named_parameters(), b.parameters()):
        want = p.detach().numpy()
        d = np.max(np.abs(q.detach().numpy() - want)) / np.max(np.abs(want))
        assert d <= tolerance, f'{name} differs by {d:.1e}'


@pytest.mark.parametrize('optimizer', ['none', 'sgd', 'adam'])
def test_the_parts_give_the_whole_graphs_outputs_gradients_and_updates(optimizer):
    ref_losses, ref_model = whole_graph_reference(optimizer, steps=3)
    model = mlp(10, 6, 3)
    parts = mt.static.partition(traced(model, optimizer), {'0': 0, '2': 1})
    losses = [mt.static.run_in_threads(parts, {'x': X, 'y': Y})[0].item() for _ in range(3)]
    np.testing.assert_allclose(losses, ref_losses, rtol=1e-12)
    assert_same_parameters(ref_model, model)
    for p, q in zip(ref_model.parameters(), model.parameters()):
        np.testing.assert_allclose(q.grad.numpy(), p.grad.numpy(), rtol=1e-12, atol=1e-15)


def test_three_stages_and_stages_in_reverse_rank_order():
    for placement, stages in (({'0': 0, '2': 1, '4': 2}, [0, 1, 2]),
                              ({'0': 2, '2': 0, '4': 1}, [2, 0, 1])):
        model = mlp(10, 8, 6, 3)
        parts = mt.static.partition(traced(model), placement)
        assert parts.stages == stages and len(parts.edges) == 4
        outs = [mt.static.run_in_threads(parts, [X, Y])[0] for _ in range(2)]
        whole = mlp(10, 8, 6, 3)
        step = mt.static.function(train_step(whole))
        want = [step(mt.tensor(X), mt.tensor(Y)).item() for _ in range(2)]
        np.testing.assert_allclose([o.item() for o in outs], want, rtol=1e-12)
        assert_same_parameters(whole, model)


def test_each_part_is_optimized_on_its_own_and_keeps_its_sends_and_receives():
    parts = mt.static.partition(traced(mlp(10, 6, 3)), {'0': 0, '2': 1})
    for t in threads_transport(2):
        sess = mt.static.PartitionedSession(parts, transport=t)
        assert len(comm_nodes(sess.graph)) == 2
        assert len(sess.graph.nodes) < len(parts.parts[t.rank].nodes)     # fused, folded
        assert 'send(' in sess.code or 'recv(' in sess.code


def test_programs_optimized_apart_share_no_value():
    # graph passes record a value's producer in the value: a part, or a stage's program, that
    # shared values with another could be rewritten with ops of the other
    from minitorch.static.partition import clone
    parts = mt.static.partition(traced(mlp(10, 6, 3)), {'0': 0, '2': 1})
    part = parts.parts[1]
    copy = clone(part)
    ours = {id(v) for n in copy.nodes for v in n.inputs + n.outputs} | {id(v) for v in copy.state}
    theirs = {id(v) for n in part.nodes for v in n.inputs + n.outputs} | {id(v) for v in part.state}
    assert not ours & theirs and len(copy.nodes) == len(part.nodes)
    assert all(v.node in copy.nodes for n in copy.nodes for v in n.outputs)
    assert [str(w.slot) for w in copy.writes] == [str(w.slot) for w in part.writes]
    assert repr(copy) == repr(part)


def test_a_session_refuses_a_job_with_the_wrong_number_of_processes():
    parts = mt.static.partition(traced(mlp(10, 6, 3)), {'0': 0, '2': 1})
    with pytest.raises(StaticError, match=r'has 2 ranks but this job has 3 processes; start it '
                                          r'with mpiexec -n 2'):
        mt.static.PartitionedSession(parts, transport=threads_transport(3)[0])
    with pytest.raises(StaticError, match="rank 0 needs input 'x'"):
        mt.static.run_in_threads(parts, {'y': Y})


def test_a_feed_of_the_wrong_shape_or_dtype_is_named():
    parts = mt.static.partition(traced(mlp(10, 6, 3)), {'0': 0, '2': 1})
    with pytest.raises(StaticError, match=r"input 'x': expected float64\[16, 10\], got "
                                          r"float32\[16, 10\]"):
        mt.static.run_in_threads(parts, {'x': X.astype(np.float32), 'y': Y})


# --- the pipeline ---------------------------------------------------------------------------------------
@pytest.mark.parametrize('microbatches', [1, 2, 4])
def test_a_pipeline_trains_like_one_process_on_the_whole_batch(microbatches):
    ref_losses, ref_model = whole_graph_reference('adam', steps=3)
    model = mlp(10, 6, 3)
    parts = mt.static.partition(traced(model, 'adam', batch=16 // microbatches), {'0': 0, '2': 1})
    outs, schedule = mt.static.run_pipeline_in_threads(parts, {'x': X, 'y': Y}, microbatches,
                                                       steps=3, reduction='mean')
    np.testing.assert_allclose([o[0].item() for o in outs], ref_losses, rtol=1e-12)
    assert_same_parameters(ref_model, model)
    forward = [f'F{i}' for i in range(1, microbatches + 1)]
    backward = [f'B{i}' for i in range(microbatches, 0, -1)]
    for stage in (0, 1):
        assert [t.label for t in schedule.tasks if t.stage == stage] == forward + backward + ['U']
    assert 0 <= schedule.bubble() < 1


def test_a_pipeline_needs_the_whole_batch_and_a_zeroed_grad():
    parts = mt.static.partition(traced(mlp(10, 6, 3), batch=4), {'0': 0, '2': 1})
    with pytest.raises(StaticError, match=r"input 'x': expected float64\[16, 10\], got "
                                          r"float64\[12, 10\]"):
        mt.static.run_pipeline_in_threads(parts, {'x': X[:12], 'y': Y}, 4)
    model = mlp(10, 6, 3)
    model(mt.tensor(X)).sum().backward()          # .grad exists and the step adds to it

    def accumulate(x, y):
        nn.functional.mse_loss(model(x), y).backward()
        return model[0].weight.grad.sum()
    graph = mt.static.trace_graph(accumulate, mt.tensor(X[:4]), mt.tensor(Y[:4]))
    with pytest.raises(StaticError, match='zero_grad'):
        mt.static.run_pipeline_in_threads(mt.static.partition(graph, {'0': 0, '2': 1}),
                                          {'x': X, 'y': Y}, 4)


def test_the_gpipe_schedule_and_its_bubble():
    s = mt.static.gpipe(2, 4)
    assert s.grid() == [['F1', 'F2', 'F3', 'F4', '', '', 'B4', 'B3', 'B2', 'B1'],
                        ['', 'F1', 'F2', 'F3', 'F4', 'B4', 'B3', 'B2', 'B1', '']]
    assert 'stage 1 | ·  F1 F2 F3 F4 B4 B3 B2 B1 ·' in str(s)
    for p, m in ((2, 1), (2, 8), (3, 4), (4, 16)):
        for backward in (1, 2):
            s = mt.static.gpipe(p, m, backward=backward)
            assert s.bubble() == pytest.approx(mt.static.bubble_model(p, m))
            assert s.makespan() == (m + p - 1) * (1 + backward)


def test_a_measured_schedule_takes_waiting_out_of_busy_time():
    from minitorch.static.schedule import Schedule, Task
    tasks = [[Task(0, 'F', 1, 0.0, 1.0), Task(0, 'B', 1, 2.0, 4.0, busy=1.0, waits=[(2.0, 3.0)])],
             [Task(1, 'F', 1, 1.0, 2.0), Task(1, 'B', 1, 2.0, 3.0), Task(1, 'U', None, 3, 9)]]
    s = Schedule.measured(tasks)
    assert s.makespan() == 4.0 and s.bubble() == pytest.approx(1 - 4.0 / 8.0)
    assert 'stage 0 | F1 0.00–1000.00  B1 2000.00–4000.00' in str(s)


# --- pictures -----------------------------------------------------------------------------------------
def test_the_drawings_colour_each_rank_and_mark_sends_and_receives():
    parts = mt.static.partition(traced(mlp(10, 6, 3)), {'0': 0, '2': 1})
    whole = mt.viz.draw(parts)
    roles = {item.role for item in whole.items.values() if item.kind == 'op'}
    assert roles == {'static_rank0', 'static_rank1'}
    drawing = parts.draw()
    assert repr(drawing).startswith('<2 drawings side by side: <static graph: 24 ops')
    part_roles = [[item.role for item in d.items.values() if item.kind == 'op'] for d in drawing.parts]
    for rank, found in enumerate(part_roles):
        assert found.count('static_send') == found.count('static_recv') == 1
        assert set(found) == {f'static_rank{rank}', 'static_send', 'static_recv'}
    assert 'rank 0 · stage 0' in drawing.titles


# --- on real processes --------------------------------------------------------------------------------------
@needs_mpi[0]
@needs_mpi[1]
def test_the_seed_net_partitioned_and_pipelined_on_two_processes():
    result, _ = run('partition_seed.py', 2, timeout=60)
    assert result.returncode == 0, result.stderr
    assert 'partition ok on 2 ranks' in result.stdout


@needs_mpi[0]
@needs_mpi[1]
def test_a_partition_run_on_the_wrong_number_of_processes_says_so():
    result, _ = run('partition_faults.py', 3, timeout=60)
    assert result.returncode == 0, result.stderr
    session, pipeline = result.stdout.strip().splitlines()
    assert session.startswith('PartitionedSession: the partition of graph') and \
        'has 2 ranks but this job has 3 processes; start it with mpiexec -n 2' in session
    assert pipeline.startswith('Pipeline: ') and 'mpiexec -n 2' in pipeline


def test_a_cnn_pipelined_over_micro_batches_trains_like_one_process():
    # convolution's gradients reshape and permute what forward saved: each program of a stage is
    # optimized on its own values, so no rewrite reaches into another program
    def cnn():
        mt.manual_seed(0)
        return nn.Sequential(nn.Conv2d(1, 3, 3), nn.ReLU(), nn.Flatten(), nn.Linear(3 * 4 * 4, 5),
                             nn.Tanh(), nn.Linear(5, 3)).double()
    x = RNG.standard_normal((8, 1, 6, 6))
    whole = cnn()
    ref = mt.static.function(train_step(whole, 'adamw'))
    want = [ref(mt.tensor(x), mt.tensor(Y[:8])).item() for _ in range(3)]
    model = cnn()
    graph = mt.static.trace_graph(train_step(model, 'adamw'), mt.tensor(x[:2]), mt.tensor(Y[:2]))
    parts = mt.static.partition(graph, {'0': 0, '3': 1})
    outs, _ = mt.static.run_pipeline_in_threads(parts, {'x': x, 'y': Y[:8]}, 4, steps=3)
    np.testing.assert_allclose([o[0].item() for o in outs], want, rtol=1e-12)
    assert_same_parameters(whole, model)
