"""Checkers for notebook 08's exercises (what it costs).

Each prints one line ("not done yet — hint: …", "✓ …" or "✗ <the mistake>: <hint>") and returns
None (not done), True (right) or False (wrong).  None of them raises.
"""
import minitorch as mt
from minitorch.autograd.dispatch import DispatchMode

from .checks import call, no_answer, raised


# --- exercise 1: OpStats, a profiler of calls and bytes -----------------------------------------
class _Reference(DispatchMode):
    """What OpStats should find, and the numbers of plausible mistakes beside it."""

    def __init__(self):
        self.calls, self.bytes, self.input_bytes, self.first_bytes = {}, {}, {}, {}
        self.elements = {}

    def dispatch(self, fn, args, kwargs, run):
        out = run(fn, args, kwargs)
        name = fn.__name__
        outs = [t for t in (out if isinstance(out, tuple) else (out,)) if t is not None]
        sizes = [t.numel() * t.element_size() for t in outs]
        inputs = sum(a.numel() * a.element_size() for a in args if isinstance(a, mt.Tensor))
        for table, value in ((self.calls, 1), (self.bytes, sum(sizes)),
                             (self.input_bytes, inputs), (self.first_bytes, sizes[:1] and sizes[0]),
                             (self.elements, sum(t.numel() for t in outs))):
            table[name] = table.get(name, 0) + value
        return out


def _workload():
    """Two matmuls (one op called twice), relu, max over a dim (two outputs), sum, backward."""
    mt.manual_seed(0)
    x = mt.randn(6, 5, requires_grad=True)
    w = mt.randn(5, 4, requires_grad=True)

    def run():
        h = x.mm(w).relu()
        values, indices = h.mm(w.t()).max(dim=1)
        values.sum().backward()
        return values
    return run


def check_op_stats(OpStats):
    hint = ('not done yet — hint: in dispatch, out = run(fn, args, kwargs); add 1 to '
            'self.calls[fn.__name__] and the nbytes of the output tensors (numel() * element_size(), '
            'each tensor of a tuple) to self.bytes[fn.__name__]; return out')
    try:
        stats = OpStats()
    except NotImplementedError:
        print(hint)
        return None
    except Exception as err:
        print(f'✗ {raised("OpStats()", err)}')
        return False
    expected, run = _Reference(), _workload()
    with expected:
        run()
    outer, run = _Reference(), _workload()
    try:
        with outer:
            with stats:
                result = run()
    except NotImplementedError:
        print(hint)
        return None
    except AttributeError as err:
        if 'NoneType' in str(err):
            print('✗ your dispatch returned None, so the code that called the op got None instead '
                  f'of a tensor ({err}): return what run(fn, args, kwargs) returned')
            return False
        print(f'✗ {raised("the ops under OpStats", err)}')
        return False
    except Exception as err:
        print(f'✗ {raised("the ops under OpStats", err)}')
        return False
    return _judge_stats(stats, expected, outer, result)


def _judge_stats(stats, expected, outer, result):
    ran = sum(outer.calls.values())
    wanted = sum(expected.calls.values())
    if result is None:
        print('✗ your dispatch returned None: return what run(fn, args, kwargs) returned')
        return False
    if ran == 0:
        print('✗ the ops ran without run(fn, args, kwargs) (fn.forward or fn.apply called '
              'directly?): enclosing modes, such as a tracer or minitorch\'s profiler, never saw '
              'them. Call run(fn, args, kwargs) once and return its result')
        return False
    if ran >= 2 * wanted:
        print(f'✗ every op ran {ran // wanted} times ({ran} runs for {wanted} ops): call run(...) '
              'once, keep its result in a variable, count it, and return that same result')
        return False
    calls, sizes = getattr(stats, 'calls', None), getattr(stats, 'bytes', None)
    if not isinstance(calls, dict) or not isinstance(sizes, dict):
        print('✗ self.calls and self.bytes must be dicts (set them in __init__)')
        return False
    if any(not isinstance(k, str) for k in list(calls) + list(sizes)):
        print('✗ the keys must be op names, strings: use fn.__name__ (fn itself is a class)')
        return False
    if calls != expected.calls:
        if set(calls) == set(expected.calls) and all(v == 1 for v in calls.values()):
            print(f'✗ MatMul ran {expected.calls["MatMul"]} times but you counted '
                  f'{calls.get("MatMul")}: a second call of the same op replaced the first '
                  'count; add to it (self.calls.get(name, 0) + 1)')
        else:
            print(f'✗ calls: expected {expected.calls}, got {calls}')
        return False
    return _judge_bytes(sizes, expected)


def _judge_bytes(sizes, expected):
    if sizes == expected.bytes:
        print(f'✓ OpStats: {sum(expected.calls.values())} ops, {len(expected.calls)} kinds, '
              f'{sum(expected.bytes.values())} bytes of outputs — both outputs of max included')
        return True
    if sizes == expected.input_bytes:
        print('✗ you added the bytes of the op\'s inputs (args): the memory an op allocates is its '
              'output, the value run(...) returned')
        return False
    if sizes == expected.first_bytes:
        print(f'✗ x.max(dim=1) (op MaxDim) returned two tensors, values and indices, and you '
              f'counted only the first: expected {expected.bytes["MaxDim"]} bytes for MaxDim, got '
              f'{sizes.get("MaxDim")}; when the result is a tuple, add every tensor in it')
        return False
    if sizes == expected.elements:
        print('✗ those look like numbers of elements: bytes are numel() * element_size() (4 for '
              'float32, 8 for int64 indices)')
        return False
    print(f'✗ bytes: expected {expected.bytes}, got {sizes}')
    return False


# --- exercise 2: bytes held for backward ----------------------------------------------------------
def _graphs():
    """(name, the output tensor, expected bytes, the tensor saved several times or None)."""
    mt.manual_seed(0)
    a = mt.randn(50, 40, requires_grad=True)
    w = mt.randn(40, 30, requires_grad=True)
    c = mt.randn(30)                                    # needs no gradient: a (None, 0) edge
    t = a.mm(w).tanh()
    p = t * c
    chain = (p * 2).sum()           # saves only the number 2: p would serve 2's gradient only
    h = a.exp()
    diamond = (h.sin() + h.cos()).sum()                 # exp is reached along two paths
    square = (a * a).sum()                              # a saved twice by one node
    nbytes = 4
    return [('chain', chain, (a.numel() + w.numel() + t.numel() + c.numel()) * nbytes),
            ('diamond', diamond, h.numel() * nbytes), ('square', square, a.numel() * nbytes)]


def check_saved_bytes(saved_bytes):
    graphs = _graphs()
    got = {}
    for name, out, _ in graphs:
        got[name], status = call('saved_bytes', saved_bytes, out)
        if status != 'ok':
            return no_answer(status, 'hint: start from tensor.grad_fn, follow node.next_functions '
                                     '((node, output number) pairs; (None, 0) where no gradient '
                                     'flows), and add up numel() * element_size() of each node\'s '
                                     'saved_tensors', _saved_error_hint(status))
    return _judge_saved(got, {name: want for name, _, want in graphs})


def _saved_error_hint(status):
    """What the usual exceptions of a walk over the graph mean (status names the exception)."""
    if 'NoneType' in status:
        return (' — next_functions holds (None, 0) for an input that needs no gradient '
                '(c in c * t): skip those edges')
    if "'int'" in status or "'float'" in status:
        return (' — a saved entry can be a Python number (x * 2 saves the 2): count only tensors '
                '(isinstance(t, mt.Tensor))')
    return ''


def _judge_saved(got, want):
    if got == want:
        print(f'✓ saved_bytes: {want["chain"]} bytes behind the chain; each node and each saved '
              'tensor counted once')
        return True
    if got['chain'] == 0:
        print('✗ 0 bytes for a graph whose matmul saved both its inputs: the root node (the sum) '
              'saves nothing; walk on through node.next_functions to every node below it')
        return False
    if got['chain'] * 4 == want['chain']:
        print('✗ those are numbers of elements: bytes are numel() * element_size()')
        return False
    if got['diamond'] == 4 * want['diamond']:
        print('✗ the exp node, reached along two paths (sin and cos both read its output), was '
              'counted twice: keep a set of the nodes already visited')
        return False
    if got['diamond'] == 3 * want['diamond'] or got['square'] == 2 * want['square']:
        print('✗ one tensor saved by several nodes (exp, sin and cos all keep h; a * a keeps a '
              'twice) was counted each time; its memory is held once: count each saved tensor '
              'once (a set of id(tensor))')
        return False
    print(f'✗ expected {want}, got {got}')
    return False


# --- exercise 3: crossover ------------------------------------------------------------------------
_CASES = [   # sizes, fast, slow, expected, what it shows
    ([1, 2, 4, 8, 16], [1, 5, 5, 2, 1], [2, 4, 4, 3, 3], 8, 'wins at 1 by chance'),
    ([16, 32, 64, 128], [9, 9, 5, 1], [1, 2, 9, 9], 64, 'a plain crossover'),
    ([1, 2, 4, 8], [5, 5, 3, 3], [1, 1, 1, 1], None, 'never faster'),
    ([1, 2, 4, 8], [5, 2, 1, 1], [1, 2, 2, 2], 4, 'a tie at 2'),
]


def check_crossover(crossover):
    got = []
    for sizes, fast, slow, _, _ in _CASES:
        value, status = call('crossover', crossover, list(sizes), dict(zip(sizes, fast)),
                             dict(zip(sizes, slow)), none_is_stub=False)
        if status != 'ok':
            return no_answer(status, 'hint: walk the sizes from the largest down while fast[n] < '
                                     'slow[n]; the last size reached that way is the crossover')
        got.append(value)
    return _judge_crossover(got)


def _judge_crossover(got):
    for (sizes, fast, slow, want, what), value in zip(_CASES, got):
        if value == want:
            continue
        if value not in sizes and isinstance(value, int) and 0 <= value < len(sizes) and \
                sizes[value] == want:
            print('✗ you returned a position in the list; return the size itself (sizes[i])')
        elif what == 'wins at 1 by chance' and value == 1:
            print('✗ fast is faster at size 1 but slower again at 2 and 4: a crossover is the size '
                  'from which it *stays* faster; look from the largest size down')
        elif what == 'never faster':
            print(f'✗ fast is never faster here, so there is no crossover: return None (got '
                  f'{value!r})')
        elif what == 'a tie at 2' and value == 2:
            print('✗ at size 2 both take the same time: a tie is not faster (use <, not <=)')
        elif value is not None and want is not None and value in sizes and \
                sizes.index(value) + 1 < len(sizes) and sizes[sizes.index(value) + 1] == want:
            print(f'✗ {value} is the last size where fast still loses; the crossover is the next '
                  f'one, {want}')
        else:
            print(f'✗ for sizes {sizes}, fast {fast}, slow {slow} ({what}): expected {want!r}, '
                  f'got {value!r}')
        return False
    print('✓ crossover: the first size from which fast stays faster (None when it never is)')
    return True
