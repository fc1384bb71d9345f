"""Elementwise fusion: fused graphs compute exactly what unfused ones and eager mode compute, groups
end where a value is needed outside them, and a fused chain reuses its buffers."""
import tracemalloc

import numpy as np
import pytest

import minitorch as mt
from minitorch.static.fused import CpuRunner, FusedElementwise
from minitorch.static.passes import fuse_elementwise, optimize
from helpers import host, training_step


def chain10(x):
    """The 10-op chain log(sqrt(|tanh(1.5x+0.5)·x − 0.25|)+1)·2."""
    return ((1.5 * x + 0.5).tanh() * x - 0.25).abs().sqrt().add(1).log() * 2


def fused_nodes(graph):
    return [n for n in graph.nodes if isinstance(n.op, type) and issubclass(n.op, FusedElementwise)]


def assert_same(got, want):
    """Same values (bit for bit: the same ufuncs run in the same order), shape and dtype."""
    got, want = host(got), host(want)
    assert got.dtype == want.dtype and got.shape == want.shape
    np.testing.assert_array_equal(got, want)


# --- generated chains ---------------------------------------------------------------------------
STEPS = {
    'mul 1.5': lambda t, y: t * 1.5,
    'add 0.5': lambda t, y: t + 0.5,
    '1 - t': lambda t, y: 1 - t,
    'div 3': lambda t, y: t / 3,
    'tanh': lambda t, y: t.tanh(),
    'abs': lambda t, y: t.abs(),
    'neg': lambda t, y: -t,
    'sigmoid': lambda t, y: t.sigmoid(),
    'relu': lambda t, y: t.relu(),
    'sqrt|t|': lambda t, y: t.abs().sqrt(),
    'exp(-|t|)': lambda t, y: (-t.abs()).exp(),
    'mul y': lambda t, y: t * y,
    'add y': lambda t, y: t + y,
    'maximum y': lambda t, y: mt.maximum(t, y),
    'where': lambda t, y: mt.where(t > 0, t, y * 0.5),
    'clamp': lambda t, y: t.clamp(-0.5, 0.5),
    'add mean': lambda t, y: t + t.mean(),          # the mean reads t: a group ends at t
}
SHAPES = [((5, 4), (4,)), ((5, 1), (1, 4)), ((6,), (6,)), ((), (3,)), ((2, 1, 3), (4, 1))]


def random_chain(rng, length):
    """A chain of `length` random steps, one of them with y (broadcast against x)."""
    names = [str(rng.choice(sorted(STEPS))) for _ in range(length)]
    names.insert(int(rng.integers(0, length)), str(rng.choice(['mul y', 'add y', 'maximum y'])))

    def fn(x, y):
        t = x
        for name in names:
            t = STEPS[name](t, y)
        return t
    return fn, names


@pytest.mark.parametrize('dtype', [mt.float16, mt.float32, mt.float64])
def test_generated_chains_fused_equal_unfused_and_eager(dtype):
    rng = np.random.default_rng(0)
    for trial in range(25):
        fn, names = random_chain(rng, int(rng.integers(3, 12)))
        sx, sy = SHAPES[trial % len(SHAPES)]
        x = mt.tensor(rng.standard_normal(sx), dtype=dtype)
        y = mt.tensor(rng.standard_normal(sy), dtype=dtype)
        fused, unfused = mt.static.function(fn), mt.static.function(fn, optimize=False)
        eager = fn(x, y)
        assert_same(fused(x, y), eager)
        assert_same(unfused(x, y), eager)
        assert fused_nodes(fused.graph), (names, fused.graph)
        assert len(fused.graph.nodes) < len(unfused.graph.nodes), names


def test_the_chain_becomes_one_node_with_a_readable_name():
    f = mt.static.function(chain10)
    x = mt.randn(1000)
    assert_same(f(x), chain10(x))
    assert len(f.graph.nodes) == 1
    assert 'fused[mul add tanh mul sub abs sqrt add log mul] x' in str(f.graph)
    assert 'fused_mul_add_tanh_mul_sub_abs_sqrt_add_log_mul(x)' in f.code
    report = []
    optimize(_traced(chain10, x), report=report)
    assert ('fuse_elementwise', {'groups': 1, 'nodes fused': 10}) in report


def _traced(fn, *args, optimized=False):
    f = mt.static.function(fn, optimize=optimized)
    f(*args)
    return f.graph


# --- group boundaries ---------------------------------------------------------------------------
def test_a_value_read_outside_the_group_ends_it():
    def fn(x):
        y = x * 2 + 1                   # read by exp (inside) and by sum (outside): a group result
        return (y.exp() * 3).sum() + y.sum()
    x = mt.randn(4, 3)
    f = mt.static.function(fn)
    assert_same(f(x), fn(x))
    names = [n.name for n in f.graph.nodes]
    assert names.count('fused[mul add]') == 1 and names.count('fused[exp mul]') == 1, f.graph
    first = fused_nodes(f.graph)[0]
    assert sum(first.outputs[0] in n.inputs for n in f.graph.nodes) == 2     # both sums read it


def test_outputs_are_kept():
    def fn(x):
        y = x * 2 + 1
        return y, (y.tanh() * 3 - 1)
    x = mt.randn(5)
    f = mt.static.function(fn)
    for got, want in zip(f(x), fn(x)):
        assert_same(got, want)
    assert [n.name for n in f.graph.nodes] == ['fused[mul add]', 'fused[tanh mul sub]']


def test_state_writes_are_kept():
    state = mt.zeros(4)

    def fn(x):
        state.copy_(x * 2 + 1)
        return (state * 3).tanh()
    x = mt.randn(4)
    f = mt.static.function(fn)
    got = f(x)
    written = host(state).copy()
    state.zero_()
    assert_same(got, fn(x))
    np.testing.assert_array_equal(written, host(state))
    assert [n.name for n in f.graph.nodes] == ['fused[mul add]', 'copy', 'fused[mul tanh]']


def test_a_value_read_twice_inside_the_group_is_fused():
    def fn(x):
        y = x * 2
        return y.tanh() + y.exp() * y
    x = mt.randn(3, 2)
    f = mt.static.function(fn)
    assert_same(f(x), fn(x))
    assert [n.name for n in f.graph.nodes] == ['fused[mul tanh exp mul add]']


def test_broadcast_intermediates_keep_their_own_shape():
    def fn(x, b):
        return (x + b * 2).tanh() * (b - 1)      # b * 2 and b - 1 are (4,), the rest (3, 4)
    x, b = mt.randn(3, 4), mt.randn(4)
    f = mt.static.function(fn)
    assert_same(f(x, b), fn(x, b))
    node, = f.graph.nodes
    assert [s.shape for s in node.op.program.steps] == [(4,), (3, 4), (3, 4), (4,), (3, 4)]


def test_single_nodes_and_other_ops_are_left_alone():
    g = _traced(lambda x: (x * 2).sum(1).exp(), mt.randn(3, 4))
    fused, report = fuse_elementwise(g)
    assert report == {'groups': 0, 'nodes fused': 0}
    assert [n.name for n in fused.nodes] == [n.name for n in g.nodes]


def test_integer_chains_are_left_alone():
    g = _traced(lambda i: (i * 3 + 1) // 2 - i, mt.arange(6))
    assert fuse_elementwise(g)[1] == {'groups': 0, 'nodes fused': 0}


# --- buffers ------------------------------------------------------------------------------------
def test_a_fused_10_op_chain_allocates_at_most_2_arrays():
    x = mt.randn(1 << 20)              # 4 MiB
    f = mt.static.function(chain10)
    want = host(f(x))                   # traced and compiled: the next call only runs
    nbytes = x._data.nbytes
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        base = tracemalloc.get_traced_memory()[0]
        got = f(x)
        peak = tracemalloc.get_traced_memory()[1] - base
    finally:
        tracemalloc.stop()
    np.testing.assert_array_equal(host(got), want)
    assert peak <= 2 * nbytes + (64 << 10), f'peak {peak} bytes for arrays of {nbytes}'
    unfused = mt.static.function(chain10, optimize=False)
    unfused(x)
    tracemalloc.start()
    try:
        base = tracemalloc.get_traced_memory()[0]
        unfused(x)
        unfused_peak = tracemalloc.get_traced_memory()[1] - base
    finally:
        tracemalloc.stop()
    assert unfused_peak >= 2 * nbytes         # the measure sees allocations at all


class CountingNumpy:
    """numpy, counting the arrays made by empty()."""

    def __init__(self):
        self.made = 0

    def __getattr__(self, name):
        return getattr(np, name)

    def empty(self, *args, **kwargs):
        self.made += 1
        return np.empty(*args, **kwargs)


def _chain_program():
    return _traced(chain10, mt.randn(64), optimized=True).nodes[0].op.program


def test_buffers_counted_and_out_that_is_an_input():
    program = _chain_program()
    x = np.random.default_rng(1).standard_normal(64).astype(np.float32)
    want = chain10(mt.tensor(x)).numpy()
    xp = CountingNumpy()
    run = CpuRunner(program, xp)
    np.testing.assert_array_equal(run(x), want)
    assert xp.made == 1                                     # the result, nothing else
    out = np.empty_like(x)
    np.testing.assert_array_equal(run(x, out=out), want)
    assert xp.made == 1                                     # out= given: nothing made
    inplace = x.copy()
    got = run(inplace, out=inplace)                         # x is read again at step 3
    assert got is inplace
    np.testing.assert_array_equal(got, want)
    assert xp.made == 2                                     # one scratch buffer until step 3
    buffer = x[::-1].copy()
    reversed_view = buffer[::-1]                            # shares out's memory, is not out
    np.testing.assert_array_equal(run(reversed_view, out=buffer), want)


def test_out_is_scratch_space_when_the_last_op_makes_its_own_result():
    program = _traced(lambda x, b: (x + b).relu(), mt.randn(4, 3), mt.randn(3),
                      optimized=True).nodes[0].op.program
    x = np.random.default_rng(2).standard_normal((4, 3)).astype(np.float32)
    b = np.linspace(-1, 1, 3, dtype=np.float32)
    want = np.maximum(x + b, 0)
    xp = CountingNumpy()
    dying = x.copy()
    got = CpuRunner(program, xp)(dying, b, out=dying)
    np.testing.assert_array_equal(got, want)
    assert xp.made == 0                                     # add wrote into out, relu made its own


def test_memory_planning_writes_a_fused_result_into_a_dying_input():
    def fn(x, y):
        t = x @ y                               # an intermediate that dies at the fused node
        return (t * 2 + 1).tanh() * t
    x, y = mt.randn(4, 3), mt.randn(3, 5)
    f = mt.static.function(fn)
    assert_same(f(x, y), fn(x, y))
    assert 'out=t' in f.code, f.code


# --- training -----------------------------------------------------------------------------------
def _model_and_optimizer():
    mt.manual_seed(0)
    model = mt.nn.Sequential(mt.nn.Linear(6, 16), mt.nn.Tanh(), mt.nn.Linear(16, 8),
                             mt.nn.Sigmoid(), mt.nn.Linear(8, 1))
    return model, mt.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)


def test_a_training_step_fused_matches_eager():
    x, y = mt.randn(32, 6), mt.randn(32, 1)
    runs = []
    for static in (False, True):
        model, opt = _model_and_optimizer()
        step = training_step(model, opt)
        run = mt.static.function(step) if static else step
        losses = [host(run(x, y)).item() for _ in range(4)]
        runs.append((losses, [host(p) for p in model.parameters()]))
        if static:
            assert len(fused_nodes(run.graph)) >= 4, run.graph      # forward and backward chains
    (eager_losses, eager_params), (static_losses, static_params) = runs
    np.testing.assert_allclose(static_losses, eager_losses, rtol=1e-6)
    for a, b in zip(static_params, eager_params):
        np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-7)


def test_on_a_device_other_than_the_cpu():
    """The fused op runs with the array module of its inputs (here the stand-in GPU's, whose arrays
    refuse to mix with numpy's)."""
    import fake_gpu
    program = _traced(lambda x, b: chain10(x) + (b * 2).relu(), mt.randn(3, 4), mt.randn(4),
                      optimized=True).nodes[0].op.program
    x, b = mt.randn(3, 4), mt.randn(4)
    want = host(chain10(x) + (b * 2).relu())
    op = FusedElementwise.of(program)
    on_device = [fake_gpu.from_host(host(t)) for t in (x, b)]
    got = op.forward(None, *on_device)
    assert type(got) is fake_gpu.FakeArray
    np.testing.assert_array_equal(got.get(), want)
    out = fake_gpu.from_host(host(x))
    assert op.forward(None, out, on_device[1], out=out) is out
    np.testing.assert_array_equal(out.get(), want)


def test_a_traced_function_fuses_on_a_device_other_than_the_cpu():
    fn = lambda x, b: chain10(x) + (b * 2).relu()      # noqa: E731
    x, b = mt.randn(3, 4, device='fakegpu'), mt.randn(4, device='fakegpu')
    f = mt.static.function(fn)
    got = f(x, b)
    assert got.device == x.device
    np.testing.assert_array_equal(host(got), host(fn(x.cpu(), b.cpu())))
    assert [n.name for n in f.graph.nodes] == ['fused[mul add tanh mul sub abs sqrt add and 5 more]']
