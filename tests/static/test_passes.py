"""Each pass preserves results and does what it says, on graphs built for it."""
import tracemalloc

import numpy as np
import pytest

import minitorch as mt
from minitorch.static import passes as P
from minitorch.static.executable import Executable


def _traced(fn, *args, optimize=False):
    f = mt.static.function(fn, optimize=optimize)
    f(*args)
    return f.graph


def _run(graph, *arrays):
    return Executable(graph, mt.device('cpu')).run(list(arrays))


def _same_results(before, after, *arrays):
    for a, b in zip(_run(before, *arrays), _run(after, *arrays)):
        np.testing.assert_allclose(np.asarray(b), np.asarray(a), rtol=1e-12)


X = np.random.default_rng(0).standard_normal((4, 3))


def test_simplify_removes_what_computes_nothing():
    def f(x):
        y = ((x * 1 + 0) / 1).reshape(12).reshape(3, 4)
        z = -(-x).t().t()
        return y.sum() + z.sum()
    g = _traced(f, mt.tensor(X))
    out, report = P.simplify(g)
    assert report['x * 1'] == 1 and report['x + 0'] == 1 and report['x / 1'] == 1
    assert report['-(-x)'] == 1 and report['reshape of reshape'] == 1
    assert report['permute of permute'] == 1
    out, _ = P.eliminate_dead_code(out)
    assert len(out) < len(g)
    _same_results(g, out, X)


def test_fold_constants_computes_constants_once_and_never_state_or_random_draws():
    w = mt.ones(3)

    def f(x):
        c = (mt.arange(3.0) * 2 + 1).exp()      # constant: folded
        noise = mt.rand(3)                        # random: never folded
        return x * c + w * 2 + noise * 0
    g = _traced(f, mt.ones(3))
    out, report = P.fold_constants(g)
    assert report['folded'] == 3
    names = [n.name for n in out.nodes]
    assert 'random_draw' in names and names.count('mul') >= 2      # w * 2 reads state: kept
    assert not any(n.name == 'exp' for n in out.nodes)


def test_common_subexpressions_are_computed_once():
    def f(x):
        return (x.exp() * 2).sum() + (x.exp() * 2).sum()
    g = _traced(f, mt.tensor(X))
    out, report = P.eliminate_common_subexpressions(g)
    assert report['removed'] == 3                 # exp, mul, sum
    _same_results(g, out, X)


def test_dead_code_keeps_outputs_state_writes_and_checks():
    w = mt.zeros(3)

    def f(x):
        unused = x.exp() * 3
        with mt.no_grad():
            w.add_(x)
        return x.sum()
    g = _traced(f, mt.ones(3))
    out, report = P.eliminate_dead_code(g)
    assert report['removed'] == 2 and len(out.writes) == 1
    fetch_none, report = P.eliminate_dead_code(g, fetches=[])
    assert any(n.name == 'add' for n in fetch_none.nodes)           # the write keeps its node


def test_a_check_survives_dead_code_elimination():
    from minitorch.ops.checks import check

    def f(x):
        check(x > 0, ValueError, lambda a: f'not positive: {a.min()}', x)
        return x * 2
    f_static = mt.static.function(f)
    assert f_static(mt.ones(2)).tolist() == [2.0, 2.0]
    assert any(n.name == 'check' for n in f_static.graph.nodes)
    with pytest.raises(ValueError, match='not positive: -1.0'):
        f_static(-mt.ones(2))


def test_optimize_runs_a_pipeline_and_reports_each_pass():
    g = _traced(lambda x: (x * 1).exp().sum() + (x * 1).exp().sum(), mt.tensor(X))
    report = []
    out = mt.static.optimize(g, report=report)
    assert [name for name, _ in report] == list(P.DEFAULT)
    assert len(out) < len(g)
    _same_results(g, out, X)


def _training_step_graph(memory):
    mt.manual_seed(0)
    model = mt.nn.Sequential(mt.nn.Linear(256, 512), mt.nn.Tanh(), mt.nn.Linear(512, 512),
                             mt.nn.Tanh(), mt.nn.Linear(512, 1))
    opt = mt.optim.SGD(model.parameters(), lr=1e-3)

    def step(x):
        opt.zero_grad()
        loss = model(x).pow(2).mean()
        loss.backward()
        opt.step()
        return loss
    passes = [p for p in P.DEFAULT if memory or p != 'plan_memory']
    f = mt.static.function(step, optimize=False)
    x = mt.randn(256, 256)
    f(x)
    graph = mt.static.optimize(f.graph, passes=passes)
    states = [v.slot.read() for v in graph.state]
    return Executable(graph, mt.device('cpu')), x, states


def _measured_peak(executable, x, states):
    executable.compiled.fn(x._data, *states)        # warm up
    tracemalloc.start()
    executable.compiled.fn(x._data, *states)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak


def test_memory_planning_lowers_the_measured_peak_of_a_training_step():
    planned = _measured_peak(*_training_step_graph(memory=True))
    unplanned = _measured_peak(*_training_step_graph(memory=False))
    assert planned < 0.85 * unplanned
    graph = _training_step_graph(memory=True)[0].graph
    _, report = P.plan_memory(graph)
    assert report['peak bytes after'] <= report['peak bytes before']
