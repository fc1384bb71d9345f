"""A fused elementwise node: a group of elementwise ops run as one.

The fusion pass (passes/fuse.py) turns a group of elementwise nodes into one node whose op is a
FusedElementwise made for its Program: the steps in order, each an elementwise primitive applied to
the node's inputs, earlier steps or Python numbers.  `print(op.program)` shows them:

    s0 = multiply(1.5, x0)
    s1 = add(s0, 0.5)
    s2 = tanh(s1)
    ...

On the CPU the steps run as array-module calls that write into reused buffers (`out=`), so a chain
of same-shape steps allocates its result once, where one op after another allocates a result per op.
The straight-line code for that is generated, as for the whole graph (`op.source()` shows it).
With CuPy the program becomes one generated CUDA kernel instead (kernels.py): one read of each
input, one write of the result, no intermediate arrays at all.
"""
from typing import NamedTuple

import numpy as np

from ..autograd.function import Primitive
from ..ops.elementwise import module_of
from .codegen import bind_name, forward_of, plain_ufunc
from .ir import op_name


class Step(NamedTuple):
    """One elementwise op of a program: op applied to operands, each ('input', i), ('step', k) or
    ('const', number); shape and dtype of its result."""
    op: type
    operands: tuple
    shape: tuple
    dtype: np.dtype

    @property
    def is_ufunc(self):
        """Whether the op is exactly xp.<ufunc> (its forward was made from it): it takes `out=`."""
        return plain_ufunc(self.op) is not None


class Program(NamedTuple):
    """What a fused node computes: its inputs' (shape, dtype), its steps (the last: the result)."""
    inputs: tuple
    steps: tuple

    @property
    def result(self):
        """The last step: the one whose value the fused node returns."""
        return self.steps[-1]

    def last_reads(self):
        """{('input', i) or ('step', k): index of the last step that reads it}."""
        last = {}
        for k, step in enumerate(self.steps):
            for ref in step.operands:
                if ref[0] != 'const':
                    last[ref] = k
        return last

    def __str__(self):
        lines = []
        for k, step in enumerate(self.steps):
            args = ', '.join(operand_text(ref) for ref in step.operands)
            name = step.op.ufunc if step.is_ufunc else op_name(step.op)
            lines.append(f's{k} = {name}({args})')
        return '\n'.join(lines)


def operand_text(ref):
    """An operand as the printed program shows it: x0 (an input), s3 (a step), 1.5 (a number)."""
    kind, what = ref
    return f'x{what}' if kind == 'input' else f's{what}' if kind == 'step' else repr(what)


def label(program, most=10):
    """The node's printed name: fused[mul add tanh ...] (long groups end with '... and n more')."""
    names = [op_name(step.op) for step in program.steps]
    if len(names) > most:
        names = names[:most - 2] + [f'and {len(names) - most + 2} more']
    return f'fused[{" ".join(names)}]'


class FusedElementwise(Primitive):
    """Base of fused elementwise ops: `FusedElementwise.of(program)` is the op of one program (its
    printed name lists the steps).  forward(ctx, *arrays, out=None) runs the program and returns
    the result.  out: an array of the result's shape and dtype whose values are no longer needed
    (one of the inputs, even); the program writes into it, and its result is out itself unless
    the last step is an op that makes its own result (not a plain ufunc)."""
    differentiable = False
    accepts_out = True
    program = None
    op_name = 'fused'

    @classmethod
    def of(cls, program):
        """The op (a subclass, made once per program) that runs program."""
        found = _OPS.get(program)
        if found is None:
            found = _OPS[program] = type('Fused', (cls,), {
                'program': program, 'op_name': label(program), '_runners': {},
                '__doc__': f'Fused elementwise op:\n{program}'})
        return found

    @classmethod
    def forward(cls, ctx, *arrays, out=None, free=()):
        """The program's result on arrays (see the class doc for out; free: the positions of inputs
        whose values are no longer needed after their last read, which the CPU path may reuse as
        buffers instead of allocating)."""
        runner = cls.codegen(module_of(arrays))
        return runner(*arrays, out=out, free=free) if free else runner(*arrays, out=out)

    @classmethod
    def codegen(cls, xp):
        """The function that runs the program on arrays of the array module xp (a generated CUDA
        kernel for CuPy, reused buffers otherwise); made once per array module."""
        found = cls._runners.get(id(xp))
        if found is None:
            if getattr(xp, '__name__', '') == 'cupy':
                from .kernels import GpuRunner
                runner = GpuRunner(cls.program, xp)
                fn = runner
            else:
                runner = CpuRunner(cls.program, xp)
                fn = runner.fn
            found = cls._runners[id(xp)] = (xp, fn, runner)   # xp kept: its id stays its own
        return found[1]

    @classmethod
    def variant_for(cls, xp, out_input, free):
        """For compiled code that knows where its out comes from (input out_input, or None) and
        which inputs are free: the CPU function for exactly that case, fn(*arrays, out), with no
        checks at run time; None on a GPU (one kernel handles every case)."""
        cls.codegen(xp)
        runner = cls._runners[id(xp)][2]
        if not isinstance(runner, CpuRunner):
            return None
        blocked = runner.input_last[out_input] if out_input is not None else 'none'
        key = (blocked, tuple(free)) if free else blocked
        return runner.variants.get(key) or runner._variant(blocked, tuple(free))

    @classmethod
    def source(cls, xp=np):
        """The generated Python of the CPU path (when no `out=` is passed)."""
        return CpuRunner(cls.program, xp).sources[None]


_OPS = {}


class CpuRunner:
    """Runs a program with array-module calls writing into reused buffers.

    A value lives in a buffer of its shape and dtype until its last reader; the next step of that
    shape and dtype may write there (in place is fine: elementwise, every element is read before it
    is written).  The result's buffer is the first one used.  When the caller passes `out=` and out
    shares memory with an input, no step writes into out before the last step that reads that input.
    One Python function is generated per such case (few: the step after which out may be written).
    """

    def __init__(self, program, xp):
        self.program, self.xp = program, xp
        self.last = program.last_reads()         # what every variant's buffer plan starts from
        self.input_last = [self.last.get(('input', i), -1) for i in range(len(program.inputs))]
        overlap = getattr(xp, 'may_share_memory', None) or (lambda a, b: True)
        self.sources, self.variants = {}, {}
        self.namespace = {'xp': xp, 'overlap': overlap, 'variants': self.variants,
                          'variant': self._variant}
        self.fn = self._variant(None)       # fn(*arrays, out=None): what a compiled graph calls

    def __call__(self, *arrays, out=None, free=()):
        return self.fn(*arrays, out=out, free=free)

    def _variant(self, blocked, free=()):
        """The function for a call without out (blocked None; given an out, it finds the last step
        reading an input that shares out's memory, and calls that variant), or with an out that no
        step may write before step `blocked` (-1: out shares memory with no input; 'none': no out).
        free: inputs that may serve as buffers after their last read."""
        source = self._source(blocked, free)
        exec(compile(source, f'<fused {label(self.program)}>', 'exec'), self.namespace)
        fn = self.namespace['fused']
        key = blocked if not free else (blocked, free)
        self.sources[key], self.variants[key] = source, fn
        return fn

    def _source(self, blocked, free=()):
        program, xp = self.program, self.xp
        params = [f'x{i}' for i in range(len(program.inputs))]
        lines, made = [], set()
        if blocked is None:
            lines += self._dispatch(params)
            params += ['out=None', 'free=()']
        elif blocked == 'none':
            params.append('out')
        else:
            params.append('out')
            lines.append('    b0 = out')
            made.add(0)
        where, donated = self._plan(-1 if blocked in (None, 'none') else blocked, free)
        for j, i in donated.items():
            lines.append(f'    b{j} = x{i}')
            made.add(j)
        for k, step in enumerate(program.steps):
            args = ', '.join(self._operand(ref, where) for ref in step.operands)
            j = where[k]
            if j is None:               # not a plain ufunc: its own forward makes its result
                forward = self._bind(op_name(step.op), forward_of(step.op))
                lines.append(f'    s{k} = {forward}({args})')
                continue
            if j not in made:
                made.add(j)
                dtype = self._bind(step.dtype.name, step.dtype)
                lines.append(f'    b{j} = xp.empty({step.shape!r}, {dtype})')
            ufunc = self._bind(step.op.ufunc, getattr(xp, step.op.ufunc))
            lines.append(f'    {ufunc}({args}, out=b{j})')
        last = len(program.steps) - 1
        if where[last] is not None:
            lines.append(f'    return b{where[last]}')
        else:           # the last op makes its own result: out served as scratch space only
            lines.append(f'    return s{last}')
        return '\n'.join([f'def fused({", ".join(params)}):'] + lines) + '\n'

    def _dispatch(self, params):
        """Source: with an out, the variant for the last step reading an input that shares out's
        memory (arrays that own their memory, base None, share none with each other); with free
        inputs, the variant that reuses them."""
        lines = ['    if out is not None or free:', "        blocked = 'none'",
                 '        if out is not None:', '            blocked = -1']
        for x, last in sorted(zip(params, self.input_last), key=lambda pair: pair[1]):
            lines += [f'            if {x} is out or ({x}.base is not None or out.base is not '
                      f'None) and overlap({x}, out):', f'                blocked = {last}']
        call = ', '.join(params + ['out'])
        lines += ['        key = (blocked, free) if free else blocked',
                  f'        return (variants.get(key) or variant(blocked, free))({call})']
        return lines

    def _plan(self, blocked, free=()):
        """Per step, the buffer it writes (None: a step that is not a plain ufunc makes its own),
        and {buffer: input} for the free inputs used as buffers."""
        steps, last = self.program.steps, self.last
        result = steps[-1]
        kinds = [(result.shape, result.dtype)]      # buffer 0 holds the result
        holder = [None]                             # the step whose value each buffer holds
        donated = {}
        for i in free:                              # a free input: a buffer after its last read
            shape, dtype = self.program.inputs[i]
            kinds.append((tuple(shape), np.dtype(dtype)))
            holder.append(('input', i))
            donated[len(kinds) - 1] = i
        where = []
        for k, step in enumerate(steps):
            if not step.is_ufunc:
                where.append(None)
                continue
            j = 0 if k == len(steps) - 1 else self._free(kinds, holder, last, step, k, blocked)
            if j is None:
                kinds.append((step.shape, step.dtype))
                holder.append(None)
                j = len(kinds) - 1
            holder[j] = k
            where.append(j)
        used = set(where)
        return where, {j: i for j, i in donated.items() if j in used}

    @staticmethod
    def _free(kinds, holder, last, step, k, blocked):
        for j, kind in enumerate(kinds):
            if kind != (step.shape, step.dtype) or (j == 0 and k < blocked):
                continue
            held = holder[j]
            ref = held if type(held) is tuple else ('step', held)
            if held is None or last.get(ref, -1) <= k:
                return j
        return None

    def _operand(self, ref, where):
        kind, what = ref
        if kind == 'input':
            return f'x{what}'
        if kind == 'step':
            return f's{what}' if where[what] is None else f'b{where[what]}'
        if type(what) in (int, bool) or (type(what) is float and np.isfinite(what)):
            return repr(what)
        return self._bind('c', what)

    def _bind(self, base, obj):
        return bind_name(self.namespace, base, obj)
