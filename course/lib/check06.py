"""Checkers for notebook 06's exercises (modules, optimizers and data).

Each prints one line ("not done yet — hint: …", "✓ …" or "✗ <the mistake>: <hint>") and returns
None (not done), True (right) or False (wrong).  None of them raises.
"""
import numpy as np

import minitorch as mt
from minitorch import nn, optim
from minitorch.nn import functional as F

from .checks import call, no_answer, raised


# --- exercise 1: named_parameters of the hand-built module -------------------------------------------
class _Tiny:
    """A module as the notebook's TinyModule stores it: own parameters, then children, by name."""

    def __init__(self, params=(), children=()):
        self._params = dict(params)
        self._children = dict(children)


def _trees():
    """The same model twice, as a hand-built tree and as an nn.Module: own parameter `scale`, a
    two-layer `encoder`, a `head` whose weight is tied to the encoder's first weight."""
    mt.manual_seed(6)

    class Model(nn.Module):
        def __init__(self):
            super().__init__()
            self.scale = nn.Parameter(mt.ones(1))
            self.encoder = nn.Sequential(nn.Linear(3, 3), nn.Linear(3, 3))
            self.head = nn.Linear(3, 3)
            self.head.weight = self.encoder[0].weight

    model = Model()
    layers = [_Tiny({'weight': lin.weight, 'bias': lin.bias}) for lin in model.encoder]
    tiny = _Tiny({'scale': model.scale},
                 {'encoder': _Tiny({}, {'0': layers[0], '1': layers[1]}),
                  'head': _Tiny({'weight': model.head.weight, 'bias': model.head.bias})})
    return tiny, model


def check_named_parameters(named_parameters):
    tiny, model = _trees()
    got, status = call('named_parameters(model)', _listed, named_parameters, tiny)
    if status != 'ok':
        return no_answer(status, "hint: yield (name, p) for module._params, then, for each child "
                                 "in module._children, the child's pairs with 'childname.' in "
                                 "front of each name")
    try:
        names = [str(name) for name, _ in got]
        params = [p for _, p in got]
    except Exception:
        print(f'✗ named_parameters gave {got[:3]!r}…: yield (name, parameter) pairs')
        return False
    want = list(model.named_parameters())
    return _judge_names(names, params, [n for n, _ in want], [p for _, p in want])


def _listed(named_parameters, module):
    """named_parameters(module) as a list: a generator runs, and may raise, only when it is read."""
    got = named_parameters(module)
    return got if got is None or got is Ellipsis else list(got)


def _judge_names(names, params, want_names, want_params):
    if names == want_names and all(p is q for p, q in zip(params, want_params)):
        print(f"✓ named_parameters: {', '.join(names)} — the names and order of "
              f"nn.Module.named_parameters, the tied weight once")
        return True
    problem = _name_problem(names, params, want_names)
    print(problem or f'✗ got the names {names}, expected {want_names}')
    return False


def _name_problem(names, params, want_names):
    ids = [id(p) for p in params]
    if names == ['scale']:
        return ("✗ only the top module's own parameters (['scale']): the weights live in the "
                "children (module._children) — call named_parameters on each child too")
    if any(n.startswith('.') for n in names):
        return (f"✗ {names[0]!r}: the top module's names start with a dot — put the dot after a "
                f"child's name ('encoder.'), so that the top level has no prefix")
    if len(set(names)) < len(names) and 'weight' in names:
        return ("✗ two parameters are both called 'weight': a child's parameters need the path to "
                "them in front, 'encoder.0.weight' — pass the prefix down as you recurse")
    if len(names) == len(want_names) and all('.' not in n for n in names[1:]):
        return (f"✗ {names[1]!r}: join a child's name and its parameter's name with a dot, as "
                f"'encoder.0.weight'")
    if len(names) > 1 and not any(n.startswith('encoder.0') for n in names):
        return (f"✗ encoder's own children are missing (got {names}): one loop over the children "
                f"is one level; recurse, so a child's children are listed too")
    first = {}
    for name, i in zip(names, ids):
        if i in first:
            return (f"✗ the tied weight is listed twice, as {first[i]!r} and as {name!r}: it is one "
                    f"tensor — list each parameter once (keep a set of the ids you have yielded), "
                    f"or an optimizer would step it twice")
        first[i] = name
    if sorted(names) == sorted(want_names):
        return (f"✗ the right names in another order: {names}. nn.Module lists a module's own "
                f"parameters first, then each child's in the order they were assigned — "
                f"state_dict() and optimizers rely on that order")
    return None


# --- exercise 2: RMSprop by hand ---------------------------------------------------------------------
LR, ALPHA, EPS, STEPS = 0.01, 0.9, 0.1, 3     # a large eps: where it goes shows


def _train(make_optimizer):
    """Parameters of a small linear model after STEPS steps; the optimizer's own step() updates."""
    mt.manual_seed(4)
    model = nn.Linear(3, 2)
    x = mt.randn(6, 3)
    opt = make_optimizer(list(model.parameters()))
    for _ in range(STEPS):
        for p in model.parameters():
            p.grad = None
        model(x).pow(2).mean().backward()
        opt.step()
    return [p.detach().numpy().copy() for p in model.parameters()], model


class _Rule:
    """One RMSprop variant, for naming a mistake by the parameters it leads to."""

    def __init__(self, params, update):
        self.params, self.update, self.t = params, update, 0
        self.s = [np.zeros(p.shape, np.float64) for p in params]

    def step(self):
        self.t += 1
        with mt.no_grad():
            for i, p in enumerate(self.params):
                g = p.grad.numpy().astype(np.float64)
                self.s[i], delta = self.update(self.s[i], g, self.t)
                p -= mt.tensor(delta.astype(np.float32))


MISTAKES = [
    (lambda s, g, t: (ALPHA * s + (1 - ALPHA) * g * g,
                      LR * g / np.sqrt(ALPHA * s + (1 - ALPHA) * g * g + EPS)),
     'eps inside the square root: PyTorch adds eps to sqrt(s), after the root — '
     'g / (s.sqrt() + eps)'),
    (lambda s, g, t: (ALPHA * s + g * g, LR * g / (np.sqrt(ALPHA * s + g * g) + EPS)),
     'the new g² is added at full weight: the running average mixes in (1 − alpha)·g², so '
     's = alpha·s + (1 − alpha)·g²'),
    (lambda s, g, t: ((1 - ALPHA) * g * g, LR * g / (np.sqrt((1 - ALPHA) * g * g) + EPS)),
     'the average starts afresh every step: s must be kept between steps (one tensor per '
     'parameter, made in __init__) and updated in place'),
    (lambda s, g, t: (ALPHA * s + (1 - ALPHA) * g * g,
                      LR * g / (np.sqrt((ALPHA * s + (1 - ALPHA) * g * g) / (1 - ALPHA ** t)) + EPS)),
     "a bias correction s / (1 − alpha^t) as in Adam: PyTorch's RMSprop has none"),
    (lambda s, g, t: (ALPHA * s + (1 - ALPHA) * g * g,
                      LR * g / (ALPHA * s + (1 - ALPHA) * g * g + EPS)),
     'divided by s itself: divide by its square root, sqrt(s) + eps (the root mean square of '
     'the gradients — the "RMS" of RMSprop)'),
]


def check_rmsprop(HandRMSprop):
    make = lambda ps: HandRMSprop(ps, lr=LR, alpha=ALPHA, eps=EPS)    # noqa: E731
    try:
        got, model = _train(make)
    except NotImplementedError:
        print('not done yet — hint: keep one running average s per parameter (mt.zeros_like), '
              'and in step(), inside mt.no_grad(): s = alpha·s + (1 − alpha)·g², '
              'p −= lr·g / (√s + eps)')
        return None
    except RuntimeError as err:
        if 'in-place' in str(err) or 'no_grad' in str(err):
            print('✗ the step ran without mt.no_grad(): updating a parameter in place while autograd '
                  'records is refused (the update would become part of the next graph). Wrap the '
                  f'updates in `with mt.no_grad():`. The error was: {err}')
        else:
            print(f'✗ {raised("training with HandRMSprop", err)}')
        return False
    except Exception as err:
        print(f'✗ {raised("training with HandRMSprop", err)}')
        return False
    return _judge_rmsprop(got, model)


def _judge_rmsprop(got, model):
    start, _ = _train(lambda ps: _Rule(ps, lambda s, g, t: (s, 0 * g)))
    expected, _ = _train(lambda ps: optim.RMSprop(ps, lr=LR, alpha=ALPHA, eps=EPS))
    if any(p.grad_fn is not None for p in model.parameters()):
        print('✗ after step() a parameter has a grad_fn: the update was recorded — do it inside '
              '`with mt.no_grad():`, in place (p -= …)')
        return False
    if all(np.array_equal(g, s) for g, s in zip(got, start)):
        print('✗ the parameters did not change: `p = p - …` only binds the name p to a new tensor '
              '(the model keeps the old one); update in place, `p -= …`, inside mt.no_grad()')
        return False
    if _close(got, expected):
        print(f'✓ HandRMSprop moves the parameters as optim.RMSprop does, {STEPS} steps')
        return True
    for update, hint in MISTAKES:
        if _close(got, _train(lambda ps: _Rule(ps, update))[0]):
            print(f'✗ {hint}')
            return False
    worst = max(float(np.max(np.abs(g - e))) for g, e in zip(got, expected))
    print(f'✗ after {STEPS} steps the parameters differ from optim.RMSprop (lr={LR}, alpha={ALPHA}, '
          f'eps={EPS}) by up to {worst:.3g}: compare your step with s = alpha·s + (1 − alpha)·g², '
          f'p −= lr·g / (√s + eps), one s per parameter')
    return False


def _close(a, b):
    return all(x.shape == y.shape and np.allclose(x, y, rtol=1e-4, atol=1e-6) for x, y in zip(a, b))


# --- exercise 3: build a convolution from im2col ----------------------------------------------------
CASES = [dict(stride=1, padding=0), dict(stride=1, padding=1), dict(stride=2, padding=1)]


def _reference(x, weight, bias, stride, padding):
    return F.conv2d(mt.tensor(x), mt.tensor(weight), mt.tensor(bias), stride=stride,
                    padding=padding).numpy()


def check_conv2d(conv2d_by_hand):
    rng = np.random.default_rng(6)
    x = rng.standard_normal((2, 3, 7, 7))
    weight = rng.standard_normal((4, 3, 3, 3))
    bias = rng.standard_normal(4)
    for case in CASES:
        label = f'conv2d_by_hand(x, weight, bias, stride={case["stride"]}, padding={case["padding"]})'
        got, status = call(label, conv2d_by_hand, x.copy(), weight.copy(), bias.copy(), **case)
        if status != 'ok':
            return no_answer(status, 'hint: pad x, view its windows with '
                                     'np.lib.stride_tricks.as_strided (shape '
                                     '(N, C, kh, kw, oh, ow)), reshape them into columns '
                                     '(N, C·kh·kw, oh·ow), then weight.reshape(C_out, -1) @ '
                                     'columns + bias')
        problem = _conv_problem(np.asarray(got), x, weight, bias, **case)
        if problem:
            print(f'✗ {label}: {problem}')
            return False
    print('✓ conv2d_by_hand equals F.conv2d (stride 1 and 2, padding 0 and 1): one strided view, '
          'one copy into columns, one matrix product')
    return True


def _conv_problem(got, x, weight, bias, stride, padding):
    want = _reference(x, weight, bias, stride, padding)
    if got.shape != want.shape:
        return _shape_problem(got.shape, want.shape, x, weight, stride, padding)
    if np.allclose(got, want, rtol=1e-6, atol=1e-8):
        return None
    c_out, c, kh, kw = weight.shape
    variants = [
        (weight[:, :, ::-1, ::-1], bias,
         'you flipped the kernel — that is the convolution of mathematics. Deep-learning libraries '
         'compute cross-correlation: window times kernel, element by element, no flip'),
        (weight, 0 * bias, 'the bias is missing: add bias.reshape(C_out, 1) to every column'),
        (weight.reshape(c_out, kh, kw, c).transpose(0, 3, 1, 2), bias,
         'the rows of your columns are ordered (kernel row, kernel column, channel), but '
         'weight.reshape(C_out, -1) is ordered (channel, kernel row, kernel column): the window '
         'view must be (N, C, kh, kw, oh, ow) before the reshape'),
    ]
    for w, b, hint in variants:
        if np.allclose(got, _reference(x, np.ascontiguousarray(w), b, stride, padding), rtol=1e-6,
                       atol=1e-8):
            return hint
    if np.allclose(got, want.transpose(0, 1, 3, 2), rtol=1e-6, atol=1e-8):
        return ('the output is transposed (height and width swapped): the windows must run along '
                'a row first (ow fastest), as out.reshape(N, C_out, oh, ow) reads them')
    worst = float(np.max(np.abs(got - want)))
    return (f'the values differ from F.conv2d by up to {worst:.3g}: check the strides of the window '
            f'view — moving one window right steps stride·x.strides[3] bytes, one offset right '
            f'steps x.strides[3]')


def _shape_problem(got, want, x, weight, stride, padding):
    n, c, h, w = x.shape
    kh = weight.shape[2]
    unpadded = (h - kh) // stride + 1
    unstrided = h + 2 * padding - kh + 1
    if padding and got[2:] == (unpadded, unpadded):
        return (f'shape {got}, expected {want}: the padding is missing — np.pad the image by '
                f'`padding` zeros on each side of H and W first')
    if stride > 1 and got[2:] == (unstrided, unstrided):
        return (f'shape {got}, expected {want}: stride is ignored — neighbouring windows start '
                f'`stride` pixels apart, so their stride in the view is stride·x.strides')
    return (f'shape {got}, expected {want} = (N, C_out, oh, ow) with oh = (H + 2·padding − kh) // '
            f'stride + 1')
