"""Checkers for notebook 05's exercises (dynamic graphs).

Each prints one line ("not done yet — hint: …", "✓ …" or "✗ <the mistake>: <hint>") and returns
None (not done), True (right) or False (wrong).  None of them raises.
"""
import math

import minitorch as mt
from minitorch import nn

from .checks import Stub, call_raising_stub
from .value import Value


# --- exercise 1: max for the course's Value ---------------------------------------------------------
def check_value_max(value_max):
    try:
        return _check_value_max(value_max)
    except Stub:
        print('not done yet — hint: either return the larger input itself (a Python if), or build '
              'a new Value with parents (a, b) whose _backward adds out.grad to the winner\'s grad')
        return None


def _check_value_max(value_max):
    a, b = Value(2.0), Value(-1.0)
    out, crash = call_raising_stub('value_max(Value(2.0), Value(-1.0))', value_max, a, b)
    if crash:
        print(crash)
        return False
    if not isinstance(out, Value):
        print(f'✗ value_max returned {type(out).__name__} {out!r}: return a Value, so that the result '
              f'can be used in further operations and backward can reach a and b through it')
        return False
    problem = _forward_problem(value_max) or _gradient_problem(value_max)
    if problem:
        print(f'✗ {problem}')
        return False
    problem = _sequence_problem(value_max)
    if problem:
        print(f'✗ {problem}')
        return False
    if out is a:
        print('✓ value_max: you returned the winner itself — no new node. The if ran in Python, the '
              'graph holds only the branch taken, and backward follows it: define-by-run')
    else:
        print('✓ value_max: a new op whose backward sends out.grad to the input that won, added '
              'with +=, as mt.maximum does')
    return True


def _forward_problem(value_max):
    for x, y in ((2.0, -1.0), (-1.0, 2.0), (0.5, 0.25)):
        out, crash = call_raising_stub(f'value_max(Value({x}), Value({y}))', value_max, Value(x), Value(y))
        if crash:
            return crash[2:]
        got = out.data if isinstance(out, Value) else out
        if got == min(x, y):
            return (f'value_max(Value({x}), Value({y})).data is {got}, the smaller one: compare '
                    f'a.data >= b.data and keep the larger')
        if got != max(x, y):
            return (f'value_max(Value({x}), Value({y})).data is {got}, expected {max(x, y)}: the '
                    f'result holds the larger of the two numbers')
    return None


def _grads(value_max, x, y, passes=1):
    """(a.grad, b.grad) after `passes` backward calls through 3 · value_max(a, b)."""
    a, b = Value(x), Value(y)
    out = value_max(a, b) * 3.0
    for _ in range(passes):
        out.backward()
    return a.grad, b.grad


def _gradient_problem(value_max):
    for x, y in ((2.0, -1.0), (-1.0, 2.0)):
        try:
            ga, gb = _grads(value_max, x, y)
        except Exception as err:
            return f'backward through 3 · value_max(a, b) raised {type(err).__name__}: {err}'
        win, lose = (ga, gb) if x > y else (gb, ga)
        where = f'a = {x}, b = {y}: d(3·max)/da = {ga:g}, d/db = {gb:g}'
        if (win, lose) == (3.0, 0.0):
            continue
        if win == 0 and lose == 0:
            return (f'no gradient reached a or b ({where}): a new Value needs (a, b) as its parents '
                    f'and a _backward — or return the winner itself')
        if win == 0 and lose == 3.0:
            return (f'the gradient went to the smaller input ({where}): only the input that won '
                    f'influences max(a, b)')
        if lose != 0:
            return (f'the input that lost got a gradient ({where}): a small change of the smaller '
                    f'input does not change max(a, b), so its gradient is 0')
        if win == 1.0:
            return (f'{where}, expected 3: the chain rule multiplies the local derivative (1) by '
                    f'out.grad, the gradient arriving from above — add out.grad, not 1')
        return f'{where}, expected 3 for the larger input and 0 for the other'
    ga, _ = _grads(value_max, 2.0, -1.0, passes=2)
    if ga != 6.0:
        return (f'after two backward() calls d/da is {ga:g}, expected 6: backward adds into the '
                f'leaves, and your _backward sets the gradient with `=` (a.grad = …), which '
                f'overwrites what was there — write a.grad += …')
    return None


def _sequence_problem(value_max):
    """A running max over a sequence that reuses its values, against mt.maximum."""
    xs = [0.3, 1.7, -0.4, 1.2]
    vs = [Value(x) for x in xs]
    ts = [mt.tensor(x, dtype=mt.float64, requires_grad=True) for x in xs]
    try:
        m, tm = vs[0], ts[0]
        for v, t in zip(vs[1:], ts[1:]):
            m, tm = value_max(m, v), mt.maximum(tm, t)
        out, tout = m * vs[1] + vs[1] * vs[3], tm * ts[1] + ts[1] * ts[3]
        out.backward()
        tout.backward()
    except Exception as err:
        return f'a running max over a sequence raised {type(err).__name__}: {err}'
    got = [v.grad for v in vs]
    want = [t.grad.item() for t in ts]
    if all(math.isclose(g, w, rel_tol=1e-9, abs_tol=1e-12) for g, w in zip(got, want)):
        return None
    return (f'a running max m over {xs}, then m·x1 + x1·x3: gradients {got}, mt.maximum gives '
            f'{want}. x1 reaches the output three ways (it wins the max, and is used twice): '
            f'each _backward must add (+=) its share, never assign (=)')


# --- exercise 2: a key for "the same graph" ---------------------------------------------------------
class _Deep(nn.Module):
    def __init__(self):
        super().__init__()
        self.layer = nn.Linear(4, 4)
        self.head = nn.Linear(4, 1)

    def forward(self, x, depth):
        h = x
        for _ in range(depth):
            h = self.layer(h).tanh()
        return self.head(h).pow(2).mean()


def _loss_pairs():
    """Pairs of losses: (description, first, second, should the keys be equal?)."""
    mt.manual_seed(5)
    net = _Deep()
    base = net(mt.randn(5, 4), 2)
    with mt.no_grad():                              # as after an optimizer step: new values
        for p in net.parameters():
            p += 0.1
    again = net(mt.randn(5, 4), 2)
    x, y = mt.randn(3, requires_grad=True), mt.randn(3, requires_grad=True)
    return net, [
        ('same', base, again, True),
        ('depth', base, net(mt.randn(5, 4), 3), False),
        ('batch', base, net(mt.randn(3, 4), 2), False),
        ('wiring', ((x * y).exp() * y).sum(), ((x * y).exp() * x).sum(), False),
    ]


def check_graph_key(graph_key):
    try:
        return _check_graph_key(graph_key)
    except Stub:
        print('not done yet — hint: walk back from out.grad_fn as recorded_ops does, number the '
              'nodes in the order you meet them, and describe each by its name(), its out_meta '
              'shapes and the numbers of the nodes in its next_functions — all in tuples')
        return None


def _check_graph_key(graph_key):
    net, pairs = _loss_pairs()
    keys = {}
    for name, first, second, _ in pairs:
        for which, out in (('first', first), ('second', second)):
            key, crash = call_raising_stub('graph_key(loss)', graph_key, out)
            if crash:
                print(crash)
                return False
            keys[name, which] = key
    try:
        for key in keys.values():
            hash(key)
    except TypeError:
        print(f'✗ the key is a {type(key).__name__} holding something unhashable, so it cannot be a '
              f'dict key (a cache is a dict): build it from tuples, strings and numbers, no lists')
        return False
    for name, first, second, equal in pairs:
        if (keys[name, 'first'] == keys[name, 'second']) != equal:
            print(f'✗ {_key_problem(name, keys[name, "first"])}')
            return False
    print('✓ graph_key: equal for two passes with the same ops and shapes (new data, new weights), '
          'different for another batch size, depth or wiring — a cache keyed on it reuses a graph '
          'exactly when it may')
    return True


def _key_problem(name, key):
    if name == 'same':
        return ('two passes that ran the same ops on same-shaped inputs (new data, weights after a '
                'step) got different keys, so a cache would never hit: ' + _what_changes(key))
    if name == 'batch':
        return ('a batch of 5 rows and a batch of 3 got the same key, but a graph planned for 5 rows '
                'cannot run 3: put each node\'s output shapes in the key (node.out_meta holds '
                '(shape, dtype, device) per output)')
    if name == 'depth':
        return ('depth 2 and depth 3 got the same key: walk the whole graph, every node reachable '
                'through next_functions, not just the last op')
    return ('((x·y).exp()·y).sum() and ((x·y).exp()·x).sum() got the same key: same ops, same '
            'shapes, but the last Mul reads y in one and x in the other. Number the nodes in the '
            'order you meet them and give, per node, the numbers of the nodes that feed it')


def _what_changes(key):
    found = set()

    def look(item, depth=0):
        if depth > 6:
            return
        if hasattr(item, 'next_functions'):
            found.add('node')
        elif isinstance(item, mt.Tensor):
            found.add('tensor')
        elif isinstance(item, float):
            found.add('float')
        elif isinstance(item, int) and not isinstance(item, bool) and item > 2 ** 32:
            found.add('id')
        elif isinstance(item, (tuple, list)):
            for sub in item:
                look(sub, depth + 1)
    look(key)
    if 'node' in found:
        return ('your key holds the node objects themselves, and every pass records new ones — '
                'describe each node by its name(), shapes and position instead')
    if 'id' in found:
        return ('your key holds id()s (numbers like ' + str(_first_id(key)) + '), new every pass — '
                'number the nodes 0, 1, 2, … in the order you meet them instead')
    if 'tensor' in found or 'float' in found:
        return ('your key holds values (tensors or floats), which change with the data and after '
                'every step — keep only names, shapes and how nodes connect')
    return 'keep only what stays the same across passes: op names, shapes and how nodes connect'


def _first_id(key):
    stack = [key]
    while stack:
        item = stack.pop()
        if isinstance(item, int) and not isinstance(item, bool) and item > 2 ** 32:
            return item
        if isinstance(item, (tuple, list)):
            stack.extend(item)
    return None
