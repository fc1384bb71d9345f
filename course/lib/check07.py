"""Checkers for notebook 07's exercises (static graphs).

Each prints one line ("not done yet — hint: …", "✓ …" or "✗ <the mistake>: <hint>") and returns
None (not done), True (right) or False (wrong).  None of them raises.
"""
import io
import math
import operator
import timeit
import tokenize

import minitorch as mt
from minitorch import nn

from .checks import Stub, call_raising_stub
from .value import Value


# --- section 1's tracer and graphs, to build the exercises' test graphs ------------------------------
class Graph:
    """As the notebook's: input names, constants {name: number}, nodes (name, op, args), output."""

    def __init__(self, inputs, consts, nodes, output):
        self.inputs, self.consts, self.nodes, self.output = list(inputs), dict(consts), list(nodes), \
            output

    def __repr__(self):
        consts = ' '.join(f'{name}={value:g}' for name, value in self.consts.items())
        lines = [f'inputs {" ".join(self.inputs)} ; constants {consts or "-"}']
        lines += [f'  {name} = {op} {" ".join(args)}' for name, op, args in self.nodes]
        return '\n'.join(lines + [f'  return {self.output}'])


def trace(fn, *example):
    """The notebook's tracer: fn run once on Values, every Value made recorded, frozen to a Graph."""
    made = []
    plain_init = Value.__init__

    def recording_init(self, *args, **kwargs):
        plain_init(self, *args, **kwargs)
        made.append(self)

    Value.__init__ = recording_init
    try:
        inputs = [Value(x) for x in example]
        out = fn(*inputs)
    finally:
        Value.__init__ = plain_init
    names = {id(v): f'x{i}' for i, v in enumerate(inputs)}
    consts, nodes = {}, []

    def constant(number):
        consts[f'c{len(consts)}'] = number
        return f'c{len(consts) - 1}'

    def name(v):
        if id(v) not in names:
            names[id(v)] = constant(v.data)
        return names[id(v)]

    for v in made[len(inputs):]:
        if v._parents:
            op, args = v.op, [name(p) for p in v._parents]
            if op.startswith('**'):
                op, args = '**', args + [constant(float(op[2:]))]
            names[id(v)] = f't{len(nodes)}'
            nodes.append((names[id(v)], op, args))
    return Graph([f'x{i}' for i in range(len(inputs))], consts, nodes, name(out))


OPS = {'+': operator.add, '*': operator.mul, '**': operator.pow, 'tanh': math.tanh, 'exp': math.exp,
       'relu': lambda a: max(a, 0.0)}


def run(graph, *xs):
    env = {**graph.consts, **dict(zip(graph.inputs, xs))}
    for name, op, args in graph.nodes:
        env[name] = OPS[op](*[env[a] for a in args])
    return env[graph.output]


def fold_constants(graph):
    consts, nodes = dict(graph.consts), []
    for name, op, args in graph.nodes:
        if all(a in consts for a in args):
            consts[name] = OPS[op](*[consts[a] for a in args])
        else:
            nodes.append((name, op, args))
    return Graph(graph.inputs, consts, nodes, graph.output)


def _snapshot(graph):
    """Everything a pass must leave alone, as plain data."""
    return (list(graph.inputs), dict(graph.consts), [(n, op, list(a)) for n, op, a in graph.nodes],
            graph.output)


def _is_graph(thing):
    return all(hasattr(thing, a) for a in ('inputs', 'consts', 'nodes', 'output'))


def _close(a, b):
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12)


# --- exercise 1: remove x * 1 and x + 0 ---------------------------------------------------------------
_ONE = Value(1.0)               # a parameter equal to 1, made before tracing: a constant on the left


class _Case:
    """A test graph: label, the traced graph, inputs to run it on, how many nodes stay; kind says
    what it tests ('chain', 'left': the constant is the first arg, or None)."""

    def __init__(self, label, fn, example, inputs, kept, kind=None):
        self.label, self.graph, self.inputs = label, trace(fn, *example), inputs
        self.kept, self.kind = kept, kind


def _identity_cases():
    return [
        _Case('(x * 1).tanh()', lambda x: (x * 1).tanh(), (0.5,), [(0.5,), (-1.5,)], 1),
        _Case('x.tanh() * 1', lambda x: x.tanh() * 1, (0.5,), [(0.5,), (2.0,)], 1),
        _Case('1 * (x + 0) * y', lambda x, y: 1 * (x + 0) * y, (0.5, 2.0), [(0.5, 2.0), (-3.0, 0.25)],
              1, 'chain'),
        _Case('(one * x).exp(), one = Value(1.0) made before tracing', lambda x: (_ONE * x).exp(),
              (0.5,), [(0.5,), (-1.0,)], 1, 'left'),
        _Case('x * 0 + x * 2 + 1', lambda x: x * 0 + x * 2 + 1, (0.5,), [(0.5,), (-2.0,)], 4),
    ]


def check_remove_identities(remove_identities):
    try:
        return _check_remove_identities(remove_identities)
    except Stub:
        print('not done yet — hint: walk graph.nodes in order; a node (name, "*", args) with one arg '
              'naming a constant equal to 1 (or "+" and 0) is dropped, and later args (and '
              'graph.output) that read its name read its other arg instead')
        return None


def _check_remove_identities(remove_identities):
    for case in _identity_cases():
        graph, before = case.graph, _snapshot(case.graph)
        result, crash = call_raising_stub(f'remove_identities(trace of {case.label})', remove_identities,
                                          graph)
        if crash:
            print(crash)
            return False
        if _snapshot(graph) != before:
            print('✗ your pass changed the graph it was given: a pass returns a new Graph and leaves '
                  'its input as it was (build new lists: nodes = [], consts = dict(graph.consts))')
            return False
        if not _is_graph(result):
            print(f'✗ remove_identities returned {type(result).__name__}: return a Graph(inputs, '
                  f'consts, nodes, output)')
            return False
        problem = _identity_problem(case, result)
        if problem:
            print(f'✗ {problem}')
            return False
    print('✓ remove_identities: x * 1, 1 * x, x + 0 and 0 + x are gone, chains and the output '
          'renamed, x * 0 and x + 1 kept, the given graph untouched')
    return True


def _identity_problem(case, result):
    label, graph, inputs, kept = case.label, case.graph, case.inputs, case.kept
    removed = {name for name, _, _ in graph.nodes} - {name for name, _, _ in result.nodes}
    try:
        got = [run(result, *xs) for xs in inputs]
    except KeyError as err:
        return _missing_name(case, result, err.args[0], removed)
    except Exception as err:
        return f'running your graph for {label} raised {type(err).__name__}: {err}'
    want = [run(graph, *xs) for xs in inputs]
    if len(result.nodes) < kept or not all(_close(g, w) for g, w in zip(got, want)):
        return (f'for {label}: your graph computes {got[0]:g} instead of {want[0]:g} — it removed a '
                f'node that is not an identity. x * 0 is 0 and x + 1 is not x — only a product with '
                f'the constant 1 and a sum with the constant 0 leave x unchanged')
    if len(result.nodes) > kept:
        if case.kind == 'left':
            return (f'for {label}: the node multiplying by the constant 1 is still there: here the '
                    f'constant is the *first* arg (a parameter equal to 1) — look at both args')
        unit = {'*': 1.0, '+': 0.0}
        left = [f'{n} = {op} {" ".join(a)}' for n, op, a in result.nodes
                if op in unit and any(result.consts.get(x) == unit[op] for x in a)]
        return (f'for {label}: {len(result.nodes)} nodes stay, expected {kept} ({"; ".join(left)}): '
                f'an arg names a constant when it is a key of graph.consts, and its value is '
                f'graph.consts[name]')
    return None


def _missing_name(case, result, missing, removed):
    label, graph = case.label, case.graph
    if missing in graph.consts:
        return (f'for {label}: your graph has no constant {missing!r}: the new Graph needs the '
                f'constants of the old one (pass graph.consts on)')
    if missing == result.output:
        return (f'for {label}: graph.output is {missing!r}, a node you removed: when the output '
                f'itself is an identity, the new Graph returns its other arg')
    if missing in removed:
        if case.kind == 'chain':
            return (f'for {label}: a node still reads {missing!r}, which you removed: here the two '
                    f'identities form a chain (1 * t, where t = x + 0 is gone too). Rename the args '
                    f'of each node as you meet it, before deciding whether it is an identity, so a '
                    f'name always points at what survives')
        return (f'for {label}: a later node still reads {missing!r}, which your pass removed: '
                f'when you drop t = x * 1, every later use of t must read x instead (keep a dict '
                f'of renames and apply it to each node\'s args)')
    return f'running your graph for {label} found no value named {missing!r}'


# --- exercise 2: dead-code elimination on minitorch's graphs ----------------------------------------
def _dead_code_graphs():
    """(label, graph): traced, not optimized, each with dead nodes."""
    mt.manual_seed(7)
    w = mt.randn(4, 3, requires_grad=True)

    def loss_with_metric(x, y):
        pred = x @ w
        error = (pred - y).abs().mean()         # never returned  # noqa: F841
        return (pred - y).pow(2).sum()

    model = nn.Sequential(nn.Linear(4, 5), nn.Tanh(), nn.Linear(5, 3))
    opt = mt.optim.SGD(model.parameters(), lr=0.1)

    def train_step(x, y):
        pred = model(x)
        loss = (pred - y).pow(2).mean()
        hits = (pred.argmax(dim=1) == y.argmax(dim=1)).float().mean()     # never returned # noqa
        loss.backward()
        opt.step()
        opt.zero_grad()                         # clears the .grads: state writes of None
        return loss

    x, y = mt.randn(6, 4), mt.randn(6, 3)
    graphs = []
    for label, fn in (('a loss with an unused metric', loss_with_metric),
                      ('a training step with an unused accuracy', train_step)):
        traced = mt.static.function(fn, optimize=False)
        traced(x, y)
        graphs.append((label, traced.graph))
    return graphs


def check_eliminate_dead_code(eliminate_dead_code):
    try:
        return _check_eliminate_dead_code(eliminate_dead_code)
    except Stub:
        print('not done yet — hint: start with the values in graph.outputs and the w.value of '
              'graph.writes; walk reversed(graph.nodes), keep a node when one of its outputs is '
              'needed, and then its inputs are needed too')
        return None


def _check_eliminate_dead_code(eliminate_dead_code):
    reference = mt.static.passes.eliminate_dead_code
    for label, graph in _dead_code_graphs():
        before = list(graph.nodes)
        result, crash = call_raising_stub(f'eliminate_dead_code({label})', eliminate_dead_code, graph)
        if crash:
            none = ' — a state write whose value is None clears a .grad: skip it' \
                if "'NoneType'" in crash else ''
            print(crash + none)
            return False
        if list(graph.nodes) != before:
            print('✗ your pass changed the graph it was given: start from out = graph.copy() and give '
                  'it a new list (out.nodes = [...]) rather than removing from graph.nodes')
            return False
        if not hasattr(result, 'nodes') or not hasattr(result, 'writes'):
            print(f'✗ eliminate_dead_code returned {type(result).__name__}: return a graph — '
                  f'out = graph.copy(), then out.nodes = the nodes you keep')
            return False
        expected, _ = reference(graph)
        problem = _dead_code_problem(label, graph, list(result.nodes), list(expected.nodes))
        if problem:
            print(f'✗ {problem}')
            return False
    print('✓ eliminate_dead_code: the same nodes as mt.static.passes.eliminate_dead_code, in order — '
          'outputs, state writes and everything they read kept, the unused metrics gone')
    return True


def _dead_code_problem(label, graph, got, expected):
    if got == expected:
        return None
    kept, wanted = set(got), set(expected)
    if kept == wanted:
        return (f'for {label}: you kept the right nodes but out of order: a graph runs its nodes in '
                f'list order — if you collected them walking backwards, reverse the list at the end')
    missing = [n for n in expected if n not in kept]
    if missing:
        written = {w.value for w in graph.writes if w.value is not None}
        updates = [n for n in missing if any(v in written for v in n.outputs)]
        if updates:
            return (f'for {label}: you removed {len(missing)} needed nodes, among them '
                    f'{_names(updates)}, whose results are written back to state (new weights, '
                    f'a .grad, optimizer buffers): a training step\'s results include its state '
                    f'writes — count every w.value of graph.writes (skip None) as needed')
        return (f'for {label}: you removed {len(missing)} nodes that needed nodes read '
                f'({_names(missing)}): when you keep a node, its inputs become needed too — walk '
                f'reversed(graph.nodes), so that you meet every reader of a value before its maker')
    extra = [n for n in got if n not in wanted]
    return (f'for {label}: {len(extra)} dead nodes are still there ({_names(extra)}): keep a node '
            f'only when one of its outputs is needed')


def _names(nodes, most=4):
    """'add ×4, mul, matmul ×2' (the op names, each once, in order)."""
    counts = {}
    for node in nodes:
        counts[node.name] = counts.get(node.name, 0) + 1
    names = [name if count == 1 else f'{name} ×{count}' for name, count in counts.items()]
    return ', '.join(names[:most]) + (', …' if len(names) > most else '')


# --- exercise 3: compile a traced graph to Python source ---------------------------------------------
_W = (Value(0.8), Value(-0.6), Value(0.1))
_NEGATIVE = Value(-1.5)


def _neuron(x0, x1):
    w0, w1, b = _W
    norm = (w0 * w0 + w1 * w1) ** 0.5
    return ((w0 * x0 + w1 * x1) / norm + b).tanh()


def _dead_end(x):
    out = x.tanh() * 3
    x.exp()                                   # recorded, never used: the last node is dead
    return out


def _source_cases():
    """(label, graph, inputs)."""
    neuron = trace(_neuron, 1.0, 2.0)
    return [
        ('the neuron of section 1', neuron, [(1.0, 2.0), (-0.3, 0.7)]),
        ('(x * y).relu() + (x + -2.5).exp()',
         trace(lambda x, y: (x * y).relu() + (x + -2.5).exp(), 1.0, 2.0), [(1.0, 2.0), (-1.0, 3.0)]),
        ('the folded neuron', fold_constants(neuron), [(1.0, 2.0), (0.5, -2.0)]),
        ('w ** 2 * x, w = Value(-1.5)', trace(lambda x: _NEGATIVE ** 2 * x, 1.0), [(1.0,), (2.0,)]),
        ('out = x.tanh() * 3; x.exp(); return out', trace(_dead_end, 0.5), [(0.5,), (-1.0,)]),
    ]


def check_to_source(to_source, compile_source):
    try:
        return _check_to_source(to_source, compile_source)
    except Stub:
        print('not done yet — hint: build a list of lines — "def compiled(x0, x1):", one '
              '"    t0 = <expression>" per node (math.tanh(a), max(a, 0.0), a ** b, …), '
              '"    return <graph.output>" — and join them with "\\n"')
        return None


def _check_to_source(to_source, compile_source):
    for label, graph, inputs in _source_cases():
        source, crash = call_raising_stub(f'to_source({label})', to_source, graph)
        if crash:
            print(crash)
            return False
        if not isinstance(source, str):
            print(f'✗ to_source returned {type(source).__name__}: return the source text, a str')
            return False
        problem = _loop_problem(source) or _source_problem(label, graph, inputs, source,
                                                           compile_source)
        if problem:
            print(f'✗ {problem}')
            return False
    compiled, interpreted = _speeds(to_source, compile_source)
    print(f'✓ to_source: straight-line code, the same values as run() — what minitorch\'s .code is '
          f'for its graphs. The neuron of section 1 compiled: {compiled:.2f} µs per call; run(): '
          f'{interpreted:.2f} µs')
    return True


def _speeds(to_source, compile_source):
    """µs per call of the neuron's graph compiled by the learner's to_source, and run by run()."""
    graph = trace(_neuron, 1.0, 2.0)
    fn = compile_source(to_source(graph))
    return tuple(min(timeit.repeat(call, number=1000, repeat=3)) / 1000 * 1e6
                 for call in (lambda: fn(0.3, -0.7), lambda: run(graph, 0.3, -0.7)))


def _loop_problem(source):
    try:
        words = {t.string for t in tokenize.generate_tokens(io.StringIO(source).readline)
                 if t.type == tokenize.NAME}
    except (tokenize.TokenError, IndentationError, SyntaxError):
        return None                             # compile_source names the syntax error
    if words & {'for', 'while'}:
        return ('the generated function loops: that is run() again, an interpreter. Loop in '
                'to_source instead, writing one line per node, so that the function it makes has '
                'no loop at all')
    return None


def _source_problem(label, graph, inputs, source, compile_source):
    try:
        fn = compile_source(source)
    except SyntaxError as err:
        return (f'the source for {label} does not parse ({err.msg}, line {err.lineno}: '
                f'{(err.text or "").strip()!r}); print(to_source(g)) to see it')
    except Exception as err:
        return f'compile_source(your source for {label}) raised {type(err).__name__}: {err}'
    for xs in inputs:
        want = run(graph, *xs)
        try:
            got = fn(*xs)
        except NameError as err:
            return _name_problem(label, graph, err)
        except Exception as err:
            return f'your function for {label} raised {type(err).__name__}: {err}'
        if isinstance(got, (int, float)) and _close(got, want):
            continue
        return _wrong_value(label, graph, xs, got, want, fn)
    return None


def _name_problem(label, graph, err):
    missing = getattr(err, 'name', None) or str(err).split("'")[1]
    if missing == 'OPS' or missing == 'graph' or missing == 'run':
        return (f'your function reads {missing} when it runs: that is the interpreter again — write '
                f'each op as a Python expression (a * b, math.tanh(a)) into the source')
    if missing in ('tanh', 'exp', 'pow', 'relu'):
        return (f'for {label}: the name {missing!r} is not defined when your function runs: write '
                f'math.tanh(a), math.exp(a), a ** b and max(a, 0.0) — math is in its namespace')
    if missing in graph.consts:
        where = (' (a folded graph has constants named t… too: graph.consts holds them all)'
                 if missing.startswith('t') else '')
        return (f'for {label}: the name {missing!r} is not defined when your function runs: '
                f'constants are not arguments — write repr(graph.consts[name]) into the source, or '
                f'assign every constant to its name at the top of the function{where}')
    return f'for {label}: your function raised NameError: {err}'


def _wrong_value(label, graph, xs, got, want, fn):
    if not isinstance(got, (int, float)):
        return f'your function for {label} returned {type(got).__name__} {got!r}: return a number'
    env = {**graph.consts, **dict(zip(graph.inputs, xs))}
    for name, op, args in graph.nodes:
        env[name] = OPS[op](*[env[a] for a in args])
    last = graph.nodes[-1][0] if graph.nodes else None
    if last and last != graph.output and _close(got, env[last]):
        return (f'for {label}: your function returns {last}, the last node, but the graph returns '
                f'{graph.output}: a trace records everything that ran, dead code included — '
                f'return graph.output')
    if len(xs) > 1:
        try:
            if _close(fn(*reversed(xs)), want):
                names = ', '.join(graph.inputs)
                return (f'for {label}: the arguments are in the wrong order: def f({names}) takes '
                        f'them in the order of graph.inputs')
        except Exception:
            pass
    if 'Value(-1.5)' in label and _close(got, -want):
        return (f'for {label}: your function gives {got:g}, expected {want:g}: in Python -1.5 ** 2.0 '
                f'is -(1.5 ** 2.0). Put a constant written into the source in parentheses, '
                f'(-1.5) ** 2.0, or assign it to its name first')
    return (f'for {label} with inputs {xs}: your function gives {got:g}, expected {want:g}: print '
            f'to_source(g) beside g and compare them line by line')
